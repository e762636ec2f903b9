// Chinese text processing shared by classification, search and early warning:
// normalisation (full-width → half-width ASCII, traditional → simplified with OpenCC,
// whitespace runs incl. U+3000 collapsed, control characters removed, invalid UTF-8
// rejected), word segmentation (ICU's dictionary-based word break, with a user dictionary
// of the city's place and unit names taking precedence) and features (words and CJK
// character bigrams). Thread-safe; no I/O beyond loading OpenCC's dictionaries once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace hotline {

struct NormaliseOptions {
  bool to_simplified = true;
  bool lowercase_ascii = true;
  // When set: for every byte of the result, the offset in the input of the character it
  // came from (a collapsed whitespace run's space: the run's first character). Left empty
  // in the rare case a traditional → simplified phrase changed the number of characters.
  std::vector<uint32_t>* source_offsets = nullptr;
};

// Fails with kInvalidArgument (field "text") on invalid UTF-8.
Result<std::string> NormaliseText(std::string_view text, const NormaliseOptions& opts = {});

// A word segmenter. The user dictionary's terms are kept whole wherever they occur.
class Segmenter {
 public:
  explicit Segmenter(std::vector<std::string> user_terms = {});
  ~Segmenter();
  Segmenter(const Segmenter&) = delete;
  Segmenter& operator=(const Segmenter&) = delete;

  // Words of already-normalised text: runs of letters, digits or ideographs; punctuation
  // and spaces dropped.
  std::vector<std::string> Words(std::string_view normalised) const;

  // The same words, in order, each handed to fn as a view into `normalised` (valid only
  // during the call): no copies, for the hot paths that hash words. fn must not segment
  // text itself: the thread's break iterator is in use until ForEachWord returns.
  using WordFn = std::function<void(std::string_view)>;
  void ForEachWord(std::string_view normalised, const WordFn& fn) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The process-wide default segmenter (no user dictionary).
const Segmenter& DefaultSegmenter();

// Search terms of normalised text: its words plus, for every run of ideographs, ASCII
// letters and digits, the character bigrams (and the lone ideograph of a one-character
// run), so that two-character words are found whatever the segmenter decided. Changing
// what it returns means bumping kKbTermsVersion (kb/kb.h).
std::vector<std::string> Terms(std::string_view normalised, const Segmenter& seg = DefaultSegmenter());

// Decodes the code point of valid UTF-8 at s[i] and advances i past it. Inline: every
// per-character loop of the text pipeline calls it.
inline char32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
  char32_t cp = c & (0x3F >> n);
  ++i;
  while (n-- > 0 && i < s.size()) cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  return cp;
}

// The code points of valid UTF-8.
std::u32string CodePoints(std::string_view s);

// Appends the UTF-8 encoding of cp.
void AppendUtf8(std::string& out, char32_t cp);

// True for a code point in the CJK ideograph blocks.
bool IsCjk(char32_t cp);

// What classification and duplicate detection look at in normalised text: ideographs,
// ASCII digits and (lower-cased) ASCII letters.
inline bool IsWordChar(char32_t cp) {
  return IsCjk(cp) || (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z');
}

}  // namespace hotline
