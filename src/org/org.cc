#include "org/org.h"

#include <algorithm>
#include <set>

#include "core/text.h"
#include "text/text.h"

namespace hotline {

namespace {
constexpr std::pair<UnitKind, const char*> kUnitKinds[] = {
    {UnitKind::kCityCenter, "city_center"}, {UnitKind::kDistrictCenter, "district_center"},
    {UnitKind::kSubCenter, "sub_center"},   {UnitKind::kDepartment, "department"},
    {UnitKind::kStreet, "street"},          {UnitKind::kCommunity, "community"},
    {UnitKind::kUtility, "utility"}};
constexpr std::pair<AreaKind, const char*> kAreaKinds[] = {
    {AreaKind::kDistrict, "district"}, {AreaKind::kStreet, "street"}, {AreaKind::kCommunity, "community"}};
constexpr size_t kMaxTreeDepth = 16;  // bounds every walk up the tree
}  // namespace

const char* UnitKindName(UnitKind k) {
  for (auto& [kind, name] : kUnitKinds) if (kind == k) return name;
  return "department";
}
std::optional<UnitKind> ParseUnitKind(std::string_view s) {
  for (auto& [kind, name] : kUnitKinds) if (s == name) return kind;
  return std::nullopt;
}
bool IsCentre(UnitKind k) {
  return k == UnitKind::kCityCenter || k == UnitKind::kDistrictCenter || k == UnitKind::kSubCenter;
}
const char* AreaKindName(AreaKind k) {
  for (auto& [kind, name] : kAreaKinds) if (kind == k) return name;
  return "district";
}
std::optional<AreaKind> ParseAreaKind(std::string_view s) {
  for (auto& [kind, name] : kAreaKinds) if (s == name) return kind;
  return std::nullopt;
}

namespace {
// A unit's public number: digits with separators, several numbers and an extension (转)
// allowed, as a 12345 directory prints them (0571-8888001转123, 12345、96345).
// Each number (between spaces, / , ; 、 ， ； and 转) holds at most 20 digits, as a caller's does.
bool IsPhoneList(std::string_view p) {
  bool digit = false;
  int in_number = 0;
  for (size_t i = 0; i < p.size();) {
    const char c = p[i];
    if (c >= '0' && c <= '9') {
      digit = true;
      if (++in_number > 20) return false;
    }
    if (c == '/' || c == ',' || c == ';' || c == ' ') in_number = 0;  // (a space may part two numbers)
    if ((c >= '0' && c <= '9') || c == ' ' || c == '-' || c == '+' || c == '(' || c == ')' || c == '/' || c == ',' || c == ';') {
      ++i;
      continue;
    }
    bool ok = false;
    for (std::string_view w : {"转", "、", "，", "；"}) {
      if (p.substr(i, w.size()) == w) i += w.size(), ok = true, in_number = 0;
    }
    if (!ok) return false;
  }
  return digit;
}
}  // namespace

Status ValidateUnit(const Unit& u) {
  if (Trim(u.name).empty() || u.name.size() > 200 || !IsValidUtf8(u.name) || HasAsciiControl(u.name)) {
    return InvalidArgument("name", "must be 1-200 bytes of UTF-8 text without control characters");
  }
  if (!u.phone.empty() && (u.phone.size() > 60 || !IsPhoneList(u.phone))) {
    return InvalidArgument("phone", "must be telephone numbers of at most 20 digits each: digits, - ( ) + / , and 转 for an extension");
  }
  if (u.kind == UnitKind::kCityCenter && u.parent_id != 0) {
    return InvalidArgument("parent_id", "a city_center is the root and has no parent");
  }
  if (u.kind != UnitKind::kCityCenter && u.parent_id == 0) {
    return InvalidArgument("parent_id", "required for every unit but the city_center");
  }
  return Status::Ok();
}

bool RivalRules(const DispatchRule& a, const DispatchRule& b) {
  return a.category_prefix == b.category_prefix && a.area_id == b.area_id && a.priority == b.priority;
}

bool SameRule(const DispatchRule& a, const DispatchRule& b) {
  auto x = a.assisting_unit_ids, y = b.assisting_unit_ids;
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return RivalRules(a, b) && a.lead_unit_id == b.lead_unit_id && x == y;
}

std::vector<std::string> CleanAliases(const std::vector<std::string>& given, const std::string& name) {
  std::vector<std::string> out;
  std::set<std::string> seen{name};  // a set: a file's row may hold thousands, refused only later
  for (const auto& al : given) {
    std::string t = Trim(al);
    if (seen.insert(t).second) out.push_back(std::move(t));
  }
  return out;
}

Status ValidateArea(const Area& a) {
  if (Trim(a.name).empty() || a.name.size() > 200 || !IsValidUtf8(a.name) || HasAsciiControl(a.name)) {
    return InvalidArgument("name", "must be 1-200 bytes of UTF-8 text without control characters");
  }
  if (a.kind != AreaKind::kDistrict && a.parent_id == 0) {
    return InvalidArgument("parent_id", "a street or community needs its parent area");
  }
  if (a.aliases.size() > 50) return InvalidArgument("aliases", "at most 50");
  for (const auto& al : a.aliases) {
    if (Trim(al).empty() || al.size() > 200 || !IsValidUtf8(al) || HasAsciiControl(al)) {
      return InvalidArgument("aliases", "each alias must be 1-200 bytes of UTF-8 text without control characters");
    }
  }
  return Status::Ok();
}

OrgSnapshot::OrgSnapshot(std::vector<Unit> units, std::vector<Area> areas,
                         std::vector<DispatchRule> rules)
    : units_(std::move(units)), areas_(std::move(areas)), rules_(std::move(rules)) {
  for (size_t i = 0; i < units_.size(); ++i) unit_index_[units_[i].id] = i;
  for (size_t i = 0; i < areas_.size(); ++i) area_index_[areas_[i].id] = i;
}

const Unit* OrgSnapshot::FindUnit(Id id) const {
  auto it = unit_index_.find(id);
  return it == unit_index_.end() ? nullptr : &units_[it->second];
}

const Area* OrgSnapshot::FindArea(Id id) const {
  auto it = area_index_.find(id);
  return it == area_index_.end() ? nullptr : &areas_[it->second];
}

std::vector<Id> OrgSnapshot::Ancestors(Id unit) const {
  std::vector<Id> out;
  for (const Unit* u = FindUnit(unit); u && out.size() < kMaxTreeDepth; u = FindUnit(u->parent_id)) {
    out.push_back(u->id);
  }
  return out;
}

bool OrgSnapshot::InSubtree(Id unit, Id ancestor) const {
  for (Id a : Ancestors(unit)) if (a == ancestor) return true;
  return false;
}

Id OrgSnapshot::CentreOf(Id unit) const {
  for (Id a : Ancestors(unit)) {
    if (IsCentre(FindUnit(a)->kind)) return a;
  }
  return 0;
}

bool OrgSnapshot::AreaInSubtree(Id area, Id ancestor) const {
  size_t depth = 0;
  for (const Area* a = FindArea(area); a && depth < kMaxTreeDepth; a = FindArea(a->parent_id), ++depth) {
    if (a->id == ancestor) return true;
  }
  return false;
}

Id OrgSnapshot::DistrictOf(Id area) const {
  const Area* a = FindArea(area);
  for (size_t depth = 0; a && a->kind != AreaKind::kDistrict && a->parent_id != 0 && depth < kMaxTreeDepth; ++depth) {
    const Area* up = FindArea(a->parent_id);
    if (!up) break;
    a = up;
  }
  return a ? a->id : 0;
}

namespace {
// The districts an address names: a match must lie in one of them (幸福区和平街道 must not
// resolve to a 和平街道 of another district).
void AddNamedDistricts(const OrgSnapshot& org, std::string_view address, std::vector<Id>* named) {
  for (const auto& a : org.areas()) {
    if (a.kind == AreaKind::kDistrict && address.find(a.name) != std::string_view::npos &&
        std::find(named->begin(), named->end(), a.id) == named->end()) {
      named->push_back(a.id);
    }
  }
}

// The most specific area the address names as written, in one of `named` when any.
Id ResolveAreaIn(const OrgSnapshot& org, std::string_view address, const std::vector<Id>& named) {
  Id best = 0;
  size_t best_len = 0;
  int best_depth = -1;
  for (const auto& a : org.areas()) {
    size_t len = 0;
    if (address.find(a.name) != std::string_view::npos) len = a.name.size();
    for (const auto& al : a.aliases) {
      if (al.size() > len && address.find(al) != std::string_view::npos) len = al.size();
    }
    if (len == 0) continue;
    if (!named.empty()) {
      bool agrees = false;
      for (Id d : named) agrees = agrees || org.AreaInSubtree(a.id, d);
      if (!agrees) continue;
    }
    const int depth = static_cast<int>(a.kind);
    if (depth > best_depth || (depth == best_depth && len > best_len)) {
      best = a.id;
      best_len = len;
      best_depth = depth;
    }
  }
  return best;
}
}  // namespace

Id OrgSnapshot::ResolveArea(std::string_view address) const {
  if (address.empty()) return 0;
  std::vector<Id> named;
  AddNamedDistricts(*this, address, &named);
  // An address in traditional characters (江北區幸福小區, typed on a Hong Kong or Taiwan
  // input method) names the same places: read again in simplified characters. A district
  // either reading names constrains both (t2s turns the simplified names 乾县 and 於潜 into
  // 干县 and 于潜, which must not lose the district), and the more specific answer is taken
  // (望江路錦繡花園: the estate, not the road written alike), the simplified one on a tie.
  NormaliseOptions o;
  o.lowercase_ascii = false;
  auto simplified = NormaliseText(address, o);
  if (!simplified.ok() || *simplified == address) return ResolveAreaIn(*this, address, named);
  AddNamedDistricts(*this, *simplified, &named);
  const Id as_written = ResolveAreaIn(*this, address, named);
  const Id read_simplified = ResolveAreaIn(*this, *simplified, named);
  const Area* a = FindArea(as_written);
  const Area* b = FindArea(read_simplified);
  return b && (!a || static_cast<int>(b->kind) >= static_cast<int>(a->kind)) ? read_simplified : as_written;
}

std::optional<DispatchRule> OrgSnapshot::MatchRule(std::string_view category_code, Id area_id) const {
  // Distance of the rule's area from the ticket's area: 0 exact, k for the k-th ancestor,
  // kMaxTreeDepth for an any-area rule, -1 when it does not apply.
  auto area_distance = [&](Id rule_area) -> int {
    if (rule_area == 0) return static_cast<int>(kMaxTreeDepth);
    int d = 0;
    for (const Area* a = FindArea(area_id); a && d < static_cast<int>(kMaxTreeDepth);
         a = FindArea(a->parent_id), ++d) {
      if (a->id == rule_area) return d;
    }
    return -1;
  };
  const DispatchRule* best = nullptr;
  int best_dist = 0;
  for (const auto& r : rules_) {
    if (!(category_code.substr(0, r.category_prefix.size()) == r.category_prefix)) continue;
    // A rule whose lead unit is out of use gives way to the next most specific one.
    if (const Unit* lead = FindUnit(r.lead_unit_id); !lead || !lead->active) continue;
    const int dist = area_distance(r.area_id);
    if (dist < 0) continue;
    if (!best || r.category_prefix.size() > best->category_prefix.size() ||
        (r.category_prefix.size() == best->category_prefix.size() &&
         (dist < best_dist || (dist == best_dist && r.priority > best->priority)))) {
      best = &r;
      best_dist = dist;
    }
  }
  if (!best) return std::nullopt;
  return *best;
}

Status CheckAreaParent(const OrgSnapshot& org, const Area& area) {
  const Area* parent = area.parent_id ? org.FindArea(area.parent_id) : nullptr;
  if (area.parent_id && !parent) return InvalidArgument("parent_id", "no area with id " + IdToString(area.parent_id));
  switch (area.kind) {
    case AreaKind::kDistrict:
      if (parent) return InvalidArgument("parent_id", "a district is a top-level area, not under '" + parent->name + "'");
      break;
    case AreaKind::kStreet:
      if (!parent || parent->kind != AreaKind::kDistrict) {
        return InvalidArgument("parent_id", "a street belongs to a district" + (parent ? ", not to the " + std::string(AreaKindName(parent->kind)) + " '" + parent->name + "'" : std::string()));
      }
      break;
    case AreaKind::kCommunity:
      // Under a street (街道/镇), or straight under a district where no street stands between
      // (a development zone's 社区; a city without districts whose 镇街 are its top areas).
      if (!parent || parent->kind == AreaKind::kCommunity) {
        return InvalidArgument("parent_id", "a community belongs to a street or a district" + (parent ? ", not to the community '" + parent->name + "'" : std::string()));
      }
      break;
  }
  return Status::Ok();
}

// A name an address may use (an alias, or an area's name) names one area of its district:
// addresses are resolved within the district they name, so the same word on two areas of
// one district would send them to either. Two areas may share a name (two 幸福小区 under
// different streets), but not an alias or a name another one has as its alias.
AreaWords::AreaWords(const OrgSnapshot& org) : org_(org) {
  const auto& areas = org.areas();
  for (size_t i = 0; i < areas.size(); ++i) {
    const Id d = DistrictOf(areas[i]);
    names_[{d, areas[i].name}].push_back(i);
    for (const auto& al : areas[i].aliases) aliases_[{d, al}].push_back(i);
  }
}

Id AreaWords::DistrictOf(const Area& x) {
  if (auto it = district_.find(x.id); x.id != 0 && it != district_.end()) return it->second;
  const Area* at = &x;
  for (int depth = 0; depth < 8 && at->parent_id != 0; ++depth) {
    const Area* up = org_.FindArea(at->parent_id);
    if (!up) break;
    at = up;
  }
  if (x.id != 0) district_[x.id] = at->id;
  return at->id;
}

// The first area of the snapshot (in its order) other than `self` that has `word` in `index`.
const Area* AreaWords::Other(const std::map<std::pair<Id, std::string>, std::vector<size_t>>& index, Id district,
                             const std::string& word, Id self) const {
  auto it = index.find({district, word});
  if (it == index.end()) return nullptr;
  for (size_t i : it->second) {
    if (org_.areas()[i].id != self) return &org_.areas()[i];
  }
  return nullptr;
}

Status AreaWords::Check(const Area& area) {
  const Id district = DistrictOf(area);
  // The first other area that clashes, as a walk over the snapshot's areas would meet it.
  const Area* clash = Other(aliases_, district, area.name, area.id);
  const char* field = "name";
  std::string word = area.name;
  for (const auto& al : area.aliases) {
    for (const Area* o : {Other(names_, district, al, area.id), Other(aliases_, district, al, area.id)}) {
      if (!o) continue;
      const auto index_of = [&](const Area* a) { return a - org_.areas().data(); };
      // An earlier area in the snapshot wins; on the same area, its name is checked first.
      if (!clash || index_of(o) < index_of(clash)) {
        clash = o;
        field = "aliases";
        word = al;
      }
    }
  }
  if (!clash) return Status::Ok();
  return InvalidArgument(field, "'" + word + "' already names " + clash->name + " in the same district");
}

Status CheckAreaAliases(const OrgSnapshot& org, const Area& area) { return AreaWords(org).Check(area); }

}  // namespace hotline
