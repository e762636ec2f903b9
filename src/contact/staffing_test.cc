#include "contact/staffing.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace hotline::contact
