// Knowledge-base use cases over the Store: import, edit and review entries, search with
// filters (status, validity, category, visibility), agent suggestions for a ticket, and
// use counts from direct answers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kb/kb.h"
#include "store/store.h"

namespace hotline {

struct KbQuery {
  std::string category_prefix;
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

class KbService {
 public:
  KbService(Store* store, const Clock* clock) : store_(store), clock_(clock) {}

  // Validates and indexes entries in one transaction (all or nothing).
  Result<std::vector<KbEntry>> Save(std::vector<KbEntry> entries, Id by);
  Result<KbEntry> SetStatus(Id id, KbStatus status, Id by);
  // Each query ranked on its own. `cache_postings` keeps postings across calls of one
  // batch (for the CLI); servers read fresh postings every time, so an index written by
  // another server is never stale.
  Result<std::vector<KbResult>> Search(std::string_view query, const KbQuery& q, bool cache_postings = false);
  Status AddSynonyms(const std::vector<std::string>& terms);
  // Indexes a closed ticket with its answer as a similar case (replacing an earlier one).
  Status SaveCase(Id ticket_id, const std::string& number, const std::string& category_code,
                  const std::string& request, const std::string& answer);

 private:
  class Reader;
  Result<Synonyms> LoadSynonyms();

  Store* store_;
  const Clock* clock_;
  std::map<std::string, std::vector<KbPosting>> cache_;
  std::optional<Synonyms> synonyms_;  // reloaded per search unless caching
};

}  // namespace hotline
