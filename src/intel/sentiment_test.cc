#include "intel/sentiment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace hotline::intel {
namespace {

std::string Describe(const SentimentScore& s) {
  std::string out = "level " + std::to_string(s.level) + " anger " + std::to_string(s.anger) +
                    " negativity " + std::to_string(s.negativity) + " [";
  for (const auto& e : s.evidence) out += " " + e;
  return out + " ]";
}

bool Has(const SentimentScore& s, const std::string& evidence) {
  return std::find(s.evidence.begin(), s.evidence.end(), evidence) != s.evidence.end();
}

struct Case {
  int level;
  std::string text;
};

std::vector<Case> LoadCases() {
  const auto path =
      std::filesystem::path(__FILE__).parent_path() / "../../tests/data/sentiment_cases.tsv";
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::vector<Case> cases;
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "level\ttext");
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const size_t tab = line.find('\t');
    EXPECT_EQ(tab, 1u) << line;
    if (tab != 1 || line[0] < '0' || line[0] > '3') {
      ADD_FAILURE() << "bad line: " << line;
      continue;
    }
    cases.push_back({line[0] - '0', line.substr(tab + 1)});
  }
  return cases;
}

TEST(SentimentLabelled, ExactAndWithinOneLevelAccuracy) {
  const auto cases = LoadCases();
  ASSERT_GE(cases.size(), 120u);
  size_t exact = 0, within_one = 0;
  size_t confusion[4][4] = {};
  for (const auto& c : cases) {
    const SentimentScore s = ScoreSentiment(c.text);
    ASSERT_GE(s.level, 0);
    ASSERT_LE(s.level, 3);
    ++confusion[c.level][s.level];
    exact += s.level == c.level;
    within_one += std::abs(s.level - c.level) <= 1;
    if (s.level != c.level)
      std::printf("  gold %d got %s: %s\n", c.level, Describe(s).c_str(), c.text.c_str());
  }
  const double acc = double(exact) / cases.size(), acc1 = double(within_one) / cases.size();
  std::printf("sentiment levels: %zu cases; exact accuracy %.3f (%zu), within one level %.3f (%zu)\n",
              cases.size(), acc, exact, acc1, within_one);
  std::printf("  confusion [gold][predicted]:\n");
  for (int g = 0; g < 4; ++g)
    std::printf("    %d: %3zu %3zu %3zu %3zu\n", g, confusion[g][0], confusion[g][1], confusion[g][2],
                confusion[g][3]);
  RecordProperty("cases", static_cast<int>(cases.size()));
  RecordProperty("exact_accuracy", std::to_string(acc));
  RecordProperty("within_one_accuracy", std::to_string(acc1));
  EXPECT_GE(acc, 0.75);
  EXPECT_GE(acc1, 0.95);
}

// Level 3 if and only if an escalation entry is present; a non-calm level always has a
// raising entry behind it.
TEST(SentimentLabelled, LevelIsExplainedByEvidence) {
  for (const auto& c : LoadCases()) {
    const SentimentScore s = ScoreSentiment(c.text);
    const bool escalation = std::any_of(s.evidence.begin(), s.evidence.end(),
                                        [](const std::string& e) { return e[0] == '!'; });
    const bool raising = std::any_of(s.evidence.begin(), s.evidence.end(), [](const std::string& e) {
      return e[0] == '+' || e[0] == '!';
    });
    EXPECT_EQ(s.level == 3, escalation) << c.text << " -> " << Describe(s);
    if (s.level > 0) {
      EXPECT_TRUE(raising) << c.text << " -> " << Describe(s);
    }
    if (!raising) {
      EXPECT_EQ(s.anger, 0) << c.text << " -> " << Describe(s);
    }
    EXPECT_GE(s.anger, 0);
    EXPECT_LE(s.anger, 1);
    EXPECT_GE(s.negativity, 0);
    EXPECT_LE(s.negativity, 1);
  }
}

TEST(SentimentNegation, FlipsPositiveAndCancelsNegative) {
  auto s = ScoreSentiment("对处理结果不满意");
  EXPECT_EQ(s.level, 1) << Describe(s);
  EXPECT_TRUE(Has(s, "+不(否定)满意")) << Describe(s);

  s = ScoreSentiment("对处理结果满意");
  EXPECT_EQ(s.level, 0) << Describe(s);
  EXPECT_EQ(s.negativity, 0) << Describe(s);
  EXPECT_TRUE(Has(s, "-满意")) << Describe(s);

  s = ScoreSentiment("没有不满，只是咨询一下");
  EXPECT_EQ(s.level, 0) << Describe(s);
  EXPECT_EQ(s.anger, 0) << Describe(s);
  EXPECT_TRUE(Has(s, "~没有(否定)不满")) << Describe(s);

  s = ScoreSentiment("我不是不满意，只是想问问进度");  // double negation: not dissatisfied
  EXPECT_EQ(s.level, 0) << Describe(s);
  EXPECT_EQ(s.negativity, 0) << Describe(s);

  s = ScoreSentiment("不是很急，有空再来看看");
  EXPECT_EQ(s.level, 0) << Describe(s);
  s = ScoreSentiment("我并不着急，也没有生气");
  EXPECT_EQ(s.level, 0) << Describe(s);
  EXPECT_EQ(s.anger, 0) << Describe(s);

  // A negated threat is not an escalation; an imperative 别 does not excuse the complaint.
  s = ScoreSentiment("放心，我不会去上访的");
  EXPECT_LT(s.level, 3) << Describe(s);
  s = ScoreSentiment("别再敷衍了");
  EXPECT_GT(s.anger, 0) << Describe(s);
  EXPECT_GE(s.level, 1) << Describe(s);

  // The negator reaches only a short window of the same clause.
  s = ScoreSentiment("不是这样的，我对你们很满意");
  EXPECT_TRUE(Has(s, "-很满意")) << Describe(s);
  EXPECT_EQ(s.level, 0) << Describe(s);

  // Idioms whose negation is the complaint, and negators that are not negations.
  s = ScoreSentiment("拖了这么久，简直没有天理");
  EXPECT_TRUE(Has(s, "+简直没有天理")) << Describe(s);
  s = ScoreSentiment("大不了鱼死网破");
  EXPECT_EQ(s.level, 3) << Describe(s);
  s = ScoreSentiment("这不就是耍人吗");
  EXPECT_GT(s.anger, 0) << Describe(s);
  s = ScoreSentiment("麻烦你们了，不好意思");
  EXPECT_EQ(s.level, 0) << Describe(s);

  // 不满 as "less than" is not dissatisfaction; neither is 不满足条件.
  EXPECT_EQ(ScoreSentiment("孩子不满18周岁能办身份证吗").level, 0);
  EXPECT_EQ(ScoreSentiment("如果不满足申请条件怎么办").level, 0);
}

TEST(SentimentIntensifiers, StrengthenAndSoften) {
  const auto plain = ScoreSentiment("我很不满");
  const auto strong = ScoreSentiment("我非常不满");
  const auto soft = ScoreSentiment("我有点不满");
  EXPECT_GT(strong.negativity, plain.negativity);
  EXPECT_GT(plain.negativity, soft.negativity);
  EXPECT_TRUE(Has(strong, "+非常不满")) << Describe(strong);

  EXPECT_GT(ScoreSentiment("非常不满意").negativity, ScoreSentiment("不满意").negativity);
  EXPECT_LT(ScoreSentiment("不是很满意").negativity, ScoreSentiment("不满意").negativity);
  EXPECT_GT(ScoreSentiment("极其愤怒").anger, ScoreSentiment("愤怒").anger);

  // Repeated exclamation and question marks, full width or not, raise anger.
  const auto base = ScoreSentiment("你们到底管不管");
  const auto shout = ScoreSentiment("你们到底管不管！！！");
  const auto ask = ScoreSentiment("你们到底管不管？？");
  EXPECT_GT(shout.anger, base.anger);
  EXPECT_GT(ask.anger, base.anger);
  EXPECT_TRUE(Has(shout, "+!!!")) << Describe(shout);
  EXPECT_EQ(ScoreSentiment("谢谢!").anger, 0);

  const auto year = ScoreSentiment("这件事拖了三个月");
  EXPECT_TRUE(Has(year, "+拖了三个月")) << Describe(year);
  EXPECT_EQ(ScoreSentiment("2023年3月办的证").negativity, 0);
}

TEST(SentimentTraditional, SameAsSimplified) {
  const std::pair<const char*, const char*> pairs[] = {
      {"我實在走投無路了", "我实在走投无路了"},
      {"對處理結果很不滿意", "对处理结果很不满意"},
      {"你們互相推諉，太過分了！！", "你们互相推诿，太过分了!!"},
      {"謝謝你們，辦得很及時", "谢谢你们，办得很及时"},
  };
  for (const auto& [trad, simp] : pairs) {
    const auto t = ScoreSentiment(trad), s = ScoreSentiment(simp);
    EXPECT_EQ(t.level, s.level) << trad;
    EXPECT_DOUBLE_EQ(t.anger, s.anger) << trad;
    EXPECT_DOUBLE_EQ(t.negativity, s.negativity) << trad;
    EXPECT_EQ(t.evidence, s.evidence) << trad;
  }
  EXPECT_EQ(ScoreSentiment("我實在走投無路了").level, 3);
  EXPECT_EQ(ScoreSentiment("你們互相推諉，太過分了！！").level, 2);
}

// Adding an anger phrase, before or after, never lowers anger or the level.
TEST(SentimentMonotonicity, AddingAngerNeverLowersIt) {
  const char* phrases[] = {"我非常愤怒", "太过分了", "你们就是在踢皮球", "忍无可忍",
                           "我要去上访", "多次反映石沉大海", "拖了半年", "气死我了!!"};
  for (const auto& c : LoadCases()) {
    const auto base = ScoreSentiment(c.text);
    for (const char* p : phrases) {
      for (const std::string& t : {c.text + "。" + p, std::string(p) + "。" + c.text}) {
        const auto more = ScoreSentiment(t);
        EXPECT_GT(more.anger, base.anger) << t;
        EXPECT_GE(more.negativity, base.negativity) << t;
        EXPECT_GE(more.level, base.level) << t;
      }
    }
  }
}

// A paragraph pasted over and over is as angry as once (a phrase repeated counts 1, 1/4,
// 1/9 …), and its evidence names each phrase once.
TEST(SentimentRepetition, APastedParagraphIsNotAngrier) {
  const std::string once = "楼下餐馆油烟问题反映了多次还是没有解决，严重影响我们的生活。";
  std::string pasted;
  for (int i = 0; i < 12; ++i) pasted += once;
  const auto a = ScoreSentiment(once), b = ScoreSentiment(pasted);
  EXPECT_EQ(a.level, b.level) << a.anger << " vs " << b.anger;
  EXPECT_EQ(a.evidence, b.evidence);
  // A denial said again stays a denial: 我不生气 three times is as calm as once.
  EXPECT_EQ(ScoreSentiment("我不生气，我不生气，我不生气。").level, 0);
  EXPECT_EQ(ScoreSentiment("我不生气，我不生气，我不生气。").anger, ScoreSentiment("我不生气。").anger);
}

TEST(SentimentEdge, EmptyAndInvalidInput) {
  for (const std::string& t : {std::string(), std::string("   "), std::string("\xff\xfe 愤怒"),
                               std::string("绝望\xe4\xb8"), std::string("12345")}) {
    const auto s = ScoreSentiment(t);
    EXPECT_EQ(s.level, 0) << t;
    EXPECT_EQ(s.anger, 0) << t;
    EXPECT_EQ(s.negativity, 0) << t;
    EXPECT_TRUE(s.evidence.empty()) << t;
  }
  EXPECT_STREQ(SentimentLevelName(0), "calm");
  EXPECT_STREQ(SentimentLevelName(1), "dissatisfied");
  EXPECT_STREQ(SentimentLevelName(2), "angry");
  EXPECT_STREQ(SentimentLevelName(3), "extreme");
  EXPECT_STREQ(SentimentLevelName(7), "calm");
}

TEST(SentimentEdge, ThreadSafe) {
  const auto cases = LoadCases();
  std::vector<SentimentScore> expected;
  for (const auto& c : cases) expected.push_back(ScoreSentiment(c.text));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (size_t i = 0; i < cases.size(); ++i) {
          const auto s = ScoreSentiment(cases[i].text);
          if (s.level != expected[i].level || s.evidence != expected[i].evidence) ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

}  // namespace
}  // namespace hotline::intel
