// The SQLite store: round trips, atomicity of each write, and durability across kill -9
// in the middle of concurrent, group-committed transactions.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "core/crypto.h"
#include "store/store.h"

namespace hotline {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("hotline-store-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "t.db").string();
    key_ = Vault::NewMasterKeyHex();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Store> Open(int node = 1) {
    SqliteOptions o;
    o.path = path_;
    o.data_key_hex = key_;
    o.node_id = node;
    auto s = OpenSqliteStore(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  NewTicket Make(IdGenerator& ids, int i) {
    NewTicket n;
    Ticket& t = n.ticket;
    t.id = ids.Next();
    t.channel = "phone";
    t.request_type = "complaint";
    t.urgency = "normal";
    t.content = "第" + std::to_string(i) + "号：和平路路灯不亮";
    t.intake_unit_id = 1;
    t.created_at = t.updated_at = SystemClock::Default()->NowMs();
    n.requester.name = "市民" + std::to_string(i);
    n.requester.phone = "139" + std::to_string(10000000 + i);
    n.first_contact = Contact{ids.Next(), t.id, "phone", "intake", t.content, 0, 1, t.created_at};
    Actor a{1, Role::kAgent, 1, "agent"};
    n.created_event = MakeEvent(t, "created", a, t.created_at, &ids, "{}", true);
    return n;
  }

  std::filesystem::path dir_;
  std::string path_, key_;
};

TEST_F(StoreTest, TicketRoundTripNumbersAndEncryption) {
  auto s = Open();
  IdGenerator ids(SystemClock::Default(), 7);
  auto a = s->CreateTicket(Make(ids, 1));
  auto b = s->CreateTicket(Make(ids, 2));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->ticket.number.size(), 15u);
  EXPECT_LT(a->ticket.number, b->ticket.number);
  auto got = s->GetTicket(a->ticket.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->content, "第1号：和平路路灯不亮");
  EXPECT_EQ(got->event_seq, 1);
  auto r = s->GetRequester(got->requester_id);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->phone, "13910000001");
  s.reset();
  // The phone is not stored in the clear, and the history is append-only.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  std::string dump;
  sqlite3_exec(db, "SELECT name_enc || phone_enc FROM requesters", [](void* p, int, char** v, char**) {
    *static_cast<std::string*>(p) += v[0] ? v[0] : "";
    return 0;
  }, &dump, nullptr);
  EXPECT_EQ(dump.find("13910000001"), std::string::npos);
  EXPECT_NE(sqlite3_exec(db, "UPDATE events SET type = 'x'", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "DELETE FROM events", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  // A wrong data key is refused, not silently used.
  key_ = Vault::NewMasterKeyHex();
  SqliteOptions o;
  o.path = path_;
  o.data_key_hex = key_;
  EXPECT_EQ(OpenSqliteStore(o).status().code(), Code::kFailedPrecondition);
}

// Another application's database is not taken over, and a database a newer binary migrated
// is not opened by an older one: both are refused, naming the file, and left as they were.
TEST_F(StoreTest, AnotherApplicationsDatabaseOrANewerSchemaIsRefused) {
  const auto exec = [&](const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sql;
    sqlite3_close(db);
  };
  const auto refused = [&] {
    SqliteOptions o;
    o.path = path_;
    o.data_key_hex = key_;
    o.node_id = 1;
    auto s = OpenSqliteStore(o);
    return s.ok() ? std::string() : s.status().message();
  };
  exec("CREATE TABLE foo(x)");
  const std::string foreign = refused();
  EXPECT_NE(foreign.find(path_ + " holds another application's tables"), std::string::npos) << foreign;
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  int tables = 0;
  sqlite3_exec(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table'", [](void* p, int, char** v, char**) {
    *static_cast<int*>(p) = std::atoi(v[0]);
    return 0;
  }, &tables, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(tables, 1) << "nothing of ours was written into it";
  std::filesystem::remove(path_);
  { auto s = Open(); ASSERT_TRUE(s); }
  exec("INSERT INTO schema_migrations(version, applied_at) VALUES(999, 0)");
  const std::string newer = refused();
  EXPECT_NE(newer.find("schema version 999, newer than this hotline knows"), std::string::npos) << newer;
}

// A database this user may not write is refused when it is opened, naming the file, instead
// of serving reads and failing at the first write ("attempt to write a readonly database").
TEST_F(StoreTest, ADatabaseThatCannotBeWrittenIsRefusedOnOpen) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes read-only files; run as another user to test this";
  { auto s = Open(); ASSERT_TRUE(s); }
  std::filesystem::permissions(path_, std::filesystem::perms::owner_read | std::filesystem::perms::group_read);
  SqliteOptions o;
  o.path = path_;
  o.data_key_hex = key_;
  auto s = OpenSqliteStore(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("cannot write " + path_), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("read-only"), std::string::npos);
}

// Every process sharing a database leases its own id-generator node: two servers making ids
// in the same millisecond never make the same one.
TEST_F(StoreTest, ProcessesSharingADatabaseLeaseDifferentIdNodes) {
  auto open = [&] {
    SqliteOptions o;
    o.path = path_;
    o.data_key_hex = key_;
    auto s = OpenSqliteStore(o);  // node_id -1: leased
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  };
  auto a = open(), b = open();
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->NodeId(), b->NodeId());
  std::set<Id> ids;
  for (int i = 0; i < 2000; ++i) ids.insert(a->NewId()), ids.insert(b->NewId());
  EXPECT_EQ(ids.size(), 4000u);
  EXPECT_TRUE(a->RenewNodeLease().ok());
  const int freed = a->NodeId();
  a.reset();  // closing releases the node for the next process
  auto c = open();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->NodeId(), freed);
  EXPECT_NE(c->NodeId(), b->NodeId());
}

TEST_F(StoreTest, IdempotencyKeyReturnsTheSameTicket) {
  auto s = Open();
  IdGenerator ids(SystemClock::Default(), 7);
  auto n1 = Make(ids, 1);
  n1.idempotency_key = "u1:abc";
  auto first = s->CreateTicket(n1);
  auto n2 = Make(ids, 2);
  n2.idempotency_key = "u1:abc";
  auto second = s->CreateTicket(n2);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(second->ticket.id, first->ticket.id);
  EXPECT_TRUE(second->replayed);
  EXPECT_EQ(s->ListTickets(TicketQuery{})->total, 1);
}

TEST_F(StoreTest, AFailedWriteLeavesNothingAndDoesNotSinkItsBatch) {
  auto s = Open();
  IdGenerator ids(SystemClock::Default(), 7);
  auto t = s->CreateTicket(Make(ids, 1));
  ASSERT_TRUE(t.ok());
  const Id id = t->ticket.id;
  // The decision's event collides with an existing one (same seq): the state update written
  // before it in the same transaction must roll back with it.
  std::atomic<int> ok_count{0};
  std::vector<std::thread> others;
  for (int i = 0; i < 8; ++i) {
    others.emplace_back([&, i] { if (s->CreateTicket(Make(ids, 100 + i)).ok()) ++ok_count; });
  }
  auto r = s->ApplyCommand(id, 0, [&](const Ticket& cur, const Ticket*) -> Result<Decision> {
    Decision d;
    d.ticket = cur;
    d.ticket.content = "被改写的内容";
    d.ticket.version = 99;
    Event e = MakeEvent(d.ticket, "noted", Actor{1, Role::kAgent, 1, "a"}, 1, &ids, "{}", false);
    e.seq = 1;  // already taken by "created"
    d.events.push_back(e);
    return d;
  });
  for (auto& th : others) th.join();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(ok_count, 8);
  auto after = s->GetTicket(id);
  EXPECT_EQ(after->content, "第1号：和平路路灯不亮");
  EXPECT_EQ(after->version, 1);
  EXPECT_EQ(s->ListEvents(id)->size(), 1u);
  EXPECT_EQ(s->ListTickets(TicketQuery{})->total, 9);
}

TEST_F(StoreTest, KillDuringConcurrentIntakeLosesNothingAcknowledged) {
  { auto s = Open(); }  // create and migrate first
  const std::string acks = (dir_ / "acks").string();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto s = Open(3);
    IdGenerator ids(SystemClock::Default(), 9);
    std::mutex mu;
    std::ofstream out(acks);
    std::vector<std::thread> threads;
    for (int k = 0; k < 8; ++k) {
      threads.emplace_back([&, k] {
        for (int i = 0;; ++i) {
          auto r = s->CreateTicket(Make(ids, k * 1000000 + i));
          if (r.ok()) {
            std::lock_guard lock(mu);
            out << r->ticket.id << "\n" << std::flush;  // acknowledged only after commit
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    ::_exit(0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  std::set<Id> acked;
  std::ifstream in(acks);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) acked.insert(std::stoll(line));
  }
  ASSERT_GT(acked.size(), 10u);
  auto s = Open();
  for (Id id : acked) {
    auto t = s->GetTicket(id);
    ASSERT_TRUE(t.ok()) << "acknowledged ticket " << id << " lost";
  }
  // Nothing half-written: every stored ticket has exactly its events and its contact.
  TicketQuery q;
  q.page_size = 100;
  int64_t seen = 0;
  for (;;) {
    auto page = s->ListTickets(q);
    ASSERT_TRUE(page.ok());
    for (const auto& t : page->items) {
      EXPECT_EQ(static_cast<int64_t>(s->ListEvents(t.id)->size()), t.event_seq);
      EXPECT_EQ(s->ListContacts(t.id)->size(), 1u);
      ++seen;
    }
    if (!page->next_cursor) break;
    q.cursor = page->next_cursor;
  }
  EXPECT_GE(seen, static_cast<int64_t>(acked.size()));
}

// A knowledge import writes its postings sorted, one batch at a time: an entry saved twice
// in one batch keeps its last terms, and document frequencies count each entry once.
TEST_F(StoreTest, KnowledgeBatchKeepsTheLastTermsOfAnEntry) {
  auto s = Open();
  ASSERT_TRUE(s);
  auto entry = [](std::string ext, std::map<std::string, int> tf) {
    KbEntry e;
    e.external_id = std::move(ext);
    e.title = "标题";
    e.body = "正文";
    KbDocTerms t;
    t.tf = std::move(tf);
    for (auto& [k, v] : t.tf) t.length += v;
    return std::make_pair(e, t);
  };
  auto saved = s->KbSave({entry("a", {{"电梯", 2}, {"噪音", 1}}), entry("b", {{"电梯", 1}}),
                          entry("a", {{"电梯", 1}, {"燃气", 3}})}, 0);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->size(), 3u);
  EXPECT_EQ((*saved)[0].id, (*saved)[2].id);
  EXPECT_EQ((*saved)[2].version, 2);
  EXPECT_EQ(*s->KbTermDf("电梯"), 2);
  EXPECT_EQ(*s->KbTermDf("噪音"), 0);
  EXPECT_EQ(*s->KbTermDf("燃气"), 1);
  EXPECT_TRUE(s->KbPostings("噪音")->empty());
  EXPECT_EQ(s->KbPostings("燃气")->at(0).tf, 3);
  EXPECT_EQ(*s->KbStats("entry"), std::make_pair(int64_t{2}, int64_t{4 + 1}));
  // A later batch replaces an entry's postings. Its text as stored, it keeps its version
  // (and updated_at): no new version is recorded for a save that changed nothing.
  auto again = s->KbSave({entry("b", {{"噪音", 1}})}, 0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*s->KbTermDf("电梯"), 1);
  EXPECT_EQ(*s->KbTermDf("噪音"), 1);
  EXPECT_TRUE((*again)[0].unchanged);
  EXPECT_EQ((*again)[0].version, 1);
  EXPECT_EQ(s->KbVersions((*again)[0].id)->size(), 1u);
  auto edited = entry("b", {{"噪音", 1}});
  edited.first.body = "正文改过";
  again = s->KbSave({edited}, 0);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE((*again)[0].unchanged);
  EXPECT_EQ((*again)[0].version, 2);
}

TEST_F(StoreTest, MigrationsAreIdempotentAndOrgIsVersioned) {
  auto s = Open();
  auto v0 = s->OrgVersion();
  Unit hub{0, "市中心", UnitKind::kCityCenter, 0, 0, "", true};
  auto u = s->CreateUnit(hub);
  ASSERT_TRUE(u.ok());
  EXPECT_GT(*s->OrgVersion(), *v0);
  EXPECT_EQ(s->CreateUnit(hub).status().code(), Code::kConflict);  // one root only
  Unit orphan{0, "街道", UnitKind::kStreet, 424242, 0, "", true};
  EXPECT_EQ(s->CreateUnit(orphan).status().field(), "parent_id");
  s.reset();
  s = Open();
  EXPECT_EQ(s->ListUnits()->size(), 1u);
}

}  // namespace
}  // namespace hotline
