#include <gtest/gtest.h>

#include "taxonomy/taxonomy.h"

#include <map>

namespace hotline {
namespace {

// An edited file imported again keeps the codes of the paths in force: a row added at the top
// does not renumber what tickets and rules hold, and a number in force is not given again.
TEST(Taxonomy, AnImportKeepsTheCodesOfThePathsInForce) {
  auto current = ParseTaxonomyCsv("一级,二级\n城建,物业\n城建,市政\n环保,噪声\n");
  ASSERT_TRUE(current.ok());
  auto next = ParseTaxonomyCsv("一级,二级\n应急,值守\n城建,物业\n城建,路灯\n交通,出租\n", {*current});
  ASSERT_TRUE(next.ok()) << next.status().message();
  std::map<std::string, std::string> got;
  for (const auto& c : *next) got[c.code] = c.name;
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"01", "城建"}, {"0101", "物业"}, {"0103", "路灯"}, {"03", "应急"},
                                                     {"0301", "值守"}, {"04", "交通"}, {"0401", "出租"}}))
      << "市政 (0102) and 环保 (02) are gone from the file, and their codes are not reused";
  // Nor by the import after: a code of any stored version stays its category's.
  auto third = ParseTaxonomyCsv("一级,二级\n环保,噪声\n水务,供水\n", {*current, *next});
  ASSERT_TRUE(third.ok()) << third.status().message();
  got.clear();
  for (const auto& c : *third) got[c.code] = c.name;
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"02", "环保"}, {"0201", "噪声"}, {"05", "水务"}, {"0501", "供水"}}));
  // Versions numbered by row order (before codes were kept) gave one code to two paths: the
  // later version's path keeps it, the other takes a new number.
  const std::vector<Category> v1 = {{"01", "城建", "", 1}, {"0101", "物业", "01", 2}, {"0102", "市政", "01", 2}};
  const std::vector<Category> v2 = {{"01", "城建", "", 1}, {"0101", "市政", "01", 2}};
  auto both = ParseTaxonomyCsv("一级,二级\n城建,物业\n城建,市政\n", {v1, v2});
  ASSERT_TRUE(both.ok()) << both.status().message();
  got.clear();
  for (const auto& c : *both) got[c.code] = c.name;
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"01", "城建"}, {"0101", "市政"}, {"0103", "物业"}}));
}

TEST(Taxonomy, DerivesCodesFromPaths) {
  auto cats = ParseTaxonomyCsv("一级,二级,三级\n城乡建设,物业管理,物业服务\n城乡建设,物业管理,物业收费\n"
                               "城乡建设,供水,\n环境保护,噪声,施工噪声\n");
  ASSERT_TRUE(cats.ok()) << cats.status().ToString();
  ASSERT_EQ(cats->size(), 8u);
  EXPECT_EQ((*cats)[0].code, "01");
  EXPECT_EQ((*cats)[1].code, "0101");
  EXPECT_EQ((*cats)[2].code, "010101");
  EXPECT_EQ((*cats)[2].level, 3);
  EXPECT_EQ((*cats)[3].code, "010102");
  EXPECT_EQ((*cats)[4].code, "0102");
  EXPECT_EQ((*cats)[5].code, "02");
  EXPECT_EQ((*cats)[7].parent_code, "0201");
  auto gap = ParseTaxonomyCsv("一级,二级,三级\n城建,物业,服务\n城建,,维修\n");
  ASSERT_FALSE(gap.ok()) << "a level left empty under a named one is not dropped silently";
  EXPECT_NE(gap.status().message().find("line 3"), std::string::npos) << gap.status().message();
  // A name too long is named with its line, as in the code form.
  auto long_name = ParseTaxonomyCsv("一级,二级\n甲,乙\n甲," + std::string(300, 'x') + "\n");
  ASSERT_FALSE(long_name.ok());
  EXPECT_NE(long_name.status().message().find("line 3"), std::string::npos) << long_name.status().message();
  EXPECT_TRUE(CodeHasPrefix("010102", "0101"));
  EXPECT_FALSE(CodeHasPrefix("0201", "01"));
}

TEST(Taxonomy, ExplicitCodesAndErrors) {
  auto ok = ParseTaxonomyCsv("code,name,parent_code\nA,城建,\nA1,物业,A\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)[1].level, 2);
  auto orphan = ParseTaxonomyCsv("code,name,parent_code\nA1,物业,A\n");
  EXPECT_FALSE(orphan.ok());
  EXPECT_EQ(orphan.status().field(), "parent_code");
  // Codes carry the hierarchy (rules and filters match by prefix).
  auto astray = ParseTaxonomyCsv("code,name,parent_code\n01,城乡建设,\n0201,道路维修,01\n");
  ASSERT_FALSE(astray.ok());
  EXPECT_EQ(astray.status().field(), "code");
  EXPECT_NE(astray.status().message().find("taxonomy line 3: code: '0201' must begin with its parent's code '01'"),
            std::string::npos) << astray.status().message();
  auto nested = ParseTaxonomyCsv("code,name,parent_code\n01,城乡建设,\n011,物业,\n");
  ASSERT_FALSE(nested.ok());
  EXPECT_NE(nested.status().message().find("'011' begins with the code of '01', which is not its parent"),
            std::string::npos) << nested.status().message();
  EXPECT_TRUE(ParseTaxonomyCsv("code,name,parent_code\n01,城乡建设,\n0101,物业,01\n010101,收费,0101\n02,环保,\n").ok());
  auto dup = ParseTaxonomyCsv("code,name,parent_code\nA,城建,\n\nA,环保,\n");
  EXPECT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("taxonomy line 4: "), std::string::npos) << dup.status().message();
  EXPECT_EQ(dup.status().field(), "code");
  EXPECT_FALSE(ParseTaxonomyCsv("").ok());
  // Another column would be dropped, and a misspelt parent_code would flatten the tree.
  auto misspelt = ParseTaxonomyCsv("code,name,parent_cod\n01,城乡建设,\n0101,物业,01\n");
  ASSERT_FALSE(misspelt.ok());
  EXPECT_EQ(misspelt.status().field(), "parent_cod");
  EXPECT_NE(misspelt.status().message().find("taxonomy line 1: column 'parent_cod' is not one of"), std::string::npos);
  EXPECT_EQ(ParseTaxonomyCsv("code,name,parent_code,note\n01,城乡建设,,x\n").status().field(), "note");
  auto ragged = ParseTaxonomyCsv("code,name,parent_code\n01,城乡建设\n");
  ASSERT_FALSE(ragged.ok());
  EXPECT_NE(ragged.status().message().find("taxonomy line 2: has 2 fields, the header 3"), std::string::npos);
  EXPECT_TRUE(ParseTaxonomyCsv("code,name\n01,城乡建设\n").ok());
  EXPECT_TRUE(ParseTaxonomyCsv("code,name,parent_code,\n01,城乡建设,,\n").ok()) << "a trailing comma's column";
  // The code form under another header is not read as level names (its codes as categories).
  for (const char* header : {"编码,名称,上级编码", "CODE,NAME,PARENT_CODE", "name,code,parent_code", "code,名称,parent_code"}) {
    auto wrong = ParseTaxonomyCsv(std::string(header) + "\n01,城建,\n0101,供水,01\n");
    EXPECT_FALSE(wrong.ok()) << header;
  }
  EXPECT_FALSE(ParseTaxonomyCsv("一级,二级\n01,供水\n").ok()) << "digits alone name no category";
  auto wide = ParseTaxonomyCsv("一级,二级\n城建,供水,多余\n");
  ASSERT_FALSE(wide.ok());
  EXPECT_NE(wide.status().message().find("taxonomy line 2: has 3 fields, the header 2"), std::string::npos);
}

TEST(Taxonomy, DefaultStandardIsValid) {
  auto cats = ParseTaxonomyCsv(DefaultTaxonomyCsv());
  ASSERT_TRUE(cats.ok()) << cats.status().ToString();
  EXPECT_GE(cats->size(), 100u);
  EXPECT_EQ((*cats)[0].name, "城乡建设");
}

}  // namespace
}  // namespace hotline
