#!/usr/bin/env python3
"""End-to-end tests of the HTTP API against the real `hotline` binary.

Usage: python3 tests/api_test.py /path/to/hotline [unittest options]

One server is started for the whole run (init + serve on a free loopback port in a
temporary directory); the tests build a small city over the API and then drive tickets
through their lifecycle as the people who use it would, with raw UTF-8 Chinese bodies.
Standard library only.
"""

import collections
import datetime
import decimal
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

from harness import die_with_parent, free_port

if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
    print("usage: api_test.py /path/to/hotline [unittest options]", file=sys.stderr)
    sys.exit(2)
HOTLINE = os.path.abspath(sys.argv.pop(1))

PASSWORD = "测试-Passw0rd"  # UTF-8 passwords must work as well
ADMIN_PASSWORD = "Admin-Passw0rd-12345"
PHONE = "13812345678"
PHONE_MASKED = "138****5678"


# ---- HTTP -----------------------------------------------------------------------------

class Resp:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        try:
            return json.loads(self.body.decode("utf-8"))
        except ValueError:
            raise AssertionError("not JSON (HTTP %d): %r" % (self.status, self.body[:300]))

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "HTTP %d %s" % (self.status, self.body[:400].decode("utf-8", "replace"))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)
BASE = None  # set once the server is up


def call(method, path, body=None, token=None, headers=None, raw=None, timeout=30):
    """One HTTP request; never raises on an HTTP error status."""
    hdrs = {}
    data = None
    if raw is not None:
        data = raw
    elif body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")  # raw UTF-8 Chinese
        hdrs["Content-Type"] = "application/json; charset=utf-8"
    elif method in ("POST", "PUT"):
        data = b""
    if token:
        hdrs["Authorization"] = "Bearer " + token
    hdrs.update(headers or {})
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=hdrs)
    try:
        with _OPENER.open(req, timeout=timeout) as r:
            return Resp(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Resp(e.code, e.headers, e.read())


def call_from(address, method, path, body=None):
    """A JSON request from another loopback address: another citizen, with a rate limit of its own."""
    u = urllib.parse.urlsplit(BASE)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30, source_address=(address, 0))
    try:
        if body is None:
            conn.request(method, path)
        else:
            conn.request(method, path, json.dumps(body, ensure_ascii=False).encode("utf-8"),
                         {"Content-Type": "application/json; charset=utf-8"})
        r = conn.getresponse()
        return Resp(r.status, r.headers, r.read())
    finally:
        conn.close()


def call_with_headers(method, path, header_pairs, body=None):
    """A request whose headers may repeat (urllib keeps one of each name)."""
    u = urllib.parse.urlsplit(BASE)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        conn.putrequest(method, path)
        for name, value in [("Content-Type", "application/json"), ("Content-Length", str(len(data)))] + header_pairs:
            conn.putheader(name, value)
        conn.endheaders(data)
        r = conn.getresponse()
        return Resp(r.status, r.headers, r.read())
    finally:
        conn.close()


def q(**params):
    return "?" + urllib.parse.urlencode(params)




def parse_iso(s):
    return datetime.datetime.fromisoformat(s)


# ---- the server and the city ------------------------------------------------------------

class World:
    """The running server and the organisation the tests share."""
    proc = None
    tmp = None
    log_path = None
    units = {}
    areas = {}
    users = {}    # username -> {"id", "unit_id", "role"}
    tokens = {}   # username -> bearer token


W = World()


def _stop_server():
    p = W.proc
    if p is None:
        return
    W.proc = None
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


def _server_log_tail():
    try:
        with open(W.log_path, "rb") as f:
            return f.read()[-3000:].decode("utf-8", "replace")
    except OSError:
        return ""


def _start_server():
    global BASE
    W.tmp = tempfile.TemporaryDirectory(prefix="hotline-api-test-")
    unittest.addModuleCleanup(W.tmp.cleanup)
    db = os.path.join(W.tmp.name, "city.db")
    init = subprocess.run([HOTLINE, "init", "--db", db, "--admin-user", "admin",
                           "--admin-password", ADMIN_PASSWORD],
                          capture_output=True, timeout=60)
    if init.returncode != 0:
        raise RuntimeError("hotline init failed: %s" % init.stderr.decode("utf-8", "replace"))
    W.log_path = os.path.join(W.tmp.name, "serve.log")
    last_error = None
    for _ in range(3):  # the free port could be taken between probe and bind
        port = free_port()
        log = open(W.log_path, "wb")
        W.proc = subprocess.Popen([HOTLINE, "serve", "--db", db, "--listen", "127.0.0.1:%d" % port,
                                   "--threads", "8"],
                                  stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  preexec_fn=die_with_parent)
        log.close()
        BASE = "http://127.0.0.1:%d" % port
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and W.proc.poll() is None:
            try:
                if call("GET", "/healthz", timeout=2).status == 200:
                    return
            except OSError as e:
                last_error = e
            time.sleep(0.05)
        _stop_server()
    raise RuntimeError("server did not become healthy: %s\n%s" % (last_error, _server_log_tail()))


def _must(resp, status, what):
    if resp.status != status:
        raise RuntimeError("%s: expected %d, got %r" % (what, status, resp))
    return resp.json


def login(username, password=PASSWORD):
    r = call("POST", "/api/v1/auth/login", {"username": username, "password": password})
    return _must(r, 200, "login " + username)["token"]


def _build_city():
    admin = login("admin", ADMIN_PASSWORD)
    W.tokens["admin"] = admin

    def area(key, name, kind, parent=None, aliases=()):
        body = {"name": name, "kind": kind, "aliases": list(aliases)}
        if parent:
            body["parent_id"] = W.areas[parent]["id"]
        W.areas[key] = _must(call("POST", "/api/v1/areas", body, admin), 201, "area " + name)

    def unit(key, name, kind, parent=None, area_key=None, phone=""):
        body = {"name": name, "kind": kind, "phone": phone}
        if parent:
            body["parent_id"] = W.units[parent]["id"]
        if area_key:
            body["area_id"] = W.areas[area_key]["id"]
        W.units[key] = _must(call("POST", "/api/v1/units", body, admin), 201, "unit " + name)

    area("district", "江南区", "district", aliases=["江南"])
    area("street", "望江街道", "street", "district", aliases=["望江路", "滨江花园"])
    unit("hub", "临江市12345热线中心", "city_center", phone="12345")
    unit("dc", "江南区12345分中心", "district_center", "hub", "district")
    unit("street", "望江街道办事处", "street", "dc", "street", "0571-8888001")
    unit("dept_a", "市住房和城乡建设局", "department", "hub")
    unit("dept_b", "市城市管理局", "department", "hub")

    def user(username, role, unit_key, display):
        body = {"username": username, "password": PASSWORD, "role": role,
                "unit_id": W.units[unit_key]["id"], "display_name": display}
        W.users[username] = _must(call("POST", "/api/v1/users", body, admin), 201, "user " + username)

    user("agent1", "agent", "hub", "话务员一")
    user("disp1", "dispatcher", "hub", "派单员一")
    user("disp_dc", "dispatcher", "dc", "江南区派单员")
    user("h_a", "unit_handler", "dept_a", "住建局承办人")
    user("h_b", "unit_handler", "dept_b", "城管局承办人")
    user("h_street", "unit_handler", "street", "望江街道承办人")
    user("rev1", "reviewer", "hub", "审核员")
    user("cb1", "callback_agent", "hub", "回访员")
    user("sup1", "supervisor", "hub", "督办员")
    user("sup_dc", "supervisor", "dc", "江南区督办员")
    user("qa1", "qa_inspector", "hub", "质检员")
    user("ana1", "analyst", "hub", "分析员")
    for name in W.users:
        W.tokens[name] = login(name)


def setUpModule():
    unittest.addModuleCleanup(_stop_server)
    _start_server()
    _build_city()


# ---- helpers for the tests -------------------------------------------------------------

def T(name):
    return W.tokens[name]


def U(key):
    return W.units[key]["id"]


class Base(unittest.TestCase):
    maxDiff = None

    def expect(self, resp, status, msg=""):
        self.assertEqual(resp.status, status, "%s%r" % (msg + ": " if msg else "", resp))
        return resp

    def expect_error(self, resp, status, code=None, field=None):
        self.expect(resp, status)
        err = resp.json.get("error")
        self.assertIsInstance(err, dict, repr(resp))
        self.assertIsInstance(err.get("message"), str)
        if code is not None:
            self.assertEqual(err.get("code"), code, repr(resp))
        if field is not None:
            self.assertEqual(err.get("details", {}).get("field"), field, repr(resp))
        return err

    def create(self, token=None, status=201, **fields):
        body = {"channel": "phone", "request_type": "complaint",
                "content": "望江路滨江花园小区门口的路灯坏了一个多月，晚上出行很不方便，请尽快修复。",
                "address": "江南区望江路滨江花园3幢",
                "citizen": {"name": "张三", "phone": PHONE}}
        body.update(fields)
        body = {k: v for k, v in body.items() if v is not None}  # citizen=None: an anonymous report
        r = call("POST", "/api/v1/tickets", body, token or T("agent1"))
        self.expect(r, status, "create ticket")
        return r.json

    def act(self, who, ticket, action, body=None, status=200, headers=None):
        tid = ticket if isinstance(ticket, str) else ticket["id"]
        r = call("POST", "/api/v1/tickets/%s/actions/%s" % (tid, action), body or {}, T(who), headers)
        self.assertEqual(r.status, status, "%s by %s: %r" % (action, who, r))
        return r.json

    def get(self, who, ticket, status=200):
        tid = ticket if isinstance(ticket, str) else ticket["id"]
        r = call("GET", "/api/v1/tickets/" + tid, token=T(who))
        self.assertEqual(r.status, status, "GET ticket as %s: %r" % (who, r))
        return r.json

    def events(self, ticket, who="admin"):
        tid = ticket if isinstance(ticket, str) else ticket["id"]
        r = self.expect(call("GET", "/api/v1/tickets/%s/events" % tid, token=T(who)), 200)
        return r.json["items"]

    def event_types(self, ticket, who="admin"):
        return [e["type"] for e in self.events(ticket, who)]

    def dispatched(self, unit="dept_a", **fields):
        t = self.create(**fields)
        return self.act("disp1", t, "dispatch", {"unit_id": U(unit), "note": "请按职责办理"})

    def in_progress(self, unit="dept_a", handler="h_a", **fields):
        t = self.dispatched(unit, **fields)
        return self.act(handler, t, "accept")

    def replied(self, unit="dept_a", handler="h_a", **fields):
        t = self.in_progress(unit, handler, **fields)
        return self.act(handler, t, "reply", {"content": "已安排维修人员更换路灯，现已恢复照明。"})

    def awaiting_callback(self, **fields):
        t = self.replied(**fields)
        return self.act("rev1", t, "review", {"decision": "approve"})

    def list_all(self, who, **params):
        """Walks every page; returns (items, totals seen on each page)."""
        items, totals, cursor = [], [], None
        for _ in range(1000):
            p = dict(params)
            if cursor:
                p["cursor"] = cursor
            r = self.expect(call("GET", "/api/v1/tickets" + q(**p), token=T(who)), 200)
            page = r.json
            items.extend(page["items"])
            totals.append(page["total"])
            cursor = page.get("next_cursor")
            if not cursor:
                return items, totals
        self.fail("pagination never ended")


def lead(ticket):
    live = [a for a in ticket["assignments"] if a["lead"] and a["state"] != "superseded"]
    return live[-1] if live else None


# ---- the lifecycle ---------------------------------------------------------------------

class LifecycleTest(Base):
    def test_full_lifecycle_with_assisting_unit(self):
        t = self.create()
        self.assertIsInstance(t["id"], str)
        self.assertTrue(t["id"].isdigit())
        self.assertRegex(t["number"], r"^\d{10,}$")
        self.assertRegex(t["query_code"], r"^\w{4,}$")
        self.assertEqual(t["status"], "received")
        self.assertEqual(t["version"], 1)
        self.assertEqual(t["content"], "望江路滨江花园小区门口的路灯坏了一个多月，晚上出行很不方便，请尽快修复。")
        self.assertEqual(t["area_id"], W.areas["street"]["id"], "the address resolves to 望江街道 by its alias")
        self.assertEqual(t["intake_unit_id"], U("hub"))

        steps = [
            ("disp1", "dispatch", {"unit_id": U("dept_a"), "assisting_unit_ids": [U("dept_b")],
                                   "note": "住建局牵头，城管局协办"}, "dispatched"),
            ("h_a", "accept", {}, "in_progress"),
            ("h_b", "accept", {}, "in_progress"),
            ("h_b", "reply", {"content": "城管局已配合清理路灯周边占道。"}, "in_progress"),
            ("h_a", "reply", {"content": "已更换路灯灯具，恢复照明。"}, "replied"),
            ("rev1", "review", {"decision": "approve", "comment": "答复完整"}, "awaiting_callback"),
            ("cb1", "callback", {"outcome": "reached", "rating": "satisfied", "comment": "市民表示满意"}, "closed"),
            ("sup1", "archive", {}, "archived"),
        ]
        version = t["version"]
        for who, action, body, status in steps:
            r = call("POST", "/api/v1/tickets/%s/actions/%s" % (t["id"], action), body, T(who))
            self.expect(r, 200, action)
            t = r.json
            self.assertEqual(t["status"], status, action)
            self.assertEqual(t["version"], version + 1, "every command bumps the version: " + action)
            self.assertEqual(r.headers.get("ETag"), '"%d"' % t["version"])
            version = t["version"]
            if action == "dispatch":
                units = sorted((a["unit_id"], a["lead"]) for a in t["assignments"])
                self.assertEqual(units, sorted([(U("dept_a"), True), (U("dept_b"), False)]))
                self.assertEqual(t["current_unit_id"], U("dept_a"))
                self.assertTrue(t["due_at"])
            if action == "callback":
                self.assertEqual(t["closing_kind"], "resolved")
                self.assertEqual(t["rating"], "satisfied")
                self.assertTrue(t["closed_at"])

        events = self.events(t)
        self.assertEqual([e["type"] for e in events],
                         ["created", "dispatched", "accepted", "accepted", "replied", "replied",
                          "reviewed", "callback_recorded", "archived"])
        self.assertEqual([e["seq"] for e in events], list(range(1, len(events) + 1)))
        self.assertTrue(all(e["system"] is False for e in events), "no system events in a user-driven life")
        self.assertEqual(events[1]["actor_user_id"], W.users["disp1"]["id"])
        self.assertEqual(events[1]["actor_role"], "dispatcher")
        self.assertEqual(events[5]["data"]["content"], "已更换路灯灯具，恢复照明。")
        # Times in event data are ISO 8601 like every other time of the API; absent ids null.
        lead = events[1]["data"]["lead"]
        self.assertRegex(lead["handle_due_at"], r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
        self.assertRegex(lead["accept_due_at"], r"^\d{4}-")
        self.assertIsNone(events[1]["data"]["parent_assignment_id"])
        got = self.get("admin", t)
        self.assertEqual(got["status"], "archived")
        self.assertEqual(got["version"], version)

    def test_a_co_handler_that_returns_its_part_is_an_alert_for_the_centre(self):
        t = self.create()
        t = self.act("disp1", t, "dispatch", {"unit_id": U("dept_a"), "assisting_unit_ids": [U("dept_b")]})
        t = self.act("h_b", t, "return", {"reason": "路灯不属城管职责"})
        self.assertEqual(t["status"], "dispatched", "the lead still holds the order")
        r = call("GET", "/api/v1/alerts?kind=assist_returned&state=open", None, T("disp1"))
        self.expect(r, 200)
        mine = [a for a in r.json["items"] if a["ticket_id"] == t["id"]]
        self.assertEqual(len(mine), 1, r.json)
        d = mine[0]["data"]
        self.assertEqual((d["number"], d["unit_id"], d["reason"], d["lead_unit_id"], d["to_unit_id"]),
                         (t["number"], U("dept_b"), "路灯不属城管职责", U("dept_a"), U("hub")), d)
        # The dispatcher records what was decided; the alert is then handled.
        r = call("POST", "/api/v1/alerts/%s/handle" % mine[0]["id"],
                 {"version": mine[0]["version"], "note": "由主办单位独立办理"}, T("disp1"))
        self.expect(r, 200)
        self.assertEqual(r.json["state"], "handled")
        self.expect_error(call("GET", "/api/v1/alerts?kind=assist", None, T("disp1")), 400, field="kind")

    def test_a_centre_adds_co_handlers_and_that_settles_the_return_alert(self):
        def alert_of(t):
            r = call("GET", "/api/v1/alerts?kind=assist_returned", None, T("disp1"))
            self.expect(r, 200)
            return [a for a in r.json["items"] if a["ticket_id"] == t["id"]]
        # 增派协办: the lead holds the order; the street joins as co-handler.
        t = self.in_progress("dept_a", "h_a")
        self.act("h_a", t, "coordinate", {"note": "x", "assisting_unit_ids": [U("dept_b")]}, status=403)
        self.act("disp1", t, "coordinate", {"note": "请城管局协办", "assisting_unit_ids": [U("dept_a")]}, status=400)
        t = self.act("disp1", t, "coordinate", {"note": "请城管局协办", "assisting_unit_ids": [U("dept_b")]})
        self.assertEqual(t["status"], "in_progress")
        parts = [a for a in t["assignments"] if not a["lead"]]
        self.assertEqual([(a["unit_id"], a["state"]) for a in parts], [(U("dept_b"), "pending")])
        self.assertEqual(self.events(t)[-1]["data"]["assisting"][0]["unit_id"], U("dept_b"))
        listed, _ = self.list_all("h_b", unit_id=U("dept_b"), open="true")
        self.assertIn(t["id"], [x["id"] for x in listed], "the co-handler finds it in its inbox")
        # It gives its part back: an alert; naming a co-handler again settles it.
        t = self.act("h_b", t, "return", {"reason": "非本单位职责"})
        self.assertEqual([a["state"] for a in alert_of(t)], ["open"])
        t = self.act("disp1", t, "coordinate", {"note": "协调后城管局继续协办", "assisting_unit_ids": [U("dept_b")]})
        [al] = alert_of(t)
        self.assertEqual(al["state"], "handled")
        self.assertIn("已增派协办单位", al["handled"]["note"])
        self.assertEqual(al["handled"]["by"], W.users["disp1"]["id"])
        # A lead that answers alone settles the alert too.
        t2 = self.create()
        t2 = self.act("disp1", t2, "dispatch", {"unit_id": U("dept_a"), "assisting_unit_ids": [U("dept_b")]})
        t2 = self.act("h_b", t2, "return", {"reason": "非本单位职责"})
        t2 = self.act("h_a", t2, "accept", {})
        self.assertEqual([a["state"] for a in alert_of(t2)], ["open"], "signing for it settles nothing")
        t2 = self.act("h_a", t2, "reply", {"content": "已由住建局独立办结。"})
        [al] = alert_of(t2)
        self.assertEqual(al["state"], "handled")
        self.assertIn("主办单位已答复", al["handled"]["note"])

    def test_a_returned_order_is_redispatched_level_by_level(self):
        t = self.dispatched("dept_a")
        t = self.act("h_a", t, "return", {"reason": "属江南区属地管理"})
        self.act("disp1", t, "redispatch", {"unit_id": U("dc"), "mode": "sideways"}, status=400)
        self.act("disp1", t, "redispatch", {"unit_id": U("dc")}, status=400)  # a centre takes relay only
        t = self.act("disp1", t, "redispatch", {"unit_id": U("dc"), "mode": "relay", "note": "请江南区分中心转派"})
        self.assertEqual((t["current_unit_id"], lead(t)["mode"]), (U("dc"), "relay"))
        t = self.act("disp_dc", t, "dispatch", {"unit_id": U("street"), "mode": "direct"})
        self.assertEqual(t["current_unit_id"], U("street"))

    def test_dispatch_confirms_or_corrects_category_and_urgency(self):
        # Categories of a group of this test's own (other tests count the standard groups' tickets).
        for code, parent in (("97", None), ("9701", "97"), ("9702", "97")):
            self.expect(call("POST", "/api/v1/categories", {"code": code, "name": "派单确认" + code, "parent_code": parent},
                             T("admin")), 201)
        first, second = "9701", "9702"
        t = self.create()
        t = self.act("disp1", t, "dispatch", {"unit_id": U("dept_a"), "category_code": first, "urgency": "urgent"})
        self.assertEqual((t["category_code"], t["urgency"]), (first, "urgent"))
        self.assertEqual(self.events(t)[-1]["data"]["corrected"]["urgency"], {"old": "normal", "new": "urgent"})
        t2 = self.create()
        r = call("POST", "/api/v1/tickets/%s/actions/dispatch" % t2["id"],
                 {"unit_id": U("dept_a"), "category_code": "999999", "version": t2["version"]}, token=T("disp1"))
        self.assertEqual((r.status, r.json["error"]["details"]["field"]), (400, "category_code"))
        # A returned order is often a wrong category: the re-dispatch corrects it too.
        t = self.act("h_a", t, "return", {"reason": "非本单位职责"})
        t = self.act("disp1", t, "redispatch", {"unit_id": U("dept_b"), "category_code": second})
        self.assertEqual(t["category_code"], second)
        self.assertEqual(self.events(t)[-1]["data"]["corrected"]["category_code"], {"old": first, "new": second})

    def test_return_redispatch_and_coordinate(self):
        t = self.dispatched("dept_a")
        t = self.act("h_a", t, "return", {"reason": "路灯属城管局管理，非本单位职责"})
        self.assertEqual(t["status"], "returned")
        self.assertEqual(t["return_count"], 1)
        self.assertEqual(lead(t)["return_reason"], "路灯属城管局管理，非本单位职责")
        # The centre it went back to holds it now, not the unit that returned it.
        self.assertEqual((t["current_unit_id"], t["current_unit_name"]), (U("hub"), "临江市12345热线中心"))
        due = t["due_at"]
        time.sleep(0.01)
        t = self.act("disp1", t, "redispatch", {"unit_id": U("dept_b"), "note": "改派城管局"})
        self.assertEqual(t["status"], "dispatched")
        self.assertEqual(t["due_at"], due, "re-dispatching does not reset the overall deadline")
        self.assertEqual(t["current_unit_id"], U("dept_b"))
        # the returned unit no longer holds it (nor sees it); the new unit does
        self.act("h_a", t, "accept", status=403)
        t = self.act("h_b", t, "accept")
        self.assertEqual(t["status"], "in_progress")
        self.assertEqual(self.event_types(t), ["created", "dispatched", "returned", "redispatched", "accepted"])

        # coordination at city level moves a pending order to another unit
        c = self.dispatched("dept_a")
        c = self.act("sup1", c, "coordinate", {"note": "经协调由城管局办理", "unit_id": U("dept_b")})
        self.assertEqual(c["status"], "dispatched")
        self.assertEqual(c["current_unit_id"], U("dept_b"))
        self.assertEqual(self.event_types(c)[-1], "coordinated")
        self.get("h_b", c)

    def test_relay_dispatch_through_district_centre(self):
        t = self.create(content="望江街道滨江花园垃圾清运不及时，堆了三天了。")
        t = self.act("disp1", t, "dispatch", {"unit_id": U("dc"), "mode": "relay"})
        self.assertEqual(t["status"], "dispatched")
        self.assertEqual(lead(t)["unit_id"], U("dc"))
        self.assertEqual(lead(t)["mode"], "relay")
        # the district dispatcher sees it and passes it down its own subtree
        self.get("disp_dc", t)
        t = self.act("disp_dc", t, "dispatch", {"unit_id": U("street")})
        self.assertEqual(t["status"], "dispatched")
        self.assertEqual(t["current_unit_id"], U("street"))
        street = lead(t)
        dc = [a for a in t["assignments"] if a["unit_id"] == U("dc")][0]
        self.assertEqual(street["parent_id"], dc["id"])
        self.assertEqual(street["dispatched_by_unit_id"], U("dc"))
        # the district dispatcher may not send it outside its subtree
        other = self.create()
        other = self.act("disp1", other, "dispatch", {"unit_id": U("dc"), "mode": "relay"})
        r = call("POST", "/api/v1/tickets/%s/actions/dispatch" % other["id"], {"unit_id": U("dept_a")},
                 T("disp_dc"))
        self.expect_error(r, 403, field="unit_id")  # the refusal names what to change
        t = self.act("h_street", t, "accept")
        self.assertEqual(t["status"], "in_progress")
        t = self.act("h_street", t, "reply", {"content": "已协调环卫所当天清运完毕。"})
        self.assertEqual(t["status"], "replied")
        states = {a["unit_id"]: a["state"] for a in t["assignments"]}
        self.assertEqual(states[U("street")], "replied")
        self.assertEqual(states[U("dc")], "replied", "the bottom reply answers for the relay level above")
        self.assertEqual(self.event_types(t), ["created", "dispatched", "dispatched", "accepted", "replied"])
        # The on-time table grades the street that answered, not the centre that passed it on
        # (its row would be the street's reply again, and sum past the dashboard's).
        for who in ("sup1", "disp_dc", "admin"):
            rows = self.expect(call("GET", "/api/v1/stats/sla", token=T(who)), 200).json["items"]
            self.assertNotIn(U("dc"), [r["unit_id"] for r in rows], who)
            self.assertNotIn(U("hub"), [r["unit_id"] for r in rows], who)
        day = datetime.date.today()
        period = q(**{"from": str(day - datetime.timedelta(days=3)), "to": str(day + datetime.timedelta(days=2))})
        rows = self.expect(call("GET", "/api/v1/stats/sla" + period, token=T("sup1")), 200).json["items"]
        rates = self.expect(call("GET", "/api/v1/stats/overview" + period, token=T("sup1")), 200).json["rates"]
        self.assertEqual(sum(r["replied_on_time"] for r in rows), rates["on_time"])
        items, _ = self.list_all("disp_dc", page_size=100)
        self.assertIn(t["id"], [x["id"] for x in items], "the district centre's queue holds its relays")
        # The detail offers each desk what the server would accept from it, nothing more.
        other = self.get("disp_dc", other)
        self.assertEqual(other["actions"], ["dispatch", "accept", "return", "note"])
        self.assertIn("withdraw", self.get("disp1", other)["actions"])
        self.assertEqual(self.get("ana1", other)["actions"], [])

    def test_relay_returns_go_back_one_level(self):
        t = self.create(content="望江街道某小区电梯频繁故障。")
        t = self.act("disp1", t, "dispatch", {"unit_id": U("dc"), "mode": "relay"})
        t = self.act("disp_dc", t, "dispatch", {"unit_id": U("street")})
        t = self.act("h_street", t, "return", {"reason": "电梯属特种设备，应由市场监管部门处理"})
        self.assertEqual(t["status"], "returned")
        self.assertEqual(self.events(t)[-1]["data"]["to_unit_id"], U("dc"), "back to the unit that dispatched it")
        # It waits in the district centre's 退单 queue, not the city's (which still sees it returned).
        queue = lambda who: [x["id"] for x in self.expect(call("GET", "/api/v1/tickets" + q(
            status="returned", returned_to="mine", page_size=100), token=T(who)), 200).json["items"]]
        self.assertIn(t["id"], queue("disp_dc"))
        self.assertNotIn(t["id"], queue("disp1"))
        self.assertIn(t["id"], [x["id"] for x in self.list_all("disp1", status="returned")[0]])
        self.expect_error(call("GET", "/api/v1/tickets" + q(returned_to="yours"), token=T("disp1")), 400, field="returned_to")
        admin_queue = [x["id"] for x in self.expect(call("GET", "/api/v1/tickets" + q(
            status="returned", returned_to="mine", page_size=100), token=T("admin")), 200).json["items"]]
        self.assertIn(t["id"], admin_queue, "an administrator of no centre works every return")
        # the district centre sends it back up to the hub, which re-dispatches it itself
        t = self.act("disp_dc", t, "return", {"reason": "不属于区级职责，退回市中心"})
        self.assertEqual(t["status"], "returned")
        self.assertEqual(self.events(t)[-1]["data"]["to_unit_id"], U("hub"))
        self.assertIn(t["id"], queue("disp1"))
        self.assertNotIn(t["id"], queue("disp_dc"))
        t = self.act("disp1", t, "redispatch", {"unit_id": U("dept_a")})
        self.assertEqual((t["status"], t["current_unit_id"]), ("dispatched", U("dept_a")))
        self.assertEqual(t["return_count"], 2)
        self.assertFalse([a for a in t["assignments"] if a["state"] in ("pending", "accepted")
                          and a["unit_id"] != U("dept_a")], "no other unit keeps the order open")

    def test_the_city_sending_a_relayed_order_to_a_street_takes_it_back(self):
        # A street's return waits at the district; the city sends the order back to the street
        # itself: that is the city's order now, not one made in the district's name.
        t = self.create(content="望江街道某路段路灯不亮。")
        t = self.act("disp1", t, "dispatch", {"unit_id": U("dc"), "mode": "relay"})
        t = self.act("disp_dc", t, "dispatch", {"unit_id": U("street")})
        t = self.act("h_street", t, "return", {"reason": "需先核实路段归属"})
        t = self.act("disp1", t, "redispatch", {"unit_id": U("street")})
        live = [a for a in t["assignments"] if a["state"] in ("pending", "accepted")]
        self.assertEqual([(a["unit_id"], a["dispatched_by_unit_id"]) for a in live], [(U("street"), U("hub"))])
        t = self.act("h_street", t, "return", {"reason": "确非本街道职责"})
        self.assertEqual(self.events(t)[-1]["data"]["to_unit_id"], U("hub"), "its return comes back to the city")

    def test_extension_moves_deadline(self):
        t = self.in_progress()
        before = parse_iso(lead(t)["handle_due_at"])
        t = self.act("h_a", t, "request_extension", {"days": 3, "reason": "需协调供电公司更换线路"})
        self.assertEqual(lead(t)["extension_request"], {"days": 3, "reason": "需协调供电公司更换线路"})
        self.assertEqual(parse_iso(lead(t)["handle_due_at"]), before, "a request alone changes nothing")
        listed = self.expect(call("GET", "/api/v1/tickets?page_size=100&awaiting=extension", token=T("sup1")), 200).json
        self.assertIn(t["id"], [x["id"] for x in listed["items"]])
        self.act("h_a", t, "request_extension", {"days": 2, "reason": "再次申请"}, status=409)
        t = self.act("disp1", t, "decide_extension", {"approve": True, "comment": "同意延期"})
        after = parse_iso(lead(t)["handle_due_at"])
        self.assertEqual(lead(t)["extension_days"], 3)
        if lead(t)["working_time"]:  # three working days: at least three calendar days later
            self.assertGreaterEqual(after - before, datetime.timedelta(days=3))
            self.assertLessEqual(after - before, datetime.timedelta(days=14))
        else:
            self.assertEqual(after - before, datetime.timedelta(days=3))
        self.assertGreaterEqual(parse_iso(t["due_at"]), after)
        self.assertNotIn("extension_request", lead(t))
        self.act("disp1", t, "decide_extension", {"approve": True}, status=409)
        self.assertEqual(self.event_types(t)[-2:], ["extension_requested", "extension_decided"])

    def test_suspend_request_then_supervisor_suspends_and_resumes(self):
        t = self.in_progress()
        t = self.act("h_a", t, "suspend", {"reason": "等待法院判决结果"})
        self.assertEqual(t["status"], "in_progress", "a unit's suspend is only a request")
        self.assertTrue(lead(t)["suspend_requested"])
        t = self.act("sup1", t, "suspend", {"reason": "同意挂起，等待判决"})
        self.assertEqual(t["status"], "suspended")
        self.assertTrue(lead(t)["suspended"])
        r = call("POST", "/api/v1/tickets/%s/actions/reply" % t["id"], {"content": "已办结"}, T("h_a"))
        self.expect_error(r, 409, "invalid_transition")
        t = self.act("sup1", t, "resume")
        self.assertEqual(t["status"], "in_progress")
        t = self.act("h_a", t, "reply", {"content": "判决已出，已按判决执行。"})
        self.assertEqual(t["status"], "replied")
        types = self.event_types(t)
        self.assertEqual(types[-4:], ["suspend_requested", "suspended", "resumed", "replied"])

    def test_suspend_request_refused_keeps_the_clock_running(self):
        t = self.in_progress()
        self.assertNotIn("decide_suspension", self.get("sup1", t)["actions"])
        def awaiting(kind):
            r = self.expect(call("GET", "/api/v1/tickets?page_size=100&awaiting=" + kind, token=T("sup1")), 200)
            return [x["id"] for x in r.json["items"]]
        queued = self.expect(call("GET", "/api/v1/stats/queues", token=T("sup1")), 200).json["awaiting_decision"]
        t = self.act("h_a", t, "suspend", {"reason": "等待法院判决结果"})
        # The supervision desk's queue of requests waiting for the centre.
        self.assertIn(t["id"], awaiting("suspension"))
        self.assertIn(t["id"], awaiting("any"))
        self.assertNotIn(t["id"], awaiting("extension"))
        self.assertEqual(self.expect(call("GET", "/api/v1/stats/queues", token=T("sup1")), 200).json["awaiting_decision"],
                         queued + 1)
        self.expect_error(call("GET", "/api/v1/tickets?awaiting=reply", token=T("sup1")), 400, "invalid_argument", "awaiting")
        self.assertIn("decide_suspension", self.get("sup1", t)["actions"])
        self.assertNotIn("decide_suspension", self.get("h_a", t)["actions"])
        self.act("h_a", t, "decide_suspension", {"approve": False}, status=403)
        r = call("POST", "/api/v1/tickets/%s/actions/decide_suspension" % t["id"], {"approve": "no"}, T("sup1"))
        self.expect_error(r, 400, "invalid_argument", "approve")
        r = call("POST", "/api/v1/tickets/%s/actions/decide_suspension" % t["id"], {"approve": False}, T("sup1"))
        self.expect_error(r, 400, "invalid_argument", "comment")
        t = self.act("sup1", t, "decide_suspension", {"approve": False, "comment": "先行处置，判决后补充答复"})
        self.assertEqual(t["status"], "in_progress")
        self.assertFalse(lead(t)["suspend_requested"])
        self.assertNotIn("suspend_reason", lead(t))
        self.act("sup1", t, "decide_suspension", {"approve": False}, status=409)
        self.assertNotIn(t["id"], awaiting("any"))
        ev = self.events(t)[-1]
        self.assertEqual(ev["type"], "suspend_refused")
        self.assertEqual(ev["data"]["comment"], "先行处置，判决后补充答复")
        # The unit may ask again; approved, the order is suspended.
        t = self.act("h_a", t, "suspend", {"reason": "判决仍未作出"})
        t = self.act("sup1", t, "decide_suspension", {"approve": True})
        self.assertEqual(t["status"], "suspended")
        self.assertEqual(lead(t)["suspend_reason"], "判决仍未作出")

    def test_a_centre_is_asked_only_what_it_may_decide(self):
        # The hub dispatched straight to a street of 江南区: the district sees the order, but
        # its unit's request is the hub's to decide, so it is not in the district's queue.
        t = self.in_progress("street", "h_street")
        t = self.act("h_street", t, "suspend", {"reason": "待产权单位确认"})
        def awaiting(who):
            r = self.expect(call("GET", "/api/v1/tickets?page_size=100&awaiting=any", token=T(who)), 200)
            return [x["id"] for x in r.json["items"]]
        self.assertIn(t["id"], awaiting("sup1"))
        self.assertNotIn(t["id"], awaiting("disp_dc"))
        self.get("disp_dc", t)
        self.act("disp_dc", t, "decide_suspension", {"approve": True}, status=403)
        self.act("disp1", t, "decide_suspension", {"approve": True})

    def test_review_reject_needs_comment(self):
        t = self.replied()
        r = call("POST", "/api/v1/tickets/%s/actions/review" % t["id"], {"decision": "reject"}, T("rev1"))
        self.expect_error(r, 400, "invalid_argument", "comment")
        self.assertEqual(self.get("admin", t)["version"], t["version"], "a refused command writes nothing")
        t = self.act("rev1", t, "review", {"decision": "reject", "comment": "答复未说明维修时间，请补充"})
        self.assertEqual(t["status"], "in_progress")
        self.assertEqual(lead(t)["state"], "accepted")
        # The unit sees why, beside its answer to revise, until it replies again.
        mine = lead(self.get("h_a", t))
        self.assertEqual(mine["rejected_comment"], "答复未说明维修时间，请补充")
        self.assertTrue(mine["reply"])
        t = self.act("h_a", t, "reply", {"content": "已于本周三完成维修。"})
        self.assertEqual(t["status"], "replied")
        self.assertNotIn("rejected_comment", lead(t))

    def test_callback_unsatisfied_reopen_and_cap(self):
        overview = lambda: self.expect(call("GET", "/api/v1/stats/overview", token=T("admin")), 200).json
        rates = lambda: overview()["rates"]
        unit_a = lambda: next((u for u in overview()["units"] if u["unit_id"] == U("dept_a")), {"rated": 0, "satisfied": 0})
        t = self.awaiting_callback()
        before, before_a = rates(), unit_a()
        t = self.act("cb1", t, "callback", {"outcome": "reached", "rating": "dissatisfied",
                                            "comment": "路灯仍然不亮"})
        self.assertEqual(t["status"], "closed")
        self.assertEqual(t["closing_kind"], "unsatisfied")
        t = self.act("cb1", t, "reopen", {"reason": "市民反映问题未解决，重办"})
        self.assertEqual(t["status"], "dispatched")
        self.assertEqual(t["reopen_count"], 1)
        self.assertFalse(t["callback_due_at"], "the round's callback deadline is over")
        self.assertEqual(t["current_unit_id"], U("dept_a"), "the same unit handles the new round")
        self.assertEqual(t["closing_kind"], "")
        # second round, reopened straight from awaiting_callback
        t = self.act("h_a", t, "accept")
        t = self.act("h_a", t, "reply", {"content": "已更换整条线路。"})
        t = self.act("rev1", t, "review", {"decision": "approve"})
        t = self.act("sup1", t, "reopen", {"reason": "督办要求再次核实"})
        self.assertEqual(t["reopen_count"], 2)
        t = self.act("h_a", t, "accept")
        t = self.act("h_a", t, "reply", {"content": "再次核实，已修复。"})
        t = self.act("rev1", t, "review", {"decision": "approve"})
        t = self.act("cb1", t, "callback", {"outcome": "reached", "rating": "very_dissatisfied"})
        self.assertEqual(t["closing_kind"], "unsatisfied")
        self.assertIn("reopen", self.get("cb1", self.awaiting_callback())["actions"])
        self.assertNotIn("reopen", t["actions"], "past the cap reopening is not offered")
        r = call("POST", "/api/v1/tickets/%s/actions/reopen" % t["id"], {"reason": "第三次重办"}, T("cb1"))
        self.expect_error(r, 422)
        got = self.get("admin", t)
        self.assertEqual((got["status"], got["reopen_count"]), ("closed", 2))
        # 满意率 counts both dissatisfied callbacks, the one that reopened the ticket too.
        after = rates()
        self.assertEqual(after["rated"] - before["rated"], 2)
        # ... and so does the unit's: the answers rated dissatisfied were its own.
        after_a = unit_a()
        self.assertEqual((after_a["rated"] - before_a["rated"], after_a.get("satisfied", 0) - before_a.get("satisfied", 0)), (2, 0))

    def test_callback_unreachable_three_times(self):
        t = self.awaiting_callback()
        for attempt in (1, 2):
            t = self.act("cb1", t, "callback", {"outcome": "unreachable", "comment": "第%d次无人接听" % attempt})
            self.assertEqual(t["status"], "awaiting_callback")
            self.assertEqual(t["callback_attempts"], attempt)
        t = self.act("cb1", t, "callback", {"outcome": "unreachable", "comment": "第3次无人接听"})
        self.assertEqual(t["status"], "closed")
        self.assertEqual(t["closing_kind"], "unreachable")
        self.assertEqual(t["callback_attempts"], 3)

    def test_answer_directly(self):
        t = self.create(request_type="consultation", content="请问居住证办理需要哪些材料？")
        t = self.act("agent1", t, "answer_directly",
                     {"content": "需携带身份证、租房合同和近期一寸照片到社区服务中心办理。"})
        self.assertEqual(t["status"], "closed")
        self.assertEqual(t["closing_kind"], "direct_answer")
        self.assertEqual(t["assignments"], [])

    def test_transfer_to_119(self):
        t = self.create(urgency="emergency", content="望江路一居民楼冒浓烟，疑似起火！")
        t = self.act("agent1", t, "transfer", {"to": "119", "note": "疑似火情，已三方通话转119"})
        self.assertEqual(t["status"], "transferred")
        self.assertEqual(t["transfer_to"], "119")
        r = call("POST", "/api/v1/tickets/%s/actions/transfer" % t["id"], {"to": "911", "note": "x"}, T("agent1"))
        self.expect_error(r, 400, field="to")

    def test_words_apart_each_match(self):
        t = self.create(content="望江路锦绣花园小区门口夜间施工噪音扰民，请尽快处理。")
        def found(text):
            r = self.expect(call("GET", "/api/v1/tickets" + q(q=text, page_size=100), token=T("agent1")), 200).json
            return t["id"] in [x["id"] for x in r["items"]]
        self.assertTrue(found("锦绣花园 噪音"))
        self.assertTrue(found("施工\u3000扰民"), "an ideographic space parts words too")
        self.assertFalse(found("锦绣花园 停水"), "every word must be there")
        self.assertFalse(found("锦绣花园噪音"), "written together, they are one string")

    def test_merge_into_open_ticket(self):
        target = self.dispatched()
        dup = self.create(content="滨江花园门口路灯不亮，重复反映。")
        code = dup["query_code"]
        dup = self.act("agent1", dup, "merge", {"into_ticket_id": target["id"]})
        self.assertEqual(dup["status"], "merged")
        self.assertEqual(dup["merged_into"], target["id"])
        merged_in = [e for e in self.events(target) if e["type"] == "merged_in"]
        self.assertEqual(len(merged_in), 1)
        self.assertEqual(merged_in[0]["data"]["ticket_id"], dup["id"])
        self.assertEqual(self.get("admin", target)["status"], "dispatched")
        # A chase about the merged request is recorded on the one being handled, where the unit
        # and the centre read it.
        c = self.expect(call("POST", "/api/v1/tickets/%s/contacts" % dup["id"],
                             {"channel": "phone", "kind": "chase", "content": "催办路灯并单后"}, T("agent1")), 201).json
        self.assertEqual(c["ticket_id"], target["id"])
        on_target = self.expect(call("GET", "/api/v1/tickets/%s/contacts" % target["id"], token=T("agent1")), 200).json["items"]
        self.assertIn("催办路灯并单后", [x["content"] for x in on_target])
        # Its citizen sees on the portal where the request it joined stands (not its timeline).
        p = self.expect(call_from("127.0.0.7", "GET", "/api/v1/public/tickets/%s%s" % (dup["number"], q(code=code))), 200).json
        self.assertEqual(p["status"], "merged")
        self.assertEqual((p["merged_into"]["number"], p["merged_into"]["status"]), (target["number"], "dispatched"))
        self.assertNotIn("timeline", p["merged_into"])
        # The merged request waits on the target's answer: the target is not withdrawn or
        # transferred from under it, and the screen does not offer it.
        self.assertEqual(self.get("agent1", target)["merged_in"], 1)
        r = self.act("agent1", target, "withdraw", {"reason": "市民来电撤回"}, status=409)
        self.assertEqual(r["error"]["code"], "merged_requests", r)
        self.assertNotIn("withdraw", self.get("agent1", target)["actions"])
        received = self.create(content="滨江花园门口路灯不亮，第三次反映。")
        self.act("agent1", self.create(content="滨江花园路灯不亮。"), "merge", {"into_ticket_id": received["id"]})
        r = self.act("agent1", received, "transfer", {"to": "110", "note": "转警方"}, status=409)
        self.assertIn("1 request is merged into this ticket", r["error"]["message"])
        # Merged onward, a ticket takes the requests merged into it along: the last one counts all.
        self.act("agent1", received, "merge", {"into_ticket_id": target["id"]})
        self.assertEqual(self.get("agent1", target)["merged_in"], 3)
        # a ticket cannot merge into itself, nor into a closed one
        other = self.create()
        r = call("POST", "/api/v1/tickets/%s/actions/merge" % other["id"], {"into_ticket_id": other["id"]},
                 T("agent1"))
        self.expect_error(r, 400, field="into_ticket_id")
        r = call("POST", "/api/v1/tickets/%s/actions/merge" % other["id"], {"into_ticket_id": dup["id"]},
                 T("agent1"))
        self.expect_error(r, 422, field="into_ticket_id")

    def test_withdraw(self):
        t = self.dispatched()
        t = self.act("agent1", t, "withdraw", {"reason": "市民来电表示问题已自行解决，申请撤单"})
        self.assertEqual(t["status"], "withdrawn")
        self.assertTrue(all(a["state"] == "superseded" for a in t["assignments"]))
        self.act("h_a", t, "accept", status=403)  # the order left the unit's inbox and its view
        listed, _ = self.list_all("h_a", unit_id=U("dept_a"), open="true")
        self.assertNotIn(t["id"], [x["id"] for x in listed], "a withdrawn order leaves the unit's inbox")

    def test_exempt_by_supervisor(self):
        t = self.in_progress()
        self.act("disp1", t, "exempt", {"reason": "诉求不合理"}, status=403)
        t = self.act("sup1", t, "exempt", {"reason": "诉求人要求超出政策范围，免考核"})
        self.assertTrue(t["exempt"])
        self.assertEqual(t["exempt_reason"], "诉求人要求超出政策范围，免考核")
        r = call("POST", "/api/v1/tickets/%s/actions/exempt" % t["id"], {"reason": "再次"}, T("sup1"))
        self.expect_error(r, 409)
        self.assertIn("exempted already", r.json["error"]["message"])
        # Off the units' clock: no warning, no deadline left to count down, not in overdue lists.
        self.assertEqual(t["warning_level"], "none")
        self.assertNotIn("remaining_ms", t)
        overdue, _ = self.list_all("sup1", overdue="true")
        self.assertNotIn(t["id"], [x["id"] for x in overdue])

    def test_urge_and_supervise_raise_escalation(self):
        t = self.in_progress()
        self.assertEqual(t["escalation_level"], 0)
        t = self.act("agent1", t, "urge", {"note": "市民第二次来电催办"})
        self.assertEqual((t["urge_count"], t["escalation_level"]), (1, 1))
        t = self.act("sup1", t, "supervise", {"note": "超期未办，列入督办"})
        self.assertTrue(t["supervised"])
        self.assertEqual(t["escalation_level"], 2)
        self.act("agent1", t, "supervise", {"note": "x"}, status=403)
        self.assertEqual(self.event_types(t)[-2:], ["urged", "supervised"])
        self.assertEqual(self.events(t)[-2]["data"]["unit_id"], U("dept_a"), "the unit holding it is urged")
        # Returned, the order waits on the centre it came back to: the chase is for that centre.
        t = self.act("h_a", t, "return", {"reason": "非本单位职责"})
        t = self.act("agent1", t, "urge", {"note": "退回件催办"})
        data = self.events(t)[-1]["data"]
        self.assertEqual((data.get("stage"), data.get("unit_id")), ("dispatch", None), data)
        self.assertEqual(data["centre_id"], [a for a in t["assignments"] if a["lead"]][-1]["dispatched_by_unit_id"])

    def test_note(self):
        t = self.in_progress()
        v = t["version"]
        t = self.act("h_a", t, "note", {"content": "已联系市民约定周五上门查看"})
        self.assertEqual(t["version"], v + 1)
        ev = self.events(t)[-1]
        self.assertEqual((ev["type"], ev["public"]), ("noted", False))
        self.assertEqual(ev["data"]["content"], "已联系市民约定周五上门查看")


# ---- conflicts ---------------------------------------------------------------------------

class ConflictTest(Base):
    def test_invalid_transitions_are_409(self):
        t = self.create()
        r = call("POST", "/api/v1/tickets/%s/actions/archive" % t["id"], {}, T("sup1"))
        self.expect_error(r, 409, "invalid_transition")
        r = call("POST", "/api/v1/tickets/%s/actions/review" % t["id"], {"decision": "approve"}, T("rev1"))
        self.expect_error(r, 409, "invalid_transition")
        r = call("POST", "/api/v1/tickets/%s/actions/callback" % t["id"],
                 {"outcome": "reached", "rating": "satisfied"}, T("cb1"))
        self.expect_error(r, 409, "invalid_transition")
        closed = self.act("agent1", t, "answer_directly", {"content": "已答复"})
        for who, action, body in [("disp1", "dispatch", {"unit_id": U("dept_a")}),
                                  ("agent1", "answer_directly", {"content": "再次答复"}),
                                  ("agent1", "withdraw", {"reason": "撤"}),
                                  ("agent1", "urge", {"note": "催"})]:
            r = call("POST", "/api/v1/tickets/%s/actions/%s" % (t["id"], action), body, T(who))
            self.expect_error(r, 409, "invalid_transition")
        self.assertEqual(self.get("admin", t)["version"], closed["version"])

    def test_stale_version_in_body(self):
        t = self.create()
        self.act("agent1", t, "note", {"content": "第一条备注"})  # version 2 now
        r = call("POST", "/api/v1/tickets/%s/actions/dispatch" % t["id"],
                 {"unit_id": U("dept_a"), "version": 1}, T("disp1"))
        err = self.expect_error(r, 409, "stale_version")
        self.assertIn("version", err["message"])
        self.assertEqual(self.get("admin", t)["status"], "received")
        t = self.act("disp1", t, "dispatch", {"unit_id": U("dept_a"), "version": 2})
        self.assertEqual(t["version"], 3)

    def test_misspelt_fields_and_ids_are_refused_by_name(self):
        t = self.create()
        # A misspelt assisting unit would be dropped in silence and the order routed short.
        r = call("POST", "/api/v1/tickets/%s/actions/dispatch" % t["id"],
                 {"unit_id": U("dept_a"), "asisting_unit_ids": [U("dept_b")]}, T("disp1"))
        self.expect_error(r, 400, field="asisting_unit_ids")
        self.assertEqual(self.get("admin", t)["status"], "received", "nothing half done")
        self.expect_error(call("POST", "/api/v1/tickets/%s/actions/accept" % t["id"], {"note": "x"}, T("h_a")), 400,
                          field="note")
        self.expect_error(call("POST", "/api/v1/tickets/%s/contacts" % t["id"],
                               {"channel": "phone", "content": "再次来电", "foo": 1}, T("agent1")), 400, field="foo")
        t = self.act("disp1", t, "dispatch", {"unit_id": U("dept_a"), "version": 1})
        self.assertEqual(t["status"], "dispatched")
        # open= is a filter of a unit's orders: alone it would list every ticket.
        self.expect_error(call("GET", "/api/v1/tickets?open=true", token=T("admin")), 400, field="open")
        for path in ("/api/v1/kb/suggest?ticket_id=abc", "/api/v1/kb/similar-cases?ticket_id=abc"):
            self.expect_error(call("GET", path, token=T("agent1")), 400, field="ticket_id")

    def test_stale_version_if_match(self):
        t = self.create()
        self.act("agent1", t, "note", {"content": "备注"})
        r = call("POST", "/api/v1/tickets/%s/actions/dispatch" % t["id"], {"unit_id": U("dept_a")},
                 T("disp1"), headers={"If-Match": '"1"'})
        self.expect_error(r, 409, "stale_version")
        etag = call("GET", "/api/v1/tickets/" + t["id"], token=T("disp1")).headers.get("ETag")
        self.assertEqual(etag, '"2"')
        t = self.act("disp1", t, "dispatch", {"unit_id": U("dept_a")}, headers={"If-Match": etag})
        self.assertEqual(t["status"], "dispatched")


# ---- who may see and do what -------------------------------------------------------------

class AccessTest(Base):
    def test_other_unit_handler_can_neither_see_nor_act(self):
        t = self.dispatched("dept_a")
        self.assertIn(call("GET", "/api/v1/tickets/" + t["id"], token=T("h_b")).status, (403, 404))
        self.assertIn(call("GET", "/api/v1/tickets/%s/events" % t["id"], token=T("h_b")).status, (403, 404))
        for action, body in [("accept", {}), ("return", {"reason": "不是我们的"}), ("note", {"content": "x"})]:
            r = call("POST", "/api/v1/tickets/%s/actions/%s" % (t["id"], action), body, T("h_b"))
            self.assertIn(r.status, (403, 404), "%s: %r" % (action, r))
        self.get("h_a", t)

    def test_district_dispatcher_cannot_see_hub_ticket(self):
        t = self.dispatched("dept_a")
        self.assertIn(call("GET", "/api/v1/tickets/" + t["id"], token=T("disp_dc")).status, (403, 404))
        r = call("POST", "/api/v1/tickets/%s/actions/urge" % t["id"], {"note": "催"}, T("disp_dc"))
        self.assertIn(r.status, (403, 404), repr(r))
        items, _ = self.list_all("disp_dc", page_size=100)
        self.assertNotIn(t["id"], [x["id"] for x in items])

    def test_unit_handler_list_is_scoped_to_its_unit(self):
        mine = self.dispatched("dept_a")
        theirs = self.dispatched("dept_b")
        items, totals = self.list_all("h_a", page_size=100)
        ids = [x["id"] for x in items]
        self.assertIn(mine["id"], ids)
        self.assertNotIn(theirs["id"], ids)
        self.assertEqual(totals[0], len(items))
        for x in items:
            self.assertIn(U("dept_a"), [a["unit_id"] for a in x["assignments"]], x["number"])
            self.assertNotIn("query_code", x)

    def test_returned_order_leaves_the_unit_list_even_filtered_by_its_unit(self):
        t = self.dispatched("dept_a")
        self.act("h_a", t, "return", {"reason": "非本单位职责"})
        self.assertIn(call("GET", "/api/v1/tickets/" + t["id"], token=T("h_a")).status, (403, 404))
        for query in ({}, {"unit_id": U("dept_a")}):
            items, _ = self.list_all("h_a", page_size=100, **query)
            self.assertNotIn(t["id"], [x["id"] for x in items], query)

    def test_an_analyst_sees_no_phone_in_a_repeat_caller_alert(self):
        phone = "1370000%04d" % (secrets.randbelow(9000) + 1000)
        for i in range(3):
            self.create(content="反复来电第%d次" % i, citizen={"name": "重复", "phone": phone})
        r = self.expect(call("GET", "/api/v1/alerts?kind=repeat_caller", None, T("ana1")), 200)
        self.assertTrue(r.json["items"], "the alert is listed for the analyst")
        for a in r.json["items"]:
            self.assertNotIn("phone", a.get("data", {}), a)
        sup = self.expect(call("GET", "/api/v1/alerts?kind=repeat_caller", None, T("sup1")), 200)
        self.assertTrue(any("phone" in a.get("data", {}) for a in sup.json["items"]), "a supervisor still sees it masked")

    def test_analyst_may_read_but_not_act(self):
        t = self.in_progress()
        self.get("ana1", t)
        for action, body in [("note", {"content": "分析备注"}), ("urge", {"note": "催"}),
                             ("supervise", {"note": "督"}), ("archive", {})]:
            r = call("POST", "/api/v1/tickets/%s/actions/%s" % (t["id"], action), body, T("ana1"))
            self.expect(r, 403, action)
        r = call("POST", "/api/v1/tickets", {"channel": "web", "request_type": "help", "content": "测试"},
                 T("ana1"))
        self.expect(r, 403)

    def test_agent_may_not_dispatch(self):
        t = self.create()
        r = call("POST", "/api/v1/tickets/%s/actions/dispatch" % t["id"], {"unit_id": U("dept_a")}, T("agent1"))
        self.expect_error(r, 403, "permission_denied")
        self.assertEqual(self.get("admin", t)["status"], "received")

    def test_only_admin_writes_units_and_users(self):
        for who in ("disp1", "sup1", "agent1"):
            r = call("POST", "/api/v1/units", {"name": "非法单位", "kind": "department", "parent_id": U("hub")},
                     T(who))
            self.expect(r, 403, who)
            r = call("POST", "/api/v1/users", {"username": "intruder_" + who, "password": "long-enough-1",
                                               "role": "admin", "unit_id": U("hub")}, T(who))
            self.expect(r, 403, who)
        self.expect(call("GET", "/api/v1/users", token=T("disp1")), 403)
        # Refused before the body is read: an empty or bad body tells a non-admin nothing.
        for method, path in (("POST", "/users"), ("PATCH", "/users/1"), ("POST", "/units"), ("PATCH", "/units/1"),
                             ("POST", "/areas"), ("PATCH", "/areas/1"), ("POST", "/categories"),
                             ("PATCH", "/categories/01"), ("POST", "/dispatch-rules"), ("PUT", "/dispatch-rules/1"),
                             ("PUT", "/sla-policies"), ("PUT", "/calendars/default")):
            self.expect_error(call(method, "/api/v1" + path, {}, T("agent1")), 403, "permission_denied")

    def test_users_are_filtered_and_paged_on_the_server(self):
        def page(**params):
            return self.expect(call("GET", "/api/v1/users" + q(**params), token=T("admin")), 200).json
        everyone = page(page_size=200)
        self.assertGreaterEqual(everyone["total"], len(W.users) + 1)
        seen, cursor = [], None
        for _ in range(100):
            p = page(page_size=3, **({"cursor": cursor} if cursor else {}))
            self.assertLessEqual(len(p["items"]), 3)
            self.assertEqual(p["total"], everyone["total"])
            seen.extend(u["id"] for u in p["items"])
            cursor = p["next_cursor"]
            if not cursor:
                break
        self.assertEqual(seen, [u["id"] for u in everyone["items"]], "pages neither skip nor repeat")
        self.assertEqual([u["username"] for u in page(role="dispatcher")["items"]][:2], ["disp1", "disp_dc"])
        self.assertEqual([u["username"] for u in page(unit_id=U("dept_b"))["items"]], ["h_b"])
        self.assertEqual([u["username"] for u in page(q="江南区")["items"]], ["disp_dc", "sup_dc"])
        self.expect_error(call("GET", "/api/v1/users" + q(role="king"), token=T("admin")), 400, field="role")
        self.expect_error(call("GET", "/api/v1/users" + q(page_size="x"), token=T("admin")), 400, field="page_size")
        names = [u["name"] for u in self.expect(call("GET", "/api/v1/units", token=T("admin")), 200).json["items"]]
        self.assertNotIn("非法单位", names)

    def test_admin_disables_and_moves_a_user(self):
        admin = T("admin")
        # A name differing only in case would read as the same person everywhere; a display
        # name with control characters would show as another.
        self.expect_error(call("POST", "/api/v1/users", {"username": "Agent1", "password": PASSWORD, "role": "agent",
                                                         "unit_id": U("hub")}, admin), 409, field="username")
        self.expect_error(call("POST", "/api/v1/users", {"username": "ctl1", "password": PASSWORD, "role": "agent",
                                                         "unit_id": U("hub"), "display_name": "测试\u0000人"}, admin),
                          400, field="display_name")
        u = self.expect(call("POST", "/api/v1/users", {"username": "leaver1", "password": PASSWORD, "role": "agent",
                                                       "unit_id": U("hub")}, admin), 201).json
        dept = self.expect(call("POST", "/api/v1/units", {"name": "市人社局", "kind": "department",
                                                          "parent_id": U("hub")}, admin), 201).json["id"]
        path = "/api/v1/users/%s" % u["id"]
        token = login("leaver1")
        self.expect(call("GET", "/api/v1/auth/me", token=token), 200)
        self.expect(call("PATCH", path, {"active": False}, T("sup1")), 403)
        r = self.expect(call("PATCH", path, {"active": False}, admin), 200).json
        self.assertFalse(r["active"])
        self.expect(call("GET", "/api/v1/auth/me", token=token), 401)  # the session ends at once
        self.expect(call("POST", "/api/v1/auth/login", {"username": "leaver1", "password": PASSWORD}), 401)
        # Back, with a new password and as a unit handler of another unit.
        self.expect_error(call("PATCH", path, {"role": "unit_handler"}, admin), 400, field="unit_id")
        r = self.expect(call("PATCH", path, {"active": True, "password": "another-pass-9", "role": "unit_handler",
                                             "unit_id": dept, "display_name": " 调岗人员 "}, admin), 200).json
        self.assertEqual((r["active"], r["role"], r["unit_id"], r["display_name"]),
                         (True, "unit_handler", dept, "调岗人员"))
        self.expect(call("POST", "/api/v1/auth/login", {"username": "leaver1", "password": PASSWORD}), 401)
        me = self.expect(call("GET", "/api/v1/auth/me", token=login("leaver1", "another-pass-9")), 200).json
        self.assertEqual((me["role"], me["unit_id"]), ("unit_handler", dept))
        # Refusals name the field; nothing is half-written.
        for body, field in (({}, "body"), ({"username": "x"}, "username"), ({"active": "no"}, "active"),
                            ({"password": "short"}, "password"), ({"role": "king"}, "role"),
                            ({"unit_id": "abc"}, "unit_id"), ({"unit_id": "999999999", "display_name": "半写"}, "unit_id")):
            self.expect_error(call("PATCH", path, body, admin), 400, field=field)
        self.assertEqual(self.expect(call("GET", "/api/v1/users" + q(q="leaver1"), token=admin), 200)
                         .json["items"][0]["display_name"], "调岗人员")
        self.expect(call("PATCH", "/api/v1/users/999999999", {"active": False}, admin), 404)
        me = "/api/v1/users/%s" % self.expect(call("GET", "/api/v1/auth/me", token=admin), 200).json["id"]
        self.expect_error(call("PATCH", me, {"active": False}, admin), 400, field="active")
        self.expect_error(call("PATCH", me, {"role": "analyst"}, admin), 400, field="role")
        audit = self.expect(call("GET", "/api/v1/audit?page_size=200", token=admin), 200).json["items"]
        changes = [e["detail"] for e in audit if e["action"] == "user_updated" and e["target"] == "user:" + u["id"]]
        self.assertTrue(any("disabled" in d for d in changes), changes)
        self.assertTrue(any("password" in d and "role agent->unit_handler" in d for d in changes), changes)
        self.assertFalse(any("another-pass-9" in d for d in changes), "the password itself is never logged")
        self.assertIn(("user_created", "role agent"),
                      [(e["action"], e["detail"]) for e in audit if e["target"] == "user:" + u["id"]])

    def test_administration_is_audited(self):
        # Whoever adds a unit, a rule, a category, an entry or a synonym group is on record.
        admin = T("admin")
        unit = self.expect(call("POST", "/api/v1/units", {"name": "审计测试局-" + secrets.token_hex(3), "kind": "department",
                                                          "parent_id": U("hub")}, admin), 201).json
        rule = self.expect(call("POST", "/api/v1/dispatch-rules", {"category_prefix": "", "lead_unit_id": unit["id"],
                                                                   "priority": -999}, admin), 201).json
        self.expect(call("DELETE", "/api/v1/dispatch-rules/" + rule["id"], token=admin), 200)
        entry = self.expect(call("POST", "/api/v1/kb", {"title": "审计测试", "body": "正文"}, admin), 201).json
        self.expect(call("POST", "/api/v1/kb/%s/actions/review" % entry["id"], token=admin), 200)
        group = self.expect(call("POST", "/api/v1/kb/synonyms", {"terms": ["审计甲" + secrets.token_hex(2), "审计乙"]}, admin), 201).json
        self.expect(call("DELETE", "/api/v1/kb/synonyms/" + group["id"], token=admin), 200)
        audit = self.expect(call("GET", "/api/v1/audit?page_size=200", token=admin), 200).json["items"]
        seen = {(e["action"], e["target"]) for e in audit}
        for want in (("unit_created", "unit:" + unit["id"]), ("dispatch_rule_created", "dispatch_rule:" + rule["id"]),
                     ("dispatch_rule_deleted", "dispatch_rule:" + rule["id"]), ("kb_entry_created", "kb:" + entry["id"]),
                     ("kb_entry_review", "kb:" + entry["id"]), ("kb_synonyms_added", "kb_synonyms:" + group["id"]),
                     ("kb_synonyms_deleted", "kb_synonyms:" + group["id"])):
            self.assertIn(want, seen)

    def test_admin_edits_areas_and_retires_categories(self):
        admin = T("admin")
        area = self.expect(call("POST", "/api/v1/areas", {"name": "临时街道", "kind": "street",
                                                          "parent_id": W.areas["district"]["id"]}, admin), 201).json
        path = "/api/v1/areas/%s" % area["id"]
        self.expect(call("PATCH", path, {"aliases": ["x"]}, T("disp1")), 403)
        r = self.expect(call("PATCH", path, {"name": "春晖街道", "aliases": [" 春晖新村 ", "春晖新村", "春晖路"]}, admin), 200).json
        self.assertEqual((r["name"], r["aliases"]), ("春晖街道", ["春晖新村", "春晖路"]))
        resolved = self.expect(call("GET", "/api/v1/areas" + q(resolve="春晖新村5栋2单元"), token=T("agent1")), 200).json
        self.assertEqual(resolved["area"]["id"], area["id"], "a new alias resolves addresses at once")
        for body, field in (({"name": ""}, "name"), ({"aliases": "春晖"}, "aliases"), ({"aliases": [1]}, "aliases[0]"),
                            ({"kind": "district"}, "kind"), ({"aliases": ["春晖路", "望江路"]}, "aliases"),
                            ({"name": "滨江花园"}, "name")):
            self.expect_error(call("PATCH", path, body, admin), 400, field=field)
        self.expect(call("PATCH", "/api/v1/areas/999999999", {"name": "无"}, admin), 404)
        # One name, one area and one unit: imports and rules find them by name.
        taken = W.areas["district"]["name"]
        self.expect_error(call("POST", "/api/v1/areas", {"name": taken, "kind": "district"}, admin), 409, field="name")
        self.expect_error(call("PATCH", path, {"name": taken}, admin), 409, field="name")
        self.expect_error(call("POST", "/api/v1/units", {"name": W.units["dept_a"]["name"], "kind": "department",
                                                         "parent_id": U("hub")}, admin), 409, field="name")

        self.expect(call("POST", "/api/v1/categories", {"code": "98", "name": "临时专项"}, admin), 201)
        sub = self.expect(call("POST", "/api/v1/categories", {"code": "9801", "name": "临时专项子类", "parent_code": "98"}, admin), 201).json
        self.assertEqual(sub["level"], 2, "the level as stored, from its parent")
        self.expect(call("PATCH", "/api/v1/categories/98", {"active": False}, T("disp1")), 403)
        r = self.expect(call("PATCH", "/api/v1/categories/98", {"active": False}, admin), 200).json
        self.assertFalse(r["active"])
        cats = {c["code"]: c for c in self.expect(call("GET", "/api/v1/categories", token=admin), 200).json["items"]}
        self.assertFalse(cats["9801"]["active"], "retiring retires the subcategories")
        refused = self.create(status=400, category_code="9801")
        self.assertEqual(refused["error"]["details"]["field"], "category_code", refused)
        self.expect_error(call("PATCH", "/api/v1/categories/9801", {"active": True}, admin), 400, field="active")
        r = self.expect(call("PATCH", "/api/v1/categories/98", {"name": "春晖专项", "active": True}, admin), 200).json
        self.assertEqual((r["name"], r["active"]), ("春晖专项", True))
        self.assertEqual(self.create(category_code="98")["category_code"], "98")
        self.expect(call("PATCH", "/api/v1/categories/nosuch", {"name": "无"}, admin), 404)
        self.expect_error(call("PATCH", "/api/v1/categories/98", {"name": " "}, admin), 400, field="name")
        # A code taken is a conflict, as is a second 春晖专项 beside the first (a retired one may share it).
        self.expect_error(call("POST", "/api/v1/categories", {"code": "98", "name": "别的"}, admin), 409, field="code")
        self.expect_error(call("POST", "/api/v1/categories", {"code": "97", "name": "春晖专项"}, admin), 409, field="name")
        self.expect(call("POST", "/api/v1/categories", {"code": "9802", "name": "临时专项子类", "parent_code": "98"}, admin), 201)
        self.expect_error(call("PATCH", "/api/v1/categories/9801", {"active": True}, admin), 409, field="name")
        self.expect(call("PATCH", "/api/v1/categories/9802", {"active": False}, admin), 200)  # (98 stays without live subs)

    def test_admin_edits_a_dispatch_rule(self):
        admin = T("admin")
        code = self.expect(call("GET", "/api/v1/categories", token=admin), 200).json["items"][0]["code"]
        area = self.expect(call("POST", "/api/v1/areas", {"name": "规则测试片区", "kind": "district"}, admin), 201).json["id"]
        rule = self.expect(call("POST", "/api/v1/dispatch-rules", {"lead_unit_id": U("dept_a"), "category_prefix": code,
                                                                   "area_id": area}, admin), 201).json
        path = "/api/v1/dispatch-rules/%s" % rule["id"]
        # One rule per category, area and priority: the same again, or another lead there, is
        # refused (which would apply would come down to ids); another priority is a rule of its own.
        same = {"lead_unit_id": U("dept_a"), "category_prefix": code, "area_id": area}
        r = call("POST", "/api/v1/dispatch-rules", same, admin)
        self.expect_error(r, 409, field="priority")
        self.assertIn("holds this rule already", r.json["error"]["message"])
        self.expect_error(call("POST", "/api/v1/dispatch-rules", dict(same, lead_unit_id=U("dept_b")), admin), 409,
                          field="priority")
        other = self.expect(call("POST", "/api/v1/dispatch-rules", dict(same, lead_unit_id=U("dept_b"), priority=9), admin),
                            201).json
        self.expect_error(call("PUT", "/api/v1/dispatch-rules/%s" % other["id"], dict(same, lead_unit_id=U("dept_b")), admin),
                          409, field="priority")
        self.expect(call("DELETE", "/api/v1/dispatch-rules/%s" % other["id"], token=admin), 200)
        body = {"lead_unit_id": U("dept_b"), "assisting_unit_ids": [U("dept_a")], "category_prefix": code, "area_id": area,
                "priority": 5}
        self.expect(call("PUT", path, body, T("disp1")), 403)
        r = self.expect(call("PUT", path, body, admin), 200).json
        self.assertEqual((r["id"], r["lead_unit_id"], r["assisting_unit_ids"], r["priority"]),
                         (rule["id"], U("dept_b"), [U("dept_a")], 5))
        match = self.expect(call("GET", "/api/v1/dispatch-rules" + q(category=code, area_id=area), token=T("disp1")), 200).json
        self.assertEqual(match["rule"]["lead_unit_id"], U("dept_b"), "the directory answers with the edited rule at once")
        units = {u["id"]: u["name"] for u in self.expect(call("GET", "/api/v1/units?page_size=500", token=admin), 200).json["items"]}
        self.assertEqual((match["rule"]["lead_unit_name"], match["rule"]["assisting_unit_names"]),
                         (units[U("dept_b")], [units[U("dept_a")]]), "named for a desk whose unit list lacks them")
        self.expect_error(call("PUT", path, dict(body, lead_unit_id="999999999"), admin), 400, field="lead_unit_id")
        self.expect_error(call("PUT", path, dict(body, category_prefix="no such"), admin), 400, field="category_prefix")
        match = self.expect(call("GET", "/api/v1/dispatch-rules" + q(category=code, area_id=area), token=T("disp1")), 200).json
        self.assertEqual(match["rule"]["lead_unit_id"], U("dept_b"), "a refused edit leaves the rule as it was")
        self.expect(call("PUT", "/api/v1/dispatch-rules/999999999", body, admin), 404)
        # A PUT names the whole rule: a forgotten or unknown field is refused, not read as "all".
        self.expect_error(call("PUT", path, {"lead_unit_id": U("dept_a"), "bogus": 1, "category_prefix": code,
                                             "area_id": area}, admin), 400, field="bogus")
        self.expect_error(call("PUT", path, {"lead_unit_id": U("dept_a"), "area_id": area}, admin), 400,
                          field="category_prefix")
        self.expect_error(call("PUT", path, dict(body, assisting_unit_ids=[U("dept_b")]), admin), 400,
                          field="assisting_unit_ids")
        self.expect_error(call("PUT", path, dict(body, assisting_unit_ids=[U("dept_a"), U("dept_a")]), admin), 400,
                          field="assisting_unit_ids")
        # A rule stored before prefixes had to be whole codes keeps its prefix through an edit
        # of something else; a new partial prefix is refused.
        import sqlite3
        with sqlite3.connect(os.path.join(W.tmp.name, "city.db"), timeout=30) as db:
            db.execute("UPDATE dispatch_rules SET category_prefix = ? WHERE id = ?", (code[:-1], int(rule["id"])))
            db.execute("UPDATE counters SET value = value + 1 WHERE name = 'org_version'")
        for _ in range(100):  # the server reads the organisation again once it sees the new version
            rules = self.expect(call("GET", "/api/v1/dispatch-rules?page_size=500", token=admin), 200).json["items"]
            if [x["category_prefix"] for x in rules if x["id"] == rule["id"]] == [code[:-1]]:
                break
            time.sleep(0.1)
        r = self.expect(call("PUT", path, dict(body, category_prefix=code[:-1], priority=6), admin), 200).json
        self.assertEqual((r["category_prefix"], r["priority"]), (code[:-1], 6))
        self.expect_error(call("PUT", path, dict(body, category_prefix=code[:-2] or "9"), admin), 400, field="category_prefix")
        r = self.expect(call("PUT", path, dict(body, category_prefix="", area_id=None, priority=-7), admin), 200).json
        self.assertEqual((r["category_prefix"], r["area_id"], r["priority"]), ("", None, -7))
        self.expect(call("DELETE", path, token=admin), 200)  # a city-wide rule would steer other tests

    def test_admin_renames_and_retires_a_unit(self):
        admin = T("admin")
        unit = self.expect(call("POST", "/api/v1/units", {"name": "市临时整治办", "kind": "department",
                                                          "parent_id": U("hub")}, admin), 201).json
        path = "/api/v1/units/%s" % unit["id"]
        self.expect(call("PATCH", path, {"name": "改名"}, T("disp1")), 403)
        r = self.expect(call("PATCH", path, {"name": " 市专项整治办 ", "phone": "0571-1234"}, admin), 200).json
        self.assertEqual((r["name"], r["phone"], r["active"], r["kind"]), ("市专项整治办", "0571-1234", True, "department"))
        self.expect_error(call("PATCH", path, {"phone": "abc-not-phone"}, admin), 400, field="phone")
        t = self.create()
        self.expect(call("POST", "/api/v1/tickets/%s/actions/dispatch" % t["id"],
                         {"unit_id": unit["id"], "mode": "direct"}, T("disp1")), 200)
        code = self.expect(call("GET", "/api/v1/categories", token=admin), 200).json["items"][0]["code"]
        area = self.expect(call("POST", "/api/v1/areas", {"name": "专项整治片区", "kind": "district"}, admin), 201).json["id"]
        self.expect(call("POST", "/api/v1/dispatch-rules", {"lead_unit_id": unit["id"], "category_prefix": code,
                                                            "area_id": area}, admin), 201)
        match = self.expect(call("GET", "/api/v1/dispatch-rules" + q(category=code, area_id=area), token=T("disp1")), 200).json
        self.assertEqual(match["rule"]["lead_unit_id"], unit["id"])
        self.expect(call("PATCH", path, {"active": False}, admin), 200)
        # The unit's backlog (open orders whenever dispatched) still holds the order.
        backlog = {x["unit_id"]: x for x in self.expect(call("GET", "/api/v1/stats/overdue", token=T("sup1")), 200).json["items"]}
        self.assertEqual((backlog[unit["id"]]["open"], backlog[unit["id"]]["overdue"]), (1, 0))
        listed = {x["id"]: x for x in self.expect(call("GET", "/api/v1/units", token=admin), 200).json["items"]}
        self.assertEqual((listed[unit["id"]]["name"], listed[unit["id"]]["active"]), ("市专项整治办", False))
        # An inactive unit keeps its open order but gets no new one.
        self.assertEqual(self.get("admin", t)["assignments"][-1]["unit_id"], unit["id"])
        t2 = self.create()
        self.expect_error(call("POST", "/api/v1/tickets/%s/actions/dispatch" % t2["id"],
                               {"unit_id": unit["id"], "mode": "direct"}, T("disp1")), 400, field="unit_id")
        # Its directory rule gives way to the next one; nobody is placed in it.
        match = self.expect(call("GET", "/api/v1/dispatch-rules" + q(category=code, area_id=area), token=T("disp1")), 200).json
        self.assertNotEqual((match["rule"] or {}).get("lead_unit_id"), unit["id"])
        self.expect_error(call("POST", "/api/v1/users", {"username": "into_retired", "password": PASSWORD, "role": "unit_handler",
                                                         "unit_id": unit["id"]}, admin), 400, field="unit_id")
        self.expect_error(call("PATCH", path, {"name": ""}, admin), 400, field="name")
        self.expect_error(call("PATCH", path, {"kind": "street"}, admin), 400, field="kind")
        self.expect_error(call("PATCH", "/api/v1/units/%s" % U("hub"), {"active": False}, admin), 400, field="active")
        # A directory rule naming a unit out of use would match nothing: refused, naming the field.
        self.expect_error(call("POST", "/api/v1/dispatch-rules", {"lead_unit_id": unit["id"], "category_prefix": code,
                                                                  "priority": 7}, admin), 400, field="lead_unit_id")
        self.expect_error(call("POST", "/api/v1/dispatch-rules", {"lead_unit_id": U("dept_a"), "category_prefix": code,
                                                                  "assisting_unit_ids": [unit["id"]], "priority": 7}, admin),
                          400, field="assisting_unit_ids[0]")
        # A unit's number is a phone, not forty digits.
        self.expect_error(call("PATCH", "/api/v1/units/%s" % U("dept_a"), {"phone": "1" * 40}, admin), 400, field="phone")
        self.expect(call("PATCH", "/api/v1/units/%s" % U("dept_a"), {"phone": "0571-88880001转123、12345"}, admin), 200)
        self.expect(call("PATCH", "/api/v1/units/999999999", {"name": "无"}, admin), 404)


# ---- personal data -----------------------------------------------------------------------

class PersonalDataTest(Base):
    def test_a_later_request_does_not_rename_the_citizen_of_earlier_tickets(self):
        phone = "13900007777"
        first = self.create(citizen={"name": "张三", "phone": phone})
        # Anyone may file on the portal with that number, under any name, or none.
        self.expect(call_from("127.0.0.3", "POST", "/api/v1/public/tickets",
                              {"content": "路灯不亮好几天了", "phone": phone, "name": "冒名者"}), 201)
        nameless = self.create(citizen={"phone": phone})
        again = self.create(citizen={"name": "张三", "phone": phone})
        self.assertEqual(self.get("agent1", first)["citizen"]["name"], "张三")
        self.assertEqual(self.get("agent1", again)["citizen"]["name"], "张三")
        self.assertFalse(self.get("agent1", nameless)["citizen"].get("name"), "no name given, none borrowed")
        # The caller's history still finds every request from the number.
        history = self.expect(call("GET", "/api/v1/tickets" + q(phone=phone), token=T("agent1")), 200).json
        self.assertEqual(history["total"], 4)

    def test_numbers_written_into_the_words_are_masked_where_the_fields_are(self):
        words = "玫瑰园小区电梯天天坏，我叫林小明，电话13977778888，身份证110105198001011238，请联系我"
        t = self.in_progress(content=words, citizen={"name": "林小明", "phone": "13977778888"})
        self.act("agent1", t, "note", {"content": "市民说打13977778888找他"})
        # What a unit writes (an extension's reason) may quote the number too.
        self.act("h_a", t, "request_extension", {"days": 3, "reason": "需联系市民13977778888现场核实，证件110105198001011238"})
        # Roles that see the phone whole read it whole; the ID number only where the field shows.
        self.assertIn("13977778888", self.get("agent1", t)["content"])
        self.assertIn("1101**********1238", self.get("agent1", t)["content"])
        self.assertIn("13977778888", self.get("h_a", t)["content"], "a handler calls the citizen back")
        # Masked where the phone field is masked, hidden or only revealable on request.
        for who in ("ana1", "qa1", "disp1", "rev1"):
            seen = json.dumps([self.get(who, t), self.events(t, who)], ensure_ascii=False)
            self.assertNotIn("13977778888", seen, who)
            self.assertNotIn("110105198001011238", seen, who)
            self.assertIn("139****8888", seen, who)
            self.assertIn("需联系市民139****8888现场核实", seen, who)
        # The unit reads its own words whole (it sees ID numbers masked elsewhere).
        own = json.dumps(self.get("h_a", t), ensure_ascii=False)
        self.assertIn("证件110105198001011238", own, "its own words, whole")
        self.assertIn("1101**********1238", own, "the citizen's words, masked")
        for who in ("ana1", "qa1", "rev1"):
            # Nor found by searching the words for the number, or a piece of it: a caller look-up.
            for piece in ("13977778888", "3977778888", "139-7777-8888", "11010519800101123"):
                r = call("GET", "/api/v1/tickets" + q(q=piece), token=T(who))
                self.assertEqual(r.status, 403, (who, piece))
                self.assertIn("q holds a phone", r.json["error"]["message"])
            # Nor spelt out a few digits at a time: shorter pieces are matched against the words
            # as the role reads them, masked; what they read, they find.
            def found_by(piece):
                r = self.expect(call("GET", "/api/v1/tickets" + q(q=piece, page_size=100), token=T(who)), 200).json
                return t["id"] in [x["id"] for x in r["items"]]
            for hidden in ("7777", "97777", "397777", "198001"):
                self.assertFalse(found_by(hidden), (who, hidden))
            self.assertTrue(found_by("139****8888"), who)
            self.assertTrue(found_by("8888，身份证1101"), who)
        # So for every role: as every list shows the words, masked. An agent reads the phone
        # whole on the detail page (audited), but neither pages through lists collecting it nor
        # spells it out a few digits at a time.
        def found(who, piece):
            r = self.expect(call("GET", "/api/v1/tickets" + q(q=piece, page_size=100), token=T(who)), 200).json
            return t["id"] in [x["id"] for x in r["items"]]
        self.assertFalse(found("disp1", "7777"))
        self.assertFalse(found("agent1", "7777"))
        self.assertTrue(found("agent1", "139****8888"))
        for who in ("agent1", "h_a"):
            listed = self.expect(call("GET", "/api/v1/tickets" + q(q="139****8888", page_size=100), token=T(who)), 200).json
            item = [x for x in listed["items"] if x["id"] == t["id"]][0]
            words = json.dumps([item["title"], item["content"], item["address"]], ensure_ascii=False)
            self.assertIn("139****8888", words, who)
            self.assertNotIn("13977778888", words, who)
            self.assertNotIn("110105198001011238", words, who)
            if who == "h_a":  # its own reply comes back to it to correct: whole, as on the detail page
                self.assertIn("证件110105198001011238", json.dumps(item["assignments"], ensure_ascii=False))
        self.assertIn("13977778888", json.dumps(self.get("agent1", t), ensure_ascii=False))
        self.assertFalse(found("agent1", "198001"))
        self.assertTrue(found("agent1", "1101**********1238"))
        # Those who look callers up, and the unit calling its own citizen back, may: audited.
        for who in ("agent1", "h_a"):
            found = self.expect(call("GET", "/api/v1/tickets" + q(q="13977778888"), token=T(who)), 200).json
            self.assertIn(t["id"], [x["id"] for x in found["items"]], who)
        # Nor does an agent or a dispatcher, who read the ID number masked and may not reveal
        # it: no birth date tried day by day, no whole number, confirms one.
        for who in ("agent1", "disp1"):
            for piece in ("19800101", "110105198001011238", "198001011238"):
                r = self.expect(call("GET", "/api/v1/tickets" + q(q=piece, page_size=100), token=T(who)), 200).json
                self.assertNotIn(t["id"], [x["id"] for x in r["items"]], (who, piece))
        # A supervisor, who may reveal it, finds it by it (audited); and a look-up is by its number
        # alone: other digits beside it would be matched with the phones whole.
        r = self.expect(call("GET", "/api/v1/tickets" + q(q="110105198001011238", page_size=100), token=T("sup1")), 200).json
        self.assertIn(t["id"], [x["id"] for x in r["items"]])
        for probe in ("1000000 7777", "1000000\u30007777", "1000000 ７７７７"):  # an ideographic space, full-width digits
            self.expect_error(call("GET", "/api/v1/tickets" + q(q=probe), token=T("disp1")), 400, field="q")
        # The unit looks its citizen up by phone, never by the ID number it does not see: seven
        # digits at a time from one's middle find nothing.
        found = self.expect(call("GET", "/api/v1/tickets" + q(q="0519800101"), token=T("h_a")), 200).json
        self.assertNotIn(t["id"], [x["id"] for x in found["items"]])
        audit = self.expect(call("GET", "/api/v1/audit?page_size=50", token=T("admin")), 200).json["items"]
        self.assertIn(("caller_lookup", "q", "*******8888"),
                      [(e["action"], e["target"], e["detail"]) for e in audit if e["user_id"] == W.users["agent1"]["id"]])

    def test_a_reveal_shows_the_numbers_written_in_the_words_audited(self):
        # A second call-back number in the content, and one in a later call: the dispatcher
        # reads them masked until the reveal, which shows them whole and says so in the audit.
        t = self.dispatched(content="楼道灯坏了，白天打我同事139 2222 3333，晚上打0731-84567890", citizen={"phone": PHONE})
        call("POST", "/api/v1/tickets/%s/contacts" % t["id"], {"channel": "phone", "kind": "supplement",
             "content": "又来电：也可以打１５８００００１１１１"}, T("agent1"))
        # Another caller's words stay theirs: the reveal opens the ticket's own citizen only.
        call("POST", "/api/v1/tickets/%s/contacts" % t["id"], {"channel": "phone", "kind": "supplement",
             "content": "邻居来电，他的电话13655556666", "citizen": {"name": "李四", "phone": "13655556666"}}, T("agent1"))
        seen = self.get("disp1", t)
        self.assertNotIn("13922223333", json.dumps(seen, ensure_ascii=False))
        self.assertTrue(seen["citizen"]["words_revealable"], "the detail says a reveal would show more")
        shown = self.expect(call("POST", "/api/v1/tickets/%s/reveal" % t["id"], token=T("disp1")), 200).json
        self.assertEqual(shown["phone"], PHONE)
        self.assertNotIn("13655556666", json.dumps(shown))
        self.assertEqual([(n["field"], n["kind"], n["number"]) for n in shown["numbers_in_text"]],
                         [("content", "phone", "13922223333"), ("content", "phone", "073184567890"),
                          ("contacts", "phone", "15800001111")])
        audit = self.expect(call("GET", "/api/v1/audit?page_size=50", token=T("admin")), 200).json["items"]
        self.assertIn("numbers_in_text", [e["detail"] for e in audit if e["action"] == "reveal"
                                          and e["target"] == "ticket:" + t["id"]][0].split(","))
        # An ID number the agent may not reveal: no reveal is offered for it.
        idt = self.dispatched(content="身份证110105198001011238办不了业务")
        self.assertFalse(self.get("agent1", idt)["citizen"]["words_revealable"])
        # The agent reads phones whole already: its reveal (on a non-confidential report) adds none.
        self.assertNotIn("numbers_in_text", call("POST", "/api/v1/tickets/%s/reveal" % t["id"], token=T("agent1")).json or {})
        # An anonymous report's words: the reveal shows them though no citizen is on record.
        anon = self.dispatched(content="匿名反映：工地夜间施工，举报人留电话13800001234", citizen=None,
                               channel="web")
        self.assertEqual([n["number"] for n in self.expect(call("POST", "/api/v1/tickets/%s/reveal" % anon["id"],
                                                                token=T("sup1")), 200).json["numbers_in_text"]],
                         ["13800001234"])

    def test_masking_reveal_and_audit(self):
        t = self.dispatched(citizen={"name": "李四", "phone": PHONE, "id_number": "110101199003071233"})
        agent_view = self.get("agent1", t)["citizen"]
        self.assertEqual(agent_view["phone"], PHONE)
        self.assertEqual(agent_view["name"], "李四")
        self.assertNotEqual(agent_view.get("id_number"), "110101199003071233")
        disp_view = self.get("disp1", t)["citizen"]
        self.assertEqual(disp_view["phone"], PHONE_MASKED)
        self.assertEqual(disp_view["name"], "李*")
        self.assertTrue(disp_view["masked"])
        self.assertNotIn("id_number", disp_view)
        handler_view = self.get("h_a", t)["citizen"]
        self.assertEqual(handler_view["phone"], PHONE, "a handler needs the phone of a normal request")
        self.assertNotIn("phone", self.get("ana1", t)["citizen"])
        # the history never holds personal data
        self.act("agent1", t, "note", {"content": "市民补充说明"})
        call("POST", "/api/v1/tickets/%s/contacts" % t["id"], {"channel": "phone", "kind": "supplement",
             "content": "补充材料", "citizen": {"name": "李四", "phone": PHONE}}, T("agent1"))
        history = json.dumps(self.events(t), ensure_ascii=False)
        for secret in (PHONE, "李四", "110101199003071233"):
            self.assertNotIn(secret, history)
        # lists are always masked
        items, _ = self.list_all("agent1", q=t["number"])
        self.assertNotIn(PHONE, json.dumps(items, ensure_ascii=False))

        r = self.expect(call("POST", "/api/v1/tickets/%s/reveal" % t["id"], token=T("disp1")), 200)
        self.assertEqual(r.json["phone"], PHONE)
        self.assertEqual(r.headers.get("Cache-Control"), "no-store", "no browser or proxy keeps a revealed phone")
        self.assertEqual(r.json["name"], "李四")
        r = call("POST", "/api/v1/tickets/%s/reveal" % t["id"], token=T("ana1"))
        self.assertEqual(r.status, 403, repr(r))
        self.assertEqual(call("POST", "/api/v1/tickets/%s/reveal" % t["id"], {}, T("qa1")).status, 403,
                         "nothing is revealable for a quality inspector: refused, not answered masked")
        self.assertNotIn(PHONE, r.text, "an analyst never sees the phone, not even by asking")
        self.assertNotIn("李四", r.text)
        r = call("POST", "/api/v1/tickets/%s/reveal" % t["id"], token=T("h_b"))
        self.assertIn(r.status, (403, 404), "no reveal of a ticket one may not see: %r" % r)
        audit = self.expect(call("GET", "/api/v1/audit?page_size=200", token=T("admin")), 200).json["items"]
        reveals = [e for e in audit if e["action"] == "reveal" and e["target"] == "ticket:" + t["id"]]
        self.assertTrue(reveals, "the reveal is audited")
        self.assertEqual(reveals[0]["user_id"], W.users["disp1"]["id"])
        self.assertIn("phone", reveals[0]["detail"])
        views = [e for e in audit if e["action"] == "view_personal_data" and e["target"] == "ticket:" + t["id"]]
        self.assertIn(W.users["agent1"]["id"], [e["user_id"] for e in views],
                      "a full field on the detail view is audited too")
        self.assertNotIn(W.users["disp1"]["id"], [e["user_id"] for e in views], "a masked view is not")
        self.expect(call("GET", "/api/v1/audit", token=T("disp1")), 403)
        # A district centre's supervisor reads what the district's own staff did, nothing else.
        mine = self.expect(call("GET", "/api/v1/audit?page_size=200", token=T("sup_dc")), 200).json
        district = {W.users[n]["id"] for n in ("disp_dc", "h_street", "sup_dc")}
        self.assertTrue(mine["items"])
        self.assertLessEqual({e["user_id"] for e in mine["items"]}, district)
        self.assertIn(W.users["disp_dc"]["id"], [e["user_id"] for e in mine["items"]], "its dispatcher's login")
        self.assertLess(mine["total"], self.expect(call("GET", "/api/v1/audit?page_size=1", token=T("sup1")), 200).json["total"])

    def test_confidential_request_hides_citizen_from_unit(self):
        t = self.dispatched(confidential=True, citizen={"name": "王五", "phone": "13900001111"})
        self.assertTrue(t["confidential"])
        handler_view = self.get("h_a", t)["citizen"]
        self.assertNotIn("phone", handler_view)
        self.assertNotIn("name", handler_view)
        self.assertNotIn("13900001111", json.dumps(self.get("h_a", t), ensure_ascii=False))
        agent_view = self.get("agent1", t)["citizen"]
        self.assertEqual(agent_view["phone"], "139****1111", "confidential: masked even for the agent")
        # Its unit opens its files to handle it, and who opened one is recorded.
        att = self.expect(call("POST", "/api/v1/tickets/%s/attachments?name=scene.jpg" % t["id"], raw=b"\xff\xd8jpeg",
                               token=T("h_a"), headers={"Content-Type": "image/jpeg"}), 201).json
        self.expect(call("GET", "/api/v1/attachments/" + att["id"], token=T("h_a")), 200)
        audit = self.expect(call("GET", "/api/v1/audit?page_size=200", token=T("admin")), 200).json["items"]
        opened = [e for e in audit if e["action"] == "attachment_opened" and e["target"] == "ticket:" + t["id"]]
        self.assertEqual([(e["user_id"], e["detail"]) for e in opened], [(W.users["h_a"]["id"], "attachment " + att["id"])])

    def test_caller_history_by_phone(self):
        phone = "137" + "".join(secrets.choice("0123456789") for _ in range(8))
        a = self.create(citizen={"name": "赵六", "phone": phone}, content="第一次来电：噪音扰民")
        b = self.create(citizen={"name": "赵六", "phone": phone}, content="第二次来电：噪音仍未解决")
        self.create()  # another caller
        items, totals = self.list_all("agent1", phone=phone)
        self.assertEqual(sorted(x["id"] for x in items), sorted([a["id"], b["id"]]))
        self.assertEqual(totals[0], 2)
        self.assertEqual(items[0]["id"], b["id"], "newest first")
        for who in ("ana1", "h_a", "qa1"):
            self.expect(call("GET", "/api/v1/tickets" + q(phone=phone), token=T(who)), 403, who)
        audit = self.expect(call("GET", "/api/v1/audit?page_size=200", token=T("admin")), 200).json["items"]
        lookups = [e for e in audit if e["action"] == "caller_lookup" and e["user_id"] == W.users["agent1"]["id"]]
        self.assertTrue(lookups, "caller look-ups are audited")
        self.assertNotIn(phone, json.dumps(audit, ensure_ascii=False), "the audit log holds the phone masked")
        # A confidential report's words (a number written in it, or part of one) find it only
        # for staff who may look callers up; the others find it by its number alone.
        c = self.create(citizen={"name": "赵六", "phone": phone}, content="保密举报，举报人电话" + phone, confidential=True)
        for who in ("ana1", "qa1", "rev1"):
            # The whole number is a caller look-up they may not make; a part of one finds nothing.
            self.expect(call("GET", "/api/v1/tickets" + q(q=phone), token=T(who)), 403, who)
            for text in (phone[:6], "保密举报"):
                items, _ = self.list_all(who, q=text)
                self.assertNotIn(c["id"], [x["id"] for x in items], (who, text))
            items, _ = self.list_all(who, q=c["number"])
            self.assertEqual([x["id"] for x in items], [c["id"]], who)
        # An agent reads a confidential report's phone masked too (it may reveal it): a piece of
        # the number does not find it, the whole number does (a look-up, audited).
        items, _ = self.list_all("agent1", q=phone[:6])
        self.assertNotIn(c["id"], [x["id"] for x in items])
        items, _ = self.list_all("agent1", q=phone)
        self.assertIn(c["id"], [x["id"] for x in items])
        # Opened by its number, it does not show an analyst its words either: not in the
        # detail, the list, a contact or the timeline. The other roles read them.
        self.expect(call("POST", "/api/v1/tickets/%s/contacts" % c["id"], {"channel": "phone", "kind": "supplement",
                         "content": "补充：举报人赵六再次来电"}, T("agent1")), 201)
        hidden = "（保密件，内容不显示）"
        for who, shown in (("ana1", False), ("qa1", True), ("agent1", True)):
            detail = self.expect(call("GET", "/api/v1/tickets/" + c["id"], token=T(who)), 200).json
            listed, _ = self.list_all(who, q=c["number"])
            contacts = self.expect(call("GET", "/api/v1/tickets/%s/contacts" % c["id"], token=T(who)), 200).json["items"]
            events = self.expect(call("GET", "/api/v1/tickets/%s/events" % c["id"], token=T(who)), 200).json["items"]
            seen = json.dumps([detail, listed, contacts, events], ensure_ascii=False)
            self.assertEqual("赵六" in seen, shown, who)
            # The reporter's phone is masked (or revealable) in the fields, so in the words too.
            self.assertNotIn(phone, seen, who)
            self.assertEqual(detail["content"] == hidden and contacts[0]["content"] == hidden, not shown, who)
        # A whole ticket number, a date as people write it and short numbers are ordinary searches for
        # every role; 8 digits shaped like a date are not spared (an ID number holds a birth date).
        self.expect(call("GET", "/api/v1/tickets" + q(q=c["number"]), token=T("ana1")), 200)
        self.expect(call("GET", "/api/v1/tickets" + q(q="2026-12-01"), token=T("ana1")), 200)
        self.expect(call("GET", "/api/v1/tickets" + q(q="2005年1月1日"), token=T("ana1")), 200)
        self.expect(call("GET", "/api/v1/tickets" + q(q="200501011234"), token=T("ana1")), 403)


# ---- input errors ------------------------------------------------------------------------

class ErrorTest(Base):
    def post_ticket(self, body=None, raw=None, headers=None):
        return call("POST", "/api/v1/tickets", body, T("agent1"), headers=headers, raw=raw)

    def test_what_would_be_dropped_or_guessed_is_refused_by_name(self):
        # A misspelt field on a create is named, as on an edit, rather than dropped.
        for path, body, field in (
                ("/api/v1/units", {"name": "错字单位", "kind": "department", "phon": "0731-1"}, "phon"),
                ("/api/v1/areas", {"name": "错字区", "kind": "district", "alias": ["某小区"]}, "alias"),
                ("/api/v1/users", {"username": "typo1", "password": PASSWORD, "role": "agent",
                                   "unit_id": U("hub"), "is_admin": True}, "is_admin"),
                ("/api/v1/categories", {"code": "Z8", "name": "错字", "bogus": 1}, "bogus")):
            self.expect_error(call("POST", path, body, T("admin")), 400, "invalid_argument", field)
        # A key given twice inside an object is named by its path.
        r = self.post_ticket(raw='{"channel":"web","request_type":"help","content":"路灯不亮",'
                                 '"citizen":{"phone":"13912345678","phone":"13912345679"}}'.encode(),
                             headers={"Content-Type": "application/json"})
        self.expect_error(r, 400, "invalid_argument", "citizen.phone")
        # A raw '=' inside a query value would be cut to what follows the last one.
        t = self.create()
        r = call("POST", "/api/v1/tickets/%s/attachments?name=a=b.png" % t["id"], raw=b"x", token=T("agent1"),
                 headers={"Content-Type": "image/png"})
        self.expect_error(r, 400, "invalid_argument", "name")
        self.expect_error(call("GET", "/api/v1/tickets?q=a=b", token=T("agent1")), 400, "invalid_argument", "q")
        self.expect(call("GET", "/api/v1/tickets?q=a%3Db", token=T("agent1")), 200)
        # Headers that say who asks, which version or which retry count once.
        r = call_with_headers("POST", "/api/v1/tickets/%s/actions/note" % t["id"],
                              [("Authorization", "Bearer " + T("agent1")), ("If-Match", '"1"'), ("If-Match", '"7"')],
                              {"content": "n"})
        self.expect_error(r, 400, "invalid_argument", "If-Match")
        r = call_with_headers("GET", "/api/v1/auth/me", [("Authorization", "Bearer " + T("agent1")),
                                                         ("Authorization", "Bearer " + T("admin"))])
        self.expect_error(r, 400, "invalid_argument", "Authorization")
        # An id no record can have is quoted back, not read as 0.
        r = call("GET", "/api/v1/tickets/99999999999999999999", token=T("agent1"))
        self.expect_error(r, 404)
        self.assertIn("99999999999999999999", r.json["error"]["message"])
        r = call("POST", "/api/v1/kb/123456789012345678901234/actions/publish", {}, T("admin"))
        self.expect_error(r, 404)
        self.assertIn("123456789012345678901234", r.json["error"]["message"])
        # A category code is no id, however many digits it has.
        r = call("GET", "/api/v1/categories/99999999999999999999", token=T("agent1"))
        self.assertNotIn("no record has the id", json.dumps(r.json, ensure_ascii=False))
        # Control characters are dropped from text, C1 ones (U+0085, U+009B) too; a tag holding
        # one is refused.
        t = self.create(content="路灯\u007f不亮\u0085了\u009b31m", title="标题\u0001\u0085")
        got = self.get("agent1", t)
        self.assertEqual(got["content"], "路灯不亮\n了31m")  # NEL is a line break
        self.assertEqual(got["title"], "标题")
        r = self.post_ticket({"channel": "web", "request_type": "help", "content": "路灯不亮", "tags": ["a\u001bb"]})
        self.expect_error(r, 400, "invalid_argument", "tags[0]")

    def test_values_are_read_whole_or_refused(self):
        # Dates that do not exist are refused, not rolled over.
        for bad in ("2026-09-31T00:00:00+08:00", "2026-02-30", "2026-04-30T-1:00", "2026-04-30T10:00:00+99:00"):
            self.expect_error(call("GET", "/api/v1/stats/sla" + q(**{"from": bad}), token=T("sup1")), 400, field="from")
        r = call("POST", "/api/v1/kb", {"title": "t", "body": "b", "effective": "2026-02-30"}, T("admin"))
        self.expect_error(r, 400, field="effective")
        # Yes/no filters and numbers are read whole.
        self.expect_error(call("GET", "/api/v1/tickets" + q(overdue="yes"), token=T("sup1")), 400, field="overdue")
        self.expect_error(call("GET", "/api/v1/tickets" + q(overdue="1"), token=T("sup1")), 400, field="overdue")
        self.expect(call("GET", "/api/v1/tickets" + q(overdue="false"), token=T("sup1")), 200)
        self.expect_error(call("GET", "/api/v1/tickets" + q(unit_id=U("dept_a"), open="1"), token=T("h_a")), 400, field="open")
        self.expect_error(call("GET", "/api/v1/alerts" + q(limit="2junk"), token=T("sup1")), 400, field="limit")
        # The suggestion endpoints name their own parameter.
        r = call("GET", "/api/v1/kb/suggest?text=%C3%28", token=T("agent1"))
        self.expect_error(r, 400, field="text")
        # A POST with no body and no length is told what it lacks (curl -X POST with no data).
        import http.client
        u = urllib.parse.urlsplit(BASE)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        conn.putrequest("POST", "/api/v1/auth/logout")
        conn.putheader("Authorization", "Bearer " + T("agent1"))
        conn.endheaders()
        resp = conn.getresponse()
        err = json.loads(resp.read())["error"]
        conn.close()
        self.assertEqual((resp.status, err["details"]["field"]), (411, "Content-Length"))
        # An If-Match that names no version is refused, not ignored.
        t = self.dispatched()
        r = call("POST", "/api/v1/tickets/%s/actions/accept" % t["id"], {}, T("h_a"), {"If-Match": '"stale-etag"'})
        self.expect_error(r, 400, field="If-Match")
        r = call("POST", "/api/v1/tickets/%s/actions/accept" % t["id"], {}, T("h_a"), {"If-Match": '"0"'})
        self.expect_error(r, 409)
        # The header and the body naming two versions: refused, neither silently preferred.
        r = call("POST", "/api/v1/tickets/%s/actions/accept" % t["id"], {"version": t["version"]}, T("h_a"),
                 {"If-Match": '"%d"' % (t["version"] - 1)})
        self.expect_error(r, 400, field="If-Match")
        self.act("h_a", t, "accept", headers={"If-Match": 'W/"%d"' % t["version"]})
        # Out-of-range integers and identity numbers.
        r = call("POST", "/api/v1/dispatch-rules", {"lead_unit_id": U("dept_a"), "category_prefix": "01",
                                                    "priority": 2147483648}, T("admin"))
        self.expect_error(r, 400, field="priority")
        # Wrong shape, a month 13, a wrong check digit, all zeros, born in 2099 (right check digit).
        for bad in ("中文中文中文", "ABCDEFGHIJKLMNOPQR", "11010119900307123", "110101199913450000",
                    "110101199003071234", "000000000000000000", "110105209912310029"):
            r = self.post_ticket({"channel": "web", "request_type": "help", "content": "身份证号格式",
                                  "citizen": {"phone": PHONE, "id_number": bad}})
            self.expect_error(r, 400, field="citizen.id_number")
        self.expect(self.post_ticket({"channel": "web", "request_type": "help", "content": "身份证号格式",
                                      "citizen": {"phone": PHONE, "id_number": "11010119900307109x"}}), 201)
        # The same rule for what a command carries: an answer of zero-width spaces would reach
        # the citizen as the answer.
        t = self.create()
        for action, body, field in (("answer_directly", {"content": "\u200b\u200b"}, "content"),
                                    ("answer_directly", {"content": "\u0000\u0001\u0007"}, "content"),
                                    ("note", {"content": "\u200b\u3000\u200b"}, "content")):
            r = call("POST", "/api/v1/tickets/%s/actions/%s" % (t["id"], action), body, T("agent1"))
            self.expect_error(r, 400, field=field)
        # Letters or an extension in a phone are refused, not dropped (the rest is another number).
        for bad in ("abc12345def", "138-0000-1111 ext 1234"):
            r = self.post_ticket({"channel": "web", "request_type": "help", "content": "电话格式", "citizen": {"phone": bad}})
            self.expect_error(r, 400, field="citizen.phone")
        # Content that only looks like something: zero-width characters are empty; control
        # characters are dropped from what is kept.
        r = self.post_ticket({"channel": "web", "request_type": "help", "content": "\u200b\u200b \ufeff",
                              "citizen": {"phone": PHONE}})
        self.expect_error(r, 400, field="content")
        r = self.expect(self.post_ticket({"channel": "web", "request_type": "help", "content": "路灯\x1b[31m坏了\x07",
                                          "citizen": {"phone": PHONE}}), 201)
        self.assertEqual(r.json["content"], "路灯[31m坏了")

    def test_users_belong_where_their_role_works(self):
        for role, unit in (("unit_handler", "hub"), ("unit_handler", "dc"), ("agent", "dept_a"), ("dispatcher", "street")):
            r = call("POST", "/api/v1/users", {"username": "x_%s_%s" % (role, unit), "password": PASSWORD, "role": role,
                                               "unit_id": U(unit)}, T("admin"))
            self.expect_error(r, 400, field="unit_id")
        r = call("POST", "/api/v1/users", {"username": "probe\nnl", "password": PASSWORD, "role": "analyst",
                                           "unit_id": U("hub")}, T("admin"))
        self.expect_error(r, 400, field="username")
        r = call("POST", "/api/v1/dispatch-rules", {"lead_unit_id": U("dept_a"), "category_prefix": "no such"}, T("admin"))
        self.expect_error(r, 400, field="category_prefix")
        # A prefix is a whole category code: '1' (01 without the zero a spreadsheet dropped)
        # would also begin 10-19.
        r = call("POST", "/api/v1/dispatch-rules", {"lead_unit_id": U("dept_a"), "category_prefix": "1"}, T("admin"))
        self.expect_error(r, 400, field="category_prefix")
        self.assertIn("leading zero of '01'", r.json["error"]["message"])
        r = call("GET", "/api/v1/kb/search?q=%E7%94%B5%E6%A2%AF&category=010", token=T("agent1"))
        self.expect_error(r, 400, field="category")
        t = self.in_progress()
        r = call("POST", "/api/v1/tickets/%s/attachments?name=%s" % (t["id"], urllib.parse.quote("a\r\nb.jpg")),
                 raw=b"\x01", token=T("h_a"), headers={"Content-Type": "image/jpeg"})
        self.expect_error(r, 400, field="name")
        # The stored type is sent back as the download's Content-Type: no control characters.
        r = call("POST", "/api/v1/tickets/%s/attachments?name=a.txt" % t["id"], raw=b"x", token=T("h_a"),
                 headers={"Content-Type": "text/plain\x0bX"})
        self.expect_error(r, 400, field="Content-Type")
        r = call("POST", "/api/v1/tickets/%s/attachments?nmae=a.jpg" % t["id"], raw=b"x", token=T("h_a"),
                 headers={"Content-Type": "image/jpeg"})
        self.expect_error(r, 400, field="nmae")
        # A raw body sent as a form (curl's default) is a file, not parameters.
        r = call("POST", "/api/v1/tickets/%s/attachments?name=note.txt" % t["id"], raw=b"hello\nworld=1&x=2",
                 token=T("h_a"), headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.expect(r, 201)
        # A parameter given twice is refused by name, not resolved by whichever came first.
        self.expect_error(call("GET", "/api/v1/tickets?status=received&status=closed", token=T("admin")), 400,
                          field="status")

    def test_missing_content_names_field(self):
        r = self.post_ticket({"channel": "web", "request_type": "complaint"})
        err = self.expect_error(r, 400, "invalid_argument", "content")
        self.assertIn("content", err["message"])
        r = self.post_ticket({"channel": "web", "request_type": "complaint", "content": "   "})
        self.expect_error(r, 400, field="content")

    def test_wrong_type_names_field(self):
        r = self.post_ticket({"channel": "web", "request_type": "complaint", "content": 12345})
        self.expect_error(r, 400, field="content")
        r = self.post_ticket({"channel": "web", "request_type": "complaint", "content": "内容",
                              "confidential": "yes"})
        self.expect_error(r, 400, field="confidential")
        r = self.post_ticket({"channel": "web", "request_type": "complaint", "content": "内容", "tags": "专题"})
        self.expect_error(r, 400, field="tags")

    def test_unknown_channel(self):
        r = self.post_ticket({"channel": "信鸽", "request_type": "complaint", "content": "内容"})
        self.expect_error(r, 400, field="channel")
        r = self.post_ticket({"channel": "phone", "request_type": "complaint", "content": "内容"})
        self.expect_error(r, 400, field="citizen.phone")

    def test_bad_json(self):
        r = self.post_ticket(raw=b'{"channel": "web", "content": "\xe5\x86\x85\xe5\xae\xb9"',
                             headers={"Content-Type": "application/json"})
        self.expect_error(r, 400, "invalid_argument", "body")
        r = self.post_ticket(raw=b'["not", "an", "object"]', headers={"Content-Type": "application/json"})
        self.expect_error(r, 400, field="body")
        t = self.create()
        r = call("POST", "/api/v1/tickets/%s/actions/note" % t["id"], raw=b"{oops",
                 token=T("agent1"), headers={"Content-Type": "application/json"})
        self.expect_error(r, 400, field="body")
        # A key given twice would mean whichever the parser kept: refused, named.
        r = self.post_ticket(raw='{"channel":"web","request_type":"complaint","content":"路灯不亮","channel":"phone"}'.encode(),
                             headers={"Content-Type": "application/json"})
        self.expect_error(r, 400, "invalid_argument", "channel")
        r = call("POST", "/api/v1/tickets/%s/actions/note" % t["id"], raw='{"content":"a","content":"b"}'.encode(),
                 token=T("agent1"), headers={"Content-Type": "application/json"})
        self.expect_error(r, 400, field="content")

    def test_invalid_utf8(self):
        r = self.post_ticket(raw=b'{"channel":"web","request_type":"help","content":"\xff\xfe\xe5\x86"}',
                             headers={"Content-Type": "application/json"})
        self.expect_error(r, 400, "invalid_argument")
        t = self.create()
        r = call("POST", "/api/v1/tickets/%s/actions/note" % t["id"], raw=b'{"content":"\xc3\x28"}',
                 token=T("agent1"), headers={"Content-Type": "application/json"})
        self.expect_error(r, 400)

    def test_body_over_one_mib_is_413(self):
        body = {"channel": "web", "request_type": "complaint", "content": "长" * 400000}  # 1.2 MB
        r = self.post_ticket(body)
        self.expect_error(r, 413)
        t = self.create()
        r = call("POST", "/api/v1/tickets/%s/actions/note" % t["id"], {"content": "长" * 400000}, T("agent1"))
        self.expect(r, 413)

    def test_json_sent_as_a_form_is_read_or_told_what_to_send(self):
        # curl -d sends JSON as application/x-www-form-urlencoded: read as JSON when small,
        # refused with the header to send once past the HTTP library's 8 KiB form limit.
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        small = {"channel": "web", "request_type": "complaint", "content": "路灯坏了", "citizen": {"phone": "13800001234"}}
        r = call("POST", "/api/v1/tickets", token=T("agent1"), headers=form,
                 raw=json.dumps(small, ensure_ascii=False).encode("utf-8"))
        self.expect(r, 201)
        big = dict(small, content="路灯坏了，" * 1000)
        r = call("POST", "/api/v1/tickets", token=T("agent1"), headers=form,
                 raw=json.dumps(big, ensure_ascii=False).encode("utf-8"))
        self.expect_error(r, 415, "unsupported_media_type", "Content-Type")
        self.assertIn("application/json", r.json["error"]["message"])
        r = self.post_ticket(big)
        self.expect(r, 201)

    def test_unknown_action_is_404(self):
        t = self.create()
        r = call("POST", "/api/v1/tickets/%s/actions/teleport" % t["id"], {}, T("admin"))
        self.expect_error(r, 404)
        for system_only in ("sla_tick", "recompute_deadlines"):
            r = call("POST", "/api/v1/tickets/%s/actions/%s" % (t["id"], system_only), {}, T("admin"))
            self.assertIn(r.status, (403, 404), "%s is the system's: %r" % (system_only, r))
        self.assertEqual(self.get("admin", t)["version"], 1)
        r = call("GET", "/api/v1/tickets/999999999999", token=T("admin"))
        self.expect_error(r, 404)
        r = call("GET", "/api/v1/no-such-thing", token=T("admin"))
        self.expect(r, 404)

    def test_unauthenticated_is_401(self):
        self.expect_error(call("GET", "/api/v1/tickets"), 401)
        self.expect_error(call("GET", "/api/v1/tickets", token="not-a-real-token"), 401)
        self.expect_error(call("POST", "/api/v1/tickets", {"channel": "web", "request_type": "help",
                                                           "content": "无凭证"}), 401)
        self.expect_error(call("GET", "/api/v1/auth/me"), 401)

    def test_wrong_password_is_401(self):
        r = call("POST", "/api/v1/auth/login", {"username": "qa1", "password": "wrong-password"})
        self.expect_error(r, 401)
        r = call("POST", "/api/v1/auth/login", {"username": "nobody-here", "password": "whatever-123"})
        self.expect_error(r, 401)
        r = call("POST", "/api/v1/auth/login", {"username": "qa1"})
        self.expect_error(r, 400, field="password")
        token = login("qa1")
        me = self.expect(call("GET", "/api/v1/auth/me", token=token), 200).json
        self.assertEqual((me["username"], me["role"], me["unit_id"]), ("qa1", "qa_inspector", U("hub")))

    def test_parallel_guesses_do_not_pass_the_login_lockout(self):
        name = "lock-" + secrets.token_hex(4)
        self.expect(call("POST", "/api/v1/users", {"username": name, "password": PASSWORD, "role": "qa_inspector",
                                                   "unit_id": U("hub")}, T("admin")), 201)
        codes = []
        def guess():
            codes.append(call("POST", "/api/v1/auth/login", {"username": name, "password": "wrong-guess-1"}).status)
        threads = [threading.Thread(target=guess) for _ in range(12)]
        for t in threads: t.start()
        for t in threads: t.join()
        self.assertLessEqual(codes.count(401), 5, codes)  # at most the five failures the lockout allows
        self.assertEqual(codes.count(401) + codes.count(429), 12, codes)
        locked = call("POST", "/api/v1/auth/login", {"username": name, "password": PASSWORD})
        self.expect_error(locked, 429)
        self.assertEqual(locked.headers.get("Retry-After"), "300", "the lock ages out within five minutes")
        # The right password from several tabs at once is not taken for guessing.
        other = "tabs-" + secrets.token_hex(4)
        self.expect(call("POST", "/api/v1/users", {"username": other, "password": PASSWORD, "role": "qa_inspector",
                                                   "unit_id": U("hub")}, T("admin")), 201)
        codes = []
        def login():
            codes.append(call("POST", "/api/v1/auth/login", {"username": other, "password": PASSWORD}).status)
        threads = [threading.Thread(target=login) for _ in range(8)]
        for t in threads: t.start()
        for t in threads: t.join()
        self.assertEqual(codes, [200] * 8)

    def test_a_user_changes_their_own_password(self):
        name = "own-" + secrets.token_hex(4)
        self.expect(call("POST", "/api/v1/users", {"username": name, "password": PASSWORD, "role": "agent",
                                                   "unit_id": U("hub")}, T("admin")), 201)
        # An administrator's choice is held to the same rules: no commonest password, no username.
        for bad in ("password", "12345678", "xxxxxxxx", "密密密密密密密密", "新用户新用户", (name + "b").upper()):
            self.expect_error(call("POST", "/api/v1/users", {"username": name + "b", "password": bad,
                                                             "role": "agent", "unit_id": U("hub")}, T("admin")), 400, field="password")
        first, second = login(name), login(name)
        change = lambda body, token=first: call("POST", "/api/v1/auth/password", body, token)
        self.expect_error(change({"current_password": "not-mine-123", "new_password": "Another-Pass-9"}), 400,
                          field="current_password")
        self.expect_error(change({"current_password": PASSWORD, "new_password": "short"}), 400, field="new_password")
        self.expect_error(change({"current_password": PASSWORD, "new_password": PASSWORD}), 400, field="new_password")
        self.expect_error(change({"current_password": PASSWORD, "new_password": "qwerty123"}), 400, field="new_password")
        self.expect_error(change({"current_password": PASSWORD, "new": "x"}), 400, field="new")
        self.expect_error(call("POST", "/api/v1/auth/password", {"current_password": PASSWORD, "new_password": "Another-Pass-9"}), 401)
        token = self.expect(change({"current_password": PASSWORD, "new_password": "Another-Pass-9"}), 200).json["token"]
        # Every session ends, a stolen one with it; the one that changed it goes on under its new token.
        self.expect_error(call("GET", "/api/v1/auth/me", token=first), 401)
        self.expect_error(call("GET", "/api/v1/auth/me", token=second), 401)
        self.assertEqual(self.expect(call("GET", "/api/v1/auth/me", token=token), 200).json["username"], name)
        self.expect_error(call("POST", "/api/v1/auth/login", {"username": name, "password": PASSWORD}), 401)
        login(name, "Another-Pass-9")
        audit = self.expect(call("GET", "/api/v1/audit?page_size=100", token=T("admin")), 200).json["items"]
        me = "user:" + self.expect(call("GET", "/api/v1/auth/me", token=token), 200).json["id"]
        mine = [(e["action"], e["detail"]) for e in audit if e["target"] == me]
        self.assertIn("password_changed", [a for a, _ in mine], mine)
        self.assertTrue(any(a == "login_failed" and "password change" in d and "from 127.0.0.1" in d for a, d in mine), mine)
        # Guessing the current password through an open session counts toward the lock (two
        # failures above, three more lock it).
        for _ in range(3):
            self.expect_error(change({"current_password": "guess-guess-1", "new_password": "Third-Pass-77"}, token), 400)
        self.expect_error(change({"current_password": "guess-guess-1", "new_password": "Third-Pass-77"}, token), 429)
        audit = self.expect(call("GET", "/api/v1/audit?page_size=100", token=T("admin")), 200).json["items"]
        self.assertTrue(any(e["action"] == "login_failed" and e["target"] == me and "locked: 5 failures within 5 minutes" in e["detail"]
                            for e in audit))

    def test_a_chunked_body_is_refused_before_it_is_read(self):
        import http.client
        conn = http.client.HTTPConnection(BASE.split("//")[1].split("/")[0], timeout=10)
        conn.putrequest("POST", "/api/v1/public/tickets")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        conn.send(b"10\r\n" + b"{\"content\":\"xxxx" + b"\r\n")
        r = conn.getresponse()
        body = json.loads(r.read())
        conn.close()
        self.assertEqual(r.status, 411, body)
        self.assertEqual(body["error"]["details"]["field"], "Content-Length")

    def test_two_different_lengths_and_an_overlong_url_are_refused_plainly(self):
        import http.client
        conn = http.client.HTTPConnection(BASE.split("//")[1].split("/")[0], timeout=10)
        conn.putrequest("POST", "/api/v1/public/tickets")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", "2")
        conn.putheader("Content-Length", "70")
        conn.endheaders()
        conn.send(b"{}")
        r = conn.getresponse()
        body = json.loads(r.read())
        conn.close()
        self.assertEqual((r.status, body["error"]["details"]["field"]), (400, "Content-Length"), body)
        self.assertIn("different values", body["error"]["message"])
        r = call("GET", "/api/v1/kb/search?q=" + urllib.parse.quote("电梯坏了" * 250), token=T("agent1"))
        self.assertEqual((r.status, r.json["error"]["code"]), (414, "uri_too_long"), r)
        self.assertIn("POST /api/v1/kb/suggest", r.json["error"]["message"])

    def test_logout_revokes_token(self):
        token = login("qa1")
        self.expect(call("POST", "/api/v1/auth/logout", token=token), 200)
        self.expect(call("GET", "/api/v1/auth/me", token=token), 401)


# ---- idempotency, lists, contacts, attachments ----------------------------------------------

class IntakeTest(Base):
    def test_idempotency_key(self):
        key = "wechat-msg-" + secrets.token_hex(8)
        body = {"channel": "wechat", "request_type": "help", "content": "小程序提交：小区停水两天了",
                "citizen": {"phone": "13700009999"}}
        r1 = self.expect(call("POST", "/api/v1/tickets", body, T("agent1"), {"Idempotency-Key": key}), 201)
        r2 = call("POST", "/api/v1/tickets", body, T("agent1"), {"Idempotency-Key": key})
        self.assertIn(r2.status, (200, 201), repr(r2))
        self.assertEqual(r2.json["id"], r1.json["id"])
        self.assertEqual(r2.json["number"], r1.json["number"])
        self.assertEqual(r2.headers.get("Idempotent-Replayed"), "true")
        r3 = self.expect(call("POST", "/api/v1/tickets", body, T("agent1"),
                              {"Idempotency-Key": key + "-other"}), 201)
        self.assertNotEqual(r3.json["id"], r1.json["id"])
        r4 = self.expect(call("POST", "/api/v1/tickets", body, T("agent1")), 201)
        r5 = self.expect(call("POST", "/api/v1/tickets", body, T("disp1"), {"Idempotency-Key": key}), 201)
        self.assertNotEqual(r5.json["id"], r1.json["id"], "keys are per user")
        self.assertNotIn(r4.json["id"], (r1.json["id"], r3.json["id"]))
        # The same key with another request is refused, not answered with the first ticket
        # (the portal's submissions, which share one actor, go through the same check).
        other = dict(body, content="小程序提交：另一件事", citizen={"phone": "13700001234"})
        r6 = call("POST", "/api/v1/tickets", other, T("agent1"), {"Idempotency-Key": key})
        self.expect_error(r6, 422, field="Idempotency-Key")
        self.assertNotIn("number", r6.json)

    def test_idempotency_key_under_concurrent_retries(self):
        key = "app-retry-" + secrets.token_hex(8)
        body = {"channel": "app", "request_type": "complaint", "content": "App 重试提交：夜间施工噪音扰民",
                "citizen": {"phone": "13700008888"}}
        results = []

        def submit():
            results.append(call("POST", "/api/v1/tickets", body, T("agent1"), {"Idempotency-Key": key}))

        threads = [threading.Thread(target=submit) for _ in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        self.assertEqual(len(results), 8)
        self.assertTrue(all(r.status in (200, 201) for r in results), results)
        self.assertEqual(len({r.json["id"] for r in results}), 1, "one ticket however many retries race")
        self.assertEqual(sum(r.status == 201 for r in results), 1)
        items, _ = self.list_all("admin", q="App 重试提交")
        self.assertEqual(len(items), 1)

    def test_list_filters_and_pagination(self):
        cats = self.expect(call("GET", "/api/v1/categories", token=T("agent1")), 200).json["items"]
        leaves = [c["code"] for c in cats if c["level"] == 3]
        self.assertTrue(leaves, "the default taxonomy has three levels")
        cat_x = leaves[0]
        cat_y = next(c for c in leaves if c[:2] != cat_x[:2])
        marker = "列表标记" + secrets.token_hex(4)
        made = []
        for i in range(5):
            made.append(self.create(content="%s 第%d件 物业问题" % (marker, i), category_code=cat_x))
        for i in range(2):
            made.append(self.create(content="%s 其他问题 %d" % (marker, i), category_code=cat_y))
        self.assertEqual(made[0]["category_code"], cat_x)
        ids = {t["id"] for t in made}

        items, totals = self.list_all("admin", q=marker, page_size=3)
        self.assertEqual(len(items), 7)
        self.assertEqual({x["id"] for x in items}, ids, "every ticket exactly once")
        self.assertEqual(len(totals), 3)
        self.assertTrue(all(n == 7 for n in totals), totals)
        self.assertEqual([x["id"] for x in items], sorted(ids, key=int, reverse=True), "newest first")
        # A queue reads oldest request first, every ticket once, page after page; what
        # happens to a ticket meanwhile (a note, a system tick) does not move it.
        self.act("agent1", made[1], "note", {"content": "补充说明"})
        items, totals = self.list_all("admin", q=marker, page_size=3, order="oldest")
        self.assertEqual([x["id"] for x in items], sorted(ids, key=int), "oldest first")
        self.assertEqual(totals, [7, 7, 7])
        self.expect_error(call("GET", "/api/v1/tickets" + q(order="due"), token=T("admin")), 400, field="order")

        def total(**params):
            r = self.expect(call("GET", "/api/v1/tickets" + q(q=marker, **params), token=T("admin")), 200)
            return r.json["total"], {x["id"] for x in r.json["items"]}

        self.assertEqual(total(category=cat_x)[0], 5)
        self.assertEqual(total(category=cat_x[:2])[0], 5, "a category prefix matches its subtree")
        self.assertEqual(total(category=cat_y)[0], 2)
        self.act("disp1", made[0], "dispatch", {"unit_id": U("dept_b")})
        self.act("disp1", made[5], "dispatch", {"unit_id": U("dept_b")})
        n, got = total(status="dispatched")
        self.assertEqual((n, got), (2, {made[0]["id"], made[5]["id"]}))
        self.assertEqual(total(status="received")[0], 5)
        self.assertEqual(total(unit_id=U("dept_b"))[1], {made[0]["id"], made[5]["id"]})
        self.assertEqual(total(unit_id=U("dept_a"))[0], 0)
        self.assertEqual(total(status="dispatched", category=cat_x)[1], {made[0]["id"]})
        # q also finds the number
        r = self.expect(call("GET", "/api/v1/tickets" + q(q=made[3]["number"]), token=T("admin")), 200)
        self.assertEqual([x["id"] for x in r.json["items"]], [made[3]["id"]])
        r = call("GET", "/api/v1/tickets" + q(status="flying"), token=T("admin"))
        self.expect_error(r, 400, field="status")
        r = call("GET", "/api/v1/tickets?q=%FF%FE", token=T("admin"))
        self.expect_error(r, 400, field="q")

        # the whole list, page by page, visits every ticket exactly once and agrees with total
        everything, totals = self.list_all("admin", page_size=7)
        all_ids = [x["id"] for x in everything]
        self.assertEqual(len(all_ids), len(set(all_ids)))
        self.assertEqual(len(all_ids), totals[0])
        self.assertTrue(ids <= set(all_ids))
        r = self.expect(call("GET", "/api/v1/tickets" + q(page_size=1000), token=T("admin")), 200)
        self.assertLessEqual(len(r.json["items"]), 100, "hard maximum page size")

    def test_contacts_do_not_bump_version(self):
        t = self.dispatched()
        v = self.get("admin", t)["version"]
        r = call("POST", "/api/v1/tickets/%s/contacts" % t["id"],
                 {"channel": "phone", "kind": "chase", "content": "市民再次来电催促，情绪较急"}, T("agent1"))
        self.expect(r, 201)
        self.assertEqual(r.json["kind"], "chase")
        self.assertEqual(r.json["content"], "市民再次来电催促，情绪较急")
        self.assertEqual(self.get("admin", t)["version"], v)
        self.assertEqual(self.event_types(t)[-1], "contact_added")
        listed = self.expect(call("GET", "/api/v1/tickets/%s/contacts" % t["id"], token=T("agent1")), 200).json
        self.assertIn("市民再次来电催促，情绪较急", [c["content"] for c in listed["items"]])
        r = call("POST", "/api/v1/tickets/%s/contacts" % t["id"], {"channel": "phone", "kind": "gossip",
                                                                  "content": "x"}, T("agent1"))
        self.expect_error(r, 400, field="kind")
        # A retried chase (the same Idempotency-Key) is recorded once: chase counts and seat
        # planning see one call.
        chase = {"channel": "wechat", "kind": "chase", "content": "第三次催办"}
        key = {"Idempotency-Key": "chase-" + secrets.token_hex(4)}
        first = self.expect(call("POST", "/api/v1/tickets/%s/contacts" % t["id"], chase, T("agent1"), headers=key), 201)
        again = self.expect(call("POST", "/api/v1/tickets/%s/contacts" % t["id"], chase, T("agent1"), headers=key), 200)
        self.assertEqual(again.json["id"], first.json["id"])
        self.assertEqual(again.headers.get("Idempotent-Replayed"), "true")
        listed = self.expect(call("GET", "/api/v1/tickets/%s/contacts" % t["id"], token=T("agent1")), 200).json
        self.assertEqual([c["content"] for c in listed["items"]].count("第三次催办"), 1)
        self.assertEqual(self.event_types(t).count("contact_added"), 2)
        r = call("POST", "/api/v1/tickets/%s/contacts" % t["id"], dict(chase, content="另一件事"), T("agent1"), headers=key)
        self.expect_error(r, 422, field="Idempotency-Key")
        # Someone ringing from another phone: shown on the contact as the ticket's citizen would
        # be, and the ticket is in that phone's caller history.
        other = {"channel": "phone", "kind": "supplement", "content": "邻居补充：井盖旁还有积水",
                 "citizen": {"phone": "13812340505", "name": "补充人"}}
        r = self.expect(call("POST", "/api/v1/tickets/%s/contacts" % t["id"], other, T("agent1")), 201)
        self.assertEqual((r.json["citizen"]["phone"], r.json["citizen"]["name"]), ("13812340505", "补充人"))
        listed = self.expect(call("GET", "/api/v1/tickets/%s/contacts" % t["id"], token=T("qa1")), 200).json
        [mine] = [c for c in listed["items"] if c["content"].startswith("邻居补充")]
        self.assertEqual(mine["citizen"]["phone"], "138****0505", "masked for QA")
        self.assertTrue(mine["citizen"]["masked"])
        history, _ = self.list_all("agent1", phone="13812340505")
        self.assertIn(t["id"], [x["id"] for x in history])

    def test_attachments_round_trip(self):
        t = self.in_progress()
        data = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 40 + b"\x00\xff\xd9"
        r = call("POST", "/api/v1/tickets/%s/attachments?name=photo.jpg" % t["id"], raw=data, token=T("h_a"),
                 headers={"Content-Type": "image/jpeg"})
        self.expect(r, 201)
        att = r.json
        self.assertEqual((att["name"], att["mime"], att["size"]), ("photo.jpg", "image/jpeg", len(data)))
        got = self.expect(call("GET", "/api/v1/attachments/" + att["id"], token=T("h_a")), 200)
        self.assertEqual(got.body, data)
        self.assertTrue(got.headers.get("Content-Type", "").startswith("image/jpeg"))
        listed = self.expect(call("GET", "/api/v1/tickets/%s/attachments" % t["id"], token=T("agent1")), 200)
        self.assertEqual([a["id"] for a in listed.json["items"]], [att["id"]])
        self.assertIn(call("GET", "/api/v1/attachments/" + att["id"], token=T("h_b")).status, (403, 404))
        # Analysts see nothing of the citizen, and a photo may show them: listed, not opened.
        self.expect(call("GET", "/api/v1/tickets/%s/attachments" % t["id"], token=T("ana1")), 200)
        self.expect_error(call("GET", "/api/v1/attachments/" + att["id"], token=T("ana1")), 403)
        r = call("POST", "/api/v1/tickets/%s/attachments?name=big.bin" % t["id"], raw=b"\0" * (5 * 1024 * 1024 + 1),
                 token=T("h_a"), headers={"Content-Type": "application/octet-stream"})
        self.expect(r, 413)
        # Served as what its bytes are, never as the upload said: HTML (a browser would run it)
        # as bytes to save, though it was sent as HTML or as a PNG; a PNG sent with no type as
        # a PNG. The upload's own type stays on record.
        served = []
        for body, sent in ((b"<script>alert(1)</script>", "text/html"), (b"<html><script>x()</script>", "image/png"),
                           (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, None), ("现场情况说明".encode(), "text/plain"),
                           ("BMW车辆长期占用消防通道，已经一周".encode(), "text/plain")):
            r = call("POST", "/api/v1/tickets/%s/attachments?name=x.png" % t["id"], raw=body, token=T("h_a"),
                     headers={"Content-Type": sent} if sent else {"Content-Type": ""})
            self.expect(r, 201)
            if sent: self.assertEqual(r.json["mime"], sent)
            served.append(self.expect(call("GET", "/api/v1/attachments/" + r.json["id"], token=T("h_a")), 200).headers.get("Content-Type"))
        self.assertEqual(served, ["application/octet-stream", "application/octet-stream", "image/png", "text/plain; charset=utf-8",
                                  "text/plain; charset=utf-8"])
        # a Chinese file name survives
        name = urllib.parse.quote("现场照片.jpg")
        r = call("POST", "/api/v1/tickets/%s/attachments?name=%s" % (t["id"], name), raw=b"\x01\x02",
                 token=T("h_a"), headers={"Content-Type": "image/jpeg"})
        self.expect(r, 201)
        self.assertEqual(r.json["name"], "现场照片.jpg")
        # A reply cites this ticket's files only: another ticket's file or an unknown id is named.
        other = self.in_progress(unit="dept_b", handler="h_b")
        r = call("POST", "/api/v1/tickets/%s/attachments?name=x.jpg" % other["id"], raw=b"\x01", token=T("h_b"),
                 headers={"Content-Type": "image/jpeg"})
        foreign = self.expect(r, 201).json["id"]
        for bad in (foreign, "123456789"):
            r = call("POST", "/api/v1/tickets/%s/actions/reply" % t["id"],
                     {"content": "已处理", "attachment_ids": [att["id"], bad]}, T("h_a"))
            self.expect_error(r, 400, field="attachment_ids[1]")
        replied = self.act("h_a", t, "reply", {"content": "已处理，见照片。", "attachment_ids": [att["id"]]})
        self.assertEqual(replied["status"], "replied")
        # A ticket holds at most 200 files: as many as its list shows and a reply may cite.
        held = len(self.expect(call("GET", "/api/v1/tickets/%s/attachments" % other["id"], token=T("h_b")), 200).json["items"])
        for i in range(190 - held):
            self.expect(call("POST", "/api/v1/tickets/%s/attachments?name=f%d.jpg" % (other["id"], i), raw=b"\x01",
                             token=T("h_b"), headers={"Content-Type": "image/jpeg"}), 201)
        # The last places are raced for: 30 uploads at once, exactly 10 get in.
        codes = []
        def upload(i):
            codes.append(call("POST", "/api/v1/tickets/%s/attachments?name=r%d.jpg" % (other["id"], i), raw=b"\x01",
                              token=T("h_b"), headers={"Content-Type": "image/jpeg"}).status)
        racers = [threading.Thread(target=upload, args=(i,)) for i in range(30)]
        for th in racers: th.start()
        for th in racers: th.join()
        self.assertEqual(sorted(codes), [201] * 10 + [422] * 20)
        listed = self.expect(call("GET", "/api/v1/tickets/%s/attachments" % other["id"], token=T("h_b")), 200).json
        self.assertEqual((len(listed["items"]), listed["total"]), (200, 200))
        r = call("POST", "/api/v1/tickets/%s/attachments?name=one-more.jpg" % other["id"], raw=b"\x01", token=T("h_b"),
                 headers={"Content-Type": "image/jpeg"})
        self.expect_error(r, 422)


# ---- the citizen's public view ------------------------------------------------------------

class PublicTest(Base):
    def test_public_progress_hides_personal_and_internal_data(self):
        t = self.create(citizen={"name": "钱七", "phone": PHONE, "id_number": "110101199003071233"},
                        content="望江路井盖缺失，存在安全隐患。")
        self.act("disp1", t, "dispatch", {"unit_id": U("dept_a"), "note": "内部派单说明甲乙丙"})
        self.act("h_a", t, "return", {"reason": "内部退单理由丁戊己"})
        self.act("disp1", t, "redispatch", {"unit_id": U("dept_b")})
        self.act("h_b", t, "accept")
        self.act("h_b", t, "note", {"content": "内部备注庚辛壬"})
        self.act("h_b", t, "reply", {"content": "已补装井盖。"})
        r = call("GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(phone_last4=PHONE[-4:])))
        self.expect(r, 200)
        p = r.json
        self.assertEqual(p["number"], t["number"])
        self.assertEqual(p["status"], "replied")
        types = [e["type"] for e in p["timeline"]]
        self.assertIn("created", types)
        # A reply is shown to the citizen only once the review approves it.
        self.assertNotIn("replied", types)
        self.assertNotIn("已补装井盖", r.text)
        for secret in ("钱七", PHONE, "110101199003071233", "内部退单理由丁戊己", "内部备注庚辛壬",
                       "内部派单说明甲乙丙", t["query_code"]):
            self.assertNotIn(secret, r.text)
        for key in ("citizen", "name", "phone", "content"):
            self.assertNotIn(key, p)
        self.assertNotIn("returned", types)
        self.assertNotIn("noted", types)

        self.act("rev1", t, "review", {"decision": "approve"})
        r = call("GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(code=t["query_code"])))
        self.expect(r, 200)
        self.assertEqual(r.json["number"], t["number"])
        approved = [e for e in r.json["timeline"] if e["type"] == "reviewed"]
        self.assertEqual(approved[0]["content"], "已补装井盖。")

    def test_the_portal_masks_numbers_in_answers_and_speaks_a_citizens_words(self):
        t = self.create(citizen={"phone": "13566667777"}, content="楼上装修噪音很大，影响休息。")
        self.act("disp1", t, "dispatch", {"unit_id": U("dept_a")})
        look = lambda: call_from("127.0.0.15", "GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(code=t["query_code"])))
        self.assertEqual(self.expect(look(), 200).json["status_label"], "已转交承办单位")
        self.act("h_a", t, "accept")
        self.act("h_a", t, "reply", {"content": "已联系装修户赵强（身份证110105194912310020，电话13988887777），来电人（13566667777）已知悉。"})
        self.act("rev1", t, "review", {"decision": "approve"})
        r = self.expect(look(), 200)
        # Anyone with the number and four digits reads this page: the answer's numbers are masked.
        for whole in ("110105194912310020", "13988887777", "13566667777"):
            self.assertNotIn(whole, r.text)
        approved = [e for e in r.json["timeline"] if e["type"] == "reviewed"][0]
        self.assertIn("电话139****7777", approved["content"])
        self.assertEqual(r.json["status_label"], "已答复，待评价")
        # A submission screened as an emergency tells the citizen whom to call now.
        e = self.expect(call_from("127.0.0.16", "POST", "/api/v1/public/tickets",
                                  {"content": "我家厨房燃气泄漏了，味道很大，现在不敢开灯怎么办", "phone": "13755556666"}), 201).json
        self.assertEqual(e["emergency"]["transfer"], "119")
        plain = self.expect(call_from("127.0.0.16", "POST", "/api/v1/public/tickets",
                                      {"content": "小区门口路灯坏了好几天了", "phone": "13755556666"}), 201).json
        self.assertNotIn("emergency", plain)

    def test_public_wrong_last4_is_404(self):
        t = self.create(citizen={"phone": "13566667777"})
        r = call("GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(phone_last4="1234")))
        self.expect_error(r, 404)
        r = call("GET", "/api/v1/public/tickets/%s%s" % ("209901010000001", q(phone_last4="7777")))
        self.expect_error(r, 404, "not_found")
        self.expect(call("GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(phone_last4="7777"))), 200)
        # A misspelt or extra parameter, or both proofs at once, is refused by name.
        r = call("GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(phone_last4="7777", x="1")))
        self.expect_error(r, 400, field="x")
        r = call("GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(phone_last4="7777", code="ABCDEF")))
        self.expect_error(r, 400, field="phone_last4")
        # A typo is named, not counted as a wrong try; the query code reads in either case.
        # (From an address of its own: the look-ups of this class share a minute's limit.)
        for typo in ("77a7", "77777", "    "):
            r = call_from("127.0.0.6", "GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(phone_last4=typo)))
            self.expect_error(r, 400, field="phone_last4")
        r = call_from("127.0.0.6", "GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(phone_last4="1235")))
        self.assertIn("3 tries by phone digits left", r.json["error"]["message"])
        self.expect(call_from("127.0.0.6", "GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(code=t["query_code"].lower()))), 200)

    def test_public_rate_limit_says_when_to_come_back(self):
        codes = []
        for _ in range(40):
            r = call_from("127.0.0.9", "GET", "/api/v1/public/kb/search" + q(q="电梯"))
            codes.append(r.status)
            if r.status == 429:
                break
        self.assertEqual(codes[-1], 429, codes)
        self.assertEqual(r.headers.get("Retry-After"), "1")  # 60 a minute: a request a second

    def test_a_refused_submission_costs_no_submission(self):
        # Fifteen forms with a mistake (the burst is 10): each refused by name, and the
        # corrected form still goes in.
        mistakes = [({"content": "小区路灯不亮已经一周"}, "phone"),
                    ({"content": "小区路灯不亮已经一周", "phone": "1391234567"}, "phone"),  # a digit short
                    ({"content": "路灯", "phone": "13912345678"}, "content")]
        for i in range(15):
            body, field = mistakes[i % 3]
            self.expect_error(call_from("127.0.0.17", "POST", "/api/v1/public/tickets", body), 400, field=field)
        r = call_from("127.0.0.17", "POST", "/api/v1/public/tickets",
                      {"content": "小区路灯不亮已经一周", "phone": "13912345678"})
        self.expect(r, 201)

    def test_public_lookup_locks_after_five_failures(self):
        t = self.create(citizen={"phone": "13512348888"})
        for i in range(5):
            r = call("GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(phone_last4="%04d" % i)))
            self.expect(r, 404, "wrong try %d" % (i + 1))
            self.assertIn("%d tries by phone digits left" % (4 - i), r.json["error"]["message"])
        r = call("GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(phone_last4="8888")))
        self.expect_error(r, 429)
        self.assertIn("query code", r.json["error"]["message"])
        # The query code still opens it: guessing digits on purpose cannot lock the citizen out.
        r = call("GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(code=t["query_code"])))
        self.expect(r, 200)

    def test_wrong_query_codes_do_not_lock_the_phone_digits(self):
        t = self.create(citizen={"phone": "13512349999"})
        for i in range(8):
            r = call_from("127.0.0.3", "GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(code="WRONG%03d" % i)))
            self.expect(r, 404, "wrong code %d" % (i + 1))
        self.expect(call("GET", "/api/v1/public/tickets/%s%s" % (t["number"], q(phone_last4="9999"))), 200)

    def test_behind_a_trusted_proxy_each_citizen_has_a_limit_of_their_own(self):
        # A second server on the same database, told that 127.0.0.1 is its reverse proxy.
        port = free_port()
        proc = subprocess.Popen([HOTLINE, "serve", "--db", os.path.join(W.tmp.name, "city.db"), "--listen",
                                 "127.0.0.1:%d" % port, "--threads", "4", "--trusted-proxy", "127.0.0.1"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent)
        try:
            def search(forwarded, source="127.0.0.1"):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
                try:
                    conn.request("GET", "/api/v1/public/kb/search" + q(q="电梯"), headers={"X-Forwarded-For": forwarded})
                    return conn.getresponse().status
                finally:
                    conn.close()
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    if search("198.51.100.250") == 200: break
                except OSError:
                    time.sleep(0.1)
            # Thirty citizens through the proxy: none is held back by the others.
            self.assertEqual({search("198.51.100.%d, 127.0.0.1" % i) for i in range(30)}, {200})
            # One citizen asking thirty times is, whatever port the proxy writes beside it, and
            # a hop the client wrote on a header line of its own before the proxy's is not read.
            self.assertIn(429, [search("198.51.100.77:%d" % (5000 + i)) for i in range(30)])
            def forged(i):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                try:
                    conn.putrequest("GET", "/api/v1/public/kb/search" + q(q="电梯"))
                    conn.putheader("X-Forwarded-For", "192.0.2.%d" % i)
                    conn.putheader("X-Forwarded-For", "198.51.100.88")
                    conn.endheaders()
                    return conn.getresponse().status
                finally:
                    conn.close()
            self.assertIn(429, [forged(i) for i in range(30)])
            # A client that is not the proxy cannot pick its address by the header.
            self.assertIn(429, [search("203.0.113.%d" % i, source="127.0.0.11") for i in range(30)])
        finally:
            proc.terminate()
            proc.wait(10)
        for bad in ("nginx", "1.2.3", "127.0.0.1:8080", "10.0.0.0/8"):
            r = subprocess.run([HOTLINE, "serve", "--db", os.path.join(W.tmp.name, "city.db"), "--trusted-proxy", bad],
                               capture_output=True, text=True, timeout=30)
            self.assertNotEqual(r.returncode, 0, bad)
            self.assertIn("trusted-proxy", r.stderr + r.stdout, bad)


# ---- operations --------------------------------------------------------------------------

class OperationsTest(Base):
    def test_metrics(self):
        self.create()
        r = self.expect(call("GET", "/metrics"), 200)
        lines = r.text.splitlines()
        self.assertTrue(any(l.startswith("hotline_http_requests_total{") for l in lines), r.text[:500])
        self.assertTrue(any(l.startswith('hotline_tickets{status="received"}') for l in lines), r.text[-500:])
        self.assertTrue(any('route="POST /api/v1/tickets"' in l for l in lines))
        self.expect(call("GET", "/healthz"), 200)
        # A handler that only sets content answers 200, and is counted as 200 (not as -1).
        lines = self.expect(call("GET", "/metrics"), 200).text.splitlines()
        self.assertTrue(any(l.startswith('hotline_http_requests_total{route="GET /healthz",status="200"}') for l in lines),
                        [l for l in lines if "healthz" in l])
        self.assertFalse(any('status="-1"' in l for l in lines), [l for l in lines if 'status="-1"' in l])

    def test_failed_requests_write_nothing(self):
        def total():
            return self.expect(call("GET", "/api/v1/tickets?page_size=1", token=T("admin")), 200).json["total"]
        before = total()
        r = call("POST", "/api/v1/tickets", {"channel": "web", "request_type": "help", "content": "分类不存在",
                                              "category_code": "999999"}, T("agent1"))
        self.expect_error(r, 400, field="category_code")
        r = call("POST", "/api/v1/tickets", {"channel": "web", "request_type": "help", "content": "区域不存在",
                                              "area_id": "123456789"}, T("agent1"))
        self.expect_error(r, 400, field="area_id")
        r = call("POST", "/api/v1/tickets", {"channel": "web", "request_type": "gossip", "content": "类型不对"},
                 T("agent1"))
        self.expect_error(r, 400, field="request_type")
        self.assertEqual(total(), before)
        t = self.create()
        events_before = self.event_types(t)
        r = call("POST", "/api/v1/tickets/%s/actions/dispatch" % t["id"],
                 {"unit_id": U("dept_a"), "assisting_unit_ids": [U("dept_a")]}, T("disp1"))
        self.expect_error(r, 400, field="assisting_unit_ids[0]")
        r = call("POST", "/api/v1/tickets/%s/actions/dispatch" % t["id"], {"unit_id": U("hub")}, T("disp1"))
        self.expect_error(r, 400, field="unit_id")
        got = self.get("admin", t)
        self.assertEqual((got["status"], got["version"], got["assignments"]), ("received", 1, []))
        self.assertEqual(self.event_types(t), events_before)
        self.assertEqual(total(), before + 1)



# ---- what the screens read: dashboard, queues, citizen portal, the app itself -------------

class ReferenceListTest(Base):
    def test_what_two_administrators_send_at_once_is_checked_as_if_one_after_the_other(self):
        # A double click or two administrators: names and rules are unique in the write itself.
        def at_once(path, body, n=4):
            statuses = []
            threads = [threading.Thread(target=lambda: statuses.append(call("POST", path, body, T("admin")).status))
                       for _ in range(n)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return sorted(statuses)
        tag = secrets.token_hex(3)
        self.assertEqual(at_once("/api/v1/areas", {"name": "并发区" + tag, "kind": "district"}), [201, 409, 409, 409])
        self.assertEqual(at_once("/api/v1/units", {"name": "并发单位" + tag, "kind": "department", "parent_id": U("hub")}),
                         [201, 409, 409, 409])
        rule = {"category_prefix": "01", "area_id": None, "lead_unit_id": U("dept_a"), "priority": 700 + secrets.randbelow(200)}
        self.assertEqual(at_once("/api/v1/dispatch-rules", rule), [201, 409, 409, 409])
        group = {"terms": ["并发词" + tag, "同时词" + tag]}
        self.assertEqual(at_once("/api/v1/kb/synonyms", group), [201, 409, 409, 409])
        # Misspelt parameters are named, not ignored (a roster or log read whole instead).
        self.expect_error(call("GET", "/api/v1/users?rolee=agent", token=T("admin")), 400, field="rolee")
        self.expect_error(call("GET", "/api/v1/audit?action=login", token=T("admin")), 400, field="action")
        self.expect_error(call("GET", "/api/v1/units?kind=street", token=T("admin")), 400, field="kind")
        # The directory's tester answers for categories the taxonomy has.
        self.expect_error(call("GET", "/api/v1/dispatch-rules?category=zz", token=T("admin")), 400, field="category")
        # A category's name is visible text: no NUL, no BEL, not an invisible character alone.
        for name in ("x\u0000y", "新\u0007顶级", "\u200b"):
            self.expect_error(call("POST", "/api/v1/categories", {"code": "Z9", "name": name}, T("admin")), 400, field="name")

    def pages(self, path, size, **params):
        items, cursor, totals = [], None, set()
        for _ in range(1000):
            more = {"cursor": cursor} if cursor else {}
            r = self.expect(call("GET", path + q(page_size=size, **more, **params), token=T("admin")), 200)
            self.assertLessEqual(len(r.json["items"]), size)
            items += r.json["items"]
            totals.add(r.json["total"])
            cursor = r.json["next_cursor"]
            if not cursor:
                return items, totals
        self.fail(path + ": next_cursor never ends")

    def test_reference_lists_page_by_cursor_and_the_pages_make_the_whole_list(self):
        cats = self.expect(call("GET", "/api/v1/categories", token=T("admin")), 200).json["items"]
        for c in cats[:2]:  # two directory rules, removed again afterwards
            r = self.expect(call("POST", "/api/v1/dispatch-rules", {"category_prefix": c["code"], "lead_unit_id": U("dept_a")},
                                 T("admin")), 201)
            self.addCleanup(call, "DELETE", "/api/v1/dispatch-rules/" + r.json["id"], None, T("admin"))
        for path, key in [("/api/v1/units", "id"), ("/api/v1/areas", "id"), ("/api/v1/categories", "code"),
                          ("/api/v1/dispatch-rules", "id")]:
            whole = self.expect(call("GET", path, token=T("admin")), 200).json
            self.assertGreaterEqual(whole["total"], 2, path)
            self.assertEqual(len(whole["items"]), whole["total"], path + ": the default page holds a small list whole")
            self.assertIsNone(whole["next_cursor"], path)
            paged, totals = self.pages(path, 1)
            self.assertEqual(totals, {whole["total"]}, path)
            self.assertEqual([x[key] for x in paged], [x[key] for x in whole["items"]], path)
            keys = [int(x[key]) if key == "id" else x[key] for x in paged]
            self.assertEqual(keys, sorted(set(keys)), path + ": in key order, each once")
        cats = self.expect(call("GET", "/api/v1/categories" + q(page_size=1), token=T("admin")), 200).json
        self.assertIn("version", cats)
        self.expect_error(call("GET", "/api/v1/units" + q(cursor="abc"), token=T("admin")), 400, field="cursor")
        self.expect_error(call("GET", "/api/v1/areas" + q(page_size=0), token=T("admin")), 400, field="page_size")
        self.expect_error(call("GET", "/api/v1/categories" + q(cursor="x" * 65), token=T("admin")), 400, field="cursor")


class ScreensTest(Base):
    def overview(self, who="admin", status=200, **params):
        r = call("GET", "/api/v1/stats/overview" + q(**params), token=T(who))
        self.assertEqual(r.status, status, repr(r))
        return r.json

    def test_overview_counts_follow_intake_and_the_lifecycle(self):
        before = self.overview()
        t = self.create(channel="wechat")
        after = self.overview()
        self.assertEqual(after["intake_today"]["total"], before["intake_today"]["total"] + 1)
        by_channel = lambda o: {c["channel"]: c["count"] for c in o["intake_today"]["by_channel"]}
        self.assertEqual(by_channel(after).get("wechat", 0), by_channel(before).get("wechat", 0) + 1)
        self.assertEqual(len(after["intake_today"]["by_hour"]), 24)
        self.assertEqual(sum(after["intake_today"]["by_hour"]), after["intake_today"]["total"])
        by_status = lambda o: {s["status"]: s["count"] for s in o["open"]["by_status"]}
        self.assertEqual(by_status(after).get("received", 0), by_status(before).get("received", 0) + 1)
        self.assertEqual(after["open"]["total"], sum(by_status(after).values()))
        self.assertEqual(after["rates"]["created"], before["rates"]["created"] + 1)
        # The open backlog agrees with the ticket list's own count.
        listed = self.expect(call("GET", "/api/v1/tickets" + q(status="received", page_size=1), token=T("admin")), 200)
        self.assertEqual(by_status(after)["received"], listed.json["total"])

        # A ticket answered and rated satisfied puts its unit in the ranking with a score.
        done = self.awaiting_callback()
        self.act("cb1", done, "callback", {"outcome": "reached", "rating": "very_satisfied"})
        o = self.overview()
        units = {u["unit_id"]: u for u in o["units"]}
        self.assertIn(U("dept_a"), units)
        a = units[U("dept_a")]
        self.assertGreaterEqual(a["rated"], 1)
        self.assertIsNotNone(a["score"])
        def places(us):  # equal scores share a place (并列): 1, 1, 3
            out = []
            for i, u in enumerate(us):
                out.append(out[-1] if i and us[i - 1]["score"] == u["score"] else i + 1)
            return out
        scores = [u["score"] for u in o["units"] if u["score"] is not None]
        self.assertEqual(scores, sorted(scores, reverse=True))
        # 红黑榜 as the reports draw it: scored units with at least 3 orders, at most half each;
        # the unit table gives each the same 名次, and none to a unit not judged.
        is_judged = lambda u: u["score"] is not None and u["dispatched"] >= 3
        judged = [u for u in o["units"] if is_judged(u)]
        self.assertEqual([u["rank"] for u in judged], places(judged))
        self.assertTrue(all(u["rank"] is None for u in o["units"] if not is_judged(u)))
        n = min(5, len(judged) // 3)
        self.assertEqual(o["board"], {"red": judged[:n], "black": judged[::-1][:n], "judged": len(judged), "places": n})
        self.assertNotIn(U("hub"), units, "centres relay; they are not ranked")
        self.assertGreater(o["rates"]["satisfaction_rate"], 0)
        self.assertLessEqual(o["rates"]["completion_rate"], 1)
        self.assertIn(t["number"], [x["number"] for x in self.list_all("admin", status="received")[0]])

        # A withdrawn ticket is neither completed nor owed: 办结率 leaves it out.
        before = self.overview()["rates"]
        w = self.create()
        self.act("agent1", w, "withdraw", {"reason": "市民来电表示问题已自行解决，申请撤单"})
        after = self.overview()["rates"]
        self.assertEqual((after["created"], after["closed"]), (before["created"], before["closed"]))

    def test_ranking_keeps_the_orders_a_unit_returned(self):
        unit = lambda: {u["unit_id"]: u for u in self.overview()["units"]}.get(U("dept_a"), {"dispatched": 0, "returned": 0})
        before = unit()
        t = self.dispatched("dept_a")
        t = self.act("h_a", t, "return", {"reason": "路灯属城管局管理，非本单位职责"})
        self.act("disp1", t, "redispatch", {"unit_id": U("dept_b"), "note": "改派城管局"})
        after = unit()
        # The returned order (superseded once re-dispatched) still counts as dispatched to it.
        self.assertEqual((after["dispatched"], after["returned"]), (before["dispatched"] + 1, before["returned"] + 1))

    def test_ranking_counts_returns_of_the_periods_orders(self):
        old = self.dispatched("dept_a")  # dispatched before the period
        time.sleep(1.1)
        start = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
        self.act("h_a", old, "return", {"reason": "非本单位职责"})
        self.dispatched("dept_a")
        end = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=5)).isoformat(timespec="milliseconds")
        units = {u["unit_id"]: u for u in self.overview(**{"from": start, "to": end})["units"]}
        self.assertEqual((units[U("dept_a")]["dispatched"], units[U("dept_a")]["returned"]), (1, 0),
                         "a return of an order dispatched before the period is not one of its orders")

    def test_staffing_plans_seats_and_refuses_bad_parameters(self):
        r = self.expect(call("GET", "/api/v1/stats/staffing?weeks=1&channel=phone,web&aht=240&shrinkage=0.25",
                             token=T("sup1")), 200).json
        self.assertEqual(len(r["hours"]), 168)
        self.assertEqual(r["channels"], ["phone", "web"])
        self.assertEqual(r["target"]["aht_s"], 240)
        self.assertEqual(r["target"]["shrinkage"], 0.25)
        self.assertEqual(r["weeks"], 1)
        self.assertEqual([h["weekday"] for h in r["hours"][::24]], [1, 2, 3, 4, 5, 6, 7])
        # 多援一: the centres answering these lines, each alone, against the pool the plan is.
        self.assertEqual(r["pooling"]["centres"], len(r["centres"]))
        self.assertEqual(r["pooling"]["pooled_agent_hours_per_week"], r["summary"]["agent_hours_per_week"])
        self.assertGreaterEqual(r["pooling"]["saved_agent_hours_per_week"], 0)
        self.assertEqual(sum(c["contacts"] for c in r["centres"]), r["contacts"])
        self.expect_error(call("GET", "/api/v1/stats/staffing", token=T("agent1")), 403)
        self.expect_error(call("GET", "/api/v1/stats/staffing?aht=fast", token=T("admin")), 400, field="aht")
        # A misspelt parameter is refused by name, not ignored (a city-wide answer that reads as a filtered one).
        self.expect_error(call("GET", "/api/v1/stats/staffing?ahd=240", token=T("admin")), 400, field="ahd")
        self.expect_error(call("GET", "/api/v1/reports/special?catgory=01", token=T("admin")), 400, field="catgory")
        self.expect_error(call("GET", "/api/v1/stats/overview?form=2026-11-01", token=T("admin")), 400, field="form")
        self.expect_error(call("GET", "/api/v1/stats/staffing?service_level=1.5", token=T("admin")), 400,
                          field="service_level")
        self.expect_error(call("GET", "/api/v1/stats/staffing?weeks=52", token=T("admin")), 400, field="weeks")
        self.expect_error(call("GET", "/api/v1/stats/staffing?channel=fax", token=T("admin")), 400, field="channel")
        self.expect_error(call("GET", "/api/v1/stats/staffing?aht=nan", token=T("admin")), 400, field="aht")
        self.expect_error(call("GET", "/api/v1/stats/staffing?min_agents=-1", token=T("admin")), 400, field="min_agents")
        quiet = self.expect(call("GET", "/api/v1/stats/staffing?min_agents=0", token=T("admin")), 200).json
        self.assertEqual(quiet["target"]["min_agents"], 0)
        # Callers who hang up: Erlang A, each hour with its share lost.
        a = self.expect(call("GET", "/api/v1/stats/staffing?patience=60&max_abandon=0.03", token=T("admin")), 200).json
        self.assertEqual(a["target"]["patience_s"], 60)
        self.assertEqual(a["target"]["max_abandon"], 0.03)
        self.assertTrue(all(0 <= h["abandon_rate"] <= 0.03 for h in a["hours"]), "every hour within the cap")
        self.expect_error(call("GET", "/api/v1/stats/staffing?patience=0.5", token=T("admin")), 400, field="patience")
        self.expect_error(call("GET", "/api/v1/stats/staffing?patience=60&max_abandon=0", token=T("admin")), 400,
                          field="max_abandon")

    def test_overview_scope_and_errors(self):
        r = call("GET", "/api/v1/stats/overview", token=T("h_a"))
        self.expect_error(r, 403)
        self.expect_error(call("GET", "/api/v1/stats/overview?from=yesterday", token=T("admin")), 400, field="from")
        self.expect_error(call("GET", "/api/v1/stats/overview", token=None), 401)
        # A district dispatcher sees its own centre's intake and what is dispatched into its
        # district, as its lists do: none of the hub's other tickets.
        self.create()
        o = self.overview("disp_dc")
        listed = call("GET", "/api/v1/tickets?page_size=1", token=T("disp_dc")).json["total"]
        self.assertEqual(o["intake_today"]["total"], listed)
        relayed = self.create()
        self.act("disp1", relayed, "dispatch", {"unit_id": U("dc"), "mode": "relay"})
        after = self.overview("disp_dc")
        self.assertEqual(after["intake_today"]["total"], o["intake_today"]["total"] + 1)
        self.assertEqual(after["open"]["total"], o["open"]["total"] + 1)

    def test_reports_weekly_monthly_and_special(self):
        self.create()
        today = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).date()
        tomorrow = today + datetime.timedelta(days=1)
        # A special report over today: every ticket of this run, against an empty day before.
        r = self.expect(call("GET", "/api/v1/reports/special" + q(**{"from": str(today), "to": str(tomorrow)}), token=T("sup1")), 200).json
        listed = call("GET", "/api/v1/tickets?page_size=1", token=T("sup1")).json["total"]
        self.assertEqual((r["kind"], r["scope"]), ("special", "全市"))
        self.assertEqual(r["summary"]["received"], listed)
        self.assertLessEqual(r["summary"]["rate_base"], listed)
        self.assertEqual(r["summary"]["received_prev"], 0)
        self.assertIsNone(r["summary"]["received_change"])
        # Today is still running: it is compared with as much of yesterday.
        self.assertFalse(r["period"]["complete"])
        self.assertEqual(r["previous"]["from"][:10], str(today - datetime.timedelta(days=1)))
        self.assertLess(r["previous"]["to"], r["period"]["from"])
        self.assertEqual(sum(c["count"] for c in r["categories"]) <= listed, True)
        red = {u["unit_id"] for u in r["red_list"]}
        self.assertFalse(red & {u["unit_id"] for u in r["black_list"]}, "no unit on both lists")
        for u in r["red_list"] + r["black_list"]:
            self.assertIsNotNone(u["score"])
        self.assertEqual(set(r["alerts"]), {"repeat_caller", "duplicate_cluster", "emergency"})
        # This week, still running; last month by default, complete.
        w = self.expect(call("GET", "/api/v1/reports/weekly" + q(date=str(today)), token=T("ana1")), 200).json
        self.assertFalse(w["period"]["complete"])
        self.assertLessEqual(w["period"]["from"][:10], str(today))
        self.assertTrue(w["title"].startswith("12345 热线周报"))
        self.assertGreaterEqual(w["summary"]["received"], listed)
        m = self.expect(call("GET", "/api/v1/reports/monthly", token=T("disp1")), 200).json
        self.assertTrue(m["period"]["complete"])
        self.assertLess(m["period"]["from"][:10], str(today.replace(day=1)))
        # Markdown to download.
        req = urllib.request.Request(BASE + "/api/v1/reports/weekly?format=markdown&date=" + str(today),
                                     headers={"Authorization": "Bearer " + T("sup1")})
        with urllib.request.urlopen(req, timeout=30) as resp:
            self.assertIn("text/markdown", resp.headers["Content-Type"])
            self.assertIn("attachment", resp.headers["Content-Disposition"])
            md = resp.read().decode("utf-8")
        self.assertTrue(md.startswith("# 12345 热线周报"), md[:80])
        for section in ("## 一、总体情况", "## 二、诉求分类", "## 五、承办单位红黑榜", "## 六、预警提示"):
            self.assertIn(section, md)
        # Each rate says what it counts, as the JSON does.
        s = w["summary"]
        self.assertIn("| 满意率 | ", md)
        # A rate is printed as the screen prints it: its exact fraction rounded half up
        # (81.25 is 81.3, not printf's even 81.2; 41/80 is 51.3, not its binary 51.2499…).
        for n, d, zh in (("satisfied", "rated", "满意率"), ("on_time", "on_time_base", "按时办结率")):
            shown = "—" if not s[d] else str((decimal.Decimal(s[n] * 100) / decimal.Decimal(s[d])).quantize(
                decimal.Decimal("0.1"), decimal.ROUND_HALF_UP)) + "%"
            self.assertIn("| %s | %s | " % (zh, shown), md)
        self.assertIn("%s / %s 件已评价" % (s["satisfied"], s["rated"]), md)
        self.assertIn("%s / %s 单" % (s["on_time"], s["on_time_base"]), md)
        self.assertLessEqual(s["on_time"], s["on_time_base"])
        self.expect_error(call("GET", "/api/v1/reports/special?category=", token=T("sup1")), 400, field="category")
        # A district centre's report is its own.
        d = self.expect(call("GET", "/api/v1/reports/special" + q(**{"from": str(today), "to": str(tomorrow)}), token=T("disp_dc")), 200).json
        self.assertEqual(d["scope"], "江南区12345分中心")
        self.assertEqual(d["summary"]["received"], call("GET", "/api/v1/tickets?page_size=1", token=T("disp_dc")).json["total"])
        # A special report on one category counts that category's tickets only, in every table.
        cats = self.expect(call("GET", "/api/v1/categories", token=T("admin")), 200).json["items"]
        # (the last top category with sub-categories: the sub-topics test uses the first)
        live = [c for c in cats if c.get("active", True)]
        top = [c for c in live if not c["parent_code"] and any(d["parent_code"] == c["code"] for d in live)][-1]["code"]
        self.create(category_code=[c for c in live if c["code"].startswith(top) and c["parent_code"]][0]["code"])
        topic = self.expect(call("GET", "/api/v1/reports/special" + q(**{"from": str(today), "to": str(tomorrow), "category": top}),
                                 token=T("sup1")), 200).json
        in_topic = call("GET", "/api/v1/tickets" + q(page_size=1, category=top), token=T("sup1")).json["total"]
        self.assertEqual((topic["summary"]["received"], topic["topic"]["tickets"]), (in_topic, in_topic))
        self.assertLess(in_topic, call("GET", "/api/v1/tickets?page_size=1", token=T("sup1")).json["total"])
        self.assertTrue(topic["categories"])
        self.assertTrue(all(c["code"].startswith(top) and len(c["code"]) > len(top) for c in topic["categories"]),
                        "its table breaks the topic down one level")
        # ... and its early warnings are those its tickets raised, not the city's.
        alerts = self.expect(call("GET", "/api/v1/alerts?limit=500", token=T("sup1")), 200).json["items"]
        of_topic = collections.Counter(a["kind"] for a in alerts if a["created_at"][:10] == str(today) and
                                       self.get("sup1", {"id": a["ticket_id"]})["category_code"].startswith(top))
        self.assertEqual({k: v for k, v in topic["alerts"].items() if v}, dict(of_topic))
        # Refusals name the field.
        self.expect_error(call("GET", "/api/v1/reports/weekly", token=T("h_a")), 403)
        self.expect_error(call("GET", "/api/v1/reports/weekly", token=T("agent1")), 403)
        self.expect_error(call("GET", "/api/v1/reports/weekly", token=T("qa1")), 403)
        self.expect_error(call("GET", "/api/v1/reports/daily", token=T("sup1")), 400, "invalid_argument", "kind")
        self.expect_error(call("GET", "/api/v1/reports/monthly?date=2026-02-30", token=T("sup1")), 400, field="date")
        self.expect_error(call("GET", "/api/v1/reports/weekly?category=01", token=T("sup1")), 400, field="category")
        self.expect_error(call("GET", "/api/v1/reports/special?category=99", token=T("sup1")), 400, field="category")
        self.expect_error(call("GET", "/api/v1/reports/special" + q(**{"from": str(tomorrow), "to": str(today)}), token=T("sup1")),
                          400, field="to")
        self.expect_error(call("GET", "/api/v1/reports/weekly?format=pdf", token=T("sup1")), 400, field="format")

    def test_queues_count_what_the_lists_show(self):
        self.create()
        qs = self.expect(call("GET", "/api/v1/stats/queues", token=T("disp1")), 200).json
        for name in ("received", "returned", "replied", "awaiting_callback"):
            listed = call("GET", "/api/v1/tickets" + q(status=name, page_size=1), token=T("disp1"))
            self.assertEqual(qs[name], listed.json["total"], name)
        self.assertGreaterEqual(qs["received"], 1)
        self.dispatched()
        mine = self.expect(call("GET", "/api/v1/stats/queues", token=T("h_a")), 200).json
        listed = call("GET", "/api/v1/tickets" + q(unit_id=U("dept_a"), assignment_state="pending", page_size=1),
                      token=T("h_a"))
        self.assertEqual(mine["unit_pending"], listed.json["total"])
        self.assertGreaterEqual(mine["unit_pending"], 1)
        self.assertNotIn("received", mine, "a unit has no intake queue")

    def test_inbox_lists_by_the_units_own_assignment_state(self):
        t = self.create(urgency="urgent")
        self.act("disp1", t, "dispatch", {"unit_id": U("dept_a"), "assisting_unit_ids": [U("dept_b")]})
        self.act("h_a", t, "accept")  # the ticket is now in progress; the assisting unit has not signed
        def numbers(who, **params):
            return [x["number"] for x in self.list_all(who, **params)[0]]
        self.assertIn(t["number"], numbers("h_b", unit_id=U("dept_b"), assignment_state="pending"))
        self.assertNotIn(t["number"], numbers("h_b", unit_id=U("dept_b"), assignment_state="accepted"))
        self.assertIn(t["number"], numbers("h_a", unit_id=U("dept_a"), assignment_state="accepted"))
        self.assertNotIn(t["number"], numbers("h_a", unit_id=U("dept_a"), assignment_state="pending"))
        self.assertIn(t["number"], numbers("admin", urgency="urgent"))
        self.assertNotIn(t["number"], numbers("admin", urgency="normal"))
        self.expect_error(call("GET", "/api/v1/tickets?assignment_state=pending", token=T("h_a")), 400,
                          field="assignment_state")
        self.expect_error(call("GET", "/api/v1/tickets" + q(unit_id=U("dept_a"), assignment_state="done"),
                               token=T("h_a")), 400, field="assignment_state")
        self.expect_error(call("GET", "/api/v1/tickets?urgency=panic", token=T("admin")), 400, field="urgency")
        # By the channel it came in on.
        w = self.create(channel="weibo")
        weibo = self.list_all("admin", channel="weibo")[0]
        self.assertIn(w["number"], [x["number"] for x in weibo])
        self.assertEqual({x["channel"] for x in weibo}, {"weibo"})
        self.assertNotIn(t["number"], [x["number"] for x in weibo])
        self.expect_error(call("GET", "/api/v1/tickets?channel=fax", token=T("admin")), 400, field="channel")
        self.expect_error(call("GET", "/api/v1/tickets?statu=closed", token=T("admin")), 400, field="statu")

    def test_timeline_names_who_acted(self):
        t = self.dispatched()
        events = self.expect(call("GET", "/api/v1/tickets/%s/events" % t["id"], token=T("h_a")), 200).json["items"]
        self.assertEqual([e.get("actor_name") for e in events[:2]], ["话务员一", "派单员一"])
        self.assertEqual(self.get("h_a", t)["created_by_name"], "话务员一")

    def test_bounced_and_unsatisfied_lists(self):
        t = self.dispatched()
        self.act("h_a", t, "return", {"reason": "不属于本单位职责"})
        self.act("disp1", t, "redispatch", {"unit_id": U("dept_b")})
        numbers = lambda **p: [x["number"] for x in self.list_all("sup1", **p)[0]]
        self.assertNotIn(t["number"], numbers(min_returns=2))
        self.act("h_b", t, "return", {"reason": "也不属于本单位职责"})
        self.assertIn(t["number"], numbers(min_returns=2))
        done = self.awaiting_callback()
        self.act("cb1", done, "callback", {"outcome": "reached", "rating": "dissatisfied"})
        self.assertIn(done["number"], numbers(closing_kind="unsatisfied"))
        self.assertNotIn(done["number"], numbers(closing_kind="resolved"))
        self.expect_error(call("GET", "/api/v1/tickets?closing_kind=happy", token=T("sup1")), 400, field="closing_kind")
        self.expect_error(call("GET", "/api/v1/tickets?min_returns=0", token=T("sup1")), 400, field="min_returns")

    def test_kb_and_audit_lists_report_their_totals(self):
        for i in range(3):
            self.expect(call("POST", "/api/v1/kb", {"title": "条目%d" % i, "body": "内容%d" % i, "status": "published"},
                             T("admin")), 201)
        page = self.expect(call("GET", "/api/v1/kb?page_size=2", token=T("admin")), 200).json
        self.assertEqual(len(page["items"]), 2)
        self.assertGreaterEqual(page["total"], 3)
        self.assertIsNotNone(page["next_cursor"])
        audit = self.expect(call("GET", "/api/v1/audit?page_size=1", token=T("admin")), 200).json
        self.assertEqual(len(audit["items"]), 1)
        self.assertGreater(audit["total"], 1)
        rest, seen, cursor = [], 1, audit["next_cursor"]
        while cursor:
            p = self.expect(call("GET", "/api/v1/audit?page_size=200&cursor=" + cursor, token=T("admin")), 200).json
            seen += len(p["items"])
            cursor = p["next_cursor"]
        self.assertGreaterEqual(seen, audit["total"])
        # Bad paging names its field instead of quietly falling back to a default.
        for path in ("/api/v1/kb", "/api/v1/audit"):
            self.expect_error(call("GET", path + "?page_size=0", token=T("admin")), 400, field="page_size")
            self.expect_error(call("GET", path + "?page_size=ten", token=T("admin")), 400, field="page_size")
            self.expect_error(call("GET", path + "?cursor=abc", token=T("admin")), 400, field="cursor")

    def test_citizen_submits_tracks_and_rates(self):
        body = {"content": "北山路口的红绿灯坏了，早晚高峰很危险。", "phone": "13800001111", "name": "王五",
                "address": "江南区望江路"}
        r = self.expect(call("POST", "/api/v1/public/tickets", body), 201)
        number, code = r.json["number"], r.json["query_code"]
        self.assertEqual(r.json["status"], "received")
        p = self.expect(call("GET", "/api/v1/public/tickets/%s?phone_last4=1111" % number), 200).json
        self.assertEqual(p["status"], "received")
        self.assertFalse(p["can_rate"])
        found = [t for t in self.list_all("admin", q=number)[0] if t["number"] == number]
        self.assertEqual(len(found), 1)
        t = found[0]
        self.assertEqual((t["channel"], t["intake_unit_id"], t["area_id"]), ("web", U("hub"), W.areas["street"]["id"]))
        # Not answered yet: nothing to rate.
        r = call("POST", "/api/v1/public/tickets/%s/rating" % number, {"code": code, "rating": "satisfied"})
        self.expect_error(r, 409, code="invalid_transition")
        # Through the lifecycle to the callback, then the citizen rates it. A unit's return reads
        # in the citizen's words, not as a rejection.
        self.act("disp1", t, "dispatch", {"unit_id": U("dept_b")})
        self.act("h_b", t, "return", {"reason": "不属于本单位职责"})
        label = lambda: call("GET", "/api/v1/public/tickets/%s?code=%s" % (number, code)).json["status_label"]
        self.assertEqual(label(), "重新派单中")
        self.act("disp1", t, "redispatch", {"unit_id": U("dept_a")})
        self.act("h_a", t, "accept")
        self.act("h_a", t, "reply", {"content": "已修复信号灯。"})
        self.act("rev1", t, "review", {"decision": "approve"})
        self.assertTrue(self.expect(call("GET", "/api/v1/public/tickets/%s?code=%s" % (number, code)), 200).json["can_rate"])
        r = call("POST", "/api/v1/public/tickets/%s/rating" % number, {"code": "WRONG123", "rating": "satisfied"})
        self.expect_error(r, 404)
        r = call("POST", "/api/v1/public/tickets/%s/rating" % number, {"code": code, "rating": "great"})
        self.expect_error(r, 400, field="rating")
        r = call_from("127.0.0.2", "POST", "/api/v1/public/tickets/%s/rating" % number,
                      {"code": code, "rating": "satisfied", "ratng": "x"})
        self.expect_error(r, 400, field="ratng")
        r = call_from("127.0.0.2", "POST", "/api/v1/public/tickets/%s/rating" % number,
                      {"code": code, "phone_last4": "1111", "rating": "satisfied"})
        self.expect_error(r, 400, field="phone_last4")
        r = self.expect(call("POST", "/api/v1/public/tickets/%s/rating" % number,
                             {"phone_last4": "1111", "rating": "dissatisfied", "comment": "还是经常坏\u0001 "}), 200)
        self.assertEqual(r.json["status"], "closed")
        got = self.get("admin", t["id"])
        self.assertEqual((got["rating"], got["closing_kind"]), ("dissatisfied", "unsatisfied"))
        ev = self.events(t["id"])[-1]
        self.assertEqual((ev["type"], ev["actor_role"], ev["system"]), ("callback_recorded", "system", True))
        self.assertEqual(ev["data"]["comment"], "市民自助评价：还是经常坏")
        # Anyone who knows the phone's last digits can rate: the rating is traceable.
        audit = self.expect(call("GET", "/api/v1/audit?page_size=50", token=T("admin")), 200).json["items"]
        self.assertIn(("ticket:" + t["id"], "phone_last4 dissatisfied from 127.0.0.1"),
                      [(a["target"], a["detail"]) for a in audit if a["action"] == "public_rating"])
        r = call("POST", "/api/v1/public/tickets/%s/rating" % number, {"code": code, "rating": "satisfied"})
        self.expect_error(r, 409)
        self.assertIn("already closed and rated", r.json["error"]["message"])

    def test_citizen_submission_errors_name_the_field(self):
        def total():
            return self.expect(call("GET", "/api/v1/tickets?page_size=1", token=T("admin")), 200).json["total"]
        before = total()
        self.expect_error(call("POST", "/api/v1/public/tickets", {"phone": "13800001111"}), 400, field="content")
        self.expect_error(call("POST", "/api/v1/public/tickets", {"content": "有事反映"}), 400, field="phone")
        # Fewer than five characters say nothing the centre can act on, as the form says.
        self.expect_error(call_from("127.0.0.13", "POST", "/api/v1/public/tickets", {"content": " 测试 ", "phone": "13800001111"}),
                          400, field="content")
        # A number nobody can be called back on: not a mainland mobile, nor a landline with its area code.
        for bad in ("12", "000000000000", "23800138000", "13800138000000000000", "12345678901"):
            self.expect_error(call_from("127.0.0.13", "POST", "/api/v1/public/tickets", {"content": "有事反映", "phone": bad}),
                              400, field="phone")
        self.expect_error(call("POST", "/api/v1/public/tickets", {"content": "有事", "phone": "13800001111",
                                                                  "request_type": "gossip"}), 400, field="request_type")
        self.assertEqual(total(), before)

    def test_subtopics_of_a_category(self):
        cats = self.expect(call("GET", "/api/v1/categories", token=T("admin")), 200).json["items"]
        leaf = [c for c in cats if c["parent_code"]][0]["code"]
        lifts = ["金桂苑%d栋电梯坏了困人，电梯维保单位不来修" % i for i in range(6)]
        lamps = ["滨江路第%d段路灯不亮，晚上路灯全黑" % i for i in range(4)]
        other = ["咨询公积金提取需要什么材料", "咨询护照办理流程"]  # another category: the background
        for text in lifts + lamps:
            self.create(content=text, category_code=leaf)
        for text in other:
            self.create(content=text)
        r = self.expect(call("GET", "/api/v1/insight/subtopics" + q(category=leaf[:2]), token=T("ana1")), 200).json
        # Each sub-topic is named by its key word or phrase first.
        by_key = lambda word: [t for t in r["subtopics"] if word in t["terms"][0]]
        self.assertEqual([t["tickets"] for t in by_key("电梯")], [6], r)
        self.assertEqual([t["tickets"] for t in by_key("路灯")], [4], r)
        self.assertEqual(len(by_key("电梯")[0]["numbers"]), 6)
        self.assertEqual(r["other"], 0)
        self.expect_error(call("GET", "/api/v1/insight/subtopics", token=T("ana1")), 400, field="category")
        for bad in ("zz", "0", "9" * 40):  # no such category, a stray prefix, too long
            self.expect_error(call("GET", "/api/v1/insight/subtopics" + q(category=bad), token=T("ana1")), 400,
                              field="category")
        self.expect_error(call("GET", "/api/v1/insight/subtopics?category=01&date=soon", token=T("ana1")), 400,
                          field="date")
        self.expect_error(call("GET", "/api/v1/insight/subtopics?category=01", token=T("h_a")), 403)

    def test_web_app_is_served_at_root_when_built(self):
        dist = os.path.join(os.path.dirname(os.path.abspath(HOTLINE)), "web", "dist")
        if not os.path.exists(os.path.join(dist, "index.html")):
            self.skipTest("the web UI was not built beside the binary (needs scripts/setup's npm step)")
        r = call("GET", "/")
        self.expect(r, 200)
        self.assertIn('<div id="app">', r.text)
        self.assertEqual(r.headers.get("Cache-Control"), "no-cache")
        # Never framed by another site, never sniffed, only its own scripts.
        self.assertEqual(r.headers.get("X-Frame-Options"), "DENY")
        self.assertEqual(r.headers.get("X-Content-Type-Options"), "nosniff")
        self.assertIn("frame-ancestors 'none'", r.headers.get("Content-Security-Policy"))
        self.assertIn("script-src 'self';", r.headers.get("Content-Security-Policy"))
        self.assertNotRegex(r.text, r"<script(?![^>]*\bsrc=)[^>]*>", "an inline script the policy would refuse")
        assets = sorted(os.listdir(os.path.join(dist, "assets")))
        js = [a for a in assets if a.endswith(".js")][0]
        r = call("GET", "/assets/" + js)
        self.expect(r, 200)
        self.assertIn("immutable", r.headers.get("Cache-Control"))
        # The API still answers JSON 404s under the same server, with the same headers.
        r = call("GET", "/api/v1/nothing-here", token=T("admin"))
        self.expect_error(r, 404)
        self.assertEqual(r.headers.get("X-Frame-Options"), "DENY")
        self.assertEqual(len(r.headers.get_all("X-Content-Type-Options")), 1)

if __name__ == "__main__":
    unittest.main(verbosity=2)
