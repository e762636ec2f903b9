// Names of the ticket vocabulary: the strings the API speaks and the database stores.
#include <algorithm>
#include <array>
#include <utility>

#include "ticket/ticket.h"

namespace hotline {

namespace {

template <typename E, size_t N>
const char* NameOf(const std::array<std::pair<E, const char*>, N>& table, E e) {
  for (auto& [k, v] : table) if (k == e) return v;
  return "";
}
template <typename E, size_t N>
std::optional<E> Parse(const std::array<std::pair<E, const char*>, N>& table, std::string_view s) {
  for (auto& [k, v] : table) if (s == v) return k;
  return std::nullopt;
}

constexpr std::array<std::pair<Role, const char*>, 10> kRoles{{
    {Role::kAdmin, "admin"}, {Role::kAgent, "agent"}, {Role::kDispatcher, "dispatcher"},
    {Role::kUnitHandler, "unit_handler"}, {Role::kReviewer, "reviewer"},
    {Role::kCallbackAgent, "callback_agent"}, {Role::kSupervisor, "supervisor"},
    {Role::kQaInspector, "qa_inspector"}, {Role::kAnalyst, "analyst"}, {Role::kSystem, "system"}}};

constexpr std::array<std::pair<TicketStatus, const char*>, 12> kStatuses{{
    {TicketStatus::kReceived, "received"}, {TicketStatus::kDispatched, "dispatched"},
    {TicketStatus::kInProgress, "in_progress"}, {TicketStatus::kSuspended, "suspended"},
    {TicketStatus::kReturned, "returned"}, {TicketStatus::kReplied, "replied"},
    {TicketStatus::kAwaitingCallback, "awaiting_callback"}, {TicketStatus::kClosed, "closed"},
    {TicketStatus::kTransferred, "transferred"}, {TicketStatus::kMerged, "merged"},
    {TicketStatus::kWithdrawn, "withdrawn"}, {TicketStatus::kArchived, "archived"}}};

constexpr std::array<std::pair<TicketStatus, const char*>, 12> kStatusLabels{{
    {TicketStatus::kReceived, "已受理"}, {TicketStatus::kDispatched, "已派单"},
    {TicketStatus::kInProgress, "办理中"}, {TicketStatus::kSuspended, "已挂起"},
    {TicketStatus::kReturned, "已退单"}, {TicketStatus::kReplied, "已反馈待审核"},
    {TicketStatus::kAwaitingCallback, "待回访"}, {TicketStatus::kClosed, "已办结"},
    {TicketStatus::kTransferred, "已转办"}, {TicketStatus::kMerged, "已并单"},
    {TicketStatus::kWithdrawn, "已撤单"}, {TicketStatus::kArchived, "已归档"}}};

constexpr std::array<std::pair<Phase, const char*>, 9> kPhases{{
    {Phase::kIntake, "intake"}, {Phase::kHandling, "handling"}, {Phase::kReview, "review"},
    {Phase::kCallback, "callback"}, {Phase::kClosed, "closed"}, {Phase::kTransferred, "transferred"},
    {Phase::kMerged, "merged"}, {Phase::kWithdrawn, "withdrawn"}, {Phase::kArchived, "archived"}}};

constexpr std::array<std::pair<AssignmentState, const char*>, 5> kAssignmentStates{{
    {AssignmentState::kPending, "pending"}, {AssignmentState::kAccepted, "accepted"},
    {AssignmentState::kReplied, "replied"}, {AssignmentState::kReturned, "returned"},
    {AssignmentState::kSuperseded, "superseded"}}};

constexpr std::array<std::pair<CommandType, const char*>, 25> kCommands{{
    {CommandType::kAnswerDirectly, "answer_directly"}, {CommandType::kTransfer, "transfer"},
    {CommandType::kMerge, "merge"}, {CommandType::kDispatch, "dispatch"},
    {CommandType::kAccept, "accept"}, {CommandType::kReturn, "return"},
    {CommandType::kRedispatch, "redispatch"}, {CommandType::kCoordinate, "coordinate"},
    {CommandType::kRequestExtension, "request_extension"},
    {CommandType::kDecideExtension, "decide_extension"}, {CommandType::kSuspend, "suspend"},
    {CommandType::kDecideSuspension, "decide_suspension"},
    {CommandType::kResume, "resume"}, {CommandType::kReply, "reply"},
    {CommandType::kReview, "review"}, {CommandType::kCallback, "callback"},
    {CommandType::kReopen, "reopen"}, {CommandType::kUrge, "urge"},
    {CommandType::kSupervise, "supervise"}, {CommandType::kWithdraw, "withdraw"},
    {CommandType::kExempt, "exempt"}, {CommandType::kNote, "note"}, {CommandType::kArchive, "archive"},
    {CommandType::kSlaTick, "sla_tick"}, {CommandType::kRecomputeDeadlines, "recompute_deadlines"}}};

constexpr std::string_view kChannels[] = {"phone", "mailbox", "sms", "app", "wechat", "alipay",
                                          "weibo", "web", "message_board", "email", "walk_in",
                                          "transfer", "open311"};
constexpr std::string_view kRequestTypes[] = {"consultation", "help", "complaint",
                                              "report", "suggestion", "praise"};
constexpr std::string_view kUrgencies[] = {"normal", "urgent", "emergency"};
constexpr std::string_view kRatings[] = {"very_satisfied", "satisfied", "basically_satisfied",
                                         "dissatisfied", "very_dissatisfied"};

template <size_t N>
bool In(const std::string_view (&set)[N], std::string_view s) {
  return std::find(std::begin(set), std::end(set), s) != std::end(set);
}

}  // namespace

const char* RoleName(Role r) { return NameOf(kRoles, r); }
std::optional<Role> ParseRole(std::string_view s) {
  auto r = Parse(kRoles, s);
  if (r == Role::kSystem) return std::nullopt;
  return r;
}
bool IsCentreRole(Role r) {
  return r == Role::kAgent || r == Role::kDispatcher || r == Role::kReviewer ||
         r == Role::kCallbackAgent || r == Role::kSupervisor || r == Role::kQaInspector ||
         r == Role::kAnalyst;
}
const char* TicketStatusName(TicketStatus s) { return NameOf(kStatuses, s); }
const char* TicketStatusLabelZh(TicketStatus s) { return NameOf(kStatusLabels, s); }
std::optional<TicketStatus> ParseTicketStatus(std::string_view s) { return Parse(kStatuses, s); }
bool IsOpenStatus(TicketStatus s) {
  return s != TicketStatus::kClosed && s != TicketStatus::kTransferred && s != TicketStatus::kMerged &&
         s != TicketStatus::kWithdrawn && s != TicketStatus::kArchived;
}
const char* PhaseName(Phase p) { return NameOf(kPhases, p); }
std::optional<Phase> ParsePhase(std::string_view s) { return Parse(kPhases, s); }
const char* AssignmentStateName(AssignmentState s) { return NameOf(kAssignmentStates, s); }
std::optional<AssignmentState> ParseAssignmentState(std::string_view s) {
  return Parse(kAssignmentStates, s);
}
const char* CommandName(CommandType t) { return NameOf(kCommands, t); }
std::optional<CommandType> ParseCommandType(std::string_view s) { return Parse(kCommands, s); }
std::vector<CommandType> AllCommandTypes() {
  std::vector<CommandType> out;
  for (auto& [k, v] : kCommands) if (!IsSystemCommand(k)) out.push_back(k);
  return out;
}
bool IsSystemCommand(CommandType t) { return t == CommandType::kSlaTick || t == CommandType::kRecomputeDeadlines; }
bool IsValidChannel(std::string_view s) { return In(kChannels, s); }
bool IsValidRequestType(std::string_view s) { return In(kRequestTypes, s); }
bool IsValidUrgency(std::string_view s) { return In(kUrgencies, s); }
bool IsValidRating(std::string_view s) { return In(kRatings, s); }
bool IsSatisfiedRating(std::string_view s) {
  return s == "very_satisfied" || s == "satisfied" || s == "basically_satisfied";
}

}  // namespace hotline
