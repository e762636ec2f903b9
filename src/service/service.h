// The application service: the use cases the HTTP API and the CLI share. It owns no data
// of its own beyond caches; it authenticates actors, scopes what they see, runs commands
// through the pure lifecycle and persists them through the Store.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <vector>

#include "contact/staffing.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/pii.h"
#include "intake/intake.h"
#include "org/org.h"
#include "sla/policy.h"
#include "intel/insight.h"
#include "intel/subtopics.h"
#include "service/assist.h"
#include "service/kb_service.h"
#include "service/report.h"
#include "store/store.h"
#include "ticket/ticket.h"

namespace hotline {

// A login name: 1-64 bytes of UTF-8 without spaces or control characters (the API and
// `hotline init` take the same). `field` names it in the error.
Status CheckUsername(const std::string& username, const char* field = "username");

// What a role sees of each personal-data field (documented in the README's matrix).
enum class FieldAccess { kHidden, kMasked, kRevealable, kFull };
FieldAccess AccessFor(Role role, const std::string& field, bool confidential);
// The personal numbers written in a ticket's words that the role reads masked: those whose
// field it does not see whole. What the views show, and what its word search matches against.
PersonalNumbers NumbersMaskedFor(Role role, bool confidential);

// The citizen as one actor may see them.
struct CitizenView {
  std::string kind, name, phone, id_number, org_name, credit_code;
  bool masked = true;
  // On a reveal: the phone and ID numbers written in the ticket's words (title, content,
  // address, contacts), which the role otherwise reads masked, each with the field it is in.
  std::vector<std::pair<std::string, WrittenNumber>> written;
};

struct PublicProgress {
  Ticket ticket;
  std::vector<Event> events;  // public ones only
  // A request merged into another (并单) is handled as that one: where it stands now.
  std::optional<Ticket> merged_into;
};

class Service {
 public:
  Service(Store* store, const Clock* clock, IdGenerator* ids);

  // How long failed logins are counted (five lock the account until they age out).
  static constexpr int kLoginLockSeconds = 5 * 60;

  // ---- auth ----
  // `from`: the client's address, for the audit.
  Result<std::string> Login(const std::string& username, const std::string& password, const std::string& from = "");
  // A signed-in user's own password: the current one checked (and counted) as a login is,
  // the new one held to the rules an administrator's is. Ends every session of the user and
  // returns a new token for this one.
  Result<std::string> ChangeOwnPassword(const Actor& a, const std::string& current, const std::string& next,
                                        const std::string& from = "");
  Result<Actor> Authenticate(const std::string& bearer_token);
  Status Logout(const std::string& bearer_token);

  // ---- organisation ----
  std::shared_ptr<const OrgSnapshot> Org();  // cached, refreshed when the store's version moves
  void InvalidateOrg();
  Result<Unit> CreateUnit(const Actor& a, Unit u);
  Result<Area> CreateArea(const Actor& a, Area area);
  Result<DispatchRule> CreateDispatchRule(const Actor& a, DispatchRule r);
  Result<DispatchRule> ReplaceDispatchRule(const Actor& a, DispatchRule r);  // r.id: the rule replaced
  // Deletes a rule of the directory (admin only), audited.
  Status DeleteDispatchRule(const Actor& a, Id rule_id);
  // Whether `code` is a category of the current taxonomy (with `prefix`, begins one; with
  // `in_use`, one not retired): its version when it is, a 400 naming `field` when not. Read
  // fresh, not from a cache.
  Result<int> CheckCategory(const std::string& field, const std::string& code, bool prefix = false, bool in_use = false);
  Result<int> AddCategory(const Actor& a, Category c);
  Result<User> CreateUser(const Actor& a, User u, const std::string& password);
  // What an administrator may change of a unit or a user; unset fields stay as they are.
  struct UnitChange {
    std::optional<std::string> name, phone;
    std::optional<bool> active;
  };
  struct UserChange {
    std::optional<std::string> display_name, password;
    std::optional<Role> role;
    std::optional<Id> unit_id;
    std::optional<bool> active;
  };
  struct AreaChange {
    std::optional<std::string> name;
    std::optional<std::vector<std::string>> aliases;
  };
  struct CategoryChange {
    std::optional<std::string> name;
    std::optional<bool> active;
  };
  Result<Area> UpdateArea(const Actor& a, Id area_id, const AreaChange& change);
  // Renames or retires (active: false, with its subcategories) a category, as a new taxonomy
  // version: tickets keep the version they were classified with; a retired category takes no
  // new tickets. Returns the category and the new version.
  Result<std::pair<Category, int>> UpdateCategory(const Actor& a, const std::string& code, const CategoryChange& change);
  // A unit made inactive keeps its open orders but is no longer dispatched to or proposed.
  Result<Unit> UpdateUnit(const Actor& a, Id unit_id, const UnitChange& change);
  // Disabling a user, a new password, role or unit end the user's sessions at once.
  Result<User> UpdateUser(const Actor& a, Id user_id, const UserChange& change);

  // ---- tickets ----
  Result<CreatedTicket> CreateTicket(const Actor& a, TicketInput in, const std::string& idempotency_key);
  Result<Ticket> Act(const Actor& a, Id ticket_id, const Command& cmd);
  // The commands `a` may issue on `t` now (OfferedCommands with this centre's org and policy).
  std::vector<CommandType> Offered(const Actor& a, const Ticket& t);
  Result<Ticket> GetTicket(const Actor& a, Id ticket_id);
  Result<TicketPage> ListTickets(const Actor& a, TicketQuery q, const std::string& phone);
  Result<std::vector<Event>> Events(const Actor& a, Id ticket_id);
  // `idempotency_key` (per user, as for tickets): a retried contact is recorded once; the
  // retry gets the first one back with *replayed set.
  Result<Contact> AddContact(const Actor& a, Id ticket_id, ContactInput in, const std::string& idempotency_key = "",
                             bool* replayed = nullptr);
  Result<std::vector<Contact>> Contacts(const Actor& a, Id ticket_id);
  Result<Attachment> AddAttachment(const Actor& a, Id ticket_id, std::string name, std::string mime,
                                   const std::string& data);
  Result<std::pair<Attachment, std::string>> GetAttachment(const Actor& a, Id attachment_id);

  // The citizen on a ticket as this actor may see them; fields at kFull are audited as a view.
  // `requester`: another caller on the ticket (a contact's), else the ticket's own.
  Result<CitizenView> Citizen(const Actor& a, const Ticket& t, bool reveal, Id requester = 0);
  // The phone and ID numbers written in the ticket's words (title, content, address, its own
  // caller's contacts) that the role reads masked but may reveal, each with its field.
  Result<std::vector<std::pair<std::string, WrittenNumber>>> WrittenNumbers(const Actor& a, const Ticket& t);

  // Public progress: the number plus the phone's last four digits or the query code.
  Result<PublicProgress> PublicLookup(const std::string& number, const std::string& phone_last4,
                                      const std::string& code);

  // The citizen portal (市民服务): a request filed by the citizen on the web channel, taken
  // in by the city centre as the system; and the citizen's own rating of an answered request
  // (the callback done by the citizen), after the same check as PublicLookup. A rating is
  // audited with the proof given and the client's address (`client`): anyone who knows the
  // phone's last digits can rate, so a rating is traceable.
  Result<CreatedTicket> PublicSubmit(TicketInput in, const std::string& idempotency_key);
  Result<Ticket> PublicRate(const std::string& number, const std::string& phone_last4, const std::string& code,
                            const std::string& rating, const std::string& comment, const std::string& client = "");

  // ---- time limits ----
  // The SLA policy and calendar in force (loaded from the store, defaults otherwise).
  std::shared_ptr<const SlaPolicy> CurrentPolicy();
  Status ReloadPolicy();
  // From now on, warns (once per process) when the calendar in force lacks this year's or
  // next year's holidays, and checks at once. A server calls it; a one-off command that
  // counts no deadlines stays quiet.
  void WarnCalendarGaps();
  // Raises the deadline alarms that are due (the timer loop calls this); returns the
  // number of tickets that got events. Runs at most `limit` tickets per call.
  Result<int> RunSlaTick(int limit = 500);
  // Replaces (or adds) a calendar; open deadlines are recomputed and the change recorded
  // on each. Returns the number of tickets whose deadlines moved.
  Result<int> PutCalendar(const Actor& a, const std::string& json);
  std::vector<Calendar> Calendars();
  // One version of the SLA policy as JSON (0: the one in force), for reading what an older
  // assignment's policy_version meant.
  Result<std::string> SlaPolicyJson(int version);
  Result<int> PutSlaPolicy(const Actor& a, const std::string& json);
  Result<std::vector<UnitSlaStats>> SlaStats(const Actor& a, TimeMs from, TimeMs to, const std::string& category = "");

  // The knowledge base. Each call builds a fresh KbService (it holds per-call caches); all
  // share this process's postings cache, checked against the index's generation, and the
  // places of the organisation snapshot in force.
  KbService Kb();

  // ---- intake assistance (智能分类派单) ----
  // Automatic dispatch (自动派单): a new ticket whose predicted category is at least this
  // confident (and not abstained), with a proposed unit and no emergency, is dispatched to
  // that unit at once by the system for its intake centre. 0 turns it off (the default).
  void SetAutoDispatch(double min_confidence) { auto_dispatch_ = min_confidence; }
  // The models and screening used for proposals; replaced as a whole (e.g. after retraining).
  void SetAssistant(std::shared_ptr<const Assistant> a);
  std::shared_ptr<const Assistant> CurrentAssistant();
  // A proposal for text being typed (no ticket yet): agents, dispatchers, admins.
  Result<nlohmann::json> Suggest(const Actor& a, const std::string& title, const std::string& content,
                                 const std::string& address, Id area_id, const std::string& category_code);
  // Open tickets of the last `kDuplicateWindowMs` that are near duplicates of the text
  // (并单候选) that `viewer` may open: [{ticket_id, number, status, score}], best first, at
  // most `limit` of the `kDuplicatesRead` candidates read. No text of theirs: a proposal may
  // be seen by roles that may not see those tickets.
  static constexpr int64_t kDuplicateWindowMs = 30 * kDayMs;
  static constexpr int kDuplicatesRead = 200;
  static constexpr size_t kDuplicatesShown = 10;
  Result<nlohmann::json> NearDuplicates(const Actor& viewer, const Ticket& t, const std::vector<uint64_t>& shingles,
                                        const std::vector<int64_t>& bands, size_t limit = kDuplicatesShown);
  // Tickets flagged as public-interest litigation clues (公益诉讼线索) in a period:
  // administrators, supervisors and analysts (the list goes to the procuratorate).
  Result<std::vector<Store::ClueTicket>> LitigationClues(const Actor& a, TimeMs from, TimeMs to);
  // Hotspots and duplicate groups among the tickets created in [from, to) (at most 200,000
  // of them): centre staff, supervisors, analysts and administrators.
  Result<std::vector<intel::Hotspot>> Hotspots(const Actor& a, TimeMs from, TimeMs to, size_t top,
                                               std::vector<Store::TicketText>* tickets);
  // Sub-topics (子话题) of one category's tickets created in [from, to), counted in equal
  // windows before and after `pivot` when given (the same roles as hotspots).
  Result<intel::SubTopicReport> SubTopics(const Actor& a, const std::string& category, TimeMs from, TimeMs to,
                                          std::optional<TimeMs> pivot, size_t top,
                                          std::vector<Store::TicketText>* tickets);
  Result<std::vector<intel::DuplicateGroup>> DuplicateGroups(const Actor& a, TimeMs from, TimeMs to,
                                                             std::vector<Store::TicketText>* tickets);
  // Early-warning alerts (预警), newest first: centre staff, analysts and administrators.
  Result<std::vector<Store::Alert>> Alerts(const Actor& a, const std::string& kind, TimeMs since, int limit,
                                           Store::AlertState state = Store::AlertState::kAny);
  // Handles (处置) an alert the actor's centre sees, as last updated at `seen_update`, with a
  // note (what was done: 已转督办, 已联系来电人 …): supervisors, dispatchers and administrators.
  Result<Store::Alert> HandleAlert(const Actor& a, Id id, TimeMs seen_update, const std::string& note);
  // Share of centre dispatches not returned, overall and when the proposal was followed.
  Result<Store::DispatchStats> DispatchStats(const Actor& a, TimeMs from, TimeMs to);

  // ---- screens ----
  // The dashboard's figures (数据看板): today's intake by channel and hour, the open backlog,
  // the period's categories, areas and rates, and the unit ranking (红黑榜). Centre staff see
  // their centre's intake and subtree; unit handlers are refused.
  // `closed_by` > 0: completion counted as of then (see Store::OverviewStats).
  // `category`: only that category's tickets (a special report on one topic).
  Result<nlohmann::json> Overview(const Actor& a, TimeMs from, TimeMs to, TimeMs closed_by = 0,
                                  const std::string& category = "");
  // Seat planning (坐席测算), supervisors, analysts and admins: the contacts of the last `weeks` whole
  // weeks (1 to 26, ending at today's midnight) on `channels` (empty: every channel), per
  // hour of the week (city time), and the agents and staff each hour needs to meet `target`
  // at its mean load and at its busiest week's. A centre plans for the lines it answers.
  Result<nlohmann::json> Staffing(const Actor& a, int weeks, const std::vector<std::string>& channels,
                                  const contact::StaffingTarget& target);
  // How many tickets wait in each of the caller's work queues (counted as the lists count).
  Result<nlohmann::json> Queues(const Actor& a);
  // A weekly, monthly or special report (周报/月报/专报) over the period (service/report.h),
  // against the period before; a special report may focus on one category (its sub-topics).
  Result<nlohmann::json> Report(const Actor& a, const ReportPeriod& p, const std::string& category);

  Store* store() { return store_; }
  const Clock* clock() const { return clock_; }
  // The units whose tickets a centre role sees: its centre's subtree; empty (everything)
  // for administrators, the system and the city hub's staff. Refused without a centre.
  Result<std::vector<Id>> CentreScope(const Actor& a, const OrgSnapshot& org) const;

  // One line of the audit log (审计): who did `action` to `target`, with what in `detail`
  // (never personal data in clear).
  Status Audit(const Actor& a, const std::string& action, const std::string& target, const std::string& detail);
  // Audits the personal data a view or reveal of `t` showed whole (`shown`: field names).
  Status AuditShown(const Actor& a, const Ticket& t, bool reveal, const std::vector<std::string>& shown);

 private:
  Status NeedAdmin(const Actor& a) const;
  std::vector<Id> Subtree(const OrgSnapshot& org, Id root) const;
  Result<std::vector<Store::TicketText>> InsightTexts(const Actor& a, TimeMs from, TimeMs to);
  // What a lifecycle command is decided with: now, this org and policy, the id generator.
  CommandContext Context(const OrgSnapshot& org, const Policy& policy) const;

  Store* store_;
  KbPostingsCache kb_postings_;
  std::mutex kb_places_mu_;
  std::shared_ptr<const OrgSnapshot> kb_places_org_;  // what kb_places_ was built from
  std::shared_ptr<const KbPlaces> kb_places_;
  const Clock* clock_;
  IdGenerator* ids_;
  Result<int> RecomputeOpenDeadlines(const std::string& reason);

  // Alerts a new ticket raises: a caller whose requests keep coming back (repeat_caller,
  // "high" when the requests escalate from asking to complaining), and a matter several
  // callers report at once (duplicate_cluster). Best effort, after the ticket is committed.
  // `duplicates`: the open tickets across the city that report the same matter.
  void RaiseIntakeAlerts(const Ticket& t, const std::string& phone, const nlohmann::json& proposal,
                         const nlohmann::json& duplicates);
  void RaiseRepeatCallerAlert(const std::string& phone, Id ticket_id, TimeMs now);
  void RaiseAssistReturnAlert(const Ticket& t, const std::vector<Event>& events);
  void SettleAssistReturnAlerts(const Actor& a, const Ticket& t);
  void SettleEmergencyAlert(const Actor& a, const Ticket& t);
  void SettleAlerts(const Actor& a, const Ticket& t, const std::string& kind, TimeMs since,
                    const std::map<std::string, std::string>& settled);
  void RaiseAlert(Store::Alert al, Id ticket_id, TimeMs at);

  // The current taxonomy's categories, cached briefly (intake reads them for every proposal).
  Result<std::vector<Category>> Categories();
  std::mutex cats_mu_;
  std::vector<Category> cats_;
  TimeMs cats_loaded_at_ = -1;

  std::atomic<double> auto_dispatch_{0};
  std::mutex assist_mu_;
  std::shared_ptr<const Assistant> assistant_ = std::make_shared<Assistant>();

  std::mutex policy_mu_;
  std::shared_ptr<const SlaPolicy> policy_;
  std::atomic<bool> warn_calendar_gaps_{false};
  void WarnCalendarGaps(const Calendar& cal) const;

  std::mutex org_mu_;
  std::shared_ptr<const OrgSnapshot> org_;
  int64_t org_version_ = -1;
  TimeMs org_checked_at_ = 0;

  struct CachedSession { Actor actor; TimeMs cached_at; };
  std::mutex session_mu_;
  std::map<std::string, CachedSession> sessions_;  // token hash -> actor
  // Moved by every change to users: a lookup that read the store before the change does
  // not cache what it read.
  uint64_t sessions_epoch_ = 0;
  // After a change to users: every cached session is read from the store again.
  void ForgetCachedSessions();
  // One password check at a time per username (in this process), so each attempt counts the
  // failures of those before it; `waiting` counts the attempts holding or queued for it.
  // The password check of a login or a password change: one at a time per username,
  // failures counted toward the lock and audited (`purpose` and `from` in the entry).
  Result<User> CheckCredentials(const std::string& username, const std::string& password, const std::string& from,
                                const char* purpose);
  struct LoginGate {
    std::mutex mu;
    int waiting = 0;
  };
  std::map<std::string, std::shared_ptr<LoginGate>> login_gates_;
  // Password checks (argon2id, tens of MB each) running at once in this process: a flood of
  // logins under made-up names waits here instead of taking every worker and all memory.
  std::counting_semaphore<64> password_checks_{8};
};

}  // namespace hotline
