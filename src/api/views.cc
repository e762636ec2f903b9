#include "api/views.h"

#include "core/pii.h"

namespace hotline {

using nlohmann::json;

std::string Iso(TimeMs t) { return t == 0 ? "" : FormatIsoCity(t); }

json IdOrNull(Id id) { return id == 0 ? json(nullptr) : json(IdToString(id)); }

namespace {
json IdList(const std::vector<Id>& ids) {
  json out = json::array();
  for (Id id : ids) out.push_back(IdToString(id));
  return out;
}
// Clock time left before a deadline (negative once overdue), counted on the handle clock.
int64_t RemainingMs(TimeMs due, bool working, const Policy& policy, TimeMs now) {
  if (now >= due) return -policy.Elapsed(due, now, working);
  return policy.Elapsed(now, due, working);
}
}  // namespace

std::string UnitName(const OrgSnapshot& org, Id id) {
  const Unit* u = org.FindUnit(id);
  return u ? u->name : "";
}

json UnitJson(const Unit& u) {
  return {{"id", IdToString(u.id)}, {"name", u.name}, {"kind", UnitKindName(u.kind)},
          {"parent_id", IdOrNull(u.parent_id)}, {"area_id", IdOrNull(u.area_id)}, {"phone", u.phone},
          {"active", u.active}, {"is_centre", IsCentre(u.kind)}};
}

json AreaJson(const Area& a) {
  return {{"id", IdToString(a.id)}, {"name", a.name}, {"kind", AreaKindName(a.kind)},
          {"parent_id", IdOrNull(a.parent_id)}, {"aliases", a.aliases}};
}

json RuleJson(const DispatchRule& r) {
  return {{"id", IdToString(r.id)}, {"category_prefix", r.category_prefix}, {"area_id", IdOrNull(r.area_id)},
          {"lead_unit_id", IdToString(r.lead_unit_id)}, {"assisting_unit_ids", IdList(r.assisting_unit_ids)},
          {"priority", r.priority}};
}

json CategoryJson(const Category& c) {
  return {{"code", c.code}, {"name", c.name}, {"parent_code", c.parent_code.empty() ? json(nullptr) : json(c.parent_code)},
          {"level", c.level}, {"active", c.active}};
}

json UserJson(const User& u) {
  return {{"id", IdToString(u.id)}, {"username", u.username}, {"role", RoleName(u.role)},
          {"unit_id", IdToString(u.unit_id)}, {"display_name", u.display_name}, {"active", u.active},
          {"created_at", Iso(u.created_at)}};
}

namespace {
// Event data as the API gives every other time and id: an instant (a key ending in _at,
// stored as epoch milliseconds) in ISO 8601, an absent id ("0") as null; durations (_ms)
// stay numbers.
// `times`: inside an "…_at" object ({"old", "new"} of a moved deadline), every number is one.
void ApiForm(json& j, bool times = false) {
  if (j.is_array()) {
    for (auto& x : j) ApiForm(x);
    return;
  }
  if (!j.is_object()) return;
  for (auto& [key, value] : j.items()) {
    if ((times || key.ends_with("_at")) && value.is_number_integer()) {
      const int64_t ms = value.get<int64_t>();
      value = ms > 0 ? json(Iso(ms)) : json(nullptr);
    } else if (key.ends_with("_id") && value.is_string() && value.get<std::string>() == "0") {
      value = nullptr;
    } else {
      ApiForm(value, key.ends_with("_at"));
    }
  }
}
}  // namespace

json EventJson(const Event& e) {
  json data = json::parse(e.data_json, nullptr, false);
  ApiForm(data);
  return {{"id", IdToString(e.id)}, {"seq", e.seq}, {"type", e.type}, {"at", Iso(e.at)},
          {"actor_user_id", IdOrNull(e.actor_user_id)}, {"actor_unit_id", IdOrNull(e.actor_unit_id)},
          {"actor_role", e.actor_role}, {"system", e.system}, {"public", e.is_public},
          {"data", data.is_discarded() ? json::object() : data}};
}

bool WordsHidden(const Ticket& t, const Actor& actor) { return t.confidential && actor.role == Role::kAnalyst; }

namespace {
// As WordsFor; `listed`: for a list, where every number written is masked whatever the role
// (lists are always masked: a number is read whole on the detail page, which audits it), but
// for a unit's own words (its reply comes back to it to correct, from its inbox list).
std::string Words(const Ticket& t, const Actor& actor, const std::string& words, bool may_hide, bool listed) {
  if (may_hide && WordsHidden(t, actor)) return intel::kConfidentialOnly;
  // Shown whole only where the field is (kFull): a field masked unless revealed is masked
  // in the words too, the reveal being of the fields.
  const PersonalNumbers which = listed ? PersonalNumbers{} : NumbersMaskedFor(actor.role, t.confidential);
  return which.phones || which.ids ? MaskPersonalNumbers(words, which) : words;
}
}  // namespace

std::string WordsFor(const Ticket& t, const Actor& actor, const std::string& words, bool may_hide) {
  return Words(t, actor, words, may_hide, false);
}

json ContactJson(const Contact& c, const Ticket& t, const Actor& actor) {
  return {{"id", IdToString(c.id)}, {"channel", c.channel}, {"kind", c.kind},
          {"content", WordsFor(t, actor, c.content)},
          {"recorded_by", IdOrNull(c.recorded_by)}, {"at", Iso(c.at)}};
}

json AttachmentJson(const Attachment& a) {
  return {{"id", IdToString(a.id)}, {"ticket_id", IdToString(a.ticket_id)}, {"name", a.name}, {"mime", a.mime},
          {"size", a.size}, {"sha256", a.sha256}, {"uploaded_by", IdToString(a.uploaded_by)}, {"at", Iso(a.at)}};
}

json TicketJson(const Ticket& t, const OrgSnapshot& org, const Actor& actor, const Policy& policy, TimeMs now, bool listed) {
  const auto say = [&](const std::string& w, bool may_hide = true) { return Words(t, actor, w, may_hide, listed); };
  json as = json::array();
  for (const auto& a : t.assignments) {
    json j = {{"id", IdToString(a.id)}, {"unit_id", IdToString(a.unit_id)}, {"unit_name", UnitName(org, a.unit_id)},
              {"lead", a.lead}, {"mode", a.mode}, {"parent_id", IdOrNull(a.parent_id)},
              {"dispatched_by_unit_id", IdOrNull(a.dispatched_by_unit_id)}, {"round", a.round},
              {"state", AssignmentStateName(a.state)}, {"dispatched_at", Iso(a.dispatched_at)},
              {"accepted_at", Iso(a.accepted_at)}, {"replied_at", Iso(a.replied_at)}, {"ended_at", Iso(a.ended_at)},
              {"accept_due_at", Iso(a.accept_due_at)}, {"handle_due_at", Iso(a.handle_due_at)},
              {"suspended", a.suspended}, {"suspend_requested", a.suspend_requested},
              {"handle_warn_at", Iso(a.handle_warn_at)}, {"warning_level", WarningLevelName(t.LevelOf(a, now))},
              {"policy_version", a.clocks.policy_version}, {"working_time", a.clocks.handle_working},
              {"extension_days", a.extension_ms / kDayMs},
              {"accepted_on_time", a.accepted_at ? json(a.accepted_at <= a.accept_due_at) : json(nullptr)},
              {"handled_on_time", a.replied_at ? json(t.exempt || a.replied_at <= a.handle_due_at) : json(nullptr)}};
    // Clock time used so far (working time on a working clock), suspensions excluded.
    const TimeMs end = a.replied_at ? a.replied_at : a.ended_at ? a.ended_at : now;
    const TimeMs stop = a.suspended ? a.suspended_at : end;
    j["time_used_ms"] = std::max<int64_t>(0, policy.Elapsed(a.dispatched_at, stop, a.clocks.handle_working) - a.suspended_ms);
    // While its clock stands (suspended, or a relay waiting on a suspended order): nothing,
    // or, stopped late, the overrun when it stopped (it does not grow while it stands).
    if (a.IsLive() && t.StoppedAt(a) == 0) {
      j["remaining_ms"] = RemainingMs(a.handle_due_at, a.clocks.handle_working, policy, now);
    } else if (t.StoppedLate(a)) {
      j["remaining_ms"] = RemainingMs(a.handle_due_at, a.clocks.handle_working, policy, t.StoppedAt(a));
    }
    // Not signed for yet: the time left to sign, on the accept clock (working time on a
    // working-day limit, as remaining_ms is).
    if (a.state == AssignmentState::kPending && a.accept_due_at) {
      j["accept_remaining_ms"] = RemainingMs(a.accept_due_at, a.clocks.accept_working, policy, now);
    }
    // What units and the centre wrote may quote the citizen's numbers: masked as the words are,
    // except a unit's own words for that unit (its rejected reply comes back to it to correct).
    const bool own = actor.role == Role::kUnitHandler && actor.unit_id == a.unit_id;
    const auto words = [&](const std::string& w) { return own ? w : say(w, false); };
    if (!a.return_reason.empty()) j["return_reason"] = words(a.return_reason);
    if (!a.reply.empty()) j["reply"] = words(a.reply);
    // The reviewer's comment on a unit's reply is written to that unit: read in its inbox list
    // as on the detail page (a contact number it must call, say).
    if (!a.rejected_comment.empty()) {
      j["rejected_comment"] = own ? WordsFor(t, actor, a.rejected_comment, false) : say(a.rejected_comment, false);
    }
    if (a.extension_days_requested) {
      j["extension_request"] = {{"days", a.extension_days_requested}, {"reason", words(a.extension_reason)}};
    }
    if (a.suspended || a.suspend_requested) j["suspend_reason"] = words(a.suspend_reason);
    as.push_back(std::move(j));
  }
  const TicketStatus st = t.Status();
  const Assignment* lead = t.ActiveLead();
  // A unit that returned the order is not its current unit: the centre it returned to holds
  // it until it dispatches again, and nobody does once the ticket has left handling
  // (transferred, merged or withdrawn from the returned queue).
  Id current_unit = lead ? lead->unit_id : 0;
  if (lead && lead->state == AssignmentState::kReturned) current_unit = IsOpenStatus(st) ? lead->dispatched_by_unit_id : 0;
  // The ticket's time limit, as the list filters read it (each assignment keeps its own).
  const Ticket::Deadline deadline = t.ClockDeadline();
  const WarningLevel level = t.LevelAt(now);
  const Area* area = org.FindArea(t.area_id);
  json j = {{"id", IdToString(t.id)}, {"number", t.number}, {"status", TicketStatusName(st)},
            {"status_label", TicketStatusLabelZh(st)}, {"phase", PhaseName(t.phase)}, {"version", t.version},
            {"channel", t.channel}, {"request_type", t.request_type}, {"urgency", t.urgency},
            {"title", say(t.title)}, {"content", say(t.content)}, {"address", say(t.address)},
            {"area_id", IdOrNull(t.area_id)}, {"area_name", area ? area->name : ""},
            {"category_code", t.category_code}, {"taxonomy_version", t.taxonomy_version},
            {"confidential", t.confidential}, {"tags", t.tags},
            {"intake_unit_id", IdOrNull(t.intake_unit_id)}, {"intake_unit_name", UnitName(org, t.intake_unit_id)},
            {"created_by", IdOrNull(t.created_by)}, {"created_at", Iso(t.created_at)},
            {"updated_at", Iso(t.updated_at)}, {"due_at", Iso(t.due_at)}, {"closed_at", Iso(t.closed_at)},
            {"overdue", level == WarningLevel::kRed},
            {"warning_level", WarningLevelName(level)},
            {"callback_due_at", Iso(t.callback_due_at)},
            {"current_unit_id", IdOrNull(current_unit)},
            {"current_unit_name", current_unit ? UnitName(org, current_unit) : ""},
            {"reopen_count", t.reopen_count}, {"urge_count", t.urge_count}, {"return_count", t.return_count},
            {"escalation_level", t.escalation_level}, {"supervised", t.supervised}, {"exempt", t.exempt},
            {"callback_attempts", t.callback_attempts}, {"closing_kind", t.closing_kind},
            {"rating", t.rating}, {"transfer_to", t.transfer_to}, {"merged_into", IdOrNull(t.merged_into)}, {"merged_in", t.merged_in},
            {"assignments", as}};
  if (t.exempt) j["exempt_reason"] = say(t.exempt_reason, false);
  if (!t.suggestions.empty()) {
    json sug = json::parse(t.suggestions, nullptr, false);
    // The likely duplicates name other tickets, of any unit: a unit handler (who neither
    // merges nor may open them) does not get them.
    // They were chosen among the tickets the intake centre may open: staff of another centre
    // (a district the ticket was dispatched into) do not get them either.
    const bool intake_side = actor.role == Role::kAdmin || actor.role == Role::kSystem ||
                             (actor.role != Role::kUnitHandler && org.InSubtree(t.intake_unit_id, org.CentreOf(actor.unit_id)));
    if (sug.is_object() && !intake_side) sug.erase("duplicates");
    if (!sug.is_discarded()) j["suggestions"] = std::move(sug);
  }
  if (deadline.due) j["remaining_ms"] = RemainingMs(deadline.due, deadline.working, policy, deadline.frozen_at ? deadline.frozen_at : now);
  if (actor.role != Role::kUnitHandler && actor.role != Role::kAnalyst) j["query_code"] = t.query_code;
  return j;
}

json CitizenJson(const CitizenView& v) {
  json j = {{"kind", v.kind}, {"masked", v.masked}};
  if (!v.name.empty()) j["name"] = v.name;
  if (!v.phone.empty()) j["phone"] = v.phone;
  if (!v.id_number.empty()) j["id_number"] = v.id_number;
  if (!v.org_name.empty()) j["org_name"] = v.org_name;
  if (!v.credit_code.empty()) j["credit_code"] = v.credit_code;
  if (!v.written.empty()) {
    json w = json::array();
    for (const auto& [field, n] : v.written) {
      w.push_back({{"field", field}, {"kind", n.id ? "id_number" : "phone"}, {"number", n.digits}});
    }
    j["numbers_in_text"] = std::move(w);
  }
  return j;
}

const char* PublicStatusLabel(TicketStatus s) {
  switch (s) {
    case TicketStatus::kDispatched: return "已转交承办单位";
    case TicketStatus::kReturned: return "重新派单中";
    case TicketStatus::kSuspended: return "暂缓办理";
    case TicketStatus::kReplied: return "已答复，审核中";
    case TicketStatus::kAwaitingCallback: return "已答复，待评价";
    case TicketStatus::kTransferred: return "已转交其他部门";
    case TicketStatus::kMerged: return "已与相同诉求合并办理";
    case TicketStatus::kWithdrawn: return "已撤回";
    case TicketStatus::kArchived: return "已办结";
    default: return TicketStatusLabelZh(s);
  }
}

json PublicProgressJson(const PublicProgress& p, const OrgSnapshot& org) {
  static const std::map<std::string, std::string> kLabels = {
      {"created", "诉求已受理"}, {"answered_directly", "已直接答复"}, {"transferred", "已转交相关部门"},
      {"merged", "已与相同诉求合并办理"}, {"dispatched", "已派至承办单位"}, {"redispatched", "已改派承办单位"},
      {"coordinated", "已协调承办单位"}, {"accepted", "承办单位已签收"}, {"suspended", "办理暂停"},
      {"resumed", "恢复办理"}, {"replied", "承办单位已反馈办理结果"}, {"reviewed", "办理结果已审核，答复如下"},
      {"callback_recorded", "已回访"}, {"reopened", "已重新办理"}, {"withdrawn", "诉求已撤回"}};
  json timeline = json::array();
  for (const auto& e : p.events) {
    auto it = kLabels.find(e.type);
    json item = {{"at", Iso(e.at)}, {"type", e.type}, {"label", it == kLabels.end() ? e.type : it->second}};
    // The citizen's own rating on the portal is no callback (the system records it for them).
    if (e.type == "callback_recorded" && e.actor_role == "system") item["label"] = "市民已评价";
    json data = json::parse(e.data_json, nullptr, false);
    if (!data.is_discarded()) {
      // Only what a citizen is meant to read: unit names and the official answers.
      if (e.type == "dispatched" && data.contains("lead")) {
        item["unit"] = UnitName(org, ParseId(data["lead"].value("unit_id", "")).value_or(0));
      }
      if ((e.type == "redispatched" || e.type == "coordinated") && data.contains("unit_id")) {
        item["unit"] = UnitName(org, ParseId(data.value("unit_id", "")).value_or(0));
      }
      // The unit's answer reaches the citizen only once the review approved it.
      // Masked as for the staff who do not see numbers whole: anyone with the number and four
      // digits reads this page, and a unit's answer may quote a phone or an ID number.
      if (e.type == "reviewed" || e.type == "answered_directly") item["content"] = MaskPersonalNumbers(data.value("content", ""));
    }
    timeline.push_back(std::move(item));
  }
  const TicketStatus st = p.ticket.Status();
  const Area* area = org.FindArea(p.ticket.area_id);
  json out = {{"number", p.ticket.number}, {"status", TicketStatusName(st)}, {"status_label", PublicStatusLabel(st)},
              {"request_type", p.ticket.request_type}, {"created_at", Iso(p.ticket.created_at)},
              {"closed_at", Iso(p.ticket.closed_at)}, {"area", area ? area->name : ""},
              {"can_rate", st == TicketStatus::kAwaitingCallback}, {"timeline", timeline}};
  // Merged (并单): the request is handled as the one it joined, whose progress is shown (its
  // number and status only: the other citizen's answer and timeline stay theirs).
  if (p.merged_into) {
    const TicketStatus into = p.merged_into->Status();
    out["merged_into"] = {{"number", p.merged_into->number}, {"status", TicketStatusName(into)},
                          {"status_label", PublicStatusLabel(into)}, {"closed_at", Iso(p.merged_into->closed_at)}};
  }
  return out;
}

}  // namespace hotline
