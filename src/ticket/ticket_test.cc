// The lifecycle, table-driven: every command against every status, with the actor that
// would legitimately issue it, must succeed exactly where the architecture's diagram
// allows it and fail with the right code everywhere else.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "org/org.h"
#include "ticket/ticket.h"

namespace hotline {
namespace {

constexpr Id kHub = 1, kDistrict = 2, kStreet = 3, kDept = 4, kDept2 = 5, kOtherDistrict = 6, kOtherStreet = 7;

class Lifecycle : public ::testing::Test {
 protected:
  Lifecycle()
      : clock_(1764300000000), ids_(&clock_, 1),
        org_({{kHub, "市中心", UnitKind::kCityCenter, 0, 0, "", true},
              {kDistrict, "幸福区分中心", UnitKind::kDistrictCenter, kHub, 0, "", true},
              {kStreet, "幸福街道", UnitKind::kStreet, kDistrict, 0, "", true},
              {kDept, "住建局", UnitKind::kDepartment, kHub, 0, "", true},
              {kDept2, "城管局", UnitKind::kDepartment, kHub, 0, "", true},
              {kOtherDistrict, "和平区分中心", UnitKind::kDistrictCenter, kHub, 0, "", true},
              {kOtherStreet, "和平街道", UnitKind::kStreet, kOtherDistrict, 0, "", true}},
             {}, {}) {}

  Actor A(Role r, Id unit) { return Actor{100 + static_cast<Id>(r) * 10 + unit, r, unit, RoleName(r)}; }
  Actor agent() { return A(Role::kAgent, kHub); }
  Actor dispatcher() { return A(Role::kDispatcher, kHub); }
  Actor handler(Id unit = kDept) { return A(Role::kUnitHandler, unit); }
  Actor reviewer() { return A(Role::kReviewer, kHub); }
  Actor callback_agent() { return A(Role::kCallbackAgent, kHub); }
  Actor supervisor() { return A(Role::kSupervisor, kHub); }

  Ticket New() {
    Ticket t;
    t.id = ids_.Next();
    t.number = "202611280000001";
    t.channel = "phone";
    t.request_type = "complaint";
    t.urgency = "normal";
    t.content = "幸福小区电梯坏了";
    t.intake_unit_id = kHub;
    t.created_at = clock_.NowMs();
    return t;
  }

  Result<Decision> Run(const Ticket& t, Command c, const Actor& a, const Ticket* target = nullptr) {
    CommandContext ctx;
    ctx.now = clock_.NowMs();
    ctx.org = &org_;
    ctx.policy = &policy_;
    ctx.ids = &ids_;
    ctx.merge_target = target;
    return Decide(t, c, a, ctx);
  }

  Ticket Must(const Ticket& t, Command c, const Actor& a) {
    auto r = Run(t, c, a);
    EXPECT_TRUE(r.ok()) << CommandName(c.type) << ": " << r.status().ToString();
    return r.ok() ? r->ticket : t;
  }

  static Command Cmd(CommandType type) {
    Command c;
    c.type = type;
    c.content = "处理内容";
    c.note = "说明";
    c.reason = "原因";
    c.comment = "意见";
    c.to = "119";
    c.days = 3;
    c.approve = true;
    c.decision = "approve";
    c.outcome = "reached";
    c.rating = "satisfied";
    c.mode = "direct";
    return c;
  }
  Command Dispatch(Id unit, std::string mode = "direct") {
    Command c = Cmd(CommandType::kDispatch);
    c.unit_id = unit;
    c.mode = std::move(mode);
    return c;
  }

  // Builds a ticket in the given status along the diagram's happy paths.
  Ticket InStatus(TicketStatus s) {
    Ticket t = New();
    switch (s) {
      case TicketStatus::kReceived: return t;
      case TicketStatus::kTransferred: return Must(t, Cmd(CommandType::kTransfer), agent());
      case TicketStatus::kWithdrawn: return Must(t, Cmd(CommandType::kWithdraw), agent());
      case TicketStatus::kMerged: {
        Ticket target = New();
        Command c = Cmd(CommandType::kMerge);
        c.into_ticket_id = target.id;
        auto r = Run(t, c, dispatcher(), &target);
        EXPECT_TRUE(r.ok());
        return r->ticket;
      }
      default: break;
    }
    t = Must(t, Dispatch(kDept), dispatcher());
    if (s == TicketStatus::kDispatched) return t;
    if (s == TicketStatus::kReturned) return Must(t, Cmd(CommandType::kReturn), handler());
    t = Must(t, Cmd(CommandType::kAccept), handler());
    if (s == TicketStatus::kInProgress) return t;
    if (s == TicketStatus::kSuspended) return Must(t, Cmd(CommandType::kSuspend), supervisor());
    t = Must(t, Cmd(CommandType::kReply), handler());
    if (s == TicketStatus::kReplied) return t;
    t = Must(t, Cmd(CommandType::kReview), reviewer());
    if (s == TicketStatus::kAwaitingCallback) return t;
    t = Must(t, Cmd(CommandType::kCallback), callback_agent());
    if (s == TicketStatus::kClosed) return t;
    return Must(t, Cmd(CommandType::kArchive), supervisor());
  }

  // The actor who would issue each command.
  Actor ActorFor(CommandType c) {
    switch (c) {
      case CommandType::kAnswerDirectly: case CommandType::kTransfer: case CommandType::kWithdraw:
      case CommandType::kNote:
        return agent();
      case CommandType::kMerge: case CommandType::kDispatch: case CommandType::kRedispatch:
        return dispatcher();
      case CommandType::kAccept: case CommandType::kReturn: case CommandType::kRequestExtension:
      case CommandType::kReply:
        return handler();
      case CommandType::kReview: return reviewer();
      case CommandType::kCallback: case CommandType::kReopen: return callback_agent();
      default: return supervisor();
    }
  }

  ManualClock clock_;
  IdGenerator ids_;
  OrgSnapshot org_;
  Policy policy_;
};

using S = TicketStatus;
using C = CommandType;

const std::map<S, std::set<C>> kLegal = {
    {S::kReceived, {C::kAnswerDirectly, C::kTransfer, C::kMerge, C::kDispatch, C::kUrge, C::kSupervise,
                    C::kWithdraw, C::kExempt, C::kNote}},
    {S::kDispatched, {C::kMerge, C::kAccept, C::kReturn, C::kRedispatch, C::kCoordinate, C::kUrge,
                      C::kSupervise, C::kWithdraw, C::kExempt, C::kNote}},
    {S::kInProgress, {C::kMerge, C::kReturn, C::kCoordinate, C::kRequestExtension, C::kSuspend, C::kReply,
                      C::kUrge, C::kSupervise, C::kWithdraw, C::kExempt, C::kNote}},
    {S::kSuspended, {C::kMerge, C::kReturn, C::kCoordinate, C::kResume, C::kUrge,
                     C::kSupervise, C::kWithdraw, C::kExempt, C::kNote}},
    {S::kReturned, {C::kTransfer, C::kMerge, C::kDispatch, C::kRedispatch, C::kCoordinate, C::kUrge,
                    C::kSupervise, C::kWithdraw, C::kExempt, C::kNote}},
    {S::kReplied, {C::kMerge, C::kReview, C::kUrge, C::kSupervise, C::kExempt, C::kNote}},
    {S::kAwaitingCallback, {C::kMerge, C::kCallback, C::kReopen, C::kUrge, C::kSupervise, C::kExempt, C::kNote}},
    {S::kClosed, {C::kReopen, C::kExempt, C::kNote, C::kArchive}},
    {S::kTransferred, {C::kExempt, C::kNote, C::kArchive}},
    {S::kMerged, {C::kExempt, C::kNote, C::kArchive}},
    {S::kWithdrawn, {C::kExempt, C::kNote, C::kArchive}},
    {S::kArchived, {C::kNote}},
};

TEST_F(Lifecycle, EveryCommandAgainstEveryStatus) {
  int checked = 0;
  for (const auto& [status, legal] : kLegal) {
    for (CommandType type : AllCommandTypes()) {
      Ticket t = InStatus(status);
      ASSERT_EQ(t.Status(), status) << TicketStatusName(status);
      Command c = Cmd(type);
      Ticket target = New();
      if (type == C::kMerge) c.into_ticket_id = target.id;
      if (type == C::kDispatch) c.unit_id = kDept2;
      if (type == C::kRedispatch) c.unit_id = kDept2;
      auto r = Run(t, c, ActorFor(type), &target);
      const std::string what = std::string(CommandName(type)) + " on " + TicketStatusName(status);
      ++checked;
      if (legal.count(type)) {
        ASSERT_TRUE(r.ok()) << what << ": " << r.status().ToString();
        EXPECT_FALSE(r->events.empty()) << what;
        EXPECT_EQ(r->ticket.version, t.version + 1) << what;
        EXPECT_EQ(r->events.back().seq, r->ticket.event_seq) << what;
        continue;
      }
      ASSERT_FALSE(r.ok()) << what << " should be refused";
      // A unit command on a ticket that has never been with the unit is a permission
      // matter; everything else is a conflict with the ticket's state.
      const bool unit_cmd = type == C::kAccept || type == C::kReturn || type == C::kRequestExtension ||
                            type == C::kReply;
      bool had_unit = false;
      for (const auto& a : t.assignments) {
        had_unit = had_unit || (a.unit_id == kDept && a.state != AssignmentState::kSuperseded &&
                                a.state != AssignmentState::kReturned);
      }
      const Code want = unit_cmd && !had_unit ? Code::kPermissionDenied : Code::kConflict;
      EXPECT_EQ(r.status().code(), want) << what << ": " << r.status().ToString();
    }
  }
  EXPECT_EQ(checked, 12 * 23);
}

// What the screens offer is exactly what the lifecycle would accept from that actor.
TEST_F(Lifecycle, OfferedCommandsAreTheLegalOnes) {
  CommandContext ctx;
  ctx.now = clock_.NowMs();
  ctx.org = &org_;
  ctx.policy = &policy_;
  ctx.ids = &ids_;
  for (const auto& [status, legal] : kLegal) {
    const Ticket t = InStatus(status);
    for (CommandType type : AllCommandTypes()) {
      const auto offered = OfferedCommands(t, ActorFor(type), ctx);
      const bool has = std::find(offered.begin(), offered.end(), type) != offered.end();
      EXPECT_EQ(has, legal.count(type) > 0) << CommandName(type) << " on " << TicketStatusName(status);
    }
  }
  // A district dispatcher handed an order by the city centre passes it down, accepts or
  // returns it; the city centre's intake commands are not its to issue.
  const Ticket relayed = Must(New(), Dispatch(kDistrict, "relay"), dispatcher());
  EXPECT_EQ(OfferedCommands(relayed, A(Role::kDispatcher, kDistrict), ctx),
            (std::vector<CommandType>{C::kDispatch, C::kAccept, C::kReturn, C::kNote}));
  // One the city centre keeps to itself it does not see at all.
  EXPECT_TRUE(OfferedCommands(InStatus(S::kReceived), A(Role::kDispatcher, kDistrict), ctx).empty());
  // Its own intake it may dispatch, withdraw, ...
  Ticket own = New();
  own.intake_unit_id = kDistrict;
  const auto mine = OfferedCommands(own, A(Role::kDispatcher, kDistrict), ctx);
  EXPECT_NE(std::find(mine.begin(), mine.end(), C::kDispatch), mine.end());
  EXPECT_NE(std::find(mine.begin(), mine.end(), C::kWithdraw), mine.end());
  // ... and an analyst may issue nothing.
  EXPECT_TRUE(OfferedCommands(own, A(Role::kAnalyst, kHub), ctx).empty());
  // Past the policy's cap, reopening is not offered.
  Ticket closed = InStatus(S::kClosed);
  closed.reopen_count = policy_.reopen_cap;
  const auto capped = OfferedCommands(closed, callback_agent(), ctx);
  EXPECT_EQ(std::find(capped.begin(), capped.end(), C::kReopen), capped.end());
}

TEST_F(Lifecycle, RolesAreChecked) {
  Ticket t = New();
  EXPECT_EQ(Run(t, Dispatch(kDept), agent()).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(Run(t, Cmd(C::kAnswerDirectly), A(Role::kAnalyst, kHub)).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(Run(t, Cmd(C::kNote), A(Role::kAnalyst, kHub)).status().code(), Code::kPermissionDenied);
  t = Must(t, Dispatch(kDept), dispatcher());
  // Another unit's handler may neither see nor accept it.
  EXPECT_EQ(Run(t, Cmd(C::kAccept), handler(kDept2)).status().code(), Code::kPermissionDenied);
  EXPECT_FALSE(CanView(t, handler(kDept2), org_));
  EXPECT_TRUE(CanView(t, handler(kDept), org_));
  // A district centre sees only its own subtree.
  EXPECT_FALSE(CanView(t, A(Role::kDispatcher, kOtherDistrict), org_));
  EXPECT_TRUE(CanView(t, A(Role::kAnalyst, kHub), org_));
  // A district dispatcher cannot dispatch outside its subtree.
  Ticket d = New();
  d.intake_unit_id = kDistrict;
  Command c = Dispatch(kOtherStreet);
  EXPECT_EQ(Run(d, c, A(Role::kDispatcher, kDistrict)).status().code(), Code::kPermissionDenied);
  EXPECT_TRUE(Run(d, Dispatch(kStreet), A(Role::kDispatcher, kDistrict)).ok());
  // A district sees a city ticket dispatched into its subtree, but may not withdraw, exempt
  // or urge it, nor merge into a ticket it cannot see (answered like a missing one).
  Ticket city = Must(New(), Dispatch(kOtherStreet), dispatcher());
  const Actor other_agent = A(Role::kAgent, kOtherDistrict);
  ASSERT_TRUE(CanView(city, other_agent, org_));
  EXPECT_EQ(Run(city, Cmd(C::kWithdraw), other_agent).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(Run(city, Cmd(C::kExempt), A(Role::kSupervisor, kOtherDistrict)).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(Run(city, Cmd(C::kUrge), other_agent).status().code(), Code::kPermissionDenied);
  Ticket mine = New();
  mine.intake_unit_id = kDistrict;
  Ticket hidden = New();  // a city ticket nobody in 幸福区 can see
  Command merge = Cmd(C::kMerge);
  merge.into_ticket_id = hidden.id;
  EXPECT_EQ(Run(mine, merge, A(Role::kDispatcher, kDistrict), &hidden).status().field(), "into_ticket_id");
  // A unit that returned an order no longer sees it.
  Ticket returned = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kReturn), handler());
  EXPECT_FALSE(CanView(returned, handler(), org_));
}

TEST_F(Lifecycle, StaleVersionIsAConflictAndSystemEventsKeepTheVersion) {
  Ticket t = Must(New(), Dispatch(kDept), dispatcher());
  Command c = Cmd(C::kAccept);
  c.expected_version = t.version - 1;
  auto r = Run(t, c, handler());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().reason(), "stale_version");
  c.expected_version = t.version;
  EXPECT_TRUE(Run(t, c, handler()).ok());
  Command urge = Cmd(C::kNote);
  auto sys = Run(t, urge, Actor{0, Role::kSystem, 0, "system"});
  ASSERT_TRUE(sys.ok());
  EXPECT_EQ(sys->ticket.version, t.version);
  EXPECT_TRUE(sys->events[0].system);
}

// The citizen's own rating on the portal runs as the system but closes the ticket: a screen
// that still shows it awaiting callback must get a conflict, not reopen it.
TEST_F(Lifecycle, ASystemCommandThatChangesTheStatusMovesTheVersion) {
  Ticket t = Must(New(), Dispatch(kDept), dispatcher());
  t = Must(t, Cmd(C::kAccept), handler());
  Command reply = Cmd(C::kReply);
  reply.content = "已修复";
  t = Must(t, reply, handler());
  Command approve = Cmd(C::kReview);
  approve.decision = "approve";
  t = Must(t, approve, A(Role::kReviewer, kHub));
  ASSERT_EQ(t.Status(), S::kAwaitingCallback);
  Command rate = Cmd(C::kCallback);
  rate.outcome = "reached";
  rate.rating = "satisfied";
  Ticket closed = Must(t, rate, Actor{0, Role::kSystem, kHub, "portal"});  // as PublicRate runs it
  EXPECT_EQ(closed.Status(), S::kClosed);
  EXPECT_EQ(closed.version, t.version + 1);
  Command reopen = Cmd(C::kReopen);
  reopen.reason = "市民不满意";
  reopen.expected_version = t.version;
  EXPECT_EQ(Run(closed, reopen, A(Role::kCallbackAgent, kHub)).status().reason(), "stale_version");
}

// A reopened round runs on a new clock: the last round's urging and supervision do not
// carry over into it.
TEST_F(Lifecycle, AReopenedRoundStartsAtEscalationLevelZero) {
  Ticket t = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kAccept), handler());
  t = Must(t, Cmd(C::kSupervise), supervisor());
  ASSERT_GE(t.escalation_level, 2);
  t = Must(Must(t, Cmd(C::kReply), handler()), Cmd(C::kReview), reviewer());
  t = Must(t, Cmd(C::kReopen), callback_agent());
  EXPECT_EQ(t.escalation_level, 0);
  EXPECT_EQ(t.Status(), S::kDispatched);
}

// A reopened order that went city → district → street comes back down the same chain: the
// district holds its order of the new round again, so it may return it upward as before.
TEST_F(Lifecycle, AReopenedRelayedOrderComesBackDownItsChain) {
  const Actor district = A(Role::kDispatcher, kDistrict);
  Ticket t = Must(Must(New(), Dispatch(kDistrict, "relay"), dispatcher()), Dispatch(kStreet), district);
  t = Must(Must(t, Cmd(C::kAccept), handler(kStreet)), Cmd(C::kReply), handler(kStreet));
  t = Must(Must(t, Cmd(C::kReview), reviewer()), Cmd(C::kReopen), callback_agent());
  EXPECT_EQ(t.Status(), S::kDispatched);
  const Assignment* street = t.ActiveLead();
  ASSERT_NE(street, nullptr);
  EXPECT_EQ(street->unit_id, kStreet);
  const Assignment* relay = t.FindAssignment(street->parent_id);
  ASSERT_NE(relay, nullptr) << "the street's order hangs under the district's again";
  EXPECT_EQ(relay->unit_id, kDistrict);
  EXPECT_EQ(relay->state, AssignmentState::kAccepted);
  EXPECT_EQ(relay->round, 1);
  EXPECT_EQ(t.overall_from, relay->id);
  // The street returns it; the district may send it back up to the city.
  t = Must(t, Cmd(C::kReturn), handler(kStreet));
  t = Must(t, Cmd(C::kReturn), district);
  EXPECT_EQ(t.Status(), S::kReturned);
  EXPECT_EQ(t.ActiveLead()->unit_id, kDistrict);
}

// An order suspended in time and then withdrawn ends with its deadline moved by the time it
// stood suspended: it was not late.
TEST_F(Lifecycle, AnOrderSuspendedInTimeAndWithdrawnIsNotLate) {
  Ticket t = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kAccept), handler());
  const TimeMs due = t.ActiveLead()->handle_due_at;
  clock_.AdvanceMs(kDayMs);
  t = Must(t, Cmd(C::kSuspend), supervisor());
  clock_.AdvanceMs(10 * kDayMs);  // past the first deadline, the clock stopped
  t = Must(t, Cmd(C::kWithdraw), dispatcher());
  const Assignment& a = t.assignments.front();
  EXPECT_EQ(a.state, AssignmentState::kSuperseded);
  EXPECT_FALSE(a.suspended);
  EXPECT_EQ(a.handle_due_at, due + 10 * kDayMs);
  EXPECT_LT(a.ended_at, a.handle_due_at);
}

// A reopened relayed order whose relay centre was deactivated since is not given to it.
TEST_F(Lifecycle, AReopenedOrderIsNotRelayedThroughADeactivatedCentre) {
  const Actor district = A(Role::kDispatcher, kDistrict);
  Ticket t = Must(Must(New(), Dispatch(kDistrict, "relay"), dispatcher()), Dispatch(kStreet), district);
  t = Must(Must(t, Cmd(C::kAccept), handler(kStreet)), Cmd(C::kReply), handler(kStreet));
  t = Must(t, Cmd(C::kReview), reviewer());
  std::vector<Unit> units = org_.units();
  for (auto& u : units) if (u.id == kDistrict) u.active = false;
  org_ = OrgSnapshot(units, org_.areas(), {});
  t = Must(t, Cmd(C::kReopen), callback_agent());
  for (const auto& a : t.assignments) {
    if (a.unit_id == kDistrict) {
      EXPECT_NE(a.round, 1) << "no new order for the deactivated centre";
    }
  }
  EXPECT_EQ(t.ActiveLead()->unit_id, kStreet);
}

// A unit deactivated (停用) after it answered is dispatched nothing more: a reopened ticket
// goes back to the centre's queue instead of to it.
TEST_F(Lifecycle, ReopenAfterTheUnitWasDeactivatedGoesBackToTheCentre) {
  Ticket t = Must(New(), Dispatch(kDept), dispatcher());
  t = Must(t, Cmd(C::kAccept), handler());
  t = Must(t, Cmd(C::kReply), handler());
  Command approve = Cmd(C::kReview);
  approve.decision = "approve";
  t = Must(t, approve, reviewer());
  std::vector<Unit> units = org_.units();
  for (auto& u : units) if (u.id == kDept) u.active = false;
  org_ = OrgSnapshot(units, {}, {});
  Ticket reopened = Must(t, Cmd(C::kReopen), callback_agent());
  EXPECT_EQ(reopened.Status(), S::kReceived);
  EXPECT_EQ(reopened.ActiveLead(), nullptr) << "the answered chain is history";
  EXPECT_TRUE(Run(reopened, Dispatch(kDept2), dispatcher()).ok()) << "dispatched anew to an active unit";
}

TEST_F(Lifecycle, RelayChainRepliesUpAndReturnsGoBack) {
  Ticket t = Must(New(), Dispatch(kDistrict, "relay"), dispatcher());
  EXPECT_EQ(t.Status(), S::kDispatched);
  EXPECT_EQ(Run(t, Dispatch(kDistrict), dispatcher()).status().code(), Code::kConflict);
  const Actor district = A(Role::kDispatcher, kDistrict);
  // Not to itself: that would add a level with its own clock and a 退单 against itself.
  EXPECT_EQ(Run(t, Dispatch(kDistrict, "relay"), district).status().field(), "unit_id");
  t = Must(t, Dispatch(kStreet), district);
  ASSERT_EQ(t.assignments.size(), 2u);
  EXPECT_EQ(t.assignments[0].state, AssignmentState::kAccepted);  // relaying signs for it
  EXPECT_EQ(t.assignments[1].parent_id, t.assignments[0].id);
  EXPECT_EQ(t.assignments[1].dispatched_by_unit_id, kDistrict);
  // The street returns it: back to the district centre, which re-dispatches within its subtree.
  Ticket returned = Must(t, Cmd(C::kReturn), handler(kStreet));
  EXPECT_EQ(returned.Status(), S::kReturned);
  Command re = Cmd(C::kRedispatch);
  re.unit_id = kDept;  // outside the district's subtree
  EXPECT_EQ(Run(returned, re, district).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(Run(returned, re, district).status().field(), "unit_id");
  // The street's time ended when it returned the order, not when the centre re-dispatched it.
  const TimeMs returned_at = returned.assignments[1].ended_at;
  ASSERT_GT(returned_at, 0);
  clock_.AdvanceMs(3 * kHourMs);
  re.unit_id = kStreet;  // back to the street, told to handle it after all
  Ticket again = Must(returned, re, district);
  EXPECT_EQ(again.assignments[1].state, AssignmentState::kSuperseded);
  EXPECT_EQ(again.assignments[1].ended_at, returned_at);
  // The street handles it; its reply answers for the district centre too.
  t = Must(t, Cmd(C::kAccept), handler(kStreet));
  EXPECT_EQ(Run(t, Cmd(C::kReply), district).status().code(), Code::kConflict);
  t = Must(t, Cmd(C::kReply), handler(kStreet));
  EXPECT_EQ(t.Status(), S::kReplied);
  EXPECT_EQ(t.assignments[0].state, AssignmentState::kReplied);
  Command reject = Cmd(C::kReview);
  reject.decision = "reject";
  t = Must(t, reject, reviewer());
  EXPECT_EQ(t.Status(), S::kInProgress);
  EXPECT_EQ(t.assignments[0].state, AssignmentState::kAccepted);
  EXPECT_EQ(t.assignments[1].state, AssignmentState::kAccepted);
}

// The city centre may take a district's order back to a unit of its own (上级协调): the
// district's relay leaves with the street's order, and the new one is the city's.
TEST_F(Lifecycle, AHigherCentreTakesARelayedOrderBack) {
  const Actor district = A(Role::kDispatcher, kDistrict);
  Ticket t = Must(Must(New(), Dispatch(kDistrict, "relay"), dispatcher()), Dispatch(kStreet), district);
  t = Must(t, Cmd(C::kAccept), handler(kStreet));
  Command to_city = Cmd(C::kCoordinate);
  to_city.unit_id = kDept2;
  const auto refused = Run(t, to_city, district).status();  // the district cannot reach a city unit
  EXPECT_EQ(refused.code(), Code::kPermissionDenied);
  EXPECT_EQ(refused.field(), "unit_id");
  t = Must(t, to_city, supervisor());
  EXPECT_EQ(t.Status(), S::kDispatched);
  ASSERT_EQ(t.assignments.size(), 3u);
  EXPECT_EQ(t.assignments[0].state, AssignmentState::kSuperseded);  // the district's relay
  EXPECT_EQ(t.assignments[1].state, AssignmentState::kSuperseded);  // the street's order
  const Assignment& city = t.assignments[2];
  EXPECT_EQ(city.unit_id, kDept2);
  EXPECT_EQ(city.parent_id, 0);
  EXPECT_EQ(city.dispatched_by_unit_id, kHub);
  EXPECT_EQ(t.ClockLead(), &t.assignments[2]);
  // The same for a re-dispatch of an order the street returned to the district.
  Ticket r = Must(Must(Must(New(), Dispatch(kDistrict, "relay"), dispatcher()), Dispatch(kStreet), district),
                  Cmd(C::kReturn), handler(kStreet));
  Command re = Cmd(C::kRedispatch);
  re.unit_id = kDept;
  r = Must(r, re, dispatcher());
  EXPECT_EQ(r.Status(), S::kDispatched);
  EXPECT_EQ(r.ActiveLead()->unit_id, kDept);
  EXPECT_EQ(r.ActiveLead()->parent_id, 0);
  EXPECT_EQ(r.assignments[0].state, AssignmentState::kSuperseded);
}

TEST_F(Lifecycle, AssistingUnitsDoNotMoveTheTicket) {
  Command c = Dispatch(kDept);
  c.assisting_unit_ids = {kDept2};
  Ticket t = Must(New(), c, dispatcher());
  t = Must(t, Cmd(C::kAccept), handler(kDept2));
  EXPECT_EQ(t.Status(), S::kDispatched);
  t = Must(t, Cmd(C::kReply), handler(kDept2));
  EXPECT_EQ(t.Status(), S::kDispatched);
  c.assisting_unit_ids = {kDept};
  EXPECT_EQ(Run(New(), c, dispatcher()).status().field(), "assisting_unit_ids[0]");
}

// An assisting unit may ask for more time for its own part (协办延期): granted, it moves its own
// deadline only; with the lead's request waiting too, the decision names whose it is.
TEST_F(Lifecycle, AnAssistingUnitAsksForAnExtensionOfItsOwnPart) {
  Command c = Dispatch(kDept);
  c.assisting_unit_ids = {kDept2};
  Ticket t = Must(Must(Must(New(), c, dispatcher()), Cmd(C::kAccept), handler(kDept2)), Cmd(C::kAccept), handler(kDept));
  const TimeMs overall = t.due_at;
  Assignment* assist = nullptr;
  for (auto& a : t.assignments) if (!a.lead) assist = &a;
  ASSERT_NE(assist, nullptr);
  const TimeMs assist_due = assist->handle_due_at;
  const Id assist_id = assist->id, lead_id = t.ActiveLead()->id;
  t = Must(t, Cmd(C::kRequestExtension), handler(kDept2));
  t = Must(t, Cmd(C::kRequestExtension), handler(kDept));
  Command decide = Cmd(C::kDecideExtension);
  EXPECT_EQ(Run(t, decide, supervisor()).status().field(), "assignment_id");  // two wait: whose?
  decide.assignment_id = 12345;
  EXPECT_EQ(Run(t, decide, supervisor()).status().field(), "assignment_id");
  decide.assignment_id = assist_id;
  t = Must(t, decide, supervisor());
  EXPECT_EQ(t.FindAssignment(assist_id)->handle_due_at, assist_due + 3 * kDayMs);
  EXPECT_EQ(t.due_at, overall) << "the citizen's deadline stays the lead's";
  // One request left: no need to name it. Refusing it needs a word for the unit.
  Command refuse = Cmd(C::kDecideExtension);
  refuse.approve = false;
  refuse.comment.clear();
  EXPECT_EQ(Run(t, refuse, supervisor()).status().field(), "comment");
  t = Must(t, Cmd(C::kDecideExtension), supervisor());
  EXPECT_EQ(t.FindAssignment(lead_id)->extension_days_requested, 0);
  EXPECT_EQ(t.due_at, overall + 3 * kDayMs);
}

// A unit holds one live order on a ticket, and none is left open once the answer is approved.
TEST_F(Lifecycle, AssistingOrdersGiveWayToALeadOrderAndEndWithTheAnswer) {
  auto live = [](const Ticket& t, Id unit) {
    return std::count_if(t.assignments.begin(), t.assignments.end(),
                         [&](const Assignment& a) { return a.unit_id == unit && a.IsLive(); });
  };
  Command c = Dispatch(kDept);
  c.assisting_unit_ids = {kDept2};
  Ticket t = Must(New(), c, dispatcher());
  t = Must(t, Cmd(C::kReturn), handler());
  Command re = Cmd(C::kRedispatch);
  re.unit_id = kDept2;  // the assisting unit is made the lead
  t = Must(t, re, dispatcher());
  EXPECT_EQ(live(t, kDept2), 1);
  EXPECT_TRUE(t.ActiveLead()->unit_id == kDept2 && t.ActiveLead()->IsLive());
  for (const auto& a : t.assignments) {
    // Every order that ended has its end: the superseded assisting one included.
    if (!a.IsLive()) {
      EXPECT_GT(a.ended_at, 0) << AssignmentStateName(a.state);
    }
  }
  // Another ticket: the lead answers while its assisting unit never signed.
  Ticket u = Must(New(), c, dispatcher());
  u = Must(u, Cmd(C::kAccept), handler());
  u = Must(u, Cmd(C::kReply), handler());
  EXPECT_EQ(live(u, kDept2), 1) << "still open while the answer is reviewed (a rejection sends it back)";
  Command approve = Cmd(C::kReview);
  approve.decision = "approve";
  clock_.AdvanceMs(kHourMs);
  u = Must(u, approve, reviewer());
  EXPECT_EQ(live(u, kDept2), 0);
  for (const auto& a : u.assignments) {
    if (a.unit_id == kDept2) {
      EXPECT_EQ(a.ended_at, clock_.NowMs()) << "its time stops when it is superseded";
    }
  }
}

// While the lead's answer is reviewed, a co-handler's open part is still its to finish: it
// may sign, ask for time, reply or give it back, never left with a running clock and nothing
// it can do. The lead itself waits for the review; a suspended order asks for no extension.
TEST_F(Lifecycle, ACoHandlerFinishesItsPartWhileTheAnswerIsReviewed) {
  Command c = Dispatch(kDept);
  c.assisting_unit_ids = {kDept2};
  Ticket t = Must(Must(New(), c, dispatcher()), Cmd(C::kAccept), handler());
  t = Must(t, Cmd(C::kReply), handler());
  EXPECT_EQ(t.Status(), S::kReplied);
  EXPECT_FALSE(Run(t, Cmd(C::kReturn), handler()).ok()) << "the lead has answered";
  t = Must(t, Cmd(C::kAccept), handler(kDept2));
  EXPECT_TRUE(Run(t, Cmd(C::kRequestExtension), handler(kDept2)).ok());
  Ticket gave_back = Must(t, Cmd(C::kReturn), handler(kDept2));
  EXPECT_EQ(gave_back.Status(), S::kReplied);
  t = Must(t, Cmd(C::kReply), handler(kDept2));
  for (const auto& a : t.assignments) {
    if (!a.lead) {
      EXPECT_EQ(a.state, AssignmentState::kReplied);
    }
  }
  EXPECT_EQ(t.Status(), S::kReplied) << "the co-handler's part does not answer the ticket";
  // A suspended order's clock stands still: no extension is asked for it.
  Ticket s = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kAccept), handler());
  s = Must(s, Cmd(C::kSuspend), supervisor());
  EXPECT_EQ(Run(s, Cmd(C::kRequestExtension), handler()).status().code(), Code::kConflict);
}

// 免考核: an exempted ticket's units are off the clock — no warning level, no overdue
// deadline in the lists' columns, no alarm for the timer (the callback desk's stays).
TEST_F(Lifecycle, AnExemptedTicketIsOffTheUnitsClock) {
  Ticket t = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kAccept), handler());
  const TimeMs late = t.ActiveLead()->handle_due_at + kDayMs;
  EXPECT_EQ(t.LevelAt(late), WarningLevel::kRed);
  EXPECT_GT(t.NextAlarmAt(), 0);
  Command exempt = Cmd(C::kExempt);
  exempt.reason = "道路施工不可抗力";
  t = Must(t, exempt, supervisor());
  EXPECT_TRUE(t.exempt);
  EXPECT_EQ(t.LevelAt(late), WarningLevel::kNone);
  EXPECT_EQ(t.LevelOf(*t.ActiveLead(), late), WarningLevel::kNone);
  EXPECT_EQ(t.ClockDeadline().due, 0);
  EXPECT_EQ(t.NextAlarmAt(), 0);
}

// A suspended order that its unit then returns gives the time it stood back to the ticket's
// overall deadline, as resuming would have.
TEST_F(Lifecycle, ASuspensionEndedByAReturnStillMovesTheOverallDeadline) {
  Ticket t = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kAccept), handler());
  const TimeMs overall = t.due_at;
  t = Must(t, Cmd(C::kSuspend), supervisor());
  clock_.AdvanceMs(kDayMs);
  t = Must(t, Cmd(C::kReturn), handler());
  EXPECT_EQ(t.Status(), S::kReturned);
  EXPECT_EQ(t.due_at, overall + kDayMs);
}

// Coordination (协调) settles a dispute over whose matter it is: it may take the order from
// the unit that signed for it, ending that unit's suspension as a resume would.
TEST_F(Lifecycle, ACoordinationTakesTheOrderFromTheUnitThatHoldsIt) {
  Ticket t = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kAccept), handler());
  const TimeMs overall = t.due_at;
  Command to_same = Cmd(C::kCoordinate);
  to_same.unit_id = kDept;
  EXPECT_EQ(Run(t, to_same, supervisor()).status().field(), "unit_id");
  t = Must(t, Cmd(C::kSuspend), supervisor());
  clock_.AdvanceMs(kDayMs);
  Command to_other = Cmd(C::kCoordinate);
  to_other.unit_id = kDept2;
  t = Must(t, to_other, supervisor());
  EXPECT_EQ(t.Status(), S::kDispatched);
  EXPECT_EQ(t.ActiveLead()->unit_id, kDept2);
  const Assignment& old = t.assignments.front();
  EXPECT_EQ(old.state, AssignmentState::kSuperseded);
  EXPECT_FALSE(old.suspended);
  EXPECT_EQ(old.ended_at, clock_.NowMs());
  EXPECT_EQ(t.due_at, overall + kDayMs) << "the day it stood suspended is given back";
  // A unit handler cannot coordinate.
  EXPECT_FALSE(Run(t, to_same, handler()).ok());
}

// 增派协办: a centre adds co-handlers to an order its lead holds, once each, never the lead;
// a coordination that hands the order on may name them too.
TEST_F(Lifecycle, ACoordinationAddsCoHandlersToTheOrderTheLeadHolds) {
  auto assisting = [](const Ticket& t) {
    std::vector<Id> units;
    for (const auto& a : t.assignments) if (!a.lead && a.IsLive()) units.push_back(a.unit_id);
    return units;
  };
  Ticket t = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kAccept), handler());
  const Id lead = t.ActiveLead()->id;
  Command add = Cmd(C::kCoordinate);
  add.assisting_unit_ids = {kDept};
  EXPECT_EQ(Run(t, add, supervisor()).status().field(), "assisting_unit_ids[0]") << "the lead";
  add.assisting_unit_ids = {kHub};
  EXPECT_EQ(Run(t, add, supervisor()).status().field(), "assisting_unit_ids[0]") << "a centre";
  add.assisting_unit_ids = {kDept2};
  EXPECT_FALSE(Run(t, add, handler()).ok());
  t = Must(t, add, supervisor());
  EXPECT_EQ(assisting(t), std::vector<Id>{kDept2});
  EXPECT_EQ(t.ActiveLead()->id, lead) << "the lead keeps the order";
  EXPECT_EQ(t.Status(), S::kInProgress);
  const Assignment* part = nullptr;
  for (const auto& a : t.assignments) if (!a.lead) part = &a;
  ASSERT_NE(part, nullptr);
  EXPECT_EQ(part->parent_id, t.ActiveLead()->parent_id);
  EXPECT_EQ(part->dispatched_by_unit_id, t.ActiveLead()->dispatched_by_unit_id);
  EXPECT_EQ(Run(t, add, supervisor()).status().field(), "assisting_unit_ids[0]") << "already assists";
  // Its co-handler gives its part back; the centre names it again.
  t = Must(t, Cmd(C::kReturn), handler(kDept2));
  EXPECT_TRUE(assisting(t).empty());
  t = Must(t, add, dispatcher());
  EXPECT_EQ(assisting(t), std::vector<Id>{kDept2});
  // Handing the order on with a co-handler: the new lead cannot assist itself.
  Command hand = Cmd(C::kCoordinate);
  hand.unit_id = kDept2;
  hand.assisting_unit_ids = {kDept2};
  EXPECT_EQ(Run(t, hand, supervisor()).status().field(), "assisting_unit_ids[0]");
  // A returned order is re-dispatched before anyone joins it.
  Ticket back = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kReturn), handler());
  EXPECT_EQ(Run(back, add, dispatcher()).status().field(), "assisting_unit_ids");
}

// Raising the urgency at a re-dispatch brings the overall deadline forward to the new
// order's; lowering it never pushes the deadline back (an extension does that).
TEST_F(Lifecycle, ARaisedUrgencyBringsTheOverallDeadlineForward) {
  Ticket t = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kReturn), handler());
  const TimeMs overall = t.due_at;
  clock_.AdvanceMs(kHourMs);
  Command raise = Cmd(C::kRedispatch);
  raise.unit_id = kDept2;
  raise.urgency = "emergency";
  t = Must(t, raise, dispatcher());
  EXPECT_EQ(t.ActiveLead()->handle_due_at, clock_.NowMs() + 2 * kHourMs);
  EXPECT_EQ(t.due_at, t.ActiveLead()->handle_due_at);
  EXPECT_LT(t.due_at, overall);
  const TimeMs tightened = t.due_at;
  Command lower = Cmd(C::kRedispatch);
  lower.unit_id = kDept;
  lower.urgency = "normal";
  t = Must(t, lower, dispatcher());
  EXPECT_EQ(t.due_at, tightened);
  // Without a correction, a re-dispatch keeps the ticket's deadline as it is.
  Command plain = Cmd(C::kRedispatch);
  plain.unit_id = kDept2;
  t = Must(t, plain, dispatcher());
  EXPECT_EQ(t.due_at, tightened);
}

TEST_F(Lifecycle, DeadlinesMoveWithExtensionsAndSuspension) {
  Ticket t = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kAccept), handler());
  const TimeMs due = t.ActiveLead()->handle_due_at;
  EXPECT_EQ(due, t.created_at + 5 * kDayMs);
  EXPECT_EQ(t.due_at, due);
  Command too_long = Cmd(C::kRequestExtension);
  too_long.days = 31;
  const auto refused = Run(t, too_long, handler()).status();
  EXPECT_EQ(refused.field(), "days");
  EXPECT_NE(refused.message().find("between 1 and 30"), std::string::npos) << refused.message();
  t = Must(t, Cmd(C::kRequestExtension), handler());
  EXPECT_EQ(Run(t, Cmd(C::kRequestExtension), handler()).status().code(), Code::kConflict);
  t = Must(t, Cmd(C::kDecideExtension), supervisor());
  EXPECT_EQ(t.ActiveLead()->handle_due_at, due + 3 * kDayMs);
  // The policy's 30 days bound the extensions together: 3 granted, 27 left.
  too_long.days = 28;
  const auto over = Run(t, too_long, handler()).status();
  EXPECT_EQ(over.field(), "days");
  EXPECT_NE(over.message().find("between 1 and 27"), std::string::npos) << over.message();
  too_long.days = 27;
  Ticket full = Must(Must(t, too_long, handler()), Cmd(C::kDecideExtension), supervisor());
  EXPECT_EQ(full.ActiveLead()->handle_due_at, due + 30 * kDayMs);
  EXPECT_NE(Run(full, Cmd(C::kRequestExtension), handler()).status().message().find("no more days"), std::string::npos);
  // Suspension asked by the unit is only a request; the centre's suspension stops the clock.
  t = Must(t, Cmd(C::kSuspend), handler());
  EXPECT_EQ(t.Status(), S::kInProgress);
  EXPECT_TRUE(t.ActiveLead()->suspend_requested);
  const Status again = Run(t, Cmd(C::kSuspend), handler()).status();
  EXPECT_EQ(again.code(), Code::kConflict);
  EXPECT_EQ(again.message(), "a suspension request is already waiting for a decision");
  t = Must(t, Cmd(C::kSuspend), supervisor());
  EXPECT_EQ(t.Status(), S::kSuspended);
  EXPECT_EQ(Run(t, Cmd(C::kReply), handler()).status().code(), Code::kConflict);
  clock_.AdvanceMs(2 * kDayMs);
  t = Must(t, Cmd(C::kResume), handler());
  EXPECT_EQ(t.ActiveLead()->handle_due_at, due + 5 * kDayMs);
}

TEST_F(Lifecycle, ARelayCentresClockMovesWithItsUnitsExtensionAndSuspension) {
  Ticket t = Must(New(), Dispatch(kDistrict, "relay"), dispatcher());
  const Actor district = A(Role::kDispatcher, kDistrict);
  t = Must(Must(t, Dispatch(kStreet), district), Cmd(C::kAccept), handler(kStreet));
  ASSERT_EQ(t.assignments.size(), 2u);
  const TimeMs centre_due = t.assignments[0].handle_due_at, street_due = t.assignments[1].handle_due_at;
  t = Must(Must(t, Cmd(C::kRequestExtension), handler(kStreet)), Cmd(C::kDecideExtension), district);
  EXPECT_EQ(t.assignments[1].handle_due_at, street_due + 3 * kDayMs);
  EXPECT_EQ(t.assignments[0].handle_due_at, centre_due + 3 * kDayMs);
  t = Must(t, Cmd(C::kSuspend), district);
  EXPECT_EQ(t.Status(), S::kSuspended);
  EXPECT_EQ(t.assignments[0].next_alarm_at, 0) << "the centre's clock waits while its unit is suspended";
  EXPECT_TRUE(t.ClockStopped(t.assignments[0]));
  EXPECT_EQ(t.LevelOf(t.assignments[0], centre_due + 30 * kDayMs), WarningLevel::kNone) << "not overdue while it waits";
  clock_.AdvanceMs(2 * kDayMs);
  t = Must(t, Cmd(C::kResume), district);
  EXPECT_EQ(t.assignments[1].handle_due_at, street_due + 5 * kDayMs);
  EXPECT_EQ(t.assignments[0].handle_due_at, centre_due + 5 * kDayMs);
  EXPECT_GT(t.assignments[0].next_alarm_at, clock_.NowMs());
}

// The overall deadline runs on its own clock: an extension or a suspension of a later unit
// moves it by that time, never to that unit's own deadline, and a changed calendar
// recomputes it after a re-dispatch too.
TEST_F(Lifecycle, TheOverallDeadlineKeepsItsOwnClock) {
  Ticket t = Must(New(), Dispatch(kDept), dispatcher());
  const TimeMs overall = t.due_at;
  clock_.AdvanceMs(2 * kDayMs);
  t = Must(t, Cmd(C::kReturn), handler());
  Command again = Cmd(C::kRedispatch);
  again.unit_id = kDept2;
  t = Must(Must(t, again, dispatcher()), Cmd(C::kAccept), handler(kDept2));
  EXPECT_EQ(t.due_at, overall) << "a re-dispatch does not reset it";
  EXPECT_EQ(t.ActiveLead()->handle_due_at, overall + 2 * kDayMs);
  t = Must(Must(t, Cmd(C::kRequestExtension), handler(kDept2)), Cmd(C::kDecideExtension), supervisor());
  EXPECT_EQ(t.due_at, overall + 3 * kDayMs) << "3 days more, not the new unit's deadline";
  t = Must(t, Cmd(C::kSuspend), supervisor());
  clock_.AdvanceMs(kDayMs);
  t = Must(t, Cmd(C::kResume), supervisor());
  EXPECT_EQ(t.due_at, overall + 4 * kDayMs);
  // The calendar changes (here: every limit ends an hour later).
  struct Later : Policy {
    TimeMs Due(TimeMs start, int64_t ms, bool) const override { return start + ms + kHourMs; }
  } later;
  Command recompute;
  recompute.type = C::kRecomputeDeadlines;
  recompute.reason = "calendar";
  const CommandContext ctx{clock_.NowMs(), &org_, &later, &ids_, nullptr};
  auto moved = Decide(t, recompute, Actor{0, Role::kSystem, 0, "system"}, ctx);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->ticket.due_at, overall + 4 * kDayMs + kHourMs);
  // Also while the reply waits for review (a rejected one goes back to handling on it).
  const Ticket replied = Must(t, Cmd(C::kReply), handler(kDept2));
  ASSERT_EQ(replied.phase, Phase::kReview);
  auto in_review = Decide(replied, recompute, Actor{0, Role::kSystem, 0, "system"}, ctx);
  ASSERT_TRUE(in_review.ok()) << in_review.status().ToString();
  EXPECT_EQ(in_review->ticket.due_at, overall + 4 * kDayMs + kHourMs);
  // And the 回访 deadline of a ticket waiting for its callback.
  Ticket waiting = InStatus(S::kAwaitingCallback);
  ASSERT_GT(waiting.callback_due_at, 0);
  auto callback = Decide(waiting, recompute, Actor{0, Role::kSystem, 0, "system"}, ctx);
  ASSERT_TRUE(callback.ok()) << callback.status().ToString();
  EXPECT_EQ(callback->ticket.callback_due_at, waiting.callback_due_at + kHourMs);
  ASSERT_FALSE(callback->events.empty());
  EXPECT_EQ(callback->events.back().type, "deadline_recomputed");
  // A policy changed since gives new tickets its callback limit, not this one: its limit is
  // the one it was given when the answer was approved.
  struct LongerCallback : Policy {
    int64_t CallbackMs() const override { return 3 * kDayMs; }
  } longer;
  const CommandContext with_longer{clock_.NowMs(), &org_, &longer, &ids_, nullptr};
  auto kept = Decide(waiting, recompute, Actor{0, Role::kSystem, 0, "system"}, with_longer);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->ticket.callback_due_at, waiting.callback_due_at);
}

// The dispatcher confirms or corrects the proposed category, type and urgency in the
// dispatch itself; what changed is in the event, as feedback.
TEST_F(Lifecycle, DispatchConfirmsOrCorrectsTheProposal) {
  Command c = Dispatch(kDept);
  c.category_code = "0101";
  c.taxonomy_version = 3;
  c.urgency = "urgent";
  c.request_type = "complaint";  // as it was: not a correction
  auto d = Run(New(), c, dispatcher());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->ticket.category_code, "0101");
  EXPECT_EQ(d->ticket.taxonomy_version, 3);
  EXPECT_EQ(d->ticket.urgency, "urgent");
  const std::string& data = d->events.back().data_json;
  EXPECT_NE(data.find(R"("category_code":{"new":"0101","old":""})"), std::string::npos) << data;
  EXPECT_NE(data.find(R"("urgency":{"new":"urgent","old":"normal"})"), std::string::npos) << data;
  EXPECT_EQ(data.find("request_type"), std::string::npos) << data;
}

TEST_F(Lifecycle, ASuspensionRequestIsApprovedOrRefused) {
  Ticket t = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kAccept), handler());
  const TimeMs due = t.ActiveLead()->handle_due_at;
  EXPECT_EQ(Run(t, Cmd(C::kDecideSuspension), supervisor()).status().code(), Code::kConflict);
  t = Must(t, Cmd(C::kSuspend), handler());
  Command decide = Cmd(C::kDecideSuspension);
  EXPECT_EQ(Run(t, decide, handler()).status().code(), Code::kPermissionDenied);
  decide.approve.reset();
  EXPECT_EQ(Run(t, decide, supervisor()).status().field(), "approve");
  // Refused: the unit goes on with its clock running, and may ask again. A refusal says why.
  decide.approve = false;
  decide.comment.clear();
  EXPECT_EQ(Run(t, decide, supervisor()).status().field(), "comment");
  decide.comment = "\u200b\ufeff";  // looks empty on every screen
  EXPECT_EQ(Run(t, decide, supervisor()).status().field(), "comment");
  decide.comment = "意见";
  auto r = Run(t, decide, supervisor());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.back().type, "suspend_refused");
  EXPECT_NE(r->events.back().data_json.find("意见"), std::string::npos);
  t = r->ticket;
  EXPECT_EQ(t.Status(), S::kInProgress);
  EXPECT_FALSE(t.ActiveLead()->suspend_requested);
  EXPECT_TRUE(t.ActiveLead()->suspend_reason.empty());
  EXPECT_EQ(Run(t, decide, supervisor()).status().code(), Code::kConflict);
  // Asked again and approved: the clock stops until the order resumes.
  t = Must(t, Cmd(C::kSuspend), handler());
  decide.approve = true;
  r = Run(t, decide, supervisor());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->events.back().type, "suspended");
  EXPECT_TRUE(r->events.back().is_public);
  t = r->ticket;
  EXPECT_EQ(t.Status(), S::kSuspended);
  EXPECT_EQ(t.ActiveLead()->suspend_reason, "原因");
  clock_.AdvanceMs(kDayMs);
  t = Must(t, Cmd(C::kResume), handler());
  EXPECT_EQ(t.ActiveLead()->handle_due_at, due + kDayMs);
}

TEST_F(Lifecycle, AReplyEndsTheUnitsWaitingRequestsAndLaterChasesGoToTheCentresDesk) {
  Ticket t = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kAccept), handler());
  t = Must(Must(t, Cmd(C::kRequestExtension), handler()), Cmd(C::kSuspend), handler());
  auto r = Run(t, Cmd(C::kReply), handler());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE(r->events.back().data_json.find(R"("withdrawn_requests":["extension","suspension"])"), std::string::npos)
      << r->events.back().data_json;
  t = r->ticket;
  EXPECT_FALSE(t.ActiveLead()->suspend_requested);
  EXPECT_EQ(t.ActiveLead()->extension_days_requested, 0);
  // Sent back by the review, the unit holds the order again, with nothing waiting to approve.
  Command reject = Cmd(C::kReview);
  reject.decision = "reject";
  t = Must(t, reject, reviewer());
  EXPECT_EQ(Run(t, Cmd(C::kDecideSuspension), supervisor()).status().code(), Code::kConflict);
  EXPECT_EQ(Run(t, Cmd(C::kDecideExtension), supervisor()).status().code(), Code::kConflict);
  // A chase while the unit holds it names the unit; after its answer, the desk that holds it.
  r = Run(t, Cmd(C::kUrge), agent());
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->events.back().data_json.find(R"("unit_id")"), std::string::npos);
  t = Must(Must(t, Cmd(C::kReply), handler()), Cmd(C::kReview), reviewer());
  r = Run(t, Cmd(C::kUrge), agent());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->events.back().data_json.find(R"("unit_id")"), std::string::npos) << r->events.back().data_json;
  EXPECT_NE(r->events.back().data_json.find(R"("stage":"callback")"), std::string::npos);
  // Answered, the ticket ends through its callback, not a withdrawal.
  EXPECT_EQ(Run(t, Cmd(C::kWithdraw), agent()).status().code(), Code::kConflict);
}

TEST_F(Lifecycle, AnOrderSuspendedAfterItsDeadlineStaysOverdue) {
  Ticket t = Must(Must(New(), Dispatch(kDept), dispatcher()), Cmd(C::kAccept), handler());
  // Suspended in time: off the clock, shown and counted as nothing.
  Ticket early = Must(t, Cmd(C::kSuspend), supervisor());
  EXPECT_EQ(early.LevelAt(clock_.NowMs()), WarningLevel::kNone);
  EXPECT_FALSE(early.DeadlineCounts(*early.ActiveLead()));
  // Suspended five days after the deadline: the clock stops, the lateness stays.
  clock_.AdvanceMs(t.due_at + 5 * kDayMs - clock_.NowMs());
  t = Must(t, Cmd(C::kSuspend), supervisor());
  const TimeMs stopped = clock_.NowMs();
  clock_.AdvanceMs(3 * kDayMs);
  const Assignment& a = *t.ActiveLead();
  EXPECT_EQ(t.LevelAt(clock_.NowMs()), WarningLevel::kRed);
  EXPECT_EQ(t.LevelOf(a, clock_.NowMs()), WarningLevel::kRed);
  EXPECT_TRUE(t.DeadlineCounts(a));
  EXPECT_EQ(t.ClockDeadline().frozen_at, stopped) << "the overrun is counted to the stop, not to now";
  EXPECT_EQ(a.next_alarm_at, 0) << "no automatic urging while it stands";
  // Exempted (免考核), its lateness is not held against the unit.
  Command exempt = Cmd(C::kExempt);
  Ticket off = Must(t, exempt, supervisor());
  EXPECT_EQ(off.LevelOf(*off.ActiveLead(), clock_.NowMs()), WarningLevel::kNone);
  EXPECT_FALSE(off.DeadlineCounts(*off.ActiveLead()));
  // Resumed, it is as late as when it stopped.
  t = Must(t, Cmd(C::kResume), handler());
  EXPECT_EQ(t.LevelAt(clock_.NowMs()), WarningLevel::kRed);
}

TEST_F(Lifecycle, ARelayWaitingOnAnOrderSuspendedLateIsLateToo) {
  Ticket t = Must(New(), Dispatch(kDistrict, "relay"), dispatcher());
  t = Must(t, Dispatch(kStreet), A(Role::kDispatcher, kDistrict));
  t = Must(t, Cmd(C::kAccept), handler(kStreet));
  const Assignment* relay = nullptr;
  for (const auto& a : t.assignments) if (a.unit_id == kDistrict) relay = &a;
  ASSERT_NE(relay, nullptr);
  clock_.AdvanceMs(relay->handle_due_at + kDayMs - clock_.NowMs());
  t = Must(t, Cmd(C::kSuspend), A(Role::kDispatcher, kDistrict));
  for (const auto& a : t.assignments) {
    if (a.unit_id != kDistrict && a.unit_id != kStreet) continue;
    EXPECT_EQ(t.StoppedAt(a), clock_.NowMs()) << a.unit_id;
    EXPECT_TRUE(t.StoppedLate(a)) << a.unit_id;
    EXPECT_EQ(t.LevelOf(a, clock_.NowMs() + kDayMs), WarningLevel::kRed) << a.unit_id;
    EXPECT_TRUE(t.DeadlineCounts(a)) << a.unit_id;
  }
}

TEST_F(Lifecycle, CallbacksReopenAndCaps) {
  Ticket t = InStatus(S::kAwaitingCallback);
  Command bad = Cmd(C::kCallback);
  bad.rating = "dissatisfied";
  t = Must(t, bad, callback_agent());
  EXPECT_EQ(t.Status(), S::kClosed);
  EXPECT_EQ(t.closing_kind, "unsatisfied");
  for (int round = 1; round <= 2; ++round) {
    t = Must(t, Cmd(C::kReopen), callback_agent());
    EXPECT_EQ(t.Status(), S::kDispatched);
    EXPECT_EQ(t.reopen_count, round);
    EXPECT_EQ(t.ActiveLead()->unit_id, kDept);
    EXPECT_EQ(t.ActiveLead()->round, round);
    t = Must(Must(Must(Must(t, Cmd(C::kAccept), handler()), Cmd(C::kReply), handler()), Cmd(C::kReview), reviewer()),
             bad, callback_agent());
  }
  auto capped = Run(t, Cmd(C::kReopen), callback_agent());
  EXPECT_EQ(capped.status().code(), Code::kFailedPrecondition);
  // Unreachable three times closes the ticket as unreachable.
  Ticket u = InStatus(S::kAwaitingCallback);
  Command miss = Cmd(C::kCallback);
  miss.outcome = "unreachable";
  miss.rating.clear();
  u = Must(Must(u, miss, callback_agent()), miss, callback_agent());
  EXPECT_EQ(u.Status(), S::kAwaitingCallback);
  u = Must(u, miss, callback_agent());
  EXPECT_EQ(u.closing_kind, "unreachable");
}

TEST_F(Lifecycle, MergeNeedsAnOpenTarget) {
  Ticket t = New();
  Ticket closed = InStatus(S::kClosed);
  Command c = Cmd(C::kMerge);
  c.into_ticket_id = closed.id;
  EXPECT_EQ(Run(t, c, dispatcher(), &closed).status().code(), Code::kFailedPrecondition);
  c.into_ticket_id = t.id;
  EXPECT_EQ(Run(t, c, dispatcher(), &t).status().field(), "into_ticket_id");
  Ticket open = New();
  c.into_ticket_id = open.id;
  auto r = Run(t, c, dispatcher(), &open);
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->target);
  EXPECT_EQ(r->target_events.at(0).type, "merged_in");
  EXPECT_EQ(r->target->version, open.version);  // the target's client version is untouched
}

TEST(CommandParse, FieldsAreValidatedAndNamed) {
  EXPECT_EQ(ParseCommand(C::kReturn, "{}").status().field(), "reason");
  EXPECT_EQ(ParseCommand(C::kReturn, R"({"reason": 5})").status().field(), "reason");
  EXPECT_EQ(ParseCommand(C::kTransfer, R"({"to":"911","note":"x"})").status().field(), "to");
  EXPECT_EQ(ParseCommand(C::kDispatch, R"({"unit_id":"abc"})").status().field(), "unit_id");
  EXPECT_EQ(ParseCommand(C::kDispatch, R"({"unit_id":"5","mode":"fast"})").status().field(), "mode");
  EXPECT_EQ(ParseCommand(C::kDispatch, R"({"unit_id":"5","urgency":"now"})").status().field(), "urgency");
  EXPECT_EQ(ParseCommand(C::kRedispatch, R"({"unit_id":"5","request_type":"chat"})").status().field(), "request_type");
  EXPECT_EQ(ParseCommand(C::kDispatch, R"({"unit_id":"5","category_code":7})").status().field(), "category_code");
  EXPECT_EQ(ParseCommand(C::kCallback, R"({"outcome":"reached"})").status().field(), "rating");
  EXPECT_EQ(ParseCommand(C::kCallback, R"({"outcome":"unreachable","rating":"satisfied"})").status().field(), "rating");
  EXPECT_EQ(ParseCommand(C::kRequestExtension, R"({"days":0,"reason":"x"})").status().field(), "days");
  EXPECT_EQ(ParseCommand(C::kDecideExtension, R"({"approve":"yes"})").status().field(), "approve");
  EXPECT_EQ(ParseCommand(C::kAccept, R"({"version":0})").status().field(), "version");
  EXPECT_EQ(ParseCommand(C::kAccept, "[1]").status().field(), "body");
  auto ok = ParseCommand(C::kDispatch, R"({"unit_id":"12","assisting_unit_ids":[13,"14"],"version":3})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->assisting_unit_ids, (std::vector<Id>{13, 14}));
  EXPECT_EQ(ok->expected_version, 3);
  EXPECT_TRUE(ParseCommand(C::kAccept, "").ok());
  // A file cited twice (or a unit listed twice) is refused where it repeats.
  EXPECT_EQ(ParseCommand(C::kReply, R"({"content":"已处理","attachment_ids":["5",5]})").status().field(), "attachment_ids[1]");
}

}  // namespace
}  // namespace hotline

namespace hotline {
namespace {

// The ticket's level reads its overall deadline, as the list's overdue and warning filters
// do; a re-dispatched unit keeps its own fresh clock on its assignment.
TEST(TicketClock, TheTicketsLevelFollowsItsOverallDeadline) {
  Ticket t;
  t.phase = Phase::kHandling;
  t.due_at = 1000;
  Assignment first;
  first.id = 1, first.lead = true, first.state = AssignmentState::kSuperseded, first.handle_due_at = 1000;
  Assignment second;
  second.id = 2, second.lead = true, second.state = AssignmentState::kAccepted;
  second.handle_due_at = 5000, second.handle_warn_at = 4000;
  t.assignments = {first, second};
  EXPECT_EQ(t.LevelAt(500), WarningLevel::kNone);
  EXPECT_EQ(t.LevelAt(1000), WarningLevel::kRed) << "a re-dispatch does not reset the ticket's deadline";
  EXPECT_EQ(t.assignments[1].LevelAt(1000), WarningLevel::kNone) << "the new unit is on time on its own clock";
  t.assignments[1].suspended = true;
  EXPECT_EQ(t.LevelAt(2000), WarningLevel::kNone) << "nobody is on the clock while suspended";
  t.assignments[1].suspended = false;
  t.due_at = 6000;
  EXPECT_EQ(t.LevelAt(3000), WarningLevel::kNone);
  EXPECT_EQ(t.LevelAt(4500), WarningLevel::kYellow);
  EXPECT_EQ(t.LevelAt(6000), WarningLevel::kRed);
}

// After a relay's lower unit returned the order, the relaying centre holds it: its clock
// is the ticket's (the list's overdue filter and the per-unit overdue count agree).
TEST(TicketClock, AReturnedRelayRunsOnTheCentresClock) {
  Ticket t;
  t.phase = Phase::kHandling;
  Assignment centre;
  centre.id = 1, centre.lead = true, centre.state = AssignmentState::kAccepted, centre.mode = "relay";
  centre.handle_due_at = 1000, centre.handle_warn_at = 750;
  t.due_at = 1000;
  Assignment street;
  street.id = 2, street.lead = true, street.parent_id = 1, street.state = AssignmentState::kReturned;
  street.handle_due_at = 900;
  t.assignments = {centre, street};
  EXPECT_EQ(t.Status(), TicketStatus::kReturned);
  ASSERT_NE(t.ClockLead(), nullptr);
  EXPECT_EQ(t.ClockLead()->id, 1);
  EXPECT_EQ(t.LevelAt(500), WarningLevel::kNone);
  EXPECT_EQ(t.LevelAt(800), WarningLevel::kYellow);
  EXPECT_EQ(t.LevelAt(1000), WarningLevel::kRed);
  // Returned straight to the hub (no relay above): no unit's clock runs, but the citizen's
  // deadline does, so the hub sees the order it holds due.
  t.assignments = {street};
  t.assignments[0].parent_id = 0;
  t.assignments[0].handle_warn_at = 700;
  EXPECT_EQ(t.ClockLead(), nullptr);
  EXPECT_EQ(t.ClockDeadline().due, 1000);
  EXPECT_EQ(t.LevelAt(500), WarningLevel::kNone);
  EXPECT_EQ(t.LevelAt(800), WarningLevel::kYellow);
  EXPECT_EQ(t.LevelAt(5000), WarningLevel::kRed);
  t.exempt = true;
  EXPECT_EQ(t.LevelAt(5000), WarningLevel::kNone);
}

}  // namespace
}  // namespace hotline
