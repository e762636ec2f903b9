#include "text/text.h"

#include <opencc/Config.hpp>
#include <opencc/Conversion.hpp>
#include <opencc/ConversionChain.hpp>
#include <opencc/Converter.hpp>
#include <opencc/Dict.hpp>
#include <opencc/Lexicon.hpp>
#include <opencc/MaxMatchSegmentation.hpp>
#include <unicode/brkiter.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "core/text.h"

namespace hotline {

std::u32string CodePoints(std::string_view s) {
  std::u32string u;
  for (size_t i = 0; i < s.size();) u += NextCodePoint(s, i);
  return u;
}

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

namespace {

bool IsSpace(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || cp == 0x3000 ||
         cp == 0xA0 || cp == 0x2028 || cp == 0x2029 || (cp >= 0x2000 && cp <= 0x200A);
}

bool IsControl(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0x200B || cp == 0xFEFF || cp == 0x200E || cp == 0x200F;
}

// Where t2s conversion is cut into pieces: ASCII, general punctuation, CJK symbols and
// punctuation.
bool CutsT2s(char32_t cp) { return cp < 0x80 || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F); }

// OpenCC's t2s, loaded once per process on first use (its dictionaries are large), with
// what NormaliseText needs to skip it wherever it cannot change anything.
struct T2s {
  opencc::ConverterPtr converter;  // Convert() is const and keeps no state between calls
  // BMP code points that t2s may change: one-character keys with another value, and the
  // characters a phrase changes (覆 alone stays, 答覆 becomes 答复).
  std::vector<bool> changes = std::vector<bool>(0x10000, false);
  // No key of the dictionaries holds a character CutsT2s() cuts at, so no phrase spans a
  // cut and the pieces between cuts convert one by one exactly as the whole text would
  // (greedy matching restarts after each cut). Checked when loading; else whole texts.
  bool piecewise = true;

  void Learn(const opencc::Dict& dict) {
    const opencc::LexiconPtr lexicon = dict.GetLexicon();  // a group builds a new one per call
    for (const auto& entry : *lexicon) {
      const std::u32string key = CodePoints(entry->Key()), value = CodePoints(entry->GetDefault());
      for (size_t i = 0; i < key.size(); ++i) {
        if (CutsT2s(key[i])) piecewise = false;
        if (key[i] < 0x10000 && (key.size() != value.size() || key[i] != value[i])) changes[key[i]] = true;
      }
    }
  }
};

const T2s* TraditionalToSimplified() {
  static std::once_flag once;
  static std::unique_ptr<T2s> t2s;
  std::call_once(once, [] {
    try {
      auto t = std::make_unique<T2s>();
      opencc::Config config;
      t->converter = config.NewFromFile("t2s.json");
      for (const auto& conversion : t->converter->GetConversionChain()->GetConversions()) t->Learn(*conversion->GetDict());
      const auto* seg = dynamic_cast<const opencc::MaxMatchSegmentation*>(t->converter->GetSegmentation().get());
      if (seg) {
        t->Learn(*seg->GetDict());
      } else {
        t->piecewise = false;
      }
      t2s = std::move(t);
    } catch (const std::exception&) {
      t2s.reset();  // dictionaries missing: text stays as given (reported by the test suite)
    }
  });
  return t2s.get();
}

// t2s where it can change something: only the pieces between cuts that hold a character
// it may change go through OpenCC.
std::string ConvertPieces(const T2s& t2s, std::string_view s) {
  if (!t2s.piecewise) return t2s.converter->Convert(std::string(s));
  std::string out;
  out.reserve(s.size());
  size_t piece = 0;
  bool needed = false;
  const auto finish = [&](size_t upto) {
    if (needed) {
      out += t2s.converter->Convert(std::string(s.substr(piece, upto - piece)));
    } else {
      out.append(s.data() + piece, upto - piece);
    }
    needed = false;
  };
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const char32_t cp = NextCodePoint(s, i);
    if (CutsT2s(cp)) {
      finish(start);
      out.append(s.data() + start, i - start);
      piece = i;
    } else if (cp >= 0x10000 || t2s.changes[cp]) {
      needed = true;
    }
  }
  finish(s.size());
  return out;
}

}  // namespace

bool IsCjk(char32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0xF900 && cp <= 0xFAFF);
}

Result<std::string> NormaliseText(std::string_view text, const NormaliseOptions& opts) {
  if (!IsValidUtf8(text)) return InvalidArgument("text", "is not valid UTF-8");
  const T2s* t2s = opts.to_simplified ? TraditionalToSimplified() : nullptr;
  bool convert = false;
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  size_t space_at = 0;  // where the pending space's run began
  std::vector<uint32_t>* src = opts.source_offsets;
  if (src) src->clear();
  // The source of each byte appended from text[from, upto): its character's first byte.
  const auto mark = [&](size_t from, size_t upto) {
    for (size_t k = from; k < upto; ++k) {
      src->push_back((static_cast<unsigned char>(text[k]) & 0xC0) == 0x80 ? src->back() : static_cast<uint32_t>(k));
    }
  };
  // Characters that stay as they are (nearly all of them) are copied a run at a time.
  constexpr size_t kNoRun = std::string_view::npos;
  size_t run = kNoRun;
  const auto flush = [&](size_t upto) {
    if (run != kNoRun) {
      out.append(text.data() + run, upto - run);
      if (src) mark(run, upto);
    }
    run = kNoRun;
  };
  for (size_t i = 0; i < text.size();) {
    const size_t start = i;
    const char32_t given = NextCodePoint(text, i);
    char32_t cp = given;
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp -= 0xFEE0;  // full-width ASCII → ASCII
    if (IsSpace(cp)) {
      flush(start);
      if (!pending_space) space_at = start;
      pending_space = !out.empty();
      continue;
    }
    if (IsControl(cp)) {
      flush(start);
      continue;
    }
    if (opts.lowercase_ascii && cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    // Text with none of the characters t2s changes (most simplified text) skips the
    // converter, which otherwise costs more than everything else here.
    if (t2s && (cp >= 0x10000 || t2s->changes[cp])) convert = true;
    if (cp == given && run != kNoRun) continue;
    flush(start);
    if (pending_space) {
      out += ' ';
      if (src) src->push_back(static_cast<uint32_t>(space_at));
    }
    pending_space = false;
    if (cp == given) {
      run = start;
    } else {
      const size_t before = out.size();
      AppendUtf8(out, cp);
      if (src) src->insert(src->end(), out.size() - before, static_cast<uint32_t>(start));
    }
  }
  flush(text.size());
  if (convert) {
    std::string converted = ConvertPieces(*t2s, out);
    if (src) {
      // Character for character (t2s nearly always keeps the count): each converted
      // character takes the source of the one it replaced.
      std::vector<uint32_t> remapped;
      remapped.reserve(converted.size());
      size_t i = 0, j = 0;
      while (i < out.size() && j < converted.size()) {
        const uint32_t from = (*src)[i];
        NextCodePoint(out, i);
        const size_t at = j;
        NextCodePoint(converted, j);
        remapped.insert(remapped.end(), j - at, from);
      }
      if (i == out.size() && j == converted.size()) src->swap(remapped);
      else src->clear();
    }
    out = std::move(converted);
  }
  return out;
}

struct Segmenter::Impl {
  std::vector<std::string> user_terms;  // longest first
  std::unique_ptr<icu::BreakIterator> prototype;

  // Hands each ICU word of s to fn as a view into s. The text goes to ICU as UTF-16 (the
  // form its dictionary engine reads in place), with the UTF-8 offset of every UTF-16
  // unit kept beside it, so the words need no conversion back and no copies.
  void IcuWords(std::string_view s, const WordFn& fn) const {
    if (s.empty()) return;
    // One clone per thread, reused across calls (every segmenter's prototype is the same
    // Chinese word-break iterator; user terms are matched outside ICU).
    thread_local std::unique_ptr<icu::BreakIterator> it;
    thread_local std::vector<char16_t> units;
    thread_local std::vector<uint32_t> offset;  // UTF-16 index → UTF-8 offset in s
    thread_local UText text = UTEXT_INITIALIZER;
    if (!it && prototype) it.reset(prototype->clone());
    units.clear();
    offset.clear();
    for (size_t i = 0; i < s.size();) {
      const uint32_t at = static_cast<uint32_t>(i);
      char32_t cp = NextCodePoint(s, i);
      if (cp > 0x10FFFF) cp = 0xFFFD;  // not from valid UTF-8
      if (cp < 0x10000) {
        units.push_back(static_cast<char16_t>(cp));
        offset.push_back(at);
      } else {
        units.push_back(static_cast<char16_t>(0xD7C0 + (cp >> 10)));
        units.push_back(static_cast<char16_t>(0xDC00 | (cp & 0x3FF)));
        offset.push_back(at);
        offset.push_back(at);
      }
    }
    offset.push_back(static_cast<uint32_t>(s.size()));
    UErrorCode err = U_ZERO_ERROR;
    if (it) {
      utext_openUChars(&text, units.data(), static_cast<int64_t>(units.size()), &err);
      if (U_SUCCESS(err)) it->setText(&text, err);
    }
    if (!it || U_FAILURE(err)) {
      fn(s);
      return;
    }
    int32_t start = it->first();
    for (int32_t end = it->next(); end != icu::BreakIterator::DONE; start = end, end = it->next()) {
      if (it->getRuleStatus() == UBRK_WORD_NONE) continue;  // spaces and punctuation
      fn(s.substr(offset[start], offset[end] - offset[start]));
    }
  }
};

Segmenter::Segmenter(std::vector<std::string> user_terms) : impl_(std::make_unique<Impl>()) {
  UErrorCode err = U_ZERO_ERROR;
  impl_->prototype.reset(icu::BreakIterator::createWordInstance(icu::Locale::getChinese(), err));
  if (U_FAILURE(err)) impl_->prototype.reset();
  for (auto& t : user_terms) {
    if (!t.empty() && IsValidUtf8(t)) impl_->user_terms.push_back(std::move(t));
  }
  std::sort(impl_->user_terms.begin(), impl_->user_terms.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  impl_->user_terms.erase(std::unique(impl_->user_terms.begin(), impl_->user_terms.end()), impl_->user_terms.end());
}

Segmenter::~Segmenter() = default;

void Segmenter::ForEachWord(std::string_view s, const WordFn& fn) const {
  if (impl_->user_terms.empty()) {
    impl_->IcuWords(s, fn);
    return;
  }
  // User terms first (leftmost, longest), ICU for the gaps between them.
  size_t pos = 0, gap = 0;
  while (pos < s.size()) {
    const std::string* hit = nullptr;
    for (const auto& t : impl_->user_terms) {
      if (s.compare(pos, t.size(), t) == 0) {
        hit = &t;
        break;
      }
    }
    if (hit) {
      impl_->IcuWords(s.substr(gap, pos - gap), fn);
      fn(s.substr(pos, hit->size()));
      pos += hit->size();
      gap = pos;
    } else {
      NextCodePoint(s, pos);
    }
  }
  impl_->IcuWords(s.substr(gap), fn);
}

std::vector<std::string> Segmenter::Words(std::string_view s) const {
  std::vector<std::string> out;
  ForEachWord(s, [&](std::string_view w) { out.emplace_back(w); });
  return out;
}

const Segmenter& DefaultSegmenter() {
  static const Segmenter seg;
  return seg;
}

std::vector<std::string> Terms(std::string_view s, const Segmenter& seg) {
  std::vector<std::string> out = seg.Words(s);
  // Character bigrams over each run of ideographs, ASCII letters and digits: the run goes on
  // across a change of script, so a district code and what it names (a7县, 3栋) make terms
  // of their own.
  auto in_run = [](char32_t cp) {
    return IsCjk(cp) || (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  };
  std::string prev;
  size_t run = 0;
  bool prev_cjk = false;
  for (size_t i = 0; i < s.size();) {
    const size_t start = i;
    const char32_t cp = NextCodePoint(s, i);
    if (!in_run(cp)) {
      if (run == 1 && prev_cjk) out.push_back(prev);
      run = 0;
      prev.clear();
      continue;
    }
    std::string cur(s.substr(start, i - start));
    if (run >= 1) out.push_back(prev + cur);
    prev = std::move(cur);
    prev_cjk = IsCjk(cp);
    ++run;
  }
  if (run == 1 && prev_cjk) out.push_back(prev);
  return out;
}

}  // namespace hotline
