// Personal numbers a citizen writes into free text ("我的电话13977778888", an ID number in a
// complaint): found so that a view for someone who may not see them masks them, as the
// structured phone and ID fields are masked.
#pragma once

#include <string>
#include <string_view>

namespace hotline {

struct PersonalNumbers {
  bool phones = true;  // mobiles (1[3-9] and 9 digits, +86 allowed), landlines (0 and 9–11 digits, 0xx(x)-7–8 digits)
  bool ids = true;     // resident ID numbers (17 digits and a digit or X)
};

// The text with each such number masked: a mobile keeps its first three and last four
// digits (139****8888), a landline its last four, an ID number its first four and last four.
// A number counts only standing alone (no digit or Latin letter either side), so ticket
// numbers, dates and codes stay as they are. Byte lengths are kept.
std::string MaskPersonalNumbers(std::string_view text, PersonalNumbers which = {});

// True when the text holds a number MaskPersonalNumbers would mask.
bool HasPersonalNumber(std::string_view text, PersonalNumbers which = {});

}  // namespace hotline
