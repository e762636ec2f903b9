#include "cli/app.h"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>
#include <thread>

#include "core/crypto.h"
#include "taxonomy/taxonomy.h"

namespace hotline::cli {

int Fail(const Status& st) {
  std::cerr << "hotline: " << st.message() << "\n";
  return st.code() == Code::kInvalidArgument ? 2 : 1;
}

Result<App> OpenApp(const std::string& db_path, bool create, const Clock* clock, int node_id) {
  if (!clock) clock = SystemClock::Default();
  ASSIGN_OR_RETURN(std::string key, ResolveDataKey(db_path, create));
  SqliteOptions o;
  o.path = db_path;
  o.data_key_hex = key;
  o.clock = clock;
  o.node_id = node_id;
  App app;
  ASSIGN_OR_RETURN(app.store, OpenSqliteStore(o));
  app.ids = std::make_unique<IdGenerator>(clock, node_id + 512);
  app.service = std::make_unique<Service>(app.store.get(), clock, app.ids.get(), std::make_unique<Policy>());
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
    return app.store->UpdatePassword(existing->id, hash);
  }
  if (existing.status().code() != Code::kNotFound) return existing.status();
  User u;
  u.username = admin_user;
  u.password_hash = hash;
  u.role = Role::kAdmin;
  u.display_name = "系统管理员";
  return app.store->CreateUser(u).status();
}

Status ServeUntilSignal(App& app, const ServerOptions& opts, const std::function<void(int)>& on_ready) {
  // Signals go to one waiting thread, which stops the server cleanly.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ApiServer server(app.service.get(), opts);
  ASSIGN_OR_RETURN(int port, server.Bind());
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&set, &sig);
    if (sig != SIGUSR2) spdlog::info("signal {}: stopping", sig);
    server.Stop();
  });
  if (on_ready) on_ready(port);
  Status st = server.ListenAfterBind();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter if the server stopped on its own
  waiter.join();
  return st;
}

}  // namespace hotline::cli
