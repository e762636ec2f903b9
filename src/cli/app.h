// Shared plumbing of the `hotline` subcommands: opening the store, the service, and
// serving until a signal arrives.
#pragma once

#include <memory>
#include <string>

#include "api/server.h"
#include "core/ids.h"
#include "service/service.h"
#include "store/store.h"

namespace hotline::cli {

struct App {
  std::unique_ptr<Store> store;
  std::unique_ptr<IdGenerator> ids;
  std::unique_ptr<Service> service;
  // What this open created (`create`): a command that then fails can take them back.
  bool created_db = false, created_key = false;
};

// Opens (creating and migrating when `create`) the database and builds the service.
Result<App> OpenApp(const std::string& db_path, bool create, const Clock* clock = nullptr);

// Makes sure the bootstrap administrator and the default taxonomy exist.
Status InitDatabase(App& app, const std::string& admin_user, const std::string& admin_password);

// Blocks SIGINT and SIGTERM in the calling thread, so that every thread started after it
// inherits the mask and ServeUntilSignal's waiter is the one that receives them. Call it
// before opening the App that will serve.
void BlockStopSignals();

// Serves HTTP until SIGINT/SIGTERM; `on_ready(port)` runs once listening. Alongside, the
// SLA timer raises deadline alarms every `sla_interval_ms`.
Status ServeUntilSignal(App& app, const ServerOptions& opts, const std::function<void(int)>& on_ready,
                        int sla_interval_ms = 5000);

int Fail(const Status& st);
// The same error, named with the file it is about (a command given several files says which).
Status InFile(const std::string& path, const Status& st);

// Trains the `target` classifier (category | request_type | urgency) from the newest closed
// tickets of the store and saves it to `out`; needs `min_rows` labelled tickets. Returns a
// one-line summary.
Result<std::string> TrainFromHistory(Store& store, const std::string& target, const std::string& out,
                                     int limit = 200000, size_t min_rows = 50);

// The models directory a server uses: the given one, else "<db>.models" when it exists
// ("" when neither). Loads it into the service.
Status LoadModels(App& app, const std::string& db, const std::string& dir);
// The built web UI beside the binary (build/web/dist for build/hotline), or "" when it was
// not built; `serve` and `demo` serve it at / unless --web-root says otherwise.
std::string DefaultWebRoot();

int RunDemo(const std::string& db_path, const std::string& listen, bool fresh, bool traffic, int interval_ms,
            double auto_dispatch = 0);

}  // namespace hotline::cli
