// Tickets (工单), their assignments (派单记录) and events, and the command functions that
// move them through the lifecycle. Everything here is a plain value or a pure function of
// (ticket, command, actor, context): no I/O, no clock reads; the store persists what
// Decide() returns in one transaction.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/status.h"

namespace hotline {

class OrgSnapshot;

// ---- vocabulary -------------------------------------------------------------------------

enum class Role {
  kAdmin, kAgent, kDispatcher, kUnitHandler, kReviewer, kCallbackAgent, kSupervisor,
  kQaInspector, kAnalyst, kSystem,
};
const char* RoleName(Role r);
std::optional<Role> ParseRole(std::string_view s);  // kSystem is never parsed
// Roles that work at a centre (their unit is a centre, or they act for the nearest one).
bool IsCentreRole(Role r);

// The ticket's overall status, derived from its phase and its assignments.
enum class TicketStatus {
  kReceived, kDispatched, kInProgress, kSuspended, kReturned, kReplied, kAwaitingCallback,
  kClosed, kTransferred, kMerged, kWithdrawn, kArchived,
};
const char* TicketStatusName(TicketStatus s);
const char* TicketStatusLabelZh(TicketStatus s);
std::optional<TicketStatus> ParseTicketStatus(std::string_view s);
bool IsOpenStatus(TicketStatus s);

// Where the ticket stands in the centre's workflow; status refines it with assignments.
enum class Phase { kIntake, kHandling, kReview, kCallback, kClosed, kTransferred, kMerged, kWithdrawn, kArchived };
const char* PhaseName(Phase p);
std::optional<Phase> ParsePhase(std::string_view s);

enum class AssignmentState { kPending, kAccepted, kReplied, kReturned, kSuperseded };
const char* AssignmentStateName(AssignmentState s);
std::optional<AssignmentState> ParseAssignmentState(std::string_view s);

// Valid values of the string-valued fields (checked at intake).
bool IsValidChannel(std::string_view s);
bool IsValidRequestType(std::string_view s);
bool IsValidUrgency(std::string_view s);
bool IsValidRating(std::string_view s);
bool IsSatisfiedRating(std::string_view s);  // very_satisfied, satisfied, basically_satisfied

struct Actor {
  Id user_id = 0;
  Role role = Role::kSystem;
  Id unit_id = 0;
  std::string username;
};

// The clocks an assignment is given by the SLA policy in force when it is dispatched.
struct ClockSpec {
  int64_t accept_ms = kDayMs;        // 签收 limit
  int64_t handle_ms = 5 * kDayMs;    // 办结 limit, counted from dispatch
  bool accept_working = false;       // count only working-day time (else natural time)
  bool handle_working = false;
  int warning_pct = 75;              // yellow at this share of the handle limit
  int64_t supervise_after_ms = kDayMs;  // automatic supervision this long after overdue
  bool supervise_working = false;       // …counted in working time
  int policy_version = 0;
};

// Deadline alarms already raised on an assignment (persisted, so each fires once).
enum AlarmBits : int {
  kAlarmAcceptOverdue = 1,
  kAlarmYellow = 2,
  kAlarmOverdue = 4,     // red: the handle deadline passed; the unit is urged
  kAlarmSupervise = 8,   // still open a while after: supervision starts
};

enum class WarningLevel { kNone, kYellow, kRed };
const char* WarningLevelName(WarningLevel w);

struct Assignment {
  Id id = 0;
  Id unit_id = 0;
  bool lead = true;
  std::string mode = "direct";  // direct (一单到底) | relay (level by level)
  Id parent_id = 0;             // the relay assignment this one was dispatched under
  Id dispatched_by_unit_id = 0; // where a return goes back to
  int round = 0;                // 0 first handling, n after the n-th reopening
  AssignmentState state = AssignmentState::kPending;
  TimeMs dispatched_at = 0, accepted_at = 0, replied_at = 0, ended_at = 0;
  TimeMs accept_due_at = 0, handle_due_at = 0;
  std::string return_reason;
  std::string reply;
  // The reviewer's comment when the reply was sent back (审核退回), shown to the unit until it
  // replies again; the rejected reply stays in `reply` for it to revise.
  std::string rejected_comment;
  // Extension (延期) and suspension (挂起) requests waiting for the centre.
  int extension_days_requested = 0;
  std::string extension_reason;
  bool suspend_requested = false;
  bool suspended = false;
  TimeMs suspended_at = 0;
  std::string suspend_reason;
  // Time limits: the spec it was given and what moved it since.
  ClockSpec clocks;
  int64_t extension_ms = 0;      // approved extensions, in the handle clock's time
  int64_t suspended_ms = 0;      // clock time spent suspended (not counted)
  TimeMs handle_warn_at = 0;     // yellow
  TimeMs supervise_at = 0;       // automatic supervision
  int alarms = 0;                // AlarmBits raised
  TimeMs next_alarm_at = 0;      // 0 when nothing is pending

  bool IsLive() const { return state == AssignmentState::kPending || state == AssignmentState::kAccepted; }
  // Suspended after its time limit had passed: the clock stands still, but the lateness
  // happened and stays shown and counted (红牌) until the order is answered.
  bool SuspendedLate() const { return suspended && handle_due_at != 0 && suspended_at >= handle_due_at; }
  WarningLevel LevelAt(TimeMs now) const;
};

struct Ticket {
  Id id = 0;
  std::string number;      // public, e.g. 202611280000001
  std::string query_code;  // random 查询码 for the citizen
  Phase phase = Phase::kIntake;
  int64_t version = 1;     // bumped by every user command, and by a system one that changes the status
  int64_t event_seq = 0;   // number of events written
  std::string channel, request_type, urgency;
  std::string title;
  std::string content;
  std::string address;
  Id area_id = 0;
  std::string category_code;
  int taxonomy_version = 0;
  Id requester_id = 0;
  bool confidential = false;  // 保密: personal data hidden from the handling units
  std::vector<std::string> tags;
  Id intake_unit_id = 0;      // the centre that took it
  Id created_by = 0;
  TimeMs created_at = 0, updated_at = 0, closed_at = 0;
  TimeMs due_at = 0;          // overall deadline; re-dispatching does not reset it
  // The overall deadline's own clock: the assignment whose dispatch started it, and the
  // time approved extensions and suspensions have added since; due_at is computed from
  // them, so a calendar change recomputes it too. 0: a ticket stored before they were kept.
  Id overall_from = 0;
  int64_t overall_extension_ms = 0, overall_suspended_ms = 0;
  TimeMs callback_due_at = 0; // 回访 deadline, set when the reply is approved
  TimeMs callback_from = 0;   // ... counted from this instant
  // ... for this long (working time when callback_working), as the policy said when it was
  // set: a calendar change recounts it, a later policy does not change it. 0: stored before.
  int64_t callback_ms = 0;
  bool callback_working = false;
  bool callback_alarmed = false;  // the callback-overdue alarm was raised
  int reopen_count = 0, urge_count = 0, escalation_level = 0, callback_attempts = 0;
  int return_count = 0;
  bool supervised = false, exempt = false;
  std::string exempt_reason;
  std::string closing_kind;   // direct_answer | resolved | unsatisfied | unreachable | refused
  std::string rating;
  std::string transfer_to;
  Id merged_into = 0;
  int merged_in = 0;  // requests merged into this one, which wait on its answer
  // What the platform proposed at intake (category, type, urgency, units, emergency), as a
  // JSON object; "" when nothing was proposed. Dispatch records whether it was followed.
  std::string suggestions;
  std::vector<Assignment> assignments;

  TicketStatus Status() const;
  // The lead assignment the ticket is waiting on: the newest lead one not superseded.
  const Assignment* ActiveLead() const;
  Assignment* ActiveLead();
  // The lead assignment whose clock runs: the newest live lead one. Usually ActiveLead();
  // after a relay's lower unit returned the order, the relaying centre's, which holds it
  // (and whose time limit still counts) until it dispatches again.
  const Assignment* ClockLead() const;
  Assignment* FindAssignment(Id id);
  // Whether an assignment's clock stands still: it is suspended, it relays an order that is
  // suspended further down (the relaying centre waits on it), or the ticket is exempted
  // (免考核: no warnings, overdue counts or automatic urging for its units).
  bool ClockStopped(const Assignment& a) const;
  // When a's clock stopped: its own suspension's start, or, for a relay, that of the
  // suspended order below it that it waits on; 0 while it runs.
  TimeMs StoppedAt(const Assignment& a) const;
  // Stopped after its time limit had passed (and not exempted): the lateness stays shown and
  // counted while the clock stands, the overrun frozen at StoppedAt.
  bool StoppedLate(const Assignment& a) const {
    const TimeMs at = exempt ? 0 : StoppedAt(a);
    return at != 0 && a.IsLive() && a.handle_due_at != 0 && at >= a.handle_due_at;
  }
  WarningLevel LevelOf(const Assignment& a, TimeMs now) const {
    if (exempt) return WarningLevel::kNone;
    if (ClockStopped(a)) return StoppedLate(a) ? WarningLevel::kRed : WarningLevel::kNone;
    return a.LevelAt(now);
  }
  // Whether the store keeps a's deadline where overdue counts read it: on the clock, or
  // stopped late.
  bool DeadlineCounts(const Assignment& a) const { return !ClockStopped(a) || StoppedLate(a); }
  // The earliest pending alarm among live assignments, 0 when none (the timer's index).
  TimeMs NextAlarmAt() const;
  // The ticket's own time limit while a unit is on the clock (open, handling, its clock lead
  // not suspended) or the order is back at its centre after a return: the overall deadline
  // (due_at, which a re-dispatch does not reset), the lead's warning time and whether its
  // clock counts working time; all zero otherwise.
  // LevelAt, the ticket's time left and the store's due/warn columns all read this.
  struct Deadline {
    TimeMs due = 0, warn = 0;
    bool working = false;
    // Suspended after the deadline: the time left (overrun) is counted up to this instant,
    // when the clock stopped, not to now.
    TimeMs frozen_at = 0;
  };
  Deadline ClockDeadline() const;
  // The ticket's warning level at `now`: red once ClockDeadline's due has passed, yellow from
  // its warning time. Each assignment's own level is Assignment::LevelAt.
  WarningLevel LevelAt(TimeMs now) const;
};

struct Event {
  Id id = 0;
  Id ticket_id = 0;
  int64_t seq = 0;           // 1-based position in the ticket's history
  std::string type;          // created, dispatched, accepted, ...
  TimeMs at = 0;
  Id actor_user_id = 0;
  Id actor_unit_id = 0;
  std::string actor_role;
  bool system = false;
  bool is_public = false;    // shown on the citizen's progress page
  std::string data_json;     // the command's payload and its effects, as a JSON object
};

// ---- commands ---------------------------------------------------------------------------

enum class CommandType {
  kAnswerDirectly, kTransfer, kMerge, kDispatch, kAccept, kReturn, kRedispatch, kCoordinate,
  kRequestExtension, kDecideExtension, kSuspend, kDecideSuspension, kResume, kReply, kReview, kCallback,
  kReopen, kUrge, kSupervise, kWithdraw, kExempt, kNote, kArchive,
  // System-only: raise the deadline alarms that are due; recompute deadlines after the
  // calendar or policy changed. Never accepted from the API.
  kSlaTick, kRecomputeDeadlines,
};
bool IsSystemCommand(CommandType t);
const char* CommandName(CommandType t);
std::optional<CommandType> ParseCommandType(std::string_view s);
std::vector<CommandType> AllCommandTypes();

struct Command {
  CommandType type = CommandType::kNote;
  std::string content, note, reason, comment, to, mode, decision, outcome, rating;
  Id unit_id = 0;
  Id into_ticket_id = 0;
  Id assignment_id = 0;  // decide_extension: whose request, when several wait
  std::vector<Id> assisting_unit_ids, kb_entry_ids, attachment_ids;
  int days = 0;
  // Dispatch: the dispatcher's confirmation or correction of what intake proposed ("": keep).
  std::string category_code, request_type, urgency;
  int taxonomy_version = 0;  // of category_code, filled in by the service once it is checked
  std::optional<bool> approve;
  std::optional<int64_t> expected_version;
};

// Parses and validates a command body (a JSON object as text); errors name the field.
Result<Command> ParseCommand(CommandType type, std::string_view body_json);

// The SLA policy as the lifecycle sees it: which clocks a ticket gets and how time is
// counted. This default counts natural time; the SLA module's policy counts working days
// on a calendar and reads its rules from data.
struct Policy {
  int reopen_cap = 2;            // reopenings allowed per ticket
  int callback_max_attempts = 3; // unreachable calls before closing as unreachable
  int extension_max_days = 30;
  virtual ~Policy() = default;
  virtual ClockSpec ClocksFor(const Ticket& t) const;
  // The callback (回访) limit after a reply is approved.
  virtual int64_t CallbackMs() const { return kDayMs; }
  virtual bool CallbackWorking() const { return false; }
  // start + ms of clock time, counting working-day time only when `working`.
  virtual TimeMs Due(TimeMs start, int64_t ms, bool working) const { return start + ms; }
  // Clock time between two instants.
  virtual int64_t Elapsed(TimeMs from, TimeMs to, bool working) const { return to > from ? to - from : 0; }
};

// Recomputes an assignment's deadlines, warning and alarm times from its clock spec,
// extensions and suspensions (pure; used at dispatch and when a calendar changes).
void RecomputeDues(Assignment& a, const Policy& p);

// What a command may need to know beyond the ticket itself.
struct CommandContext {
  TimeMs now = 0;
  const OrgSnapshot* org = nullptr;
  const Policy* policy = nullptr;
  IdGenerator* ids = nullptr;
  // For merge: the ticket it is merged into (loaded by the caller), else null.
  const Ticket* merge_target = nullptr;
};

struct Decision {
  Ticket ticket;               // the new state
  std::vector<Event> events;   // what happened, in order (seq assigned)
  // For merge: the events to append to the target ticket and its new state.
  std::optional<Ticket> target;
  std::vector<Event> target_events;
};

// The one entry point of the lifecycle: checks the version, the state, the actor's role
// and unit, and the fields, and returns the new state and its events, or why not
// (kConflict "invalid_transition" | "stale_version", kPermissionDenied, kInvalidArgument,
// kFailedPrecondition).
Result<Decision> Decide(const Ticket& ticket, const Command& cmd, const Actor& actor,
                        const CommandContext& ctx);

// The commands the actor may issue on the ticket now, in the order of CommandType: each
// is tried on a copy with an empty body, and offered unless the role, the state, the
// centre or a policy limit (the reopen cap) refuses it; a missing field does not count.
// What the screens offer, so they never show a button the server would refuse.
std::vector<CommandType> OfferedCommands(const Ticket& ticket, const Actor& actor, const CommandContext& ctx);

// Whether the actor may see the ticket at all (unit and centre scoping).
bool CanView(const Ticket& t, const Actor& actor, const OrgSnapshot& org);

// Builds an event for the ticket (seq = ticket.event_seq + 1, bumps event_seq).
Event MakeEvent(Ticket& t, std::string type, const Actor& actor, TimeMs at, IdGenerator* ids,
                std::string data_json, bool is_public);

}  // namespace hotline
