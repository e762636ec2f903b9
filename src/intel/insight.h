// Early warning from the text of many requests: near-duplicate groups (并单 candidates)
// and hotspots (热点问题) — matters of one place and one problem, ranked by a heat index.
//
// Both work on character bigrams of normalised text (traditional folded to simplified,
// width and whitespace normalised, punctuation dropped), so rewording, added sentences
// and traditional characters still match.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"

namespace hotline::intel {

struct Message {
  std::string id;
  std::string title;  // may be empty; weighs double in hotspots
  std::string text;   // the whole text (title included where the source joins them)
  std::optional<TimeMs> time;
  std::string user;   // caller / account, for distinct-caller counts
  int64_t votes = 0;  // likes + dislikes where the channel has them
  // Structured fields where the source has them (a 311 record's request type and street
  // address): two messages that both carry one are duplicates only when they agree on it,
  // the address compared after normalisation (case, width, spaces and punctuation).
  std::string category{};
  std::string address{};
  // The text's hotspot features as stored at intake (EncodeFeatures of HotspotFeatures of
  // the title and text above); empty or unreadable: hotspots work them out from the text.
  std::string features{};
  // The ticket's urgency where the source has one (normal | urgent | emergency).
  std::string urgency{};
  // A confidential report (保密件): counted like any other, but its words may name its
  // reporter, so they are never quoted as a matter's description.
  bool confidential = false;
};

// "2019/2/28 11:25:05", "2019-09-05 12:29:01", ISO 8601; read in the city's zone.
std::optional<TimeMs> ParseLooseTime(const std::string& s);

struct DuplicateOptions {
  double threshold = 0.5;  // Jaccard similarity of character bigrams
  // A message that repeats another and adds sentences: containment of the shorter in the
  // longer at least this, with Jaccard at least `threshold_with_containment`.
  double containment = 0.9;
  double threshold_with_containment = 0.3;
  // Dated messages further apart than this are never duplicates (0: no limit), as intake
  // looks back over a window only.
  TimeMs window_ms = 0;
};

// The Jaccard similarity of two shingle sets when they are near duplicates under `opts`,
// else a negative number.
double NearDuplicateScore(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b,
                          const DuplicateOptions& opts = {});

struct DuplicateGroup {
  std::vector<size_t> members;  // indexes into the input; the first is the group's leader
  double score = 0;             // lowest similarity of a member to the leader
};

// Groups of messages about the same matter in the same words. Every member is similar to
// the group's leader (no chains of pairwise-similar messages drifting off topic), and
// agrees with it on category and address where both carry them, and names a place it
// names where both name places (PlacesApart).
std::vector<DuplicateGroup> FindDuplicates(const std::vector<Message>& msgs, const DuplicateOptions& opts = {});

// The distinct character bigrams of normalised text (letters, digits, ideographs), sorted:
// what duplicate similarity is computed on.
std::vector<uint64_t> Shingles(const std::string& text);

// Jaccard similarity of two sorted shingle sets.
double Jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);

// What names a place in a citizen's words (hotspots key matters by it): the ideographs
// before one of these suffixes. Longer suffixes first, so 小区 wins over 区-less readings.
const std::vector<std::u32string>& PlaceSuffixes();

// The place keys a text names that read as names (see PlaceSuffixes: 和平新村 gives 平新村
// and 和平新村; 旁边就是学校 gives none), ascending.
std::vector<std::string> PlacesNamedIn(const std::string& text);

// Two texts that both name places, none of them the same (no key in common), are about
// different places: the same complaint at two estates is two matters, never one to merge.
bool PlacesApart(const std::vector<std::string>& a, const std::vector<std::string>& b);

// Locality-sensitive hashes for near-duplicate lookup among stored tickets: MinHash over
// the shingles, 16 bands of 4 rows. Two texts share at least one band value with
// probability 1 − (1 − J⁴)¹⁶: 0.64 at Jaccard 0.5, 0.99 at 0.7, 0.03 at 0.2. Each value
// already includes its band number. Empty for text without shingles.
constexpr int kLshBands = 16, kLshRows = 4;
std::vector<int64_t> LshBands(const std::vector<uint64_t>& shingles);

// Petition cross-check (信访查重): which tickets match which petition records, by cosine of
// character-bigram TF-IDF (shared idf), with the place keys both name as evidence.
struct PetitionMatch {
  size_t ticket = 0, petition = 0;  // indexes into the inputs
  double score = 0;
  std::vector<std::string> shared_places;
};
std::vector<PetitionMatch> CrossCheckPetitions(const std::vector<Message>& tickets, const std::vector<Message>& petitions,
                                               double threshold = 0.4);

// What hotspots read of a message: worked out once, when a ticket is taken in, and stored
// with it, so clustering a period starts from these instead of the texts (normalising and
// cutting texts into bigrams is most of the work of reading them).
struct TextFeatures {
  std::vector<uint64_t> grams;      // distinct character bigrams of text and title (title counted again), ascending
  std::vector<uint16_t> counts;     // occurrences of each (at most 65,535)
  std::vector<std::string> places;  // place keys (the ideographs before a place suffix), ascending
};
TextFeatures HotspotFeatures(const std::string& title, const std::string& text);

// A compact, versioned byte form of the features (delta-coded bigrams). Decoding refuses
// (nullopt) data of another version or damaged data, so a change to the features makes
// stored ones fall back to the text rather than mislead.
std::string EncodeFeatures(const TextFeatures& f);
std::optional<TextFeatures> DecodeFeatures(std::string_view data);

// Seconds spent in each stage of a run, in order (for benchmarks and profiling).
using StageTimes = std::vector<std::pair<std::string, double>>;

struct HotspotOptions {
  double link = 0.08;          // cosine (TF-IDF bigrams) for two messages about one place to be one matter
  double merge = 0.3;          // cosine of two linked clusters' centroids to merge them
  // A place key in more messages than this share (and 20), or than max_place_messages, is
  // busy: dropped unless it reads as a name, and then its messages link at busy_link.
  double max_place_share = 0.01;
  size_t max_place_messages = 2000;
  double busy_link = 0.3;
  size_t window = 300;         // a message is compared with this many later ones naming its place
  size_t top = 10;
  size_t threads = 1;          // 0: one per core
  StageTimes* stages = nullptr;  // when set, FindHotspots appends where its time went
};

// A matter reported only in confidential reports is described by this, never by their words.
inline constexpr const char* kConfidentialOnly = "（保密件，内容不显示）";

struct Hotspot {
  int rank = 0;
  double heat = 0;
  std::vector<size_t> members;  // most central first
  std::optional<TimeMs> time_from, time_to;
  std::string place;
  std::string description;  // the most central message's title (or opening) that is not
                            // confidential; kConfidentialOnly when every message is
  size_t callers = 0;
  int64_t votes = 0;
  double coherence = 0;  // mean cosine of members to the matter's centroid
  double growth = 1;     // (reports in the period's last 7 days + 1) / (in the 7 before + 1);
                         // 1 when the messages span less than two weeks (no week before)
  double urgency = 0;    // members' mean urgency: normal 0, urgent 0.5, emergency 1
};

// Clusters the messages into matters and ranks them by heat:
//   heat = distinct callers × (1 + ln(1 + votes) / 4) × (1 + ln(1 + span in months) / 3)
//          × (1 + ln(max(1, growth)) / 3) × (1 + urgency / 2) × coherence²
// Volume counts through callers (one person repeating themselves is one voice), votes
// through their logarithm, a matter that keeps coming back over months weighs more than a
// one-day burst, one whose reports are rising at the end of the period and one reported
// as urgent weigh more, and a loose cluster weighs less than a tight one: coherence² is
// close to the mean similarity of two of its messages, the chance that they are one matter.
std::vector<Hotspot> FindHotspots(const std::vector<Message>& msgs, const HotspotOptions& opts = {});

}  // namespace hotline::intel
