// The citizen portal's two writes: filing a request and rating the answer. Both act as the
// system for the city centre; neither needs an account.
#include "service/service.h"

#include "core/pii.h"
#include "core/text.h"

namespace hotline {

constexpr size_t kMinPublicContent = 5;

Result<CreatedTicket> Service::PublicSubmit(TicketInput in, const std::string& idempotency_key) {
  auto org = Org();
  Id hub = 0;
  for (const auto& u : org->units()) {
    if (u.parent_id == 0 && u.active) hub = u.id;
  }
  if (hub == 0) return Status(Code::kUnavailable, "the hotline centre is not set up yet");
  if (in.citizen.phone.empty()) return InvalidArgument("phone", "is required, to follow the request up");
  // The citizen is called back on it: a mainland mobile or a landline with its area code, as
  // the form asks (staff intake takes any caller number; a citizen typing one can mistype).
  if (!IsMainlandPhone(in.citizen.phone)) {
    return InvalidArgument("phone", "must be a mainland mobile number (11 digits, 13–19 first) or a landline with "
                                    "its area code (010, 02x or 0xxx, then 7 or 8 digits)");
  }
  // As the form asks: a request the centre can act on says what happened (a staff agent
  // taking a call writes what the caller said, however short).
  if (Utf8Length(Trim(in.content)) < kMinPublicContent) {
    return InvalidArgument("content", "say what happened in at least " + std::to_string(kMinPublicContent) + " characters");
  }
  in.channel = "web";
  in.confidential = false;
  in.area_id = 0;
  in.category_code.clear();  // the centre classifies
  // The key is per actor; all portal submissions share one actor, so the key must be long
  // enough not to collide by chance between citizens.
  if (!idempotency_key.empty() && idempotency_key.size() < 16) {
    return InvalidArgument("Idempotency-Key", "at least 16 characters");
  }
  const Actor portal{0, Role::kSystem, hub, "portal"};
  return CreateTicket(portal, std::move(in), idempotency_key);
}

Result<Ticket> Service::PublicRate(const std::string& number, const std::string& phone_last4,
                                   const std::string& code, const std::string& rating, const std::string& comment,
                                   const std::string& client) {
  if (!IsValidRating(rating)) {
    return InvalidArgument("rating", "must be one of: very_satisfied, satisfied, basically_satisfied, dissatisfied, "
                                     "very_dissatisfied");
  }
  if (comment.size() > 2000) return InvalidArgument("comment", "at most 2000 bytes");
  // Cleaned as every other text a citizen or agent writes: control characters dropped, and
  // blanks or zero-width characters alone are no comment (nor kept at its ends).
  const std::string said = TrimInvisible(CleanText(comment));
  ASSIGN_OR_RETURN(auto progress, PublicLookup(number, phone_last4, code));
  const Ticket& t = progress.ticket;
  if (t.phase != Phase::kCallback) {
    const bool closed = t.phase == Phase::kClosed || t.phase == Phase::kArchived;
    const bool ended = t.phase == Phase::kTransferred || t.phase == Phase::kMerged || t.phase == Phase::kWithdrawn;
    return Status(Code::kConflict,
                  closed && !t.rating.empty() ? "this request is already closed and rated"
                  : closed                    ? "this request is already closed (answered on the spot, or closed after "
                                                "the callback) and can no longer be rated"
                  : ended                     ? "this request ended without an answer to rate here (transferred, "
                                                "merged into another request, or withdrawn)"
                                              : "this request has not been answered yet; rate it once it is",
                  "", "invalid_transition");
  }
  Command cmd;
  cmd.type = CommandType::kCallback;
  cmd.outcome = "reached";
  cmd.rating = rating;
  cmd.comment = said.empty() ? "市民自助评价" : "市民自助评价：" + said;
  cmd.expected_version = t.version;
  const Actor portal{0, Role::kSystem, t.intake_unit_id, "portal"};
  ASSIGN_OR_RETURN(Ticket rated, Act(portal, t.id, cmd));
  (void)Audit(portal, "public_rating", "ticket:" + IdToString(t.id),
              std::string(code.empty() ? "phone_last4" : "code") + " " + rating + (client.empty() ? "" : " from " + client));
  return rated;
}

}  // namespace hotline
