// The one binary: `hotline init | serve | import | demo`.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/app.h"
#include "core/text.h"
#include "org/org_import.h"
#include "taxonomy/taxonomy.h"

using namespace hotline;

namespace {

int Init(const std::string& db, const std::string& user, const std::string& password) {
  auto app = cli::OpenApp(db, true);
  if (!app.ok()) return cli::Fail(app.status());
  Status st = cli::InitDatabase(*app, user, password);
  if (!st.ok()) return cli::Fail(st);
  std::cout << "database ready: " << db << "\n";
  return 0;
}

int Serve(const std::string& db, const std::string& listen, int threads, const std::string& web_root) {
  ServerOptions opts;
  if (Status st = ParseListen(listen, &opts.host, &opts.port); !st.ok()) return cli::Fail(st);
  opts.threads = threads;
  opts.web_root = web_root;
  auto app = cli::OpenApp(db, false);
  if (!app.ok()) return cli::Fail(app.status());
  if (Status st = cli::InitDatabase(*app, "", ""); !st.ok()) return cli::Fail(st);
  Status st = cli::ServeUntilSignal(*app, opts, [&](int port) {
    spdlog::info("serving {} on http://{}:{}", db, opts.host, port);
  });
  return st.ok() ? 0 : cli::Fail(st);
}

int Import(const std::string& db, const std::string& kind, const std::string& path) {
  auto data = ReadFile(path);
  if (!data.ok()) return cli::Fail(data.status());
  auto app = cli::OpenApp(db, true);
  if (!app.ok()) return cli::Fail(app.status());
  Store& store = *app->store;
  if (kind == "taxonomy") {
    auto cats = ParseTaxonomyCsv(*data);
    if (!cats.ok()) return cli::Fail(cats.status());
    auto v = store.ImportTaxonomy(*cats, path);
    if (!v.ok()) return cli::Fail(v.status());
    std::cout << "imported " << cats->size() << " categories as taxonomy version " << *v << "\n";
    return 0;
  }
  auto org = store.LoadOrg();
  if (!org.ok()) return cli::Fail(org.status());
  auto new_id = [&] { return store.NewId(); };
  Status st;
  size_t n = 0;
  if (kind == "areas") {
    auto rows = ParseAreasCsv(*data, *org, new_id);
    if (!rows.ok()) return cli::Fail(rows.status());
    n = rows->size();
    st = store.ImportOrg(*rows, {}, {});
  } else if (kind == "units") {
    auto rows = ParseUnitsCsv(*data, *org, new_id);
    if (!rows.ok()) return cli::Fail(rows.status());
    n = rows->size();
    st = store.ImportOrg({}, *rows, {});
  } else if (kind == "dispatch-rules") {
    auto rows = ParseRulesCsv(*data, *org, new_id);
    if (!rows.ok()) return cli::Fail(rows.status());
    n = rows->size();
    st = store.ImportOrg({}, {}, *rows);
  } else {
    return cli::Fail(InvalidArgument("kind", "must be taxonomy, units, areas or dispatch-rules"));
  }
  if (!st.ok()) return cli::Fail(st);
  std::cout << "imported " << n << " " << kind << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Hotline 12345: the city's government service hotline platform"};
  app.require_subcommand(1);

  std::string db = "hotline.db", admin_user, admin_password, listen = "127.0.0.1:8080", web_root;
  int threads = 32;
  auto* init = app.add_subcommand("init", "create or migrate a database (idempotent)");
  init->add_option("--db", db, "SQLite database file")->required();
  init->add_option("--admin-user", admin_user, "bootstrap administrator")->required();
  init->add_option("--admin-password", admin_password, "its password (at least 8 characters)")->required();

  auto* serve = app.add_subcommand("serve", "serve the HTTP API");
  serve->add_option("--db", db, "SQLite database file")->required();
  serve->add_option("--listen", listen, "HOST:PORT to listen on")->capture_default_str();
  serve->add_option("--threads", threads, "HTTP worker threads")->check(CLI::Range(2, 512))->capture_default_str();
  serve->add_option("--web-root", web_root, "directory of the built web UI to serve at /");

  std::string kind, input;
  auto* import = app.add_subcommand("import", "import taxonomy, areas, units or dispatch-rules from CSV");
  import->add_option("--db", db, "SQLite database file")->required();
  import->add_option("kind", kind, "taxonomy | areas | units | dispatch-rules")->required();
  import->add_option("input", input, "CSV file")->required()->check(CLI::ExistingFile);

  bool fresh = false, no_traffic = false;
  int interval_ms = 1500;
  std::string demo_db = "hotline-demo.db", demo_listen = "127.0.0.1:8080";
  auto* demo = app.add_subcommand("demo", "create a demo city, serve it and keep traffic flowing");
  demo->add_option("--db", demo_db, "database file (kept between runs)")->capture_default_str();
  demo->add_option("--listen", demo_listen, "HOST:PORT")->capture_default_str();
  demo->add_flag("--fresh", fresh, "delete the demo database first");
  demo->add_flag("--no-traffic", no_traffic, "do not generate live traffic");
  demo->add_option("--interval-ms", interval_ms, "pause between traffic steps")->check(CLI::Range(10, 600000));

  CLI11_PARSE(app, argc, argv);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  if (*init) return Init(db, admin_user, admin_password);
  if (*serve) return Serve(db, listen, threads, web_root);
  if (*import) return Import(db, kind, input);
  if (*demo) return cli::RunDemo(demo_db, demo_listen, fresh, !no_traffic, interval_ms);
  return 0;
}
