// ParseCommand: the edge where a command's JSON body becomes a typed Command. Every
// error names the offending field.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/json.h"
#include "core/text.h"
#include "ticket/ticket.h"

namespace hotline {

namespace {

using nlohmann::json;
constexpr size_t kMaxTextBytes = 20000;  // about 6,600 Chinese characters
constexpr size_t kMaxShortBytes = 2000;
constexpr size_t kMaxIds = 20;

// Each reader takes its field out of the body: what is left once the command's fields are
// read was not one of them (ParseCommand refuses it by name).
struct Take {
  json& j;
  const char* field;
  ~Take() { j.erase(field); }
};

Status GetString(json& j, const char* field, bool required, size_t max_bytes, std::string* out) {
  Take take{j, field};
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) {
    return required ? InvalidArgument(field, "is required") : Status::Ok();
  }
  if (!it->is_string()) return InvalidArgument(field, "must be a string");
  // As at intake: an answer of zero-width spaces would reach the citizen as an answer.
  const std::string& given = it->get<std::string>();
  if (given.find('\0') != std::string::npos) return InvalidArgument(field, "must not contain NUL characters");
  std::string v = CleanText(given);
  if (required && !HasVisibleText(v)) return InvalidArgument(field, "must not be empty");
  if (v.size() > max_bytes) {
    return InvalidArgument(field, "is longer than " + std::to_string(max_bytes) + " bytes");
  }
  *out = std::move(v);
  return Status::Ok();
}

Result<Id> IdFromJson(const json& v, const std::string& field) {
  if (v.is_string()) {
    if (auto id = ParseId(v.get<std::string>())) return *id;
  } else if (v.is_number_integer() && v.get<int64_t>() > 0) {
    return v.get<int64_t>();
  }
  return InvalidArgument(field, "must be an id (a positive integer, as a string or number)");
}

Status GetId(json& j, const char* field, bool required, Id* out) {
  Take take{j, field};
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) {
    return required ? InvalidArgument(field, "is required") : Status::Ok();
  }
  ASSIGN_OR_RETURN(*out, IdFromJson(*it, field));
  return Status::Ok();
}

Status GetIds(json& j, const char* field, std::vector<Id>* out) {
  Take take{j, field};
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return InvalidArgument(field, "must be an array of ids");
  if (it->size() > kMaxIds) return InvalidArgument(field, "holds more than 20 ids");
  for (size_t i = 0; i < it->size(); ++i) {
    const std::string at = std::string(field) + "[" + std::to_string(i) + "]";
    ASSIGN_OR_RETURN(Id id, IdFromJson((*it)[i], at));
    // The same file cited twice, or a unit listed twice, is a slip: stored twice it would
    // count twice.
    if (std::find(out->begin(), out->end(), id) != out->end()) return InvalidArgument(at, "repeats an earlier id");
    out->push_back(id);
  }
  return Status::Ok();
}

// A dispatch's confirmation or correction of the proposed category, type and urgency.
Status GetCorrections(json& j, Command* c) {
  RETURN_IF_ERROR(GetString(j, "category_code", false, 64, &c->category_code));
  RETURN_IF_ERROR(GetString(j, "request_type", false, 32, &c->request_type));
  if (!c->request_type.empty() && !IsValidRequestType(c->request_type)) {
    return InvalidArgument("request_type", "must be one of consultation, help, complaint, report, suggestion, praise");
  }
  RETURN_IF_ERROR(GetString(j, "urgency", false, 16, &c->urgency));
  if (!c->urgency.empty() && !IsValidUrgency(c->urgency)) return InvalidArgument("urgency", "must be normal, urgent or emergency");
  return Status::Ok();
}

Status OneOf(const std::string& v, const char* field, std::initializer_list<std::string_view> set) {
  for (auto s : set) if (v == s) return Status::Ok();
  std::string allowed;
  for (auto s : set) allowed += (allowed.empty() ? "" : ", ") + std::string(s);
  return InvalidArgument(field, "must be one of: " + allowed);
}

Status ParseFields(CommandType type, json& j, Command* c) {
  switch (type) {
    case CommandType::kAnswerDirectly:
      RETURN_IF_ERROR(GetString(j, "content", true, kMaxTextBytes, &c->content));
      return GetIds(j, "kb_entry_ids", &c->kb_entry_ids);
    case CommandType::kTransfer:
      RETURN_IF_ERROR(GetString(j, "to", true, 16, &c->to));
      RETURN_IF_ERROR(OneOf(c->to, "to", {"110", "119", "120", "122", "other"}));
      return GetString(j, "note", true, kMaxShortBytes, &c->note);
    case CommandType::kMerge:
      return GetId(j, "into_ticket_id", true, &c->into_ticket_id);
    case CommandType::kDispatch:
      RETURN_IF_ERROR(GetId(j, "unit_id", true, &c->unit_id));
      RETURN_IF_ERROR(GetIds(j, "assisting_unit_ids", &c->assisting_unit_ids));
      RETURN_IF_ERROR(GetString(j, "mode", false, 16, &c->mode));
      if (c->mode.empty()) c->mode = "direct";
      RETURN_IF_ERROR(OneOf(c->mode, "mode", {"direct", "relay"}));
      RETURN_IF_ERROR(GetCorrections(j, c));
      return GetString(j, "note", false, kMaxShortBytes, &c->note);
    case CommandType::kAccept:
    case CommandType::kResume:
    case CommandType::kArchive:
      return Status::Ok();
    case CommandType::kSlaTick:
    case CommandType::kRecomputeDeadlines:
      return InvalidArgument("action", "is run by the system only");
    case CommandType::kReturn:
    case CommandType::kSuspend:
    case CommandType::kReopen:
    case CommandType::kWithdraw:
    case CommandType::kExempt:
      return GetString(j, "reason", true, kMaxShortBytes, &c->reason);
    case CommandType::kRedispatch:
      RETURN_IF_ERROR(GetId(j, "unit_id", true, &c->unit_id));
      RETURN_IF_ERROR(GetString(j, "mode", false, 16, &c->mode));
      if (c->mode.empty()) c->mode = "direct";
      RETURN_IF_ERROR(OneOf(c->mode, "mode", {"direct", "relay"}));
      RETURN_IF_ERROR(GetCorrections(j, c));
      return GetString(j, "note", false, kMaxShortBytes, &c->note);
    case CommandType::kCoordinate:
      RETURN_IF_ERROR(GetString(j, "note", true, kMaxShortBytes, &c->note));
      RETURN_IF_ERROR(GetIds(j, "assisting_unit_ids", &c->assisting_unit_ids));
      return GetId(j, "unit_id", false, &c->unit_id);
    case CommandType::kRequestExtension: {
      Take take{j, "days"};
      auto it = j.find("days");
      if (it == j.end() || it->is_null()) return InvalidArgument("days", "is required");
      if (!it->is_number_integer()) return InvalidArgument("days", "must be an integer");
      const auto d = it->get<int64_t>();
      // The upper bound is the policy's (Step::RequestExtension), so one message names it.
      if (d < 1 || d > 100000) return InvalidArgument("days", "must be a positive number of days within the policy's limit");
      c->days = static_cast<int>(d);
      return GetString(j, "reason", true, kMaxShortBytes, &c->reason);
    }
    case CommandType::kDecideExtension:
    case CommandType::kDecideSuspension: {
      // Which unit's request, when a lead and an assisting unit both wait for a decision.
      if (type == CommandType::kDecideExtension) RETURN_IF_ERROR(GetId(j, "assignment_id", false, &c->assignment_id));
      Take take{j, "approve"};
      auto it = j.find("approve");
      if (it == j.end() || it->is_null()) return InvalidArgument("approve", "is required");
      if (!it->is_boolean()) return InvalidArgument("approve", "must be true or false");
      c->approve = it->get<bool>();
      return GetString(j, "comment", false, kMaxShortBytes, &c->comment);
    }
    case CommandType::kReply:
      RETURN_IF_ERROR(GetString(j, "content", true, kMaxTextBytes, &c->content));
      return GetIds(j, "attachment_ids", &c->attachment_ids);
    case CommandType::kReview:
      RETURN_IF_ERROR(GetString(j, "decision", true, 16, &c->decision));
      RETURN_IF_ERROR(OneOf(c->decision, "decision", {"approve", "reject"}));
      return GetString(j, "comment", false, kMaxShortBytes, &c->comment);
    case CommandType::kCallback:
      RETURN_IF_ERROR(GetString(j, "outcome", true, 16, &c->outcome));
      RETURN_IF_ERROR(OneOf(c->outcome, "outcome", {"reached", "unreachable", "refused"}));
      RETURN_IF_ERROR(GetString(j, "rating", false, 32, &c->rating));
      if (!c->rating.empty() && !IsValidRating(c->rating)) {
        return InvalidArgument("rating", "must be one of: very_satisfied, satisfied, "
                                         "basically_satisfied, dissatisfied, very_dissatisfied");
      }
      if (c->outcome == "reached" && c->rating.empty()) {
        return InvalidArgument("rating", "is required when the citizen was reached");
      }
      if (c->outcome != "reached" && !c->rating.empty()) {
        return InvalidArgument("rating", "only a reached citizen gives a rating");
      }
      return GetString(j, "comment", false, kMaxShortBytes, &c->comment);
    case CommandType::kUrge:
    case CommandType::kSupervise:
      return GetString(j, "note", true, kMaxShortBytes, &c->note);
    case CommandType::kNote:
      return GetString(j, "content", true, kMaxTextBytes, &c->content);
  }
  return Status::Ok();
}

}  // namespace

Result<Command> ParseCommand(CommandType type, std::string_view body) {
  Command c;
  c.type = type;
  json j = json::object();
  if (!Trim(body).empty()) {
    ASSIGN_OR_RETURN(j, ParseJsonObject(body));
  }
  if (auto it = j.find("version"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1) {
      return InvalidArgument("version", "must be a positive integer");
    }
    c.expected_version = it->get<int64_t>();
  }
  j.erase("version");
  RETURN_IF_ERROR(ParseFields(type, j, &c));
  // A misspelt field would otherwise be dropped in silence (an assisting unit lost).
  if (!j.empty()) return InvalidArgument(j.begin().key(), "is not a field of this action");
  return c;
}

}  // namespace hotline
