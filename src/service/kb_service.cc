#include "service/kb_service.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/pii.h"
#include "core/text.h"
#include "text/text.h"
#include "taxonomy/taxonomy.h"

namespace hotline {

namespace {
std::string Normalised(std::string_view text) {
  auto n = NormaliseText(text);
  return n.ok() ? std::move(n).value() : std::string();
}

constexpr size_t kMaxQueryBytes = 20000;
constexpr size_t kPlaceReading = 200;  // candidates read at most while adjustments (age, places) move scores
constexpr size_t kMaxLimit = 50;
constexpr size_t kPlaceTextBytes = 4096;  // of an entry's body read for the places it names
// An entry filed under another second-level category than the request's (the elevator
// entry for a gas leak that mentions the property manager) weighs this much.
constexpr double kOtherCategoryFactor = 0.5;
// Whether an entry's category is the request's, or a neighbour of it: the same second-level
// category (the first four characters of the codes, two per level), or one above the other.
bool RelatedCategory(std::string_view entry, std::string_view request) {
  if (CodeHasPrefix(entry, request) || CodeHasPrefix(request, entry)) return true;
  return entry.size() >= 4 && request.size() >= 4 && entry.substr(0, 4) == request.substr(0, 4);
}
constexpr const char* kCasePrefix = "case:";  // cases' terms live apart from the entries'

// Fresher knowledge ranks a little higher (时效): a score is multiplied by
// 1 - kStaleWeight * (1 - 2^(-age / kFreshHalfLife)), the age counted from the date the entry
// took effect, or from its last change when it names none. A year-old entry loses 5 %, the
// oldest 10 % at most: enough to put the newer of two near-equal answers first, never enough
// to lift a fresh entry over a clearly better one.
constexpr double kStaleWeight = 0.1;
constexpr double kFreshHalfLifeMs = 365.0 * 24 * 3600 * 1000;

double Freshness(const KbEntry& e, TimeMs now) {
  const TimeMs since = e.effective_at ? e.effective_at : e.updated_at;
  const double age = static_cast<double>(std::max<TimeMs>(0, now - since));
  return 1 - kStaleWeight * (1 - std::exp2(-age / kFreshHalfLifeMs));
}

// What the index holds for an entry: a case's terms under the case prefix.
KbDocTerms IndexTerms(const KbEntry& e) {
  KbDocTerms terms = TermsOfEntry(e, e.kind != "case");  // nobody looks up a case by one character
  if (e.kind != "case") return terms;
  KbDocTerms prefixed;
  prefixed.length = terms.length;
  for (auto& [t, tf] : terms.tf) prefixed.tf[kCasePrefix + t] = tf;
  return prefixed;
}
}  // namespace

void KbPostingsCache::Sync(int64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  if (generation == generation_) return;
  map_.clear();
  held_ = 0;
  generation_ = generation;
}

KbPostingList KbPostingsCache::Find(const std::string& key, int64_t generation) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (generation != generation_) return nullptr;
  auto it = map_.find(key);
  return it == map_.end() ? nullptr : it->second;
}

void KbPostingsCache::Put(const std::string& key, int64_t generation, KbPostingList postings) {
  std::lock_guard<std::mutex> lock(mu_);
  // A search that read before another server's change must not leave its postings behind.
  if (generation != generation_ || held_ + postings->size() > max_ || map_.count(key)) return;
  held_ += postings->size();
  map_.emplace(key, std::move(postings));
}

class KbService::Reader final : public KbIndexReader {
 public:
  // `cache` (may be null) must have been synced to `generation`.
  Reader(Store* store, KbPostingsCache* cache, int64_t generation, std::string kind)
      : store_(store), cache_(cache), generation_(generation), kind_(std::move(kind)),
        prefix_(kind_ == "case" ? kCasePrefix : "") {}
  Result<KbPostingList> Postings(const std::string& term) override {
    const std::string key = prefix_ + term;
    if (cache_) {
      if (auto hit = cache_->Find(key, generation_)) return hit;
    }
    ASSIGN_OR_RETURN(auto p, store_->KbPostings(key));
    auto list = std::make_shared<const std::vector<KbPosting>>(std::move(p));
    if (cache_) cache_->Put(key, generation_, list);
    return list;
  }
  Result<int64_t> Df(const std::string& term) override {
    const std::string key = prefix_ + term;
    if (cache_) {
      if (auto hit = cache_->Find(key, generation_)) return static_cast<int64_t>(hit->size());
    }
    return store_->KbTermDf(key);
  }
  Result<std::pair<int64_t, int64_t>> Stats() override {
    if (!stats_) {
      ASSIGN_OR_RETURN(auto s, store_->KbStats(kind_));
      stats_ = s;
    }
    return *stats_;
  }

 private:
  Store* store_;
  KbPostingsCache* cache_;
  int64_t generation_;
  std::string kind_, prefix_;
  std::optional<std::pair<int64_t, int64_t>> stats_;
};

Result<std::vector<KbEntry>> KbService::Save(std::vector<KbEntry> entries, Id by) {
  if (entries.size() > 1000000) return InvalidArgument("entries", "at most 1,000,000 in one import");
  std::vector<std::pair<KbEntry, KbDocTerms>> rows;
  rows.reserve(entries.size());
  for (auto& e : entries) {
    KbDocTerms terms = IndexTerms(e);
    rows.emplace_back(std::move(e), std::move(terms));
  }
  return store_->KbSave(std::move(rows), by);  // moves the index generation: caches refill
}

Result<int64_t> KbService::ReindexIfStale() { return store_->KbReindex(kKbTermsVersion, IndexTerms); }

Result<KbEntry> KbService::Get(Id id) {
  auto e = store_->KbGet(id);
  if (e.ok() && e->kind != "entry") return NotFound("no knowledge entry " + IdToString(id));
  return e;
}

namespace {
bool KbTransition(KbStatus from, KbStatus to) {
  return (from == KbStatus::kDraft && to == KbStatus::kReviewed) ||
         (from == KbStatus::kReviewed && (to == KbStatus::kPublished || to == KbStatus::kDraft)) ||
         (from == KbStatus::kPublished && to == KbStatus::kRetired) ||
         (from == KbStatus::kRetired && to == KbStatus::kDraft);
}
}  // namespace

Result<KbEntry> KbService::SaveOne(KbEntry entry, Id by) {
  ASSIGN_OR_RETURN(auto saved, Save({std::move(entry)}, by));
  return saved.at(0);
}

Result<KbEntry> KbService::Edit(KbEntry edit, bool status_given, Id by) {
  ASSIGN_OR_RETURN(KbEntry old, Get(edit.id));
  edit.external_id = old.external_id;
  if (status_given || old.status != KbStatus::kPublished) {
    if (!status_given) edit.status = KbStatus::kDraft;
    return SaveOne(std::move(edit), by);
  }
  // The version the editor loaded, or else the one just read: a change saved between this
  // read and the save is refused, not overwritten.
  old.expected_version = edit.expected_version ? edit.expected_version : old.version;
  edit.status = KbStatus::kDraft;
  edit.expected_version = 0;
  edit.updated_by = by;
  edit.updated_at = clock_->NowMs();
  old.revision = std::make_shared<const KbEntry>(std::move(edit));
  old.revision_only = true;
  return SaveOne(std::move(old), by);
}

Result<KbEntry> KbService::SetStatus(Id id, KbStatus status, Id by, int expected_version) {
  ASSIGN_OR_RETURN(KbEntry e, Get(id));
  e.expected_version = expected_version ? expected_version : e.version;
  if (e.revision && status != KbStatus::kRetired) {
    if (!KbTransition(e.revision->status, status)) {
      return Status(Code::kConflict, std::string("the pending revision is ") + KbStatusName(e.revision->status) +
                                         " and cannot become " + KbStatusName(status), {}, "invalid_transition");
    }
    if (status == KbStatus::kPublished) {
      // The revision's text takes the entry's place; its record of direct answers stays.
      KbEntry next = *e.revision;
      next.id = e.id;
      next.external_id = e.external_id;
      next.status = KbStatus::kPublished;
      next.expected_version = e.expected_version;
      next.revision = nullptr;
      e = std::move(next);
    } else {
      auto revision = std::make_shared<KbEntry>(*e.revision);
      revision->status = status;
      e.revision = std::move(revision);
      e.revision_only = true;
    }
  } else {
    if (!KbTransition(e.status, status)) {
      return Status(Code::kConflict, std::string("an entry that is ") + KbStatusName(e.status) + " cannot become " +
                                         KbStatusName(status), {}, "invalid_transition");
    }
    e.status = status;
    e.revision = nullptr;  // retired: the revision of what is no longer served goes with it
  }
  return SaveOne(std::move(e), by);
}

Result<KbEntry> KbService::DiscardRevision(Id id, Id by, int expected_version) {
  ASSIGN_OR_RETURN(KbEntry e, Get(id));
  if (!e.revision) return Conflict("no_revision", "the entry has no pending revision");
  e.revision = nullptr;
  e.revision_only = true;
  e.expected_version = expected_version ? expected_version : e.version;
  return SaveOne(std::move(e), by);
}

Status KbService::SaveCase(Id ticket_id, const std::string& number, const std::string& category_code,
                           const std::string& request, const std::string& answer) {
  KbEntry e;
  e.kind = "case";
  e.external_id = "ticket:" + IdToString(ticket_id);
  e.title = number;
  // Offered to staff on other citizens' requests: the phone and ID numbers written in it masked.
  e.body = MaskPersonalNumbers(request + "\n【答复】" + answer);
  e.category_code = category_code;
  if (e.body.size() > kMaxKbBodyBytes) e.body.resize(kMaxKbBodyBytes);
  return Save({std::move(e)}, 0).status();
}

Status KbService::WithdrawCase(Id ticket_id, const std::string& number) {
  KbEntry e;
  e.kind = "case";
  e.external_id = "ticket:" + IdToString(ticket_id);
  e.title = number;
  e.status = KbStatus::kRetired;
  return Save({std::move(e)}, 0).status();
}

Result<Synonyms> KbService::LoadSynonyms() {
  ASSIGN_OR_RETURN(auto groups, store_->KbSynonymGroups());
  Synonyms s;
  for (const auto& g : groups) s.AddGroup(g.terms);
  return s;
}

KbPlaces KbPlacesOf(const OrgSnapshot& org) {
  KbPlaces places;
  for (const auto& a : org.areas()) {
    const std::string key = "area:" + IdToString(org.DistrictOf(a.id));
    places.Add(a.name, key);
    for (const auto& alias : a.aliases) places.Add(alias, key);
  }
  return places;
}

Result<Id> KbService::AddSynonyms(const std::vector<std::string>& terms) {
  if (terms.size() < 2 || terms.size() > 20) return InvalidArgument("terms", "a synonym group has 2 to 20 terms");
  // Terms as search compares them: a group of one term written twice expands nothing.
  std::set<std::string> norm;
  for (size_t i = 0; i < terms.size(); ++i) {
    const std::string f = "terms[" + std::to_string(i) + "]";
    const std::string& t = terms[i];
    if (Trim(t).empty() || t.size() > 100 || !IsValidUtf8(t) || HasAsciiControl(t)) {
      return InvalidArgument(f, "each term is 1-100 bytes of text without control characters");
    }
    auto n = NormaliseText(t);
    // Punctuation alone (？, *) would expand every query that holds it into the other terms.
    bool searchable = false;
    if (n.ok()) {
      for (size_t k = 0; k < n->size() && !searchable;) searchable = IsWordChar(NextCodePoint(*n, k));
    }
    if (!searchable) return InvalidArgument(f, "holds no searchable text: a word needs letters, digits or ideographs");
    if (!norm.insert(*n).second) return InvalidArgument(f, "'" + t + "' repeats another term of the group");
  }
  // Against the groups as stored when the group is written: two added at once see each other.
  const auto check = [&](const std::vector<Store::SynonymGroup>& groups) -> Status {
    for (const auto& g : groups) {
      std::set<std::string> other;
      for (const auto& t : g.terms) {
        if (auto n = NormaliseText(t); n.ok()) other.insert(*n);
      }
      if (other == norm) return Status(Code::kConflict, "the same group exists already (id " + IdToString(g.id) + ")", "terms");
      // Every term in one group already: the new group would expand nothing more.
      if (std::includes(other.begin(), other.end(), norm.begin(), norm.end())) {
        return Status(Code::kConflict, "group " + IdToString(g.id) + " holds all these terms already", "terms");
      }
    }
    return Status::Ok();
  };
  synonyms_.reset();
  return store_->KbAddSynonymGroup(terms, check);
}

Status KbService::DeleteSynonyms(Id id) {
  synonyms_.reset();
  return store_->KbDeleteSynonymGroup(id);
}

Result<std::vector<KbResult>> KbService::Search(std::string_view query, const KbQuery& q, bool cache_postings) {
  if (query.size() > kMaxQueryBytes) return InvalidArgument("q", "is longer than 20000 bytes");
  if (!IsValidUtf8(query)) return InvalidArgument("q", "is not valid UTF-8");
  if (!HasVisibleText(query)) return InvalidArgument("q", "must not be empty");
  if (q.limit == 0 || q.limit > kMaxLimit) return InvalidArgument("limit", "must be between 1 and 50");
  if (!cache_postings) synonyms_.reset();
  if (!synonyms_) {
    ASSIGN_OR_RETURN(Synonyms s, LoadSynonyms());
    synonyms_ = std::move(s);
  }
  if (!places_) {
    ASSIGN_OR_RETURN(OrgSnapshot org, store_->LoadOrg());
    places_ = std::make_shared<const KbPlaces>(KbPlacesOf(org));
  }
  KbPostingsCache* cache = cache_postings ? &batch_ : shared_;
  int64_t generation = 0;
  if (cache) {
    ASSIGN_OR_RETURN(generation, store_->KbGeneration());
    cache->Sync(generation);
  }
  Reader reader(store_, cache, generation, q.kind);
  ASSIGN_OR_RETURN(auto hits, RankKb(reader, query, *synonyms_, KbSearchOptions{}));
  const TimeMs now = clock_->NowMs();
  // The snippet marks what matched, a synonym's words too (煤气 finds and marks 燃气).
  const std::string normalised = Normalised(query);
  std::vector<std::string> snippet_terms = KbQueryTerms(query);
  const std::vector<std::string> expansions = synonyms_->ExpandIn(normalised);
  for (const auto& syn : expansions) {
    for (auto& t : KbQueryTerms(syn)) snippet_terms.push_back(std::move(t));
  }
  // An entry found through a synonym alone must hold it as written: 医疗保险 for 医保, not
  // the 保险 of 养老保险.
  const auto holds_synonym = [&](const KbEntry& e) {
    std::string text = e.title + "\n" + e.body;
    for (const auto& k : e.keywords) text += "\n" + k;
    text = Normalised(text);
    return std::any_of(expansions.begin(), expansions.end(), [&](const std::string& x) { return text.find(x) != std::string::npos; });
  };
  // An older entry's score drops a little (Freshness), an entry naming only places the query
  // does not name is about somewhere else, its score dropping more (kOtherPlaceFactor), and
  // so does one filed under another category than the request's (kOtherCategoryFactor).
  // Scores only drop, so the reading below goes on until the limit-th best adjusted score is
  // above the next unread entry's score, or kPlaceReading candidates are read.
  const std::set<std::string> query_places = places_->In(normalised);
  std::vector<KbResult> out;
  const auto better = [](const KbResult& a, const KbResult& b) {
    return a.score != b.score ? a.score > b.score : a.entry.id < b.entry.id;
  };
  auto settled = [&](size_t next) {
    if (out.size() < q.limit) return false;
    if (next >= hits.size() || next >= kPlaceReading) return true;
    std::nth_element(out.begin(), out.begin() + static_cast<long>(q.limit - 1), out.end(), better);
    return out[q.limit - 1].score > hits[next].score;
  };
  // Read down the ranking in chunks, keeping what the filters allow.
  for (size_t at = 0; at < hits.size() && !settled(at); at += 50) {
    std::vector<Id> ids;
    for (size_t i = at; i < std::min(hits.size(), at + 50); ++i) ids.push_back(hits[i].entry_id);
    ASSIGN_OR_RETURN(auto entries, store_->KbGetMany(ids));
    std::map<Id, KbEntry*> by_id;
    for (auto& e : entries) by_id[e.id] = &e;
    for (size_t i = at; i < std::min(hits.size(), at + 50); ++i) {
      auto it = by_id.find(hits[i].entry_id);
      if (it == by_id.end()) continue;
      KbEntry& e = *it->second;
      if (e.kind != q.kind) continue;
      if (q.status ? e.status != *q.status : !e.CurrentAt(now)) continue;
      if (q.public_only && !(e.is_public && e.CurrentAt(now))) continue;
      if (!q.category_prefix.empty() && !CodeHasPrefix(e.category_code, q.category_prefix)) continue;
      if (hits[i].synonym_only && !holds_synonym(e)) continue;
      KbResult r;
      r.score = hits[i].score * Freshness(e, now);
      if (!query_places.empty() && ElsewhereThan(query_places, places_->In(Normalised(e.title + "\n" + Utf8Prefix(e.body, kPlaceTextBytes))))) {
        r.score *= kOtherPlaceFactor;
      }
      if (!q.prefer_category.empty() && !e.category_code.empty() && !RelatedCategory(e.category_code, q.prefer_category)) {
        r.score *= kOtherCategoryFactor;
      }
      r.entry = std::move(e);
      out.push_back(std::move(r));
    }
  }
  std::sort(out.begin(), out.end(), better);
  if (out.size() > q.limit) out.resize(q.limit);
  for (auto& r : out) r.snippet = KbSnippet(r.entry.body, snippet_terms);
  return out;
}

}  // namespace hotline
