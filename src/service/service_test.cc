// The service over a real SQLite store with an injected clock: the SLA timer raises each
// alarm once — also across a restart — lists filter by deadline, a calendar edit
// recomputes open deadlines, and the masking matrix holds.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <thread>

#include <atomic>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "core/crypto.h"
#include "service/kb_service.h"
#include "service/report.h"
#include "service/service.h"

namespace hotline {
namespace {

TimeMs T(const char* iso) { return *ParseIso(iso); }

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("hotline-svc-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    key_ = Vault::NewMasterKeyHex();
    Open();
    Actor root{0, Role::kSystem, 0, "test"};
    hub_ = svc_->CreateUnit(root, Unit{0, "市中心", UnitKind::kCityCenter, 0, 0, "", true})->id;
    dept_ = svc_->CreateUnit(root, Unit{0, "住建局", UnitKind::kDepartment, hub_, 0, "", true})->id;
    agent_ = Actor{1, Role::kAgent, hub_, "agent"};
    dispatcher_ = Actor{2, Role::kDispatcher, hub_, "disp"};
  }
  void TearDown() override {
    svc_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    svc_.reset();
    store_.reset();
    SqliteOptions o;
    o.path = (dir_ / "s.db").string();
    o.data_key_hex = key_;
    o.clock = &clock_;
    store_ = std::move(OpenSqliteStore(o)).value();
    svc_ = std::make_unique<Service>(store_.get(), &clock_, &ids_);
  }
  // A phone complaint taken in by the hub's agent, not yet dispatched.
  Id NewTicket() {
    TicketInput in;
    in.channel = "phone";
    in.request_type = "complaint";
    in.content = "路灯不亮";
    in.citizen.name = "张三";
    in.citizen.phone = "13812345678";
    auto t = svc_->CreateTicket(agent_, in, "");
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return t.ok() ? t->ticket.id : 0;
  }
  Id NewDispatchedTicket() {
    const Id id = NewTicket();
    Command c;
    c.type = CommandType::kDispatch;
    c.unit_id = dept_;
    c.mode = "direct";
    EXPECT_TRUE(svc_->Act(dispatcher_, id, c).ok());
    return id;
  }
  std::vector<std::string> SystemEvents(Id id) {
    std::vector<std::string> out;
    auto events = store_->ListEvents(id);
    EXPECT_TRUE(events.ok());
    if (!events.ok()) return out;
    for (const auto& e : events.value()) if (e.system) out.push_back(e.type);
    return out;
  }
  int64_t Count(TicketQuery q) {
    auto page = svc_->ListTickets(dispatcher_, q, "");
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->total : -1;
  }

  // An agent of the hub made by the administrator, with this password.
  Result<User> MakeAgent(const std::string& username, const std::string& password) {
    User u;
    u.username = username;
    u.role = Role::kAgent;
    u.unit_id = hub_;
    u.display_name = "话务员" + username;
    return svc_->CreateUser(Actor{9, Role::kAdmin, hub_, "admin"}, u, password);
  }

  std::filesystem::path dir_;
  std::string key_;
  ManualClock clock_{T("2025-09-30T09:00:00+08:00")};
  IdGenerator ids_{&clock_, 5};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Service> svc_;
  Id hub_ = 0, dept_ = 0;
  Actor agent_, dispatcher_;
};

TEST_F(ServiceTest, TimerRaisesAlarmsOnceAcrossRestarts) {
  const Id id = NewDispatchedTicket();
  auto t = store_->GetTicket(id);
  EXPECT_EQ(FormatIsoCity(t->due_at), "2025-10-14T09:00:00+08:00");
  EXPECT_EQ(*svc_->RunSlaTick(), 0);
  TicketQuery yellow;
  yellow.warning = "yellow";
  TicketQuery overdue;
  overdue.overdue = true;
  EXPECT_EQ(Count(yellow), 0);
  clock_.Set(T("2025-10-13T12:00:00+08:00"));  // past 75 %, before the deadline
  EXPECT_EQ(*svc_->RunSlaTick(), 1);
  EXPECT_EQ(SystemEvents(id), (std::vector<std::string>{"accept_overdue", "sla_warning"}));
  EXPECT_EQ(Count(yellow), 1);
  EXPECT_EQ(Count(overdue), 0);
  TicketQuery due_soon;
  due_soon.due_before = T("2025-10-15T00:00:00+08:00");
  EXPECT_EQ(Count(due_soon), 1);
  // A restart between runs raises nothing twice.
  Open();
  EXPECT_EQ(*svc_->RunSlaTick(), 0);
  clock_.Set(T("2025-10-14T09:00:00+08:00"));
  EXPECT_EQ(*svc_->RunSlaTick(), 1);
  Open();
  EXPECT_EQ(*svc_->RunSlaTick(), 0);
  EXPECT_EQ(SystemEvents(id), (std::vector<std::string>{"accept_overdue", "sla_warning", "sla_overdue", "urged"}));
  EXPECT_EQ(Count(overdue), 1);
  EXPECT_EQ(store_->GetTicket(id)->version, 2) << "system events leave the client's version alone";
  clock_.Set(T("2025-10-15T09:00:00+08:00"));
  EXPECT_EQ(*svc_->RunSlaTick(), 1);
  EXPECT_TRUE(store_->GetTicket(id)->supervised);
}

TEST_F(ServiceTest, SuspendedOrRepliedOrdersAreNotOverdue) {
  const Id id = NewDispatchedTicket();
  Actor handler{3, Role::kUnitHandler, dept_, "h"};
  Actor supervisor{4, Role::kSupervisor, hub_, "sup"};
  Command c;
  c.type = CommandType::kAccept;
  ASSERT_TRUE(svc_->Act(handler, id, c).ok());
  c.type = CommandType::kSuspend;
  c.reason = "等待市民补充材料";
  ASSERT_TRUE(svc_->Act(supervisor, id, c).ok());
  clock_.Set(T("2025-10-20T09:00:00+08:00"));  // past the original deadline
  TicketQuery overdue;
  overdue.overdue = true;
  EXPECT_EQ(Count(overdue), 0);
  auto backlog = store_->BacklogByUnit(clock_.NowMs());
  ASSERT_TRUE(backlog.ok());
  ASSERT_FALSE(backlog->empty());  // still the unit's open order, suspended
  for (const auto& b : *backlog) EXPECT_EQ(b.overdue, 0);
  EXPECT_EQ(*svc_->RunSlaTick(), 0);
  c.type = CommandType::kResume;
  ASSERT_TRUE(svc_->Act(handler, id, c).ok());
  EXPECT_EQ(Count(overdue), 0) << "the suspended time was not counted";
  c.type = CommandType::kReply;
  c.content = "已修复";
  ASSERT_TRUE(svc_->Act(handler, id, c).ok());
  clock_.Set(T("2025-12-31T09:00:00+08:00"));
  EXPECT_EQ(Count(overdue), 0) << "a replied ticket waits on the centre, not on the unit";
}

// A district centre relaying an order waits on its street's approved pause: neither its
// overdue count nor its overdue list holds the order while the street is suspended.
TEST_F(ServiceTest, ARelayingCentreIsNotOverdueWhileItsUnitIsSuspended) {
  Actor root{0, Role::kSystem, 0, "test"};
  const Id district = svc_->CreateUnit(root, Unit{0, "东区分中心", UnitKind::kDistrictCenter, hub_, 0, "", true})->id;
  const Id street = svc_->CreateUnit(root, Unit{0, "东街街道", UnitKind::kStreet, district, 0, "", true})->id;
  const Id id = NewTicket();
  ASSERT_NE(id, 0);
  Command c;
  c.type = CommandType::kDispatch;
  c.unit_id = district;
  c.mode = "relay";
  ASSERT_TRUE(svc_->Act(dispatcher_, id, c).ok());
  Actor district_disp{5, Role::kDispatcher, district, "dd"};
  c.unit_id = street;
  c.mode = "direct";
  auto relayed = svc_->Act(district_disp, id, c);
  ASSERT_TRUE(relayed.ok()) << relayed.status().ToString();
  Actor handler{6, Role::kUnitHandler, street, "h"};
  Command accept;
  accept.type = CommandType::kAccept;
  ASSERT_TRUE(svc_->Act(handler, id, accept).ok());
  Command suspend;
  suspend.type = CommandType::kSuspend;
  suspend.reason = "等待市民补充材料";
  auto s = svc_->Act(Actor{4, Role::kSupervisor, hub_, "sup"}, id, suspend);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  clock_.Set(T("2025-12-20T09:00:00+08:00"));  // long past every time limit
  TicketQuery overdue;
  overdue.overdue = true;
  overdue.unit_id = district;
  EXPECT_EQ(Count(overdue), 0) << "the relaying centre's list";
  overdue.unit_id = street;
  EXPECT_EQ(Count(overdue), 0);
  auto backlog = store_->BacklogByUnit(clock_.NowMs());
  ASSERT_TRUE(backlog.ok());
  for (const auto& b : *backlog) EXPECT_EQ(b.overdue, 0) << "the counts agree with the lists";
}

// An order suspended after its deadline had passed stays in the overdue lists and counts
// (the clock stops, the lateness does not go away), for the ticket and for its unit.
TEST_F(ServiceTest, AnOrderSuspendedLateStaysInTheOverdueCounts) {
  const Id id = NewDispatchedTicket();
  Actor handler{3, Role::kUnitHandler, dept_, "h"};
  Command accept;
  accept.type = CommandType::kAccept;
  ASSERT_TRUE(svc_->Act(handler, id, accept).ok());
  clock_.Set(T("2025-12-20T09:00:00+08:00"));  // long past its time limit
  Command suspend;
  suspend.type = CommandType::kSuspend;
  suspend.reason = "等待鉴定结果";
  ASSERT_TRUE(svc_->Act(Actor{4, Role::kSupervisor, hub_, "sup"}, id, suspend).ok());
  clock_.Set(T("2025-12-22T09:00:00+08:00"));
  TicketQuery overdue;
  overdue.overdue = true;
  EXPECT_EQ(Count(overdue), 1) << "the ticket's list";
  overdue.unit_id = dept_;
  EXPECT_EQ(Count(overdue), 1) << "the unit's list";
  auto backlog = store_->BacklogByUnit(clock_.NowMs());
  ASSERT_TRUE(backlog.ok());
  int64_t late = 0;
  for (const auto& b : *backlog) late += b.unit_id == dept_ ? b.overdue : 0;
  EXPECT_EQ(late, 1) << "the unit's count agrees with its list";
  // A database written before this rule held the order off the clock in its columns: opened
  // again, its open suspended tickets are written anew, once, and the lists agree.
  svc_.reset();
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "s.db").string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE tickets SET due_at = 0, warn_at = 0; UPDATE assignments SET handle_due_at = "
                             "4611686018427387903; DELETE FROM meta WHERE key = 'ticket_columns_version';",
                         nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  Open();
  overdue.unit_id = 0;
  EXPECT_EQ(Count(overdue), 1) << "the ticket's list, after the upgrade";
  overdue.unit_id = dept_;
  EXPECT_EQ(Count(overdue), 1) << "the unit's list, after the upgrade";
}

// 按时办结率 and 签收及时率 count a late order as late however it ended: a unit that returns an
// order after its time limit, or never signs for one, does not lift its rates by that.
TEST_F(ServiceTest, ALateOrderReturnedOrNeverSignedCountsAsLate) {
  const TimeMs start = clock_.NowMs();
  Actor handler{3, Role::kUnitHandler, dept_, "h"};
  Command accept, reply, ret;
  accept.type = CommandType::kAccept;
  reply.type = CommandType::kReply;
  reply.content = "已处理";
  ret.type = CommandType::kReturn;
  ret.reason = "不属本单位职责";
  const Id answered = NewDispatchedTicket(), returned = NewDispatchedTicket(), unsigned_ = NewDispatchedTicket();
  ASSERT_TRUE(svc_->Act(handler, answered, accept).ok());
  ASSERT_TRUE(svc_->Act(handler, answered, reply).ok());
  ASSERT_TRUE(svc_->Act(handler, returned, accept).ok());
  clock_.Set(start + 30 * kDayMs);  // long past both time limits
  ASSERT_TRUE(svc_->Act(handler, returned, ret).ok());
  auto rows = svc_->SlaStats(dispatcher_, start - kDayMs, start + kDayMs);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  const UnitSlaStats* unit = nullptr;
  for (const auto& r : *rows) if (r.unit_id == dept_) unit = &r;
  ASSERT_NE(unit, nullptr);
  EXPECT_EQ(unit->dispatched, 3);
  EXPECT_EQ(unit->replied_on_time, 1);
  EXPECT_EQ(unit->open_overdue, 1) << "the order never signed for";
  EXPECT_EQ(unit->ended_overdue, 1) << "the order returned late";
  EXPECT_EQ(unit->HandleCounted(), 3);
  EXPECT_EQ(unit->accepted_on_time, 2);
  EXPECT_EQ(unit->accept_missed, 1);
  EXPECT_EQ(unit->AcceptCounted(), 3);
  (void)unsigned_;
  // An exempt order (免考核) is off the clock: never signed, it is not late to sign either.
  const Id exempt = NewDispatchedTicket();
  Command ex;
  ex.type = CommandType::kExempt;
  ex.reason = "不可抗力";
  ASSERT_TRUE(svc_->Act(Actor{4, Role::kSupervisor, hub_, "sup"}, exempt, ex).ok());
  clock_.Set(start + 40 * kDayMs);
  rows = svc_->SlaStats(dispatcher_, start - kDayMs, start + 41 * kDayMs);
  ASSERT_TRUE(rows.ok());
  for (const auto& r : *rows) {
    if (r.unit_id == dept_) {
      EXPECT_EQ(r.accept_missed, 1) << "the exempt order adds nothing";
    }
  }
}

// A unit's "overdue" and "due soon" lists read its own order's time limit, as its rows show
// it: a unit that took over a returned order is not late because the ticket's overall
// deadline passed, and the unit that returned it lists nothing.
TEST_F(ServiceTest, UnitDeadlineFiltersReadTheUnitsOwnClock) {
  Actor root{0, Role::kSystem, 0, "test"};
  const Id other = svc_->CreateUnit(root, Unit{0, "城管局", UnitKind::kDepartment, hub_, 0, "", true})->id;
  const Id id = NewDispatchedTicket();
  clock_.Set(T("2025-10-13T09:00:00+08:00"));
  Actor handler{3, Role::kUnitHandler, dept_, "h"};
  Command c;
  c.type = CommandType::kReturn;
  c.reason = "非本单位职责";
  ASSERT_TRUE(svc_->Act(handler, id, c).ok());
  Command r;
  r.type = CommandType::kRedispatch;
  r.unit_id = other;
  r.mode = "direct";
  ASSERT_TRUE(svc_->Act(dispatcher_, id, r).ok());
  clock_.Set(T("2025-10-15T09:00:00+08:00"));  // past the ticket's overall deadline (10-14)
  TicketQuery overdue;
  overdue.overdue = true;
  EXPECT_EQ(Count(overdue), 1) << "the ticket's own deadline has passed";
  overdue.unit_id = other;
  EXPECT_EQ(Count(overdue), 0) << "the new unit's own time limit has not";
  overdue.unit_id = dept_;
  EXPECT_EQ(Count(overdue), 0) << "the unit that returned it holds nothing";
  TicketQuery soon;
  soon.unit_id = other;
  soon.due_before = T("2025-10-30T00:00:00+08:00");
  EXPECT_EQ(Count(soon), 1);
  soon.due_before = T("2025-10-16T00:00:00+08:00");
  EXPECT_EQ(Count(soon), 0);
  clock_.Set(T("2025-11-30T09:00:00+08:00"));
  overdue.unit_id = other;
  EXPECT_EQ(Count(overdue), 1);
  TicketQuery red;
  red.unit_id = other;
  red.warning = "red";
  EXPECT_EQ(Count(red), 1);
}

// 环比: the week before is read at the same distance from its start as this week, so a
// ticket it closed only later does not make this week look worse.
TEST_F(ServiceTest, ReportComparesCompletionAtTheSameAge) {
  auto take = [&](const char* content) {
    TicketInput in;
    in.channel = "web";
    in.request_type = "consultation";
    in.content = content;
    auto t = svc_->CreateTicket(agent_, in, "");
    EXPECT_TRUE(t.ok());
    return t->ticket.id;
  };
  clock_.Set(T("2025-09-22T10:00:00+08:00"));  // Monday of the week before
  const Id old = take("请问社保卡在哪里补办");
  clock_.Set(T("2025-09-29T10:00:00+08:00"));  // Monday of the week reported
  take("请问公积金怎么提取");
  clock_.Set(T("2025-09-30T10:00:00+08:00"));  // the old one is answered only now
  Command c;
  c.type = CommandType::kAnswerDirectly;
  c.content = "可到各区政务服务中心补办。";
  ASSERT_TRUE(svc_->Act(agent_, old, c).ok());
  clock_.Set(T("2025-10-06T12:00:00+08:00"));  // the day after the week reported
  auto p = ResolveReportPeriod("weekly", T("2025-09-29T00:00:00+08:00"), std::nullopt, std::nullopt, clock_.NowMs());
  ASSERT_TRUE(p.ok());
  Actor admin{9, Role::kAdmin, 0, "admin"};
  auto r = svc_->Report(admin, *p, "");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const auto& s = (*r)["summary"];
  EXPECT_EQ(s["completion_rate"], 0.0);
  // Seven and a half days after its start the old ticket was still open: 0, not 1.
  EXPECT_EQ(s["completion_rate_prev"], 0.0) << s.dump();
}

TEST_F(ServiceTest, CalendarEditRecomputesOpenDeadlines) {
  clock_.Set(T("2027-09-30T09:00:00+08:00"));
  const Id id = NewDispatchedTicket();
  EXPECT_EQ(FormatIsoCity(store_->GetTicket(id)->due_at), "2027-10-07T09:00:00+08:00");
  Actor admin{9, Role::kAdmin, hub_, "admin"};
  const std::string cal = R"({"name":"cn-mainland","years":{
      "2025":{"holidays":["2025-10-01..2025-10-08"],"workdays":["2025-09-28","2025-10-11"]},
      "2027":{"holidays":["2027-10-01..2027-10-07"],"workdays":["2027-09-26","2027-10-09"]}}})";
  EXPECT_EQ(svc_->PutCalendar(agent_, cal).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(svc_->PutCalendar(admin, R"({"name":"临江市","years":{}})").status().field(), "name");  // not a path segment
  auto moved = svc_->PutCalendar(admin, cal);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(*moved, 1);
  EXPECT_EQ(FormatIsoCity(store_->GetTicket(id)->due_at), "2027-10-13T09:00:00+08:00");
  EXPECT_EQ(SystemEvents(id), std::vector<std::string>{"deadline_recomputed"});
  // Stored: a restart keeps the edited calendar in force.
  Open();
  EXPECT_TRUE(svc_->CurrentPolicy()->calendar().HasYear(2027));
}

// Another server or the CLI (`hotline calendar import`) saves a calendar in the shared
// database: this server counts by it within a recheck, without a restart.
TEST_F(ServiceTest, ACalendarSavedElsewhereIsInForceWithoutARestart) {
  clock_.Set(T("2027-09-30T09:00:00+08:00"));
  EXPECT_FALSE(svc_->CurrentPolicy()->calendar().HasYear(2027));
  ASSERT_TRUE(store_->PutCalendar("cn-mainland", R"({"name":"cn-mainland","years":{
      "2027":{"holidays":["2027-10-01..2027-10-07"],"workdays":["2027-09-26","2027-10-09"]}}})").ok());
  clock_.AdvanceMs(2000);  // past the recheck
  const Id id = NewDispatchedTicket();
  EXPECT_EQ(FormatIsoCity(store_->GetTicket(id)->due_at), "2027-10-13T09:00:02+08:00");
  EXPECT_TRUE(svc_->CurrentPolicy()->calendar().HasYear(2027));
}

// The administrator `hotline init` makes belongs to no unit: what it takes in is the city
// centre's, whose dispatcher opens and dispatches it.
TEST_F(ServiceTest, AnAdministratorOutsideEveryUnitTakesCallsForTheCityCentre) {
  TicketInput in;
  in.channel = "phone";
  in.request_type = "help";
  in.content = "管理员录入的工单";
  in.citizen.phone = "13900002222";
  auto t = svc_->CreateTicket(Actor{9, Role::kAdmin, 0, "admin"}, in, "");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->ticket.intake_unit_id, hub_);
  ASSERT_TRUE(svc_->GetTicket(dispatcher_, t->ticket.id).ok());
  Command c;
  c.type = CommandType::kDispatch;
  c.unit_id = dept_;
  c.mode = "direct";
  c.category_code = "no-such-code";
  EXPECT_EQ(svc_->Act(dispatcher_, t->ticket.id, c).status().field(), "category_code");
  c.category_code.clear();
  EXPECT_TRUE(svc_->Act(dispatcher_, t->ticket.id, c).ok());
}

TEST_F(ServiceTest, ArchivedTicketsThatClosedStayTrainingHistory) {
  const Actor admin{9, Role::kAdmin, hub_, "admin"};
  const auto act = [&](Id id, CommandType type, const std::string& text) {
    Command c;
    c.type = type;
    (type == CommandType::kAnswerDirectly ? c.content : c.reason) = text;
    auto r = svc_->Act(admin, id, c);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
  };
  const Id answered = NewTicket(), withdrawn = NewTicket();
  act(answered, CommandType::kAnswerDirectly, "路灯由城管局维修，已告知报修电话");
  act(withdrawn, CommandType::kWithdraw, "市民撤回");
  for (Id id : {answered, withdrawn}) act(id, CommandType::kArchive, "");
  auto rows = store_->ClosedTicketTexts(10);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  // The answered one, archived, is history to learn from; the withdrawn one never closed.
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].content, "路灯不亮");
}

TEST_F(ServiceTest, PolicyEditAppliesToNewAssignmentsOnly) {
  const Id before = NewDispatchedTicket();
  Actor admin{9, Role::kAdmin, hub_, "admin"};
  auto v = svc_->PutSlaPolicy(admin, R"({"rules":[{"accept":"2h","handle":"2d"}]})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, 2);  // the built-in policy is version 1: the two stay apart on assignments
  const Id after = NewDispatchedTicket();
  auto a = store_->GetTicket(after)->assignments.at(0);
  EXPECT_EQ(a.clocks.policy_version, 2);
  EXPECT_EQ(store_->GetTicket(before)->assignments.at(0).clocks.policy_version, 1);
  EXPECT_FALSE(a.clocks.handle_working);
  EXPECT_EQ(a.handle_due_at - a.dispatched_at, 2 * kDayMs);
  EXPECT_TRUE(store_->GetTicket(before)->assignments.at(0).clocks.handle_working);
  EXPECT_EQ(svc_->PutSlaPolicy(admin, R"({"rules":[]})").status().field(), "rules");
}

// Two servers on one database, each with its own postings cache: what one indexes, the
// other finds at its next search (the index generation moves, the cache empties).
TEST_F(ServiceTest, KnowledgeCacheNeverServesAStaleIndex) {
  SqliteOptions o;
  o.path = (dir_ / "s.db").string();
  o.data_key_hex = key_;
  o.clock = &clock_;
  o.node_id = 2;
  auto other = std::move(OpenSqliteStore(o)).value();
  KbPostingsCache cache_a, cache_b;
  KbService a(store_.get(), &clock_, &cache_a), b(other.get(), &clock_, &cache_b);
  KbEntry e;
  e.title = "电梯故障报修";
  e.body = "小区电梯故障可拨打电梯上的救援电话，或联系物业。";
  ASSERT_TRUE(a.Save({e}, 0).ok());
  KbQuery q;
  auto first = b.Search("电梯", q);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);  // b now holds 电梯's postings
  e.title = "电梯年检";
  e.body = "电梯每年须由特种设备检验机构检验。";
  ASSERT_TRUE(a.Save({e}, 0).ok());
  auto second = b.Search("电梯", q);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->size(), 2u) << "a cache filled before the other server's save is dropped";
}

// An index built by an older binary (other terms) is re-derived once, in place: entries and
// their versions stay, statistics follow the new terms, and a current index is left alone.
TEST_F(ServiceTest, KnowledgeIndexOfAnOlderVersionIsRederived) {
  KbEntry e;
  e.title = "A7县电梯故障报修";
  e.body = "小区电梯故障可拨打电梯上的救援电话。";
  KbDocTerms old_terms;
  old_terms.tf["旧词"] = 1;
  old_terms.length = 1;
  auto saved = store_->KbSave({{e, old_terms}}, 0);
  ASSERT_TRUE(saved.ok());
  KbService kb(store_.get(), &clock_);
  KbQuery q;
  ASSERT_TRUE(kb.Search("电梯", q).ok());
  EXPECT_TRUE(kb.Search("电梯", q)->empty()) << "the old index does not hold the word";
  auto n = kb.ReindexIfStale();
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 1);
  auto hits = kb.Search("7县 电梯", q);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_TRUE(kb.Search("旧词", q)->empty());
  auto stats = store_->KbStats("entry");
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->first, 1);
  EXPECT_EQ(stats->second, TermsOfEntry(e).length);
  EXPECT_EQ(store_->KbVersions((*saved)[0].id)->size(), 1u) << "re-indexing is not a new version";
  auto again = kb.ReindexIfStale();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

// An answer written for another district drops below one written for the caller's: the
// city's areas and aliases name the places (each keyed by its district), and coded names
// (A市, B6县) by their letter.
TEST_F(ServiceTest, KnowledgeAboutAnotherPlaceRanksBelow) {
  Area yuelu;
  yuelu.name = "岳麓区";
  auto d1 = store_->CreateArea(yuelu);
  ASSERT_TRUE(d1.ok());
  Area street;
  street.name = "望月湖街道";
  street.kind = AreaKind::kStreet;
  street.parent_id = d1->id;
  street.aliases = {"蔚澜湾"};
  ASSERT_TRUE(store_->CreateArea(street).ok());
  Area furong;
  furong.name = "芙蓉区";
  ASSERT_TRUE(store_->CreateArea(furong).ok());
  KbService kb(store_.get(), &clock_);
  auto entry = [](const char* title, const char* body) {
    KbEntry e;
    e.title = title;
    e.body = body;
    return e;
  };
  auto saved = kb.Save({entry("芙蓉区停水通知", "芙蓉区因管网检修停水，停水期间请储备用水，停水结束时间另行通知。"),
                        entry("岳麓区停水通知", "岳麓区因管网检修停水，停水期间请储备用水，恢复供水时间另行通知。"),
                        entry("A市停水通知", "A市停水"),
                        entry("B市停水通知", "B市因管网检修停水，停水期间请储备用水，停水结束时间另行通知。")},
                       0);
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  KbQuery q;
  auto titles = [&](const char* query) {
    std::vector<std::string> out;
    auto hits = kb.Search(query, q);
    EXPECT_TRUE(hits.ok());
    if (!hits.ok()) return out;
    for (size_t i = 0; i < hits->size(); ++i) {
      out.push_back((*hits)[i].entry.title);
      if (i > 0) {
        EXPECT_LE((*hits)[i].score, (*hits)[i - 1].score);
      }
    }
    return out;
  };
  const auto by_terms = titles("停水 停水了");
  ASSERT_EQ(by_terms.size(), 4u);
  EXPECT_EQ(by_terms[0], "A市停水通知") << "naming no place, the query ranks on terms alone (the shortest)";
  const auto rank = [](const std::vector<std::string>& v, const char* title) {
    return std::find(v.begin(), v.end(), title) - v.begin();
  };
  ASSERT_LT(rank(by_terms, "芙蓉区停水通知"), rank(by_terms, "岳麓区停水通知")) << "by terms, 芙蓉区's entry is the better";
  const auto yuelu_query = titles("蔚澜湾停水 停水了，什么时候来水");
  EXPECT_LT(rank(yuelu_query, "岳麓区停水通知"), rank(yuelu_query, "芙蓉区停水通知")) << "蔚澜湾 lies in 岳麓区";
  EXPECT_EQ(yuelu_query[0], "A市停水通知") << "a coded name is not compared with the city's own names";
  ASSERT_EQ(yuelu_query.size(), 4u);
  for (size_t limit = 1; limit <= 4; ++limit) {
    q.limit = limit;
    EXPECT_EQ(titles("蔚澜湾停水 停水了，什么时候来水"), std::vector<std::string>(yuelu_query.begin(), yuelu_query.begin() + limit))
        << "the best " << limit << " after demotion, not before it";
  }
  q.limit = 10;
  EXPECT_EQ(titles("B6县停水 停水了")[0], "B市停水通知") << "B6县 lies in B";
  EXPECT_EQ(titles("C市停水 停水了").size(), 4u) << "an entry about somewhere else drops, it is not dropped";
}

// Seat planning reads whole past weeks of contacts by hour of the week: Tuesday 9:00 had
// 3 calls one week and 1 the week before, so it plans for 2 an hour and for 3 at its peak.
TEST_F(ServiceTest, StaffingPlansEachHourOfTheWeekFromPastContacts) {
  auto call = [&](const char* when, const char* channel) {
    clock_.Set(T(when));
    TicketInput in;
    in.channel = channel;
    in.request_type = "consultation";
    in.content = "咨询公积金提取";
    in.citizen.name = "李四";
    in.citizen.phone = "13912345678";
    auto t = svc_->CreateTicket(agent_, in, "");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
  };
  for (int i = 0; i < 3; ++i) call("2025-09-23T09:15:00+08:00", "phone");  // a Tuesday
  call("2025-09-16T09:40:00+08:00", "phone");
  call("2025-09-16T09:50:00+08:00", "web");
  call("2025-09-02T09:10:00+08:00", "phone");  // four weeks back: outside a two-week plan
  clock_.Set(T("2025-09-30T09:00:00+08:00"));  // today's contacts are not whole days yet
  call("2025-09-30T09:00:00+08:00", "phone");
  Actor supervisor{3, Role::kSupervisor, hub_, "sup"};
  contact::StaffingTarget target;  // 300 s a call, 80 % within 20 s
  auto plan = svc_->Staffing(supervisor, 2, {"phone"}, target);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ((*plan)["from"], "2025-09-16T00:00:00+08:00");
  EXPECT_EQ((*plan)["to"], "2025-09-30T00:00:00+08:00");
  EXPECT_EQ((*plan)["contacts"], 4);
  const auto& hours = (*plan)["hours"];
  ASSERT_EQ(hours.size(), 168u);
  const auto& tuesday9 = hours[24 + 9];
  EXPECT_EQ(tuesday9["weekday"], 2);
  EXPECT_EQ(tuesday9["hour"], 9);
  EXPECT_DOUBLE_EQ(tuesday9["calls_per_hour"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(tuesday9["peak_calls_per_hour"].get<double>(), 3);
  EXPECT_EQ(tuesday9["agents"], 1);
  EXPECT_EQ(tuesday9["staff"], 2) << "1 / (1 - 30 % shrinkage)";
  EXPECT_EQ(hours[24 + 10]["calls_per_hour"], 0);
  EXPECT_EQ(hours[24 + 10]["agents"], 1) << "a quiet hour keeps the minimum on the line";
  EXPECT_EQ((*plan)["summary"]["busiest"]["weekday"], 2);
  EXPECT_EQ((*plan)["summary"]["busiest"]["hour"], 9);
  // Every channel: the web message counts too.
  auto all = svc_->Staffing(supervisor, 2, {}, target);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)["contacts"], 5);
  EXPECT_DOUBLE_EQ((*all)["hours"][24 + 9]["calls_per_hour"].get<double>(), 2.5);
  auto four = svc_->Staffing(supervisor, 4, {"phone"}, target);
  ASSERT_TRUE(four.ok());
  EXPECT_EQ((*four)["contacts"], 5);
  EXPECT_DOUBLE_EQ((*four)["hours"][24 + 9]["calls_per_hour"].get<double>(), 1.25);
  // Agents do not plan seats; bad parameters name themselves.
  EXPECT_EQ(svc_->Staffing(agent_, 2, {}, target).status().code(), Code::kPermissionDenied);
  EXPECT_NE(svc_->Staffing(supervisor, 0, {}, target).status().message().find("weeks"), std::string::npos);
  target.aht_s = 0;
  EXPECT_NE(svc_->Staffing(supervisor, 2, {}, target).status().message().find("aht"), std::string::npos);
}

// 多援一: each centre staffed for its own lines against all of them as one pool. Two centres
// busy at different hours each keep one agent on the line all week when apart; pooled, one
// agent covers both.
TEST_F(ServiceTest, StaffingComparesEachCentreAloneWithThePool) {
  Actor root{0, Role::kSystem, 0, "test"};
  const Id east = svc_->CreateUnit(root, Unit{0, "东区分中心", UnitKind::kDistrictCenter, hub_, 0, "", true})->id;
  Actor east_agent{4, Role::kAgent, east, "east"};
  auto call = [&](const Actor& by, const char* when) {
    clock_.Set(T(when));
    TicketInput in;
    in.channel = "phone";
    in.request_type = "consultation";
    in.content = "咨询公积金提取";
    in.citizen.name = "李四";
    in.citizen.phone = "13912345678";
    auto t = svc_->CreateTicket(by, in, "");
    ASSERT_TRUE(t.ok()) << t.status().ToString();
  };
  call(agent_, "2025-09-23T09:15:00+08:00");
  call(agent_, "2025-09-23T09:20:00+08:00");
  call(east_agent, "2025-09-23T21:15:00+08:00");
  clock_.Set(T("2025-09-30T09:00:00+08:00"));
  contact::StaffingTarget target;
  auto plan = svc_->Staffing(Actor{3, Role::kSupervisor, hub_, "sup"}, 1, {}, target);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  const auto& centres = (*plan)["centres"];
  ASSERT_EQ(centres.size(), 2u);
  EXPECT_EQ(centres[0]["name"], "市中心") << "the busiest centre first";
  EXPECT_EQ(centres[0]["contacts"], 2);
  EXPECT_EQ(centres[0]["busiest"]["hour"], 9);
  EXPECT_EQ(centres[1]["name"], "东区分中心");
  EXPECT_EQ(centres[1]["unit_id"], IdToString(east));
  EXPECT_EQ(centres[1]["busiest"]["hour"], 21);
  EXPECT_DOUBLE_EQ(centres[1]["agent_hours_per_week"].get<double>(), 168);
  const auto& pooling = (*plan)["pooling"];
  EXPECT_EQ(pooling["centres"], 2);
  EXPECT_DOUBLE_EQ(pooling["separate_agent_hours_per_week"].get<double>(), 336);
  EXPECT_DOUBLE_EQ(pooling["pooled_agent_hours_per_week"].get<double>(), 168);
  EXPECT_DOUBLE_EQ(pooling["saved_agent_hours_per_week"].get<double>(), 168);
  EXPECT_EQ(pooling["separate_max_agents_at_peak"], 2);
  EXPECT_EQ(pooling["pooled_max_agents_at_peak"], 1);
  // A district centre plans its own lines only.
  auto own = svc_->Staffing(Actor{5, Role::kSupervisor, east, "east-sup"}, 1, {}, target);
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  EXPECT_EQ((*own)["contacts"], 1);
  ASSERT_EQ((*own)["centres"].size(), 1u);
  EXPECT_DOUBLE_EQ((*own)["pooling"]["saved_agent_hours_per_week"].get<double>(), 0);
  // No contacts at all: nothing to pool, nothing saved.
  clock_.Set(T("2026-03-30T09:00:00+08:00"));
  auto none = svc_->Staffing(Actor{3, Role::kSupervisor, hub_, "sup"}, 1, {}, target);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE((*none)["centres"].empty());
  EXPECT_DOUBLE_EQ((*none)["pooling"]["saved_agent_hours_per_week"].get<double>(), 0);
}

// A login costs one argon2id check whether the password is right or wrong and whether the
// account exists or is disabled: how long a failure takes tells nothing about usernames.
TEST_F(ServiceTest, EveryLoginPaysOnePasswordCheck) {
  Actor admin{9, Role::kAdmin, hub_, "admin"};
  auto made = MakeAgent("zhangsan", "Correct-Horse-2026");
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  auto login = [&](const std::string& name, const std::string& password) {
    const uint64_t before = PasswordVerifications();
    const bool ok = svc_->Login(name, password).ok();
    return std::make_pair(ok, PasswordVerifications() - before);
  };
  EXPECT_EQ(login("zhangsan", "Correct-Horse-2026"), std::make_pair(true, uint64_t{1}));
  EXPECT_EQ(login("zhangsan", "wrong"), std::make_pair(false, uint64_t{1}));
  EXPECT_EQ(login("nobody", "Correct-Horse-2026"), std::make_pair(false, uint64_t{1}));
  Service::UserChange off;
  off.active = false;
  ASSERT_TRUE(svc_->UpdateUser(admin, made->id, off).ok());
  EXPECT_EQ(login("zhangsan", "Correct-Horse-2026"), std::make_pair(false, uint64_t{1}));
}

// Two servers sharing the database (two services on one store) let five wrong guesses in
// all through, however they are spread, and a right password is not counted as one.
TEST_F(ServiceTest, TheLoginLockoutHoldsAcrossServersSharingTheDatabase) {
  ASSERT_TRUE(MakeAgent("lisi", "Correct-Horse-2026").ok());
  Service other(store_.get(), &clock_, &ids_);
  ASSERT_TRUE(other.Login("lisi", "Correct-Horse-2026").ok());
  std::atomic<int> wrong{0}, locked{0};
  std::vector<std::thread> guesses;
  for (int i = 0; i < 12; ++i) {
    guesses.emplace_back([&, i] {
      auto r = (i % 2 ? other : *svc_).Login("lisi", "guess-" + std::to_string(i));
      (r.status().code() == Code::kResourceExhausted ? locked : wrong)++;
    });
  }
  for (auto& g : guesses) g.join();
  EXPECT_EQ(wrong.load(), 5);
  EXPECT_EQ(locked.load(), 7);
}

// A logout, or an account change that ends sessions, holds on every server sharing the
// database at once, not after another server's cache expires.
TEST_F(ServiceTest, ALogoutEndsTheSessionOnEveryServerAtOnce) {
  ASSERT_TRUE(MakeAgent("wangwu", "Correct-Horse-2026").ok());
  Service other(store_.get(), &clock_, &ids_);
  auto token = svc_->Login("wangwu", "Correct-Horse-2026");
  ASSERT_TRUE(token.ok());
  ASSERT_TRUE(other.Authenticate(*token).ok());  // now cached there
  ASSERT_TRUE(svc_->Logout(*token).ok());
  EXPECT_EQ(other.Authenticate(*token).status().code(), Code::kUnauthenticated);
  EXPECT_EQ(svc_->Authenticate(*token).status().code(), Code::kUnauthenticated);
}

// Of two near-equal answers the newer ranks first; an old but clearly better one still
// beats a fresh weak one. Age counts from the effective date, or the last change.
TEST_F(ServiceTest, NewerKnowledgeRanksAboveOlderWhenOtherwiseEqual) {
  KbService kb(store_.get(), &clock_);
  auto entry = [](const char* title, const char* body, const char* effective) {
    KbEntry e;
    e.title = title;
    e.body = body;
    if (*effective) e.effective_at = T(effective);
    return e;
  };
  const char* body = "居民医保参保缴费可在社区服务中心或线上办理，缴费标准以当年公布为准。";
  auto saved = kb.Save({entry("医保缴费办理（旧）", body, "2015-01-01T00:00:00+08:00"),
                        entry("医保缴费办理（新）", body, "2025-01-01T00:00:00+08:00"),
                        entry("医保缴费办理（未注明）", body, ""),
                        entry("居民医保缴费标准和缴费渠道", "居民医保缴费标准、居民医保缴费渠道和居民医保缴费时间：社区服务中心、线上均可缴费。",
                              "2010-01-01T00:00:00+08:00"),
                        entry("社区服务中心地址", "社区服务中心提供各类便民服务。", "")},
                       0);
  ASSERT_TRUE(saved.ok()) << saved.status().message();
  KbQuery q;
  auto equal = kb.Search("医保缴费办理", q);
  ASSERT_TRUE(equal.ok());
  std::vector<std::string> order;
  std::map<std::string, double> score;
  for (const auto& r : *equal) order.push_back(r.entry.title), score[r.entry.title] = r.score;
  const auto rank = [&](const char* title) { return std::find(order.begin(), order.end(), title) - order.begin(); };
  EXPECT_LT(rank("医保缴费办理（未注明）"), rank("医保缴费办理（新）")) << "changed today: the freshest";
  EXPECT_LT(rank("医保缴费办理（新）"), rank("医保缴费办理（旧）"));
  // Nine months against nearly eleven years: 2^-0.74 and 2^-10.75 of the 10 % left.
  const double newer = score["医保缴费办理（新）"], older = score["医保缴费办理（旧）"];
  EXPECT_NEAR(older / newer, (1 - 0.1 * (1 - std::exp2(-10.75))) / (1 - 0.1 * (1 - std::exp2(-0.745))), 0.002);
  // Beyond the first 50 candidates read: among 60 equal entries from 2010, one saved today
  // with the same words ranks last by terms and id, and first once age counts.
  std::vector<KbEntry> many;
  for (int i = 0; i < 60; ++i) many.push_back(entry("公积金提取办理", "公积金提取可在线办理。", "2010-01-01T00:00:00+08:00"));
  many.push_back(entry("公积金提取办理", "公积金提取可在线办理。", ""));
  auto saved_many = kb.Save(many, 0);
  ASSERT_TRUE(saved_many.ok());
  q.limit = 3;
  auto fresh = kb.Search("公积金提取", q);
  ASSERT_TRUE(fresh.ok());
  ASSERT_EQ(fresh->size(), 3u);
  EXPECT_EQ(fresh->front().entry.id, saved_many->back().id) << "read past the first chunk of candidates";
  EXPECT_EQ(fresh->front().entry.effective_at, 0);
  q.limit = 10;
  auto better = kb.Search("居民医保缴费标准和缴费渠道", q);
  ASSERT_TRUE(better.ok() && !better->empty());
  EXPECT_EQ(better->front().entry.title, "居民医保缴费标准和缴费渠道") << "sixteen years old, but the answer";
}

TEST(KbPostingsCache, KeepsOneGenerationWithinItsBound) {
  KbPostingsCache c(3);
  c.Sync(1);
  auto list = [](std::vector<KbPosting> p) { return std::make_shared<const std::vector<KbPosting>>(std::move(p)); };
  c.Put("电梯", 1, list({{1, 1, 10}, {2, 1, 10}}));
  ASSERT_TRUE(c.Find("电梯", 1));
  EXPECT_EQ(c.Find("电梯", 1)->size(), 2u);
  c.Put("噪音", 1, list({{1, 1, 10}, {3, 1, 10}}));  // over the bound of 3 postings
  EXPECT_FALSE(c.Find("噪音", 1));
  c.Put("噪音", 0, list({{1, 1, 10}}));  // read before the index moved to 1
  EXPECT_FALSE(c.Find("噪音", 1));
  c.Sync(2);
  EXPECT_FALSE(c.Find("电梯", 2));
  EXPECT_FALSE(c.Find("电梯", 1));
}

TEST(AccessMatrix, RolesSeeWhatTheyNeed) {
  EXPECT_EQ(AccessFor(Role::kAgent, "phone", false), FieldAccess::kFull);
  EXPECT_EQ(AccessFor(Role::kAgent, "phone", true), FieldAccess::kRevealable);
  EXPECT_EQ(AccessFor(Role::kUnitHandler, "phone", false), FieldAccess::kFull);
  EXPECT_EQ(AccessFor(Role::kUnitHandler, "phone", true), FieldAccess::kHidden);
  EXPECT_EQ(AccessFor(Role::kDispatcher, "phone", false), FieldAccess::kRevealable);
  EXPECT_EQ(AccessFor(Role::kDispatcher, "id_number", false), FieldAccess::kHidden);
  EXPECT_EQ(AccessFor(Role::kQaInspector, "name", false), FieldAccess::kMasked);
  EXPECT_EQ(AccessFor(Role::kAnalyst, "name", false), FieldAccess::kHidden);
  EXPECT_EQ(AccessFor(Role::kSupervisor, "id_number", false), FieldAccess::kRevealable);
}

}  // namespace

namespace {
std::string CityDay(TimeMs t) { return FormatIsoCity(t).substr(0, 10); }
TimeMs At(const char* iso) { return *ParseIso(iso); }
}  // namespace

TEST(ReportBoard, BestAndWorstUnitsNeverTheSameAndOnlyWithEnoughOrders) {
  auto unit = [](const std::string& name, nlohmann::json score, int64_t dispatched = 3) {
    return nlohmann::json{{"name", name}, {"score", score}, {"dispatched", dispatched}};
  };
  auto names = [](const nlohmann::json& list) {
    std::vector<std::string> out;
    for (const auto& u : list) out.push_back(u["name"]);
    return out;
  };
  nlohmann::json seven = nlohmann::json::array();
  for (int s : {90, 80, 70, 60, 50, 40, 30}) seven.push_back(unit("u" + std::to_string(s), s));
  auto board = UnitBoard(seven, 3);
  EXPECT_EQ(names(board["red"]), (std::vector<std::string>{"u90", "u80"})) << "at most a third of seven";
  EXPECT_EQ(names(board["black"]), (std::vector<std::string>{"u30", "u40"})) << "worst first";
  for (int s : {20, 10}) seven.push_back(unit("u" + std::to_string(s), s));
  board = UnitBoard(seven, 3);
  EXPECT_EQ(names(board["red"]), (std::vector<std::string>{"u90", "u80", "u70"}));
  EXPECT_EQ(names(board["black"]), (std::vector<std::string>{"u10", "u20", "u30"}));
  // Two units judged are too few for two lists: the second of two is not the worst of a field.
  EXPECT_TRUE(UnitBoard(nlohmann::json::array({unit("a", 95), unit("b", 89.1)}), 5)["black"].empty());
  // Unscored units and units with fewer than three orders are on neither list; each list
  // holds at most a third of the rest.
  board = UnitBoard(nlohmann::json::array({unit("few", 99, 2), unit("a", 90), unit("b", 50), unit("c", 10), unit("d", nullptr)}), 5);
  EXPECT_EQ(names(board["red"]), (std::vector<std::string>{"a"}));
  EXPECT_EQ(names(board["black"]), (std::vector<std::string>{"c"}));
  EXPECT_EQ(board["red"][0]["rank"], 1) << "the unit with too few orders takes no place";
  EXPECT_EQ(board["black"][0]["rank"], 3);
  // The unit table ranks the same way: a unit has one 名次, in the table and on the board.
  nlohmann::json table = nlohmann::json::array({unit("few", 99, 2), unit("a", 90), unit("b", 50), unit("c", 10), unit("d", nullptr)});
  RankByScore(table);
  std::vector<nlohmann::json> table_ranks;
  for (const auto& u : table) table_ranks.push_back(u["rank"]);
  EXPECT_EQ(table_ranks, (std::vector<nlohmann::json>{nullptr, 1, 2, 3, nullptr}));
  EXPECT_TRUE(UnitBoard(nlohmann::json::array({unit("a", 1)}), 5)["red"].empty());
  EXPECT_TRUE(UnitBoard(nlohmann::json::array(), 5)["black"].empty());
  EXPECT_EQ(UnitBoard(nlohmann::json::array({unit("a", 1)}), 5)["judged"], 1) << "one judged, too few for two lists";
  // Equal scores share a place (并列), and the next place counts them.
  board = UnitBoard(nlohmann::json::array({unit("a", 100), unit("b", 100), unit("c", 100), unit("d", 80), unit("x", 75),
                                           unit("y", 75), unit("e", 70), unit("f", 70), unit("g", 60)}), 3);
  std::vector<int> ranks;
  for (const auto& u : board["red"]) ranks.push_back(u["rank"]);
  EXPECT_EQ(ranks, (std::vector<int>{1, 1, 1}));
  EXPECT_EQ(names(board["black"]), (std::vector<std::string>{"g", "f", "e"}));
  EXPECT_EQ(board["black"][0]["rank"], 9);
  EXPECT_EQ(board["black"][1]["rank"], 7);
  EXPECT_EQ(board["black"][2]["rank"], 7);
  // Units tied across a list's cut are left off it whole: which of them made the list would be
  // arbitrary, and one score would read as both best and worst.
  board = UnitBoard(nlohmann::json::array({unit("a", 100), unit("b", 100), unit("h", 50), unit("i", 50), unit("c", 33.3),
                                           unit("d", 33.3), unit("e", 33.3), unit("f", 33.3), unit("g", 16.7)}), 3);
  EXPECT_EQ(names(board["red"]), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(names(board["black"]), (std::vector<std::string>{"g"}));
  EXPECT_EQ(board["places"], 3) << "each list could hold three: both are cut short by the tie";
  board = UnitBoard(nlohmann::json::array({unit("a", 50), unit("b", 50), unit("c", 50), unit("d", 50)}), 3);
  EXPECT_TRUE(board["red"].empty());
  EXPECT_TRUE(board["black"].empty());
  EXPECT_EQ(board["judged"], 4);
}

TEST(ReportPeriod, WeeksRunMondayToSundayAndMonthsByTheCalendar) {
  const TimeMs now = At("2026-11-30T10:00:00+08:00");  // a Monday
  // Without a date: the last complete week and month.
  auto w = ResolveReportPeriod("weekly", std::nullopt, std::nullopt, std::nullopt, now);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(CityDay(w->from), "2026-11-23");
  EXPECT_EQ(CityDay(w->to), "2026-11-30");
  EXPECT_EQ(CityDay(w->prev_from), "2026-11-16");
  EXPECT_TRUE(w->complete);
  auto m = ResolveReportPeriod("monthly", std::nullopt, std::nullopt, std::nullopt, now);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(CityDay(m->from), "2026-10-01");
  EXPECT_EQ(CityDay(m->to), "2026-11-01");
  EXPECT_EQ(CityDay(m->prev_from), "2026-09-01");
  // A date names its period; Sunday belongs to the week before, late evening is the same day.
  w = ResolveReportPeriod("weekly", At("2026-11-29T23:30:00+08:00"), std::nullopt, std::nullopt, now);
  EXPECT_EQ(CityDay(w->from), "2026-11-23");
  w = ResolveReportPeriod("weekly", At("2026-11-30"), std::nullopt, std::nullopt, now);
  EXPECT_EQ(CityDay(w->from), "2026-11-30");
  EXPECT_FALSE(w->complete);
  m = ResolveReportPeriod("monthly", At("2026-01-15"), std::nullopt, std::nullopt, now);
  EXPECT_EQ(CityDay(m->from), "2026-01-01");
  EXPECT_EQ(CityDay(m->prev_from), "2025-12-01");
  m = ResolveReportPeriod("monthly", At("2026-12-01"), std::nullopt, std::nullopt, now);
  EXPECT_EQ(m.status().field(), "date");
  // Special: the 30 days up to tonight by default, at most 400 days, to after from.
  auto s = ResolveReportPeriod("special", std::nullopt, std::nullopt, std::nullopt, now);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(CityDay(s->from), "2026-11-01");
  EXPECT_EQ(CityDay(s->to), "2026-12-01");
  EXPECT_EQ(s->prev_to, s->from);
  EXPECT_EQ(s->to - s->from, s->prev_to - s->prev_from);
  EXPECT_EQ(ResolveReportPeriod("special", std::nullopt, At("2026-11-10"), At("2026-11-10"), now).status().field(), "to");
  EXPECT_EQ(ResolveReportPeriod("special", std::nullopt, At("2024-01-01"), At("2026-01-01"), now).status().field(), "to");
  EXPECT_EQ(ResolveReportPeriod("special", At("2026-11-10"), std::nullopt, std::nullopt, now).status().field(), "date");
  EXPECT_EQ(ResolveReportPeriod("weekly", std::nullopt, At("2026-11-10"), std::nullopt, now).status().field(), "from");
  EXPECT_EQ(ResolveReportPeriod("daily", std::nullopt, std::nullopt, std::nullopt, now).status().field(), "kind");
  // The city's first day of 1970 is in 1970, though its midnight is 1969 in UTC.
  EXPECT_TRUE(ResolveReportPeriod("weekly", At("1970-01-01"), std::nullopt, std::nullopt, now).status().field() == "date");
  EXPECT_TRUE(ResolveReportPeriod("special", std::nullopt, At("1970-01-01"), At("1970-02-01"), now).ok());
}

}  // namespace hotline
