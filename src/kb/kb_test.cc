#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "kb/kb.h"
#include "text/text.h"

namespace hotline {
namespace {

// An in-memory index, to test ranking apart from any store.
class MemIndex : public KbIndexReader {
 public:
  void Add(Id id, const KbEntry& e) {
    KbDocTerms d = TermsOfEntry(e);
    for (auto& [t, tf] : d.tf) postings_[t].push_back({id, tf, d.length});
    ++n_;
    len_ += d.length;
  }
  Result<KbPostingList> Postings(const std::string& term) override {
    return std::make_shared<const std::vector<KbPosting>>(postings_[term]);
  }
  Result<std::pair<int64_t, int64_t>> Stats() override { return std::make_pair(stated_n_ ? stated_n_ : n_, len_); }
  // Claims fewer entries than it holds (a count that lags the postings).
  void Understate(int64_t n) { stated_n_ = n; }

 private:
  std::map<std::string, std::vector<KbPosting>> postings_;
  int64_t n_ = 0, len_ = 0, stated_n_ = 0;
};

KbEntry E(const char* title, const char* body) {
  KbEntry e;
  e.title = title;
  e.body = body;
  return e;
}

TEST(Kb, TwoCharacterWordsTraditionalQueriesAndTitles) {
  MemIndex idx;
  idx.Add(1, E("电梯故障报修流程", "住宅电梯出现故障，请先联系物业，物业未处理的可向市场监管部门投诉。"));
  idx.Add(2, E("夜间施工噪音投诉", "夜间22时至次日6时禁止产生噪声的建筑施工作业，可向生态环境部门举报。"));
  idx.Add(3, E("燃气开户办理", "办理燃气开户需携带房产证和身份证到燃气公司营业厅。"));
  Synonyms syn;
  auto top = [&](const char* q) {
    auto r = RankKb(idx, q, syn, {});
    EXPECT_TRUE(r.ok());
    return r.ok() && !r->empty() ? (*r)[0].entry_id : 0;
  };
  EXPECT_EQ(top("电梯"), 1);
  EXPECT_EQ(top("噪音"), 2);
  EXPECT_EQ(top("梯"), 1) << "one character is found wherever it is written";
  EXPECT_EQ(top(" 噪 "), 2);
  EXPECT_EQ(top("噪？"), 2);
  EXPECT_EQ(top("電梯壞了沒人修"), 1);   // traditional characters
  EXPECT_EQ(top("工地晚上施工太吵"), 2);
  EXPECT_EQ(top("煤气"), 0);             // no synonym yet
  syn.AddGroup({"煤气", "燃气"});
  EXPECT_EQ(top("煤气开户"), 3);
  // A synonym is found wherever it is written, not only as a whole ICU word (医保 is two
  // characters to ICU, 医疗保险 two words).
  idx.Add(4, E("门诊统筹", "参加城乡居民医疗保险的，门诊费用按比例报销。"));
  idx.Add(5, E("异地就医", "异地就医的医保报销需先办理备案。"));
  auto found = [&](const char* q) {
    std::set<Id> ids;
    if (auto r = RankKb(idx, q, syn, {}); r.ok()) for (const auto& h : *r) ids.insert(h.entry_id);
    return ids;
  };
  EXPECT_EQ(found("医保").count(4), 0u);
  syn.AddGroup({"医保", "医疗保险"});
  EXPECT_EQ(found("医保").count(4), 1u);
  EXPECT_EQ(found("医疗保险怎么报销").count(5), 1u);
  // A short query finds its words, not their lone characters: 保 of 维保 is no answer to 医保.
  idx.Add(6, E("住宅电梯故障报修渠道", "电梯由维保单位负责维修保养，故障请拨打轿厢内的维保电话。"));
  EXPECT_EQ(found("医保").count(6), 0u);
  EXPECT_EQ(found("电梯维保").count(6), 1u);
  // An entry found only through a synonym's words is marked so (the service keeps it only if
  // it holds the synonym as written): 养老保险 shares 保险 with 医疗保险, not 医保.
  idx.Add(7, E("灵活就业人员参加养老保险", "到社保经办窗口办理参保登记。"));
  std::map<Id, bool> only;
  if (auto r = RankKb(idx, "医保", syn, {}); r.ok()) for (const auto& h : *r) only[h.entry_id] = h.synonym_only;
  EXPECT_EQ(only, (std::map<Id, bool>{{4, true}, {5, false}, {7, true}}));
  EXPECT_FALSE(RankKb(idx, "\xff", syn, {}).ok());
  EXPECT_TRUE(RankKb(idx, "!!!", syn, {})->empty());
  // In a whole message lone characters (的, 和, 人, 到) raise what its words found but bring
  // in nothing by themselves: the pension entry shares no word with a barbecue complaint.
  const char* message = "楼下烧烤店每天晚上开到凌晨，油烟和烟雾很大，人根本睡不着，也没人管。";
  EXPECT_EQ(found(message).count(7), 0u);
  idx.Add(8, E("餐饮油烟扰民投诉", "餐饮服务单位油烟直排的，由城管部门依法查处。"));
  EXPECT_EQ(found(message), (std::set<Id>{8}));
}

// Bigrams run on across letters and digits: a district code with what it names (7县) or a
// building number (3栋) is a term of its own, so the entry about that place ranks first.
TEST(Kb, CodesAndNumbersBesideIdeographsAreTerms) {
  MemIndex idx;
  idx.Add(1, E("A3县电梯维修", "A3县住宅电梯故障由县市场监管局受理。"));
  idx.Add(2, E("A7县电梯维修", "A7县住宅电梯故障由县市场监管局受理。"));
  idx.Add(3, E("小区2栋停水", "2栋停水系管道检修。"));
  idx.Add(4, E("小区3栋停水", "3栋停水系管道检修。"));
  Synonyms syn;
  auto ranked = [&](const char* q) {
    auto r = RankKb(idx, q, syn, {});
    EXPECT_TRUE(r.ok());
    return r.ok() && r->size() >= 2 && (*r)[0].score > (*r)[1].score ? (*r)[0].entry_id : 0;
  };
  EXPECT_EQ(ranked("7县电梯坏了"), 2);
  EXPECT_EQ(ranked("3栋又停水了"), 4);
  const auto terms = Terms("a7县3栋 ok");
  EXPECT_EQ(std::count(terms.begin(), terms.end(), "7县"), 1);
  EXPECT_EQ(std::count(terms.begin(), terms.end(), "3栋"), 1);
  EXPECT_EQ(std::count(terms.begin(), terms.end(), "o"), 0) << "a lone ASCII character is no bigram term";
}

// A longer query's first clause (a message's title) counts twice: of two entries each
// matching one clause alike, the one the query opens with comes first.
TEST(Kb, TheLeadClauseOfALongerQueryWeighsMore) {
  MemIndex idx;
  idx.Add(1, E("电梯停运", "电梯停运"));
  idx.Add(2, E("小区噪音", "小区噪音"));
  idx.Add(3, E("公交线路", "公交线路调整"));
  Synonyms syn;
  auto first = [&](const char* q) {
    auto r = RankKb(idx, q, syn, {});
    EXPECT_TRUE(r.ok());
    return r.ok() && r->size() >= 2 && (*r)[0].score > (*r)[1].score ? (*r)[0].entry_id : 0;
  };
  EXPECT_EQ(first("电梯停运 小区噪音"), 1);
  EXPECT_EQ(first("小区噪音。电梯停运"), 2);
  EXPECT_EQ(first("小区噪音 电梯停运"), 2);
  // Nothing after the clause, or no clause end within 40 characters: no lead.
  auto score = [&](const std::string& q) {
    auto r = RankKb(idx, q, syn, {});
    return r.ok() && !r->empty() ? (*r)[0].score : -1.0;
  };
  EXPECT_DOUBLE_EQ(score("电梯停运怎么办？"), score("电梯停运怎么办"));
  std::string long_clause = "电梯停运";
  for (int i = 0; i < 10; ++i) long_clause += "怎么办呢";
  EXPECT_DOUBLE_EQ(score(long_clause + " 小区噪音"), score(long_clause + "，小区噪音"));
  EXPECT_GT(score("电梯停运 小区噪音"), score("电梯停运，小区噪音")) << "a comma ends no lead";
}

TEST(Kb, PlacesByNameAndByCode) {
  KbPlaces p;
  p.Add("岳麓区", "area:1");
  p.Add("蔚澜湾", "area:1");
  p.Add("芙蓉区", "area:2");
  p.Add("湾", "area:3");  // one character: too short to tell a place
  using Keys = std::set<std::string>;
  auto in = [&](const char* text) { return p.In(*NormaliseText(text)); };
  EXPECT_EQ(in("岳麓区蔚澜湾小区停水"), Keys{"area:1"});
  EXPECT_EQ(in("從芙蓉區搬到蔚瀾灣"), (Keys{"area:1", "area:2"})) << "traditional characters";
  EXPECT_EQ(in("A7县和B市，还有A1区、ｃ市"), (Keys{"~a", "~b", "~c"}));
  EXPECT_EQ(in("wifi区 3A区 A123县 港湾"), Keys{}) << "codes stand alone, with at most two digits";
  EXPECT_EQ(in("花园C区 B市场 A1区域"), Keys{}) << "an estate's C区, a market, an area are not places";
  p.Add("人民路", "area:1");
  p.Add("人民路", "area:2");
  p.Add("蔚澜湾二期", "area:4");
  EXPECT_EQ(in("人民路"), (Keys{"area:1", "area:2"})) << "a name two districts share names both";
  EXPECT_EQ(in("蔚澜湾二期"), Keys{"area:4"}) << "the longest name wins";
  EXPECT_FALSE(ElsewhereThan({"~a"}, {"~a", "~b"}));
  EXPECT_TRUE(ElsewhereThan({"~a"}, {"~b"}));
  EXPECT_TRUE(ElsewhereThan({"~a", "area:1"}, {"~b"}));
  EXPECT_FALSE(ElsewhereThan({"~a", "area:1"}, {"~b", "area:1"}));
  EXPECT_FALSE(ElsewhereThan({"area:1"}, {"~b"})) << "coded names are compared with coded names only";
  EXPECT_FALSE(ElsewhereThan({}, {"~b"})) << "a query naming no place finds entries anywhere";
  EXPECT_FALSE(ElsewhereThan({"~a"}, {})) << "an entry naming no place is about anywhere";
}

TEST(Kb, RanksEveryCandidateInOrderEvenWhenTheIndexCountLags) {
  MemIndex idx;
  for (int i = 1; i <= 300; ++i) {
    // Entry i mentions 电梯 i times.
    std::string body;
    for (int k = 0; k < i; ++k) body += "电梯";
    idx.Add(i, E("告示", body.c_str()));
  }
  idx.Understate(3);
  KbSearchOptions opts;
  opts.max_candidates = 250;
  auto r = RankKb(idx, "电梯", Synonyms{}, opts);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 250u);
  for (size_t i = 1; i < r->size(); ++i) {
    EXPECT_TRUE((*r)[i - 1].score > (*r)[i].score ||
                ((*r)[i - 1].score == (*r)[i].score && (*r)[i - 1].entry_id < (*r)[i].entry_id));
  }
}

TEST(Kb, EntriesParseWithNamedErrorsAndValidity) {
  auto e = ParseKbEntry(R"({"id":"r1","title":"标题","body":"内容","visibility":"public","expires":"2026-01-01"})");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->external_id, "r1");
  EXPECT_EQ(e->status, KbStatus::kPublished);
  EXPECT_TRUE(e->is_public);
  EXPECT_TRUE(e->CurrentAt(*ParseIso("2025-06-01")));
  // A date alone is the last day served: through 2026-01-01, not on the 2nd.
  EXPECT_TRUE(e->CurrentAt(*ParseIso("2026-01-01T23:59:59+08:00")));
  EXPECT_FALSE(e->CurrentAt(*ParseIso("2026-01-02")));
  auto timed = ParseKbEntry(R"({"title":"t","body":"b","expires":"2026-01-01T00:00:00+08:00"})");
  ASSERT_TRUE(timed.ok());
  EXPECT_FALSE(timed->CurrentAt(*ParseIso("2026-01-01")));  // a time is exact
  // 9999-12-31 ("never") is written back as a time an import reads again.
  auto never = ParseKbEntry(R"({"title":"t","body":"b","expires":"9999-12-31"})");
  ASSERT_TRUE(never.ok());
  ASSERT_TRUE(ParseKbEntry(KbEntryJson(*never)).ok()) << KbEntryJson(*never);
  EXPECT_EQ(ParseKbEntry(R"({"title":"t"})").status().field(), "body");
  // C1 controls are dropped before the title is judged: one of nothing else is empty.
  EXPECT_EQ(ParseKbEntry(R"({"title":"\u0080\u0085","body":"b"})").status().field(), "title");
  auto c1 = ParseKbEntry(R"({"title":"标题\u009b","body":"第一行\u0085第二行"})");
  ASSERT_TRUE(c1.ok()) << c1.status().message();
  EXPECT_EQ(c1->title, "标题");
  EXPECT_EQ(c1->body, "第一行\n第二行");
  EXPECT_EQ(ParseKbEntry(R"({"title":"t","body":"b","keywords":["停\u0085水"]})").status().field(), "keywords");
  EXPECT_EQ(ParseKbEntry(R"({"title":"t","body":"b","status":"live"})").status().field(), "status");
  EXPECT_EQ(ParseKbEntry(R"({"title":"t","body":"b","expires":"soon"})").status().field(), "expires");
  EXPECT_EQ(ParseKbEntry("not json").status().field(), "body");
  EXPECT_EQ(ParseKbEntry(R"({"title":"\u200b\u200b","body":"b"})").status().field(), "title") << "zero-width only is empty";
  EXPECT_EQ(ParseKbEntry(R"({"title":"t","body":"b","category":"0402","category_code":"0108"})").status().field(), "category");
  EXPECT_EQ(ParseKbEntry(R"({"title":"t","body":"b","category":"0108","category_code":"0108"})")->category_code, "0108");
  EXPECT_EQ(ParseKbEntry(R"({"title":"t","body":"b","keywords":[""," a ","a","\u200b","b"]})")->keywords,
            (std::vector<std::string>{"a", "b"}));
  auto round = ParseKbEntry(KbEntryJson(*e));
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->expires_at, e->expires_at);
}

TEST(Kb, SnippetsHighlight) {
  const std::string s = KbSnippet("住宅电梯出现故障，请先联系物业。", KbQueryTerms("电梯坏了"));
  EXPECT_NE(s.find("<em>电梯</em>"), std::string::npos) << s;
  // The entry as written: full-width, traditional characters and capitals stay, matches
  // are marked where they stand, whitespace runs read as one space, markup is escaped.
  const std::string t = KbSnippet("Ａ7縣住宅電梯\n\n \x01 出現故障，請聯絡物業<b>ＰＭ</b>。", KbQueryTerms("a7县的电梯坏了"));
  EXPECT_EQ(t, "<em>Ａ7縣</em>住宅<em>電梯</em> 出現故障，請聯絡物業&lt;b&gt;ＰＭ&lt;/b&gt;。") << t;
  // Overlapping matches make one mark, the word whole.
  EXPECT_EQ(KbSnippet("携带身份證办理", KbQueryTerms("身份证")), "携带<em>身份證</em>办理");
  EXPECT_EQ(KbSnippet("费用８０元", KbQueryTerms("80元")), "费用<em>８０元</em>");
  const std::string long_text = std::string(100, 'x') + "电梯" + std::string(100, 'Y');
  const std::string u = KbSnippet(long_text, KbQueryTerms("电梯"), 20);
  EXPECT_EQ(u, "…xxxxxxxxxxxx<em>电梯</em>YYYYYY…") << u;
  // A bigram of ASCII letters is not marked inside another word.
  const std::string v = KbSnippet("verified wifi", KbQueryTerms("wifi"));
  EXPECT_EQ(v, "verified <em>wifi</em>") << v;
  // A character of a longer query word matched nothing, and marks nothing: 自行车 found
  // this entry by its title, not by the 车 of 停车.
  EXPECT_EQ(KbSnippet("非机动车应停放在停车区域内", KbQueryTerms("自行车")), "非机动车应停放在停车区域内");
  EXPECT_EQ(KbSnippet("到社保窗口办理参保登记", KbQueryTerms("医疗保险")), "到社保窗口办理参保登记");
  EXPECT_EQ(KbSnippet("停水请联系水务", KbQueryTerms("水")), "停<em>水</em>请联系<em>水</em>务");
}

}  // namespace
}  // namespace hotline
