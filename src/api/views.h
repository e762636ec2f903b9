// JSON views of domain values, as the API shows them to one actor.
#pragma once

#include <nlohmann/json.hpp>

#include "org/org.h"
#include "service/service.h"
#include "store/store.h"
#include "ticket/ticket.h"

namespace hotline {

// An id as a string, or null for 0 (none: the command line or the system, no unit).
nlohmann::json IdOrNull(Id id);
nlohmann::json UnitJson(const Unit& u);
nlohmann::json AreaJson(const Area& a);
nlohmann::json RuleJson(const DispatchRule& r);
nlohmann::json CategoryJson(const Category& c);
nlohmann::json UserJson(const User& u);
// A confidential report's words may name its reporter: an analyst, who sees no citizen data,
// does not read them (the ticket's title and content, a contact's words).
bool WordsHidden(const Ticket& t, const Actor& actor);
// Words written on ticket `t` (its title and content, a contact's, an answer) as `actor` may
// read them: hidden as above, else with the phone and ID numbers written into them masked
// where the actor does not see the citizen's phone or ID number whole (AccessFor: anything
// but kFull).
std::string WordsFor(const Ticket& t, const Actor& actor, const std::string& words, bool may_hide = true);
nlohmann::json EventJson(const Event& e);
// A contact on ticket `t` (a 催单's words), as `actor` may read them.
nlohmann::json ContactJson(const Contact& c, const Ticket& t, const Actor& actor);
nlohmann::json AttachmentJson(const Attachment& a);
// The ticket for staff. `query_code` only where the actor took the request or runs a centre.
// An analyst, who sees no citizen data, does not read a confidential report's words (title,
// content): they may name its reporter.
// `now` and `policy` give the warning level and the remaining (working) time. `listed`: an
// item of a list, whose words have every phone and ID number masked, whatever the role (a
// unit's own words on its orders excepted, as on the detail page).
nlohmann::json TicketJson(const Ticket& t, const OrgSnapshot& org, const Actor& actor, const Policy& policy, TimeMs now,
                          bool listed = false);
nlohmann::json CitizenJson(const CitizenView& v);
// What a citizen sees: no personal data, no internal notes, no staff names.
nlohmann::json PublicProgressJson(const PublicProgress& p, const OrgSnapshot& org);

// A unit's name, "" for one the snapshot does not hold.
std::string UnitName(const OrgSnapshot& org, Id id);

// "" for 0, else ISO 8601 in the city's zone.
std::string Iso(TimeMs t);

// A ticket's status in the citizen's words (the portal): the staff's 已退单 reads as
// "rejected" to a citizen while the centre is finding the unit that handles it.
const char* PublicStatusLabel(TicketStatus s);

}  // namespace hotline
