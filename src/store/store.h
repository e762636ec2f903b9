// The Store: everything the platform keeps, behind one interface so that a PostgreSQL
// backend can follow without touching the domain. The SQLite backend (sqlite_store.h) is
// the embedded default.
//
// Guarantees every backend gives:
//  - A write that returned OK is durable (survives kill -9 and power loss).
//  - ApplyCommand and CreateTicket are atomic: the events and the current state are written
//    in one transaction, or nothing is.
//  - Read-then-write runs under the write lock (no lost updates, no lock upgrades).
// All methods are thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/status.h"
#include "kb/kb.h"
#include "org/org.h"
#include "taxonomy/taxonomy.h"
#include "ticket/ticket.h"

namespace hotline {

struct User {
  Id id = 0;
  std::string username;
  std::string password_hash;
  Role role = Role::kAgent;
  Id unit_id = 0;
  std::string display_name;
  bool active = true;
  TimeMs created_at = 0;
};

// A person or enterprise making requests. Held in plaintext in memory only; the store
// encrypts name, phone and ID number at rest and keeps a keyed hash of the phone.
struct Requester {
  Id id = 0;
  std::string kind = "person";  // person | enterprise
  std::string name;
  std::string phone;            // normalised digits
  std::string id_number;        // 身份证号, optional
  std::string org_name;         // enterprise name
  std::string credit_code;      // 统一社会信用代码 (not personal data)
};

struct Contact {
  Id id = 0;
  Id ticket_id = 0;
  std::string channel;
  std::string kind;  // intake | chase (催单) | supplement (补充) | other
  std::string content;
  Id requester_id = 0;
  Id recorded_by = 0;
  TimeMs at = 0;
};

struct Attachment {
  Id id = 0;
  Id ticket_id = 0;
  std::string name, mime, sha256;
  int64_t size = 0;
  Id uploaded_by = 0;
  TimeMs at = 0;
};

struct AuditEntry {
  Id id = 0;
  TimeMs at = 0;
  Id user_id = 0;
  std::string action;  // reveal, login, login_failed, ...
  std::string target;  // "ticket:123"
  std::string detail;
};

struct TicketQuery {
  std::optional<TicketStatus> status;
  Id unit_id = 0;             // tickets with a live assignment of this unit
  bool unit_open_only = false;// only its pending/accepted ones (the unit's inbox)
  std::string assignment_state;  // with unit_id: only where the unit's assignment is "pending" or "accepted"
  std::string urgency;
  std::string channel;        // taken in on this channel (phone, wechat, ...)
  std::string closing_kind;   // closed tickets closed this way (direct_answer, resolved, unsatisfied, …)
  int min_returns = 0;        // > 0: open tickets returned at least this many times (bounced between units)
  // A centre's 退单 queue: tickets whose lead unit returned its order to this centre (the
  // centre that dispatched it), not those returned to a centre below or above it.
  bool returned_to_mine = false;  // the API's returned_to=mine; the service sets returned_to
  Id returned_to = 0;             // 0: no such filter (an administrator of no centre)
  // Open tickets where a unit's request waits for the centre's decision: "extension",
  // "suspension", or "any" of the two.
  std::string awaiting;
  std::string category_prefix;
  std::string phone_hash;     // caller history: its tickets and those it rang about again (contacts)
  bool phone_own = false;     // with phone_hash: only the tickets the phone filed
  std::string q;              // substring of content or address, or an exact number
  bool q_skips_confidential = false;  // q finds a confidential ticket by its number only
  // q is matched against the words with these personal numbers masked (139****8888; 1 phones,
  // 2 ID numbers, 3 both), on ordinary and on confidential tickets, as the list the search
  // answers with shows them: its search cannot probe the digits the mask hides.
  int q_mask_plain = 0, q_mask_confidential = 0;
  std::vector<Id> ids;        // only these tickets (at most a page's worth)
  Id area_id = 0;
  // Visibility scope: when set, only tickets taken by these units (intake) or assigned to
  // them. Empty means everything (admin, city centre).
  std::vector<Id> scope_units;
  // Time limits (evaluated at `now`): open tickets due before an instant, overdue ones, or
  // those at a warning level (yellow: past the warning time, not yet due; red: overdue).
  // Read against the ticket's overall deadline; with unit_id, against that unit's own live
  // order's time limit (not while it is suspended).
  TimeMs now = 0;
  TimeMs due_before = 0;
  bool overdue = false;
  std::string warning;  // "" | "yellow" | "red"
  bool scope_intake = true;   // unit handlers see by assignment only
  // Newest first by default; a queue is worked oldest request first (by number: a ticket's
  // updated_at moves with every system tick and calendar change, its id never), and then
  // the cursor reads ids strictly above it.
  bool oldest_first = false;
  Id cursor = 0;              // keyset: ids strictly below this (above it, oldest first)
  int page_size = 20;
};

// On-time figures of one unit's assignments dispatched in a period.
struct UnitSlaStats {
  Id unit_id = 0;
  int64_t dispatched = 0, accepted = 0, accepted_on_time = 0, replied = 0, replied_on_time = 0;
  int64_t open = 0, open_overdue = 0;
  // Orders that ended unanswered after their time limit (returned, taken away, withdrawn
  // late), and orders never signed for by their signing deadline (still waiting, or ended).
  int64_t ended_overdue = 0, accept_missed = 0;
  // The denominators of 按时办结率 and 签收及时率: a late order counts as late however it
  // ended, so returning it does not lift the rate.
  int64_t HandleCounted() const { return replied + open_overdue + ended_overdue; }
  int64_t AcceptCounted() const { return accepted + accept_missed; }
};

struct TicketPage {
  std::vector<Ticket> items;
  int64_t total = 0;
  Id next_cursor = 0;  // 0 when there is no next page
};

// Everything needed to create a ticket; the store assigns the public number.
struct NewTicket {
  Ticket ticket;            // id, fields, intake unit, created_at set by the caller
  Requester requester;      // matched to an existing requester by phone
  Contact first_contact;
  Event created_event;      // type "created"
  std::string idempotency_key;  // "" for none; scoped by the caller (user or channel)
  std::string request_digest;   // of the request the key came with: reused with another → 422
  std::vector<int64_t> lsh_bands;  // near-duplicate lookup keys of its text (intel::LshBands)
  std::string hotspot_features;    // what hotspots read of its text (intel::EncodeFeatures); "" for none
};

struct CreatedTicket {
  Ticket ticket;
  bool replayed = false;    // the idempotency key had been used: this is the earlier ticket
};

// decide(ticket, merge_target_or_null) -> decision, run inside the write transaction.
using DecideFn = std::function<Result<Decision>(const Ticket&, const Ticket*)>;

class Store {
 public:
  virtual ~Store() = default;

  // ---- organisation and taxonomy ----
  virtual Result<Unit> CreateUnit(Unit u) = 0;
  virtual Result<std::vector<Unit>> ListUnits() = 0;
  // Writes a unit's name, phone and active flag (its kind and place in the tree stay).
  virtual Status UpdateUnit(const Unit& u) = 0;
  virtual Result<Area> CreateArea(Area a) = 0;
  virtual Result<std::vector<Area>> ListAreas() = 0;
  // Writes an area's name and aliases (its kind and place in the tree stay).
  virtual Status UpdateArea(const Area& a) = 0;
  virtual Result<DispatchRule> CreateDispatchRule(DispatchRule r) = 0;
  virtual Result<std::vector<DispatchRule>> ListDispatchRules() = 0;
  virtual Status DeleteDispatchRule(Id id) = 0;
  // Replaces rule r.id with r (checked as on creation), in one transaction.
  virtual Status ReplaceDispatchRule(const DispatchRule& r) = 0;
  // Writes areas, then units, then rules (ids already assigned, parents earlier in the same
  // list or stored) in one transaction: all or nothing.
  virtual Status ImportOrg(const std::vector<Area>& areas, const std::vector<Unit>& units,
                           const std::vector<DispatchRule>& rules) = 0;
  // A fresh id from the store's generator (for callers that build rows before writing).
  virtual Id NewId() = 0;
  // The id-generator node this process holds (0..511), leased in the database so that no
  // two processes sharing it make the same ids; another generator of the process may use
  // node + 512. A long-running process renews the lease (it lapses an hour after the last
  // renewal, so a crashed process's node is freed); closing the store releases it.
  virtual int NodeId() const = 0;
  virtual Status RenewNodeLease() = 0;
  // Loads units, areas and rules into one consistent snapshot.
  virtual Result<OrgSnapshot> LoadOrg() = 0;
  // Bumped by every change to units, areas, rules, calendars or the SLA policy: a cheap
  // staleness check for caches (the org snapshot, the SLA policy in force).
  virtual Result<int64_t> OrgVersion() = 0;

  // Replaces the taxonomy with a new version; returns its number.
  virtual Result<int> ImportTaxonomy(const std::vector<Category>& cats, const std::string& source) = 0;
  // Adds one category as a new version (the previous versions stay as they were).
  virtual Result<int> AddCategory(const Category& c) = 0;
  // Reads the current taxonomy, lets `edit` change it, and writes the result as a new
  // version, in one transaction: concurrent edits never drop one another. An error from
  // `edit` writes nothing.
  virtual Result<int> EditTaxonomy(const std::function<Status(std::vector<Category>&)>& edit,
                                   const std::string& source) = 0;
  virtual Result<int> CurrentTaxonomyVersion() = 0;
  virtual Result<std::vector<Category>> ListCategories(int version) = 0;

  // ---- users and sessions ----
  virtual Result<User> CreateUser(User u) = 0;  // kConflict when the username is taken
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Result<User> GetUser(Id id) = 0;
  virtual Result<User> FindUserByName(const std::string& username) = 0;
  virtual Status UpdatePassword(Id user_id, const std::string& hash) = 0;
  // Writes a user's role, unit, display name, active flag and password hash (the id and
  // username stay). A change to anything but the display name ends the user's sessions.
  virtual Status UpdateUser(const User& u) = 0;
  virtual Status CreateSession(const std::string& token_hash, Id user_id, TimeMs expires_at) = 0;
  virtual Result<Id> FindSession(const std::string& token_hash, TimeMs now) = 0;
  virtual Status DeleteSession(const std::string& token_hash) = 0;

  // ---- tickets ----
  virtual Result<CreatedTicket> CreateTicket(NewTicket in) = 0;
  virtual Result<Decision> ApplyCommand(Id ticket_id, Id merge_target_id, const DecideFn& decide) = 0;
  virtual Result<Ticket> GetTicket(Id id) = 0;
  virtual Result<Ticket> GetTicketByNumber(const std::string& number) = 0;
  virtual Result<TicketPage> ListTickets(const TicketQuery& q) = 0;
  virtual Result<std::vector<Event>> ListEvents(Id ticket_id) = 0;
  virtual Result<std::vector<std::pair<std::string, int64_t>>> CountByStatus() = 0;

  virtual Result<Requester> GetRequester(Id id) = 0;
  // The keyed hash the store indexes phones by (for caller-history queries).
  virtual std::string PhoneHash(const std::string& normalised_phone) const = 0;

  // Records a contact (and its event) against an existing ticket; no version bump.
  // With an idempotency key (scoped by the caller): a key seen before returns its contact
  // with *replayed set (kFailedPrecondition when the request digest differs).
  struct ContactKey {
    std::string key, request_digest;
  };
  virtual Result<Contact> AddContact(Contact c, Requester requester, Event e, const ContactKey& idempotency = {},
                                     bool* replayed = nullptr) = 0;
  virtual Result<std::vector<Contact>> ListContacts(Id ticket_id) = 0;
  // The calls recorded from this phone (by its hash) about a ticket again since `since`,
  // newest first: contacts other than the intake (the call that filed the ticket).
  virtual Result<std::vector<Contact>> ContactsFromPhone(const std::string& phone_hash, TimeMs since, int limit) = 0;
  // Refused (kFailedPrecondition) when the ticket holds max_per_ticket files already,
  // counted in the same transaction, so parallel uploads cannot pass the limit.
  virtual Result<Attachment> AddAttachment(Attachment a, const std::string& data, Event e, size_t max_per_ticket) = 0;
  virtual Result<std::pair<Attachment, std::string>> GetAttachment(Id id) = 0;
  virtual Result<std::vector<Attachment>> ListAttachments(Id ticket_id) = 0;

  // ---- time limits ----
  // Open tickets whose next deadline alarm is due (the timer's index scan).
  virtual Result<std::vector<Id>> DueAlarmTickets(TimeMs now, int limit) = 0;
  // Ids of open tickets above `after_id`, ascending (for recomputing deadlines in batches).
  virtual Result<std::vector<Id>> OpenTicketIds(Id after_id, int limit) = 0;
  virtual Result<std::vector<UnitSlaStats>> SlaStats(TimeMs from, TimeMs to, TimeMs now, const std::string& category = "") = 0;
  // Each unit's backlog now: its live (pending or accepted) assignments, whenever they were
  // dispatched, and how many of them are past their handle deadline; units with none left out.
  struct UnitBacklog {
    Id unit_id = 0;
    int64_t open = 0;
    int64_t overdue = 0;
  };
  virtual Result<std::vector<UnitBacklog>> BacklogByUnit(TimeMs now) = 0;

  // ---- early warning over stored tickets ----
  // Tickets created in [from, to), oldest first, at most `limit`: the text and who called
  // (the phone's keyed hash, "" when none), for hotspots and duplicate groups.
  struct TicketText {
    Id id = 0;
    std::string number, title, content, phone_hash;
    TimeMs created_at = 0;
    std::string category_code;
    std::string hotspot_features;  // as stored at intake; "" for tickets taken in before they were
    std::string urgency;
    bool confidential = false;  // 保密: its words may name its reporter, never quoted
  };
  // `scope_units` (empty: the whole city) keeps a centre to the tickets it took in or that
  // were dispatched into those units, as ListTickets scopes a centre's lists.
  virtual Result<std::vector<TicketText>> TicketTexts(TimeMs from, TimeMs to, int limit,
                                                      const std::vector<Id>& scope_units = {}) = 0;

  // ---- near duplicates (并单候选) ----
  // Open tickets created at or after `since` that share a lookup key with `bands`, newest
  // first, at most `limit`: their id, number and text (title and content).
  struct DuplicateCandidate {
    Id id = 0;
    std::string number, title, content, status, address;
  };
  virtual Result<std::vector<DuplicateCandidate>> DuplicateCandidates(const std::vector<int64_t>& bands, TimeMs since,
                                                                      int limit) = 0;

  // ---- early-warning alerts (预警) ----
  // Alerts are keyed: raising one whose key exists updates its severity, data and time
  // (one alert per matter or caller, kept current), and keeps its id and first time.
  struct Alert {
    Id id = 0;
    std::string kind;      // repeat_caller | duplicate_cluster | emergency | …
    std::string key;       // dedupe key
    std::string severity;  // info | warning | high
    Id ticket_id = 0;      // the ticket that raised or last updated it
    TimeMs created_at = 0, updated_at = 0;
    std::string data_json;  // the evidence
    // Handled (处置) by whom, when, with what note; open while handled_at < updated_at (a
    // report after the handling opens it again).
    TimeMs handled_at = 0;
    Id handled_by = 0;
    std::string handled_note;
    bool open() const { return handled_at < updated_at; }
  };
  virtual Status RaiseAlert(const Alert& a) = 0;
  enum class AlertState { kAny, kOpen, kHandled };
  // Newest first (by last update); kind "" for all; `scope_units` as for TicketTexts, applied
  // to the ticket that raised the alert.
  virtual Result<std::vector<Alert>> ListAlerts(const std::string& kind, TimeMs since, int limit,
                                                const std::vector<Id>& scope_units = {},
                                                AlertState state = AlertState::kAny) = 0;
  // One alert, if it exists and (with `scope_units`) its ticket is in that scope.
  virtual Result<std::optional<Alert>> GetAlert(Id id, const std::vector<Id>& scope_units = {}) = 0;
  // Marks it handled now, unless a report updated it after `seen_update` or someone handled
  // it since (kConflict, alert_updated): a supervisor handles what they saw, once.
  virtual Status HandleAlert(Id id, TimeMs seen_update, TimeMs at, Id by, const std::string& note) = 0;
  // How many alerts of each kind were first raised in [from, to), scoped as ListAlerts;
  // with `category`, only those raised by tickets of that category (a special report's).
  virtual Result<std::map<std::string, int64_t>> CountAlerts(TimeMs from, TimeMs to,
                                                             const std::vector<Id>& scope_units = {},
                                                             const std::string& category = {}) = 0;

  // Tickets created in [from, to) whose proposal flagged a public-interest litigation clue,
  // newest first: id, number, created_at, category and the proposal JSON.
  struct ClueTicket {
    Id id = 0;
    std::string number;
    TimeMs created_at = 0;
    std::string category_code, suggestions;
    bool confidential = false;  // 保密: the reporter asked that their report be kept confidential
  };
  // `scope_units` as for TicketTexts.
  virtual Result<std::vector<ClueTicket>> LitigationClues(TimeMs from, TimeMs to, int limit,
                                                          const std::vector<Id>& scope_units = {}) = 0;

  // ---- dispatch learning (智能派单) ----
  // Per unit, the lead assignments among the newest `recent` tickets whose category starts
  // with `category_prefix`: kept (replied, or still live) and returned.
  struct UnitHistory {
    Id unit_id = 0;
    int64_t kept = 0, returned = 0;
  };
  virtual Result<std::vector<UnitHistory>> DispatchHistory(const std::string& category_prefix, int recent) = 0;
  // Centre dispatches (first level) in [from, to): how many, how many came back (退单),
  // and for those with a proposal, how many followed it and how many of those came back.
  struct DispatchStats {
    int64_t dispatches = 0, returned = 0, with_suggestion = 0, followed = 0, followed_returned = 0;
  };
  // Over the tickets in `scope_units` (as for TicketTexts; empty: the whole city).
  virtual Result<DispatchStats> DispatchStatsBetween(TimeMs from, TimeMs to, const std::vector<Id>& scope_units = {}) = 0;
  // The dashboard's figures (数据看板). `intake_scope` limits every count to tickets taken in
  // by those units or dispatched to them (empty: the whole city); per-unit figures are for
  // every unit.
  struct Overview {
    struct ChannelHour {
      std::string channel;
      int hour = 0;
      int64_t count = 0;
      Id intake_unit = 0;  // ContactsByHour only: the unit that took the ticket in (0: none)
    };
    std::vector<ChannelHour> today;                                // created in [day_start, now)
    std::vector<std::pair<std::string, int64_t>> open_by_status;   // open tickets now
    int64_t open_overdue = 0, open_yellow = 0;
    std::vector<std::pair<std::string, int64_t>> categories;       // first-level code, created in period
    std::vector<std::pair<Id, int64_t>> areas;                     // created in period
    int64_t created = 0, closed = 0, answered_directly = 0, rated = 0, satisfied = 0;
    struct UnitRatings { int64_t rated = 0, satisfied = 0, returned = 0; };
    std::map<Id, UnitRatings> units;  // by the unit that last led the ticket, created in period
  };
  // `closed_by` > 0: a ticket counts as completed only if it closed by then (a report sets
  // the period before at the same distance from its start as the current one).
  // `category`: only tickets of that category and its sub-categories (a special report on
  // one topic), and the categories counted one level below it.
  virtual Result<Overview> OverviewStats(TimeMs day_start, TimeMs now, TimeMs from, TimeMs to,
                                         const std::vector<Id>& intake_scope, TimeMs closed_by = 0,
                                         const std::string& category = "") = 0;
  // Contacts (every call or message, intake and chases alike) at or after `from` and before
  // `to`, per channel, hour counted from `from` and intake unit; `intake_scope` as for
  // OverviewStats but by the intake unit alone (the centre that answers the line).
  virtual Result<std::vector<Overview::ChannelHour>> ContactsByHour(TimeMs from, TimeMs to,
                                                                    const std::vector<Id>& intake_scope) = 0;
  // Training rows from the platform's own history: the newest closed (or archived) tickets' text and
  // their final category, request type and urgency.
  struct LabelledTicket {
    std::string title, content, category_code, request_type, urgency;
  };
  virtual Result<std::vector<LabelledTicket>> ClosedTicketTexts(int limit) = 0;
  // Calendars and SLA policies as JSON documents (validated by the caller).
  virtual Status PutCalendar(const std::string& name, const std::string& doc) = 0;
  virtual Result<std::vector<std::pair<std::string, std::string>>> ListCalendars() = 0;
  virtual Result<int> PutSlaPolicy(const std::string& doc) = 0;  // returns the new version
  virtual Result<std::optional<std::pair<int, std::string>>> CurrentSlaPolicy() = 0;
  // One stored version's document (the one an assignment's policy_version names), if stored.
  virtual Result<std::optional<std::string>> SlaPolicyAt(int version) = 0;

  // ---- knowledge base ----
  // Saves entries with their index terms in one transaction (all or nothing): an entry
  // whose external id exists is a new version of it. An entry whose `expected_version` is set
  // is refused (kConflict, stale_version) unless the stored entry is at that version.
  // Returns the saved entries.
  virtual Result<std::vector<KbEntry>> KbSave(std::vector<std::pair<KbEntry, KbDocTerms>> entries, Id changed_by) = 0;
  // Re-derives every entry's index terms (both kinds) with `terms_of`, in one transaction,
  // when the index was built by an older terms version than `terms_version`; else does
  // nothing. Versions and entries are untouched. Returns how many entries it re-indexed.
  virtual Result<int64_t> KbReindex(int terms_version, const std::function<KbDocTerms(const KbEntry&)>& terms_of) = 0;
  virtual Result<KbEntry> KbGet(Id id) = 0;
  virtual Result<std::vector<KbEntry>> KbGetMany(const std::vector<Id>& ids) = 0;
  // Entries by id ascending after `after_id` (status filter optional; `current_at` > 0: only
  // those inside their validity period then; `category_prefix`: only those filed under it;
  // `with_revision`: only those with a pending revision).
  virtual Result<std::vector<KbEntry>> KbList(std::optional<KbStatus> status, Id after_id, int limit,
                                              const std::string& kind = "entry", TimeMs current_at = 0,
                                              const std::string& category_prefix = "", bool with_revision = false) = 0;
  // How many entries the same list holds in all: its total.
  virtual Result<int64_t> KbCount(std::optional<KbStatus> status, const std::string& kind = "entry",
                                  TimeMs current_at = 0, const std::string& category_prefix = "",
                                  bool with_revision = false) = 0;
  // (version, the entry's JSON as saved, with changed_by and changed_at: who saved it, when).
  virtual Result<std::vector<std::pair<int, std::string>>> KbVersions(Id id) = 0;
  // How many entries hold the term (without reading its postings).
  virtual Result<int64_t> KbTermDf(const std::string& term) = 0;
  virtual Result<std::vector<KbPosting>> KbPostings(const std::string& term) = 0;
  // Number of indexed entries of a kind ("entry" | "case") and the sum of their lengths.
  virtual Result<std::pair<int64_t, int64_t>> KbStats(const std::string& kind) = 0;
  // A number that moves whenever any server changes the index (postings or statistics), so
  // a process may keep postings in memory and drop them when it moves.
  virtual Result<int64_t> KbGeneration() = 0;
  struct SynonymGroup {
    Id id = 0;
    std::vector<std::string> terms;
  };
  virtual Result<std::vector<SynonymGroup>> KbSynonymGroups() = 0;
  // `check` sees the groups stored, inside the write: two groups added at once are each
  // checked against the other.
  virtual Result<Id> KbAddSynonymGroup(const std::vector<std::string>& terms,
                                       const std::function<Status(const std::vector<SynonymGroup>&)>& check = {}) = 0;
  virtual Status KbDeleteSynonymGroup(Id id) = 0;  // kNotFound when there is none
  virtual Status KbRecordUse(const std::vector<Id>& ids) = 0;

  // ---- audit and public look-up locks ----
  virtual Status AppendAudit(AuditEntry e) = 0;
  // Newest first; with `users`, only what those users did (a district's own staff).
  virtual Result<std::vector<AuditEntry>> ListAudit(int limit, Id before_id,
                                                    const std::optional<std::vector<Id>>& users = std::nullopt) = 0;
  virtual Result<int64_t> AuditCount(const std::optional<std::vector<Id>>& users = std::nullopt) = 0;
  // Records a failed public look-up; returns the failures within the window.
  virtual Result<int> RecordLookupFailure(const std::string& number, TimeMs now, TimeMs window_ms) = 0;
  virtual Result<int> LookupFailures(const std::string& number, TimeMs now, TimeMs window_ms) = 0;
  // Takes back one failure recorded at `at` (an attempt counted as failed until it succeeded).
  virtual Status ForgetLookupFailure(const std::string& number, TimeMs at) = 0;
};

// Opens (creating and migrating as needed) the SQLite store at `path`. The data key
// (64 hex chars) encrypts personal data; the store refuses a key that does not match the
// one it was created with.
struct SqliteOptions {
  std::string path;
  std::string data_key_hex;
  const Clock* clock = nullptr;
  int node_id = -1;  // -1: lease a free node from the database (node_leases); 0..511: this one
  int reader_connections = 4;
  bool synchronous_full = true;
};
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& opts);

// Resolves the data key for a database: $HOTLINE_DATA_KEY, else the file `<db>.key`
// (created with mode 0600 when `create` is true and neither exists).
Result<std::string> ResolveDataKey(const std::string& db_path, bool create);

std::string NormalisePhone(const std::string& phone);

}  // namespace hotline
