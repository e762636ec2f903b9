// bench_intake: how many tickets the platform takes in per second, over HTTP with
// concurrent keep-alive clients and through the store directly, printed beside the rate of
// bare SQLite single-row insert+commit on the same disk in the same run (synchronous FULL
// and NORMAL) — the disk's own limit. Then latency at a steady 200 tickets/s (open loop:
// measured from each request's scheduled time), and listing a unit's open orders among
// --tickets stored tickets.
//
//   build/bench/bench_intake [--tickets 1000000] [--seconds 5] [--clients 16] [--threads 8] [--dir /tmp]
#include <CLI/CLI.hpp>
#include <httplib.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "cli/app.h"
#include "core/crypto.h"
#include "store/ticket_codec.h"

using namespace hotline;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct Args {
  int64_t tickets = 1000000;
  double seconds = 5;
  int clients = 16, threads = 8;
  std::string dir = std::filesystem::temp_directory_path().string();
};

double MsSince(SteadyClock::time_point t) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
}

struct Lat {
  std::mutex mu;
  std::vector<double> ms;
  void Add(double v) { std::lock_guard l(mu); ms.push_back(v); }
  std::string Summary() {
    std::lock_guard l(mu);
    if (ms.empty()) return "no samples";
    std::sort(ms.begin(), ms.end());
    char buf[128];
    std::snprintf(buf, sizeof buf, "p50 %.2f ms  p99 %.2f ms  max %.2f ms", ms[ms.size() / 2],
                  ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back());
    return buf;
  }
  double P99() {
    std::lock_guard l(mu);
    if (ms.empty()) return 0;
    std::sort(ms.begin(), ms.end());
    return ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  }
};

void RemoveDb(const std::string& p) {
  for (const char* s : {"", "-wal", "-shm", ".key"}) std::filesystem::remove(p + s);
}

// Bare SQLite: one row, one transaction, one commit, as fast as the disk allows.
double BareSqlite(const std::string& path, bool full, double seconds) {
  RemoveDb(path);
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, full ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;" : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
               nullptr, nullptr, nullptr);
  sqlite3_exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, payload TEXT)", nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO t(payload) VALUES('幸福小区3栋电梯坏了三天没人修，老人上下楼很困难，请尽快处理。')", -1, &ins, nullptr);
  int64_t n = 0;
  const auto start = SteadyClock::now();
  while (MsSince(start) < seconds * 1000) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_step(ins);
    sqlite3_reset(ins);
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    ++n;
  }
  const double rate = n / (MsSince(start) / 1000);
  sqlite3_finalize(ins);
  sqlite3_close(db);
  RemoveDb(path);
  return rate;
}

TicketInput Input(int64_t i) {
  TicketInput in;
  in.channel = "phone";
  in.request_type = "complaint";
  in.content = "第" + std::to_string(i) + "号：和平路门前路灯不亮已经三天，夜间出行不安全。";
  in.address = "和平路" + std::to_string(i % 500) + "号";
  in.citizen.name = "市民";
  in.citizen.phone = "139" + std::to_string(10000000 + i % 90000000);
  return in;
}

std::string Body(int64_t i) {
  return "{\"channel\":\"phone\",\"request_type\":\"complaint\",\"urgency\":\"normal\",\"content\":\"第" + std::to_string(i) +
         "号：和平路门前路灯不亮已经三天，夜间出行不安全。\",\"citizen\":{\"name\":\"市民\",\"phone\":\"139" +
         std::to_string(10000000 + i % 90000000) + "\"},\"address\":\"和平路" + std::to_string(i % 500) + "号\"}";
}

struct City {
  Id hub = 0;
  std::vector<Id> units;
  Actor agent, handler;
  std::string agent_password = "bench-password", handler_name;
};

City MakeCity(cli::App& app) {
  City c;
  Store& s = *app.store;
  c.hub = s.CreateUnit(Unit{0, "市12345热线中心", UnitKind::kCityCenter, 0, 0, "", true})->id;
  for (int i = 0; i < 60; ++i) {
    c.units.push_back(s.CreateUnit(Unit{0, "承办单位" + std::to_string(i), UnitKind::kDepartment, c.hub, 0, "", true})->id);
  }
  const std::string hash = *HashPassword(c.agent_password);
  User agent{0, "bench_agent", hash, Role::kAgent, c.hub, "", true, 0};
  User handler{0, "bench_handler", hash, Role::kUnitHandler, c.units[7], "", true, 0};
  agent = *s.CreateUser(agent);
  handler = *s.CreateUser(handler);
  c.agent = Actor{agent.id, Role::kAgent, c.hub, agent.username};
  c.handler = Actor{handler.id, Role::kUnitHandler, c.units[7], handler.username};
  return c;
}

std::string Login(httplib::Client& cli, const std::string& user, const std::string& pass) {
  auto r = cli.Post("/api/v1/auth/login", "{\"username\":\"" + user + "\",\"password\":\"" + pass + "\"}", "application/json");
  if (!r || r->status != 200) return "";
  auto p = r->body.find("\"token\":\"");
  return r->body.substr(p + 9, 64);
}

// Tickets straight into the database in big transactions: real rows (the codec's state and
// an assignment each), spread over 60 units, one in twenty still open.
void BulkFill(const std::string& path, const City& c, int64_t n, IdGenerator& ids) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA synchronous=OFF; BEGIN", nullptr, nullptr, nullptr);
  sqlite3_stmt* ti = nullptr;
  sqlite3_stmt* ai = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO tickets(id, number, status, version, channel, request_type, urgency, intake_unit_id, "
                         "content, created_at, updated_at, due_at, state, is_open) VALUES(?,?,?,1,'phone','complaint','normal',?,?,?,?,?,?,?)",
                     -1, &ti, nullptr);
  sqlite3_prepare_v2(db, "INSERT INTO assignments(id, ticket_id, unit_id, lead, state, dispatched_at, accept_due_at, handle_due_at, "
                         "accepted_at, replied_at) VALUES(?,?,?,1,?,?,?,?,?,?)", -1, &ai, nullptr);
  std::mt19937_64 rng(3);
  const TimeMs now = SystemClock::Default()->NowMs();
  for (int64_t i = 0; i < n; ++i) {
    Ticket t;
    t.id = ids.Next();
    t.number = "B" + std::to_string(100000000 + i);
    t.channel = "phone";
    t.request_type = "complaint";
    t.urgency = "normal";
    t.content = "第" + std::to_string(i) + "号：和平路门前路灯不亮已经三天，夜间出行不安全。";
    t.intake_unit_id = c.hub;
    t.created_at = t.updated_at = now - static_cast<int64_t>(rng() % (365 * kDayMs));
    const bool open = rng() % 20 == 0;
    Assignment a;
    a.id = ids.Next();
    a.unit_id = c.units[rng() % c.units.size()];
    a.dispatched_at = t.created_at;
    a.accept_due_at = t.created_at + kDayMs;
    a.handle_due_at = t.due_at = t.created_at + 5 * kDayMs;
    a.state = open ? AssignmentState::kAccepted : AssignmentState::kReplied;
    a.accepted_at = t.created_at + kHourMs;
    a.replied_at = open ? 0 : t.created_at + 2 * kDayMs;
    t.phase = open ? Phase::kHandling : Phase::kClosed;
    t.assignments.push_back(a);
    const std::string state = EncodeTicketState(t);
    sqlite3_bind_int64(ti, 1, t.id);
    sqlite3_bind_text(ti, 2, t.number.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(ti, 3, TicketStatusName(t.Status()), -1, SQLITE_STATIC);
    sqlite3_bind_int64(ti, 4, c.hub);
    sqlite3_bind_text(ti, 5, t.content.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ti, 6, t.created_at);
    sqlite3_bind_int64(ti, 7, t.updated_at);
    sqlite3_bind_int64(ti, 8, t.due_at);
    sqlite3_bind_text(ti, 9, state.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(ti, 10, open ? 1 : 0);
    sqlite3_step(ti);
    sqlite3_reset(ti);
    sqlite3_bind_int64(ai, 1, a.id);
    sqlite3_bind_int64(ai, 2, t.id);
    sqlite3_bind_int64(ai, 3, a.unit_id);
    sqlite3_bind_text(ai, 4, AssignmentStateName(a.state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(ai, 5, a.dispatched_at);
    sqlite3_bind_int64(ai, 6, a.accept_due_at);
    sqlite3_bind_int64(ai, 7, a.handle_due_at);
    sqlite3_bind_int64(ai, 8, a.accepted_at);
    sqlite3_bind_int64(ai, 9, a.replied_at);
    sqlite3_step(ai);
    sqlite3_reset(ai);
    if (i % 100000 == 99999) sqlite3_exec(db, "COMMIT; BEGIN", nullptr, nullptr, nullptr);
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);  // no ANALYZE: the store never runs it
  sqlite3_finalize(ti);
  sqlite3_finalize(ai);
  sqlite3_close(db);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  CLI::App cli("Intake throughput and latency beside bare SQLite commits (see bench/README.md)");
  cli.add_option("--tickets", a.tickets, "tickets in the store for the listing measurement")->capture_default_str();
  cli.add_option("--seconds", a.seconds, "length of each timed run")->check(CLI::PositiveNumber)->capture_default_str();
  cli.add_option("--clients", a.clients, "concurrent HTTP clients")->check(CLI::Range(1, 1024))->capture_default_str();
  cli.add_option("--threads", a.threads, "server worker threads")->check(CLI::Range(2, 512))->capture_default_str();
  cli.add_option("--dir", a.dir, "where the databases go")->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  std::printf("bench_intake: %s, %u cores\n\n", a.dir.c_str(), std::thread::hardware_concurrency());
  const std::string bare = a.dir + "/bench-bare.db";
  const double full = BareSqlite(bare, true, a.seconds / 2);
  const double normal = BareSqlite(bare, false, a.seconds / 2);
  std::printf("bare SQLite, 1 row per transaction, WAL synchronous=FULL:   %8.0f commits/s\n", full);
  std::printf("bare SQLite, 1 row per transaction, WAL synchronous=NORMAL: %8.0f commits/s\n\n", normal);

  const std::string path = a.dir + "/bench-intake.db";
  RemoveDb(path);
  auto app = cli::OpenApp(path, true);
  if (!app.ok()) {
    std::fprintf(stderr, "%s\n", app.status().ToString().c_str());
    return 1;
  }
  (void)cli::InitDatabase(*app, "", "");
  City city = MakeCity(*app);

  // Through the store: Service::CreateTicket from concurrent threads (group commit).
  {
    Lat lat;
    std::atomic<int64_t> n{0};
    const auto start = SteadyClock::now();
    std::vector<std::thread> ts;
    for (int k = 0; k < a.threads; ++k) {
      ts.emplace_back([&, k] {
        for (int64_t i = 0; MsSince(start) < a.seconds * 1000; ++i) {
          const auto t0 = SteadyClock::now();
          if (app->service->CreateTicket(city.agent, Input(k * 10000000 + i), "").ok()) ++n;
          lat.Add(MsSince(t0));
        }
      });
    }
    for (auto& t : ts) t.join();
    const double rate = n / (MsSince(start) / 1000);
    std::printf("store, %d threads, synchronous=FULL:   %8.0f tickets/s  (%.1fx bare FULL)  %s\n", a.threads, rate,
                rate / full, lat.Summary().c_str());
  }

  ServerOptions so;
  so.port = 0;
  ApiServer server(app->service.get(), so);
  const int port = *server.Bind();
  std::thread serving([&] { (void)server.ListenAfterBind(); });
  httplib::Client login("127.0.0.1", port);
  const std::string token = Login(login, "bench_agent", city.agent_password);
  const httplib::Headers auth = {{"Authorization", "Bearer " + token}};

  // HTTP, closed loop: as fast as C keep-alive clients go.
  double http_rate = 0;
  {
    Lat lat;
    std::atomic<int64_t> n{0}, errors{0};
    const auto start = SteadyClock::now();
    std::vector<std::thread> ts;
    for (int k = 0; k < a.clients; ++k) {
      ts.emplace_back([&, k] {
        httplib::Client cli("127.0.0.1", port);
        cli.set_keep_alive(true);
        cli.set_tcp_nodelay(true);
        for (int64_t i = 0; MsSince(start) < a.seconds * 1000; ++i) {
          const auto t0 = SteadyClock::now();
          auto r = cli.Post("/api/v1/tickets", auth, Body(50000000 + k * 1000000 + i), "application/json");
          lat.Add(MsSince(t0));
          if (r && r->status == 201) ++n; else ++errors;
        }
      });
    }
    for (auto& t : ts) t.join();
    http_rate = n / (MsSince(start) / 1000);
    std::printf("HTTP, %d keep-alive clients:          %8.0f tickets/s  (%.1fx bare FULL)  %s  errors %lld\n", a.clients,
                http_rate, http_rate / full, lat.Summary().c_str(), static_cast<long long>(errors.load()));
  }

  // HTTP, open loop at a steady 200 tickets/s: latency from each request's scheduled time.
  double steady_p99 = 0;
  {
    Lat lat;
    const int rate = 200;
    const int64_t total = static_cast<int64_t>(rate * a.seconds * 2);
    std::atomic<int64_t> next{0}, errors{0};
    const auto start = SteadyClock::now() + std::chrono::milliseconds(50);
    std::vector<std::thread> ts;
    for (int k = 0; k < 32; ++k) {
      ts.emplace_back([&] {
        httplib::Client cli("127.0.0.1", port);
        cli.set_keep_alive(true);
        cli.set_tcp_nodelay(true);
        for (int64_t slot = next++; slot < total; slot = next++) {
          const auto due = start + std::chrono::microseconds(slot * 1000000 / rate);
          std::this_thread::sleep_until(due);
          auto r = cli.Post("/api/v1/tickets", auth, Body(90000000 + slot), "application/json");
          lat.Add(std::chrono::duration<double, std::milli>(SteadyClock::now() - due).count());
          if (!r || r->status != 201) ++errors;
        }
      });
    }
    for (auto& t : ts) t.join();
    steady_p99 = lat.P99();
    std::printf("HTTP, steady 200 tickets/s (open loop): %s  errors %lld\n", lat.Summary().c_str(),
                static_cast<long long>(errors.load()));
  }

  // Listing a unit's open orders among many tickets.
  double list_p99 = 0;
  if (a.tickets > 0) {
    server.Stop();
    serving.join();
    app->store.reset();
    const auto t0 = SteadyClock::now();
    BulkFill(path, city, a.tickets, *app->ids);
    std::printf("\nfilled %lld tickets in %.0f s\n", static_cast<long long>(a.tickets), MsSince(t0) / 1000);
    auto reopened = cli::OpenApp(path, false);
    if (!reopened.ok()) {
      std::fprintf(stderr, "%s\n", reopened.status().ToString().c_str());
      return 1;
    }
    ApiServer server2(reopened->service.get(), so);
    const int port2 = *server2.Bind();
    std::thread serving2([&] { (void)server2.ListenAfterBind(); });
    httplib::Client cli("127.0.0.1", port2);
    cli.set_keep_alive(true);
    cli.set_tcp_nodelay(true);
    const std::string htoken = Login(cli, "bench_handler", city.agent_password);
    const httplib::Headers hauth = {{"Authorization", "Bearer " + htoken}};
    const std::string url = "/api/v1/tickets?unit_id=" + IdToString(city.units[7]) + "&open=true&page_size=20";
    Lat http, direct;
    int64_t total = -1;
    for (int i = 0; i < 300; ++i) {
      const auto s = SteadyClock::now();
      auto r = cli.Get(url, hauth);
      http.Add(MsSince(s));
      if (i == 0 && r && r->status == 200) {
        auto p = r->body.find("\"total\":");
        total = std::stoll(r->body.substr(p + 8));
      }
    }
    TicketQuery q;
    q.unit_id = city.units[7];
    q.unit_open_only = true;
    q.page_size = 20;
    for (int i = 0; i < 300; ++i) {
      const auto s = SteadyClock::now();
      (void)reopened->store->ListTickets(q);
      direct.Add(MsSince(s));
    }
    list_p99 = http.P99();
    std::printf("a unit's open orders (%lld of %lld tickets), page of 20 with exact total:\n", static_cast<long long>(total),
                static_cast<long long>(a.tickets));
    std::printf("  over HTTP as the unit's handler: %s\n", http.Summary().c_str());
    std::printf("  through the store:               %s\n", direct.Summary().c_str());
    server2.Stop();
    serving2.join();
  } else {
    server.Stop();
    serving.join();
  }
  auto verdict = [](bool ok) { return ok ? "met" : "MISSED"; };
  std::printf("\ntargets: >= 1,000 tickets/s over HTTP: %s (%.0f); p99 < 50 ms at 200/s: %s (%.1f ms)", verdict(http_rate >= 1000),
              http_rate, verdict(steady_p99 < 50), steady_p99);
  if (a.tickets > 0) std::printf("; unit list p99 < 10 ms: %s (%.2f ms)", verdict(list_p99 < 10), list_p99);
  std::printf("\n");
  RemoveDb(path);
  return 0;
}
