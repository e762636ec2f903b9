#include "intel/insight.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

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

using SparseVec = std::vector<std::pair<uint64_t, float>>;  // sorted by key, L2-normalised

double Cosine(const SparseVec& a, const SparseVec& b) {
  double s = 0;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i].first < b[j].first) {
      ++i;
    } else if (b[j].first < a[i].first) {
      ++j;
    } else {
      s += a[i].second * b[j].second, ++i, ++j;
    }
  }
  return s;
}

std::string Utf8(const std::u32string& s) {
  std::string out;
  for (char32_t cp : s) AppendUtf8(out, cp);
  return out;
}

std::u32string U32(const char* utf8) {
  std::string_view s(utf8);
  std::u32string out;
  for (size_t i = 0; i < s.size();) out += NextCodePoint(s, i);
  return out;
}

// What names a place in a citizen's words: the ideographs before one of these. Longer
// suffixes first, so 小区 wins over 区-less readings.
const std::vector<std::u32string>& PlaceSuffixes() {
  static const std::vector<std::u32string> s = [] {
    std::vector<std::u32string> v;
    for (const char* x : {"小区", "花园", "家园", "新城", "公寓", "广场", "大厦", "社区", "学院", "大学", "中学", "小学",
                          "学校", "幼儿园", "医院", "村", "镇", "街道", "大道", "路", "街", "公司", "市场", "园", "苑",
                          "城", "湾", "府", "庭", "楼盘", "项目", "站", "厂", "场"}) {
      v.push_back(U32(x));
    }
    return v;
  }();
  return s;
}

// Place keys of a text: for each place suffix, the suffix with the last 2, 3 and 4
// ideographs before it ("魅力之城小区" gives 之城小区, 力之城小区, 魅力之城小区), so one
// place named a little differently still shares a key.
std::vector<std::string> PlaceKeys(const std::u32string& s) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < s.size();) {
    const std::u32string* hit = nullptr;
    for (const auto& suf : PlaceSuffixes()) {
      if (s.compare(i, suf.size(), suf) == 0) {
        hit = &suf;
        break;
      }
    }
    if (!hit) {
      ++i;
      continue;
    }
    size_t run = 0;
    while (run < 4 && run < i && IsCjk(s[i - run - 1])) ++run;
    for (size_t len = 2; len <= run; ++len) keys.push_back(Utf8(s.substr(i - len, len) + *hit));
    i += hit->size();
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace

std::vector<uint64_t> Shingles(const std::string& text) { return BigramSet(WordChars(text)); }

double Jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  const size_t both = Intersection(a, b), uni = a.size() + b.size() - both;
  return uni ? static_cast<double>(both) / uni : 0.0;
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
  auto mix = [](uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
  };
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
  return DaysFromCivil(y, mo, d) * kDayMs + h * kHourMs + mi * kMinuteMs + se * 1000LL - kCityOffsetMs;
}

std::vector<DuplicateGroup> FindDuplicates(const std::vector<Message>& msgs, const DuplicateOptions& opts) {
  const size_t n = msgs.size();
  std::vector<std::vector<uint64_t>> grams(n);
  for (size_t i = 0; i < n; ++i) grams[i] = BigramSet(WordChars(msgs[i].text));
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
    for (uint32_t j : touched) {
      // Enough rare bigrams in common to possibly reach the floor.
      if (shared[j] * 1.0 >= floor * 0.5 * std::min<size_t>(rare, grams[j].size())) {
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
    for (const auto& [j, s] : near[i]) {
      if (grouped[j]) continue;
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

// Character-bigram TF-IDF of messages (title counted twice), over bigrams neither unique
// nor common (in more than 5 % of messages and more than 20 of them: a small set keeps
// everything); also each message's word characters and its title's, for place keys.
struct Corpus {
  std::vector<std::u32string> chars, title_chars;
  std::vector<SparseVec> vec;
};

Corpus Vectorise(const std::vector<Message>& msgs) {
  const size_t n = msgs.size();
  Corpus c;
  c.chars.resize(n);
  c.title_chars.resize(n);
  c.vec.resize(n);
  std::unordered_map<uint64_t, uint32_t> df;
  std::vector<std::unordered_map<uint64_t, float>> counts(n);
  for (size_t i = 0; i < n; ++i) {
    c.chars[i] = WordChars(msgs[i].text);
    c.title_chars[i] = WordChars(msgs[i].title);
    for (const auto* s : {&c.chars[i], &c.title_chars[i]}) {
      for (size_t k = 1; k < s->size(); ++k) counts[i][Bigram((*s)[k - 1], (*s)[k])] += 1;
    }
    for (const auto& [g, cnt] : counts[i]) ++df[g];
  }
  const double common = std::max(20.0, 0.05 * n);
  for (size_t i = 0; i < n; ++i) {
    double norm2 = 0;
    for (const auto& [g, cnt] : counts[i]) {
      const uint32_t d = df[g];
      if (d < 2 || d > common) continue;
      const float w = static_cast<float>((1 + std::log(cnt)) * (std::log((1.0 + n) / (1.0 + d)) + 1));
      c.vec[i].push_back({g, w});
      norm2 += static_cast<double>(w) * w;
    }
    std::sort(c.vec[i].begin(), c.vec[i].end());
    const double inv = norm2 > 0 ? 1 / std::sqrt(norm2) : 0;
    for (auto& [g, w] : c.vec[i]) w = static_cast<float>(w * inv);
    counts[i].clear();
  }
  return c;
}

}  // namespace

std::vector<PetitionMatch> CrossCheckPetitions(const std::vector<Message>& tickets, const std::vector<Message>& petitions,
                                               double threshold) {
  // One corpus, so both sides share idf; tickets first, petitions after.
  std::vector<Message> all = tickets;
  all.insert(all.end(), petitions.begin(), petitions.end());
  const Corpus c = Vectorise(all);
  std::unordered_map<uint64_t, std::vector<uint32_t>> postings;  // bigram → petitions
  for (size_t p = 0; p < petitions.size(); ++p) {
    for (const auto& [g, w] : c.vec[tickets.size() + p]) postings[g].push_back(static_cast<uint32_t>(p));
  }
  std::vector<PetitionMatch> out;
  std::vector<float> acc(petitions.size(), 0.0f);
  std::vector<uint32_t> touched;
  for (size_t t = 0; t < tickets.size(); ++t) {
    for (const auto& [g, w] : c.vec[t]) {
      auto it = postings.find(g);
      if (it == postings.end()) continue;
      for (uint32_t p : it->second) {
        if (acc[p] == 0) touched.push_back(p);
        const auto& pv = c.vec[tickets.size() + p];
        auto pw = std::lower_bound(pv.begin(), pv.end(), std::make_pair(g, 0.0f),
                                   [](const auto& a, const auto& b) { return a.first < b.first; });
        acc[p] += w * pw->second;
      }
    }
    std::optional<std::vector<std::string>> tk;  // the ticket's place keys, found at its first match
    for (uint32_t p : touched) {
      if (acc[p] >= threshold) {
        PetitionMatch m{t, p, acc[p], {}};
        if (!tk) tk = PlaceKeys(c.title_chars[t] + U"\u3000" + c.chars[t]);
        const auto pk = PlaceKeys(c.title_chars[tickets.size() + p] + U"\u3000" + c.chars[tickets.size() + p]);
        std::set_intersection(tk->begin(), tk->end(), pk.begin(), pk.end(), std::back_inserter(m.shared_places));
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
  Corpus corpus = Vectorise(msgs);
  const auto& chars = corpus.chars;
  const auto& title_chars = corpus.title_chars;
  auto& vec = corpus.vec;
  // Messages naming the same (specific) place are compared; close enough means one matter.
  std::map<std::string, std::vector<uint32_t>> by_place;
  std::vector<std::vector<std::string>> keys(n);
  for (size_t i = 0; i < n; ++i) {
    std::u32string both = title_chars[i] + U"\u3000" + chars[i];
    keys[i] = PlaceKeys(both);
    for (const auto& k : keys[i]) by_place[k].push_back(static_cast<uint32_t>(i));
  }
  const size_t place_cap = std::min(opts.max_place_messages, std::max<size_t>(20, static_cast<size_t>(opts.max_place_share * n)));
  std::vector<std::unordered_map<uint32_t, float>> nb(n);
  for (const auto& [key, ms] : by_place) {
    if (ms.size() < 2 || ms.size() > place_cap) continue;
    // Each message meets the `window` messages after it that name the place (messages
    // come in time order): a matter's reports are close in time, and the work stays linear.
    for (size_t a = 0; a < ms.size(); ++a) {
      for (size_t b = a + 1; b < ms.size() && b <= a + opts.window; ++b) {
        if (nb[ms[a]].count(ms[b])) continue;
        const double s = Cosine(vec[ms[a]], vec[ms[b]]);
        if (s >= opts.link) nb[ms[a]][ms[b]] = nb[ms[b]][ms[a]] = static_cast<float>(s);
      }
    }
  }
  // Leader clustering: the message with most neighbours leads, taking its neighbours.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return nb[a].size() > nb[b].size(); });
  std::vector<int> cluster_of(n, -1);
  std::vector<std::vector<size_t>> clusters;
  for (size_t i : order) {
    if (cluster_of[i] >= 0) continue;
    std::vector<size_t> members = {i};
    for (const auto& [j, s] : nb[i]) {
      if (cluster_of[j] < 0) members.push_back(j);
    }
    std::sort(members.begin() + 1, members.end());
    for (size_t m : members) cluster_of[m] = static_cast<int>(clusters.size());
    clusters.push_back(std::move(members));
  }

  // Second pass: clusters that share a place and whose centroids are close are one
  // matter told in two ways (the leader pass only takes a leader's direct neighbours).
  {
    std::vector<SparseVec> centroid(clusters.size());
    for (size_t c = 0; c < clusters.size(); ++c) {
      std::map<uint64_t, double> sum;
      for (size_t m : clusters[c]) {
        for (const auto& [g, w] : vec[m]) sum[g] += w;
      }
      double norm2 = 0;
      for (const auto& [g, w] : sum) norm2 += w * w;
      const double inv = norm2 > 0 ? 1 / std::sqrt(norm2) : 0;
      for (const auto& [g, w] : sum) centroid[c].push_back({g, static_cast<float>(w * inv)});
    }
    std::vector<std::tuple<double, size_t, size_t>> pairs;
    std::set<std::pair<size_t, size_t>> seen;
    for (size_t i = 0; i < n; ++i) {
      for (const auto& [j, s] : nb[i]) {
        size_t a = cluster_of[i], b = cluster_of[j];
        if (a == b) continue;
        if (a > b) std::swap(a, b);
        if (!seen.insert({a, b}).second) continue;
        const double cs = Cosine(centroid[a], centroid[b]);
        if (cs >= opts.merge) pairs.push_back({cs, a, b});
      }
    }
    std::sort(pairs.rbegin(), pairs.rend());
    std::vector<size_t> parent(clusters.size());
    std::iota(parent.begin(), parent.end(), 0);
    auto find = [&](size_t x) {
      while (parent[x] != x) x = parent[x] = parent[parent[x]];
      return x;
    };
    for (const auto& [cs, a, b] : pairs) {
      const size_t ra = find(a), rb = find(b);
      if (ra != rb) parent[std::max(ra, rb)] = std::min(ra, rb);
    }
    std::vector<std::vector<size_t>> merged(clusters.size());
    for (size_t c = 0; c < clusters.size(); ++c) {
      auto& into = merged[find(c)];
      into.insert(into.end(), clusters[c].begin(), clusters[c].end());
    }
    clusters.clear();
    for (auto& m : merged) {
      if (!m.empty()) clusters.push_back(std::move(m));
    }
  }

  std::vector<Hotspot> spots;
  for (auto& members : clusters) {
    Hotspot h;
    // Centroid, coherence and the most central member.
    std::unordered_map<uint64_t, double> centroid;
    for (size_t m : members) {
      for (const auto& [g, w] : vec[m]) centroid[g] += w;
    }
    double norm2 = 0;
    for (const auto& [g, w] : centroid) norm2 += w * w;
    const double inv = norm2 > 0 ? 1 / std::sqrt(norm2) : 0;
    std::vector<std::pair<double, size_t>> central;
    double coherence = 0;
    for (size_t m : members) {
      double s = 0;
      for (const auto& [g, w] : vec[m]) s += w * centroid[g] * inv;
      central.push_back({-s, m});
      coherence += s;
    }
    std::sort(central.begin(), central.end());
    for (const auto& [s, m] : central) h.members.push_back(m);
    h.coherence = coherence / members.size();
    std::unordered_set<std::string> callers;
    for (size_t m : members) {
      callers.insert(msgs[m].user.empty() ? "id:" + msgs[m].id : msgs[m].user);
      h.votes += std::max<int64_t>(0, msgs[m].votes);
      if (msgs[m].time) {
        if (!h.time_from || *msgs[m].time < *h.time_from) h.time_from = msgs[m].time;
        if (!h.time_to || *msgs[m].time > *h.time_to) h.time_to = msgs[m].time;
      }
    }
    h.callers = callers.size();
    const double months = h.time_from ? static_cast<double>(*h.time_to - *h.time_from) / (30.0 * kDayMs) : 0.0;
    h.heat = static_cast<double>(h.callers) * (1 + std::log1p(static_cast<double>(h.votes)) / 4) *
             (1 + std::log1p(months) / 3) * h.coherence * h.coherence;
    // The place: the key most members share (the longest among equals).
    std::map<std::string, size_t> key_count;
    for (size_t m : members) {
      for (const auto& k : keys[m]) ++key_count[k];
    }
    size_t best = 0;
    for (const auto& [k, c] : key_count) {
      if (c > best || (c == best && Utf8Length(k) > Utf8Length(h.place))) best = c, h.place = k;
    }
    const Message& rep = msgs[h.members[0]];
    h.description = !rep.title.empty() ? rep.title : Utf8(WordChars(rep.text).substr(0, 40));
    spots.push_back(std::move(h));
  }
  std::stable_sort(spots.begin(), spots.end(), [](const Hotspot& a, const Hotspot& b) { return a.heat > b.heat; });
  if (spots.size() > opts.top) spots.resize(opts.top);
  for (size_t r = 0; r < spots.size(); ++r) spots[r].rank = static_cast<int>(r + 1);
  return spots;
}

}  // namespace hotline::intel
