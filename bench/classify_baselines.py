#!/usr/bin/env python3
"""The hotline text classifier beside two scikit-learn baselines, on the same grouped splits.

Data: ../shared/data/teddy2020c/classify_dev_raw.csv (1,548 raw messages, `text`) and
classify_dev_segmented.csv (7,628 word-segmented messages, `segmented_text`), 7 first-level
labels. The two files hold many of the same messages twice; duplicated texts share a
`dup_group` across both files, so every split below keeps a whole dup_group on one side.

Protocol
  - Splits over the union of raw + segmented rows, group = dup_group:
      * grouped K-fold (--folds, default 5): the groups are shuffled with --seed and dealt,
        in that order, to whichever fold has the fewest rows so far;
      * one "held-out half": the shuffled groups are cut 50/50 (train / test).
  - Each system trains on every train-side row (raw rows give `text`, segmented rows give
    `segmented_text`) and predicts every test-side row. Reported: macro-F1 and accuracy over
    all test rows, and macro-F1 over the raw test rows only (raw rows trained without their
    segmented twins: twins share the group, so they are never in training). K-fold figures are
    means over folds; per-class F1 is averaged over folds.
  - Systems:
      hotline  `hotline model train --input TRAIN.csv --out MODEL` (CSV text,segmented_text,label)
               then `hotline model predict --model MODEL --input TEST.jsonl --output OUT.jsonl`;
      W        TF-IDF over jieba words + LinearSVC (C=1); segmented rows are split on spaces;
      C        TF-IDF over character 1-2-grams (whitespace removed) + LinearSVC (C=1).
    Baseline training seconds include the jieba tokenisation of the training rows.
  - Throughput on one core: `hotline model predict` (under `taskset -c 0`) over the 1,548 raw
    texts repeated to ~20,000 lines, process start and model load included; for W and C the
    whole predict path (tokenise + vectorise + predict) over the raw texts, this process pinned
    to CPU 0. Models for throughput are those trained on the held-out-half split.

Needs Debian's python3-sklearn and python3-jieba (scripts/setup installs them). Usage:
  /usr/bin/python3 bench/classify_baselines.py build/hotline [--data DIR] [--folds 5] [--seed 12345]
                                               [--json-out FILE]
Skips (exit 0) when the data directory is absent; runs the baselines alone when the binary has
no working `model` command."""
import argparse, csv, json, logging, os, re, shutil, subprocess, sys, tempfile, time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("binary", nargs="?", default=os.path.join(REPO, "build", "hotline"))
ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data", "teddy2020c"))
ap.add_argument("--folds", type=int, default=5)
ap.add_argument("--seed", type=int, default=12345)
ap.add_argument("--json-out")
ap.add_argument("--systems", default="hotline,W,C",
                help="comma-separated subset of hotline, W (jieba words) and C (character 1-2-grams)")
args = ap.parse_args()
SYSTEMS = set(args.systems.split(","))
unknown = SYSTEMS - {"hotline", "W", "C"}
if unknown:
    ap.error(f"--systems: unknown {', '.join(sorted(unknown))}; choose from hotline, W, C")

RAW, SEG = (os.path.join(args.data, f) for f in ("classify_dev_raw.csv", "classify_dev_segmented.csv"))
if not (os.path.exists(RAW) and os.path.exists(SEG)):
    print(f"skipped: ../shared/data not found ({os.path.normpath(args.data)})"); sys.exit(0)

import jieba
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

jieba.setLogLevel(logging.WARNING)
jieba.initialize()  # load the dictionary now, not inside the first timed fit

# One row per message: (id, is_raw, text, label, group).
rows = [(r["id"], True, r["text"], r["label"], r["dup_group"]) for r in csv.DictReader(open(RAW, encoding="utf-8"))]
rows += [(r["id"], False, r["segmented_text"], r["label"], r["dup_group"])
         for r in csv.DictReader(open(SEG, encoding="utf-8"))]
LABELS = sorted({r[3] for r in rows})
raw_rows = [r for r in rows if r[1]]
print(f"{len(raw_rows)} raw + {len(rows) - len(raw_rows)} segmented rows, "
      f"{len({r[4] for r in rows})} dup_groups, {len(LABELS)} labels")


# --- splits ------------------------------------------------------------------------------
def shuffled_groups(seed):
    sizes = {}
    for r in rows:
        sizes[r[4]] = sizes.get(r[4], 0) + 1
    groups = sorted(sizes)
    return [groups[i] for i in np.random.RandomState(seed).permutation(len(groups))], sizes


def kfold_splits(k, seed):
    order, sizes = shuffled_groups(seed)
    fold_of, load = {}, [0] * k
    for g in order:  # deal each group to the currently smallest fold
        f = load.index(min(load)); fold_of[g] = f; load[f] += sizes[g]
    return [([r for r in rows if fold_of[r[4]] != f], [r for r in rows if fold_of[r[4]] == f]) for f in range(k)]


def half_split(seed):
    order, _ = shuffled_groups(seed)
    train_groups = set(order[:len(order) // 2])
    return [r for r in rows if r[4] in train_groups], [r for r in rows if r[4] not in train_groups]


# --- baselines ---------------------------------------------------------------------------
WORDISH = re.compile(r"\w")  # drops tokens made only of whitespace or punctuation


def words(row_text, is_raw):
    return [t for t in jieba.lcut(row_text) if WORDISH.search(t)] if is_raw else row_text.split()


def chars(row_text, is_raw):
    return re.sub(r"\s+", "", row_text)


BASELINES = {
    "W": (words, lambda: TfidfVectorizer(analyzer=lambda toks: toks)),
    "C": (chars, lambda: TfidfVectorizer(analyzer="char", ngram_range=(1, 2))),
}
RUN_BASELINES = [b for b in BASELINES if b in SYSTEMS]


class Baseline:
    def __init__(self, name):
        self.prep, self.make_vec = BASELINES[name]

    def fit(self, train):
        self.vec = self.make_vec()
        x = self.vec.fit_transform([self.prep(r[2], r[1]) for r in train])
        self.svm = LinearSVC(C=1.0).fit(x, [r[3] for r in train])
        return self

    def predict(self, test):
        return list(self.svm.predict(self.vec.transform([self.prep(r[2], r[1]) for r in test])))


# --- hotline CLI -------------------------------------------------------------------------
work = tempfile.mkdtemp(prefix="classify-bench-")
hotline_ok = "hotline" in SYSTEMS and os.path.exists(args.binary)
if "hotline" in SYSTEMS and not hotline_ok:
    print(f"hotline: {args.binary} not found; baselines only")


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {(p.stderr or p.stdout).strip()[:500]}")


def write_jsonl(path, items):
    with open(path, "w", encoding="utf-8") as f:
        for i, t in items:
            f.write(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n")


def hotline_train(train, name):
    path, model = f"{work}/{name}-train.csv", f"{work}/{name}.model"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
        w.writerow(["text", "segmented_text", "label"])
        for r in train:
            w.writerow([r[2], "", r[3]] if r[1] else ["", r[2], r[3]])
    run([args.binary, "model", "train", "--input", path, "--out", model])
    return model


def hotline_predict(model, test, name):
    inp, out = f"{work}/{name}-test.jsonl", f"{work}/{name}-out.jsonl"
    write_jsonl(inp, [(r[0], r[2]) for r in test])
    run([args.binary, "model", "predict", "--model", model, "--input", inp, "--output", out])
    got = {o["id"]: o["label"] for o in map(json.loads, open(out, encoding="utf-8"))}
    return [got.get(r[0], "") for r in test]  # a missing id counts as wrong


# --- evaluation --------------------------------------------------------------------------
def scores(test, pred):
    y = [r[3] for r in test]
    raw = [i for i, r in enumerate(test) if r[1]]
    return {"macro_f1_all": f1_score(y, pred, average="macro", zero_division=0),
            "macro_f1_raw": f1_score([y[i] for i in raw], [pred[i] for i in raw], average="macro", zero_division=0),
            "accuracy": accuracy_score(y, pred),
            "per_class": list(f1_score(y, pred, labels=LABELS, average=None, zero_division=0))}


def evaluate(train, test, name):
    """Train and test every system on one split; returns {system: scores + train_s}, models."""
    global hotline_ok
    out, models = {}, {}
    if hotline_ok:
        try:
            t = time.time(); models["hotline"] = hotline_train(train, name); dt = time.time() - t
            out["hotline"] = dict(scores(test, hotline_predict(models["hotline"], test, name)), train_s=dt)
        except (RuntimeError, OSError, ValueError, KeyError) as e:
            print(f"hotline: {e}\nhotline: continuing with the baselines only"); hotline_ok = False
    for b in RUN_BASELINES:
        t = time.time(); models[b] = Baseline(b).fit(train); dt = time.time() - t
        out[b] = dict(scores(test, models[b].predict(test)), train_s=dt)
    return out, models


results, per_class = [], {}
folds = kfold_splits(args.folds, args.seed)
fold_scores = []
for f, (train, test) in enumerate(folds):
    print(f"fold {f + 1}/{args.folds}: train {len(train)}, test {len(test)} ({sum(r[1] for r in test)} raw)", flush=True)
    fold_scores.append(evaluate(train, test, f"fold{f}")[0])
for system in fold_scores[-1]:  # systems that ran on every fold
    if not all(system in s for s in fold_scores):
        continue
    mean = lambda k: float(np.mean([s[system][k] for s in fold_scores]))
    std = lambda k: float(np.std([s[system][k] for s in fold_scores]))
    results.append({"split": f"{args.folds}-fold grouped", "system": system,
                    **{k: mean(k) for k in ("macro_f1_all", "macro_f1_raw", "accuracy", "train_s")},
                    "macro_f1_all_std": std("macro_f1_all"), "macro_f1_raw_std": std("macro_f1_raw")})
    per_class[system] = dict(zip(LABELS, np.mean([s[system]["per_class"] for s in fold_scores], axis=0).tolist()))

train, test = half_split(args.seed)
print(f"held-out half: train {len(train)}, test {len(test)} ({sum(r[1] for r in test)} raw)", flush=True)
half, models = evaluate(train, test, "half")
for system, s in half.items():
    results.append({"split": "held-out half", "system": system,
                    **{k: s[k] for k in ("macro_f1_all", "macro_f1_raw", "accuracy", "train_s")}})

# --- throughput on one core --------------------------------------------------------------
throughput = []
CPU = min(os.sched_getaffinity(0))  # the one core everything below runs on
if "hotline" in models:
    reps = -(-20000 // len(raw_rows))
    inp = f"{work}/throughput.jsonl"
    write_jsonl(inp, [(f"{r[0]}#{k}", r[2]) for k in range(reps) for r in raw_rows])
    pin = ["taskset", "-c", str(CPU)] if shutil.which("taskset") else []
    t = time.time()
    try:
        run(pin + [args.binary, "model", "predict", "--model", models["hotline"], "--input", inp,
                   "--output", f"{work}/throughput-out.jsonl"])
        dt = time.time() - t
        throughput.append({"system": "hotline", "texts": reps * len(raw_rows), "seconds": dt,
                           "texts_per_s": reps * len(raw_rows) / dt, "pinned": bool(pin)})
    except RuntimeError as e:
        print(f"hotline throughput: {e}")
affinity = os.sched_getaffinity(0)
os.sched_setaffinity(0, {CPU})
for b in RUN_BASELINES:
    t = time.time(); models[b].predict(raw_rows); dt = time.time() - t
    throughput.append({"system": b, "texts": len(raw_rows), "seconds": dt, "texts_per_s": len(raw_rows) / dt, "pinned": True})
os.sched_setaffinity(0, affinity)
shutil.rmtree(work, ignore_errors=True)

# --- report ------------------------------------------------------------------------------
NAMES = {"hotline": "hotline model", "W": "W: jieba words TF-IDF + LinearSVC", "C": "C: char 1-2g TF-IDF + LinearSVC"}
print(f"\n{'split':<18}{'system':<36}{'macroF1 all':>12}{'macroF1 raw':>12}{'accuracy':>10}{'train s':>9}")
for r in results:
    print(f"{r['split']:<18}{NAMES[r['system']]:<36}{r['macro_f1_all']:>12.4f}{r['macro_f1_raw']:>12.4f}"
          f"{r['accuracy']:>10.4f}{r['train_s']:>9.2f}")
print(f"\nper-class F1, mean over {args.folds} folds:\n  {'':<16}" + "".join(f"{s:>9}" for s in per_class))
for label in LABELS:
    pad = 16 - sum(2 if ord(c) > 0x2E7F else 1 for c in label)  # CJK characters print two columns wide
    print(f"  {label}{' ' * pad}" + "".join(f"{per_class[s][label]:>9.4f}" for s in per_class))
print()
for t in throughput:
    print(f"throughput {NAMES[t['system']]}: {t['texts_per_s']:.0f} texts/s ({t['texts']} raw texts in "
          f"{t['seconds']:.2f} s, one core{', process start + model load included' if t['system'] == 'hotline' else ''})")
if args.json_out:
    with open(args.json_out, "w", encoding="utf-8") as f:
        json.dump({"data": os.path.normpath(args.data), "folds": args.folds, "seed": args.seed, "results": results,
                   "per_class_f1": per_class, "throughput": throughput}, f, ensure_ascii=False, indent=1)
