#!/usr/bin/env python3
"""End-to-end tests of the `hotline` command line: init, import, serve and demo.

Usage: python3 tests/cli_test.py /path/to/hotline [unittest options]

Every test works in its own temporary directory and starts real processes; each process
is stopped (SIGTERM, then SIGKILL) even when a test fails. Standard library only.
"""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

from harness import call, die_with_parent, free_port

if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
    print("usage: cli_test.py /path/to/hotline [unittest options]", file=sys.stderr)
    sys.exit(2)
HOTLINE = os.path.abspath(sys.argv.pop(1))

ADMIN_PASSWORD = "Admin-Passw0rd-1"
_PROCS = []  # every process started, stopped at the end whatever happened


def _stop(proc, timeout=15):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    return proc.returncode


def _stop_all():
    while _PROCS:
        _stop(_PROCS.pop())


def setUpModule():
    unittest.addModuleCleanup(_stop_all)




def run(*args, timeout=60):
    """Runs `hotline ARGS` to completion; returns (exit code, stdout, stderr)."""
    p = subprocess.run([HOTLINE, *args], capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL,
                       preexec_fn=die_with_parent)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class Server:
    """`hotline serve` on a free loopback port, as a context manager."""

    def __init__(self, db):
        self.db = db
        self.proc = None
        self.base = None
        self.log = db + ".serve.log"

    def __enter__(self):
        for _ in range(3):
            port = free_port()
            with open(self.log, "wb") as log:
                self.proc = subprocess.Popen([HOTLINE, "serve", "--db", self.db, "--listen", "127.0.0.1:%d" % port,
                                              "--threads", "4"],
                                             stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                             preexec_fn=die_with_parent)
            _PROCS.append(self.proc)
            self.base = "http://127.0.0.1:%d" % port
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    if call(self.base, "GET", "/healthz", timeout=2)[0] == 200:
                        return self
                except OSError:
                    pass
                time.sleep(0.05)
            self.stop()
        raise AssertionError("hotline serve did not become healthy:\n" + self.output())

    def __exit__(self, *exc):
        self.stop()
        return False

    def stop(self):
        if self.proc is not None:
            code = _stop(self.proc)
            if self.proc in _PROCS:
                _PROCS.remove(self.proc)
            return code
        return None

    def output(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def login(self, user, password):
        return call(self.base, "POST", "/api/v1/auth/login", {"username": user, "password": password})

    def token(self, user="admin", password=ADMIN_PASSWORD):
        status, body = self.login(user, password)
        assert status == 200, "login %s: %s %r" % (user, status, body)
        return body["token"]

    def get(self, path, token):
        status, body = call(self.base, "GET", path, token=token)
        assert status == 200, "GET %s: %s %r" % (path, status, body)
        return body


class CliTest(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="hotline-cli-test-")
        self.addCleanup(self._tmp.cleanup)
        self.addCleanup(_stop_all)  # runs before the directory goes
        self.dir = self._tmp.name
        self.db = os.path.join(self.dir, "city.db")

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return path

    def init(self, password=ADMIN_PASSWORD, user="admin"):
        code, out, err = run("init", "--db", self.db, "--admin-user", user, "--admin-password", password)
        self.assertEqual(code, 0, "init failed: %s%s" % (out, err))
        return out

    def imp(self, kind, text, name=None, ok=True):
        path = self.write(name or kind + ".csv", text)
        code, out, err = run("import", "--db", self.db, kind, path)
        if ok:
            self.assertEqual(code, 0, "import %s failed: %s%s" % (kind, out, err))
        else:
            self.assertNotEqual(code, 0, "import %s should fail: %s" % (kind, out))
        return out, err

    # ---- init ------------------------------------------------------------------------------

    def test_init_is_idempotent_and_resets_the_admin_password(self):
        out = self.init()
        self.assertIn(self.db, out)
        self.assertTrue(os.path.exists(self.db + ".key"), "init creates the data key beside the database")
        self.assertEqual(os.stat(self.db + ".key").st_mode & 0o077, 0, "the key is readable by its owner only")
        with open(self.db + ".key", "rb") as f:
            key = f.read()
        self.init()  # the same again: nothing changes
        with open(self.db + ".key", "rb") as f:
            self.assertEqual(f.read(), key, "a second init keeps the data key")
        with Server(self.db) as s:
            token = s.token()
            me = s.get("/api/v1/auth/me", token)
            self.assertEqual((me["username"], me["role"]), ("admin", "admin"))
            cats = s.get("/api/v1/categories", token)
            self.assertEqual(cats["version"], 1, "the default standard is installed once")
            self.assertTrue(cats["items"])
            users = s.get("/api/v1/users", token)["items"]
            self.assertEqual([u["username"] for u in users], ["admin"])
        self.init(password="Brand-New-Passw0rd")
        with Server(self.db) as s:
            self.assertEqual(s.login("admin", ADMIN_PASSWORD)[0], 401, "the old password no longer works")
            token = s.token("admin", "Brand-New-Passw0rd")
            self.assertEqual(s.get("/api/v1/categories", token)["version"], 1)
            self.assertEqual(len(s.get("/api/v1/users", token)["items"]), 1)
        # A disabled (停用) administrator: init is the console's way back in, so it enables it.
        con = sqlite3.connect(self.db)
        con.execute("UPDATE users SET active = 0 WHERE username = 'admin'")
        con.commit()
        con.close()
        self.init(password="Back-In-Passw0rd")
        with Server(self.db) as s:
            s.token("admin", "Back-In-Passw0rd")

    def test_staffing_on_a_database_without_contacts(self):
        self.init()
        r = subprocess.run([HOTLINE, "staffing", "--db", self.db], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        out = r.stdout.decode()
        self.assertIn("(4 weeks): 0", out)
        self.assertNotIn("busiest hour", out, "no contacts, no busiest hour")
        self.assertIn("at most 1 agents", out, "the minimum on the line")

    def test_init_with_short_password_fails_clearly(self):
        code, out, err = run("init", "--db", self.db, "--admin-user", "admin", "--admin-password", "short")
        self.assertNotEqual(code, 0)
        self.assertIn("admin-password", err)
        self.assertIn("8", err)
        self.assertNotIn("Traceback", err)
        self.assertLess(len(err.strip().splitlines()), 5, "one clear message, not a dump: " + err)
        self.assertFalse(os.path.exists(self.db), "a refused init leaves no half-made database")
        # A name the API would refuse is refused here too: ' admin ' could never log in, '' made nobody.
        for bad in ("", " admin ", "ad min", "ad\nmin"):
            code, out, err = run("init", "--db", self.db, "--admin-user", bad, "--admin-password", ADMIN_PASSWORD)
            self.assertNotEqual(code, 0, repr(bad))
            self.assertIn("admin-user", err)
            self.assertFalse(os.path.exists(self.db), repr(bad))
            self.assertFalse(os.path.exists(self.db + ".key"), repr(bad))
        # A file that is no database: refused, and no key is left beside it.
        notadb = self.write("notadb.csv", "a,b\n1,2\n" * 200)
        code, out, err = run("init", "--db", notadb, "--admin-user", "admin", "--admin-password", ADMIN_PASSWORD)
        self.assertNotEqual(code, 0)
        self.assertFalse(os.path.exists(notadb + ".key"))
        # Another application's SQLite database is not taken over: refused, named once, untouched.
        other = os.path.join(os.path.dirname(notadb), "other.db")
        con = sqlite3.connect(other)
        con.execute("CREATE TABLE foo(x)")
        con.commit()
        con.close()
        code, out, err = run("init", "--db", other, "--admin-user", "admin", "--admin-password", ADMIN_PASSWORD)
        self.assertNotEqual(code, 0)
        self.assertIn("holds another application's tables", err)
        self.assertEqual(err.count(other), 1, err)
        con = sqlite3.connect(other)
        self.assertEqual([r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")], ["foo"])
        con.close()
        self.assertFalse(os.path.exists(other + ".key"))

    # ---- import ----------------------------------------------------------------------------

    def test_import_taxonomy_by_level_names_derives_codes(self):
        self.init()
        out, _ = self.imp("taxonomy", "一级分类,二级分类,三级分类\r\n"
                                      "城乡建设,物业管理,物业服务\r\n"
                                      "城乡建设,物业管理,物业收费\r\n"
                                      "城乡建设,市政设施,路灯照明\r\n"
                                      "环境保护,噪声污染,施工噪声\r\n"
                                      "\"交通运输\",\"出租车\",\"拒载、绕路\"\r\n")
        self.assertIn("taxonomy version 2", out)
        with Server(self.db) as s:
            cats = s.get("/api/v1/categories", s.token())
        self.assertEqual(cats["version"], 2)
        got = {c["code"]: (c["name"], c["parent_code"], c["level"]) for c in cats["items"]}
        # A path the standard in force (init's default) has keeps its code there; a new one
        # takes the next number under its parent that the default does not hold (市政设施 is 0104
        # with four children; 交通运输 has six).
        expected = {
            "01": ("城乡建设", None, 1),
            "0101": ("物业管理", "01", 2),
            "010101": ("物业服务", "0101", 3),
            "010102": ("物业收费", "0101", 3),
            "0104": ("市政设施", "01", 2),
            "010405": ("路灯照明", "0104", 3),
            "02": ("环境保护", None, 1),
            "0201": ("噪声污染", "02", 2),
            "020101": ("施工噪声", "0201", 3),
            "03": ("交通运输", None, 1),
            "0307": ("出租车", "03", 2),
            "030701": ("拒载、绕路", "0307", 3),
        }
        self.assertEqual(got, expected)
        # The file edited and imported again, a row added at the top: no code moves (tickets,
        # rules, knowledge entries, SLA rules and models hold them), the new row takes a new one,
        # and the default's numbers are not given again (16, after its fifteen).
        out, _ = self.imp("taxonomy", "一级分类,二级分类,三级分类\n应急管理,应急值守,突发事件\n"
                                      "城乡建设,物业管理,物业服务\n城乡建设,物业管理,物业收费\n城乡建设,市政设施,路灯照明\n"
                                      "环境保护,噪声污染,施工噪声\n交通运输,出租车,拒载、绕路\n")
        self.assertIn("taxonomy version 3", out)
        with Server(self.db) as s:
            cats = s.get("/api/v1/categories", s.token())
        again = {c["code"]: (c["name"], c["parent_code"], c["level"]) for c in cats["items"]}
        self.assertEqual(again, {**expected, "16": ("应急管理", None, 1), "1601": ("应急值守", "16", 2),
                                 "160101": ("突发事件", "1601", 3)})

    AREAS = ("name,kind,parent,aliases\n"
             "江南区,district,,江南\n"
             "望江街道,street,江南区,\"望江路|滨江花园|江景苑,南区\"\n"
             "江北区,district,,\n"
             "北山街道,street,江北区,北山路\n")
    UNITS = ("name,kind,parent,area,phone\n"
             "临江市12345热线中心,city_center,,,12345\n"
             "江南区12345分中心,district_center,临江市12345热线中心,江南区,0571-80000001\n"
             "望江街道办事处,street,江南区12345分中心,望江街道,0571-80000002\n"
             "市住房和城乡建设局,department,临江市12345热线中心,,0571-80000003\n"
             "市城市管理局,department,临江市12345热线中心,,\n")
    RULES = ("category_prefix,area,lead_unit,assisting_units,priority\n"
             "01,,市住房和城乡建设局,,0\n"
             "0101,望江街道,望江街道办事处,市住房和城乡建设局|市城市管理局,10\n")

    def test_import_areas_units_and_dispatch_rules(self):
        self.init()
        out, _ = self.imp("areas", self.AREAS)
        self.assertIn("imported 4 areas", out)
        out, _ = self.imp("units", self.UNITS)
        self.assertIn("imported 5 units", out)
        out, _ = self.imp("dispatch-rules", self.RULES)
        self.assertIn("imported 2 dispatch-rules", out)
        with Server(self.db) as s:
            token = s.token()
            areas = {a["name"]: a for a in s.get("/api/v1/areas", token)["items"]}
            units = {u["name"]: u for u in s.get("/api/v1/units", token)["items"]}
            rules = s.get("/api/v1/dispatch-rules", token)["items"]
            resolved = s.get("/api/v1/areas?resolve=" + urllib.parse.quote("江景苑,南区5栋"), token)["area"]
            match = s.get("/api/v1/dispatch-rules?category=010101&address=" +
                          urllib.parse.quote("江南区滨江花园7幢"), token)
            fallback = s.get("/api/v1/dispatch-rules?category=0102&address=" + urllib.parse.quote("北山路1号"),
                             token)

        self.assertEqual(sorted(areas), sorted(["江南区", "望江街道", "江北区", "北山街道"]))
        self.assertEqual(areas["望江街道"]["kind"], "street")
        self.assertEqual(areas["望江街道"]["parent_id"], areas["江南区"]["id"])
        self.assertEqual(areas["望江街道"]["aliases"], ["望江路", "滨江花园", "江景苑,南区"])
        self.assertEqual(areas["江北区"]["aliases"], [])
        self.assertEqual(resolved["id"], areas["望江街道"]["id"], "an alias resolves an address")

        self.assertEqual(len(units), 5)
        hub, dc = units["临江市12345热线中心"], units["江南区12345分中心"]
        self.assertEqual((hub["kind"], hub["parent_id"], hub["phone"]), ("city_center", None, "12345"))
        self.assertEqual((dc["kind"], dc["parent_id"], dc["area_id"]),
                         ("district_center", hub["id"], areas["江南区"]["id"]))
        street = units["望江街道办事处"]
        self.assertEqual((street["kind"], street["parent_id"], street["area_id"], street["phone"]),
                         ("street", dc["id"], areas["望江街道"]["id"], "0571-80000002"))
        self.assertEqual(units["市城市管理局"]["parent_id"], hub["id"])

        by_prefix = {r["category_prefix"]: r for r in rules}
        self.assertEqual(sorted(by_prefix), ["01", "0101"])
        self.assertEqual(by_prefix["01"]["lead_unit_id"], units["市住房和城乡建设局"]["id"])
        self.assertIsNone(by_prefix["01"]["area_id"])
        r = by_prefix["0101"]
        self.assertEqual((r["lead_unit_id"], r["area_id"], r["priority"]),
                         (street["id"], areas["望江街道"]["id"], 10))
        self.assertEqual(r["assisting_unit_ids"], [units["市住房和城乡建设局"]["id"], units["市城市管理局"]["id"]])
        self.assertEqual(match["area_id"], areas["望江街道"]["id"])
        self.assertEqual(match["rule"]["id"], r["id"], "the longest prefix in the nearest area wins")
        self.assertEqual(fallback["rule"]["id"], by_prefix["01"]["id"])
        # Importing the same rules again adds nothing; a new taxonomy without 0101 says which
        # rule it leaves matching nothing.
        out, _ = self.imp("dispatch-rules", self.RULES)
        self.assertIn("imported 0 dispatch-rules", out)
        self.assertIn("skipped %d rows the database holds already" % (len(self.RULES.strip().splitlines()) - 1), out)
        with Server(self.db) as s:  # and a time-limit rule for 0101
            code, _ = call(s.base, "PUT", "/api/v1/sla-policies",
                           {"rules": [{"category_prefix": "0101", "accept": "1h", "handle": "2d"},
                                      {"accept": "2h", "handle": "5wd"}]}, s.token())
            self.assertEqual(code, 200)
        out, err = self.imp("taxonomy", "code,name,parent_code\n01,城乡建设,\n02,环境保护,\n")
        self.assertIn("warning: 1 dispatch rules", err)
        self.assertIn("0101 (rule " + r["id"] + ")", err)
        self.assertIn("warning: 1 time-limit policy rules", err)
        self.assertIn("0101 (rules[0])", err)

    def count_org(self):
        with Server(self.db) as s:
            token = s.token()
            return (len(s.get("/api/v1/areas", token)["items"]), len(s.get("/api/v1/units", token)["items"]),
                    len(s.get("/api/v1/dispatch-rules", token)["items"]))

    def test_import_bad_line_names_it_and_imports_nothing(self):
        self.init()
        self.imp("areas", self.AREAS)
        self.imp("units", "name,kind,parent,area,phone\n临江市12345热线中心,city_center,,,12345\n")
        before = self.count_org()
        self.assertEqual(before, (4, 1, 0))

        # line 4 names a parent that does not exist; lines 2 and 3 are fine but must not land
        _, err = self.imp("units", "name,kind,parent,area,phone\n"
                                   "市住房和城乡建设局,department,临江市12345热线中心,,\n"
                                   "市城市管理局,department,临江市12345热线中心,,\n"
                                   "望江街道办事处,street,不存在的分中心,望江街道,\n", ok=False)
        self.assertIn("line 4", err)
        self.assertIn("units.csv: ", err, "the error names the file as well as its line")
        self.assertIn("parent", err)
        self.assertIn("不存在的分中心", err)
        self.assertEqual(self.count_org(), before, "a bad file leaves the database as it was")

        _, err = self.imp("units", "name,kind,parent,area,phone\n"
                                   "市住房和城乡建设局,department,临江市12345热线中心,,\n"
                                   "市城市管理局,bureau,临江市12345热线中心,,\n", ok=False)
        self.assertIn("line 3", err)
        self.assertIn("kind", err)

        _, err = self.imp("areas", "name,kind,parent,aliases\n"
                                   "高新区,district,,\n"
                                   "科创街道,street,高新区,\n"
                                   "孤儿街道,street,,\n", ok=False)
        self.assertIn("line 4", err)
        # Levels: a district under a street is refused, named with its line.
        _, err = self.imp("areas", "name,kind,parent,aliases\n新区,district,望江街道,\n", ok=False)
        self.assertIn("line 2", err)
        self.assertIn("a district is a top-level area", err)
        # A spreadsheet's GBK export is named as not UTF-8, with its first such line.
        path = os.path.join(self.dir, "gbk.csv")
        with open(path, "wb") as f:
            f.write("name,kind,parent,aliases\n高新区,district,,\n".encode("gbk"))
        code, _, err = run("import", "--db", self.db, "areas", path)
        self.assertNotEqual(code, 0)
        self.assertIn("gbk.csv line 2: is not UTF-8 text", err)
        self.assertEqual(self.count_org(), before)
        # Excel's "Unicode text" is named as UTF-16, not taken for GBK.
        with open(path, "wb") as f:
            f.write("name,kind,parent,aliases\n高新区,district,,\n".encode("utf-16"))
        code, _, err = run("import", "--db", self.db, "areas", path)
        self.assertNotEqual(code, 0)
        self.assertIn("gbk.csv: is UTF-16 text", err)

        _, err = self.imp("dispatch-rules", "category_prefix,area,lead_unit,assisting_units,priority\n"
                                            "01,,临江市12345热线中心,,0\n"
                                            "02,,临江市12345热线中心,查无此单位,0\n", ok=False)
        self.assertIn("line 3", err)
        self.assertIn("assisting_units", err)
        _, err = self.imp("dispatch-rules", "category_prefix,area,lead_unit,assisting_units,priority\n"
                                            "01,,临江市12345热线中心,,高\n", ok=False)
        self.assertIn("line 2", err)
        self.assertIn("priority", err)
        _, err = self.imp("dispatch-rules", "category_prefix,area,lead_unit,assisting_units,priority\n"
                                            "1,,临江市12345热线中心,,0\n", ok=False)
        self.assertIn("line 2", err)
        self.assertIn("leading zero", err, "a code a spreadsheet cut short is no prefix of 10-19")

        self.assertEqual(self.count_org(), before)

        # A spreadsheet's padding: empty trailing columns and rows of empty cells are nothing,
        # a value under no column name is refused with its line.
        _, err = self.imp("areas", "name,kind,parent,aliases,,\r\n表格区,district,,,,备注\r\n", ok=False)
        self.assertIn("line 2: field 6 holds '备注' in a column the header does not name", err)
        self.assertEqual(self.count_org(), before)
        out, _ = self.imp("areas", "name,kind,parent,aliases,,\r\n表格区,district,,,,\r\n,,,,,\r\n,,,,,\r\n")
        self.assertIn("imported 1 areas", out)

        _, err = self.imp("units", "名称,类型\n甲,department\n", ok=False)
        self.assertIn("name", err, "a wrong header is named")
        code, _, err = run("import", "--db", self.db, "widgets", self.write("w.csv", "a,b\n"))
        self.assertNotEqual(code, 0)
        self.assertIn("kind", err)
        self.assertIn("dispatch-rules", err, "the message lists the kinds there are")
        code, _, err = run("import", "--db", self.db, "units", os.path.join(self.dir, "missing.csv"))
        self.assertNotEqual(code, 0)
        self.assertTrue(err.strip())
        # A mistyped --db: refused, and no empty database or key is left behind.
        typo = os.path.join(self.dir, "typo.db")
        code, _, err = run("import", "--db", typo, "areas", self.write("a.csv", "name,kind\n江南区,district\n"))
        self.assertNotEqual(code, 0)
        self.assertIn("no database at " + typo, err)
        self.assertFalse(os.path.exists(typo) or os.path.exists(typo + ".key"))

    # ---- serve -----------------------------------------------------------------------------

    def test_serve_on_a_missing_database_names_it(self):
        missing = os.path.join(self.dir, "nosuch.db")
        env_key = {**os.environ, "HOTLINE_DATA_KEY": "00" * 32}
        p = subprocess.run([HOTLINE, "serve", "--db", missing, "--listen", "127.0.0.1:0"], capture_output=True,
                           timeout=30, env=env_key, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no database at " + missing, p.stderr.decode())
        self.assertFalse(os.path.exists(missing), "a mistyped path does not create an empty database")

    def serve_must_fail(self, port, why):
        """`hotline serve` on a port that is taken: it must exit non-zero, naming the port."""
        p = subprocess.Popen([HOTLINE, "serve", "--db", self.db, "--listen", "127.0.0.1:%d" % port],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                             preexec_fn=die_with_parent)
        _PROCS.append(p)
        try:
            out, err = p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            _stop(p)
            self.fail(why)
        self.assertNotEqual(p.returncode, 0)
        msg = (out + err).decode("utf-8", "replace")
        self.assertIn(str(port), msg, msg)
        self.assertRegex(msg, r"(?i)in use|cannot listen|address", msg)

    def test_a_bad_file_is_named_in_the_error(self):
        self.init()
        def write(name, data):
            path = os.path.join(self.dir, name)
            with open(path, "wb") as f:
                f.write(data)
            return path
        cal = write("cut.json", b'{"name": "x",')
        code, _, err = run("calendar", "import", "--db", self.db, cal)
        self.assertNotEqual(code, 0)
        self.assertIn("cut.json: ", err)
        model = write("junk.model", b"junk")
        inp = write("in.jsonl", '{"id":"1","text":"路灯不亮"}\n'.encode())
        code, _, err = run("model", "predict", "--model", model, "--input", inp, "--output", os.path.join(self.dir, "o.jsonl"))
        self.assertNotEqual(code, 0)
        self.assertIn("junk.model: ", err)
        cut = write("cut.csv", '留言主题,留言详情\n"路灯,不亮\n'.encode())
        code, _, err = run("insight", "duplicates", "--input", cut, "--output", os.path.join(self.dir, "d.jsonl"))
        self.assertNotEqual(code, 0)
        self.assertIn("cut.csv: ", err)
        other = write("other.db", b"this is not a database")
        with open(self.db + ".key", "rb") as f:
            write("other.db.key", f.read())
        code, _, err = run("import", "--db", other, "areas", write("a.csv", b"name,kind,parent,aliases\n"))
        self.assertNotEqual(code, 0)
        self.assertIn("other.db is not a SQLite database", err)
        # Without its key too: the file is named for what it is, not for a missing key.
        os.remove(other + ".key")
        code, _, err = run("import", "--db", other, "areas", os.path.join(self.dir, "a.csv"))
        self.assertEqual(code, 2, err)
        self.assertIn("other.db is not a SQLite database", err)
        self.assertNotIn("data key", err)
        self.assertFalse(os.path.exists(other + ".key"))
        # An empty file is no database init made: refused, not filled as a new one.
        empty = write("empty.db", b"")
        write("empty.db.key", open(self.db + ".key", "rb").read())
        code, _, err = run("import", "--db", empty, "areas", os.path.join(self.dir, "a.csv"))
        self.assertNotEqual(code, 0)
        self.assertIn("empty.db is an empty file", err)
        self.assertEqual(os.path.getsize(empty), 0)
        # Training on too few examples per label says its scores are not a fair estimate.
        two = write("two.csv", "text,label\n电梯坏了,a\n燃气泄漏,b\n".encode())
        code, out, err = run("model", "train", "--input", two, "--out", os.path.join(self.dir, "two.model"))
        self.assertEqual(code, 0, err)
        self.assertIn("warning: 2 of 2 labels have fewer examples than the 5 folds", out)

    def test_serve_on_a_port_in_use_fails(self):
        self.init()
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen(1)
            self.serve_must_fail(busy.getsockname()[1], "serve kept running on a port that is in use")

    def test_a_second_server_cannot_share_a_port(self):
        # Two servers on one port would split its connections between them (SO_REUSEPORT).
        self.init()
        with Server(self.db) as first:
            self.serve_must_fail(int(first.base.rsplit(":", 1)[1]), "a second server started on a port the first one serves")

    def test_a_login_lockout_holds_across_servers_and_restarts(self):
        # Failed logins are counted in the database: another server on it, or this one
        # restarted, does not hand out five fresh guesses.
        self.init()
        with Server(self.db) as a, Server(self.db) as b:
            for i in range(5):
                self.assertEqual((a if i % 2 else b).login("admin", "wrong-guess-%d" % i)[0], 401)
            self.assertEqual(a.login("admin", ADMIN_PASSWORD)[0], 429)
            self.assertEqual(b.login("admin", ADMIN_PASSWORD)[0], 429)
        with Server(self.db) as again:
            self.assertEqual(again.login("admin", ADMIN_PASSWORD)[0], 429)

    def test_failed_logins_from_one_address_are_throttled(self):
        # Made-up names never trip the per-name lock; failures per address do, before the
        # slow password check. Successes do not count.
        self.init()
        with Server(self.db) as s:
            s.token()
            codes = []
            while len(codes) < 60 and 429 not in codes:  # 30 a minute: a slow flood refills a few
                codes.append(s.login("ghost-%d" % len(codes), "x")[0])
            self.assertEqual(codes[-1], 429, codes)
            self.assertGreaterEqual(codes.count(401), 30)
            # The address waits a moment, whoever it is. A guess comes back every 2 s, so one
            # may come back between the refusal and this login: then refused again, and asked again.
            for _ in range(3):
                code = s.login("admin", ADMIN_PASSWORD)[0]
                if code == 429:
                    break
                for _ in range(60):
                    if s.login("ghost-%d" % len(codes), "x")[0] == 429:
                        break
                    codes.append(401)
            self.assertEqual(code, 429, "the address waits a moment, whoever it is")

    def test_serve_stops_cleanly_on_sigterm(self):
        self.init()
        made = []
        for sig in (signal.SIGTERM, signal.SIGINT):  # SIGINT is Ctrl-C
            with self.subTest(signal=sig.name):
                s = Server(self.db).__enter__()
                try:
                    status, t = call(s.base, "POST", "/api/v1/tickets",
                                     {"channel": "web", "request_type": "suggestion",
                                      "content": "建议增设公交线路（%s）" % sig.name}, s.token())
                    self.assertEqual(status, 201, t)
                    made.append(t)
                    s.proc.send_signal(sig)
                    try:
                        code = s.proc.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        self.fail("serve did not stop within 15 s of %s" % sig.name)
                    self.assertEqual(code, 0, "serve should stop cleanly and exit 0 on %s, but %s; its output:\n%s"
                                     % (sig.name, "it died of signal %d" % -code if code < 0 else "exit %d" % code,
                                        s.output()))
                finally:
                    s.stop()
        # what was acknowledged is still there after a restart
        with Server(self.db) as s2:
            token = s2.token()
            for t in made:
                self.assertEqual(s2.get("/api/v1/tickets/" + t["id"], token)["content"], t["content"])

    def test_serve_rejects_a_bad_listen_address(self):
        self.init()
        code, out, err = run("serve", "--db", self.db, "--listen", "127.0.0.1:notaport", timeout=20)
        self.assertNotEqual(code, 0)
        self.assertIn("listen", err)
        # A --web-root given is meant: mistyped, the server does not start with a bare page.
        code, out, err = run("serve", "--db", self.db, "--listen", "127.0.0.1:0", "--web-root", "/nonexistent", timeout=20)
        self.assertNotEqual(code, 0)
        self.assertIn("web-root: '/nonexistent' is no built web UI", err)

    # ---- demo ------------------------------------------------------------------------------

    def test_demo_starts_serves_and_stops(self):
        port = free_port()
        out_path = os.path.join(self.dir, "demo.out")
        with open(out_path, "wb") as out:
            p = subprocess.Popen([HOTLINE, "demo", "--db", os.path.join(self.dir, "demo.db"),
                                  "--listen", "127.0.0.1:%d" % port, "--interval-ms", "50"],
                                 stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 preexec_fn=die_with_parent)
        _PROCS.append(p)

        def output():
            with open(out_path, "rb") as f:
                return f.read().decode("utf-8", "replace")

        url = "http://127.0.0.1:%d" % port
        started = time.monotonic()
        while url not in output():
            self.assertIsNone(p.poll(), "demo exited early:\n" + output())
            self.assertLess(time.monotonic() - started, 60, "demo did not print its URL within 60 s:\n" + output())
            time.sleep(0.1)
        while True:  # the URL is printed just before the server accepts connections
            try:
                if call(url, "GET", "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            self.assertLess(time.monotonic() - started, 60, "demo never became healthy")
            time.sleep(0.05)
        text = output()
        self.assertIn("agent1", text)
        self.assertIn("demo-12345", text)

        tokens = {}
        for user in ("agent1", "dispatcher1"):
            status, body = call(url, "POST", "/api/v1/auth/login", {"username": user, "password": "demo-12345"})
            self.assertEqual(status, 200, "%s: %r" % (user, body))
            tokens[user] = body["token"]
        statuses = set()
        cursor = None
        for _ in range(50):
            path = "/api/v1/tickets?page_size=100" + ("&cursor=" + cursor if cursor else "")
            status, page = call(url, "GET", path, token=tokens["dispatcher1"])
            self.assertEqual(status, 200, page)
            statuses.update(t["status"] for t in page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                break
        self.assertGreaterEqual(len(statuses), 4, "tickets in several statuses: %s" % sorted(statuses))
        self.assertIn("closed", statuses)
        status, page = call(url, "GET", "/api/v1/tickets?page_size=5", token=tokens["agent1"])
        self.assertEqual(status, 200)
        self.assertGreater(page["total"], 0)

        p.send_signal(signal.SIGTERM)
        try:
            code = p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.fail("demo did not stop within 20 s of SIGTERM")
        self.assertEqual(code, 0, "demo should stop cleanly and exit 0 on SIGTERM, but %s:\n%s"
                         % ("it died of signal %d" % -code if code < 0 else "exit %d" % code, output()[-1500:]))
        with self.assertRaises(OSError):
            call(url, "GET", "/healthz", timeout=2)

        # The reports leaders read, from the demo's two weeks of history.
        db = os.path.join(self.dir, "demo.db")
        r = subprocess.run([HOTLINE, "report", "special", "--db", db, "--format", "json"], capture_output=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        report = json.loads(r.stdout)
        self.assertGreater(report["summary"]["received"], 0)
        self.assertTrue(report["red_list"], "units with replies are ranked")
        self.assertTrue(report["hotspots"], "the demo's callers repeat matters")
        md_path = os.path.join(self.dir, "weekly.md")
        r = subprocess.run([HOTLINE, "report", "weekly", "--db", db, "--output", md_path], capture_output=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        with open(md_path, encoding="utf-8") as f:
            md = f.read()
        self.assertTrue(md.startswith("# 12345 热线周报"), md[:100])
        self.assertIn("| 办结率 |", md)
        r = subprocess.run([HOTLINE, "report", "monthly", "--db", db, "--date", "2026-02-30"], capture_output=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("date", r.stderr.decode())

        # Seat planning from the demo's past contacts, and for one load.
        r = subprocess.run([HOTLINE, "staffing", "--db", db, "--weeks", "1", "--json"], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        plan = json.loads(r.stdout)
        self.assertGreater(plan["contacts"], 0)
        self.assertEqual(len(plan["hours"]), 168)
        self.assertGreater(plan["summary"]["max_agents_at_peak"], 0)
        self.assertGreaterEqual(len(plan["centres"]), 2, "the district centres answer their own lines too")
        self.assertGreater(plan["pooling"]["saved_agent_hours_per_week"], 0)
        r = subprocess.run([HOTLINE, "staffing", "--db", db], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertIn("agents on the lines per hour", r.stdout.decode())
        self.assertIn("pooled (多援一", r.stdout.decode())
        r = subprocess.run([HOTLINE, "staffing", "--db", db, "--channel", "fax"], capture_output=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("channel", r.stderr.decode())
        r = subprocess.run([HOTLINE, "staffing", "--calls-per-hour", "200", "--aht", "180", "--max-occupancy", "1",
                            "--json"], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertEqual(json.loads(r.stdout)["agents"], 14)
        r = subprocess.run([HOTLINE, "staffing", "--calls-per-hour", "200", "--aht", "180", "--patience", "60"],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertIn("hang up before an answer (mean patience 60 s): 4.9 %", r.stdout.decode())
        r = subprocess.run([HOTLINE, "staffing", "--calls-per-hour", "-5"], capture_output=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("calls_per_hour: must be 0 to 100000", r.stderr.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
