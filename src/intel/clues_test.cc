#include <gtest/gtest.h>

#include "intel/clues.h"

namespace hotline::intel {
namespace {

TEST(Clues, HarmsInTheProcuratorateDomainsWithEvidence) {
  auto hits = FindLitigationClues("河边的化工厂每天晚上偷排废水，河里的鱼都死了。");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].domain, "ecology");
  EXPECT_EQ(hits[0].label_zh, "生态环境和资源保护");
  EXPECT_EQ(hits[0].evidence, (std::vector<std::string>{"偷排", "废水"}));
  // Traditional characters, two domains at once.
  auto two = FindLitigationClues("學校門口小賣部向未成年人賣菸，還賣過期食品");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].domain, "food_drug");
  EXPECT_EQ(two[1].domain, "minors");
}

TEST(Clues, TopicsWithoutHarmAreNotClues) {
  EXPECT_TRUE(FindLitigationClues("请问垃圾分类的投放时间是几点？").empty());
  EXPECT_TRUE(FindLitigationClues("小区排污管道堵了，请物业疏通").empty());
  EXPECT_TRUE(FindLitigationClues(std::string("\xff\xfe", 2)).empty());
}

}  // namespace
}  // namespace hotline::intel
