// Knowledge-base use cases over the Store: import, edit and review entries, search with
// filters (status, validity, category, visibility), agent suggestions for a ticket, and
// use counts from direct answers.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kb/kb.h"
#include "store/store.h"

namespace hotline {

struct KbQuery {
  std::string category_prefix;
  // The request's category (picked, or proposed with confidence), for agent assist: an entry
  // filed under another second-level category ranks lower (kOtherCategoryFactor), one with
  // no category is left as it is. Not a filter: a good match elsewhere still shows.
  std::string prefer_category;
  bool public_only = false;
  // Default: only what is current (published, effective, not expired). A status filter
  // lists entries of that status instead (for editors), validity not applied.
  std::optional<KbStatus> status;
  size_t limit = 10;
  std::string kind = "entry";  // "case": similar past tickets instead of knowledge entries
};

struct KbResult {
  KbEntry entry;
  double score = 0;
  std::string snippet;
};

// Postings kept in memory by one process across searches (a server's common terms are read
// once, not on every keystroke). Valid for one index generation (Store::KbGeneration): any
// server's change to the index moves it and empties the cache at the next search, so no
// process ranks on a stale index. Bounded by the number of postings held. Thread-safe.
class KbPostingsCache {
 public:
  explicit KbPostingsCache(size_t max_postings = 4'000'000) : max_(max_postings) {}
  // Empties the cache if the index has moved to `generation` since it was filled.
  void Sync(int64_t generation);
  // The cached postings of `key` as of `generation`, or null.
  KbPostingList Find(const std::string& key, int64_t generation) const;
  // Keeps postings read at `generation` (ignored if the cache has moved on meanwhile, or is full).
  void Put(const std::string& key, int64_t generation, KbPostingList postings);

 private:
  mutable std::mutex mu_;
  size_t max_;
  int64_t generation_ = -1;
  size_t held_ = 0;
  std::unordered_map<std::string, KbPostingList> map_;
};

// The places of the city's organisation for knowledge search: every area's name and
// aliases, each keyed by the district it lies in.
KbPlaces KbPlacesOf(const OrgSnapshot& org);

class KbService {
 public:
  // `shared`: the process's postings cache (servers); null reads the index every time.
  // `places`: the city's places (KbPlacesOf the organisation, which a server caches); null
  // reads them from the store at the first search.
  KbService(Store* store, const Clock* clock, KbPostingsCache* shared = nullptr,
            std::shared_ptr<const KbPlaces> places = nullptr)
      : store_(store), clock_(clock), shared_(shared), places_(std::move(places)) {}

  // Validates and indexes entries in one transaction (all or nothing).
  Result<std::vector<KbEntry>> Save(std::vector<KbEntry> entries, Id by);
  // One entry's save (an editor's create, edit or review step): the entry as saved.
  Result<KbEntry> SaveOne(KbEntry entry, Id by);
  // Re-derives the whole index when it was built by an older kKbTermsVersion (once, by
  // whichever process opens the database first); returns how many entries it re-indexed.
  Result<int64_t> ReindexIfStale();
  // An editor's save of an existing entry (`edit.id` set). With `status_given` the entry
  // becomes the edit as sent. Otherwise the edit goes through review: a published entry
  // keeps serving its text while the edit waits beside it as a draft revision (待审修订; a
  // later edit replaces it), and any other entry becomes the edit, as a draft.
  Result<KbEntry> Edit(KbEntry edit, bool status_given, Id by);
  // The review workflow: draft → reviewed → published → retired (reviewed may go back to
  // draft, retired be re-drafted). An entry with a pending revision moves the revision
  // instead, and publishing it puts its text in the entry's place; retiring the entry
  // drops the revision. A change saved meanwhile is not overwritten (stale_version). Saves
  // that change only the revision leave the served entry's updated_at alone.
  // `expected_version`: the version the editor acted on (0: the one read here); refused as
  // stale_version when the entry has moved on.
  Result<KbEntry> SetStatus(Id id, KbStatus status, Id by, int expected_version = 0);
  // Drops the entry's pending revision (kConflict no_revision when none waits).
  Result<KbEntry> DiscardRevision(Id id, Id by, int expected_version = 0);
  // A knowledge entry by id; past tickets indexed as similar cases are not entries (404).
  Result<KbEntry> Get(Id id);
  // Each query ranked on its own. `cache_postings` keeps postings (and synonyms) across
  // calls of one batch in this service's own cache (for the CLI); otherwise the shared
  // cache is used, if any. Either is checked against the index's generation, so an index
  // written by another server is never stale.
  Result<std::vector<KbResult>> Search(std::string_view query, const KbQuery& q, bool cache_postings = false);
  // A group of 2-20 distinct terms (as search normalises them: 煤气 and 煤氣 are one term);
  // the same group twice is a conflict. Returns the group's id.
  Result<Id> AddSynonyms(const std::vector<std::string>& terms);
  Status DeleteSynonyms(Id id);
  // Indexes a closed ticket with its answer as a similar case (replacing an earlier one).
  Status SaveCase(Id ticket_id, const std::string& number, const std::string& category_code,
                  const std::string& request, const std::string& answer);
  // Withdraws a ticket's similar case when it is no longer solved (reopened): a new version,
  // retired and without text, so its answer is neither served nor indexed.
  Status WithdrawCase(Id ticket_id, const std::string& number);

 private:
  class Reader;
  Result<Synonyms> LoadSynonyms();

  Store* store_;
  const Clock* clock_;
  KbPostingsCache* shared_;
  KbPostingsCache batch_;
  std::optional<Synonyms> synonyms_;  // reloaded per search unless caching
  std::shared_ptr<const KbPlaces> places_;
};

}  // namespace hotline
