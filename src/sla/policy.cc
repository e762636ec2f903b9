#include "sla/policy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/json.h"
#include "taxonomy/taxonomy.h"

namespace hotline {

using nlohmann::json;

Result<Duration> ParseDuration(std::string_view s, const std::string& field) {
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  const std::string num(s.substr(0, i)), unit(s.substr(i));
  double v = 0;
  try {
    size_t used = 0;
    v = std::stod(num, &used);
    if (used != num.size()) throw std::invalid_argument(num);
  } catch (const std::exception&) {
    return InvalidArgument(field, "'" + std::string(s) + "' is not a duration like 15m, 2h, 3d or 5wd");
  }
  Duration d;
  int64_t unit_ms = 0;
  if (unit == "m") unit_ms = kMinuteMs;
  else if (unit == "h") unit_ms = kHourMs;
  else if (unit == "d") unit_ms = kDayMs;
  else if (unit == "wd") { unit_ms = kDayMs; d.working = true; }
  else return InvalidArgument(field, "unit must be m, h, d or wd (working days)");
  d.ms = static_cast<int64_t>(std::llround(v * static_cast<double>(unit_ms)));
  if (d.ms < 0 || d.ms > 365 * kDayMs) return InvalidArgument(field, "must be between 0 and 365 days");
  return d;
}

Status SlaPolicyDoc::CheckLimits() const {
  for (size_t i = 0; i < rules.size(); ++i) {
    // Two rules with the same conditions: the later could never apply, its limits silently void.
    for (size_t k = 0; k < i; ++k) {
      if (rules[k].urgency == rules[i].urgency && rules[k].request_type == rules[i].request_type &&
          rules[k].category_prefix == rules[i].category_prefix) {
        return InvalidArgument("rules[" + std::to_string(i) + "]",
                               "has the same conditions as rules[" + std::to_string(k) + "], which always wins");
      }
    }
    const std::string at = "rules[" + std::to_string(i) + "].accept";
    if (rules[i].accept.ms == 0) return InvalidArgument(at, "must be longer than zero");
    // Signing for an order cannot be due after handling it is (a working day counted as a day).
    if (rules[i].accept.ms > rules[i].handle.ms) {
      return InvalidArgument(at, "must not be longer than handle (" + FormatDuration(rules[i].handle) + ")");
    }
  }
  return Status::Ok();
}

std::string FormatDuration(const Duration& d) {
  char buf[32];
  auto fmt = [&](double v, const char* unit) {
    std::snprintf(buf, sizeof buf, "%.12g%s", v, unit);  // enough digits to read back to the millisecond
    return std::string(buf);
  };
  if (d.working) return fmt(static_cast<double>(d.ms) / kDayMs, "wd");
  if (d.ms % kDayMs == 0) return fmt(static_cast<double>(d.ms / kDayMs), "d");
  if (d.ms % kHourMs == 0) return fmt(static_cast<double>(d.ms / kHourMs), "h");
  return fmt(static_cast<double>(d.ms) / kMinuteMs, "m");
}

const SlaPolicyDoc& SlaPolicyDoc::Default() {
  static const SlaPolicyDoc doc = [] {
    auto r = FromJson(R"JSON({
      "version": 1, "calendar": "cn-mainland", "warning_pct": 75,
      "supervise_after": "1wd", "callback": "1wd", "reopen_cap": 2,
      "rules": [
        {"urgency": "emergency", "accept": "15m", "handle": "2h"},
        {"urgency": "urgent", "accept": "30m", "handle": "24h"},
        {"request_type": "consultation", "accept": "1wd", "handle": "3wd"},
        {"accept": "1wd", "handle": "5wd"}
      ]})JSON");
    return r.ok() ? std::move(r).value() : SlaPolicyDoc{};
  }();
  return doc;
}

Result<SlaPolicyDoc> SlaPolicyDoc::FromJson(std::string_view text) {
  ASSIGN_OR_RETURN(const json j, ParseJsonObject(text));
  SlaPolicyDoc doc;
  auto str = [&](const json& o, const char* f, std::string* out) -> Status {
    if (!o.contains(f) || o[f].is_null()) return Status::Ok();
    if (!o[f].is_string()) return InvalidArgument(f, "must be a string");
    *out = o[f].get<std::string>();
    return Status::Ok();
  };
  auto dur = [&](const json& o, const char* f, const std::string& name, Duration* out, bool required) -> Status {
    if (!o.contains(f)) return required ? InvalidArgument(name, "is required") : Status::Ok();
    if (!o[f].is_string()) return InvalidArgument(name, "must be a duration string such as 5wd");
    ASSIGN_OR_RETURN(*out, ParseDuration(o[f].get<std::string>(), name));
    return Status::Ok();
  };
  // Read as 64-bit and range-checked before narrowing (4294967371 is not 75).
  auto integer = [&](const char* f, int64_t lo, int64_t hi, const char* what, int* out) -> Status {
    if (!j.contains(f)) return Status::Ok();
    const json& v = j[f];
    if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(hi)) ||
        v.get<int64_t>() < lo || v.get<int64_t>() > hi) {
      return InvalidArgument(f, what);
    }
    *out = static_cast<int>(v.get<int64_t>());
    return Status::Ok();
  };
  // A misspelt setting (warnig_pct) is refused by name: dropped, its default would rule
  // while the administrator believed their own value did.
  for (const auto& [field, value] : j.items()) {
    (void)value;
    static constexpr std::string_view kFields[] = {"version", "calendar", "warning_pct", "supervise_after",
                                                   "callback", "reopen_cap", "rules"};
    if (std::find(std::begin(kFields), std::end(kFields), field) == std::end(kFields)) {
      return InvalidArgument(field, "is not a policy field (version, calendar, warning_pct, supervise_after, callback, "
                                    "reopen_cap, rules)");
    }
  }
  RETURN_IF_ERROR(integer("version", 1, 1'000'000'000, "must be a positive integer", &doc.version));
  RETURN_IF_ERROR(str(j, "calendar", &doc.calendar));
  RETURN_IF_ERROR(integer("warning_pct", 1, 99, "must be an integer from 1 to 99", &doc.warning_pct));
  RETURN_IF_ERROR(integer("reopen_cap", 0, 10, "must be an integer from 0 to 10", &doc.reopen_cap));
  RETURN_IF_ERROR(dur(j, "supervise_after", "supervise_after", &doc.supervise_after, false));
  RETURN_IF_ERROR(dur(j, "callback", "callback", &doc.callback, false));
  // A 回访 limit of nothing would make every answer overdue for its callback at once.
  if (doc.callback.ms == 0) return InvalidArgument("callback", "must be longer than zero");
  if (!j.contains("rules") || !j["rules"].is_array() || j["rules"].empty() || j["rules"].size() > 500) {
    return InvalidArgument("rules", "must be an array of 1-500 rules");
  }
  bool catch_all = false;
  for (size_t i = 0; i < j["rules"].size(); ++i) {
    const json& r = j["rules"][i];
    const std::string at = "rules[" + std::to_string(i) + "]";
    if (!r.is_object()) return InvalidArgument(at, "must be an object");
    for (const auto& [field, value] : r.items()) {
      (void)value;
      // Refused, not dropped: a rule read without a condition or setting it was written
      // with would apply to tickets it was not meant for.
      if (field != "urgency" && field != "request_type" && field != "category_prefix" && field != "accept" &&
          field != "handle") {
        return InvalidArgument(at + "." + field, "is not a rule field (urgency, request_type, category_prefix, accept, handle)");
      }
    }
    SlaRule rule;
    RETURN_IF_ERROR(str(r, "urgency", &rule.urgency));
    RETURN_IF_ERROR(str(r, "request_type", &rule.request_type));
    RETURN_IF_ERROR(str(r, "category_prefix", &rule.category_prefix));
    if (!rule.urgency.empty() && !IsValidUrgency(rule.urgency)) return InvalidArgument(at + ".urgency", "unknown urgency");
    if (!rule.request_type.empty() && !IsValidRequestType(rule.request_type)) {
      return InvalidArgument(at + ".request_type", "unknown request type");
    }
    RETURN_IF_ERROR(dur(r, "accept", at + ".accept", &rule.accept, true));
    RETURN_IF_ERROR(dur(r, "handle", at + ".handle", &rule.handle, true));
    if (rule.handle.ms == 0) return InvalidArgument(at + ".handle", "must be longer than zero");
    catch_all = catch_all || (rule.urgency.empty() && rule.request_type.empty() && rule.category_prefix.empty());
    doc.rules.push_back(std::move(rule));
  }
  if (!catch_all) return InvalidArgument("rules", "needs a rule without conditions, for every other ticket");
  return doc;
}

std::string SlaPolicyDoc::ToJson() const {
  json rules = json::array();
  for (const auto& r : this->rules) {
    json o = {{"accept", FormatDuration(r.accept)}, {"handle", FormatDuration(r.handle)}};
    if (!r.urgency.empty()) o["urgency"] = r.urgency;
    if (!r.request_type.empty()) o["request_type"] = r.request_type;
    if (!r.category_prefix.empty()) o["category_prefix"] = r.category_prefix;
    rules.push_back(o);
  }
  return json{{"version", version}, {"calendar", calendar}, {"warning_pct", warning_pct},
              {"supervise_after", FormatDuration(supervise_after)}, {"callback", FormatDuration(callback)},
              {"reopen_cap", reopen_cap}, {"rules", rules}}.dump();
}

const SlaRule* SlaPolicyDoc::Match(const std::string& urgency, const std::string& request_type,
                                   const std::string& category_code) const {
  const SlaRule* best = nullptr;
  size_t best_score = 0;
  for (const auto& r : rules) {
    if (!r.urgency.empty() && r.urgency != urgency) continue;
    if (!r.request_type.empty() && r.request_type != request_type) continue;
    if (!r.category_prefix.empty() && !CodeHasPrefix(category_code, r.category_prefix)) continue;
    // Urgency outranks everything (an emergency is an emergency whatever its category),
    // then request type, then the length of the category prefix.
    const size_t score = (r.urgency.empty() ? 0 : 1000) + (r.request_type.empty() ? 0 : 100) +
                         r.category_prefix.size() + 1;
    if (!best || score > best_score) {
      best = &r;
      best_score = score;
    }
  }
  return best;
}

SlaPolicy::SlaPolicy(SlaPolicyDoc doc, Calendar calendar) : doc_(std::move(doc)), calendar_(std::move(calendar)) {
  reopen_cap = doc_.reopen_cap;
}

ClockSpec SlaPolicy::ClocksFor(const Ticket& t) const {
  ClockSpec c;
  c.warning_pct = doc_.warning_pct;
  c.supervise_after_ms = doc_.supervise_after.ms;
  c.supervise_working = doc_.supervise_after.working;
  c.policy_version = doc_.version;
  if (const SlaRule* r = doc_.Match(t.urgency, t.request_type, t.category_code)) {
    c.accept_ms = r->accept.ms;
    c.accept_working = r->accept.working;
    c.handle_ms = r->handle.ms;
    c.handle_working = r->handle.working;
  }
  return c;
}

TimeMs SlaPolicy::Due(TimeMs start, int64_t ms, bool working) const {
  if (!working) return start + ms;
  auto d = AddWorkingMs(calendar_, start, ms);
  return d.ok() ? d->at : start + ms;  // only a calendar without working days fails
}

int64_t SlaPolicy::Elapsed(TimeMs from, TimeMs to, bool working) const {
  if (!working) return to > from ? to - from : 0;
  return WorkingMsBetween(calendar_, from, to);
}

}  // namespace hotline
