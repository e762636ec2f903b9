#include "core/pii.h"

#include <algorithm>
#include <vector>

#include "core/text.h"

namespace hotline {
namespace {

// A digit of the text, ASCII or full-width (０–９, three bytes), with where it stands.
struct Digit {
  char value;
  size_t begin, end;  // bytes
};

// Reads the digit at byte `i`, if one stands there.
bool DigitAt(std::string_view s, size_t i, Digit* d) {
  if (s[i] >= '0' && s[i] <= '9') {
    *d = {s[i], i, i + 1};
    return true;
  }
  if (i + 2 < s.size() && static_cast<unsigned char>(s[i]) == 0xEF && static_cast<unsigned char>(s[i + 1]) == 0xBC &&
      static_cast<unsigned char>(s[i + 2]) >= 0x90 && static_cast<unsigned char>(s[i + 2]) <= 0x99) {
    *d = {static_cast<char>('0' + (static_cast<unsigned char>(s[i + 2]) - 0x90)), i, i + 3};
    return true;
  }
  return false;
}

// What may stand between the groups of one number (139 7777 8888, 0731-84567890,
// (0731)84567890, full-width spaces, dashes and brackets): its length in bytes, or 0.
size_t JoinerAt(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  if (s[i] == ' ' || s[i] == '-' || s[i] == ')') return 1;
  static constexpr std::string_view kWide[] = {"\u3000", "\uFF0D", "\uFF09"};  // 　 － ）
  for (std::string_view w : kWide) {
    if (s.substr(i).starts_with(w)) return w.size();
  }
  return 0;
}

// Digits standing next to each other.
struct Group {
  std::vector<Digit> digits;
  std::string text;              // their values
  bool joined_to_next = false;   // one space or dash, then the next group
  bool x_after = false;          // an X (an ID number's check character) right after
};

std::vector<Group> Groups(std::string_view s) {
  std::vector<Group> out;
  for (size_t i = 0; i < s.size();) {
    Digit d;
    if (!DigitAt(s, i, &d)) {
      ++i;
      continue;
    }
    Group g;
    while (i < s.size() && DigitAt(s, i, &d)) {
      g.digits.push_back(d);
      g.text += d.value;
      i = d.end;
    }
    g.x_after = i < s.size() && (s[i] == 'X' || s[i] == 'x');
    Digit next;
    const size_t joiner = JoinerAt(s, i);
    g.joined_to_next = joiner && DigitAt(s, i + joiner, &next);
    out.push_back(std::move(g));
  }
  return out;
}

bool Between(std::string_view two, int lo, int hi) {
  const int v = (two[0] - '0') * 10 + (two[1] - '0');
  return v >= lo && v <= hi;
}

// A birth date, as an ID number holds one: YYYYMMDD (19xx or 20xx) or YYMMDD.
bool BirthDate(std::string_view d) {
  if (d.size() == 8) return (d.starts_with("19") || d.starts_with("20")) && BirthDate(d.substr(2));
  return d.size() == 6 && Between(d.substr(2, 2), 1, 12) && Between(d.substr(4, 2), 1, 31);
}

bool Mobile(std::string_view d) { return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'; }

// An area code: 010, 02x (then 7–8 digits) or 0[3-9]xx (then 7–8 digits); its length, or 0.
size_t AreaCode(std::string_view d) {
  if (d.size() < 3 || d[0] != '0') return 0;
  if (d[1] == '1') return d[2] == '0' ? 3 : 0;
  if (d[1] == '2') return 3;
  return d.size() >= 4 && d[1] >= '3' ? 4 : 0;
}

bool Landline(std::string_view d) {
  const size_t code = AreaCode(d);
  return code && d.size() - code >= 7 && d.size() - code <= 8;
}

enum class Kind { kNone, kPhone, kId };

// One number found: its digits (across the groups it spans) and how many to keep at each end.
struct Found {
  Kind kind = Kind::kNone;
  std::vector<Digit> digits;
  size_t keep_front = 0, keep_back = 4;
  size_t groups = 1;  // groups it spans
};

Found Classify(const std::vector<Group>& g, size_t i) {
  Found f;
  const auto joined = [&](size_t from, size_t n) {
    for (size_t k = from; k + 1 < from + n; ++k) {
      if (k + 1 >= g.size() || !g[k].joined_to_next) return false;
    }
    return from + n <= g.size();
  };
  const auto take = [&](Kind kind, size_t n, size_t front, size_t back) {
    f.kind = kind, f.groups = n, f.keep_front = front, f.keep_back = back;
    for (size_t k = i; k < i + n; ++k) f.digits.insert(f.digits.end(), g[k].digits.begin(), g[k].digits.end());
    return f;
  };
  // Written in groups: 139 7777 8888, 139-7777-8888; 0731-84567890, 010 12345678.
  if (joined(i, 3) && g[i].text.size() == 3 && g[i + 1].text.size() == 4 && g[i + 2].text.size() == 4 &&
      Mobile(g[i].text + g[i + 1].text + g[i + 2].text)) {
    return take(Kind::kPhone, 3, 3, 4);
  }
  if (joined(i, 3) && AreaCode(g[i].text) == g[i].text.size() && g[i + 2].text.size() == 4 &&
      Landline(g[i].text + g[i + 1].text + g[i + 2].text)) {
    return take(Kind::kPhone, 3, 0, 4);  // 021 1234 5678, 0731-8456-7890
  }
  if (joined(i, 2) && AreaCode(g[i].text) == g[i].text.size() && Landline(g[i].text + g[i + 1].text)) {
    return take(Kind::kPhone, 2, 0, 4);
  }
  const std::string_view d = g[i].text;
  if (d.size() == 17 && g[i].x_after && d[0] != '0' && BirthDate(d.substr(6, 8))) return take(Kind::kId, 1, 4, 3);
  if (d.size() == 18 && d[0] != '0' && BirthDate(d.substr(6, 8))) return take(Kind::kId, 1, 4, 4);
  if (Mobile(d)) return take(Kind::kPhone, 1, 3, 4);
  if (d.size() == 13 && d.starts_with("86") && Mobile(d.substr(2))) return take(Kind::kPhone, 1, 5, 4);
  if (d.size() == 15 && d.starts_with("0086") && Mobile(d.substr(4))) return take(Kind::kPhone, 1, 7, 4);
  if (d.size() == 15 && d[0] != '0' && BirthDate(d.substr(6, 6))) return take(Kind::kId, 1, 4, 4);
  if (Landline(d)) return take(Kind::kPhone, 1, 0, 4);
  return f;
}

bool Wanted(Kind k, PersonalNumbers which) { return k == Kind::kId ? which.ids : k == Kind::kPhone && which.phones; }

// Calls f(found) for each wanted number, in order.
template <typename F>
void ForEachNumber(std::string_view s, PersonalNumbers which, F&& f) {
  const std::vector<Group> g = Groups(s);
  for (size_t i = 0; i < g.size();) {
    const Found n = Classify(g, i);
    if (Wanted(n.kind, which)) f(n);
    i += n.kind == Kind::kNone ? 1 : n.groups;
  }
}

// The text with each of `digits` (in order) written as one '*'.
std::string Starred(std::string_view text, const std::vector<Digit>& digits) {
  std::string out;
  out.reserve(text.size());
  size_t at = 0;
  for (const Digit& d : digits) {
    out.append(text.substr(at, d.begin - at));
    out += '*';
    at = d.end;
  }
  out.append(text.substr(at));
  return out;
}

}  // namespace

std::string MaskPersonalNumbers(std::string_view text, PersonalNumbers which) {
  std::vector<Digit> masked;
  ForEachNumber(text, which, [&](const Found& n) {
    for (size_t k = n.keep_front; k + n.keep_back < n.digits.size(); ++k) masked.push_back(n.digits[k]);
  });
  return Starred(text, masked);
}

std::vector<WrittenNumber> PersonalNumbersIn(std::string_view text, PersonalNumbers which) {
  std::vector<WrittenNumber> out;
  ForEachNumber(text, which, [&](const Found& n) {
    WrittenNumber w{.id = n.kind == Kind::kId, .digits = {}};
    for (const Digit& d : n.digits) w.digits += d.value;
    if (w.id && w.digits.size() == 17) w.digits += 'X';
    if (!w.id && w.digits.size() > 11 && Mobile(w.digits.substr(w.digits.size() - 11))) {
      w.digits.erase(0, w.digits.size() - 11);  // 86 or 0086 before a mobile
    }
    const bool seen = std::any_of(out.begin(), out.end(), [&](const WrittenNumber& o) { return o.digits == w.digits; });
    if (!seen) out.push_back(std::move(w));
  });
  return out;
}

bool HasPersonalNumber(std::string_view text, PersonalNumbers which) {
  bool found = false;
  ForEachNumber(text, which, [&](const Found&) { found = true; });
  return found;
}

bool SearchesForPersonalNumber(std::string_view query) {
  const std::vector<Group> g = Groups(query);
  for (size_t i = 0; i < g.size();) {
    std::string run = g[i].text;
    size_t k = i;
    while (g[k].joined_to_next && k + 1 < g.size()) run += g[++k].text;
    // A date written as one (2026-12-01, 2026 12 1): no phone is written so.
    const bool date = k == i + 2 && g[i].text.size() == 4 && (run.starts_with("19") || run.starts_with("20")) &&
                      g[i + 1].text.size() <= 2 && g[i + 2].text.size() <= 2 &&
                      Between(g[i + 1].text.size() == 2 ? g[i + 1].text : "0" + g[i + 1].text, 1, 12) &&
                      Between(g[i + 2].text.size() == 2 ? g[i + 2].text : "0" + g[i + 2].text, 1, 31);
    i = k + 1;
    if (date || run.size() < 7 || run.size() > 18) continue;  // longer: an order or account number, no phone or ID
    // A whole ticket number (the day it was filed, 20YYMMDD, and a 7-digit sequence) is no
    // look-up; a date-shaped piece is not spared: an ID number holds its holder's birth date.
    const bool ticket = run.size() == 15 && run.starts_with("20") && BirthDate(std::string_view(run).substr(0, 8));
    if (!ticket) return true;
  }
  return false;
}

std::string MaskDigits(std::string_view text, size_t keep) {
  std::vector<Digit> digits;
  Digit d;
  for (size_t i = 0; i < text.size();) {
    if (DigitAt(text, i, &d)) {
      digits.push_back(d);
      i = d.end;
    } else {
      ++i;
    }
  }
  digits.resize(digits.size() > keep ? digits.size() - keep : 0);
  return Starred(text, digits);
}

bool IsMainlandPhone(std::string_view digits) { return IsDigits(digits) && (Mobile(digits) || Landline(digits)); }

}  // namespace hotline
