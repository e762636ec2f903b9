// The persisted form of a ticket's current state (one JSON document per ticket), shared
// by every backend so that they store and read tickets identically.
#pragma once

#include <string>

#include "core/status.h"
#include "ticket/ticket.h"

namespace hotline {

std::string EncodeTicketState(const Ticket& t);
Result<Ticket> DecodeTicketState(const std::string& json_text);

}  // namespace hotline
