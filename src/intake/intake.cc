#include "intake/intake.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/json.h"
#include "core/text.h"
#include "ticket/ticket.h"

namespace hotline {

namespace {
// Full-width ASCII (１３９, ＋, －, （）, from a Chinese input method) and the ideographic
// space as plain ASCII.
std::string AsciiWidth(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    if (i + 2 < s.size() && b(i) == 0xEF && (b(i + 1) == 0xBC || b(i + 1) == 0xBD) && b(i + 2) >= 0x80 && b(i + 2) <= 0xBF) {
      const unsigned cp = 0xFF00 + ((b(i + 1) - 0xBC) << 6) + (b(i + 2) - 0x80);
      if (cp >= 0xFF01 && cp <= 0xFF5E) {
        out += static_cast<char>(cp - 0xFEE0);
        i += 2;
        continue;
      }
    }
    if (i + 2 < s.size() && b(i) == 0xE3 && b(i + 1) == 0x80 && b(i + 2) == 0x80) {  // U+3000
      out += ' ';
      i += 2;
      continue;
    }
    out += s[i];
  }
  return out;
}
}  // namespace

using nlohmann::json;

namespace {

constexpr size_t kMaxContentBytes = 20000;
constexpr size_t kMaxTags = 20;

Result<json> ParseObject(std::string_view body) {
  // nlohmann rejects invalid UTF-8 inside strings, so bad bytes fail here with the rest.
  if (!IsValidUtf8(body)) return InvalidArgument("body", "is not valid UTF-8");
  return ParseJsonObject(body);
}

}  // namespace

Status RefuseUnknownFields(const json& j, const std::string& prefix, std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : j.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string names;
    for (std::string_view k : known) names += (names.empty() ? "" : ", ") + std::string(k);
    return InvalidArgument(prefix + key, "is not a field here (" + names + ")");
  }
  return Status::Ok();
}

namespace {

Status Str(const json& j, const std::string& prefix, const char* field, bool required, size_t max_bytes,
           std::string* out) {
  const std::string name = prefix + field;
  auto it = j.find(field);
  if (it == j.end() || it->is_null()) return required ? InvalidArgument(name, "is required") : Status::Ok();
  if (!it->is_string()) return InvalidArgument(name, "must be a string");
  const std::string& given = it->get<std::string>();
  if (given.find('\0') != std::string::npos) return InvalidArgument(name, "must not contain NUL characters");
  // Other control characters are dropped: refusing them would refuse the citizen's request.
  std::string v = CleanText(given);
  if (required && !HasVisibleText(v)) return InvalidArgument(name, "must not be empty");
  if (v.size() > max_bytes) return InvalidArgument(name, "is longer than " + std::to_string(max_bytes) + " bytes");
  *out = std::move(v);
  return Status::Ok();
}

// A resident identity card number (GB 11643) of the right shape: its birth date must be a
// date and, for 18 characters, its check digit must match the ISO 7064 MOD 11-2 sum.
Status CheckIdNumber(const std::string& id) {
  const bool long_form = id.size() == 18;
  const int year = long_form ? std::stoi(id.substr(6, 4)) : 1900 + std::stoi(id.substr(6, 2));
  const int month = std::stoi(id.substr(long_form ? 10 : 8, 2)), day = std::stoi(id.substr(long_form ? 12 : 10, 2));
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > kDays[month - 1] || (month == 2 && day == 29 && !leap)) {
    return InvalidArgument("citizen.id_number", "holds no valid birth date");
  }
  // Nobody calls before being born: a birth date after today (city time) is a typo.
  const std::string today = FormatIsoCity(SystemClock::Default()->NowMs()).substr(0, 10);  // YYYY-MM-DD
  const int now = std::stoi(today.substr(0, 4)) * 10000 + std::stoi(today.substr(5, 2)) * 100 + std::stoi(today.substr(8, 2));
  if (year * 10000 + month * 100 + day > now) {
    return InvalidArgument("citizen.id_number", "holds a birth date in the future");
  }
  if (!long_form) return Status::Ok();
  static constexpr int kWeights[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (id[i] - '0') * kWeights[i];
  if ("10X98765432"[sum % 11] != id[17]) return InvalidArgument("citizen.id_number", "has a wrong check digit");
  return Status::Ok();
}

// A unified social credit code (统一社会信用代码, GB 32100): 18 characters of the code's
// alphabet (digits and capitals without I, O, S, V, Z), the last a check character of the
// first 17 (weights 3^i mod 31).
Status CheckCreditCode(const std::string& code) {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  static constexpr int kWeights[] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  if (code.size() != 18 || code.find_first_not_of(kAlphabet) != std::string::npos) {
    return InvalidArgument("citizen.credit_code",
                           "must be 18 digits or capital letters, without I, O, S, V or Z (统一社会信用代码)");
  }
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += static_cast<int>(kAlphabet.find(code[i])) * kWeights[i];
  if (kAlphabet[(31 - sum % 31) % 31] != code[17]) return InvalidArgument("citizen.credit_code", "has a wrong check character");
  return Status::Ok();
}

Status Citizen(const json& j, Requester* r) {
  auto it = j.find("citizen");
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return InvalidArgument("citizen", "must be an object");
  const json& c = *it;
  RETURN_IF_ERROR(RefuseUnknownFields(c, "citizen.", {"kind", "name", "phone", "id_number", "org_name", "credit_code"}));
  RETURN_IF_ERROR(Str(c, "citizen.", "kind", false, 16, &r->kind));
  if (r->kind.empty()) r->kind = "person";
  if (r->kind != "person" && r->kind != "enterprise") {
    return InvalidArgument("citizen.kind", "must be person or enterprise");
  }
  RETURN_IF_ERROR(Str(c, "citizen.", "name", false, 100, &r->name));
  std::string phone;
  RETURN_IF_ERROR(Str(c, "citizen.", "phone", false, 120, &phone));  // 40 characters, full width maybe
  phone = AsciiWidth(phone);  // full-width digits, as a Chinese input method types them
  if (phone.size() > 40) return InvalidArgument("citizen.phone", "is longer than 40 characters");
  if (!phone.empty()) {
    // Digits with the usual separators; letters or an extension ("ext 12") are not dropped
    // in silence: the digits left would be another number.
    for (size_t i = 0; i < phone.size(); ++i) {
      const char ch = phone[i];
      const bool ok = (ch >= '0' && ch <= '9') || ch == ' ' || ch == '-' || ch == '(' || ch == ')' || ch == '.' ||
                      (ch == '+' && i == 0);
      if (!ok) return InvalidArgument("citizen.phone", "may hold only digits, spaces, -, ( ) and a leading +");
    }
    r->phone = NormalisePhone(phone);
    const size_t n_digits = r->phone.size() - (r->phone.rfind('+', 0) == 0 ? 1 : 0);
    if (n_digits < 5 || n_digits > 20) {
      return InvalidArgument("citizen.phone", "must hold 5 to 20 digits");
    }
  }
  RETURN_IF_ERROR(Str(c, "citizen.", "id_number", false, 18, &r->id_number));
  // A resident identity card number: 15 digits, or 17 digits and a check digit or X.
  if (!r->id_number.empty() && r->id_number.back() == 'x') r->id_number.back() = 'X';
  const std::string& id = r->id_number;
  if (!id.empty() && !(id.size() == 15 && IsDigits(id)) &&
      !(id.size() == 18 && IsDigits(std::string_view(id).substr(0, 17)) && (IsDigits(id.substr(17)) || id.back() == 'X'))) {
    return InvalidArgument("citizen.id_number", "must be 15 digits, or 17 digits and a check digit or X");
  }
  if (!id.empty()) RETURN_IF_ERROR(CheckIdNumber(id));
  RETURN_IF_ERROR(Str(c, "citizen.", "org_name", false, 200, &r->org_name));
  RETURN_IF_ERROR(Str(c, "citizen.", "credit_code", false, 18, &r->credit_code));
  if (!r->credit_code.empty()) RETURN_IF_ERROR(CheckCreditCode(r->credit_code));
  if (r->kind == "enterprise" && r->org_name.empty()) {
    return InvalidArgument("citizen.org_name", "is required for an enterprise");
  }
  return Status::Ok();
}

}  // namespace

Result<TicketInput> ParseTicketInput(std::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseObject(body));
  RETURN_IF_ERROR(RefuseUnknownFields(j, "", {"channel", "request_type", "urgency", "content", "title", "address", "area_id",
                                              "category_code", "tags", "confidential", "citizen"}));
  TicketInput in;
  RETURN_IF_ERROR(Str(j, "", "channel", true, 32, &in.channel));
  if (!IsValidChannel(in.channel)) {
    return InvalidArgument("channel", "unknown channel '" + in.channel + "' (phone, mailbox, sms, app, wechat, "
                           "alipay, weibo, web, message_board, email, walk_in, transfer, open311)");
  }
  RETURN_IF_ERROR(Str(j, "", "request_type", true, 32, &in.request_type));
  if (!IsValidRequestType(in.request_type)) {
    return InvalidArgument("request_type", "must be one of consultation, help, complaint, report, suggestion, praise");
  }
  std::string urgency;
  RETURN_IF_ERROR(Str(j, "", "urgency", false, 16, &urgency));
  if (!urgency.empty()) in.urgency = urgency;
  if (!IsValidUrgency(in.urgency)) return InvalidArgument("urgency", "must be normal, urgent or emergency");
  RETURN_IF_ERROR(Str(j, "", "content", true, kMaxContentBytes, &in.content));
  RETURN_IF_ERROR(Str(j, "", "title", false, 300, &in.title));
  RETURN_IF_ERROR(Str(j, "", "address", false, 500, &in.address));
  RETURN_IF_ERROR(Str(j, "", "category_code", false, 32, &in.category_code));
  if (auto it = j.find("area_id"); it != j.end() && !it->is_null()) {
    std::optional<Id> id;
    if (it->is_string()) id = ParseId(it->get<std::string>());
    else if (it->is_number_integer() && it->get<int64_t>() > 0) id = it->get<int64_t>();
    if (!id) return InvalidArgument("area_id", "must be an id");
    in.area_id = *id;
  }
  if (auto it = j.find("confidential"); it != j.end() && !it->is_null()) {
    if (!it->is_boolean()) return InvalidArgument("confidential", "must be true or false");
    in.confidential = it->get<bool>();
  }
  if (auto it = j.find("tags"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidArgument("tags", "must be an array of strings");
    if (it->size() > kMaxTags) return InvalidArgument("tags", "at most 20 tags");
    for (size_t i = 0; i < it->size(); ++i) {
      const auto& t = (*it)[i];
      const std::string f = "tags[" + std::to_string(i) + "]";
      if (!t.is_string()) return InvalidArgument(f, "must be a string");
      // A tag is one short label that lists filter by: no control characters, not even a tab
      // or a line break (C1 ones included: U+0085 is a line break).
      std::string v = TrimInvisible(t.get<std::string>());
      if (v.empty() || v.size() > 60) return InvalidArgument(f, "must be 1-60 bytes");
      if (HasControl(v)) {
        return InvalidArgument(f, "must not hold control characters, tabs or line breaks");
      }
      if (std::find(in.tags.begin(), in.tags.end(), v) == in.tags.end()) in.tags.push_back(v);
    }
  }
  RETURN_IF_ERROR(Citizen(j, &in.citizen));
  if (in.channel == "phone" && in.citizen.phone.empty()) {
    return InvalidArgument("citizen.phone", "is required for a phone request (the number called back)");
  }
  if (in.channel == "sms" && in.citizen.phone.empty()) {
    return InvalidArgument("citizen.phone", "is required for an SMS request (the number it came from)");
  }
  return in;
}

Result<ContactInput> ParseContactInput(std::string_view body) {
  ASSIGN_OR_RETURN(json j, ParseObject(body));
  RETURN_IF_ERROR(RefuseUnknownFields(j, "", {"channel", "kind", "content", "citizen"}));
  ContactInput in;
  RETURN_IF_ERROR(Str(j, "", "channel", true, 32, &in.channel));
  if (!IsValidChannel(in.channel)) return InvalidArgument("channel", "unknown channel '" + in.channel + "'");
  std::string kind;
  RETURN_IF_ERROR(Str(j, "", "kind", false, 16, &kind));
  if (!kind.empty()) in.kind = kind;
  if (in.kind != "chase" && in.kind != "supplement" && in.kind != "other") {
    return InvalidArgument("kind", "must be chase, supplement or other");
  }
  RETURN_IF_ERROR(Str(j, "", "content", true, kMaxContentBytes, &in.content));
  RETURN_IF_ERROR(Citizen(j, &in.citizen));
  return in;
}

namespace {
// Splits UTF-8 into code points.
std::vector<std::string> CodePoints(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = 1;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xF0) n = 4; else if (c >= 0xE0) n = 3; else if (c >= 0xC0) n = 2;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}
}  // namespace

std::string MaskName(const std::string& name) {
  auto cps = CodePoints(name);
  if (cps.empty()) return "";
  std::string out = cps[0];
  for (size_t i = 1; i < std::max<size_t>(cps.size(), 2); ++i) out += "*";
  return out;
}

std::string MaskPhone(const std::string& phone) {
  // At least half the digits hidden, whatever the length: a mobile keeps its first three
  // and last four (138****5678), a landline only its last four, a short number its last two.
  const size_t n = phone.size();
  if (n >= 11) return phone.substr(0, 3) + std::string(n - 7, '*') + phone.substr(n - 4);
  const size_t keep = n >= 8 ? 4 : n >= 4 ? 2 : 0;
  return std::string(n - keep, '*') + phone.substr(n - keep);
}

std::string MaskIdNumber(const std::string& id) {
  if (id.size() < 8) return std::string(id.size(), '*');
  return id.substr(0, 4) + std::string(id.size() - 8, '*') + id.substr(id.size() - 4);
}

}  // namespace hotline
