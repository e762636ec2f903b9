// `hotline insight duplicates | hotspots`: early warning over a file of messages (the
// message-board CSV export or JSONL {id, text, time, user?, votes?}).
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "cli/commands.h"
#include "cli/input.h"
#include "intel/insight.h"

namespace hotline::cli {

namespace {

struct InsightArgs {
  std::string input, output, from, to;
  double threshold = 0.5;
  size_t top = 10;
  intel::HotspotOptions hot;
};

std::string IdString(const nlohmann::json& id) { return id.is_string() ? id.get<std::string>() : id.dump(); }

Result<std::vector<intel::Message>> ReadMessages(const std::string& path, std::vector<LabelledRow>* rows) {
  size_t bad = 0;
  ASSIGN_OR_RETURN(*rows, ReadTextRows(path, InputOptions{}, &bad));
  if (bad > 0) std::cerr << "skipped " << bad << " bad lines (reported above)\n";
  std::vector<intel::Message> msgs;
  size_t no_time = 0;
  for (const auto& r : *rows) {
    intel::Message m{IdString(r.id), r.title, r.text, intel::ParseLooseTime(r.time), r.user, r.votes};
    if (!r.time.empty() && !m.time) ++no_time;
    msgs.push_back(std::move(m));
  }
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
                    {"votes", h.votes}, {"coherence", std::round(h.coherence * 1000) / 1000}, {"details", detail}});
  }
  nlohmann::json doc = {{"from", a.from}, {"to", a.to}, {"messages", msgs.size()},
                        {"heat_index", "callers × (1 + ln(1 + votes)/4) × (1 + ln(1 + span months)/3) × coherence²"},
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

}  // namespace

void AddInsightCommands(CLI::App& app, SetAction set_action) {
  auto a = std::make_shared<InsightArgs>();
  auto* insight = app.add_subcommand("insight", "early warning over a file of messages: duplicates, hotspots");
  insight->require_subcommand(1);
  auto* dup = insight->add_subcommand("duplicates", "groups of messages about the same matter in the same words");
  dup->add_option("--input", a->input, "message CSV (留言编号, 留言主题, 留言详情, …) or JSONL {id, text, time}")
      ->required()->check(CLI::ExistingFile);
  dup->add_option("--threshold", a->threshold, "Jaccard similarity of character bigrams")
      ->capture_default_str()->check(CLI::Range(0.05, 1.0));
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
}

}  // namespace hotline::cli
