// SLA policies as data (限时办结规则): rules matching urgency, request type and category
// prefix give the accept (签收) and handle (办结) limits in natural or working time; the
// policy also fixes the warning share, the delay before automatic supervision, the
// callback (回访) limit and the reopening cap. SlaPolicy puts a policy and a working
// calendar behind the lifecycle's Policy interface.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sla/calendar.h"
#include "ticket/ticket.h"

namespace hotline {

struct Duration {
  int64_t ms = 0;
  bool working = false;  // working-day time (…wd) or natural time (m, h, d)
};
// "15m", "2h", "3d" (natural), "5wd" (working days), "0.5wd".
Result<Duration> ParseDuration(std::string_view s, const std::string& field);
std::string FormatDuration(const Duration& d);

struct SlaRule {
  std::string urgency;          // "" matches any
  std::string request_type;     // "" matches any
  std::string category_prefix;  // "" matches any
  Duration accept, handle;
};

struct SlaPolicyDoc {
  int version = 1;
  std::string calendar = "cn-mainland";
  int warning_pct = 75;
  Duration supervise_after{kDayMs, true};
  Duration callback{kDayMs, true};
  int reopen_cap = 2;
  std::vector<SlaRule> rules;  // the most specific match wins; the first among equals

  static const SlaPolicyDoc& Default();
  // JSON: {"version", "calendar", "warning_pct", "supervise_after", "callback", "reopen_cap",
  //        "rules": [{"urgency"?, "request_type"?, "category_prefix"?, "accept", "handle"}]}
  static Result<SlaPolicyDoc> FromJson(std::string_view json);
  std::string ToJson() const;
  // What a new policy must also satisfy (not checked on reading a stored one, so a policy
  // saved before a check existed still loads): each rule's accept limit is longer than zero
  // and no longer than its handle limit, and no two rules have the same conditions.
  Status CheckLimits() const;
  const SlaRule* Match(const std::string& urgency, const std::string& request_type,
                       const std::string& category_code) const;
};

class SlaPolicy final : public Policy {
 public:
  SlaPolicy(SlaPolicyDoc doc, Calendar calendar);
  ClockSpec ClocksFor(const Ticket& t) const override;
  int64_t CallbackMs() const override { return doc_.callback.ms; }
  bool CallbackWorking() const override { return doc_.callback.working; }
  TimeMs Due(TimeMs start, int64_t ms, bool working) const override;
  int64_t Elapsed(TimeMs from, TimeMs to, bool working) const override;

  const SlaPolicyDoc& doc() const { return doc_; }
  const Calendar& calendar() const { return calendar_; }

 private:
  SlaPolicyDoc doc_;
  Calendar calendar_;
};

}  // namespace hotline
