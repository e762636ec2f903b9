#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "intel/classifier.h"

namespace hotline::intel {
namespace {

std::vector<TrainingExample> Toy() {
  std::vector<TrainingExample> ex;
  const char* roads[] = {"路灯不亮了请修理", "道路坑洼积水严重", "小区门口马路破损", "井盖缺失很危险", "人行道砖松动"};
  const char* noise[] = {"夜间施工噪音扰民", "广场舞音响太吵", "工地晚上打桩噪音", "酒吧音乐噪声很大", "装修噪音影响休息"};
  const char* school[] = {"孩子入学学位问题", "学校乱收补课费", "幼儿园收费过高", "中考加分政策咨询", "学籍转学手续办理"};
  for (int r = 0; r < 4; ++r) {
    for (const char* t : roads) ex.push_back({std::string(t) + std::to_string(r), "城乡建设", ""});
    for (const char* t : noise) ex.push_back({std::string(t) + std::to_string(r), "环境保护", ""});
    for (const char* t : school) ex.push_back({std::string(t) + std::to_string(r), "教育文体", ""});
  }
  return ex;
}

TEST(Classifier, LearnsSeparableLabelsAndCalibrates) {
  TrainOptions opts;
  opts.folds = 3;
  auto model = Classifier::Train(Toy(), opts);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model->labels().size(), 3u);
  auto p = model->Predict("我家门口的路灯坏了好几天");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->label, "城乡建设");
  ASSERT_EQ(p->top.size(), 3u);
  double sum = 0;
  for (const auto& t : p->top) sum += t.confidence;
  EXPECT_NEAR(sum, 1.0, 1e-6);
  EXPECT_GE(p->top[0].confidence, p->top[1].confidence);
  // Traditional characters and full-width forms reach the same features.
  auto trad = model->Predict("工地晚上打樁噪音，吵得睡不著");
  ASSERT_TRUE(trad.ok());
  EXPECT_EQ(trad->label, "环境保护");
  EXPECT_TRUE(model->info()["scores"].contains("macro_f1"));
}

TEST(Classifier, LeavesOutFeaturesRarerThanMinDf) {
  TrainOptions opts;
  opts.folds = 0;
  auto rows = [](const Classifier& m) { return m.info()["features"]["rows"].get<size_t>(); };
  // Every toy text comes four times; one more text is the only one with its characters.
  auto ex = Toy();
  ex.push_back({"垃圾桶满溢臭气熏天", "环境保护", ""});
  // Auto: on little data (61 texts) every feature is kept, as with min_df = 1.
  auto all = Classifier::Train(ex, opts);
  opts.min_df = 1;
  auto one = Classifier::Train(ex, opts);
  opts.min_df = 2;
  auto two = Classifier::Train(ex, opts);
  ASSERT_TRUE(all.ok() && one.ok() && two.ok());
  EXPECT_EQ(all->info()["min_df"], 1);
  EXPECT_EQ(rows(*all), rows(*one));
  // min_df = 2 drops the lone text's characters, bigrams and words, and keeps the rest.
  EXPECT_EQ(two->info()["min_df"], 2);
  EXPECT_LT(rows(*two), rows(*one));
  EXPECT_GT(rows(*two), 0u);
  EXPECT_EQ(rows(*one) - rows(*two), 25u);  // 9 characters, 8 bigrams, 8 title bigrams
  auto p = two->Predict("工地晚上打桩噪音");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->label, "环境保护");
  opts.min_df = -1;
  auto bad = Classifier::Train(ex, opts);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("min_df"), std::string::npos);
}

TEST(Classifier, SegmentedAndRawTextShareFeatures) {
  TrainOptions opts;
  opts.folds = 0;
  auto model = Classifier::Train(Toy(), opts);
  ASSERT_TRUE(model.ok());
  auto raw = model->Featurise("夜间施工噪音扰民");
  auto seg = model->Featurise("夜间 施工 噪音 扰民");
  ASSERT_TRUE(raw.ok() && seg.ok());
  // Same characters, same bigrams and the same lexicon words: the spaces change nothing.
  EXPECT_EQ(raw->tf, seg->tf);
}

// The city's names (user dictionary) are kept whole when raw training texts are segmented,
// so a name ICU cuts into pieces is a word of the model and a feature wherever it is written.
TEST(Classifier, TheCitysNamesAreWordsOfTheLexicon) {
  std::vector<TrainingExample> ex = {{"蔚澜湾小区停水三天了", "城乡建设", "", false},
                                     {"蔚澜湾门口路灯坏了", "城乡建设", "", false},
                                     {"广场舞音响太吵", "环境保护", "", false},
                                     {"夜间施工噪音扰民", "环境保护", "", false}};
  TrainOptions opts;
  opts.folds = 0;
  auto plain = Classifier::Train(ex, opts);
  opts.user_terms = {"蔚澜湾", "望江街道"};
  auto city = Classifier::Train(ex, opts);
  ASSERT_TRUE(plain.ok() && city.ok());
  auto words = [](const Classifier& m) { return m.info()["features"]["lexicon_words"].get<int>(); };
  EXPECT_GT(words(*city), words(*plain)) << "蔚澜湾 is a word only with the dictionary";
  EXPECT_EQ(city->Featurise("蔚澜湾又停水")->tf.size(), plain->Featurise("蔚澜湾又停水")->tf.size() + 1);
}

TEST(Classifier, LearnsWordsFromSegmentedTextsAndFindsThemInRawText) {
  std::vector<TrainingExample> ex;
  for (int r = 0; r < 3; ++r) {
    ex.push_back({"井盖 缺失 危险 " + std::to_string(r), "城乡建设", "", true});
    ex.push_back({"广场舞 音响 太吵 " + std::to_string(r), "环境保护", "", true});
  }
  TrainOptions opts;
  opts.folds = 0;
  auto model = Classifier::Train(ex, opts);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model->info()["features"]["lexicon_words"], 6);  // 井盖 缺失 危险 广场舞 音响 太吵
  // Unsegmented text holds the same words: one feature per word more than its characters
  // and bigrams (each also a title bigram, this early in the text) alone give.
  auto with_words = model->Featurise("井盖缺失");
  auto without = model->Featurise("盖缺");
  ASSERT_TRUE(with_words.ok() && without.ok());
  EXPECT_EQ(with_words->tf.size(), 4u + 3u + 3u + 2u);  // 4 characters, 3 bigrams twice, 井盖 and 缺失
  EXPECT_EQ(without->tf.size(), 2u + 1u + 1u);
  // Words do not reach across punctuation, but do across spaces.
  EXPECT_EQ(model->Featurise("井，盖")->tf.size(), 2u + 1u + 1u);
  EXPECT_EQ(model->Featurise("井 盖")->tf.size(), 2u + 1u + 1u + 1u);
  // The lexicon survives saving and loading.
  const std::string path = ::testing::TempDir() + "/lexicon.model";
  ASSERT_TRUE(model->Save(path).ok());
  auto loaded = Classifier::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->Featurise("井盖缺失")->tf, with_words->tf);
  std::remove(path.c_str());
}

// The bigrams among a text's first 24 characters (where its title is) are features a second
// time, under their own name; the later ones are not.
TEST(Classifier, TheBeginningOfATextCountsAgainAsItsTitle) {
  TrainOptions opts;
  opts.folds = 0;
  auto model = Classifier::Train(Toy(), opts);
  ASSERT_TRUE(model.ok()) << model.status().message();
  const std::string thirty = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥春夏秋冬东南西北";  // all different, no words
  auto f = model->Featurise(thirty);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->tf.size(), 30u + 29u + 23u);
  // The same bigram in the title and after it: two features, not one.
  auto g = model->Featurise(thirty + "甲乙");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->tf.size(), 30u + 30u + 23u);  // 北甲 is new, 甲乙 counted twice as a bigram
}

// A model trained before title bigrams existed (feature version 2) still loads and is fed
// the features it learnt from, without them.
TEST(Classifier, AModelOfFeatureVersionTwoLoadsWithoutTitleBigrams) {
  TrainOptions opts;
  opts.folds = 0;
  auto model = Classifier::Train(Toy(), opts);
  ASSERT_TRUE(model.ok()) << model.status().message();
  const std::string path = ::testing::TempDir() + "/v2.model";
  ASSERT_TRUE(model->Save(path).ok());
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t header_at = bytes.find('\n') + 1, header_end = bytes.find('\n', header_at);
  auto header = nlohmann::json::parse(bytes.substr(header_at, header_end - header_at));
  ASSERT_EQ(header["features"]["version"], 3);
  for (int version : {2, 1}) {
    header["features"]["version"] = version;
    std::ofstream(path, std::ios::binary) << bytes.substr(0, header_at) << header.dump() << bytes.substr(header_end);
    auto old = Classifier::Load(path);
    if (version == 1) {
      ASSERT_FALSE(old.ok());
      EXPECT_NE(old.status().message().find("retrain"), std::string::npos) << old.status().message();
      continue;
    }
    ASSERT_TRUE(old.ok()) << old.status().message();
    EXPECT_EQ(old->Featurise("路灯不亮")->tf.size() + 3u, model->Featurise("路灯不亮")->tf.size());
    EXPECT_TRUE(old->Predict("路灯不亮").ok());
  }
  std::remove(path.c_str());
}

// Where every out-of-fold prediction is right, no confidence is too low: a new text scored
// a hair under the lowest out-of-fold confidence must not be sent to a person.
TEST(Classifier, NoAbstentionWhenEveryOutOfFoldPredictionIsRight) {
  std::vector<TrainingExample> ex;
  const char* openers[] = {"", "您好，", "来电反映：", "市民称，", "我想反映，", "请问", "麻烦", "急！"};
  for (const char* o : openers) {
    ex.push_back({std::string(o) + "小区路灯不亮", "路灯", ""});
    ex.push_back({std::string(o) + "楼下广场舞噪音", "噪声", ""});
    ex.push_back({std::string(o) + "孩子入学学位", "教育", ""});
  }
  TrainOptions opts;
  opts.folds = 4;
  auto model = Classifier::Train(ex, opts);
  ASSERT_TRUE(model.ok()) << model.status().message();
  ASSERT_EQ(model->info()["scores"]["accuracy"].get<double>(), 1.0);
  EXPECT_EQ(model->abstain_below(), 0.5);  // no higher: only where it expects to be wrong
  auto p = model->Predict("路灯不亮了");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->label, "路灯");
  EXPECT_FALSE(p->abstain) << p->confidence;
  // Every held-out prediction right says the model is good on texts like these, not sure of
  // everything: confidence is at most the add-one-smoothed held-out accuracy on average, so
  // a text in words it never saw is not certain of anything.
  EXPECT_LT(model->info()["temperature"].get<double>(), 199.0);
  auto strange = model->Predict("楼上邻居家里漏水渗到我家天花板，物业不管");
  ASSERT_TRUE(strange.ok());
  EXPECT_LT(strange->confidence, 0.9) << strange->label;
  EXPECT_EQ(strange->abstain, strange->confidence < 0.5);
}

TEST(Classifier, RejectsBadTextNamingTheField) {
  TrainOptions opts;
  opts.folds = 0;
  auto model = Classifier::Train(Toy(), opts);
  ASSERT_TRUE(model.ok());
  auto f = model->Featurise("，。！  ");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().field(), "text");
  EXPECT_FALSE(model->Featurise(std::string("\xff\xfe", 2)).ok());
  // An overlong text is judged by its first 48 KiB, cut between characters.
  std::string longest;
  while (longest.size() < 200 * 1024) longest += "噪音";
  auto f_long = model->Featurise(longest);
  ASSERT_TRUE(f_long.ok()) << f_long.status().message();
  EXPECT_EQ(f_long->tf.size(), (model->Featurise("噪音噪音")->tf.size()));
  std::vector<TrainingExample> one_label = {{"路灯坏了", "a", ""}, {"道路破损", "a", ""}};
  EXPECT_FALSE(Classifier::Train(one_label, {}).ok());
}

TEST(Classifier, SavesLoadsAndDetectsDamage) {
  TrainOptions opts;
  opts.folds = 0;
  opts.abstain_below = 0.5;
  auto model = Classifier::Train(Toy(), opts);
  ASSERT_TRUE(model.ok());
  const std::string path = testing::TempDir() + "/toy.model";
  ASSERT_TRUE(model->Save(path).ok());
  auto loaded = Classifier::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  // Every training text and one the model has seen nothing of: the same answers.
  std::vector<std::string> texts = {"学校补课收费", "zzzz"};
  for (const auto& e : Toy()) texts.push_back(e.text);
  for (const auto& text : texts) {
    auto a = model->Predict(text, 3);
    auto b = loaded->Predict(text, 3);
    ASSERT_TRUE(a.ok() && b.ok()) << text;
    EXPECT_EQ(a->label, b->label) << text;
    ASSERT_EQ(a->top.size(), b->top.size());
    for (size_t i = 0; i < a->top.size(); ++i) EXPECT_EQ(a->top[i].confidence, b->top[i].confidence) << text;
  }
  EXPECT_EQ(loaded->info()["version"], model->info()["version"]);
  // Flip one byte of the weights: the digest catches it.
  std::FILE* f = std::fopen(path.c_str(), "r+b");
  std::fseek(f, -10, SEEK_END);
  std::fputc('x', f);
  std::fclose(f);
  auto damaged = Classifier::Load(path);
  ASSERT_FALSE(damaged.ok());
  EXPECT_NE(damaged.status().message().find("damaged"), std::string::npos);
  EXPECT_FALSE(Classifier::Parse("not a model").ok());
}

TEST(Evaluate, ScoresAndConfusion) {
  std::vector<std::string> gold = {"a", "a", "b", "b"};
  std::vector<Prediction> pred = {{"a", .9, false, {}}, {"b", .4, true, {}}, {"b", .8, false, {}}, {"b", .7, false, {}}};
  EvalReport r = Evaluate(gold, pred);
  EXPECT_DOUBLE_EQ(r.accuracy, 0.75);
  EXPECT_EQ(r.confusion[0][1], 1u);
  EXPECT_EQ(r.abstained, 1u);
  EXPECT_DOUBLE_EQ(r.accuracy_when_confident, 1.0);
  // a: P 1, R .5, F1 .667; b: P .667, R 1, F1 .8
  EXPECT_NEAR(r.macro_f1, (2.0 / 3 + 0.8) / 2, 1e-9);
}

}  // namespace
}  // namespace hotline::intel
