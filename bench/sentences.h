// Sentences of real text for the benchmarks' synthetic data: runs ending in 。！？ with
// line breaks and tabs dropped, trimmed, kept when at least `min_chars` characters long.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/text.h"
#include "text/text.h"

namespace hotline::bench {

// `keep_tail`: the text's last run counts as a sentence even without a closing mark.
inline std::vector<std::string> SplitSentences(std::string_view text, size_t min_chars, bool keep_tail = false) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t p = 0; p < text.size();) {
    const char32_t cp = NextCodePoint(text, p);
    if (cp == '\n' || cp == '\t' || cp == '\r') continue;
    AppendUtf8(cur, cp);
    if (cp == U'。' || cp == U'！' || cp == U'？' || (keep_tail && p == text.size())) {
      if (Utf8Length(cur) >= min_chars) out.push_back(Trim(cur));
      cur.clear();
    }
  }
  return out;
}

}  // namespace hotline::bench
