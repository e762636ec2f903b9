// The knowledge base (知识库): entries with validity periods, review workflow, versions and
// visibility, and Chinese-aware ranked search. Segmentation and ranking (BM25 over words
// and CJK bigrams, title and keywords boosted, synonyms expanded, validity enforced) are
// this module's own layer; the postings live in the store's tables, so every server that
// shares a database sees the same index and results do not depend on the backend.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/status.h"

namespace hotline {

enum class KbStatus { kDraft, kReviewed, kPublished, kRetired };
const char* KbStatusName(KbStatus s);
std::optional<KbStatus> ParseKbStatus(std::string_view s);

struct KbEntry {
  Id id = 0;
  std::string external_id;   // the id it was imported with, if any
  std::string title, body, category_code;
  std::vector<std::string> keywords;
  Id owner_unit_id = 0;
  TimeMs effective_at = 0;   // 0: always
  TimeMs expires_at = 0;     // 0: never
  KbStatus status = KbStatus::kPublished;
  // "entry": a knowledge entry. "case": a closed ticket with its answer, indexed apart (its
  // own terms and statistics) so that similar past cases never skew the entries' ranking.
  std::string kind = "entry";
  bool is_public = false;    // shown on the citizens' FAQ
  int version = 1;
  // A save that must find the stored entry at this version (an editor's form, as loaded),
  // refused as stale_version otherwise; 0 for any (imports, the review workflow).
  int expected_version = 0;
  // A save that changes only the pending revision below: the served entry keeps its
  // updated_at and updated_by (what agents see as its last change, and its freshness).
  bool revision_only = false;
  // Set by a save that found the entry exactly as given (a file exported and imported
  // again): no new version, and its updated_at (its freshness) is left alone.
  bool unchanged = false;
  Id updated_by = 0;
  TimeMs updated_at = 0;
  int64_t use_count = 0;     // times used in a direct answer
  // An edit of a published entry awaiting review (待审修订), itself draft or reviewed, with
  // who made it (updated_by) and when: the entry keeps serving its published text until the
  // revision is published over it. Null when none waits.
  std::shared_ptr<const KbEntry> revision;

  bool CurrentAt(TimeMs now) const {
    return status == KbStatus::kPublished && (effective_at == 0 || effective_at <= now) &&
           (expires_at == 0 || now < expires_at);
  }
};

constexpr size_t kMaxKbBodyBytes = 200000;

// Parses one entry from JSON ({"id"?, "title", "body", "category"|"category_code"?,
// "keywords"?, "status"?, "visibility"?: internal|public, "effective"?, "expires"?,
// "owner_unit_id"?}); entries without a status are published. Errors name the field.
Result<KbEntry> ParseKbEntry(std::string_view json_text);
// Whether `name` is one of the fields above. The API and the CSV import refuse any other,
// naming it, rather than drop it (a misnamed expires_at would leave an entry served forever).
bool IsKbEntryField(std::string_view name);
std::string KbEntryFieldNames();  // "id, title, body, ..." for messages
std::string KbEntryJson(const KbEntry& e);  // the export form (same fields)
// A pending revision as stored beside its entry ({"entry": export form, "by", "at"}), and back.
std::string KbRevisionJson(const KbEntry& revision);
std::shared_ptr<const KbEntry> ParseKbRevision(std::string_view stored);

// What the index holds for one entry: weighted term frequencies and a length.
struct KbDocTerms {
  std::map<std::string, int> tf;
  int length = 0;
};
// Title terms count three times, keywords twice, body once. With `characters`, each CJK
// character of the title and keywords is a term of its own as well (under kKbCharacterMark,
// outside the entry's length), for a query of one character (水 finds 停水原因查询): no other
// query reads them. The body's are left out: they would add a third to the index.
KbDocTerms TermsOfEntry(const KbEntry& e, bool characters = true);
inline constexpr std::string_view kKbCharacterMark = "\x1f";
// The version of what TermsOfEntry extracts: bumped whenever it (or Terms() beneath it)
// changes, so that an index built by an older binary is re-derived when a newer one opens
// the database (2: bigrams run across ASCII letters and digits; 3: characters; 4: only the
// title's and keywords').
constexpr int kKbTermsVersion = 4;

struct KbPosting {
  Id entry_id = 0;
  int tf = 0;
  int length = 0;
};

struct KbHit {
  Id entry_id = 0;
  double score = 0;
  bool synonym_only = false;  // matched none of the query's own terms, only a synonym's
};

// One term's postings, shared with the cache that holds them (a search reads them, never
// copies them).
using KbPostingList = std::shared_ptr<const std::vector<KbPosting>>;

// Where the searcher reads the index from (the store implements it).
class KbIndexReader {
 public:
  virtual ~KbIndexReader() = default;
  virtual Result<KbPostingList> Postings(const std::string& term) = 0;
  // How many entries hold the term; by default the length of its postings.
  virtual Result<int64_t> Df(const std::string& term) {
    ASSIGN_OR_RETURN(auto p, Postings(term));
    return static_cast<int64_t>(p->size());
  }
  // Number of indexed entries and the sum of their lengths.
  virtual Result<std::pair<int64_t, int64_t>> Stats() = 0;
};

// Synonym groups (煤气/燃气, 医保/医疗保险): each term of a group finds the others.
class Synonyms {
 public:
  void AddGroup(const std::vector<std::string>& terms);
  // The synonyms of every term found in the (normalised) text, as written anywhere in it,
  // not only as a whole word: ICU reads 医保 as two characters and 医疗保险 as two words.
  std::vector<std::string> ExpandIn(std::string_view text) const;
  bool empty() const { return groups_.empty(); }

 private:
  std::map<std::string, std::vector<std::string>> groups_;
};

struct KbSearchOptions {
  size_t limit = 10;
  size_t max_candidates = 2000;  // scored entries kept before filtering
};

// BM25 over the query's terms (words + bigrams, synonyms expanded at a lower weight).
// Terms are weighted by their frequency in the query, and a long query keeps its 96 most
// informative terms. The lead of a longer query (its first clause, ending within 40
// characters, with more words after it: the title a citizen's message starts with) has its
// terms counted once more. Returns candidates best first, unfiltered (the caller applies
// status, validity, visibility and category, reading down the list).
Result<std::vector<KbHit>> RankKb(KbIndexReader& index, std::string_view query, const Synonyms& synonyms,
                                  const KbSearchOptions& opts);

// The places a text names (地名), to tell an answer written for one district from one
// written for another. A place is known by its key: the district it lies in.
class KbPlaces {
 public:
  // A name (at least two characters) of a place in the district `key`: the district's own
  // name, or a street's, an estate's, an alias. A name two districts share (人民路) names
  // both.
  void Add(std::string_view name, const std::string& key);
  // The keys of the places named in normalised text: the names added, longest first, and
  // coded names as anonymised public records write them — a Latin letter, up to two digits
  // and 市 or 县, or a letter, one or two digits and 区 (A市, B6县 and A1区 all lie in "~a";
  // an estate's C区, a 市场 or 区域 are not places).
  std::set<std::string> In(std::string_view normalised) const;

 private:
  // The names beginning with one character: their keys by name, and their lengths in bytes,
  // longest first (a text is looked up at each length, so a gazetteer of tens of thousands of
  // names costs a few lookups per character, and adding one is no scan).
  struct Names {
    std::vector<size_t> lengths;
    std::unordered_map<std::string, std::vector<std::string>> keys;
  };
  std::unordered_map<char32_t, Names> by_first_;
};

// An entry that names places, none of them a place the query names, is about somewhere else:
// its score is multiplied by this. On the reply check, whose data names places only by
// code, MRR@10 went from 0.716 to 0.732 and recall@10 from 0.816 to 0.835.
inline constexpr double kOtherPlaceFactor = 0.5;
// Whether an entry naming `entry` places is about somewhere else than a query naming
// `query`: coded names are compared with coded names and the city's with the city's, and
// the entry is elsewhere when some kind is named by both and none of the entry's is the
// query's.
bool ElsewhereThan(const std::set<std::string>& query, const std::set<std::string>& entry);

// The query's terms as snippets highlight them: worked out once for the several results of
// one search (a whole citizen message is normalised and segmented once, not per result).
std::vector<std::string> KbQueryTerms(std::string_view query);
// A snippet of `text` around the first query term found, with matches in <em>…</em>.
std::string KbSnippet(const std::string& text, const std::vector<std::string>& query_terms, size_t max_chars = 80);

}  // namespace hotline
