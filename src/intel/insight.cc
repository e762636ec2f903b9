#include "intel/insight.h"

#include <algorithm>
#include <limits>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <numeric>
#include <span>
#include <string_view>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "core/pii.h"
#include "core/text.h"
#include "text/text.h"

namespace hotline::intel {

namespace {

// Letters, digits and ideographs of the normalised text; nothing else.
std::u32string WordChars(const std::string& text) {
  auto norm = NormaliseText(text);
  std::u32string out;
  if (!norm.ok()) return out;
  for (size_t i = 0; i < norm->size();) {
    const char32_t cp = NextCodePoint(*norm, i);
    if (IsWordChar(cp)) out += cp;
  }
  return out;
}

// The 64-bit finaliser of MurmurHash3. LSH band values are stored, so it must not change.
uint64_t Mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

uint64_t Bigram(char32_t a, char32_t b) { return (static_cast<uint64_t>(a) << 21) | b; }

std::vector<uint64_t> BigramSet(const std::u32string& s) {
  std::vector<uint64_t> out;
  for (size_t i = 1; i < s.size(); ++i) out.push_back(Bigram(s[i - 1], s[i]));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

size_t Intersection(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  size_t n = 0;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++n, ++i, ++j;
    }
  }
  return n;
}

std::string Utf8(const std::u32string& s) {
  std::string out;
  for (char32_t cp : s) AppendUtf8(out, cp);
  return out;
}

// Whether a place key reads as a name: no particle, pronoun or adverb inside (的, 了, 我, 们,
// 不, 要 ...), no time word (今年, 去年 ...: 孩子今年上小学 is a sentence, not a school) and no
// preposition, measure word, demonstrative or word ending in front (在, 条, 这, 子, 年 ...),
// nor the tail of a district or a question (区, 县, 问, 请: 江北区银杏湾小区 cut to 区银杏湾小区).
// The clustering keys by every window; a key that reads as a name is what a hotspot shows,
// what tells places apart, and what a short message leaves out of its words when compared.
bool ReadsAsPlaceName(std::string_view key) {
  static const std::u32string inside = U"的了把被我你他她们些吗呢吧要说没不就也还请乱";
  static const std::u32string first = U"在是这那条个栋幢号口和与及对从到向给有去往离近等为因每该其子年区县问请";
  // Time words, and the words a caller or an agent opens with (反映一下幸福小区, 来电称创新公寓).
  // And words that describe rather than name (纳入老旧小区, 附近小区, 周边学校, 3栋门口道路).
  static const std::u32string times[] = {U"今年", U"去年", U"明年", U"前年", U"今天", U"昨天", U"现在",
                                         U"一下", U"来电", U"电称", U"反映", U"老旧", U"纳入", U"附近",
                                         U"周边", U"旁边", U"所在", U"整个", U"各个", U"多个", U"很多",
                                         U"所有", U"其他", U"住在", U"门口", U"门前", U"对面"};
  // Nor a common noun in front of its suffix: what many places have (物业公司, 公交线路, 开发商
  // 项目) names none of them; nor an estate, company or the like named by another place word
  // with less than a name in front of it (花园小区, 湖花园小区, 小区物业公司): the tail of a place
  // or one of its parts. 翠湖花园小区 and 理想家园小区 are names, and so are roads, towns and
  // villages named after one (学院路, 花园街, 大学城).
  static const std::u32string generic[] = {U"物业", U"公交", U"交线", U"开发", U"地产", U"施工", U"装修",
                                           U"保洁", U"快递", U"停车", U"垃圾", U"燃气", U"供水", U"供电"};
  const std::u32string k = CodePoints(key);
  for (const auto& g : generic) {
    if (k.find(g) != std::u32string::npos) return false;
  }
  size_t own = 0;  // the key's own suffix: the longest place word it ends with
  for (const auto& suf : PlaceSuffixes()) {
    if (k.size() > suf.size() && k.compare(k.size() - suf.size(), suf.size(), suf) == 0) own = std::max(own, suf.size());
  }
  const std::u32string name = k.substr(0, k.size() - own);
  for (const auto& suf : PlaceSuffixes()) {
    if (own >= 2 && suf.size() >= 2 && name.find(suf) < 2) return false;
  }
  // 和 joins two words (我和邻居), but 和平 is a name (和平新村, 和平路).
  const bool heping = k.size() >= 2 && k[0] == U'和' && k[1] == U'平';
  if (k.empty() || (first.find(k[0]) != std::u32string::npos && !heping)) return false;
  for (const auto& t : times) {
    if (k.find(t) != std::u32string::npos) return false;
  }
  return std::none_of(k.begin(), k.end(), [](char32_t c) { return inside.find(c) != std::u32string::npos; });
}

// How a caller or an agent leads a message in: who speaks (市民, 来电人, 来电, 我想), then
// how (反映, 称, 投诉 …), then 一下: 市民来电称, 来电人反映：, 我想反映一下.
constexpr std::u32string_view kLeadSpeakers[] = {U"来电市民", U"来电人", U"市民", U"来电", U"我想", U"我要"};
constexpr std::u32string_view kLeadVerbs[] = {U"反映", U"称", U"投诉", U"咨询", U"表示", U"举报", U"询问"};

// What a report without a title is called: its first sentence as written, without its lead-in,
// at most 40 characters (its first 40 letters and ideographs when that leaves nothing).
std::string Headline(const std::string& text) {
  static const std::u32string_view kPause = U"：:，,、 　\t\r\n";
  static const std::u32string_view kStop = U"。！？；!?;\n";
  std::u32string s;
  for (size_t i = 0; i < text.size();) s += NextCodePoint(text, i);
  size_t from = 0;
  const auto skip_pause = [&] {
    while (from < s.size() && kPause.find(s[from]) != std::u32string_view::npos) ++from;
  };
  const auto eat = [&](std::u32string_view w) {
    const bool at = std::u32string_view(s).substr(from).starts_with(w);
    if (at) from += w.size();
    return at;
  };
  skip_pause();
  if (eat(U"您好") || eat(U"你好")) skip_pause();
  bool spoke = false;
  for (auto who : kLeadSpeakers) spoke = eat(who) || spoke;
  for (auto how : kLeadVerbs) {
    const size_t at = from;
    if (!eat(how)) continue;
    // A verb with no speaker is the message's own (投诉某餐馆) unless a pause or 一下 follows.
    const bool lead = spoke || eat(U"一下") || (from < s.size() && kPause.find(s[from]) != std::u32string_view::npos);
    if (!lead) from = at;
    break;
  }
  eat(U"一下");
  skip_pause();
  // Who is calling and how to call back (我叫赵六，电话136****5678，…) is not the matter, and
  // a headline leaders read names nobody: up to three such leading clauses are passed over
  // (a short one introducing the caller, or one holding a masked number), unless nothing
  // would be left.
  // 我是 introduces the caller (我是翠湖花园业主) unless the clause goes on to say what they want
  // (我是要投诉楼下餐馆油烟扰民).
  static constexpr std::u32string_view kName[] = {U"我叫", U"我姓", U"本人叫", U"本人姓", U"姓名", U"联系人"};
  static constexpr std::u32string_view kWho[] = {U"我是", U"本人是"};
  static constexpr std::u32string_view kWants = U"要想来请问在";
  const auto starts = [](std::u32string_view clause, const auto& words) {
    return std::any_of(std::begin(words), std::end(words), [&](auto w) { return clause.starts_with(w); });
  };
  // 我是 then 要/想/来/请/问… is what the caller wants; 我是李想 is a name.
  const auto wants_next = [&](std::u32string_view clause) {
    for (auto w : kWho) {
      if (clause.starts_with(w)) return clause.size() > w.size() && kWants.find(clause[w.size()]) != std::u32string_view::npos;
    }
    return false;
  };
  for (int k = 0; k < 3; ++k) {
    size_t end = from;
    while (end < s.size() && kPause.find(s[end]) == std::u32string_view::npos && kStop.find(s[end]) == std::u32string_view::npos) ++end;
    const std::u32string_view clause = std::u32string_view(s).substr(from, end - from);
    const bool self = (clause.size() <= 12 && starts(clause, kName)) ||
                      (clause.size() <= 10 && starts(clause, kWho) && !wants_next(clause));
    // A clause that is a number and little else (电话136****5678), not one that runs on into the matter.
    const bool contact = clause.size() <= 20 && clause.find(U"****") != std::u32string_view::npos;
    if (!(self || contact)) break;
    size_t next = end;
    while (next < s.size() && (kPause.find(s[next]) != std::u32string_view::npos || kStop.find(s[next]) != std::u32string_view::npos)) ++next;
    if (next >= s.size()) break;
    from = next;
  }
  size_t to = from;
  while (to < s.size() && kStop.find(s[to]) == std::u32string_view::npos) ++to;
  while (to > from && kPause.find(s[to - 1]) != std::u32string_view::npos) --to;
  constexpr size_t kMax = 40;
  if (to == from) return Utf8(WordChars(text).substr(0, kMax));
  if (to - from > kMax) return Utf8(s.substr(from, kMax - 1)) + "…";
  return Utf8(s.substr(from, to - from));
}

// Two characters that lead a place in (来电人反映：…, 我想反映一下…, 举报…, 住在…), so never
// begin its name.
bool IsLeadIn(std::u32string_view two) {
  static const std::u32string_view kOthers[] = {U"一下", U"来电", U"电称", U"人称", U"位于", U"关于", U"住在", U"我们", U"我家"};
  const auto is = [&](std::u32string_view w) { return w == two; };
  return std::any_of(std::begin(kLeadVerbs), std::end(kLeadVerbs), is) || std::any_of(std::begin(kOthers), std::end(kOthers), is);
}

// Place keys of a text: for each place suffix, the suffix with the last 2, 3 and 4
// ideographs before it ("魅力之城小区" gives 之城小区, 力之城小区, 魅力之城小区), so one
// place named a little differently still shares a key.
std::vector<std::string> PlaceKeys(const std::u32string& s) {
  // First characters of the suffixes, as bits: every character of every text is tested.
  static const std::vector<bool> firsts = [] {
    std::vector<bool> f(0x10000, false);
    for (const auto& suf : PlaceSuffixes()) f[suf[0]] = true;
    return f;
  }();
  std::vector<std::string> keys;
  for (size_t i = 0; i < s.size();) {
    const std::u32string* hit = nullptr;
    if (s[i] >= 0x10000 || !firsts[s[i]]) {
      ++i;
      continue;
    }
    for (const auto& suf : PlaceSuffixes()) {
      if (s.compare(i, suf.size(), suf) == 0) {
        hit = &suf;
        break;
      }
    }
    // 路 of 路灯 or 路面 (门前路灯不亮) ends no road.
    if (hit && *hit == U"路" && i + 1 < s.size() && (s[i + 1] == U'灯' || s[i + 1] == U'面')) hit = nullptr;
    if (!hit) {
      ++i;
      continue;
    }
    size_t run = 0;
    while (run < 4 && run < i && IsCjk(s[i - run - 1])) ++run;
    for (size_t len = 2; len <= run; ++len) {
      // Not into the words a caller or an agent leads in with: 反映锦绣花园 gives no 映锦绣花园.
      if (i - len >= 1 && IsLeadIn(s.substr(i - len - 1, 2))) break;
      keys.push_back(Utf8(s.substr(i - len, len) + *hit));
    }
    i += hit->size();
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace

const std::vector<std::u32string>& PlaceSuffixes() {
  static const std::vector<std::u32string> s = [] {
    std::vector<std::u32string> v;
    for (const char* x : {"小区", "花园", "家园", "新城", "公寓", "广场", "大厦", "社区", "学院", "大学", "中学", "小学",
                          "学校", "幼儿园", "医院", "村", "镇", "街道", "大道", "路", "街", "公司", "市场", "园", "苑",
                          "城", "湾", "府", "庭", "楼盘", "项目", "站", "厂", "场"}) {
      v.push_back(CodePoints(x));
    }
    return v;
  }();
  return s;
}

std::vector<uint64_t> Shingles(const std::string& text) { return BigramSet(WordChars(text)); }

// The place keys that read as names: the ones two texts are told apart by. A window that
// reaches into the sentence (旁边就是学校 in two complaints about two roads) names nothing.
static std::vector<std::string> NamedPlaces(const std::u32string& chars) {
  std::vector<std::string> keys = PlaceKeys(chars);
  std::erase_if(keys, [](const std::string& k) { return !ReadsAsPlaceName(k); });
  return keys;
}

std::vector<std::string> PlacesNamedIn(const std::string& text) { return NamedPlaces(WordChars(text)); }

namespace {
// Two sorted sets, both holding something and nothing in common: two texts (or groups) that
// both name places, none the same.
template <typename T>
bool Apart(const std::vector<T>& a, const std::vector<T>& b) {
  if (a.empty() || b.empty()) return false;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) return false;
    a[i] < b[j] ? ++i : ++j;
  }
  return true;
}
}  // namespace

bool PlacesApart(const std::vector<std::string>& a, const std::vector<std::string>& b) { return Apart(a, b); }

double Jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  const size_t both = Intersection(a, b), uni = a.size() + b.size() - both;
  return uni ? static_cast<double>(both) / uni : 0.0;
}

TextFeatures HotspotFeatures(const std::string& title, const std::string& text) {
  const std::u32string body = WordChars(text), head = WordChars(title);
  std::vector<uint64_t> all;
  for (const auto* s : {&body, &head}) {
    for (size_t k = 1; k < s->size(); ++k) all.push_back(Bigram((*s)[k - 1], (*s)[k]));
  }
  std::sort(all.begin(), all.end());
  TextFeatures f;
  for (size_t k = 0; k < all.size();) {
    size_t e = k;
    while (e < all.size() && all[e] == all[k]) ++e;
    f.grams.push_back(all[k]);
    f.counts.push_back(static_cast<uint16_t>(std::min<size_t>(e - k, 65535)));
    k = e;
  }
  f.places = PlaceKeys(head + U"\u3000" + body);
  return f;
}

namespace {

constexpr char kFeaturesVersion = 1;
constexpr uint64_t kCharMask = (uint64_t{1} << 21) - 1;  // a bigram is (first << 21) | second
constexpr uint64_t kCodePoints = 0x110000;

void PutVarint(std::string& out, uint64_t v) {
  for (; v >= 0x80; v >>= 7) out += static_cast<char>((v & 0x7f) | 0x80);
  out += static_cast<char>(v);
}

bool GetVarint(std::string_view data, size_t& at, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && at < data.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(data[at++]);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

// Reads features in their stored form (see EncodeFeatures) into grams and counts, in place
// of what they held, calling place(key) for each place key. False when the data is not
// features of this version or is damaged: every number is checked, so damaged data cannot
// ask for more than it holds or name a character past Unicode.
template <class Place>
bool ReadFeatures(std::string_view data, std::vector<uint64_t>& grams, std::vector<uint16_t>& counts, Place place) {
  grams.clear();
  counts.clear();
  if (data.empty() || data[0] != kFeaturesVersion) return false;
  size_t at = 1;
  uint64_t n = 0, delta = 0, count = 0, g = 0, size = 0;
  // Every number takes at least a byte, which bounds what a damaged length can ask for.
  if (!GetVarint(data, at, n) || n > (data.size() - at) / 2) return false;
  grams.reserve(n);
  counts.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    if (!GetVarint(data, at, delta) || delta == 0 || delta >= kCodePoints << 21 || !GetVarint(data, at, count) ||
        count == 0 || count > 65535) {
      return false;
    }
    g += delta;  // cannot wrap: g and delta are each below 2^42
    if ((g >> 21) >= kCodePoints || (g & kCharMask) >= kCodePoints) return false;
    grams.push_back(g);
    counts.push_back(static_cast<uint16_t>(count));
  }
  if (!GetVarint(data, at, n) || n > data.size() - at) return false;
  for (uint64_t i = 0; i < n; ++i) {
    if (!GetVarint(data, at, size) || size > data.size() - at) return false;
    const std::string_view key = data.substr(at, size);
    if (!IsValidUtf8(key)) return false;
    place(key);
    at += size;
  }
  return at == data.size();
}

}  // namespace

// Version byte; bigram count, then each bigram as its difference from the one before with
// its count; place count, then each place as its length and bytes. Numbers are LEB128.
std::string EncodeFeatures(const TextFeatures& f) {
  std::string out(1, kFeaturesVersion);
  PutVarint(out, f.grams.size());
  for (size_t i = 0; i < f.grams.size(); ++i) {
    PutVarint(out, f.grams[i] - (i ? f.grams[i - 1] : 0));
    PutVarint(out, f.counts[i]);
  }
  PutVarint(out, f.places.size());
  for (const auto& p : f.places) PutVarint(out, p.size()), out += p;
  return out;
}

std::optional<TextFeatures> DecodeFeatures(std::string_view data) {
  TextFeatures f;
  if (!ReadFeatures(data, f.grams, f.counts, [&](std::string_view key) { f.places.emplace_back(key); })) return std::nullopt;
  return f;
}

double NearDuplicateScore(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b, const DuplicateOptions& opts) {
  const size_t both = Intersection(a, b), uni = a.size() + b.size() - both;
  const double jac = uni ? static_cast<double>(both) / uni : 0;
  const double contain = static_cast<double>(both) / std::max<size_t>(1, std::min(a.size(), b.size()));
  if (jac >= opts.threshold || (contain >= opts.containment && jac >= opts.threshold_with_containment)) return jac;
  return -1;
}

std::vector<int64_t> LshBands(const std::vector<uint64_t>& shingles) {
  if (shingles.empty()) return {};
  // One 64-bit mix per (hash function, shingle); seeds fixed so values are stable across
  // processes and releases (they are stored).
  const auto mix = Mix64;
  std::vector<int64_t> out;
  for (int b = 0; b < kLshBands; ++b) {
    uint64_t band = mix(0x9e3779b97f4a7c15ULL * (b + 1));
    for (int r = 0; r < kLshRows; ++r) {
      const uint64_t seed = mix(0x2545f4914f6cdd1dULL * (b * kLshRows + r + 1));
      uint64_t lo = UINT64_MAX;
      for (uint64_t sh : shingles) lo = std::min(lo, mix(sh ^ seed));
      band = mix(band ^ lo);
    }
    out.push_back(static_cast<int64_t>(band >> 1));  // non-negative: fits SQLite's INTEGER
  }
  return out;
}

std::optional<TimeMs> ParseLooseTime(const std::string& raw) {
  const std::string s = Trim(raw);
  if (s.empty()) return std::nullopt;
  if (auto t = ParseIso(s)) return t;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  char sep1 = 0, sep2 = 0;
  const int n = std::sscanf(s.c_str(), "%d%c%d%c%d %d:%d:%d", &y, &sep1, &mo, &sep2, &d, &h, &mi, &se);
  if (n < 5 || (sep1 != '/' && sep1 != '-' && sep1 != '.') || sep2 != sep1) return std::nullopt;
  if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 ||
      se > 60) {
    return std::nullopt;
  }
  const int64_t days = DaysFromCivil(y, mo, d);
  int cy = 0;
  unsigned cm = 0, cd = 0;
  CivilFromDays(days, &cy, &cm, &cd);
  if (cm != static_cast<unsigned>(mo)) return std::nullopt;  // 2020/02/31 does not exist; not 03/02
  return days * kDayMs + h * kHourMs + mi * kMinuteMs + se * 1000LL - kCityOffsetMs;
}

std::vector<DuplicateGroup> FindDuplicates(const std::vector<Message>& msgs, const DuplicateOptions& opts) {
  const size_t n = msgs.size();
  std::vector<std::vector<uint64_t>> grams(n);
  std::vector<std::u32string> place(n);
  std::vector<std::vector<std::string>> named(n);  // the places each text names
  for (size_t i = 0; i < n; ++i) {
    const std::u32string chars = WordChars(msgs[i].text);
    grams[i] = BigramSet(chars);
    named[i] = NamedPlaces(chars);
    if (!msgs[i].address.empty()) place[i] = WordChars(msgs[i].address);
  }
  // Both carry the field and they differ: another place or another problem.
  const auto differ = [](const auto& a, const auto& b) { return !a.empty() && !b.empty() && a != b; };
  // Candidates share a bigram that is not everywhere; exact similarity is then computed.
  std::unordered_map<uint64_t, std::vector<uint32_t>> postings;
  for (size_t i = 0; i < n; ++i) {
    for (uint64_t g : grams[i]) postings[g].push_back(static_cast<uint32_t>(i));
  }
  const size_t common = std::max<size_t>(64, n / 20);
  const double floor = std::min(opts.threshold, opts.threshold_with_containment);
  std::vector<std::vector<std::pair<uint32_t, double>>> near(n);
  std::vector<uint32_t> shared(n, 0);
  std::vector<uint32_t> touched;
  std::vector<std::pair<size_t, uint64_t>> by_df;
  for (size_t i = 0; i < n; ++i) {
    size_t rare = 0;
    for (uint64_t g : grams[i]) {
      const auto& p = postings[g];
      if (p.size() > common) continue;
      ++rare;
      for (uint32_t j : p) {
        if (j > i && shared[j]++ == 0) touched.push_back(j);
      }
    }
    // A text repeated so often that few of its bigrams are rare (a copied complaint, a
    // campaign) still meets its copies: through its rarest common bigrams, each read for at
    // most kCommonScan later messages (postings are in message order).
    constexpr size_t kMinRare = 4, kCommonScan = 256;
    if (rare < kMinRare) {
      by_df.clear();
      for (uint64_t g : grams[i]) {
        if (const size_t df = postings[g].size(); df > common) by_df.emplace_back(df, g);
      }
      const size_t take = std::min(by_df.size(), kMinRare - rare);
      std::partial_sort(by_df.begin(), by_df.begin() + static_cast<ptrdiff_t>(take), by_df.end());
      for (size_t k = 0; k < take; ++k, ++rare) {
        const auto& p = postings[by_df[k].second];
        auto it = std::upper_bound(p.begin(), p.end(), static_cast<uint32_t>(i));
        for (size_t seen = 0; it != p.end() && seen < kCommonScan; ++it, ++seen) {
          if (shared[*it]++ == 0) touched.push_back(*it);
        }
      }
    }
    for (uint32_t j : touched) {
      const bool apart = (opts.window_ms > 0 && msgs[i].time && msgs[j].time &&
                          std::llabs(*msgs[i].time - *msgs[j].time) > opts.window_ms) ||
                         differ(msgs[i].category, msgs[j].category) || differ(place[i], place[j]) ||
                         PlacesApart(named[i], named[j]);
      // Enough rare bigrams in common to possibly reach the floor.
      if (!apart && shared[j] * 1.0 >= floor * 0.5 * std::min<size_t>(rare, grams[j].size())) {
        const double jac = NearDuplicateScore(grams[i], grams[j], opts);
        if (jac >= 0) {
          near[i].push_back({j, jac});
          near[j].push_back({static_cast<uint32_t>(i), jac});
        }
      }
      shared[j] = 0;
    }
    touched.clear();
  }
  // Leaders in input order; each takes its ungrouped near-duplicates.
  std::vector<bool> grouped(n, false);
  std::vector<DuplicateGroup> out;
  for (size_t i = 0; i < n; ++i) {
    if (grouped[i] || near[i].empty()) continue;
    DuplicateGroup g;
    g.members.push_back(i);
    g.score = 1.0;
    std::sort(near[i].begin(), near[i].end());
    // The group's category and address: the first member's that has one. Every member
    // agrees with them, not only with the leader (two near the same uncategorised leader
    // may still disagree with each other).
    std::string category = msgs[i].category;
    std::u32string address = place[i];
    for (const auto& [j, s] : near[i]) {
      if (grouped[j] || differ(category, msgs[j].category) || differ(address, place[j])) continue;
      if (category.empty()) category = msgs[j].category;
      if (address.empty()) address = place[j];
      g.members.push_back(j);
      g.score = std::min(g.score, s);
    }
    if (g.members.size() < 2) continue;
    for (size_t m : g.members) grouped[m] = true;
    out.push_back(std::move(g));
  }
  return out;
}

namespace {

// Runs fn(begin, end) over [0, n) in `threads` contiguous slices, one thread each.
template <class Fn>
void ParallelSlices(size_t n, size_t threads, Fn fn) {
  threads = std::max<size_t>(1, std::min(threads, n / 1024 + 1));
  if (threads == 1) {
    fn(size_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  for (size_t t = 0; t < threads; ++t) pool.emplace_back(fn, n * t / threads, n * (t + 1) / threads);
  for (auto& th : pool) th.join();
}

// Runs fn(thread, begin, end) over [0, n) in blocks of `block`, taken in turn by `threads`
// threads (numbered from 0, for state of their own): for work of uneven size.
template <class Fn>
void ParallelBlocks(size_t n, size_t threads, size_t block, Fn fn) {
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (size_t t = 0; t < std::max<size_t>(1, threads); ++t) {
    pool.emplace_back([&, t] {
      for (size_t b; (b = next.fetch_add(block)) < n;) fn(t, b, std::min(n, b + block));
    });
  }
  for (auto& th : pool) th.join();
}

// Open addressing from a non-zero 64-bit key to a dense id (the order of first sight), with
// how many times each key was added (kept in its slot, so counting costs no other read).
class KeyIds {
 public:
  uint32_t Add(uint64_t key, uint32_t times = 1) {
    if ((keys_.size() + 1) * 2 > slots_.size()) Grow();
    size_t h = Mix64(key) & (slots_.size() - 1);
    while (slots_[h].key != 0 && slots_[h].key != key) h = (h + 1) & (slots_.size() - 1);
    if (slots_[h].key == 0) {
      slots_[h] = {key, static_cast<uint32_t>(keys_.size()), 0};
      keys_.push_back(key);
    }
    slots_[h].count += times;
    return slots_[h].id;
  }
  const std::vector<uint64_t>& keys() const { return keys_; }
  std::vector<uint32_t> Counts() const {  // by id
    std::vector<uint32_t> out(keys_.size());
    for (const auto& s : slots_) {
      if (s.key) out[s.id] = s.count;
    }
    return out;
  }

 private:
  struct Slot {
    uint64_t key;
    uint32_t id, count;
  };
  void Grow() {
    std::vector<Slot> old(std::max<size_t>(1024, slots_.size() * 2));
    old.swap(slots_);
    for (const auto& s : old) {
      if (s.key == 0) continue;
      size_t h = Mix64(s.key) & (slots_.size() - 1);
      while (slots_[h].key != 0) h = (h + 1) & (slots_.size() - 1);
      slots_[h] = s;
    }
  }
  std::vector<Slot> slots_;
  std::vector<uint64_t> keys_;
};

// Appends the seconds since the previous lap (or construction) under a stage's name.
class Laps {
 public:
  explicit Laps(StageTimes* out) : out_(out), last_(std::chrono::steady_clock::now()) {}
  void operator()(const char* stage) {
    if (!out_) return;
    const auto now = std::chrono::steady_clock::now();
    out_->push_back({stage, std::chrono::duration<double>(now - last_).count()});
    last_ = now;
  }

 private:
  StageTimes* out_;
  std::chrono::steady_clock::time_point last_;
};

using TermVec = std::vector<std::pair<uint32_t, float>>;  // L2-normalised, in the order of the bigrams

// Character-bigram TF-IDF of messages (title counted twice), over bigrams neither unique
// nor common (in more than 5 % of messages and more than 20 of them: a small set keeps
// everything), with terms numbered from the most frequent; and each message's place keys.
struct Corpus {
  std::vector<TermVec> vec;
  size_t terms = 0;
  std::vector<std::vector<uint32_t>> keys;  // place key ids, ascending
  // The keys' names: views into the messages' stored features, or into `worked`, the
  // features worked out from the text where none were stored (a name is not copied: a
  // month names millions of places).
  std::vector<std::string_view> key_names;
  std::vector<uint32_t> key_size;  // how many messages name each key
  std::vector<std::string> worked;
};

// every_term: keep the bigrams one message holds and the very common ones in the vectors
// (a true cosine, for scoring pairs); without it they are left out (clustering: a bigram of
// one message links nothing, and leaving it out keeps the vectors short).
Corpus Vectorise(const std::vector<Message>& msgs, size_t threads, StageTimes* stages = nullptr, bool every_term = false) {
  Laps lap(stages);
  const size_t n = msgs.size();
  Corpus c;
  c.vec.resize(n);
  c.keys.resize(n);
  // Each message's distinct bigrams (ascending) with counts, and its place keys (views into
  // its features): as stored where they read, else worked out from the text (and kept).
  std::vector<std::vector<uint16_t>> counts(n);
  auto& worked = c.worked;
  worked.resize(n);
  std::vector<std::vector<std::string_view>> key_text(n);
  std::vector<std::vector<uint64_t>> key_hash(n);
  // For clustering, a message's words leave out the names of the places it names (its places
  // stay its keys): two short reports at one estate, one about a gym that closed and one
  // about a gas smell, share the name's bigrams and little else, and the name alone would
  // make them one matter. Whether two messages are about one place is the keys' question;
  // whether about one problem, the rest of their words'.
  constexpr size_t kShortMessage = 80;  // distinct bigrams
  const auto without_names = [&](size_t i, std::vector<uint64_t>& grams, std::vector<uint16_t>& counts) {
    if (every_term || grams.size() >= kShortMessage) return;
    std::vector<uint64_t> named;
    for (std::string_view key : key_text[i]) {
      if (!ReadsAsPlaceName(key)) continue;
      char32_t before = 0;
      for (size_t at = 0; at < key.size();) {
        const char32_t cp = NextCodePoint(key, at);
        if (before) named.push_back(Bigram(before, cp));
        before = cp;
      }
    }
    if (named.empty()) return;
    std::sort(named.begin(), named.end());
    size_t kept = 0;
    for (size_t k = 0; k < grams.size(); ++k) {
      if (std::binary_search(named.begin(), named.end(), grams[k])) continue;
      grams[kept] = grams[k];
      counts[kept] = counts[k];
      ++kept;
    }
    grams.resize(kept);
    counts.resize(kept);
  };
  const auto read = [&](size_t i, std::vector<uint64_t>& grams, std::vector<uint16_t>& counts) {
    const auto place = [&](std::string_view key) {
      key_text[i].push_back(key);
      key_hash[i].push_back(std::hash<std::string_view>{}(key) | 1);
    };
    key_text[i].clear();
    key_hash[i].clear();
    if (worked[i].empty() && ReadFeatures(msgs[i].features, grams, counts, place)) return without_names(i, grams, counts);
    key_text[i].clear();
    key_hash[i].clear();
    if (worked[i].empty()) worked[i] = EncodeFeatures(HotspotFeatures(msgs[i].title, msgs[i].text));
    ReadFeatures(worked[i], grams, counts, place);
    without_names(i, grams, counts);
  };
  // The bigrams are numbered as they are read, with their document frequency. Characters
  // are ranked by how often they occur in the bigrams of every 16th message (the ranking
  // only places counters, it decides nothing). A bigram of two of the kGridChars most
  // frequent is numbered by its cell in the table of their pairs, laid out in square shells
  // (the cells of ranks below m come before those with a rank m), so the counters of the
  // frequent bigrams sit together at the table's start and stay in the cache; other bigrams
  // go through a hash table. Each thread counts its own slice of the messages in tables of
  // its own, merged afterwards (work per distinct bigram, not per occurrence). The
  // numbering's order does not matter: kept bigrams are renumbered below.
  constexpr size_t kGridChars = 4096, kSampleStep = 16;
  constexpr size_t kAhead = 16;  // how far ahead table reads are asked for
  const size_t parts = std::max<size_t>(1, std::min(threads, n / 1024 + 1));
  std::vector<size_t> part_begin(parts + 1);
  for (size_t t = 0; t <= parts; ++t) part_begin[t] = n * t / parts;
  const auto each_part = [&](auto fn) {  // fn(part), each part on a thread of its own
    ParallelBlocks(parts, parts, 1, [&](size_t, size_t part, size_t) { fn(part); });
  };
  const size_t sampled = (n + kSampleStep - 1) / kSampleStep;
  std::vector<std::vector<uint32_t>> char_count(parts);
  each_part([&](size_t t) {
    auto& cc = char_count[t];
    cc.assign(kCodePoints, 0);
    std::vector<uint64_t> grams;
    std::vector<uint16_t> unused;
    for (size_t s = sampled * t / parts; s < sampled * (t + 1) / parts; ++s) {
      read(s * kSampleStep, grams, unused);
      for (uint64_t g : grams) ++cc[g >> 21], ++cc[g & kCharMask];
    }
  });
  std::vector<std::pair<uint32_t, uint32_t>> by_count;  // (count, code point)
  for (uint32_t cp = 0; cp < kCodePoints; ++cp) {
    uint32_t count = 0;
    for (const auto& cc : char_count) count += cc[cp];
    if (count) by_count.push_back({count, cp});
  }
  char_count.clear();
  std::sort(by_count.begin(), by_count.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  const uint32_t side = static_cast<uint32_t>(std::min(by_count.size(), kGridChars));
  const uint32_t cells = side * side;  // numbers below this are cells; the hash table's follow
  std::vector<uint32_t> rank(kCodePoints, side), char_of(side);
  for (uint32_t r = 0; r < side; ++r) rank[by_count[r].second] = r, char_of[r] = by_count[r].second;
  std::vector<std::vector<uint32_t>> cell_df(parts);
  std::vector<KeyIds> rest(parts);
  std::vector<std::vector<uint32_t>> gid(n);  // each message's bigrams, numbered
  each_part([&](size_t t) {
    auto& df = cell_df[t];
    df.assign(cells, 0);
    std::vector<uint64_t> grams;
    for (size_t i = part_begin[t]; i < part_begin[t + 1]; ++i) {
      read(i, grams, counts[i]);
      c.keys[i].resize(key_hash[i].size());  // numbered below
      auto& ids = gid[i];
      ids.resize(grams.size());
      // Cells first (the rank table stays in the cache), then their counters, each asked
      // for well before it is counted: most are not in the cache.
      for (size_t k = 0; k < grams.size(); ++k) {
        const uint64_t g = grams[k];
        const uint32_t first = rank[g >> 21], second = rank[g & kCharMask];
        if (first < side && second < side) {
          const uint32_t shell = std::max(first, second);
          ids[k] = shell * shell + (first == shell ? second : shell + 1 + first);
        } else {
          ids[k] = cells + rest[t].Add(g);
        }
      }
      for (size_t k = 0; k < ids.size(); ++k) {
        if (k + kAhead < ids.size() && ids[k + kAhead] < cells) __builtin_prefetch(&df[ids[k + kAhead]], 1);
        if (ids[k] < cells) ++df[ids[k]];
      }
    }
  });
  std::vector<uint32_t> df = std::move(cell_df[0]);
  for (size_t t = 1; t < parts; ++t) {
    for (uint32_t cell = 0; cell < cells; ++cell) df[cell] += cell_df[t][cell];
    std::vector<uint32_t>().swap(cell_df[t]);
  }
  // The other parts' hash tables merged into the first part's, and their numbers translated.
  KeyIds ids = std::move(rest[0]);
  std::vector<std::vector<uint32_t>> to_global(parts);
  for (size_t t = 1; t < parts; ++t) {
    const auto& keys = rest[t].keys();
    const auto counts = rest[t].Counts();
    for (size_t j = 0; j < keys.size(); ++j) to_global[t].push_back(cells + ids.Add(keys[j], counts[j]));
    rest[t] = KeyIds();
  }
  const auto rest_df = ids.Counts();
  df.insert(df.end(), rest_df.begin(), rest_df.end());
  each_part([&](size_t t) {
    if (t == 0) return;  // the first part's numbers stand
    for (size_t i = part_begin[t]; i < part_begin[t + 1]; ++i) {
      for (uint32_t& id : gid[i]) {
        if (id >= cells) id = to_global[t][id - cells];
      }
    }
  });
  lap("reading and numbering the bigrams");
  auto bigram_of = [&](uint32_t number) {
    if (number >= cells) return ids.keys()[number - cells];
    uint32_t shell = static_cast<uint32_t>(std::sqrt(static_cast<double>(number)));
    while (shell * shell > number) --shell;
    while ((shell + 1) * (shell + 1) <= number) ++shell;
    const uint32_t at = number - shell * shell;
    const uint32_t first = at <= shell ? shell : at - shell - 1, second = at <= shell ? at : shell;
    return uint64_t{char_of[first]} << 21 | char_of[second];
  };
  // Kept bigrams renumbered from the most frequent (ties in bigram order): comparisons spread
  // vectors over tables indexed by term, and most reads then fall in their start, which
  // stays in the cache.
  const double common = std::max(20.0, 0.05 * n);
  std::vector<uint32_t> kept;
  for (uint32_t id = 0; id < df.size(); ++id) {
    if (every_term ? df[id] >= 1 : df[id] >= 2 && df[id] <= common) kept.push_back(id);
  }
  std::sort(kept.begin(), kept.end(), [&](uint32_t a, uint32_t b) {
    return df[a] != df[b] ? df[a] > df[b] : bigram_of(a) < bigram_of(b);
  });
  constexpr uint32_t kDropped = UINT32_MAX;
  std::vector<uint32_t> term(df.size(), kDropped);  // number → term
  // Sublinear tf and smoothed idf, worked out once per count and per kept bigram rather than
  // per occurrence.
  std::vector<double> idf(std::max<size_t>(1, kept.size()));  // (never empty: see the weights)
  for (uint32_t t = 0; t < kept.size(); ++t) {
    term[kept[t]] = t;
    idf[t] = std::log((1.0 + n) / (1.0 + df[kept[t]])) + 1;
  }
  c.terms = kept.size();
  std::vector<double> tf(256);
  for (size_t k = 1; k < tf.size(); ++k) tf[k] = 1 + std::log(static_cast<double>(k));
  ParallelSlices(n, threads, [&](size_t begin, size_t end) {
    TermVec v;  // built here, then copied to a vector of its exact size
    for (size_t i = begin; i < end; ++i) {
      double norm2 = 0;
      v.resize(std::max(v.size(), gid[i].size()));
      size_t kept_here = 0;
      // Without a branch on whether a bigram is kept (it would wait on the table read it
      // depends on, and a wrong guess throws away the reads under way): a dropped one is
      // written and then overwritten, with a weight of 0.
      for (size_t k = 0; k < gid[i].size(); ++k) {
        if (k + kAhead < gid[i].size()) __builtin_prefetch(&term[gid[i][k + kAhead]]);
        const uint32_t t = term[gid[i][k]];
        const bool keep = t != kDropped;
        const uint16_t count = counts[i][k];
        const double sub = count < tf.size() ? tf[count] : 1 + std::log(count);
        const float w = static_cast<float>(sub * idf[keep ? t : 0]) * keep;
        v[kept_here] = {t, w};
        kept_here += keep;
        norm2 += static_cast<double>(w) * w;
      }
      const double inv = norm2 > 0 ? 1 / std::sqrt(norm2) : 0;
      c.vec[i].resize(kept_here);
      for (size_t k = 0; k < kept_here; ++k) c.vec[i][k] = {v[k].first, static_cast<float>(v[k].second * inv)};
      std::vector<uint16_t>().swap(counts[i]);
      std::vector<uint32_t>().swap(gid[i]);
    }
  });
  lap("weights");
  // Place keys numbered by a 64-bit hash of the key (worked out with the keys). A key's
  // hash sends it to one part, and each part numbers its own keys in order of first sight
  // on a thread of its own; a part's numbers follow those of the parts before it. (A month
  // names a place 20 times a message, millions of places in all.)
  const auto part_of = [&](uint64_t hash) { return (hash >> 32) % parts; };
  std::vector<std::vector<std::string_view>> part_names(parts);
  std::vector<std::vector<uint32_t>> part_sizes(parts);
  each_part([&](size_t t) {
    KeyIds ids;
    for (size_t i = 0; i < n; ++i) {
      for (size_t k = 0; k < key_hash[i].size(); ++k) {
        if (part_of(key_hash[i][k]) != t) continue;
        const uint32_t id = ids.Add(key_hash[i][k]);
        if (id == part_names[t].size()) part_names[t].push_back(key_text[i][k]);
        c.keys[i][k] = id;
      }
    }
    part_sizes[t] = ids.Counts();  // a message names a key once
  });
  std::vector<uint32_t> part_first(parts, 0);
  for (size_t t = 0; t < parts; ++t) {
    part_first[t] = static_cast<uint32_t>(c.key_names.size());
    c.key_names.insert(c.key_names.end(), part_names[t].begin(), part_names[t].end());
    c.key_size.insert(c.key_size.end(), part_sizes[t].begin(), part_sizes[t].end());
  }
  ParallelSlices(n, threads, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      for (size_t k = 0; k < key_hash[i].size(); ++k) c.keys[i][k] += part_first[part_of(key_hash[i][k])];
      std::sort(c.keys[i].begin(), c.keys[i].end());
    }
  });
  lap("numbering the place keys");
  return c;
}

// The dot product of a sparse vector with one spread out over a dense array.
template <class T>
double SpreadDot(const std::vector<T>& dense, const TermVec& v) {
  double s = 0;
  for (const auto& [t, w] : v) s += dense[t] * w;
  return s;
}

// Four vectors in the lanes of the rows of a table, a term's row found through `slot`, and
// the dot product of a sparse vector with each of them in one pass over it.
constexpr size_t kLanes = 4;
typedef float Lanes __attribute__((vector_size(kLanes * sizeof(float))));

// (The sums come back through `out`: a vector this wide is not returned in registers
// without AVX.)
void SlotDot(const std::vector<uint32_t>& slot, const std::vector<Lanes>& row, const TermVec& v, Lanes& out) {
  Lanes s0{}, s1{};  // two sums, so each addition need not wait for the one before
  const auto* p = v.data();
  const size_t n = v.size();
  size_t i = 0;
  for (; i + 2 <= n; i += 2) {
    s0 += row[slot[p[i].first]] * p[i].second;
    s1 += row[slot[p[i + 1].first]] * p[i + 1].second;
  }
  if (i < n) s0 += row[slot[p[i].first]] * p[i].second;
  out = s0 + s1;
}

// The L2-normalised sum of some messages' vectors.
TermVec Centroid(const std::vector<TermVec>& vec, const std::vector<size_t>& members, std::vector<double>& dense) {
  std::vector<uint32_t> touched;
  for (size_t m : members) {
    for (const auto& [t, w] : vec[m]) {
      if (dense[t] == 0) touched.push_back(t);
      dense[t] += w;
    }
  }
  std::sort(touched.begin(), touched.end());
  double norm2 = 0;
  for (uint32_t t : touched) norm2 += dense[t] * dense[t];
  const double inv = norm2 > 0 ? 1 / std::sqrt(norm2) : 0;
  TermVec out;
  out.reserve(touched.size());
  for (uint32_t t : touched) {
    out.push_back({t, static_cast<float>(dense[t] * inv)});
    dense[t] = 0;
  }
  return out;
}

}  // namespace

std::vector<PetitionMatch> CrossCheckPetitions(const std::vector<Message>& tickets, const std::vector<Message>& petitions,
                                               double threshold) {
  // One corpus, so both sides share idf; tickets first, petitions after. Every bigram counts
  // in the norms: a score is the true cosine (leaving out the bigrams one text holds made
  // two texts that share a place and little else score near 1).
  std::vector<Message> all = tickets;
  all.insert(all.end(), petitions.begin(), petitions.end());
  const Corpus c = Vectorise(all, 1, nullptr, true);
  std::vector<std::vector<std::pair<uint32_t, float>>> postings(c.terms);  // term → (petition, weight)
  for (size_t p = 0; p < petitions.size(); ++p) {
    for (const auto& [t, w] : c.vec[tickets.size() + p]) postings[t].push_back({static_cast<uint32_t>(p), w});
  }
  std::vector<PetitionMatch> out;
  std::vector<float> acc(petitions.size(), 0.0f);
  std::vector<uint32_t> touched;
  for (size_t t = 0; t < tickets.size(); ++t) {
    for (const auto& [term, w] : c.vec[t]) {
      for (const auto& [p, pw] : postings[term]) {
        if (acc[p] == 0) touched.push_back(p);
        acc[p] += w * pw;
      }
    }
    for (uint32_t p : touched) {
      // Float sums of unit vectors fall a hair short of 1 for identical texts: a threshold
      // of 1 ("identical only") must still match them.
      constexpr float kRounding = 1e-5f;
      if (acc[p] >= threshold - kRounding) {
        PetitionMatch m{t, p, std::min(acc[p], 1.0f), {}};
        const auto& tk = c.keys[t];
        const auto& pk = c.keys[tickets.size() + p];
        std::vector<uint32_t> both;
        std::set_intersection(tk.begin(), tk.end(), pk.begin(), pk.end(), std::back_inserter(both));
        for (uint32_t k : both) m.shared_places.emplace_back(c.key_names[k]);
        std::sort(m.shared_places.begin(), m.shared_places.end());
        out.push_back(std::move(m));
      }
      acc[p] = 0;
    }
    touched.clear();
  }
  std::sort(out.begin(), out.end(), [](const PetitionMatch& a, const PetitionMatch& b) { return a.score > b.score; });
  return out;
}

std::vector<Hotspot> FindHotspots(const std::vector<Message>& msgs, const HotspotOptions& opts) {
  const size_t n = msgs.size();
  const size_t threads = opts.threads ? opts.threads : std::max(1u, std::thread::hardware_concurrency());
  const Corpus corpus = Vectorise(msgs, threads, opts.stages);
  Laps lap(opts.stages);
  const auto& vec = corpus.vec;
  const auto& keys = corpus.keys;
  // Messages naming the same (specific) place are compared; close enough means one matter.
  // A place key compares its messages when two or more name it, and not too many to be
  // specific. Those places are numbered densely (most keys name one message only), with
  // each message's places (ascending) and the messages naming each place (ascending, in one
  // array: place p's are place_msgs[place_start[p], place_start[p + 1])).
  // A key in more messages than the cap is busy: a fragment (我们小区, 这条路) is then too
  // generic to compare by, and is left out; one that reads as a whole name (a big estate,
  // the biggest matter of the period) is kept, but two of its messages are one matter only when
  // their words say so (`busy_link`), not the place alone.
  // Which keys read as a name, once: the busy rule, the links and the place shown all ask.
  std::vector<bool> is_name(corpus.key_names.size());
  for (size_t k = 0; k < is_name.size(); ++k) is_name[k] = ReadsAsPlaceName(corpus.key_names[k]);
  const size_t place_cap = std::min(opts.max_place_messages, std::max<size_t>(20, static_cast<size_t>(opts.max_place_share * n)));
  std::vector<uint32_t> place_of(corpus.key_names.size(), UINT32_MAX);
  std::vector<uint32_t> place_start(1, 0);
  // A busy key kept is also a whole name where it is named, at least half the time: 路道路
  // in every 某路道路破损 is the tail of a longer key of the same message (东风路道路), as
  // 公交站 is of 东风路公交站; 翠湖花园小区 is not.
  std::vector<uint32_t> whole(corpus.key_names.size(), 0);
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t k : keys[i]) {
      if (corpus.key_size[k] <= place_cap) continue;
      const std::string_view name = corpus.key_names[k];
      whole[k] += std::none_of(keys[i].begin(), keys[i].end(), [&](uint32_t o) {
        return corpus.key_names[o].size() > name.size() && corpus.key_names[o].ends_with(name);
      });
    }
  }
  std::vector<bool> busy;  // by place number
  for (size_t k = 0; k < corpus.key_names.size(); ++k) {
    const uint32_t size = corpus.key_size[k];
    const bool is_busy = size > place_cap;
    if (size >= 2 && (!is_busy || (is_name[k] && whole[k] * 2 >= size))) {
      place_of[k] = static_cast<uint32_t>(place_start.size() - 1);
      place_start.push_back(place_start.back() + size);
      busy.push_back(is_busy);
    }
  }
  std::vector<std::vector<uint32_t>> places(n);
  ParallelSlices(n, threads, [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      for (uint32_t k : keys[i]) {
        if (place_of[k] != UINT32_MAX) places[i].push_back(place_of[k]);
      }
    }
  });
  std::vector<uint32_t>().swap(place_of);
  std::vector<uint32_t> place_msgs(place_start.back());
  {
    std::vector<uint32_t> fill(place_start.begin(), place_start.end() - 1);
    for (size_t i = 0; i < n; ++i) {
      for (uint32_t p : places[i]) place_msgs[fill[p]++] = static_cast<uint32_t>(i);
    }
  }
  const auto by_place = [&](uint32_t p) {
    return std::span<const uint32_t>(place_msgs.data() + place_start[p],
                                     place_msgs.data() + place_start[p + 1]);
  };
  // Each message meets the `window` messages after it that name one of its places
  // (messages come in time order): a matter's reports are close in time, and the work
  // stays linear. Each pair is scored once, from its earlier message.
  struct Edge {
    uint32_t a, b;
    float s;
  };
  std::vector<std::vector<Edge>> found(threads);
  // Each message's keys that read as names: two messages that both name places, none the
  // same, are two matters however alike their words (one complaint at five estates), as
  // duplicates read them (PlacesApart).
  std::vector<std::vector<uint32_t>> names(n);
  for (size_t i = 0; i < n; ++i) {
    for (uint32_t k : keys[i]) {
      if (is_name[k]) names[i].push_back(k);
    }
    std::sort(names[i].begin(), names[i].end());
  }
  const auto apart = [&](uint32_t a, uint32_t b) { return Apart(names[a], names[b]); };
  // Anchors (messages with a place to compare by) in order of their busiest place, then of
  // time: the next anchor of a place meets almost the same candidates, still in the cache
  // (which anchor meets which candidates does not change). Threads take blocks of them in
  // turn. Measured on a synthetic month of 1,000,000: comparisons 101 → 69 s, the same links.
  std::vector<uint32_t> anchors;
  {
    std::vector<std::pair<uint32_t, uint32_t>> primary;  // (busiest place, message)
    for (size_t i = 0; i < n; ++i) {
      size_t best = 0;
      uint32_t place = 0;
      for (uint32_t p : places[i]) {
        if (by_place(p).size() > best) best = by_place(p).size(), place = p;
      }
      if (best) primary.push_back({place, static_cast<uint32_t>(i)});
    }
    std::sort(primary.begin(), primary.end());
    anchors.reserve(primary.size());
    for (const auto& p : primary) anchors.push_back(p.second);
  }
  // Anchors are taken four at a time, each in one lane of a small table of their terms, so a
  // candidate's vector, read once, is scored against all four (consecutive anchors of a
  // place share most of their candidates: a 1,000,000-ticket month reads 28.5 million
  // vectors instead of 70.8 million). Each pair is still scored only when the candidate is
  // among its anchor's own.
  struct Scratch {
    std::vector<uint32_t> seen, cands, busy_cands, group_cands;
    std::vector<uint8_t> lanes;  // which of the group's anchors a candidate is for
    std::vector<uint8_t> strict;  // ... and for which of them it was met through busy places only
    // The group's vectors: row[slot[term]] holds the term's weight in each anchor's lane;
    // slot 0 (a row of zeros) for terms none of them has. A slot per term is 4 bytes where
    // the lanes are 16, so the table read for every term of a candidate is a quarter of the
    // size, and the rows are only the group's own terms.
    std::vector<uint32_t> slot;
    std::vector<Lanes> row;
  };
  std::vector<Scratch> scratch(threads);
  ParallelBlocks(anchors.size(), threads, 1024, [&](size_t t, size_t x0, size_t x1) {
    auto& [seen, cands, busy_cands, group_cands, lanes, strict, slot, row] = scratch[t];
    if (seen.empty()) {  // the thread's first block
      seen.assign(n, UINT32_MAX);
      lanes.assign(n, 0);
      strict.assign(n, 0);
      slot.assign(corpus.terms, 0);
      row.assign(1, Lanes{});
    }
    for (size_t g = x0; g < x1; g += kLanes) {
      const size_t group = std::min(g + kLanes, x1) - g;
      group_cands.clear();
      for (size_t lane = 0; lane < group; ++lane) {
        const uint32_t a = anchors[g + lane];
        cands.clear();
        busy_cands.clear();
        // The later messages naming its places: through specific places first, then busy ones.
        for (const bool through_busy : {false, true}) {
          auto& out = through_busy ? busy_cands : cands;
          for (uint32_t p : places[a]) {
            if (busy[p] != through_busy) continue;
            const auto ms = by_place(p);
            auto it = std::upper_bound(ms.begin(), ms.end(), a);
            for (auto end = ms.end() - it > static_cast<ptrdiff_t>(opts.window) ? it + opts.window : ms.end(); it != end; ++it) {
              if (seen[*it] != a) seen[*it] = a, out.push_back(*it);
            }
          }
          // A message naming several places still meets only the `window` nearest; busy
          // places fill what room the specific ones leave.
          const size_t room = through_busy ? opts.window - cands.size() : opts.window;
          if (out.size() > room) {
            std::nth_element(out.begin(), out.begin() + room, out.end());
            out.resize(room);
          }
        }
        for (uint32_t b : cands) {
          if (lanes[b] == 0) group_cands.push_back(b);
          lanes[b] |= static_cast<uint8_t>(1u << lane);
        }
        for (uint32_t b : busy_cands) {
          if (lanes[b] == 0) group_cands.push_back(b);
          lanes[b] |= static_cast<uint8_t>(1u << lane);
          strict[b] |= static_cast<uint8_t>(1u << lane);
        }
        for (const auto& [term, w] : vec[a]) {
          if (slot[term] == 0) slot[term] = static_cast<uint32_t>(row.size()), row.push_back(Lanes{});
          row[slot[term]][lane] = w;
        }
      }
      for (size_t j = 0; j < group_cands.size(); ++j) {
        // The next candidates' vectors, asked for before they are needed.
        if (j + 4 < group_cands.size()) __builtin_prefetch(&vec[group_cands[j + 4]]);
        if (j + 2 < group_cands.size()) __builtin_prefetch(vec[group_cands[j + 2]].data());
        const uint32_t b = group_cands[j];
        Lanes s;
        SlotDot(slot, row, vec[b], s);
        for (size_t lane = 0; lane < group; ++lane) {
          if ((lanes[b] >> lane & 1) && s[lane] >= ((strict[b] >> lane & 1) ? opts.busy_link : opts.link) &&
              !apart(anchors[g + lane], b)) {
            found[t].push_back({anchors[g + lane], b, s[lane]});
          }
        }
        lanes[b] = strict[b] = 0;
      }
      for (size_t lane = 0; lane < group; ++lane) {
        for (const auto& [term, w] : vec[anchors[g + lane]]) slot[term] = 0;
      }
      row.resize(1);
    }
  });
  scratch.clear();
  lap("comparisons");
  // Neighbours of each message, in one array.
  std::vector<size_t> nb_start(n + 1, 0);
  for (const auto& f : found) {
    for (const auto& e : f) ++nb_start[e.a + 1], ++nb_start[e.b + 1];
  }
  for (size_t i = 0; i < n; ++i) nb_start[i + 1] += nb_start[i];
  std::vector<uint32_t> nb(nb_start[n]);
  {
    std::vector<size_t> fill(nb_start.begin(), nb_start.end() - 1);
    for (const auto& f : found) {
      for (const auto& e : f) nb[fill[e.a]++] = e.b, nb[fill[e.b]++] = e.a;
    }
  }
  found.clear();
  auto degree = [&](size_t i) { return nb_start[i + 1] - nb_start[i]; };

  // Leader clustering: the message with most neighbours leads, taking its neighbours.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return degree(a) > degree(b); });
  std::vector<uint32_t> cluster_of(n, UINT32_MAX);
  std::vector<std::vector<size_t>> clusters;
  for (size_t i : order) {
    if (cluster_of[i] != UINT32_MAX) continue;
    std::vector<size_t> members = {i};
    // The places the matter names so far: a leader that names none (滨江一号 is no suffix's)
    // takes a neighbour at one road, and then none at another.
    std::vector<uint32_t> named = names[i];
    for (size_t k = nb_start[i]; k < nb_start[i + 1]; ++k) {
      const uint32_t b = nb[k];
      if (cluster_of[b] != UINT32_MAX || Apart(named, names[b])) continue;
      members.push_back(b);
      if (named.empty() && !names[b].empty()) named = names[b];
    }
    std::sort(members.begin() + 1, members.end());
    for (size_t m : members) cluster_of[m] = static_cast<uint32_t>(clusters.size());
    clusters.push_back(std::move(members));
  }

  lap("leader clustering");
  // Second pass: clusters that share a place and whose centroids are close are one
  // matter told in two ways (the leader pass only takes a leader's direct neighbours).
  std::vector<double> dense(corpus.terms, 0.0);
  {
    // Cluster pairs (low << 32 | high) with an edge between them, ascending: each cluster's
    // higher neighbours, marked so each is taken once (no sort of every edge).
    std::vector<uint64_t> linked;
    std::vector<uint32_t> mark(clusters.size(), UINT32_MAX);
    for (uint32_t a = 0; a < clusters.size(); ++a) {
      const size_t first = linked.size();
      for (size_t i : clusters[a]) {
        for (size_t k = nb_start[i]; k < nb_start[i + 1]; ++k) {
          const uint32_t b = cluster_of[nb[k]];
          if (b > a && mark[b] != a) mark[b] = a, linked.push_back(uint64_t{a} << 32 | b);
        }
      }
      std::sort(linked.begin() + static_cast<ptrdiff_t>(first), linked.end());
    }
    // Centroids of the clusters in a pair; each pair scored against its lower cluster's
    // centroid spread out once. Both on every thread, each with tables of its own (the
    // pairs found are put in one order below, whichever thread found them).
    std::vector<uint32_t> want;  // the clusters in a pair
    {
      std::vector<bool> wanted(clusters.size(), false);
      for (uint64_t ab : linked) wanted[ab >> 32] = wanted[ab & 0xffffffff] = true;
      for (uint32_t c = 0; c < clusters.size(); ++c) {
        if (wanted[c]) want.push_back(c);
      }
    }
    std::vector<std::vector<double>> sums(threads);
    std::vector<TermVec> centroid(clusters.size());
    ParallelBlocks(want.size(), threads, 64, [&](size_t t, size_t begin, size_t end) {
      if (sums[t].empty()) sums[t].assign(corpus.terms, 0.0);
      for (size_t j = begin; j < end; ++j) centroid[want[j]] = Centroid(vec, clusters[want[j]], sums[t]);
    });
    std::vector<size_t> group;  // where each lower cluster's pairs start in `linked`
    for (size_t p = 0; p < linked.size(); ++p) {
      if (p == 0 || linked[p] >> 32 != linked[p - 1] >> 32) group.push_back(p);
    }
    group.push_back(linked.size());
    std::vector<std::vector<float>> spreads(threads);
    std::vector<std::vector<std::tuple<double, size_t, size_t>>> close(threads);
    ParallelBlocks(group.size() - 1, threads, 64, [&](size_t t, size_t begin, size_t end) {
      auto& spread = spreads[t];
      if (spread.empty()) spread.assign(corpus.terms, 0.0f);
      for (size_t g = begin; g < end; ++g) {
        const uint64_t a = linked[group[g]] >> 32;
        for (const auto& [term, w] : centroid[a]) spread[term] = w;
        for (size_t p = group[g]; p < group[g + 1]; ++p) {
          const uint64_t b = linked[p] & 0xffffffffULL;
          const double cs = SpreadDot(spread, centroid[b]);
          if (cs >= opts.merge) close[t].push_back({cs, a, b});
        }
        for (const auto& [term, w] : centroid[a]) spread[term] = 0;
      }
    });
    sums.clear();
    spreads.clear();
    std::vector<std::tuple<double, size_t, size_t>> pairs;
    for (const auto& c : close) pairs.insert(pairs.end(), c.begin(), c.end());
    std::sort(pairs.rbegin(), pairs.rend());
    std::vector<size_t> parent(clusters.size());
    std::iota(parent.begin(), parent.end(), 0);
    auto find = [&](size_t x) {
      while (parent[x] != x) x = parent[x] = parent[parent[x]];
      return x;
    };
    // The places each merged group names: two groups at different places stay two matters
    // however alike their centroids (one template complaint, written the same at every estate).
    std::vector<std::vector<uint32_t>> group_names(clusters.size());
    for (size_t c = 0; c < clusters.size(); ++c) {
      for (size_t m : clusters[c]) group_names[c].insert(group_names[c].end(), names[m].begin(), names[m].end());
      std::sort(group_names[c].begin(), group_names[c].end());
      group_names[c].erase(std::unique(group_names[c].begin(), group_names[c].end()), group_names[c].end());
    }
    for (const auto& [cs, a, b] : pairs) {
      const size_t ra = find(a), rb = find(b);
      if (ra == rb || Apart(group_names[ra], group_names[rb])) continue;
      const size_t into = std::min(ra, rb), from = std::max(ra, rb);
      parent[from] = into;
      std::vector<uint32_t> both;
      std::set_union(group_names[into].begin(), group_names[into].end(), group_names[from].begin(),
                     group_names[from].end(), std::back_inserter(both));
      group_names[into] = std::move(both);
    }
    std::vector<std::vector<size_t>> merged(clusters.size());
    for (size_t c = 0; c < clusters.size(); ++c) {
      auto& into = merged[find(c)];
      if (into.empty()) {
        into = std::move(clusters[c]);
      } else {
        into.insert(into.end(), clusters[c].begin(), clusters[c].end());
      }
    }
    clusters.clear();
    for (auto& m : merged) {
      if (!m.empty()) clusters.push_back(std::move(m));
    }
  }

  lap("merging clusters");
  // Heat of every matter; the rest only for the top ones. Callers, votes and span are
  // counted for all; the coherence (a pass over every member's vector) is at most 1, so
  // the rest of the product bounds the heat, and matters are scored in the order of that
  // bound until it falls below the N-th best heat found: the same top as scoring all.
  std::vector<Hotspot> spots(clusters.size());
  std::vector<double> bound(clusters.size());
  // Growth is read at the end of the period: its last week against the week before, when
  // the messages reach back that far. A shorter period (a weekly report's) has no week
  // before in it, and counting none there would make growth the matter's size plus one.
  TimeMs period_end = 0, period_start = std::numeric_limits<TimeMs>::max();
  for (const auto& m : msgs) {
    if (m.time) period_end = std::max(period_end, *m.time), period_start = std::min(period_start, *m.time);
  }
  const bool two_weeks = period_end > period_start && period_end - period_start >= 13 * kDayMs;
  for (size_t c = 0; c < clusters.size(); ++c) {
    Hotspot& h = spots[c];
    std::unordered_set<std::string_view> callers;
    double last_week = 0, week_before = 0, urgency = 0;
    for (size_t m : clusters[c]) {
      callers.insert(msgs[m].user.empty() ? std::string_view(msgs[m].id) : std::string_view(msgs[m].user));
      h.votes += std::max<int64_t>(0, msgs[m].votes);
      if (msgs[m].time) {
        if (!h.time_from || *msgs[m].time < *h.time_from) h.time_from = msgs[m].time;
        if (!h.time_to || *msgs[m].time > *h.time_to) h.time_to = msgs[m].time;
        const TimeMs age = period_end - *msgs[m].time;
        if (age < 7 * kDayMs) ++last_week;
        else if (age < 14 * kDayMs) ++week_before;
      }
      urgency += msgs[m].urgency == "emergency" ? 1.0 : msgs[m].urgency == "urgent" ? 0.5 : 0.0;
    }
    h.callers = callers.size();
    h.growth = two_weeks ? (last_week + 1) / (week_before + 1) : 1.0;
    h.urgency = urgency / static_cast<double>(clusters[c].size());
    const double months = h.time_from ? static_cast<double>(*h.time_to - *h.time_from) / (30.0 * kDayMs) : 0.0;
    bound[c] = static_cast<double>(h.callers) * (1 + std::log1p(static_cast<double>(h.votes)) / 4) *
               (1 + std::log1p(months) / 3) * (1 + std::log(std::max(1.0, h.growth)) / 3) * (1 + h.urgency / 2);
  }
  std::vector<size_t> rank(clusters.size());
  std::iota(rank.begin(), rank.end(), 0);
  std::stable_sort(rank.begin(), rank.end(), [&](size_t a, size_t b) { return bound[a] > bound[b]; });
  const size_t top = std::min(opts.top, rank.size());
  std::vector<double> best;  // a min-heap of the `top` best heats so far
  size_t scored = 0;
  for (; scored < rank.size() && top > 0; ++scored) {
    const size_t c = rank[scored];
    // 1e-6: rounding may carry a coherence a hair above 1.
    if (best.size() == top && bound[c] * (1 + 1e-6) < best.front()) break;
    Hotspot& h = spots[c];
    // Coherence: the members' mean cosine to the matter's centroid.
    const TermVec centre = Centroid(vec, clusters[c], dense);
    for (const auto& [t, w] : centre) dense[t] = w;
    double coherence = 0;
    for (size_t m : clusters[c]) {
      for (const auto& [t, w] : vec[m]) coherence += w * dense[t];
    }
    for (const auto& [t, w] : centre) dense[t] = 0;
    // One message is its own centroid, even one whose words no other message shares (its
    // vector empty: bigrams of one message are not features).
    h.coherence = clusters[c].size() == 1 ? 1.0 : coherence / clusters[c].size();
    h.heat = bound[c] * h.coherence * h.coherence;
    best.push_back(h.heat);
    std::push_heap(best.begin(), best.end(), std::greater<>());
    if (best.size() > top) {
      std::pop_heap(best.begin(), best.end(), std::greater<>());
      best.pop_back();
    }
  }
  // The scored matters by heat, ties in cluster order.
  rank.resize(scored);
  std::sort(rank.begin(), rank.end(), [&](size_t a, size_t b) {
    return spots[a].heat != spots[b].heat ? spots[a].heat > spots[b].heat : a < b;
  });
  std::vector<Hotspot> out;
  for (size_t r = 0; r < top; ++r) {
    Hotspot h = std::move(spots[rank[r]]);
    const auto& members = clusters[rank[r]];
    h.rank = static_cast<int>(r + 1);
    // The most central member first.
    const TermVec centre = Centroid(vec, members, dense);
    for (const auto& [t, w] : centre) dense[t] = w;
    std::vector<std::pair<double, size_t>> central;
    for (size_t m : members) central.push_back({-SpreadDot(dense, vec[m]), m});
    for (const auto& [t, w] : centre) dense[t] = 0;
    std::sort(central.begin(), central.end());
    for (const auto& [s, m] : central) h.members.push_back(m);
    // The place: the key most members share (the longest among equals, then the first by name),
    // among keys that read as a name: a key's window of characters before the suffix may
    // reach back into the sentence (2条公交线路 → 条公交线路, 年代的老小区), and a shorter key
    // of the same messages says it without the stray words. None that reads as a name: no
    // place (a matter like school places is about a topic; a sentence fragment misleads).
    std::unordered_map<uint32_t, size_t> key_count;
    // A confidential report's words may point at its reporter: they name no place.
    for (size_t m : members) {
      if (msgs[m].confidential) continue;
      for (uint32_t k : keys[m]) ++key_count[k];
    }
    // A place names the matter only when at least half its messages name it: a matter
    // whose messages name many places (one complaint all over the city) shows none, not
    // the place of whichever few came first.
    size_t best = (members.size() + 1) / 2 - 1;
    for (const auto& [k, cnt] : key_count) {
      if (!is_name[k]) continue;
      const std::string_view name = corpus.key_names[k];
      const size_t len = Utf8Length(name), best_len = Utf8Length(h.place);
      if (cnt > best || (cnt == best && (len > best_len || (len == best_len && name < h.place)))) best = cnt, h.place = name;
    }
    h.description = kConfidentialOnly;
    for (size_t m : h.members) {
      const Message& rep = msgs[m];
      if (rep.confidential) continue;
      h.description = !rep.title.empty() ? MaskPersonalNumbers(rep.title) : Headline(MaskPersonalNumbers(rep.text));
      break;
    }
    out.push_back(std::move(h));
  }
  lap("heat and the top hotspots");
  return out;
}

}  // namespace hotline::intel
