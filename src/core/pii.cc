#include "core/pii.h"

namespace hotline {
namespace {

bool Digit(char c) { return c >= '0' && c <= '9'; }
bool Alnum(char c) { return Digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

enum class Kind { kNone, kMobile, kLandline, kId };

struct Found {
  Kind kind = Kind::kNone;
  size_t end = 0;  // one past the number
};

// What the number beginning at `i` (a digit with no digit or letter before it) is.
Found Classify(std::string_view s, size_t i) {
  size_t j = i;
  while (j < s.size() && Digit(s[j])) ++j;
  const size_t len = j - i;
  const auto alone = [&](size_t end) { return end == s.size() || !Alnum(s[end]); };
  if (len == 17 && j < s.size() && (s[j] == 'X' || s[j] == 'x') && alone(j + 1) && s[i] != '0') return {Kind::kId, j + 1};
  if (!alone(j)) return {};
  if (len == 18 && s[i] != '0') return {Kind::kId, j};
  const auto mobile_at = [&](size_t k) { return s[k] == '1' && s[k + 1] >= '3' && s[k + 1] <= '9'; };
  if (len == 11 && mobile_at(i)) return {Kind::kMobile, j};
  if (len == 13 && s.substr(i, 2) == "86" && mobile_at(i + 2)) return {Kind::kMobile, j};
  if (s[i] == '0' && len >= 10 && len <= 12) return {Kind::kLandline, j};
  // An area code, a hyphen and the local number: 0731-84567890.
  if (s[i] == '0' && (len == 3 || len == 4) && j + 1 < s.size() && s[j] == '-' && Digit(s[j + 1])) {
    size_t k = j + 1;
    while (k < s.size() && Digit(s[k])) ++k;
    if ((k - j - 1 == 7 || k - j - 1 == 8) && alone(k)) return {Kind::kLandline, k};
  }
  return {};
}

bool Wanted(Kind k, PersonalNumbers which) {
  return k == Kind::kId ? which.ids : k != Kind::kNone && which.phones;
}

// Calls f(start, found) for each wanted number, in order.
template <typename F>
void ForEachNumber(std::string_view s, PersonalNumbers which, F&& f) {
  size_t i = 0;
  while (i < s.size()) {
    if (!Digit(s[i]) || (i > 0 && Alnum(s[i - 1]))) {
      ++i;
      continue;
    }
    const Found n = Classify(s, i);
    if (Wanted(n.kind, which)) {
      f(i, n);
      i = n.end;
    } else {
      while (i < s.size() && Alnum(s[i])) ++i;  // past this run of digits and letters
    }
  }
}

}  // namespace

std::string MaskPersonalNumbers(std::string_view text, PersonalNumbers which) {
  std::string out(text);
  ForEachNumber(text, which, [&](size_t start, const Found& n) {
    const size_t len = n.end - start;
    const size_t keep_front = n.kind == Kind::kLandline ? 0 : n.kind == Kind::kId ? 4 : len - 8;  // +86 139…
    for (size_t k = start + keep_front; k + 4 < n.end; ++k) {
      if (Digit(out[k])) out[k] = '*';
    }
  });
  return out;
}

bool HasPersonalNumber(std::string_view text, PersonalNumbers which) {
  bool found = false;
  ForEachNumber(text, which, [&](size_t, const Found&) { found = true; });
  return found;
}

}  // namespace hotline
