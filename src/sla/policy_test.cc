// SLA policies on the lifecycle: working-day clocks at dispatch, extensions, suspension,
// the timer's alarms raised exactly once, and recomputation when the calendar changes.
#include <gtest/gtest.h>

#include "org/org.h"
#include "sla/policy.h"

namespace hotline {
namespace {

TimeMs T(const char* iso) { return *ParseIso(iso); }

class SlaLifecycle : public ::testing::Test {
 protected:
  SlaLifecycle()
      : clock_(T("2025-09-30T09:00:00+08:00")), ids_(&clock_, 1),
        org_({{1, "市中心", UnitKind::kCityCenter, 0, 0, "", true}, {2, "住建局", UnitKind::kDepartment, 1, 0, "", true}},
             {}, {}),
        policy_(SlaPolicyDoc::Default(), Calendar::Default()) {}

  Ticket New(const char* urgency = "normal", const char* type = "complaint") {
    Ticket t;
    t.id = ids_.Next();
    t.channel = "phone";
    t.request_type = type;
    t.urgency = urgency;
    t.content = "路灯不亮";
    t.intake_unit_id = 1;
    t.created_at = clock_.NowMs();
    return t;
  }
  Result<Decision> Run(const Ticket& t, Command c, Role role, Id unit, const Policy* p = nullptr) {
    CommandContext ctx{clock_.NowMs(), &org_, p ? p : &policy_, &ids_, nullptr};
    return Decide(t, c, Actor{static_cast<Id>(role) + 1, role, unit, "u"}, ctx);
  }
  Ticket Must(const Ticket& t, Command c, Role role, Id unit, const Policy* p = nullptr) {
    auto r = Run(t, c, role, unit, p);
    EXPECT_TRUE(r.ok()) << CommandName(c.type) << ": " << r.status().ToString();
    return r.ok() ? r->ticket : t;
  }
  Ticket Dispatched(const char* urgency = "normal", const char* type = "complaint") {
    Command c;
    c.type = CommandType::kDispatch;
    c.unit_id = 2;
    c.mode = "direct";
    return Must(New(urgency, type), c, Role::kDispatcher, 1);
  }
  std::vector<std::string> Tick(Ticket* t) {
    Command c;
    c.type = CommandType::kSlaTick;
    auto r = Run(*t, c, Role::kSystem, 0);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> types;
    if (!r.ok()) return types;
    for (const auto& e : r->events) {
      EXPECT_TRUE(e.system);
      types.push_back(e.type);
    }
    EXPECT_EQ(r->ticket.version, t->version) << "system events never bump the version";
    *t = r->ticket;
    return types;
  }

  ManualClock clock_;
  IdGenerator ids_;
  OrgSnapshot org_;
  SlaPolicy policy_;
};

TEST_F(SlaLifecycle, DefaultRulesGiveWorkingDayClocks) {
  Ticket t = Dispatched();
  const Assignment& a = t.assignments[0];
  EXPECT_TRUE(a.clocks.handle_working);
  EXPECT_EQ(a.clocks.policy_version, 1);
  EXPECT_EQ(FormatIsoCity(a.handle_due_at), "2025-10-14T09:00:00+08:00");  // the published example
  EXPECT_EQ(FormatIsoCity(a.accept_due_at), "2025-10-09T09:00:00+08:00");  // 1 wd across 国庆
  EXPECT_EQ(t.due_at, a.handle_due_at);
  // yellow at 75 % of five working days: 3.75 wd
  EXPECT_EQ(FormatIsoCity(a.handle_warn_at), "2025-10-13T03:00:00+08:00");
  Ticket e = Dispatched("emergency");
  EXPECT_FALSE(e.assignments[0].clocks.handle_working);
  EXPECT_EQ(e.assignments[0].handle_due_at - e.assignments[0].dispatched_at, 2 * kHourMs);
  Ticket c = Dispatched("normal", "consultation");
  EXPECT_EQ(FormatIsoCity(c.assignments[0].handle_due_at), "2025-10-11T09:00:00+08:00");  // Saturday, worked
}

TEST_F(SlaLifecycle, ExtensionsAndSuspensionMoveDeadlinesInWorkingTime) {
  Ticket t = Dispatched();
  Command accept;
  accept.type = CommandType::kAccept;
  t = Must(t, accept, Role::kUnitHandler, 2);
  Command ext;
  ext.type = CommandType::kRequestExtension;
  ext.days = 2;
  ext.reason = "需现场勘查";
  t = Must(t, ext, Role::kUnitHandler, 2);
  Command ok;
  ok.type = CommandType::kDecideExtension;
  ok.approve = true;
  t = Must(t, ok, Role::kSupervisor, 1);
  EXPECT_EQ(FormatIsoCity(t.assignments[0].handle_due_at), "2025-10-16T09:00:00+08:00");
  EXPECT_EQ(t.due_at, t.assignments[0].handle_due_at);
  // Suspended from Friday 10-10 09:00 to Monday 10-13 09:00: 15 h of Friday, all of
  // Saturday 10-11 (a 调休 working day) and 9 h of Monday — two working days — are not counted.
  clock_.Set(T("2025-10-10T09:00:00+08:00"));
  Command sus;
  sus.type = CommandType::kSuspend;
  sus.reason = "等待市民补充材料";
  t = Must(t, sus, Role::kSupervisor, 1);
  EXPECT_EQ(t.assignments[0].next_alarm_at, 0) << "no alarms while suspended";
  clock_.Set(T("2025-10-13T09:00:00+08:00"));
  Command res;
  res.type = CommandType::kResume;
  t = Must(t, res, Role::kUnitHandler, 2);
  EXPECT_EQ(t.assignments[0].suspended_ms, 2 * kDayMs);
  EXPECT_EQ(FormatIsoCity(t.assignments[0].handle_due_at), "2025-10-20T09:00:00+08:00");
}

TEST_F(SlaLifecycle, TimerRaisesEachAlarmOnce) {
  Ticket t = Dispatched();
  EXPECT_TRUE(Tick(&t).empty());
  EXPECT_EQ(t.NextAlarmAt(), t.assignments[0].accept_due_at);
  clock_.Set(t.assignments[0].accept_due_at);
  EXPECT_EQ(Tick(&t), std::vector<std::string>{"accept_overdue"});
  EXPECT_TRUE(Tick(&t).empty()) << "the same threshold never fires twice";
  clock_.Set(t.assignments[0].handle_warn_at);
  EXPECT_EQ(Tick(&t), std::vector<std::string>{"sla_warning"});
  EXPECT_EQ(t.LevelAt(clock_.NowMs()), WarningLevel::kYellow);
  clock_.Set(t.assignments[0].handle_due_at + kMinuteMs);
  EXPECT_EQ(Tick(&t), (std::vector<std::string>{"sla_overdue", "urged"}));
  EXPECT_EQ(t.urge_count, 1);
  EXPECT_EQ(t.LevelAt(clock_.NowMs()), WarningLevel::kRed);
  clock_.Set(t.assignments[0].supervise_at);
  EXPECT_EQ(Tick(&t), std::vector<std::string>{"supervised"});
  EXPECT_TRUE(t.supervised);
  EXPECT_EQ(t.escalation_level, 2);
  EXPECT_EQ(t.NextAlarmAt(), 0);
  EXPECT_TRUE(Tick(&t).empty());
  // Users cannot run the timer's command.
  Command c;
  c.type = CommandType::kSlaTick;
  EXPECT_EQ(Run(t, c, Role::kAdmin, 1).status().code(), Code::kPermissionDenied);
}

TEST_F(SlaLifecycle, LateCallbacksRaiseOneAlarm) {
  Ticket t = Dispatched();
  Command c;
  c.type = CommandType::kAccept;
  t = Must(t, c, Role::kUnitHandler, 2);
  c.type = CommandType::kReply;
  c.content = "已修复";
  t = Must(t, c, Role::kUnitHandler, 2);
  clock_.Set(T("2025-10-09T10:00:00+08:00"));
  c.type = CommandType::kReview;
  c.decision = "approve";
  t = Must(t, c, Role::kReviewer, 1);
  EXPECT_EQ(FormatIsoCity(t.callback_due_at), "2025-10-10T10:00:00+08:00");  // 1 working day
  EXPECT_EQ(t.NextAlarmAt(), t.callback_due_at);
  clock_.Set(t.callback_due_at);
  EXPECT_EQ(Tick(&t), std::vector<std::string>{"callback_overdue"});
  EXPECT_TRUE(Tick(&t).empty());
  EXPECT_EQ(t.NextAlarmAt(), 0);
}

TEST_F(SlaLifecycle, CalendarChangeRecomputesOpenDeadlines) {
  // Dispatched under a calendar that does not know 2027; next year's notice then arrives.
  clock_.Set(T("2027-09-30T09:00:00+08:00"));
  Ticket t = Dispatched();
  EXPECT_EQ(FormatIsoCity(t.assignments[0].handle_due_at), "2027-10-07T09:00:00+08:00");
  auto cal = Calendar::FromJson(R"({"name":"cn-mainland","years":{"2027":{"holidays":["2027-10-01..2027-10-07"],
                                    "workdays":["2027-09-26","2027-10-09"]}}})");
  ASSERT_TRUE(cal.ok());
  SlaPolicy updated(SlaPolicyDoc::Default(), *cal);
  Command c;
  c.type = CommandType::kRecomputeDeadlines;
  c.reason = "calendar cn-mainland updated";
  auto r = Run(t, c, Role::kSystem, 0, &updated);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0].type, "deadline_recomputed");
  // 09-30 15 h, 10-01…07 off, 10-08 24 h, 10-09 (Saturday, worked) 24 h, 10-11 24 h, 10-12 24 h,
  // and the last 9 h on 10-13.
  EXPECT_EQ(FormatIsoCity(r->ticket.assignments[0].handle_due_at), "2027-10-13T09:00:00+08:00");
  EXPECT_EQ(r->ticket.due_at, r->ticket.assignments[0].handle_due_at);
  auto again = Run(r->ticket, c, Role::kSystem, 0, &updated);
  EXPECT_TRUE(again->events.empty()) << "nothing changed, nothing recorded";
}

TEST(SlaPolicyDoc, ParsesAndNamesFields) {
  EXPECT_EQ(ParseDuration("5wd", "x")->ms, 5 * kDayMs);
  EXPECT_TRUE(ParseDuration("5wd", "x")->working);
  EXPECT_EQ(ParseDuration("15m", "x")->ms, 15 * kMinuteMs);
  EXPECT_EQ(ParseDuration("5 days", "x").status().field(), "x");
  EXPECT_EQ(SlaPolicyDoc::FromJson(R"({"rules":[{"accept":"1wd","handle":"5wd","mode":"end_of_day"}]})").status().field(),
            "rules[0].mode");
  auto doc = SlaPolicyDoc::FromJson(SlaPolicyDoc::Default().ToJson());
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->rules.size(), 4u);
  EXPECT_EQ(doc->Match("urgent", "consultation", "01")->handle.ms, 24 * kHourMs);
  EXPECT_EQ(SlaPolicyDoc::FromJson(R"({"rules":[{"urgency":"normal","accept":"1wd","handle":"5wd"}]})").status().field(),
            "rules");
  EXPECT_EQ(SlaPolicyDoc::FromJson(R"({"rules":[{"accept":"1wd","handle":"five"}]})").status().field(),
            "rules[0].handle");
  EXPECT_EQ(SlaPolicyDoc::FromJson(R"({"callback":"0m","rules":[{"accept":"1wd","handle":"5wd"}]})").status().field(),
            "callback");
  EXPECT_EQ(SlaPolicyDoc::FromJson(R"({"warning_pct":150,"rules":[{"accept":"1wd","handle":"5wd"}]})").status().field(),
            "warning_pct");
  EXPECT_EQ(SlaPolicyDoc::FromJson(R"({"warnig_pct":50,"rules":[{"accept":"1wd","handle":"5wd"}]})").status().field(),
            "warnig_pct");
  // Signing for an order is due no later than handling it, and not at once.
  // (Checked on saving: a policy stored before the check still reads.)
  const auto limits = [](const char* doc) { return SlaPolicyDoc::FromJson(doc).value().CheckLimits(); };
  EXPECT_EQ(limits(R"({"rules":[{"accept":"5wd","handle":"1h"}]})").field(), "rules[0].accept");
  EXPECT_EQ(limits(R"({"rules":[{"accept":"0m","handle":"1d"}]})").field(), "rules[0].accept");
  EXPECT_TRUE(limits(R"({"rules":[{"accept":"2h","handle":"2h"}]})").ok());
  // Two rules with the same conditions: the second would never apply.
  const Status twin = limits(R"({"rules":[{"urgency":"emergency","accept":"15m","handle":"2h"},
      {"accept":"1wd","handle":"5wd"},{"urgency":"emergency","accept":"1m","handle":"1h"}]})");
  EXPECT_EQ(twin.field(), "rules[2]");
  EXPECT_EQ(twin.message(), "rules[2]: has the same conditions as rules[0], which always wins");
  // Numbers beyond int are refused, not wrapped into range.
  EXPECT_EQ(SlaPolicyDoc::FromJson(R"({"warning_pct":4294967371,"rules":[{"accept":"1wd","handle":"5wd"}]})").status().field(),
            "warning_pct");
  EXPECT_EQ(SlaPolicyDoc::FromJson(R"({"reopen_cap":4294967298,"rules":[{"accept":"1wd","handle":"5wd"}]})").status().field(),
            "reopen_cap");
  EXPECT_EQ(SlaPolicyDoc::FromJson(R"({"version":-4294967295,"rules":[{"accept":"1wd","handle":"5wd"}]})").status().field(),
            "version");
  // Durations are written back as given, not cut to six digits.
  auto precise = SlaPolicyDoc::FromJson(R"({"rules":[{"accept":"0.1234567wd","handle":"123456.5m"}]})");
  ASSERT_TRUE(precise.ok()) << precise.status().ToString();
  auto back = SlaPolicyDoc::FromJson(precise->ToJson());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->rules[0].handle.ms, precise->rules[0].handle.ms);
  EXPECT_EQ(back->rules[0].accept.ms, precise->rules[0].accept.ms);
  EXPECT_EQ(FormatDuration(precise->rules[0].handle), "123456.5m");
}

}  // namespace
}  // namespace hotline
