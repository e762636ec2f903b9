// The reports leaders read (周报 weekly, 月报 monthly, 专报 special): the period's intake
// against the period before (环比), what it was about, where, its hot matters, how the units
// did (红黑榜) and what the early warnings raised; as JSON for the screen and as Markdown
// to file or forward. Built from the same figures as the dashboard and the insight screens,
// scoped to the reader's centre.
#include "service/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <tuple>

#include "service/service.h"
#include "sla/calendar.h"

namespace hotline {

using nlohmann::json;

namespace {

constexpr int64_t kMaxReportDays = 400;
constexpr size_t kTopCategories = 10, kTopAreas = 10, kTopHotspots = 5;


std::string DateText(TimeMs t) { return FormatIsoCity(t).substr(0, 10); }

// The first day (days since 1970-01-01) of the month `months` away from the one holding `days`.
int64_t MonthStart(int64_t days, int months) {
  int y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  const int index = y * 12 + static_cast<int>(m) - 1 + months;
  return DaysFromCivil(index / 12, static_cast<unsigned>(index % 12) + 1, 1);
}

// Relative change, or null when there was nothing before.
json Change(int64_t now, int64_t before) {
  if (before <= 0) return nullptr;
  return std::round(1000.0 * static_cast<double>(now - before) / static_cast<double>(before)) / 1000.0;
}

// x in tenths, rounded half away from zero (四舍五入) on its decimal value: first to nine
// decimals, which takes off the binary noise of a rate made by division (41/80 × 100 is
// 51.2499999… in binary, and is 51.25), then half up, as the screen's percent() rounds.
int64_t Tenths(double x) {
  if (!std::isfinite(x)) return 0;  // (rates are guarded where they are made)
  char dec[400];
  std::snprintf(dec, sizeof dec, "%.9f", std::fabs(x));
  const char* dot = std::strchr(dec, '.');
  int64_t t = std::strtoll(dec, nullptr, 10) * 10 + (dot[1] - '0');
  if (dot[2] >= '5') ++t;
  return x < 0 ? -t : t;
}

std::string TenthsText(int64_t t, bool sign) {
  char buf[40];
  const int64_t a = t < 0 ? -t : t;
  std::snprintf(buf, sizeof buf, "%s%lld.%lld", t < 0 ? "-" : sign ? "+" : "", static_cast<long long>(a / 10),
                static_cast<long long>(a % 10));
  return buf;
}

std::string Pct(const json& v) { return v.is_number() ? TenthsText(Tenths(v.get<double>() * 100.0), false) + "%" : "—"; }

std::string SignedPct(const json& v) {
  if (!v.is_number()) return "—";
  const int64_t t = Tenths(v.get<double>() * 100.0);
  return TenthsText(t, t != 0) + "%";
}

// A rate's change in percentage points, from the rates as printed beside it (87.2 % and
// 87.4 %: -0.2, not the unrounded -0.3).
std::string Points(const json& now, const json& before) {
  if (!now.is_number() || !before.is_number()) return "—";
  return TenthsText(Tenths(now.get<double>() * 100.0) - Tenths(before.get<double>() * 100.0), true) + " 个百分点";
}

// Text from tickets goes into a Markdown table cell: no line breaks, no cell separators.
std::string Cell(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t') out += ' ';
    else if (c == '|') out += "\\|";
    else out += c;
  }
  return out;
}

std::string Num(const json& v) { return v.is_number() ? v.dump() : "—"; }

// A period bound as a leader reads it: the date at a city midnight, else the date and time.
std::string PeriodBound(const std::string& iso) {
  if (iso.size() >= 19 && iso.compare(10, 9, "T00:00:00") == 0) return iso.substr(0, 10);
  return iso.size() >= 16 ? iso.substr(0, 10) + " " + iso.substr(11, 5) : iso;
}

}  // namespace

Result<ReportPeriod> ResolveReportPeriod(const std::string& kind, std::optional<TimeMs> date, std::optional<TimeMs> from,
                                         std::optional<TimeMs> to, TimeMs now) {
  ReportPeriod p;
  p.kind = kind;
  if (kind == "weekly" || kind == "monthly") {
    if (from || to) return InvalidArgument(from ? "from" : "to", "a " + kind + " report takes date, not from/to");
    // Without a date: the last complete period before today (a day of last week; the day
    // before this month's first).
    int64_t days = CityDays(date ? *date : now);
    if (!date && kind == "weekly") days -= 7;
    if (!date && kind == "monthly") days = MonthStart(days, 0) - 1;
    if (kind == "weekly") {
      const int64_t monday = days - ((days + 3) % 7);  // 1970-01-01 was a Thursday
      p.from = StartOfDay(monday);
      p.to = StartOfDay(monday + 7);
    } else {
      p.from = StartOfDay(MonthStart(days, 0));
      p.to = StartOfDay(MonthStart(days, 1));
    }
    if (p.from > now) return InvalidArgument("date", "the period has not begun yet");
    if (p.from < StartOfDay(0)) return InvalidArgument("date", "must be in 1970 or later");
  } else if (kind == "special") {
    if (date) return InvalidArgument("date", "a special report takes from and to");
    p.to = to.value_or(CityDayStart(now) + kDayMs);
    p.from = from.value_or(p.to - 30 * kDayMs);
    if (p.to <= p.from) return InvalidArgument("to", "must be after from");
    if (p.from > now) return InvalidArgument("from", "the period has not begun yet");
    if (p.from < StartOfDay(0)) return InvalidArgument("from", "must be in 1970 or later");
    if (p.to - p.from > kMaxReportDays * kDayMs) {
      return InvalidArgument("to", "a report covers at most " + std::to_string(kMaxReportDays) + " days");
    }
  } else {
    return InvalidArgument("kind", "must be weekly, monthly or special");
  }
  p.complete = p.to <= now;
  p.prev_to = p.from;
  p.prev_from = kind == "monthly" ? StartOfDay(MonthStart(CityDays(p.from), -1)) : p.from - (p.to - p.from);
  return p;
}

Result<json> Service::Report(const Actor& a, const ReportPeriod& p, const std::string& category) {
  if (!(a.role == Role::kAdmin || a.role == Role::kSupervisor || a.role == Role::kAnalyst ||
        a.role == Role::kDispatcher)) {
    return PermissionDenied(std::string("role ") + RoleName(a.role) + " may not read reports");
  }
  if (!category.empty()) RETURN_IF_ERROR(CheckCategory("category", category).status());
  if (!category.empty() && p.kind != "special") return InvalidArgument("category", "only a special report has a topic");
  auto org = Org();
  const TimeMs now = clock_->NowMs();
  const TimeMs to = std::min(p.to, now + 1);
  // A special report on one topic counts that topic's tickets only, in every table.
  ASSIGN_OR_RETURN(json cur, Overview(a, p.from, to, 0, category));
  // A period still running is compared with as much of the period before.
  const TimeMs prev_to = p.complete ? p.prev_to : std::min(p.prev_to, p.prev_from + (to - p.from));
  // Its 办结率 too is read as it stood at the same distance from its start as this period's
  // is now: a week that has had a week longer to close its tickets is no measure.
  ASSIGN_OR_RETURN(json prev, Overview(a, p.prev_from, prev_to, p.prev_from + (now - p.from), category));

  const char* kind_zh = p.kind == "weekly" ? "周报" : p.kind == "monthly" ? "月报" : "专报";
  std::string scope = "全市";
  if (a.role != Role::kAdmin) {
    if (const Unit* c = org->FindUnit(org->CentreOf(a.unit_id)); c && c->parent_id != 0) scope = c->name;
  }
  ASSIGN_OR_RETURN(auto cats, Categories());
  auto cat_name = [&](const std::string& code) {
    for (const auto& c : cats) if (c.code == code) return c.name;
    return code;
  };
  // Whole days read as the first and last day; a period given to the minute as its bounds.
  const bool whole_days = CityDayStart(p.from) == p.from && CityDayStart(p.to) == p.to;
  const std::string span = whole_days ? DateText(p.from) + " 至 " + DateText(p.to - 1)
                                      : PeriodBound(FormatIsoCity(p.from)) + " 至 " + PeriodBound(FormatIsoCity(p.to));
  std::string title = "12345 热线" + std::string(kind_zh) + "（" + span + "）";
  if (!category.empty()) title = "12345 热线专报：" + cat_name(category) + "（" + span + "）";

  // ---- summary: this period against the one before
  // Taken in: every ticket of the period (the categories count them all); the rates' base
  // leaves out those withdrawn, merged or transferred out (110/119/120/122 or elsewhere).
  auto received = [](const json& overview) {
    int64_t n = 0;
    for (const auto& c : overview["categories"]) n += c["count"].get<int64_t>();
    return n;
  };
  const json& r = cur["rates"];
  const json& rp = prev["rates"];
  const int64_t got = received(cur), got_prev = received(prev);
  json summary = {{"received", got}, {"received_prev", got_prev}, {"received_change", Change(got, got_prev)},
                  {"rate_base", r["created"]}, {"closed", r["closed"]}, {"rated", r["rated"]},
                  {"satisfied", r["satisfied"]}, {"on_time", r["on_time"]}, {"on_time_base", r["on_time_base"]},
                  {"answered_directly", r["answered_directly"]}};
  for (const char* k : {"completion_rate", "on_time_rate", "satisfaction_rate", "direct_answer_rate"}) {
    summary[k] = r[k];
    summary[std::string(k) + "_prev"] = rp[k];
  }

  // ---- categories, with their count in the period before
  std::map<std::string, int64_t> before;
  for (const auto& c : prev["categories"]) before[c["code"].get<std::string>()] = c["count"].get<int64_t>();
  json categories = json::array();
  for (const auto& c : cur["categories"]) {
    if (categories.size() >= kTopCategories) break;
    const std::string code = c["code"];
    const int64_t n = c["count"], b = before.count(code) ? before[code] : 0;
    categories.push_back({{"code", code}, {"name", c["name"]}, {"count", n}, {"prev", b}, {"change", Change(n, b)}});
  }
  json areas = json::array();
  for (const auto& ar : cur["areas"]) {
    if (areas.size() >= kTopAreas) break;
    areas.push_back(ar);
  }

  // ---- hot matters of the period (the topic's sub-topics for a special report on one)
  std::vector<Store::TicketText> texts;
  json hotspots = json::array();
  json subtopics = json::array();
  int64_t topic_count = 0;
  if (category.empty()) {
    // The hottest matters reported more than once: one-off reports are passed over, and the
    // next ones read, so five are found when five exist.
    ASSIGN_OR_RETURN(auto spots, Hotspots(a, p.from, to, 100, &texts));
    for (const auto& h : spots) {
      if (h.members.size() < 2) continue;
      if (hotspots.size() == kTopHotspots) break;
      json numbers = json::array();
      for (size_t i = 0; i < h.members.size() && numbers.size() < 5; ++i) numbers.push_back(texts[h.members[i]].number);
      hotspots.push_back({{"rank", hotspots.size() + 1}, {"description", h.description}, {"place", h.place},
                          {"tickets", h.members.size()}, {"callers", h.callers}, {"numbers", numbers}});
    }
  } else {
    ASSIGN_OR_RETURN(auto sub, SubTopics(a, category, p.from, to, std::nullopt, 8, &texts));
    topic_count = static_cast<int64_t>(sub.messages);
    for (const auto& s : sub.topics) {
      json terms = json::array();
      for (const auto& t : s.terms) terms.push_back(t);
      subtopics.push_back({{"terms", terms}, {"tickets", s.members.size()},
                           {"share", std::round(1000.0 * s.share) / 1000.0}});
    }
  }

  // ---- the units: red list (best scores) and black list (worst)
  const json board = UnitBoard(cur["units"], kBoardSize);
  const json& red = board["red"];
  const json& black = board["black"];

  // ---- early warnings raised in the period
  ASSIGN_OR_RETURN(std::vector<Id> scope_units, CentreScope(a, *org));
  ASSIGN_OR_RETURN(auto raised, store_->CountAlerts(p.from, to, scope_units, category));
  json alerts = json::object();
  for (const char* kind : {"repeat_caller", "duplicate_cluster", "emergency"}) alerts[kind] = raised[kind];

  json out = {{"kind", p.kind},
              {"title", title},
              {"scope", scope},
              {"period", {{"from", FormatIsoCity(p.from)}, {"to", FormatIsoCity(p.to)}, {"complete", p.complete}}},
              {"previous", {{"from", FormatIsoCity(p.prev_from)}, {"to", FormatIsoCity(prev_to)}}},
              {"generated_at", FormatIsoCity(now)},
              {"summary", summary},
              {"categories", categories},
              {"areas", areas},
              {"hotspots", hotspots},
              {"open", cur["open"]},
              {"red_list", red},
              {"black_list", black},
              {"ranked_units", board["judged"]},
              {"board_places", board["places"]},
              {"alerts", alerts}};
  if (!category.empty()) {
    out["topic"] = {{"code", category}, {"name", cat_name(category)}, {"tickets", topic_count}, {"subtopics", subtopics}};
  }
  return out;
}

namespace {
bool Judged(const json& u) {
  constexpr int64_t kMinOrders = 3;  // fewer orders in the period are too few to judge by
  return !u["score"].is_null() && u["dispatched"].get<int64_t>() >= kMinOrders;
}
}  // namespace

json UnitBoard(const json& ranked_units, size_t size) {
  json scored = json::array();
  for (const auto& u : ranked_units) {
    if (Judged(u)) scored.push_back(u);
  }
  // 名次 among the units judged: one with too few orders takes no place on either list.
  RankByScore(scored);
  // Each list holds at most a third of them: the middle third is on neither, so a unit is not
  // blacklisted for being the second of two (89.1 points) or the last of a close field of three.
  const size_t n = std::min(size, scored.size() / 3);
  json red = json::array(), black = json::array();
  // `places`: what each list could hold; a list shorter than that lost units tied at its cut.
  if (n == 0) return {{"red", red}, {"black", black}, {"judged", scored.size()}, {"places", n}};
  // Units tied across a list's cut are all left off it: which of them made the list would be
  // arbitrary, and a score shared with a unit on the other list would be both best and worst.
  const double red_cut = scored[n]["score"].get<double>();
  const double black_cut = scored[scored.size() - 1 - n]["score"].get<double>();
  for (size_t i = 0; i < n && scored[i]["score"].get<double>() > red_cut; ++i) red.push_back(scored[i]);
  for (size_t i = 0; i < n && scored[scored.size() - 1 - i]["score"].get<double>() < black_cut; ++i) {
    black.push_back(scored[scored.size() - 1 - i]);
  }
  return {{"red", red}, {"black", black}, {"judged", scored.size()}, {"places", n}};
}

void RankByScore(json& units) {
  // Equal scores share a place (并列), the next place counting them: 1, 1, 1, 4.
  size_t place = 0;
  const json* before = nullptr;
  for (auto& u : units) {
    if (!Judged(u)) {
      u["rank"] = nullptr;
      continue;
    }
    ++place;
    u["rank"] = before && (*before)["score"] == u["score"] ? (*before)["rank"].get<size_t>() : place;
    before = &u;
  }
}


std::string ReportMarkdown(const json& r) {
  std::string md = "# " + r.value("title", "") + "\n\n";
  md += "范围：" + r.value("scope", "") + "　统计期：" + PeriodBound(r["period"]["from"].get<std::string>()) + " 至 " +
        PeriodBound(r["period"]["to"].get<std::string>()) + "（不含）";
  if (!r["period"].value("complete", true)) md += "，统计期尚未结束，数据截至生成时";
  const std::string at = r.value("generated_at", "");  // ISO 8601: said as 2026-12-02 06:40
  md += "　生成时间：" + (at.size() >= 16 ? at.substr(0, 10) + " " + at.substr(11, 5) : at) + "\n\n";
  if (r.contains("topic")) md += "注：本专报各节均只统计该专题分类（含其下级分类）的诉求。\n\n";

  const json& s = r["summary"];
  md += "## 一、总体情况\n\n";
  md += "本期受理诉求 " + Num(s["received"]) + " 件，上期 " + Num(s["received_prev"]) + " 件，环比 " +
        SignedPct(s["received_change"]) + "。其中需办结 " + Num(s["rate_base"]) + " 件（撤单、并单和转出的不计），已办结 " +
        Num(s["closed"]) + " 件。\n\n";
  // Each rate with what it counts (本期): a rate on 3 ratings reads apart from one on 300.
  const auto of = [&](const char* num, const char* base, const char* what) {
    return Num(s.value(num, json())) + " / " + Num(s.value(base, json())) + " " + what;
  };
  md += "| 指标 | 本期 | 依据（本期） | 上期 | 变化 |\n|---|---|---|---|---|\n";
  for (auto [k, zh, basis] : {std::tuple<const char*, const char*, std::string>{"completion_rate", "办结率", of("closed", "rate_base", "件")},
                              {"on_time_rate", "按时办结率", of("on_time", "on_time_base", "单（已答复或已超期的派单）")},
                              {"satisfaction_rate", "满意率", of("satisfied", "rated", "件已评价")},
                              {"direct_answer_rate", "直接答复率", of("answered_directly", "rate_base", "件")}}) {
    const std::string prev = std::string(k) + "_prev";
    md += std::string("| ") + zh + " | " + Pct(s[k]) + " | " + basis + " | " + Pct(s[prev]) + " | " + Points(s[k], s[prev]) + " |\n";
  }
  const json& open = r["open"];
  md += "\n当前在办 " + Num(open["total"]) + " 件，其中超期 " + Num(open["overdue"]) + " 件、黄牌预警 " +
        Num(open["yellow"]) + " 件。\n\n";

  md += "## 二、诉求分类\n\n";
  if (r["categories"].empty()) md += "本期无诉求。\n\n";
  else {
    md += "| 分类 | 本期 | 上期 | 环比 |\n|---|---|---|---|\n";
    for (const auto& c : r["categories"]) {
      md += "| " + Cell(c.value("name", "")) + " | " + Num(c["count"]) + " | " + Num(c["prev"]) + " | " +
            SignedPct(c["change"]) + " |\n";
    }
    md += "\n";
  }
  md += "## 三、区域分布\n\n";
  if (r["areas"].empty()) md += s.value("received", 0) == 0 ? "本期无诉求。\n\n" : "本期诉求未识别到区域。\n\n";
  else {
    md += "| 区域 | 件数 |\n|---|---|\n";
    for (const auto& ar : r["areas"]) md += "| " + Cell(ar.value("name", "")) + " | " + Num(ar["count"]) + " |\n";
    md += "\n";
  }
  if (r.contains("topic")) {
    const json& t = r["topic"];
    md += "## 四、专题：" + Cell(t.value("name", "")) + "\n\n本期该类诉求 " + Num(t["tickets"]) + " 件。\n\n";
    if (!t["subtopics"].empty()) {
      md += "| 子话题 | 件数 | 占比 |\n|---|---|---|\n";
      for (const auto& st : t["subtopics"]) {
        std::string terms;
        for (const auto& w : st["terms"]) terms += (terms.empty() ? "" : "、") + w.get<std::string>();
        md += "| " + Cell(terms) + " | " + Num(st["tickets"]) + " | " + Pct(st["share"]) + " |\n";
      }
      md += "\n";
    }
  } else {
    md += "## 四、热点问题\n\n";
    if (r["hotspots"].empty()) md += "本期未发现多人反映的集中问题。\n\n";
    for (const auto& h : r["hotspots"]) {
      std::string numbers;
      for (const auto& n : h["numbers"]) numbers += (numbers.empty() ? "" : "、") + n.get<std::string>();
      md += Num(h["rank"]) + ". " + Cell(h.value("description", "")) +
            (h.value("place", "").empty() ? "" : "（" + Cell(h.value("place", "")) + "）") + "：" + Num(h["tickets"]) +
            " 件、" + Num(h["callers"]) + " 位来电人；工单 " + numbers +
            (h["numbers"].size() < h.value("tickets", size_t{0}) ? " 等" : "") + "\n";
    }
    md += "\n";
  }
  md += "## 五、承办单位红黑榜\n\n";
  auto board = [&](const char* name, const json& rows) {
    md += std::string("**") + name + "**\n\n";
    if (rows.empty()) {
      const int64_t judged = r.value("ranked_units", int64_t{0});
      md += judged == 0  ? "暂无可排名的单位（本期派单 3 件以上且已有答复或超期的单位参与排名）。\n\n"
            : judged < 3 ? "可排名的单位仅 " + std::to_string(judged) + " 个，不足以分列红黑榜（每榜至多占可排名单位的三分之一）。\n\n"
                         : "本榜暂缺：得分与榜单分界处并列的单位不列入（可排名的单位 " + std::to_string(judged) + " 个）。\n\n";
      return;
    }
    if (rows.size() < r.value("board_places", size_t{0})) md += "得分与榜单分界处并列的单位不列入，本榜 " + std::to_string(rows.size()) + " 个。\n\n";
    md += "| 名次 | 单位 | 综合得分 | 按时办结率 | 满意率 | 派单 | 退单 | 在办超期 |\n|---|---|---|---|---|---|---|---|\n";
    for (const auto& u : rows) {
      md += "| " + Num(u["rank"]) + " | " + Cell(u.value("name", "")) + " | " + Num(u["score"]) + " | " +
            Pct(u["on_time_rate"]) + " | " + Pct(u["satisfaction_rate"]) + " | " + Num(u["dispatched"]) + " | " +
            Num(u["returned"]) + " | " + Num(u["overdue_open"]) + " |\n";
    }
    md += "\n";
  };
  board("红榜", r["red_list"]);
  board("黑榜", r["black_list"]);
  const json& al = r["alerts"];
  md += "## 六、预警提示\n\n";
  md += "本期重复来电预警 " + Num(al["repeat_caller"]) + " 起，多人反映同一问题 " + Num(al["duplicate_cluster"]) +
        " 起，紧急事项 " + Num(al["emergency"]) + " 起。\n";
  return md;
}

}  // namespace hotline
