#pragma once
// JSON documents as the platform reads them from outside: nlohmann's parser, plus the one
// thing it lets through in silence, a key named twice in one object (the last would win,
// so {"status":"closed","status":"open"} means whatever the reader happens to keep).

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/status.h"

namespace hotline {

// Parses one JSON document; a syntax error gives a discarded value. When an object names a
// key twice, the first such key is put in *duplicate (left empty otherwise).
nlohmann::json ParseJsonText(std::string_view text, std::string* duplicate);

// One JSON object, as a request body or an imported line: errors name `field` ("is not
// valid JSON", "must be a JSON object"), or the key that is given twice.
Result<nlohmann::json> ParseJsonObject(std::string_view text, const std::string& field = "body");

}  // namespace hotline
