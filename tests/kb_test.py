#!/usr/bin/env python3
"""The knowledge base over the real server: editing and review, Chinese search with
traditional characters and synonyms, validity, public FAQ, direct answers counting uses.
Usage: python3 tests/kb_test.py PATH/TO/hotline"""
import csv, datetime, json, sqlite3, os, signal, subprocess, sys, tempfile, time, unittest, urllib.error, urllib.parse, urllib.request

BIN = sys.argv.pop(1) if len(sys.argv) > 1 else "build/hotline"


from harness import free_port


class KbTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="hotline-kb-")
        db = os.path.join(cls.dir, "kb.db")
        subprocess.run([BIN, "init", "--db", db, "--admin-user", "admin", "--admin-password", "admin-pass-1"],
                       check=True, capture_output=True)
        entries = os.path.join(cls.dir, "kb.jsonl")
        with open(entries, "w", encoding="utf-8") as f:
            f.write(json.dumps({"id": "faq-1", "title": "电梯故障报修流程",
                                "body": "住宅电梯出现故障，请先联系物业，物业未处理的可向市场监管部门投诉。"}, ensure_ascii=False) + "\n")
            f.write(json.dumps({"id": "faq-2", "title": "夜间施工噪音投诉", "visibility": "public",
                                "body": "夜间22时至次日6时禁止产生噪声的建筑施工作业，可向生态环境部门举报。"}, ensure_ascii=False) + "\n")
            f.write(json.dumps({"id": "faq-old", "title": "2019年电梯补贴政策", "expires": "2020-01-01",
                                "body": "老旧小区加装电梯补贴标准，已废止。"}, ensure_ascii=False) + "\n")
        r = subprocess.run([BIN, "kb", "import", "--db", db, entries], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        cls.db = db
        cls.port = free_port()
        cls.server = subprocess.Popen([BIN, "serve", "--db", db, "--listen", f"127.0.0.1:{cls.port}"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                if cls.call("GET", "/healthz")[0] == 200: break
            except OSError: pass
            time.sleep(0.1)
        cls.admin = cls.call("POST", "/api/v1/auth/login", {"username": "admin", "password": "admin-pass-1"})[1]["token"]
        hub = cls.call("POST", "/api/v1/units", {"name": "市中心", "kind": "city_center"}, cls.admin)[1]["id"]
        cls.call("POST", "/api/v1/users", {"username": "agent", "password": "agent-pass-1", "role": "agent", "unit_id": hub}, cls.admin)
        cls.agent = cls.call("POST", "/api/v1/auth/login", {"username": "agent", "password": "agent-pass-1"})[1]["token"]

    @classmethod
    def tearDownClass(cls):
        cls.server.send_signal(signal.SIGTERM); cls.server.wait(10)

    @classmethod
    def call(cls, method, path, body=None, token=None, raw=None, headers=None):
        h = {"Content-Type": "application/json", **(headers or {})}
        if token: h["Authorization"] = "Bearer " + token
        data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else None)
        req = urllib.request.Request(f"http://127.0.0.1:{cls.port}" + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=20) as r: return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e: return e.code, json.loads(e.read() or b"null")

    def search(self, q, token=None, path="/api/v1/kb/search"):
        return self.call("GET", path + "?q=" + urllib.parse.quote(q), token=token or self.agent)

    def test_two_character_words_traditional_and_snippets(self):
        c, js = self.search("电梯")
        self.assertEqual(c, 200)
        self.assertEqual(js["items"][0]["external_id"], "faq-1")
        self.assertIn("<em>电梯</em>", js["items"][0]["snippet"])
        self.assertEqual(self.search("噪音")[1]["items"][0]["external_id"], "faq-2")
        self.assertEqual(self.search("電梯壞了")[1]["items"][0]["external_id"], "faq-1")
        # One character is found wherever it is written, and marked there.
        one = self.search("梯")[1]["items"]
        self.assertEqual(one[0]["external_id"], "faq-1")
        self.assertIn("电<em>梯</em>", one[0]["snippet"])
        self.assertEqual(self.search("\u200b")[0], 400, "zero-width alone is an empty query")

    def test_expired_entries_are_never_served(self):
        ids = [i["external_id"] for i in self.search("电梯补贴")[1]["items"]]
        self.assertNotIn("faq-old", ids)
        # Listed for what it is, and not read as current by an agent.
        listed = self.call("GET", "/api/v1/kb?page_size=100", token=self.admin)[1]["items"]
        old = [i for i in listed if i["external_id"] == "faq-old"]
        self.assertEqual([i["current"] for i in old], [False])
        self.assertTrue(all(i["current"] for i in listed if i["external_id"] != "faq-old" and i["status"] == "published"))
        self.assertEqual(self.call("GET", f"/api/v1/kb/{old[0]['id']}", token=self.agent)[0], 404)
        # An agent's list holds what is served only, and its total counts those.
        agent_list = self.call("GET", "/api/v1/kb?page_size=100", token=self.agent)[1]
        self.assertNotIn("faq-old", [i["external_id"] for i in agent_list["items"]])
        self.assertTrue(all(i["current"] for i in agent_list["items"]))
        self.assertEqual(agent_list["total"], len(agent_list["items"]))
        self.assertEqual(self.call("GET", f"/api/v1/kb/{old[0]['id']}", token=self.admin)[1]["current"], False)

    def test_bad_queries_are_400(self):
        self.assertEqual(self.search("")[0], 400)
        self.assertEqual(self.call("GET", "/api/v1/kb/search?q=%FF%FE", token=self.agent)[0], 400)
        self.assertEqual(self.call("GET", "/api/v1/kb/search?q=x&limit=500", token=self.agent)[1]["error"]["details"]["field"], "limit")
        self.assertEqual(self.search('电梯 AND "OR* (')[0], 200)  # query syntax characters are just text

    def test_editing_review_versions_and_synonyms(self):
        c, e = self.call("POST", "/api/v1/kb", {"title": "燃气开户办理", "body": "办理燃气开户需携带房产证和身份证到燃气公司营业厅。",
                                                 "visibility": "public"}, self.admin)
        self.assertEqual((c, e["status"]), (201, "draft"))
        self.assertEqual(self.call("POST", "/api/v1/kb", {"title": "x", "body": "y"}, self.agent)[0], 403)
        c, js = self.call("POST", "/api/v1/kb", {"title": "x", "body": "y", "category_code": "999999"}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "category_code"))
        c, js = self.call("POST", "/api/v1/kb", {"title": "x", "body": "y", "expires_at": "2020-01-01"}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "expires_at"))
        c, js = self.call("POST", "/api/v1/kb", {"title": "x", "body": "y", "owner_unit_id": "999"}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "owner_unit_id"))
        self.assertEqual(self.call("POST", "/api/v1/kb", {"title": "燃气分类", "body": "y", "category_code": "01"}, self.admin)[0], 201)
        # Drafts are the editors': not listed, read or versioned for others.
        self.assertEqual(self.call("GET", f"/api/v1/kb/{e['id']}", token=self.agent)[0], 404)
        self.assertEqual(self.call("GET", f"/api/v1/kb/{e['id']}", token=self.admin)[0], 200)
        self.assertEqual(self.call("GET", f"/api/v1/kb/{e['id']}/versions", token=self.agent)[0], 403)
        self.assertEqual(self.call("GET", "/api/v1/kb?status=draft", token=self.agent)[0], 403)
        listed = self.call("GET", "/api/v1/kb?page_size=100", token=self.agent)[1]["items"]
        self.assertNotIn(e["id"], [i["id"] for i in listed])
        self.assertTrue(all(i["status"] == "published" for i in listed), listed)
        self.assertIn(e["id"], [i["id"] for i in self.call("GET", "/api/v1/kb?status=draft", token=self.admin)[1]["items"]])
        self.assertEqual(self.search("燃气开户")[1]["total"], 0, "drafts are not served")
        self.assertEqual(self.call("POST", f"/api/v1/kb/{e['id']}/actions/publish", {}, self.admin)[0], 409)
        for action in ("review", "publish"):
            self.assertEqual(self.call("POST", f"/api/v1/kb/{e['id']}/actions/{action}", {}, self.admin)[0], 200)
        self.assertEqual(self.search("燃气开户")[1]["total"], 1)
        self.assertEqual(self.search("煤气开户")[1]["items"][0]["id"] if self.search("煤气开户")[1]["items"] else None,
                         e["id"])  # bigram 开户 already finds it
        c, js = self.call("POST", f"/api/v1/kb/{e['id']}/actions/retire", {"reason": "过时"}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "reason"), "an action takes no fields")
        c, js = self.call("PUT", f"/api/v1/kb/{e['id']}", {"title": "t", "body": "b", "category": "zz"}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "category"), "named as sent")
        c, js = self.call("GET", "/api/v1/kb/search?q=" + urllib.parse.quote("燃气") + "&category=zz", token=self.agent)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "category"), "a filter no category matches")
        self.assertEqual(self.search("煤气")[1]["total"], 0, "no synonym yet")
        code, group = self.call("POST", "/api/v1/kb/synonyms", {"terms": ["煤气", "燃气"]}, self.admin)
        self.assertEqual(code, 201)
        self.assertEqual(self.search("煤气")[1]["items"][0]["id"], e["id"])
        self.assertIn("<em>燃气</em>", self.search("煤气")[1]["items"][0]["snippet"], "the synonym found is marked")
        # The same group again, a term twice (煤氣 is 煤气), an unknown field, a non-admin: refused.
        for body, want in (({"terms": ["燃气", "煤气"]}, 409), ({"terms": ["煤气", "煤氣"]}, 400),
                           ({"terms": ["医保", "医疗保险"], "x": 1}, 400),
                           # punctuation alone would expand every question into the other term
                           ({"terms": ["路灯", "？"]}, 400), ({"terms": ["路灯", "*"]}, 400),
                           # a control character would show as nothing and match nothing typed
                           ({"terms": ["灯杆", "井盖\u001b"]}, 400)):
            c, js = self.call("POST", "/api/v1/kb/synonyms", body, self.admin)
            self.assertEqual(c, want, js)
            self.assertIn(js["error"]["details"]["field"], ("terms", "terms[1]", "x"))
        self.assertEqual(self.call("DELETE", f"/api/v1/kb/synonyms/{group['id']}", token=self.agent)[0], 403)
        # A group whose terms one group holds already expands nothing more: refused.
        code, wide = self.call("POST", "/api/v1/kb/synonyms", {"terms": ["瓦斯", "沼气", "甲烷"]}, self.admin)
        self.assertEqual(code, 201, wide)
        c, js = self.call("POST", "/api/v1/kb/synonyms", {"terms": ["甲烷", "瓦斯"]}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (409, "terms"), js)
        self.assertEqual(self.call("DELETE", f"/api/v1/kb/synonyms/{wide['id']}", token=self.admin)[0], 200)
        listed = self.call("GET", "/api/v1/kb/synonyms", token=self.agent)[1]["items"]
        self.assertEqual(listed, [{"id": group["id"], "terms": ["煤气", "燃气"]}])
        # A wrong group can be taken back: search stops expanding at once.
        self.assertEqual(self.call("DELETE", f"/api/v1/kb/synonyms/{group['id']}", token=self.admin)[0], 200)
        self.assertEqual(self.search("煤气")[1]["total"], 0)
        self.assertEqual(self.call("DELETE", f"/api/v1/kb/synonyms/{group['id']}", token=self.admin)[0], 404)
        self.assertEqual(self.call("POST", "/api/v1/kb/synonyms", {"terms": ["煤气", "燃气"]}, self.admin)[0], 201)
        versions = self.call("GET", f"/api/v1/kb/{e['id']}/versions", token=self.admin)[1]
        self.assertEqual(versions["total"], 3)
        for v in versions["items"]:  # who saved each version, and when
            self.assertNotEqual(v["changed_by"], "0", v)
            self.assertRegex(v["changed_at"], r"^\d{4}-\d\d-\d\dT")
            self.assertNotIn("changed_by", v["entry"])
        self.assertEqual(self.search("燃气", path="/api/v1/public/kb/search")[1]["total"], 1)
        self.call("POST", f"/api/v1/kb/{e['id']}/actions/retire", {}, self.admin)
        self.assertEqual(self.search("燃气开户")[1]["total"], 0)

    def test_a_synonym_counts_as_written_and_is_marked_whole(self):
        ids = {}
        for title, body in (("门诊统筹报销", "参加城乡居民医疗保险的，门诊费用按比例报销。"),
                            ("灵活就业人员参加养老保险", "到社保经办窗口办理参保登记。")):
            c, e = self.call("POST", "/api/v1/kb", {"title": title, "body": body}, self.admin)
            self.assertEqual(c, 201, e)
            for action in ("review", "publish"):
                self.assertEqual(self.call("POST", f"/api/v1/kb/{e['id']}/actions/{action}", {}, self.admin)[0], 200)
            ids[title] = e["id"]
        code, group = self.call("POST", "/api/v1/kb/synonyms", {"terms": ["医保", "医疗保险"]}, self.admin)
        self.assertEqual(code, 201, group)
        try:
            found = self.search("医保")[1]["items"]
            # 医疗保险 as written, not the 保险 of 养老保险 nor the lone 保 of 社保.
            self.assertEqual([i["id"] for i in found], [ids["门诊统筹报销"]], found)
            self.assertIn("<em>医疗保险</em>", found[0]["snippet"])
        finally:
            self.assertEqual(self.call("DELETE", f"/api/v1/kb/synonyms/{group['id']}", token=self.admin)[0], 200)

    def test_edits_carry_the_version_loaded_and_dates_read_as_editors_mean(self):
        today = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=8)).date()
        c, e = self.call("POST", "/api/v1/kb", {"title": "自来水停水通知查询", "body": "停水计划可在供水公司公众号查询。",
                                                 "category_code": "02", "status": "published",
                                                 "expires": today.isoformat()}, self.admin)
        self.assertEqual(c, 201, e)
        # 有效期至 today: served through today, expiring at tomorrow's midnight.
        self.assertTrue(e["current"], e)
        self.assertEqual(e["expires"], (today + datetime.timedelta(days=1)).isoformat() + "T00:00:00+08:00")
        self.assertIn(e["id"], [i["id"] for i in self.search("停水计划")[1]["items"]])
        path = f"/api/v1/kb/{e['id']}"
        edit = {"title": "自来水停水通知查询", "body": "停水计划可在供水公司公众号或网站查询。", "category_code": "02",
                "status": "published"}
        c, js = self.call("POST", "/api/v1/kb", {**edit, "version": 1}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "version"), js)
        c, js = self.call("PUT", path, {**edit, "version": "1"}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "version"), js)
        c, js = self.call("PUT", path, edit, self.admin, headers={"If-Match": '"2"'})
        self.assertEqual((c, js["error"]["code"]), (409, "stale_version"), js)
        c, js = self.call("PUT", path, {**edit, "version": 1}, self.admin, headers={"If-Match": '"2"'})
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "If-Match"), js)
        c, js = self.call("PUT", path, edit, self.admin, headers={"If-Match": '"0"'})
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "If-Match"), js)
        c, saved = self.call("PUT", path, {**edit, "version": 1}, self.admin)
        self.assertEqual((c, saved["version"]), (200, 2), saved)
        # The second editor, who loaded version 1 too, is told instead of overwriting.
        c, js = self.call("PUT", path, {**edit, "body": "旧的正文", "version": 1}, self.admin)
        self.assertEqual((c, js["error"]["code"]), (409, "stale_version"), js)
        self.assertEqual(self.call("GET", path, token=self.admin)[1]["body"], edit["body"])
        c, saved = self.call("PUT", path, {**edit, "title": "停水通知查询"}, self.admin, headers={"If-Match": '"2"'})
        self.assertEqual((c, saved["version"]), (200, 3), saved)
        # The editors' list filters by category as search does.
        listed = self.call("GET", "/api/v1/kb?category=02&page_size=100", token=self.admin)[1]
        self.assertEqual([i["id"] for i in listed["items"]], [e["id"]], listed)
        self.assertEqual(listed["total"], 1)
        # An editor's search among drafts says they are not served.
        c, d = self.call("POST", "/api/v1/kb", {"title": "停水赔偿草稿", "body": "停水计划外的赔偿标准。"}, self.admin)
        found = self.call("GET", "/api/v1/kb/search?status=draft&q=" + urllib.parse.quote("停水"), token=self.admin)[1]
        self.assertEqual([(i["id"], i["current"]) for i in found["items"]], [(d["id"], False)], found)

    def test_a_published_entry_keeps_serving_while_its_edit_is_reviewed(self):
        c, e = self.call("POST", "/api/v1/kb", {"title": "居住证办理材料", "body": "办理居住证需身份证、租房合同和照片。",
                                                 "status": "published"}, self.admin)
        self.assertEqual(c, 201, e)
        path = f"/api/v1/kb/{e['id']}"
        edit = {"title": "居住证办理材料（新）", "body": "办理居住证需身份证和租房合同，照片现场采集。", "version": e["version"]}
        c, saved = self.call("PUT", path, edit, self.admin)
        self.assertEqual(c, 200, saved)
        # The entry is still published and served with its text; the edit waits beside it.
        self.assertEqual((saved["status"], saved["current"], saved["body"]), ("published", True, e["body"]), saved)
        self.assertEqual((saved["revision"]["status"], saved["revision"]["body"]), ("draft", edit["body"]), saved)
        self.assertNotEqual(saved["revision"]["updated_by"], "0")
        found = self.search("居住证照片")[1]["items"]
        self.assertEqual([(i["id"], i["body"]) for i in found][:1], [(e["id"], e["body"])], found)
        self.assertNotIn("revision", found[0], "agents are served the published text only")
        self.assertNotIn("revision", self.call("GET", path, token=self.agent)[1])
        self.assertEqual(self.search("现场采集")[1]["total"], 0, "the revision's words are not searchable yet")
        # Editors find the entries whose edit waits for review.
        pending = self.call("GET", "/api/v1/kb?revision=pending&page_size=100", token=self.admin)[1]
        self.assertEqual([i["id"] for i in pending["items"]], [e["id"]], pending)
        self.assertEqual(pending["total"], 1)
        self.assertEqual(self.call("GET", "/api/v1/kb?revision=pending", token=self.agent)[0], 403)
        c, js = self.call("GET", "/api/v1/kb?revision=yes", token=self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "revision"), js)
        # A second edit made on the old version is refused; one on the current replaces the revision.
        c, js = self.call("PUT", path, {**edit, "body": "另一份修改"}, self.admin)
        self.assertEqual((c, js["error"]["code"]), (409, "stale_version"), js)
        c, saved = self.call("PUT", path, {**edit, "version": saved["version"]}, self.admin)
        self.assertEqual((c, saved["revision"]["title"]), (200, edit["title"]), saved)
        # Publishing needs review first; review and publish move the revision, not the entry.
        c, js = self.call("POST", path + "/actions/publish", {}, self.admin)
        self.assertEqual((c, js["error"]["code"]), (409, "invalid_transition"), js)
        c, reviewed = self.call("POST", path + "/actions/review", {}, self.admin)
        self.assertEqual((c, reviewed["status"], reviewed["revision"]["status"]), (200, "published", "reviewed"), reviewed)
        c, back = self.call("POST", path + "/actions/redraft", {}, self.admin)
        self.assertEqual((c, back["status"], back["revision"]["status"]), (200, "published", "draft"), back)
        self.call("POST", path + "/actions/review", {}, self.admin)
        c, published = self.call("POST", path + "/actions/publish", {}, self.admin)
        self.assertEqual(c, 200, published)
        self.assertEqual((published["title"], published["body"], published["status"], published["current"]),
                         (edit["title"], edit["body"], "published", True), published)
        self.assertNotIn("revision", published)
        self.assertEqual([i["id"] for i in self.search("现场采集")[1]["items"]], [e["id"]], "the new text is served")
        self.assertEqual(self.call("GET", "/api/v1/kb?revision=pending", token=self.admin)[1]["total"], 0)
        # The history shows what was proposed; the audit log who proposed and published it.
        versions = self.call("GET", path + "/versions", token=self.admin)[1]["items"]
        self.assertEqual(versions[1]["entry"]["body"], e["body"])
        self.assertEqual(versions[1]["entry"]["revision"]["body"], edit["body"], versions[1])
        audit = self.call("GET", "/api/v1/audit?page_size=100", token=self.admin)[1]["items"]
        actions = [a["action"] for a in audit if a.get("target") == "kb:" + e["id"]]
        for want in ("kb_revision_proposed", "kb_revision_review", "kb_revision_redraft", "kb_revision_publish"):
            self.assertIn(want, actions)
        # The review actions act on the version the editor saw: one saved since is refused,
        # so nobody publishes text they have not read.
        c, saved = self.call("PUT", path, {"title": "居住证", "body": "第三稿"}, self.admin)
        seen = saved["version"]
        self.assertEqual(saved["updated_at"], published["updated_at"], "the served entry did not change")
        c, js = self.call("PUT", path, {"title": "居住证", "body": "他人改的第四稿", "version": seen}, self.admin)
        self.assertEqual(c, 200, js)
        for kw in ({"body": {"version": seen}}, {"body": {}, "headers": {"If-Match": '"%d"' % seen}}):
            c, js = self.call("POST", path + "/actions/review", kw["body"], self.admin, headers=kw.get("headers"))
            self.assertEqual((c, js["error"]["code"]), (409, "stale_version"), js)
        c, js = self.call("POST", path + "/actions/review", {"version": "x"}, self.admin)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "version"), js)
        c, ok = self.call("POST", path + "/actions/review", {"version": seen + 1}, self.admin)
        self.assertEqual((c, ok["revision"]["body"]), (200, "他人改的第四稿"), ok)
        self.call("POST", path + "/actions/redraft", {}, self.admin)
        # A status sent as null is no status: the edit still waits for review.
        c, saved = self.call("PUT", path, {"title": "居住证", "body": "空状态", "status": None}, self.admin)
        self.assertEqual((c, saved["status"], saved["body"], saved["revision"]["body"]), (200, "published", edit["body"], "空状态"), saved)
        c, js = self.call("POST", "/api/v1/kb", {"title": "空状态新条目", "body": "正文", "status": None}, self.admin)
        self.assertEqual((c, js["status"]), (201, "draft"), js)
        # A control character pasted in (NUL) is refused, named; line breaks and tabs are text.
        for body, field in (({"title": "NUL\u0000标题", "body": "正文"}, "title"), ({"title": "t", "body": "正文\u0000尾"}, "body"),
                            ({"title": "t", "body": "b", "keywords": ["a\u0007"]}, "keywords"), ({"title": "t", "body": "b", "keywords": ["关键\n词"]}, "keywords")):
            c, js = self.call("POST", "/api/v1/kb", body, self.admin)
            self.assertEqual((c, js["error"]["details"]["field"]), (400, field), js)
        self.assertEqual(self.call("POST", "/api/v1/kb", {"title": "标题\n续", "body": "第一行\n\t第二行"}, self.admin)[0], 201)
        # A revision can be dropped: the entry is untouched; with none, discard is a conflict.
        c, saved = self.call("PUT", path, {"title": "居住证", "body": "临时修改"}, self.admin)
        self.assertEqual((c, saved["revision"]["body"]), (200, "临时修改"), saved)
        c, dropped = self.call("POST", path + "/actions/discard", {}, self.admin)
        self.assertEqual((c, dropped["body"], dropped["status"]), (200, edit["body"], "published"), dropped)
        self.assertEqual(dropped["updated_at"], published["updated_at"], "proposing and dropping leave the served entry's age")
        self.assertNotIn("revision", dropped)
        c, js = self.call("POST", path + "/actions/discard", {}, self.admin)
        self.assertEqual((c, js["error"]["code"]), (409, "no_revision"), js)
        self.assertEqual(self.call("POST", path + "/actions/discard", {}, self.agent)[0], 403)
        # An import replaces the entry whole, its revision with it: said, and audited.
        self.call("PUT", path, {"title": "居住证", "body": "导入前的修订"}, self.admin)
        # Imported back exactly as exported (a file holds no revision), the entry keeps its edit.
        out = os.path.join(self.dir, "revision-export.jsonl")
        subprocess.run([BIN, "kb", "export", "--db", self.db, "--output", out], check=True, capture_output=True)
        r = subprocess.run([BIN, "kb", "import", "--db", self.db, out], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("replaced", r.stdout)
        got = self.call("GET", path, token=self.admin)[1]
        self.assertEqual(got.get("revision", {}).get("body"), "导入前的修订", got)
        src = os.path.join(self.dir, "revision-import.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            f.write(json.dumps({"id": e["id"], "title": "居住证办理", "body": "导入的正文"}, ensure_ascii=False) + "\n")
        r = subprocess.run([BIN, "kb", "import", "--db", self.db, src], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("replaced 1 entries whose edit was waiting in review", r.stdout)
        self.assertIn(e["id"], r.stdout.split("review")[-1], "the import names the entries whose edit it replaced")
        got = self.call("GET", path, token=self.admin)[1]
        self.assertEqual((got["body"], "revision" in got), ("导入的正文", False), got)
        audit = self.call("GET", "/api/v1/audit?page_size=100", token=self.admin)[1]["items"]
        imported = [a for a in audit if a["action"] == "kb_imported"]
        self.assertTrue(imported and "1 revisions in review replaced" in imported[0]["detail"], imported[:1])
        # Retiring the entry drops a waiting revision with it; an edit of a retired entry is a draft.
        self.call("PUT", path, {"title": "居住证", "body": "又一次修改"}, self.admin)
        c, retired = self.call("POST", path + "/actions/retire", {}, self.admin)
        self.assertEqual((c, retired["status"]), (200, "retired"), retired)
        self.assertNotIn("revision", retired)
        c, draft = self.call("PUT", path, {"title": "居住证", "body": "重新起草"}, self.admin)
        self.assertEqual((c, draft["status"], draft["body"]), (200, "draft", "重新起草"), draft)
        self.assertNotIn("revision", draft)

    def test_long_messages_are_assisted_through_post(self):
        # A whole citizen message (about 3,000 characters) does not fit in a URL: POST carries it.
        text = "我家小区的电梯经常出现故障，" * 200
        c, js = self.call("POST", "/api/v1/kb/suggest", {"text": text}, self.agent)
        self.assertEqual(c, 200, js)
        self.assertEqual(js["items"][0]["external_id"], "faq-1")
        c, js = self.call("POST", "/api/v1/kb/similar-cases", {"text": text}, self.agent)
        self.assertEqual(c, 200, js)
        c, js = self.call("POST", "/api/v1/kb/suggest", {"text": text, "limit": 1}, self.agent)
        self.assertEqual((c, len(js["items"])), (200, 1), js)
        c, js = self.call("GET", "/api/v1/kb/suggest?text=" + urllib.parse.quote("电梯") + "&limit=1", token=self.agent)
        self.assertEqual((c, len(js["items"])), (200, 1), js)
        # Only their own parameters, each once, named when wrong.
        for query, field in (("text=%E7%94%B5%E6%A2%AF&foo=1", "foo"), ("txt=abc", "txt"),
                             ("text=%E7%94%B5%E6%A2%AF&text=x", "text"), ("text=x&limit=51", "limit")):
            c, js = self.call("GET", "/api/v1/kb/suggest?" + query, token=self.agent)
            self.assertEqual((c, js["error"]["details"].get("field")), (400, field), js)
        c, js = self.call("GET", "/api/v1/kb/similar-cases?text=x&limit=21", token=self.agent)
        self.assertEqual((c, js["error"]["details"].get("field")), (400, "limit"), js)
        # A parameter that is not what it says is refused by name: a broken escape would be
        # searched as the literal text, and nobody types a control character.
        for path, field in (("/api/v1/kb/search?q=%zz", "q"), ("/api/v1/kb/search?q=%E7%94%B5%zz", "q"),
                            ("/api/v1/kb/search?q=%", "q"), ("/api/v1/kb/search?q=%00", "q"),
                            ("/api/v1/kb/search?q=%E7%94%B5%E6%A2%AF&limit=%1", "limit"),
                            ("/api/v1/kb/suggest?text=", "text"), ("/api/v1/kb/similar-cases?text=", "text")):
            c, js = self.call("GET", path, token=self.agent)
            self.assertEqual((c, js["error"]["details"].get("field")), (400, field), (path, js))
        c, js = self.call("GET", "/api/v1/kb/suggest?text=%E7%94%B5%E6%A2%AF%0A%E5%9D%8F%E4%BA%86", token=self.agent)
        self.assertEqual(c, 200, js)
        c, js = self.call("GET", "/api/v1/public/kb/search?q=x&status=draft")
        self.assertEqual((c, js["error"]["details"].get("field")), (400, "status"), js)
        for body, field in (({"text": text, "limit": 0}, "limit"), ({"text": text, "limit": "3"}, "limit"),
                            ({"text": text, "lmit": 3}, "lmit"), ({}, "ticket_id"), ({"ticket_id": "x"}, "ticket_id"),
                            ({"text": 5}, "text"), ({"text": "电梯" * 7000}, "text"),
                            ({"text": "电梯", "ticket_id": "1"}, "text"), ({"text": ""}, "text"),
                            ({"text": " \u200b"}, "text")):
            c, js = self.call("POST", "/api/v1/kb/suggest", body, self.agent)
            self.assertEqual((c, js["error"]["details"].get("field")), (400, field), (body if len(str(body)) < 99 else field, js))

    def test_public_search_only_public_entries(self):
        c, js = self.call("GET", "/api/v1/public/kb/search?q=" + urllib.parse.quote("电梯 噪音"))
        self.assertEqual(c, 200)
        self.assertEqual([i["title"] for i in js["items"]], ["夜间施工噪音投诉"])

    def test_direct_answer_counts_uses(self):
        entry = self.search("电梯")[1]["items"][0]
        t = self.call("POST", "/api/v1/tickets", {"channel": "web", "request_type": "consultation",
                                                  "content": "电梯坏了找谁修？"}, self.agent)[1]
        c, js = self.call("POST", f"/api/v1/tickets/{t['id']}/actions/answer_directly",
                          {"content": "请先联系物业。", "kb_entry_ids": [entry["id"]]}, self.agent)
        self.assertEqual((c, js["status"]), (200, "closed"))
        self.assertEqual(self.call("GET", f"/api/v1/kb/{entry['id']}", token=self.agent)[1]["use_count"], entry["use_count"] + 1)
        # The closed ticket becomes a similar case: stored beside the entries, but not one of them.
        case_id = None
        for _ in range(50):
            with sqlite3.connect(self.db) as db:
                row = db.execute("SELECT id FROM kb_entries WHERE kind = 'case'").fetchone()
            if row: case_id = str(row[0]); break
            time.sleep(0.1)
        self.assertIsNotNone(case_id, "the direct answer was indexed as a similar case")
        for token in (self.agent, self.admin):
            self.assertEqual(self.call("GET", f"/api/v1/kb/{case_id}", token=token)[0], 404)
            self.assertEqual(self.call("GET", f"/api/v1/kb/{case_id}/versions", token=token)[0], 404 if token == self.admin else 403)
        self.assertEqual(self.call("POST", f"/api/v1/kb/{case_id}/actions/review", {}, self.admin)[0], 404)
        t2 = self.call("POST", "/api/v1/tickets", {"channel": "web", "request_type": "consultation",
                                                   "content": "电梯又坏了"}, self.agent)[1]
        c, js = self.call("POST", f"/api/v1/tickets/{t2['id']}/actions/answer_directly",
                          {"content": "请先联系物业。", "kb_entry_ids": [case_id]}, self.agent)
        self.assertEqual((c, js["error"]["details"].get("field")), (400, "kb_entry_ids"), js)
        t2 = self.call("POST", "/api/v1/tickets", {"channel": "web", "request_type": "consultation", "content": "问"}, self.agent)[1]
        c, js = self.call("POST", f"/api/v1/tickets/{t2['id']}/actions/answer_directly",
                          {"content": "答", "kb_entry_ids": ["12345"]}, self.agent)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "kb_entry_ids"))

    def test_closed_tickets_become_similar_cases(self):
        t = self.call("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "consultation",
                                                  "content": "请问新生儿落户需要带哪些材料？",
                                                  "citizen": {"phone": "13900001111"}}, self.agent)[1]
        self.call("POST", f"/api/v1/tickets/{t['id']}/actions/answer_directly",
                  {"content": "需出生医学证明、父母户口簿和身份证，可网上办理。"}, self.agent)
        new = self.call("POST", "/api/v1/tickets", {"channel": "web", "request_type": "consultation",
                                                    "content": "孩子刚出生，落户要什么材料"}, self.agent)[1]
        c, js = self.call("GET", f"/api/v1/kb/similar-cases?ticket_id={new['id']}", token=self.agent)
        self.assertEqual(c, 200)
        self.assertEqual(js["items"][0]["ticket_id"], t["id"])
        self.assertIn("出生医学证明", js["items"][0]["answer"])
        self.assertNotIn(new["id"], [i["ticket_id"] for i in js["items"]])
        # The same request answered the same way again is one case, not two copies of it.
        twin = self.call("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "consultation",
                                                     "content": "请问新生儿落户需要带哪些材料？",
                                                     "citizen": {"phone": "13900002222"}}, self.agent)[1]
        self.call("POST", f"/api/v1/tickets/{twin['id']}/actions/answer_directly",
                  {"content": "需出生医学证明、父母户口簿和身份证，可网上办理。"}, self.agent)
        js = self.call("GET", f"/api/v1/kb/similar-cases?ticket_id={new['id']}", token=self.agent)[1]
        self.assertEqual(len([i for i in js["items"] if i["ticket_id"] in (t["id"], twin["id"])]), 1, js)
        # A confidential report's words may name its reporter: it is never offered as a case.
        secret = self.call("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "consultation", "confidential": True,
                                                       "content": "保密咨询：新生儿落户材料，我叫王秘密电话13912345678",
                                                       "citizen": {"phone": "13912345678"}}, self.agent)
        self.assertEqual(secret[0], 201, secret[1])
        c, js = self.call("POST", f"/api/v1/tickets/{secret[1]['id']}/actions/answer_directly",
                          {"content": "需出生医学证明。"}, self.agent)
        self.assertEqual(c, 200, js)
        for token in (self.agent, self.admin):
            js = self.call("POST", "/api/v1/kb/similar-cases", {"text": "王秘密 新生儿落户材料"}, token)[1]
            self.assertNotIn(secret[1]["id"], [i["ticket_id"] for i in js["items"]])
        # A district centre's dispatcher, who may not open the hub's ticket, is not shown it
        # as a case either.
        hub = self.call("GET", "/api/v1/units", token=self.admin)[1]["items"][0]["id"]
        dc = self.call("POST", "/api/v1/units", {"name": "江南区分中心", "kind": "district_center", "parent_id": hub}, self.admin)[1]["id"]
        self.call("POST", "/api/v1/users", {"username": "disp_dc", "password": "disp-pass-1", "role": "dispatcher", "unit_id": dc}, self.admin)
        disp = self.call("POST", "/api/v1/auth/login", {"username": "disp_dc", "password": "disp-pass-1"})[1]["token"]
        self.assertEqual(self.call("GET", f"/api/v1/tickets/{t['id']}", token=disp)[0], 403)
        c, js = self.call("GET", "/api/v1/kb/similar-cases?text=" + urllib.parse.quote("孩子刚出生，落户要什么材料"), token=disp)
        self.assertEqual(c, 200, js)
        self.assertNotIn(t["id"], [i["ticket_id"] for i in js["items"]])
        # Cases never show up as knowledge entries.
        self.assertNotIn(t["number"], [i["title"] for i in self.search("新生儿落户")[1]["items"]])
        # Archived, the last step of a closed ticket, it is still a solved case.
        old = self.call("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "consultation",
                                                    "content": "老年人乘坐公交车免费乘车卡怎么办理？",
                                                    "citizen": {"phone": "13900003333"}}, self.agent)[1]
        self.call("POST", f"/api/v1/tickets/{old['id']}/actions/answer_directly",
                  {"content": "年满65周岁持身份证到公交卡服务网点办理敬老卡，免费乘车。"}, self.agent)
        c, js = self.call("POST", f"/api/v1/tickets/{old['id']}/actions/archive", {}, self.admin)
        self.assertEqual((c, js.get("status")), (200, "archived"), js)
        js = self.call("POST", "/api/v1/kb/similar-cases", {"text": "老人坐公交免费卡在哪里办"}, self.agent)[1]
        self.assertIn(old["id"], [i["ticket_id"] for i in js["items"]], js)
        # Reopened, its answer did not solve it: no longer offered as a solved case.
        c, js = self.call("POST", f"/api/v1/tickets/{t['id']}/actions/reopen", {"reason": "市民称材料不全"}, self.admin)
        self.assertEqual(c, 200, js)
        js = self.call("GET", f"/api/v1/kb/similar-cases?ticket_id={new['id']}", token=self.agent)[1]
        self.assertNotIn(t["id"], [i["ticket_id"] for i in js["items"]])

    def test_suggest_weighs_the_requests_category(self):
        cats = {c["name"]: c["code"] for c in self.call("GET", "/api/v1/categories", token=self.agent)[1]["items"]}
        gas, lift = cats["燃气供应"], cats["电梯安全"]
        src = os.path.join(self.dir, "cat.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            f.write(json.dumps({"id": "cat-gas", "title": "燃气泄漏处置", "category_code": gas,
                                "body": "发现燃气泄漏立即关阀开窗，撤离后拨打抢险电话。"}, ensure_ascii=False) + "\n")
            f.write(json.dumps({"id": "cat-lift", "title": "物业电话打不通怎么办", "category_code": lift,
                                "body": "物业电话打不通，电梯维保单位电话见轿厢铭牌，物业不处理可投诉。"}, ensure_ascii=False) + "\n")
        r = subprocess.run([BIN, "kb", "import", "--db", self.db, src], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        text = "楼道里燃气泄漏了，物业电话打不通"
        def scores(**extra):
            c, js = self.call("POST", "/api/v1/kb/suggest", {"text": text, **extra}, self.agent)
            self.assertEqual(c, 200, js)
            return {i["external_id"]: i["score"] for i in js["items"]}, [i["external_id"] for i in js["items"]]
        plain, _ = scores()
        weighed, order = scores(category=gas)
        # Another category's entry scores half; the request's own (and one under it) as before.
        self.assertAlmostEqual(weighed["cat-lift"], plain["cat-lift"] / 2, places=3)
        self.assertAlmostEqual(weighed["cat-gas"], plain["cat-gas"], places=3)
        self.assertLess(order.index("cat-gas"), order.index("cat-lift"))
        c, js = self.call("POST", "/api/v1/kb/suggest", {"text": text, "category": "9999"}, self.agent)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "category"), js)
        # A match far below the best (one common word shared) is left out of the suggestions;
        # the search, with the same text, still lists it.
        long_text = "厨房燃气泄漏了，已经关阀开窗，人也撤离了，燃气泄漏后还要做什么处置，要怎样处理"
        c, js = self.call("POST", "/api/v1/kb/suggest", {"text": long_text, "limit": 50}, self.agent)
        got = [i["score"] for i in js["items"]]
        self.assertTrue(got and all(x >= got[0] / 5 for x in got), got)
        c, found = self.call("GET", "/api/v1/kb/search?limit=50&q=" + urllib.parse.quote(long_text), token=self.agent)
        self.assertGreater(len(found["items"]), len(got), "the weak matches exist: only the suggestions drop them")
        t = self.call("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "help", "content": text,
                                                  "category_code": gas, "citizen": {"phone": "13900003333"}}, self.agent)[1]
        c, js = self.call("GET", f"/api/v1/kb/suggest?ticket_id={t['id']}&category={gas}", token=self.agent)
        self.assertEqual((c, js["error"]["details"]["field"]), (400, "category"), js)
        ids = [i["external_id"] for i in self.call("GET", f"/api/v1/kb/suggest?ticket_id={t['id']}", token=self.agent)[1]["items"]]
        self.assertLess(ids.index("cat-gas"), ids.index("cat-lift"), "a ticket's own category weighs in")

    def test_suggest_for_a_ticket_and_cli_batch(self):
        t = self.call("POST", "/api/v1/tickets", {"channel": "web", "request_type": "complaint",
                                                  "content": "小区旁边工地半夜施工，噪音太大"}, self.agent)[1]
        js = self.call("GET", f"/api/v1/kb/suggest?ticket_id={t['id']}", token=self.agent)[1]
        self.assertEqual(js["items"][0]["external_id"], "faq-2")
        q = os.path.join(self.dir, "q.jsonl"); out = os.path.join(self.dir, "out.jsonl")
        with open(q, "w", encoding="utf-8") as f:
            f.write('{"id":"a","text":"电梯坏了"}\n{"id":"b","text":"工地噪音"}\nnot json\n')
        r = subprocess.run([BIN, "kb", "search", "--db", self.db, "--queries", q, "--limit", "3", "--output", out],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, "a failed line fails the run, the others still answered: " + r.stderr)
        self.assertIn("line 3", r.stderr)
        lines = [json.loads(l) for l in open(out, encoding="utf-8")]
        self.assertEqual([l["results"][0]["id"] for l in lines], ["faq-1", "faq-2"])
        single = subprocess.run([BIN, "kb", "search", "--db", self.db, "电梯坏了", "--json"], capture_output=True, text=True)
        self.assertEqual(json.loads(single.stdout)[0]["id"], "faq-1")
        # --output belongs to the batch form: a single query with it is refused, not printed.
        stray = subprocess.run([BIN, "kb", "search", "--db", self.db, "电梯坏了", "--output", out + ".x"],
                               capture_output=True, text=True)
        self.assertNotEqual(stray.returncode, 0)
        self.assertIn("--output is for --queries", stray.stderr)
        bad = os.path.join(self.dir, "bad.jsonl")
        with open(bad, "w", encoding="utf-8") as f:
            f.write('{"id":"n1","title":"新","body":"新条目"}\n{"id":"n2","title":"缺正文"}\n')
        r = subprocess.run([BIN, "kb", "import", "--db", self.db, bad], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("bad.jsonl line 2: body: is required", r.stderr)
        self.assertEqual(r.stderr.count("body"), 1, r.stderr)
        # A spreadsheet's trailing empty columns and rows of empty cells are read as nothing;
        # a value under no column name is refused, with its line, not dropped.
        padded = os.path.join(self.dir, "padded.csv")
        with open(padded, "w", encoding="utf-8-sig", newline="") as f:
            f.write("id,title,body,,\r\npad-1,表格条目,从表格导入的条目,,\r\n,,,,\r\n")
        r = subprocess.run([BIN, "kb", "import", "--db", self.db, padded], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(padded, "w", encoding="utf-8", newline="") as f:
            f.write("id,title,body,,\r\npad-1,表格条目,从表格导入的条目,,备注\r\n")
        r = subprocess.run([BIN, "kb", "import", "--db", self.db, padded], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("padded.csv line 2: field 5 holds '备注' in a column the header does not name", r.stderr)
        # An emptied file is said to be empty, not imported as nothing (exit 2, as the other imports).
        with open(bad, "w", encoding="utf-8") as f:
            f.write("\n")
        r = subprocess.run([BIN, "kb", "import", "--db", self.db, bad], capture_output=True, text=True)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("bad.jsonl: holds no knowledge entries", r.stderr)
        with open(bad, "w", encoding="utf-8") as f:
            f.write('{"id":"n1","title":"新","body":"新条目"}\n{"id":"n2", oops}\n')
        r = subprocess.run([BIN, "kb", "import", "--db", self.db, bad], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("bad.jsonl line 2: is not valid JSON", r.stderr)
        # A category the taxonomy does not have: the line is named, nothing is imported.
        with open(bad, "w", encoding="utf-8") as f:
            f.write('{"id":"n1","title":"新","body":"新条目","category":"01"}\n\n{"id":"n3","title":"错分类","body":"正文","category":"9999"}\n')
        r = subprocess.run([BIN, "kb", "import", "--db", self.db, bad], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("bad.jsonl line 3: category_code (or category): '9999' is not in the current taxonomy", r.stderr)
        ids = [json.loads(l)["id"] for l in subprocess.run([BIN, "kb", "export", "--db", self.db],
                                                            capture_output=True, text=True).stdout.splitlines()]
        self.assertNotIn("n1", ids, "a failed import writes nothing")
        with open(bad, "w", encoding="utf-8") as f:
            f.write('{"id":"n4","title":"拼错","body":"正文","categroy":"01"}\n')
        r = subprocess.run([BIN, "kb", "import", "--db", self.db, bad], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("bad.jsonl line 1: categroy: is not a knowledge entry field", r.stderr)
        # CSV both ways: exported, read back into another database, the same entries.
        csv_out = os.path.join(self.dir, "all.csv")
        r = subprocess.run([BIN, "kb", "export", "--db", self.db, "--output", csv_out], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(csv_out, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        self.assertEqual(sorted(x["id"] for x in rows), sorted(ids))
        other = os.path.join(self.dir, "other.db")
        r = subprocess.run([BIN, "kb", "import", "--db", other, csv_out], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        back = [json.loads(l) for l in subprocess.run([BIN, "kb", "export", "--db", other], capture_output=True,
                                                       text=True).stdout.splitlines()]
        self.assertEqual(sorted((e["id"], e["title"], e["body"], tuple(e["keywords"])) for e in back),
                         sorted((x["id"], x["title"], x["body"], tuple(k for k in x["keywords"].split("|") if k)) for x in rows))
        with open(bad.replace(".jsonl", ".csv"), "w", encoding="utf-8") as f:
            f.write('id,title,body\n\nc1,有标题,"正文\n两行"\nc2,缺正文,\n')
        r = subprocess.run([BIN, "kb", "import", "--db", other, bad.replace(".jsonl", ".csv")], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("bad.csv line 5: body: is required", r.stderr)
        with open(bad.replace(".jsonl", ".csv"), "w", encoding="utf-8") as f:
            f.write('id,title,body,expires_at\nc1,有标题,正文,2020-01-01\n')
        r = subprocess.run([BIN, "kb", "import", "--db", other, bad.replace(".jsonl", ".csv")], capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0, "a misnamed column is refused, not dropped")
        self.assertIn("column 'expires_at'", r.stderr)
        # A keyword holding '|', or keywords that open with '[', survive the round trip
        # (written as a JSON array), unchanged.
        kept = {"p1": ["a|b", "c"], "p2": ["[通知]"], "p3": ['["x"]'], "p4": ["[1]", "b"]}
        pipes = os.path.join(self.dir, "pipes.jsonl")
        with open(pipes, "w", encoding="utf-8") as f:
            for i, k in kept.items():
                f.write(json.dumps({"id": i, "title": "管道" + i, "body": "正文", "keywords": k}, ensure_ascii=False) + "\n")
        p_db, p_csv, p_db2 = (os.path.join(self.dir, n) for n in ("p.db", "p.csv", "p2.db"))
        for args in (["import", "--db", p_db, pipes], ["export", "--db", p_db, "--output", p_csv], ["import", "--db", p_db2, p_csv]):
            r = subprocess.run([BIN, "kb", *args], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
        out = subprocess.run([BIN, "kb", "export", "--db", p_db2], capture_output=True, text=True).stdout
        self.assertEqual({e["id"]: e["keywords"] for e in map(json.loads, out.splitlines())}, kept)
        r = subprocess.run([BIN, "kb", "export", "--db", self.db, "--output", "/nonexistent/dir/x.jsonl"],
                           capture_output=True, text=True)
        self.assertNotEqual(r.returncode, 0, "a file that cannot be written is an error")

    def test_export_then_import_updates_instead_of_copying(self):
        d = tempfile.mkdtemp(prefix="hotline-kb-rt-", dir=self.dir)
        db, src, out = (os.path.join(d, n) for n in ("rt.db", "in.jsonl", "out.jsonl"))
        def kb(*args):
            return subprocess.run([BIN, "kb", *args], capture_output=True, text=True)
        with open(src, "w", encoding="utf-8") as f:
            f.write(json.dumps({"id": "ext-1", "title": "燃气报修", "body": "燃气泄漏请拨打抢修电话。"}, ensure_ascii=False) + "\n")
        self.assertEqual(kb("import", "--db", db, src).returncode, 0)
        # An entry written through the API has no external id: export names it by its own id.
        conn = sqlite3.connect(db)
        conn.execute("UPDATE kb_entries SET external_id = NULL")
        conn.commit(); conn.close()
        self.assertEqual(kb("export", "--db", db, "--output", out).returncode, 0)
        first = [json.loads(l) for l in open(out, encoding="utf-8")]
        self.assertEqual(len(first), 1)
        edited = dict(first[0], body="燃气泄漏请立即拨打燃气抢修电话，并开窗通风。")
        with open(out, "w", encoding="utf-8") as f:
            f.write(json.dumps(edited, ensure_ascii=False) + "\n")
        r = kb("import", "--db", db, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        back = [json.loads(l) for l in kb("export", "--db", db).stdout.splitlines()]
        self.assertEqual([(e["id"], e["body"]) for e in back], [(first[0]["id"], edited["body"])],
                         "the edited file updates its entry; it does not add a copy")
        conn = sqlite3.connect(db)
        self.assertEqual(conn.execute("SELECT count(*), max(version), max(external_id) FROM kb_entries").fetchone(), (1, 2, None))
        stamp = conn.execute("SELECT updated_at FROM kb_entries").fetchone()
        conn.close()
        # The same file again changes nothing: no new version, and the entry's freshness
        # (updated_at, which ranking reads) is left alone.
        r = kb("import", "--db", db, out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("(1 unchanged", r.stdout)
        conn = sqlite3.connect(db)
        self.assertEqual(conn.execute("SELECT version, updated_at FROM kb_entries").fetchone(), (2, stamp[0]))
        self.assertEqual(conn.execute("SELECT count(*) FROM kb_versions").fetchone(), (2,))
        conn.close()

    def test_import_refuses_what_it_cannot_keep(self):
        d = tempfile.mkdtemp(prefix="hotline-kb-bad-", dir=self.dir)
        db, f_jsonl, f_csv = (os.path.join(d, n) for n in ("b.db", "b.jsonl", "b.csv"))
        def imp(path, text, mode="w"):
            with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8"})) as f:
                f.write(text)
            return subprocess.run([BIN, "kb", "import", "--db", db, path], capture_output=True, text=True)
        r = imp(f_jsonl, '{"id":"a","title":"一","body":"正文"}\n{"id":"b","title":"二","body":"正文"}\n'
                         '{"id":"a","title":"三","body":"正文"}\n')
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("b.jsonl line 3: id: 'a' is already used on line 1", r.stderr)
        self.assertEqual([n for n in os.listdir(d) if n.startswith("b.db")], [],
                         "a refused import leaves no database (nor key) it would have created")
        r = imp(f_jsonl, '{"id":"u","title":"一","body":"正文","owner_unit_id":"123456789"}\n')
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("b.jsonl line 1: owner_unit_id: no unit with id 123456789", r.stderr)
        r = imp(f_csv, b"id,title,body\nc1,\xe4\xb8\x80,ok\nc2,x,\xff\n", "wb")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("b.csv line 3: is not UTF-8 text", r.stderr)
        # A byte-order mark (a JSONL file saved by a Windows editor) is not part of the first line.
        with open(f_jsonl, "w", encoding="utf-8") as f:
            f.write('\ufeff{"id":"bom","title":"一","body":"正文"}\n')
        r = subprocess.run([BIN, "kb", "import", "--db", os.path.join(self.dir, "bom.db"), f_jsonl], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = imp(f_csv, "id,title,body,title\nc1,一,正文,二\n")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("column 'title' appears twice", r.stderr)
        r = imp(f_csv, 'id,title,body\nc1,"一"二,正文\n')
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("text after the closing quote on line 2", r.stderr)
        r = imp(f_jsonl, '[{"id":"a","title":"一","body":"正文"}]\n')
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("b.jsonl line 1: must be one entry, a JSON object", r.stderr)
        self.assertEqual([n for n in os.listdir(d) if n.startswith("b.db")], [], "nothing was imported")
        # A file named .CSV is CSV, whatever the case of its name.
        r = imp(os.path.join(d, "UP.CSV"), "id,title,body\nc1,停车场收费,按物价局核定标准收费\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = subprocess.run([BIN, "kb", "search", "--db", db, "停车场收费"], capture_output=True, text=True)
        self.assertIn("c1", r.stdout)
        r = subprocess.run([BIN, "kb", "search", "--db", db, "火车票"], capture_output=True, text=True)
        self.assertEqual((r.returncode, r.stdout), (0, "no current entry matches\n"), r.stderr)
        # Batch search: a line without an id is refused, not answered under a null id.
        q, out = os.path.join(d, "q.jsonl"), os.path.join(d, "out.jsonl")
        with open(q, "w", encoding="utf-8") as f:
            f.write('{"text":"电梯坏了"}\n{"id":7,"text":"电梯坏了"}\n')
        r = subprocess.run([BIN, "kb", "search", "--db", self.db, "--queries", q, "--output", out], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("line 1: needs", r.stderr)
        self.assertIn("searched 1 queries, 0 with errors; 1 lines refused", r.stderr)
        self.assertEqual([json.loads(l)["id"] for l in open(out, encoding="utf-8")], [7])


if __name__ == "__main__":
    unittest.main(verbosity=2)
