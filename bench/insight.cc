// bench_insight: near-duplicate lookup among a million stored tickets (the query intake runs
// for every new ticket), beside a brute-force Jaccard scan measured in the same run, and
// hotspot clustering time and memory for a month of a big city.
//
// Texts are synthesised from the real messages and replies of ../shared/data/teddy2020c.
// For the lookup, each stored ticket joins 2–4 sentences drawn at random from the real
// ones, so the vocabulary, sentence lengths and shared boilerplate are real while the
// volume is not. Queries are near duplicates of stored tickets (one sentence dropped, one
// added, traditional characters) and fresh combinations that have none.
//
// For hotspots, a month is made of matters, as a city's month is: each matter is one real
// citizen message moved to a place of its own (the two ideographs before every place suffix
// hotspots read — 小区, 路, 社区 … — replaced by two drawn from the real titles, the same
// way in all its reports), and
// reported a heavy-tailed number of times (Pareto, α = 1.5: most matters once, a few
// hundreds of times) over a span of 1–30 days. Each report keeps a random part of the
// message's sentences in a random order, half of them with one sentence of another
// message (moved elsewhere too) added and half under another title. Since every report's matter is known, the
// run also prints each top hotspot's purity (the share of its reports from its main
// matter) and how much of that matter it holds. Intake stores each ticket's hotspot
// features (intel::HotspotFeatures), so they are worked out before the clock starts, as
// intake would have, and their cost per ticket is printed on its own.
//
// --hotspot-runs N clusters the same month N times (this machine's run-to-run noise is
// several seconds a minute, so one run compares badly with another build's).
//
//   build/bench/bench_insight [--tickets 1000000] [--queries 1000] [--hotspot-messages 200000] [--hotspot-runs 1]
//                             [--dir /tmp] [--data DIR]
#include <CLI/CLI.hpp>
#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto.h"
#include "core/text.h"
#include "intel/insight.h"
#include "sentences.h"
#include "store/store.h"
#include "text/text.h"

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
        for (auto& s : bench::SplitSentences(field, 8)) out.push_back(std::move(s));
      }
    }
  }
  return out;
}

struct RealMessage {
  std::string title;
  std::vector<std::string> sentences;
};

// The citizens' messages (title and the sentences of the details) of both message files.
std::vector<RealMessage> CitizenMessages(const std::string& data_dir) {
  std::vector<RealMessage> out;
  for (const char* file : {"messages_with_votes.csv", "messages_with_replies.csv"}) {
    auto data = ReadFile(data_dir + "/" + file);
    if (!data.ok()) continue;
    auto rows = ParseCsv(*data);
    if (!rows.ok() || rows->empty()) continue;
    const auto& head = (*rows)[0];
    const auto col = [&](const std::string& name) { return std::find(head.begin(), head.end(), name) - head.begin(); };
    const size_t title = col("留言主题"), details = col("留言详情");
    for (size_t i = 1; i < rows->size(); ++i) {
      const auto& r = (*rows)[i];
      if (title >= r.size() || details >= r.size()) continue;
      RealMessage m{Trim(r[title]), bench::SplitSentences(r[details], 6, /*keep_tail=*/true)};
      if (!m.title.empty() && !m.sentences.empty()) out.push_back(std::move(m));
    }
  }
  return out;
}

struct Month {
  std::vector<intel::Message> msgs;  // in time order
  std::vector<uint32_t> matter;      // each message's matter
  size_t matters = 0, largest = 0;
};

Month SynthesiseMonth(const std::vector<RealMessage>& real, size_t n, TimeMs start, std::mt19937_64& rng) {
  const auto& suffixes = intel::PlaceSuffixes();
  // Ideographs of the real titles, as often as they occur there.
  std::u32string pool;
  for (const auto& m : real) {
    for (size_t i = 0; i < m.title.size();) {
      const char32_t cp = NextCodePoint(m.title, i);
      if (IsCjk(cp)) pool += cp;
    }
  }
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  struct Report {
    TimeMs time;
    intel::Message msg;
    uint32_t matter;
  };
  std::vector<Report> reports;
  reports.reserve(n);
  Month month;
  while (reports.size() < n) {
    const RealMessage& base = real[rng() % real.size()];
    // The matter's own place: every stem before a place suffix renamed, consistently.
    std::map<std::u32string, std::u32string> renamed;
    auto relocate = [&](const std::string& text, std::map<std::u32string, std::u32string>& renamed) {
      std::u32string u = CodePoints(text);
      for (size_t at = 2; at < u.size();) {
        const auto suf = std::find_if(suffixes.begin(), suffixes.end(),
                                      [&](const std::u32string& x) { return u.compare(at, x.size(), x) == 0; });
        if (suf == suffixes.end()) {
          ++at;
          continue;
        }
        if (IsCjk(u[at - 1]) && IsCjk(u[at - 2])) {
          auto [it, fresh] = renamed.try_emplace(u.substr(at - 2, 2));
          if (fresh) it->second = {pool[rng() % pool.size()], pool[rng() % pool.size()]};
          u.replace(at - 2, 2, it->second);
        }
        at += suf->size();
      }
      std::string out;
      for (char32_t cp : u) AppendUtf8(out, cp);
      return out;
    };
    const std::string title = relocate(base.title, renamed);
    std::vector<std::string> sentences;
    for (const auto& x : base.sentences) sentences.push_back(relocate(x, renamed));
    const size_t size = std::min<size_t>({n - reports.size(), 3000, static_cast<size_t>(1 / std::pow(1 - unit(rng), 1 / 1.5))});
    const TimeMs span = static_cast<TimeMs>((1 + 29 * unit(rng) * unit(rng)) * kDayMs);
    const TimeMs first = start + static_cast<TimeMs>(unit(rng) * (30 * kDayMs - span));
    for (size_t r = 0; r < size; ++r) {
      std::vector<std::string> kept;
      for (const auto& x : sentences) {
        if (unit(rng) < 0.7) kept.push_back(x);
      }
      if (kept.empty()) kept.push_back(sentences[rng() % sentences.size()]);
      std::shuffle(kept.begin(), kept.end(), rng);
      if (unit(rng) < 0.5) {
        const auto& other = real[rng() % real.size()].sentences;
        std::map<std::u32string, std::u32string> elsewhere;
        kept.insert(kept.begin() + static_cast<ptrdiff_t>(rng() % (kept.size() + 1)),
                    relocate(other[rng() % other.size()], elsewhere));
      }
      std::string text;
      for (const auto& x : kept) text += x;
      const std::string t = unit(rng) < 0.5 ? title : kept.front();
      const TimeMs at = first + static_cast<TimeMs>(unit(rng) * span);
      reports.push_back({at, {"", t, t + text, at, "u" + std::to_string(rng() % (n / 2 + 1)), static_cast<int64_t>(rng() % 3)},
                         static_cast<uint32_t>(month.matters)});
    }
    month.largest = std::max(month.largest, size);
    ++month.matters;
  }
  std::sort(reports.begin(), reports.end(), [](const Report& a, const Report& b) { return a.time < b.time; });
  for (size_t i = 0; i < reports.size(); ++i) {
    reports[i].msg.id = std::to_string(i);
    month.msgs.push_back(std::move(reports[i].msg));
    month.matter.push_back(reports[i].matter);
  }
  return month;
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
  size_t tickets = 1'000'000, queries = 1000, hot_n = 200'000, hot_runs = 1;
  std::string dir = "/tmp";
  std::string data_dir = std::filesystem::path(__FILE__).parent_path().string() + "/../../shared/data/teddy2020c";
  CLI::App cli("Near-duplicate search and hotspot clustering at scale (see bench/README.md)");
  cli.add_option("--tickets", tickets, "synthetic tickets to index")->capture_default_str();
  cli.add_option("--queries", queries, "near-duplicate queries")->capture_default_str();
  cli.add_option("--hotspot-messages", hot_n, "messages to cluster")->capture_default_str();
  cli.add_option("--hotspot-runs", hot_runs, "clustering runs")->check(CLI::Range(1, 100))->capture_default_str();
  cli.add_option("--dir", dir, "where the database goes")->capture_default_str();
  cli.add_option("--data", data_dir, "folder of the real messages")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
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
    const auto real = CitizenMessages(data_dir);
    Month month = SynthesiseMonth(real, hot_n, now - 30 * kDayMs, rng);
    std::printf("a month of %zu tickets: %zu matters made from %zu real messages, the largest reported %zu times\n", hot_n,
                month.matters, real.size(), month.largest);
    // Intake works out each ticket's hotspot features once and stores them; clustering
    // starts from those. Worked out here on every core, timed per ticket.
    {
      const size_t threads = std::max(1u, std::thread::hardware_concurrency());
      std::vector<double> busy(threads, 0);
      std::vector<std::thread> pool;
      for (size_t t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
          const auto t0 = Clock_::now();
          for (size_t i = hot_n * t / threads; i < hot_n * (t + 1) / threads; ++i) {
            auto& m = month.msgs[i];
            m.features = intel::EncodeFeatures(intel::HotspotFeatures(m.title, m.text));
          }
          busy[t] = Ms(Clock_::now() - t0);
        });
      }
      for (auto& th : pool) th.join();
      size_t bytes = 0;
      for (const auto& m : month.msgs) bytes += m.features.size();
      double total = 0;
      for (double b : busy) total += b;
      std::printf("hotspot features at intake: %.1f µs per ticket, %.0f bytes stored per ticket\n", total * 1000 / hot_n,
                  static_cast<double>(bytes) / hot_n);
    }
    std::vector<size_t> matter_size(month.matters, 0);
    for (uint32_t m : month.matter) ++matter_size[m];
    const long rss0 = MaxRssMb();
    std::vector<intel::Hotspot> spots;
    for (size_t run = 0; run < hot_runs; ++run) {
      const auto t0 = Clock_::now();
      intel::HotspotOptions opts;
      opts.threads = 0;
      intel::StageTimes stages;
      opts.stages = &stages;
      spots = intel::FindHotspots(month.msgs, opts);
      std::printf("hotspots over %zu messages from their stored features (%u threads): %.1f s, peak memory %ld MB (before: %ld MB)\n",
                  hot_n, std::thread::hardware_concurrency(), Ms(Clock_::now() - t0) / 1000, MaxRssMb(), rss0);
      std::printf("  where the time went:");
      for (size_t i = 0; i < stages.size(); ++i) {
        std::printf("%s %s %.1f s", i ? "," : "", stages[i].first.c_str(), stages[i].second);
      }
      std::printf("\n");
    }
    for (const auto& h : spots) {
      std::map<uint32_t, size_t> from;
      for (size_t m : h.members) ++from[month.matter[m]];
      const auto main = std::max_element(from.begin(), from.end(), [](auto& a, auto& b) { return a.second < b.second; });
      std::printf("  #%d heat %.1f: %zu reports, purity %.2f, holds %zu of its matter's %zu\n", h.rank, h.heat,
                  h.members.size(), static_cast<double>(main->second) / h.members.size(), main->second,
                  matter_size[main->first]);
    }
  }
  return 0;
}
