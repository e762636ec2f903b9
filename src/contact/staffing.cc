#include "contact/staffing.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace hotline::contact {

namespace {
constexpr int kMaxAgents = 100000;
constexpr int kMaxMinAgents = 1000;

// 1/B for Erlang B's loss B of n agents under A erlangs, by B's recurrence on the inverse,
// 1/B_k = 1 + (k/A)/B_{k-1}: stable for thousands of agents, no factorials. Past 1e250
// waiting is too rare to count and the walk stops (the result is then at least that).
constexpr double kRareWait = 1e250;
double InverseErlangB(int agents, double traffic) {
  double inv_b = 1;
  for (int k = 1; k <= agents && inv_b <= kRareWait; ++k) inv_b = 1 + inv_b * k / traffic;
  return inv_b;
}

}  // namespace

Status CheckTarget(const StaffingTarget& t) {
  if (!(t.aht_s >= 1 && t.aht_s <= 7200)) return InvalidArgument("aht", "must be 1 to 7200 seconds");
  if (!(t.answer_within_s >= 0 && t.answer_within_s <= 3600)) return InvalidArgument("answer_within", "must be 0 to 3600 seconds");
  if (!(t.service_level > 0 && t.service_level < 1)) return InvalidArgument("service_level", "must be above 0 and below 1");
  if (!(t.max_occupancy >= 0.1 && t.max_occupancy <= 1)) return InvalidArgument("max_occupancy", "must be 0.1 to 1");
  if (!(t.shrinkage >= 0 && t.shrinkage <= 0.95)) return InvalidArgument("shrinkage", "must be 0 to 0.95");
  if (t.min_agents < 0 || t.min_agents > kMaxMinAgents) return InvalidArgument("min_agents", "must be 0 to 1000");
  if (!(t.patience_s == 0 || (t.patience_s >= 1 && t.patience_s <= 3600))) {
    return InvalidArgument("patience", "must be 0 (nobody hangs up) or 1 to 3600 seconds");
  }
  if (!(t.max_abandon > 0 && t.max_abandon <= 1)) return InvalidArgument("max_abandon", "must be above 0 and at most 1");
  return Status::Ok();
}

Staffing ErlangA(int agents, double traffic, double aht_s, double patience_s, double answer_within_s) {
  Staffing s;
  s.agents = agents;
  s.traffic = traffic;
  if (traffic <= 0) return s;  // nobody calls: nobody waits
  if (agents <= 0) {           // nobody answers: everyone waits and hangs up
    s.service_level = 0;
    s.wait_probability = 1;
    s.abandon_rate = 1;
    return s;
  }
  // Rates per second: calls λ, all agents' answering nμ, one caller's hanging up θ.
  const double lambda = traffic / aht_s, nmu = agents / aht_s, theta = 1 / patience_s;
  // States by the callers waiting, k = 0, 1, ... with all agents busy: r_k = π(n + k) / π(n),
  // r_0 = 1, r_{k+1} = r_k · λ / (nμ + (k+1)θ). Below, π(< n) / π(n) = 1/B − 1, B the
  // Erlang B loss of n agents.
  const double inv_b = InverseErlangB(agents, traffic);
  if (inv_b > kRareWait) {  // waiting is too rare to count: answered at once
    s.occupancy = traffic / agents;
    return s;
  }
  // log r_k first: they can rise far above 1 (λ > nμ) before they fall, so sums are scaled
  // by the largest. The walk ends past the peak once a term is e^-40 below it.
  const double peak_k = std::max(0.0, (lambda - nmu) / theta);
  std::vector<double> log_r{0};
  double top = std::max(0.0, std::log(inv_b));
  for (size_t k = 0; k < 1000000; ++k) {
    const double next = log_r.back() + std::log(lambda / (nmu + static_cast<double>(k + 1) * theta));
    top = std::max(top, next);
    log_r.push_back(next);
    if (static_cast<double>(k) > peak_k && next < top - 40) break;
  }
  // A caller finding k waiting is answered with chance p_k = nμ / (nμ + (k+1)θ) (each step
  // down the queue races its own hanging up), after a time that, on that path, is a sum of
  // exponentials of rates nμ + θ, ..., nμ + (k+1)θ: P(time ≤ t) = I_z(k+1, (nμ+θ)/θ) with
  // z = 1 − e^(−θt), I the regularised incomplete Beta, walked up in k by
  // I_z(a+1, b) = I_z(a, b) − z^a (1−z)^b Γ(a+b) / (Γ(a+1) Γ(b)).
  const double t = answer_within_s, b = (nmu + theta) / theta;
  const double log_z = t > 0 ? std::log(-std::expm1(-theta * t)) : 0, log_1mz = -theta * t;
  double incomplete = t > 0 ? -std::expm1(b * log_1mz) : 0;      // I_z(1, b) = 1 − (1−z)^b
  double log_term = t > 0 ? log_z + b * log_1mz + std::log(b) : 0;  // of I_z(1,b) − I_z(2,b)
  double mass = 0, queue = 0, answered_in_time = 0, answered_wait = 0, mean_time = 0;
  for (size_t k = 0; k < log_r.size(); ++k) {
    const double w = std::exp(log_r[k] - top);
    const double rate_out = nmu + static_cast<double>(k + 1) * theta;
    const double p_answer = nmu / rate_out;
    mean_time += 1 / rate_out;
    mass += w;
    queue += w * static_cast<double>(k);
    if (t > 0) {
      answered_in_time += w * p_answer * std::max(0.0, incomplete);
      const double a = static_cast<double>(k + 1);
      incomplete -= std::exp(log_term);
      log_term += log_z + std::log((a + b) / (a + 1));
    }
    answered_wait += w * p_answer * mean_time;
  }
  const double below = std::exp(std::log(inv_b) - top) - std::exp(-top);  // π(< n), scaled
  const double z_all = below + mass;
  s.wait_probability = mass / z_all;
  s.abandon_rate = std::min(1.0, theta * (queue / z_all) / lambda);
  s.service_level = (below + answered_in_time) / z_all;
  const double answered = 1 - s.abandon_rate;
  s.asa_s = answered > 0 ? (answered_wait / z_all) / answered : 0;
  s.occupancy = traffic * answered / agents;
  return s;
}

double ErlangC(int agents, double traffic) {
  if (traffic <= 0) return 0;
  if (agents <= traffic) return 1;
  // C from Erlang B.
  const double b = 1 / InverseErlangB(agents, traffic);
  const double rho = traffic / agents;
  return b / (1 - rho + rho * b);
}

namespace {

int StaffFor(int agents, double shrinkage) { return static_cast<int>(std::ceil(agents / (1 - shrinkage) - 1e-9)); }

// Erlang A's plan: callers who hang up count as not answered in time, and at most
// max_abandon of them may hang up. Against Erlang C, patience can need more agents (callers
// who would have been answered at 15 s hang up at 10 s) or fewer (the queue sheds load).
// Every figure only improves with agents, so the count is found by bisection.
Result<Staffing> PlanWithHangUps(double calls_per_hour, const StaffingTarget& t) {
  const double traffic = calls_per_hour * t.aht_s / 3600;
  auto plan = [&](int n) { return ErlangA(n, traffic, t.aht_s, t.patience_s, t.answer_within_s); };
  auto meets = [&](const Staffing& s) {
    return s.service_level + 1e-12 >= t.service_level && s.occupancy <= t.max_occupancy + 1e-12 &&
           s.abandon_rate <= t.max_abandon + 1e-12;
  };
  StaffingTarget no_hang_ups = t;
  no_hang_ups.patience_s = 0;
  no_hang_ups.min_agents = 0;
  ASSIGN_OR_RETURN(Staffing c, PlanFor(calls_per_hour, no_hang_ups));
  // The fewest agents that meet the target lie in [lo, hi]: from Erlang C's count, double
  // until it is met, then halve the range (each look costs a pass over the queue's states).
  int lo = std::max(t.min_agents, traffic > 0 ? 1 : 0);
  int hi = std::max(c.agents, lo);
  while (!meets(plan(hi))) {
    if (hi >= kMaxAgents) return InvalidArgument("calls_per_hour", "needs more than 100000 agents at this handling time");
    lo = hi + 1;
    hi = std::min(kMaxAgents, 2 * hi);
  }
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    if (meets(plan(mid))) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  const int n = hi;
  Staffing s = plan(n);
  s.staff = StaffFor(n, t.shrinkage);
  return s;
}

}  // namespace

Result<Staffing> PlanFor(double calls_per_hour, const StaffingTarget& t) {
  RETURN_IF_ERROR(CheckTarget(t));
  if (!(calls_per_hour >= 0 && calls_per_hour <= kMaxCallsPerHour)) {
    return InvalidArgument("calls_per_hour", "must be 0 to 100000");
  }
  if (t.patience_s > 0) return PlanWithHangUps(calls_per_hour, t);
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
  s.staff = StaffFor(n, t.shrinkage);
  if (n == 0) return s;
  s.wait_probability = ErlangC(n, s.traffic);
  s.service_level = level(n);
  s.asa_s = s.wait_probability * t.aht_s / (n - s.traffic);
  s.occupancy = s.traffic / n;
  return s;
}

WeekLoad LoadByHourOfWeek(const std::vector<int64_t>& counts, int first_hour_of_week, size_t observed_from) {
  WeekLoad w;
  w.weeks = static_cast<int>(counts.size() / 168);
  if (w.weeks == 0) return w;
  const size_t end = static_cast<size_t>(w.weeks) * 168;
  observed_from = std::min(observed_from, end);
  w.weeks_observed = static_cast<double>(end - observed_from) / 168;
  std::array<int, 168> seen{};
  for (size_t i = observed_from; i < end; ++i) {
    const size_t h = (i + static_cast<size_t>(((first_hour_of_week % 168) + 168) % 168)) % 168;
    ++seen[h];
    w.mean[h] += static_cast<double>(counts[i]);
    w.peak[h] = std::max(w.peak[h], static_cast<double>(counts[i]));
  }
  for (size_t h = 0; h < 168; ++h) w.mean[h] = seen[h] ? w.mean[h] / seen[h] : 0.0;
  return w;
}

}  // namespace hotline::contact
