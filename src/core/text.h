// Small text utilities shared by every module: UTF-8 validation, trimming, CSV.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace hotline {

bool IsValidUtf8(std::string_view s);
// Number of code points in valid UTF-8.
size_t Utf8Length(std::string_view s);
// At most max_bytes of valid UTF-8 s, cut at a character boundary.
std::string Utf8Prefix(std::string_view s, size_t max_bytes);
// Trims ASCII whitespace, U+3000 (ideographic space) and NBSP from both ends.
std::string Trim(std::string_view s);
// Whether s holds an ASCII control character (below 0x20, or DEL).
bool HasAsciiControl(std::string_view s);
// Whether s holds any control character: an ASCII one (tab and line breaks included) or a C1
// one (U+0080–U+009F). What a one-line label (a tag, a keyword) must not hold.
bool HasControl(std::string_view s);
// Whether s holds one other than tab and line breaks: text that shows as nothing or garbage
// (NUL, ESC, BEL …), which CleanText drops.
bool HasNonWhitespaceControl(std::string_view s);
// Whether s is one or more ASCII digits and nothing else.
bool IsDigits(std::string_view s);
// Whether s holds a digit, ASCII or full-width (０–９, as an input method types them).
bool HasDigit(std::string_view s);
// The words of a search text, apart at blanks and ideographic spaces (锦绣花园　噪音 is two
// words), each matched on its own; at most `max`.
std::vector<std::string> SearchWords(std::string_view s, size_t max);
// s with ASCII A–Z lower-cased and every other byte kept (names, codes, file extensions
// compared without case; UTF-8 is untouched).
std::string AsciiLower(std::string_view s);
// s without the C1 control characters (U+0080–U+009F: CSI U+009B is a terminal escape, as ESC
// is), NEL (U+0085) read as the line break it is. s must be valid UTF-8.
std::string DropC1Controls(std::string_view s);
// Text a person typed, as kept: control characters other than tab and newline (ESC, BEL
// ... from a channel gateway; they show as nothing or garbage), C1 ones too, dropped, then
// trimmed.
std::string CleanText(std::string_view s);
// Whether s holds anything but blanks and zero-width characters (U+200B–U+200D, U+2060,
// U+FEFF), which look empty on every screen.
bool HasVisibleText(std::string_view s);
// s without the blanks and zero-width characters at its ends.
std::string TrimInvisible(std::string_view s);

// RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. A leading
// UTF-8 BOM is dropped, and so are blank lines. Fails with the line number of an
// unterminated quote. `lines`, when given, gets the line each row starts on (1-based), so
// errors can name the line a reader sees in the file.
Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view data, std::vector<size_t>* lines = nullptr);

// One field for a CSV file: quoted, its quotes doubled (RFC 4180).
std::string CsvField(std::string_view v);
// A CSV field for a file people open in a spreadsheet: one beginning with = + - @ (or a tab
// or carriage return) gets a leading ' so it is shown as text, never run as a formula
// (=HYPERLINK(...) in a knowledge entry's title). SpreadsheetText undoes it on import.
std::string SpreadsheetField(std::string_view v);
std::string SpreadsheetText(std::string_view v);

// Reads a whole file, limited to max_bytes.
Result<std::string> ReadFile(const std::string& path, size_t max_bytes = 256u << 20);

}  // namespace hotline
