// The organisation: the unit tree (hub, district centres, sub-centres and the handling
// units under them), areas (district › street › community) with address → area
// resolution, and the dispatch directory (派单目录). OrgSnapshot is an immutable, in-memory
// view built from stored rows; it answers the questions the domain asks on every command.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ids.h"
#include "core/status.h"

namespace hotline {

enum class UnitKind { kCityCenter, kDistrictCenter, kSubCenter, kDepartment, kStreet, kCommunity, kUtility };

const char* UnitKindName(UnitKind k);
std::optional<UnitKind> ParseUnitKind(std::string_view s);
// Centres take calls and dispatch; the other kinds handle orders.
bool IsCentre(UnitKind k);

struct Unit {
  Id id = 0;
  std::string name;
  UnitKind kind = UnitKind::kDepartment;
  Id parent_id = 0;  // 0 for the root (the city centre)
  Id area_id = 0;    // the area it serves, 0 when city-wide
  std::string phone;
  bool active = true;
};

enum class AreaKind { kDistrict, kStreet, kCommunity };
const char* AreaKindName(AreaKind k);
std::optional<AreaKind> ParseAreaKind(std::string_view s);

struct Area {
  Id id = 0;
  std::string name;
  AreaKind kind = AreaKind::kDistrict;
  Id parent_id = 0;
  std::vector<std::string> aliases;  // other names found in addresses (小区, 路名, old names)
};

struct DispatchRule {
  Id id = 0;
  std::string category_prefix;  // "" matches every category
  Id area_id = 0;               // 0 matches every area
  Id lead_unit_id = 0;
  std::vector<Id> assisting_unit_ids;
  int priority = 0;             // higher wins among equally specific rules
};

// The same rule: every field but the id (assisting units in any order).
bool SameRule(const DispatchRule& a, const DispatchRule& b);
// Two rules for the same tickets at the same priority (prefix, area and priority equal):
// which one a ticket gets would come down to their ids, so the directory holds only one.
bool RivalRules(const DispatchRule& a, const DispatchRule& b);

// Validation of single rows, at the edge (field names as in the API).
Status ValidateUnit(const Unit& u);
Status ValidateArea(const Area& a);
// Aliases as stored: trimmed, each once, in the order given, without the area's own name
// (which addresses find anyway).
std::vector<std::string> CleanAliases(const std::vector<std::string>& given, const std::string& name);

class OrgSnapshot {
 public:
  OrgSnapshot() = default;
  OrgSnapshot(std::vector<Unit> units, std::vector<Area> areas, std::vector<DispatchRule> rules);

  const Unit* FindUnit(Id id) const;
  const Area* FindArea(Id id) const;
  const std::vector<Unit>& units() const { return units_; }
  const std::vector<Area>& areas() const { return areas_; }
  const std::vector<DispatchRule>& rules() const { return rules_; }

  // True when `unit` is `ancestor` or lies below it.
  bool InSubtree(Id unit, Id ancestor) const;
  // The nearest centre at or above the unit (0 when none).
  Id CentreOf(Id unit) const;
  // The chain from the unit up to the root, the unit first.
  std::vector<Id> Ancestors(Id unit) const;
  bool AreaInSubtree(Id area, Id ancestor) const;
  // The district an area lies in: the nearest district at or above it, else its top
  // ancestor (0 for an unknown area).
  Id DistrictOf(Id area) const;

  // The most specific area named in a free-text address: the longest name or alias found,
  // deeper areas winning ties; a match must agree with any district also named. 0 if none.
  Id ResolveArea(std::string_view address) const;

  // The dispatch directory's answer for (category, area): the rule with the longest
  // matching category prefix, then the nearest matching area (exact, then its ancestors,
  // then any), then priority. nullopt when nothing matches.
  std::optional<DispatchRule> MatchRule(std::string_view category_code, Id area_id) const;

 private:
  std::vector<Unit> units_;
  std::vector<Area> areas_;
  std::vector<DispatchRule> rules_;
  std::map<Id, size_t> unit_index_;
  std::map<Id, size_t> area_index_;
};

// A name an address may use (an alias, or an area's name) names one area of its district:
// `area` against the others of `org` (the API and the CSV import check the same).
Status CheckAreaAliases(const OrgSnapshot& org, const Area& area);
// The same check for many areas of one snapshot (an import): the snapshot's names and aliases
// are indexed once per district, so each check is a few look-ups, not a walk over every area.
class AreaWords {
 public:
  explicit AreaWords(const OrgSnapshot& org);  // `org` must outlive this
  Status Check(const Area& area);

 private:
  Id DistrictOf(const Area& x);
  const Area* Other(const std::map<std::pair<Id, std::string>, std::vector<size_t>>& index, Id district,
                    const std::string& word, Id self) const;
  const OrgSnapshot& org_;
  std::map<Id, Id> district_;
  std::map<std::pair<Id, std::string>, std::vector<size_t>> names_, aliases_;
};
// The area tree's levels: a district at the top, a street (街道/乡镇) under a district, a
// community (社区/村) under a street or straight under a district. Field parent_id.
Status CheckAreaParent(const OrgSnapshot& org, const Area& area);

}  // namespace hotline
