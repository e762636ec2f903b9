#include "kb/kb.h"

#include <algorithm>
#include <functional>
#include <cctype>
#include <bit>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "core/json.h"
#include "core/text.h"
#include "text/text.h"

namespace hotline {

using nlohmann::json;

namespace {
constexpr std::pair<KbStatus, const char*> kStatuses[] = {
    {KbStatus::kDraft, "draft"}, {KbStatus::kReviewed, "reviewed"},
    {KbStatus::kPublished, "published"}, {KbStatus::kRetired, "retired"}};
// Measured on the 2,816 message → reply pairs of shared/data (kb_reply_retrieval.sh):
// 96 terms beat 32, 48 and all of them; with idf-weighted query terms (MRR@10 0.681 →
// 0.705), k1 = 2 and b = 1 beat 1.2 and 0.9 by about 0.01 (k1 = 3 and 1.5 × idf were no
// better); adding CJK trigrams, long shared phrases or an LSA space did not help; running
// bigrams on across letters and digits (a7县, 3栋) took it from 0.704 to 0.714; the lead
// clause counted twice 0.716, and entries about other places demoted (kb_service) 0.732.
// b = 1.2 scored 0.007 more in a Python replica, by favouring the shortest entries (the
// generic one-line replies); not taken.
constexpr size_t kMaxQueryTerms = 96;
constexpr size_t kLeadChars = 40;
constexpr double kK1 = 2.0, kB = 1.0;
}  // namespace

const char* KbStatusName(KbStatus s) {
  for (auto& [k, v] : kStatuses) if (k == s) return v;
  return "draft";
}
std::optional<KbStatus> ParseKbStatus(std::string_view s) {
  for (auto& [k, v] : kStatuses) if (s == v) return k;
  return std::nullopt;
}

namespace {
constexpr std::string_view kEntryFields[] = {"id", "title", "body", "category", "category_code", "keywords",
                                             "status", "visibility", "effective", "expires", "owner_unit_id"};
}  // namespace

bool IsKbEntryField(std::string_view name) {
  return std::find(std::begin(kEntryFields), std::end(kEntryFields), name) != std::end(kEntryFields);
}

std::string KbEntryFieldNames() {
  std::string out;
  for (std::string_view f : kEntryFields) out += (out.empty() ? "" : ", ") + std::string(f);
  return out;
}

Result<KbEntry> ParseKbEntry(std::string_view text) {
  if (!IsValidUtf8(text)) return InvalidArgument("body", "is not valid UTF-8");
  ASSIGN_OR_RETURN(const json j, ParseJsonObject(text));
  // A misnamed field (expires_at) is refused, named, not dropped: it would leave an entry
  // served forever.
  for (const auto& [key, value] : j.items()) {
    if (!IsKbEntryField(key)) return InvalidArgument(key, "is not a knowledge entry field (" + KbEntryFieldNames() + ")");
  }
  KbEntry e;
  auto str = [&](const char* f, bool required, size_t max, std::string* out) -> Status {
    auto it = j.find(f);
    if (it == j.end() || it->is_null()) return required ? InvalidArgument(f, "is required") : Status::Ok();
    if (it->is_number_integer() && std::string_view(f) == "id") {
      *out = std::to_string(it->get<int64_t>());
      return Status::Ok();
    }
    if (!it->is_string()) return InvalidArgument(f, "must be a string");
    // C1 controls (U+0080–U+009F) show as nothing: dropped first, as from a ticket's text, so
    // a title of nothing else is empty.
    const bool text = std::string_view(f) == "title" || std::string_view(f) == "body";
    *out = Trim(text ? DropC1Controls(it->get<std::string>()) : it->get<std::string>());
    if (required && !HasVisibleText(*out)) return InvalidArgument(f, "must not be empty");
    if (out->size() > max) return InvalidArgument(f, "is longer than " + std::to_string(max) + " bytes");
    return Status::Ok();
  };
  RETURN_IF_ERROR(str("id", false, 128, &e.external_id));
  RETURN_IF_ERROR(str("title", true, 500, &e.title));
  RETURN_IF_ERROR(str("body", true, kMaxKbBodyBytes, &e.body));
  // Control characters (a NUL pasted in) break a CSV export and the tools that read it; line
  // breaks and tabs are text (a title cut from a reply may hold one).
  for (const auto& [field, value] : {std::pair{"title", &e.title}, std::pair{"body", &e.body}}) {
    if (HasNonWhitespaceControl(*value)) {
      return InvalidArgument(field, "must not hold control characters other than line breaks and tabs");
    }
  }
  RETURN_IF_ERROR(str("category_code", false, 32, &e.category_code));
  {
    // category is category_code's other name: both given, they must agree.
    std::string category;
    RETURN_IF_ERROR(str("category", false, 32, &category));
    if (e.category_code.empty()) e.category_code = category;
    else if (!category.empty() && category != e.category_code) {
      return InvalidArgument("category", "'" + category + "' differs from category_code '" + e.category_code + "'; give one of them");
    }
  }
  std::string status, visibility, effective, expires;
  RETURN_IF_ERROR(str("status", false, 16, &status));
  if (!status.empty()) {
    auto s = ParseKbStatus(status);
    if (!s) return InvalidArgument("status", "must be draft, reviewed, published or retired");
    e.status = *s;
  }
  RETURN_IF_ERROR(str("visibility", false, 16, &visibility));
  if (!visibility.empty() && visibility != "internal" && visibility != "public") {
    return InvalidArgument("visibility", "must be internal or public");
  }
  e.is_public = visibility == "public";
  RETURN_IF_ERROR(str("effective", false, 40, &effective));
  RETURN_IF_ERROR(str("expires", false, 40, &expires));
  if (!effective.empty()) {
    auto t = ParseIso(effective);
    if (!t) return InvalidArgument("effective", "expected a date or ISO 8601 time");
    e.effective_at = *t;
  }
  if (!expires.empty()) {
    auto t = ParseIso(expires);
    if (!t) return InvalidArgument("expires", "expected a date or ISO 8601 time");
    // A date alone is the last day served (有效期至 2026-12-31: through that day), as an
    // editor reads it; a time is the first instant no longer served.
    // 9999-12-31, the usual "never", ends at 23:59:59 (its midnight would be year 10000,
    // which no ISO time writes, so an export could not be imported again).
    e.expires_at = expires.size() != 10 ? *t : expires == "9999-12-31" ? *t + kDayMs - 1000 : *t + kDayMs;
  }
  if (e.effective_at && e.expires_at && e.expires_at <= e.effective_at) {
    return InvalidArgument("expires", "must come after effective");
  }
  if (auto it = j.find("keywords"); it != j.end() && !it->is_null()) {
    if (!it->is_array() || it->size() > 50) return InvalidArgument("keywords", "must be an array of at most 50 strings");
    for (const auto& k : *it) {
      if (!k.is_string() || k.get<std::string>().size() > 100) return InvalidArgument("keywords", "each must be a string of at most 100 bytes");
      if (HasControl(k.get<std::string>())) {
        return InvalidArgument("keywords", "must not hold control characters (a keyword is one line)");
      }
      // Blank and repeated keywords are dropped: a keyword written twice would count twice.
      std::string kw = Trim(k.get<std::string>());
      if (HasVisibleText(kw) && std::find(e.keywords.begin(), e.keywords.end(), kw) == e.keywords.end()) {
        e.keywords.push_back(std::move(kw));
      }
    }
  }
  if (auto it = j.find("owner_unit_id"); it != j.end() && !it->is_null()) {
    std::optional<Id> id;
    if (it->is_string()) id = ParseId(it->get<std::string>());
    else if (it->is_number_integer()) id = it->get<int64_t>();
    if (!id) return InvalidArgument("owner_unit_id", "must be an id");
    e.owner_unit_id = *id;
  }
  return e;
}

std::string KbEntryJson(const KbEntry& e) {
  json j = {{"id", e.external_id.empty() ? IdToString(e.id) : e.external_id}, {"title", e.title}, {"body", e.body},
            {"category_code", e.category_code}, {"keywords", e.keywords}, {"status", KbStatusName(e.status)},
            {"visibility", e.is_public ? "public" : "internal"}};
  if (e.effective_at) j["effective"] = FormatIsoCity(e.effective_at);
  if (e.expires_at) j["expires"] = FormatIsoCity(e.expires_at);
  if (e.owner_unit_id) j["owner_unit_id"] = IdToString(e.owner_unit_id);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string KbRevisionJson(const KbEntry& revision) {
  return json{{"entry", json::parse(KbEntryJson(revision))}, {"by", revision.updated_by}, {"at", revision.updated_at}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

std::shared_ptr<const KbEntry> ParseKbRevision(std::string_view stored) {
  const json j = json::parse(stored, nullptr, false);
  if (!j.is_object() || !j.contains("entry")) return nullptr;
  auto e = ParseKbEntry(j["entry"].dump());
  if (!e.ok()) return nullptr;
  e->updated_by = j.value("by", Id{0});
  e->updated_at = j.value("at", TimeMs{0});
  return std::make_shared<const KbEntry>(std::move(e).value());
}

KbDocTerms TermsOfEntry(const KbEntry& e, bool characters) {
  KbDocTerms d;
  auto add = [&](const std::string& text, int weight, bool with_characters) {
    auto norm = NormaliseText(text);
    if (!norm.ok()) return;
    for (auto& t : Terms(*norm)) {
      d.tf[t] += weight;
      d.length += weight;
    }
    if (!with_characters) return;
    for (size_t i = 0; i < norm->size();) {
      const size_t at = i;
      if (IsCjk(NextCodePoint(*norm, i))) d.tf[std::string(kKbCharacterMark) + norm->substr(at, i - at)] += weight;
    }
  };
  add(e.title, 3, characters);
  for (const auto& k : e.keywords) add(k, 2, characters);
  add(e.body, 1, false);
  return d;
}

void Synonyms::AddGroup(const std::vector<std::string>& terms) {
  std::vector<std::string> norm;
  for (const auto& t : terms) {
    auto n = NormaliseText(t);
    if (n.ok() && !n->empty()) norm.push_back(*n);
  }
  for (const auto& t : norm) {
    auto& g = groups_[t];
    for (const auto& o : norm) if (o != t && std::find(g.begin(), g.end(), o) == g.end()) g.push_back(o);
  }
}

std::vector<std::string> Synonyms::ExpandIn(std::string_view text) const {
  std::vector<std::string> out;
  for (const auto& [term, others] : groups_) {
    if (text.find(term) == std::string_view::npos) continue;
    for (const auto& o : others) {
      if (text.find(o) == std::string_view::npos) out.push_back(o);  // already in the query: no boost
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {

constexpr size_t kShortQueryChars = 16;

// A lone character the segmenter cut out of a longer word (医保 read as 医 + 保) searches for
// that character anywhere (保 of 维保, 医 of 医院): dropped when a term of two characters or
// more in the query holds it, which finds the word itself.
// Whether a term is one ideograph alone (of 医保 cut into 医 + 保, or a 的 of a message).
bool IsLoneIdeograph(const std::string& term) {
  size_t i = 0;
  const char32_t c = term.empty() ? 0 : NextCodePoint(term, i);
  return i == term.size() && IsCjk(c);
}

void DropCoveredCharacters(std::unordered_map<std::string, double>& qtf) {
  std::unordered_set<char32_t> covered;
  for (const auto& [t, w] : qtf) {
    size_t i = 0, n = 0;
    std::vector<char32_t> cps;
    while (i < t.size() && n < 8) cps.push_back(NextCodePoint(t, i)), ++n;
    if (cps.size() >= 2) covered.insert(cps.begin(), cps.end());
  }
  std::erase_if(qtf, [&](const auto& kv) {
    size_t i = 0;
    return IsLoneIdeograph(kv.first) && covered.count(NextCodePoint(kv.first, i));
  });
}

}  // namespace

Result<std::vector<KbHit>> RankKb(KbIndexReader& index, std::string_view query, const Synonyms& synonyms,
                                  const KbSearchOptions& opts) {
  ASSIGN_OR_RETURN(std::string q, NormaliseText(query));
  // Query terms with their weight: frequency in the query; synonyms' terms at half weight.
  std::unordered_map<std::string, double> qtf;
  for (const auto& t : Terms(q)) qtf[t] += 1;
  // A citizen's message opens with what it is about (its title, as a message board sends
  // it): the terms of the first clause of a longer query are counted once more (MRR@10 on
  // the reply check 0.714 → 0.716). Only a clause that ends within kLeadChars and has more
  // words after it is a lead.
  {
    size_t i = 0, end = 0;
    for (size_t chars = 0; i < q.size() && chars <= kLeadChars; ++chars) {
      const size_t at = i;
      const char32_t c = NextCodePoint(q, i);
      if (c == ' ' || c == U'。' || c == '!' || c == '?') {
        end = at;
        break;
      }
    }
    bool more = false;
    for (size_t k = i; end > 0 && k < q.size() && !more;) more = IsWordChar(NextCodePoint(q, k));
    if (more) {
      for (const auto& t : Terms(q.substr(0, end))) qtf[t] += 1;
    }
  }
  std::unordered_set<std::string> own;
  for (const auto& [t, w] : qtf) own.insert(t);
  // A synonym counts by its words and bigrams, not its lone characters: 医疗保险 for 医保
  // must not find the 保 of 维保.
  for (const auto& syn : synonyms.ExpandIn(q)) {
    std::unordered_map<std::string, double> stf;
    for (const auto& t : Terms(syn)) stf[t] += 0.5;
    if (Utf8Length(syn) >= 2) DropCoveredCharacters(stf);
    for (const auto& [t, w] : stf) qtf.emplace(t, 0).first->second += w;
  }
  // In a short query (an agent's or a citizen's few words) every term must count; in a whole
  // message the lone characters still help a little (MRR@10 on the reply check 0.732 with
  // them, 0.729 without).
  const bool whole_message = Utf8Length(q) > kShortQueryChars;
  if (!whole_message) DropCoveredCharacters(qtf);
  // One character alone (水, 水？) is looked for in titles and keywords wherever it is written
  // too (水 finds 停水原因查询, through their characters), and still where it stands alone as
  // a word (in a body, or a case, indexed without characters).
  {
    std::string only;
    bool other = false;
    for (size_t i = 0; i < q.size() && !other;) {
      const size_t at = i;
      const char32_t c = NextCodePoint(q, i);
      if (IsCjk(c) && only.empty()) only = q.substr(at, i - at);
      else if (IsWordChar(c)) other = true;
    }
    if (!only.empty() && !other) {
      const std::string term = std::string(kKbCharacterMark) + only;
      qtf[term] += 1;
      own.insert(term);
    }
  }
  if (qtf.empty()) return std::vector<KbHit>{};
  ASSIGN_OR_RETURN(auto stats, index.Stats());
  const double n = static_cast<double>(std::max<int64_t>(stats.first, 1));
  const double avgdl = stats.second > 0 ? static_cast<double>(stats.second) / n : 1;
  struct QT { std::string term; double weight; KbPostingList postings; double idf; bool own; };
  std::vector<QT> terms;
  for (auto& [t, w] : qtf) {
    ASSIGN_OR_RETURN(const int64_t df, index.Df(t));
    if (df <= 0) continue;
    const double idf = std::log(1 + (n - df + 0.5) / (df + 0.5));
    terms.push_back({t, w, {}, idf, own.count(t) > 0});
  }
  // A whole citizen message has hundreds of terms: keep the most informative ones, and read
  // postings for those only (the common terms' lists are the long ones).
  std::sort(terms.begin(), terms.end(), [](const QT& a, const QT& b) { return a.idf * a.weight > b.idf * b.weight; });
  if (terms.size() > kMaxQueryTerms) terms.resize(kMaxQueryTerms);
  // In a whole message a lone character (的, 和, 人, 管) may raise an entry its words found,
  // but never bring one in by itself: an entry sharing nothing else with the message is no
  // answer to it. Words go first, so the lone characters find the entries already there.
  if (whole_message) std::stable_partition(terms.begin(), terms.end(), [](const QT& t) { return !IsLoneIdeograph(t.term); });
  for (auto& t : terms) {
    ASSIGN_OR_RETURN(t.postings, index.Postings(t.term));
  }
  size_t total = 0;
  for (const auto& t : terms) total += t.postings->size();
  // Scores accumulate in an open-addressing table at most half full (no rehashing, no
  // allocation per entry): ids are positive, so 0 marks a free slot. An entry is counted
  // once however many of the terms it holds, so the index's size bounds the table too.
  size_t cap = 16;
  while (cap < 2 * std::min<size_t>(total, static_cast<size_t>(n) + 1)) cap <<= 1;
  std::vector<KbHit> score(cap);
  int shift = 64 - std::countr_zero(cap);
  size_t used = 0;
  auto slot = [&](Id id) {
    size_t h = static_cast<size_t>((static_cast<uint64_t>(id) * 0x9e3779b97f4a7c15ULL) >> shift);
    while (score[h].entry_id != 0 && score[h].entry_id != id) h = (h + 1) & (score.size() - 1);
    return h;
  };
  for (const auto& t : terms) {
    // The query side is weighted like the entry side: sublinear in the term's frequency in
    // the query and by its idf (a rare word the citizen used twice says more than a common
    // one used five times).
    const double qw = (t.weight >= 1 ? 1 + std::log(t.weight) : t.weight) * t.idf;
    const bool only_raises = whole_message && IsLoneIdeograph(t.term);
    for (const auto& p : *t.postings) {
      const double tf = p.tf;
      const double norm = tf + kK1 * (1 - kB + kB * p.length / avgdl);
      size_t h = slot(p.entry_id);
      if (score[h].entry_id == 0 && only_raises) continue;
      if (score[h].entry_id == 0) {
        if (2 * ++used > score.size()) {  // more entries than the index said it holds
          std::vector<KbHit> old(score.size() * 2);
          old.swap(score);
          --shift;
          for (const auto& e : old) {
            if (e.entry_id != 0) score[slot(e.entry_id)] = e;
          }
          h = slot(p.entry_id);
        }
        score[h] = {p.entry_id, 0.0, true};
      }
      score[h].score += qw * t.idf * tf * (kK1 + 1) / norm;
      if (t.own) score[h].synonym_only = false;
    }
  }
  std::erase_if(score, [](const KbHit& h) { return h.entry_id == 0; });
  std::vector<KbHit> hits = std::move(score);
  // The best `max_candidates` in order: selected in linear time, then sorted.
  const size_t keep = std::min(hits.size(), opts.max_candidates);
  const auto better = [](const KbHit& a, const KbHit& b) {
    return a.score != b.score ? a.score > b.score : a.entry_id < b.entry_id;
  };
  if (keep < hits.size()) std::nth_element(hits.begin(), hits.begin() + static_cast<long>(keep), hits.end(), better);
  hits.resize(keep);
  std::sort(hits.begin(), hits.end(), better);
  return hits;
}

void KbPlaces::Add(std::string_view name, const std::string& key) {
  auto norm = NormaliseText(name);
  if (!norm.ok() || Utf8Length(*norm) < 2) return;
  size_t i = 0;
  Names& names = by_first_[NextCodePoint(*norm, i)];
  const size_t length = norm->size();
  auto& keys = names.keys[std::move(norm).value()];
  if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  // Longest first, so 蔚澜湾二期 is found before 蔚澜湾.
  auto at = std::lower_bound(names.lengths.begin(), names.lengths.end(), length, std::greater<>());
  if (at == names.lengths.end() || *at != length) names.lengths.insert(at, length);
}

std::set<std::string> KbPlaces::In(std::string_view t) const {
  std::set<std::string> keys;
  auto letter = [](char32_t c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto digit = [](char32_t c) { return c >= '0' && c <= '9'; };
  for (size_t i = 0; i < t.size();) {
    const size_t at = i;
    const char32_t c = NextCodePoint(t, i);
    if (letter(c) && (at == 0 || !(letter(static_cast<unsigned char>(t[at - 1])) || digit(static_cast<unsigned char>(t[at - 1]))))) {
      size_t j = i;
      while (j < t.size() && j - i < 2 && digit(static_cast<unsigned char>(t[j]))) ++j;
      size_t k = j;
      const char32_t suffix = k < t.size() ? NextCodePoint(t, k) : 0;
      const char32_t after = k < t.size() ? NextCodePoint(t, k) : 0;
      const bool coded = (suffix == U'市' || suffix == U'县' || (suffix == U'区' && j > i)) && after != U'场' && after != U'域';
      if (coded) {
        keys.insert(std::string("~") + static_cast<char>(c | 0x20));
        continue;
      }
    }
    auto it = by_first_.find(c);
    if (it == by_first_.end()) continue;
    for (const size_t length : it->second.lengths) {
      if (at + length > t.size()) continue;
      auto found = it->second.keys.find(std::string(t.substr(at, length)));
      if (found != it->second.keys.end()) {
        keys.insert(found->second.begin(), found->second.end());
        i = at + length;
        break;
      }
    }
  }
  return keys;
}

bool ElsewhereThan(const std::set<std::string>& query, const std::set<std::string>& entry) {
  bool compared = false;
  for (const bool coded : {true, false}) {
    const auto of_kind = [&](const std::string& k) { return (k[0] == '~') == coded; };
    if (std::none_of(query.begin(), query.end(), of_kind) || std::none_of(entry.begin(), entry.end(), of_kind)) continue;
    compared = true;
    for (const auto& k : entry) {
      if (of_kind(k) && query.count(k)) return false;
    }
  }
  return compared;
}

std::vector<std::string> KbQueryTerms(std::string_view query) {
  auto qn = NormaliseText(query);
  if (!qn.ok()) return {};
  // A lone character cut out of a longer word of the query (车 of 自行车, 保 of 医疗保险) is
  // not what the query asks for: a short query's ranking drops it, a whole message's only lets
  // it raise entries its words found. It marks nothing either.
  std::unordered_map<std::string, double> found;
  for (auto& t : Terms(*qn)) found.emplace(std::move(t), 1);
  DropCoveredCharacters(found);
  std::vector<std::string> terms;
  for (auto& [t, w] : found) terms.push_back(t);
  std::sort(terms.begin(), terms.end());
  return terms;
}

std::string KbSnippet(const std::string& text, const std::vector<std::string>& query_terms, size_t max_chars) {
  // Matches are found in the normalised text (query terms are normalised); the snippet
  // shows the entry as written (full-width, traditional, capitals) through the source of
  // each normalised character, or the normalised text in the rare case that is unknown.
  std::vector<uint32_t> from;
  NormaliseOptions no;
  no.source_offsets = &from;
  auto tn = NormaliseText(text, no);
  if (!tn.ok()) return "";
  const std::string& t = *tn;
  const bool mapped = from.size() == t.size();
  // Highlight whole words and two-character runs; single characters only when nothing
  // longer matches.
  std::vector<std::string> words;
  for (const auto& w : query_terms) {
    if ((w.size() >= 6 || (w.size() >= 2 && static_cast<unsigned char>(w[0]) < 0x80)) && t.find(w) != std::string::npos) {
      words.push_back(w);
    }
  }
  if (words.empty()) {
    for (const auto& w : query_terms) if (t.find(w) != std::string::npos) words.push_back(w);
  }
  std::sort(words.begin(), words.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  size_t first = std::string::npos;
  for (const auto& w : words) first = std::min(first, t.find(w));
  if (first == std::string::npos) first = 0;
  // Back up a few characters for context, on a UTF-8 boundary.
  size_t start = first;
  for (int k = 0; k < 12 && start > 0; ++k) {
    do { --start; } while (start > 0 && (static_cast<unsigned char>(t[start]) & 0xC0) == 0x80);
  }
  // The character at normalised offset i as shown, escaped for HTML; advances i past it.
  auto shown = [&](size_t& i) {
    const size_t at = i;
    NextCodePoint(t, i);
    std::string_view ch = std::string_view(t).substr(at, i - at);
    if (mapped && ch != " ") {
      size_t end = from[at];
      NextCodePoint(text, end);
      ch = std::string_view(text).substr(from[at], end - from[at]);
    }
    return ch == "<" ? std::string("&lt;") : ch == ">" ? std::string("&gt;") : ch == "&" ? std::string("&amp;") : std::string(ch);
  };
  std::string out;
  size_t chars = 0, i = start;
  // A term of ASCII letters and digits is marked only as a whole run of them: "if", a bigram
  // of "wifi", is not marked inside "verified".
  auto alnum = [&](size_t k) { return k < t.size() && std::isalnum(static_cast<unsigned char>(t[k])); };
  auto whole = [&](const std::string& w, size_t at) {
    if (!std::all_of(w.begin(), w.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); })) return true;
    return !(at > 0 && alnum(at - 1)) && !alnum(at + w.size());
  };
  // The end of the longest match at k, or k when none starts there.
  auto match_end = [&](size_t k) {
    for (const auto& w : words) if (t.compare(k, w.size(), w) == 0 && whole(w, k)) return k + w.size();
    return k;
  };
  while (i < t.size() && chars < max_chars) {
    size_t end = match_end(i);
    if (end == i) {
      out += shown(i);
      ++chars;
      continue;
    }
    // Matches that overlap make one mark: 身份 and 份证 mark 身份证 whole.
    for (size_t k = i; k < end;) {
      end = std::max(end, match_end(k));
      NextCodePoint(t, k);
    }
    out += "<em>";
    while (i < end) out += shown(i), ++chars;
    out += "</em>";
  }
  return (start > 0 ? "…" : "") + out + (i < t.size() ? "…" : "");
}

}  // namespace hotline
