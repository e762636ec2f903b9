// The lifecycle: Decide() checks one command against the ticket and returns the new state
// with its events. See ARCHITECTURE.md "Ticket lifecycle" for the diagram this implements.
#include "ticket/ticket.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/text.h"
#include "org/org.h"

namespace hotline {

using nlohmann::json;

// ---- derived state ----------------------------------------------------------------------

TicketStatus Ticket::Status() const {
  switch (phase) {
    case Phase::kIntake: return TicketStatus::kReceived;
    case Phase::kReview: return TicketStatus::kReplied;
    case Phase::kCallback: return TicketStatus::kAwaitingCallback;
    case Phase::kClosed: return TicketStatus::kClosed;
    case Phase::kTransferred: return TicketStatus::kTransferred;
    case Phase::kMerged: return TicketStatus::kMerged;
    case Phase::kWithdrawn: return TicketStatus::kWithdrawn;
    case Phase::kArchived: return TicketStatus::kArchived;
    case Phase::kHandling: break;
  }
  const Assignment* a = ActiveLead();
  if (!a) return TicketStatus::kReceived;
  switch (a->state) {
    case AssignmentState::kPending: return TicketStatus::kDispatched;
    case AssignmentState::kAccepted:
      return a->suspended ? TicketStatus::kSuspended : TicketStatus::kInProgress;
    case AssignmentState::kReturned: return TicketStatus::kReturned;
    case AssignmentState::kReplied: return TicketStatus::kReplied;
    case AssignmentState::kSuperseded: break;
  }
  return TicketStatus::kDispatched;
}

const Assignment* Ticket::ActiveLead() const {
  for (auto it = assignments.rbegin(); it != assignments.rend(); ++it) {
    if (it->lead && it->state != AssignmentState::kSuperseded) return &*it;
  }
  return nullptr;
}
Assignment* Ticket::ActiveLead() {
  return const_cast<Assignment*>(static_cast<const Ticket*>(this)->ActiveLead());
}
const Assignment* Ticket::ClockLead() const {
  for (auto it = assignments.rbegin(); it != assignments.rend(); ++it) {
    if (it->lead && it->IsLive()) return &*it;
  }
  return nullptr;
}
Assignment* Ticket::FindAssignment(Id id) {
  for (auto& a : assignments) if (a.id == id) return &a;
  return nullptr;
}

ClockSpec Policy::ClocksFor(const Ticket& t) const {
  ClockSpec c;
  if (t.urgency == "emergency") {
    c.accept_ms = 15 * kMinuteMs;
    c.handle_ms = 2 * kHourMs;
  } else if (t.urgency == "urgent") {
    c.accept_ms = 30 * kMinuteMs;
    c.handle_ms = 24 * kHourMs;
  } else if (t.request_type == "consultation") {
    c.handle_ms = 3 * kDayMs;
  }
  return c;
}

const char* WarningLevelName(WarningLevel w) {
  switch (w) {
    case WarningLevel::kNone: return "none";
    case WarningLevel::kYellow: return "yellow";
    case WarningLevel::kRed: return "red";
  }
  return "none";
}

namespace {
TimeMs NextAlarm(const Assignment& a) {
  if (!a.IsLive() || a.suspended) return 0;
  TimeMs next = 0;
  auto consider = [&](int bit, TimeMs at) {
    if (!(a.alarms & bit) && at > 0 && (next == 0 || at < next)) next = at;
  };
  if (a.state == AssignmentState::kPending) consider(kAlarmAcceptOverdue, a.accept_due_at);
  consider(kAlarmYellow, a.handle_warn_at);
  consider(kAlarmOverdue, a.handle_due_at);
  consider(kAlarmSupervise, a.supervise_at);
  return next;
}
}  // namespace

void RecomputeDues(Assignment& a, const Policy& p) {
  const ClockSpec& c = a.clocks;
  const TimeMs start = a.dispatched_at;
  a.accept_due_at = p.Due(start, c.accept_ms, c.accept_working);
  const int64_t limit = c.handle_ms + a.extension_ms;
  a.handle_due_at = p.Due(start, limit + a.suspended_ms, c.handle_working);
  a.handle_warn_at = p.Due(start, limit * c.warning_pct / 100 + a.suspended_ms, c.handle_working);
  a.supervise_at = p.Due(a.handle_due_at, c.supervise_after_ms, c.supervise_working);
  a.next_alarm_at = NextAlarm(a);
}

namespace {

// Red once `due` has passed, yellow from `warn` (0: no warning time), else none.
WarningLevel LevelBetween(TimeMs due, TimeMs warn, TimeMs now) {
  if (now >= due) return WarningLevel::kRed;
  if (warn && now >= warn) return WarningLevel::kYellow;
  return WarningLevel::kNone;
}

}  // namespace

bool Ticket::ClockStopped(const Assignment& a) const {
  if (a.suspended || exempt) return true;  // 免考核: the units' time is not held against them
  return std::any_of(assignments.begin(), assignments.end(), [&](const Assignment& child) {
    return child.parent_id == a.id && child.id != a.id && child.IsLive() && ClockStopped(child);
  });
}

TimeMs Ticket::StoppedAt(const Assignment& a) const {
  if (a.suspended) return a.suspended_at;
  TimeMs at = 0;
  for (const auto& child : assignments) {
    if (child.parent_id != a.id || child.id == a.id || !child.IsLive()) continue;
    if (const TimeMs c = StoppedAt(child); c != 0 && (at == 0 || c < at)) at = c;
  }
  return at;
}

WarningLevel Assignment::LevelAt(TimeMs now) const {
  if (!IsLive() || handle_due_at == 0) return WarningLevel::kNone;
  if (suspended) return SuspendedLate() ? WarningLevel::kRed : WarningLevel::kNone;
  return LevelBetween(handle_due_at, handle_warn_at, now);
}

TimeMs Ticket::NextAlarmAt() const {
  TimeMs next = phase == Phase::kCallback && !callback_alarmed ? callback_due_at : 0;
  if (exempt) return next;  // no warnings, urging or supervision of units for an exempted ticket
  for (const auto& a : assignments) {
    if (a.next_alarm_at && (next == 0 || a.next_alarm_at < next)) next = a.next_alarm_at;
  }
  return next;
}

Ticket::Deadline Ticket::ClockDeadline() const {
  if (exempt || phase != Phase::kHandling || due_at == 0 || !IsOpenStatus(Status())) return {};
  if (const Assignment* a = ClockLead()) {
    if (a->suspended) {
      // Stopped after the citizen's deadline had passed: still overdue, by what it had run over.
      return a->suspended_at >= due_at ? Deadline{due_at, a->handle_warn_at, a->clocks.handle_working, a->suspended_at}
                                       : Deadline{};
    }
    return {due_at, a->handle_warn_at, a->clocks.handle_working};
  }
  // Returned to its centre and not yet dispatched again: no unit is on the clock, but the
  // citizen's deadline still runs (a re-dispatch does not reset it), so the centre sees it due.
  const Assignment* lead = ActiveLead();
  if (lead && lead->state == AssignmentState::kReturned) return {due_at, lead->handle_warn_at, lead->clocks.handle_working};
  return {};
}

WarningLevel Ticket::LevelAt(TimeMs now) const {
  const Deadline d = ClockDeadline();
  return d.due ? LevelBetween(d.due, d.warn, now) : WarningLevel::kNone;
}

Event MakeEvent(Ticket& t, std::string type, const Actor& actor, TimeMs at, IdGenerator* ids,
                std::string data_json, bool is_public) {
  Event e;
  e.id = ids->Next();
  e.ticket_id = t.id;
  e.seq = ++t.event_seq;
  e.type = std::move(type);
  e.at = at;
  e.actor_user_id = actor.user_id;
  e.actor_unit_id = actor.unit_id;
  e.actor_role = RoleName(actor.role);
  e.system = actor.role == Role::kSystem;
  e.is_public = is_public;
  e.data_json = data_json.empty() ? "{}" : std::move(data_json);
  return e;
}

bool CanView(const Ticket& t, const Actor& actor, const OrgSnapshot& org) {
  if (actor.role == Role::kAdmin || actor.role == Role::kSystem) return true;
  if (actor.role == Role::kUnitHandler) {
    // A unit keeps access to what it holds or answered, not to what it returned or lost.
    for (const auto& a : t.assignments) {
      if (a.state != AssignmentState::kSuperseded && a.state != AssignmentState::kReturned &&
          org.InSubtree(a.unit_id, actor.unit_id)) {
        return true;
      }
    }
    return false;
  }
  const Id centre = org.CentreOf(actor.unit_id);
  if (centre == 0) return false;
  if (org.InSubtree(t.intake_unit_id, centre)) return true;
  for (const auto& a : t.assignments) {
    if (org.InSubtree(a.unit_id, centre) || org.InSubtree(a.dispatched_by_unit_id, centre)) return true;
  }
  return false;
}

// ---- the command handlers ---------------------------------------------------------------

namespace {

json With(json base, const json& extra) {
  base.update(extra);
  return base;
}

// Alarms whose threshold moved into the future may fire again at their new time.
void ClearFutureAlarms(Assignment& a, TimeMs now) {
  if (now < a.accept_due_at) a.alarms &= ~kAlarmAcceptOverdue;
  if (now < a.handle_warn_at) a.alarms &= ~kAlarmYellow;
  if (now < a.handle_due_at) a.alarms &= ~kAlarmOverdue;
  if (now < a.supervise_at) a.alarms &= ~kAlarmSupervise;
}

Status Invalid(const Ticket& t, CommandType c) {
  return Status(Code::kConflict,
                std::string("cannot ") + CommandName(c) + " a ticket that is " +
                    TicketStatusName(t.Status()),
                {}, "invalid_transition");
}

bool RoleIn(const Actor& a, std::initializer_list<Role> roles) {
  return std::find(roles.begin(), roles.end(), a.role) != roles.end();
}

Status NeedRole(const Actor& a, CommandType c, std::initializer_list<Role> roles) {
  if (RoleIn(a, roles)) return Status::Ok();
  return PermissionDenied(std::string("role ") + RoleName(a.role) + " may not " + CommandName(c));
}

// A working session of one command: the ticket being changed and the events so far.
class Step {
 public:
  Step(const Ticket& t, const Command& c, const Actor& a, const CommandContext& ctx)
      : t_(t), cmd_(c), actor_(a), ctx_(ctx) {}

  Result<Decision> Run();

 private:
  void Emit(std::string type, json data, bool is_public) {
    events_.push_back(MakeEvent(t_, std::move(type), actor_, ctx_.now, ctx_.ids, data.dump(), is_public));
  }
  const OrgSnapshot& org() const { return *ctx_.org; }
  Id ActorCentre() const { return org().CentreOf(actor_.unit_id); }
  // Centre staff may act on what their centre's subtree holds; admins anywhere.
  bool CentreCovers(Id unit) const {
    if (actor_.role == Role::kAdmin) return true;
    const Id c = ActorCentre();
    return c != 0 && org().InSubtree(unit, c);
  }
  bool IsOpen() const { return IsOpenStatus(t_.Status()); }
  // The actor's own assignment in one of the given states (newest first).
  Assignment* OwnAssignment(std::initializer_list<AssignmentState> states, bool lead_only);
  Status NeedOwnAssignment(Assignment** out, std::initializer_list<AssignmentState> states, bool lead_only);
  Status CheckTarget(Id unit_id, const char* field, bool relay) const;
  Status CheckAssisting(Id lead_unit) const;
  json AddAssisting(Id parent, Id by_unit);
  Assignment& AddAssignment(Id unit, bool lead, std::string mode, Id parent, Id by_unit);
  void Supersede(Assignment& a);
  int64_t EndSuspension(Assignment& a);
  void SupersedeOpen(bool children_of_only = false, Id parent = 0);
  void SetClocks(Assignment& a, bool reset_overall);
  const Assignment* OverallFrom() { return t_.overall_from ? t_.FindAssignment(t_.overall_from) : nullptr; }
  bool RecomputeOverall();
  void ApplyCorrections(json& data);
  void Close(std::string kind);

  Status AnswerDirectly();
  Status Transfer();
  Status NoMergedRequests(const char* what) const;
  Status Merge();
  Status Dispatch();
  Status Accept();
  Status Return();
  Status Redispatch(bool coordinate);
  void SuspendNow(Assignment& a, json data);
  bool StillHandled(const Assignment& a) const;
  Status Coordinate();
  Status RequestExtension();
  Status DecideExtension();
  Status Suspend();
  Status DecideSuspension();
  void MoveRelayClocks(const Assignment& below, int64_t extension_ms, TimeMs suspended_since);
  Status Resume();
  Status Reply();
  Status Review();
  Status Callback();
  Status Reopen();
  Status UrgeOrSupervise();
  Status Withdraw();
  Status Exempt();
  Status Note();
  Status Archive();
  Status SlaTick();
  Status RecomputeDeadlines();

  Ticket t_;
  const Command& cmd_;
  const Actor& actor_;
  const CommandContext& ctx_;
  std::vector<Event> events_;
  std::optional<Ticket> target_;
  std::vector<Event> target_events_;
  // This step corrected the category, type or urgency (ApplyCorrections): a lead order's
  // tighter time limit then brings the overall deadline forward (SetClocks).
  bool corrected_ = false;
};

Assignment* Step::OwnAssignment(std::initializer_list<AssignmentState> states, bool lead_only) {
  if (!(actor_.role == Role::kUnitHandler || actor_.role == Role::kDispatcher)) return nullptr;
  for (auto it = t_.assignments.rbegin(); it != t_.assignments.rend(); ++it) {
    if (it->unit_id != actor_.unit_id || (lead_only && !it->lead)) continue;
    if (std::find(states.begin(), states.end(), it->state) != states.end()) return &*it;
  }
  return nullptr;
}

Status Step::NeedOwnAssignment(Assignment** out, std::initializer_list<AssignmentState> states,
                               bool lead_only) {
  *out = OwnAssignment(states, lead_only);
  if (*out) return Status::Ok();
  bool any = false, lead = false;
  for (const auto& a : t_.assignments) {
    any = any || a.unit_id == actor_.unit_id;
    lead = lead || (a.unit_id == actor_.unit_id && a.lead);
  }
  if (!any || !(actor_.role == Role::kUnitHandler || actor_.role == Role::kDispatcher)) {
    return PermissionDenied("this ticket has no assignment for your unit");
  }
  if (lead_only && !lead) {
    return PermissionDenied("only the lead unit may " + std::string(CommandName(cmd_.type)) +
                            "; your unit assists (协办) on this order");
  }
  return Invalid(t_, cmd_.type);
}

Status Step::CheckTarget(Id unit_id, const char* field, bool relay) const {
  const Unit* u = org().FindUnit(unit_id);
  if (!u || !u->active) return InvalidArgument(field, "no active unit with id " + IdToString(unit_id));
  if (relay && !(u->kind == UnitKind::kDistrictCenter || u->kind == UnitKind::kSubCenter)) {
    return InvalidArgument(field, "a relay dispatch goes to a district centre or sub-centre");
  }
  // Relaying to oneself would add a level with its own clock, and its 退单 would count against
  // the centre that made it.
  if (relay && unit_id == org().CentreOf(actor_.unit_id)) {
    return InvalidArgument(field, "a relay dispatch goes to a centre below yours, not to your own");
  }
  if (!relay && IsCentre(u->kind)) {
    return InvalidArgument(field, "a direct dispatch goes to a handling unit, not a centre (use mode relay)");
  }
  if (!CentreCovers(unit_id)) {
    return Status(Code::kPermissionDenied, std::string(field) + ": unit is outside your centre's subtree", field);
  }
  return Status::Ok();
}

// The co-handlers (协办) a dispatch or a coordination names: each once, handling units the
// actor's centre covers, none the lead and none already holding a live part of the order.
Status Step::CheckAssisting(Id lead_unit) const {
  const auto& ids = cmd_.assisting_unit_ids;
  if (ids.size() > 20) return InvalidArgument("assisting_unit_ids", "at most 20 units");
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string field = "assisting_unit_ids[" + std::to_string(i) + "]";
    if (ids[i] == lead_unit) return InvalidArgument(field, "the lead unit cannot also assist");
    if (std::count(ids.begin(), ids.end(), ids[i]) > 1) return InvalidArgument(field, "appears twice");
    RETURN_IF_ERROR(CheckTarget(ids[i], field.c_str(), false));
    for (const auto& a : t_.assignments) {
      if (!a.lead && a.unit_id == ids[i] && a.IsLive()) return InvalidArgument(field, "already assists this order");
    }
  }
  return Status::Ok();
}

// Adds the checked co-handlers beside the lead (same parent, same dispatching centre); their
// assignments as event data.
json Step::AddAssisting(Id parent, Id by_unit) {
  json out = json::array();
  for (Id u : cmd_.assisting_unit_ids) {
    const Assignment& a = AddAssignment(u, false, "direct", parent, by_unit);
    out.push_back({{"assignment_id", IdToString(a.id)}, {"unit_id", IdToString(u)},
                   {"accept_due_at", a.accept_due_at}, {"handle_due_at", a.handle_due_at}});
  }
  return out;
}

Assignment& Step::AddAssignment(Id unit, bool lead, std::string mode, Id parent, Id by_unit) {
  // A unit holds one live order on a ticket: made the lead (a redispatch or coordination
  // to a unit that was assisting), its assisting order is superseded by the lead one.
  if (lead) {
    for (auto& o : t_.assignments) {
      if (!o.lead && o.unit_id == unit && o.IsLive()) Supersede(o);
    }
  }
  Assignment a;
  a.id = ctx_.ids->Next();
  a.unit_id = unit;
  a.lead = lead;
  a.mode = std::move(mode);
  a.parent_id = parent;
  a.dispatched_by_unit_id = by_unit;
  a.round = t_.reopen_count;
  a.dispatched_at = ctx_.now;
  t_.assignments.push_back(std::move(a));
  SetClocks(t_.assignments.back(), false);
  return t_.assignments.back();
}

void Step::SetClocks(Assignment& a, bool reset_overall) {
  a.clocks = ctx_.policy->ClocksFor(t_);
  RecomputeDues(a, *ctx_.policy);
  // A correction that tightens the limit (urgency raised to emergency) brings the overall
  // deadline forward to the new lead order's; none pushes it back (that is an extension's job).
  const bool tightened = corrected_ && a.lead && a.handle_due_at < t_.due_at;
  if (t_.due_at == 0 || reset_overall || tightened) {
    t_.overall_from = a.id;
    t_.overall_extension_ms = t_.overall_suspended_ms = 0;
    t_.due_at = a.handle_due_at;
  }
}

// The overall deadline from its own clock, on the calendar in force: the time limit of the
// dispatch that started it, plus the extensions approved and the time suspended since.
// False for a ticket stored before that clock was kept (its due_at is left as it is).
bool Step::RecomputeOverall() {
  const Assignment* from = OverallFrom();
  if (!from) return false;
  t_.due_at = ctx_.policy->Due(from->dispatched_at,
                               from->clocks.handle_ms + t_.overall_extension_ms + t_.overall_suspended_ms,
                               from->clocks.handle_working);
  return true;
}

// A dispatch's confirmation or correction of what intake proposed, applied before the new
// order's clocks are set (the time limit follows the category, type and urgency); what
// changed goes into the event, as feedback.
void Step::ApplyCorrections(json& data) {
  json corrected = json::object();
  const auto correct = [&](const char* field, std::string& have, const std::string& want) {
    if (want.empty() || want == have) return;
    corrected[field] = {{"old", have}, {"new", want}};
    have = want;
  };
  correct("category_code", t_.category_code, cmd_.category_code);
  if (corrected.contains("category_code") && cmd_.taxonomy_version) t_.taxonomy_version = cmd_.taxonomy_version;
  correct("request_type", t_.request_type, cmd_.request_type);
  correct("urgency", t_.urgency, cmd_.urgency);
  corrected_ = !corrected.empty();
  if (corrected_) data["corrected"] = std::move(corrected);
}

// Ends every open assignment (or those under `parent`): a withdrawn, merged or
// re-dispatched order leaves the units' inboxes.
// An order nobody will act on any more: its unit's time ends now (one a return or a reply
// already ended keeps that time).
void Step::Supersede(Assignment& a) {
  if (a.suspended) {
    // The time it stood suspended is not its unit's: its deadline moves by it, as a resume
    // would move it, so an order suspended in time and then withdrawn or merged is not late.
    EndSuspension(a);
    RecomputeDues(a, *ctx_.policy);
  }
  a.state = AssignmentState::kSuperseded;
  if (a.ended_at == 0) a.ended_at = ctx_.now;
}

void Step::SupersedeOpen(bool children_of_only, Id parent) {
  // Live orders; when the ticket closes, a returned one is history (who returned it and
  // when) and stays so. A relay centre returning takes back its sub-orders, returned ones
  // too: the order is now the centre's return, not its street's.
  for (auto& a : t_.assignments) {
    if (children_of_only && a.parent_id != parent) continue;
    if (a.IsLive() || (children_of_only && a.state == AssignmentState::kReturned)) Supersede(a);
  }
}

void Step::Close(std::string kind) {
  t_.phase = Phase::kClosed;
  t_.closing_kind = std::move(kind);
  t_.closed_at = ctx_.now;
  SupersedeOpen();
}

Status Step::AnswerDirectly() {
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kAgent, Role::kDispatcher}));
  if (t_.phase != Phase::kIntake) return Invalid(t_, cmd_.type);
  if (!CentreCovers(t_.intake_unit_id)) return PermissionDenied("ticket belongs to another centre");
  Close("direct_answer");
  json ids = json::array();
  for (Id id : cmd_.kb_entry_ids) ids.push_back(IdToString(id));
  Emit("answered_directly", {{"content", cmd_.content}, {"kb_entry_ids", ids}}, true);
  return Status::Ok();
}

// Requests merged into this ticket are answered by its handling: withdrawn or transferred,
// it would leave them with no answer and no way back (a merged request cannot be reopened).
Status Step::NoMergedRequests(const char* what) const {
  if (t_.merged_in == 0) return Status::Ok();
  return Conflict("merged_requests", std::to_string(t_.merged_in) +
                                         (t_.merged_in == 1 ? " request is merged into this ticket and waits"
                                                            : " requests are merged into this ticket and wait") +
                                         " on its answer: it cannot be " + what +
                                         " (record the caller's wish as a note; the ticket goes on for the others)");
}

Status Step::Transfer() {
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kAgent, Role::kDispatcher}));
  const bool returned = t_.Status() == TicketStatus::kReturned;
  if (t_.phase != Phase::kIntake && !returned) return Invalid(t_, cmd_.type);
  if (!CentreCovers(t_.intake_unit_id)) return PermissionDenied("ticket belongs to another centre");
  RETURN_IF_ERROR(NoMergedRequests("transferred"));
  t_.phase = Phase::kTransferred;
  t_.transfer_to = cmd_.to;
  t_.closed_at = ctx_.now;
  SupersedeOpen();
  Emit("transferred", {{"to", cmd_.to}, {"note", cmd_.note}}, true);
  return Status::Ok();
}

Status Step::Merge() {
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type,
                           {Role::kAdmin, Role::kAgent, Role::kDispatcher, Role::kSupervisor}));
  if (!IsOpen()) return Invalid(t_, cmd_.type);
  if (!CentreCovers(t_.intake_unit_id)) return PermissionDenied("ticket belongs to another centre");
  if (cmd_.into_ticket_id == t_.id) return InvalidArgument("into_ticket_id", "a ticket cannot merge into itself");
  const Ticket* target = ctx_.merge_target;
  // A ticket the actor may not see answers exactly like one that does not exist.
  if (target && !(CanView(*target, actor_, org()) && CentreCovers(target->intake_unit_id))) target = nullptr;
  if (!target || target->id != cmd_.into_ticket_id) {
    return InvalidArgument("into_ticket_id", "no ticket with id " + IdToString(cmd_.into_ticket_id));
  }
  if (!IsOpenStatus(target->Status())) {
    return Status(Code::kFailedPrecondition, "into_ticket_id: the target ticket is " +
                  std::string(TicketStatusName(target->Status())) + ", merge needs an open one",
                  "into_ticket_id");
  }
  t_.phase = Phase::kMerged;
  t_.merged_into = target->id;
  t_.closed_at = ctx_.now;
  SupersedeOpen();
  Emit("merged", {{"into_ticket_id", IdToString(target->id)}, {"into_number", target->number}}, true);
  target_ = *target;
  target_->updated_at = ctx_.now;
  // The target answers this request and those merged into it before.
  target_->merged_in += 1 + t_.merged_in;
  target_events_.push_back(MakeEvent(*target_, "merged_in", actor_, ctx_.now, ctx_.ids,
                                     json{{"ticket_id", IdToString(t_.id)}, {"number", t_.number}}.dump(),
                                     false));
  return Status::Ok();
}

Status Step::Dispatch() {
  // The system dispatches automatically for the intake centre when a proposal is confident
  // enough (Service::SetAutoDispatch).
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kDispatcher, Role::kSystem}));
  const bool relay = cmd_.mode == "relay";
  Assignment* active = t_.ActiveLead();
  Id parent = 0;
  Id by_unit = ActorCentre();
  if (t_.phase == Phase::kIntake) {
    if (!CentreCovers(t_.intake_unit_id)) return PermissionDenied("ticket belongs to another centre");
    if (actor_.role == Role::kAdmin) by_unit = t_.intake_unit_id;
  } else if (t_.phase == Phase::kHandling && active && active->state == AssignmentState::kReturned) {
    // Dispatching a returned order again is a re-dispatch by the unit it came back to.
    return Redispatch(false);
  } else if (t_.phase == Phase::kHandling && active && active->unit_id == actor_.unit_id &&
             (active->state == AssignmentState::kPending || active->state == AssignmentState::kAccepted)) {
    // Level by level: the centre holding the order passes it down its own subtree.
    parent = active->id;
    by_unit = actor_.unit_id;
    if (active->state == AssignmentState::kPending) {
      active->state = AssignmentState::kAccepted;
      active->accepted_at = ctx_.now;
    }
  } else {
    return Invalid(t_, cmd_.type);
  }
  RETURN_IF_ERROR(CheckTarget(cmd_.unit_id, "unit_id", relay));
  RETURN_IF_ERROR(CheckAssisting(cmd_.unit_id));
  json corrected;
  ApplyCorrections(corrected);
  t_.phase = Phase::kHandling;
  Assignment& lead = AddAssignment(cmd_.unit_id, true, cmd_.mode, parent, by_unit);
  json lead_json = {{"assignment_id", IdToString(lead.id)}, {"unit_id", IdToString(lead.unit_id)},
                    {"accept_due_at", lead.accept_due_at}, {"handle_due_at", lead.handle_due_at}};
  json assist = AddAssisting(parent, by_unit);
  json data = {{"lead", lead_json}, {"assisting", assist}, {"mode", cmd_.mode},
               {"parent_assignment_id", IdToString(parent)}, {"by_unit_id", IdToString(by_unit)}};
  if (corrected.contains("corrected")) data["corrected"] = std::move(corrected["corrected"]);
  if (!cmd_.note.empty()) data["note"] = cmd_.note;
  if (parent == 0 && !t_.suggestions.empty()) {
    // Feedback for the recommender: did the centre follow the proposed unit?
    const json sug = json::parse(t_.suggestions, nullptr, false);
    if (sug.is_object() && sug.contains("units") && sug["units"].is_array() && !sug["units"].empty()) {
      const std::string proposed = sug["units"][0].value("unit_id", "");
      data["suggestion"] = {{"unit_id", proposed}, {"followed", proposed == IdToString(cmd_.unit_id)}};
    }
  }
  Emit("dispatched", data, true);
  return Status::Ok();
}

Status Step::Accept() {
  Assignment* a = nullptr;
  RETURN_IF_ERROR(NeedOwnAssignment(&a, {AssignmentState::kPending}, false));
  a->state = AssignmentState::kAccepted;
  a->accepted_at = ctx_.now;
  Emit("accepted", {{"assignment_id", IdToString(a->id)}, {"unit_id", IdToString(a->unit_id)},
                    {"lead", a->lead}, {"on_time", ctx_.now <= a->accept_due_at}}, a->lead);
  return Status::Ok();
}

// An order its unit still works on: while units handle the ticket; a co-handler's (协办) also
// while the lead's answer is reviewed, its part still open (a rejection sends the answer back,
// an approval ends the part), so it is never left with a running clock and nothing to do.
bool Step::StillHandled(const Assignment& a) const {
  return t_.phase == Phase::kHandling || (!a.lead && t_.phase == Phase::kReview);
}

Status Step::Return() {
  Assignment* a = nullptr;
  RETURN_IF_ERROR(NeedOwnAssignment(&a, {AssignmentState::kPending, AssignmentState::kAccepted}, false));
  if (!StillHandled(*a)) return Invalid(t_, cmd_.type);
  if (a->suspended) {
    // A return does not turn a suspension into lost time: it ends as a resume would.
    const int64_t stopped_ms = EndSuspension(*a);
    if (!RecomputeOverall() && t_.due_at && a->lead) t_.due_at += stopped_ms;
  }
  a->state = AssignmentState::kReturned;
  a->return_reason = cmd_.reason;
  a->ended_at = ctx_.now;
  if (a->lead) {
    ++t_.return_count;
    SupersedeOpen(true, a->id);  // a relay centre returning takes its sub-orders back
  }
  Emit("returned", {{"assignment_id", IdToString(a->id)}, {"unit_id", IdToString(a->unit_id)},
                    {"lead", a->lead}, {"reason", cmd_.reason},
                    {"to_unit_id", IdToString(a->dispatched_by_unit_id)}}, false);
  return Status::Ok();
}

Status Step::Redispatch(bool coordinate) {
  if (!coordinate) RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kDispatcher}));
  Assignment* active = t_.ActiveLead();
  // A re-dispatch moves an order not yet signed for, or one returned; a coordination (协调)
  // also takes one from the unit that holds it, when units dispute whose matter it is.
  if (t_.phase != Phase::kHandling || !active ||
      !(active->state == AssignmentState::kReturned || active->state == AssignmentState::kPending ||
        (coordinate && active->state == AssignmentState::kAccepted))) {
    return Invalid(t_, cmd_.type);
  }
  if (!CentreCovers(active->dispatched_by_unit_id)) {
    return PermissionDenied("the order was dispatched by another centre");
  }
  const bool relay = cmd_.mode == "relay";
  RETURN_IF_ERROR(CheckTarget(cmd_.unit_id, "unit_id", relay));
  RETURN_IF_ERROR(CheckAssisting(cmd_.unit_id));  // a coordination may name co-handlers too
  if (cmd_.unit_id == active->unit_id && active->state != AssignmentState::kReturned) {
    return InvalidArgument("unit_id", "the order is already with that unit");
  }
  // The order the new one replaces: the active one when its dispatching centre covers the new
  // unit; else the relay above it whose centre does, so a higher centre can take a district's
  // order back to a unit of its own (上级协调), the district's relay leaving with it. At the top
  // of the chain (a reopened round has no relay above it) the actor's own centre dispatches.
  Assignment* replaced = active;
  Id by_unit = active->dispatched_by_unit_id;
  // A level dispatched by a centre below the actor's is that centre's: the actor's own
  // re-dispatch takes the order back from there (the city sending a district's order to one of
  // its streets is the city's order, and a return comes back to the city), not one made in the
  // district's name.
  const Id mine_centre = ActorCentre();
  for (Assignment* x = active; x;) {
    const Unit* by = org().FindUnit(x->dispatched_by_unit_id);
    const bool below_mine = by && mine_centre && by->id != mine_centre && org().InSubtree(by->id, mine_centre) &&
                            x->parent_id && t_.FindAssignment(x->parent_id);
    if (!by || (!below_mine && org().InSubtree(cmd_.unit_id, by->id) && CentreCovers(by->id))) {
      replaced = x;
      by_unit = x->dispatched_by_unit_id;
      break;
    }
    Assignment* up = x->parent_id ? t_.FindAssignment(x->parent_id) : nullptr;
    if (!up) {
      const Id mine = ActorCentre() ? ActorCentre() : t_.intake_unit_id;
      if (!org().InSubtree(cmd_.unit_id, mine) || !org().InSubtree(x->dispatched_by_unit_id, mine)) {
        return Status(Code::kPermissionDenied, "unit_id: outside the subtree of the centre that dispatched the order",
                      "unit_id");
      }
      replaced = x;
      by_unit = mine;
    }
    x = up;
  }
  const Id old_id = active->id, old_unit = active->unit_id, parent = replaced->parent_id;
  if (active->state == AssignmentState::kAccepted && active->suspended) {
    // Taken from the unit that holds it: a suspension ends as a resume would.
    const int64_t stopped_ms = EndSuspension(*active);
    if (!RecomputeOverall() && t_.due_at) t_.due_at += stopped_ms;
  }
  // The orders under the replaced one (a relay centre's further down, a returned one too)
  // leave with it. (A return already ended its unit's time: that end stays.)
  const auto below = [&](const Assignment& a) {
    for (Id p = a.parent_id, depth = 0; p && depth < 16; ++depth) {
      if (p == replaced->id) return true;
      const Assignment* up = t_.FindAssignment(p);
      p = up ? up->parent_id : 0;
    }
    return false;
  };
  for (auto& a : t_.assignments) {
    if (below(a) && (a.IsLive() || a.state == AssignmentState::kReturned)) Supersede(a);
  }
  Supersede(*replaced);
  json data;
  ApplyCorrections(data);
  Assignment& a = AddAssignment(cmd_.unit_id, true, relay ? "relay" : "direct", parent, by_unit);
  data.update({{"from_assignment_id", IdToString(old_id)}, {"from_unit_id", IdToString(old_unit)},
               {"assignment_id", IdToString(a.id)}, {"unit_id", IdToString(a.unit_id)},
               {"accept_due_at", a.accept_due_at}, {"handle_due_at", a.handle_due_at}});
  if (!cmd_.assisting_unit_ids.empty()) data["assisting"] = AddAssisting(parent, by_unit);
  if (!cmd_.note.empty()) data["note"] = cmd_.note;
  Emit(coordinate ? "coordinated" : "redispatched", data, true);
  return Status::Ok();
}

Status Step::Coordinate() {
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kSupervisor, Role::kDispatcher}));
  if (t_.phase != Phase::kHandling) return Invalid(t_, cmd_.type);
  if (cmd_.unit_id != 0) return Redispatch(true);
  const Assignment* active = t_.ActiveLead();
  if (!CentreCovers(active ? active->dispatched_by_unit_id : t_.intake_unit_id)) {
    return PermissionDenied("ticket belongs to another centre");
  }
  json data = {{"note", cmd_.note}};
  if (!cmd_.assisting_unit_ids.empty()) {
    // 增派协办: more units help the lead that holds the order (one whose co-handler gave its
    // part back, or a matter found to reach further). A returned order is re-dispatched first.
    if (!active || !active->IsLive()) {
      return InvalidArgument("assisting_unit_ids", "co-handlers join an order a lead unit holds; re-dispatch a returned order first");
    }
    RETURN_IF_ERROR(CheckAssisting(active->unit_id));
    data["assisting"] = AddAssisting(active->parent_id, active->dispatched_by_unit_id);
  }
  Emit("coordinated", data, false);
  return Status::Ok();
}

Status Step::RequestExtension() {
  // The lead unit's, or an assisting unit's for its own part (协办延期).
  Assignment* a = nullptr;
  RETURN_IF_ERROR(NeedOwnAssignment(&a, {AssignmentState::kAccepted}, false));
  if (!StillHandled(*a)) return Invalid(t_, cmd_.type);
  if (a->suspended) return Conflict("invalid_transition", "the order is suspended: its clock stands still, no extension is needed");
  if (a->extension_days_requested > 0) {
    return Conflict("invalid_transition", "an extension request is already waiting for a decision");
  }
  // The policy's longest extension bounds the order's extensions together, not each request
  // (approved one at a time, they would stretch an order without end).
  const int granted = static_cast<int>(a->extension_ms / kDayMs);
  if (granted + cmd_.days > ctx_.policy->extension_max_days) {
    const int left = std::max(0, ctx_.policy->extension_max_days - granted);
    const std::string all = "the policy allows " + std::to_string(ctx_.policy->extension_max_days) +
                            " days of extension in all, " + std::to_string(granted) + " granted already";
    return InvalidArgument("days", left == 0 ? "no more days can be granted: " + all
                                             : "must be between 1 and " + std::to_string(left) + ": " + all);
  }
  a->extension_days_requested = cmd_.days;
  a->extension_reason = cmd_.reason;
  Emit("extension_requested", {{"assignment_id", IdToString(a->id)}, {"days", cmd_.days},
                               {"reason", cmd_.reason}}, false);
  return Status::Ok();
}

Status Step::DecideExtension() {
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kDispatcher, Role::kSupervisor}));
  Assignment* a = nullptr;
  int waiting = 0;
  for (auto& x : t_.assignments) {
    if (x.extension_days_requested <= 0 || x.state != AssignmentState::kAccepted) continue;
    ++waiting;
    if (cmd_.assignment_id == 0 || x.id == cmd_.assignment_id) a = &x;
  }
  if (waiting == 0) return Conflict("invalid_transition", "no extension request is waiting");
  if (!a) return InvalidArgument("assignment_id", "no extension request waits on that assignment");
  if (waiting > 1 && cmd_.assignment_id == 0) {
    return InvalidArgument("assignment_id", "several extension requests wait: name the assignment to decide");
  }
  if (!CentreCovers(a->dispatched_by_unit_id)) return PermissionDenied("the order was dispatched by another centre");
  if (!cmd_.approve) return InvalidArgument("approve", "is required");
  if (!*cmd_.approve && !HasVisibleText(cmd_.comment)) return InvalidArgument("comment", "is required when refusing an extension");
  const int days = a->extension_days_requested;
  json data = {{"assignment_id", IdToString(a->id)}, {"days", days}, {"approved", *cmd_.approve}};
  if (*cmd_.approve) {
    a->extension_ms += static_cast<int64_t>(days) * kDayMs;  // working days on a working clock
    RecomputeDues(*a, *ctx_.policy);
    ClearFutureAlarms(*a, ctx_.now);
    data["handle_due_at"] = a->handle_due_at;
    if (a->lead) {
      // The order's overall deadline gets the same days (a ticket stored before the overall
      // clock was kept: at least the unit's new deadline). An assisting unit's extension is
      // its own part's only: the citizen's deadline stays the lead's.
      t_.overall_extension_ms += static_cast<int64_t>(days) * kDayMs;
      if (!RecomputeOverall() && t_.due_at < a->handle_due_at) t_.due_at = a->handle_due_at;
      data["due_at"] = t_.due_at;
      // The relaying centres above wait on this order: their clocks get the same days.
      MoveRelayClocks(*a, static_cast<int64_t>(days) * kDayMs, 0);
    }
  }
  if (!cmd_.comment.empty()) data["comment"] = cmd_.comment;
  a->extension_days_requested = 0;
  Emit("extension_decided", data, false);
  return Status::Ok();
}

Status Step::Suspend() {
  if (t_.phase != Phase::kHandling) return Invalid(t_, cmd_.type);
  if (actor_.role == Role::kUnitHandler) {
    Assignment* a = nullptr;
    RETURN_IF_ERROR(NeedOwnAssignment(&a, {AssignmentState::kAccepted}, true));
    if (a->suspend_requested) return Conflict("invalid_transition", "a suspension request is already waiting for a decision");
    if (a->suspended) return Conflict("invalid_transition", "the order is suspended already");
    a->suspend_requested = true;
    a->suspend_reason = cmd_.reason;
    Emit("suspend_requested", {{"assignment_id", IdToString(a->id)}, {"reason", cmd_.reason}}, false);
    return Status::Ok();
  }
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kDispatcher, Role::kSupervisor}));
  Assignment* a = t_.ActiveLead();
  if (!a || a->state != AssignmentState::kAccepted || a->suspended) return Invalid(t_, cmd_.type);
  if (!CentreCovers(a->dispatched_by_unit_id)) return PermissionDenied("the order was dispatched by another centre");
  const bool approved_request = a->suspend_requested;
  a->suspend_reason = cmd_.reason;
  SuspendNow(*a, {{"assignment_id", IdToString(a->id)}, {"reason", cmd_.reason}, {"approved_request", approved_request}});
  return Status::Ok();
}

// The centre stops an order's clock (挂起), from now: recorded as `suspended` with `data`.
void Step::SuspendNow(Assignment& a, json data) {
  a.suspend_requested = false;
  a.suspended = true;
  a.suspended_at = ctx_.now;
  Emit("suspended", std::move(data), true);
}

// A relaying centre's assignment waits on the one below it: an extension granted below, or
// time spent suspended there (since `suspended_since`), moves the deadlines of every live
// relay level above as well, so the timer does not urge a centre for its unit's approved pause.
void Step::MoveRelayClocks(const Assignment& below, int64_t extension_ms, TimeMs suspended_since) {
  for (Assignment* p = below.parent_id ? t_.FindAssignment(below.parent_id) : nullptr; p && p->IsLive();
       p = p->parent_id ? t_.FindAssignment(p->parent_id) : nullptr) {
    p->extension_ms += extension_ms;
    if (suspended_since) p->suspended_ms += ctx_.policy->Elapsed(suspended_since, ctx_.now, p->clocks.handle_working);
    RecomputeDues(*p, *ctx_.policy);
    ClearFutureAlarms(*p, ctx_.now);
  }
}

// The centre's answer to a unit's request to suspend (挂起申请): approved, the order's clock
// stops as if the centre had suspended it; refused, the unit goes on with the clock running.
Status Step::DecideSuspension() {
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kDispatcher, Role::kSupervisor}));
  if (t_.phase != Phase::kHandling) return Invalid(t_, cmd_.type);
  Assignment* a = nullptr;
  for (auto& x : t_.assignments) {
    if (x.suspend_requested && !x.suspended && x.state == AssignmentState::kAccepted) a = &x;
  }
  if (!a) return Conflict("invalid_transition", "no suspension request is waiting");
  if (!CentreCovers(a->dispatched_by_unit_id)) return PermissionDenied("the order was dispatched by another centre");
  if (!cmd_.approve) return InvalidArgument("approve", "is required");
  if (!*cmd_.approve && !HasVisibleText(cmd_.comment)) return InvalidArgument("comment", "is required when refusing a suspension");
  json data = {{"assignment_id", IdToString(a->id)}, {"reason", a->suspend_reason}};
  if (!cmd_.comment.empty()) data["comment"] = cmd_.comment;
  if (*cmd_.approve) {
    data["approved_request"] = true;
    SuspendNow(*a, std::move(data));
  } else {
    a->suspend_requested = false;
    a->suspend_reason.clear();
    Emit("suspend_refused", data, false);
  }
  return Status::Ok();
}

// Ends a's suspension: the clock stood still, so the time spent is given back to a, to the
// relaying centres above it (each on its own clock) and to the ticket's overall deadline.
// Returns the time a's own clock stood.
int64_t Step::EndSuspension(Assignment& a) {
  const int64_t stopped_ms = ctx_.policy->Elapsed(a.suspended_at, ctx_.now, a.clocks.handle_working);
  MoveRelayClocks(a, 0, a.suspended_at);
  if (const Assignment* from = OverallFrom()) {
    t_.overall_suspended_ms += ctx_.policy->Elapsed(a.suspended_at, ctx_.now, from->clocks.handle_working);
  }
  a.suspended_ms += stopped_ms;
  a.suspended = false;
  a.suspended_at = 0;
  return stopped_ms;
}

Status Step::Resume() {
  Assignment* a = t_.ActiveLead();
  if (t_.phase != Phase::kHandling || !a || !a->suspended) return Invalid(t_, cmd_.type);
  if (actor_.role == Role::kUnitHandler || (actor_.role == Role::kDispatcher && a->unit_id == actor_.unit_id)) {
    if (a->unit_id != actor_.unit_id) return PermissionDenied("this ticket has no assignment for your unit");
  } else {
    RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kDispatcher, Role::kSupervisor}));
    if (!CentreCovers(a->dispatched_by_unit_id)) return PermissionDenied("the order was dispatched by another centre");
  }
  const TimeMs old_due = a->handle_due_at;
  const int64_t stopped_ms = EndSuspension(*a);
  RecomputeDues(*a, *ctx_.policy);
  ClearFutureAlarms(*a, ctx_.now);
  if (!RecomputeOverall() && t_.due_at) t_.due_at += a->handle_due_at - old_due;
  Emit("resumed", {{"assignment_id", IdToString(a->id)}, {"stopped_ms", stopped_ms},
                   {"handle_due_at", a->handle_due_at}}, true);
  return Status::Ok();
}

Status Step::Reply() {
  Assignment* a = nullptr;
  RETURN_IF_ERROR(NeedOwnAssignment(&a, {AssignmentState::kAccepted}, false));
  if (!StillHandled(*a)) return Invalid(t_, cmd_.type);
  if (a->suspended) return Conflict("invalid_transition", "resume the suspended order before replying");
  if (a->lead) {
    for (const auto& c : t_.assignments) {
      if (c.parent_id == a->id && c.lead && c.state != AssignmentState::kSuperseded &&
          c.state != AssignmentState::kReturned) {
        return Conflict("invalid_transition", "the order is with a unit below yours; it replies");
      }
    }
  }
  // The unit's requests still waiting for the centre end with its answer: approved after a
  // review sent the reply back, they would stop or extend a clock nobody asked about then.
  json withdrawn = json::array();
  const auto end_requests = [&](Assignment& x) {
    if (x.extension_days_requested > 0) withdrawn.push_back("extension");
    if (x.suspend_requested) withdrawn.push_back("suspension");
    x.extension_days_requested = 0;
    x.extension_reason.clear();
    x.suspend_requested = false;
    x.suspend_reason.clear();
  };
  end_requests(*a);
  a->state = AssignmentState::kReplied;
  a->replied_at = ctx_.now;
  a->reply = cmd_.content;
  a->rejected_comment.clear();
  json att = json::array();
  for (Id id : cmd_.attachment_ids) att.push_back(IdToString(id));
  json data = {{"assignment_id", IdToString(a->id)}, {"unit_id", IdToString(a->unit_id)},
               {"lead", a->lead}, {"content", cmd_.content}, {"attachment_ids", att},
               {"on_time", ctx_.now <= a->handle_due_at}};
  if (a->lead) {
    // A reply from the bottom of a relay chain answers for every level above it.
    for (Id p = a->parent_id; p != 0;) {
      Assignment* up = t_.FindAssignment(p);
      if (!up) break;
      end_requests(*up);
      up->state = AssignmentState::kReplied;
      up->replied_at = ctx_.now;
      up->reply = cmd_.content;
      up->rejected_comment.clear();
      p = up->parent_id;
    }
    t_.phase = Phase::kReview;
  }
  if (!withdrawn.empty()) data["withdrawn_requests"] = std::move(withdrawn);
  Emit("replied", data, false);  // public only once the review approves it
  return Status::Ok();
}

Status Step::Review() {
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kReviewer, Role::kSupervisor}));
  if (t_.phase != Phase::kReview) return Invalid(t_, cmd_.type);
  if (!CentreCovers(t_.intake_unit_id)) return PermissionDenied("ticket belongs to another centre");
  json data = {{"decision", cmd_.decision}};
  if (!cmd_.comment.empty()) data["comment"] = cmd_.comment;
  if (cmd_.decision == "approve") {
    // The answer is given: assisting orders still open have nothing left to do, and would
    // sit in their units' inboxes and overdue counts with no command they could run.
    for (auto& a : t_.assignments) {
      if (!a.lead && a.IsLive()) Supersede(a);
    }
    t_.phase = Phase::kCallback;
    t_.callback_from = ctx_.now;
    t_.callback_ms = ctx_.policy->CallbackMs();
    t_.callback_working = ctx_.policy->CallbackWorking();
    t_.callback_due_at = ctx_.policy->Due(ctx_.now, t_.callback_ms, t_.callback_working);
    t_.callback_alarmed = false;
    data["callback_due_at"] = t_.callback_due_at;
    if (const Assignment* lead = t_.ActiveLead()) data["content"] = lead->reply;  // the answer the citizen sees
  } else {
    if (!HasVisibleText(cmd_.comment)) return InvalidArgument("comment", "is required when rejecting a reply");
    // Back to the unit that replied, and every relay level above it.
    Assignment* a = t_.ActiveLead();
    for (Id id = a ? a->id : 0; id != 0;) {
      Assignment* x = t_.FindAssignment(id);
      if (!x) break;
      x->state = AssignmentState::kAccepted;
      x->replied_at = 0;
      x->rejected_comment = cmd_.comment;
      id = x->parent_id;
    }
    t_.phase = Phase::kHandling;
  }
  Emit("reviewed", data, cmd_.decision == "approve");
  return Status::Ok();
}

Status Step::Callback() {
  // The system records the citizen's own rating from the public portal (评价反馈).
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kCallbackAgent, Role::kReviewer, Role::kSystem}));
  if (t_.phase != Phase::kCallback) return Invalid(t_, cmd_.type);
  if (!CentreCovers(t_.intake_unit_id)) return PermissionDenied("ticket belongs to another centre");
  ++t_.callback_attempts;
  json data = {{"outcome", cmd_.outcome}, {"attempt", t_.callback_attempts}};
  if (!cmd_.comment.empty()) data["comment"] = cmd_.comment;
  if (cmd_.outcome == "reached") {
    t_.rating = cmd_.rating;
    data["rating"] = cmd_.rating;
    // Whose answer was rated: the units whose lead orders replied. A dissatisfied rating
    // reopens the ticket and their orders are superseded, so the event keeps them (满意率 by unit).
    json answered_by = json::array();
    for (const auto& a : t_.assignments) {
      if (a.lead && a.state == AssignmentState::kReplied) answered_by.push_back(IdToString(a.unit_id));
    }
    data["answered_by"] = std::move(answered_by);
    Close(IsSatisfiedRating(cmd_.rating) ? "resolved" : "unsatisfied");
  } else if (cmd_.outcome == "refused") {
    Close("refused");
  } else if (t_.callback_attempts >= ctx_.policy->callback_max_attempts) {
    Close("unreachable");
  }
  if (t_.phase == Phase::kClosed) data["closing_kind"] = t_.closing_kind;
  Emit("callback_recorded", data, t_.phase == Phase::kClosed);
  return Status::Ok();
}

Status Step::Reopen() {
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kCallbackAgent, Role::kReviewer,
                                               Role::kSupervisor, Role::kDispatcher}));
  if (t_.phase != Phase::kClosed && t_.phase != Phase::kCallback) return Invalid(t_, cmd_.type);
  if (!CentreCovers(t_.intake_unit_id)) return PermissionDenied("ticket belongs to another centre");
  if (t_.reopen_count >= ctx_.policy->reopen_cap) {
    return Status(Code::kFailedPrecondition,
                  "the ticket was reopened " + std::to_string(t_.reopen_count) +
                      " times already, the policy's cap", {}, "reopen_cap");
  }
  ++t_.reopen_count;
  t_.closing_kind.clear();
  t_.rating.clear();
  t_.closed_at = 0;
  t_.callback_attempts = 0;
  // The round's 回访 deadline is over: the next approval sets a new one (the detail showed
  // the old date while the ticket was back with its unit).
  t_.callback_due_at = 0;
  t_.callback_from = 0;
  t_.callback_alarmed = false;
  // A new round starts on a new clock: its urging and supervision start over too (the last
  // round's stay in the history).
  t_.escalation_level = 0;
  json data = {{"reason", cmd_.reason}, {"reopen_count", t_.reopen_count}};
  const Assignment* last = t_.ActiveLead();
  const Unit* last_unit = last ? ctx_.org->FindUnit(last->unit_id) : nullptr;
  if (last && (!last_unit || !last_unit->active)) {
    // The unit that answered has since been deactivated (停用): nothing may be dispatched to
    // it, so the ticket goes back to the centre's queue to be dispatched anew.
    for (auto& a : t_.assignments) {
      if (a.state == AssignmentState::kReplied && a.lead) a.state = AssignmentState::kSuperseded;
    }
    data["unit_inactive"] = IdToString(last->unit_id);
    t_.phase = Phase::kIntake;
  } else if (!last) {  // a direct answer: back to the dispatcher's queue
    t_.phase = Phase::kIntake;
  } else {
    t_.phase = Phase::kHandling;
    const Id unit = last->unit_id, by = last->dispatched_by_unit_id;
    // The relay chain above the unit that answered, top first: each centre of it gets its
    // order of the new round back, signed for as it was when it passed the order down, so it
    // can answer, take the order back or return it upward, on the clock, as in the first round.
    std::vector<std::pair<Id, Id>> relays;  // (centre, dispatched by)
    for (Id p = last->parent_id, depth = 0; p != 0 && depth < 16; ++depth) {
      const Assignment* up = t_.FindAssignment(p);
      if (!up) break;
      relays.insert(relays.begin(), {up->unit_id, up->dispatched_by_unit_id});
      p = up->parent_id;
    }
    // A centre deactivated (停用) since is dispatched nothing: the unit's order then hangs
    // under no relay, as before relays were rebuilt.
    if (std::any_of(relays.begin(), relays.end(), [&](const auto& r) {
          const Unit* u = ctx_.org->FindUnit(r.first);
          return !u || !u->active;
        })) {
      relays.clear();
    }
    // The replied round stays as history; the same units handle the new one.
    for (auto& a : t_.assignments) {
      if (a.state == AssignmentState::kReplied && a.lead) a.state = AssignmentState::kSuperseded;
    }
    Id parent = 0;
    json relayed = json::array();
    for (const auto& [centre, centre_by] : relays) {
      Assignment& r = AddAssignment(centre, true, "relay", parent, centre_by == 0 ? t_.intake_unit_id : centre_by);
      r.state = AssignmentState::kAccepted;
      r.accepted_at = ctx_.now;
      if (parent == 0) SetClocks(r, true);  // the top of the chain holds the citizen's deadline
      parent = r.id;
      relayed.push_back({{"assignment_id", IdToString(r.id)}, {"unit_id", IdToString(centre)}});
    }
    Assignment& a = AddAssignment(unit, true, "direct", parent, by == 0 ? t_.intake_unit_id : by);
    if (relays.empty()) SetClocks(a, true);
    if (!relayed.empty()) data["relays"] = std::move(relayed);
    data["assignment_id"] = IdToString(a.id);
    data["unit_id"] = IdToString(unit);
    data["handle_due_at"] = a.handle_due_at;
  }
  Emit("reopened", data, true);
  return Status::Ok();
}

Status Step::UrgeOrSupervise() {
  const bool supervise = cmd_.type == CommandType::kSupervise;
  if (supervise) {
    RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kSupervisor}));
  } else {
    RETURN_IF_ERROR(NeedRole(actor_, cmd_.type,
                             {Role::kAdmin, Role::kAgent, Role::kDispatcher, Role::kSupervisor}));
  }
  if (!IsOpen()) return Invalid(t_, cmd_.type);
  const Assignment* lead_now = t_.ActiveLead();
  if (!CentreCovers(t_.intake_unit_id) && !(lead_now && CentreCovers(lead_now->dispatched_by_unit_id))) {
    return PermissionDenied("ticket belongs to another centre");
  }
  if (supervise) {
    t_.supervised = true;
    t_.escalation_level = std::min(3, std::max(2, t_.escalation_level + 1));
  } else {
    ++t_.urge_count;
    t_.escalation_level = std::max(1, t_.escalation_level);
  }
  const Assignment* a = t_.ActiveLead();
  json data = {{"note", cmd_.note}, {"escalation_level", t_.escalation_level}};
  // A unit is urged while it holds the order; after its answer the order waits on the
  // centre's review or callback desk, and once returned on the centre it came back to (to
  // dispatch it again): the chase is then for them, not for the unit that let it go.
  if (t_.phase == Phase::kReview || t_.phase == Phase::kCallback) {
    data["stage"] = t_.phase == Phase::kReview ? "review" : "callback";
  } else if (a && a->state == AssignmentState::kReturned) {
    data["stage"] = "dispatch";
    data["centre_id"] = IdToString(a->dispatched_by_unit_id);
  } else if (a) {
    data["unit_id"] = IdToString(a->unit_id);
  }
  Emit(supervise ? "supervised" : "urged", data, false);
  return Status::Ok();
}

Status Step::Withdraw() {
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kAgent, Role::kDispatcher}));
  if (!IsOpen()) return Invalid(t_, cmd_.type);
  // Once a unit has answered, the review and the callback end the ticket: withdrawn then, it
  // would leave the citizen's verdict out of the unit's figures. A citizen who no longer
  // wants the matter followed is recorded at the callback (refused).
  if (t_.phase == Phase::kReview || t_.phase == Phase::kCallback) {
    return Conflict("invalid_transition", "the unit has answered: the review and the callback close this ticket "
                                          "(a citizen who declines is recorded as a refused callback)");
  }
  if (!CentreCovers(t_.intake_unit_id)) return PermissionDenied("ticket belongs to another centre");
  RETURN_IF_ERROR(NoMergedRequests("withdrawn"));
  t_.phase = Phase::kWithdrawn;
  t_.closed_at = ctx_.now;
  SupersedeOpen();
  Emit("withdrawn", {{"reason", cmd_.reason}}, true);
  return Status::Ok();
}

Status Step::Exempt() {
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kSupervisor}));
  if (t_.exempt) return Conflict("invalid_transition", "the ticket is exempted already (" + t_.exempt_reason + ")");
  if (t_.phase == Phase::kArchived) return Invalid(t_, cmd_.type);
  if (!CentreCovers(t_.intake_unit_id)) return PermissionDenied("ticket belongs to another centre");
  t_.exempt = true;
  t_.exempt_reason = cmd_.reason;
  Emit("exempted", {{"reason", cmd_.reason}}, false);
  return Status::Ok();
}

Status Step::Note() {
  if (actor_.role == Role::kAnalyst) return PermissionDenied("role analyst may not note");
  Emit("noted", {{"content", cmd_.content}}, false);
  return Status::Ok();
}

Status Step::Archive() {
  RETURN_IF_ERROR(NeedRole(actor_, cmd_.type, {Role::kAdmin, Role::kSupervisor, Role::kQaInspector}));
  if (!(t_.phase == Phase::kClosed || t_.phase == Phase::kTransferred || t_.phase == Phase::kMerged ||
        t_.phase == Phase::kWithdrawn)) {
    return Invalid(t_, cmd_.type);
  }
  if (!CentreCovers(t_.intake_unit_id)) return PermissionDenied("ticket belongs to another centre");
  t_.phase = Phase::kArchived;
  Emit("archived", json::object(), false);
  return Status::Ok();
}

Status Step::SlaTick() {
  const TimeMs now = ctx_.now;
  if (t_.phase == Phase::kCallback && !t_.callback_alarmed && t_.callback_due_at && now >= t_.callback_due_at) {
    t_.callback_alarmed = true;  // the callback desk is late: shown on its list, raised once
    Emit("callback_overdue", {{"callback_due_at", t_.callback_due_at}}, false);
  }
  for (auto& a : t_.assignments) {
    if (!a.IsLive() || a.suspended || t_.exempt || a.next_alarm_at == 0) continue;
    const json who = {{"assignment_id", IdToString(a.id)}, {"unit_id", IdToString(a.unit_id)}, {"lead", a.lead}};
    auto fire = [&](int bit, TimeMs at) {
      if ((a.alarms & bit) || at == 0 || now < at) return false;
      a.alarms |= bit;
      return true;
    };
    if (a.state == AssignmentState::kPending && fire(kAlarmAcceptOverdue, a.accept_due_at)) {
      Emit("accept_overdue", With(who, {{"accept_due_at", a.accept_due_at}}), false);
    }
    if (fire(kAlarmYellow, a.handle_warn_at)) {
      Emit("sla_warning", With(who, {{"level", "yellow"}, {"handle_due_at", a.handle_due_at}}), false);
    }
    if (fire(kAlarmOverdue, a.handle_due_at)) {
      Emit("sla_overdue", With(who, {{"level", "red"}, {"handle_due_at", a.handle_due_at}}), false);
      if (a.lead) {
        ++t_.urge_count;
        t_.escalation_level = std::max(1, t_.escalation_level);
        Emit("urged", With(who, {{"note", "系统自动催办：已超过办理时限"}, {"automatic", true},
                                         {"escalation_level", t_.escalation_level}}), false);
      }
    }
    if (fire(kAlarmSupervise, a.supervise_at) && a.lead) {
      t_.supervised = true;
      t_.escalation_level = std::max(2, t_.escalation_level);
      Emit("supervised", With(who, {{"note", "系统自动督办：超期仍未办结"}, {"automatic", true},
                                           {"escalation_level", t_.escalation_level}}), false);
    }
  }
  return Status::Ok();
}

Status Step::RecomputeDeadlines() {
  // The ticket's own clocks: the overall deadline while units handle it, the 回访 deadline
  // while it waits for the callback.
  const TimeMs old_due = t_.due_at, old_callback = t_.callback_due_at;
  const bool overall_kept = t_.overall_from != 0;
  // (also while a reply waits for review: a rejected one goes back to handling on it)
  if (t_.phase == Phase::kHandling || t_.phase == Phase::kReview) RecomputeOverall();
  if (t_.phase == Phase::kCallback && t_.callback_from) {
    // The limit it was given (as assignments keep theirs): only the calendar counts anew.
    const bool kept = t_.callback_ms > 0;
    t_.callback_due_at = ctx_.policy->Due(t_.callback_from, kept ? t_.callback_ms : ctx_.policy->CallbackMs(),
                                          kept ? t_.callback_working : ctx_.policy->CallbackWorking());
  }
  // What moved on the ticket itself goes with the first assignment's event, or alone.
  json ticket_moved = json::object();
  const auto ticket_changes = [&] {
    if (t_.due_at != old_due) ticket_moved["due_at"] = {{"old", old_due}, {"new", t_.due_at}};
    if (t_.callback_due_at != old_callback) ticket_moved["callback_due_at"] = {{"old", old_callback}, {"new", t_.callback_due_at}};
  };
  bool reported = false;
  for (auto& a : t_.assignments) {
    if (!a.IsLive()) continue;
    const TimeMs old_accept = a.accept_due_at, old_handle = a.handle_due_at;
    RecomputeDues(a, *ctx_.policy);
    if (a.accept_due_at == old_accept && a.handle_due_at == old_handle) continue;
    ClearFutureAlarms(a, ctx_.now);
    if (!overall_kept && a.lead && t_.due_at == old_handle) t_.due_at = a.handle_due_at;
    json data = {{"assignment_id", IdToString(a.id)}, {"unit_id", IdToString(a.unit_id)},
                 {"accept_due_at", {{"old", old_accept}, {"new", a.accept_due_at}}},
                 {"handle_due_at", {{"old", old_handle}, {"new", a.handle_due_at}}}, {"reason", cmd_.reason}};
    if (!reported) {
      ticket_changes();
      data.update(ticket_moved);
      reported = true;
    }
    Emit("deadline_recomputed", data, false);
  }
  if (!reported) {
    ticket_changes();
    if (!ticket_moved.empty()) {
      ticket_moved["reason"] = cmd_.reason;
      Emit("deadline_recomputed", ticket_moved, false);
    }
  }
  return Status::Ok();
}

Result<Decision> Step::Run() {
  const TicketStatus status_before = t_.Status();
  if (cmd_.expected_version && *cmd_.expected_version != t_.version) {
    return Status(Code::kConflict,
                  "the ticket changed: you saw version " + std::to_string(*cmd_.expected_version) +
                      ", it is now " + std::to_string(t_.version), "version", "stale_version");
  }
  if (IsSystemCommand(cmd_.type) && actor_.role != Role::kSystem) {
    return PermissionDenied(std::string(CommandName(cmd_.type)) + " is run by the system only");
  }
  Status st;
  switch (cmd_.type) {
    case CommandType::kAnswerDirectly: st = AnswerDirectly(); break;
    case CommandType::kTransfer: st = Transfer(); break;
    case CommandType::kMerge: st = Merge(); break;
    case CommandType::kDispatch: st = Dispatch(); break;
    case CommandType::kAccept: st = Accept(); break;
    case CommandType::kReturn: st = Return(); break;
    case CommandType::kRedispatch: st = Redispatch(false); break;
    case CommandType::kCoordinate: st = Coordinate(); break;
    case CommandType::kRequestExtension: st = RequestExtension(); break;
    case CommandType::kDecideExtension: st = DecideExtension(); break;
    case CommandType::kSuspend: st = Suspend(); break;
    case CommandType::kDecideSuspension: st = DecideSuspension(); break;
    case CommandType::kResume: st = Resume(); break;
    case CommandType::kReply: st = Reply(); break;
    case CommandType::kReview: st = Review(); break;
    case CommandType::kCallback: st = Callback(); break;
    case CommandType::kReopen: st = Reopen(); break;
    case CommandType::kUrge:
    case CommandType::kSupervise: st = UrgeOrSupervise(); break;
    case CommandType::kWithdraw: st = Withdraw(); break;
    case CommandType::kExempt: st = Exempt(); break;
    case CommandType::kNote: st = Note(); break;
    case CommandType::kArchive: st = Archive(); break;
    case CommandType::kSlaTick: st = SlaTick(); break;
    case CommandType::kRecomputeDeadlines: st = RecomputeDeadlines(); break;
  }
  if (!st.ok()) return st;
  // Users' commands always leave a trace; the timer may find nothing to raise.
  assert((IsSystemCommand(cmd_.type) || !events_.empty()) && "a user command yields at least one event");
  // A relay level waits on the level below: while that one is suspended, so is its clock.
  for (auto& a : t_.assignments) a.next_alarm_at = t_.ClockStopped(a) ? 0 : NextAlarm(a);
  // Users' commands move the version. The system's leave it alone (an automatic urge or
  // note must not make an agent's open screen stale), unless they move the ticket to another
  // status: the citizen's portal rating closes it, and a screen showing it open must not
  // then reopen or act on it.
  if (actor_.role != Role::kSystem || t_.Status() != status_before) ++t_.version;
  t_.updated_at = ctx_.now;
  Decision d;
  d.ticket = std::move(t_);
  d.events = std::move(events_);
  d.target = std::move(target_);
  d.target_events = std::move(target_events_);
  return d;
}

}  // namespace

std::vector<CommandType> OfferedCommands(const Ticket& ticket, const Actor& actor, const CommandContext& ctx) {
  std::vector<CommandType> out;
  if (!CanView(ticket, actor, *ctx.org)) return out;
  for (CommandType type : AllCommandTypes()) {
    Command probe;
    probe.type = type;
    auto d = Step(ticket, probe, actor, ctx).Run();
    if (d.ok() || d.status().code() == Code::kInvalidArgument) out.push_back(type);
  }
  return out;
}

Result<Decision> Decide(const Ticket& ticket, const Command& cmd, const Actor& actor,
                        const CommandContext& ctx) {
  assert(ctx.org && ctx.policy && ctx.ids);
  if (!CanView(ticket, actor, *ctx.org)) {
    return PermissionDenied("you may not see this ticket");
  }
  return Step(ticket, cmd, actor, ctx).Run();
}

}  // namespace hotline
