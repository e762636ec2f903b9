#!/usr/bin/env python3
"""Knowledge-base retrieval quality beside two baselines, on the same data and machine.

Index the 2,816 official replies of shared/data/teddy2020c/messages_with_replies.csv, query
with each citizen message (subject + details), and report MRR@10 and recall@10 of the
message's own reply for:
  - hotline kb (this project: ICU words + CJK bigrams, BM25, in SQLite tables),
  - SQLite FTS5 trigram over raw text (the query's trigrams OR-ed, FTS5's bm25),
  - TF-IDF cosine over jieba words, and over character bigrams (scikit-learn).
Needs Debian's python3-sklearn and python3-jieba (scripts/setup installs them).
Usage: /usr/bin/python3 bench/kb_baselines.py build/hotline [../shared/data]"""
import csv, json, logging, os, re, sqlite3, subprocess, sys, tempfile, time

binary = sys.argv[1] if len(sys.argv) > 1 else "build/hotline"
data = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
path = os.path.join(data, "teddy2020c", "messages_with_replies.csv")
if not os.path.exists(path):
    print(f"SKIP: {path} not found"); sys.exit(0)
rows = list(csv.DictReader(open(path, encoding="utf-8")))
norm = lambda s: re.sub(r"\s+", " ", s).strip()
docs = [norm(r["答复意见"]) for r in rows]
queries = [norm(r["留言主题"] + " " + r["留言详情"]) for r in rows]


def score(ranked):  # ranked[i] = list of doc indexes for query i
    mrr = hit = 0
    for i, r in enumerate(ranked):
        r = list(r)[:10]
        if i in r:
            mrr += 1 / (r.index(i) + 1); hit += 1
    return mrr / len(ranked), hit / len(ranked)


results = []
work = tempfile.mkdtemp(prefix="kb-bench-")
# This project, through its CLI.
with open(f"{work}/kb.jsonl", "w", encoding="utf-8") as kb, open(f"{work}/q.jsonl", "w", encoding="utf-8") as q:
    for i, d in enumerate(docs):
        kb.write(json.dumps({"id": str(i), "title": d.split("。")[0][:30], "body": d}, ensure_ascii=False) + "\n")
        q.write(json.dumps({"id": str(i), "text": queries[i]}, ensure_ascii=False) + "\n")
t = time.time()
subprocess.run([binary, "kb", "import", "--db", f"{work}/kb.db", f"{work}/kb.jsonl"], check=True, capture_output=True)
t_index = time.time() - t
t = time.time()
subprocess.run([binary, "kb", "search", "--db", f"{work}/kb.db", "--queries", f"{work}/q.jsonl", "--limit", "10",
                "--output", f"{work}/out.jsonl"], check=True, capture_output=True)
t_search = time.time() - t
out = {o["id"]: [int(r["id"]) for r in o["results"]] for o in map(json.loads, open(f"{work}/out.jsonl", encoding="utf-8"))}
results.append(("hotline kb (words + bigrams, BM25)", *score([out[str(i)] for i in range(len(docs))]),
                f"index {t_index:.1f} s, {len(docs) / t_search:.0f} queries/s"))

# SQLite FTS5 trigram.
db = sqlite3.connect(":memory:")
db.execute("CREATE VIRTUAL TABLE f USING fts5(body, tokenize='trigram')")
db.executemany("INSERT INTO f(rowid, body) VALUES(?, ?)", [(i, d) for i, d in enumerate(docs)])
ranked = []
t = time.time()
for qtext in queries:
    grams = {qtext[k:k + 3] for k in range(len(qtext) - 2)}
    grams = [g for g in grams if '"' not in g and " " not in g][:200]
    if not grams:
        ranked.append([]); continue
    match = " OR ".join('"' + g + '"' for g in grams)
    ranked.append([r[0] for r in db.execute("SELECT rowid FROM f WHERE f MATCH ? ORDER BY bm25(f) LIMIT 10", (match,))])
results.append(("SQLite FTS5 trigram, bm25", *score(ranked), f"{len(queries) / (time.time() - t):.0f} queries/s"))

# TF-IDF cosine baselines.
try:
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    jieba.setLogLevel(logging.WARNING)
    for name, vec in [("TF-IDF jieba words, cosine", TfidfVectorizer(tokenizer=lambda s: [w for w in jieba.lcut(s) if w.strip()],
                                                                        token_pattern=None, lowercase=False, sublinear_tf=True)),
                      ("TF-IDF char bigrams, cosine", TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True))]:
        t = time.time()
        D = vec.fit_transform(docs); S = (vec.transform(queries) @ D.T).toarray()
        ranked = [sorted(range(len(docs)), key=lambda j: -row[j])[:10] for row in S]
        results.append((name, *score(ranked), f"{time.time() - t:.1f} s"))
except ImportError as e:
    print(f"(scikit-learn/jieba baselines skipped: {e}; install python3-sklearn python3-jieba)")

print(f"message → own reply over {len(docs)} queries and {len(docs)} replies")
print(f"{'method':40} {'MRR@10':>7} {'recall@10':>10}  notes")
for name, mrr, rec, note in results:
    print(f"{name:40} {mrr:7.3f} {rec:10.3f}  {note}")
