// `hotline insight duplicates | hotspots`: early warning over a file of messages (the
// message-board CSV export or JSONL {id, text, time, user?, votes?, category?, address?}).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "core/text.h"
#include "intel/clues.h"
#include "intel/insight.h"
#include "intel/spikes.h"
#include "intel/subtopics.h"

namespace hotline::cli {

namespace {

struct InsightArgs {
  std::string input, output, from, to, time_column, petitions, label_column = "label", label, date;
  std::vector<std::string> key_columns;
  int inject = 0;
  double burst = 3.0;
  uint64_t seed = 7;
  double threshold = 0.5;
  int window_days = 0;
  size_t top = 10;
  intel::HotspotOptions hot;
};

std::string IdString(const nlohmann::json& id) { return id.is_string() ? id.get<std::string>() : id.dump(); }

Result<std::vector<intel::Message>> ReadMessages(const std::string& path, std::vector<LabelledRow>* rows,
                                                const std::string& label_column = "label") {
  size_t bad = 0;
  InputOptions in;
  in.label_column = label_column;
  ASSIGN_OR_RETURN(*rows, ReadTextRows(path, in, &bad));
  ReportSkipped(bad);
  std::vector<intel::Message> msgs;
  size_t no_time = 0, repeats = 0;
  std::map<std::string, size_t> line_of_id;
  for (const auto& r : *rows) {
    // Results name messages by id: two rows of one id could not be told apart in them.
    if (auto [it, fresh] = line_of_id.emplace(IdString(r.id), r.line); !fresh && ++repeats <= 5) {
      std::cerr << path << " line " << r.line << ": id " << it->first << " was already used on line " << it->second
                << "; results will not tell the two apart\n";
    }
    intel::Message m{IdString(r.id), r.title, r.text, ParseRecordTime(r.time), r.user, r.votes, r.category,
                     r.address};
    if (!r.time.empty() && !m.time) ++no_time;
    msgs.push_back(std::move(m));
  }
  if (repeats > 5) std::cerr << repeats << " rows repeat an earlier id\n";
  if (no_time > 0) std::cerr << no_time << " messages have a time that could not be read; they count as undated\n";
  return msgs;
}

int Duplicates(const InsightArgs& a) {
  std::vector<LabelledRow> rows;
  auto msgs = ReadMessages(a.input, &rows);
  if (!msgs.ok()) return Fail(msgs.status());
  intel::DuplicateOptions opts;
  opts.threshold = a.threshold;
  opts.threshold_with_containment = std::min(opts.threshold_with_containment, a.threshold);
  opts.window_ms = a.window_days * kDayMs;
  const auto groups = intel::FindDuplicates(*msgs, opts);
  std::ofstream out(a.output, std::ios::trunc);
  if (!out) return Fail(InvalidArgument("output", "cannot write " + a.output));
  size_t in_groups = 0;
  for (const auto& g : groups) {
    nlohmann::json ids = nlohmann::json::array();
    for (size_t m : g.members) ids.push_back(rows[m].id);
    in_groups += g.members.size();
    out << nlohmann::json{{"ids", ids}, {"score", g.score}}.dump() << "\n";
  }
  out.flush();
  if (!out) return Fail(Internal("writing " + a.output + " failed"));
  std::cout << groups.size() << " duplicate groups holding " << in_groups << " of " << msgs->size() << " messages\n";
  return 0;
}

int Hotspots(const InsightArgs& a) {
  std::vector<LabelledRow> rows;
  auto all = ReadMessages(a.input, &rows);
  if (!all.ok()) return Fail(all.status());
  std::optional<TimeMs> from, to;
  if (!a.from.empty() && !(from = intel::ParseLooseTime(a.from))) return Fail(InvalidArgument("from", "is not a date: " + a.from));
  if (!a.to.empty() && !(to = intel::ParseLooseTime(a.to))) return Fail(InvalidArgument("to", "is not a date: " + a.to));
  if (to) *to += kDayMs - 1;  // the whole last day
  if (from && to && *to < *from) return Fail(InvalidArgument("to", "is before --from"));
  std::vector<intel::Message> msgs;
  std::vector<size_t> row_of;
  for (size_t i = 0; i < all->size(); ++i) {
    const auto& m = (*all)[i];
    if ((from || to) && (!m.time || (from && *m.time < *from) || (to && *m.time > *to))) continue;
    msgs.push_back(m);
    row_of.push_back(i);
  }
  intel::HotspotOptions opts = a.hot;
  opts.top = a.top;
  opts.threads = 0;  // a batch run has the machine to itself
  const auto spots = intel::FindHotspots(msgs, opts);
  nlohmann::json list = nlohmann::json::array();
  auto day = [](const std::optional<TimeMs>& t) { return t ? FormatIsoCity(*t).substr(0, 10) : std::string(); };
  for (const auto& h : spots) {
    nlohmann::json ids = nlohmann::json::array(), detail = nlohmann::json::array();
    for (size_t m : h.members) {
      const auto& r = rows[row_of[m]];
      ids.push_back(r.id);
      detail.push_back({{"id", r.id}, {"user", r.user}, {"title", r.title}, {"time", r.time}, {"votes", r.votes}});
    }
    list.push_back({{"rank", h.rank}, {"heat", std::round(h.heat * 100) / 100}, {"ids", ids},
                    {"time_from", day(h.time_from)}, {"time_to", day(h.time_to)}, {"place", h.place},
                    {"description", h.description}, {"messages", h.members.size()}, {"callers", h.callers},
                    {"votes", h.votes}, {"coherence", std::round(h.coherence * 1000) / 1000},
                    {"growth", std::round(h.growth * 100) / 100}, {"urgency", std::round(h.urgency * 100) / 100},
                    {"details", detail}});
  }
  nlohmann::json doc = {{"from", a.from}, {"to", a.to}, {"messages", msgs.size()},
                        {"heat_index", "callers × (1 + ln(1 + votes)/4) × (1 + ln(1 + span months)/3) × (1 + ln(max(1, growth))/3) × "
                                       "(1 + urgency/2) × coherence²"},
                        {"hotspots", list}};
  std::ofstream out(a.output, std::ios::trunc);
  if (!out) return Fail(InvalidArgument("output", "cannot write " + a.output));
  out << doc.dump(2) << "\n";
  out.flush();
  if (!out) return Fail(Internal("writing " + a.output + " failed"));
  // 热点问题表 on standard output.
  std::cout << "rank\theat\ttime range\tplace\tdescription\tmessages\n";
  for (const auto& h : list) {
    std::cout << h["rank"] << "\t" << h["heat"] << "\t" << h["time_from"].get<std::string>() << " ~ "
              << h["time_to"].get<std::string>() << "\t" << h["place"].get<std::string>() << "\t"
              << h["description"].get<std::string>() << "\t" << h["messages"] << "\n";
  }
  return 0;
}

// Sub-topics of one category (or of the whole file), with counts before and after a date.
int SubTopics(const InsightArgs& a) {
  std::vector<LabelledRow> rows;
  auto all = ReadMessages(a.input, &rows, a.label_column);
  if (!all.ok()) return Fail(all.status());
  std::optional<TimeMs> from, to, pivot;
  if (!a.from.empty() && !(from = intel::ParseLooseTime(a.from))) return Fail(InvalidArgument("from", "is not a date: " + a.from));
  if (!a.to.empty() && !(to = intel::ParseLooseTime(a.to))) return Fail(InvalidArgument("to", "is not a date: " + a.to));
  if (!a.date.empty() && !(pivot = intel::ParseLooseTime(a.date))) return Fail(InvalidArgument("date", "is not a date: " + a.date));
  if (to) *to += kDayMs - 1;
  if (from && to && *to < *from) return Fail(InvalidArgument("to", "is before --from"));
  std::vector<intel::Message> msgs;
  std::vector<size_t> row_of;
  size_t labelled = 0;  // with the label, in any period
  for (size_t i = 0; i < all->size(); ++i) {
    const auto& m = (*all)[i];
    if (!a.label.empty() && rows[i].label != a.label) continue;
    ++labelled;
    if ((from || to) && (!m.time || (from && *m.time < *from) || (to && *m.time > *to))) continue;
    msgs.push_back(m);
    row_of.push_back(i);
  }
  // Say which filter left nothing: the label (a misspelt --label-column gives every row an
  // empty one) or the period.
  if (labelled == 0 && !a.label.empty()) {
    const bool any_label = std::any_of(rows.begin(), rows.end(), [](const LabelledRow& r) { return !r.label.empty(); });
    if (!any_label) {
      return Fail(InvalidArgument("label-column", a.input + " has no labels in a column '" + a.label_column + "'"));
    }
    return Fail(InvalidArgument("label", "no message has the label '" + a.label + "'"));
  }
  if (msgs.empty() && (from || to)) {
    return Fail(InvalidArgument(!a.from.empty() ? "from" : "to", "no message of the label falls in the period"));
  }
  if (msgs.empty()) return Fail(InvalidArgument("input", a.input + " has no message to read"));
  intel::SubTopicOptions opts;
  opts.top = a.top;
  // The other categories' messages (of the period) are the background that tells the
  // category's own words.
  std::vector<intel::Message> background;
  if (!a.label.empty()) {
    for (size_t i = 0; i < all->size(); ++i) {
      const auto& m = (*all)[i];
      if (rows[i].label == a.label) continue;
      if ((from || to) && (!m.time || (from && *m.time < *from) || (to && *m.time > *to))) continue;
      background.push_back(m);
    }
  }
  const auto r = intel::FindSubTopics(msgs, pivot, opts, background.empty() ? nullptr : &background);
  auto day = [](const std::optional<TimeMs>& t) { return t ? nlohmann::json(FormatIsoCity(*t).substr(0, 10)) : nlohmann::json(nullptr); };
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : r.topics) {
    nlohmann::json ids = nlohmann::json::array(), examples = nlohmann::json::array();
    for (size_t m : t.members) ids.push_back(rows[row_of[m]].id);
    for (size_t k = 0; k < t.members.size() && k < 3; ++k) examples.push_back(Utf8Prefix(msgs[t.members[k]].text, 300));
    list.push_back({{"terms", t.terms}, {"messages", t.members.size()}, {"share", std::round(t.share * 1000) / 1000},
                    {"before", t.before}, {"after", t.after},
                    {"change", t.change ? nlohmann::json(std::round(*t.change * 1000) / 1000) : nlohmann::json(nullptr)},
                    {"ids", ids}, {"examples", examples}});
  }
  nlohmann::json doc = {{"label", a.label}, {"messages", r.messages}, {"other", r.other},
                        {"window", {{"from", day(r.window_from)}, {"pivot", day(r.pivot)}, {"to", day(r.window_to)}}},
                        {"subtopics", list}};
  std::ofstream out(a.output, std::ios::trunc);
  if (!out) return Fail(InvalidArgument("output", "cannot write " + a.output));
  out << doc.dump(2) << "\n";
  out.flush();
  if (!out) return Fail(Internal("writing " + a.output + " failed"));
  std::cout << r.messages << " messages" << (a.label.empty() ? "" : " labelled " + a.label) << "; "
            << r.messages - r.other << " in " << r.topics.size() << " sub-topics\n";
  std::cout << "share\tmessages\tbefore\tafter\tchange\tsub-topic\n";
  for (const auto& t : list) {
    std::string terms;
    for (const auto& w : t["terms"]) terms += (terms.empty() ? "" : " · ") + w.get<std::string>();
    std::cout << t["share"] << "\t" << t["messages"] << "\t" << t["before"] << "\t" << t["after"] << "\t"
              << (t["change"].is_null() ? std::string("-") : t["change"].dump()) << "\t" << terms << "\n";
  }
  return 0;
}

int Petitions(const InsightArgs& a) {
  std::vector<LabelledRow> ticket_rows, petition_rows;
  auto tickets = ReadMessages(a.input, &ticket_rows);
  if (!tickets.ok()) return Fail(tickets.status());
  auto petitions = ReadMessages(a.petitions, &petition_rows);
  if (!petitions.ok()) return Fail(petitions.status());
  const auto matches = intel::CrossCheckPetitions(*tickets, *petitions, a.threshold);
  std::ofstream out(a.output, std::ios::trunc);
  if (!out) return Fail(InvalidArgument("output", "cannot write " + a.output));
  std::set<size_t> matched, matched_petitions;
  for (const auto& m : matches) {
    matched.insert(m.ticket);
    matched_petitions.insert(m.petition);
    out << nlohmann::json{{"ticket_id", ticket_rows[m.ticket].id}, {"petition_id", petition_rows[m.petition].id},
                          {"score", std::round(m.score * 1000) / 1000}, {"shared_places", m.shared_places}}.dump()
        << "\n";
  }
  out.flush();
  if (!out) return Fail(Internal("writing " + a.output + " failed"));
  std::cout << matched.size() << " of " << tickets->size() << " tickets match " << matched_petitions.size() << " of "
            << petitions->size() << " petition records in " << matches.size() << " pairs (cosine >= " << a.threshold
            << ")\n";
  return 0;
}

int Clues(const InsightArgs& a) {
  std::vector<LabelledRow> rows;
  auto msgs = ReadMessages(a.input, &rows);
  if (!msgs.ok()) return Fail(msgs.status());
  std::ofstream out(a.output, std::ios::trunc);
  if (!out) return Fail(InvalidArgument("output", "cannot write " + a.output));
  std::map<std::string, size_t> per_domain;
  size_t flagged = 0;
  for (size_t i = 0; i < msgs->size(); ++i) {
    const auto hits = intel::FindLitigationClues((*msgs)[i].text);
    if (hits.empty()) continue;
    ++flagged;
    nlohmann::json clues = nlohmann::json::array();
    for (const auto& h : hits) {
      clues.push_back({{"domain", h.domain}, {"label", h.label_zh}, {"evidence", h.evidence}});
      ++per_domain[h.label_zh];
    }
    out << nlohmann::json{{"id", rows[i].id}, {"title", rows[i].title}, {"time", rows[i].time}, {"clues", clues}}.dump()
        << "\n";
  }
  out.flush();
  if (!out) return Fail(Internal("writing " + a.output + " failed"));
  std::cout << flagged << " of " << msgs->size() << " messages carry a public-interest litigation clue\n";
  for (const auto& [d, n] : per_domain) std::cout << "  " << d << ": " << n << "\n";
  return 0;
}

// Daily counts per key from a CSV of records.
Result<std::map<std::string, std::map<int64_t, int64_t>>> DailyCounts(const InsightArgs& a, size_t* rows_read) {
  ASSIGN_OR_RETURN(CsvTable table, ReadCsvTable(a.input));
  const auto& records = table.rows;
  ASSIGN_OR_RETURN(const size_t time_col, table.Column(a.time_column, "time-column"));
  std::vector<size_t> key_cols;
  for (const auto& k : a.key_columns) {
    ASSIGN_OR_RETURN(const size_t c, table.Column(k, "key-column"));
    key_cols.push_back(c);
  }
  std::map<std::string, std::map<int64_t, int64_t>> counts;
  size_t bad = 0;
  for (size_t i = 1; i < records.size(); ++i) {
    const auto& r = records[i];
    // A record that cannot be counted is reported with its line, never dropped in silence.
    if (r.size() != records[0].size()) {
      ReportBadLine(a.input, table.lines[i], FieldCountError(r.size(), records[0].size()), &bad);
      continue;
    }
    const auto at = ParseRecordTime(Trim(r[time_col]));
    if (!at) {
      ReportBadLine(a.input, table.lines[i], InvalidArgument(a.time_column, "'" + Trim(r[time_col]) + "' is not a time"), &bad);
      continue;
    }
    std::string key;
    for (size_t c : key_cols) key += (key.empty() ? "" : " / ") + Trim(r[c]);
    ++counts[key][CityDays(*at)];
    ++*rows_read;
  }
  ReportSkipped(bad);
  return counts;
}

std::string DayString(int64_t day) { return FormatIsoCity(day * kDayMs - kCityOffsetMs).substr(0, 10); }

int Spikes(const InsightArgs& a) {
  size_t rows = 0;
  auto counts = DailyCounts(a, &rows);
  if (!counts.ok()) return Fail(counts.status());
  int64_t first = INT64_MAX, last = INT64_MIN;
  for (const auto& [k, days] : *counts) {
    first = std::min(first, days.begin()->first);
    last = std::max(last, days.rbegin()->first);
  }
  if (first > last) return Fail(InvalidArgument("input", "no record has a readable time"));
  int64_t from = first, to = last;
  if (!a.from.empty()) {
    auto t = intel::ParseLooseTime(a.from);
    if (!t) return Fail(InvalidArgument("from", "is not a date: " + a.from));
    from = CityDays(*t);
  }
  if (!a.to.empty()) {
    auto t = intel::ParseLooseTime(a.to);
    if (!t) return Fail(InvalidArgument("to", "is not a date: " + a.to));
    to = CityDays(*t);
  }
  if (to < from) return Fail(InvalidArgument("to", "is before --from"));
  intel::SpikeOptions opts;
  nlohmann::json doc = {{"input", a.input}, {"records", rows}, {"keys", counts->size()},
                        {"from", DayString(from)}, {"to", DayString(to)}};
  if (a.inject > 0) {
    // Validation: bursts of `burst` × the expected count (at least min_count) added to
    // random (key, day) cells with enough history, then detection over every day.
    std::mt19937_64 rng(a.seed);
    std::vector<std::pair<std::string, int64_t>> cells;
    for (const auto& [k, days] : *counts) {
      for (int64_t d = std::max(from, days.begin()->first + 56); d <= to; ++d) cells.push_back({k, d});
    }
    if (cells.empty()) return Fail(InvalidArgument("input", "too little history to inject bursts into"));
    std::set<std::pair<std::string, int64_t>> injected;
    auto copy = *counts;
    while (static_cast<int>(injected.size()) < a.inject && injected.size() < cells.size()) {
      const auto& cell = cells[rng() % cells.size()];
      if (!injected.insert(cell).second) continue;
      const auto& days = copy[cell.first];
      std::vector<int64_t> history;
      for (int64_t h = cell.second - 56; h < cell.second; ++h) {
        auto it = days.find(h);
        history.push_back(it == days.end() ? 0 : it->second);
      }
      double expected = 0, upper = 0;
      intel::IsSpike(history, cell.second, 0, opts, &expected, &upper);
      copy[cell.first][cell.second] += std::max<int64_t>(opts.min_count, std::llround(a.burst * std::max(expected, 1.0)));
    }
    const auto found = intel::DetectSpikes(copy, from, to, opts);
    size_t hit = 0, false_alarms = 0;
    for (const auto& s : found) (injected.count({s.key, s.day}) ? hit : false_alarms) += 1;
    const double months = (to - from + 1) / 30.44;
    // Baseline: a count above twice the previous week's mean (and min_count).
    size_t b_hit = 0, b_false = 0;
    for (const auto& [k, days] : copy) {
      for (int64_t d = std::max(from, days.begin()->first + 14); d <= to; ++d) {
        double week = 0;
        for (int64_t h = d - 7; h < d; ++h) {
          auto it = days.find(h);
          week += it == days.end() ? 0 : it->second;
        }
        auto it = days.find(d);
        const int64_t c = it == days.end() ? 0 : it->second;
        if (c >= opts.min_count && c > 2 * week / 7) (injected.count({k, d}) ? b_hit : b_false) += 1;
      }
    }
    doc["validation"] = {{"injected", injected.size()}, {"burst_factor", a.burst}, {"detected", hit},
                         {"detection_rate", static_cast<double>(hit) / injected.size()}, {"false_alarms", false_alarms},
                         {"false_alarms_per_month", false_alarms / months}, {"months", months},
                         {"baseline_twice_last_week", {{"detected", b_hit}, {"detection_rate", static_cast<double>(b_hit) / injected.size()},
                                                       {"false_alarms_per_month", b_false / months}}}};
    std::cout << std::fixed << std::setprecision(3) << "injected " << injected.size() << " bursts of " << a.burst
              << "x the expected count into " << counts->size() << " series over " << months << " months\n"
              << "  detector: detected " << hit << " (" << static_cast<double>(hit) / injected.size() << "), false alarms "
              << false_alarms / months << " per month\n"
              << "  baseline (> 2x last week's mean): detected " << b_hit << " ("
              << static_cast<double>(b_hit) / injected.size() << "), false alarms " << b_false / months << " per month\n";
  } else {
    const auto found = intel::DetectSpikes(*counts, from, to, opts);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : found) {
      list.push_back({{"key", s.key}, {"day", DayString(s.day)}, {"count", s.count},
                      {"expected", std::round(s.expected * 10) / 10}, {"upper", std::round(s.upper * 10) / 10},
                      {"jump", std::round(s.jump * 100) / 100}});
    }
    doc["spikes"] = list;
    std::cout << found.size() << " spikes among " << counts->size() << " series\n";
    for (size_t i = 0; i < found.size() && i < 20; ++i) {
      std::cout << "  " << DayString(found[i].day) << "  " << found[i].key << ": " << found[i].count << " (expected "
                << std::fixed << std::setprecision(1) << found[i].expected << ", x" << found[i].jump << ")\n";
    }
  }
  if (!a.output.empty()) {
    std::ofstream out(a.output, std::ios::trunc);
    out << doc.dump(2) << "\n";
    if (!out) return Fail(InvalidArgument("output", "cannot write " + a.output));
  }
  return 0;
}

}  // namespace

void AddInsightCommands(CLI::App& app, SetAction set_action) {
  auto a = std::make_shared<InsightArgs>();
  auto* insight = app.add_subcommand("insight", "early warning over a file of messages: duplicates, hotspots, sub-topics, petitions, clues, spikes");
  insight->require_subcommand(1);
  auto* dup = insight->add_subcommand("duplicates", "groups of messages about the same matter in the same words");
  dup->add_option("--input", a->input, "message CSV (留言编号, 留言主题, 留言详情, …) or JSONL {id, text, time, category?, address?}: messages that both carry a category or an address must agree on it")
      ->required()->check(CLI::ExistingFile);
  dup->add_option("--threshold", a->threshold, "Jaccard similarity of character bigrams")
      ->capture_default_str()->check(CLI::Range(0.05, 1.0));
  dup->add_option("--window-days", a->window_days,
                  "dated messages further apart than this many days are not duplicates (0: no limit)")
      ->capture_default_str()->check(CLI::Range(0, 3650));
  dup->add_option("--output", a->output, "JSONL, one group a line: {ids, score}")->required();
  dup->callback([a, set_action] { set_action([a] { return Duplicates(*a); }); });

  auto* hot = insight->add_subcommand("hotspots", "matters (place + problem) ranked by heat");
  hot->add_option("--input", a->input, "message CSV or JSONL")->required()->check(CLI::ExistingFile);
  hot->add_option("--from", a->from, "first day, YYYY-MM-DD");
  hot->add_option("--to", a->to, "last day, YYYY-MM-DD");
  hot->add_option("--top", a->top, "how many")->capture_default_str()->check(CLI::Range(1, 1000));
  hot->add_option("--link", a->hot.link, "cosine linking two messages about one place")
      ->capture_default_str()->check(CLI::Range(0.01, 1.0));
  hot->add_option("--merge", a->hot.merge, "centroid cosine merging two matters of one place")
      ->capture_default_str()->check(CLI::Range(0.01, 1.0));
  hot->add_option("--output", a->output, "JSON {hotspots: [{rank, heat, ids, time_from, time_to, place, description, …}]}")
      ->required();
  hot->callback([a, set_action] { set_action([a] { return Hotspots(*a); }); });

  auto* sub = insight->add_subcommand("subtopics", "sub-topics (子话题) of one category, before and after a date");
  sub->add_option("--input", a->input, "message CSV or JSONL")->required()->check(CLI::ExistingFile);
  sub->add_option("--label-column", a->label_column, "the category column")->capture_default_str();
  sub->add_option("--label", a->label, "only messages with this category (default: all)");
  sub->add_option("--from", a->from, "first day, YYYY-MM-DD");
  sub->add_option("--to", a->to, "last day, YYYY-MM-DD");
  sub->add_option("--date", a->date, "compare equal windows before and after this day (a release, a new policy)");
  sub->add_option("--top", a->top, "how many")->capture_default_str()->check(CLI::Range(1, 100));
  sub->add_option("--output", a->output, "JSON {subtopics: [{terms, messages, share, before, after, change, ids}]}")
      ->required();
  sub->callback([a, set_action] { set_action([a] { return SubTopics(*a); }); });

  auto* pet = insight->add_subcommand("petitions", "petition cross-check (信访查重): tickets that match petition records");
  pet->add_option("--input", a->input, "tickets: message CSV or JSONL {id, text, time}")->required()->check(CLI::ExistingFile);
  pet->add_option("--petitions", a->petitions, "petition records, same formats")->required()->check(CLI::ExistingFile);
  auto* pet_threshold = pet->add_option("--threshold", a->threshold, "cosine of character-bigram TF-IDF (default 0.4)")
                            ->check(CLI::Range(0.05, 1.0));
  pet->add_option("--output", a->output, "JSONL {ticket_id, petition_id, score, shared_places}")->required();
  pet->callback([a, set_action, pet_threshold] {
    if (pet_threshold->count() == 0) a->threshold = 0.4;  // the duplicates default is stricter
    set_action([a] { return Petitions(*a); });
  });

  auto* clues = insight->add_subcommand("clues", "public-interest litigation clues (公益诉讼线索), exportable");
  clues->add_option("--input", a->input, "message CSV or JSONL")->required()->check(CLI::ExistingFile);
  clues->add_option("--output", a->output, "JSONL, one flagged message a line: {id, title, time, clues}")->required();
  clues->callback([a, set_action] { set_action([a] { return Clues(*a); }); });

  auto* spikes = insight->add_subcommand("spikes", "days whose count for a key leaves its own expected band");
  spikes->add_option("--input", a->input, "CSV of records")->required()->check(CLI::ExistingFile);
  spikes->add_option("--time-column", a->time_column, "when each record was received")->required();
  spikes->add_option("--key-column", a->key_columns, "what to count by (e.g. SRType, Neighborhood); repeatable")->required();
  spikes->add_option("--from", a->from, "first day checked");
  spikes->add_option("--to", a->to, "last day checked");
  spikes->add_option("--inject", a->inject, "validate: add this many synthetic bursts and measure detection")
      ->check(CLI::Range(1, 100000));
  spikes->add_option("--burst-factor", a->burst, "an injected burst is this times the expected count")
      ->capture_default_str()->check(CLI::Range(1.1, 100.0));
  spikes->add_option("--seed", a->seed, "random seed for --inject")->capture_default_str();
  spikes->add_option("--output", a->output, "JSON report");
  spikes->callback([a, set_action] { set_action([a] { return Spikes(*a); }); });
}

}  // namespace hotline::cli
