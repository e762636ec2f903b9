#!/usr/bin/env python3
"""End-to-end tests of `hotline model` and `hotline insight` on files, as operators use them.

Usage: python3 tests/intel_test.py /path/to/hotline [unittest options]

Synthetic files check the contract (formats, bad lines reported with their line number and
never silently dropped, damaged models refused); where ../shared/data sits beside the
checkout, the classifier is also trained on the real development data. Standard library only.
"""

import csv
import datetime
import json
import os
import stat
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
from contextlib import closing

from harness import call, die_with_parent, free_port

if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
    print("usage: intel_test.py /path/to/hotline [unittest options]", file=sys.stderr)
    sys.exit(2)
HOTLINE = os.path.abspath(sys.argv.pop(1))
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "teddy2020c")

TOPICS = {
    "城乡建设": ["路灯不亮", "道路坑洼积水", "井盖缺失", "人行道破损", "小区电梯故障", "楼道墙皮脱落"],
    "环境保护": ["夜间施工噪音", "工厂排放废气", "河道污水横流", "餐馆油烟扰民", "垃圾焚烧臭味", "广场舞音响太吵"],
    "教育文体": ["学校乱收补课费", "幼儿园收费过高", "入学学位紧张", "学籍转学手续", "校车安全隐患", "体育馆不开放"],
}
PLACES = ["芙蓉区", "天心区", "岳麓区", "开福区", "雨花区", "望城区", "长沙县"]


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def run(*args, timeout=120):
    return subprocess.run([HOTLINE, *args], capture_output=True, text=True, timeout=timeout)


class ModelTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.d = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.d, name)

    def write_training(self):
        with open(self.path("train.csv"), "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["text", "label"])
            for label, phrases in TOPICS.items():
                for p in phrases:
                    for place in PLACES:
                        w.writerow([f"{place}{p}的问题反映很久了，请相关部门尽快处理", label])
            w.writerow(["", "城乡建设"])            # no text: reported, skipped
            w.writerow(["只有文字没有标签", ""])   # no label: reported, skipped
            w.writerow(["！！！", "城乡建设"])          # nothing to read: reported, skipped
        # The same rows, segmented, as JSONL.
        with open(self.path("train.jsonl"), "w", encoding="utf-8") as f:
            for label, phrases in TOPICS.items():
                for p in phrases[:3]:
                    f.write(json.dumps({"segmented_text": f"{PLACES[0]} {p} 问题", "label": label}, ensure_ascii=False) + "\n")
            f.write("{not json\n")

    def test_train_with_the_citys_names(self):
        self.write_training()
        with open(self.path("names.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(PLACES) + "\n\n")
        # Into a models folder that does not exist yet (a new city's city.db.models/).
        r = run("model", "train", "--input", self.path("train.csv"), "--out", self.path("new.models/d.model"), "--folds", "0",
                "--dictionary", self.path("names.txt"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(self.path("new.models/d.model")))
        # Learnt from citizens' words: the owner's only, as the database and its key are.
        self.assertEqual(stat.S_IMODE(os.stat(self.path("new.models")).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(self.path("new.models/d.model")).st_mode), 0o600)
        with open(self.path("bad.txt"), "wb") as f:
            f.write(b"\xff\xfe\n")
        r = run("model", "train", "--input", self.path("train.csv"), "--out", self.path("e.model"), "--folds", "0",
                "--dictionary", self.path("bad.txt"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("dictionary", r.stderr)

    def test_train_predict_eval_round_trip(self):
        self.write_training()
        r = run("model", "train", "--input", self.path("train.csv"), "--input", self.path("train.jsonl"),
                "--out", self.path("m.model"), "--folds", "3")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("train.csv line 128: text: is missing or empty", r.stderr)
        self.assertIn("train.csv line 129: label: is missing or empty", r.stderr)
        self.assertIn("train.csv line 130: text: has no letters, digits or ideographs", r.stderr)
        self.assertIn("train.jsonl line 10: line: is not valid JSON", r.stderr)
        self.assertIn("skipped 4 bad lines", r.stderr)
        self.assertIn("out-of-fold", r.stdout)

        with open(self.path("in.jsonl"), "w", encoding="utf-8") as f:
            f.write(json.dumps({"id": "a", "text": "我家门口的路灯坏了好几天，晚上很黑"}, ensure_ascii=False) + "\n")
            f.write(json.dumps({"id": 7, "text": "工地半夜施工噪音太大，吵得睡不着"}, ensure_ascii=False) + "\n")
            f.write(json.dumps({"id": "t", "text": "學校亂收補課費"}, ensure_ascii=False) + "\n")  # traditional
            f.write(json.dumps({"id": "empty", "text": "，。！"}, ensure_ascii=False) + "\n")
            f.write("[1, 2]\n")
            f.write(json.dumps({"text": "小区垃圾没人清运"}, ensure_ascii=False) + "\n")  # no id: its line number
        r = run("model", "predict", "--model", self.path("m.model"), "--input", self.path("in.jsonl"),
                "--output", self.path("out.jsonl"))
        self.assertEqual(r.returncode, 1, "bad lines fail the run, the good ones still answered: " + r.stderr)
        self.assertIn("line 4: text: has no letters", r.stderr)
        self.assertIn("line 5: line: is not a JSON object", r.stderr)
        with open(self.path("out.jsonl"), encoding="utf-8") as f:
            out = [json.loads(l) for l in f]
        # An id is echoed as given; a line without one is named by its line number, a string.
        self.assertEqual([o["id"] for o in out], ["a", 7, "t", "6"])
        self.assertEqual([o["label"] for o in out][:3], ["城乡建设", "环境保护", "教育文体"])
        for o in out:
            self.assertEqual(set(o), {"id", "label", "confidence", "abstain", "top"})
            self.assertEqual(o["top"][0]["label"], o["label"])
            self.assertAlmostEqual(o["top"][0]["confidence"], o["confidence"])
            self.assertTrue(0 < o["confidence"] <= 1)
            self.assertIsInstance(o["abstain"], bool)

        with open(self.path("gold.jsonl"), "w", encoding="utf-8") as f:
            f.write(json.dumps({"text": "路灯不亮很久了", "label": "城乡建设"}, ensure_ascii=False) + "\n")
            f.write(json.dumps({"text": "餐馆油烟扰民", "label": "环境保护"}, ensure_ascii=False) + "\n")
            f.write(json.dumps({"text": "幼儿园收费过高", "label": "城乡建设"}, ensure_ascii=False) + "\n")  # gold says otherwise
        r = run("model", "eval", "--model", self.path("m.model"), "--input", self.path("gold.jsonl"), "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        rep = json.loads(r.stdout)
        self.assertEqual(rep["n"], 3)
        self.assertAlmostEqual(rep["accuracy"], 2 / 3)
        self.assertEqual(rep["per_class"]["城乡建设"]["support"], 2)
        self.assertEqual(sum(map(sum, rep["confusion"]["matrix"])), 3)
        r = run("model", "eval", "--model", self.path("m.model"), "--input", self.path("gold.jsonl"))
        self.assertIn("macro-F1", r.stdout)
        with open(self.path("empty.jsonl"), "w", encoding="utf-8") as f:
            f.write("\n")
        r = run("model", "eval", "--model", self.path("m.model"), "--input", self.path("empty.jsonl"))
        self.assertNotEqual(r.returncode, 0, "scores over nothing are not a result")
        self.assertIn("no labelled rows", r.stderr)

    def test_damaged_or_foreign_model_is_refused(self):
        with open(self.path("bad.model"), "w") as f:
            f.write("hello")
        with open(self.path("in.jsonl"), "w") as f:
            f.write('{"id": 1, "text": "路灯"}\n')
        r = run("model", "predict", "--model", self.path("bad.model"), "--input", self.path("in.jsonl"),
                "--output", self.path("o.jsonl"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not a hotline classifier model", r.stderr)

    def test_one_label_only_is_an_error(self):
        with open(self.path("one.csv"), "w", encoding="utf-8") as f:
            f.write("text,label\n路灯坏了,城建\n道路破损,城建\n")
        r = run("model", "train", "--input", self.path("one.csv"), "--out", self.path("m.model"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("label", r.stderr)
        self.assertFalse(os.path.exists(self.path("m.model")))

    @unittest.skipUnless(os.path.isdir(DATA), "../shared/data not found: real-data classification skipped")
    def test_real_development_data(self):
        r = run("model", "train", "--input", os.path.join(DATA, "classify_dev_raw.csv"),
                "--input", os.path.join(DATA, "classify_dev_segmented.csv"), "--out", self.path("m.model"), timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.path("m.model"), "rb") as f:
            f.readline()
            info = json.loads(f.readline())
        self.assertEqual(len(info["labels"]), 7)
        # Grouped out-of-fold scores, stored in the model: far above chance (0.14).
        self.assertGreater(info["scores"]["macro_f1"], 0.88)
        self.assertGreater(info["scores"]["accuracy_when_confident"], 0.9)


class InsightTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.d = self.dir.name

    def tearDown(self):
        self.dir.cleanup()

    def test_duplicates_and_hotspots_from_a_board_export(self):
        rows = []
        fumes = ["锦绣家园小区楼下餐馆油烟直排扰民", "锦绣家园小区底层商铺油烟很大", "投诉锦绣家园小区临街夜宵摊油烟"]
        for i in range(8):
            t = fumes[i % 3]
            rows.append([str(1000 + i), f"U{i}", t, f"2019/7/{i + 1} 10:00:00", f"{t}，严重影响居民生活，请处理油烟问题。", "0", str(i)])
        dup = "育才中学乱收补课费，每人每学期收取八百元，请教育局调查处理。"
        rows.append(["2000", "P1", "育才中学乱收补课费", "2019-08-01 09:00:00", dup, "0", "0"])
        rows.append(["2001", "P2", "育才中学乱收补课费", "2019-08-02 09:00:00", "\n\t" + dup + "\u3000", "1", "2"])
        rows.append(["2002", "P3", "育才中學亂收補課費", "2019-08-03 09:00:00", "育才中學亂收補課費，每人每學期收取八百元，請教育局調查處理。", "0", "0"])
        rows.append(["3000", "Q1", "公积金提取", "2019-08-03 09:00:00", "咨询公积金提取流程", "0", "0"])
        path = os.path.join(self.d, "board.csv")
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数"])
            w.writerows(rows)
        out = os.path.join(self.d, "dups.jsonl")
        r = run("insight", "duplicates", "--input", path, "--output", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            groups = [json.loads(l) for l in f]
        school = [g for g in groups if "2000" in g["ids"]]
        self.assertEqual(len(school), 1)
        self.assertEqual(sorted(school[0]["ids"]), ["2000", "2001", "2002"])
        self.assertFalse(any("3000" in g["ids"] for g in groups))
        # An id used twice in the file is pointed out: the output could not tell the rows apart.
        with open(path, "a", newline="", encoding="utf-8") as f:
            csv.writer(f).writerow(["3000", "Q2", "公积金", "2019-08-04 09:00:00", "公积金贷款额度", "0", "0"])
        r = run("insight", "duplicates", "--input", path, "--output", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("id 3000 was already used on line", r.stderr)

        hot = os.path.join(self.d, "hot.json")
        r = run("insight", "hotspots", "--input", path, "--from", "2019-07-01", "--to", "2019-08-31", "--top", "3",
                "--output", hot)
        self.assertEqual(r.returncode, 0, r.stderr)
        spots = load(hot)["hotspots"]
        self.assertEqual(spots[0]["rank"], 1)
        self.assertEqual(sorted(spots[0]["ids"]), [str(1000 + i) for i in range(8)])
        self.assertEqual((spots[0]["time_from"], spots[0]["time_to"]), ("2019-07-01", "2019-07-08"))
        self.assertIn("锦绣家园", spots[0]["place"])
        self.assertEqual(spots[0]["votes"], sum(range(8)))
        self.assertIn("description", spots[0])
        # Heat's factors are in the file, as the API gives them.
        self.assertEqual(spots[0]["urgency"], 0)
        self.assertIn("growth", spots[0])
        self.assertIn("urgency", load(hot)["heat_index"])
        # The period filter: July only leaves the school out.
        r = run("insight", "hotspots", "--input", path, "--from", "2019-07-01", "--to", "2019-07-31", "--output", hot)
        self.assertEqual(r.returncode, 0, r.stderr)
        ids = {i for s in load(hot)["hotspots"] for i in s["ids"]}
        self.assertNotIn("2000", ids)
        r = run("insight", "hotspots", "--input", path, "--from", "July", "--output", hot)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("from", r.stderr)

    def test_duplicates_of_structured_records_agree_on_category_and_address(self):
        # 311-style records: type and street address; blocks of one street read alike.
        recs = [("1", "SW-Dirty Alley", "900 W NORTH AVE", "2016-03-01T09:00:00"),
                ("2", "SW-Dirty Alley", "1700 W NORTH AVE", "2016-03-02T09:00:00"),
                ("3", "SW-Dirty Alley", "900 W North Ave", "2016-03-05T09:00:00"),
                ("4", "TRS-Parking Complaint", "900 W NORTH AVE", "2016-03-05T10:00:00"),
                ("5", "SW-Dirty Alley", "900 W NORTH AVE", "2016-06-01T09:00:00")]
        path, out = os.path.join(self.d, "311.jsonl"), os.path.join(self.d, "dups.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for i, kind, street, time in recs:
                f.write(json.dumps({"id": i, "text": f"{kind} {street}", "time": time, "category": kind,
                                    "address": street}) + "\n")
        r = run("insight", "duplicates", "--input", path, "--window-days", "30", "--output", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            groups = [sorted(json.loads(l)["ids"]) for l in f]
        self.assertEqual(groups, [["1", "3"]])  # not the other block, type, or three months later

    def test_petition_cross_check(self):
        tickets = os.path.join(self.d, "t.jsonl")
        petitions = os.path.join(self.d, "p.jsonl")
        with open(tickets, "w", encoding="utf-8") as f:
            for i, text in enumerate(["锦绣家园小区旁边的工地夜间施工噪音扰民，已经持续一个月",
                                      "请问公积金提取需要什么材料", "育才中学强制学生购买教辅资料"]):
                f.write(json.dumps({"id": "T%d" % i, "text": text}, ensure_ascii=False) + "\n")
        with open(petitions, "w", encoding="utf-8") as f:
            f.write(json.dumps({"id": "X1", "text": "信访人反映锦绣家园小区旁工地夜间施工噪音扰民问题"}, ensure_ascii=False) + "\n")
            f.write(json.dumps({"id": "X2", "text": "反映某村土地征收补偿标准过低"}, ensure_ascii=False) + "\n")
        out = os.path.join(self.d, "m.jsonl")
        r = run("insight", "petitions", "--input", tickets, "--petitions", petitions, "--output", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            rows = [json.loads(l) for l in f]
        self.assertEqual([(x["ticket_id"], x["petition_id"]) for x in rows], [("T0", "X1")])
        self.assertIn("锦绣家园", "".join(rows[0]["shared_places"]))

    def test_litigation_clues_from_a_file(self):
        path = os.path.join(self.d, "m.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.write(json.dumps({"id": "a", "text": "化工厂偷排废水污染河道"}, ensure_ascii=False) + "\n")
            f.write(json.dumps({"id": "b", "text": "请问公积金怎么提取"}, ensure_ascii=False) + "\n")
            f.write(json.dumps({"id": "c", "text": "網吧接納未成年人上網"}, ensure_ascii=False) + "\n")
        out = os.path.join(self.d, "clues.jsonl")
        r = run("insight", "clues", "--input", path, "--output", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, encoding="utf-8") as f:
            rows = [json.loads(l) for l in f]
        self.assertEqual([(x["id"], x["clues"][0]["domain"]) for x in rows], [("a", "ecology"), ("c", "minors")])
        self.assertIn("2 of 3 messages", r.stdout)


class DispatchEvalTest(unittest.TestCase):
    def test_routes_later_records_from_earlier_ones(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "records.csv")
            with open(path, "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(["CreatedDate", "SRType", "Neighborhood", "Agency"])
                for day in range(1, 29):
                    for hood, agency in (("East", "East Depot"), ("West", "City Lights")):
                        w.writerow(["02/%02d/2016 0%d:15:00 PM" % (day, day % 9 + 1), "Street Light", hood, agency])
                    w.writerow(["02/%02d/2016 10:00:00 AM" % day, "Pothole", "East", "Transportation"])
                w.writerow(["not a date", "Pothole", "East", "Transportation"])
            r = run("dispatch", "eval", "--input", path, "--unit-column", "Agency", "--key-column", "SRType",
                    "--key-column", "Neighborhood", "--time-column", "CreatedDate", "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            out = json.loads(r.stdout)
            self.assertEqual(out["skipped"], 1)
            self.assertEqual(out["train"] + out["test"], 84)
            # Type and place decide; the type alone cannot tell East from West.
            self.assertEqual(out["recommender"]["top1"], 1.0)
            self.assertLess(out["most_frequent_for_SRType"]["top1"], 0.9)
            r = run("dispatch", "eval", "--input", path, "--unit-column", "Owner", "--key-column", "SRType",
                    "--time-column", "CreatedDate")
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("Owner", r.stderr)
            # Two columns of one name: the one meant cannot be told, so it is refused by name.
            with open(path, encoding="utf-8") as f:
                text = f.read().replace("CreatedDate,SRType,Neighborhood,Agency", "CreatedDate,SRType,Agency,Agency", 1)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            r = run("dispatch", "eval", "--input", path, "--unit-column", "Agency", "--key-column", "SRType",
                    "--time-column", "CreatedDate")
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("has column 'Agency' twice", r.stderr)


class SubTopicsCliTest(unittest.TestCase):
    def test_subtopics_errors_name_the_filter_that_left_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "m.csv")
            with open(path, "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(["id", "text", "time", "label"])
                for i in range(6):
                    w.writerow([i, "金桂苑%d栋电梯坏了困人" % i, "2019/3/%d 10:00:00" % (i + 1), "城乡建设"])
            def err(*extra):
                r = run("insight", "subtopics", "--input", path, "--output", os.path.join(d, "s.json"), *extra)
                self.assertNotEqual(r.returncode, 0)
                return r.stderr
            self.assertIn("label-column", err("--label-column", "labl", "--label", "城乡建设"))
            self.assertIn("no message has the label '教育'", err("--label", "教育"))
            self.assertIn("from: no message of the label falls in the period", err("--label", "城乡建设", "--from", "2030-01-01"))


class SpikesTest(unittest.TestCase):

    def test_spikes_and_their_validation_by_injected_bursts(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "records.csv")
            with open(path, "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(["CreatedDate", "SRType"])
                for day in range(1, 121):
                    date = datetime.date(2016, 1, 1) + datetime.timedelta(days=day - 1)
                    n = 40 if day == 100 else 6 + day % 3
                    for i in range(n):
                        w.writerow(["%02d/%02d/2016 09:%02d:00 AM" % (date.month, date.day, i % 60), "Pothole"])
                f.write("\n")                                        # a blank line: not a record
                w.writerow(["not a date", "Pothole"])                # reported by its line, skipped
                w.writerow(["01/01/2016 09:00:00 AM", "Pothole", "x"])  # one field too many
            lines = sum(1 for _ in open(path, encoding="utf-8"))
            r = run("insight", "spikes", "--input", path, "--time-column", "CreatedDate", "--key-column", "SRType",
                    "--output", os.path.join(d, "s.json"))
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("records.csv line %d: CreatedDate: 'not a date' is not a time" % (lines - 1), r.stderr)
            self.assertIn("records.csv line %d: line: has 3 fields, the header 2" % lines, r.stderr)
            self.assertIn("skipped 2 bad lines", r.stderr)
            spikes = load(os.path.join(d, "s.json"))["spikes"]
            self.assertEqual([(s["key"], s["day"], s["count"]) for s in spikes], [("Pothole", "2016-04-09", 40)])
            r = run("insight", "spikes", "--input", path, "--time-column", "CreatedDate", "--key-column", "SRType",
                    "--inject", "20", "--output", os.path.join(d, "v.json"))
            self.assertEqual(r.returncode, 0, r.stderr)
            v = load(os.path.join(d, "v.json"))["validation"]
            self.assertEqual(v["injected"], 20)
            self.assertGreaterEqual(v["detection_rate"], 0.8)
            r = run("insight", "spikes", "--input", path, "--time-column", "When", "--key-column", "SRType")
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("time-column", r.stderr)


class DemoCase(unittest.TestCase):
    """A demo city of its own (it learns its category model from its history at start)."""

    extra_args = []

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.db = os.path.join(cls.dir.name, "demo.db")
        port = free_port()
        cls.url = "http://127.0.0.1:%d" % port
        cls.log = open(os.path.join(cls.dir.name, "demo.log"), "wb")
        cls.proc = subprocess.Popen([HOTLINE, "demo", "--db", cls.db, "--listen", "127.0.0.1:%d" % port, "--no-traffic",
                                     *cls.extra_args],
                                    stdout=cls.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    preexec_fn=die_with_parent)
        started = time.monotonic()
        while True:
            try:
                if call(cls.url, "GET", "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if cls.proc.poll() is not None or time.monotonic() - started > 120:
                raise RuntimeError("demo did not start")
            time.sleep(0.1)
        cls.tokens = {}
        for user, password in (("admin", "admin-12345"), ("agent1", "demo-12345"), ("dispatcher1", "demo-12345"),
                               ("supervisor1", "demo-12345"), ("h_chengguan", "demo-12345"),
                               ("disp_jiangbei", "demo-12345"), ("analyst1", "demo-12345"),
                               ("agent_jiangnan", "demo-12345"), ("agent_gaoxin", "demo-12345")):
            status, body = call(cls.url, "POST", "/api/v1/auth/login", {"username": user, "password": password})
            assert status == 200, body
            cls.tokens[user] = body["token"]

    @classmethod
    def tearDownClass(cls):
        cls.proc.send_signal(signal.SIGTERM)
        try:
            cls.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            cls.proc.kill()
        cls.log.close()
        cls.dir.cleanup()

    def api(self, method, path, body=None, who="agent1"):
        return call(self.url, method, path, body, self.tokens[who])


class AssistTest(DemoCase):
    """Proposals at intake, duplicates, alerts, insight and retraining."""

    def test_live_proposal_while_typing(self):
        status, s = self.api("POST", "/api/v1/suggest", {"content": "小区门口的路灯坏了一个星期，晚上很黑，请尽快修理"})
        self.assertEqual(status, 200, s)
        self.assertEqual(s["category"]["name"], "路灯")
        self.assertTrue(0 < s["category"]["confidence"] <= 1)
        self.assertEqual(s["category"]["top"][0]["label"], s["category"]["label"])
        self.assertGreater(len(s["units"]), 0)
        first = s["units"][0]
        self.assertEqual(first["name"], "市城市管理局")
        self.assertTrue(any(r.startswith("派单目录") for r in first["reasons"]), first)
        self.assertTrue(any(r.startswith("历史") for r in first["reasons"]), first)
        self.assertEqual(s["units"], sorted(s["units"], key=lambda u: -u["score"]))
        self.assertEqual(s["tone"]["name"], "calm")
        status, s = self.api("POST", "/api/v1/suggest", {"content": "路灯坏了反映了三次都没人管，你们太不作为了！！"})
        self.assertGreaterEqual(s["tone"]["level"], 1)
        self.assertTrue(s["tone"]["evidence"])

    def test_a_street_is_proposed_for_its_own_place_only(self):
        # 金色家园 lies in 新桥街道 (江北区): other streets' history in the category is no
        # reason to send them a barbecue stall there (they would only return it).
        status, s = self.api("POST", "/api/v1/suggest", {"content": "金色家园5栋楼下的烧烤店每天晚上营业到凌晨，油烟很大",
                                                         "address": "金色家园"})
        self.assertEqual(status, 200, s)
        status, units = self.api("GET", "/api/v1/units?page_size=500", who="admin")
        streets = {u["name"] for u in units["items"] if u["kind"] == "street"}
        proposed = [u["name"] for u in s["units"]]
        self.assertEqual([n for n in proposed if n in streets and n != "新桥街道办事处"], [], proposed)

    def test_the_directory_sending_it_back_to_the_hub_proposes_nobody(self):
        # 民政社区 has no rule of its own: the directory's catch-all sends it to the district of
        # its place, and of no known place to the hub itself, which cannot dispatch to itself.
        text = {"content": "我想咨询一下低保申请需要什么材料，到哪里办理", "category_code": "10"}
        status, s = self.api("POST", "/api/v1/suggest", text)
        self.assertEqual(status, 200, s)
        self.assertNotIn("临江市12345热线中心", [u["name"] for u in s["units"]], s["units"])
        status, s = self.api("POST", "/api/v1/suggest", dict(text, address="锦绣花园"))
        self.assertEqual(s["units"][0]["name"], "江南区12345分中心", s["units"])

    def test_bad_input_and_roles(self):
        status, e = self.api("POST", "/api/v1/suggest", {"content": "  "})
        self.assertEqual(status, 400)
        self.assertEqual(e["error"]["details"]["field"], "content")
        status, e = self.api("POST", "/api/v1/suggest", {"content": "路灯坏了", "area_id": "123"})
        self.assertEqual(status, 400)
        self.assertEqual(e["error"]["details"]["field"], "area_id")
        status, e = self.api("POST", "/api/v1/suggest", {"content": "路灯坏了", "adress": "望江路"})
        self.assertEqual((status, e["error"]["details"]["field"]), (400, "adress"))
        status, e = self.api("POST", "/api/v1/suggest", {"content": 5})
        self.assertEqual(status, 400)
        status, _ = self.api("POST", "/api/v1/suggest", {"content": "路灯坏了"}, who="h_chengguan")
        self.assertEqual(status, 403)
        status, _ = self.api("GET", "/api/v1/models", who="h_chengguan")
        self.assertEqual(status, 403)
        status, m = self.api("GET", "/api/v1/models", who="admin")
        self.assertEqual(status, 200)
        self.assertIn("category", m["models"])
        self.assertIn("macro_f1", m["models"]["category"]["scores"])

    def test_ticket_keeps_its_proposal_and_dispatch_records_feedback(self):
        status, before = self.api("GET", "/api/v1/stats/dispatch", who="dispatcher1")
        self.assertEqual(status, 200, before)
        status, t = self.api("POST", "/api/v1/tickets", {
            "channel": "phone", "request_type": "complaint", "content": "路灯不亮了，晚上走路看不见",
            "citizen": {"phone": "13800001111"}})
        self.assertEqual(status, 201, t)
        status, t = self.api("GET", "/api/v1/tickets/" + t["id"], who="dispatcher1")
        self.assertEqual(status, 200)
        sug = t["suggestions"]
        self.assertEqual(sug["category"]["name"], "路灯")
        proposed = sug["units"][0]["unit_id"]
        status, t2 = self.api("POST", "/api/v1/tickets/%s/actions/dispatch" % t["id"],
                              {"unit_id": proposed, "version": t["version"]}, who="dispatcher1")
        self.assertEqual(status, 200, t2)
        status, events = self.api("GET", "/api/v1/tickets/%s/events" % t["id"], who="dispatcher1")
        dispatched = [e for e in events["items"] if e["type"] == "dispatched"][-1]
        self.assertEqual(dispatched["data"]["suggestion"], {"unit_id": proposed, "followed": True})
        status, after = self.api("GET", "/api/v1/stats/dispatch", who="dispatcher1")
        self.assertEqual(after["dispatches"], before["dispatches"] + 1)
        self.assertEqual(after["followed"], before["followed"] + 1)
        self.assertTrue(0 <= after["dispatch_accuracy"] <= 1)
        status, _ = self.api("GET", "/api/v1/stats/dispatch", who="agent1")
        self.assertEqual(status, 403)
        status, e = self.api("GET", "/api/v1/stats/dispatch?from=yesterday", who="dispatcher1")
        self.assertEqual((status, e["error"]["details"]["field"]), (400, "from"))

    def test_near_duplicates_found_at_intake_for_merging(self):
        text = "锦绣花园小区3栋门口的下水道堵塞三天了，污水漫到路面上，臭味很大，请尽快疏通处理。"
        status, first = self.api("POST", "/api/v1/tickets", {
            "channel": "phone", "request_type": "complaint", "content": text, "citizen": {"phone": "13900002222"}})
        self.assertEqual(status, 201, first)
        # Another caller, the same matter in traditional characters with a sentence added.
        status, second = self.api("POST", "/api/v1/tickets", {
            "channel": "web", "request_type": "complaint",
            "content": "錦繡花園小區3棟門口的下水道堵塞三天了，污水漫到路面上，臭味很大，請盡快疏通處理。孩子上學都要繞路。",
            "citizen": {"phone": "13900003333"}})
        self.assertEqual(status, 201, second)
        status, t = self.api("GET", "/api/v1/tickets/" + second["id"], who="dispatcher1")
        dups = t["suggestions"].get("duplicates", [])
        self.assertIn(first["id"], [d["ticket_id"] for d in dups])
        d = [d for d in dups if d["ticket_id"] == first["id"]][0]
        self.assertEqual(d["number"], first["number"])
        self.assertGreaterEqual(d["score"], 0.5)
        self.assertNotIn("content", d)
        status, s = self.api("POST", "/api/v1/suggest", {"content": text})
        self.assertIn(first["id"], [d["ticket_id"] for d in s.get("duplicates", [])])
        status, s = self.api("POST", "/api/v1/suggest", {"content": "请问身份证丢了去哪里补办，需要带什么材料"})
        self.assertNotIn(first["id"], [d["ticket_id"] for d in s.get("duplicates", [])])

    def test_alerts_for_repeat_callers_and_matters_many_report(self):
        phone = "13700004444"
        for kind, text in (("consultation", "请问我们小区旁边的烂尾楼什么时候复工？"),
                           ("suggestion", "建议尽快处理小区旁边的烂尾楼，存在安全隐患。"),
                           ("complaint", "小区旁边的烂尾楼反映了几次都没人管，太过分了！")):
            status, t = self.api("POST", "/api/v1/tickets", {"channel": "phone", "request_type": kind, "content": text,
                                                            "citizen": {"phone": phone}})
            self.assertEqual(status, 201, t)
        status, alerts = self.api("GET", "/api/v1/alerts?kind=repeat_caller", who="dispatcher1")
        self.assertEqual(status, 200, alerts)
        mine = [a for a in alerts["items"] if a["data"]["phone"] == "137****4444"]
        self.assertEqual(len(mine), 1, alerts)
        self.assertEqual(mine[0]["severity"], "high")
        self.assertTrue(mine[0]["data"]["escalating"])
        self.assertEqual(mine[0]["data"]["request_types"], ["consultation", "suggestion", "complaint"])
        self.assertEqual(mine[0]["data"]["tones"][0], "calm")
        self.assertNotEqual(mine[0]["data"]["tones"][-1], "calm")
        self.assertEqual(mine[0]["ticket_id"], t["id"])
        self.assertEqual(mine[0]["data"]["same_matter"], 3)
        def calls(phone, masked, requests):
            # The calls from one phone, then the one repeat-caller alert they raise.
            for kind, text in requests:
                status, t = self.api("POST", "/api/v1/tickets", {"channel": "phone", "request_type": kind,
                                                                "content": text, "citizen": {"phone": phone}})
                self.assertEqual(status, 201, t)
            status, alerts = self.api("GET", "/api/v1/alerts?kind=repeat_caller", who="dispatcher1")
            found = [a for a in alerts["items"] if a["data"]["phone"] == masked]
            self.assertEqual(len(found), 1, alerts)
            return found[0]
        # Three different matters from one phone: a repeat caller, not an escalation.
        other = calls("13577778888", "135****8888", (("consultation", "社保卡丢了怎么补办？"),
                                                   ("suggestion", "建议在学校门口增设一个公交站。"),
                                                   ("complaint", "菜市场有摊贩缺斤少两，请管一管。")))
        self.assertEqual((other["data"]["escalating"], other["data"]["same_matter"], other["severity"]),
                         (False, 1, "warning"), other)
        # A threat to petition (上访) stays on record: a calm call about the same matter after it
        # does not lower the alert.
        park = calls("13566665555", "135****5555", (("consultation", "公园里的健身器材坏了，什么时候修？"),
                                                  ("complaint", "公园健身器材坏了一个月没人修，再不处理我就去上访！"),
                                                  ("consultation", "请问公园健身器材修了没有？")))
        self.assertEqual((park["severity"], park["data"]["escalating"]), ("high", True), park)
        # One matter told in turns: the first and the last call share no words, but each shares
        # them with the one between; the matter holds all three, and it escalated.
        fumes = calls("13544443333", "135****3333", (("consultation", "楼下川味饭店的油烟很大，请问这归哪个部门管？"),
                                                   ("complaint", "楼下川味饭店的油烟直排，厨房排风扇正对着我家卧室窗户。"),
                                                   ("complaint", "厨房排风扇正对着我家卧室窗户，半夜轰隆隆响吵得睡不着，太过分了！")))
        self.assertEqual((fumes["data"]["same_matter"], fumes["data"]["escalating"]), (3, True), fumes)
        # A caller chasing one request again and again (催单 as contacts with their phone) is a
        # repeat caller too, and a threat in a chase escalates it.
        status, lid = self.api("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "complaint",
                                                          "content": "望江路人行道上的井盖缺了一个，晚上很危险。",
                                                          "citizen": {"phone": "13366667777"}})
        self.assertEqual(status, 201, lid)
        for said in ("井盖还没换，请抓紧。", "井盖怎么还没换？你们到底管不管，再不处理我就去上访！"):
            status, c = self.api("POST", "/api/v1/tickets/%s/contacts" % lid["id"],
                                 {"channel": "phone", "kind": "chase", "content": said, "citizen": {"phone": "13366667777"}})
            self.assertEqual(status, 201, c)
        status, alerts = self.api("GET", "/api/v1/alerts?kind=repeat_caller", who="dispatcher1")
        [chased] = [a for a in alerts["items"] if a["data"]["phone"] == "133****7777"]
        self.assertEqual((chased["data"]["count"], chased["severity"], chased["data"]["escalating"]), (3, "high", True), chased)
        self.assertEqual([x.get("contact") for x in chased["data"]["tickets"]], [None, "chase", "chase"])
        self.assertEqual({x["number"] for x in chased["data"]["tickets"]}, {lid["number"]})

        text = "滨江路与望江路交叉口的红绿灯坏了，车辆乱成一团，早高峰特别危险，请马上派人修复。"
        numbers = []
        for i in range(3):
            status, t = self.api("POST", "/api/v1/tickets", {"channel": "app", "request_type": "complaint",
                                                            "content": text + "我是第%d个反映的。" % (i + 1),
                                                            "citizen": {"phone": "1360000%04d" % i}})
            numbers.append(t["number"])
        status, alerts = self.api("GET", "/api/v1/alerts?kind=duplicate_cluster", who="supervisor1")
        self.assertEqual(status, 200, alerts)
        cluster = [a for a in alerts["items"] if a["data"]["first"] == numbers[0]]
        self.assertEqual(len(cluster), 1, alerts)
        self.assertEqual(sorted(cluster[0]["data"]["numbers"]), sorted(numbers))
        # One caller is one caller whatever name they give: three reports from one phone are a
        # repeat caller, not a matter three citizens raised.
        lamp = "新桥镇中心小学门口的红绿灯一直不亮，孩子们上学过马路很危险，请尽快修好。"
        one_caller = []
        for citizen in ({"phone": "13600007777"}, {"phone": "13600007777", "name": "甲"},
                        {"phone": "136 0000 7777", "id_number": "11010519491231002X"}):
            status, t = self.api("POST", "/api/v1/tickets", {"channel": "app", "request_type": "complaint",
                                                            "content": lamp, "citizen": citizen})
            self.assertEqual(status, 201, t)
            one_caller.append(t["number"])
        status, alerts = self.api("GET", "/api/v1/alerts?kind=duplicate_cluster&limit=500", who="supervisor1")
        self.assertEqual([a for a in alerts["items"] if a["data"]["first"] in one_caller], [], "one caller is no cluster")
        # The same words about another crossing are another matter: not proposed for merging.
        status, elsewhere = self.api("POST", "/api/v1/tickets", {"channel": "app", "request_type": "complaint",
                                                                "content": text.replace("滨江路与望江路", "北山路与新桥路"),
                                                                "citizen": {"phone": "13600009999"}})
        self.assertEqual(status, 201, elsewhere)
        self.assertEqual(elsewhere.get("suggestions", {}).get("duplicates", []), [], elsewhere.get("suggestions"))
        status, same = self.api("POST", "/api/v1/tickets", {"channel": "app", "request_type": "complaint",
                                                           "content": text, "citizen": {"phone": "13600008888"}})
        self.assertEqual(len(same["suggestions"]["duplicates"]), 3, same["suggestions"])
        # A district centre is not told of the city centre's tickets, not even their numbers.
        status, theirs = self.api("POST", "/api/v1/suggest", {"content": text}, who="disp_jiangbei")
        self.assertEqual(status, 200, theirs)
        self.assertEqual(theirs.get("duplicates", []), [], theirs)
        status, ours = self.api("POST", "/api/v1/suggest", {"content": text}, who="dispatcher1")
        self.assertEqual(len(ours["duplicates"]), 4, ours)

        # A district centre sees only alerts raised by tickets it may see: not the city centre's.
        status, theirs = self.api("GET", "/api/v1/alerts?limit=500", who="disp_jiangbei")
        self.assertEqual(status, 200, theirs)
        self.assertFalse({a["ticket_id"] for a in theirs["items"]} & {t["id"], mine[0]["ticket_id"]}, theirs)
        for a in theirs["items"]:
            status, _ = self.api("GET", "/api/v1/tickets/" + a["ticket_id"], who="disp_jiangbei")
            self.assertEqual(status, 200, a)
        status, _ = self.api("GET", "/api/v1/alerts", who="h_chengguan")
        self.assertEqual(status, 403)
        status, e = self.api("GET", "/api/v1/alerts?kind=weather", who="dispatcher1")
        self.assertEqual((status, e["error"]["details"]["field"]), (400, "kind"))

    def test_alerts_are_handled_and_open_again_on_a_newer_report(self):
        def call_in(text):
            status, t = self.api("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "complaint",
                                                            "content": text, "citizen": {"phone": "13911112222"}})
            self.assertEqual(status, 201, t)

        seen = set()

        def mine(state="", who="supervisor1"):
            status, alerts = self.api("GET", "/api/v1/alerts?kind=repeat_caller" + (state and "&state=" + state),
                                      who=who)
            self.assertEqual(status, 200, alerts)
            if who == "analyst1":  # an analyst's alert names no phone: told by its id
                self.assertTrue(all("phone" not in a["data"] for a in alerts["items"]))
                return [a for a in alerts["items"] if a["id"] in seen]
            found = [a for a in alerts["items"] if a["data"]["phone"] == "139****2222"]
            seen.update(a["id"] for a in found)
            return found

        for text in ("小区地下车库漏水严重", "地下车库漏水还没修好", "地下车库漏水一个月了没人管"):
            call_in(text)
        [alert] = mine("open")
        self.assertEqual((alert["state"], alert["handled"]), ("open", None), alert)
        self.assertIsInstance(alert["version"], int)
        self.assertEqual(len(mine(who="analyst1")), 1)  # analysts read alerts, as 热点预警 shows them
        path = "/api/v1/alerts/%s/handle" % alert["id"]
        handle = {"version": alert["version"], "note": "已联系来电人，车库漏水转物业限期整改"}
        for who in ("analyst1", "agent1", "h_chengguan"):
            status, e = self.api("POST", path, handle, who=who)
            self.assertEqual(status, 403, (who, e))
        status, e = self.api("POST", path, handle, who="disp_jiangbei")  # another district's centre
        self.assertEqual(status, 404, e)
        for body, field in (({"version": alert["version"]}, "note"), ({**handle, "version": "1"}, "version"),
                            ({**handle, "note": "\u200b\ufeff \u0007"}, "note"),
                            ({**handle, "notes": "x"}, "notes"), ({"note": "已处理"}, "version")):
            status, e = self.api("POST", path, body, who="supervisor1")
            self.assertEqual((status, e["error"]["details"].get("field")), (400, field), e)
        status, e = self.api("POST", path, {**handle, "version": alert["version"] - 1}, who="supervisor1")
        self.assertEqual((status, e["error"]["code"]), (409, "alert_updated"), e)
        status, e = self.api("POST", "/api/v1/alerts/99999/handle", handle, who="supervisor1")
        self.assertEqual(status, 404, e)
        status, done = self.api("POST", path, handle, who="supervisor1")
        self.assertEqual(status, 200, done)
        self.assertEqual((done["state"], done["handled"]["note"]), ("handled", handle["note"]), done)
        self.assertTrue(done["handled"]["by_name"])
        # A second person handling what they saw before the first did is told, not let overwrite it.
        status, e = self.api("POST", path, {**handle, "note": "已转交警处理"}, who="dispatcher1")
        self.assertEqual((status, e["error"]["code"]), (409, "alert_handled"), e)
        self.assertEqual(mine("open"), [])
        self.assertEqual([a["id"] for a in mine("handled")], [alert["id"]])
        status, audit = self.api("GET", "/api/v1/audit", who="admin")
        self.assertIn(("alert_handled", "alert:" + alert["id"]),
                      [(e["action"], e["target"]) for e in audit["items"]])
        # The caller calls again: the alert is open again, the earlier handling still shown.
        call_in("地下车库漏水，物业说没接到通知")
        [again] = mine("open")
        self.assertEqual((again["id"], again["handled"]["note"]), (alert["id"], handle["note"]), again)
        self.assertGreater(again["version"], alert["version"])
        status, e = self.api("GET", "/api/v1/alerts?state=closed", who="supervisor1")
        self.assertEqual((status, e["error"]["details"]["field"]), (400, "state"), e)
        status, e = self.api("GET", "/api/v1/alerts?kinds=x", who="supervisor1")
        self.assertEqual((status, e["error"]["details"]["field"]), (400, "kinds"), e)

    def test_litigation_clues_flagged_at_intake_and_exported(self):
        status, t = self.api("POST", "/api/v1/tickets", {
            "channel": "web", "request_type": "report", "content": "江边的造纸厂晚上偷排废水，江面上全是泡沫，鱼都死了。",
            "citizen": {"phone": "13500005555"}})
        self.assertEqual(status, 201, t)
        status, full = self.api("GET", "/api/v1/tickets/" + t["id"], who="dispatcher1")
        self.assertEqual(full["suggestions"]["litigation"][0]["domain"], "ecology")
        status, lst = self.api("GET", "/api/v1/insight/litigation", who="supervisor1")
        self.assertEqual(status, 200, lst)
        self.assertIn(t["number"], [i["number"] for i in lst["items"]])
        item = [i for i in lst["items"] if i["number"] == t["number"]][0]
        self.assertIn("偷排", item["clues"][0]["evidence"])
        req = urllib.request.Request(self.url + "/api/v1/insight/litigation?format=csv",
                                     headers={"Authorization": "Bearer " + self.tokens["supervisor1"]})
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertIn("text/csv", r.headers["Content-Type"])
            body = r.read().decode("utf-8-sig")
        self.assertTrue(body.startswith("工单编号,受理时间,分类编码,领域代码,线索领域,线索依据,保密件"), body[:100])
        self.assertIn(t["number"], body)
        # A confidential report (保密) is marked so, in the list and in the file.
        status, c = self.api("POST", "/api/v1/tickets", {
            "channel": "phone", "request_type": "report", "confidential": True,
            "content": "保密举报：化工厂夜间偷排污水到河里。", "citizen": {"phone": "13500006666"}})
        self.assertEqual(status, 201, c)
        status, lst = self.api("GET", "/api/v1/insight/litigation", who="supervisor1")
        marks = {i["number"]: i["confidential"] for i in lst["items"]}
        self.assertEqual((marks[t["number"]], marks[c["number"]]), (False, True))
        with urllib.request.urlopen(req, timeout=10) as r:
            lines = r.read().decode("utf-8-sig").splitlines()
        marked = {n: {l.rsplit(",", 1)[1] for l in lines if n in l.split(",")[0]} for n in (t["number"], c["number"])}
        self.assertEqual(marked, {t["number"]: {"否"}, c["number"]: {"是"}}, lines[:3])
        status, _ = self.api("GET", "/api/v1/insight/litigation", who="agent1")
        self.assertEqual(status, 403)
        status, e = self.api("GET", "/api/v1/insight/litigation?format=xml", who="supervisor1")
        self.assertEqual((status, e["error"]["details"]["field"]), (400, "format"))

    def test_district_centre_sees_only_its_own_clues_callers_and_dispatch_figures(self):
        status, units = self.api("GET", "/api/v1/units", who="admin")
        jiangbei = [u for u in units["items"] if u["name"] == "江北区12345分中心"][0]["id"]
        status, u = self.api("POST", "/api/v1/users", {"username": "analyst_jiangbei", "password": "demo-12345",
                                                      "role": "analyst", "unit_id": jiangbei}, who="admin")
        self.assertIn(status, (201, 409), u)
        status, body = call(self.url, "POST", "/api/v1/auth/login", {"username": "analyst_jiangbei", "password": "demo-12345"})
        self.tokens["analyst_jiangbei"] = body["token"]
        # A clue taken in at the city centre and never sent to 江北: not in 江北's export.
        status, t = self.api("POST", "/api/v1/tickets", {
            "channel": "web", "request_type": "report", "content": "河边的化工厂夜里偷排废水，河里的鱼都死了。",
            "citizen": {"phone": "13500006666"}})
        self.assertEqual(status, 201, t)
        status, city = self.api("GET", "/api/v1/insight/litigation", who="supervisor1")
        self.assertIn(t["number"], [i["number"] for i in city["items"]])
        status, theirs = self.api("GET", "/api/v1/insight/litigation", who="analyst_jiangbei")
        self.assertEqual(status, 200, theirs)
        self.assertNotIn(t["number"], [i["number"] for i in theirs["items"]])
        for item in theirs["items"]:
            status, _ = self.api("GET", "/api/v1/tickets/" + item["ticket_id"], who="analyst_jiangbei")
            self.assertEqual(status, 200, item)
        # Dispatch figures: 江北's own, not the city's.
        status, mine = self.api("GET", "/api/v1/stats/dispatch", who="disp_jiangbei")
        status, all_ = self.api("GET", "/api/v1/stats/dispatch", who="dispatcher1")
        self.assertEqual(status, 200, all_)
        self.assertLess(mine["dispatches"], all_["dispatches"])
        # ... counted from the district's own routing: its dispatch of a relayed order counts.
        units = self.api("GET", "/api/v1/units", who="admin")[1]["items"]
        centre = next(u for u in units if u["kind"] == "district_center" and "江北" in u["name"])
        street = next(u for u in units if u["kind"] == "street" and u.get("parent_id") == centre["id"])
        status, t = self.api("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "complaint",
                                                        "content": "江北区某小区门口积水严重", "citizen": {"phone": "13500007777"}})
        status, t = self.api("POST", "/api/v1/tickets/%s/actions/dispatch" % t["id"],
                             {"unit_id": centre["id"], "mode": "relay"}, who="dispatcher1")
        self.assertEqual(status, 200, t)
        status, t = self.api("POST", "/api/v1/tickets/%s/actions/dispatch" % t["id"], {"unit_id": street["id"]},
                             who="disp_jiangbei")
        self.assertEqual(status, 200, t)
        status, now_mine = self.api("GET", "/api/v1/stats/dispatch", who="disp_jiangbei")
        self.assertEqual(now_mine["dispatches"], mine["dispatches"] + 1, now_mine)
        # A repeat caller: 江北 sees the alert of its own ticket, but not the city centre's tickets in it.
        phone = "13700009999"
        ids = []
        for text in ("北山路的路灯坏了", "北山路的路灯还是不亮", "北山路路灯坏了一周了没人修"):
            status, t = self.api("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "complaint",
                                                            "content": text, "citizen": {"phone": phone}})
            self.assertEqual(status, 201, t)
            ids.append(t["id"])
        status, t = self.api("GET", "/api/v1/tickets/" + ids[-1], who="dispatcher1")
        status, t = self.api("POST", "/api/v1/tickets/%s/actions/dispatch" % ids[-1],
                             {"unit_id": jiangbei, "mode": "relay", "version": t["version"]}, who="dispatcher1")
        self.assertEqual(status, 200, t)
        status, alerts = self.api("GET", "/api/v1/alerts?kind=repeat_caller", who="disp_jiangbei")
        mine = [a for a in alerts["items"] if a["data"]["phone"] == "137****9999"]
        self.assertEqual(len(mine), 1, alerts)
        self.assertEqual(mine[0]["data"]["count"], 3)
        self.assertEqual([x["ticket_id"] for x in mine[0]["data"]["tickets"]], [ids[-1]])
        self.assertEqual(len(mine[0]["data"]["tones"]), 1, "the other calls' tones are not 江北's to read")
        self.assertEqual(len(mine[0]["data"]["request_types"]), 1)
        # A matter three callers report: 江北 holds the third ticket, so it sees the alert with
        # the city-wide count, but only its own ticket's number.
        text = "北山路菜市场门口的下水道堵了，污水漫到路面上，臭气熏天，请尽快疏通。"
        tickets = []
        for i in range(3):
            status, t = self.api("POST", "/api/v1/tickets", {"channel": "app", "request_type": "complaint",
                                                            "content": text + "第%d次反映。" % (i + 1),
                                                            "citizen": {"phone": "1360001%04d" % i}})
            self.assertEqual(status, 201, t)
            tickets.append(t)
        status, t = self.api("POST", "/api/v1/tickets/%s/actions/dispatch" % tickets[-1]["id"],
                             {"unit_id": jiangbei, "mode": "relay", "version": tickets[-1]["version"]}, who="dispatcher1")
        self.assertEqual(status, 200, t)
        status, city = self.api("GET", "/api/v1/alerts?kind=duplicate_cluster", who="dispatcher1")
        cluster = [a for a in city["items"] if a["ticket_id"] == tickets[-1]["id"]]
        self.assertEqual(len(cluster), 1, city)
        self.assertEqual(sorted(cluster[0]["data"]["numbers"]), sorted(t["number"] for t in tickets))
        status, alerts = self.api("GET", "/api/v1/alerts?kind=duplicate_cluster", who="disp_jiangbei")
        cluster = [a for a in alerts["items"] if a["ticket_id"] == tickets[-1]["id"]]
        self.assertEqual(len(cluster), 1, alerts)
        self.assertEqual(cluster[0]["data"]["count"], 3)
        self.assertEqual(cluster[0]["data"]["numbers"], [tickets[-1]["number"]])
        self.assertEqual([x["ticket_id"] for x in cluster[0]["data"]["tickets"]], [tickets[-1]["id"]])
        self.assertNotIn("first", cluster[0]["data"])

    def test_a_matter_is_the_citys_whichever_centres_take_its_calls(self):
        # Three callers through two district centres are three callers: the city is alerted.
        text = "锦绣东路公交站台的顶棚被风刮塌了一半，下雨天候车的人没处躲，请尽快修复。"
        made = []
        for i, who in enumerate(("agent_jiangnan", "agent_jiangnan", "agent_gaoxin")):
            status, t = self.api("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "complaint",
                                                            "content": text, "citizen": {"phone": "1398889%04d" % i}}, who=who)
            self.assertEqual(status, 201, t)
            made.append(t["number"])
        status, city = self.api("GET", "/api/v1/alerts?kind=duplicate_cluster&limit=500", who="supervisor1")
        cluster = [a for a in city["items"] if made[-1] in a["data"]["numbers"]]
        self.assertEqual(len(cluster), 1, city)
        self.assertEqual(sorted(cluster[0]["data"]["numbers"]), sorted(made))
        # The same words at three estates, named only in the address, are three matters.
        words = "我们楼下的窨井盖板破损塌陷了，晚上路过很危险，已经有人差点踩空，请尽快更换。"
        numbers = []
        for i, place in enumerate(("江北区北山街道和平新村12栋", "江南区望江街道江景苑5栋", "高新区未来城8栋")):
            status, t = self.api("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "complaint", "content": words,
                                                            "address": place, "citizen": {"phone": "1397776%04d" % i}})
            self.assertEqual(status, 201, t)
            numbers.append(t["number"])
            self.assertFalse((t.get("suggestions") or {}).get("duplicates"), place)
        status, city = self.api("GET", "/api/v1/alerts?kind=duplicate_cluster&limit=500", who="supervisor1")
        self.assertFalse([a for a in city["items"] if numbers[-1] in a["data"]["numbers"]], "three places, no matter")

    def test_emergency_flagged_at_intake_with_transfer_and_alert(self):
        status, s = self.api("POST", "/api/v1/suggest", {"content": "楼下厨房着火了，烟很大，快来人！"})
        self.assertEqual(status, 200, s)
        self.assertEqual(s["emergency"]["transfer"], "119")
        self.assertEqual(s["emergency"]["hits"][0]["kind"], "fire")
        # The phrase decides the urgency, whatever the model said, and says so: also where the
        # model agrees (a gas leak, which the demo model reads as an emergency too).
        self.assertEqual(s["urgency"].get("source"), "screening", s["urgency"])
        for text in ("楼道里煤气味很浓，好像燃气泄漏了，快来人！", "我闻到楼道里有很浓的煤气味，好像燃气泄漏了"):
            status, g = self.api("POST", "/api/v1/suggest", {"content": text})
            self.assertEqual((g["emergency"]["transfer"], g["urgency"]["label"], g["urgency"].get("source")),
                             ("119", "emergency", "screening"), g["urgency"])
        self.assertEqual((s["urgency"]["label"], s["urgency"]["abstain"]), ("emergency", False),
                         "the urgency proposal agrees with the emergency banner")
        status, s = self.api("POST", "/api/v1/suggest", {"content": "小区消防通道被车堵了，请处理"})
        self.assertNotIn("emergency", s)
        # No phrase names it, the urgency model does: flagged too, as the classifier's.
        status, s = self.api("POST", "/api/v1/suggest", {"content": "楼道里有很浓的异味，怀疑泄漏，请马上派人来！"})
        self.assertEqual((s["urgency"]["label"], s["urgency"]["abstain"]), ("emergency", False), s)
        self.assertEqual((s["emergency"]["source"], s["emergency"]["transfer"], s["emergency"]["hits"]),
                         ("classifier", "110", []), s)
        status, t = self.api("POST", "/api/v1/tickets", {
            "channel": "phone", "request_type": "help", "content": "我闻到楼道里有很浓的煤气味，好像燃气泄漏了",
            "citizen": {"phone": "13300006666"}})
        self.assertEqual(status, 201, t)
        status, full = self.api("GET", "/api/v1/tickets/" + t["id"], who="agent1")
        self.assertEqual(full["suggestions"]["emergency"]["transfer"], "119")
        status, alerts = self.api("GET", "/api/v1/alerts?kind=emergency", who="supervisor1")
        mine = [a for a in alerts["items"] if a["data"]["number"] == t["number"]]
        self.assertEqual(len(mine), 1, alerts)
        self.assertEqual((mine[0]["severity"], mine[0]["state"]), ("high", "open"))
        # Transferred as it asks, it settles itself, by the agent who transferred it.
        status, done = self.api("POST", "/api/v1/tickets/%s/actions/transfer" % t["id"],
                                {"to": "119", "note": "已转消防119"})
        self.assertEqual(status, 200, done)
        status, alerts = self.api("GET", "/api/v1/alerts?kind=emergency", who="supervisor1")
        [al] = [a for a in alerts["items"] if a["data"]["number"] == t["number"]]
        self.assertEqual(al["state"], "handled")
        self.assertIn("已转交 119", al["handled"]["note"])
        status, waiting = self.api("GET", "/api/v1/alerts?kind=emergency&state=open", who="supervisor1")
        self.assertNotIn(t["number"], [a["data"]["number"] for a in waiting["items"]])

    def test_duplicate_groups_and_hotspots_over_stored_tickets(self):
        text = "幸福里社区东门菜市场门口的污水井盖破损，已经有老人摔倒，请尽快更换井盖。"
        numbers = []
        for i in range(3):
            status, t = self.api("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "complaint",
                                                            "content": text if i != 1 else text + "谢谢！",
                                                            "citizen": {"phone": "1380000%04d" % (100 + i)}})
            self.assertEqual(status, 201, t)
            numbers.append(t["number"])
        status, d = self.api("GET", "/api/v1/insight/duplicates", who="supervisor1")
        self.assertEqual(status, 200, d)
        groups = [g for g in d["items"] if numbers[0] in g["numbers"]]
        self.assertEqual(len(groups), 1, d)
        self.assertEqual(sorted(groups[0]["numbers"]), sorted(numbers))
        status, h = self.api("GET", "/api/v1/insight/hotspots?top=5", who="supervisor1")
        self.assertEqual(status, 200, h)
        self.assertLessEqual(len(h["hotspots"]), 5)
        self.assertEqual([x["rank"] for x in h["hotspots"]], list(range(1, len(h["hotspots"]) + 1)))
        for x in h["hotspots"]:
            self.assertEqual(len(x["ids"]), len(x["numbers"]))
        # Intake stored each ticket's hotspot features, and the hotspots read them: the three
        # reports of the broken manhole cover are one matter.
        with closing(sqlite3.connect("file:%s?mode=ro" % self.db, uri=True)) as db:
            stored = db.execute("SELECT COUNT(*) FROM ticket_features f JOIN tickets t ON t.id = f.ticket_id "
                                "WHERE t.number IN (?, ?, ?) AND length(f.hotspot) > 0", numbers).fetchone()[0]
        self.assertEqual(stored, 3)
        status, h = self.api("GET", "/api/v1/insight/hotspots?top=100", who="supervisor1")
        self.assertEqual(status, 200, h)
        cover = [x for x in h["hotspots"] if numbers[0] in x["numbers"]]
        self.assertEqual(len(cover), 1, h)
        self.assertEqual(sorted(cover[0]["numbers"]), sorted(numbers))
        # A matter reported only in confidential reports is counted, but its words (which may
        # name the reporter) are not quoted as its description.
        secret = []
        for i in range(3):
            status, t = self.api("POST", "/api/v1/tickets", {
                "channel": "phone", "request_type": "report", "confidential": True,
                "content": "举报人孙保密：和平里社区西门餐馆后厨老鼠横行，卫生极差，请查处。",
                "citizen": {"phone": "1390000%04d" % (100 + i)}})
            self.assertEqual(status, 201, t)
            secret.append(t["number"])
        status, h = self.api("GET", "/api/v1/insight/hotspots?top=100", who="analyst1")
        self.assertEqual(status, 200, h)
        [matter] = [x for x in h["hotspots"] if secret[0] in x["numbers"]]
        self.assertEqual(sorted(matter["numbers"]), sorted(secret))
        self.assertEqual(matter["description"], "（保密件，内容不显示）")
        self.assertNotIn("孙保密", json.dumps(h, ensure_ascii=False))
        # A district centre's analysis runs over its own tickets only: the city centre's group
        # is not in it, and every ticket it names is one the centre may open.
        status, mine = self.api("GET", "/api/v1/insight/duplicates", who="disp_jiangbei")
        self.assertEqual(status, 200, mine)
        self.assertLess(mine["tickets"], d["tickets"])
        self.assertFalse([g for g in mine["items"] if numbers[0] in g["numbers"]], mine)
        status, hot = self.api("GET", "/api/v1/insight/hotspots?top=3", who="disp_jiangbei")
        self.assertEqual(status, 200, hot)
        for tid in {i for x in hot["hotspots"] for i in x["ids"]} | {i for g in mine["items"] for i in g["ids"]}:
            status, _ = self.api("GET", "/api/v1/tickets/" + tid, who="disp_jiangbei")
            self.assertEqual(status, 200, tid)
        status, _ = self.api("GET", "/api/v1/insight/hotspots", who="h_chengguan")
        self.assertEqual(status, 403)
        status, e = self.api("GET", "/api/v1/insight/hotspots?top=0", who="supervisor1")
        self.assertEqual((status, e["error"]["details"]["field"]), (400, "top"))

    def test_retrain_from_history_with_one_command(self):
        out = os.path.join(self.dir.name, "retrained", "category.model")
        r = run("model", "train", "--db", self.db, "--target", "category", "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("closed tickets", r.stdout)
        self.assertTrue(os.path.exists(out))
        r = run("model", "train", "--db", self.db, "--target", "colour", "--out", out)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("target", r.stderr)


class AutoDispatchTest(DemoCase):
    """The demo city with automatic dispatch above 0.9 category confidence."""

    extra_args = ["--auto-dispatch", "0.9"]

    def test_confident_proposal_is_dispatched_by_the_system(self):
        # Said the way the city's closed tickets say it: the model is sure.
        status, t = self.api("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "complaint",
                                                        "content": "门前路灯不亮已经一周多了，晚上很黑，请尽快修理",
                                                        "citizen": {"phone": "13800007777"}})
        self.assertEqual(status, 201, t)
        self.assertEqual(t["status"], "dispatched", t)
        self.assertEqual(t["current_unit_id"], t["suggestions"]["units"][0]["unit_id"])
        status, events = self.api("GET", "/api/v1/tickets/%s/events" % t["id"], who="dispatcher1")
        dispatched = [e for e in events["items"] if e["type"] == "dispatched"]
        self.assertEqual(len(dispatched), 1)
        self.assertTrue(dispatched[0]["system"])
        self.assertIn("自动派单", dispatched[0]["data"]["note"])

    def test_the_directorys_co_handler_is_sent_with_the_lead(self):
        # The demo's 派单目录 sends 施工噪声 at a street's estates to the street, with the
        # environment bureau assisting (协办): the proposal names it, and the system sends both.
        status, t = self.api("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "complaint",
                                                        "content": "江景苑附近工地每天晚上十一点以后还在施工，噪音很大，严重影响休息，请管一管。",
                                                        "address": "江景苑", "citizen": {"phone": "13800007124"}})
        self.assertEqual(status, 201, t)
        best = t["suggestions"]["units"][0]
        self.assertEqual([a["name"] for a in best.get("assisting", [])], ["市生态环境局"], best)
        self.assertEqual(t["status"], "dispatched", t["suggestions"]["category"])
        self.assertEqual(sorted((a["unit_name"], a["lead"]) for a in t["assignments"]),
                         sorted([(best["name"], True), ("市生态环境局", False)]))

    def test_words_the_model_barely_knows_wait_for_a_person(self):
        # The demo's model learnt from a few hundred tickets written alike, and every held-out
        # one was right; a lamp in a stairwell, in words it never saw, once went to the gas
        # company at 100 %. Its confidence is now no higher than its held-out record allows.
        for i, text in enumerate(("创新公寓楼道里的灯坏了好几天", "楼上邻居家里漏水渗到我家天花板，物业不管")):
            status, t = self.api("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "complaint",
                                                            "content": text, "citizen": {"phone": "1380000900%d" % i}})
            self.assertEqual(status, 201, t)
            self.assertLess(t["suggestions"]["category"]["confidence"], 0.9, t["suggestions"]["category"])
            self.assertEqual(t["status"], "received")

    def test_emergencies_wait_for_a_person(self):
        status, t = self.api("POST", "/api/v1/tickets", {"channel": "phone", "request_type": "help",
                                                        "content": "楼下路灯的电线断了冒火花，有人触电倒地了",
                                                        "citizen": {"phone": "13800008888"}})
        self.assertEqual(status, 201, t)
        self.assertIn("emergency", t["suggestions"])
        self.assertEqual(t["status"], "received")


if __name__ == "__main__":
    unittest.main(verbosity=2)
