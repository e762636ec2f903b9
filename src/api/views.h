// JSON views of domain values, as the API shows them to one actor.
#pragma once

#include <nlohmann/json.hpp>

#include "org/org.h"
#include "service/service.h"
#include "store/store.h"
#include "ticket/ticket.h"

namespace hotline {

nlohmann::json UnitJson(const Unit& u);
nlohmann::json AreaJson(const Area& a);
nlohmann::json RuleJson(const DispatchRule& r);
nlohmann::json CategoryJson(const Category& c);
nlohmann::json UserJson(const User& u);
nlohmann::json EventJson(const Event& e);
nlohmann::json ContactJson(const Contact& c);
nlohmann::json AttachmentJson(const Attachment& a);
// The ticket for staff. `query_code` only where the actor took the request or runs a centre.
// `now` and `policy` give the warning level and the remaining (working) time.
nlohmann::json TicketJson(const Ticket& t, const OrgSnapshot& org, const Actor& actor, const Policy& policy, TimeMs now);
nlohmann::json CitizenJson(const CitizenView& v);
// What a citizen sees: no personal data, no internal notes, no staff names.
nlohmann::json PublicProgressJson(const PublicProgress& p, const OrgSnapshot& org);

// "" for 0, else ISO 8601 in the city's zone.
std::string Iso(TimeMs t);

}  // namespace hotline
