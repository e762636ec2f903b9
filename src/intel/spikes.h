// Spikes (突增): a day's count for one key (category × area, request type, …) compared with
// its own history, weekday-aware. The expected count is the median of the previous 28 days
// scaled by the weekday's share over the previous 8 weeks; the band above it is
// 3 × max(√expected, 1.4826 × MAD of those 28 days) — Poisson noise for small counts, the
// series' own spread for large ones. A count above the band and at least `min_count` is a
// spike, reported with the size of the jump.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace hotline::intel {

struct SpikeOptions {
  int history_days = 28;  // for the level
  int weekday_weeks = 8;  // for the weekday profile
  double sigmas = 3.0;
  int min_count = 5;      // fewer than this is never a spike
  int min_history = 14;   // days of history a key needs before it can spike
};

struct Spike {
  std::string key;
  int64_t day = 0;  // days since 1970-01-01 (city time)
  int64_t count = 0;
  double expected = 0, upper = 0;  // the band's top
  double jump = 0;                 // count / max(expected, 1)
};

// counts[key][day] = requests that day (absent days count 0 once a key has started).
// Days in [from_day, to_day] are checked.
std::vector<Spike> DetectSpikes(const std::map<std::string, std::map<int64_t, int64_t>>& counts, int64_t from_day,
                                int64_t to_day, const SpikeOptions& opts = {});

// The same test for one day given its history (oldest first, the day itself excluded):
// fills expected and upper, returns whether `count` is a spike.
bool IsSpike(const std::vector<int64_t>& history, int64_t day, int64_t count, const SpikeOptions& opts, double* expected,
             double* upper);

}  // namespace hotline::intel
