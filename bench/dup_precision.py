#!/usr/bin/env python3
"""Precision of near-duplicate groups on the real message board, by judged pairs.

Runs `hotline insight duplicates` over shared/data/teddy2020c/messages_with_votes.csv,
takes every (leader, member) pair of every group, counts the pairs whose two texts are
identical (the same matter by construction), samples 40 of the others with a fixed seed
and scores them with the judgements in tests/data/duplicate_pairs_judged.tsv. A sampled
pair that has no judgement is printed with both texts, to be read and added to the file.

    python3 bench/dup_precision.py build/hotline
"""
import csv
import json
import math
import os
import random
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data", "teddy2020c", "messages_with_votes.csv")
JUDGED = os.path.join(ROOT, "tests", "data", "duplicate_pairs_judged.tsv")


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: dup_precision.py HOTLINE_BINARY")
    if not os.path.exists(DATA):
        print(f"skipped: {DATA} not found")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "dups.jsonl")
        subprocess.run([sys.argv[1], "insight", "duplicates", "--input", DATA, "--output", out], check=True,
                       stdout=subprocess.DEVNULL)
        groups = [json.loads(line) for line in open(out, encoding="utf-8")]
    rows = {r["留言编号"]: r for r in csv.DictReader(open(DATA, encoding="utf-8"))}

    def text(i):
        r = rows[i]
        return r["留言主题"].strip() + " | " + " ".join(r["留言详情"].split())

    pairs = [(g["ids"][0], other) for g in groups for other in g["ids"][1:]]
    identical = [p for p in pairs if text(p[0]) == text(p[1])]
    near = [p for p in pairs if text(p[0]) != text(p[1])]
    random.seed(7)
    sample = random.sample(near, min(40, len(near)))
    judged = {}
    with open(JUDGED, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or line.startswith("id_a"):
                continue
            a, b, same, *_ = line.rstrip("\n").split("\t")
            judged[(a, b)] = same == "1"
    scored = [judged[p] for p in sample if p in judged]
    missing = [p for p in sample if p not in judged]
    print(f"{len(groups)} groups, {len(pairs)} pairs (leader, member): {len(identical)} identical texts, "
          f"{len(near)} near duplicates")
    if scored:
        prec = sum(scored) / len(scored)
        half = 1.96 * math.sqrt(prec * (1 - prec) / len(scored))
        overall = (len(identical) + prec * len(near)) / len(pairs)
        print(f"judged sample of near-duplicate pairs: {sum(scored)}/{len(scored)} the same matter, precision "
              f"{prec:.3f} (95 % interval ±{half:.3f}); over all pairs: {overall:.3f}")
    for a, b in missing:
        print(f"not judged yet: {a} {b}\n  A {text(a)[:200]}\n  B {text(b)[:200]}")


if __name__ == "__main__":
    main()
