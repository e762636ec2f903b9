#include <gtest/gtest.h>

#include "org/org.h"

namespace hotline {
namespace {

OrgSnapshot Sample() {
  std::vector<Unit> units = {
      {1, "市12345热线中心", UnitKind::kCityCenter, 0, 0, "", true},
      {2, "幸福区12345分中心", UnitKind::kDistrictCenter, 1, 10, "", true},
      {3, "幸福街道办事处", UnitKind::kStreet, 2, 11, "", true},
      {4, "市住建局", UnitKind::kDepartment, 1, 0, "", true},
      {5, "和平区12345分中心", UnitKind::kDistrictCenter, 1, 20, "", true},
  };
  std::vector<Area> areas = {
      {10, "幸福区", AreaKind::kDistrict, 0, {}},
      {11, "幸福街道", AreaKind::kStreet, 10, {"幸福小区", "幸福路"}},
      {20, "和平区", AreaKind::kDistrict, 0, {}},
      {21, "和平街道", AreaKind::kStreet, 20, {}},
      {12, "和平街道", AreaKind::kStreet, 10, {}},  // same street name in another district
  };
  std::vector<DispatchRule> rules = {
      {100, "", 0, 1, {}, 0},
      {101, "01", 0, 4, {}, 0},
      {102, "0101", 10, 2, {4}, 0},
      {103, "0101", 11, 3, {}, 0},
  };
  return OrgSnapshot(units, areas, rules);
}

TEST(Org, TreeQueries) {
  auto org = Sample();
  EXPECT_TRUE(org.InSubtree(3, 1));
  EXPECT_TRUE(org.InSubtree(3, 2));
  EXPECT_FALSE(org.InSubtree(3, 5));
  EXPECT_FALSE(org.InSubtree(2, 3));
  EXPECT_EQ(org.CentreOf(3), 2);
  EXPECT_EQ(org.CentreOf(4), 1);
  EXPECT_EQ(org.Ancestors(3), (std::vector<Id>{3, 2, 1}));
}

TEST(Org, AddressResolution) {
  auto org = Sample();
  EXPECT_EQ(org.ResolveArea("幸福小区3栋"), 11);
  EXPECT_EQ(org.ResolveArea("幸福区幸福路12号"), 11);
  EXPECT_EQ(org.ResolveArea("和平区和平街道8号"), 21);
  EXPECT_EQ(org.ResolveArea("幸福区和平街道8号"), 12);
  EXPECT_EQ(org.ResolveArea("幸福区某处"), 10);
  EXPECT_EQ(org.ResolveArea("火星"), 0);
  // Written in traditional characters: the same places.
  EXPECT_EQ(org.ResolveArea("幸福區和平街道8號"), 12);
  EXPECT_EQ(org.ResolveArea("和平區和平街道"), 21);
  // A simplified name that the traditional → simplified reading changes (乾县 → 干县) keeps
  // its district.
  std::vector<Area> areas = org.areas();
  areas.push_back({30, "乾县", AreaKind::kDistrict, 0, {}});
  areas.push_back({31, "和平街道", AreaKind::kStreet, 30, {"幸福小区"}});
  const OrgSnapshot more(org.units(), areas, {});
  EXPECT_EQ(more.ResolveArea("乾县和平街道"), 31);
  EXPECT_EQ(more.ResolveArea("乾县幸福小区"), 31);
}

TEST(Org, DispatchDirectoryPrefersSpecificRules) {
  auto org = Sample();
  EXPECT_EQ(org.MatchRule("010101", 11)->lead_unit_id, 3);  // exact area
  EXPECT_EQ(org.MatchRule("010101", 12)->lead_unit_id, 2);  // parent area
  auto r = org.MatchRule("010101", 21);                     // other district: category-wide rule
  EXPECT_EQ(r->lead_unit_id, 4);
  EXPECT_EQ(org.MatchRule("0201", 11)->lead_unit_id, 1);    // catch-all
  EXPECT_EQ(org.MatchRule("010101", 11)->id, 103);
}

TEST(Org, Validation) {
  Unit u{0, "", UnitKind::kStreet, 1, 0, "", true};
  EXPECT_EQ(ValidateUnit(u).field(), "name");
  u.name = "x";
  u.parent_id = 0;
  EXPECT_EQ(ValidateUnit(u).field(), "parent_id");
  EXPECT_EQ(ParseUnitKind("sub_center"), UnitKind::kSubCenter);
  EXPECT_FALSE(ParseUnitKind("ministry"));
}

}  // namespace
}  // namespace hotline

#include "org/org_import.h"

namespace hotline {
namespace {

TEST(OrgImport, ResolvesNamesAcrossRowsAndReportsLines) {
  OrgSnapshot empty;
  Id next = 100;
  auto new_id = [&] { return next++; };
  auto areas = ParseAreasCsv("name,kind,parent,aliases\n幸福区,district,,\n幸福街道,street,幸福区,幸福小区|幸福路\n", empty, new_id);
  ASSERT_TRUE(areas.ok()) << areas.status().ToString();
  ASSERT_EQ(areas->size(), 2u);
  EXPECT_EQ((*areas)[1].parent_id, (*areas)[0].id);
  EXPECT_EQ((*areas)[1].aliases.size(), 2u);
  OrgSnapshot with_areas({}, *areas, {});
  // As the API: one alias names one area of a district, whether the other is stored or in the file.
  auto clash = ParseAreasCsv("name,kind,parent,aliases\n滨江街道,street,幸福区,滨江大道\n江岸街道,street,幸福区,滨江大道\n",
                             with_areas, new_id);
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.status().field(), "aliases");
  // The later row repeats the word: its line is named, with the area that has it already.
  EXPECT_NE(clash.status().message().find("line 3"), std::string::npos) << clash.status().message();
  EXPECT_NE(clash.status().message().find("already names 滨江街道"), std::string::npos) << clash.status().message();
  auto stored = ParseAreasCsv("name,kind,parent,aliases\n另一街道,street,幸福区,幸福路\n", with_areas, new_id);
  ASSERT_FALSE(stored.ok());
  EXPECT_EQ(stored.status().field(), "aliases");
  auto units = ParseUnitsCsv("name,kind,parent,area,phone\n市中心,city_center,,,\n幸福街道办,street,市中心,幸福街道,123\n",
                             with_areas, new_id);
  ASSERT_TRUE(units.ok()) << units.status().ToString();
  EXPECT_EQ((*units)[1].area_id, (*areas)[1].id);
  auto bad = ParseUnitsCsv("name,kind,parent\n街道,street,不存在\n", with_areas, new_id);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos);
  EXPECT_EQ(bad.status().field(), "parent");
  // A file may name a parent further down: parents are created first, a cycle is refused.
  auto later = ParseUnitsCsv("name,kind,parent\n路灯所,department,城管局\n城管局,department,总中心\n总中心,city_center,\n",
                             with_areas, new_id);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  ASSERT_EQ(later->size(), 3u);
  EXPECT_EQ((*later)[0].name, "总中心");
  EXPECT_EQ((*later)[1].parent_id, (*later)[0].id);
  EXPECT_EQ((*later)[2].name, "路灯所");
  EXPECT_EQ((*later)[2].parent_id, (*later)[1].id);
  auto later_areas = ParseAreasCsv("name,kind,parent\n东街,street,东区\n东区,district,\n", OrgSnapshot(), new_id);
  ASSERT_TRUE(later_areas.ok()) << later_areas.status().ToString();
  EXPECT_EQ((*later_areas)[1].parent_id, (*later_areas)[0].id);
  auto cycle = ParseUnitsCsv("name,kind,parent\n甲科,department,乙科\n乙科,department,甲科\n", with_areas, new_id);
  ASSERT_FALSE(cycle.ok());
  EXPECT_EQ(cycle.status().field(), "parent");
  EXPECT_NE(cycle.status().message().find("ancestor"), std::string::npos) << cycle.status().message();
  OrgSnapshot org(*units, *areas, {});
  // A second city centre is named with its line, whether the database or the file has the first.
  auto second = ParseUnitsCsv("name,kind,parent\n甲,department,市中心\n另一中心,city_center,\n", org, new_id);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("line 3, column kind"), std::string::npos) << second.status().message();
  auto two = ParseUnitsCsv("name,kind\n中心一,city_center\n中心二,city_center\n", with_areas, new_id);
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.status().message().find("line 3"), std::string::npos) << two.status().message();
  auto rules = ParseRulesCsv("category_prefix,area,lead_unit,assisting_units,priority\n01,幸福区,幸福街道办,市中心,5\n", org, new_id);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  EXPECT_EQ((*rules)[0].priority, 5);
  EXPECT_EQ((*rules)[0].assisting_unit_ids.size(), 1u);
  EXPECT_FALSE(ParseRulesCsv("category_prefix,lead_unit\n01,无此单位\n", org, new_id).ok());
  // Refused as the API refuses them, each named with the line it is on in the file (a blank
  // line and a quoted newline before it count).
  const auto rule_error = [&](const std::string& rows) {
    auto r = ParseRulesCsv("category_prefix,area,lead_unit,assisting_units,priority\n\n\"0\n1\",,幸福街道办,,1\n" + rows,
                           org, new_id, [](const std::string& p) {
                             return p == "ZZ" ? InvalidArgument("category_prefix", "'ZZ' begins no category code") : Status::Ok();
                           });
    return r.ok() ? std::string("ok") : r.status().message();
  };
  EXPECT_EQ(rule_error("01,,幸福街道办,,5abc\n"), "line 5, column priority: must be an integer from -1,000,000 to 1,000,000");
  EXPECT_EQ(rule_error("01,,幸福街道办,幸福街道办,\n"), "line 5, column assisting_units: lists the lead unit");
  EXPECT_EQ(rule_error("01,,幸福街道办,市中心|市中心,\n"), "line 5, column assisting_units: lists 市中心 twice");
  EXPECT_EQ(rule_error("ZZ,,幸福街道办,,\n"), "line 5, column category_prefix: 'ZZ' begins no category code");
}

// Names are what imports, rules and addresses go by: a file imported again adds nothing, and
// a name taken by another area or unit, in the database or earlier in the file, is refused.
// The area tree keeps its levels: district, street under a district, community under a street.
TEST(OrgImport, AreasKeepTheirLevels) {
  const OrgSnapshot org = Sample();
  Id next = 100;
  auto new_id = [&] { return next++; };
  auto district_under_street = ParseAreasCsv("name,kind,parent,aliases\n东十二区,district,幸福街道,\n", org, new_id);
  ASSERT_FALSE(district_under_street.ok());
  EXPECT_EQ(district_under_street.status().field(), "parent");
  EXPECT_NE(district_under_street.status().message().find("line 2"), std::string::npos);
  // A development zone's 社区 straight under the district is a real city's; under another
  // community it is not.
  EXPECT_TRUE(ParseAreasCsv("name,kind,parent,aliases\n开发区第一社区,community,幸福区,\n", org, new_id).ok());
  auto community_under_community = ParseAreasCsv("name,kind,parent,aliases\n甲社区,community,幸福街道,\n乙社区,community,甲社区,\n", org, new_id);
  ASSERT_FALSE(community_under_community.ok());
  EXPECT_NE(community_under_community.status().message().find("belongs to a street or a district"), std::string::npos)
      << community_under_community.status().message();
  auto street_under_street = ParseAreasCsv("name,kind,parent,aliases\n新街道,street,幸福街道,\n", org, new_id);
  ASSERT_FALSE(street_under_street.ok());
  // A file's own street may be the parent of its community, a row after or before.
  auto ok = ParseAreasCsv("name,kind,parent,aliases\n新社区,community,新街道,\n新街道,street,幸福区,\n", org, new_id);
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();
  Area lone{0, "孤街道", AreaKind::kStreet, 0, {}};
  EXPECT_EQ(CheckAreaParent(org, lone).field(), "parent_id");
}

TEST(OrgImport, NamesStayUniqueAndAFileCanBeImportedTwice) {
  Id next = 100;
  auto new_id = [&] { return next++; };
  const std::string areas_csv = "name,kind,parent,aliases\n幸福区,district,,\n幸福街道,street,幸福区,幸福路\n";
  auto areas = ParseAreasCsv(areas_csv, OrgSnapshot(), new_id);
  ASSERT_TRUE(areas.ok()) << areas.status().ToString();
  const std::string units_csv = "name,kind,parent,area\n市中心,city_center,,\n幸福街道办,street,市中心,幸福街道\n";
  auto units = ParseUnitsCsv(units_csv, OrgSnapshot({}, *areas, {}), new_id);
  ASSERT_TRUE(units.ok()) << units.status().ToString();
  const OrgSnapshot org(*units, *areas, {});
  auto again = ParseAreasCsv(areas_csv + "新街道,street,幸福区,\n", org, new_id);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].name, "新街道");
  auto units_again = ParseUnitsCsv(units_csv, org, new_id);
  ASSERT_TRUE(units_again.ok()) << units_again.status().ToString();
  EXPECT_TRUE(units_again->empty()) << "the city centre imported again is not a second one";
  auto moved = ParseAreasCsv("name,kind,parent\n幸福街道,district,\n", org, new_id);
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.status().message(), "line 2, column name: an area named '幸福街道' exists already, of another kind or parent");
  auto twice = ParseUnitsCsv("name,kind,parent\n城管局,department,市中心\n城管局,department,市中心\n", org, new_id);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(), "line 3, column name: names a unit the file has named before");
  // A column the importer does not read is refused by name, and so is a row of another width.
  auto misspelt = ParseRulesCsv("category_prefix,lead_unit,priorty\n01,城管局,10\n", org, new_id, nullptr);
  ASSERT_FALSE(misspelt.ok());
  EXPECT_NE(misspelt.status().message().find("column 'priorty' is not one of category_prefix, lead_unit, area"),
            std::string::npos) << misspelt.status().message();
  auto wide = ParseAreasCsv("name,kind,parent,aliases\n乙区,district,,,extra\n", org, new_id);
  ASSERT_FALSE(wide.ok());
  EXPECT_EQ(wide.status().message(), "line 2: has 5 fields, the header 4");
  // Rules: one the directory holds already is skipped; one given twice in a file is refused.
  const std::string rules_csv = "category_prefix,lead_unit,priority\n01,幸福街道办,3\n";
  auto rules = ParseRulesCsv(rules_csv, org, new_id, nullptr);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 1u);
  const OrgSnapshot with_rule(*units, *areas, *rules);
  auto rules_again = ParseRulesCsv(rules_csv + "02,幸福街道办,3\n", with_rule, new_id, nullptr);
  ASSERT_TRUE(rules_again.ok()) << rules_again.status().ToString();
  ASSERT_EQ(rules_again->size(), 1u);
  EXPECT_EQ((*rules_again)[0].category_prefix, "02");
  auto rule_twice = ParseRulesCsv(rules_csv + "01,幸福街道办,3\n", org, new_id, nullptr);
  ASSERT_FALSE(rule_twice.ok());
  EXPECT_EQ(rule_twice.status().message(), "line 3, column category_prefix: repeats a rule the file has given before");
  // Another lead for the same category and area at the same priority: in the file or the
  // directory, which one applies would be a guess.
  auto rival = ParseRulesCsv("category_prefix,lead_unit,priority\n02,幸福街道办,1\n02,市中心,1\n", org, new_id, nullptr);
  ASSERT_FALSE(rival.ok());
  EXPECT_EQ(rival.status().field(), "priority") << rival.status().message();
  EXPECT_NE(rival.status().message().find("line 3, column priority: gives the same category and area the same priority as a rule above it"),
            std::string::npos) << rival.status().message();
  EXPECT_EQ(ParseRulesCsv("category_prefix,lead_unit,priority\n01,市中心,3\n", with_rule, new_id, nullptr).status().field(),
            "priority");
  EXPECT_TRUE(ParseRulesCsv("category_prefix,lead_unit,priority\n01,市中心,4\n", with_rule, new_id, nullptr).ok());
  // Control characters in a name or alias, and a phone that is no number, are refused.
  EXPECT_EQ(ParseAreasCsv("name,kind,parent,aliases\n\"城南\n区\",district,,\n", org, new_id).status().field(), "name");
  EXPECT_EQ(ParseUnitsCsv("name,kind,parent,phone\n水务局,department,市中心,abc-not-phone\n", org, new_id).status().field(),
            "phone");
  EXPECT_TRUE(ParseUnitsCsv("name,kind,parent,phone\n水务局,department,市中心,0571-8888001转123、96345\n", org, new_id).ok());
  auto two_columns = ParseUnitsCsv("name,kind,parent,name\n城管局,department,市中心,城管\n", org, new_id);
  ASSERT_FALSE(two_columns.ok());
  EXPECT_EQ(two_columns.status().message(), "line 1: the header names column 'name' twice");
  // Aliases are kept once each, without the area's own name.
  auto aliases = ParseAreasCsv("name,kind,parent,aliases\n丙区,district,,丙区|老城|老城\n", org, new_id);
  ASSERT_TRUE(aliases.ok()) << aliases.status().ToString();
  EXPECT_EQ((*aliases)[0].aliases, std::vector<std::string>{"老城"});
  // A validator's field is named as the file's column.
  auto no_parent = ParseUnitsCsv("name,kind,parent\n某局,department,\n", org, new_id);
  ASSERT_FALSE(no_parent.ok());
  EXPECT_EQ(no_parent.status().field(), "parent") << no_parent.status().message();
}

}  // namespace
}  // namespace hotline
