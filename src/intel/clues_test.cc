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
  // Cooking fumes let out untreated, and a meal that made a family ill.
  auto fumes = FindLitigationClues("楼下烧烤店油烟直排，整栋楼都是油烟味。");
  ASSERT_EQ(fumes.size(), 1u);
  EXPECT_EQ(fumes[0].domain, "ecology");
  auto meal = FindLitigationClues("在学校食堂吃完午饭后，十几个孩子上吐下泻，送医院了。");
  ASSERT_EQ(meal.size(), 1u);
  EXPECT_EQ(meal[0].domain, "food_drug");
}

TEST(Clues, TopicsWithoutHarmAreNotClues) {
  EXPECT_TRUE(FindLitigationClues("请问垃圾分类的投放时间是几点？").empty());
  EXPECT_TRUE(FindLitigationClues("小区排污管道堵了，请物业疏通").empty());
  EXPECT_TRUE(FindLitigationClues(std::string("\xff\xfe", 2)).empty());
}

// A harm the citizen denies is no clue; a negator further away, or in another clause, is
// about something else.
TEST(Clues, DeniedHarmsAreNotClues) {
  EXPECT_TRUE(FindLitigationClues("这里没有偷排污水，只是想问问垃圾分类").empty());
  EXPECT_TRUE(FindLitigationClues("经查未发现偷排，请核实").empty());
  EXPECT_TRUE(FindLitigationClues("没有人偷排").empty());
  EXPECT_FALSE(FindLitigationClues("无良企业夜里偷排废水").empty());
  EXPECT_FALSE(FindLitigationClues("我没有办法，工厂天天偷排").empty());
  EXPECT_FALSE(FindLitigationClues("游泳馆没有卫生许可证还在营业").empty()) << "a missing licence is the harm";
  // Denied once, reported again later: a clue.
  auto again = FindLitigationClues("白天没有偷排，但是晚上又偷排了");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].evidence, (std::vector<std::string>{"偷排"}));
}

}  // namespace
}  // namespace hotline::intel
