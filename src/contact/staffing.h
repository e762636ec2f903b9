// Seat planning (坐席排班测算): how many agents must be on the lines for a given load to
// answer the target share of calls in time, and how many staff that means once breaks,
// training and absence (shrinkage) are allowed for. Calls arrive at random and wait in one
// queue: by the Erlang C model when no caller hangs up, by Erlang A (M/M/n+M) when callers
// hang up after a random patience of the given mean.
#pragma once

#include <array>
#include <vector>

#include "core/status.h"

namespace hotline::contact {

// What the centre promises its callers.
struct StaffingTarget {
  double aht_s = 300;           // average handling time of a call: talk plus wrap-up (话后处理)
  double answer_within_s = 20;  // answered within this many seconds...
  double service_level = 0.8;   // ...this share of calls (80/20)
  double max_occupancy = 0.85;  // agents busy at most this share of their time (0.1 to 1)
  double shrinkage = 0.3;       // share of paid time off the lines: breaks, training, leave (0 to 0.95)
  int min_agents = 1;           // on the lines whatever the load: a 7×24 line is never unmanned
  double patience_s = 0;        // callers' mean patience before hanging up (0: nobody hangs up, Erlang C)
  double max_abandon = 0.05;    // with patience: at most this share hangs up before an answer (接通率 95 %)
};

// The plan for one load.
struct Staffing {
  double traffic = 0;          // offered load in Erlangs: calls an hour × AHT / 3600
  int agents = 0;              // on the lines at once (坐席数)
  int staff = 0;               // to schedule: agents / (1 - shrinkage), rounded up (排班人数)
  double service_level = 1;    // share of all callers answered within the target time
  double wait_probability = 0; // share that waits at all
  double abandon_rate = 0;     // share that hangs up before an answer (0 under Erlang C)
  double asa_s = 0;            // average speed of answer of the answered calls
  double occupancy = 0;        // answered traffic / agents
};

// Checks a target's fields (the error names the field).
Status CheckTarget(const StaffingTarget& t);

// Erlang C: the probability that a call waits, with `agents` agents and `traffic` Erlangs
// offered (1 when agents <= traffic: the queue grows without end).
double ErlangC(int agents, double traffic);

// Erlang A (M/M/n+M): `agents` agents, `traffic` Erlangs offered (calls a second × AHT),
// callers hanging up after an exponential patience of mean `patience_s` (> 0). Fills the
// queue figures of a Staffing (service_level within `answer_within_s`, wait_probability,
// abandon_rate, asa_s, occupancy). Exact: the queue's stationary law, and for a caller
// finding k ahead the chance to be answered, n/(n + (k+1)·AHT/patience), and the time to it,
// a sum of exponentials with rates in arithmetic progression (a transformed Beta law).
Staffing ErlangA(int agents, double traffic, double aht_s, double patience_s, double answer_within_s);

// The plan for `calls_per_hour` (0 to kMaxCallsPerHour): the fewest agents, at least
// `min_agents`, that meet both the service level and the occupancy cap.
inline constexpr double kMaxCallsPerHour = 100000;
Result<Staffing> PlanFor(double calls_per_hour, const StaffingTarget& t);

// A week's load by hour (7 × 24, Monday 0:00 first, city time) from contacts counted per
// hour over whole weeks: each hour's mean over the weeks, and its busiest week.
struct WeekLoad {
  std::array<double, 168> mean{};
  std::array<double, 168> peak{};
  int weeks = 0;
  double weeks_observed = 0;  // the hours from `observed_from` on, in weeks
};
// `counts[i]` is the count of hour i after `first_hour_of_week` (0: a Monday 0:00). Hours
// before `observed_from` (before the first contact on record: a new centre, a channel
// opened last week) are not observations: each hour of the week is averaged over the
// weeks that observed it, not diluted by the time before there was anything to count.
WeekLoad LoadByHourOfWeek(const std::vector<int64_t>& counts, int first_hour_of_week, size_t observed_from = 0);

}  // namespace hotline::contact
