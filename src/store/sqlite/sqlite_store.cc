// The SQLite backend. One writer thread owns the write connection and commits jobs in
// groups (group commit): many requests share one WAL fsync, each keeps its own savepoint so
// one failing job does not undo the others. Readers use a small pool of connections; WAL
// lets them read while the writer writes.
#include <sys/stat.h>

#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/crypto.h"
#include "core/text.h"
#include "store/sqlite/db.h"
#include "store/sqlite/migrations.h"
#include "store/store.h"
#include "store/ticket_codec.h"

namespace hotline {

using nlohmann::json;
using sqlite::Connection;
using sqlite::Stmt;

namespace {

// The assignments table's deadline of an order off the clock (see WriteTicket).
constexpr TimeMs kOffClock = INT64_MAX / 2;


constexpr size_t kMaxBatch = 256;
constexpr size_t kMaxQueuedJobs = 10000;  // back-pressure: beyond this, writers get 503
constexpr int kMaxPageSize = 100;
// The most units a centre's scope binds into one query.
constexpr size_t kMaxScopeUnits = 5000;

// "?,?,…" for an IN list of n values.
std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i ? ",?" : "?";
  return out;
}

// A row of `table` with this id must exist, else `field` is refused with `message`. A
// database error is passed on as itself, never read as "no such row".
Status MustExist(Connection& c, const char* table, Id id, const std::string& field, const std::string& message) {
  ASSIGN_OR_RETURN(auto p, c.Prepare(std::string("SELECT 1 FROM ") + table + " WHERE id = ?"));
  Status st;
  if (p.Bind(1, id).Step(&st)) return Status::Ok();
  return st.ok() ? InvalidArgument(field, message) : st;
}

// The version of something derived from the rows (an index, a column rule) that the
// database was last brought up to, kept in meta under `key`; 0 before one was kept.
Result<int> MetaVersion(Connection& c, const char* key) {
  ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT value FROM meta WHERE key = ?"));
  Status st;
  const int v = s.Bind(1, key).Step(&st) ? std::atoi(s.Text(0).c_str()) : 0;
  RETURN_IF_ERROR(st);
  return v;
}
Status SetMetaVersion(Connection& c, const char* key, int version) {
  ASSIGN_OR_RETURN(auto m, c.Prepare("INSERT INTO meta(key, value) VALUES(?, ?) "
                                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
  return m.Bind(1, key).Bind(2, std::to_string(version)).Run();
}

template <typename T>
using WriteFn = std::function<Result<T>(Connection&)>;

class SqliteStore final : public Store {
 public:
  SqliteStore(SqliteOptions opts, Vault vault) : opts_(std::move(opts)), vault_(std::move(vault)) {}
  ~SqliteStore() override;

  Status Open();

  Result<Unit> CreateUnit(Unit u) override;
  Result<std::vector<Unit>> ListUnits() override;
  Status UpdateUnit(const Unit& u) override;
  Result<Area> CreateArea(Area a) override;
  Result<std::vector<Area>> ListAreas() override;
  Status UpdateArea(const Area& a) override;
  Result<DispatchRule> CreateDispatchRule(DispatchRule r) override;
  Result<std::vector<DispatchRule>> ListDispatchRules() override;
  Status DeleteDispatchRule(Id id) override;
  Status ReplaceDispatchRule(const DispatchRule& r) override;
  Status ImportOrg(const std::vector<Area>& areas, const std::vector<Unit>& units,
                   const std::vector<DispatchRule>& rules) override;
  Id NewId() override { return ids_->Next(); }
  int NodeId() const override { return node_; }
  Status RenewNodeLease() override;
  Result<OrgSnapshot> LoadOrg() override;
  Result<int64_t> OrgVersion() override;
  Result<int> ImportTaxonomy(const std::vector<Category>& cats, const std::string& source) override;
  Result<int> AddCategory(const Category& c) override;
  Result<int> EditTaxonomy(const std::function<Status(std::vector<Category>&)>& edit,
                           const std::string& source) override;
  Result<int> CurrentTaxonomyVersion() override;
  Result<std::vector<Category>> ListCategories(int version) override;
  Result<User> CreateUser(User u) override;
  Result<std::vector<User>> ListUsers() override;
  Result<User> GetUser(Id id) override;
  Result<User> FindUserByName(const std::string& username) override;
  Status UpdatePassword(Id user_id, const std::string& hash) override;
  Status UpdateUser(const User& u) override;
  Status CreateSession(const std::string& token_hash, Id user_id, TimeMs expires_at) override;
  Result<Id> FindSession(const std::string& token_hash, TimeMs now) override;
  Status DeleteSession(const std::string& token_hash) override;
  Result<CreatedTicket> CreateTicket(NewTicket in) override;
  Result<Decision> ApplyCommand(Id ticket_id, Id merge_target_id, const DecideFn& decide) override;
  Result<Ticket> GetTicket(Id id) override;
  Result<Ticket> GetTicketByNumber(const std::string& number) override;
  Result<TicketPage> ListTickets(const TicketQuery& q) override;
  Result<std::vector<Event>> ListEvents(Id ticket_id) override;
  Result<std::vector<std::pair<std::string, int64_t>>> CountByStatus() override;
  Result<Requester> GetRequester(Id id) override;
  std::string PhoneHash(const std::string& phone) const override { return vault_.KeyedHash("phone:" + phone); }
  Result<Contact> AddContact(Contact c, Requester requester, Event e, const ContactKey& idempotency,
                             bool* replayed) override;
  Result<std::vector<Contact>> ListContacts(Id ticket_id) override;
  Result<std::vector<Contact>> ContactsFromPhone(const std::string& phone_hash, TimeMs since, int limit) override;
  Result<Attachment> AddAttachment(Attachment a, const std::string& data, Event e, size_t max_per_ticket) override;
  Result<std::pair<Attachment, std::string>> GetAttachment(Id id) override;
  Result<std::vector<Attachment>> ListAttachments(Id ticket_id) override;
  Result<std::vector<Id>> DueAlarmTickets(TimeMs now, int limit) override;
  Result<std::vector<Id>> OpenTicketIds(Id after_id, int limit) override;
  Result<std::vector<UnitSlaStats>> SlaStats(TimeMs from, TimeMs to, TimeMs now, const std::string& category) override;
  Result<std::vector<UnitBacklog>> BacklogByUnit(TimeMs now) override;
  Result<std::vector<DuplicateCandidate>> DuplicateCandidates(const std::vector<int64_t>& bands, TimeMs since,
                                                              int limit) override;
  Status RaiseAlert(const Alert& a) override;
  Result<std::vector<TicketText>> TicketTexts(TimeMs from, TimeMs to, int limit,
                                              const std::vector<Id>& scope_units) override;
  Result<std::vector<ClueTicket>> LitigationClues(TimeMs from, TimeMs to, int limit,
                                                  const std::vector<Id>& scope_units) override;
  Result<std::vector<Alert>> ListAlerts(const std::string& kind, TimeMs since, int limit,
                                        const std::vector<Id>& scope_units, AlertState state) override;
  Result<std::optional<Alert>> GetAlert(Id id, const std::vector<Id>& scope_units) override;
  Status HandleAlert(Id id, TimeMs seen_update, TimeMs at, Id by, const std::string& note) override;
  Result<std::map<std::string, int64_t>> CountAlerts(TimeMs from, TimeMs to, const std::vector<Id>& scope_units,
                                                     const std::string& category) override;
  Result<std::vector<UnitHistory>> DispatchHistory(const std::string& category_prefix, int recent) override;
  Result<DispatchStats> DispatchStatsBetween(TimeMs from, TimeMs to, const std::vector<Id>& scope_units) override;
  Result<Overview> OverviewStats(TimeMs day_start, TimeMs now, TimeMs from, TimeMs to,
                                 const std::vector<Id>& intake_scope, TimeMs closed_by,
                                 const std::string& category) override;
  Result<std::vector<Overview::ChannelHour>> ContactsByHour(TimeMs from, TimeMs to,
                                                            const std::vector<Id>& intake_scope) override;
  Result<std::vector<LabelledTicket>> ClosedTicketTexts(int limit) override;
  Status PutCalendar(const std::string& name, const std::string& doc) override;
  Result<std::vector<std::pair<std::string, std::string>>> ListCalendars() override;
  Result<int> PutSlaPolicy(const std::string& doc) override;
  Result<std::optional<std::pair<int, std::string>>> CurrentSlaPolicy() override;
  Result<std::optional<std::string>> SlaPolicyAt(int version) override;
  Result<std::vector<KbEntry>> KbSave(std::vector<std::pair<KbEntry, KbDocTerms>> entries, Id changed_by) override;
  Result<int64_t> KbReindex(int terms_version, const std::function<KbDocTerms(const KbEntry&)>& terms_of) override;
  Result<KbEntry> KbGet(Id id) override;
  Result<std::vector<KbEntry>> KbGetMany(const std::vector<Id>& ids) override;
  Result<std::vector<KbEntry>> KbList(std::optional<KbStatus> status, Id after_id, int limit,
                                      const std::string& kind, TimeMs current_at,
                                      const std::string& category_prefix, bool with_revision) override;
  Result<std::vector<std::pair<int, std::string>>> KbVersions(Id id) override;
  Result<int64_t> KbCount(std::optional<KbStatus> status, const std::string& kind, TimeMs current_at,
                          const std::string& category_prefix, bool with_revision) override;
  Result<int64_t> AuditCount(const std::optional<std::vector<Id>>& users) override;
  Result<std::vector<KbPosting>> KbPostings(const std::string& term) override;
  Result<int64_t> KbTermDf(const std::string& term) override;
  Result<std::pair<int64_t, int64_t>> KbStats(const std::string& kind) override;
  Result<int64_t> KbGeneration() override;
  Result<std::vector<SynonymGroup>> KbSynonymGroups() override;
  Result<Id> KbAddSynonymGroup(const std::vector<std::string>& terms,
                               const std::function<Status(const std::vector<SynonymGroup>&)>& check) override;
  Status KbDeleteSynonymGroup(Id id) override;
  Status KbRecordUse(const std::vector<Id>& ids) override;
  Status AppendAudit(AuditEntry e) override;
  Result<std::vector<AuditEntry>> ListAudit(int limit, Id before_id, const std::optional<std::vector<Id>>& users) override;
  Result<int> RecordLookupFailure(const std::string& number, TimeMs now, TimeMs window_ms) override;
  Status ForgetLookupFailure(const std::string& number, TimeMs at) override;
  Result<int> LookupFailures(const std::string& number, TimeMs now, TimeMs window_ms) override;

 private:
  struct Job {
    std::function<Status(Connection&)> run;
    std::promise<Status> done;
  };

  // Runs fn on the writer thread inside a (group) transaction; returns once committed.
  template <typename T>
  Result<T> Write(WriteFn<T> fn);
  Status WriteStatus(std::function<Status(Connection&)> fn);
  // Runs fn with a pooled read connection.
  template <typename T>
  Result<T> Read(const std::function<Result<T>(Connection&)>& fn);
  void WriterLoop();
  Status Migrate(Connection& c);
  Status UpgradeTicketColumns(Connection& c);
  Status CheckKey(Connection& c);

  Status BumpOrgVersion(Connection& c);
  Status InsertUnit(Connection& c, const Unit& u);
  Status InsertArea(Connection& c, const Area& a);
  Status InsertRule(Connection& c, const DispatchRule& r);
  Result<Id> UpsertRequester(Connection& c, const Requester& r, TimeMs now);
  Status WriteTicket(Connection& c, const Ticket& t, bool insert);
  Status WriteEvents(Connection& c, const std::vector<Event>& events);
  Result<Ticket> LoadTicket(Connection& c, Id id);
  Result<std::string> NextNumber(Connection& c, TimeMs now);

  SqliteOptions opts_;
  Vault vault_;
  std::optional<IdGenerator> ids_;  // made once the node is known (Open)
  int node_ = 0;
  std::string node_holder_;  // this process's lease token; empty when the node was given
  Status LeaseNode(Connection& c);

  std::unique_ptr<Connection> writer_;
  std::thread writer_thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<Job>> queue_;
  bool stopping_ = false;

  std::mutex pool_mu_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;
};

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_thread_.joinable()) writer_thread_.join();
  if (writer_ && !node_holder_.empty()) {  // the node is free for the next process at once
    auto s = writer_->Prepare("DELETE FROM node_leases WHERE node = ? AND holder = ?");
    if (s.ok()) (void)s->Bind(1, static_cast<int64_t>(node_)).Bind(2, node_holder_).Run();
  }
}

namespace {
constexpr TimeMs kNodeLeaseMs = 60 * 60 * 1000;
constexpr int kLeasedNodes = 512;
}  // namespace

// The lowest node no live lease holds, taken in one write transaction (BEGIN IMMEDIATE, so
// two processes opening at once take turns).
Status SqliteStore::LeaseNode(Connection& c) {
  node_holder_ = RandomHex(16);
  const TimeMs now = SystemClock::Default()->NowMs();  // real time, whatever clock the store keeps
  RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
  auto take = [&]() -> Status {
    ASSIGN_OR_RETURN(auto gone, c.Prepare("DELETE FROM node_leases WHERE expires_at <= ?"));
    RETURN_IF_ERROR(gone.Bind(1, now).Run());
    int node = 0;
    {  // (the read is reset when `held` goes, before the insert)
      ASSIGN_OR_RETURN(auto held, c.Prepare("SELECT node FROM node_leases ORDER BY node"));
      Status st;
      while (held.Step(&st)) {
        if (held.Int(0) != node) break;
        ++node;
      }
      RETURN_IF_ERROR(st);
    }
    if (node >= kLeasedNodes) {
      return Status(Code::kResourceExhausted, "all " + std::to_string(kLeasedNodes) +
                                                  " id-generator nodes are leased: too many processes share this database");
    }
    ASSIGN_OR_RETURN(auto ins, c.Prepare("INSERT INTO node_leases(node, holder, expires_at) VALUES(?, ?, ?)"));
    RETURN_IF_ERROR(ins.Bind(1, static_cast<int64_t>(node)).Bind(2, node_holder_).Bind(3, now + kNodeLeaseMs).Run());
    node_ = node;
    return Status::Ok();
  };
  Status st = take();
  if (!st.ok()) {
    (void)c.Exec("ROLLBACK");
    node_holder_.clear();
    return st;
  }
  return c.Exec("COMMIT");
}

Status SqliteStore::RenewNodeLease() {
  if (node_holder_.empty()) return Status::Ok();
  return WriteStatus([&](Connection& c) -> Status {
    const TimeMs until = SystemClock::Default()->NowMs() + kNodeLeaseMs;
    ASSIGN_OR_RETURN(auto s, c.Prepare("UPDATE node_leases SET expires_at = ? WHERE node = ? AND holder = ?"));
    RETURN_IF_ERROR(s.Bind(1, until).Bind(2, static_cast<int64_t>(node_)).Bind(3, node_holder_).Run());
    if (c.Changes() > 0) return Status::Ok();
    // Lapsed (the process was stopped for an hour): taken back if nobody holds it since.
    ASSIGN_OR_RETURN(auto again, c.Prepare("INSERT OR IGNORE INTO node_leases(node, holder, expires_at) VALUES(?, ?, ?)"));
    RETURN_IF_ERROR(again.Bind(1, static_cast<int64_t>(node_)).Bind(2, node_holder_).Bind(3, until).Run());
    if (c.Changes() > 0) return Status::Ok();
    return Internal("the id-generator node lease of this process lapsed and another process holds node " +
                    std::to_string(node_) + "; restart this process");
  });
}

Status SqliteStore::Open() {
  ASSIGN_OR_RETURN(writer_, Connection::Open(opts_.path, opts_.synchronous_full));
  RETURN_IF_ERROR(Migrate(*writer_));
  RETURN_IF_ERROR(CheckKey(*writer_));
  RETURN_IF_ERROR(UpgradeTicketColumns(*writer_));
  if (opts_.node_id < 0) {
    RETURN_IF_ERROR(LeaseNode(*writer_));
  } else {
    node_ = opts_.node_id;
  }
  ids_.emplace(opts_.clock, node_);
  for (int i = 0; i < std::max(1, opts_.reader_connections); ++i) {
    ASSIGN_OR_RETURN(auto r, Connection::Open(opts_.path, opts_.synchronous_full));
    readers_.push_back(std::move(r));
  }
  writer_thread_ = std::thread([this] { WriterLoop(); });
  return Status::Ok();
}

Status SqliteStore::Migrate(Connection& c) {
  // Another application's database is not taken over: its tables and no schema of ours.
  {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table'), "
                                       "(SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')"));
    Status st;
    if (s.Step(&st) && s.Int(0) > 0 && s.Int(1) == 0) {
      return Status(Code::kFailedPrecondition, opts_.path + " holds another application's tables, not a hotline database "
                                               "(create one with: hotline init --db NEW_FILE)");
    }
    RETURN_IF_ERROR(st);
  }
  RETURN_IF_ERROR(c.Exec("CREATE TABLE IF NOT EXISTS schema_migrations("
                         "version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"));
  const auto& migrations = sqlite::Migrations();
  // A database a newer binary migrated is refused: this one would misread what it does not
  // know (an index built another way, a column it does not fill).
  {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT COALESCE(max(version), 0) FROM schema_migrations"));
    Status st;
    if (s.Step(&st) && s.Int(0) > static_cast<int64_t>(migrations.size())) {
      return Status(Code::kFailedPrecondition, opts_.path + " is at schema version " + std::to_string(s.Int(0)) +
                                               ", newer than this hotline knows (" + std::to_string(migrations.size()) +
                                               "): run the newer hotline that upgraded it");
    }
    RETURN_IF_ERROR(st);
  }
  for (size_t i = 0; i < migrations.size(); ++i) {
    RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?"));
    s.Bind(1, static_cast<int64_t>(i + 1));
    Status st;
    const bool applied = s.Step(&st);
    if (!st.ok()) { (void)c.Exec("ROLLBACK"); return st; }
    if (!applied) {
      st = c.Exec(migrations[i]);
      if (st.ok()) {
        auto ins = c.Prepare("INSERT INTO schema_migrations(version, applied_at) VALUES(?, ?)");
        st = ins.ok() ? ins->Bind(1, static_cast<int64_t>(i + 1)).Bind(2, opts_.clock->NowMs()).Run()
                      : ins.status();
      }
      if (!st.ok()) {
        (void)c.Exec("ROLLBACK");
        return Status(st.code(), "migration " + std::to_string(i + 1) + " failed: " + st.message());
      }
    }
    RETURN_IF_ERROR(c.Exec("COMMIT"));
  }
  return Status::Ok();
}

// The list and count columns of tickets follow rules in code (Ticket::ClockDeadline,
// DeadlineCounts); when a rule changes, the open tickets it concerns are written again once,
// so that lists and counts agree with the tickets' own view. Version 1: an order suspended
// after its deadline stays overdue (rows written before had it off the clock).
Status SqliteStore::UpgradeTicketColumns(Connection& c) {
  constexpr int kColumnsVersion = 1;
  constexpr const char* kKey = "ticket_columns_version";
  // A read at every open, so a database already up to date takes no write lock; the write
  // re-checks, since another process may have upgraded it between.
  ASSIGN_OR_RETURN(const int current, MetaVersion(c, kKey));
  if (current >= kColumnsVersion) return Status::Ok();
  RETURN_IF_ERROR(c.Exec("BEGIN IMMEDIATE"));
  Status st = [&]() -> Status {
    ASSIGN_OR_RETURN(const int built, MetaVersion(c, kKey));
    if (built >= kColumnsVersion) return Status::Ok();
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT state FROM tickets WHERE is_open = 1 AND instr(state, '\"suspended\":true') > 0"));
    std::vector<Ticket> suspended;
    Status rs;
    while (s.Step(&rs)) {
      ASSIGN_OR_RETURN(auto t, DecodeTicketState(s.Text(0)));
      suspended.push_back(std::move(t));
    }
    RETURN_IF_ERROR(rs);
    for (const Ticket& t : suspended) RETURN_IF_ERROR(WriteTicket(c, t, false));
    return SetMetaVersion(c, kKey, kColumnsVersion);
  }();
  if (!st.ok()) {
    (void)c.Exec("ROLLBACK");
    return st;
  }
  return c.Exec("COMMIT");
}

Status SqliteStore::CheckKey(Connection& c) {
  const std::string check = vault_.KeyedHash("hotline-data-key-check");
  ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT value FROM meta WHERE key = 'data_key_check'"));
  Status st;
  if (s.Step(&st)) {
    if (s.Text(0) != check) {
      return Status(Code::kFailedPrecondition,
                    "the data key does not match the one this database was created with "
                    "(check HOTLINE_DATA_KEY or the .key file beside the database)");
    }
    return Status::Ok();
  }
  RETURN_IF_ERROR(st);
  ASSIGN_OR_RETURN(auto ins, c.Prepare("INSERT INTO meta(key, value) VALUES('data_key_check', ?)"));
  return ins.Bind(1, check).Run();
}

void SqliteStore::WriterLoop() {
  std::vector<std::unique_ptr<Job>> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    std::vector<Status> results(batch.size());
    Status begin = writer_->Exec("BEGIN IMMEDIATE");
    if (!begin.ok()) {
      for (auto& r : results) r = begin;
    } else {
      for (size_t i = 0; i < batch.size(); ++i) {
        Status sp = writer_->Exec("SAVEPOINT job");
        if (!sp.ok()) { results[i] = sp; continue; }
        try {
          results[i] = batch[i]->run(*writer_);
        } catch (const std::exception& e) {
          results[i] = Internal(std::string("write failed: ") + e.what());
        }
        if (results[i].ok()) {
          (void)writer_->Exec("RELEASE job");
        } else if (sqlite3_get_autocommit(writer_->raw())) {
          // SQLite rolled the whole transaction back (disk full, I/O error): every job of
          // the batch is lost, the ones before this too; none may be reported as written.
          const Status lost = Status(Code::kUnavailable, "the write was rolled back: " + results[i].message());
          for (auto& r : results) r = lost;
          break;
        } else {
          (void)writer_->Exec("ROLLBACK TO job; RELEASE job");
        }
      }
      Status commit = sqlite3_get_autocommit(writer_->raw()) ? Status::Ok() : writer_->Exec("COMMIT");
      if (!commit.ok()) {
        (void)writer_->Exec("ROLLBACK");
        for (auto& r : results) if (r.ok()) r = commit;
      }
    }
    // Only now, after the commit is durable, do the callers hear back.
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->done.set_value(results[i]);
    batch.clear();
  }
}

Status SqliteStore::WriteStatus(std::function<Status(Connection&)> fn) {
  auto job = std::make_unique<Job>();
  job->run = std::move(fn);
  auto fut = job->done.get_future();
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Status(Code::kUnavailable, "the store is shutting down");
    if (queue_.size() >= kMaxQueuedJobs) return Status(Code::kUnavailable, "write queue is full, retry");
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return fut.get();
}

template <typename T>
Result<T> SqliteStore::Write(WriteFn<T> fn) {
  std::optional<T> out;
  Status st = WriteStatus([&](Connection& c) -> Status {
    auto r = fn(c);
    if (!r.ok()) return r.status();
    out = std::move(r).value();
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return std::move(*out);
}

template <typename T>
Result<T> SqliteStore::Read(const std::function<Result<T>(Connection&)>& fn) {
  std::unique_ptr<Connection> c;
  {
    std::unique_lock lock(pool_mu_);
    pool_cv_.wait(lock, [&] { return !readers_.empty(); });
    c = std::move(readers_.back());
    readers_.pop_back();
  }
  Result<T> r = [&]() -> Result<T> {
    try {
      return fn(*c);
    } catch (const std::exception& e) {
      return Internal(std::string("read failed: ") + e.what());
    }
  }();
  {
    std::lock_guard lock(pool_mu_);
    readers_.push_back(std::move(c));
  }
  pool_cv_.notify_one();
  return r;
}

// ---- organisation -----------------------------------------------------------------------

Status SqliteStore::BumpOrgVersion(Connection& c) {
  return c.Exec("INSERT INTO counters(name, value) VALUES('org_version', 1) "
                "ON CONFLICT(name) DO UPDATE SET value = value + 1");
}

Result<Unit> SqliteStore::CreateUnit(Unit u) {
  RETURN_IF_ERROR(ValidateUnit(u));
  u.id = ids_->Next();
  return Write<Unit>([&](Connection& c) -> Result<Unit> {
    RETURN_IF_ERROR(InsertUnit(c, u));
    RETURN_IF_ERROR(BumpOrgVersion(c));
    return u;
  });
}

namespace {
// Units and areas are named in imports, rules and addresses: one name, one of each. Checked in
// the write itself, so two created at once (a double click, two administrators, two servers)
// cannot both pass.
Status NameFreeIn(Connection& c, const char* table, const std::string& name, Id self, const char* what) {
  ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("SELECT 1 FROM ") + table + " WHERE name = ? AND id != ?"));
  Status st;
  if (s.Bind(1, name).Bind(2, self).Step(&st)) {
    return Status(Code::kConflict, "name: " + std::string(what) + " named '" + name + "' exists already", "name", "already_exists");
  }
  return st;
}
}  // namespace

Status SqliteStore::InsertUnit(Connection& c, const Unit& u) {
  {
    RETURN_IF_ERROR(NameFreeIn(c, "units", u.name, u.id, "a unit"));
    if (u.parent_id != 0) {
      ASSIGN_OR_RETURN(auto p, c.Prepare("SELECT kind FROM units WHERE id = ?"));
      Status st;
      if (!p.Bind(1, u.parent_id).Step(&st)) {
        return st.ok() ? InvalidArgument("parent_id", "no unit with id " + IdToString(u.parent_id)) : st;
      }
    } else {
      ASSIGN_OR_RETURN(auto p, c.Prepare("SELECT id FROM units WHERE parent_id IS NULL"));
      Status st;
      if (p.Step(&st)) return Conflict("already_exists", "the city has a city_center already");
    }
    if (u.area_id != 0) {
      ASSIGN_OR_RETURN(auto p, c.Prepare("SELECT 1 FROM areas WHERE id = ?"));
      Status st;
      if (!p.Bind(1, u.area_id).Step(&st)) return InvalidArgument("area_id", "no area with id " + IdToString(u.area_id));
    }
    ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO units(id, name, kind, parent_id, area_id, phone, active, created_at) "
                                       "VALUES(?,?,?,?,?,?,?,?)"));
    RETURN_IF_ERROR(s.Bind(1, u.id).Bind(2, u.name).Bind(3, UnitKindName(u.kind)).BindIdOrNull(4, u.parent_id)
                        .BindIdOrNull(5, u.area_id).Bind(6, u.phone).Bind(7, u.active)
                        .Bind(8, opts_.clock->NowMs()).Run());
  }
  return Status::Ok();
}

Status SqliteStore::UpdateUnit(const Unit& u) {
  RETURN_IF_ERROR(ValidateUnit(u));
  return WriteStatus([&](Connection& c) -> Status {
    RETURN_IF_ERROR(NameFreeIn(c, "units", u.name, u.id, "a unit"));
    ASSIGN_OR_RETURN(auto s, c.Prepare("UPDATE units SET name = ?, phone = ?, active = ? WHERE id = ?"));
    RETURN_IF_ERROR(s.Bind(1, u.name).Bind(2, u.phone).Bind(3, u.active).Bind(4, u.id).Run());
    if (c.Changes() == 0) return NotFound("no unit with id " + IdToString(u.id));
    return BumpOrgVersion(c);
  });
}

Result<std::vector<Unit>> SqliteStore::ListUnits() {
  return Read<std::vector<Unit>>([&](Connection& c) -> Result<std::vector<Unit>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT id, name, kind, parent_id, area_id, phone, active FROM units ORDER BY id"));
    std::vector<Unit> out;
    Status st;
    while (s.Step(&st)) {
      Unit u;
      u.id = s.Int(0); u.name = s.Text(1);
      u.kind = ParseUnitKind(s.Text(2)).value_or(UnitKind::kDepartment);
      u.parent_id = s.Int(3); u.area_id = s.Int(4); u.phone = s.Text(5); u.active = s.Int(6) != 0;
      out.push_back(std::move(u));
    }
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<Area> SqliteStore::CreateArea(Area a) {
  RETURN_IF_ERROR(ValidateArea(a));
  a.id = ids_->Next();
  return Write<Area>([&](Connection& c) -> Result<Area> {
    RETURN_IF_ERROR(InsertArea(c, a));
    RETURN_IF_ERROR(BumpOrgVersion(c));
    return a;
  });
}

Status SqliteStore::InsertArea(Connection& c, const Area& a) {
  {
    RETURN_IF_ERROR(NameFreeIn(c, "areas", a.name, a.id, "an area"));
    if (a.parent_id != 0) {
      ASSIGN_OR_RETURN(auto p, c.Prepare("SELECT 1 FROM areas WHERE id = ?"));
      Status st;
      if (!p.Bind(1, a.parent_id).Step(&st)) return InvalidArgument("parent_id", "no area with id " + IdToString(a.parent_id));
    }
    ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO areas(id, name, kind, parent_id, aliases, created_at) VALUES(?,?,?,?,?,?)"));
    RETURN_IF_ERROR(s.Bind(1, a.id).Bind(2, a.name).Bind(3, AreaKindName(a.kind)).BindIdOrNull(4, a.parent_id)
                        .Bind(5, json(a.aliases).dump()).Bind(6, opts_.clock->NowMs()).Run());
  }
  return Status::Ok();
}

Status SqliteStore::UpdateArea(const Area& a) {
  RETURN_IF_ERROR(ValidateArea(a));
  return WriteStatus([&](Connection& c) -> Status {
    RETURN_IF_ERROR(NameFreeIn(c, "areas", a.name, a.id, "an area"));
    ASSIGN_OR_RETURN(auto s, c.Prepare("UPDATE areas SET name = ?, aliases = ? WHERE id = ?"));
    RETURN_IF_ERROR(s.Bind(1, a.name).Bind(2, json(a.aliases).dump()).Bind(3, a.id).Run());
    if (c.Changes() == 0) return NotFound("no area with id " + IdToString(a.id));
    return BumpOrgVersion(c);
  });
}

Result<std::vector<Area>> SqliteStore::ListAreas() {
  return Read<std::vector<Area>>([&](Connection& c) -> Result<std::vector<Area>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT id, name, kind, parent_id, aliases FROM areas ORDER BY id"));
    std::vector<Area> out;
    Status st;
    while (s.Step(&st)) {
      Area a;
      a.id = s.Int(0); a.name = s.Text(1);
      a.kind = ParseAreaKind(s.Text(2)).value_or(AreaKind::kDistrict);
      a.parent_id = s.Int(3);
      a.aliases = json::parse(s.Text(4)).get<std::vector<std::string>>();
      out.push_back(std::move(a));
    }
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<DispatchRule> SqliteStore::CreateDispatchRule(DispatchRule r) {
  r.id = ids_->Next();
  return Write<DispatchRule>([&](Connection& c) -> Result<DispatchRule> {
    RETURN_IF_ERROR(InsertRule(c, r));
    RETURN_IF_ERROR(BumpOrgVersion(c));
    return r;
  });
}

Status SqliteStore::InsertRule(Connection& c, const DispatchRule& r) {
  {
    RETURN_IF_ERROR(MustExist(c, "units", r.lead_unit_id, "lead_unit_id", "no unit with id " + IdToString(r.lead_unit_id)));
    for (size_t i = 0; i < r.assisting_unit_ids.size(); ++i) {
      RETURN_IF_ERROR(MustExist(c, "units", r.assisting_unit_ids[i], "assisting_unit_ids[" + std::to_string(i) + "]",
                                "no such unit"));
    }
    if (r.area_id != 0) {
      RETURN_IF_ERROR(MustExist(c, "areas", r.area_id, "area_id", "no area with id " + IdToString(r.area_id)));
    }
    // One rule for a category, area and priority, checked in the write (as names are).
    {
      ASSIGN_OR_RETURN(auto o, c.Prepare("SELECT id, lead_unit_id, assisting FROM dispatch_rules "
                                         "WHERE category_prefix = ? AND area_id IS ? AND priority = ? AND id != ?"));
      o.Bind(1, r.category_prefix).BindIdOrNull(2, r.area_id).Bind(3, r.priority).Bind(4, r.id);
      Status st;
      if (o.Step(&st)) {
        DispatchRule other = r;
        other.lead_unit_id = o.Int(1);
        other.assisting_unit_ids = json::parse(o.Text(2)).get<std::vector<Id>>();
        const bool same = SameRule(other, r);
        return Status(Code::kConflict,
                      same ? "the directory holds this rule already (id " + IdToString(o.Int(0)) + ")"
                           : "rule " + IdToString(o.Int(0)) + " gives the same category and area the same priority "
                             "with other units: which one applies would be a guess; give another priority or edit it",
                      "priority");
      }
      RETURN_IF_ERROR(st);
    }
    ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO dispatch_rules(id, category_prefix, area_id, lead_unit_id, "
                                       "assisting, priority, created_at) VALUES(?,?,?,?,?,?,?)"));
    RETURN_IF_ERROR(s.Bind(1, r.id).Bind(2, r.category_prefix).BindIdOrNull(3, r.area_id)
                        .Bind(4, r.lead_unit_id).Bind(5, json(r.assisting_unit_ids).dump())
                        .Bind(6, r.priority).Bind(7, opts_.clock->NowMs()).Run());
  }
  return Status::Ok();
}

Status SqliteStore::ReplaceDispatchRule(const DispatchRule& r) {
  return WriteStatus([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(auto d, c.Prepare("DELETE FROM dispatch_rules WHERE id = ?"));
    RETURN_IF_ERROR(d.Bind(1, r.id).Run());
    if (c.Changes() == 0) return NotFound("no dispatch rule with id " + IdToString(r.id));
    RETURN_IF_ERROR(InsertRule(c, r));
    return BumpOrgVersion(c);
  });
}

Status SqliteStore::ImportOrg(const std::vector<Area>& areas, const std::vector<Unit>& units,
                              const std::vector<DispatchRule>& rules) {
  for (const auto& a : areas) RETURN_IF_ERROR(ValidateArea(a));
  for (const auto& u : units) RETURN_IF_ERROR(ValidateUnit(u));
  return WriteStatus([&](Connection& c) -> Status {
    for (const auto& a : areas) RETURN_IF_ERROR(InsertArea(c, a));
    for (const auto& u : units) RETURN_IF_ERROR(InsertUnit(c, u));
    for (const auto& r : rules) RETURN_IF_ERROR(InsertRule(c, r));
    return BumpOrgVersion(c);
  });
}

Result<std::vector<DispatchRule>> SqliteStore::ListDispatchRules() {
  return Read<std::vector<DispatchRule>>([&](Connection& c) -> Result<std::vector<DispatchRule>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT id, category_prefix, area_id, lead_unit_id, assisting, priority "
                                       "FROM dispatch_rules ORDER BY category_prefix, id"));
    std::vector<DispatchRule> out;
    Status st;
    while (s.Step(&st)) {
      DispatchRule r;
      r.id = s.Int(0); r.category_prefix = s.Text(1); r.area_id = s.Int(2);
      r.lead_unit_id = s.Int(3); r.assisting_unit_ids = json::parse(s.Text(4)).get<std::vector<Id>>();
      r.priority = static_cast<int>(s.Int(5));
      out.push_back(std::move(r));
    }
    RETURN_IF_ERROR(st);
    return out;
  });
}

Status SqliteStore::DeleteDispatchRule(Id id) {
  return WriteStatus([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(auto s, c.Prepare("DELETE FROM dispatch_rules WHERE id = ?"));
    RETURN_IF_ERROR(s.Bind(1, id).Run());
    if (c.Changes() == 0) return NotFound("no dispatch rule with id " + IdToString(id));
    return BumpOrgVersion(c);
  });
}

Result<OrgSnapshot> SqliteStore::LoadOrg() {
  // Three reads; a concurrent org change between them is caught by the version check of
  // the caller's cache and reloaded.
  ASSIGN_OR_RETURN(auto units, ListUnits());
  ASSIGN_OR_RETURN(auto areas, ListAreas());
  ASSIGN_OR_RETURN(auto rules, ListDispatchRules());
  return OrgSnapshot(std::move(units), std::move(areas), std::move(rules));
}

Result<int64_t> SqliteStore::OrgVersion() {
  return Read<int64_t>([&](Connection& c) -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT value FROM counters WHERE name = 'org_version'"));
    Status st;
    if (s.Step(&st)) return s.Int(0);
    RETURN_IF_ERROR(st);
    return int64_t{0};
  });
}

// ---- taxonomy ---------------------------------------------------------------------------

namespace {
Result<int> InsertTaxonomyVersion(Connection& c, const std::vector<Category>& cats, const std::string& source,
                                  TimeMs now) {
  ASSIGN_OR_RETURN(auto v, c.Prepare("SELECT COALESCE(MAX(version), 0) + 1 FROM taxonomy_versions"));
  Status st;
  v.Step(&st);
  RETURN_IF_ERROR(st);
  const int version = static_cast<int>(v.Int(0));
  ASSIGN_OR_RETURN(auto tv, c.Prepare("INSERT INTO taxonomy_versions(version, source, created_at) VALUES(?,?,?)"));
  RETURN_IF_ERROR(tv.Bind(1, version).Bind(2, source).Bind(3, now).Run());
  for (const auto& cat : cats) {
    ASSIGN_OR_RETURN(auto ins, c.Prepare("INSERT INTO categories(version, code, name, parent_code, level, active) "
                                         "VALUES(?,?,?,?,?,?)"));
    RETURN_IF_ERROR(ins.Bind(1, version).Bind(2, cat.code).Bind(3, cat.name).Bind(4, cat.parent_code)
                        .Bind(5, cat.level).Bind(6, cat.active).Run());
  }
  return version;
}

Result<std::vector<Category>> ReadCategories(Connection& c, int version) {
  ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT code, name, parent_code, level, active FROM categories "
                                     "WHERE version = ? ORDER BY code"));
  s.Bind(1, version);
  std::vector<Category> out;
  Status st;
  while (s.Step(&st)) {
    out.push_back(Category{s.Text(0), s.Text(1), s.Text(2), static_cast<int>(s.Int(3)), s.Int(4) != 0});
  }
  RETURN_IF_ERROR(st);
  return out;
}

Result<int> MaxTaxonomyVersion(Connection& c) {
  ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT COALESCE(MAX(version), 0) FROM taxonomy_versions"));
  Status st;
  s.Step(&st);
  RETURN_IF_ERROR(st);
  return static_cast<int>(s.Int(0));
}
}  // namespace

Result<int> SqliteStore::ImportTaxonomy(const std::vector<Category>& cats, const std::string& source) {
  RETURN_IF_ERROR(ValidateTaxonomy(cats));
  return Write<int>([&](Connection& c) { return InsertTaxonomyVersion(c, cats, source, opts_.clock->NowMs()); });
}

Result<int> SqliteStore::AddCategory(const Category& cat) {
  return Write<int>([&](Connection& c) -> Result<int> {
    ASSIGN_OR_RETURN(int current, MaxTaxonomyVersion(c));
    ASSIGN_OR_RETURN(auto cats, ReadCategories(c, current));
    Category added = cat;
    if (auto same = std::find_if(cats.begin(), cats.end(), [&](const Category& x) { return x.code == added.code; });
        same != cats.end()) {
      return Status(Code::kConflict, "code: '" + added.code + "' exists already (" + same->name + ")", "code");
    }
    RETURN_IF_ERROR(SiblingNameFree(cats, added));
    if (!added.parent_code.empty()) {
      auto it = std::find_if(cats.begin(), cats.end(), [&](const Category& x) { return x.code == added.parent_code; });
      if (it == cats.end()) return InvalidArgument("parent_code", "'" + added.parent_code + "' is not a category");
      added.level = it->level + 1;
    }
    cats.push_back(added);
    RETURN_IF_ERROR(ValidateTaxonomy(cats));
    return InsertTaxonomyVersion(c, cats, "add " + added.code, opts_.clock->NowMs());
  });
}

Result<int> SqliteStore::EditTaxonomy(const std::function<Status(std::vector<Category>&)>& edit,
                                      const std::string& source) {
  return Write<int>([&](Connection& c) -> Result<int> {
    ASSIGN_OR_RETURN(int current, MaxTaxonomyVersion(c));
    ASSIGN_OR_RETURN(auto cats, ReadCategories(c, current));
    RETURN_IF_ERROR(edit(cats));
    RETURN_IF_ERROR(ValidateTaxonomy(cats));
    return InsertTaxonomyVersion(c, cats, source, opts_.clock->NowMs());
  });
}

Result<int> SqliteStore::CurrentTaxonomyVersion() {
  return Read<int>([&](Connection& c) { return MaxTaxonomyVersion(c); });
}

Result<std::vector<Category>> SqliteStore::ListCategories(int version) {
  return Read<std::vector<Category>>([&](Connection& c) { return ReadCategories(c, version); });
}

// ---- users and sessions -----------------------------------------------------------------

namespace {
constexpr const char* kUserCols = "id, username, password_hash, role, unit_id, display_name, active, created_at";
User ReadUser(const Stmt& s) {
  User u;
  u.id = s.Int(0); u.username = s.Text(1); u.password_hash = s.Text(2);
  u.role = ParseRole(s.Text(3)).value_or(Role::kAnalyst);
  u.unit_id = s.Int(4); u.display_name = s.Text(5); u.active = s.Int(6) != 0; u.created_at = s.Int(7);
  return u;
}
}  // namespace

Result<User> SqliteStore::CreateUser(User u) {
  u.id = ids_->Next();
  u.created_at = opts_.clock->NowMs();
  return Write<User>([&](Connection& c) -> Result<User> {
    if (u.unit_id == 0 && u.role != Role::kAdmin) {
      return InvalidArgument("unit_id", "every user but the bootstrap administrator belongs to a unit");
    }
    if (u.unit_id != 0) {
      RETURN_IF_ERROR(MustExist(c, "units", u.unit_id, "unit_id", "no unit with id " + IdToString(u.unit_id)));
    }
    ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("INSERT INTO users(") + kUserCols + ") VALUES(?,?,?,?,?,?,?,?)"));
    Status ins = s.Bind(1, u.id).Bind(2, u.username).Bind(3, u.password_hash).Bind(4, RoleName(u.role))
                     .BindIdOrNull(5, u.unit_id).Bind(6, u.display_name).Bind(7, u.active).Bind(8, u.created_at).Run();
    if (ins.code() == Code::kConflict) {
      return Status(Code::kConflict, "username: '" + u.username + "' is taken", "username", "already_exists");
    }
    RETURN_IF_ERROR(ins);
    return u;
  });
}

Result<std::vector<User>> SqliteStore::ListUsers() {
  return Read<std::vector<User>>([&](Connection& c) -> Result<std::vector<User>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("SELECT ") + kUserCols + " FROM users ORDER BY id"));
    std::vector<User> out;
    Status st;
    while (s.Step(&st)) out.push_back(ReadUser(s));
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<User> SqliteStore::GetUser(Id id) {
  return Read<User>([&](Connection& c) -> Result<User> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("SELECT ") + kUserCols + " FROM users WHERE id = ?"));
    Status st;
    if (s.Bind(1, id).Step(&st)) return ReadUser(s);
    RETURN_IF_ERROR(st);
    return NotFound("no user with id " + IdToString(id));
  });
}

Result<User> SqliteStore::FindUserByName(const std::string& username) {
  return Read<User>([&](Connection& c) -> Result<User> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("SELECT ") + kUserCols + " FROM users WHERE username = ?"));
    Status st;
    if (s.Bind(1, username).Step(&st)) return ReadUser(s);
    RETURN_IF_ERROR(st);
    return NotFound("no user named " + username);
  });
}

Status SqliteStore::UpdatePassword(Id user_id, const std::string& hash) {
  return WriteStatus([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(auto s, c.Prepare("UPDATE users SET password_hash = ? WHERE id = ?"));
    RETURN_IF_ERROR(s.Bind(1, hash).Bind(2, user_id).Run());
    if (c.Changes() == 0) return NotFound("no user with id " + IdToString(user_id));
    ASSIGN_OR_RETURN(auto d, c.Prepare("DELETE FROM sessions WHERE user_id = ?"));
    return d.Bind(1, user_id).Run();
  });
}

Status SqliteStore::UpdateUser(const User& u) {
  return WriteStatus([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(auto get, c.Prepare(std::string("SELECT ") + kUserCols + " FROM users WHERE id = ?"));
    Status st;
    if (!get.Bind(1, u.id).Step(&st)) return st.ok() ? NotFound("no user with id " + IdToString(u.id)) : st;
    const User was = ReadUser(get);
    if (u.unit_id != 0 && u.unit_id != was.unit_id) {
      RETURN_IF_ERROR(MustExist(c, "units", u.unit_id, "unit_id", "no unit with id " + IdToString(u.unit_id)));
    }
    if (u.unit_id == 0 && u.role != Role::kAdmin) {
      return InvalidArgument("unit_id", "every user but the bootstrap administrator belongs to a unit");
    }
    ASSIGN_OR_RETURN(auto s, c.Prepare("UPDATE users SET role = ?, unit_id = ?, display_name = ?, active = ?, "
                                       "password_hash = ? WHERE id = ?"));
    RETURN_IF_ERROR(s.Bind(1, RoleName(u.role)).BindIdOrNull(2, u.unit_id).Bind(3, u.display_name).Bind(4, u.active)
                        .Bind(5, u.password_hash).Bind(6, u.id).Run());
    if (u.role == was.role && u.unit_id == was.unit_id && u.active == was.active && u.password_hash == was.password_hash) {
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(auto d, c.Prepare("DELETE FROM sessions WHERE user_id = ?"));
    return d.Bind(1, u.id).Run();
  });
}

Status SqliteStore::CreateSession(const std::string& token_hash, Id user_id, TimeMs expires_at) {
  return WriteStatus([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(auto gc, c.Prepare("DELETE FROM sessions WHERE expires_at < ?"));
    RETURN_IF_ERROR(gc.Bind(1, opts_.clock->NowMs()).Run());
    ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO sessions(token_hash, user_id, expires_at) VALUES(?,?,?)"));
    return s.Bind(1, token_hash).Bind(2, user_id).Bind(3, expires_at).Run();
  });
}

Result<Id> SqliteStore::FindSession(const std::string& token_hash, TimeMs now) {
  return Read<Id>([&](Connection& c) -> Result<Id> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT user_id FROM sessions WHERE token_hash = ? AND expires_at > ?"));
    Status st;
    if (s.Bind(1, token_hash).Bind(2, now).Step(&st)) return s.Int(0);
    RETURN_IF_ERROR(st);
    return Status(Code::kUnauthenticated, "the token is unknown or expired");
  });
}

Status SqliteStore::DeleteSession(const std::string& token_hash) {
  return WriteStatus([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(auto s, c.Prepare("DELETE FROM sessions WHERE token_hash = ?"));
    return s.Bind(1, token_hash).Run();
  });
}

// ---- tickets ----------------------------------------------------------------------------

Result<Id> SqliteStore::UpsertRequester(Connection& c, const Requester& r, TimeMs now) {
  const std::string phone_hash = r.phone.empty() ? "" : PhoneHash(r.phone);
  if (!phone_hash.empty()) {
    // A requester row is what one request gave: an earlier row of the same phone is reused
    // only when every field is the same. Updating it instead would let the next request,
    // anyone's from the public portal with that number, rename the citizen on every
    // earlier ticket. The caller's history hangs on the tickets' phone hash, not on this row.
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT id, name_enc, id_number_enc, org_name, credit_code FROM requesters "
                                       "WHERE phone_hash = ? AND kind = ? ORDER BY id DESC LIMIT 20"));
    s.Bind(1, phone_hash).Bind(2, r.kind);
    Status st;
    while (s.Step(&st)) {
      if (s.Text(3) != r.org_name || s.Text(4) != r.credit_code) continue;
      ASSIGN_OR_RETURN(const std::string name, vault_.Decrypt(s.Text(1)));
      ASSIGN_OR_RETURN(const std::string id_number, vault_.Decrypt(s.Text(2)));
      if (name == r.name && id_number == r.id_number) return s.Int(0);
    }
    RETURN_IF_ERROR(st);
  }
  const Id id = ids_->Next();
  ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO requesters(id, kind, name_enc, phone_enc, phone_hash, id_number_enc, "
                                     "org_name, credit_code, created_at, updated_at) VALUES(?,?,?,?,?,?,?,?,?,?)"));
  RETURN_IF_ERROR(s.Bind(1, id).Bind(2, r.kind).Bind(3, vault_.Encrypt(r.name)).Bind(4, vault_.Encrypt(r.phone))
                      .Bind(5, phone_hash).Bind(6, vault_.Encrypt(r.id_number)).Bind(7, r.org_name)
                      .Bind(8, r.credit_code).Bind(9, now).Bind(10, now).Run());
  return id;
}

Status SqliteStore::WriteTicket(Connection& c, const Ticket& t, bool insert) {
  std::string phone_hash;
  if (t.requester_id != 0) {
    ASSIGN_OR_RETURN(auto p, c.Prepare("SELECT phone_hash FROM requesters WHERE id = ?"));
    Status st;
    if (p.Bind(1, t.requester_id).Step(&st)) phone_hash = p.Text(0);
    RETURN_IF_ERROR(st);
  }
  const std::string sql = insert
      ? "INSERT INTO tickets(status, version, channel, request_type, urgency, category_code, area_id, "
        "requester_id, phone_hash, intake_unit_id, content, address, created_at, updated_at, due_at, closed_at, "
        "state, is_open, warn_at, next_alarm_at, number, id) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
      : "UPDATE tickets SET status=?, version=?, channel=?, request_type=?, urgency=?, category_code=?, "
        "area_id=?, requester_id=?, phone_hash=?, intake_unit_id=?, content=?, address=?, created_at=?, "
        "updated_at=?, due_at=?, closed_at=?, state=?, is_open=?, warn_at=?, next_alarm_at=?, number=? WHERE id=?";
  const bool open = IsOpenStatus(t.Status());
  // The deadline columns behind the due/overdue/warning filters hold a value only while a
  // unit is on the clock or the order is back at its centre: not after the reply, not while
  // suspended unless it was already late (Ticket::ClockDeadline, as Ticket::LevelAt reads it).
  const Ticket::Deadline deadline = t.ClockDeadline();
  const TimeMs warn_at = deadline.warn;
  const TimeMs due_col = deadline.due;
  ASSIGN_OR_RETURN(auto s, c.Prepare(sql));
  RETURN_IF_ERROR(s.Bind(1, TicketStatusName(t.Status())).Bind(2, t.version).Bind(3, t.channel)
                      .Bind(4, t.request_type).Bind(5, t.urgency).Bind(6, t.category_code).Bind(7, t.area_id)
                      .BindIdOrNull(8, t.requester_id).Bind(9, phone_hash).Bind(10, t.intake_unit_id)
                      .Bind(11, t.content).Bind(12, t.address).Bind(13, t.created_at).Bind(14, t.updated_at)
                      .Bind(15, due_col).Bind(16, t.closed_at).Bind(17, EncodeTicketState(t))
                      .Bind(18, open).Bind(19, warn_at).Bind(20, open ? t.NextAlarmAt() : 0)
                      .Bind(21, t.number).Bind(22, t.id).Run());
  for (const auto& a : t.assignments) {
    ASSIGN_OR_RETURN(auto as, c.Prepare(
        "INSERT INTO assignments(id, ticket_id, unit_id, lead, state, dispatched_at, accept_due_at, handle_due_at, "
        "accepted_at, replied_at, ended_at) VALUES(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET state=excluded.state, "
        "accept_due_at=excluded.accept_due_at, handle_due_at=excluded.handle_due_at, "
        "accepted_at=excluded.accepted_at, replied_at=excluded.replied_at, ended_at=excluded.ended_at"));
    // A suspended order, and a relaying centre's waiting on one, is off the clock: its
    // deadline column is pushed past any "now" so overdue counts skip it (resume rewrites it);
    // one suspended after its deadline stays counted overdue (Ticket::DeadlineCounts).
    RETURN_IF_ERROR(as.Bind(1, a.id).Bind(2, t.id).Bind(3, a.unit_id).Bind(4, a.lead)
                        .Bind(5, AssignmentStateName(a.state)).Bind(6, a.dispatched_at).Bind(7, a.accept_due_at)
                        .Bind(8, t.DeadlineCounts(a) ? a.handle_due_at : kOffClock).Bind(9, a.accepted_at)
                        .Bind(10, a.replied_at).Bind(11, a.ended_at).Run());
  }
  return Status::Ok();
}

Status SqliteStore::WriteEvents(Connection& c, const std::vector<Event>& events) {
  for (const auto& e : events) {
    ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO events(id, ticket_id, seq, type, at, actor_user_id, actor_unit_id, "
                                       "actor_role, system, public, data) VALUES(?,?,?,?,?,?,?,?,?,?,?)"));
    RETURN_IF_ERROR(s.Bind(1, e.id).Bind(2, e.ticket_id).Bind(3, e.seq).Bind(4, e.type).Bind(5, e.at)
                        .Bind(6, e.actor_user_id).Bind(7, e.actor_unit_id).Bind(8, e.actor_role)
                        .Bind(9, e.system).Bind(10, e.is_public).Bind(11, e.data_json).Run());
  }
  return Status::Ok();
}

Result<Ticket> SqliteStore::LoadTicket(Connection& c, Id id) {
  ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT state FROM tickets WHERE id = ?"));
  Status st;
  if (s.Bind(1, id).Step(&st)) return DecodeTicketState(s.Text(0));
  RETURN_IF_ERROR(st);
  return NotFound("no ticket with id " + IdToString(id));
}

Result<std::string> SqliteStore::NextNumber(Connection& c, TimeMs now) {
  // Public numbers: the city date and a 7-digit daily sequence (room for 9,999,999 a day).
  const std::string day = CityDateCompact(now);
  ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO counters(name, value) VALUES(?, 1) "
                                     "ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value"));
  Status st;
  if (!s.Bind(1, "ticket:" + day).Step(&st)) return st.ok() ? Internal("counter did not return") : st;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%07lld", day.c_str(), static_cast<long long>(s.Int(0)));
  return std::string(buf);
}

namespace {
// What an idempotency key was first used for: the id in `column` (ticket_id or contact_id),
// or 0 for a key not seen yet. kFailedPrecondition when the key came with another request
// (a key stored before digests were kept, with an empty one, replays as it always did).
Result<Id> IdempotentReplay(Connection& c, const std::string& key, const std::string& digest, const char* column) {
  ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("SELECT ") + column + ", request_digest FROM idempotency WHERE key = ?"));
  Status st;
  if (!s.Bind(1, key).Step(&st)) {
    RETURN_IF_ERROR(st);
    return Id{0};
  }
  if ((!s.Text(1).empty() && s.Text(1) != digest) || s.Int(0) == 0) {
    return Status(Code::kFailedPrecondition, "Idempotency-Key: was used with a different request", "Idempotency-Key",
                  "idempotency_key_reused");
  }
  return s.Int(0);
}

constexpr const char* kContactCols = "id, ticket_id, channel, kind, content, requester_id, recorded_by, at";
Contact ReadContact(const Stmt& s) {
  return Contact{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int(6), s.Int(7)};
}
}  // namespace

Result<CreatedTicket> SqliteStore::CreateTicket(NewTicket in) {
  return Write<CreatedTicket>([&](Connection& c) -> Result<CreatedTicket> {
    if (!in.idempotency_key.empty()) {
      ASSIGN_OR_RETURN(const Id replay, IdempotentReplay(c, in.idempotency_key, in.request_digest, "ticket_id"));
      if (replay) {
        ASSIGN_OR_RETURN(auto t, LoadTicket(c, replay));
        return CreatedTicket{std::move(t), true};
      }
    }
    Ticket t = in.ticket;
    ASSIGN_OR_RETURN(t.number, NextNumber(c, t.created_at));
    ASSIGN_OR_RETURN(t.requester_id, UpsertRequester(c, in.requester, t.created_at));
    RETURN_IF_ERROR(WriteTicket(c, t, true));
    Event e = in.created_event;
    json data = json::parse(e.data_json);
    data["number"] = t.number;
    e.data_json = data.dump();
    RETURN_IF_ERROR(WriteEvents(c, {e}));
    Contact ct = in.first_contact;
    ASSIGN_OR_RETURN(auto cs, c.Prepare("INSERT INTO contacts(id, ticket_id, channel, kind, content, requester_id, "
                                        "recorded_by, at) VALUES(?,?,?,?,?,?,?,?)"));
    RETURN_IF_ERROR(cs.Bind(1, ct.id).Bind(2, t.id).Bind(3, ct.channel).Bind(4, ct.kind).Bind(5, ct.content)
                        .BindIdOrNull(6, t.requester_id).Bind(7, ct.recorded_by).Bind(8, ct.at).Run());
    if (!in.idempotency_key.empty()) {
      ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO idempotency(key, ticket_id, created_at, request_digest) VALUES(?,?,?,?)"));
      RETURN_IF_ERROR(s.Bind(1, in.idempotency_key).Bind(2, t.id).Bind(3, t.created_at).Bind(4, in.request_digest).Run());
    }
    for (int64_t band : in.lsh_bands) {
      ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT OR IGNORE INTO ticket_lsh(band, ticket_id) VALUES(?,?)"));
      RETURN_IF_ERROR(s.Bind(1, band).Bind(2, t.id).Run());
    }
    if (!in.hotspot_features.empty()) {
      ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO ticket_features(ticket_id, hotspot) VALUES(?,?)"));
      RETURN_IF_ERROR(s.Bind(1, t.id).BindBlob(2, in.hotspot_features).Run());
    }
    return CreatedTicket{std::move(t), false};
  });
}

Result<Decision> SqliteStore::ApplyCommand(Id ticket_id, Id merge_target_id, const DecideFn& decide) {
  return Write<Decision>([&](Connection& c) -> Result<Decision> {
    ASSIGN_OR_RETURN(auto t, LoadTicket(c, ticket_id));
    std::optional<Ticket> target;
    if (merge_target_id != 0) {
      auto r = LoadTicket(c, merge_target_id);
      if (r.ok()) target = std::move(r).value();
      else if (r.status().code() != Code::kNotFound) return r.status();
    }
    ASSIGN_OR_RETURN(auto d, decide(t, target ? &*target : nullptr));
    RETURN_IF_ERROR(WriteTicket(c, d.ticket, false));
    RETURN_IF_ERROR(WriteEvents(c, d.events));
    if (d.target) {
      RETURN_IF_ERROR(WriteTicket(c, *d.target, false));
      RETURN_IF_ERROR(WriteEvents(c, d.target_events));
    }
    return d;
  });
}

Result<Ticket> SqliteStore::GetTicket(Id id) {
  return Read<Ticket>([&](Connection& c) { return LoadTicket(c, id); });
}

Result<Ticket> SqliteStore::GetTicketByNumber(const std::string& number) {
  return Read<Ticket>([&](Connection& c) -> Result<Ticket> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT state FROM tickets WHERE number = ?"));
    Status st;
    if (s.Bind(1, number).Step(&st)) return DecodeTicketState(s.Text(0));
    RETURN_IF_ERROR(st);
    return NotFound("no ticket numbered " + number);
  });
}

Result<TicketPage> SqliteStore::ListTickets(const TicketQuery& q) {
  // WHERE clause and bindings built together; the shapes are few, so statements cache well.
  std::string where = " WHERE 1=1";
  std::vector<std::function<void(Stmt&, int)>> binds;
  auto add = [&](std::string clause, std::function<void(Stmt&, int)> b) {
    where += " AND " + clause;
    if (b) binds.push_back(std::move(b));
  };
  if (q.status) {
    std::string st = TicketStatusName(*q.status);
    add("t.status = ?", [st](Stmt& s, int i) { s.Bind(i, st); });
  }
  if (q.unit_id) {
    const Id u = q.unit_id;
    // Driven from the unit's assignments (an index range), not by scanning tickets.
    if (!q.assignment_state.empty()) {
      const std::string state = q.assignment_state;
      add("t.id IN (SELECT a.ticket_id FROM assignments a WHERE a.unit_id = ? AND a.state = ?)",
          [u](Stmt& s, int i) { s.Bind(i, u); });
      binds.push_back([state](Stmt& s, int i) { s.Bind(i, state); });
    } else {
      add(std::string("t.id IN (SELECT a.ticket_id FROM assignments a WHERE a.unit_id = ? AND a.state ") +
              (q.unit_open_only ? "IN ('pending','accepted'))" : "<> 'superseded')"),
          [u](Stmt& s, int i) { s.Bind(i, u); });
    }
  }
  if (!q.channel.empty()) {
    const std::string channel = q.channel;
    add("t.channel = ?", [channel](Stmt& s, int i) { s.Bind(i, channel); });
  }
  if (!q.urgency.empty()) {
    const std::string urgency = q.urgency;
    add("t.urgency = ?", [urgency](Stmt& s, int i) { s.Bind(i, urgency); });
  }
  if (!q.closing_kind.empty()) {
    const std::string kind = q.closing_kind;
    add("t.closed_at > 0 AND json_extract(t.state, '$.closing_kind') = ?", [kind](Stmt& s, int i) { s.Bind(i, kind); });
  }
  if (q.returned_to) {
    const Id to = q.returned_to;
    add("t.is_open = 1 AND EXISTS (SELECT 1 FROM json_each(t.state, '$.assignments') j "
        "WHERE json_extract(j.value, '$.state') = 'returned' AND json_extract(j.value, '$.lead') "
        "AND json_extract(j.value, '$.by') = ?)", [to](Stmt& s, int i) { s.Bind(i, to); });
  }
  if (q.min_returns > 0) {
    const int n = q.min_returns;
    add("t.is_open = 1 AND json_extract(t.state, '$.return_count') >= ?", [n](Stmt& s, int i) { s.Bind(i, n); });
  }
  if (!q.awaiting.empty()) {
    const bool ext = q.awaiting != "suspension", susp = q.awaiting != "extension";
    std::string asked;
    if (ext) asked = "json_extract(j.value, '$.ext_days') > 0";
    if (susp) {
      asked += std::string(ext ? " OR " : "") +
               "(json_extract(j.value, '$.suspend_requested') AND NOT json_extract(j.value, '$.suspended'))";
    }
    // A centre decides the requests of the orders it dispatched, not those of its subtree's
    // orders that a centre above dispatched.
    std::string by;
    if (!q.scope_units.empty() && q.scope_intake) {
      by = " AND json_extract(j.value, '$.by') IN (" + Placeholders(q.scope_units.size()) + ")";
    }
    add("t.is_open = 1 AND EXISTS (SELECT 1 FROM json_each(t.state, '$.assignments') j "
        "WHERE json_extract(j.value, '$.state') = 'accepted' AND (" + asked + ")" + by + ")",
        nullptr);
    if (!by.empty()) {
      for (Id u : q.scope_units) binds.push_back([u](Stmt& s, int i) { s.Bind(i, u); });
    }
  }
  if (!q.category_prefix.empty()) {
    const std::string lo = q.category_prefix, hi = q.category_prefix + "\xff";
    add("t.category_code >= ? AND t.category_code < ?", [lo](Stmt& s, int i) { s.Bind(i, lo); });
    binds.push_back([hi](Stmt& s, int i) { s.Bind(i, hi); });
  }
  if (!q.phone_hash.empty()) {
    const std::string h = q.phone_hash;
    if (q.phone_own) {
      add("t.phone_hash = ?", [h](Stmt& s, int i) { s.Bind(i, h); });
    } else {
      // The caller's own tickets, and those they rang about again (a 催单 or 补充 from this phone).
      add("(t.phone_hash = ? OR t.id IN (SELECT ticket_id FROM contacts WHERE requester_id IN "
          "(SELECT id FROM requesters WHERE phone_hash = ?)))", [h](Stmt& s, int i) { s.Bind(i, h); });
      binds.push_back([h](Stmt& s, int i) { s.Bind(i, h); });
    }
  }
  if (q.area_id) {
    const Id a = q.area_id;
    add("t.area_id = ?", [a](Stmt& s, int i) { s.Bind(i, a); });
  }
  if (!q.q.empty()) {
    const std::string text = q.q;
    // Words apart (锦绣花园 噪音: a space or an ideographic space between them) each match,
    // anywhere in the content or address, as the knowledge search reads a query; at most 8.
    const std::vector<std::string> words = SearchWords(q.q, 8);
    // Masked: the words as the role reads them (a match there is one in the words as stored
    // too, unless the word holds the mask's *, so the cheap comparison goes first).
    const bool masked = q.q_mask_plain || q.q_mask_confidential;
    const std::string which = q.q_mask_plain == q.q_mask_confidential
                                  ? std::to_string(q.q_mask_plain)
                                  : "CASE WHEN COALESCE(json_extract(t.state, '$.confidential'), 0) THEN " +
                                        std::to_string(q.q_mask_confidential) + " ELSE " + std::to_string(q.q_mask_plain) + " END";
    std::string match;
    std::vector<std::string> bound;  // each ? of `match`, in order
    for (const std::string& w : words) {
      const bool star = w.find('*') != std::string::npos;
      const auto field = [&](const std::string& col) {
        if (!masked) {
          bound.push_back(w);
          return "instr(" + col + ", ?) > 0";
        }
        const std::string as_read = "instr(masked_numbers(" + col + ", " + which + "), ?) > 0";
        if (star) {
          bound.push_back(w);
          return as_read;
        }
        bound.push_back(w), bound.push_back(w);
        return "(instr(" + col + ", ?) > 0 AND " + as_read + ")";
      };
      const std::string content = field("t.content");
      match += (match.empty() ? "(" : " AND (") + content + " OR " + field("t.address") + ")";
    }
    if (match.empty()) match = "0";  // (q of blanks alone: the service trims it away)
    const std::string found = q.q_skips_confidential
                                  ? "(COALESCE(json_extract(t.state, '$.confidential'), 0) = 0 AND " + match + ")"
                                  : "(" + match + ")";
    add("(t.number = ? OR " + found + ")", [text](Stmt& s, int i) { s.Bind(i, text); });
    for (const std::string& w : bound) binds.push_back([w](Stmt& s, int i) { s.Bind(i, w); });
  }
  if (!q.ids.empty()) {
    if (q.ids.size() > static_cast<size_t>(kMaxPageSize)) return InvalidArgument("ids", "at most 100 tickets at once");
    add("t.id IN (" + Placeholders(q.ids.size()) + ")", nullptr);
    for (Id id : q.ids) binds.push_back([id](Stmt& s, int i) { s.Bind(i, id); });
  }
  if (q.unit_id && (q.due_before || q.overdue || !q.warning.empty())) {
    // With a unit: the unit's own order on the clock (live, not suspended), read against
    // its own time limit, as its row shows it, not the ticket's overall deadline.
    std::string cond;
    const TimeMs now = q.now, at = q.due_before;
    std::vector<TimeMs> values;
    if (q.due_before) cond += " AND json_extract(j.value, '$.handle_due_at') < ?", values.push_back(at);
    if (q.overdue || q.warning == "red") {
      cond += " AND json_extract(j.value, '$.handle_due_at') <= ?", values.push_back(now);
    } else if (q.warning == "yellow") {
      cond += " AND json_extract(j.value, '$.handle_warn_at') > 0 AND json_extract(j.value, '$.handle_warn_at') <= ?"
              " AND json_extract(j.value, '$.handle_due_at') > ?";
      values.push_back(now);
      values.push_back(now);
    }
    const Id u = q.unit_id;
    // Off the clock as the assignments table holds it (Ticket::ClockStopped): suspended, or a
    // relaying centre waiting on a suspended order below it — as the overdue counts read it.
    add("t.is_open = 1 AND EXISTS (SELECT 1 FROM json_each(t.state, '$.assignments') j "
        "WHERE json_extract(j.value, '$.unit_id') = ? AND json_extract(j.value, '$.state') IN ('pending','accepted') "
        "AND json_extract(j.value, '$.handle_due_at') > 0 AND (SELECT a.handle_due_at FROM assignments a "
        "WHERE a.id = json_extract(j.value, '$.id')) < " + std::to_string(kOffClock) + cond + ")",
        [u](Stmt& s, int i) { s.Bind(i, u); });
    for (TimeMs v : values) binds.push_back([v](Stmt& s, int i) { s.Bind(i, v); });
  } else {
    if (q.due_before) {
      const TimeMs at = q.due_before;
      add("t.is_open = 1 AND t.due_at > 0 AND t.due_at < ?", [at](Stmt& s, int i) { s.Bind(i, at); });
    }
    if (q.overdue || q.warning == "red") {
      const TimeMs now = q.now;
      add("t.is_open = 1 AND t.due_at > 0 AND t.due_at <= ?", [now](Stmt& s, int i) { s.Bind(i, now); });
    } else if (q.warning == "yellow") {
      const TimeMs now = q.now;
      add("t.is_open = 1 AND t.warn_at > 0 AND t.warn_at <= ? AND t.due_at > ?", [now](Stmt& s, int i) { s.Bind(i, now); });
      binds.push_back([now](Stmt& s, int i) { s.Bind(i, now); });
    }
  }
  if (!q.scope_units.empty()) {
    const std::string in = "(" + Placeholders(q.scope_units.size()) + ")";
    // IN (subquery) rather than a correlated EXISTS: SQLite (with no statistics gathered)
    // would otherwise scan the units' index once per candidate ticket.
    // Units see what they hold or answered, not what they returned or lost to a re-dispatch.
    std::string clause = "(t.id IN (SELECT a.ticket_id FROM assignments a WHERE a.unit_id IN " + in +
                         (q.scope_intake ? ")" : " AND a.state NOT IN ('superseded','returned'))");
    if (q.scope_intake) clause += " OR t.intake_unit_id IN " + in;
    clause += ")";
    const std::vector<Id> units = q.scope_units;
    const int times = q.scope_intake ? 2 : 1;
    add(clause, nullptr);
    for (int k = 0; k < times; ++k) {
      for (Id u : units) binds.push_back([u](Stmt& s, int i) { s.Bind(i, u); });
    }
  }
  const int page = std::clamp(q.page_size, 1, kMaxPageSize);
  return Read<TicketPage>([&](Connection& c) -> Result<TicketPage> {
    TicketPage out;
    {
      ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT COUNT(*) FROM tickets t" + where));
      for (size_t i = 0; i < binds.size(); ++i) binds[i](s, static_cast<int>(i + 1));
      Status st;
      s.Step(&st);
      RETURN_IF_ERROR(st);
      out.total = s.Int(0);
    }
    std::string sql = "SELECT t.state FROM tickets t" + where +
                      (q.cursor ? (q.oldest_first ? " AND t.id > ?" : " AND t.id < ?") : "") +
                      (q.oldest_first ? " ORDER BY t.id ASC LIMIT ?" : " ORDER BY t.id DESC LIMIT ?");
    ASSIGN_OR_RETURN(auto s, c.Prepare(sql));
    int i = 1;
    for (auto& b : binds) b(s, i++);
    if (q.cursor) s.Bind(i++, q.cursor);
    s.Bind(i, page + 1);
    Status st;
    while (s.Step(&st)) {
      if (static_cast<int>(out.items.size()) == page) {
        out.next_cursor = out.items.back().id;
        break;
      }
      ASSIGN_OR_RETURN(auto t, DecodeTicketState(s.Text(0)));
      out.items.push_back(std::move(t));
    }
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<std::vector<Event>> SqliteStore::ListEvents(Id ticket_id) {
  return Read<std::vector<Event>>([&](Connection& c) -> Result<std::vector<Event>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT id, ticket_id, seq, type, at, actor_user_id, actor_unit_id, actor_role, "
                                       "system, public, data FROM events WHERE ticket_id = ? ORDER BY seq LIMIT 10000"));
    s.Bind(1, ticket_id);
    std::vector<Event> out;
    Status st;
    while (s.Step(&st)) {
      Event e;
      e.id = s.Int(0); e.ticket_id = s.Int(1); e.seq = s.Int(2); e.type = s.Text(3); e.at = s.Int(4);
      e.actor_user_id = s.Int(5); e.actor_unit_id = s.Int(6); e.actor_role = s.Text(7);
      e.system = s.Int(8) != 0; e.is_public = s.Int(9) != 0; e.data_json = s.Text(10);
      out.push_back(std::move(e));
    }
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<std::vector<std::pair<std::string, int64_t>>> SqliteStore::CountByStatus() {
  using Out = std::vector<std::pair<std::string, int64_t>>;
  return Read<Out>([&](Connection& c) -> Result<Out> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT status, COUNT(*) FROM tickets GROUP BY status"));
    Out out;
    Status st;
    while (s.Step(&st)) out.emplace_back(s.Text(0), s.Int(1));
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<Requester> SqliteStore::GetRequester(Id id) {
  return Read<Requester>([&](Connection& c) -> Result<Requester> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT id, kind, name_enc, phone_enc, id_number_enc, org_name, credit_code "
                                       "FROM requesters WHERE id = ?"));
    Status st;
    if (!s.Bind(1, id).Step(&st)) return st.ok() ? NotFound("no requester with id " + IdToString(id)) : st;
    Requester r;
    r.id = s.Int(0); r.kind = s.Text(1);
    ASSIGN_OR_RETURN(r.name, vault_.Decrypt(s.Text(2)));
    ASSIGN_OR_RETURN(r.phone, vault_.Decrypt(s.Text(3)));
    ASSIGN_OR_RETURN(r.id_number, vault_.Decrypt(s.Text(4)));
    r.org_name = s.Text(5); r.credit_code = s.Text(6);
    return r;
  });
}

Result<Contact> SqliteStore::AddContact(Contact ct, Requester requester, Event e, const ContactKey& idempotency,
                                        bool* replayed) {
  if (replayed) *replayed = false;
  return Write<Contact>([&](Connection& c) -> Result<Contact> {
    if (!idempotency.key.empty()) {
      ASSIGN_OR_RETURN(const Id replay, IdempotentReplay(c, idempotency.key, idempotency.request_digest, "contact_id"));
      if (replay) {
        ASSIGN_OR_RETURN(auto got, c.Prepare(std::string("SELECT ") + kContactCols + " FROM contacts WHERE id = ?"));
        Status st;
        if (!got.Bind(1, replay).Step(&st)) return st.ok() ? Internal("an idempotency key names a lost contact") : st;
        if (replayed) *replayed = true;
        return ReadContact(got);
      }
      ASSIGN_OR_RETURN(auto k, c.Prepare("INSERT INTO idempotency(key, ticket_id, created_at, request_digest, contact_id) "
                                         "VALUES(?,?,?,?,?)"));
      RETURN_IF_ERROR(k.Bind(1, idempotency.key).Bind(2, ct.ticket_id).Bind(3, ct.at).Bind(4, idempotency.request_digest)
                          .Bind(5, ct.id).Run());
    }
    ASSIGN_OR_RETURN(auto t, LoadTicket(c, ct.ticket_id));
    if (!requester.phone.empty() || !requester.name.empty()) {
      ASSIGN_OR_RETURN(ct.requester_id, UpsertRequester(c, requester, ct.at));
    }
    // The event takes the next place in the history; the client-visible version stays.
    e.seq = ++t.event_seq;
    e.ticket_id = t.id;
    t.updated_at = ct.at;
    RETURN_IF_ERROR(WriteTicket(c, t, false));
    RETURN_IF_ERROR(WriteEvents(c, {e}));
    ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO contacts(id, ticket_id, channel, kind, content, requester_id, "
                                       "recorded_by, at) VALUES(?,?,?,?,?,?,?,?)"));
    RETURN_IF_ERROR(s.Bind(1, ct.id).Bind(2, ct.ticket_id).Bind(3, ct.channel).Bind(4, ct.kind).Bind(5, ct.content)
                        .BindIdOrNull(6, ct.requester_id).Bind(7, ct.recorded_by).Bind(8, ct.at).Run());
    return ct;
  });
}

Result<std::vector<Contact>> SqliteStore::ListContacts(Id ticket_id) {
  return Read<std::vector<Contact>>([&](Connection& c) -> Result<std::vector<Contact>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("SELECT ") + kContactCols +
                                       " FROM contacts WHERE ticket_id = ? ORDER BY at, id LIMIT 1000"));
    s.Bind(1, ticket_id);
    std::vector<Contact> out;
    Status st;
    while (s.Step(&st)) out.push_back(ReadContact(s));
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<std::vector<Contact>> SqliteStore::ContactsFromPhone(const std::string& phone_hash, TimeMs since, int limit) {
  return Read<std::vector<Contact>>([&](Connection& c) -> Result<std::vector<Contact>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("SELECT ") + kContactCols +
                                       " FROM contacts WHERE requester_id IN (SELECT id FROM requesters WHERE phone_hash = ?)"
                                       " AND kind != 'intake' AND at >= ? ORDER BY at DESC, id DESC LIMIT ?"));
    s.Bind(1, phone_hash).Bind(2, since).Bind(3, static_cast<int64_t>(limit));
    std::vector<Contact> out;
    Status st;
    while (s.Step(&st)) out.push_back(ReadContact(s));
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<Attachment> SqliteStore::AddAttachment(Attachment a, const std::string& data, Event e, size_t max_per_ticket) {
  return Write<Attachment>([&](Connection& c) -> Result<Attachment> {
    ASSIGN_OR_RETURN(auto t, LoadTicket(c, a.ticket_id));
    {
      ASSIGN_OR_RETURN(auto n, c.Prepare("SELECT COUNT(*) FROM attachments WHERE ticket_id = ?"));
      Status st;
      n.Bind(1, a.ticket_id).Step(&st);
      RETURN_IF_ERROR(st);
      if (static_cast<size_t>(n.Int(0)) >= max_per_ticket) {
        return Status(Code::kFailedPrecondition, "a ticket holds at most " + std::to_string(max_per_ticket) + " files");
      }
    }
    e.seq = ++t.event_seq;
    e.ticket_id = t.id;
    RETURN_IF_ERROR(WriteTicket(c, t, false));
    RETURN_IF_ERROR(WriteEvents(c, {e}));
    ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO attachments(id, ticket_id, name, mime, size, sha256, data, "
                                       "uploaded_by, at) VALUES(?,?,?,?,?,?,?,?,?)"));
    RETURN_IF_ERROR(s.Bind(1, a.id).Bind(2, a.ticket_id).Bind(3, a.name).Bind(4, a.mime).Bind(5, a.size)
                        .Bind(6, a.sha256).BindBlob(7, data).Bind(8, a.uploaded_by).Bind(9, a.at).Run());
    return a;
  });
}

namespace {
constexpr const char* kAttachmentCols = "id, ticket_id, name, mime, sha256, size, uploaded_by, at";
Attachment ReadAttachment(const Stmt& s) {
  return Attachment{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Int(6), s.Int(7)};
}
}  // namespace

Result<std::pair<Attachment, std::string>> SqliteStore::GetAttachment(Id id) {
  using Out = std::pair<Attachment, std::string>;
  return Read<Out>([&](Connection& c) -> Result<Out> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("SELECT ") + kAttachmentCols + ", data FROM attachments WHERE id = ?"));
    Status st;
    if (s.Bind(1, id).Step(&st)) return Out{ReadAttachment(s), s.Blob(8)};
    RETURN_IF_ERROR(st);
    return NotFound("no attachment with id " + IdToString(id));
  });
}

Result<std::vector<Attachment>> SqliteStore::ListAttachments(Id ticket_id) {
  return Read<std::vector<Attachment>>([&](Connection& c) -> Result<std::vector<Attachment>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("SELECT ") + kAttachmentCols +
                                       " FROM attachments WHERE ticket_id = ? ORDER BY id LIMIT 200"));
    s.Bind(1, ticket_id);
    std::vector<Attachment> out;
    Status st;
    while (s.Step(&st)) out.push_back(ReadAttachment(s));
    RETURN_IF_ERROR(st);
    return out;
  });
}

// ---- time limits ------------------------------------------------------------------------

namespace {
Result<std::vector<Id>> IdColumn(Stmt& s) {
  std::vector<Id> out;
  Status st;
  while (s.Step(&st)) out.push_back(s.Int(0));
  RETURN_IF_ERROR(st);
  return out;
}
}  // namespace

Result<std::vector<Id>> SqliteStore::DueAlarmTickets(TimeMs now, int limit) {
  return Read<std::vector<Id>>([&](Connection& c) -> Result<std::vector<Id>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT id FROM tickets WHERE next_alarm_at > 0 AND next_alarm_at <= ? "
                                       "ORDER BY next_alarm_at LIMIT ?"));
    s.Bind(1, now).Bind(2, std::clamp(limit, 1, 10000));
    return IdColumn(s);
  });
}

Result<std::vector<Id>> SqliteStore::OpenTicketIds(Id after_id, int limit) {
  return Read<std::vector<Id>>([&](Connection& c) -> Result<std::vector<Id>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT id FROM tickets WHERE is_open = 1 AND id > ? ORDER BY id LIMIT ?"));
    s.Bind(1, after_id).Bind(2, std::clamp(limit, 1, 10000));
    return IdColumn(s);
  });
}

// Every assignment dispatched in the period, superseded ones too: an order a unit returned
// (superseded once re-dispatched) was still dispatched to it, and a reply a reopening
// superseded was still given, late or on time.
namespace {
// The SQL condition "this column's ticket is of `category` or below" (empty: always true).
// Codes are checked against the taxonomy before they get here; anything but [0-9A-Za-z] is
// refused all the same, since it is written into the SQL.
Result<std::string> CategoryCondition(const std::string& category, const std::string& ticket_id_column) {
  if (category.empty()) return std::string();
  if (category.size() > 32 || !std::all_of(category.begin(), category.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)); })) {
    return InvalidArgument("category", "is not a category code");
  }
  return " AND " + ticket_id_column + " IN (SELECT id FROM tickets WHERE substr(category_code, 1, " +
         std::to_string(category.size()) + ") = '" + category + "')";
}
}  // namespace

Result<std::vector<UnitSlaStats>> SqliteStore::SlaStats(TimeMs from, TimeMs to, TimeMs now, const std::string& category) {
  ASSIGN_OR_RETURN(const std::string of_category, CategoryCondition(category, "ticket_id"));
  return Read<std::vector<UnitSlaStats>>([&](Connection& c) -> Result<std::vector<UnitSlaStats>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(
        "SELECT unit_id, COUNT(*), SUM(accepted_at > 0), SUM(accepted_at > 0 AND accepted_at <= accept_due_at), "
        "SUM(replied_at > 0), SUM(replied_at > 0 AND replied_at <= handle_due_at), "
        "SUM(state IN ('pending','accepted')), SUM(state IN ('pending','accepted') AND handle_due_at <= ?1), "
        "SUM(state NOT IN ('pending','accepted') AND replied_at = 0 AND handle_due_at > 0 AND ended_at > handle_due_at), "
        "SUM(accepted_at = 0 AND accept_due_at > 0 AND handle_due_at < ?4 "
        "AND (CASE WHEN state = 'pending' THEN ?1 ELSE ended_at END) > accept_due_at) "
        "FROM assignments WHERE dispatched_at >= ?2 AND dispatched_at < ?3" + of_category +
        " GROUP BY unit_id ORDER BY unit_id"));
    // ?4: an order off the clock (免考核, or suspended in time) is not late to sign either.
    s.Bind(1, now).Bind(2, from).Bind(3, to).Bind(4, kOffClock);
    std::vector<UnitSlaStats> out;
    Status st;
    while (s.Step(&st)) {
      out.push_back(UnitSlaStats{s.Int(0), s.Int(1), s.Int(2), s.Int(3), s.Int(4), s.Int(5), s.Int(6), s.Int(7),
                                 s.Int(8), s.Int(9)});
    }
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<std::vector<Store::UnitBacklog>> SqliteStore::BacklogByUnit(TimeMs now) {
  using Out = std::vector<UnitBacklog>;
  return Read<Out>([&](Connection& c) -> Result<Out> {
    // Per unit, range seeks into (unit_id, state, handle_due_at): counting the open orders
    // walks the index entries of the live ones only, never the closed history.
    ASSIGN_OR_RETURN(auto s, c.Prepare(
        "SELECT id, open, overdue FROM (SELECT u.id AS id, "
        "(SELECT COUNT(*) FROM assignments a WHERE a.unit_id = u.id AND a.state IN ('pending','accepted')) AS open, "
        "(SELECT COUNT(*) FROM assignments a WHERE a.unit_id = u.id AND a.state IN ('pending','accepted') "
        "AND a.handle_due_at <= ?) AS overdue FROM units u) WHERE open > 0 ORDER BY overdue DESC, open DESC, id"));
    s.Bind(1, now);
    Out out;
    Status st;
    while (s.Step(&st)) out.push_back({s.Int(0), s.Int(1), s.Int(2)});
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<std::vector<Store::DuplicateCandidate>> SqliteStore::DuplicateCandidates(const std::vector<int64_t>& bands,
                                                                             TimeMs since, int limit) {
  using Out = std::vector<DuplicateCandidate>;
  if (bands.empty()) return Out{};
  return Read<Out>([&](Connection& c) -> Result<Out> {
    // One seek per band on (band, ticket_id); the open and recent filter runs on the few
    // tickets found.
    const std::string in = Placeholders(bands.size());
    ASSIGN_OR_RETURN(auto s, c.Prepare(
        "SELECT t.id, t.number, json_extract(t.state, '$.title'), t.content, t.status, t.address FROM "
        "(SELECT DISTINCT ticket_id AS id FROM ticket_lsh WHERE band IN (" + in + ")) c CROSS JOIN tickets t "
        "ON t.id = c.id WHERE t.is_open = 1 AND t.created_at >= ? ORDER BY t.id DESC LIMIT ?"));
    int i = 1;
    for (int64_t b : bands) s.Bind(i++, b);
    s.Bind(i++, since);
    s.Bind(i, static_cast<int64_t>(limit));
    Out out;
    Status st;
    while (s.Step(&st)) out.push_back({s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5)});
    RETURN_IF_ERROR(st);
    return out;
  });
}

namespace {
// "(1,2,3)": unit ids are our own integers, so a scope can be written into the SQL as a
// literal list.
std::string IdListLiteral(const std::vector<Id>& ids) {
  std::string in = "(";
  for (size_t i = 0; i < ids.size(); ++i) in += (i ? "," : "") + std::to_string(ids[i]);
  return in + ")";
}

// " AND (col IN (tickets taken in or dispatched into the units))" for a centre's scope, ""
// for the whole city (no units); BindScope binds it and returns the next parameter index.
std::string ScopeClause(const char* ticket_col, const std::vector<Id>& units) {
  if (units.empty()) return "";
  const std::string in = "(" + Placeholders(std::min(units.size(), kMaxScopeUnits)) + ")";
  return std::string(" AND (") + ticket_col + " IN (SELECT ticket_id FROM assignments WHERE unit_id IN " + in +
         ") OR " + ticket_col + " IN (SELECT id FROM tickets WHERE intake_unit_id IN " + in + "))";
}
int BindScope(Stmt& s, int next, const std::vector<Id>& units) {
  const size_t n = std::min(units.size(), kMaxScopeUnits);
  for (int k = 0; k < 2; ++k) {
    for (size_t i = 0; i < n; ++i) s.Bind(next++, units[i]);
  }
  return next;
}
}  // namespace

Result<std::vector<Store::ClueTicket>> SqliteStore::LitigationClues(TimeMs from, TimeMs to, int limit,
                                                                    const std::vector<Id>& scope_units) {
  using Out = std::vector<ClueTicket>;
  return Read<Out>([&](Connection& c) -> Result<Out> {
    // A range on tickets_created; the proposal is a JSON string inside the state.
    ASSIGN_OR_RETURN(auto s, c.Prepare(
        "SELECT id, number, created_at, category_code, json_extract(state, '$.suggestions'), "
        "COALESCE(json_extract(state, '$.confidential'), 0) FROM tickets "
        "WHERE created_at >= ? AND created_at < ? AND instr(state, '\\\"litigation\\\"') > 0" +
        ScopeClause("id", scope_units) + " ORDER BY created_at DESC LIMIT ?"));
    s.Bind(1, from).Bind(2, to);
    s.Bind(BindScope(s, 3, scope_units), static_cast<int64_t>(limit));
    Out out;
    Status st;
    while (s.Step(&st)) out.push_back({s.Int(0), s.Text(1), s.Int(2), s.Text(3), s.Text(4), s.Int(5) != 0});
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<std::vector<Store::TicketText>> SqliteStore::TicketTexts(TimeMs from, TimeMs to, int limit,
                                                                const std::vector<Id>& scope_units) {
  using Out = std::vector<TicketText>;
  return Read<Out>([&](Connection& c) -> Result<Out> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(
        "SELECT id, number, json_extract(state, '$.title'), content, phone_hash, created_at, category_code, "
        "(SELECT hotspot FROM ticket_features WHERE ticket_id = tickets.id), urgency, "
        "COALESCE(json_extract(state, '$.confidential'), 0) FROM tickets "
        "WHERE created_at >= ? AND created_at < ?" + ScopeClause("id", scope_units) +
        " ORDER BY created_at LIMIT ?"));
    s.Bind(1, from).Bind(2, to);
    s.Bind(BindScope(s, 3, scope_units), static_cast<int64_t>(limit));
    Out out;
    Status st;
    while (s.Step(&st)) {
      out.push_back(
          {s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4), s.Int(5), s.Text(6), s.Blob(7), s.Text(8), s.Int(9) != 0});
    }
    RETURN_IF_ERROR(st);
    return out;
  });
}

Status SqliteStore::RaiseAlert(const Alert& a) {
  return WriteStatus([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(auto s, c.Prepare(
        "INSERT INTO alerts(id, kind, key, severity, ticket_id, created_at, updated_at, data) VALUES(?,?,?,?,?,?,?,?) "
        "ON CONFLICT(key) DO UPDATE SET severity = excluded.severity, ticket_id = excluded.ticket_id, "
        "updated_at = excluded.updated_at, data = excluded.data"));
    return s.Bind(1, a.id).Bind(2, a.kind).Bind(3, a.key).Bind(4, a.severity).Bind(5, a.ticket_id)
        .Bind(6, a.created_at).Bind(7, a.updated_at).Bind(8, a.data_json).Run();
  });
}

namespace {
constexpr const char* kAlertColumns =
    "SELECT id, kind, key, severity, ticket_id, created_at, updated_at, data, handled_at, handled_by, handled_note "
    "FROM alerts ";
Store::Alert AlertRow(Stmt& s) {
  return {s.Int(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4), s.Int(5), s.Int(6), s.Text(7), s.Int(8), s.Int(9),
          s.Text(10)};
}
}  // namespace

Result<std::vector<Store::Alert>> SqliteStore::ListAlerts(const std::string& kind, TimeMs since, int limit,
                                                         const std::vector<Id>& scope_units, AlertState state) {
  using Out = std::vector<Alert>;
  const char* of_state = state == AlertState::kOpen      ? " AND handled_at < updated_at"
                         : state == AlertState::kHandled ? " AND handled_at >= updated_at"
                                                         : "";
  return Read<Out>([&](Connection& c) -> Result<Out> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(std::string(kAlertColumns) + "WHERE updated_at >= ? AND (? = '' OR kind = ?)" +
                                       of_state + ScopeClause("ticket_id", scope_units) +
                                       " ORDER BY updated_at DESC, id DESC LIMIT ?"));
    s.Bind(1, since).Bind(2, kind).Bind(3, kind);
    s.Bind(BindScope(s, 4, scope_units), static_cast<int64_t>(limit));
    Out out;
    Status st;
    while (s.Step(&st)) out.push_back(AlertRow(s));
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<std::optional<Store::Alert>> SqliteStore::GetAlert(Id id, const std::vector<Id>& scope_units) {
  using Out = std::optional<Alert>;
  return Read<Out>([&](Connection& c) -> Result<Out> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(std::string(kAlertColumns) + "WHERE id = ?" + ScopeClause("ticket_id", scope_units)));
    s.Bind(1, id);
    BindScope(s, 2, scope_units);
    Out out;
    Status st;
    if (s.Step(&st)) out = AlertRow(s);
    RETURN_IF_ERROR(st);
    return out;
  });
}

Status SqliteStore::HandleAlert(Id id, TimeMs seen_update, TimeMs at, Id by, const std::string& note) {
  return WriteStatus([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(auto s, c.Prepare(
        "UPDATE alerts SET handled_at = MAX(?, updated_at), handled_by = ?, handled_note = ? "
        "WHERE id = ? AND updated_at = ? AND handled_at < updated_at"));
    RETURN_IF_ERROR(s.Bind(1, at).Bind(2, by).Bind(3, note).Bind(4, id).Bind(5, seen_update).Run());
    if (c.Changes() == 0) return Conflict("alert_updated", "the alert changed (a newer report, or someone handled it): look at it again");
    return Status::Ok();
  });
}

Result<std::map<std::string, int64_t>> SqliteStore::CountAlerts(TimeMs from, TimeMs to,
                                                               const std::vector<Id>& scope_units,
                                                               const std::string& category) {
  using Out = std::map<std::string, int64_t>;
  ASSIGN_OR_RETURN(const std::string of_category, CategoryCondition(category, "ticket_id"));
  return Read<Out>([&](Connection& c) -> Result<Out> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT kind, COUNT(*) FROM alerts WHERE created_at >= ? AND created_at < ?" +
                                       ScopeClause("ticket_id", scope_units) + of_category + " GROUP BY kind"));
    s.Bind(1, from).Bind(2, to);
    BindScope(s, 3, scope_units);
    Out out;
    Status st;
    while (s.Step(&st)) out[s.Text(0)] = s.Int(1);
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<std::vector<Store::UnitHistory>> SqliteStore::DispatchHistory(const std::string& category_prefix,
                                                                     int recent) {
  using Out = std::vector<UnitHistory>;
  return Read<Out>([&](Connection& c) -> Result<Out> {
    // The newest tickets of the category (a range seek on tickets_category), then their
    // lead assignments.
    ASSIGN_OR_RETURN(auto s, c.Prepare(
        "SELECT a.unit_id, SUM(a.state <> 'returned'), SUM(a.state = 'returned') FROM "
        "(SELECT id FROM tickets WHERE category_code >= ?1 AND category_code < ?1 || x'ff' "
        " ORDER BY id DESC LIMIT ?2) t JOIN assignments a ON a.ticket_id = t.id "
        "WHERE a.lead = 1 AND a.state <> 'superseded' GROUP BY a.unit_id"));
    s.Bind(1, category_prefix);
    s.Bind(2, static_cast<int64_t>(recent));
    Out out;
    Status st;
    while (s.Step(&st)) out.push_back({s.Int(0), s.Int(1), s.Int(2)});
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<Store::DispatchStats> SqliteStore::DispatchStatsBetween(TimeMs from, TimeMs to,
                                                               const std::vector<Id>& scope_units) {
  return Read<DispatchStats>([&](Connection& c) -> Result<DispatchStats> {
    // The city's dispatches are "dispatched" events without a parent assignment; a district
    // centre's (scope_units given) are those its own units made, relayed ones included. One
    // came back when a "returned" event names its lead assignment (the assignment itself is
    // later superseded by the re-dispatch, so its state does not tell).
    const std::string whose = scope_units.empty()
        ? " AND json_extract(e.data, '$.parent_assignment_id') IN ('0', '')"
        : " AND CAST(json_extract(e.data, '$.by_unit_id') AS INTEGER) IN " + IdListLiteral(scope_units);
    ASSIGN_OR_RETURN(auto s, c.Prepare(
        "SELECT COUNT(*), SUM(r), SUM(sug IS NOT NULL), SUM(followed = 1), SUM(followed = 1 AND r) FROM ("
        " SELECT json_extract(e.data, '$.suggestion') AS sug, json_extract(e.data, '$.suggestion.followed') AS followed,"
        "  EXISTS (SELECT 1 FROM events x WHERE x.ticket_id = e.ticket_id AND x.type = 'returned'"
        "   AND json_extract(x.data, '$.assignment_id') = json_extract(e.data, '$.lead.assignment_id')) AS r"
        " FROM events e WHERE e.type = 'dispatched' AND e.at >= ? AND e.at < ?" + whose +
        ScopeClause("e.ticket_id", scope_units) + ")"));
    s.Bind(1, from);
    s.Bind(2, to);
    BindScope(s, 3, scope_units);
    DispatchStats out;
    Status st;
    if (s.Step(&st)) {
      out.dispatches = s.Int(0);
      out.returned = s.Int(1);
      out.with_suggestion = s.Int(2);
      out.followed = s.Int(3);
      out.followed_returned = s.Int(4);
    }
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<std::vector<Store::Overview::ChannelHour>> SqliteStore::ContactsByHour(TimeMs from, TimeMs to,
                                                                                const std::vector<Id>& intake_scope) {
  std::string sql = "SELECT c.channel, (c.at - ?) / 3600000, COUNT(*), t.intake_unit_id FROM contacts c";
  if (intake_scope.empty()) {
    sql += " LEFT JOIN tickets t ON t.id = c.ticket_id";
  } else {
    sql += " JOIN tickets t ON t.id = c.ticket_id AND t.intake_unit_id IN " + IdListLiteral(intake_scope);
  }
  sql += " WHERE c.at >= ? AND c.at < ? GROUP BY 1, 2, 4";
  return Read<std::vector<Overview::ChannelHour>>([&](Connection& c) -> Result<std::vector<Overview::ChannelHour>> {
    std::vector<Overview::ChannelHour> out;
    Status st;
    ASSIGN_OR_RETURN(auto s, c.Prepare(sql));
    s.Bind(1, from).Bind(2, from).Bind(3, to);
    while (s.Step(&st)) out.push_back({s.Text(0), static_cast<int>(s.Int(1)), s.Int(2), s.Int(3)});
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<Store::Overview> SqliteStore::OverviewStats(TimeMs day_start, TimeMs now, TimeMs from, TimeMs to,
                                                   const std::vector<Id>& intake_scope, TimeMs closed_by,
                                                   const std::string& category) {
  // A centre sees what it took in and what was dispatched into its subtree, as its lists do.
  std::string scope;
  if (!intake_scope.empty()) {
    const std::string in = IdListLiteral(intake_scope);
    scope = " AND (t.intake_unit_id IN " + in + " OR t.id IN (SELECT a.ticket_id FROM assignments a WHERE a.unit_id IN " +
            in + "))";
  }
  ASSIGN_OR_RETURN(const std::string of_category, CategoryCondition(category, "t.id"));
  ASSIGN_OR_RETURN(const std::string of_category_returned, CategoryCondition(category, "a.ticket_id"));
  scope += of_category;
  // Categories are counted at the top level, or one level below the topic.
  const std::string category_level = std::to_string(category.empty() ? 2 : category.size() + 2);
  static constexpr const char* kSatisfied = "('very_satisfied','satisfied','basically_satisfied')";
  return Read<Overview>([&](Connection& c) -> Result<Overview> {
    Overview out;
    Status st;
    {
      ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT t.channel, (t.created_at - ?) / 3600000, COUNT(*) FROM tickets t"
                                         " WHERE t.created_at >= ? AND t.created_at < ?" + scope + " GROUP BY 1, 2"));
      s.Bind(1, day_start).Bind(2, day_start).Bind(3, now);
      while (s.Step(&st)) out.today.push_back({s.Text(0), static_cast<int>(s.Int(1)), s.Int(2)});
      RETURN_IF_ERROR(st);
    }
    {
      // The same conditions as the ticket list's overdue= and warning= filters.
      ASSIGN_OR_RETURN(auto s, c.Prepare(
          "SELECT t.status, COUNT(*), SUM(t.due_at > 0 AND t.due_at <= ?),"
          " SUM(t.warn_at > 0 AND t.warn_at <= ? AND t.due_at > ?) FROM tickets t WHERE t.is_open = 1" + scope +
          " GROUP BY 1"));
      s.Bind(1, now).Bind(2, now).Bind(3, now);
      while (s.Step(&st)) {
        out.open_by_status.emplace_back(s.Text(0), s.Int(1));
        out.open_overdue += s.Int(2);
        out.open_yellow += s.Int(3);
      }
      RETURN_IF_ERROR(st);
    }
    const std::string period = " WHERE t.created_at >= ? AND t.created_at < ?" + scope;
    {
      ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT substr(t.category_code, 1, " + category_level + "), COUNT(*) FROM tickets t" + period +
                                         " GROUP BY 1 ORDER BY 2 DESC"));
      s.Bind(1, from).Bind(2, to);
      while (s.Step(&st)) out.categories.emplace_back(s.Text(0), s.Int(1));
      RETURN_IF_ERROR(st);
    }
    {
      ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT t.area_id, COUNT(*) FROM tickets t" + period +
                                         " AND t.area_id <> 0 GROUP BY 1 ORDER BY 2 DESC LIMIT 50"));
      s.Bind(1, from).Bind(2, to);
      while (s.Step(&st)) out.areas.emplace_back(s.Int(0), s.Int(1));
      RETURN_IF_ERROR(st);
    }
    {
      // The rates' base: the period's tickets the centre had to complete, not those withdrawn,
      // merged into another or transferred out (110/119/120/122 or elsewhere: ended without a closing kind,
      // archived or not); completed: ended with one (resolved, direct answer, ...).
      ASSIGN_OR_RETURN(auto s, c.Prepare(
          "SELECT COUNT(*), SUM(t.closed_at > 0 AND (? = 0 OR t.closed_at <= ?)), SUM(k = 'direct_answer'), SUM(r <> ''), SUM(r IN " +
          std::string(kSatisfied) + ") FROM (SELECT t.closed_at, json_extract(t.state, '$.closing_kind') AS k,"
          " json_extract(t.state, '$.rating') AS r FROM tickets t" + period + ") t"
          " WHERE NOT (t.closed_at > 0 AND IFNULL(k, '') = '')"));
      s.Bind(1, closed_by).Bind(2, closed_by).Bind(3, from).Bind(4, to);
      if (s.Step(&st)) {
        out.created = s.Int(0);
        out.closed = s.Int(1);
        out.answered_directly = s.Int(2);
      }
      RETURN_IF_ERROR(st);
    }
    {
      // 满意率 counts every rating a callback recorded, not only the ticket's last: a
      // dissatisfied rating that reopened the ticket stays counted.
      ASSIGN_OR_RETURN(auto s, c.Prepare(
          "SELECT COUNT(*), SUM(r IN " + std::string(kSatisfied) + ") FROM (SELECT json_extract(e.data, '$.rating') AS r"
          " FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE e.type = 'callback_recorded' AND e.at >= ?"
          " AND t.created_at >= ? AND t.created_at < ?" + scope + ") WHERE IFNULL(r, '') <> ''"));
      s.Bind(1, from).Bind(2, from).Bind(3, to);  // a callback comes after its ticket was taken in
      if (s.Step(&st)) {
        out.rated = s.Int(0);
        out.satisfied = s.Int(1);
      }
      RETURN_IF_ERROR(st);
    }
    {
      // Every rating counts for the units whose answer was rated (the callback event names
      // them): a dissatisfied one that reopened the ticket too, as for the city's 满意率.
      ASSIGN_OR_RETURN(auto s, c.Prepare(
          "SELECT CAST(u.value AS INTEGER), COUNT(*), SUM(json_extract(e.data, '$.rating') IN " + std::string(kSatisfied) + ")"
          " FROM events e JOIN tickets t ON t.id = e.ticket_id, json_each(e.data, '$.answered_by') u"
          " WHERE e.type = 'callback_recorded' AND e.at >= ? AND t.created_at >= ? AND t.created_at < ?" + scope +
          " AND IFNULL(json_extract(e.data, '$.rating'), '') <> '' GROUP BY 1"));
      s.Bind(1, from).Bind(2, from).Bind(3, to);
      while (s.Step(&st)) {
        auto& u = out.units[s.Int(0)];
        u.rated += s.Int(1);
        u.satisfied += s.Int(2);
      }
      RETURN_IF_ERROR(st);
      // Tickets rated before callbacks named the units: the final rating, for the unit whose
      // lead order replied.
      ASSIGN_OR_RETURN(auto old, c.Prepare(
          "SELECT a.unit_id, COUNT(*), SUM(json_extract(t.state, '$.rating') IN " + std::string(kSatisfied) + ")"
          " FROM tickets t JOIN assignments a ON a.ticket_id = t.id AND a.lead = 1 AND a.state = 'replied'" + period +
          " AND json_extract(t.state, '$.rating') <> '' AND NOT EXISTS (SELECT 1 FROM events e2 WHERE e2.ticket_id = t.id"
          " AND e2.type = 'callback_recorded' AND json_extract(e2.data, '$.answered_by') IS NOT NULL) GROUP BY 1"));
      old.Bind(1, from).Bind(2, to);
      while (old.Step(&st)) {
        auto& u = out.units[old.Int(0)];
        u.rated += old.Int(1);
        u.satisfied += old.Int(2);
      }
      RETURN_IF_ERROR(st);
    }
    {
      // Returns by the unit that sent the order back (a returned assignment is later
      // superseded by the re-dispatch, so the event, not the state, tells), of the orders
      // dispatched in the period: the same orders the ranking's dispatched count holds.
      ASSIGN_OR_RETURN(auto s, c.Prepare(
          "SELECT a.unit_id, COUNT(*) FROM events e JOIN assignments a"
          " ON a.id = CAST(json_extract(e.data, '$.assignment_id') AS INTEGER)"
          " WHERE e.type = 'returned' AND e.at >= ? AND a.dispatched_at >= ? AND a.dispatched_at < ?" +
          of_category_returned + " GROUP BY 1"));
      // (A return comes after its dispatch: the bound on e.at lets the type-and-time index
      // skip the returns of earlier periods.)
      s.Bind(1, from).Bind(2, from).Bind(3, to);
      while (s.Step(&st)) out.units[s.Int(0)].returned = s.Int(1);
      RETURN_IF_ERROR(st);
    }
    return out;
  });
}

Result<std::vector<Store::LabelledTicket>> SqliteStore::ClosedTicketTexts(int limit) {
  using Out = std::vector<LabelledTicket>;
  return Read<Out>([&](Connection& c) -> Result<Out> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(
        "SELECT json_extract(state, '$.title'), content, category_code, request_type, urgency FROM tickets "
        // closed, or archived after it closed (not a withdrawn, merged or transferred one)
        "WHERE status = 'closed' OR (status = 'archived' AND IFNULL(json_extract(state, '$.closing_kind'), '') <> '') "
        "ORDER BY id DESC LIMIT ?"));
    s.Bind(1, static_cast<int64_t>(limit));
    Out out;
    Status st;
    while (s.Step(&st)) out.push_back({s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Text(4)});
    RETURN_IF_ERROR(st);
    return out;
  });
}

Status SqliteStore::PutCalendar(const std::string& name, const std::string& doc) {
  return WriteStatus([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO calendars(name, doc, version, updated_at) VALUES(?,?,1,?) "
                                       "ON CONFLICT(name) DO UPDATE SET doc = excluded.doc, version = version + 1, "
                                       "updated_at = excluded.updated_at"));
    RETURN_IF_ERROR(s.Bind(1, name).Bind(2, doc).Bind(3, opts_.clock->NowMs()).Run());
    return BumpOrgVersion(c);  // servers sharing the database reload their SLA policy
  });
}

Result<std::vector<std::pair<std::string, std::string>>> SqliteStore::ListCalendars() {
  using Out = std::vector<std::pair<std::string, std::string>>;
  return Read<Out>([&](Connection& c) -> Result<Out> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT name, doc FROM calendars ORDER BY name"));
    Out out;
    Status st;
    while (s.Step(&st)) out.emplace_back(s.Text(0), s.Text(1));
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<int> SqliteStore::PutSlaPolicy(const std::string& doc) {
  return Write<int>([&](Connection& c) -> Result<int> {
    // The built-in policy is version 1: the first one saved is 2.
    ASSIGN_OR_RETURN(auto v, c.Prepare("SELECT COALESCE(MAX(version), 1) + 1 FROM sla_policies"));
    Status st;
    v.Step(&st);
    RETURN_IF_ERROR(st);
    const int version = static_cast<int>(v.Int(0));
    ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO sla_policies(version, doc, created_at) VALUES(?,?,?)"));
    RETURN_IF_ERROR(s.Bind(1, version).Bind(2, doc).Bind(3, opts_.clock->NowMs()).Run());
    RETURN_IF_ERROR(BumpOrgVersion(c));  // servers sharing the database reload their SLA policy
    return version;
  });
}

Result<std::optional<std::pair<int, std::string>>> SqliteStore::CurrentSlaPolicy() {
  using Out = std::optional<std::pair<int, std::string>>;
  return Read<Out>([&](Connection& c) -> Result<Out> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT version, doc FROM sla_policies ORDER BY version DESC LIMIT 1"));
    Status st;
    if (s.Step(&st)) return Out(std::make_pair(static_cast<int>(s.Int(0)), s.Text(1)));
    RETURN_IF_ERROR(st);
    return Out();
  });
}

Result<std::optional<std::string>> SqliteStore::SlaPolicyAt(int version) {
  using Out = std::optional<std::string>;
  return Read<Out>([&](Connection& c) -> Result<Out> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT doc FROM sla_policies WHERE version = ?"));
    s.Bind(1, static_cast<int64_t>(version));
    Status st;
    if (s.Step(&st)) return Out(s.Text(0));
    RETURN_IF_ERROR(st);
    return Out();
  });
}

// ---- knowledge base ---------------------------------------------------------------------

namespace {
// Inside the validity period at the bound time (three binds: the time, 0 meaning any).
constexpr const char* kKbCurrent =
    "(? = 0 OR ((COALESCE(effective_at, 0) = 0 OR effective_at <= ?) AND (COALESCE(expires_at, 0) = 0 OR expires_at > ?)))";
constexpr const char* kKbCols = "id, external_id, title, body, category_code, keywords, owner_unit_id, effective_at, "
                                "expires_at, status, is_public, version, updated_by, updated_at, use_count, kind, revision";
KbEntry ReadKb(const Stmt& s) {
  KbEntry e;
  e.id = s.Int(0); e.external_id = s.Text(1); e.title = s.Text(2); e.body = s.Text(3); e.category_code = s.Text(4);
  e.keywords = json::parse(s.Text(5), nullptr, false).is_array() ? json::parse(s.Text(5)).get<std::vector<std::string>>()
                                                                   : std::vector<std::string>{};
  e.owner_unit_id = s.Int(6); e.effective_at = s.Int(7); e.expires_at = s.Int(8);
  e.status = ParseKbStatus(s.Text(9)).value_or(KbStatus::kDraft);
  e.is_public = s.Int(10) != 0; e.version = static_cast<int>(s.Int(11)); e.updated_by = s.Int(12);
  e.updated_at = s.Int(13); e.use_count = s.Int(14); e.kind = s.Text(15);
  if (!s.IsNull(16)) e.revision = ParseKbRevision(s.Text(16));
  return e;
}

Status AddCounter(Connection& c, const char* name, int64_t delta) {
  ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO counters(name, value) VALUES(?, ?) "
                                     "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value"));
  return s.Bind(1, name).Bind(2, delta).Run();
}
// Inserts the postings of `docs` and moves each term's document frequency once: the whole
// batch sorted by term (B-tree inserts in key order).
Status WriteKbPostings(Connection& c, const std::map<Id, const KbDocTerms*>& docs) {
  struct Row { const std::string* term; Id entry; int tf, len; };
  std::vector<Row> rows;
  std::map<std::string_view, int64_t> df;
  for (const auto& [id, terms] : docs) {
    for (const auto& [term, tf] : terms->tf) {
      rows.push_back({&term, id, tf, terms->length});
      ++df[term];
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return *a.term != *b.term ? *a.term < *b.term : a.entry < b.entry;
  });
  for (const Row& r : rows) {
    ASSIGN_OR_RETURN(auto p, c.Prepare("INSERT INTO kb_postings(term, entry_id, tf, len) VALUES(?,?,?,?)"));
    RETURN_IF_ERROR(p.Bind(1, *r.term).Bind(2, r.entry).Bind(3, r.tf).Bind(4, r.len).Run());
  }
  for (const auto& [term, n] : df) {
    ASSIGN_OR_RETURN(auto d, c.Prepare(
        "INSERT INTO kb_df(term, df) VALUES(?, ?) ON CONFLICT(term) DO UPDATE SET df = df + excluded.df"));
    RETURN_IF_ERROR(d.Bind(1, term).Bind(2, n).Run());
  }
  return Status::Ok();
}
}  // namespace

Result<std::vector<KbEntry>> SqliteStore::KbSave(std::vector<std::pair<KbEntry, KbDocTerms>> entries, Id changed_by) {
  // A new entry may be one that export wrote under its internal id (see below).
  std::vector<Id> exported_as;
  for (auto& [e, terms] : entries) {
    exported_as.push_back(e.id == 0 ? ParseId(e.external_id).value_or(0) : 0);
    if (e.id == 0) e.id = ids_->Next();
  }
  return Write<std::vector<KbEntry>>([&](Connection& c) -> Result<std::vector<KbEntry>> {
    std::vector<KbEntry> out;
    size_t index = 0;
    const TimeMs now = opts_.clock->NowMs();
    // Postings are written after the entries, the whole batch sorted by term (B-tree inserts
    // in key order), and each term's document frequency moves once per batch. An entry saved
    // twice in one batch keeps its last terms.
    std::map<Id, const KbDocTerms*> pending;
    for (auto& [e, terms] : entries) {
      const Id as_internal = exported_as[index++];
      const std::string docs_counter = e.kind == "case" ? "kb_case_docs" : "kb_docs";
      const std::string len_counter = e.kind == "case" ? "kb_case_len" : "kb_len";
      // An existing entry (by id or external id) gets a new version; its old postings go.
      // Export writes an entry that has no external id under its internal id (unique across
      // databases), so importing that file back updates the entry instead of copying it.
      Id existing = 0, old_by = 0;
      int old_len = 0, old_version = 0;
      int64_t old_uses = 0;
      TimeMs old_at = 0;
      bool same = false;  // stored exactly as given
      {
        ASSIGN_OR_RETURN(auto f, c.Prepare("SELECT id, doc_len, version, external_id IS NULL, use_count, updated_at, updated_by, "
                                           "title = ? AND body = ? AND category_code = ? AND keywords = ? AND "
                                           "owner_unit_id = ? AND effective_at = ? AND expires_at = ? AND status = ? AND "
                                           "is_public = ? AND kind = ?, revision IS ?, revision "
                                           "FROM kb_entries WHERE id = ? OR "
                                           "(external_id IS NOT NULL AND external_id = ?) OR "
                                           "(external_id IS NULL AND id = ?) ORDER BY external_id IS NULL LIMIT 1"));
        f.Bind(1, e.title).Bind(2, e.body).Bind(3, e.category_code).Bind(4, json(e.keywords).dump())
            .Bind(5, e.owner_unit_id).Bind(6, e.effective_at).Bind(7, e.expires_at).Bind(8, KbStatusName(e.status))
            .Bind(9, e.is_public).Bind(10, e.kind);
        if (e.revision) f.Bind(11, KbRevisionJson(*e.revision)); else f.BindNull(11);
        f.Bind(12, e.id).Bind(13, e.external_id.empty() ? std::string("\x01none") : e.external_id).Bind(14, as_internal);
        Status st;
        if (f.Step(&st)) {
          existing = f.Int(0);
          old_len = static_cast<int>(f.Int(1));
          old_version = static_cast<int>(f.Int(2));
          if (f.Int(3) != 0 && existing == as_internal) e.external_id.clear();
          old_uses = f.Int(4);
          old_at = f.Int(5);
          old_by = f.Int(6);
          same = f.Int(7) != 0 && f.Int(8) != 0;
          // The entry as stored, given without the edit waiting in review (a file exported and
          // imported back holds none): the edit stays. Dropping one is DiscardRevision's.
          if (f.Int(7) != 0 && !f.IsNull(9) && !e.revision && !e.revision_only) {
            e.revision = ParseKbRevision(f.Text(9));
            same = true;
          }
        }
        RETURN_IF_ERROR(st);
      }
      if (e.expected_version != 0 && (existing == 0 || old_version != e.expected_version)) {
        return Conflict("stale_version", "the entry is at version " + std::to_string(old_version) + ", not " +
                                             std::to_string(e.expected_version) + ": someone else saved it; reload it");
      }
      e.use_count = old_uses;  // an edit keeps the entry's record of direct answers
      // Saved again as it was (a file exported and imported back): no new version, and its
      // updated_at, which ranks fresh entries higher, is left alone; its terms are written
      // afresh all the same. Not when this batch saved it already: its last save holds.
      e.unchanged = existing && same && !pending.count(existing);
      if (existing) {
        e.id = existing;
        e.version = e.unchanged ? old_version : old_version + 1;
        ASSIGN_OR_RETURN(auto dd, c.Prepare(
            "UPDATE kb_df SET df = df - 1 WHERE term IN (SELECT term FROM kb_postings WHERE entry_id = ?)"));
        RETURN_IF_ERROR(dd.Bind(1, existing).Run());
        ASSIGN_OR_RETURN(auto d, c.Prepare("DELETE FROM kb_postings WHERE entry_id = ?"));
        RETURN_IF_ERROR(d.Bind(1, existing).Run());
        RETURN_IF_ERROR(AddCounter(c, len_counter.c_str(), -old_len));
      } else {
        RETURN_IF_ERROR(AddCounter(c, docs_counter.c_str(), 1));
      }
      const bool keep_updated = existing && (e.revision_only || e.unchanged);
      e.updated_by = keep_updated ? old_by : changed_by;
      e.updated_at = keep_updated ? old_at : now;
      ASSIGN_OR_RETURN(auto up, c.Prepare(
          "INSERT INTO kb_entries(id, external_id, title, body, category_code, keywords, owner_unit_id, effective_at, "
          "expires_at, status, is_public, version, updated_by, updated_at, doc_len, kind, revision) "
          "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
          "ON CONFLICT(id) DO UPDATE SET external_id=excluded.external_id, title=excluded.title, body=excluded.body, "
          "category_code=excluded.category_code, keywords=excluded.keywords, owner_unit_id=excluded.owner_unit_id, "
          "effective_at=excluded.effective_at, expires_at=excluded.expires_at, status=excluded.status, "
          "is_public=excluded.is_public, version=excluded.version, updated_by=excluded.updated_by, "
          "updated_at=excluded.updated_at, doc_len=excluded.doc_len, revision=excluded.revision"));
      if (e.external_id.empty()) up.BindNull(2); else up.Bind(2, e.external_id);
      if (e.revision) up.Bind(17, KbRevisionJson(*e.revision)); else up.BindNull(17);
      RETURN_IF_ERROR(up.Bind(1, e.id).Bind(3, e.title).Bind(4, e.body).Bind(5, e.category_code)
                          .Bind(6, json(e.keywords).dump()).Bind(7, e.owner_unit_id).Bind(8, e.effective_at)
                          .Bind(9, e.expires_at).Bind(10, KbStatusName(e.status)).Bind(11, e.is_public)
                          .Bind(12, e.version).Bind(13, e.updated_by).Bind(14, e.updated_at).Bind(15, terms.length)
                          .Bind(16, e.kind).Run());
      if (!e.unchanged) {
        ASSIGN_OR_RETURN(auto v, c.Prepare("INSERT INTO kb_versions(entry_id, version, snapshot, changed_by, at) VALUES(?,?,?,?,?)"));
        // A version that holds a pending revision shows it (who proposed what, in the history).
        json snapshot = json::parse(KbEntryJson(e));
        if (e.revision) snapshot["revision"] = json::parse(KbEntryJson(*e.revision));
        RETURN_IF_ERROR(v.Bind(1, e.id).Bind(2, e.version).Bind(3, snapshot.dump(-1, ' ', false, json::error_handler_t::replace))
                            .Bind(4, changed_by).Bind(5, now).Run());
      }
      pending[e.id] = &terms;
      RETURN_IF_ERROR(AddCounter(c, len_counter.c_str(), terms.length));
      out.push_back(e);
    }
    RETURN_IF_ERROR(AddCounter(c, "kb_generation", 1));
    RETURN_IF_ERROR(WriteKbPostings(c, pending));
    return out;
  });
}

Result<int64_t> SqliteStore::KbReindex(int terms_version, const std::function<KbDocTerms(const KbEntry&)>& terms_of) {
  // The terms version the index was built with (0 before versions were kept).
  const auto built = [](Connection& c) { return MetaVersion(c, "kb_terms_version"); };
  // Every process checks this when it opens the database: a read, so a current index costs
  // no write lock; the write re-checks, since another process may have re-indexed between.
  ASSIGN_OR_RETURN(const int current, Read<int>(built));
  if (current >= terms_version) return int64_t{0};
  return Write<int64_t>([&](Connection& c) -> Result<int64_t> {
    ASSIGN_OR_RETURN(const int now_built, built(c));
    if (now_built >= terms_version) return int64_t{0};
    ASSIGN_OR_RETURN(auto clear_p, c.Prepare("DELETE FROM kb_postings"));
    RETURN_IF_ERROR(clear_p.Run());
    ASSIGN_OR_RETURN(auto clear_df, c.Prepare("DELETE FROM kb_df"));
    RETURN_IF_ERROR(clear_df.Run());
    // In batches, so that a large base never holds all its terms in memory at once.
    int64_t len = 0, case_len = 0, entries = 0;
    for (Id after = 0;;) {
      std::vector<KbEntry> batch;
      {
        ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("SELECT ") + kKbCols + " FROM kb_entries WHERE id > ? ORDER BY id LIMIT 2000"));
        s.Bind(1, after);
        Status st;
        while (s.Step(&st)) batch.push_back(ReadKb(s));
        RETURN_IF_ERROR(st);
      }
      if (batch.empty()) break;
      after = batch.back().id;
      entries += static_cast<int64_t>(batch.size());
      std::vector<KbDocTerms> terms;
      terms.reserve(batch.size());
      std::map<Id, const KbDocTerms*> docs;
      for (const auto& e : batch) {
        terms.push_back(terms_of(e));
        docs[e.id] = &terms.back();
        (e.kind == "case" ? case_len : len) += terms.back().length;
        ASSIGN_OR_RETURN(auto u, c.Prepare("UPDATE kb_entries SET doc_len = ? WHERE id = ?"));
        RETURN_IF_ERROR(u.Bind(1, terms.back().length).Bind(2, e.id).Run());
      }
      RETURN_IF_ERROR(WriteKbPostings(c, docs));
    }
    for (auto [name, value] : {std::pair<const char*, int64_t>{"kb_len", len}, {"kb_case_len", case_len}}) {
      ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO counters(name, value) VALUES(?, ?) "
                                         "ON CONFLICT(name) DO UPDATE SET value = excluded.value"));
      RETURN_IF_ERROR(s.Bind(1, name).Bind(2, value).Run());
    }
    RETURN_IF_ERROR(AddCounter(c, "kb_generation", 1));
    RETURN_IF_ERROR(SetMetaVersion(c, "kb_terms_version", terms_version));
    return entries;
  });
}

Result<KbEntry> SqliteStore::KbGet(Id id) {
  ASSIGN_OR_RETURN(auto v, KbGetMany({id}));
  if (v.empty()) return NotFound("no knowledge entry with id " + IdToString(id));
  return v[0];
}

Result<std::vector<KbEntry>> SqliteStore::KbGetMany(const std::vector<Id>& ids) {
  return Read<std::vector<KbEntry>>([&](Connection& c) -> Result<std::vector<KbEntry>> {
    std::vector<KbEntry> out;
    for (Id id : ids) {
      ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("SELECT ") + kKbCols + " FROM kb_entries WHERE id = ?"));
      Status st;
      if (s.Bind(1, id).Step(&st)) out.push_back(ReadKb(s));
      RETURN_IF_ERROR(st);
    }
    return out;
  });
}

namespace {
// Entries under a category code prefix ("" for all), as search filters them.
constexpr const char* kKbUnder = " AND (? = '' OR substr(category_code, 1, length(?)) = ?)";
constexpr const char* kKbWithRevision = " AND (? = 0 OR revision IS NOT NULL)";
}  // namespace

Result<std::vector<KbEntry>> SqliteStore::KbList(std::optional<KbStatus> status, Id after_id, int limit,
                                                 const std::string& kind, TimeMs current_at,
                                                 const std::string& category_prefix, bool with_revision) {
  return Read<std::vector<KbEntry>>([&](Connection& c) -> Result<std::vector<KbEntry>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("SELECT ") + kKbCols + " FROM kb_entries WHERE kind = ? AND (? = '' OR status = ?) AND " +
                                       kKbCurrent + kKbUnder + kKbWithRevision + " AND id > ? ORDER BY id LIMIT ?"));
    const std::string st_name = status ? KbStatusName(*status) : "";
    s.Bind(1, kind).Bind(2, st_name).Bind(3, st_name).Bind(4, current_at).Bind(5, current_at).Bind(6, current_at)
        .Bind(7, category_prefix).Bind(8, category_prefix).Bind(9, category_prefix)
        .Bind(10, with_revision).Bind(11, after_id).Bind(12, std::clamp(limit, 1, 10000));
    std::vector<KbEntry> out;
    Status st;
    while (s.Step(&st)) out.push_back(ReadKb(s));
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<int64_t> SqliteStore::KbCount(std::optional<KbStatus> status, const std::string& kind, TimeMs current_at,
                                     const std::string& category_prefix, bool with_revision) {
  return Read<int64_t>([&](Connection& c) -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto s, c.Prepare(std::string("SELECT COUNT(*) FROM kb_entries WHERE kind = ? AND (? = '' OR status = ?) AND ") +
                                       kKbCurrent + kKbUnder + kKbWithRevision));
    const std::string st_name = status ? KbStatusName(*status) : "";
    s.Bind(1, kind).Bind(2, st_name).Bind(3, st_name).Bind(4, current_at).Bind(5, current_at).Bind(6, current_at)
        .Bind(7, category_prefix).Bind(8, category_prefix).Bind(9, category_prefix).Bind(10, with_revision);
    Status st;
    s.Step(&st);
    RETURN_IF_ERROR(st);
    return s.Int(0);
  });
}

namespace {
// " AND user_id IN (?,...)" for a list of users (none matches nothing), "" for everyone.
std::string AuditUsersClause(const std::optional<std::vector<Id>>& users) {
  if (!users) return "";
  if (users->empty()) return " AND 0";
  return " AND user_id IN (" + Placeholders(users->size()) + ")";
}
}  // namespace

Result<int64_t> SqliteStore::AuditCount(const std::optional<std::vector<Id>>& users) {
  return Read<int64_t>([&](Connection& c) -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT COUNT(*) FROM audit_log WHERE 1" + AuditUsersClause(users)));
    if (users) for (size_t i = 0; i < users->size(); ++i) s.Bind(static_cast<int>(i) + 1, (*users)[i]);
    Status st;
    s.Step(&st);
    RETURN_IF_ERROR(st);
    return s.Int(0);
  });
}

Result<std::vector<std::pair<int, std::string>>> SqliteStore::KbVersions(Id id) {
  using Out = std::vector<std::pair<int, std::string>>;
  return Read<Out>([&](Connection& c) -> Result<Out> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT version, snapshot, changed_by, at FROM kb_versions WHERE entry_id = ? "
                                       "ORDER BY version LIMIT 1000"));
    s.Bind(1, id);
    Out out;
    Status st;
    while (s.Step(&st)) {
      // The snapshot, with who saved this version and when.
      json snap = json::parse(s.Text(1), nullptr, false);
      if (!snap.is_object()) snap = json::object();
      snap["changed_by"] = s.Int(2);
      snap["changed_at"] = s.Int(3);
      out.emplace_back(static_cast<int>(s.Int(0)), snap.dump());
    }
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<int64_t> SqliteStore::KbTermDf(const std::string& term) {
  return Read<int64_t>([&](Connection& c) -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT df FROM kb_df WHERE term = ?"));
    s.Bind(1, term);
    Status st;
    const int64_t df = s.Step(&st) ? s.Int(0) : 0;
    RETURN_IF_ERROR(st);
    return df;
  });
}

Result<std::vector<KbPosting>> SqliteStore::KbPostings(const std::string& term) {
  return Read<std::vector<KbPosting>>([&](Connection& c) -> Result<std::vector<KbPosting>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT entry_id, tf, len FROM kb_postings WHERE term = ?"));
    s.Bind(1, term);
    std::vector<KbPosting> out;
    Status st;
    while (s.Step(&st)) out.push_back({s.Int(0), static_cast<int>(s.Int(1)), static_cast<int>(s.Int(2))});
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<int64_t> SqliteStore::KbGeneration() {
  return Read<int64_t>([&](Connection& c) -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT value FROM counters WHERE name = 'kb_generation'"));
    Status st;
    const int64_t g = s.Step(&st) ? s.Int(0) : 0;
    RETURN_IF_ERROR(st);
    return g;
  });
}

Result<std::pair<int64_t, int64_t>> SqliteStore::KbStats(const std::string& kind) {
  using Out = std::pair<int64_t, int64_t>;
  return Read<Out>([&](Connection& c) -> Result<Out> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT (SELECT value FROM counters WHERE name = ?), "
                                       "(SELECT value FROM counters WHERE name = ?)"));
    const bool cases = kind == "case";
    s.Bind(1, cases ? "kb_case_docs" : "kb_docs").Bind(2, cases ? "kb_case_len" : "kb_len");
    Status st;
    s.Step(&st);
    RETURN_IF_ERROR(st);
    return Out(s.Int(0), s.Int(1));
  });
}

namespace {
Result<std::vector<Store::SynonymGroup>> ReadSynonymGroups(Connection& c) {
  ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT id, terms FROM kb_synonyms ORDER BY id LIMIT 10000"));
  std::vector<Store::SynonymGroup> out;
  Status st;
  while (s.Step(&st)) out.push_back({s.Int(0), json::parse(s.Text(1)).get<std::vector<std::string>>()});
  RETURN_IF_ERROR(st);
  return out;
}
}  // namespace

Result<std::vector<Store::SynonymGroup>> SqliteStore::KbSynonymGroups() {
  return Read<std::vector<SynonymGroup>>([&](Connection& c) { return ReadSynonymGroups(c); });
}

Result<Id> SqliteStore::KbAddSynonymGroup(const std::vector<std::string>& terms,
                                          const std::function<Status(const std::vector<SynonymGroup>&)>& check) {
  const Id id = ids_->Next();
  return Write<Id>([&](Connection& c) -> Result<Id> {
    if (check) {
      ASSIGN_OR_RETURN(auto groups, ReadSynonymGroups(c));
      RETURN_IF_ERROR(check(groups));
    }
    ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO kb_synonyms(id, terms) VALUES(?, ?)"));
    RETURN_IF_ERROR(s.Bind(1, id).Bind(2, json(terms).dump()).Run());
    return id;
  });
}

Status SqliteStore::KbDeleteSynonymGroup(Id id) {
  return WriteStatus([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(auto s, c.Prepare("DELETE FROM kb_synonyms WHERE id = ?"));
    RETURN_IF_ERROR(s.Bind(1, id).Run());
    if (c.Changes() == 0) return NotFound("no synonym group with id " + IdToString(id));
    return Status::Ok();
  });
}

Status SqliteStore::KbRecordUse(const std::vector<Id>& ids) {
  return WriteStatus([&](Connection& c) -> Status {
    for (Id id : ids) {
      ASSIGN_OR_RETURN(auto s, c.Prepare("UPDATE kb_entries SET use_count = use_count + 1 WHERE id = ?"));
      RETURN_IF_ERROR(s.Bind(1, id).Run());
    }
    return Status::Ok();
  });
}

// ---- audit and look-up locks ------------------------------------------------------------

Status SqliteStore::AppendAudit(AuditEntry e) {
  e.id = ids_->Next();
  return WriteStatus([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO audit_log(id, at, user_id, action, target, detail) VALUES(?,?,?,?,?,?)"));
    return s.Bind(1, e.id).Bind(2, e.at).Bind(3, e.user_id).Bind(4, e.action).Bind(5, e.target).Bind(6, e.detail).Run();
  });
}

Result<std::vector<AuditEntry>> SqliteStore::ListAudit(int limit, Id before_id, const std::optional<std::vector<Id>>& users) {
  return Read<std::vector<AuditEntry>>([&](Connection& c) -> Result<std::vector<AuditEntry>> {
    ASSIGN_OR_RETURN(auto s, c.Prepare("SELECT id, at, user_id, action, target, detail FROM audit_log "
                                       "WHERE id < ?" + AuditUsersClause(users) + " ORDER BY id DESC LIMIT ?"));
    int n = 1;
    s.Bind(n++, before_id ? before_id : INT64_MAX);
    if (users) for (Id u : *users) s.Bind(n++, u);
    s.Bind(n, std::clamp(limit, 1, 500));
    std::vector<AuditEntry> out;
    Status st;
    while (s.Step(&st)) out.push_back(AuditEntry{s.Int(0), s.Int(1), s.Int(2), s.Text(3), s.Text(4), s.Text(5)});
    RETURN_IF_ERROR(st);
    return out;
  });
}

Result<int> SqliteStore::RecordLookupFailure(const std::string& number, TimeMs now, TimeMs window_ms) {
  return Write<int>([&](Connection& c) -> Result<int> {
    // Rows of every key share the table (ticket look-ups, logins), each with its own window:
    // only what is older than any window goes.
    ASSIGN_OR_RETURN(auto gc, c.Prepare("DELETE FROM lookup_failures WHERE at < ?"));
    RETURN_IF_ERROR(gc.Bind(1, now - std::max<TimeMs>(window_ms, kDayMs)).Run());
    ASSIGN_OR_RETURN(auto s, c.Prepare("INSERT INTO lookup_failures(number, at) VALUES(?, ?)"));
    RETURN_IF_ERROR(s.Bind(1, number).Bind(2, now).Run());
    ASSIGN_OR_RETURN(auto n, c.Prepare("SELECT COUNT(*) FROM lookup_failures WHERE number = ? AND at >= ?"));
    Status st;
    n.Bind(1, number).Bind(2, now - window_ms).Step(&st);
    RETURN_IF_ERROR(st);
    return static_cast<int>(n.Int(0));
  });
}

Status SqliteStore::ForgetLookupFailure(const std::string& number, TimeMs at) {
  return WriteStatus([&](Connection& c) -> Status {
    ASSIGN_OR_RETURN(auto s, c.Prepare("DELETE FROM lookup_failures WHERE rowid IN"
                                       " (SELECT rowid FROM lookup_failures WHERE number = ? AND at = ? LIMIT 1)"));
    return s.Bind(1, number).Bind(2, at).Run();
  });
}

Result<int> SqliteStore::LookupFailures(const std::string& number, TimeMs now, TimeMs window_ms) {
  return Read<int>([&](Connection& c) -> Result<int> {
    ASSIGN_OR_RETURN(auto n, c.Prepare("SELECT COUNT(*) FROM lookup_failures WHERE number = ? AND at >= ?"));
    Status st;
    n.Bind(1, number).Bind(2, now - window_ms).Step(&st);
    RETURN_IF_ERROR(st);
    return static_cast<int>(n.Int(0));
  });
}

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& opts) {
  if (opts.path.empty()) return InvalidArgument("db", "a database path is required");
  RETURN_IF_ERROR(CryptoInit());
  ASSIGN_OR_RETURN(auto vault, Vault::FromHex(opts.data_key_hex));
  SqliteOptions o = opts;
  if (!o.clock) o.clock = SystemClock::Default();
  auto store = std::make_unique<SqliteStore>(o, std::move(vault));
  RETURN_IF_ERROR(store->Open());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace hotline
