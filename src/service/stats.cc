// The dashboard (数据看板) and the work queues' counts: figures for the screens, scoped
// like every other read — a centre sees what it took in and its own subtree's units.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "service/report.h"
#include "service/service.h"

namespace hotline {

using nlohmann::json;

namespace {

json Rate(int64_t n, int64_t d) { return d > 0 ? json(static_cast<double>(n) / static_cast<double>(d)) : json(nullptr); }

// The unit ranking's score (0–100): on-time handling 40 %, satisfaction 40 %, orders kept
// (not returned) 20 %. A unit with nothing handled yet (no reply, nothing overdue) is not
// scored: orders kept alone would rank it first. Another component with no data yet is
// left out and the others reweighted.
json UnitScore(const json& on_time, const json& satisfaction, const json& kept) {
  if (on_time.is_null()) return nullptr;
  double sum = 0, weight = 0;
  for (auto [v, w] : {std::pair<const json*, double>{&on_time, 0.4}, {&satisfaction, 0.4}, {&kept, 0.2}}) {
    if (v->is_null()) continue;
    sum += v->get<double>() * w;
    weight += w;
  }
  if (weight == 0) return nullptr;
  return std::round(1000.0 * sum / weight) / 10.0;
}

// One week's plan, hour by hour, for the contacts counted in `counts` (hour 0 at
// `first_hour_of_week`): for the mean load and for the busiest week.
struct WeekPlan {
  contact::WeekLoad load;
  std::array<contact::Staffing, 168> mean{}, peak{};
  int64_t contacts = 0;
  int max_agents = 0, max_staff = 0, busiest = 0;
  double agent_hours = 0, staff_hours = 0, peak_agent_hours = 0;
};

Result<WeekPlan> PlanWeek(const std::vector<int64_t>& counts, int first_hour_of_week, const contact::StaffingTarget& t) {
  WeekPlan w;
  for (int64_t c : counts) w.contacts += c;
  // Counted from the first contact on record: weeks before it hold no observations.
  const auto first = std::find_if(counts.begin(), counts.end(), [](int64_t c) { return c > 0; });
  w.load = contact::LoadByHourOfWeek(counts, first_hour_of_week, static_cast<size_t>(first - counts.begin()));
  for (int h = 0; h < 168; ++h) {
    auto mean = contact::PlanFor(std::min(w.load.mean[h], contact::kMaxCallsPerHour), t);
    auto peak = contact::PlanFor(std::min(w.load.peak[h], contact::kMaxCallsPerHour), t);
    if (!mean.ok() || !peak.ok()) return InvalidArgument("aht", "the past load at this handling time needs more than 100000 agents");
    w.mean[h] = *mean;
    w.peak[h] = *peak;
    w.max_agents = std::max(w.max_agents, peak->agents);
    w.max_staff = std::max(w.max_staff, peak->staff);
    w.agent_hours += mean->agents;
    w.staff_hours += mean->staff;
    w.peak_agent_hours += peak->agents;
    if (w.load.mean[h] > w.load.mean[w.busiest]) w.busiest = h;
  }
  return w;
}

json Busiest(const WeekPlan& w) {
  if (w.contacts == 0) return nullptr;
  return json{{"weekday", w.busiest / 24 + 1}, {"hour", w.busiest % 24}, {"calls_per_hour", w.load.mean[w.busiest]}};
}

}  // namespace

Result<json> Service::Staffing(const Actor& a, int weeks, const std::vector<std::string>& channels,
                               const contact::StaffingTarget& target) {
  if (a.role != Role::kAdmin && a.role != Role::kSupervisor && a.role != Role::kAnalyst && a.role != Role::kSystem) {
    return PermissionDenied("seat planning is for supervisors, analysts and admins");
  }
  if (weeks < 1 || weeks > 26) return InvalidArgument("weeks", "must be 1 to 26");
  for (const auto& ch : channels) {
    if (!IsValidChannel(ch)) return InvalidArgument("channel", "unknown channel '" + ch.substr(0, 40) + "'");
  }
  RETURN_IF_ERROR(contact::CheckTarget(target));
  auto org = Org();
  ASSIGN_OR_RETURN(std::vector<Id> scope, CentreScope(a, *org));
  const TimeMs to = CityDayStart(clock_->NowMs());
  const TimeMs from = to - weeks * 7 * kDayMs;
  ASSIGN_OR_RETURN(auto rows, store_->ContactsByHour(from, to, scope));
  // All the lines in scope as one pool, and each centre's own lines (the centre at or above
  // the unit that took the ticket in; 0 when there is none).
  const size_t span = static_cast<size_t>(weeks) * 168;
  std::vector<int64_t> counts(span, 0);
  std::map<Id, std::vector<int64_t>> by_centre;
  for (const auto& r : rows) {
    if (!channels.empty() && std::find(channels.begin(), channels.end(), r.channel) == channels.end()) continue;
    if (r.hour < 0 || static_cast<size_t>(r.hour) >= span) continue;
    counts[static_cast<size_t>(r.hour)] += r.count;
    auto& own = by_centre[r.intake_unit ? org->CentreOf(r.intake_unit) : 0];
    own.resize(span, 0);
    own[static_cast<size_t>(r.hour)] += r.count;
  }
  // 1970-01-01 was a Thursday: day d of the epoch is weekday (d + 3) % 7, Monday 0.
  const int first_hour = static_cast<int>(((CityDays(from) + 3) % 7 + 7) % 7) * 24;
  ASSIGN_OR_RETURN(WeekPlan pooled, PlanWeek(counts, first_hour, target));
  json hours = json::array();
  for (int h = 0; h < 168; ++h) {
    const auto& mean = pooled.mean[h];
    hours.push_back({{"weekday", h / 24 + 1},
                     {"hour", h % 24},
                     {"calls_per_hour", pooled.load.mean[h]},
                     {"peak_calls_per_hour", pooled.load.peak[h]},
                     {"traffic_erlangs", mean.traffic},
                     {"agents", mean.agents},
                     {"staff", mean.staff},
                     {"service_level", mean.service_level},
                     {"asa_s", mean.asa_s},
                     {"abandon_rate", mean.abandon_rate},
                     {"occupancy", mean.occupancy},
                     {"agents_at_peak", pooled.peak[h].agents},
                     {"staff_at_peak", pooled.peak[h].staff}});
  }
  // Each centre staffed for its own lines alone, against the pool (多援一 at its fullest:
  // any free agent of any centre answers any line). Each centre keeps its own minimum.
  json centres = json::array();
  std::array<int, 168> separate_at_peak{};
  double separate_agent_hours = 0, separate_staff_hours = 0;
  for (const auto& [centre, own] : by_centre) {
    // One centre answers every line counted: its own plan is the pool's, not planned twice.
    WeekPlan w;
    if (by_centre.size() == 1) {
      w = pooled;
    } else {
      ASSIGN_OR_RETURN(w, PlanWeek(own, first_hour, target));
    }
    for (int h = 0; h < 168; ++h) separate_at_peak[h] += w.peak[h].agents;
    separate_agent_hours += w.agent_hours;
    separate_staff_hours += w.staff_hours;
    const Unit* u = centre ? org->FindUnit(centre) : nullptr;
    centres.push_back({{"unit_id", centre ? json(IdToString(centre)) : json(nullptr)},
                       {"name", u ? json(u->name) : json(nullptr)},
                       {"contacts", w.contacts},
                       {"busiest", Busiest(w)},
                       {"max_agents_at_peak", w.max_agents},
                       {"agent_hours_per_week", w.agent_hours},
                       {"staff_hours_per_week", w.staff_hours}});
  }
  std::sort(centres.begin(), centres.end(), [](const json& x, const json& y) {
    return x["contacts"].get<int64_t>() > y["contacts"].get<int64_t>();
  });
  int separate_max = *std::max_element(separate_at_peak.begin(), separate_at_peak.end());
  if (by_centre.empty()) {  // no contacts: no centre to staff apart, the pool's minimum stands
    separate_max = pooled.max_agents;
    separate_agent_hours = pooled.agent_hours;
    separate_staff_hours = pooled.staff_hours;
  }
  json channel_list = channels;
  return json{{"from", FormatIsoCity(from)},
              {"to", FormatIsoCity(to)},
              {"weeks", weeks},
              // Less than `weeks` when the contacts on record begin inside the window.
              {"weeks_observed", std::round(pooled.load.weeks_observed * 100) / 100},
              {"channels", channel_list},
              {"target",
               {{"aht_s", target.aht_s},
                {"answer_within_s", target.answer_within_s},
                {"service_level", target.service_level},
                {"max_occupancy", target.max_occupancy},
                {"shrinkage", target.shrinkage},
                {"min_agents", target.min_agents},
                {"patience_s", target.patience_s},
                {"max_abandon", target.max_abandon}}},
              {"contacts", pooled.contacts},
              {"hours", hours},
              {"summary",
               {{"busiest", Busiest(pooled)},
                {"max_agents_at_peak", pooled.max_agents},
                {"max_staff_at_peak", pooled.max_staff},
                {"agent_hours_per_week", pooled.agent_hours},
                {"staff_hours_per_week", pooled.staff_hours},
                {"agent_hours_per_week_at_peak", pooled.peak_agent_hours}}},
              {"centres", centres},
              {"pooling",
               {{"centres", centres.size()},
                {"separate_agent_hours_per_week", separate_agent_hours},
                {"pooled_agent_hours_per_week", pooled.agent_hours},
                {"saved_agent_hours_per_week", separate_agent_hours - pooled.agent_hours},
                {"separate_staff_hours_per_week", separate_staff_hours},
                {"pooled_staff_hours_per_week", pooled.staff_hours},
                {"separate_max_agents_at_peak", separate_max},
                {"pooled_max_agents_at_peak", pooled.max_agents}}}};
}

Result<json> Service::Overview(const Actor& a, TimeMs from, TimeMs to, TimeMs closed_by, const std::string& category) {
  if (a.role == Role::kUnitHandler) return PermissionDenied("unit handlers see their own orders, not the dashboard");
  if (to <= from || to - from > 400 * kDayMs) return InvalidArgument("to", "the period must be 1 ms to 400 days long");
  auto org = Org();
  ASSIGN_OR_RETURN(std::vector<Id> scope, CentreScope(a, *org));
  const TimeMs now = clock_->NowMs();
  const TimeMs day_start = CityDayStart(now);
  ASSIGN_OR_RETURN(auto o, store_->OverviewStats(day_start, now, from, to, scope, closed_by, category));
  ASSIGN_OR_RETURN(auto sla, SlaStats(a, from, to, category));

  std::map<std::string, int64_t> by_channel;
  std::vector<int64_t> by_hour(24, 0);
  int64_t today_total = 0;
  for (const auto& r : o.today) {
    by_channel[r.channel] += r.count;
    if (r.hour >= 0 && r.hour < 24) by_hour[static_cast<size_t>(r.hour)] += r.count;
    today_total += r.count;
  }
  json channels = json::array();
  for (const auto& [ch, n] : by_channel) channels.push_back({{"channel", ch}, {"count", n}});
  std::sort(channels.begin(), channels.end(), [](const json& x, const json& y) { return x["count"] > y["count"]; });

  json statuses = json::array();
  int64_t open_total = 0;
  for (const auto& [st, n] : o.open_by_status) {
    auto parsed = ParseTicketStatus(st);
    statuses.push_back({{"status", st}, {"label", parsed ? TicketStatusLabelZh(*parsed) : st}, {"count", n}});
    open_total += n;
  }

  ASSIGN_OR_RETURN(auto cats, Categories());
  json categories = json::array();
  for (const auto& [code, n] : o.categories) {
    std::string name = code.empty() ? "未分类" : code;
    for (const auto& c : cats) if (c.code == code) name = c.name;
    categories.push_back({{"code", code}, {"name", name}, {"count", n}});
  }
  json areas = json::array();
  for (const auto& [id, n] : o.areas) {
    if (areas.size() >= 10) break;
    const Area* ar = org->FindArea(id);
    if (!ar) continue;
    areas.push_back({{"area_id", IdToString(id)}, {"name", ar->name}, {"count", n}});
  }

  json units = json::array();
  for (const auto& r : sla) {
    if (r.dispatched == 0) continue;
    const Unit* u = org->FindUnit(r.unit_id);
    if (u && IsCentre(u->kind)) continue;  // centres relay; the ranking is of handling units
    auto it = o.units.find(r.unit_id);
    const Store::Overview::UnitRatings ratings = it == o.units.end() ? Store::Overview::UnitRatings{} : it->second;
    // 按时办结率: replies on time among the replies and the orders already late (open, or
    // ended unanswered after their time limit).
    json on_time = Rate(r.replied_on_time, r.HandleCounted());
    json satisfaction = Rate(ratings.satisfied, ratings.rated);
    json kept = Rate(std::max<int64_t>(0, r.dispatched - ratings.returned), r.dispatched);
    units.push_back({{"unit_id", IdToString(r.unit_id)}, {"name", u ? u->name : ""}, {"dispatched", r.dispatched},
                     {"replied", r.replied}, {"returned", ratings.returned}, {"rated", ratings.rated},
                     {"on_time_rate", on_time}, {"satisfaction_rate", satisfaction},
                     {"overdue_open", r.open_overdue}, {"overdue_ended", r.ended_overdue}, {"score", UnitScore(on_time, satisfaction, kept)}});
  }
  std::stable_sort(units.begin(), units.end(), [](const json& x, const json& y) {
    const double sx = x["score"].is_null() ? -1 : x["score"].get<double>();
    const double sy = y["score"].is_null() ? -1 : y["score"].get<double>();
    return sx > sy;
  });
  RankByScore(units);

  // The city's 按时办结率 is the units' own, summed: replies on time among the replies and
  // the orders already overdue (leaving those out made the headline kinder than its units).
  int64_t replied = 0, replied_on_time = 0;
  for (const auto& r : sla) {
    const Unit* u = org->FindUnit(r.unit_id);
    if (u && IsCentre(u->kind)) continue;
    replied += r.HandleCounted();
    replied_on_time += r.replied_on_time;
  }
  return json{
      {"now", FormatIsoCity(now)},
      {"today", FormatIsoCity(day_start).substr(0, 10)},
      {"period", {{"from", FormatIsoCity(from)}, {"to", FormatIsoCity(to)}}},
      {"intake_today", {{"total", today_total}, {"by_channel", channels}, {"by_hour", by_hour}}},
      {"open", {{"total", open_total}, {"overdue", o.open_overdue}, {"yellow", o.open_yellow}, {"by_status", statuses}}},
      {"categories", categories},
      {"areas", areas},
      // Each rate with its numerator and denominator: a leader reads 100% on 3 ratings apart
      // from 100% on 300.
      {"rates", {{"created", o.created}, {"closed", o.closed}, {"rated", o.rated}, {"satisfied", o.satisfied},
                 {"on_time", replied_on_time}, {"on_time_base", replied}, {"answered_directly", o.answered_directly},
                 {"completion_rate", Rate(o.closed, o.created)}, {"on_time_rate", Rate(replied_on_time, replied)},
                 {"satisfaction_rate", Rate(o.satisfied, o.rated)},
                 {"direct_answer_rate", Rate(o.answered_directly, o.created)}}},
      {"board", UnitBoard(units, kBoardSize)},
      {"units", units}};
}

Result<json> Service::Queues(const Actor& a) {
  auto count = [&](auto&& fill) -> Result<int64_t> {
    TicketQuery q;
    q.page_size = 1;
    fill(q);
    ASSIGN_OR_RETURN(auto page, ListTickets(a, std::move(q), ""));
    return page.total;
  };
  json out = json::object();
  auto add = [&](const char* name, auto&& fill) -> Status {
    ASSIGN_OR_RETURN(int64_t n, count(fill));
    out[name] = n;
    return Status::Ok();
  };
  if (a.role == Role::kUnitHandler) {
    RETURN_IF_ERROR(add("unit_pending", [&](TicketQuery& q) { q.unit_id = a.unit_id, q.assignment_state = "pending"; }));
    RETURN_IF_ERROR(add("unit_in_progress", [&](TicketQuery& q) { q.unit_id = a.unit_id, q.assignment_state = "accepted"; }));
  } else {
    for (auto [name, st] : {std::pair<const char*, TicketStatus>{"received", TicketStatus::kReceived},
                            {"returned", TicketStatus::kReturned}, {"replied", TicketStatus::kReplied},
                            {"awaiting_callback", TicketStatus::kAwaitingCallback}}) {
      RETURN_IF_ERROR(add(name, [st = st](TicketQuery& q) { q.status = st; }));
    }
    RETURN_IF_ERROR(add("bounced", [](TicketQuery& q) { q.min_returns = 2; }));
    RETURN_IF_ERROR(add("awaiting_decision", [](TicketQuery& q) { q.awaiting = "any"; }));
  }
  // A unit handler's are its own orders' deadlines, as its inbox tabs select them.
  const Id own = a.role == Role::kUnitHandler ? a.unit_id : 0;
  RETURN_IF_ERROR(add("overdue", [own](TicketQuery& q) { q.overdue = true, q.unit_id = own; }));
  RETURN_IF_ERROR(add("yellow", [own](TicketQuery& q) { q.warning = "yellow", q.unit_id = own; }));
  return out;
}

}  // namespace hotline
