#include "cli/app.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <fstream>
#include <string_view>

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/crypto.h"
#include "taxonomy/taxonomy.h"

namespace hotline::cli {

int Fail(const Status& st) {
  std::cerr << "hotline: " << st.message() << "\n";
  return st.code() == Code::kInvalidArgument ? 2 : 1;
}

Status InFile(const std::string& path, const Status& st) {
  if (st.message().starts_with(path)) return st;  // named already
  return Status(st.code(), path + ": " + st.message(), st.field());
}

Result<App> OpenApp(const std::string& db_path, bool create, const Clock* clock) {
  if (!clock) clock = SystemClock::Default();
  // Only `init` (and the commands documented to create one) make a database: a mistyped path
  // is named as such, not met with an empty new database or a missing key.
  // Asked without exceptions: a directory this user may not enter is an error to show, not
  // an abort.
  std::error_code ec;
  const bool db_existed = std::filesystem::exists(db_path, ec);
  if (ec) return Status(Code::kFailedPrecondition, "cannot reach " + db_path + ": " + ec.message());
  if (!create && !db_existed) {
    return InvalidArgument("db", "no database at " + db_path + " (create one with: hotline init --db " + db_path + ")");
  }
  // An empty file is no database `init` made either (SQLite would take it as a new one).
  if (!create && db_existed && std::filesystem::is_regular_file(db_path, ec) && std::filesystem::file_size(db_path, ec) == 0) {
    return InvalidArgument("db", db_path + " is an empty file, not a database (create one with: hotline init --db " + db_path + ")");
  }
  // Another kind of file is named as such, before its missing key could be blamed.
  if (db_existed && std::filesystem::is_regular_file(db_path, ec) && std::filesystem::file_size(db_path, ec) > 0) {
    // One this user cannot read is left to SQLite, which says so.
    std::ifstream in(db_path, std::ios::binary);
    char head[16] = {};
    in.read(head, sizeof head);
    if (in.is_open() && !in.bad() && in.gcount() > 0 &&
        std::string_view(head, static_cast<size_t>(in.gcount())) != std::string_view("SQLite format 3\0", 16)) {
      return InvalidArgument("db", db_path + " is not a SQLite database");
    }
  }
  // A key file this call creates is taken back if the database then fails to open (not a
  // database, a directory, another key): it would sit beside the file and key nothing.
  const std::string key_path = db_path + ".key";
  const bool key_existed = std::filesystem::exists(key_path, ec);
  if (ec) return Status(Code::kFailedPrecondition, "cannot reach " + key_path + ": " + ec.message());
  if (!db_existed) {
    // A new database holds personal data: readable by its owner only (SQLite gives its -wal
    // and -shm files the same mode).
    const int fd = ::open(db_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Status(Code::kFailedPrecondition, "cannot create " + db_path + ": " + std::strerror(errno));
    ::close(fd);
  }
  auto key = ResolveDataKey(db_path, create);
  if (!key.ok()) {
    if (!db_existed) std::filesystem::remove(db_path, ec);
    return key.status();
  }
  SqliteOptions o;
  o.path = db_path;
  o.data_key_hex = *key;
  o.clock = clock;  // the id-generator node is leased from the database (node_leases)
  App app;
  auto store = OpenSqliteStore(o);
  if (!store.ok()) {
    if (!key_existed) std::filesystem::remove(key_path, ec);
    if (!db_existed) std::filesystem::remove(db_path, ec);
    // Named with its path: a command given several files says which one it could not open.
    return InFile(db_path, store.status());
  }
  app.store = std::move(store).value();
  app.created_db = !db_existed;
  app.created_key = !key_existed;
  app.ids = std::make_unique<IdGenerator>(clock, app.store->NodeId() + 512);
  app.service = std::make_unique<Service>(app.store.get(), clock, app.ids.get());
  // A knowledge index built by an older binary is re-derived before anything searches it.
  ASSIGN_OR_RETURN(int64_t reindexed, app.service->Kb().ReindexIfStale());
  if (reindexed > 0) spdlog::info("knowledge index: {} entries re-derived for this version's search terms", reindexed);
  return app;
}

Status InitDatabase(App& app, const std::string& admin_user, const std::string& admin_password) {
  ASSIGN_OR_RETURN(int version, app.store->CurrentTaxonomyVersion());
  if (version == 0) {
    ASSIGN_OR_RETURN(auto cats, ParseTaxonomyCsv(DefaultTaxonomyCsv()));
    RETURN_IF_ERROR(app.store->ImportTaxonomy(cats, "default").status());
  }
  if (admin_user.empty()) return Status::Ok();
  if (admin_password.size() < 8) return InvalidArgument("admin-password", "must be at least 8 characters");
  ASSIGN_OR_RETURN(std::string hash, HashPassword(admin_password));
  auto existing = app.store->FindUserByName(admin_user);
  if (existing.ok()) {
    if (existing->role != Role::kAdmin) {
      return Status(Code::kConflict, "admin-user: '" + admin_user + "' exists with role " + RoleName(existing->role));
    }
    // The console's way back in: a disabled (停用) administrator is enabled again, or the new
    // password would open nothing.
    const bool was_disabled = !existing->active;
    User u = *existing;
    u.password_hash = hash;
    u.active = true;
    RETURN_IF_ERROR(app.store->UpdateUser(u));
    // Done at the console, by nobody the database knows: recorded as the command line's.
    return app.store->AppendAudit({0, SystemClock::Default()->NowMs(), 0, "user_updated",
                                   "user:" + IdToString(existing->id),
                                   was_disabled ? "password, enabled again (hotline init)" : "password (hotline init)"});
  }
  if (existing.status().code() != Code::kNotFound) return existing.status();
  User u;
  u.username = admin_user;
  u.password_hash = hash;
  u.role = Role::kAdmin;
  u.display_name = "系统管理员";
  ASSIGN_OR_RETURN(User made, app.store->CreateUser(u));
  return app.store->AppendAudit({0, SystemClock::Default()->NowMs(), 0, "user_created", "user:" + IdToString(made.id),
                                 "role admin (hotline init)"});
}

void BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

Status LoadModels(App& app, const std::string& db, const std::string& dir) {
  std::string use = dir;
  if (use.empty() && std::filesystem::is_directory(db + ".models")) use = db + ".models";
  if (use.empty()) return Status::Ok();
  if (!std::filesystem::is_directory(use)) return InvalidArgument("models", use + " is not a directory");
  ASSIGN_OR_RETURN(auto assistant, Assistant::Load(use));
  app.service->SetAssistant(std::move(assistant));
  spdlog::info("proposals use the models in {}", use);
  return Status::Ok();
}

Status ServeUntilSignal(App& app, const ServerOptions& opts, const std::function<void(int)>& on_ready,
                        int sla_interval_ms) {
  // Signals go to one waiting thread, which stops the server cleanly (every other thread
  // has them blocked: see BlockStopSignals).
  BlockStopSignals();
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  app.service->WarnCalendarGaps();
  ApiServer server(app.service.get(), opts);
  ASSIGN_OR_RETURN(int port, server.Bind());
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig != SIGUSR2) spdlog::info("signal {}: stopping", sig);
    server.Stop();
  });
  // The SLA timer: what crossed a threshold since the last run is an index scan; each
  // ticket's alarms are raised in its own transaction, exactly once (the raised ones are
  // recorded with the events).
  std::mutex timer_mu;
  std::condition_variable timer_cv;
  bool stopping = false;
  std::thread timer([&] {
    constexpr TimeMs kLeaseRenewMs = 5 * 60 * 1000;
    TimeMs lease_renewed = SystemClock::Default()->NowMs();
    std::unique_lock lock(timer_mu);
    while (!stopping) {
      lock.unlock();
      // The id-generator node stays this server's while it runs (the lease lapses an hour
      // after the last renewal).
      if (const TimeMs now = SystemClock::Default()->NowMs(); now - lease_renewed >= kLeaseRenewMs) {
        if (Status st = app.store->RenewNodeLease(); !st.ok()) spdlog::error("id node lease: {}", st.message());
        lease_renewed = now;
      }
      for (int round = 0; round < 20; ++round) {  // drain a backlog, within bounds
        auto n = app.service->RunSlaTick(500);
        if (!n.ok()) {
          spdlog::error("sla timer: {}", n.status().message());
          break;
        }
        if (*n > 0) spdlog::info("sla timer: alarms raised on {} tickets", *n);
        if (*n < 500) break;
      }
      lock.lock();
      timer_cv.wait_for(lock, std::chrono::milliseconds(sla_interval_ms), [&] { return stopping; });
    }
  });
  if (on_ready) on_ready(port);
  Status st = server.ListenAfterBind();
  {
    std::lock_guard lock(timer_mu);
    stopping = true;
  }
  timer_cv.notify_all();
  timer.join();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter if the server stopped on its own
  waiter.join();
  return st;
}

std::string DefaultWebRoot() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  const auto dist = exe.parent_path() / "web" / "dist";
  return std::filesystem::exists(dist / "index.html", ec) ? dist.string() : "";
}

}  // namespace hotline::cli
