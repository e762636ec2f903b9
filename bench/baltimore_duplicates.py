#!/usr/bin/env python3
"""Structured duplicate check on Baltimore 311 records against the operators' own flags.

Baltimore's 311 export (shared/data/us311/baltimore_2014_2017.csv) has no free text, but its
operators closed some requests as duplicates (`SRStatus` "Closed (Duplicate)" or "Open
(Duplicate)"). Each record becomes one message whose text is its request type and street
address (`SW-Graffiti Removal 1319 N CHARLES ST`) and whose time is its creation time.
`hotline insight duplicates` groups them twice, on the words alone and with the type and
address also given as the `category` and `address` fields, and prints for each run:

  - the groups, the requests they hold, and how many groups are one type at one address;
  - the groups holding at least one flagged request, and the flagged requests grouped
    (every group of same-type same-address requests within the window is a duplicate by the
    rule operators apply, flagged or not, so this is no precision).

First it prints the ceiling: how many flagged records have any other record of the same
type at the same address in the file at all, and how many within the window (the file is a
sample of 7,545 requests out of millions, so most flagged records' originals are not in it).

    python3 bench/baltimore_duplicates.py build/hotline [--window-days 30] [--threshold 0.9]
"""
import argparse
import collections
import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data", "us311", "baltimore_2014_2017.csv")


def street(address):
    return address.split(",")[0].strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary")
    ap.add_argument("--window-days", type=int, default=30)
    ap.add_argument("--threshold", type=float, default=0.9)
    args = ap.parse_args()
    if not os.path.exists(DATA):
        print(f"skipped: {os.path.normpath(DATA)} not found")
        return
    rows = list(csv.DictReader(open(DATA, encoding="utf-8")))
    recs = []
    for r in rows:
        addr = street(r["Address"])
        if not addr or not r["SRType"]:
            continue
        t = datetime.datetime.strptime(r["CreatedDate"], "%m/%d/%Y %I:%M:%S %p")
        recs.append({"id": r["SRRecordID"], "type": r["SRType"], "street": addr, "time": t,
                     "flagged": "Duplicate" in r["SRStatus"]})
    flagged = {x["id"] for x in recs if x["flagged"]}

    # Ceiling: another record of the same type at the same street address, anywhere in time
    # and within the window.
    by_key = collections.defaultdict(list)
    for x in recs:
        by_key[(x["type"], x["street"])].append(x)
    window = datetime.timedelta(days=args.window_days)
    any_twin = in_window = 0
    for x in recs:
        if not x["flagged"]:
            continue
        others = [o for o in by_key[(x["type"], x["street"])] if o is not x]
        any_twin += bool(others)
        in_window += any(abs(o["time"] - x["time"]) <= window for o in others)

    by_id = {x["id"]: x for x in recs}
    print(f"{len(recs)} requests, {len(flagged)} flagged as duplicates by operators; window {args.window_days} days, "
          f"threshold {args.threshold}")
    print(f"ceiling: {any_twin} flagged requests have another request of the same type at the same address in the "
          f"file, {in_window} of them within the window")
    print("input                         groups  requests  one type, one address  with a flagged one  flags found")
    for name, fields in (("words", False), ("words + category, address", True)):
        groups = find_groups(args, recs, fields)
        grouped = {str(i) for g in groups for i in g["ids"]}
        with_flag = sum(1 for g in groups if any(str(i) in flagged for i in g["ids"]))
        same_key = sum(1 for g in groups if len({(by_id[str(i)]["type"], by_id[str(i)]["street"]) for i in g["ids"]}) == 1)
        print(f"{name:28s}  {len(groups):6d}  {len(grouped):8d}  {same_key:21d}  {with_flag:18d}  "
              f"{len(grouped & flagged):5d}/{len(flagged)}")


def find_groups(args, recs, fields):
    """`hotline insight duplicates` over the records; with `fields`, each line also carries
    its request type as category and its street address as address."""
    with tempfile.TemporaryDirectory(prefix="baltimore-dups-") as work:
        src, out = os.path.join(work, "in.jsonl"), os.path.join(work, "groups.jsonl")
        with open(src, "w", encoding="utf-8") as f:
            for x in recs:
                line = {"id": x["id"], "text": f'{x["type"]} {x["street"]}',
                        "time": x["time"].strftime("%Y-%m-%dT%H:%M:%S")}
                if fields:
                    line.update(category=x["type"], address=x["street"])
                f.write(json.dumps(line) + "\n")
        subprocess.run([args.binary, "insight", "duplicates", "--input", src, "--threshold", str(args.threshold),
                        "--window-days", str(args.window_days), "--output", out], check=True,
                       stdout=subprocess.DEVNULL)
        return [json.loads(line) for line in open(out, encoding="utf-8") if line.strip()]


if __name__ == "__main__":
    sys.exit(main())
