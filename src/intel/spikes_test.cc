#include <gtest/gtest.h>

#include "intel/spikes.h"

namespace hotline::intel {
namespace {

TEST(Spikes, BurstAboveItsOwnWeekdayAwareBand) {
  // Ten a day on weekdays, two at weekends, for twelve weeks; then a burst of 40.
  std::map<std::string, std::map<int64_t, int64_t>> counts;
  const int64_t start = 20000;  // a Monday? whatever: the profile is learnt
  for (int64_t d = start; d < start + 84; ++d) {
    const int wd = static_cast<int>(((d % 7) + 7 + 3) % 7);
    counts["路灯 / 江南区"][d] = wd >= 5 ? 2 : 10 + (d % 3);
  }
  counts["路灯 / 江南区"][start + 84] = 40;
  const auto spikes = DetectSpikes(counts, start + 28, start + 84);
  ASSERT_EQ(spikes.size(), 1u);
  EXPECT_EQ(spikes[0].day, start + 84);
  EXPECT_EQ(spikes[0].count, 40);
  EXPECT_GT(spikes[0].jump, 2.5);
  EXPECT_LT(spikes[0].expected, 15.0);
}

TEST(Spikes, WeekdayRhythmAndSmallCountsAreNotSpikes) {
  std::map<std::string, std::map<int64_t, int64_t>> counts;
  for (int64_t d = 0; d < 120; ++d) {
    const int wd = static_cast<int>(((d % 7) + 7 + 3) % 7);
    counts["busy"][d] = wd == 0 ? 30 : 8;  // Mondays are always busy
    counts["quiet"][d] = d % 10 == 0 ? 3 : 0;  // three is below min_count
  }
  EXPECT_TRUE(DetectSpikes(counts, 60, 119).empty());
  double expected = 0, upper = 0;
  EXPECT_FALSE(IsSpike({1, 2, 3}, 10, 100, {}, &expected, &upper));  // too little history
}

}  // namespace
}  // namespace hotline::intel
