#include "core/json.h"

#include <nlohmann/json.hpp>
#include <set>
#include <vector>

namespace hotline {

using nlohmann::json;

json ParseJsonText(std::string_view text, std::string* duplicate) {
  duplicate->clear();
  std::vector<std::set<std::string>> open;  // the keys of each object being read, innermost last
  const json::parser_callback_t seen = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start: open.emplace_back(); break;
      case json::parse_event_t::object_end:
        if (!open.empty()) open.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open.empty() && !open.back().insert(parsed.get<std::string>()).second && duplicate->empty()) {
          *duplicate = parsed.get<std::string>();
        }
        break;
      default: break;
    }
    return true;
  };
  return json::parse(text, seen, /*allow_exceptions=*/false);
}

Result<json> ParseJsonObject(std::string_view text, const std::string& field) {
  std::string duplicate;
  json j = ParseJsonText(text, &duplicate);
  if (j.is_discarded()) return InvalidArgument(field, "is not valid JSON");
  if (!j.is_object()) return InvalidArgument(field, "must be a JSON object");
  if (!duplicate.empty()) return InvalidArgument(duplicate, "is given twice in one JSON object");
  return j;
}

}  // namespace hotline
