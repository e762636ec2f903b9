// Intake (统一受理): one shape for a request from any channel. Parses and validates a new
// ticket's JSON at the edge, normalises text and phone numbers, and names the field of
// every error. Pure: no store, no clock.
#pragma once

#include <initializer_list>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"
#include "store/store.h"

namespace hotline {

struct TicketInput {
  std::string channel, request_type, urgency = "normal";
  std::string title, content, address, category_code;
  Id area_id = 0;
  bool confidential = false;
  std::vector<std::string> tags;
  Requester citizen;
};

// body: {channel, request_type, urgency?, content, title?, citizen:{name?, phone?, id_number?,
//        kind?, org_name?, credit_code?}, address?, area_id?, category_code?, tags?, confidential?}
Result<TicketInput> ParseTicketInput(std::string_view body_json);

// Refuses a key of `j` outside `known`, naming it (prefix + key) and listing the known ones:
// a misspelt field ("adress") would otherwise be dropped without a word.
Status RefuseUnknownFields(const nlohmann::json& j, const std::string& prefix,
                           std::initializer_list<std::string_view> known);

struct ContactInput {
  std::string channel, kind = "chase", content;
  Requester citizen;
};
// body: {channel, kind?: chase|supplement|other, content, citizen?:{name?, phone?}}
Result<ContactInput> ParseContactInput(std::string_view body_json);

// Masking for display: "张*", "138****5678", "1101**********1234".
std::string MaskName(const std::string& name);
std::string MaskPhone(const std::string& phone);
std::string MaskIdNumber(const std::string& id_number);

}  // namespace hotline
