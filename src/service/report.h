// Reports (周报 weekly, 月报 monthly, 专报 special): which period a request names, and the
// report as Markdown. The report's figures come from Service::Report.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/status.h"

namespace hotline {

struct ReportPeriod {
  std::string kind;        // weekly | monthly | special
  TimeMs from = 0, to = 0;  // [from, to), whole city days
  TimeMs prev_from = 0, prev_to = 0;  // the period before, for 环比
  bool complete = true;    // false while the period is still running
};

// weekly: the Monday-to-Sunday week holding `date`; monthly: its calendar month (without a
// date, the last complete one before today). special: [from, to), by default the 30 days
// up to tonight, at most 400 days. Dates are the city's.
Result<ReportPeriod> ResolveReportPeriod(const std::string& kind, std::optional<TimeMs> date,
                                         std::optional<TimeMs> from, std::optional<TimeMs> to, TimeMs now);

// 红黑榜: the best units (red, best first) and the worst (black, worst first) of units ranked
// best first (Overview's "units"). Only units with a score and at least 3 orders in the
// period count; each list holds at most `size` and at most half of them, so no unit is on
// both and a lone unit is on neither. Each unit's "rank" is its place among those judged
// (equal scores share it), "judged" says how many were, and "places" how many each list
// could hold: units tied across a list's cut are left off it, so a list may hold fewer.
// The reports and the dashboard both use this rule.
nlohmann::json UnitBoard(const nlohmann::json& ranked_units, size_t size);
// How many units each 红黑榜 list holds at most: the dashboard's and the reports'.
inline constexpr size_t kBoardSize = 5;
// Sets each unit's 名次 ("rank") in a list ordered best first: equal scores share a place (并列).
// Only the units judged (a score, and enough orders in the period) take a place; the others'
// rank is null, so a unit has the same 名次 in the unit table as on the 红黑榜.
void RankByScore(nlohmann::json& units);

// The report (Service::Report's JSON) as a Markdown document.
std::string ReportMarkdown(const nlohmann::json& report);

}  // namespace hotline
