#include "core/text.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

namespace hotline {

bool HasAsciiControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f; });
}

namespace {
bool IsNonWhitespaceControl(char ch) {
  const auto u = static_cast<unsigned char>(ch);
  return (u < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || u == 0x7f;
}

// Whether a C1 control character (U+0080–U+009F) starts at s[i]. In valid UTF-8 it is C2 80–
// C2 9F (0xC2 is only ever a lead byte).
bool C1At(std::string_view s, size_t i) {
  return i + 1 < s.size() && static_cast<unsigned char>(s[i]) == 0xC2 && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
         static_cast<unsigned char>(s[i + 1]) <= 0x9F;
}
}  // namespace

bool HasNonWhitespaceControl(std::string_view s) { return std::any_of(s.begin(), s.end(), IsNonWhitespaceControl); }

bool HasControl(std::string_view s) {
  if (HasAsciiControl(s)) return true;
  for (size_t i = 0; i < s.size(); ++i) {
    if (C1At(s, i)) return true;
  }
  return false;
}

std::string DropC1Controls(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (!C1At(s, i)) {
      out += s[i];
      continue;
    }
    if (static_cast<unsigned char>(s[i + 1]) == 0x85) out += '\n';  // NEL is a line break
    ++i;
  }
  return out;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

bool HasDigit(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0; };
    if ((b(i) >= '0' && b(i) <= '9') || (b(i) == 0xEF && b(i + 1) == 0xBC && b(i + 2) >= 0x90 && b(i + 2) <= 0x99)) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> SearchWords(std::string_view s, size_t max) {
  std::string spaced(s);
  for (size_t at; (at = spaced.find("\xE3\x80\x80")) != std::string::npos;) spaced.replace(at, 3, " ");
  std::vector<std::string> words;
  for (size_t i = 0; i < spaced.size() && words.size() < max;) {
    while (i < spaced.size() && std::isspace(static_cast<unsigned char>(spaced[i]))) ++i;
    size_t j = i;
    while (j < spaced.size() && !std::isspace(static_cast<unsigned char>(spaced[j]))) ++j;
    if (j > i) words.push_back(spaced.substr(i, j - i));
    i = j;
  }
  return words;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsValidUtf8(std::string_view s) {
  // The well-formed byte sequences of the Unicode standard (table 3-7): the second byte's
  // range depends on the first, which rules out overlong forms, surrogates and code points
  // past U+10FFFF without decoding.
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  const auto in = [&](size_t at, unsigned lo, unsigned hi) { return at < n && p[at] >= lo && p[at] <= hi; };
  size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      // Eight ASCII bytes at a time where there are eight.
      uint64_t word;
      while (i + 8 <= n && (std::memcpy(&word, p + i, 8), (word & 0x8080808080808080ull) == 0)) i += 8;
      while (i < n && p[i] < 0x80) ++i;
      continue;
    }
    const unsigned c = p[i];
    if (c >= 0xC2 && c <= 0xDF) {
      if (!in(i + 1, 0x80, 0xBF)) return false;
      i += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      const unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
      if (!in(i + 1, lo, hi) || !in(i + 2, 0x80, 0xBF)) return false;
      i += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      const unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
      if (!in(i + 1, lo, hi) || !in(i + 2, 0x80, 0xBF) || !in(i + 3, 0x80, 0xBF)) return false;
      i += 4;
    } else {
      return false;  // a continuation byte, C0/C1 (overlong) or F5..FF
    }
  }
  return true;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string Utf8Prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return std::string(s.substr(0, end));
}

std::string Trim(std::string_view s) {
  auto starts = [&](std::string_view p) { return s.substr(0, p.size()) == p; };
  auto ends = [&](std::string_view p) {
    return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
  };
  for (bool changed = true; changed && !s.empty();) {
    changed = false;
    if (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r') {
      s.remove_prefix(1); changed = true;
    } else if (starts("\u3000")) { s.remove_prefix(3); changed = true; }
    else if (starts("\u00a0")) { s.remove_prefix(2); changed = true; }
  }
  for (bool changed = true; changed && !s.empty();) {
    changed = false;
    if (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r') {
      s.remove_suffix(1); changed = true;
    } else if (ends("\u3000")) { s.remove_suffix(3); changed = true; }
    else if (ends("\u00a0")) { s.remove_suffix(2); changed = true; }
  }
  return std::string(s);
}

std::string CleanText(std::string_view s) {
  std::string kept;
  kept.reserve(s.size());
  for (char ch : DropC1Controls(s)) {
    if (!IsNonWhitespaceControl(ch)) kept += ch;
  }
  return Trim(kept);
}

std::string TrimInvisible(std::string_view s) {
  static constexpr std::string_view kZeroWidth[] = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"};
  std::string rest = Trim(s);
  for (bool cut = true; cut;) {
    cut = false;
    for (std::string_view zw : kZeroWidth) {
      if (rest.starts_with(zw)) rest = Trim(std::string_view(rest).substr(zw.size())), cut = true;
      if (rest.ends_with(zw)) rest = Trim(std::string_view(rest).substr(0, rest.size() - zw.size())), cut = true;
    }
  }
  return rest;
}

bool HasVisibleText(std::string_view s) { return !TrimInvisible(s).empty(); }

Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view data, std::vector<size_t>* lines) {
  if (data.substr(0, 3) == "\xEF\xBB\xBF") data.remove_prefix(3);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool in_quotes = false, field_started = false, closed = false;
  size_t line = 1, quote_line = 0, row_line = 1;
  // A blank line, or a row of empty cells (the ,,,, a spreadsheet leaves below its data), is
  // no row.
  const auto blank = [](const std::vector<std::string>& r) {
    return std::all_of(r.begin(), r.end(), [](const std::string& f) { return f.empty(); });
  };
  if (lines) lines->clear();
  for (size_t i = 0; i < data.size(); ++i) {
    const char c = data[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < data.size() && data[i + 1] == '"') { field += '"'; ++i; }
        else { in_quotes = false; closed = true; }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (closed && c != ',' && c != '\n' && c != '\r') {
      // "a"b is malformed: the b would be glued to a quoted value that was meant to end.
      if (c == ' ' || c == '\t') continue;
      return Status(Code::kInvalidArgument, "csv: text after the closing quote on line " + std::to_string(line));
    }
    closed = false;
    if (c == '"' && !field_started) { in_quotes = true; field_started = true; quote_line = line; }
    else if (c == ',') { row.push_back(std::move(field)); field.clear(); field_started = false; }
    else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < data.size() && data[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
      if (!blank(row)) {
        rows.push_back(std::move(row));
        if (lines) lines->push_back(row_line);
      }
      row.clear();
      row_line = ++line;
    } else { field += c; field_started = true; }
  }
  if (in_quotes) {
    return Status(Code::kInvalidArgument,
                  "csv: unterminated quoted field starting on line " + std::to_string(quote_line));
  }
  if (field_started || !row.empty()) {
    row.push_back(std::move(field));
    if (!blank(row)) {
      rows.push_back(std::move(row));
      if (lines) lines->push_back(row_line);
    }
  }
  return rows;
}

std::string CsvField(std::string_view v) {
  std::string q = "\"";
  for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

namespace {
bool StartsFormula(std::string_view v) {
  return !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r');
}
// A leading ' that SpreadsheetField put there: before a formula character or another '.
bool Escaped(std::string_view v) { return v.size() > 1 && v[0] == '\'' && (StartsFormula(v.substr(1)) || v[1] == '\''); }
}  // namespace

std::string SpreadsheetField(std::string_view v) {
  // A field that would read as escaped gets one more ', so import gives back exactly what
  // was exported.
  return StartsFormula(v) || Escaped(v) ? CsvField("'" + std::string(v)) : CsvField(v);
}

std::string SpreadsheetText(std::string_view v) { return std::string(Escaped(v) ? v.substr(1) : v); }

Result<std::string> ReadFile(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "cannot open " + path);
  in.seekg(0, std::ios::end);
  const auto size = static_cast<size_t>(in.tellg());
  if (size > max_bytes) {
    return Status(Code::kTooLarge, path + " is larger than " + std::to_string(max_bytes) + " bytes");
  }
  in.seekg(0);
  std::string data(size, '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  return data;
}

}  // namespace hotline
