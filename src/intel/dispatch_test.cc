#include <gtest/gtest.h>

#include "intel/dispatch.h"

namespace hotline::intel {
namespace {

TEST(RankUnits, SpecificEvidenceWinsAndGeneralFillsGaps) {
  // Street lights in the east go to the east depot; street lights in general to the city.
  std::vector<UnitCount> east = {{"east-depot", 9, 0}, {"city-lights", 1, 0}};
  std::vector<UnitCount> lights = {{"city-lights", 80, 2}, {"east-depot", 10, 0}, {"parks", 3, 5}};
  auto r = RankUnits({east, lights});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].unit, "east-depot");
  EXPECT_EQ(r[1].unit, "city-lights");
  EXPECT_EQ(r[2].unit, "parks");
  // With no place evidence, the general level decides.
  auto g = RankUnits({{}, lights});
  EXPECT_EQ(g[0].unit, "city-lights");
  double sum = 0;
  for (const auto& u : g) sum += u.score;
  EXPECT_LE(sum, 1.0);  // returned requests keep some mass from every unit
  EXPECT_GT(sum, 0.9);
}

TEST(RankUnits, ReturnsCountAgainstTheUnit) {
  // a was sent 20 and returned 15; b kept all 8 it got.
  auto r = RankUnits({{{"a", 5, 15}, {"b", 8, 0}}});
  EXPECT_EQ(r[0].unit, "b");
  EXPECT_TRUE(RankUnits({}).empty());
}

}  // namespace
}  // namespace hotline::intel
