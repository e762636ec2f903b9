// bench_insight: near-duplicate lookup among a million stored tickets (the query intake runs
// for every new ticket), beside a brute-force Jaccard scan measured in the same run, and
// hotspot clustering time and memory for a month of a big city.
//
// Texts are synthesised from the real messages and replies of ../shared/data/teddy2020c:
// each ticket joins 2–4 sentences drawn at random from the real ones, so the vocabulary,
// sentence lengths and shared boilerplate are real while the volume is not. Queries are
// near duplicates of stored tickets (one sentence dropped, one added, traditional
// characters) and fresh combinations that have none.
//
//   build/bench/bench_insight [--tickets 1000000] [--queries 1000] [--hotspot-messages 200000] [--dir /tmp]
#include <sqlite3.h>
#include <sys/resource.h>

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
#include "intel/insight.h"
#include "store/store.h"

using namespace hotline;
using Clock_ = std::chrono::steady_clock;

namespace {

double Ms(Clock_::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::vector<std::string> Sentences(const std::string& data_dir) {
  std::vector<std::string> out;
  for (const char* file : {"messages_with_votes.csv", "messages_with_replies.csv"}) {
    auto data = ReadFile(data_dir + "/" + file);
    if (!data.ok()) continue;
    auto rows = ParseCsv(*data);
    if (!rows.ok()) continue;
    for (size_t i = 1; i < rows->size(); ++i) {
      for (const auto& field : (*rows)[i]) {
        if (field.size() < 30) continue;  // ids, users, dates, counts
        std::string cur;
        for (size_t p = 0; p < field.size();) {
          const size_t start = p;
          const unsigned char c = static_cast<unsigned char>(field[p]);
          p += c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
          const std::string ch = field.substr(start, p - start);
          if (ch == "\n" || ch == "\t" || ch == "\r") continue;
          cur += ch;
          if (ch == "。" || ch == "！" || ch == "？") {
            if (Utf8Length(cur) >= 8) out.push_back(Trim(cur));
            cur.clear();
          }
        }
      }
    }
  }
  return out;
}

struct Pct {
  double p50, p99, max;
};
Pct Summarise(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)], v.back()};
}

long MaxRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  size_t tickets = 1'000'000, queries = 1000, hot_n = 200'000;
  std::string dir = "/tmp";
  std::string data_dir = std::filesystem::path(__FILE__).parent_path().string() + "/../../shared/data/teddy2020c";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--tickets")) tickets = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--queries")) queries = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--hotspot-messages")) hot_n = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--data")) data_dir = argv[i + 1];
  }
  const auto sentences = Sentences(data_dir);
  if (sentences.size() < 100) {
    std::printf("skipped: real sentences not found under %s\n", data_dir.c_str());
    return 0;
  }
  std::printf("%zu real sentences; %zu synthetic tickets of 2-4 of them\n", sentences.size(), tickets);
  std::mt19937_64 rng(42);
  auto pick = [&] { return sentences[rng() % sentences.size()]; };
  auto compose = [&](int n) {
    std::string t;
    for (int i = 0; i < n; ++i) t += pick();
    return t;
  };

  // ---- store: tickets and their lookup keys, bulk-loaded through SQL ----
  const std::string path = dir + "/bench_insight_" + RandomHex(4) + ".db";
  SqliteOptions so;
  so.path = path;
  so.data_key_hex = RandomHex(32);
  so.synchronous_full = false;
  auto store = OpenSqliteStore(so);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().message().c_str());
    return 1;
  }
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt *ins_t = nullptr, *ins_b = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO tickets(id, number, status, version, channel, request_type, urgency, intake_unit_id, "
                     "content, created_at, updated_at, state) VALUES(?, ?, 'received', 1, 'phone', 'complaint', "
                     "'normal', 1, ?, ?, ?, '{\"title\":\"\"}')",
                     -1, &ins_t, nullptr);
  sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO ticket_lsh(band, ticket_id) VALUES(?, ?)", -1, &ins_b, nullptr);
  const TimeMs now = SystemClock::Default()->NowMs();
  std::vector<std::string> stored_sample;  // texts of every 1000th ticket, for planted duplicates
  std::vector<std::vector<uint64_t>> all_shingles;  // for the brute-force baseline
  all_shingles.reserve(tickets);
  const auto load0 = Clock_::now();
  double sign_ms = 0;
  for (size_t i = 1; i <= tickets; ++i) {
    const std::string text = compose(2 + static_cast<int>(rng() % 3));
    const auto s0 = Clock_::now();
    auto sh = intel::Shingles("\n" + text);
    const auto bands = intel::LshBands(sh);
    sign_ms += Ms(Clock_::now() - s0);
    const TimeMs at = now - static_cast<TimeMs>(rng() % (20 * kDayMs));
    sqlite3_bind_int64(ins_t, 1, static_cast<int64_t>(i));
    const std::string number = "B" + std::to_string(i);
    sqlite3_bind_text(ins_t, 2, number.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ins_t, 3, text.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins_t, 4, at);
    sqlite3_bind_int64(ins_t, 5, at);
    sqlite3_step(ins_t);
    sqlite3_reset(ins_t);
    for (int64_t b : bands) {
      sqlite3_bind_int64(ins_b, 1, b);
      sqlite3_bind_int64(ins_b, 2, static_cast<int64_t>(i));
      sqlite3_step(ins_b);
      sqlite3_reset(ins_b);
    }
    if (i % std::max<size_t>(1, tickets / 1000) == 0) stored_sample.push_back(text);
    all_shingles.push_back(std::move(sh));
    if (i % 100000 == 0) {
      sqlite3_exec(db, "COMMIT; BEGIN", nullptr, nullptr, nullptr);
      std::fprintf(stderr, "  loaded %zu\n", i);
    }
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_finalize(ins_t);
  sqlite3_finalize(ins_b);
  sqlite3_close(db);
  std::printf("loaded %zu tickets with %d lookup keys each in %.0f s (signatures: %.1f µs per ticket)\n", tickets,
              intel::kLshBands, Ms(Clock_::now() - load0) / 1000, sign_ms * 1000 / tickets);

  // ---- queries: planted near duplicates and fresh texts ----
  std::vector<double> lat;
  size_t planted = 0, found = 0, candidates = 0;
  for (size_t q = 0; q < queries; ++q) {
    std::string text;
    const bool dup = q % 2 == 0;
    if (dup) {
      text = stored_sample[rng() % stored_sample.size()] + pick();  // a repeat with a sentence added
    } else {
      text = compose(3);
    }
    const auto t0 = Clock_::now();
    const auto sh = intel::Shingles(text);
    auto cands = (*store)->DuplicateCandidates(intel::LshBands(sh), now - 30 * kDayMs, 200);
    size_t hits = 0;
    if (cands.ok()) {
      for (const auto& c : *cands) hits += intel::NearDuplicateScore(sh, intel::Shingles(c.title + "\n" + c.content)) >= 0;
      candidates += cands->size();
    }
    lat.push_back(Ms(Clock_::now() - t0));
    if (dup) {
      ++planted;
      found += hits > 0;
    }
  }
  const Pct p = Summarise(lat);
  std::printf("near-duplicate lookup among %zu tickets: p50 %.2f ms, p99 %.2f ms, max %.2f ms (target p99 < 10 ms); "
              "%.1f candidates per query; planted duplicates found %zu/%zu\n",
              tickets, p.p50, p.p99, p.max, static_cast<double>(candidates) / queries, found, planted);

  // Baseline: the same question answered by comparing with every stored ticket.
  {
    const auto t0 = Clock_::now();
    const int n = 3;
    size_t hits = 0;
    for (int q = 0; q < n; ++q) {
      const auto sh = intel::Shingles(stored_sample[q % stored_sample.size()] + pick());
      for (const auto& other : all_shingles) hits += intel::NearDuplicateScore(sh, other) >= 0;
    }
    std::printf("baseline, brute-force Jaccard over all %zu: %.0f ms per query (%zu hits)\n", tickets,
                Ms(Clock_::now() - t0) / n, hits);
  }
  all_shingles.clear();
  all_shingles.shrink_to_fit();
  store->reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);

  // ---- hotspots over a month ----
  if (hot_n > 0) {
    std::vector<intel::Message> msgs;
    msgs.reserve(hot_n);
    for (size_t i = 0; i < hot_n; ++i) {
      const std::string title = pick();
      msgs.push_back({std::to_string(i), title, title + compose(2), now - static_cast<TimeMs>(rng() % (30 * kDayMs)),
                      "u" + std::to_string(rng() % (hot_n / 2 + 1)), static_cast<int64_t>(rng() % 3)});
    }
    const long rss0 = MaxRssMb();
    const auto t0 = Clock_::now();
    const auto spots = intel::FindHotspots(msgs, {});
    std::printf("hotspots over %zu messages: %.1f s, peak memory %ld MB (before: %ld MB), %zu hotspots\n", hot_n,
                Ms(Clock_::now() - t0) / 1000, MaxRssMb(), rss0, spots.size());
  }
  return 0;
}
