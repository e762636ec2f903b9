#include <gtest/gtest.h>

#include <algorithm>

#include "text/text.h"

namespace hotline {
namespace {

bool Has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(Normalise, WidthSpacesControlsAndScript) {
  EXPECT_EQ(*NormaliseText("\n\t\u3000ＡＢＣ１２３　电梯\t\t坏了\x01！"), "abc123 电梯 坏了!");
  EXPECT_EQ(*NormaliseText("電梯壞了，請儘快維修"), "电梯坏了,请尽快维修");
  EXPECT_EQ(NormaliseText("\xff\xfe").status().field(), "text");
  EXPECT_EQ(*NormaliseText(""), "");
}

TEST(Segment, WordsAndUserDictionary) {
  auto words = DefaultSegmenter().Words("幸福小区电梯坏了三天没人修");
  EXPECT_TRUE(Has(words, "电梯")) << ::testing::PrintToString(words);
  Segmenter city({"幸福小区", "望江街道办事处"});
  auto w2 = city.Words("幸福小区电梯坏了,望江街道办事处不管");
  EXPECT_TRUE(Has(w2, "幸福小区")) << ::testing::PrintToString(w2);
  EXPECT_TRUE(Has(w2, "望江街道办事处"));
  EXPECT_FALSE(Has(w2, ","));
}

TEST(Terms, BigramsCoverTwoCharacterWords) {
  auto t = Terms("噪音扰民 a1");
  EXPECT_TRUE(Has(t, "噪音"));
  EXPECT_TRUE(Has(t, "音扰"));
  EXPECT_TRUE(Has(t, "a1"));
  auto single = Terms("水 电");
  EXPECT_TRUE(Has(single, "水"));
  EXPECT_TRUE(Has(single, "电"));
}

}  // namespace
}  // namespace hotline
