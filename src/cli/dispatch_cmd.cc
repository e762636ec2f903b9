// `hotline dispatch eval`: how well the dispatch recommender routes requests whose answer is
// not of our own making — public 311 records (request type and place → the agency or queue
// that handled them), learnt from earlier records and tested on later ones.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "core/text.h"
#include "intel/dispatch.h"
#include "intel/insight.h"

namespace hotline::cli {

namespace {

// A record's time as written in its file (a 311 export's local clock), without an offset:
// the records are read on the city's clock, and "+08:00" would misstate a US city's.
std::string WallTime(TimeMs t) {
  std::string s = FormatIsoCity(t).substr(0, 19);
  s[10] = ' ';
  return s;
}

struct DispatchArgs {
  std::string input, unit_column, time_column;
  std::vector<std::string> key_columns;
  double train_share = 0.7;
  bool json = false;
};

struct Row {
  TimeMs at;
  std::vector<std::string> keys;  // levels, most specific first
  std::string unit;
};

struct Score {
  size_t n = 0, top1 = 0, top3 = 0;
  void Add(const std::vector<std::string>& ranked, const std::string& truth) {
    ++n;
    for (size_t i = 0; i < ranked.size() && i < 3; ++i) {
      if (ranked[i] == truth) {
        top3++;
        top1 += i == 0;
        break;
      }
    }
  }
  nlohmann::json Json() const {
    return {{"n", n}, {"top1", n ? static_cast<double>(top1) / n : 0.0}, {"top3", n ? static_cast<double>(top3) / n : 0.0}};
  }
};

std::vector<std::string> ByCount(const std::map<std::string, double>& counts) {
  std::vector<std::pair<double, std::string>> v;
  for (const auto& [u, c] : counts) v.push_back({-c, u});
  std::sort(v.begin(), v.end());
  std::vector<std::string> out;
  for (const auto& [c, u] : v) out.push_back(u);
  return out;
}

int Eval(const DispatchArgs& a) {
  auto table = ReadCsvTable(a.input);
  if (!table.ok()) return Fail(table.status());
  const auto& records = table->rows;
  auto unit_col = table->Column(a.unit_column, "unit-column");
  if (!unit_col.ok()) return Fail(unit_col.status());
  auto time_col = table->Column(a.time_column, "time-column");
  if (!time_col.ok()) return Fail(time_col.status());
  std::vector<size_t> key_cols;
  for (const auto& k : a.key_columns) {
    auto c = table->Column(k, "key-column");
    if (!c.ok()) return Fail(c.status());
    key_cols.push_back(*c);
  }
  std::vector<Row> rows;
  size_t skipped = 0;
  for (size_t i = 1; i < records.size(); ++i) {
    const auto& r = records[i];
    if (r.size() != records[0].size()) { ++skipped; continue; }
    const std::string unit = Trim(r[*unit_col]);
    const auto at = ParseRecordTime(Trim(r[*time_col]));
    if (unit.empty() || !at) { ++skipped; continue; }
    Row row{*at, {}, unit};
    // Levels: all key columns joined, then dropping the last one at a time.
    for (size_t n = key_cols.size(); n >= 1; --n) {
      std::string k;
      for (size_t j = 0; j < n; ++j) k += Trim(r[key_cols[j]]) + "\x1f";
      row.keys.push_back(k);
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) {
    return Fail(InvalidArgument("time-column", "no record has a readable time in '" + a.time_column +
                                                   "' together with a unit in '" + a.unit_column + "'"));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Row& x, const Row& y) { return x.at < y.at; });
  const size_t cut = static_cast<size_t>(rows.size() * a.train_share);
  if (cut == 0 || cut >= rows.size()) return Fail(InvalidArgument("train-share", "leaves no training or no test rows"));
  // History: per level and key, units with their counts (a record is a request its unit kept).
  std::vector<std::map<std::string, std::map<std::string, double>>> hist(key_cols.size());
  std::map<std::string, double> global;
  for (size_t i = 0; i < cut; ++i) {
    for (size_t l = 0; l < rows[i].keys.size(); ++l) hist[l][rows[i].keys[l]][rows[i].unit] += 1;
    global[rows[i].unit] += 1;
  }
  Score recommender, by_first_key, majority;
  const auto global_rank = ByCount(global);
  for (size_t i = cut; i < rows.size(); ++i) {
    const Row& r = rows[i];
    std::vector<std::vector<intel::UnitCount>> levels;
    for (size_t l = 0; l < r.keys.size(); ++l) {
      std::vector<intel::UnitCount> level;
      auto it = hist[l].find(r.keys[l]);
      if (it != hist[l].end()) {
        for (const auto& [u, c] : it->second) level.push_back({u, c, 0});
      }
      levels.push_back(std::move(level));
    }
    levels.push_back({});
    for (const auto& [u, c] : global) levels.back().push_back({u, c, 0});
    std::vector<std::string> ranked;
    for (const auto& u : intel::RankUnits(levels)) ranked.push_back(u.unit);
    recommender.Add(ranked, r.unit);
    auto first = hist.back().find(r.keys.back());
    by_first_key.Add(first == hist.back().end() ? global_rank : ByCount(first->second), r.unit);
    majority.Add(global_rank, r.unit);
  }
  nlohmann::json out = {{"input", a.input}, {"rows", rows.size()}, {"skipped", skipped}, {"train", cut},
                        {"test", rows.size() - cut}, {"train_until", WallTime(rows[cut - 1].at)},
                        {"keys", a.key_columns}, {"unit", a.unit_column},
                        {"recommender", recommender.Json()}, {"most_frequent_for_" + a.key_columns[0], by_first_key.Json()},
                        {"most_frequent_overall", majority.Json()}};
  if (a.json) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::cout << a.input << ": " << rows.size() << " records (" << skipped << " skipped), trained on the first " << cut
            << " by time, tested on the " << rows.size() - cut << " after " << out["train_until"].get<std::string>() << "\n"
            << std::fixed << std::setprecision(3);
  for (const char* k : {"recommender"}) {
    std::cout << "  recommender (history by " << a.key_columns.size() << " key levels): top-1 " << out[k]["top1"].get<double>()
              << ", top-3 " << out[k]["top3"].get<double>() << "\n";
  }
  const std::string fk = "most_frequent_for_" + a.key_columns[0];
  std::cout << "  baseline, most frequent unit for " << a.key_columns[0] << ": top-1 " << out[fk]["top1"].get<double>()
            << ", top-3 " << out[fk]["top3"].get<double>() << "\n"
            << "  baseline, most frequent unit overall: top-1 " << out["most_frequent_overall"]["top1"].get<double>()
            << ", top-3 " << out["most_frequent_overall"]["top3"].get<double>() << "\n";
  return 0;
}

}  // namespace

void AddDispatchCommands(CLI::App& app, SetAction set_action) {
  auto a = std::make_shared<DispatchArgs>();
  auto* dispatch = app.add_subcommand("dispatch", "the dispatch recommender");
  dispatch->require_subcommand(1);
  auto* eval = dispatch->add_subcommand("eval", "route historical records: learn from the earlier, test on the later");
  eval->add_option("--input", a->input, "CSV of records")->required()->check(CLI::ExistingFile);
  eval->add_option("--unit-column", a->unit_column, "the unit that handled it (e.g. Agency, queue)")->required();
  eval->add_option("--key-column", a->key_columns, "what the request is, most general first (e.g. SRType, Neighborhood); repeatable")
      ->required();
  eval->add_option("--time-column", a->time_column, "when it was received")->required();
  eval->add_option("--train-share", a->train_share, "the earliest share of records to learn from")
      ->capture_default_str()->check(CLI::Range(0.05, 0.95));
  eval->add_flag("--json", a->json, "print JSON");
  eval->callback([a, set_action] { set_action([a] { return Eval(*a); }); });
}

}  // namespace hotline::cli
