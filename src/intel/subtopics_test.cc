#include "intel/subtopics.h"

#include <gtest/gtest.h>

namespace hotline::intel {
namespace {

Message M(std::string id, std::string text, TimeMs day) {
  Message m;
  m.id = std::move(id);
  m.text = std::move(text);
  m.time = day * kDayMs + 12 * kHourMs;  // noon
  return m;
}

// One category's requests: changing personal data in the city app (which a release on
// day 10 made easier), forgotten passwords, and a few unrelated ones.
std::vector<Message> AppAccountRequests() {
  std::vector<Message> out;
  const char* change[] = {"怎么在市民App里修改个人资料中的手机号", "App个人资料里的住址无法修改，请问怎么改",
                          "市民App修改个人资料一直提示失败", "想在App上修改个人资料的姓名，找不到入口"};
  const char* password[] = {"市民App登录密码忘记了怎么找回", "App密码找回收不到验证码短信",
                            "忘记App登录密码，重置密码失败", "App重置密码后还是登录不上"};
  int id = 0;
  for (int day = 0; day < 20; ++day) {
    // Before the release: four personal-data requests a day; after it, one.
    const int changes = day < 10 ? 4 : 1;
    for (int k = 0; k < changes; ++k) out.push_back(M("c" + std::to_string(id++), change[(day + k) % 4], day));
    for (int k = 0; k < 2; ++k) out.push_back(M("p" + std::to_string(id++), password[(day + k) % 4], day));
  }
  out.push_back(M("x1", "建议App增加夜间模式", 3));
  out.push_back(M("x2", "App首页广告太多", 12));
  return out;
}

TEST(SubTopics, SeparatesTheMattersAndNamesThem) {
  auto msgs = AppAccountRequests();
  auto r = FindSubTopics(msgs, std::nullopt);
  ASSERT_GE(r.topics.size(), 2u);
  EXPECT_EQ(r.messages, msgs.size());
  // The largest is personal data (50 messages), then passwords (40); each pure.
  const auto& data = r.topics[0];
  const auto& pass = r.topics[1];
  EXPECT_EQ(data.members.size(), 50u);
  EXPECT_EQ(pass.members.size(), 40u);
  for (size_t m : data.members) EXPECT_EQ(msgs[m].id[0], 'c') << msgs[m].text;
  for (size_t m : pass.members) EXPECT_EQ(msgs[m].id[0], 'p') << msgs[m].text;
  auto has = [](const SubTopic& t, const std::string& w) {
    return std::find(t.terms.begin(), t.terms.end(), w) != t.terms.end();
  };
  EXPECT_TRUE(has(data, "个人") || has(data, "资料") || has(data, "修改")) << data.terms[0];
  EXPECT_TRUE(has(pass, "密码")) << pass.terms[0];
  EXPECT_NEAR(data.share, 50.0 / msgs.size(), 1e-9);
  EXPECT_EQ(r.other, msgs.size() - 90);
}

TEST(SubTopics, CountsBeforeAndAfterThePivot) {
  auto msgs = AppAccountRequests();
  auto r = FindSubTopics(msgs, 10 * kDayMs);
  ASSERT_TRUE(r.pivot.has_value());
  // Equal windows: as far back from the pivot as the data reaches forward (day 19, noon).
  EXPECT_EQ(*r.window_from, 12 * kHourMs - 1);
  EXPECT_EQ(*r.window_to, 19 * kDayMs + 12 * kHourMs + 1);
  const auto& data = r.topics[0];
  EXPECT_EQ(data.before, 40u);
  EXPECT_EQ(data.after, 10u);
  ASSERT_TRUE(data.change.has_value());
  EXPECT_NEAR(*data.change, -0.75, 1e-9);
  EXPECT_EQ(r.topics[1].before, 20u);
  EXPECT_EQ(r.topics[1].after, 20u);
}

TEST(SubTopics, EmptyAndPivotOutsideTheData) {
  EXPECT_TRUE(FindSubTopics({}, std::nullopt).topics.empty());
  auto r = FindSubTopics(AppAccountRequests(), 100 * kDayMs);
  EXPECT_FALSE(r.pivot.has_value());
  EXPECT_EQ(r.topics[0].before + r.topics[0].after, 0u);
}

}  // namespace
}  // namespace hotline::intel
