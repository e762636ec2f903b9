#include <gtest/gtest.h>

#include <algorithm>

#include "text/text.h"

namespace hotline {
namespace {

bool Has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

TEST(Normalise, WidthSpacesControlsAndScript) {
  EXPECT_EQ(*NormaliseText("\n\t\u3000ＡＢＣ１２３　电梯\t\t坏了\x01！"), "abc123 电梯 坏了!");
  EXPECT_EQ(*NormaliseText("電梯壞了，請儘快維修"), "电梯坏了,请尽快维修");
  // Phrases (converted otherwise than character by character) beside the punctuation and
  // spaces where the text is cut for t2s, and pieces with nothing to convert: the same as
  // `opencc -c t2s` gives for the whole line.
  EXPECT_EQ(*NormaliseText("據瞭解，計畫書中自有千鍾粟。樊於期　乾坤 郭子乾說：銀鍊"),
            "据了解,计划书中自有千锺粟。樊於期 乾坤 郭子乾说:银链");
  // Simplified text but for one phrase whose characters t2s leaves alone one by one.
  EXPECT_EQ(*NormaliseText("敬请回覆，覆盖"), "敬请回复,覆盖");
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

TEST(Segment, ForEachWordHandsOutViewsIntoTheText) {
  // A supplementary-plane ideograph (two UTF-16 units) and ASCII before the Chinese: the
  // views must still land on the right UTF-8 bytes.
  const std::string text = "abc 12号 𠀀电梯坏了,幸福小区物业不管";
  Segmenter city({"幸福小区"});
  std::vector<std::string> seen;
  city.ForEachWord(text, [&](std::string_view w) {
    EXPECT_GE(w.data(), text.data());
    EXPECT_LE(w.data() + w.size(), text.data() + text.size());
    seen.emplace_back(w);
  });
  EXPECT_EQ(seen, city.Words(text));
  EXPECT_TRUE(Has(seen, "abc")) << ::testing::PrintToString(seen);
  EXPECT_TRUE(Has(seen, "电梯"));
  EXPECT_TRUE(Has(seen, "幸福小区"));
  std::string joined;
  for (const auto& w : seen) joined += w;
  EXPECT_EQ(joined.find(','), std::string::npos);
  EXPECT_NE(joined.find("𠀀"), std::string::npos) << joined;
}

// Each normalised byte knows the input character it came from, through width folding,
// lower-casing, whitespace collapsing, removed control characters and t2s conversion.
TEST(Text, NormalisedBytesKnowTheirSource) {
  const std::string in = "  Ａb\t\x01 \u3000電梯";
  std::vector<uint32_t> src;
  NormaliseOptions o;
  o.source_offsets = &src;
  auto n = NormaliseText(in, o);
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(*n, "ab 电梯");
  ASSERT_EQ(src.size(), n->size());
  EXPECT_EQ(in.substr(src[0], 3), "Ａ");
  EXPECT_EQ(src[1], 5u);                          // b
  EXPECT_EQ(src[2], 6u);                          // the run's first character, the tab
  EXPECT_EQ(in.substr(src[3], 3), "電");          // all three bytes of 电 come from 電
  EXPECT_EQ(src[4], src[3]);
  EXPECT_EQ(in.substr(src[6], 3), "梯");
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
