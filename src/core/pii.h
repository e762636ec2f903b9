// Personal numbers a citizen writes into free text ("我的电话13977778888", an ID number in a
// complaint): found so that a view for someone who may not see them masks them, as the
// structured phone and ID fields are masked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotline {

struct PersonalNumbers {
  bool phones = true;  // mobiles (1[3-9] and 9 digits; 3-4-4 with spaces or dashes; +86/0086 before),
                       // landlines (an area code 010, 02x or 0[3-9]xx, then 7–8 digits; a dash may follow the code)
  bool ids = true;     // resident ID numbers: 17 digits and a digit or X, or 15 digits, with a birth date inside
};

// The text with each such number masked: a mobile keeps its first three and last four
// digits (139****8888), a landline its last four, an ID number its first four and last four.
// Full-width digits (１３９…) count as digits. A number counts only with no digit either side,
// so ticket numbers (a date and a sequence), amounts and longer codes stay as they are.
std::string MaskPersonalNumbers(std::string_view text, PersonalNumbers which = {});

// A number found in the words, as one would dial or type it: digits only (full-width ones
// read as ASCII), a mobile without its +86/0086, an ID number with its check character.
struct WrittenNumber {
  bool id = false;  // an ID number; else a phone
  std::string digits;
};

// The numbers MaskPersonalNumbers would mask, in order, each once.
std::vector<WrittenNumber> PersonalNumbersIn(std::string_view text, PersonalNumbers which = {});

// True when the text holds a number MaskPersonalNumbers would mask.
bool HasPersonalNumber(std::string_view text, PersonalNumbers which = {});

// True when a search text holds 7 to 18 digits in a row (spaces and dashes between them
// allowed) that are not a whole ticket number (20YYMMDD and a 7-digit sequence): a phone, an
// ID number or a piece of one, maybe. Searching the words for it is looking a caller up.
bool SearchesForPersonalNumber(std::string_view query);

// The text with every digit but the last `keep` masked (an audit entry of what was searched).
std::string MaskDigits(std::string_view text, size_t keep = 4);

// A number the citizen can be called back on: a mainland mobile, or a landline with its
// area code, as digits only.
bool IsMainlandPhone(std::string_view digits);

}  // namespace hotline
