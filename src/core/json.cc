#include "core/json.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "core/text.h"

namespace hotline {

using nlohmann::json;

json ParseJsonText(std::string_view text, std::string* duplicate) {
  duplicate->clear();
  // Each object or array being read, innermost last: whether it is an object, and its keys so
  // far. A key given twice is named by its path (citizen.phone), put together only then: a
  // path kept per level would grow with the square of the nesting.
  struct Open {
    bool object = false;
    std::set<std::string> keys;
    const std::string* last_key = nullptr;  // in keys: the key whose value is being read
  };
  std::vector<Open> open;
  const json::parser_callback_t seen = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        open.push_back({event == json::parse_event_t::object_start, {}, nullptr});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!open.empty()) open.pop_back();
        break;
      case json::parse_event_t::key: {
        if (open.empty()) break;
        Open& o = open.back();
        auto [at, fresh] = o.keys.insert(parsed.get<std::string>());
        o.last_key = &*at;
        if (fresh || !duplicate->empty()) break;
        for (size_t i = 0; i + 1 < open.size(); ++i) {
          if (open[i].object && open[i].last_key) *duplicate += *open[i].last_key + ".";
        }
        *duplicate += *at;
        break;
      }
      default: break;
    }
    return true;
  };
  return json::parse(text, seen, /*allow_exceptions=*/false);
}

namespace {
// Where text that is not JSON goes wrong: " (at line 3, column 7)", or " (at character 40)"
// in one line; with "not UTF-8 text" when that is why.
std::string WhereInvalid(std::string_view text) {
  size_t byte = text.size();
  try {
    const json parsed = json::parse(text);
    (void)parsed;
  } catch (const json::parse_error& e) {
    byte = e.byte > 0 ? std::min<size_t>(e.byte - 1, text.size()) : 0;
  }
  const std::string_view before = text.substr(0, byte);
  const size_t line = std::count(before.begin(), before.end(), '\n') + 1;
  const size_t line_start = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
  size_t column = 1;  // in characters, not bytes
  for (size_t i = line_start; i < byte; ++i) column += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  const std::string why = IsValidUtf8(text) ? "" : ": not UTF-8 text";
  if (text.find('\n') == std::string_view::npos) return " (at character " + std::to_string(column) + why + ")";
  return " (at line " + std::to_string(line) + ", column " + std::to_string(column) + why + ")";
}
}  // namespace

Result<json> ParseJsonObject(std::string_view text, const std::string& field) {
  std::string duplicate;
  json j = ParseJsonText(text, &duplicate);
  if (j.is_discarded()) return InvalidArgument(field, "is not valid JSON" + WhereInvalid(text));
  if (!j.is_object()) return InvalidArgument(field, "must be a JSON object");
  if (!duplicate.empty()) return InvalidArgument(duplicate, "is given twice in one JSON object");
  return j;
}

}  // namespace hotline
