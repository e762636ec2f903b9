#include "contact/staffing.h"

#include <algorithm>
#include <cmath>

namespace hotline::contact {

namespace {
constexpr int kMaxAgents = 100000;
constexpr int kMaxMinAgents = 1000;
}  // namespace

Status CheckTarget(const StaffingTarget& t) {
  if (!(t.aht_s >= 1 && t.aht_s <= 7200)) return InvalidArgument("aht", "must be 1 to 7200 seconds");
  if (!(t.answer_within_s >= 0 && t.answer_within_s <= 3600)) return InvalidArgument("answer_within", "must be 0 to 3600 seconds");
  if (!(t.service_level > 0 && t.service_level < 1)) return InvalidArgument("service_level", "must be above 0 and below 1");
  if (!(t.max_occupancy >= 0.1 && t.max_occupancy <= 1)) return InvalidArgument("max_occupancy", "must be 0.1 to 1");
  if (!(t.shrinkage >= 0 && t.shrinkage <= 0.95)) return InvalidArgument("shrinkage", "must be 0 to 0.95");
  if (t.min_agents < 0 || t.min_agents > kMaxMinAgents) return InvalidArgument("min_agents", "must be 0 to 1000");
  return Status::Ok();
}

double ErlangC(int agents, double traffic) {
  if (traffic <= 0) return 0;
  if (agents <= traffic) return 1;
  // Erlang B by its recurrence (stable for thousands of agents, no factorials), then C from B.
  double b = 1;
  for (int k = 1; k <= agents; ++k) b = traffic * b / (k + traffic * b);
  const double rho = traffic / agents;
  return b / (1 - rho + rho * b);
}

Result<Staffing> PlanFor(double calls_per_hour, const StaffingTarget& t) {
  RETURN_IF_ERROR(CheckTarget(t));
  if (!(calls_per_hour >= 0 && calls_per_hour <= kMaxCallsPerHour)) {
    return InvalidArgument("calls_per_hour", "must be 0 to 100000");
  }
  Staffing s;
  s.traffic = calls_per_hour * t.aht_s / 3600;
  auto level = [&](int n) { return 1 - ErlangC(n, s.traffic) * std::exp(-(n - s.traffic) * t.answer_within_s / t.aht_s); };
  int n = 0;
  if (s.traffic > 0) {
    // The occupancy cap gives a floor; Erlang C then adds agents until the service level holds.
    const double floor_n = std::max(std::floor(s.traffic) + 1, std::ceil(s.traffic / t.max_occupancy - 1e-9));
    if (floor_n > kMaxAgents) return InvalidArgument("calls_per_hour", "needs more than 100000 agents at this handling time");
    n = static_cast<int>(floor_n);
    while (n <= kMaxAgents && level(n) + 1e-12 < t.service_level) ++n;
    if (n > kMaxAgents) return InvalidArgument("calls_per_hour", "needs more than 100000 agents at this handling time");
  }
  n = std::max(n, t.min_agents);
  s.agents = n;
  s.staff = static_cast<int>(std::ceil(n / (1 - t.shrinkage) - 1e-9));
  if (n == 0) return s;
  s.wait_probability = ErlangC(n, s.traffic);
  s.service_level = level(n);
  s.asa_s = s.wait_probability * t.aht_s / (n - s.traffic);
  s.occupancy = s.traffic / n;
  return s;
}

WeekLoad LoadByHourOfWeek(const std::vector<int64_t>& counts, int first_hour_of_week) {
  WeekLoad w;
  w.weeks = static_cast<int>(counts.size() / 168);
  if (w.weeks == 0) return w;
  for (size_t i = 0; i < static_cast<size_t>(w.weeks) * 168; ++i) {
    const size_t h = (i + static_cast<size_t>(((first_hour_of_week % 168) + 168) % 168)) % 168;
    w.mean[h] += static_cast<double>(counts[i]);
    w.peak[h] = std::max(w.peak[h], static_cast<double>(counts[i]));
  }
  for (double& m : w.mean) m /= w.weeks;
  return w;
}

}  // namespace hotline::contact
