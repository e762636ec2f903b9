#include "contact/staffing.h"

#include <gtest/gtest.h>

#include <cmath>
#include <queue>
#include <random>
#include <vector>

namespace hotline::contact {
namespace {

// The textbook case: 200 calls an hour of 180 s each is 10 Erlangs; 80 % within 20 s needs
// 14 agents (13 answer only 79.6 %). Values from the closed-form Erlang C sum.
TEST(Staffing, ErlangCMatchesTheClosedForm) {
  EXPECT_NEAR(ErlangC(11, 10), 0.682118, 1e-6);
  EXPECT_NEAR(ErlangC(12, 10), 0.449388, 1e-6);
  EXPECT_NEAR(ErlangC(13, 10), 0.285270, 1e-6);
  EXPECT_NEAR(ErlangC(14, 10), 0.174132, 1e-6);
  EXPECT_EQ(ErlangC(10, 10), 1.0) << "as many agents as Erlangs: the queue never empties";
  EXPECT_EQ(ErlangC(3, 0), 0.0);
  // The recurrence holds for a province-sized centre, where factorials would overflow.
  const double big = ErlangC(1100, 1000);
  EXPECT_GT(big, 0.0);
  EXPECT_LT(big, 0.01);
}

TEST(Staffing, PlanMeetsTheServiceLevelWithTheFewestAgents) {
  StaffingTarget t;
  t.aht_s = 180;
  t.answer_within_s = 20;
  t.service_level = 0.8;
  t.max_occupancy = 1;
  t.shrinkage = 0.3;
  auto p = PlanFor(200, t);
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_DOUBLE_EQ(p->traffic, 10);
  EXPECT_EQ(p->agents, 14);
  EXPECT_NEAR(p->service_level, 0.888350, 1e-6);
  EXPECT_NEAR(p->asa_s, 7.8359, 1e-4);
  EXPECT_NEAR(p->occupancy, 10.0 / 14, 1e-12);
  EXPECT_EQ(p->staff, 20) << "14 / 0.7";
  // 75 % is met by 13.
  t.service_level = 0.75;
  EXPECT_EQ(PlanFor(200, t)->agents, 13);
  // An occupancy cap of 70 % needs 15 (10 / 15 = 67 %), whatever the queue allows.
  t.max_occupancy = 0.7;
  EXPECT_EQ(PlanFor(200, t)->agents, 15);
  // No calls: the minimum on the lines (one, by default: the line is 7×24), or none.
  auto quiet = PlanFor(0, t);
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(quiet->agents, 1);
  EXPECT_EQ(quiet->staff, 2);
  EXPECT_EQ(quiet->service_level, 1);
  EXPECT_EQ(quiet->occupancy, 0);
  t.min_agents = 20;
  EXPECT_EQ(PlanFor(200, t)->agents, 20) << "the minimum above what the load needs";
  EXPECT_NEAR(PlanFor(200, t)->occupancy, 0.5, 1e-12);
  t.min_agents = 0;
  auto none = PlanFor(0, t);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->agents, 0);
  EXPECT_EQ(none->staff, 0);
  // More calls never need fewer agents.
  int last = 0;
  for (double calls = 0; calls <= 2000; calls += 37) {
    const int n = PlanFor(calls, t)->agents;
    EXPECT_GE(n, last) << calls;
    last = n;
  }
}

TEST(Staffing, BadTargetsNameTheirField) {
  StaffingTarget t;
  auto field = [](const Result<Staffing>& r) { return r.ok() ? std::string("ok") : r.status().message(); };
  t.aht_s = 0;
  EXPECT_NE(field(PlanFor(10, t)).find("aht"), std::string::npos);
  t = {};
  t.service_level = 1;
  EXPECT_NE(field(PlanFor(10, t)).find("service_level"), std::string::npos);
  t = {};
  t.shrinkage = 1;
  EXPECT_NE(field(PlanFor(10, t)).find("shrinkage"), std::string::npos);
  t = {};
  t.shrinkage = 0.9999999999;  // would schedule ten billion staff for one agent
  EXPECT_NE(field(PlanFor(10, t)).find("shrinkage"), std::string::npos);
  t = {};
  t.max_occupancy = 0;
  EXPECT_NE(field(PlanFor(10, t)).find("max_occupancy"), std::string::npos);
  t.max_occupancy = 1e-12;
  EXPECT_NE(field(PlanFor(10, t)).find("max_occupancy"), std::string::npos);
  t = {};
  t.aht_s = 7200;
  EXPECT_NE(field(PlanFor(kMaxCallsPerHour, t)).find("calls_per_hour"), std::string::npos) << "200,000 Erlangs";
  t = {};
  t.min_agents = -1;
  EXPECT_NE(field(PlanFor(10, t)).find("min_agents"), std::string::npos);
  t = {};
  EXPECT_NE(field(PlanFor(-1, t)).find("calls_per_hour"), std::string::npos);
  EXPECT_NE(field(PlanFor(1e9, t)).find("calls_per_hour"), std::string::npos);
  auto largest = PlanFor(kMaxCallsPerHour, t);
  ASSERT_TRUE(largest.ok()) << "the largest load still plans at 300 s a call";
  EXPECT_GT(largest->agents, 8333);
  EXPECT_LT(largest->agents, 10000);
}

// Erlang A at its limits: patience without end is Erlang C; no patience at all is Erlang B
// (a caller who finds every agent busy is lost).
TEST(Staffing, ErlangAReachesErlangCAndErlangBAtItsLimits) {
  const Staffing c = ErlangA(14, 10, 180, 1e9, 20);
  EXPECT_NEAR(c.wait_probability, 0.174132, 1e-5);
  EXPECT_NEAR(c.service_level, 0.888350, 1e-5);
  EXPECT_NEAR(c.asa_s, 7.8359, 1e-3);
  EXPECT_NEAR(c.abandon_rate, 0, 1e-6);
  EXPECT_NEAR(c.occupancy, 10.0 / 14, 1e-6);
  // Erlang B of 14 agents at 10 Erlangs, by the textbook sum: 0.0569.
  double term = 1, sum = 1;
  for (int k = 1; k <= 14; ++k) sum += (term *= 10.0 / k);
  const double erlang_b = term / sum;
  const Staffing b = ErlangA(14, 10, 180, 1e-6, 20);
  EXPECT_NEAR(b.abandon_rate, erlang_b, 1e-6);
  EXPECT_NEAR(b.wait_probability, erlang_b, 1e-6);
  EXPECT_NEAR(b.service_level, 1 - erlang_b, 1e-6);
  // Nobody calls; nobody answers.
  EXPECT_EQ(ErlangA(3, 0, 180, 60, 20).service_level, 1);
  EXPECT_EQ(ErlangA(0, 2, 180, 60, 20).abandon_rate, 1);
  // Far more agents than calls: answered at once, without overflowing the sums.
  const Staffing idle = ErlangA(5000, 1, 180, 60, 20);
  EXPECT_NEAR(idle.service_level, 1, 1e-12);
  EXPECT_NEAR(idle.occupancy, 1.0 / 5000, 1e-12);
}

// Erlang A against a simulation of the queue it models: Poisson calls, exponential handling
// and patience, one first-come-first-served queue; a caller hangs up when the wait for the
// first free agent exceeds their patience. Half a million calls put the simulated shares
// within about ±0.003 of the truth.
TEST(Staffing, ErlangAMatchesASimulatedQueue) {
  struct Case { int agents; double traffic, aht, patience, within; };
  for (const Case k : {Case{14, 10, 180, 60, 20}, Case{9, 10, 180, 120, 20}, Case{50, 52, 300, 30, 10}}) {
    std::mt19937_64 rng(7);
    std::exponential_distribution<double> gap(k.traffic / k.aht), handle(1 / k.aht), patience(1 / k.patience);
    std::priority_queue<double, std::vector<double>, std::greater<>> free_at;
    for (int i = 0; i < k.agents; ++i) free_at.push(0);
    double now = 0, waited = 0;
    int64_t calls = 0, in_time = 0, lost = 0, answered = 0, queued = 0;
    for (; calls < 500000; ++calls) {
      now += gap(rng);
      const double start = std::max(now, free_at.top());
      if (start > now) ++queued;
      if (start - now > patience(rng)) {
        ++lost;
        continue;
      }
      free_at.pop();
      free_at.push(start + handle(rng));
      ++answered;
      waited += start - now;
      if (start - now <= k.within) ++in_time;
    }
    const Staffing a = ErlangA(k.agents, k.traffic, k.aht, k.patience, k.within);
    const double n = static_cast<double>(calls);
    EXPECT_NEAR(a.service_level, in_time / n, 0.006) << k.agents;
    EXPECT_NEAR(a.abandon_rate, lost / n, 0.004) << k.agents;
    EXPECT_NEAR(a.wait_probability, queued / n, 0.006) << k.agents;
    EXPECT_NEAR(a.asa_s, waited / static_cast<double>(answered), 0.05 * a.asa_s + 0.2) << k.agents;
  }
}

// With callers hanging up, the plan counts those who do as not answered in time and keeps
// them under max_abandon: impatient callers need more agents than Erlang C, patient ones
// about as many (the queue sheds a little load).
TEST(Staffing, PlanWithHangUpsMeetsTheTargetWithTheFewestAgents) {
  StaffingTarget t;
  t.aht_s = 180;
  t.max_occupancy = 1;
  auto meets = [&](const Staffing& s) { return s.service_level >= 0.8 && s.abandon_rate <= 0.05; };
  std::vector<int> agents;
  for (double patience : {5.0, 30.0, 120.0, 600.0, 3600.0}) {
    t.patience_s = patience;
    auto p = PlanFor(200, t);
    ASSERT_TRUE(p.ok()) << p.status().message();
    EXPECT_TRUE(meets(*p)) << patience;
    EXPECT_FALSE(meets(ErlangA(p->agents - 1, 10, 180, patience, 20))) << patience;
    EXPECT_GT(p->abandon_rate, 0) << patience;
    EXPECT_EQ(p->staff, static_cast<int>(std::ceil(p->agents / 0.7 - 1e-9)));
    agents.push_back(p->agents);
  }
  EXPECT_GT(agents.front(), 14) << "5 s of patience: more than Erlang C's 14";
  EXPECT_NEAR(agents.back(), 14, 1) << "an hour's patience: about Erlang C's count";
  // Without the abandonment cap, 5 s of patience sheds so much load that fewer suffice.
  t.patience_s = 5;
  t.max_abandon = 1;
  EXPECT_LT(PlanFor(200, t)->agents, 14);
  t.max_abandon = 0;
  EXPECT_NE(PlanFor(200, t).status().message().find("max_abandon"), std::string::npos);
  t.max_abandon = 0.05;
  t.patience_s = 0;
  EXPECT_EQ(PlanFor(200, t)->agents, 14);
  t.patience_s = 0.5;
  EXPECT_NE(PlanFor(200, t).status().message().find("patience"), std::string::npos);
  t.patience_s = 4000;
  EXPECT_NE(PlanFor(200, t).status().message().find("patience"), std::string::npos);
  t.patience_s = 60;
  auto quiet = PlanFor(0, t);
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(quiet->agents, 1);
  EXPECT_EQ(quiet->service_level, 1);
}

TEST(Staffing, WeekLoadIsEachHoursMeanAndPeakOverWholeWeeks) {
  // Two weeks and a bit, starting on a Wednesday 0:00 (hour 48 of the week).
  std::vector<int64_t> counts(2 * 168 + 5, 0);
  counts[0] = 4;        // week 1, Wednesday 0:00
  counts[168] = 10;     // week 2, Wednesday 0:00
  counts[120] = 7;      // week 1, Monday 0:00 (120 hours after Wednesday 0:00)
  counts[2 * 168] = 99; // a partial third week: left out
  auto w = LoadByHourOfWeek(counts, 48);
  EXPECT_EQ(w.weeks, 2);
  EXPECT_DOUBLE_EQ(w.mean[48], 7);
  EXPECT_DOUBLE_EQ(w.peak[48], 10);
  EXPECT_DOUBLE_EQ(w.mean[0], 3.5);
  EXPECT_DOUBLE_EQ(w.peak[0], 7);
  EXPECT_EQ(LoadByHourOfWeek(std::vector<int64_t>(100, 1), 0).weeks, 0);
}

TEST(Staffing, HoursBeforeTheFirstContactAreNotObservations) {
  // Four weeks asked, contacts on record only in the last two (a new centre): each hour is
  // the mean of the weeks that saw it, not halved by the two empty weeks before.
  std::vector<int64_t> counts(4 * 168, 0);
  for (size_t i = 2 * 168; i < 4 * 168; ++i) counts[i] = 6;
  const auto w = LoadByHourOfWeek(counts, 0, 2 * 168);
  EXPECT_EQ(w.weeks, 4);
  EXPECT_DOUBLE_EQ(w.weeks_observed, 2);
  EXPECT_DOUBLE_EQ(w.mean[10], 6);
  // From the middle of a week: the hours before it count one week fewer.
  counts.assign(2 * 168, 2);
  const auto half = LoadByHourOfWeek(counts, 0, 84);
  EXPECT_DOUBLE_EQ(half.mean[0], 2);
  EXPECT_DOUBLE_EQ(half.mean[100], 2);
  EXPECT_DOUBLE_EQ(half.weeks_observed, 1.5);
  EXPECT_DOUBLE_EQ(LoadByHourOfWeek(counts, 0).mean[0], 2);
}

}  // namespace
}  // namespace hotline::contact
