// bench_sla: how fast deadlines are computed, and how fast the timer and the supervision
// desk find what is due among a million open assignments — each beside a baseline
// measured in the same run (natural-time arithmetic; the same queries without the index).
//
//   build/bench/bench_sla [--assignments 1000000] [--dir /tmp]
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
#include "sla/calendar.h"
#include "store/store.h"

using namespace hotline;
using Clock_ = std::chrono::steady_clock;

namespace {

double Ms(Clock_::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

struct Percentiles { double p50, p99, max; };
Percentiles Summarise(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 99 / 100)], v.back()};
}

void Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "sql: %s\n", err ? err : "?");
    std::exit(1);
  }
}

void DeadlineThroughput() {
  const Calendar& cal = Calendar::Default();
  std::mt19937 rng(1);
  const TimeMs from = *ParseIso("2025-01-01T00:00:00+08:00");
  constexpr int kN = 300000;
  std::vector<std::pair<TimeMs, int>> inputs(kN);
  for (auto& in : inputs) in = {from + static_cast<int64_t>(rng() % (700LL * 1440)) * kMinuteMs, 1 + static_cast<int>(rng() % 10)};
  int64_t sink = 0;
  auto t0 = Clock_::now();
  for (const auto& [start, n] : inputs) sink += AddWorkingDays(cal, start, n, CountMode::kElapsed)->at;
  const double working_s = std::chrono::duration<double>(Clock_::now() - t0).count();
  t0 = Clock_::now();
  for (const auto& [start, n] : inputs) sink += start + n * kDayMs;
  const double natural_s = std::chrono::duration<double>(Clock_::now() - t0).count();
  std::printf("deadline computations (1-10 working days, holidays and 调休): %10.0f /s   (checksum %lld)\n",
              kN / working_s, static_cast<long long>(sink % 1000));
  std::printf("  baseline, natural-time addition:                            %10.0f /s\n", kN / natural_s);
}

}  // namespace

int main(int argc, char** argv) {
  int64_t n = 1000000;
  std::string dir = std::filesystem::temp_directory_path().string();
  CLI::App cli("Deadline arithmetic and the SLA timer's queries among open assignments (see bench/README.md)");
  cli.add_option("--assignments", n, "open assignments in the store")->check(CLI::PositiveNumber)->capture_default_str();
  cli.add_option("--dir", dir, "where the database goes")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  DeadlineThroughput();

  const std::string path = dir + "/bench-sla.db";
  for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
  {
    SqliteOptions o;
    o.path = path;
    o.data_key_hex = Vault::NewMasterKeyHex();
    if (auto st = OpenSqliteStore(o); !st.ok()) {
      std::fprintf(stderr, "%s\n", st.status().ToString().c_str());
      return 1;
    }
  }
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  Exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;");
  // A million open tickets, one live assignment each, over 60 units; deadlines spread from
  // 4 days ago to 36 days ahead, so that one in ten is overdue (a bad month in a big city).
  const TimeMs now = *ParseIso("2026-11-28T10:00:00+08:00");
  std::mt19937_64 rng(2);
  auto t0 = Clock_::now();
  Exec(db, "BEGIN");
  for (int u = 0; u < 60; ++u) {
    const std::string sql = "INSERT INTO units(id, name, kind, parent_id, created_at) VALUES(" + std::to_string(100 + u) +
                            ", 'unit', '" + (u == 0 ? "city_center', NULL" : "department', 100") + ", 0)";
    Exec(db, sql.c_str());
  }
  sqlite3_stmt* ti = nullptr;
  sqlite3_stmt* ai = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO tickets(id, number, status, version, channel, request_type, urgency, "
                         "intake_unit_id, content, created_at, updated_at, due_at, state, is_open, warn_at, next_alarm_at) "
                         "VALUES(?, ?, 'in_progress', 1, 'phone', 'complaint', 'normal', 1, '', 0, 0, ?, '{}', 1, ?, ?)", -1, &ti, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO assignments(id, ticket_id, unit_id, lead, state, dispatched_at, accept_due_at, "
                         "handle_due_at) VALUES(?, ?, ?, 1, ?, 0, 0, ?)", -1, &ai, nullptr);
  for (int64_t i = 1; i <= n; ++i) {
    const TimeMs due = now + static_cast<int64_t>(rng() % (40 * kDayMs)) - 4 * kDayMs;
    // The next alarm: most already raised (0), the rest spread like the deadlines.
    const TimeMs alarm = rng() % 10 == 0 ? due : 0;
    sqlite3_bind_int64(ti, 1, i);
    const std::string number = "N" + std::to_string(i);
    sqlite3_bind_text(ti, 2, number.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ti, 3, due);
    sqlite3_bind_int64(ti, 4, due - kDayMs);
    sqlite3_bind_int64(ti, 5, alarm);
    sqlite3_step(ti);
    sqlite3_reset(ti);
    sqlite3_bind_int64(ai, 1, i);
    sqlite3_bind_int64(ai, 2, i);
    sqlite3_bind_int64(ai, 3, 100 + static_cast<int64_t>(rng() % 60));
    sqlite3_bind_text(ai, 4, rng() % 4 == 0 ? "pending" : "accepted", -1, SQLITE_STATIC);
    sqlite3_bind_int64(ai, 5, due);
    sqlite3_step(ai);
    sqlite3_reset(ai);
  }
  Exec(db, "COMMIT");  // no ANALYZE: the store never runs it
  sqlite3_finalize(ti);
  sqlite3_finalize(ai);
  std::printf("filled %lld open tickets and assignments in %.1f s\n", static_cast<long long>(n),
              std::chrono::duration<double>(Clock_::now() - t0).count());

  SqliteOptions o;
  o.path = path;
  // The key the store created was not kept; a fresh one for the bench's reads only.
  sqlite3_exec(db, "DELETE FROM meta WHERE key = 'data_key_check'", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  o.data_key_hex = Vault::NewMasterKeyHex();
  auto store = OpenSqliteStore(o);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  // The timer: what crossed a threshold in the last 5 seconds of a run every 5 s.
  std::vector<double> timer, overdue;
  size_t found = 0;
  for (int i = 0; i < 200; ++i) {
    const TimeMs at = now + i * 5000;
    auto s = Clock_::now();
    auto ids = (*store)->DueAlarmTickets(at, 500);
    timer.push_back(Ms(Clock_::now() - s));
    found += ids.ok() ? ids->size() : 0;
  }
  for (int i = 0; i < 20; ++i) {
    auto s = Clock_::now();
    auto rows = (*store)->BacklogByUnit(now + i * kMinuteMs);
    overdue.push_back(Ms(Clock_::now() - s));
  }
  // Baselines: the same questions without the indexes (a full scan).
  sqlite3_open(path.c_str(), &db);
  auto scan = [&](const char* sql) {
    auto s = Clock_::now();
    Exec(db, sql);
    return Ms(Clock_::now() - s);
  };
  char sql[512];
  std::snprintf(sql, sizeof sql, "SELECT id FROM tickets NOT INDEXED WHERE next_alarm_at > 0 AND next_alarm_at <= %lld "
                "ORDER BY next_alarm_at LIMIT 500", static_cast<long long>(now));
  const double timer_scan = scan(sql);
  std::snprintf(sql, sizeof sql, "SELECT unit_id, COUNT(*), SUM(handle_due_at <= %lld) FROM assignments NOT INDEXED "
                "WHERE state IN ('pending','accepted') GROUP BY unit_id", static_cast<long long>(now));
  const double overdue_scan = scan(sql);
  sqlite3_close(db);
  const auto tp = Summarise(timer), op = Summarise(overdue);
  std::printf("\nAmong %lld open assignments:\n", static_cast<long long>(n));
  std::printf("  timer query (what crossed a threshold):  p50 %7.2f ms  p99 %7.2f ms  (target < 10 ms: %s; %zu rows over 200 runs)\n",
              tp.p50, tp.p99, tp.p99 < 10 ? "met" : "MISSED", found);
  std::printf("    baseline, same query as a full scan:   %7.2f ms\n", timer_scan);
  std::printf("  backlog (open, overdue) per unit:         p50 %7.2f ms  p99 %7.2f ms  (target < 100 ms: %s)\n",
              op.p50, op.p99, op.p99 < 100 ? "met" : "MISSED");
  std::printf("    baseline, same query as a full scan:   %7.2f ms\n", overdue_scan);
  store->reset();
  for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
  return 0;
}
