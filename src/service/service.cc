#include "service/service.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/pii.h"
#include "core/text.h"
#include "text/text.h"
#include "intel/insight.h"
#include "intel/sentiment.h"
#include "taxonomy/taxonomy.h"
#include <spdlog/spdlog.h>

namespace hotline {

using nlohmann::json;

namespace {
constexpr TimeMs kSessionTtlMs = 12 * kHourMs;       // one shift and a half
constexpr TimeMs kSessionCacheMs = 30 * 1000;        // account changes reach other servers within this
constexpr TimeMs kOrgRecheckMs = 1000;
constexpr size_t kMaxSessionCache = 10000;
constexpr int kMaxLoginFailures = 5;                 // per username per window
constexpr TimeMs kLoginWindowMs = Service::kLoginLockSeconds * 1000;
constexpr int kMaxLoginsWaiting = 16;               // per username at once, checked or queued
constexpr int kMaxLookupFailures = 5;                // per ticket number per window
constexpr TimeMs kLookupWindowMs = 15 * kMinuteMs;
constexpr size_t kMaxAttachmentBytes = 5u << 20;
constexpr size_t kMaxAttachmentsPerTicket = 200;  // ListAttachments' page
Status CheckPassword(const std::string& password, const std::string& username, const char* field);

// The centre a request taken in by someone of `unit` belongs to: the unit's centre, else the
// unit; an administrator outside every unit (the one `hotline init` makes) takes calls for
// the city centre, whose dispatchers can then see and handle them.
Id IntakeUnitFor(const OrgSnapshot& org, Id unit) {
  if (const Id centre = org.CentreOf(unit)) return centre;
  if (unit) return unit;
  for (const Unit& u : org.units()) {
    if (u.kind == UnitKind::kCityCenter && u.parent_id == 0) return u.id;
  }
  return 0;
}
}  // namespace

// Role × field matrix. kFull: shown plainly (and audited on the detail view);
// kRevealable: masked unless revealed on request (audited); kMasked: masked only.
FieldAccess AccessFor(Role role, const std::string& field, bool confidential) {
  const bool id = field == "id_number";
  switch (role) {
    case Role::kAgent:
    case Role::kCallbackAgent:
      if (id) return FieldAccess::kMasked;
      return confidential ? FieldAccess::kRevealable : FieldAccess::kFull;
    case Role::kUnitHandler:
      if (confidential) return FieldAccess::kHidden;
      return id ? FieldAccess::kHidden : FieldAccess::kFull;
    case Role::kAdmin:
    case Role::kSupervisor:
      return FieldAccess::kRevealable;
    case Role::kDispatcher:
    case Role::kReviewer:
      return id ? FieldAccess::kHidden : FieldAccess::kRevealable;
    case Role::kQaInspector:
      return id ? FieldAccess::kHidden : FieldAccess::kMasked;
    case Role::kAnalyst:
    case Role::kSystem:
      return FieldAccess::kHidden;
  }
  return FieldAccess::kHidden;
}

PersonalNumbers NumbersMaskedFor(Role role, bool confidential) {
  const auto masked = [&](const char* field) { return AccessFor(role, field, confidential) != FieldAccess::kFull; };
  return {.phones = masked("phone"), .ids = masked("id_number")};
}

Service::Service(Store* store, const Clock* clock, IdGenerator* ids)
    : store_(store), clock_(clock), ids_(ids),
      policy_(std::make_shared<SlaPolicy>(SlaPolicyDoc::Default(), Calendar::Default())) {
  if (Status st = ReloadPolicy(); !st.ok()) spdlog::error("SLA policy: {}; using the defaults", st.message());
}

// ---- time limits ------------------------------------------------------------------------

namespace {
const Actor kSystemActor{0, Role::kSystem, 0, "system"};
constexpr int kRecomputeBatch = 500;

// True the first time this process is told `key`: a warning about the environment (a
// calendar without next year's holidays) is logged once, not by every service a command
// opens or every policy reload.
bool FirstWarning(const std::string& key) {
  static std::mutex mu;
  static std::set<std::string> said;
  std::lock_guard lock(mu);
  return said.insert(key).second;
}
}  // namespace

std::shared_ptr<const SlaPolicy> Service::CurrentPolicy() {
  std::lock_guard lock(policy_mu_);
  return policy_;
}

Status Service::ReloadPolicy() {
  SlaPolicyDoc doc = SlaPolicyDoc::Default();
  ASSIGN_OR_RETURN(auto stored, store_->CurrentSlaPolicy());
  if (stored) {
    ASSIGN_OR_RETURN(doc, SlaPolicyDoc::FromJson(stored->second));
    doc.version = stored->first;
  }
  Calendar cal = Calendar::Default();
  bool found = doc.calendar == cal.name();
  ASSIGN_OR_RETURN(auto calendars, store_->ListCalendars());
  for (const auto& [name, json_doc] : calendars) {
    if (name != doc.calendar) continue;
    ASSIGN_OR_RETURN(cal, Calendar::FromJson(json_doc));
    found = true;
  }
  if (!found) {
    spdlog::warn("SLA policy names calendar '{}', which does not exist; counting weekends only", doc.calendar);
    cal = Calendar(doc.calendar);
  }
  auto policy = std::make_shared<SlaPolicy>(std::move(doc), std::move(cal));
  {
    std::lock_guard lock(policy_mu_);
    policy_ = policy;
  }
  if (warn_calendar_gaps_) WarnCalendarGaps(policy->calendar());
  return Status::Ok();
}

void Service::WarnCalendarGaps() {
  warn_calendar_gaps_ = true;
  WarnCalendarGaps(CurrentPolicy()->calendar());
}

void Service::WarnCalendarGaps(const Calendar& cal) const {
  const int year = YearOf(DayOf(clock_->NowMs()));
  for (int y : {year, year + 1}) {
    if (!cal.HasYear(y) && FirstWarning(cal.name() + "/" + std::to_string(y))) {
      spdlog::warn("calendar {} has no data for {}: counting weekends only", cal.name(), y);
    }
  }
}

Result<int> Service::RunSlaTick(int limit) {
  ASSIGN_OR_RETURN(auto ids, store_->DueAlarmTickets(clock_->NowMs(), limit));
  int touched = 0;
  Command tick;
  tick.type = CommandType::kSlaTick;
  for (Id id : ids) {
    auto t = Act(kSystemActor, id, tick);
    if (!t.ok()) {
      spdlog::warn("sla tick on ticket {}: {}", id, t.status().message());
      continue;
    }
    ++touched;
  }
  return touched;
}

Result<int> Service::RecomputeOpenDeadlines(const std::string& reason) {
  Command cmd;
  cmd.type = CommandType::kRecomputeDeadlines;
  cmd.reason = reason;
  int moved = 0;
  for (Id after = 0;;) {
    ASSIGN_OR_RETURN(auto ids, store_->OpenTicketIds(after, kRecomputeBatch));
    for (Id id : ids) {
      auto before = store_->GetTicket(id);
      auto after_t = Act(kSystemActor, id, cmd);
      if (after_t.ok() && before.ok() && after_t->event_seq != before->event_seq) ++moved;
    }
    if (ids.size() < static_cast<size_t>(kRecomputeBatch)) break;
    after = ids.back();
  }
  return moved;
}

Result<int> Service::PutCalendar(const Actor& a, const std::string& json_doc) {
  RETURN_IF_ERROR(NeedAdmin(a));
  ASSIGN_OR_RETURN(Calendar cal, Calendar::FromJson(json_doc));
  // The name is part of its API path (/calendars/{name}): checked when saving, so one
  // stored before this rule still loads.
  if (!std::all_of(cal.name().begin(), cal.name().end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
      })) {
    return InvalidArgument("name", "a calendar's name holds only letters, digits, '_', '.' and '-'");
  }
  // What is stored must load again at the next start, or the policy using it falls back.
  const std::string doc = cal.ToJson();
  if (auto back = Calendar::FromJson(doc); !back.ok()) return Internal("calendar does not read back: " + back.status().message());
  // A 调休 day is a weekend day worked; a weekday listed so is a slip (a date typed wrong).
  std::string summary;
  for (int year : cal.Years()) {
    const Calendar::Year* y = cal.FindYear(year);
    for (Day d : y->workdays) {
      if (WeekdayOf(d) <= 5) {
        return InvalidArgument("years." + std::to_string(year) + ".workdays",
                               FormatDay(d) + " is a weekday, worked anyway; a 调休 workday is a Saturday or Sunday");
      }
    }
    summary += (summary.empty() ? "" : "; ") + std::to_string(year) + ": " + std::to_string(y->holidays.size()) +
               " holidays, " + std::to_string(y->workdays.size()) + " workdays";
  }
  RETURN_IF_ERROR(store_->PutCalendar(cal.name(), doc));
  (void)Audit(a, "calendar_update", "calendar:" + cal.name(), summary);
  RETURN_IF_ERROR(ReloadPolicy());
  if (CurrentPolicy()->calendar().name() != cal.name()) return 0;  // not the calendar in force
  return RecomputeOpenDeadlines("工作日历 " + cal.name() + " 已调整");
}

std::vector<Calendar> Service::Calendars() {
  std::vector<Calendar> out;
  bool has_default = false;
  if (auto stored = store_->ListCalendars(); stored.ok()) {
    for (const auto& [name, doc] : *stored) {
      if (auto c = Calendar::FromJson(doc); c.ok()) {
        has_default = has_default || name == Calendar::Default().name();
        out.push_back(std::move(c).value());
      }
    }
  }
  if (!has_default) out.insert(out.begin(), Calendar::Default());
  return out;
}

Result<std::string> Service::SlaPolicyJson(int version) {
  const auto current = CurrentPolicy();
  if (version == 0 || version == current->doc().version) return current->doc().ToJson();
  ASSIGN_OR_RETURN(auto stored, store_->SlaPolicyAt(version));
  // The built-in policy is version 1 and is never stored: the first one saved is version 2.
  if (!stored && version == SlaPolicyDoc::Default().version) return SlaPolicyDoc::Default().ToJson();
  if (!stored) {
    return Status(Code::kNotFound, "version: no SLA policy version " + std::to_string(version) + " (the one in force is " +
                                       std::to_string(current->doc().version) + ")", "version");
  }
  ASSIGN_OR_RETURN(SlaPolicyDoc doc, SlaPolicyDoc::FromJson(*stored));
  doc.version = version;
  return doc.ToJson();
}

namespace {
// A prefix stored before prefixes had to be whole codes is kept through other edits while
// it still begins some category of the current taxonomy (one that begins none matches nothing).
bool StillBeginsACategory(Store& store, const std::string& prefix) {
  auto version = store.CurrentTaxonomyVersion();
  if (!version.ok()) return false;
  auto cats = store.ListCategories(*version);
  return cats.ok() && std::any_of(cats->begin(), cats->end(), [&](const Category& c) { return CodeHasPrefix(c.code, prefix); });
}
}  // namespace

Result<int> Service::PutSlaPolicy(const Actor& a, const std::string& json_doc) {
  RETURN_IF_ERROR(NeedAdmin(a));
  ASSIGN_OR_RETURN(SlaPolicyDoc doc, SlaPolicyDoc::FromJson(json_doc));
  RETURN_IF_ERROR(doc.CheckLimits());
  // As dispatch rules: a prefix is a whole category code (one the current policy holds
  // already, that still begins some category, is kept as it was stored).
  const auto current = CurrentPolicy();
  const auto kept = [&](const std::string& prefix) {
    const auto& rules = current->doc().rules;
    return std::any_of(rules.begin(), rules.end(), [&](const SlaRule& r) { return r.category_prefix == prefix; }) &&
           StillBeginsACategory(*store_, prefix);
  };
  for (size_t i = 0; i < doc.rules.size(); ++i) {
    if (doc.rules[i].category_prefix.empty() || kept(doc.rules[i].category_prefix)) continue;
    RETURN_IF_ERROR(
        CheckCategory("rules[" + std::to_string(i) + "].category_prefix", doc.rules[i].category_prefix, true).status());
  }
  // A calendar that is not there would count weekends only: holidays and 调休 lost silently.
  const auto calendars = Calendars();
  if (std::none_of(calendars.begin(), calendars.end(), [&](const Calendar& c) { return c.name() == doc.calendar; })) {
    std::string names;
    for (const auto& c : calendars) names += (names.empty() ? "" : ", ") + c.name();
    return InvalidArgument("calendar", "no calendar named '" + doc.calendar + "' (there are: " + names + ")");
  }
  // New assignments get the new rules; open ones keep the version they were given.
  // The version replaced, as stored (another server may have saved one this one has not loaded).
  SlaPolicyDoc before = SlaPolicyDoc::Default();
  ASSIGN_OR_RETURN(auto stored, store_->CurrentSlaPolicy());
  if (stored) {
    ASSIGN_OR_RETURN(before, SlaPolicyDoc::FromJson(stored->second));
    before.version = stored->first;
  }
  ASSIGN_OR_RETURN(int version, store_->PutSlaPolicy(doc.ToJson()));
  // What the entry says: the calendar and how many rules, against the version it replaced
  // (GET /sla-policies?version= shows either whole).
  (void)Audit(a, "sla_policy_update", "sla_policy:" + std::to_string(version),
              "calendar " + doc.calendar + ", " + std::to_string(doc.rules.size()) + " rules, warning at " +
                  std::to_string(doc.warning_pct) + "% (version " + std::to_string(before.version) + ": calendar " +
                  before.calendar + ", " + std::to_string(before.rules.size()) + " rules)");
  RETURN_IF_ERROR(ReloadPolicy());
  return version;
}

Result<std::vector<UnitSlaStats>> Service::SlaStats(const Actor& a, TimeMs from, TimeMs to, const std::string& category) {
  if (a.role == Role::kUnitHandler) return PermissionDenied("unit handlers see their own orders, not rankings");
  if (to <= from || to - from > 400 * kDayMs) return InvalidArgument("to", "the period must be 1 ms to 400 days long");
  ASSIGN_OR_RETURN(auto rows, store_->SlaStats(from, to, clock_->NowMs(), category));
  auto org = Org();
  const Id centre = org->CentreOf(a.unit_id);
  // Handling units only, as the dashboard's and the reports' 按时办结率 count them: a centre's
  // row is the orders it relayed, whose replies are its streets' passed up, so the table would
  // grade it on their work and sum to more than the headline.
  std::vector<UnitSlaStats> out;
  for (const auto& r : rows) {
    const Unit* u = org->FindUnit(r.unit_id);
    if (u && IsCentre(u->kind)) continue;
    if (a.role == Role::kAdmin || org->InSubtree(r.unit_id, centre)) out.push_back(r);
  }
  return out;
}

// ---- auth -------------------------------------------------------------------------------

Result<User> Service::CheckCredentials(const std::string& username, const std::string& password,
                                       const std::string& from, const char* purpose) {
  // Failures are kept in the database, so every server sharing it (and a restarted one)
  // counts them. Attempts for one username take turns at the (slow) password check, each
  // counting the failures before it: guesses sent in parallel cannot all pass the count,
  // and a user logging in from several tabs at once is not taken for a guesser.
  std::shared_ptr<LoginGate> gate;
  {
    std::lock_guard lock(session_mu_);
    auto& g = login_gates_[username];
    if (!g) g = std::make_shared<LoginGate>();
    if (g->waiting >= kMaxLoginsWaiting) {
      return Status(Code::kResourceExhausted, "too many logins at once for this user; try again in a moment");
    }
    ++g->waiting;
    gate = g;
  }
  struct Leave {
    Service* s;
    const std::string& name;
    ~Leave() {
      std::lock_guard lock(s->session_mu_);
      auto it = s->login_gates_.find(name);
      if (it != s->login_gates_.end() && --it->second->waiting <= 0) s->login_gates_.erase(it);
    }
  } leave{this, username};
  std::lock_guard turn(gate->mu);
  if (!password_checks_.try_acquire_for(std::chrono::seconds(20))) {
    return Status(Code::kResourceExhausted, "the server is busy checking other logins; try again in a moment");
  }
  struct Release {
    std::counting_semaphore<64>& s;
    ~Release() { s.release(); }
  } release{password_checks_};
  const TimeMs now = clock_->NowMs();
  const std::string failure_key = "login:" + username;
  // The attempt is counted as failed before the check and taken back if it succeeds: the
  // count and this attempt's place in it are one write, so servers sharing the database
  // cannot each let a sixth guess through.
  ASSIGN_OR_RETURN(const int counted, store_->RecordLookupFailure(failure_key, now, kLoginWindowMs));
  if (counted > kMaxLoginFailures) {
    (void)store_->ForgetLookupFailure(failure_key, now);  // refused unchecked: not a guess to count
    return Status(Code::kResourceExhausted, "too many failed logins for this user; wait 5 minutes");
  }
  auto user = store_->FindUserByName(username);
  const bool usable = user.ok() && user->active;
  // An unknown or disabled account pays the same argon2id check as a usable one, against a
  // decoy hash, so how long a failed login takes does not tell which usernames exist.
  static const std::string decoy = [] {
    auto h = HashPassword(RandomHex(16));
    return h.ok() ? *h : std::string();
  }();
  const bool ok = VerifyPassword(usable ? user->password_hash : decoy, password) && usable;
  if (ok) (void)store_->ForgetLookupFailure(failure_key, now);
  if (!ok) {
    // Recorded for unknown names too: the same write either way, and the attempts on record,
    // with where they came from. Not what was typed, though: a password typed into the
    // username field would be kept. The guess that locks the account says so.
    std::string detail = user.ok() ? "" : std::to_string(Utf8Length(username)) + " characters";
    const auto add = [&](const std::string& part) { detail += (detail.empty() ? "" : ", ") + part; };
    if (std::string_view(purpose) != "login") add(purpose);
    if (!from.empty()) add("from " + from);
    if (counted == kMaxLoginFailures) {
      add("locked: " + std::to_string(kMaxLoginFailures) + " failures within " + std::to_string(kLoginLockSeconds / 60) +
          " minutes");
    }
    (void)store_->AppendAudit({0, now, user.ok() ? user->id : 0, "login_failed",
                               user.ok() ? "user:" + IdToString(user->id) : "username:(unknown)", detail});
    return Status(Code::kUnauthenticated, "wrong username or password");
  }
  return std::move(user).value();
}

void Service::ForgetCachedSessions() {
  std::lock_guard lock(session_mu_);
  sessions_.clear();
  ++sessions_epoch_;
}

Result<std::string> Service::Login(const std::string& username, const std::string& password, const std::string& from) {
  ASSIGN_OR_RETURN(const User user, CheckCredentials(username, password, from, "login"));
  const std::string token = RandomHex(32);
  const TimeMs now = clock_->NowMs();
  RETURN_IF_ERROR(store_->CreateSession(DigestHex(token), user.id, now + kSessionTtlMs));
  (void)store_->AppendAudit({0, now, user.id, "login", "user:" + IdToString(user.id), from.empty() ? "" : "from " + from});
  return token;
}

Result<std::string> Service::ChangeOwnPassword(const Actor& a, const std::string& current, const std::string& next,
                                               const std::string& from) {
  if (a.user_id == 0) return PermissionDenied("only a signed-in user changes their own password");
  ASSIGN_OR_RETURN(const User me, store_->GetUser(a.user_id));
  // The current password is checked as a login is: counted, so a session left open is no
  // way around the lock to guess it.
  auto checked = CheckCredentials(me.username, current, from, "password change");
  if (!checked.ok()) {
    if (checked.status().code() == Code::kUnauthenticated) return InvalidArgument("current_password", "is not your password");
    return checked.status();
  }
  if (next == current) return InvalidArgument("new_password", "is the current password");
  RETURN_IF_ERROR(CheckPassword(next, me.username, "new_password"));
  ASSIGN_OR_RETURN(const std::string hash, HashPassword(next));
  // Every session of the user ends (a stolen one with it); this one goes on under a new token.
  RETURN_IF_ERROR(store_->UpdatePassword(me.id, hash));
  ForgetCachedSessions();
  const std::string token = RandomHex(32);
  const TimeMs now = clock_->NowMs();
  RETURN_IF_ERROR(store_->CreateSession(DigestHex(token), me.id, now + kSessionTtlMs));
  (void)Audit(a, "password_changed", "user:" + IdToString(me.id), from.empty() ? "" : "from " + from);
  return token;
}

Result<Actor> Service::Authenticate(const std::string& token) {
  if (token.empty() || token.size() > 200) return Status(Code::kUnauthenticated, "a bearer token is required");
  const std::string h = DigestHex(token);
  const TimeMs now = clock_->NowMs();
  uint64_t epoch = 0;
  std::optional<Actor> cached;
  {
    std::lock_guard lock(session_mu_);
    auto it = sessions_.find(h);
    if (it != sessions_.end() && now - it->second.cached_at < kSessionCacheMs) cached = it->second.actor;
    epoch = sessions_epoch_;
  }
  // The session itself is read every time (one indexed row): a logout on any server ends it
  // everywhere at once. The account behind it (role, unit, enabled) is what is cached.
  auto session = store_->FindSession(h, now);
  if (!session.ok()) {
    if (cached) {
      std::lock_guard lock(session_mu_);
      sessions_.erase(h);
    }
    return session.status();
  }
  const Id user_id = *session;
  if (cached && cached->user_id == user_id) return *cached;
  ASSIGN_OR_RETURN(User u, store_->GetUser(user_id));
  if (!u.active) return Status(Code::kUnauthenticated, "the account is disabled");
  Actor a{u.id, u.role, u.unit_id, u.username};
  std::lock_guard lock(session_mu_);
  if (epoch != sessions_epoch_) return a;  // a user changed meanwhile: the next request reads again
  if (sessions_.size() >= kMaxSessionCache) sessions_.clear();
  sessions_[h] = {a, now};
  return a;
}

Status Service::Logout(const std::string& token) {
  const std::string h = DigestHex(token);
  {
    std::lock_guard lock(session_mu_);
    sessions_.erase(h);
  }
  return store_->DeleteSession(h);
}

// ---- organisation -----------------------------------------------------------------------

std::shared_ptr<const OrgSnapshot> Service::Org() {
  const TimeMs now = clock_->NowMs();
  std::lock_guard lock(org_mu_);
  if (org_ && now - org_checked_at_ < kOrgRecheckMs && now >= org_checked_at_) return org_;
  auto v = store_->OrgVersion();
  org_checked_at_ = now;
  if (org_ && v.ok() && *v == org_version_) return org_;
  auto snap = store_->LoadOrg();
  if (snap.ok()) {
    org_ = std::make_shared<const OrgSnapshot>(std::move(snap).value());
    org_version_ = v.ok() ? *v : -1;
    // The version also moves with the calendars and the SLA policy: one saved by another
    // server or by the CLI (calendar import) is in force here within a recheck.
    if (Status st = ReloadPolicy(); !st.ok()) spdlog::error("SLA policy: {}; keeping the one in force", st.message());
  } else if (!org_) {
    org_ = std::make_shared<const OrgSnapshot>();
  }
  return org_;
}

KbService Service::Kb() {
  auto org = Org();
  std::lock_guard lock(kb_places_mu_);
  if (org != kb_places_org_) {
    kb_places_ = std::make_shared<const KbPlaces>(KbPlacesOf(*org));
    kb_places_org_ = std::move(org);
  }
  return KbService(store_, clock_, &kb_postings_, kb_places_);
}

void Service::InvalidateOrg() {
  std::lock_guard lock(org_mu_);
  org_checked_at_ = 0;
  org_version_ = -1;
}

Status Service::NeedAdmin(const Actor& a) const {
  if (a.role == Role::kAdmin || a.role == Role::kSystem) return Status::Ok();
  return PermissionDenied("only an administrator may change the organisation and users");
}

// (A name taken, or a rule rivalling another, is refused by the store in the write itself:
// checked against a snapshot here, two sent at once would both pass.)

Result<Unit> Service::CreateUnit(const Actor& a, Unit u) {
  RETURN_IF_ERROR(NeedAdmin(a));
  u.name = Trim(u.name);
  auto r = store_->CreateUnit(std::move(u));
  InvalidateOrg();
  if (r.ok()) (void)Audit(a, "unit_created", "unit:" + IdToString(r->id), r->name);
  return r;
}

Result<Area> Service::CreateArea(const Actor& a, Area area) {
  RETURN_IF_ERROR(NeedAdmin(a));
  area.name = Trim(area.name);
  area.aliases = CleanAliases(area.aliases, area.name);
  RETURN_IF_ERROR(CheckAreaParent(*Org(), area));
  RETURN_IF_ERROR(CheckAreaAliases(*Org(), area));
  auto r = store_->CreateArea(std::move(area));
  InvalidateOrg();
  if (r.ok()) (void)Audit(a, "area_created", "area:" + IdToString(r->id), r->name);
  return r;
}

Result<int> Service::CheckCategory(const std::string& field, const std::string& code, bool prefix, bool in_use) {
  ASSIGN_OR_RETURN(int version, store_->CurrentTaxonomyVersion());
  ASSIGN_OR_RETURN(auto cats, store_->ListCategories(version));
  // A prefix is a whole category's code too (02 for 02xx): '2', a code whose leading zero a
  // spreadsheet dropped, begins 20–29 and would send all of them to the unit meant for 02.
  const auto has = [&](const std::string& c) {
    return std::any_of(cats.begin(), cats.end(), [&](const Category& k) { return k.code == c; });
  };
  auto it = std::find_if(cats.begin(), cats.end(), [&](const Category& c) { return c.code == code; });
  if (it == cats.end()) {
    std::string why = "'" + code + "' is not a category code of the current taxonomy";
    if (prefix) why += " (a prefix names a whole category: its code, which its subcategories' codes begin)";
    if (has("0" + code)) why += "; did a spreadsheet drop the leading zero of '0" + code + "'?";
    return InvalidArgument(field, why);
  }
  if (in_use && !prefix && !it->active) return InvalidArgument(field, "'" + code + "' " + it->name + " is retired");
  return version;
}

namespace {
// A rule as the audit log says it: 0104 望江街道 → 市城管局 (+ 市住建局), priority 10.
std::string RuleText(const OrgSnapshot& org, const DispatchRule& r) {
  const auto unit = [&](Id id) {
    const Unit* u = org.FindUnit(id);
    return u ? u->name : IdToString(id);
  };
  std::string out = (r.category_prefix.empty() ? std::string("(all categories)") : r.category_prefix);
  if (r.area_id) {
    const Area* area = org.FindArea(r.area_id);
    out += " " + (area ? area->name : IdToString(r.area_id));
  }
  out += " -> " + unit(r.lead_unit_id);
  for (Id id : r.assisting_unit_ids) out += " + " + unit(id);
  return out + ", priority " + std::to_string(r.priority);
}

// A rule sending orders to a unit out of use would match nothing, in silence.
Status RuleUnitsInUse(const OrgSnapshot& org, const DispatchRule& r) {
  const auto check = [&](Id id, const std::string& field) -> Status {
    const Unit* u = org.FindUnit(id);
    if (u && !u->active) return InvalidArgument(field, "unit " + u->name + " is out of use");
    return Status::Ok();
  };
  RETURN_IF_ERROR(check(r.lead_unit_id, "lead_unit_id"));
  for (size_t i = 0; i < r.assisting_unit_ids.size(); ++i) {
    RETURN_IF_ERROR(check(r.assisting_unit_ids[i], "assisting_unit_ids[" + std::to_string(i) + "]"));
  }
  return Status::Ok();
}
}  // namespace

Result<DispatchRule> Service::CreateDispatchRule(const Actor& a, DispatchRule r) {
  RETURN_IF_ERROR(NeedAdmin(a));
  // A prefix of some category of the current taxonomy (01, 0104, ...), or empty for all.
  if (!r.category_prefix.empty()) RETURN_IF_ERROR(CheckCategory("category_prefix", r.category_prefix, true).status());
  RETURN_IF_ERROR(RuleUnitsInUse(*Org(), r));
  auto out = store_->CreateDispatchRule(std::move(r));
  InvalidateOrg();
  if (out.ok()) (void)Audit(a, "dispatch_rule_created", "dispatch_rule:" + IdToString(out->id), RuleText(*Org(), *out));
  return out;
}

Result<DispatchRule> Service::ReplaceDispatchRule(const Actor& a, DispatchRule r) {
  RETURN_IF_ERROR(NeedAdmin(a));
  const auto org = Org();
  const auto& rules = org->rules();
  auto old = std::find_if(rules.begin(), rules.end(), [&](const DispatchRule& o) { return o.id == r.id; });
  if (old == rules.end()) return NotFound("no dispatch rule with id " + IdToString(r.id));
  // A prefix kept as it was stored is not judged again (one saved before prefixes had to be
  // whole codes can still have its priority or units edited).
  if (!r.category_prefix.empty() && (r.category_prefix != old->category_prefix || !StillBeginsACategory(*store_, r.category_prefix))) {
    RETURN_IF_ERROR(CheckCategory("category_prefix", r.category_prefix, true).status());
  }
  RETURN_IF_ERROR(RuleUnitsInUse(*org, r));
  RETURN_IF_ERROR(store_->ReplaceDispatchRule(r));
  InvalidateOrg();
  (void)Audit(a, "dispatch_rule_updated", "dispatch_rule:" + IdToString(r.id), RuleText(*org, *old) + " => " + RuleText(*org, r));
  return r;
}

Status Service::DeleteDispatchRule(const Actor& a, Id rule_id) {
  RETURN_IF_ERROR(NeedAdmin(a));
  const auto org = Org();  // what the rule was, for the audit: once deleted, nothing else says
  const auto& rules = org->rules();
  auto gone = std::find_if(rules.begin(), rules.end(), [&](const DispatchRule& o) { return o.id == rule_id; });
  Status st = store_->DeleteDispatchRule(rule_id);
  InvalidateOrg();
  RETURN_IF_ERROR(st);
  (void)Audit(a, "dispatch_rule_deleted", "dispatch_rule:" + IdToString(rule_id), gone == rules.end() ? "" : RuleText(*org, *gone));
  return Status::Ok();
}

Result<int> Service::AddCategory(const Actor& a, Category c) {
  RETURN_IF_ERROR(NeedAdmin(a));
  c.name = TrimInvisible(c.name);
  RETURN_IF_ERROR(CheckCategoryName(c));
  auto version = store_->AddCategory(c);
  if (version.ok()) {
    (void)Audit(a, "category_created", "category:" + c.code,
                c.name + (c.parent_code.empty() ? "" : " under " + c.parent_code) + ", taxonomy version " +
                    std::to_string(*version));
  }
  return version;
}

Status CheckUsername(const std::string& username, const char* field) {
  const bool control = HasAsciiControl(username) || username.find(' ') != std::string::npos;
  if (username.empty() || username.size() > 64 || !IsValidUtf8(username) || control) {
    return InvalidArgument(field, "must be 1-64 characters without spaces or control characters");
  }
  return Status::Ok();
}

namespace {

// At least 8 characters, and none of what a guesser tries first: the username itself, one
// character over and over, or one of the commonest passwords.
Status CheckPassword(const std::string& password, const std::string& username, const char* field) {
  // (characters at least, as a person counts them; bytes at most, as a login reads them)
  if (Utf8Length(password) < 8) return InvalidArgument(field, "must be at least 8 characters");
  if (password.size() > 200) return InvalidArgument(field, "must be at most 200 bytes");
  const std::string lower = AsciiLower(password);
  if (lower == AsciiLower(username)) return InvalidArgument(field, "must not be the username");
  size_t i = 0;
  const char32_t first = NextCodePoint(password, i);
  bool repeated = true;
  while (i < password.size() && repeated) repeated = NextCodePoint(password, i) == first;
  if (repeated) return InvalidArgument(field, "must not be one character repeated");
  static const std::set<std::string> kCommon = {
      "password", "password1", "password123", "passw0rd", "12345678", "123456789", "1234567890", "87654321",
      "11223344", "12341234", "12344321", "qwertyui", "qwerty123", "qwerty12", "1qaz2wsx", "1q2w3e4r", "abc12345",
      "abcd1234", "a1234567", "aa123456", "admin123", "admin1234", "iloveyou", "5201314520", "woaini1314",
      "asdfghjk", "zxcvbnm1", "123qweasd", "qweasdzxc", "12qwaszx", "p@ssw0rd", "welcome1", "changeme"};
  if (kCommon.count(lower)) return InvalidArgument(field, "is one of the commonest passwords");
  return Status::Ok();
}

// Agents and dispatchers work for a centre; unit handlers for a handling unit (a handler
// placed at a centre would see the centre's whole subtree).
Status CheckRoleUnit(const OrgSnapshot& org, Role role, Id unit_id) {
  const Unit* unit = org.FindUnit(unit_id);
  if (!unit) return Status::Ok();  // the store refuses a unit that does not exist
  if (!unit->active) return InvalidArgument("unit_id", "unit " + unit->name + " is out of use");
  const bool centre = IsCentre(unit->kind);
  if ((role == Role::kAgent || role == Role::kDispatcher) && !centre) {
    return InvalidArgument("unit_id", std::string("a ") + RoleName(role) + " belongs to a centre, not to " +
                                          UnitKindName(unit->kind) + " " + unit->name);
  }
  if (role == Role::kUnitHandler && centre) {
    return InvalidArgument("unit_id", std::string("a unit_handler belongs to a handling unit, not to ") +
                                          UnitKindName(unit->kind) + " " + unit->name);
  }
  return Status::Ok();
}

// A display name is what the history and the audit log show for the person.
Status CheckDisplayName(const std::string& name) {
  if (HasAsciiControl(name)) return InvalidArgument("display_name", "must not hold control characters");
  return Status::Ok();
}

}  // namespace

Result<User> Service::CreateUser(const Actor& a, User u, const std::string& password) {
  RETURN_IF_ERROR(NeedAdmin(a));
  RETURN_IF_ERROR(CheckUsername(u.username));
  RETURN_IF_ERROR(CheckDisplayName(u.display_name));
  RETURN_IF_ERROR(CheckPassword(password, u.username, "password"));
  RETURN_IF_ERROR(CheckRoleUnit(*Org(), u.role, u.unit_id));
  // Agent1 beside agent1 (or ADMIN beside admin) would read as the same person in every
  // history and audit entry: a name differing only in case is taken.
  ASSIGN_OR_RETURN(auto users, store_->ListUsers());
  for (const auto& other : users) {
    if (other.username != u.username && AsciiLower(other.username) == AsciiLower(u.username)) {
      return Status(Code::kConflict, "username: " + u.username + " differs from the existing " + other.username +
                                         " only in case", "username");
    }
  }
  ASSIGN_OR_RETURN(u.password_hash, HashPassword(password));
  auto made = store_->CreateUser(std::move(u));
  if (made.ok()) (void)Audit(a, "user_created", "user:" + IdToString(made->id), std::string("role ") + RoleName(made->role));
  return made;
}

Result<Unit> Service::UpdateUnit(const Actor& a, Id unit_id, const UnitChange& change) {
  RETURN_IF_ERROR(NeedAdmin(a));
  const auto org = Org();  // held: FindUnit points into this snapshot
  const Unit* found = org->FindUnit(unit_id);
  if (!found) return NotFound("no unit with id " + IdToString(unit_id));
  Unit u = *found;
  if (change.name) u.name = Trim(*change.name);
  if (change.phone) u.phone = Trim(*change.phone);
  if (change.active) u.active = *change.active;
  if (!u.active && u.parent_id == 0) return InvalidArgument("active", "the city centre cannot be made inactive");
  RETURN_IF_ERROR(store_->UpdateUnit(u));
  InvalidateOrg();
  std::string what;
  if (change.name) what += " name";
  if (change.phone) what += " phone";
  if (change.active) what += *change.active ? " active" : " inactive";
  (void)Audit(a, "unit_updated", "unit:" + IdToString(u.id), Trim(what));
  return u;
}

Result<Area> Service::UpdateArea(const Actor& a, Id area_id, const AreaChange& change) {
  RETURN_IF_ERROR(NeedAdmin(a));
  const auto org = Org();  // held: FindArea points into this snapshot
  const Area* found = org->FindArea(area_id);
  if (!found) return NotFound("no area with id " + IdToString(area_id));
  Area area = *found;
  if (change.name) area.name = Trim(*change.name);
  if (change.aliases) area.aliases = CleanAliases(*change.aliases, area.name);
  // Checked when they change: an area whose words a later edit of another made clash can
  // still be renamed in other respects.
  if (area.name != found->name || area.aliases != found->aliases) RETURN_IF_ERROR(CheckAreaAliases(*org, area));
  RETURN_IF_ERROR(store_->UpdateArea(area));
  InvalidateOrg();
  (void)Audit(a, "area_updated", "area:" + IdToString(area.id),
              Trim(std::string(change.name ? " name" : "") + (change.aliases ? " aliases" : "")));
  return area;
}

Result<std::pair<Category, int>> Service::UpdateCategory(const Actor& a, const std::string& code,
                                                        const CategoryChange& change) {
  RETURN_IF_ERROR(NeedAdmin(a));
  Category edited;
  std::string what;  // for the audit: the old and new name, what retiring took with it
  ASSIGN_OR_RETURN(int version, store_->EditTaxonomy([&](std::vector<Category>& cats) -> Status {
    auto it = std::find_if(cats.begin(), cats.end(), [&](const Category& c) { return c.code == code; });
    if (it == cats.end()) return NotFound("no category '" + code + "' in the current taxonomy");
    what.clear();
    if (change.name) {
      what = "name " + it->name + " -> " + TrimInvisible(*change.name);
      it->name = TrimInvisible(*change.name);
      RETURN_IF_ERROR(CheckCategoryName(*it));
    }
    const bool active_after = change.active ? *change.active : it->active;
    if (active_after && (change.name || change.active)) RETURN_IF_ERROR(SiblingNameFree(cats, *it));
    if (change.active && *change.active && !it->parent_code.empty()) {
      auto parent = std::find_if(cats.begin(), cats.end(), [&](const Category& c) { return c.code == it->parent_code; });
      if (parent != cats.end() && !parent->active) {
        return InvalidArgument("active", "its parent " + parent->code + " " + parent->name + " is retired");
      }
    }
    if (change.active) {
      // Retiring retires the subtree; re-activating brings back this category alone.
      it->active = *change.active;
      std::set<std::string> subtree{code};
      size_t retired_below = 0;
      for (bool grew = !*change.active; grew;) {
        grew = false;
        for (auto& c : cats) {
          if (subtree.count(c.parent_code) && subtree.insert(c.code).second) {
            retired_below += c.active;
            c.active = false, grew = true;
          }
        }
      }
      what += std::string(what.empty() ? "" : ", ") + (*change.active ? "active" : "retired") +
              (retired_below ? " with " + std::to_string(retired_below) + " subcategories" : "");
    }
    edited = *std::find_if(cats.begin(), cats.end(), [&](const Category& c) { return c.code == code; });
    return Status::Ok();
  }, "edit " + code));
  (void)Audit(a, "category_updated", "category:" + code, what + ", taxonomy version " + std::to_string(version));
  return std::make_pair(edited, version);
}

Result<User> Service::UpdateUser(const Actor& a, Id user_id, const UserChange& change) {
  RETURN_IF_ERROR(NeedAdmin(a));
  ASSIGN_OR_RETURN(User u, store_->GetUser(user_id));
  const User was = u;
  if (change.display_name) {
    u.display_name = Trim(*change.display_name);
    RETURN_IF_ERROR(CheckDisplayName(u.display_name));
  }
  if (change.role) u.role = *change.role;
  if (change.unit_id) u.unit_id = *change.unit_id;
  if (change.active) u.active = *change.active;
  if (u.id == a.user_id && !u.active) return InvalidArgument("active", "you cannot disable your own account");
  if (u.id == a.user_id && u.role != Role::kAdmin) {
    return InvalidArgument("role", "you cannot take the administrator role from yourself");
  }
  if (u.role != was.role || u.unit_id != was.unit_id) RETURN_IF_ERROR(CheckRoleUnit(*Org(), u.role, u.unit_id));
  if (change.password) {
    RETURN_IF_ERROR(CheckPassword(*change.password, u.username, "password"));
    ASSIGN_OR_RETURN(u.password_hash, HashPassword(*change.password));
  }
  RETURN_IF_ERROR(store_->UpdateUser(u));
  ForgetCachedSessions();  // they carry the old role and unit
  std::string what;
  if (u.display_name != was.display_name) what += " display_name";
  if (u.role != was.role) what += std::string(" role ") + RoleName(was.role) + "->" + RoleName(u.role);
  if (u.unit_id != was.unit_id) what += " unit " + IdToString(was.unit_id) + "->" + IdToString(u.unit_id);
  if (u.active != was.active) what += u.active ? " enabled" : " disabled";
  if (change.password) what += " password";
  (void)Audit(a, "user_updated", "user:" + IdToString(u.id), Trim(what));
  return u;
}

// ---- tickets ----------------------------------------------------------------------------

Result<CreatedTicket> Service::CreateTicket(const Actor& a, TicketInput in, const std::string& idempotency_key) {
  if (!(a.role == Role::kAdmin || a.role == Role::kAgent || a.role == Role::kDispatcher ||
        a.role == Role::kSystem)) {
    return PermissionDenied(std::string("role ") + RoleName(a.role) + " may not take requests");
  }
  if (idempotency_key.size() > 200) return InvalidArgument("Idempotency-Key", "at most 200 characters");
  // What a retry must repeat for its key to replay the ticket: the request as given, under
  // the store's keyed hash (it holds personal data, which is stored only encrypted).
  const std::string request_digest =
      idempotency_key.empty()
          ? std::string()
          : store_->PhoneHash(json{in.channel, in.request_type, in.urgency, in.title, in.content, in.address,
                                   in.category_code, in.area_id, in.confidential, in.tags, in.citizen.kind,
                                   in.citizen.name, in.citizen.phone, in.citizen.id_number, in.citizen.org_name,
                                   in.citizen.credit_code}
                                  .dump(-1, ' ', false, json::error_handler_t::replace));
  auto org = Org();
  const TimeMs now = clock_->NowMs();
  Ticket t;
  t.id = ids_->Next();
  t.query_code = RandomCode(8);
  t.channel = in.channel;
  t.request_type = in.request_type;
  t.urgency = in.urgency;
  t.title = in.title;
  t.content = in.content;
  t.address = in.address;
  t.confidential = in.confidential;
  t.tags = in.tags;
  t.created_by = a.user_id;
  t.created_at = t.updated_at = now;
  t.intake_unit_id = IntakeUnitFor(*org, a.unit_id);
  if (in.area_id) {
    if (!org->FindArea(in.area_id)) return InvalidArgument("area_id", "no area with id " + IdToString(in.area_id));
    t.area_id = in.area_id;
  } else {
    t.area_id = org->ResolveArea(in.address);
  }
  if (!in.category_code.empty()) {
    ASSIGN_OR_RETURN(int version, CheckCategory("category_code", in.category_code, false, true));
    t.category_code = in.category_code;
    t.taxonomy_version = version;
  }
  const auto shingles = intel::Shingles(t.title + "\n" + t.content);
  const auto bands = intel::LshBands(shingles);
  json sug = json::object();  // the proposal, kept for the alerts and auto-dispatch below
  json city_duplicates = json::array();
  if (auto cats = Categories(); cats.ok()) {
    sug = CurrentAssistant()->Suggest(t, *org, *cats, *store_);
    // The matter is the city's (three callers through three district centres are three
    // callers); the agent is shown those it may open.
    if (auto dups = NearDuplicates(kSystemActor, t, shingles, bands, kDuplicatesRead); dups.ok() && !dups->empty()) {
      json mine = json::array();
      const auto org_now = Org();
      for (const auto& d : *dups) {
        if (city_duplicates.size() < kDuplicatesShown) city_duplicates.push_back(d);
        if (mine.size() >= kDuplicatesShown) continue;
        auto x = store_->GetTicket(ParseId(d.value("ticket_id", "")).value_or(0));
        if (x.ok() && CanView(*x, a, *org_now)) mine.push_back(d);
      }
      if (!mine.empty()) sug["duplicates"] = std::move(mine);
    }
    t.suggestions = sug.dump();
  } else {
    spdlog::warn("no proposal for a new ticket: {}", cats.status().message());
  }
  NewTicket nt;
  nt.lsh_bands = bands;
  nt.hotspot_features = intel::EncodeFeatures(intel::HotspotFeatures(t.title, t.title + "\n" + t.content));
  nt.requester = in.citizen;
  nt.first_contact = Contact{ids_->Next(), t.id, in.channel, "intake", in.content, 0, a.user_id, now};
  json data = {{"channel", t.channel}, {"request_type", t.request_type}, {"urgency", t.urgency},
               {"category_code", t.category_code}, {"area_id", IdToString(t.area_id)}};
  nt.created_event = MakeEvent(t, "created", a, now, ids_, data.dump(), true);
  nt.ticket = std::move(t);
  if (!idempotency_key.empty()) {
    nt.idempotency_key = IdToString(a.user_id) + ":" + idempotency_key;
    nt.request_digest = request_digest;
  }
  ASSIGN_OR_RETURN(auto created, store_->CreateTicket(std::move(nt)));
  if (!created.replayed) {
    RaiseIntakeAlerts(created.ticket, in.citizen.phone, sug, city_duplicates);
    const double threshold = auto_dispatch_.load();
    if (threshold > 0 && sug.contains("category") && sug["category"].contains("code") && !sug.contains("emergency") &&
        sug.contains("units") && !sug["units"].empty() && !sug["category"].value("abstain", true) &&
        sug["category"].value("confidence", 0.0) >= threshold) {
      Command cmd;
      cmd.type = CommandType::kDispatch;
      cmd.unit_id = ParseId(sug["units"][0].value("unit_id", "")).value_or(0);
      cmd.mode = "direct";
      // With the co-handlers (协办) the directory names beside it, those the intake centre can
      // send to directly (a centre, or a unit outside its subtree, would fail the whole
      // dispatch): the lead alone would wait on a part nobody was sent.
      const auto org = Org();
      const Id centre = org->CentreOf(created.ticket.intake_unit_id);
      bool all_reachable = true;
      for (const auto& co : sug["units"][0].value("assisting", json::array())) {
        const Id id = ParseId(co.value("unit_id", "")).value_or(0);
        const Unit* u = org->FindUnit(id);
        if (u && !IsCentre(u->kind) && (centre == 0 || org->InSubtree(id, centre))) cmd.assisting_unit_ids.push_back(id);
        else all_reachable = false;
      }
      // One it cannot send to: a dispatcher decides, as the web's one click leaves it to the dialog.
      if (!all_reachable) {
        spdlog::info("auto-dispatch of {}: left to a dispatcher (a co-handler the directory names is out of reach)",
                     created.ticket.number);
        return created;
      }
      if (created.ticket.category_code.empty()) cmd.category_code = sug["category"].value("code", "");
      cmd.note = "自动派单: 分类置信度 " + std::to_string(sug["category"].value("confidence", 0.0)).substr(0, 5);
      Actor system{0, Role::kSystem, created.ticket.intake_unit_id, "auto-dispatch"};
      auto dispatched = Act(system, created.ticket.id, cmd);
      if (dispatched.ok()) {
        created.ticket = std::move(dispatched).value();
      } else {
        spdlog::warn("auto-dispatch of {}: {}", created.ticket.number, dispatched.status().message());
      }
    }
  }
  return created;
}

namespace {
// consultation, help, praise < suggestion < complaint, report: where a caller's tone goes.
int RequestTypeRank(const std::string& type) {
  if (type == "complaint" || type == "report") return 2;
  if (type == "suggestion") return 1;
  return 0;
}
}  // namespace

// Raised (or updated, by its key) for ticket `ticket_id` at `at`. Best effort, after the
// ticket is committed: a failure is logged, and the ticket stands.
void Service::RaiseAlert(Store::Alert al, Id ticket_id, TimeMs at) {
  al.id = ids_->Next();
  al.ticket_id = ticket_id;
  al.created_at = al.updated_at = at;
  if (Status st = store_->RaiseAlert(al); !st.ok()) spdlog::warn("alert {}: {}", al.key, st.message());
}

// A co-handling unit (协办) that returns its part leaves the ticket with its lead, in no
// centre queue: the centre that dispatched it is told by an alert (协办退回) to confirm that
// the lead answers alone or coordinate the order elsewhere, and records which when it
// handles the alert.
void Service::RaiseAssistReturnAlert(const Ticket& t, const std::vector<Event>& events) {
  for (const auto& e : events) {
    if (e.type != "returned") continue;
    const json d = json::parse(e.data_json, nullptr, false);
    if (!d.is_object() || d.value("lead", true)) continue;
    const auto org = Org();
    const Assignment* lead = t.ActiveLead();
    const auto unit_name = [&](Id id) { const Unit* u = org->FindUnit(id); return u ? u->name : std::string(); };
    const Id unit = ParseId(d.value("unit_id", "")).value_or(0);
    const Id to = ParseId(d.value("to_unit_id", "")).value_or(0);
    Store::Alert al;
    al.kind = "assist_returned";
    al.key = "assist_returned:" + d.value("assignment_id", "");
    al.severity = "warning";
    al.data_json = json{{"number", t.number}, {"unit_id", IdToString(unit)}, {"unit_name", unit_name(unit)},
                        // read by analysts, who see no citizen data: numbers written in it masked
                        {"reason", MaskPersonalNumbers(d.value("reason", ""))}, {"to_unit_id", IdToString(to)},
                        {"to_unit_name", unit_name(to)},
                        {"lead_unit_id", lead ? IdToString(lead->unit_id) : ""},
                        {"lead_unit_name", lead ? unit_name(lead->unit_id) : ""}}.dump();
    RaiseAlert(std::move(al), t.id, clock_->NowMs());
  }
}

namespace {
// How a ticket ended, as an alert it settles says it ("" while it is open).
std::string TicketEndedWhy(const Ticket& t) {
  switch (t.phase) {
    case Phase::kTransferred: return "已转交 " + t.transfer_to;
    case Phase::kClosed: return t.closing_kind == "direct_answer" ? "已直接答复" : "工单已办结";
    case Phase::kWithdrawn: return "工单已撤回";
    case Phase::kMerged: return "工单已并入另一工单";
    case Phase::kArchived: return "工单已归档";
    default: return "";
  }
}
}  // namespace

// A 协办退回 alert is settled by what the centre does with the order: it ends when the order
// is answered or closed (the lead answered alone), when another unit takes the lead, or when
// a co-handler joins after the return. The actor whose command settled it is recorded.
void Service::SettleAssistReturnAlerts(const Actor& a, const Ticket& t) {
  const Assignment* lead = t.ActiveLead();
  std::map<std::string, std::string> settled;  // alert key → why
  TimeMs since = 0;
  for (const auto& r : t.assignments) {
    // A co-handler's part given back: returned, or since superseded with its relay centre's
    // return (the reason stays).
    if (r.lead || r.return_reason.empty() || r.ended_at == 0) continue;
    std::string why;
    if (t.phase != Phase::kHandling) {
      why = t.phase == Phase::kReview || t.phase == Phase::kCallback ? "主办单位已答复" : TicketEndedWhy(t);
      if (why.empty()) why = "工单已办结";
    } else if (std::any_of(t.assignments.begin(), t.assignments.end(), [&](const Assignment& o) {
                 return !o.lead && o.IsLive() && o.dispatched_at >= r.ended_at;
               })) {
      why = "已增派协办单位";
    } else if (lead && lead->dispatched_at > r.ended_at) {
      why = "已改由其他单位主办";
    }
    if (why.empty()) continue;
    settled["assist_returned:" + IdToString(r.id)] = why;
    since = since == 0 ? r.ended_at : std::min(since, r.ended_at);
  }
  // Raised when the part came back, or updated since: only those are read.
  SettleAlerts(a, t, "assist_returned", since, settled);
}

// An emergency alert asks for the ticket to be transferred at once (110/119/120): it is
// settled when the ticket is transferred, or ends otherwise (answered on the spot, closed,
// withdrawn, merged). A ticket dispatched instead keeps it open, for a supervisor to judge.
void Service::SettleEmergencyAlert(const Actor& a, const Ticket& t) {
  const std::string why = TicketEndedWhy(t);
  if (!why.empty()) SettleAlerts(a, t, "emergency", t.created_at, {{"emergency:" + t.number, why}});
}

// Marks the open alerts of `kind` updated since `since` whose key `settled` names handled by
// `a`, with the reason, as the ticket's command did it (audited).
void Service::SettleAlerts(const Actor& a, const Ticket& t, const std::string& kind, TimeMs since,
                           const std::map<std::string, std::string>& settled) {
  if (settled.empty()) return;
  auto open = store_->ListAlerts(kind, since, 500, {}, Store::AlertState::kOpen);
  if (!open.ok()) {
    spdlog::warn("{} alerts of {}: {}", kind, t.number, open.status().message());
    return;
  }
  for (const auto& al : *open) {
    auto it = settled.find(al.key);
    if (it == settled.end()) continue;
    const std::string note = "随工单操作自动处置：" + it->second;
    if (Status st = store_->HandleAlert(al.id, al.updated_at, clock_->NowMs(), a.user_id, note); !st.ok()) {
      spdlog::warn("alert {}: {}", al.key, st.message());
      continue;
    }
    (void)Audit(a, "alert_handled", "alert:" + IdToString(al.id), al.kind + ": " + note);
  }
}

// A repeat caller (repeat_caller): the same phone three or more times in 30 days, counting
// the requests it filed and its calls about them again (催单, 补充 as contacts), each with its
// tone. `ticket_id` is the ticket whose call raised it.
void Service::RaiseRepeatCallerAlert(const std::string& phone, Id ticket_id, TimeMs now) {
  const std::string p = NormalisePhone(phone);
  if (p.size() < 5) return;
  const std::string hash = store_->PhoneHash(p);
  TicketQuery q;
  q.phone_hash = hash;
  q.phone_own = true;
  q.page_size = 50;
  auto page = store_->ListTickets(q);
  auto contacts = store_->ContactsFromPhone(hash, now - 30 * kDayMs, 50);
  if (!page.ok() || !contacts.ok()) return;
  // One call: a request filed, or a contact about one (its ticket's type and category, the
  // contact's own words and tone).
  struct Call {
    TimeMs at;
    const Ticket* ticket;  // in `page` or `about`, which outlive the calls
    std::string text, contact;
  };
  std::vector<Call> recent;
  for (const auto& x : page->items) {
    if (x.created_at >= now - 30 * kDayMs) recent.push_back({x.created_at, &x, x.title + "。" + x.content, ""});
  }
  std::map<Id, Ticket> about;
  for (const auto& c : *contacts) {
    auto it = about.find(c.ticket_id);
    if (it == about.end()) {
      auto x = store_->GetTicket(c.ticket_id);
      if (!x.ok()) continue;
      it = about.emplace(c.ticket_id, std::move(x).value()).first;
    }
    recent.push_back({c.at, &it->second, c.content, c.kind});
  }
  std::sort(recent.begin(), recent.end(), [](const Call& a, const Call& b) { return a.at < b.at; });
  if (recent.size() > 50) recent.erase(recent.begin(), recent.end() - 50);
  if (recent.size() < 3) return;
  json list = json::array(), types = json::array(), tones = json::array();
  std::vector<int> levels;
  for (const Call& x : recent) {
    const intel::SentimentScore tone = intel::ScoreSentiment(x.text);
    levels.push_back(tone.level);
    json item = {{"ticket_id", IdToString(x.ticket->id)}, {"number", x.ticket->number}, {"created_at", FormatIsoCity(x.at)},
                 {"request_type", x.ticket->request_type}, {"category_code", x.ticket->category_code},
                 {"tone", intel::SentimentLevelName(tone.level)}, {"tone_evidence", tone.evidence}};
    if (!x.contact.empty()) item["contact"] = x.contact;
    list.push_back(std::move(item));
    types.push_back(x.ticket->request_type);
    tones.push_back(intel::SentimentLevelName(tone.level));
  }
  // Escalation is read along the newest call's matter: the calls linked to it by the same
  // first-level category or words in common, directly or through another call of the matter
  // (a complaint about a restaurant's fumes, then its fan, then its noise; a chase about a
  // ticket is of that ticket's matter). From asking towards complaining, or a tone that rises
  // (calm → angry → desperate), escalates; a desperate / extreme tone escalates at all. Three
  // different matters from one phone are a repeat caller, not an escalation.
  std::map<Id, std::vector<uint64_t>> shingles;  // per ticket: one chased twice is read once
  for (const Call& x : recent) {
    if (!shingles.count(x.ticket->id)) shingles[x.ticket->id] = intel::Shingles(x.ticket->title + "\n" + x.ticket->content);
  }
  const auto linked = [&](size_t i, size_t j) {
    const Ticket& x = *recent[i].ticket;
    const Ticket& y = *recent[j].ticket;
    if (x.id == y.id) return true;
    if (!x.category_code.empty() && !y.category_code.empty() && x.category_code.substr(0, 2) == y.category_code.substr(0, 2)) {
      return true;
    }
    return intel::Jaccard(shingles[x.id], shingles[y.id]) >= 0.1;
  };
  std::vector<bool> in_matter(recent.size(), false);
  in_matter.back() = true;
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < recent.size(); ++i) {
      for (size_t j = 0; j < recent.size() && !in_matter[i]; ++j) {
        if (in_matter[j] && linked(i, j)) in_matter[i] = grew = true;
      }
    }
  }
  const Ticket& newest = *recent.back().ticket;
  size_t first = recent.size() - 1, matter = 0;
  bool desperate = false;  // a threat (上访) or despair in the matter stays on record: a calm call after it does not clear it
  for (size_t i = 0; i < recent.size(); ++i) {
    if (in_matter[i]) {
      first = std::min(first, i);
      ++matter;
      desperate = desperate || levels[i] >= 3;
    }
  }
  const bool escalating = desperate ||
                          (matter >= 2 && (RequestTypeRank(newest.request_type) > RequestTypeRank(recent[first].ticket->request_type) ||
                                           levels.back() > levels[first]));
  Store::Alert al;
  al.kind = "repeat_caller";
  al.key = "repeat:" + hash.substr(0, 32) + ":" + CityDateCompact(now);
  al.severity = escalating || recent.size() >= 5 ? "high" : "warning";
  al.data_json = json{{"phone", MaskPhone(p)}, {"count", recent.size()}, {"window_days", 30},
                      {"request_types", types}, {"tones", tones}, {"escalating", escalating},
                      {"same_matter", matter}, {"tickets", list}}.dump();
  RaiseAlert(std::move(al), ticket_id, now);
}

void Service::RaiseIntakeAlerts(const Ticket& t, const std::string& phone, const json& sug, const json& duplicates) {
  const TimeMs now = clock_->NowMs();
  RaiseRepeatCallerAlert(phone, t.id, now);
  if (sug.contains("emergency")) {
    Store::Alert al;
    al.kind = "emergency";
    al.key = "emergency:" + t.number;
    al.severity = "high";
    al.data_json = json{{"number", t.number}, {"transfer", sug["emergency"].value("transfer", "")},
                        {"hits", sug["emergency"].value("hits", json::array())}}.dump();
    RaiseAlert(std::move(al), t.id, now);
  }
  // Callers, not tickets: one citizen filing the same text three times is a repeat caller.
  // A caller is a phone number (a name given once and not the next time is the same caller),
  // else the requester record.
  std::set<std::string> callers;
  size_t anonymous = 0;
  const auto count_caller = [&](Id requester) {
    if (!requester) return (void)++anonymous;
    auto r = store_->GetRequester(requester);
    callers.insert(r.ok() && !r->phone.empty() ? "phone:" + r->phone : "requester:" + IdToString(requester));
  };
  if (duplicates.size() >= 2) {
    count_caller(t.requester_id);
    for (const auto& d : duplicates) {
      if (auto x = store_->GetTicket(ParseId(d.value("ticket_id", "")).value_or(0)); x.ok()) count_caller(x->requester_id);
    }
  }
  if (callers.size() + anonymous >= 3) {
    // The matter is keyed by its earliest open ticket, so every new report updates one alert.
    std::string first = t.number;
    json numbers = json::array({t.number});
    json tickets = json::array({{{"ticket_id", IdToString(t.id)}, {"number", t.number}}});
    for (const auto& d : duplicates) {
      const std::string n = d.value("number", "");
      numbers.push_back(n);
      tickets.push_back({{"ticket_id", d.value("ticket_id", "")}, {"number", n}});
      if (!n.empty() && n < first) first = n;
    }
    Store::Alert al;
    al.kind = "duplicate_cluster";
    al.key = "dup:" + first;
    al.severity = numbers.size() >= 5 ? "high" : "warning";
    al.data_json =
        json{{"count", numbers.size()}, {"callers", callers.size() + anonymous}, {"numbers", numbers},
             {"tickets", tickets}, {"first", first}}.dump();
    RaiseAlert(std::move(al), t.id, now);
  }
}

namespace {
constexpr int kMaxInsightTickets = 200000;

Status NeedInsightRole(const Actor& a) {
  if (a.role == Role::kAdmin || a.role == Role::kSupervisor || a.role == Role::kAnalyst ||
      a.role == Role::kDispatcher || a.role == Role::kAgent) {
    return Status::Ok();
  }
  return PermissionDenied(std::string("role ") + RoleName(a.role) + " may not see hotspots or duplicate groups");
}

std::vector<intel::Message> AsMessages(const std::vector<Store::TicketText>& tickets) {
  std::vector<intel::Message> msgs;
  msgs.reserve(tickets.size());
  for (const auto& t : tickets) {
    msgs.push_back({IdToString(t.id), t.title, t.title + "\n" + t.content, t.created_at, t.phone_hash, 0});
    msgs.back().features = t.hotspot_features;
    msgs.back().urgency = t.urgency;
    msgs.back().confidential = t.confidential;
  }
  return msgs;
}
}  // namespace

// The period's tickets an insight runs over: a district centre's own (taken in or dispatched
// into its subtree), the city's for the hub and administrators.
Result<std::vector<Store::TicketText>> Service::InsightTexts(const Actor& a, TimeMs from, TimeMs to) {
  ASSIGN_OR_RETURN(std::vector<Id> scope, CentreScope(a, *Org()));
  return store_->TicketTexts(from, to, kMaxInsightTickets, scope);
}

Result<std::vector<intel::Hotspot>> Service::Hotspots(const Actor& a, TimeMs from, TimeMs to, size_t top,
                                                      std::vector<Store::TicketText>* tickets) {
  RETURN_IF_ERROR(NeedInsightRole(a));
  if (to <= from) return InvalidArgument("to", "must be after from");
  if (top < 1 || top > 100) return InvalidArgument("top", "must be 1 to 100");
  ASSIGN_OR_RETURN(*tickets, InsightTexts(a, from, to));
  intel::HotspotOptions opts;
  opts.top = top;
  return intel::FindHotspots(AsMessages(*tickets), opts);
}

Result<intel::SubTopicReport> Service::SubTopics(const Actor& a, const std::string& category, TimeMs from, TimeMs to,
                                                std::optional<TimeMs> pivot, size_t top,
                                                std::vector<Store::TicketText>* tickets) {
  RETURN_IF_ERROR(NeedInsightRole(a));
  if (to <= from) return InvalidArgument("to", "must be after from");
  if (top < 1 || top > 100) return InvalidArgument("top", "must be 1 to 100");
  if (category.empty()) return InvalidArgument("category", "a category code is required");
  if (category.size() > 32) return InvalidArgument("category", "is longer than 32 bytes");
  // A category of the taxonomy (with its sub-categories), as the special report takes it:
  // a code that names none would analyse nothing, or a stray prefix ("0") half the city.
  RETURN_IF_ERROR(CheckCategory("category", category, false).status());
  ASSIGN_OR_RETURN(auto all, InsightTexts(a, from, to));
  // The category's tickets are analysed against the period's other tickets as the background.
  std::vector<Store::TicketText> rest;
  for (auto& t : all) {
    if (t.category_code.rfind(category, 0) == 0) {
      tickets->push_back(std::move(t));
    } else {
      rest.push_back(std::move(t));
    }
  }
  intel::SubTopicOptions opts;
  opts.top = top;
  const auto background = AsMessages(rest);
  return intel::FindSubTopics(AsMessages(*tickets), pivot, opts, &background);
}

Result<std::vector<intel::DuplicateGroup>> Service::DuplicateGroups(const Actor& a, TimeMs from, TimeMs to,
                                                                    std::vector<Store::TicketText>* tickets) {
  RETURN_IF_ERROR(NeedInsightRole(a));
  if (to <= from) return InvalidArgument("to", "must be after from");
  ASSIGN_OR_RETURN(*tickets, InsightTexts(a, from, to));
  return intel::FindDuplicates(AsMessages(*tickets));
}

Result<std::vector<Store::ClueTicket>> Service::LitigationClues(const Actor& a, TimeMs from, TimeMs to) {
  if (!(a.role == Role::kAdmin || a.role == Role::kSupervisor || a.role == Role::kAnalyst)) {
    return PermissionDenied(std::string("role ") + RoleName(a.role) + " may not export litigation clues");
  }
  if (to <= from) return InvalidArgument("to", "must be after from");
  ASSIGN_OR_RETURN(std::vector<Id> scope, CentreScope(a, *Org()));
  (void)Audit(a, "litigation_clues_export", "tickets", FormatIsoCity(from) + " .. " + FormatIsoCity(to));
  return store_->LitigationClues(from, to, 10000, scope);
}

Result<std::vector<Store::Alert>> Service::Alerts(const Actor& a, const std::string& kind, TimeMs since, int limit,
                                                  Store::AlertState state) {
  if (!(a.role == Role::kAdmin || a.role == Role::kSupervisor || a.role == Role::kDispatcher ||
        a.role == Role::kAgent || a.role == Role::kAnalyst)) {
    return PermissionDenied(std::string("role ") + RoleName(a.role) + " may not see alerts");
  }
  if (limit < 1 || limit > 500) return InvalidArgument("limit", "must be 1 to 500");
  // A district centre sees the alerts raised by tickets in its scope; the hub the city's.
  auto org = Org();
  ASSIGN_OR_RETURN(std::vector<Id> scope, CentreScope(a, *org));
  ASSIGN_OR_RETURN(auto alerts, store_->ListAlerts(kind, since, limit, scope, state));
  // Analysts see no caller's phone anywhere, masked or not: a repeat caller is told by the
  // tickets it lists.
  if (a.role == Role::kAnalyst) {
    for (auto& al : alerts) {
      if (al.kind != "repeat_caller") continue;
      json d = json::parse(al.data_json, nullptr, false);
      if (d.is_object() && d.erase("phone")) al.data_json = d.dump();
    }
  }
  if (scope.empty()) return alerts;
  // An alert raised in this district may name tickets of others: a repeat caller's tickets
  // across the city, a matter reported in several districts. A district centre keeps the
  // city-wide count but sees only the tickets it may open.
  std::vector<json> data(alerts.size());
  std::vector<Id> named;
  for (size_t i = 0; i < alerts.size(); ++i) {
    if (alerts[i].kind != "repeat_caller" && alerts[i].kind != "duplicate_cluster") continue;
    data[i] = json::parse(alerts[i].data_json, nullptr, false);
    if (!data[i].is_object()) continue;
    for (const auto& t : data[i].value("tickets", json::array())) {
      if (auto id = ParseId(t.is_object() ? t.value("ticket_id", "") : ""); id && *id) named.push_back(*id);
    }
  }
  std::sort(named.begin(), named.end());
  named.erase(std::unique(named.begin(), named.end()), named.end());
  std::set<Id> visible;
  for (size_t at = 0; at < named.size(); at += 100) {
    TicketQuery q;
    q.ids.assign(named.begin() + at, named.begin() + std::min(named.size(), at + 100));
    q.scope_units = scope;
    q.page_size = 100;
    ASSIGN_OR_RETURN(TicketPage page, store_->ListTickets(q));
    for (const auto& t : page.items) visible.insert(t.id);
  }
  for (size_t i = 0; i < alerts.size(); ++i) {
    json& d = data[i];
    if (!d.is_object()) continue;
    json kept = json::array(), numbers = json::array();
    const json all = d.value("tickets", json::array());
    std::vector<size_t> kept_at;
    for (size_t k = 0; k < all.size(); ++k) {
      const json& t = all[k];
      auto id = ParseId(t.is_object() ? t.value("ticket_id", "") : "");
      if (!id || !visible.count(*id)) continue;
      kept.push_back(t);
      kept_at.push_back(k);
      numbers.push_back(t.value("number", ""));
    }
    d["tickets"] = std::move(kept);
    // A repeat caller's trend (each call's type and tone) goes with its calls: another
    // centre's calls are not this one's to read.
    for (const char* per_call : {"request_types", "tones"}) {
      if (!d.contains(per_call)) continue;
      if (!d[per_call].is_array() || d[per_call].size() != all.size()) {
        d.erase(per_call);  // not one entry per call: nothing here says which calls are this centre's
        continue;
      }
      json only = json::array();
      for (size_t k : kept_at) only.push_back(d[per_call][k]);
      d[per_call] = std::move(only);
    }
    if (alerts[i].kind == "duplicate_cluster") {
      // Alerts raised before the ticket ids were kept name numbers only: none are shown.
      if (d.contains("first") && std::find(numbers.begin(), numbers.end(), d["first"]) == numbers.end()) d.erase("first");
      d["numbers"] = std::move(numbers);
    }
    alerts[i].data_json = d.dump();
  }
  return alerts;
}

Result<Store::Alert> Service::HandleAlert(const Actor& a, Id id, TimeMs seen_update, const std::string& note) {
  if (!(a.role == Role::kAdmin || a.role == Role::kSupervisor || a.role == Role::kDispatcher)) {
    return PermissionDenied(std::string("role ") + RoleName(a.role) + " may not handle alerts");
  }
  ASSIGN_OR_RETURN(std::vector<Id> scope, CentreScope(a, *Org()));
  ASSIGN_OR_RETURN(auto found, store_->GetAlert(id, scope));
  if (!found) return NotFound("no such alert");
  const TimeMs now = clock_->NowMs();
  if (Status st = store_->HandleAlert(id, seen_update, now, a.user_id, note); !st.ok()) {
    // Someone handled what this actor saw: say so, rather than "look again" at nothing new.
    auto again = store_->GetAlert(id);
    if (st.code() == Code::kConflict && again.ok() && *again && !(*again)->open() && (*again)->updated_at == seen_update) {
      return Conflict("alert_handled", "the alert was handled meanwhile");
    }
    return st;
  }
  (void)Audit(a, "alert_handled", "alert:" + IdToString(id), found->kind + ": " + Utf8Prefix(note, 500));
  ASSIGN_OR_RETURN(found, store_->GetAlert(id));
  if (!found) return NotFound("no such alert");
  return *found;
}

Result<std::vector<Category>> Service::Categories() {
  const TimeMs now = clock_->NowMs();
  std::lock_guard<std::mutex> lock(cats_mu_);
  if (cats_loaded_at_ < 0 || now - cats_loaded_at_ > 30'000 || now < cats_loaded_at_) {
    ASSIGN_OR_RETURN(int version, store_->CurrentTaxonomyVersion());
    ASSIGN_OR_RETURN(cats_, store_->ListCategories(version));
    cats_loaded_at_ = now;
  }
  return cats_;
}

void Service::SetAssistant(std::shared_ptr<const Assistant> a) {
  std::lock_guard<std::mutex> lock(assist_mu_);
  assistant_ = std::move(a);
}

std::shared_ptr<const Assistant> Service::CurrentAssistant() {
  std::lock_guard<std::mutex> lock(assist_mu_);
  return assistant_;
}

Result<json> Service::Suggest(const Actor& a, const std::string& title, const std::string& content,
                              const std::string& address, Id area_id, const std::string& category_code) {
  if (!(a.role == Role::kAdmin || a.role == Role::kAgent || a.role == Role::kDispatcher)) {
    return PermissionDenied(std::string("role ") + RoleName(a.role) + " may not ask for proposals");
  }
  if (Trim(title).empty() && Trim(content).empty()) return InvalidArgument("content", "is empty");
  if (title.size() + content.size() > 64 * 1024) return InvalidArgument("content", "at most 64 KiB");
  if (!IsValidUtf8(title) || !IsValidUtf8(content) || !IsValidUtf8(address)) {
    return InvalidArgument("content", "is not valid UTF-8");
  }
  auto org = Org();
  Ticket t;
  t.title = title;
  t.content = content;
  t.address = address;
  t.category_code = category_code;
  t.intake_unit_id = IntakeUnitFor(*org, a.unit_id);  // where it would be taken in
  if (area_id && !org->FindArea(area_id)) return InvalidArgument("area_id", "no area with id " + IdToString(area_id));
  t.area_id = area_id ? area_id : org->ResolveArea(address);
  ASSIGN_OR_RETURN(auto cats, Categories());
  json sug = CurrentAssistant()->Suggest(t, *org, cats, *store_);
  const auto shingles = intel::Shingles(t.title + "\n" + t.content);
  ASSIGN_OR_RETURN(auto dups, NearDuplicates(a, t, shingles, intel::LshBands(shingles)));
  if (!dups.empty()) sug["duplicates"] = std::move(dups);
  return sug;
}

Result<json> Service::NearDuplicates(const Actor& viewer, const Ticket& t, const std::vector<uint64_t>& shingles,
                                     const std::vector<int64_t>& bands, size_t limit) {
  ASSIGN_OR_RETURN(auto cands, store_->DuplicateCandidates(bands, clock_->NowMs() - kDuplicateWindowMs, kDuplicatesRead));
  // The same words at another place are another matter (和平新村's blocked sewer is not
  // 江景苑's): the places each request names, in its text or its address; and two addresses
  // naming different places part two requests whose words are the same.
  const auto places = intel::PlacesNamedIn(t.title + "\n" + t.content + "\n" + t.address);
  const auto at = intel::PlacesNamedIn(t.address);
  std::vector<std::pair<double, const Store::DuplicateCandidate*>> found;
  for (const auto& c : cands) {
    const std::string text = c.title + "\n" + c.content;
    const double score = intel::NearDuplicateScore(shingles, intel::Shingles(text));
    const bool apart = intel::PlacesApart(places, intel::PlacesNamedIn(text + "\n" + c.address)) ||
                       intel::PlacesApart(at, intel::PlacesNamedIn(c.address));
    if (score >= 0 && !apart) found.push_back({score, &c});
  }
  // Closest first; among equals the oldest, so a matter's first report stays in the list (and
  // its alert keeps one key) while the candidates read hold it (the newest 200).
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second->id < b.second->id;
  });
  // Only tickets the asker may open: a district centre learns nothing of another district's
  // tickets (not even that one with these words exists). The system sees them all: no ticket
  // is read to ask (intake reads the city's list, then asks for its agent).
  const auto org = Org();
  json out = json::array();
  for (size_t i = 0; i < found.size() && out.size() < limit; ++i) {
    if (viewer.role != Role::kSystem) {
      auto x = store_->GetTicket(found[i].second->id);
      if (!x.ok() || !CanView(*x, viewer, *org)) continue;
    }
    out.push_back({{"ticket_id", IdToString(found[i].second->id)}, {"number", found[i].second->number},
                   {"status", found[i].second->status}, {"score", std::round(found[i].first * 1000) / 1000}});
  }
  return out;
}

Result<Store::DispatchStats> Service::DispatchStats(const Actor& a, TimeMs from, TimeMs to) {
  if (!(a.role == Role::kAdmin || a.role == Role::kSupervisor || a.role == Role::kDispatcher ||
        a.role == Role::kAnalyst)) {
    return PermissionDenied(std::string("role ") + RoleName(a.role) + " may not see dispatch statistics");
  }
  if (to <= from) return InvalidArgument("to", "must be after from");
  ASSIGN_OR_RETURN(std::vector<Id> scope, CentreScope(a, *Org()));
  return store_->DispatchStatsBetween(from, to, scope);
}

CommandContext Service::Context(const OrgSnapshot& org, const Policy& policy) const {
  CommandContext ctx;
  ctx.now = clock_->NowMs();
  ctx.org = &org;
  ctx.policy = &policy;
  ctx.ids = ids_;
  return ctx;
}

Result<Ticket> Service::Act(const Actor& a, Id ticket_id, const Command& given) {
  auto org = Org();
  auto policy = CurrentPolicy();
  const CommandContext ctx = Context(*org, *policy);
  Command checked;
  if (!given.category_code.empty()) {
    // A category confirmed or corrected at dispatch must be one in use today.
    checked = given;
    ASSIGN_OR_RETURN(checked.taxonomy_version, CheckCategory("category_code", given.category_code, false, true));
  }
  const Command& cmd = given.category_code.empty() ? given : checked;
  if (cmd.type == CommandType::kAnswerDirectly && !cmd.kb_entry_ids.empty()) {
    // The entries an agent answered from must exist and be current.
    ASSIGN_OR_RETURN(auto entries, store_->KbGetMany(cmd.kb_entry_ids));
    for (Id id : cmd.kb_entry_ids) {
      auto it = std::find_if(entries.begin(), entries.end(), [&](const KbEntry& e) { return e.id == id; });
      if (it == entries.end() || it->kind != "entry" || !it->CurrentAt(ctx.now)) {
        return InvalidArgument("kb_entry_ids", "entry " + IdToString(id) + " is not a current knowledge entry");
      }
    }
  }
  if (!cmd.attachment_ids.empty()) {
    // A reply cites files uploaded to this ticket, nothing else: the history keeps the ids.
    if (cmd.attachment_ids.size() > 20) return InvalidArgument("attachment_ids", "at most 20");
    RETURN_IF_ERROR(GetTicket(a, ticket_id).status());  // the actor's scope first: 403/404 before 400
    ASSIGN_OR_RETURN(auto files, store_->ListAttachments(ticket_id));
    for (size_t i = 0; i < cmd.attachment_ids.size(); ++i) {
      const Id id = cmd.attachment_ids[i];
      if (std::none_of(files.begin(), files.end(), [&](const Attachment& f) { return f.id == id; })) {
        return InvalidArgument("attachment_ids[" + std::to_string(i) + "]",
                               "attachment " + IdToString(id) + " is not one of this ticket's files");
      }
    }
  }
  const Id target = cmd.type == CommandType::kMerge ? cmd.into_ticket_id : 0;
  // (archiving, the last step of a closed ticket, leaves it solved)
  const auto solved = [](const Ticket& t) {
    return (t.phase == Phase::kClosed || t.phase == Phase::kArchived) &&
           (t.closing_kind == "resolved" || t.closing_kind == "direct_answer");
  };
  bool was_solved = false;
  ASSIGN_OR_RETURN(auto d, store_->ApplyCommand(ticket_id, target, [&](const Ticket& t, const Ticket* mt) {
    CommandContext c = ctx;
    c.merge_target = mt;
    was_solved = solved(t);
    return Decide(t, cmd, a, c);
  }));
  if (was_solved && !solved(d.ticket)) {
    // Reopened: its answer did not solve it, so it stops being offered as a solved case.
    if (Status st = Kb().WithdrawCase(d.ticket.id, d.ticket.number); !st.ok()) {
      spdlog::warn("similar-case index for {}: {}", d.ticket.number, st.message());
    }
  }
  if (solved(d.ticket) && !was_solved && !d.ticket.confidential) {
    // A solved ticket becomes a similar case for the next agent (indexed after the commit:
    // a crash in between loses only the suggestion, never the ticket); a confidential report
    // does not, as its words may name its reporter.
    std::string answer;
    if (cmd.type == CommandType::kAnswerDirectly) answer = cmd.content;
    else if (const Assignment* lead = d.ticket.ActiveLead()) answer = lead->reply;
    if (Status st = Kb().SaveCase(d.ticket.id, d.ticket.number, d.ticket.category_code, d.ticket.content, answer);
        !st.ok()) {
      spdlog::warn("similar-case index for {}: {}", d.ticket.number, st.message());
    }
  }
  if (cmd.type == CommandType::kReturn) RaiseAssistReturnAlert(d.ticket, d.events);
  else SettleAssistReturnAlerts(a, d.ticket);
  SettleEmergencyAlert(a, d.ticket);
  if (cmd.type == CommandType::kAnswerDirectly && !cmd.kb_entry_ids.empty()) {
    // Usefulness of each entry: counted after the answer is committed (a lost count is
    // harmless; a count without an answer is not).
    std::vector<Id> used = cmd.kb_entry_ids;  // an entry named twice was used once
    std::sort(used.begin(), used.end());
    used.erase(std::unique(used.begin(), used.end()), used.end());
    if (Status st = store_->KbRecordUse(used); !st.ok()) spdlog::warn("kb use count: {}", st.message());
  }
  return std::move(d.ticket);
}

std::vector<CommandType> Service::Offered(const Actor& a, const Ticket& t) {
  auto org = Org();
  auto policy = CurrentPolicy();
  return OfferedCommands(t, a, Context(*org, *policy));
}

Result<Ticket> Service::GetTicket(const Actor& a, Id ticket_id) {
  ASSIGN_OR_RETURN(auto t, store_->GetTicket(ticket_id));
  if (!CanView(t, a, *Org())) return PermissionDenied("you may not see this ticket");
  return t;
}

Result<std::vector<Id>> Service::CentreScope(const Actor& a, const OrgSnapshot& org) const {
  if (a.role == Role::kAdmin || a.role == Role::kSystem) return std::vector<Id>{};
  const Id centre = org.CentreOf(a.unit_id);
  if (centre == 0) return PermissionDenied("your unit belongs to no centre");
  const Unit* cu = org.FindUnit(centre);
  if (cu && cu->parent_id == 0) return std::vector<Id>{};  // the hub sees the whole city
  return Subtree(org, centre);
}

std::vector<Id> Service::Subtree(const OrgSnapshot& org, Id root) const {
  std::vector<Id> out;
  for (const auto& u : org.units()) if (org.InSubtree(u.id, root)) out.push_back(u.id);
  return out;
}

Result<TicketPage> Service::ListTickets(const Actor& a, TicketQuery q, const std::string& phone) {
  auto org = Org();
  const bool may_look_up = a.role == Role::kAdmin || a.role == Role::kAgent || a.role == Role::kDispatcher ||
                           a.role == Role::kCallbackAgent || a.role == Role::kSupervisor;
  // A confidential report's text may name its reporter (a phone, a name, a door number):
  // staff who neither look callers up nor handle the order (analysts, QA, reviewers) do not
  // find it by searching its words, only by its number.
  q.q_skips_confidential = !may_look_up && a.role != Role::kUnitHandler;
  // A few digits (not a whole number: that is a look-up, refused or audited below) are
  // matched against the words as every list shows them, masked, whatever the role: or four
  // digits at a time would spell out what the mask hides, unaudited.
  if (HasDigit(q.q) && !SearchesForPersonalNumber(q.q)) {
    q.q_mask_plain = q.q_mask_confidential = 1 | 2;  // phones | ID numbers
  }
  // A phone or ID number (or a piece of one) searched for in the words is a caller look-up
  // too: refused where phone= is, and audited. A unit handler, who calls its own orders'
  // citizens back, may search its orders by one, but not find a confidential report by it.
  if (SearchesForPersonalNumber(q.q)) {
    // A look-up is by its number alone: another piece of digits beside it, a word the store
    // matches apart, would be matched with the phones unmasked (q=1000000 7777 would probe a
    // masked phone's digits).
    for (const std::string& word : SearchWords(q.q, q.q.size())) {
      if (HasDigit(word) && !SearchesForPersonalNumber(word)) {
        return InvalidArgument("q", "a look-up by phone or ID number takes that number alone, without other digits");
      }
    }
    if (!may_look_up && a.role != Role::kUnitHandler) {
      return PermissionDenied(std::string("role ") + RoleName(a.role) +
                              " may not look callers up by phone: q holds a phone or ID number, or part of one "
                              "(7 digits or more that are no whole ticket number)");
    }
    if (a.role == Role::kUnitHandler) q.q_skips_confidential = true;
    // A look-up finds an ID number only for a role that may reveal one (a supervisor, an
    // administrator): for the others (a unit handler, an agent, a dispatcher) it stays masked,
    // or a birth date tried day by day, then the rest, would confirm one.
    const auto unseen = [&](bool confidential) {
      const FieldAccess id = AccessFor(a.role, "id_number", confidential);
      return a.role == Role::kUnitHandler || id == FieldAccess::kMasked || id == FieldAccess::kHidden;
    };
    if (unseen(false)) q.q_mask_plain = 2;
    if (unseen(true)) q.q_mask_confidential = 2;
    (void)Audit(a, "caller_lookup", "q", Utf8Prefix(MaskDigits(q.q), 64));
  }
  if (!phone.empty()) {
    if (!may_look_up) return PermissionDenied(std::string("role ") + RoleName(a.role) + " may not look callers up by phone");
    const std::string p = NormalisePhone(phone);
    if (p.size() < 5) return InvalidArgument("phone", "must hold 5 to 20 digits");
    q.phone_hash = store_->PhoneHash(p);
    (void)Audit(a, "caller_lookup", "phone", MaskPhone(p));
  }
  if (a.role == Role::kUnitHandler) {
    q.scope_units = Subtree(*org, a.unit_id);
    q.scope_intake = false;
  } else {
    ASSIGN_OR_RETURN(q.scope_units, CentreScope(a, *org));
  }
  // A unit filter inside a centre's scope already implies the scope. Not a unit handler's:
  // the filter also matches orders the unit returned, which its scope leaves out.
  if (a.role != Role::kUnitHandler && q.unit_id && std::find(q.scope_units.begin(), q.scope_units.end(), q.unit_id) != q.scope_units.end()) {
    q.scope_units.clear();
  }
  if (q.scope_units.size() > 5000) q.scope_units.resize(5000);
  // (an administrator of no centre works every centre's returns)
  if (q.returned_to_mine) q.returned_to = org->CentreOf(a.unit_id);
  q.now = clock_->NowMs();
  return store_->ListTickets(q);
}

Result<std::vector<Event>> Service::Events(const Actor& a, Id ticket_id) {
  ASSIGN_OR_RETURN(auto t, GetTicket(a, ticket_id));
  return store_->ListEvents(t.id);
}

Result<Contact> Service::AddContact(const Actor& a, Id ticket_id, ContactInput in, const std::string& idempotency_key,
                                   bool* replayed) {
  if (idempotency_key.size() > 200) return InvalidArgument("Idempotency-Key", "at most 200 characters");
  if (!(a.role == Role::kAdmin || a.role == Role::kAgent || a.role == Role::kDispatcher ||
        a.role == Role::kCallbackAgent || a.role == Role::kSystem)) {
    return PermissionDenied(std::string("role ") + RoleName(a.role) + " may not record contacts");
  }
  ASSIGN_OR_RETURN(auto t, GetTicket(a, ticket_id));
  // A request merged into another (并单) is handled there: a chase or a supplement about it is
  // recorded on the request being handled, where the unit and the centre read it (on the
  // merged one nobody would).
  for (int hops = 0; t.phase == Phase::kMerged && t.merged_into != 0 && hops < 16; ++hops) {
    auto into = GetTicket(a, t.merged_into);
    if (!into.ok() && into.status().code() == Code::kPermissionDenied) {
      return Conflict("merged", "this request was merged into another you may not see; the centre that holds it records the contact");
    }
    if (!into.ok()) return into.status();
    t = std::move(into).value();
  }
  const TimeMs now = clock_->NowMs();
  Contact c{ids_->Next(), t.id, in.channel, in.kind, in.content, 0, a.user_id, now};
  Ticket scratch = t;  // MakeEvent needs a ticket; the store assigns the real seq
  Event e = MakeEvent(scratch, "contact_added", a, now, ids_,
                      json{{"contact_id", IdToString(c.id)}, {"channel", in.channel}, {"kind", in.kind},
                           {"content", in.content}}.dump(), false);
  Store::ContactKey key;
  if (!idempotency_key.empty()) {
    key.key = "contact:" + IdToString(a.user_id) + ":" + idempotency_key;
    // Under the store's keyed hash: the request holds personal data.
    key.request_digest = store_->PhoneHash(json{ticket_id, in.channel, in.kind, in.content, in.citizen.kind, in.citizen.name,
                                                in.citizen.phone, in.citizen.id_number, in.citizen.org_name,
                                                in.citizen.credit_code}.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  const std::string phone = in.citizen.phone;
  ASSIGN_OR_RETURN(Contact saved, store_->AddContact(std::move(c), in.citizen, std::move(e), key, replayed));
  // A caller ringing again (催单 from the phone they name) counts toward a repeat caller, with
  // the tone of what they said. Best effort, after the contact is committed.
  if (!(replayed && *replayed) && saved.kind != "intake" && !phone.empty()) RaiseRepeatCallerAlert(phone, t.id, now);
  return saved;
}

Result<std::vector<Contact>> Service::Contacts(const Actor& a, Id ticket_id) {
  ASSIGN_OR_RETURN(auto t, GetTicket(a, ticket_id));
  return store_->ListContacts(t.id);
}

Result<Attachment> Service::AddAttachment(const Actor& a, Id ticket_id, std::string name, std::string mime,
                                          const std::string& data) {
  if (a.role == Role::kAnalyst) return PermissionDenied("role analyst may not attach files");
  if (data.empty()) return InvalidArgument("body", "the file is empty");
  if (data.size() > kMaxAttachmentBytes) {
    return Status(Code::kTooLarge, "body: an attachment may be at most 5 MiB", "body");
  }
  name = Trim(name);
  if (name.empty() || name.size() > 200 || !IsValidUtf8(name) || HasAsciiControl(name) ||
      name.find_first_of("/\\") != std::string::npos) {
    return InvalidArgument("name", "must be a file name of 1-200 bytes without '/', '\\' or control characters");
  }
  if (mime.empty()) mime = "application/octet-stream";
  if (mime.size() > 100) return InvalidArgument("Content-Type", "too long");
  // Sent back as the download's Content-Type: printable ASCII only (type/subtype; parameters).
  if (std::any_of(mime.begin(), mime.end(), [](char c) { return c < 0x20 || c > 0x7e; }) ||
      mime.find('/') == std::string::npos) {
    return InvalidArgument("Content-Type", "must be a media type such as image/jpeg, in printable ASCII");
  }
  ASSIGN_OR_RETURN(auto t, GetTicket(a, ticket_id));
  const TimeMs now = clock_->NowMs();
  Attachment att{ids_->Next(), t.id, name, mime, DigestHex(data), static_cast<int64_t>(data.size()), a.user_id, now};
  Ticket scratch = t;
  Event e = MakeEvent(scratch, "attachment_added", a, now, ids_,
                      json{{"attachment_id", IdToString(att.id)}, {"name", name}, {"size", att.size}}.dump(), false);
  // A ticket holds at most as many files as its list shows (and a reply may cite).
  return store_->AddAttachment(std::move(att), data, std::move(e), kMaxAttachmentsPerTicket);
}

Result<std::pair<Attachment, std::string>> Service::GetAttachment(const Actor& a, Id attachment_id) {
  // A photo or scan may show the citizen (a face, an ID card, a house number), and analysts
  // see nothing of the citizen: they may list a ticket's files but not open them.
  if (a.role == Role::kAnalyst) return PermissionDenied("analysts see no citizen data, and an attachment may show it");
  ASSIGN_OR_RETURN(auto out, store_->GetAttachment(attachment_id));
  ASSIGN_OR_RETURN(const Ticket t, GetTicket(a, out.first.ticket_id));
  // A confidential report's files may identify the reporter: who opened one is recorded.
  if (t.confidential) {
    (void)Audit(a, "attachment_opened", "ticket:" + IdToString(t.id), "attachment " + IdToString(attachment_id));
  }
  return out;
}

Status Service::Audit(const Actor& a, const std::string& action, const std::string& target,
                      const std::string& detail) {
  return store_->AppendAudit({0, clock_->NowMs(), a.user_id, action, target, detail});
}

Result<std::vector<std::pair<std::string, WrittenNumber>>> Service::WrittenNumbers(const Actor& a, const Ticket& t) {
  // A second call-back number or an ID number the citizen wrote into the words is theirs as
  // much as the fields are: shown with them by a reveal, audited with them. Not the words of
  // a contact from another caller: the reveal opens the ticket's own citizen only.
  const auto revealable = [&](const char* f) { return AccessFor(a.role, f, t.confidential) == FieldAccess::kRevealable; };
  const PersonalNumbers which{.phones = revealable("phone"), .ids = revealable("id_number")};
  std::vector<std::pair<std::string, WrittenNumber>> out;
  if (!which.phones && !which.ids) return out;
  const auto collect = [&](const char* field, const std::string& words) {
    for (auto& n : PersonalNumbersIn(words, which)) {
      const bool seen = std::any_of(out.begin(), out.end(), [&](const auto& w) { return w.second.digits == n.digits; });
      if (!seen) out.emplace_back(field, std::move(n));
    }
  };
  collect("title", t.title);
  collect("content", t.content);
  collect("address", t.address);
  ASSIGN_OR_RETURN(auto contacts, store_->ListContacts(t.id));
  for (const auto& c : contacts) {
    if (c.requester_id == 0 || c.requester_id == t.requester_id) collect("contacts", c.content);
  }
  return out;
}

Result<CitizenView> Service::Citizen(const Actor& a, const Ticket& t, bool reveal, Id requester) {
  if (reveal) {
    // A reveal by a role that may see nothing in full is refused, not answered masked.
    static constexpr const char* kFields[] = {"name", "phone", "id_number"};
    const bool any = std::any_of(std::begin(kFields), std::end(kFields), [&](const char* f) {
      const FieldAccess acc = AccessFor(a.role, f, t.confidential);
      return acc == FieldAccess::kRevealable || acc == FieldAccess::kFull;
    });
    if (!any) return PermissionDenied(std::string("role ") + RoleName(a.role) + " may not reveal personal data");
  }
  CitizenView v;
  std::vector<std::string> shown;
  if (reveal) {
    ASSIGN_OR_RETURN(v.written, WrittenNumbers(a, t));
    if (!v.written.empty()) shown.push_back("numbers_in_text");
  }
  if (requester == 0) requester = t.requester_id;
  // No caller on record (an anonymous report): nothing is held back.
  v.masked = false;
  if (requester == 0) {
    RETURN_IF_ERROR(AuditShown(a, t, reveal, shown));
    return v;
  }
  ASSIGN_OR_RETURN(auto r, store_->GetRequester(requester));
  v.kind = r.kind;
  v.org_name = r.org_name;
  v.credit_code = r.credit_code;
  auto field = [&](const char* name, const std::string& value, std::string (*mask)(const std::string&),
                   std::string* out) {
    const FieldAccess acc = AccessFor(a.role, name, t.confidential);
    if (acc == FieldAccess::kHidden || value.empty()) return;
    if (acc == FieldAccess::kFull || (acc == FieldAccess::kRevealable && reveal)) {
      *out = value;
      shown.push_back(name);
    } else {
      *out = mask(value);
    }
  };
  field("name", r.name, MaskName, &v.name);
  field("phone", r.phone, MaskPhone, &v.phone);
  field("id_number", r.id_number, MaskIdNumber, &v.id_number);
  v.masked = std::none_of(shown.begin(), shown.end(), [](const std::string& f) { return f != "numbers_in_text"; }) &&
             !(r.name.empty() && r.phone.empty() && r.id_number.empty());
  RETURN_IF_ERROR(AuditShown(a, t, reveal, shown));
  return v;
}

Status Service::AuditShown(const Actor& a, const Ticket& t, bool reveal, const std::vector<std::string>& shown) {
  if (shown.empty()) return Status::Ok();
  std::string fields;
  for (auto& s : shown) fields += (fields.empty() ? "" : ",") + s;
  return Audit(a, reveal ? "reveal" : "view_personal_data", "ticket:" + IdToString(t.id), fields);
}

Result<PublicProgress> Service::PublicLookup(const std::string& number, const std::string& last4,
                                             const std::string& code) {
  const TimeMs now = clock_->NowMs();
  if (number.empty() || number.size() > 32) return NotFound("no such ticket");
  if (last4.empty() && code.empty()) return InvalidArgument("phone_last4", "give phone_last4 or code");
  // A typo is told at once, not counted against the citizen's tries.
  if (!last4.empty() && (last4.size() != 4 || !IsDigits(last4))) {
    return InvalidArgument("phone_last4", "must be the last 4 digits of the phone number");
  }
  auto t = store_->GetTicketByNumber(number);
  // The query code (8 of 31 characters) is the strong secret: it always opens the ticket, even
  // while guesses of the phone digits are locked out, so no one can lock a citizen out of their
  // own request by guessing wrong on purpose. Its failures are not counted (the address rate
  // limit bounds guessing, and a count would hand out that lock-out again).
  std::string given_code = code;  // as printed, in capitals; typed in either case
  for (char& c : given_code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  bool match = t.ok() && !code.empty() && given_code == t->query_code;
  std::unique_lock<std::mutex> lock;
  if (!match && last4.empty()) return NotFound("no ticket matches this number and phone/code");
  if (!match) {
    // The last four digits are 10,000 guesses: count failures per number. Check, look up and
    // record a failure as one step: guesses sent in parallel would all pass the count before
    // any failure was recorded. (Look-ups are cheap and rate-limited.)
    static std::mutex lookup_mu;
    lock = std::unique_lock(lookup_mu);
    ASSIGN_OR_RETURN(int failures, store_->LookupFailures(number, now, kLookupWindowMs));
    if (failures >= kMaxLookupFailures) {
      return Status(Code::kResourceExhausted,
                    "too many failed look-ups of this number by phone digits; use the query code, or try again "
                    "in 15 minutes");
    }
    if (t.ok() && last4.size() == 4 && t->requester_id) {
      auto r = store_->GetRequester(t->requester_id);
      match = r.ok() && r->phone.size() >= 4 && r->phone.substr(r->phone.size() - 4) == last4;
    }
    if (!match) {
      // The same answer whether the number exists or not; the tries left count for any number.
      auto failed = store_->RecordLookupFailure(number, now, kLookupWindowMs);
      const int left = std::max(0, kMaxLookupFailures - (failed.ok() ? *failed : failures + 1));
      return NotFound("no ticket matches this number and phone/code; " + std::to_string(left) +
                      " tries by phone digits left, or use the query code");
    }
  }
  PublicProgress p;
  if (lock.owns_lock()) lock.unlock();  // the check is done: reading the history needs no lock
  ASSIGN_OR_RETURN(auto events, store_->ListEvents(t->id));
  for (auto& e : events) if (e.is_public) p.events.push_back(std::move(e));
  p.ticket = std::move(t).value();
  // The ticket it was merged into, or the one that was merged further in turn.
  for (Id into = p.ticket.merged_into, hops = 0; into && hops < 10; ++hops) {
    auto target = store_->GetTicket(into);
    if (!target.ok()) break;
    into = target->merged_into;
    p.merged_into = std::move(target).value();
  }
  return p;
}

}  // namespace hotline
