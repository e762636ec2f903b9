#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "intel/insight.h"
#include "text/text.h"

namespace hotline::intel {
namespace {

bool Together(const std::vector<DuplicateGroup>& groups, size_t a, size_t b) {
  for (const auto& g : groups) {
    const bool ha = std::count(g.members.begin(), g.members.end(), a) > 0;
    const bool hb = std::count(g.members.begin(), g.members.end(), b) > 0;
    if (ha || hb) return ha && hb;
  }
  return false;
}

TEST(Insight, LooseTimesThatDoNotExistAreRefused) {
  EXPECT_TRUE(ParseLooseTime("2020/02/29 10:00:00").has_value());
  EXPECT_FALSE(ParseLooseTime("2020/02/31 10:00:00").has_value());  // was read as 2020-03-02
  EXPECT_FALSE(ParseLooseTime("2019-02-29").has_value());
  EXPECT_EQ(ParseLooseTime("2020.4.1"), ParseLooseTime("2020-04-01 00:00:00"));
}

TEST(Duplicates, ExactRewordedTraditionalAndExtendedButNotOtherMatters) {
  const std::string base = "芙蓉区五一路锦绣家园小区门口的路灯已经坏了两个星期，晚上出行非常危险，请尽快派人修理。";
  std::vector<Message> m = {
      {"1", "", base, {}, "", 0},
      {"2", "", base, {}, "", 0},                                                        // exact
      {"3", "", "芙蓉區五一路錦繡家園小區門口的路燈已經壞了兩個星期，晚上出行非常危險，請儘快派人修理。", {}, "", 0},  // traditional
      {"4", "", base + "我们已经打过三次电话了，希望这次能有回音，谢谢！", {}, "", 0},          // added sentence
      {"5", "", "芙蓉区五一路锦绣家园小区门口的垃圾站臭气熏天，夏天蚊蝇很多，请环卫部门处理。", {}, "", 0},
      {"6", "", "孩子明年上小学，想咨询一下学区划分和报名需要准备哪些材料。", {}, "", 0},
  };
  const auto groups = FindDuplicates(m);
  EXPECT_TRUE(Together(groups, 0, 1));
  EXPECT_TRUE(Together(groups, 0, 2));
  EXPECT_TRUE(Together(groups, 0, 3));
  EXPECT_FALSE(Together(groups, 0, 4));
  EXPECT_FALSE(Together(groups, 0, 5));
  for (const auto& g : groups) EXPECT_GE(g.score, 0.3);
}

TEST(Duplicates, TheSameComplaintAtAnotherPlaceIsAnotherMatter) {
  // A template complaint (as a hotline's agents write them) differs only in where it is.
  const auto at = [](const char* place) {
    return std::string("市民来电反映") + place + "小区下水道堵塞，污水漫到路面，气味很大，请派人疏通。";
  };
  std::vector<Message> m = {{"1", "", at("和平新村"), {}, "", 0},
                            {"2", "", at("江景苑"), {}, "", 0},
                            {"3", "", at("和平新村") + "已经三天了。", {}, "", 0},
                            {"4", "", "下水道堵塞，污水漫到路面，气味很大，请派人疏通。", {}, "", 0}};  // names no place
  const auto groups = FindDuplicates(m);
  EXPECT_TRUE(Together(groups, 0, 2));
  EXPECT_FALSE(Together(groups, 0, 1));
  EXPECT_FALSE(Together(groups, 1, 2));
  EXPECT_TRUE(PlacesApart(PlacesNamedIn(at("和平新村")), PlacesNamedIn(at("江景苑"))));
  EXPECT_FALSE(PlacesApart(PlacesNamedIn(at("和平新村")), PlacesNamedIn("和平新村5栋")));
  EXPECT_FALSE(PlacesApart(PlacesNamedIn(at("和平新村")), PlacesNamedIn(m[3].text)));  // nothing to compare
  // A window reaching into the sentence names no place: 旁边就是学校 in both does not make two
  // roads one.
  const auto manhole = [](const char* road) {
    return std::string(road) + "人行道上一个井盖缺失，旁边就是学校，很危险，请马上处理。";
  };
  EXPECT_TRUE(PlacesApart(PlacesNamedIn(manhole("新桥路")), PlacesNamedIn(manhole("北山路"))));
  // What many places have is no place: one template complaint about the property company, a
  // bus line or a 花园小区 at two estates is two matters.
  EXPECT_TRUE(PlacesApart(PlacesNamedIn("玉兰苑小区物业公司长期不打扫楼道，垃圾堆放多日"),
                          PlacesNamedIn("紫荆花园小区物业公司长期不打扫楼道，垃圾堆放多日")));
  EXPECT_TRUE(PlacesApart(PlacesNamedIn("翠湖花园小区下水道堵塞"), PlacesNamedIn("紫荆花园小区下水道堵塞")));
  EXPECT_TRUE(PlacesApart(PlacesNamedIn("建议在金桂苑增设一条夜班公交线路"), PlacesNamedIn("建议在银杏家园增设一条夜班公交线路")));
  EXPECT_FALSE(PlacesApart(PlacesNamedIn("翠湖花园小区下水道堵塞"), PlacesNamedIn("翠湖花园3栋楼下下水道堵塞")));
  // Where at a place (3栋门口道路, 楼下) describes, it does not name: the estate is the place.
  {
    const auto named = PlacesNamedIn("蔚澜湾小区3栋门口道路施工，安全隐患严重");
    EXPECT_NE(std::find(named.begin(), named.end(), "蔚澜湾小区"), named.end());
    for (const auto& k : named) EXPECT_EQ(k.find("门口"), std::string::npos) << k;
    for (const auto& k : named) EXPECT_NE(k.rfind("栋", 0), 0u) << k;
    for (const auto& k : named) EXPECT_NE(k.rfind("口", 0), 0u) << k;  // 口道路, the tail of 门口道路
    // Two estates' 3栋门口道路 are two places.
    EXPECT_TRUE(PlacesApart(named, PlacesNamedIn("金桂苑小区3栋门口道路施工，安全隐患严重")));
  }
  // A road named after a place word is still a name.
  EXPECT_TRUE(PlacesApart(PlacesNamedIn(manhole("学院路")), PlacesNamedIn(manhole("北山路"))));
  EXPECT_TRUE(PlacesApart(PlacesNamedIn(manhole("人民路")), PlacesNamedIn(manhole("中学路"))));
  const std::vector<Message> estates = {{"a", "", "玉兰苑小区物业公司长期不打扫楼道，垃圾堆放多日无人清理，请督促整改。", {}, "", 0},
                                        {"b", "", "紫荆花园小区物业公司长期不打扫楼道，垃圾堆放多日无人清理，请督促整改。", {}, "", 0}};
  EXPECT_FALSE(Together(FindDuplicates(estates), 0, 1));
  std::vector<Message> roads = {{"a", "", manhole("新桥路"), {}, "", 0}, {"b", "", manhole("北山路"), {}, "", 0},
                                {"c", "", manhole("新桥路"), {}, "", 0}};
  const auto road_groups = FindDuplicates(roads);
  EXPECT_TRUE(Together(road_groups, 0, 2));
  EXPECT_FALSE(Together(road_groups, 0, 1));
}

TEST(Duplicates, AWindowKeepsApartTheSameWordsMonthsLater) {
  const std::string text = "芙蓉区五一路锦绣家园小区门口的路灯已经坏了两个星期，晚上出行非常危险，请尽快派人修理。";
  std::vector<Message> m = {{"1", "", text, ParseLooseTime("2019-03-01 09:00:00"), "", 0},
                            {"2", "", text, ParseLooseTime("2019-03-20 09:00:00"), "", 0},
                            {"3", "", text, ParseLooseTime("2019-09-01 09:00:00"), "", 0},
                            {"4", "", text, std::nullopt, "", 0}};
  DuplicateOptions opts;
  EXPECT_TRUE(Together(FindDuplicates(m, opts), 0, 2));  // no window: any time
  opts.window_ms = 30 * kDayMs;
  const auto groups = FindDuplicates(m, opts);
  EXPECT_TRUE(Together(groups, 0, 1));
  EXPECT_TRUE(Together(groups, 0, 3));   // undated: no time to keep it apart
  EXPECT_FALSE(Together(groups, 0, 2));  // half a year later: a new report, not a duplicate
}

TEST(Duplicates, StructuredRecordsAgreeOnCategoryAndAddress) {
  // 311-style records: the text is the request type and the street address, so blocks of
  // one street read almost alike; their fields tell them apart.
  const auto rec = [](const char* id, const char* type, const char* street) {
    return Message{id, "", std::string(type) + " " + street, {}, "", 0, type, street};
  };
  std::vector<Message> m = {rec("1", "SW-Dirty Street Proactive", "900 W NORTH AVE"),
                            rec("2", "SW-Dirty Street Proactive", "1700 W NORTH AVE"),
                            rec("3", "SW-Dirty Street Proactive", "900 w north  ave"),  // same place
                            rec("4", "SW-Dirty Alley", "900 W NORTH AVE"),
                            {"5", "", "SW-Dirty Street Proactive 900 W NORTH AVE", {}, "", 0}};  // no fields
  // On the words alone, the other block is a near duplicate.
  std::vector<Message> words_only = m;
  for (auto& x : words_only) x.category.clear(), x.address.clear();
  EXPECT_TRUE(Together(FindDuplicates(words_only), 0, 1));
  const auto groups = FindDuplicates(m);
  EXPECT_TRUE(Together(groups, 0, 2));
  EXPECT_TRUE(Together(groups, 0, 4));   // a message without the fields is judged by its words
  EXPECT_FALSE(Together(groups, 0, 1));  // another block of the street
  EXPECT_FALSE(Together(groups, 0, 3));  // another request type at the same address
  // Two categorised messages that disagree stay apart even when both are close to an
  // uncategorised one that leads the group.
  std::vector<Message> lead = {{"1", "", "SW-Dirty Street Proactive 900 W NORTH AVE", {}, "", 0},
                               rec("2", "SW-Dirty Street Proactive", "900 W NORTH AVE"),
                               rec("3", "SW-Dirty Alley", "900 W NORTH AVE")};
  lead[2].text = lead[1].text;
  const auto g2 = FindDuplicates(lead);
  EXPECT_TRUE(Together(g2, 0, 1));
  EXPECT_FALSE(Together(g2, 1, 2));
}

// Everyday traffic of a city: 30 streets × 20 problems, each one message.
std::vector<Message> StreetTraffic() {
  const char* streets[] = {"东风", "人民", "解放", "建设", "中山", "胜利", "和平", "光明", "新华", "文化",
                           "五一", "长江", "黄河", "青年", "朝阳", "红旗", "团结", "民主", "兴业", "八一",
                           "劳动", "工农", "复兴", "振华", "育英", "迎宾", "滨江", "沿河", "车站", "体育"};
  const char* problems[] = {"路灯不亮", "井盖丢失", "垃圾清运不及时", "占道经营", "违章停车", "夜间施工噪音",
                            "道路破损", "雨后积水严重", "绿化带被毁", "标志牌损坏", "夜市油烟", "广告牌松动",
                            "下水道堵塞", "工地扬尘", "共享单车乱停", "树木倒伏", "消防通道堵塞", "水管爆裂",
                            "电线老化", "流浪狗伤人"};
  std::vector<Message> m;
  for (const char* st : streets) {
    for (const char* pr : problems) {
      const std::string title = std::string(st) + "路" + pr;
      m.push_back({"n" + std::to_string(m.size()), title, title + "，请有关部门尽快处理。", {}, "c" + std::to_string(m.size()), 0});
    }
  }
  return m;
}

// The biggest matter of the period names its place in more messages than the busy cap: it
// is still found, whole (the place's other matters may join it, as they do at any place),
// and the city's everyday traffic stays out of it.
TEST(Hotspots, ABusyPlaceIsStillAHotspot) {
  std::vector<Message> m = StreetTraffic();
  const char* lift[] = {"翠湖花园小区电梯故障频繁困人", "翠湖花园小区三栋电梯又坏了物业不修", "投诉翠湖花园小区电梯长期故障",
                        "翠湖花园小区电梯经常停运老人上下楼困难", "翠湖花园小区电梯坏了一个月没人维修"};
  for (int i = 0; i < 25; ++i) {
    const std::string t = lift[i % 5];
    m.push_back({"e" + std::to_string(i), t, t + "，电梯维修资金去向不明，请尽快督促物业修好电梯。", {}, "r" + std::to_string(i), 0});
  }
  for (const char* other : {"翠湖花园小区学区划分咨询", "翠湖花园小区物业费上涨不合理", "翠湖花园小区地下车位只售不租"}) {
    m.push_back({"o", other, std::string(other) + "，希望给个说法。", {}, "o", 0});
  }
  HotspotOptions opts;
  opts.max_place_messages = 20;  // 翠湖花园小区 is named 28 times: busy
  const auto spots = FindHotspots(m, opts);
  ASSERT_FALSE(spots.empty());
  EXPECT_EQ(std::count_if(spots[0].members.begin(), spots[0].members.end(), [&](size_t k) { return m[k].id[0] == 'e'; }), 25);
  for (size_t k : spots[0].members) EXPECT_NE(m[k].id[0], 'n') << m[k].title;
  EXPECT_NE(spots[0].place.find("翠湖"), std::string::npos);
}

// Two matters alike in callers, span and wording: the one rising at the end of the period
// ranks first, and so does one reported as urgent.
TEST(Hotspots, RisingAndUrgentMattersWeighMore) {
  const auto matter = [](const std::string& place, std::vector<int> days, const char* urgency, std::vector<Message>* m) {
    const char* texts[] = {"电梯故障困人", "电梯坏了好几天", "电梯一直停运", "电梯异响有安全隐患", "电梯坏了请尽快维修",
                           "电梯损坏无人修理"};
    for (size_t i = 0; i < days.size(); ++i) {
      const std::string t = place + texts[i % 6];
      Message x{place + std::to_string(i), t, t + "。", ParseLooseTime("2019/7/" + std::to_string(days[i]) + " 10:00:00"),
                place + "u" + std::to_string(i), 0};
      x.urgency = urgency;
      m->push_back(std::move(x));
    }
  };
  std::vector<Message> m;
  matter("金桂苑小区", {1, 2, 3, 4, 5, 29}, "normal", &m);     // an old matter, one report at the end
  matter("银杏湾小区", {1, 25, 26, 27, 28, 29}, "normal", &m);  // the same span, rising now
  auto spots = FindHotspots(m);
  ASSERT_GE(spots.size(), 2u);
  EXPECT_NE(spots[0].place.find("银杏湾"), std::string::npos) << spots[0].place;
  EXPECT_GT(spots[0].growth, spots[1].growth);
  // One week of messages holds no week before: growth is not the matter's size plus one.
  m.clear();
  matter("银杏湾小区", {23, 24, 25, 26, 27, 28}, "normal", &m);
  spots = FindHotspots(m);
  ASSERT_GE(spots.size(), 1u);
  EXPECT_DOUBLE_EQ(spots[0].growth, 1.0);
  m.clear();
  matter("金桂苑小区", {1, 5, 9, 13, 17, 21}, "urgent", &m);
  matter("银杏湾小区", {1, 5, 9, 13, 17, 21}, "normal", &m);
  spots = FindHotspots(m);
  ASSERT_GE(spots.size(), 2u);
  EXPECT_NE(spots[0].place.find("金桂苑"), std::string::npos) << spots[0].place;
  EXPECT_DOUBLE_EQ(spots[0].urgency, 0.5);
}

// A message alone is its own matter, however few words it shares with others: its heat is
// its one caller's, not 0.
TEST(Hotspots, AMessageAloneIsCoherent) {
  std::vector<Message> m = {{"1", "", "蔚澜湾小区3栋门口道路施工，安全隐患严重，事故频发", ParseLooseTime("2026/12/1 10:00:00"), "a", 0},
                            {"2", "", "南湖边工厂偷排污水，河水发黑发臭", ParseLooseTime("2026/12/1 11:00:00"), "b", 0}};
  const auto spots = FindHotspots(m);
  ASSERT_EQ(spots.size(), 2u);
  for (const auto& h : spots) {
    EXPECT_DOUBLE_EQ(h.coherence, 1.0) << h.place;
    EXPECT_GE(h.heat, 1.0) << h.place;
  }
  EXPECT_TRUE(spots[0].place == "蔚澜湾小区" || spots[1].place == "蔚澜湾小区") << spots[0].place << " " << spots[1].place;
}

// A confidential report's words may name its reporter: a matter is described by a message
// that is not confidential, and one reported only in confidential reports by a fixed text.
TEST(Hotspots, AConfidentialReportIsNeverQuoted) {
  const auto matter = [](const std::string& place, bool all_confidential, std::vector<Message>* m) {
    for (int i = 0; i < 6; ++i) {
      Message x{place + std::to_string(i), "", "", {}, place + "u" + std::to_string(i), 0};
      x.confidential = all_confidential || i % 2 == 0;
      // The confidential ones name their reporter, and are the most alike (most central).
      x.title = x.confidential ? "举报人王秘密：" + place + "餐馆后厨老鼠横行卫生极差"
                               : place + "餐馆后厨老鼠多卫生差" + std::to_string(i);
      x.text = x.title + "。";
      m->push_back(std::move(x));
    }
  };
  std::vector<Message> m;
  matter("金桂苑小区", true, &m);
  matter("银杏湾小区", false, &m);
  const auto spots = FindHotspots(m);
  ASSERT_EQ(spots.size(), 2u);
  for (const auto& h : spots) {
    EXPECT_EQ(h.description.find("王秘密"), std::string::npos) << h.description;
    if (h.place.find("银杏湾") != std::string::npos) {
      EXPECT_EQ(h.description.rfind("银杏湾小区餐馆后厨老鼠多卫生差", 0), 0u) << h.description;
    } else {
      EXPECT_EQ(h.description, kConfidentialOnly) << h.place;
    }
  }
}

// A report without a title is called by its first sentence as written, without the words the
// agent led in with, which its place does not take in either; the phone written in it is masked.
TEST(Hotspots, AnUntitledReportIsCalledByItsFirstSentence) {
  std::vector<Message> m;
  for (int i = 0; i < 5; ++i) {
    Message x{"k" + std::to_string(i), "", "", {}, "u" + std::to_string(i), 0};
    x.text = "来电人反映锦绣花园门口的路灯坏了一个多月，晚上出行不便，电话1397777888" + std::to_string(i) +
             "。请尽快修复。";
    m.push_back(std::move(x));
    Message y{"n" + std::to_string(i), "", "", {}, "v" + std::to_string(i), 0};
    y.text = "市民来电称，创新公寓附近工地夜间施工噪音很大，第" + std::to_string(i) + "次反映了。";
    m.push_back(std::move(y));
  }
  const auto spots = FindHotspots(m);
  ASSERT_EQ(spots.size(), 2u);
  for (const auto& h : spots) {
    if (h.place == "锦绣花园") {
      EXPECT_EQ(h.description.rfind("锦绣花园门口的路灯坏了一个多月，晚上出行不便，电话139****888", 0), 0u) << h.description;
      EXPECT_EQ(h.description.find("。"), std::string::npos) << h.description;
    } else {
      EXPECT_EQ(h.place, "创新公寓");
      EXPECT_EQ(h.description.rfind("创新公寓附近工地夜间施工噪音很大，第", 0), 0u) << h.description;
    }
  }
}

// Short reports (an agent's summary of a call) at one estate about different problems are
// different matters: the estate's name is most of what they share.
TEST(Hotspots, ShortReportsAtOnePlaceAboutDifferentProblemsAreDifferentMatters) {
  std::vector<Message> m;
  const char* gym[] = {"锦绣花园健身房突然停业，年卡还有十个月没用，怎么退钱？", "锦绣花园的健身房突然停业了，年卡没用完，怎么退钱",
                       "锦绣花园健身房停业，办的年卡要求退钱"};
  const char* drink[] = {"锦绣花园晚上经常有人聚集喝酒闹事，居民很担心安全。", "锦绣花园晚上有人喝酒闹事，很不安全",
                         "锦绣花园夜里经常有人聚集喝酒闹事"};
  for (int i = 0; i < 3; ++i) {
    m.push_back({"gym" + std::to_string(i), "", gym[i], {}, "u" + std::to_string(i), 0});
    m.push_back({"drink" + std::to_string(i), "", drink[i], {}, "v" + std::to_string(i), 0});
  }
  const auto spots = FindHotspots(m);
  ASSERT_EQ(spots.size(), 2u);
  for (const auto& h : spots) {
    ASSERT_EQ(h.members.size(), 3u) << h.description;
    const std::string first = m[h.members[0]].id.substr(0, 3);
    for (size_t k : h.members) EXPECT_EQ(m[k].id.substr(0, 3), first) << h.description;
    EXPECT_EQ(h.place, "锦绣花园");
  }
}

// A caller introducing themselves is not the matter: a leaders' headline names nobody.
TEST(Hotspots, AHeadlinePassesOverTheCallersNameAndNumber) {
  std::vector<Message> m;
  const char* names[] = {"王五", "赵六", "钱七", "孙八", "周九"};
  for (int i = 0; i < 5; ++i) {
    Message x{"k" + std::to_string(i), "", "", {}, "u" + std::to_string(i), 0};
    x.text = std::string("我叫") + names[i] + "，电话1365555567" + std::to_string(i) + "，翠湖花园小区门口垃圾堆积，没人清理。";
    m.push_back(std::move(x));
  }
  const auto spots = FindHotspots(m);
  ASSERT_EQ(spots.size(), 1u);
  EXPECT_EQ(spots[0].description, "翠湖花园小区门口垃圾堆积，没人清理");
  // Nothing but an introduction: the headline is what there is. And 我是 that goes on to the
  // matter is the matter.
  std::vector<Message> only, wants;
  for (int i = 0; i < 5; ++i) {
    only.push_back({"o" + std::to_string(i), "", "我是翠湖花园业主", {}, "w" + std::to_string(i), 0});
    wants.push_back({"p" + std::to_string(i), "", "我是要投诉翠湖花园楼下餐馆油烟扰民，已经半年了", {}, "x" + std::to_string(i), 0});
  }
  const auto alone = FindHotspots(only);
  ASSERT_EQ(alone.size(), 1u);
  EXPECT_EQ(alone[0].description, "我是翠湖花园业主");
  // A name that happens to hold 想 or 来 is still a name.
  std::vector<Message> named;
  for (int i = 0; i < 5; ++i) named.push_back({"q" + std::to_string(i), "", "我是李想，翠湖花园门口垃圾堆积，没人清理", {}, "y" + std::to_string(i), 0});
  const auto by_name = FindHotspots(named);
  ASSERT_EQ(by_name.size(), 1u);
  EXPECT_EQ(by_name[0].description, "翠湖花园门口垃圾堆积，没人清理");
  const auto meant = FindHotspots(wants);
  ASSERT_EQ(meant.size(), 1u);
  EXPECT_EQ(meant[0].description, "我是要投诉翠湖花园楼下餐馆油烟扰民，已经半年了");
}

// A text copied over and over (every bigram in it is common) is still one duplicate group.
TEST(Duplicates, ATextRepeatedVeryOftenIsStillOneGroup) {
  std::vector<Message> m = StreetTraffic();
  const size_t first = m.size();
  for (int i = 0; i < 200; ++i) m.push_back({"d" + std::to_string(i), "", "强烈要求取消城南垃圾焚烧厂选址", {}, "", 0});
  const auto groups = FindDuplicates(m);
  ASSERT_FALSE(groups.empty());
  const auto& g = *std::max_element(groups.begin(), groups.end(),
                                    [](const auto& a, const auto& b) { return a.members.size() < b.members.size(); });
  EXPECT_EQ(g.members.size(), 200u);
  for (size_t k : g.members) EXPECT_GE(k, first);
  EXPECT_DOUBLE_EQ(g.score, 1.0);
}

TEST(Hotspots, OnePlaceOneProblemRankedByCallers) {
  std::vector<Message> m;
  const auto day = [](int d) { return ParseLooseTime("2019/7/" + std::to_string(d) + " 10:00:00"); };
  // Nine residents of one estate about cooking fumes; two about a school's fees; noise.
  const char* fumes[] = {"锦绣家园小区楼下餐馆油烟直排扰民", "锦绣家园小区底层商铺油烟很大熏得没法开窗",
                         "投诉锦绣家园小区临街夜宵摊油烟扰民", "锦绣家园小区一楼餐馆没有排烟管道油烟扰民"};
  for (int i = 0; i < 9; ++i) {
    m.push_back({"f" + std::to_string(i), fumes[i % 4], std::string(fumes[i % 4]) + "，严重影响居民生活，请相关部门处理油烟问题。",
                 day(1 + i * 3), "u" + std::to_string(i), i});
  }
  m.push_back({"s1", "育才中学乱收补课费", "育才中学乱收补课费，每人每学期收取八百元补课费。", day(2), "p1", 0});
  m.push_back({"s2", "育才中学收取补课费", "育才中学强制学生参加补课并收取补课费。", day(9), "p2", 0});
  const char* others[] = {"咨询公积金提取流程", "身份证补办需要什么材料", "社保转移怎么办理", "公交车改线后不方便",
                          "夜间施工噪音扰民", "医保报销比例是多少"};
  for (int i = 0; i < 6; ++i) m.push_back({"o" + std::to_string(i), others[i], others[i], day(5), "x" + std::to_string(i), 0});
  const auto spots = FindHotspots(m);
  ASSERT_GE(spots.size(), 2u);
  EXPECT_EQ(spots[0].rank, 1);
  EXPECT_EQ(spots[0].members.size(), 9u);
  EXPECT_EQ(spots[0].callers, 9u);
  EXPECT_NE(spots[0].place.find("锦绣家园"), std::string::npos);
  EXPECT_EQ(*spots[0].time_from, *day(1));
  EXPECT_EQ(*spots[0].time_to, *day(25));
  EXPECT_GT(spots[0].heat, spots[1].heat);
  for (size_t i = 0; i < spots[0].members.size(); ++i) EXPECT_EQ(m[spots[0].members[i]].id[0], 'f');
}

// One complaint at five places is five matters, each showing its whole place (和平新村, not
// 平新村: 和 opens no name but 和平 does).
TEST(Hotspots, TheSameComplaintAtFivePlacesIsFiveMatters) {
  const char* places[] = {"和平新村", "滨江公园", "软件园", "新桥路", "北山中学"};
  std::vector<Message> m;
  for (int i = 0; i < 20; ++i) {
    m.push_back({std::to_string(i), "", std::string(places[i % 5]) + "人行道上一个井盖缺失，旁边就是学校，很危险，请马上处理。",
                 ParseLooseTime("2026/11/" + std::to_string(20 + i % 9) + " 10:00:00"), "u" + std::to_string(i), 0});
  }
  const auto spots = FindHotspots(m);
  ASSERT_EQ(spots.size(), 5u);
  std::set<std::string> shown;
  for (const auto& h : spots) {
    EXPECT_EQ(h.members.size(), 4u) << h.place;
    for (size_t k : h.members) EXPECT_EQ(k % 5, h.members[0] % 5) << h.place;
    shown.insert(h.place);
  }
  EXPECT_EQ(shown, (std::set<std::string>{"和平新村", "滨江公园", "软件园", "新桥路", "北山中学"}));
}

// Messages that name no place (滨江一号 ends in no suffix) do not chain two roads into one
// matter, whether they lead a group or link two groups the merge would join.
TEST(Hotspots, AMessageNamingNoPlaceChainsNoPlacesTogether) {
  std::vector<Message> m;
  const char* places[] = {"北山路", "新桥路", "滨江一号"};
  for (int i = 0; i < 18; ++i) {  // (旁边就是学校 in fewer than 20 messages: not a busy key)
    m.push_back({std::to_string(i), "", std::string(i % 3 == 2 ? "您好，" : "") + places[i % 3] +
                 "人行道上一个井盖缺失，旁边就是学校，很危险，请马上处理。",
                 ParseLooseTime("2026/11/" + std::to_string(10 + i % 15) + " 10:00:00"), "u" + std::to_string(i), 0});
  }
  for (const auto& h : FindHotspots(m, {})) {
    bool north = false, new_bridge = false;
    for (size_t k : h.members) {
      if (k % 3 == 0) north = true;
      if (k % 3 == 1) new_bridge = true;
    }
    EXPECT_FALSE(north && new_bridge) << h.place << " holds both roads";
    EXPECT_NE(h.place, "纳入老旧小区");
  }
}

// The place shown reads as a name: the window before 路 reaches back to 条 in every message
// ("两条公交线路"), and 公交线路 is what many places have, no place at all.
TEST(Hotspots, ThePlaceShownReadsAsAName) {
  std::vector<Message> m;
  const char* texts[] = {"小区门口只有两条公交线路班次太少", "小区门口只有两条公交线路早高峰挤不上车",
                         "小区门口只有两条公交线路末班车太早", "小区门口只有两条公交线路请增开班次"};
  for (int i = 0; i < 8; ++i) {
    m.push_back({"b" + std::to_string(i), texts[i % 4], std::string(texts[i % 4]) + "，请增加班次。",
                 ParseLooseTime("2019/7/" + std::to_string(1 + i) + " 10:00:00"), "u" + std::to_string(i), 0});
  }
  const auto spots = FindHotspots(m);
  ASSERT_GE(spots.size(), 1u);
  EXPECT_EQ(spots[0].members.size(), 8u);
  EXPECT_EQ(spots[0].place.find("条"), std::string::npos) << spots[0].place;
  EXPECT_EQ(spots[0].place.find("线路"), std::string::npos) << spots[0].place;
  // The window before 小区 cuts 江北区银杏湾小区 to 区银杏湾小区: the tail of a district is not shown.
  std::vector<Message> estate;
  for (int i = 0; i < 4; ++i) {
    estate.push_back({"e" + std::to_string(i), "临江市江北区银杏湾小区电梯故障", "临江市江北区银杏湾小区电梯又坏了，请尽快维修。",
                      ParseLooseTime("2019/7/" + std::to_string(1 + i) + " 10:00:00"), "u" + std::to_string(i), 0});
  }
  const auto lift = FindHotspots(estate);
  ASSERT_GE(lift.size(), 1u);
  EXPECT_NE(lift[0].place.rfind("区", 0), 0u) << lift[0].place;
  EXPECT_NE(lift[0].place.find("银杏湾"), std::string::npos) << lift[0].place;
}

// A matter whose only "place" is a sentence (孩子今年上小学) names none rather than a fragment.
TEST(Hotspots, ASentenceIsNotShownAsAPlace) {
  std::vector<Message> m;
  const char* texts[] = {"孩子今年上小学学区划分不合理", "孩子今年上小学离家太远没有校车", "孩子今年上小学入学材料太多",
                         "孩子今年上小学报名系统打不开"};
  for (int i = 0; i < 8; ++i) {
    m.push_back({"s" + std::to_string(i), texts[i % 4], std::string(texts[i % 4]) + "，请教育局尽快解决入学问题。",
                 ParseLooseTime("2019/7/" + std::to_string(1 + i) + " 10:00:00"), "u" + std::to_string(i), 0});
  }
  const auto spots = FindHotspots(m);
  ASSERT_GE(spots.size(), 1u);
  for (const auto& s : spots) {
    EXPECT_EQ(s.place.find("今年"), std::string::npos) << s.place;
    EXPECT_EQ(s.place.find("年上"), std::string::npos) << s.place;
  }
  // Real names with those characters still read as names.
  std::vector<Message> named;
  for (int i = 0; i < 6; ++i) {
    named.push_back({"n" + std::to_string(i), "理想家园小区电梯故障", "理想家园小区电梯故障，青年路口也堵，请尽快维修。",
                     ParseLooseTime("2019/7/" + std::to_string(1 + i) + " 10:00:00"), "u" + std::to_string(i), 0});
  }
  const auto named_spots = FindHotspots(named);
  ASSERT_GE(named_spots.size(), 1u);
  EXPECT_NE(named_spots[0].place.find("理想家园"), std::string::npos) << named_spots[0].place;
}

// A petition and a ticket that name the same estate about different matters do not match:
// the score is the cosine over all their bigrams, not over the ones both hold.
TEST(Petitions, SharingAPlaceIsNotAMatch) {
  std::vector<Message> tickets = {{"t1", "", "锦绣家园小区门口垃圾堆放无人清理臭气熏天", std::nullopt, "", 0},
                                  {"t2", "", "锦绣家园小区旁边工地夜间施工噪音扰民", std::nullopt, "", 0},
                                  {"t3", "", "请问公积金提取需要什么材料", std::nullopt, "", 0}};
  std::vector<Message> petitions = {{"p1", "", "信访人反映锦绣家园小区旁边工地夜间施工噪音扰民问题", std::nullopt, "", 0},
                                    {"p2", "", "锦绣家园小区业主反映物业费上涨不合理", std::nullopt, "", 0}};
  const auto matches = CrossCheckPetitions(tickets, petitions, 0.4);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].ticket, 1u);
  EXPECT_EQ(matches[0].petition, 0u);
  EXPECT_LT(matches[0].score, 0.95);  // a true cosine: the petition says more than the ticket
  EXPECT_NE(std::find(matches[0].shared_places.begin(), matches[0].shared_places.end(), "锦绣家园小区"),
            matches[0].shared_places.end());
}

// A threshold of 1 means identical: float rounding must not make identical texts miss it.
TEST(Petitions, IdenticalTextsMatchAtThresholdOne) {
  for (const char* text : {"路灯坏了", "锦绣家园小区旁边工地夜间施工噪音扰民，请相关部门尽快处理"}) {
    std::vector<Message> tickets = {{"c", "", text, std::nullopt, "", 0}};
    std::vector<Message> petitions = {{"d", "", text, std::nullopt, "", 0}, {"e", "", "公积金提取", std::nullopt, "", 0}};
    const auto matches = CrossCheckPetitions(tickets, petitions, 1.0);
    ASSERT_EQ(matches.size(), 1u) << text;
    EXPECT_EQ(matches[0].petition, 0u);
    EXPECT_LE(matches[0].score, 1.0f);
  }
}

TEST(Hotspots, FeaturesRoundTripAndDamagedOnesAreRefused) {
  const TextFeatures f = HotspotFeatures("锦绣家园小区油烟扰民", "锦绣家园小区油烟扰民\n楼下餐馆油烟直排，五一路也有。ABC 123");
  ASSERT_FALSE(f.grams.empty());
  EXPECT_TRUE(std::is_sorted(f.grams.begin(), f.grams.end()));
  EXPECT_EQ(f.grams.size(), f.counts.size());
  EXPECT_NE(std::find(f.places.begin(), f.places.end(), "锦绣家园小区"), f.places.end());
  EXPECT_NE(std::find(f.places.begin(), f.places.end(), "五一路"), f.places.end());
  const std::string data = EncodeFeatures(f);
  const auto back = DecodeFeatures(data);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->grams, f.grams);
  EXPECT_EQ(back->counts, f.counts);
  EXPECT_EQ(back->places, f.places);
  EXPECT_FALSE(DecodeFeatures("").has_value());
  EXPECT_FALSE(DecodeFeatures(std::string(1, '\x7f') + data.substr(1)).has_value());  // another version
  for (size_t cut = 1; cut < data.size(); ++cut) EXPECT_FALSE(DecodeFeatures(data.substr(0, cut)).has_value()) << cut;
  EXPECT_FALSE(DecodeFeatures(data + "x").has_value());
  EXPECT_TRUE(EncodeFeatures(*DecodeFeatures(EncodeFeatures({}))).size() > 0);  // an empty text still encodes
  // Well-formed numbers that cannot be features: a character past Unicode, a place that is
  // not UTF-8.
  EXPECT_FALSE(DecodeFeatures(EncodeFeatures({{uint64_t{0x110000} << 21 | 0x4e00}, {1}, {}})).has_value());
  EXPECT_FALSE(DecodeFeatures(EncodeFeatures({{uint64_t{0x4e00} << 21 | 0x4e01}, {1}, {"\xff\xfe"}})).has_value());
  EXPECT_TRUE(DecodeFeatures(EncodeFeatures({{uint64_t{0x4e00} << 21 | 0x4e01}, {1}, {"一路"}})).has_value());
}

TEST(Hotspots, StoredFeaturesGiveWhatTheTextsGiveAndUnreadableOnesFallBack) {
  std::vector<Message> m;
  for (int i = 0; i < 12; ++i) {
    const std::string title = i % 2 ? "锦绣家园小区油烟扰民" : "育才中学乱收补课费";
    m.push_back({std::to_string(i), title, title + "，第" + std::to_string(i) + "次反映，请尽快处理。",
                 ParseLooseTime("2019/7/" + std::to_string(1 + i) + " 10:00:00"), "u" + std::to_string(i), i});
  }
  const auto from_text = FindHotspots(m);
  for (auto& x : m) x.features = EncodeFeatures(HotspotFeatures(x.title, x.text));
  const auto from_features = FindHotspots(m);
  ASSERT_EQ(from_text.size(), from_features.size());
  for (size_t i = 0; i < from_text.size(); ++i) {
    EXPECT_EQ(from_text[i].members, from_features[i].members);
    EXPECT_EQ(from_text[i].heat, from_features[i].heat);
    EXPECT_EQ(from_text[i].place, from_features[i].place);
  }
  // Stored features are what is read: all stored as the first message's, all are one matter.
  std::vector<Message> same = m;
  for (auto& x : same) x.features = m[0].features;
  const auto one = FindHotspots(same);
  ASSERT_FALSE(one.empty());
  EXPECT_EQ(one[0].members.size(), m.size());
  for (auto& x : m) x.features = std::string(1, 1) + "damaged";
  const auto fallen_back = FindHotspots(m);
  ASSERT_EQ(from_text.size(), fallen_back.size());
  for (size_t i = 0; i < from_text.size(); ++i) EXPECT_EQ(from_text[i].members, fallen_back[i].members);
}

// More than 1,024 messages are split between threads, each numbering bigrams and place keys
// of its own; more than 4,096 distinct characters send the rarest bigrams through the hash
// table. Neither may change the answer.
TEST(Hotspots, ThreadsAndRareCharactersDoNotChangeTheAnswer) {
  const char* estates[] = {"锦绣家园", "丽发新城", "伊景园", "魅力之城", "山水湾", "凉塘", "泉星", "东湖"};
  const char* problems[] = {"油烟扰民", "噪音扰民", "车位捆绑销售", "幼儿园收费", "路灯不亮", "垃圾清运不及时"};
  std::vector<Message> m;
  for (int i = 0; i < 3000; ++i) {
    const std::string place = std::string(estates[i * 7 % 8]) + (i % 3 ? "小区" : "路");
    const std::string title = place + problems[i * 5 % 6];
    // Three of 1,800 characters, each three in five messages (so their bigrams count), and
    // now and then one past the BMP. Characters are ranked on a sample of the messages: most
    // of these are not in it.
    std::u32string rare;
    for (int k = 0; k < 3; ++k) rare += static_cast<char32_t>(0x4E00 + (i % 600 * 37 + k * 3001) % 9000);
    if (i % 50 == 0) rare += U'\U0001F600';
    std::string rare_utf8;
    for (char32_t c : rare) AppendUtf8(rare_utf8, c);
    m.push_back({std::to_string(i), title, title + "，已经第" + std::to_string(i % 9 + 1) + "次反映" + rare_utf8 + "，请尽快处理。",
                 ParseLooseTime("2019/7/" + std::to_string(1 + i % 28) + " 10:00:00"), "u" + std::to_string(i % 700), i % 4});
    if (i % 3) m.back().features = EncodeFeatures(HotspotFeatures(m.back().title, m.back().text));  // others from the text
  }
  HotspotOptions one;
  one.top = 20;
  const auto expected = FindHotspots(m, one);
  ASSERT_GE(expected.size(), 10u);
  for (size_t threads : {2, 3}) {
    HotspotOptions opts = one;
    opts.threads = threads;
    const auto got = FindHotspots(m, opts);
    ASSERT_EQ(got.size(), expected.size()) << threads;
    for (size_t r = 0; r < got.size(); ++r) {
      EXPECT_EQ(got[r].heat, expected[r].heat) << threads << " threads, rank " << r + 1;
      EXPECT_EQ(got[r].members, expected[r].members) << threads << " threads, rank " << r + 1;
      EXPECT_EQ(got[r].place, expected[r].place) << threads << " threads, rank " << r + 1;
    }
  }
}

TEST(Time, ReadsTheFormatsOfExports) {
  EXPECT_EQ(ParseLooseTime("2019/2/28 11:25:05"), ParseLooseTime("2019-02-28T11:25:05+08:00"));
  EXPECT_EQ(ParseLooseTime("2019-09-05 12:29:01"), ParseLooseTime("2019-09-05T12:29:01+08:00"));
  EXPECT_TRUE(ParseLooseTime("2019-09-05").has_value());
  EXPECT_FALSE(ParseLooseTime("yesterday").has_value());
  EXPECT_FALSE(ParseLooseTime("2019/13/01").has_value());
}

}  // namespace
}  // namespace hotline::intel
