// bench_kb: the knowledge base at 100,000 entries — indexing throughput beside bare SQLite
// inserts of the same rows in the same run, and search latency for short agent queries
// (2–10 characters) and whole-message suggestions.
//
// Entries: the real official replies and citizen messages of ../shared/data/teddy2020c
// (about 10,000), padded with synthetic entries that recombine 3–6 sentences drawn from the
// real ones (so vocabulary, lengths and shared boilerplate are real). Queries: substrings of
// 2–10 characters cut from real titles, and whole real messages.
//
//   build/bench/bench_kb [--entries 100000] [--queries 500] [--dir /tmp]
#include <CLI/CLI.hpp>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/crypto.h"
#include "core/text.h"
#include "sentences.h"
#include "service/kb_service.h"
#include "store/store.h"

using namespace hotline;
using Clock_ = std::chrono::steady_clock;

namespace {

double Ms(Clock_::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

void Report(const char* what, std::vector<double> v, double target) {
  std::sort(v.begin(), v.end());
  std::printf("%-34s p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (target p99 < %.0f ms)\n", what, v[v.size() / 2],
              v[std::min(v.size() - 1, v.size() * 99 / 100)], v.back(), target);
}

std::vector<std::string> Utf8Chars(const std::string& s) {
  std::vector<std::string> out;
  for (size_t p = 0; p < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[p]);
    const size_t n = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    out.push_back(s.substr(p, n));
    p += n;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  size_t entries = 100'000, queries = 500;
  std::string dir = "/tmp";
  std::string data_dir = std::filesystem::path(__FILE__).parent_path().string() + "/../../shared/data/teddy2020c";
  CLI::App cli("Knowledge-base indexing and search latency (see bench/README.md)");
  cli.add_option("--entries", entries, "entries to index (real ones padded with synthetic)")->capture_default_str();
  cli.add_option("--queries", queries, "queries of each kind")->capture_default_str();
  cli.add_option("--dir", dir, "where the database goes")->capture_default_str();
  cli.add_option("--data", data_dir, "folder of the real messages and replies")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  // Real texts: replies and messages (title, body), and their sentences.
  std::vector<std::pair<std::string, std::string>> real;
  std::vector<std::string> sentences, titles, messages;
  for (const char* file : {"messages_with_replies.csv", "messages_with_votes.csv"}) {
    auto data = ReadFile(data_dir + "/" + file);
    if (!data.ok()) continue;
    auto rows = ParseCsv(*data);
    if (!rows.ok() || rows->empty()) continue;
    const auto& h = (*rows)[0];
    auto col = [&](const char* name) { return std::find(h.begin(), h.end(), name) - h.begin(); };
    const size_t title = col("留言主题"), detail = col("留言详情"), reply = col("答复意见");
    for (size_t i = 1; i < rows->size(); ++i) {
      const auto& r = (*rows)[i];
      if (r.size() != h.size()) continue;
      const std::string t = Trim(r[title]), d = Trim(r[detail]);
      real.push_back({t, d});
      titles.push_back(t);
      messages.push_back(t + " " + d);
      if (reply < r.size() && !Trim(r[reply]).empty()) real.push_back({t + "的答复", Trim(r[reply])});
      for (const std::string* field : {&d, &r[reply < r.size() ? reply : detail]}) {
        for (auto& s : bench::SplitSentences(*field, 8)) sentences.push_back(std::move(s));
      }
    }
  }
  if (real.empty() || sentences.size() < 100) {
    std::printf("skipped: real messages not found under %s\n", data_dir.c_str());
    return 0;
  }
  std::mt19937_64 rng(7);
  std::vector<KbEntry> all;
  for (size_t i = 0; i < entries; ++i) {
    KbEntry e;
    if (i < real.size()) {
      e.title = real[i].first.substr(0, 200);
      e.body = real[i].second;
    } else {
      const std::string& lead = sentences[rng() % sentences.size()];
      e.title = Utf8Length(lead) > 30 ? lead.substr(0, 90) : lead;
      const int n = 3 + static_cast<int>(rng() % 4);
      for (int k = 0; k < n; ++k) e.body += sentences[rng() % sentences.size()];
    }
    if (!IsValidUtf8(e.title)) e.title = "条目" + std::to_string(i);
    e.external_id = "e" + std::to_string(i);
    if (e.body.empty()) e.body = e.title;
    if (e.body.size() > kMaxKbBodyBytes) e.body.resize(kMaxKbBodyBytes / 2);
    while (!IsValidUtf8(e.body)) e.body.pop_back();
    all.push_back(std::move(e));
  }
  std::printf("%zu entries: %zu real (replies and messages), %zu synthetic (3-6 real sentences each)\n", entries,
              std::min(real.size(), entries), entries > real.size() ? entries - real.size() : 0);

  // Baseline: the same rows inserted into a bare SQLite table, one transaction per 1,000.
  const std::string base_path = dir + "/bench_kb_base_" + RandomHex(4) + ".db";
  {
    sqlite3* db = nullptr;
    sqlite3_open(base_path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE e(id INTEGER PRIMARY KEY, t TEXT, b TEXT)",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO e(t, b) VALUES(?, ?)", -1, &st, nullptr);
    const auto t0 = Clock_::now();
    for (size_t i = 0; i < all.size(); ++i) {
      if (i % 1000 == 0) sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
      sqlite3_bind_text(st, 1, all[i].title.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_text(st, 2, all[i].body.c_str(), -1, SQLITE_STATIC);
      sqlite3_step(st);
      sqlite3_reset(st);
      if (i % 1000 == 999 || i + 1 == all.size()) sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    std::printf("baseline, bare SQLite rows (1,000 a transaction): %.0f entries/s\n",
                all.size() / (Ms(Clock_::now() - t0) / 1000));
    sqlite3_finalize(st);
    sqlite3_close(db);
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(base_path + suffix);
  }

  const std::string path = dir + "/bench_kb_" + RandomHex(4) + ".db";
  SqliteOptions so;
  so.path = path;
  so.data_key_hex = RandomHex(32);
  auto store = OpenSqliteStore(so);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().message().c_str());
    return 1;
  }
  KbService kb(store->get(), SystemClock::Default());
  const auto t0 = Clock_::now();
  for (size_t i = 0; i < all.size(); i += 1000) {
    std::vector<KbEntry> batch(all.begin() + i, all.begin() + std::min(all.size(), i + 1000));
    auto saved = kb.Save(std::move(batch), 0);
    if (!saved.ok()) {
      std::fprintf(stderr, "indexing: %s\n", saved.status().message().c_str());
      return 1;
    }
  }
  std::printf("indexing (segmentation, postings, versions; 1,000 a transaction): %.0f entries/s\n",
              all.size() / (Ms(Clock_::now() - t0) / 1000));

  // The same queries twice: reading every posting from the database (a fresh process), and
  // as `hotline serve` runs them, with the process's postings cache (filled as they come).
  std::vector<std::pair<std::string, std::string>> qs;  // (short, whole message)
  while (qs.size() < queries) {
    const auto chars = Utf8Chars(titles[rng() % titles.size()]);
    const size_t len = std::min(chars.size(), 2 + rng() % 9);
    const size_t start = chars.size() > len ? rng() % (chars.size() - len) : 0;
    std::string query;
    for (size_t k = start; k < start + len && k < chars.size(); ++k) query += chars[k];
    if (Trim(query).empty()) continue;
    qs.emplace_back(query, messages[rng() % messages.size()]);
  }
  KbPostingsCache shared;
  for (KbPostingsCache* cache : {static_cast<KbPostingsCache*>(nullptr), &shared}) {
    KbService searcher(store->get(), SystemClock::Default(), cache);
    std::vector<double> short_ms, long_ms;
    for (const auto& [short_q, whole] : qs) {
      KbQuery kq;
      kq.limit = 10;
      auto s0 = Clock_::now();
      (void)searcher.Search(short_q, kq);
      short_ms.push_back(Ms(Clock_::now() - s0));
      s0 = Clock_::now();
      (void)searcher.Search(whole, kq);
      long_ms.push_back(Ms(Clock_::now() - s0));
    }
    std::printf("%s\n", cache ? "with the server's postings cache:" : "every posting read from the database:");
    Report("  short agent queries (2-10 chars)", short_ms, 20);
    Report("  whole-message suggestions", long_ms, 100);
  }
  store->reset();
  for (const char* suffix : {"", "-wal", "-shm", ".key"}) std::filesystem::remove(path + suffix);
  return 0;
}
