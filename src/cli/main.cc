// The one binary: `hotline init | serve | import | demo`.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>
#include <set>

#include "api/static_files.h"
#include "cli/app.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "core/text.h"
#include "org/org_import.h"
#include "sla/calendar.h"
#include "service/kb_service.h"
#include "service/service.h"
#include <filesystem>
#include <fstream>
#include <set>
#include <nlohmann/json.hpp>
#include "taxonomy/taxonomy.h"

using namespace hotline;

namespace {

int Init(const std::string& db, const std::string& user, const std::string& password) {
  // Checked before anything is created: a refused name or password leaves no half-made
  // database. The name as the API takes it (' admin ' could never log in).
  if (Status st = CheckUsername(user, "admin-user"); !st.ok()) return cli::Fail(st);
  if (password.size() < 8) return cli::Fail(InvalidArgument("admin-password", "must be at least 8 characters"));
  auto app = cli::OpenApp(db, true);
  if (!app.ok()) return cli::Fail(app.status());
  Status st = cli::InitDatabase(*app, user, password);
  if (!st.ok()) return cli::Fail(st);
  std::cout << "database ready: " << db << "\n";
  return 0;
}

int Serve(const std::string& db, const std::string& listen, int threads, const std::string& web_root,
          int sla_interval_ms, const std::string& models, double auto_dispatch,
          const std::vector<std::string>& trusted_proxies) {
  ServerOptions opts;
  if (Status st = ParseListen(listen, &opts.host, &opts.port); !st.ok()) return cli::Fail(st);
  opts.threads = threads;
  for (const auto& p : trusted_proxies) {
    // An address as the proxy connects from: no port, no name, no range.
    unsigned char buf[16];
    const bool address = p.size() <= 64 && (inet_pton(AF_INET, p.c_str(), buf) == 1 || inet_pton(AF_INET6, p.c_str(), buf) == 1);
    if (!address) return cli::Fail(InvalidArgument("trusted-proxy", "'" + p + "' is not an IP address (no port, no name)"));
  }
  opts.trusted_proxies = trusted_proxies;
  opts.web_root = web_root.empty() ? cli::DefaultWebRoot() : web_root;
  // A --web-root given is meant: one the server could not serve stops here (read as the
  // server reads it) instead of starting with a bare page.
  if (!web_root.empty()) {
    if (Status st = StaticFiles().Load(web_root); !st.ok()) {
      return cli::Fail(InvalidArgument("web-root", "'" + web_root + "' is no built web UI (build/web/dist): " + st.message()));
    }
  }
  cli::BlockStopSignals();
  auto app = cli::OpenApp(db, false);
  if (!app.ok()) return cli::Fail(app.status());
  if (Status st = cli::InitDatabase(*app, "", ""); !st.ok()) return cli::Fail(st);
  if (Status st = cli::LoadModels(*app, db, models); !st.ok()) return cli::Fail(st);
  app->service->SetAutoDispatch(auto_dispatch);
  Status st = cli::ServeUntilSignal(*app, opts, [&](int port) {
    spdlog::info("serving {} on http://{}:{}", db, opts.host, port);
  }, sla_interval_ms);
  return st.ok() ? 0 : cli::Fail(st);
}

// A file given to an import is UTF-8 text; one that is not (a GBK export from a spreadsheet)
// is named with its first line that is not.
Status Utf8File(const std::string& path, std::string_view data) {
  if (IsValidUtf8(data)) return Status::Ok();
  // Excel's "Unicode text" is UTF-16, with its byte-order mark first.
  if (data.size() >= 2 && ((data[0] == '\xFF' && data[1] == '\xFE') || (data[0] == '\xFE' && data[1] == '\xFF'))) {
    return Status(Code::kInvalidArgument, path + ": is UTF-16 text (save it as \"CSV UTF-8\", or convert it, e.g. "
                                                 "iconv -f UTF-16 -t UTF-8)");
  }
  size_t n = 1;
  for (size_t start = 0; start < data.size(); ++n) {
    const size_t end = std::min(data.find('\n', start), data.size());
    if (!IsValidUtf8(data.substr(start, end - start))) break;
    start = end + 1;
  }
  return Status(Code::kInvalidArgument, path + " line " + std::to_string(n) +
                                            ": is not UTF-8 text (convert the file, e.g. iconv -f GBK -t UTF-8)");
}

int Import(const std::string& db, const std::string& kind, const std::string& path) {
  auto data = ReadFile(path);
  if (!data.ok()) return cli::Fail(data.status());
  if (Status st = Utf8File(path, *data); !st.ok()) return cli::Fail(st);
  // Into a database `init` made: a mistyped --db must not leave a new empty city (and key)
  // behind that the import then fills.
  auto app = cli::OpenApp(db, false);
  if (!app.ok()) return cli::Fail(app.status());
  Store& store = *app->store;
  // What is wrong with the file names it, as `kb import` does: a set-up script imports several.
  const auto fail_in_file = [&](const Status& st) { return cli::Fail(cli::InFile(path, st)); };
  if (kind == "taxonomy") {
    // Paths a stored standard has keep their codes, and no code given before is given again
    // (what tickets, rules and models hold).
    std::vector<std::vector<Category>> versions;
    auto version = store.CurrentTaxonomyVersion();
    if (!version.ok()) return cli::Fail(version.status());
    for (int v = 1; v <= *version; ++v) {
      auto listed = store.ListCategories(v);
      if (!listed.ok()) return cli::Fail(listed.status());
      versions.push_back(std::move(listed).value());
    }
    auto cats = ParseTaxonomyCsv(*data, versions);
    if (!cats.ok()) return fail_in_file(cats.status());
    auto v = store.ImportTaxonomy(*cats, path);
    if (!v.ok()) return cli::Fail(v.status());
    (void)store.AppendAudit({0, SystemClock::Default()->NowMs(), 0, "taxonomy_imported", "taxonomy:" + std::to_string(*v),
                             std::to_string(cats->size()) + " categories from " + Utf8Prefix(path, 200) + " (hotline import)"});
    std::cout << "imported " << cats->size() << " categories as taxonomy version " << *v << "\n";
    // Rules keep their prefixes: one the new standard has no category for matches nothing
    // any more (and cannot be saved again as it is). Said, so the directory is mended.
    auto org = store.LoadOrg();
    if (!org.ok()) return cli::Fail(org.status());
    const auto orphaned = [&](const std::string& prefix) {
      return !prefix.empty() &&
             std::none_of(cats->begin(), cats->end(), [&](const Category& c) { return CodeHasPrefix(c.code, prefix); });
    };
    const auto warn = [](const std::vector<std::string>& orphans, const std::string& what, const std::string& mend) {
      if (orphans.empty()) return;
      std::cerr << "warning: " << orphans.size() << " " << what << " name categories this taxonomy does not have; "
                << "they match nothing until " << mend << ":";
      for (size_t i = 0; i < orphans.size() && i < 20; ++i) std::cerr << (i ? ", " : " ") << orphans[i];
      std::cerr << (orphans.size() > 20 ? ", ...\n" : "\n");
    };
    std::vector<std::string> orphans;
    for (const auto& r : org->rules()) {
      if (orphaned(r.category_prefix)) orphans.push_back(r.category_prefix + " (rule " + IdToString(r.id) + ")");
    }
    warn(orphans, "dispatch rules", "edited or deleted");
    // The time-limit policy's rules too: orders of such a category fall to a wider rule's limits.
    orphans.clear();
    const auto policy = app->service->CurrentPolicy();
    const auto& sla_rules = policy->doc().rules;
    for (size_t i = 0; i < sla_rules.size(); ++i) {
      if (orphaned(sla_rules[i].category_prefix)) {
        orphans.push_back(sla_rules[i].category_prefix + " (rules[" + std::to_string(i) + "])");
      }
    }
    warn(orphans, "time-limit policy rules", "the policy is saved again without them (PUT /api/v1/sla-policies)");
    return 0;
  }
  auto org = store.LoadOrg();
  if (!org.ok()) return cli::Fail(org.status());
  auto new_id = [&] { return store.NewId(); };
  Status st;
  size_t n = 0;
  if (kind == "areas") {
    auto rows = ParseAreasCsv(*data, *org, new_id);
    if (!rows.ok()) return fail_in_file(rows.status());
    n = rows->size();
    st = store.ImportOrg(*rows, {}, {});
  } else if (kind == "units") {
    auto rows = ParseUnitsCsv(*data, *org, new_id);
    if (!rows.ok()) return fail_in_file(rows.status());
    n = rows->size();
    st = store.ImportOrg({}, *rows, {});
  } else if (kind == "dispatch-rules") {
    // As the API: a prefix must begin some category of the current taxonomy.
    auto rows = ParseRulesCsv(*data, *org, new_id, [&](const std::string& prefix) {
      return app->service->CheckCategory("category_prefix", prefix, true).status();
    });
    if (!rows.ok()) return fail_in_file(rows.status());
    n = rows->size();
    st = store.ImportOrg({}, {}, *rows);
  } else {
    return cli::Fail(InvalidArgument("kind", "must be taxonomy, units, areas or dispatch-rules"));
  }
  if (!st.ok()) return cli::Fail(st);
  (void)store.AppendAudit({0, SystemClock::Default()->NowMs(), 0, "org_imported", kind,
                           std::to_string(n) + " rows from " + Utf8Prefix(path, 200) + " (hotline import)"});
  std::cout << "imported " << n << " " << kind << "\n";
  // Rows naming what is stored already are skipped, not applied: said, so that an edited
  // alias or phone in such a row is not taken for done.
  if (auto rows = ParseCsv(*data); rows.ok() && rows->size() > 1 + n) {
    std::cout << "skipped " << rows->size() - 1 - n << " rows the database holds already (a stored row is not changed "
              << "by an import: edit it in 系统管理 or with the API)\n";
  }
  return 0;
}

Result<Calendar> LoadCalendar(const std::string& name_or_file) {
  if (name_or_file.empty() || name_or_file == Calendar::Default().name()) return Calendar::Default();
  auto text = ReadFile(name_or_file, 4u << 20);
  if (!text.ok()) {
    return InvalidArgument("calendar", "'" + name_or_file + "' is neither a known calendar (" +
                                           Calendar::Default().name() + ") nor a readable file");
  }
  return Calendar::FromJson(*text);
}

// Reads JSONL; a bad line is reported with its number and nothing is written.
// `lines` receives each entry's line number.
Result<std::vector<KbEntry>> ReadKbJsonl(const std::string& path, std::vector<size_t>* lines) {
  std::ifstream in(path);
  if (!in) return Status(Code::kNotFound, "cannot open " + path);
  std::vector<KbEntry> out;
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (n == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a byte-order mark, as the CSV import allows
    if (Trim(line).empty()) continue;
    const std::string where = path + " line " + std::to_string(n) + ": ";
    // The entry parser speaks of an HTTP request's body; here the body is a line of the file.
    if (!IsValidUtf8(line)) return Status(Code::kInvalidArgument, where + "is not valid UTF-8");
    if (!nlohmann::json::accept(line)) return Status(Code::kInvalidArgument, where + "is not valid JSON");
    if (const char c = Trim(line).front(); c != '{') {
      return Status(Code::kInvalidArgument, where + "must be one entry, a JSON object {\"id\", \"title\", \"body\", …}");
    }
    auto e = ParseKbEntry(line);
    if (!e.ok()) return Status(Code::kInvalidArgument, where + e.status().message(), e.status().field());
    out.push_back(std::move(e).value());
    lines->push_back(n);
  }
  return out;
}

// Reads CSV with a header naming the entry's fields (id, title, body, category_code or
// category, keywords separated by '|', status, visibility, effective, expires,
// owner_unit_id); each row is read as the JSON line of the same fields would be.
Result<std::vector<KbEntry>> ReadKbCsv(const std::string& path, std::vector<size_t>* lines) {
  ASSIGN_OR_RETURN(std::string data, ReadFile(path));
  RETURN_IF_ERROR(Utf8File(path, data));
  std::vector<size_t> at;
  auto parsed = ParseCsv(data, &at);
  if (!parsed.ok()) return cli::InFile(path, parsed.status());
  auto rows = std::move(parsed).value();
  if (rows.empty()) return Status(Code::kInvalidArgument, path + ": has no header row");
  std::vector<std::string> header;
  for (const auto& h : rows[0]) {
    header.push_back(Trim(h));
    if (header.back().empty()) continue;  // a trailing comma's column: it must hold nothing (below)
    if (!IsKbEntryField(header.back())) {
      return Status(Code::kInvalidArgument, path + " line " + std::to_string(at[0]) + ": column '" + header.back() +
                                                "' is not a knowledge entry field", header.back());
    }
    if (std::count(header.begin(), header.end(), header.back()) > 1) {
      return Status(Code::kInvalidArgument, path + " line " + std::to_string(at[0]) + ": column '" + header.back() +
                                                "' appears twice", header.back());
    }
  }
  std::vector<KbEntry> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const std::string where = path + " line " + std::to_string(at[r]) + ": ";
    if (rows[r].size() != header.size()) {
      return Status(Code::kInvalidArgument, where + cli::FieldCountError(rows[r].size(), header.size()).message(), "line");
    }
    nlohmann::json j = nlohmann::json::object();
    for (size_t c = 0; c < header.size(); ++c) {
      const std::string v = SpreadsheetText(Trim(rows[r][c]));  // as exported: '=… is =…
      if (v.empty()) continue;
      if (header[c].empty()) {
        return Status(Code::kInvalidArgument, where + "field " + std::to_string(c + 1) + " holds '" + Utf8Prefix(v, 40) +
                                                  "' in a column the header does not name", "line");
      }
      if (header[c] == "keywords" && v.front() == '[') {
        // A JSON array, as export writes keywords that hold a '|' themselves.
        auto k = nlohmann::json::parse(v, nullptr, false);
        if (!k.is_array()) return Status(Code::kInvalidArgument, where + "keywords: is neither a|b|c nor a JSON array", "keywords");
        j["keywords"] = std::move(k);
      } else if (header[c] == "keywords") {
        nlohmann::json k = nlohmann::json::array();
        for (size_t s = 0; s <= v.size();) {
          const size_t bar = std::min(v.find('|', s), v.size());
          if (const std::string w = Trim(v.substr(s, bar - s)); !w.empty()) k.push_back(w);
          s = bar + 1;
        }
        j["keywords"] = std::move(k);
      } else {
        j[header[c]] = v;
      }
    }
    auto e = ParseKbEntry(j.dump());
    if (!e.ok()) return Status(Code::kInvalidArgument, where + e.status().message(), e.status().field());
    out.push_back(std::move(e).value());
    lines->push_back(at[r]);
  }
  return out;
}

// A file named *.csv (any case: EXPORT.CSV) is CSV; anything else JSON lines.
bool IsCsvName(const std::string& path) {
  if (path.size() < 4) return false;
  return AsciiLower(path.substr(path.size() - 4)) == ".csv";
}

int KbImport(const std::string& db, const std::string& file) {
  std::vector<size_t> lines;
  const bool csv = IsCsvName(file);
  auto entries = csv ? ReadKbCsv(file, &lines) : ReadKbJsonl(file, &lines);
  if (!entries.ok()) return cli::Fail(entries.status());
  // A file without entries (emptied by mistake, or the export of an empty base) is said so,
  // not reported as 0 entries imported.
  if (entries->empty()) return cli::Fail(InvalidArgument("file", file + ": holds no knowledge entries"));
  // A database this import creates is taken back, with its key, if the import then fails:
  // a refused file leaves nothing behind (declared before the app, so removed after it closes).
  struct CreatedFiles {
    std::vector<std::string> paths;
    bool keep = false;
    ~CreatedFiles() {
      std::error_code e;
      if (!keep) for (const auto& p : paths) std::filesystem::remove(p, e);
    }
  } created;
  auto app = cli::OpenApp(db, true);
  if (!app.ok()) return cli::Fail(app.status());
  if (app->created_db) {
    created.paths = {db, db + "-wal", db + "-shm"};
    if (app->created_key) created.paths.push_back(db + ".key");
  }
  if (Status st = cli::InitDatabase(*app, "", ""); !st.ok()) return cli::Fail(st);
  // Filtering by category reads the taxonomy's codes: an entry filed under another code
  // would never be found by it (the API refuses it the same way).
  auto version = app->store->CurrentTaxonomyVersion();
  if (!version.ok()) return cli::Fail(version.status());
  auto cats = app->store->ListCategories(*version);
  if (!cats.ok()) return cli::Fail(cats.status());
  std::set<std::string> codes;
  for (const auto& c : *cats) codes.insert(c.code);
  const auto org = app->service->Org();
  // Each line is one entry: an id named twice would silently become a second version.
  std::map<std::string, size_t> line_of_id;
  for (size_t i = 0; i < entries->size(); ++i) {
    const KbEntry& e = (*entries)[i];
    const std::string where = file + " line " + std::to_string(lines[i]) + ": ";
    if (!e.category_code.empty() && !codes.count(e.category_code)) {
      return cli::Fail(Status(Code::kInvalidArgument, where + "category_code (or category): '" + e.category_code +
                                                          "' is not in the current taxonomy", "category_code"));
    }
    if (e.owner_unit_id && !org->FindUnit(e.owner_unit_id)) {
      return cli::Fail(Status(Code::kInvalidArgument, where + "owner_unit_id: no unit with id " + IdToString(e.owner_unit_id),
                              "owner_unit_id"));
    }
    if (e.external_id.empty()) continue;
    if (auto [it, fresh] = line_of_id.emplace(e.external_id, lines[i]); !fresh) {
      return cli::Fail(Status(Code::kInvalidArgument, where + "id: '" + e.external_id + "' is already used on line " +
                                                          std::to_string(it->second), "id"));
    }
  }
  // An entry whose edit waits in review (待审修订) is replaced whole, the revision with it:
  // said, and kept in the audit log (the revision stays in the entry's history).
  std::set<std::string> in_review;
  for (Id after = 0;;) {
    auto page = app->store->KbList(std::nullopt, after, 1000, "entry", 0, "", true);
    if (!page.ok()) return cli::Fail(page.status());
    for (const auto& e : *page) in_review.insert(e.external_id.empty() ? IdToString(e.id) : e.external_id);
    if (page->size() < 1000) break;
    after = page->back().id;
  }
  KbService kb(app->store.get(), SystemClock::Default());
  const size_t n = entries->size();
  auto saved = kb.Save(std::move(entries).value(), 0);
  if (!saved.ok()) return cli::Fail(saved.status());
  created.keep = true;
  const size_t unchanged = static_cast<size_t>(
      std::count_if(saved->begin(), saved->end(), [](const KbEntry& e) { return e.unchanged; }));
  // An entry given unchanged keeps its edit in review; one given changed replaces it.
  std::vector<std::string> replaced_ids;
  for (const auto& e : *saved) {
    const std::string id = e.external_id.empty() ? IdToString(e.id) : e.external_id;
    if (!e.unchanged && in_review.count(id)) replaced_ids.push_back(id);
  }
  const size_t replaced = replaced_ids.size();
  std::string detail = std::to_string(n) + " entries from " + Utf8Prefix(file, 200);
  if (unchanged) detail += "; " + std::to_string(unchanged) + " unchanged";
  if (replaced) detail += "; " + std::to_string(replaced) + " revisions in review replaced";
  (void)app->store->AppendAudit({0, SystemClock::Default()->NowMs(), 0, "kb_imported", "kb_import", detail + " (hotline kb import)"});
  std::cout << "imported " << n << " knowledge entries";
  if (unchanged) std::cout << " (" << unchanged << " unchanged: no new version)";
  std::cout << "\n";
  if (replaced) {
    std::cout << "replaced " << replaced << " entries whose edit was waiting in review (the edits stay in their "
                 "version history):";
    for (size_t i = 0; i < std::min<size_t>(replaced, 20); ++i) std::cout << " " << replaced_ids[i];
    if (replaced > 20) std::cout << " …";
    std::cout << "\n";
  }
  return 0;
}

int KbExport(const std::string& db, const std::string& output) {
  auto app = cli::OpenApp(db, false);
  if (!app.ok()) return cli::Fail(app.status());
  std::ofstream file;
  if (!output.empty()) {
    file.open(output);
    if (!file) return cli::Fail(Status(Code::kNotFound, "cannot write " + output));
  }
  std::ostream& out = output.empty() ? std::cout : file;
  // CSV when the output is a .csv file: the columns kb import reads back (keywords by '|').
  static constexpr const char* kColumns[] = {"id", "title", "body", "category_code", "keywords", "status",
                                             "visibility", "effective", "expires", "owner_unit_id"};
  const bool csv = IsCsvName(output);
  if (csv) {
    for (const char* c : kColumns) out << (c == kColumns[0] ? "" : ",") << c;
    out << "\r\n";
  }
  for (Id after = 0;;) {
    auto page = app->store->KbList(std::nullopt, after, 1000);
    if (!page.ok()) return cli::Fail(page.status());
    for (const auto& e : *page) {
      if (!csv) {
        out << KbEntryJson(e) << "\n";
        continue;
      }
      const nlohmann::json j = nlohmann::json::parse(KbEntryJson(e));
      for (const char* c : kColumns) {
        std::string v;
        if (std::string_view(c) == "keywords") {
          for (const auto& k : j["keywords"]) v += (v.empty() ? "" : "|") + k.get<std::string>();
          const bool bar = std::any_of(j["keywords"].begin(), j["keywords"].end(),
                                       [](const nlohmann::json& k) { return k.get<std::string>().find('|') != std::string::npos; });
          // As a JSON array when a|b|c would read back otherwise: a keyword holding '|' would
          // split, and text opening with '[' (a keyword [通知]) is read as an array.
          if (bar || Trim(v).starts_with('[')) v = j["keywords"].dump();
        } else if (j.contains(c)) {
          v = j[c].get<std::string>();
        }
        out << (c == kColumns[0] ? "" : ",") << SpreadsheetField(v);  // opened in a spreadsheet to edit
      }
      out << "\r\n";
    }
    if (page->size() < 1000) break;
    after = page->back().id;
  }
  out.flush();
  if (!out) return cli::Fail(Internal("writing " + (output.empty() ? std::string("the export") : output) + " failed"));
  return 0;
}

nlohmann::json KbResultsJson(const std::vector<KbResult>& results, bool full) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : results) {
    nlohmann::json o = {{"id", r.entry.external_id.empty() ? IdToString(r.entry.id) : r.entry.external_id},
                        {"score", r.score}};
    if (full) {
      o["title"] = r.entry.title;
      o["snippet"] = r.snippet;
      o["category_code"] = r.entry.category_code;
    }
    arr.push_back(o);
  }
  return arr;
}

// A snippet (HTML: escaped text with <em> marks) as a terminal shows it: the marks in bold
// on a terminal, left out in a file or pipe, and the text unescaped.
std::string SnippetForTerminal(const std::string& html, bool tty) {
  std::string out;
  for (size_t i = 0; i < html.size();) {
    bool matched = false;
    for (const auto& [from, to] : {std::pair<std::string_view, std::string_view>{"<em>", tty ? "\x1b[1m" : ""},
                                   {"</em>", tty ? "\x1b[0m" : ""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
      if (html.compare(i, from.size(), from) == 0) {
        out += to;
        i += from.size();
        matched = true;
        break;
      }
    }
    if (!matched) out += html[i++];
  }
  return out;
}

int KbSearch(const std::string& db, const std::string& query, const std::string& queries, const std::string& output,
             int limit, bool as_json) {
  auto app = cli::OpenApp(db, false);
  if (!app.ok()) return cli::Fail(app.status());
  KbService kb(app->store.get(), SystemClock::Default());
  KbQuery q;
  q.limit = static_cast<size_t>(limit);
  if (queries.empty()) {
    auto r = kb.Search(query, q);
    if (!r.ok()) return cli::Fail(r.status());
    if (as_json) {
      std::cout << KbResultsJson(*r, true).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    } else {
      if (r->empty()) std::cout << "no current entry matches\n";
      const bool tty = isatty(STDOUT_FILENO);
      for (size_t i = 0; i < r->size(); ++i) {
        const auto& x = (*r)[i];
        std::printf("%2zu. [%.2f] %s  (%s)\n    %s\n", i + 1, x.score, x.entry.title.c_str(),
                    x.entry.external_id.empty() ? IdToString(x.entry.id).c_str() : x.entry.external_id.c_str(),
                    SnippetForTerminal(x.snippet, tty).c_str());
      }
    }
    return 0;
  }
  // Batch: each query ranked on its own, exactly as the single form would rank it.
  std::ifstream in(queries);
  if (!in) return cli::Fail(Status(Code::kNotFound, "cannot open " + queries));
  std::ofstream file(output);
  if (!file) return cli::Fail(Status(Code::kNotFound, "cannot write " + output));
  std::string line;
  size_t bad = 0, done = 0, refused = 0;
  for (size_t n = 1; std::getline(in, line); ++n) {
    if (Trim(line).empty()) continue;
    if (!IsValidUtf8(line)) {
      std::cerr << queries << " line " << n << ": is not valid UTF-8\n";
      ++refused;
      continue;
    }
    auto j = nlohmann::json::parse(line, nullptr, false);
    // Without an id a result cannot be told from another: the line is refused, not answered as null.
    if (j.is_discarded() || !j.is_object() || !j.contains("text") || !j["text"].is_string() || !j.contains("id") ||
        !(j["id"].is_string() || j["id"].is_number_integer())) {
      std::cerr << queries << " line " << n << ": needs a JSON object with \"id\" and \"text\"\n";
      ++refused;
      continue;
    }
    auto r = kb.Search(j["text"].get<std::string>(), q, /*cache_postings=*/true);
    nlohmann::json o = {{"id", j["id"]}};
    if (r.ok()) {
      o["results"] = KbResultsJson(*r, false);
    } else {
      o["results"] = nlohmann::json::array();
      o["error"] = r.status().message();
      std::cerr << queries << " line " << n << ": " << r.status().message() << "\n";
      ++bad;
    }
    file << o.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    ++done;
  }
  file.flush();
  if (!file) return cli::Fail(Internal("writing " + output + " failed"));
  std::cerr << "searched " << done << " queries, " << bad << " with errors; " << refused
            << " lines refused (not in the output)\n";
  // The good lines are answered; a script still learns that some were not.
  return bad + refused > 0 ? 1 : 0;
}

// With a database: a calendar stored there (by default the one its SLA policy uses), else a
// file; without: the built-in one or a file.
Result<Calendar> FindCalendar(const std::string& db, const std::string& calendar) {
  if (db.empty()) return LoadCalendar(calendar);
  auto app = cli::OpenApp(db, false);
  if (!app.ok()) return app.status();
  const std::string want = calendar.empty() ? app->service->CurrentPolicy()->calendar().name() : calendar;
  for (auto& c : app->service->Calendars()) {
    if (c.name() == want) return std::move(c);
  }
  if (calendar.empty()) return Status(Code::kNotFound, "no calendar named " + want);
  return LoadCalendar(calendar);  // not stored there: a file
}

struct DeadlineArgs {
  std::string start, mode = "elapsed", calendar, db;
  std::optional<int64_t> working_days, days, hours, minutes;
};

int SlaDeadline(const DeadlineArgs& a) {
  auto start = ParseIso(a.start);
  if (!start) return cli::Fail(InvalidArgument("start", "expected ISO 8601, e.g. 2025-09-30T09:00:00+08:00"));
  const int given = a.working_days.has_value() + a.days.has_value() + a.hours.has_value() + a.minutes.has_value();
  if (given != 1) return cli::Fail(InvalidArgument("limit", "give exactly one of --working-days, --days, --hours, --minutes"));
  TimeMs at = 0;
  std::string warning;
  if (a.working_days) {
    auto mode = ParseCountMode(a.mode);
    if (!mode) return cli::Fail(InvalidArgument("mode", "must be elapsed or end_of_day"));
    auto cal = FindCalendar(a.db, a.calendar);
    if (!cal.ok()) return cli::Fail(cal.status());
    auto d = AddWorkingDays(*cal, *start, static_cast<int>(std::clamp<int64_t>(*a.working_days, -1, 100000)), *mode);
    if (!d.ok()) return cli::Fail(d.status());
    if (!d->missing_years.empty()) {
      const int first = *d->missing_years.begin(), last = *d->missing_years.rbegin();
      warning = "warning: calendar " + cal->name() + " has no data for " +
                (first == last ? std::to_string(first) : std::to_string(d->missing_years.size()) + " years, " +
                                                             std::to_string(first) + " to " + std::to_string(last)) +
                "; counted weekends only\n";
    }
    at = d->at;
  } else {
    if (a.mode != "elapsed") {
      return cli::Fail(InvalidArgument("mode", "end_of_day applies to --working-days only; natural-time limits elapse"));
    }
    const int64_t unit = a.days ? kDayMs : a.hours ? kHourMs : kMinuteMs;
    const int64_t n = a.days ? *a.days : a.hours ? *a.hours : *a.minutes;
    const char* field = a.days ? "days" : a.hours ? "hours" : "minutes";
    if (n < 0 || n > 3650 * kDayMs / unit) {
      return cli::Fail(InvalidArgument(field, "must be between 0 and " + std::to_string(3650 * kDayMs / unit) +
                                                  " (3650 days)"));
    }
    at = *start + n * unit;
  }
  // A time ISO 8601 can write: four-digit years.
  if (at > *ParseIso("9999-12-31T23:59:59+08:00")) {
    return cli::Fail(InvalidArgument("start", "the deadline would fall after 9999-12-31"));
  }
  std::cerr << warning;
  std::cout << FormatIsoCity(at) << std::endl;
  return 0;
}

// Adds the file's years to the stored calendar of the same name (or the built-in one): a
// year in the file replaces that year, the others stay. --replace keeps only the file's.
int CalendarImport(const std::string& db, const std::string& file, bool replace) {
  auto text = ReadFile(file, 4u << 20);
  if (!text.ok()) return cli::Fail(text.status());
  auto incoming = Calendar::FromJson(*text);
  if (!incoming.ok()) return cli::Fail(cli::InFile(file, incoming.status()));
  auto app = cli::OpenApp(db, false);
  if (!app.ok()) return cli::Fail(app.status());
  nlohmann::json doc = nlohmann::json::parse(incoming->ToJson());
  const nlohmann::json file_years = doc["years"];
  std::vector<std::string> added, replaced, kept;
  const Calendar* current = nullptr;
  const auto calendars = app->service->Calendars();
  for (const auto& c : calendars) if (c.name() == incoming->name()) current = &c;
  if (current) {
    nlohmann::json merged = nlohmann::json::parse(current->ToJson());
    for (auto& [year, data] : merged["years"].items()) {
      if (file_years.contains(year)) replaced.push_back(year);
      else if (!replace) kept.push_back(year);
    }
    if (!replace) {
      for (const auto& [year, data] : file_years.items()) merged["years"][year] = data;
      doc = std::move(merged);
    }
  }
  for (const auto& [year, data] : file_years.items()) {
    if (std::find(replaced.begin(), replaced.end(), year) == replaced.end()) added.push_back(year);
  }
  const Actor system{0, Role::kSystem, 0, "cli"};
  auto moved = app->service->PutCalendar(system, doc.dump());
  if (!moved.ok()) return cli::Fail(moved.status());
  auto list = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& y : v) out += (out.empty() ? "" : ", ") + y;
    return out.empty() ? std::string("none") : out;
  };
  std::cout << "calendar " << incoming->name() << ": added " << list(added) << "; replaced " << list(replaced)
            << "; kept " << list(kept) << (replace && current ? " (--replace: other years dropped)" : "")
            << "; deadlines recomputed on " << *moved << " open tickets\n";
  return 0;
}

int CalendarShow(const std::string& db, const std::string& calendar, int year) {
  auto cal = FindCalendar(db, calendar);
  if (!cal.ok()) return cli::Fail(cal.status());
  const Calendar::Year* y = cal->FindYear(year);
  std::cout << "calendar " << cal->name() << ", " << year;
  if (!y) {
    std::cout << ": no data (weekends only; add the year's arrangement to the calendar file)\n";
    return 0;
  }
  std::cout << " (" << y->source << ")\n";
  auto runs = [](const std::set<Day>& days) {
    std::string out;
    for (auto it = days.begin(); it != days.end();) {
      Day first = *it, last = *it;
      for (++it; it != days.end() && *it == last + 1; ++it) last = *it;
      out += "  " + FormatDay(first) + (first == last ? "" : " .. " + FormatDay(last)) + "\n";
    }
    return out;
  };
  std::cout << "holidays (放假):\n" << runs(y->holidays) << "adjusted working days (调休上班):\n" << runs(y->workdays);
  int working = 0;
  const Day first = *ParseDay(std::to_string(year) + "-01-01"), last = *ParseDay(std::to_string(year) + "-12-31");
  for (Day d = first; d <= last; ++d) working += cal->IsWorkingDay(d);
  std::cout << "working days in the year: " << working << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Logs go to standard error: standard output carries results (deadlines, JSON).
  spdlog::set_default_logger(spdlog::stderr_color_mt("hotline"));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  CLI::App app{"Hotline 12345: the city's government service hotline platform"};
  app.require_subcommand(1);

  std::string db = "hotline.db", admin_user, admin_password, listen = "127.0.0.1:8080", web_root;
  int threads = 64;
  auto* init = app.add_subcommand("init", "create or migrate a database (idempotent)");
  init->add_option("--db", db, "SQLite database file")->required();
  init->add_option("--admin-user", admin_user, "bootstrap administrator")->required();
  init->add_option("--admin-password", admin_password, "its password (at least 8 characters)")->required();

  auto* serve = app.add_subcommand("serve", "serve the HTTP API");
  serve->add_option("--db", db, "SQLite database file")->required();
  serve->add_option("--listen", listen, "HOST:PORT to listen on")->capture_default_str();
  serve->add_option("--threads", threads, "HTTP worker threads")->check(CLI::Range(2, 512))->capture_default_str();
  serve->add_option("--web-root", web_root, "directory of the built web UI to serve at /");
  std::vector<std::string> trusted_proxies;
  serve->add_option("--trusted-proxy", trusted_proxies,
                    "address of a reverse proxy whose X-Forwarded-For names the client (repeatable)");
  int sla_interval_ms = 5000;
  std::string models;
  double auto_dispatch = 0;
  serve->add_option("--auto-dispatch", auto_dispatch,
                    "dispatch new tickets to the proposed unit when the category confidence reaches this (0: never)")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  serve->add_option("--models", models, "directory of category/request_type/urgency .model files (default: <db>.models if present)");
  serve->add_option("--sla-interval-ms", sla_interval_ms, "how often the SLA timer looks for due alarms")
      ->check(CLI::Range(50, 3600000))->capture_default_str();

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
  demo->add_option("--interval-ms", interval_ms, "pause between traffic steps")
      ->check(CLI::Range(10, 600000))->capture_default_str();
  double demo_auto_dispatch = 0;
  demo->add_option("--auto-dispatch", demo_auto_dispatch, "as for serve")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();

  DeadlineArgs dl;
  auto* sla = app.add_subcommand("sla", "time-limit arithmetic");
  auto* deadline = sla->add_subcommand("deadline", "print the deadline of a limit from a start instant");
  deadline->add_option("--start", dl.start, "ISO 8601 instant, e.g. 2025-09-30T09:00:00+08:00")->required();
  deadline->add_option("--working-days", dl.working_days, "N working days (calendar-aware)");
  deadline->add_option("--days", dl.days, "N natural days");
  deadline->add_option("--hours", dl.hours, "N hours");
  deadline->add_option("--minutes", dl.minutes, "N minutes");
  deadline->add_option("--mode", dl.mode, "elapsed | end_of_day (working days only)")->capture_default_str();
  deadline->add_option("--calendar", dl.calendar, "calendar name or JSON file (default cn-mainland, or with --db the policy's)");
  deadline->add_option("--db", dl.db, "read the calendar from this database");
  sla->require_subcommand(1);
  std::string cal_name;
  int cal_year = 2026;
  auto* calendar = app.add_subcommand("calendar", "working calendars");
  auto* cal_show = calendar->add_subcommand("show", "holidays and adjusted working days of a year");
  cal_show->add_option("--year", cal_year, "year (1970-9999, as calendars hold them)")->required()->check(CLI::Range(1970, 9999));
  cal_show->add_option("--calendar", cal_name, "calendar name or JSON file (default cn-mainland)");
  std::string cal_db, cal_file;
  cal_show->add_option("--db", cal_db, "read the calendars stored in this database");
  bool cal_replace = false;
  auto* cal_import = calendar->add_subcommand(
      "import", "add a calendar's years from its JSON file (a year in the file replaces that year); open deadlines are recomputed");
  cal_import->add_option("--db", cal_db, "SQLite database file")->required();
  cal_import->add_option("file", cal_file, "calendar JSON")->required()->check(CLI::ExistingFile);
  cal_import->add_flag("--replace", cal_replace, "keep only the file's years (drop the calendar's other years)");
  calendar->require_subcommand(1);

  std::string kb_db, kb_file, kb_query, kb_queries, kb_output;
  int kb_limit = 10;
  bool kb_json = false;
  auto* kb = app.add_subcommand("kb", "the knowledge base");
  auto* kb_import = kb->add_subcommand("import", "import entries from JSONL or CSV (by the file's extension; one transaction)");
  kb_import->add_option("--db", kb_db, "SQLite database file (created if missing)")->required();
  kb_import->add_option("file", kb_file, "entries: .jsonl (one JSON object a line) or .csv (a header row of field names)")->required()->check(CLI::ExistingFile);
  auto* kb_export = kb->add_subcommand("export", "export every entry as JSONL, or CSV when --output ends in .csv");
  kb_export->add_option("--db", kb_db, "SQLite database file")->required();
  kb_export->add_option("--output", kb_output, "file (default: standard output)");
  auto* kb_search = kb->add_subcommand("search", "search current entries");
  kb_search->add_option("--db", kb_db, "SQLite database file")->required();
  kb_search->add_option("query", kb_query, "the query");
  kb_search->add_option("--queries", kb_queries, "batch: JSONL of {id, text}")->check(CLI::ExistingFile);
  kb_search->add_option("--output", kb_output, "batch: JSONL of {id, results:[{id, score}]}");
  kb_search->add_option("--limit", kb_limit, "results per query")->check(CLI::Range(1, 50))->capture_default_str();
  kb_search->add_flag("--json", kb_json, "print JSON");
  kb->require_subcommand(1);

  std::function<int()> action;
  const cli::SetAction set_action = [&](std::function<int()> f) { action = std::move(f); };
  cli::AddModelCommands(app, set_action);
  cli::AddInsightCommands(app, set_action);
  cli::AddDispatchCommands(app, set_action);
  cli::AddReportCommands(app, set_action);
  cli::AddStaffingCommands(app, set_action);

  // A usage error exits 2, as every other refused input does (CLI11's own codes run 100+).
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (action) return action();
  if (*kb_import) return KbImport(kb_db, kb_file);
  if (*kb_export) return KbExport(kb_db, kb_output);
  if (*kb_search) {
    if (kb_queries.empty() == kb_query.empty()) {
      return cli::Fail(InvalidArgument("query", "give a query, or --queries FILE with --output FILE"));
    }
    if (!kb_queries.empty() && kb_output.empty()) return cli::Fail(InvalidArgument("output", "--queries needs --output"));
    if (kb_queries.empty() && !kb_output.empty()) {
      return cli::Fail(InvalidArgument("output", "--output is for --queries; a single query prints its results (--json for JSON)"));
    }
    return KbSearch(kb_db, kb_query, kb_queries, kb_output, kb_limit, kb_json);
  }
  if (*deadline) return SlaDeadline(dl);
  if (*cal_show) return CalendarShow(cal_db, cal_name, cal_year);
  if (*cal_import) return CalendarImport(cal_db, cal_file, cal_replace);

  if (*init) return Init(db, admin_user, admin_password);
  if (*serve) return Serve(db, listen, threads, web_root, sla_interval_ms, models, auto_dispatch, trusted_proxies);
  if (*import) return Import(db, kind, input);
  if (*demo) return cli::RunDemo(demo_db, demo_listen, fresh, !no_traffic, interval_ms, demo_auto_dispatch);
  return 0;
}
