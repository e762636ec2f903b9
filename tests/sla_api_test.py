#!/usr/bin/env python3
"""Time limits over the real server: calendars and SLA policies as admin-edited data, deadline
fields on tickets, deadline filters and on-time statistics, and the `hotline sla` CLI.
Usage: python3 tests/sla_api_test.py PATH/TO/hotline"""
import json, os, signal, subprocess, sys, tempfile, time, unittest, urllib.error, urllib.parse, urllib.request

BIN = sys.argv.pop(1) if len(sys.argv) > 1 else "build/hotline"


from harness import free_port


class SlaApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="hotline-sla-")
        cls.db = os.path.join(cls.dir, "sla.db")
        subprocess.run([BIN, "init", "--db", cls.db, "--admin-user", "admin", "--admin-password", "admin-pass-1"],
                       check=True, capture_output=True)
        cls.port = free_port()
        cls.server = subprocess.Popen([BIN, "serve", "--db", cls.db, "--listen", f"127.0.0.1:{cls.port}",
                                       "--sla-interval-ms", "100"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if cls.call("GET", "/healthz")[0] == 200: break
            except OSError: pass
            time.sleep(0.1)
        cls.admin = cls.login("admin", "admin-pass-1")
        hub = cls.call("POST", "/api/v1/units", {"name": "市中心", "kind": "city_center"}, cls.admin)[1]["id"]
        cls.dept = cls.call("POST", "/api/v1/units", {"name": "住建局", "kind": "department", "parent_id": hub}, cls.admin)[1]["id"]
        for name, role, unit in [("agent", "agent", hub), ("disp", "dispatcher", hub), ("sup", "supervisor", hub)]:
            cls.call("POST", "/api/v1/users", {"username": name, "password": "pass-" + name + "-1", "role": role, "unit_id": unit}, cls.admin)
        cls.agent, cls.disp, cls.sup = (cls.login(n, "pass-" + n + "-1") for n in ("agent", "disp", "sup"))

    @classmethod
    def tearDownClass(cls):
        cls.server.send_signal(signal.SIGTERM); cls.server.wait(10)

    @classmethod
    def login(cls, user, password):
        return cls.call("POST", "/api/v1/auth/login", {"username": user, "password": password})[1]["token"]

    @classmethod
    def call(cls, method, path, body=None, token=None):
        h = {"Content-Type": "application/json"}
        if token: h["Authorization"] = "Bearer " + token
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        req = urllib.request.Request(f"http://127.0.0.1:{cls.port}" + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=20) as r: return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e: return e.code, json.loads(e.read() or b"null")

    def dispatched(self, urgency="normal"):
        t = self.call("POST", "/api/v1/tickets", {"channel": "web", "request_type": "complaint", "urgency": urgency,
                                                  "content": "路灯不亮"}, self.agent)[1]
        c, t = self.call("POST", f"/api/v1/tickets/{t['id']}/actions/dispatch", {"unit_id": self.dept}, self.disp)
        self.assertEqual(c, 200, t)
        return t

    def test_calendars_report_missing_years_and_admins_edit_them(self):
        c, js = self.call("GET", "/api/v1/calendars", token=self.agent)
        self.assertEqual(c, 200)
        cal = js["items"][0]
        self.assertEqual(cal["name"], "cn-mainland")
        self.assertTrue({2025, 2026} <= set(cal["years"]))
        self.assertTrue(cal["in_force"])
        year = int(time.strftime("%Y"))
        self.assertEqual(cal["missing_years"], [y for y in (year, year + 1) if y not in cal["years"]])
        full = self.call("GET", "/api/v1/calendars/cn-mainland", token=self.agent)[1]
        self.assertIn("2026-02-15..2026-02-23", full["years"]["2026"]["holidays"])
        body = {"years": {"2027": {"holidays": ["2027-02-30"]}}}
        self.assertEqual(self.call("PUT", "/api/v1/calendars/cn-mainland", body, self.agent)[0], 403)
        c, js = self.call("PUT", "/api/v1/calendars/cn-mainland", body, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "years.2027.holidays[0]"))
        for bad, field in (({"name": "other", "years": {}}, "name"), ({"years": {}, "extra": 1}, "extra")):
            c, js = self.call("PUT", "/api/v1/calendars/cn-mainland", bad, self.admin)
            self.assertEqual((c, js["error"]["details"]["field"]), (400, field))
        t = self.dispatched()
        # A new notice declares the coming week off: the open ticket's deadline moves later.
        import datetime
        today = datetime.date.today()
        for k in range(1, 8):
            d = today + datetime.timedelta(days=k)
            y = full["years"].setdefault(str(d.year), {"holidays": [], "workdays": []})
            y["holidays"].append(d.isoformat())
            y["workdays"] = [w for w in y.get("workdays", []) if w != d.isoformat()]
        c, js = self.call("PUT", "/api/v1/calendars/cn-mainland", {"years": full["years"]}, self.admin)
        self.assertEqual(c, 200, js)
        self.assertGreaterEqual(js["tickets_recomputed"], 1)
        after = self.call("GET", f"/api/v1/tickets/{t['id']}", token=self.agent)[1]
        self.assertGreater(after["due_at"], t["due_at"])
        events = self.call("GET", f"/api/v1/tickets/{t['id']}/events", token=self.admin)[1]["items"]
        moved = [e for e in events if e["type"] == "deadline_recomputed"][0]["data"]
        self.assertEqual(moved["reason"], "工作日历 cn-mainland 已调整")
        self.assertRegex(moved["handle_due_at"]["new"], r"^\d{4}-\d\d-\d\dT", "times in ISO 8601, as everywhere")
        self.assertGreater(moved["handle_due_at"]["new"], moved["handle_due_at"]["old"])
        audit = self.call("GET", "/api/v1/audit?page_size=20", token=self.admin)[1]["items"]
        self.assertRegex([e for e in audit if e["action"] == "calendar_update"][0]["detail"], r"\d{4}: \d+ holidays, \d+ workdays")
        # A 调休 workday on a weekday is a slip: refused, naming the year.
        c, js = self.call("PUT", "/api/v1/calendars/cn-mainland",
                          {"years": {**full["years"], "2028": {"holidays": [], "workdays": ["2028-01-04"]}}}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "years.2028.workdays"), js)
        self.assertIn("2028-01-04 is a weekday", js["error"]["message"])
        self.assertEqual(after["version"], t["version"], "recomputing is a system event")

    def test_policies_are_versioned_data(self):
        c, p = self.call("GET", "/api/v1/sla-policies", token=self.agent)
        self.assertEqual(c, 200)
        self.assertEqual(p["rules"][-1], {"accept": "1wd", "handle": "5wd"})
        c, js = self.call("PUT", "/api/v1/sla-policies", {"rules": [{"urgency": "urgent", "accept": "1h", "handle": "1d"}]}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "rules"))
        self.assertEqual(self.call("PUT", "/api/v1/sla-policies", p, self.sup)[0], 403)
        c, js = self.call("PUT", "/api/v1/sla-policies", {**p, "warnig_pct": 50}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "warnig_pct"), "a misspelt setting is refused")
        c, js = self.call("PUT", "/api/v1/sla-policies", {**p, "calendar": "no-such-calendar"}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "calendar"))
        # A rule that could never apply: its category begins nothing, or an earlier rule has its conditions.
        catch_all = {"accept": "1wd", "handle": "5wd"}
        c, js = self.call("PUT", "/api/v1/sla-policies",
                          {"rules": [{"category_prefix": "9999", "accept": "1h", "handle": "1d"}, catch_all]}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "rules[0].category_prefix"), js)
        c, js = self.call("PUT", "/api/v1/sla-policies", {"rules": [catch_all, catch_all]}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "rules[1]"), js)
        # The built-in policy is version 1; the first one saved is a new version, not 1 again.
        self.assertEqual(p["version"], 1)
        c, js = self.call("PUT", "/api/v1/sla-policies", p, self.admin)
        self.assertEqual(c, 200, js)
        self.assertGreater(js["version"], 1)
        # Every version stays readable (an older assignment's policy_version says which), and
        # the change's audit entry says what the policy holds.
        v = js["version"]
        c, old = self.call("GET", "/api/v1/sla-policies?version=1", token=self.agent)
        self.assertEqual((c, old["version"], old["rules"]), (200, 1, p["rules"]))
        c, cur = self.call("GET", "/api/v1/sla-policies?version=%d" % v, token=self.agent)
        self.assertEqual((c, cur["version"]), (200, v))
        c, js = self.call("GET", "/api/v1/sla-policies?version=%d" % (v + 100), token=self.agent)
        self.assertEqual((c, js["error"]["details"]["field"]), (404, "version"), js)
        c, js = self.call("GET", "/api/v1/sla-policies?histroy=1", token=self.agent)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "histroy"), js)
        c, audit = self.call("GET", "/api/v1/audit?page_size=50", token=self.admin)
        entry = next(e for e in audit["items"] if e["target"] == "sla_policy:%d" % v)
        self.assertIn("%d rules" % len(p["rules"]), entry["detail"])

    def test_tickets_show_deadlines_and_filters_find_them(self):
        t = self.dispatched()
        self.assertTrue(t["due_at"])
        self.assertEqual(t["warning_level"], "none")
        self.assertGreater(t["remaining_ms"], 0)
        a = t["assignments"][0]
        self.assertTrue(a["working_time"])
        # Not signed for yet: the working time left to sign (a 1wd limit: at most one working day).
        self.assertEqual(a["state"], "pending")
        self.assertGreater(a["accept_remaining_ms"], 0)
        self.assertLessEqual(a["accept_remaining_ms"], 24 * 3600 * 1000)
        self.assertLess(a["handle_warn_at"], a["handle_due_at"])  # same offset: ISO strings sort by time
        far = urllib.parse.quote("2099-01-01T00:00:00+08:00")
        ids = [x["id"] for x in self.call("GET", f"/api/v1/tickets?due_before={far}&page_size=100", token=self.sup)[1]["items"]]
        self.assertIn(t["id"], ids)
        self.assertNotIn(t["id"], [x["id"] for x in self.call("GET", "/api/v1/tickets?overdue=true", token=self.sup)[1]["items"]])
        self.assertEqual(self.call("GET", "/api/v1/tickets?warning=purple", token=self.sup)[1]["error"]["details"]["field"], "warning")
        self.assertEqual(self.call("GET", "/api/v1/tickets?due_before=tomorrow", token=self.sup)[1]["error"]["details"]["field"], "due_before")

    def test_statistics(self):
        self.dispatched()
        c, js = self.call("GET", "/api/v1/stats/sla", token=self.sup)
        self.assertEqual(c, 200)
        row = next(x for x in js["items"] if x["unit_id"] == self.dept)
        self.assertGreaterEqual(row["dispatched"], 1)
        self.assertEqual(self.call("GET", "/api/v1/stats/sla?from=bad", token=self.sup)[1]["error"]["details"]["field"], "from")
        self.assertEqual(self.call("GET", "/api/v1/stats/overdue", token=self.sup)[0], 200)

    def test_cli(self):
        def run(*args):
            r = subprocess.run([BIN, "sla", "deadline", *args], capture_output=True, text=True)
            return r.returncode, r.stdout.strip(), r.stderr
        self.assertEqual(run("--start", "2025-09-30T09:00:00+08:00", "--working-days", "5")[1], "2025-10-14T09:00:00+08:00")
        self.assertEqual(run("--start", "2025-09-30T09:00:00+08:00", "--working-days", "1", "--mode", "end_of_day")[1],
                         "2025-10-10T00:00:00+08:00")
        code, out, err = run("--start", "2031-03-07T09:00:00+08:00", "--working-days", "1")
        self.assertEqual(out, "2031-03-10T09:00:00+08:00")
        self.assertIn("no data for 2031", err)
        self.assertNotEqual(run("--start", "nonsense", "--hours", "1")[0], 0)
        self.assertNotEqual(run("--start", "2025-01-01", "--hours", "1", "--days", "1")[0], 0)
        show = subprocess.run([BIN, "calendar", "show", "--year", "2025"], capture_output=True, text=True).stdout
        self.assertIn("2025-09-28", show)
        bad = subprocess.run([BIN, "calendar", "show", "--year", "99999"], capture_output=True, text=True)
        self.assertNotEqual(bad.returncode, 0, "a year no calendar can hold is refused, not shown as 'no data'")
        self.assertIn("--year", bad.stderr)
        # end_of_day counts working days only: with a natural-time limit it is refused, not ignored.
        code, out, err = run("--start", "2025-09-30T09:00:00+08:00", "--hours", "5", "--mode", "end_of_day")
        self.assertNotEqual(code, 0)
        self.assertIn("mode", err)
        # A natural-time limit out of range names its own option and unit.
        code, out, err = run("--start", "2025-10-01T09:00:00+08:00", "--hours", "-1")
        self.assertNotEqual(code, 0)
        self.assertIn("hours: must be between 0 and 87600", err)
        # A deadline past what ISO 8601 writes is refused, not printed with a five-digit year.
        code, out, err = run("--start", "9999-12-31T00:00:00+08:00", "--working-days", "3650")
        self.assertNotEqual(code, 0)
        self.assertIn("after 9999-12-31", err)
        self.assertNotIn("warning", err)

    def test_calendar_import_adds_years(self):
        db = os.path.join(self.dir, "cal.db")
        subprocess.run([BIN, "init", "--db", db, "--admin-user", "admin", "--admin-password", "admin-pass-1"],
                       check=True, capture_output=True)
        path = os.path.join(self.dir, "cn-mainland-2027.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"name": "cn-mainland", "years": {"2027": {"source": "通知", "holidays": ["2027-01-01"],
                                                                    "workdays": ["2027-01-02"]}}}, f)
        def cli(*args):
            r = subprocess.run([BIN, "calendar", *args], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            return r.stdout
        out = cli("import", "--db", db, path)
        self.assertIn("added 2027", out)
        self.assertIn("kept 2025, 2026", out)
        # The built-in years stay; the new one is there.
        self.assertIn("2026-02-15", cli("show", "--db", db, "--year", "2026"))
        self.assertIn("2027-01-01", cli("show", "--db", db, "--year", "2027"))
        self.assertIn("2027-01-01", cli("show", "--db", db, "--calendar", path, "--year", "2027"))  # a file, with --db
        # sla deadline counts by the city's stored calendar: 2027-01-01 a holiday, Saturday 01-02 worked.
        r = subprocess.run([BIN, "sla", "deadline", "--db", db, "--start", "2026-12-31T09:00:00+08:00", "--working-days", "1"],
                           capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "2027-01-02T09:00:00+08:00"), r.stderr)
        # Importing the year again replaces it; --replace keeps only the file's years.
        self.assertIn("replaced 2027", cli("import", "--db", db, path))
        self.assertIn("dropped", cli("import", "--db", db, "--replace", path))
        self.assertIn("no data", cli("show", "--db", db, "--year", "2026"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
