#include "store/ticket_codec.h"

#include <nlohmann/json.hpp>

namespace hotline {

using nlohmann::json;

namespace {

json EncodeAssignment(const Assignment& a) {
  return {{"id", a.id}, {"unit_id", a.unit_id}, {"lead", a.lead}, {"mode", a.mode},
          {"parent_id", a.parent_id}, {"by", a.dispatched_by_unit_id}, {"round", a.round},
          {"state", AssignmentStateName(a.state)}, {"dispatched_at", a.dispatched_at},
          {"accepted_at", a.accepted_at}, {"replied_at", a.replied_at}, {"ended_at", a.ended_at},
          {"accept_due_at", a.accept_due_at}, {"handle_due_at", a.handle_due_at},
          {"return_reason", a.return_reason}, {"reply", a.reply}, {"rejected_comment", a.rejected_comment},
          {"ext_days", a.extension_days_requested}, {"ext_reason", a.extension_reason},
          {"suspend_requested", a.suspend_requested}, {"suspended", a.suspended},
          {"suspended_at", a.suspended_at}, {"suspend_reason", a.suspend_reason},
          {"clocks", {{"accept_ms", a.clocks.accept_ms}, {"handle_ms", a.clocks.handle_ms},
                      {"accept_working", a.clocks.accept_working}, {"handle_working", a.clocks.handle_working},
                      {"warning_pct", a.clocks.warning_pct}, {"supervise_after_ms", a.clocks.supervise_after_ms},
                      {"supervise_working", a.clocks.supervise_working},
                      {"policy_version", a.clocks.policy_version}}},
          {"extension_ms", a.extension_ms}, {"suspended_ms", a.suspended_ms},
          {"handle_warn_at", a.handle_warn_at}, {"supervise_at", a.supervise_at}, {"alarms", a.alarms},
          {"next_alarm_at", a.next_alarm_at}};
}

Assignment DecodeAssignment(const json& j) {
  Assignment a;
  a.id = j.at("id"); a.unit_id = j.at("unit_id"); a.lead = j.at("lead"); a.mode = j.at("mode");
  a.parent_id = j.at("parent_id"); a.dispatched_by_unit_id = j.at("by"); a.round = j.at("round");
  a.state = ParseAssignmentState(j.at("state").get<std::string>()).value_or(AssignmentState::kPending);
  a.dispatched_at = j.at("dispatched_at"); a.accepted_at = j.at("accepted_at");
  a.replied_at = j.at("replied_at"); a.ended_at = j.at("ended_at");
  a.accept_due_at = j.at("accept_due_at"); a.handle_due_at = j.at("handle_due_at");
  a.return_reason = j.at("return_reason"); a.reply = j.at("reply");
  a.rejected_comment = j.value("rejected_comment", std::string());
  a.extension_days_requested = j.at("ext_days"); a.extension_reason = j.at("ext_reason");
  a.suspend_requested = j.at("suspend_requested"); a.suspended = j.at("suspended");
  a.suspended_at = j.at("suspended_at"); a.suspend_reason = j.at("suspend_reason");
  if (j.contains("clocks")) {
    const json& c = j["clocks"];
    a.clocks.accept_ms = c.at("accept_ms"); a.clocks.handle_ms = c.at("handle_ms");
    a.clocks.accept_working = c.at("accept_working"); a.clocks.handle_working = c.at("handle_working");
    a.clocks.warning_pct = c.at("warning_pct"); a.clocks.supervise_after_ms = c.at("supervise_after_ms");
    a.clocks.supervise_working = c.value("supervise_working", a.clocks.handle_working);
    a.clocks.policy_version = c.at("policy_version");
  }
  a.extension_ms = j.value("extension_ms", int64_t{0}); a.suspended_ms = j.value("suspended_ms", int64_t{0});
  a.handle_warn_at = j.value("handle_warn_at", int64_t{0}); a.supervise_at = j.value("supervise_at", int64_t{0});
  a.alarms = j.value("alarms", 0); a.next_alarm_at = j.value("next_alarm_at", int64_t{0});
  return a;
}

}  // namespace

std::string EncodeTicketState(const Ticket& t) {
  json as = json::array();
  for (const auto& a : t.assignments) as.push_back(EncodeAssignment(a));
  json j = {{"id", t.id}, {"number", t.number}, {"query_code", t.query_code},
            {"phase", PhaseName(t.phase)}, {"version", t.version}, {"event_seq", t.event_seq},
            {"channel", t.channel}, {"request_type", t.request_type}, {"urgency", t.urgency},
            {"title", t.title}, {"content", t.content}, {"address", t.address},
            {"area_id", t.area_id}, {"category_code", t.category_code},
            {"taxonomy_version", t.taxonomy_version}, {"requester_id", t.requester_id},
            {"confidential", t.confidential}, {"tags", t.tags},
            {"intake_unit_id", t.intake_unit_id}, {"created_by", t.created_by},
            {"created_at", t.created_at}, {"updated_at", t.updated_at}, {"closed_at", t.closed_at},
            {"due_at", t.due_at}, {"overall_from", t.overall_from},
            {"overall_extension_ms", t.overall_extension_ms}, {"overall_suspended_ms", t.overall_suspended_ms},
            {"callback_due_at", t.callback_due_at}, {"callback_from", t.callback_from},
            {"callback_ms", t.callback_ms}, {"callback_working", t.callback_working},
            {"callback_alarmed", t.callback_alarmed}, {"reopen_count", t.reopen_count}, {"urge_count", t.urge_count},
            {"escalation_level", t.escalation_level}, {"callback_attempts", t.callback_attempts},
            {"return_count", t.return_count}, {"supervised", t.supervised}, {"exempt", t.exempt},
            {"exempt_reason", t.exempt_reason}, {"closing_kind", t.closing_kind},
            {"rating", t.rating}, {"transfer_to", t.transfer_to}, {"merged_into", t.merged_into},
            {"merged_in", t.merged_in}, {"assignments", as}};
  if (!t.suggestions.empty()) j["suggestions"] = t.suggestions;
  return j.dump();
}

Result<Ticket> DecodeTicketState(const std::string& text) {
  try {
    const json j = json::parse(text);
    Ticket t;
    t.id = j.at("id"); t.number = j.at("number"); t.query_code = j.at("query_code");
    t.phase = ParsePhase(j.at("phase").get<std::string>()).value_or(Phase::kIntake);
    t.version = j.at("version"); t.event_seq = j.at("event_seq");
    t.channel = j.at("channel"); t.request_type = j.at("request_type"); t.urgency = j.at("urgency");
    t.title = j.at("title"); t.content = j.at("content"); t.address = j.at("address");
    t.area_id = j.at("area_id"); t.category_code = j.at("category_code");
    t.taxonomy_version = j.at("taxonomy_version"); t.requester_id = j.at("requester_id");
    t.confidential = j.at("confidential"); t.tags = j.at("tags").get<std::vector<std::string>>();
    t.intake_unit_id = j.at("intake_unit_id"); t.created_by = j.at("created_by");
    t.created_at = j.at("created_at"); t.updated_at = j.at("updated_at");
    t.closed_at = j.at("closed_at"); t.due_at = j.at("due_at");
    t.overall_from = j.value("overall_from", Id{0});
    t.overall_extension_ms = j.value("overall_extension_ms", int64_t{0});
    t.overall_suspended_ms = j.value("overall_suspended_ms", int64_t{0});
    t.callback_due_at = j.value("callback_due_at", int64_t{0});
    t.callback_from = j.value("callback_from", int64_t{0});
    t.callback_ms = j.value("callback_ms", int64_t{0});
    t.callback_working = j.value("callback_working", false);
    t.callback_alarmed = j.value("callback_alarmed", false);
    t.reopen_count = j.at("reopen_count"); t.urge_count = j.at("urge_count");
    t.escalation_level = j.at("escalation_level"); t.callback_attempts = j.at("callback_attempts");
    t.return_count = j.at("return_count"); t.supervised = j.at("supervised");
    t.exempt = j.at("exempt"); t.exempt_reason = j.at("exempt_reason");
    t.closing_kind = j.at("closing_kind"); t.rating = j.at("rating");
    t.transfer_to = j.at("transfer_to"); t.merged_into = j.at("merged_into");
    t.merged_in = j.value("merged_in", 0);
    t.suggestions = j.value("suggestions", std::string());
    for (const auto& a : j.at("assignments")) t.assignments.push_back(DecodeAssignment(a));
    return t;
  } catch (const json::exception& e) {
    return Internal(std::string("stored ticket state is corrupt: ") + e.what());
  }
}

}  // namespace hotline
