#include "org/org_import.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/text.h"

namespace hotline {

namespace {

using Rows = std::vector<std::vector<std::string>>;

Status LineError(size_t line, const char* col, const std::string& msg) {
  // A validator's message already starts with the field it names: said once.
  const std::string prefix = std::string(col) + ": ";
  const std::string what = msg.rfind(prefix, 0) == 0 ? msg.substr(prefix.size()) : msg;
  return Status(Code::kInvalidArgument, "line " + std::to_string(line) + ", column " + col + ": " + what, col);
}
// A fault of a whole line (the header, a row's width), not of one column.
Status WholeLineError(size_t line, const std::string& msg) {
  return Status(Code::kInvalidArgument, "line " + std::to_string(line) + ": " + msg, "csv");
}
// A validator's refusal, named by the file's column: a validator speaks of the API's fields
// (parent_id, area_id), a file of its columns (parent, area).
Status ValidatorError(size_t line, const Status& st) {
  const std::string& field = st.field();
  const std::string column = field == "parent_id" ? "parent" : field == "area_id" ? "area" : field;
  const std::string prefix = field + ": ";
  const std::string& msg = st.message();
  return LineError(line, column.c_str(), msg.rfind(prefix, 0) == 0 ? msg.substr(prefix.size()) : msg);
}

// Column lookup by header name, so column order does not matter.
class Table {
 public:
  // `required` columns must be there; `optional` ones may. Any other column is refused by
  // name (a misspelt 'priorty' would lose every row's priority in silence), and so is a row
  // with more or fewer fields than the header.
  static Result<Table> Parse(std::string_view csv, std::initializer_list<const char*> required,
                             std::initializer_list<const char*> optional) {
    Table t;
    ASSIGN_OR_RETURN(Rows rows, ParseCsv(csv, &t.lines_));
    if (rows.empty()) return InvalidArgument("csv", "the file is empty");
    std::string known;
    for (const char* c : required) known += (known.empty() ? "" : ", ") + std::string(c);
    for (const char* c : optional) known += ", " + std::string(c);
    // A column the header leaves unnamed (a spreadsheet's trailing commas) holds nothing: a
    // value there would be dropped unread.
    std::vector<size_t> unnamed;
    for (size_t i = 0; i < rows[0].size(); ++i) {
      const std::string name = Trim(rows[0][i]);
      if (name.empty()) {
        unnamed.push_back(i);
        continue;
      }
      const auto is = [&](const char* c) { return name == c; };
      if (std::none_of(required.begin(), required.end(), is) && std::none_of(optional.begin(), optional.end(), is)) {
        return WholeLineError(t.lines_[0], "column '" + name + "' is not one of " + known);
      }
      if (!t.cols_.emplace(name, i).second) return WholeLineError(t.lines_[0], "the header names column '" + name + "' twice");
    }
    for (const char* r : required) {
      if (!t.cols_.count(r)) return WholeLineError(t.lines_[0], std::string("the header has no column '") + r + "'");
    }
    for (size_t r = 1; r < rows.size(); ++r) {
      if (rows[r].size() != rows[0].size()) {
        return WholeLineError(t.lines_[r], "has " + std::to_string(rows[r].size()) + " fields, the header " +
                                               std::to_string(rows[0].size()));
      }
      for (size_t i : unnamed) {
        if (!Trim(rows[r][i]).empty()) {
          return WholeLineError(t.lines_[r], "field " + std::to_string(i + 1) + " holds '" + Utf8Prefix(Trim(rows[r][i]), 40) +
                                                 "' in a column the header does not name");
        }
      }
    }
    t.rows_ = std::move(rows);
    return t;
  }
  size_t size() const { return rows_.size(); }
  size_t Line(size_t row) const { return lines_[row]; }  // where the row starts in the file
  std::string Get(size_t row, const char* col) const {
    auto it = cols_.find(col);
    if (it == cols_.end() || it->second >= rows_[row].size()) return "";
    return Trim(rows_[row][it->second]);
  }

 private:
  std::map<std::string, size_t> cols_;
  Rows rows_;
  std::vector<size_t> lines_;
};

std::vector<std::string> SplitBar(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('|', start);
    if (end == std::string::npos) end = s.size();
    std::string part = Trim(s.substr(start, end - start));
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  return out;
}

// Name → id for what is stored plus what earlier rows add; names must be unique.
class Names {
 public:
  void Add(const std::string& name, Id id) {
    auto [it, inserted] = ids_.emplace(name, id);
    if (!inserted && it->second != id) it->second = 0;  // ambiguous
  }
  Result<Id> Find(const std::string& name, size_t line, const char* col, const char* what) const {
    auto it = ids_.find(name);
    if (it == ids_.end()) return LineError(line, col, std::string("no ") + what + " named '" + name + "'");
    if (it->second == 0) return LineError(line, col, std::string("more than one ") + what + " is named '" + name + "'");
    return it->second;
  }
  bool Has(const std::string& name) const { return ids_.count(name) > 0; }

 private:
  std::map<std::string, Id> ids_;
};

// What is stored already, by name (a lookup per row: a scan per row made importing a big
// file again take time quadratic in its length). A row naming a stored one: the same thing
// imported again is skipped (true), so a file can be imported twice; the name taken by
// something else is an error.
template <typename T>
class Stored {
 public:
  explicit Stored(const std::vector<T>& stored) {
    for (const auto& x : stored) by_name_.emplace(x.name, &x);
  }
  Result<bool> ImportedBefore(const T& row, size_t line, const char* what) const {
    const auto it = by_name_.find(row.name);
    if (it == by_name_.end()) return false;
    const T& x = *it->second;
    if (x.kind == row.kind && x.parent_id == row.parent_id) return true;
    return LineError(line, "name", std::string("a") + what + " named '" + row.name + "' exists already, of another kind or parent");
  }

 private:
  std::unordered_map<std::string, const T*> by_name_;
};

Names AreaNames(const OrgSnapshot& org) {
  Names n;
  for (const auto& a : org.areas()) n.Add(a.name, a.id);
  return n;
}

Names UnitNames(const OrgSnapshot& org) {
  Names n;
  for (const auto& u : org.units()) n.Add(u.name, u.id);
  return n;
}

// The rows in an order where each comes after the file's row for its parent, so a file may
// name a parent further down. A parent stored already, or one the file does not define, puts
// no constraint (a name nobody defines is reported by the row that uses it).
Result<std::vector<size_t>> ParentsFirst(const Table& t, const Names& stored) {
  std::map<std::string, size_t> row_of;
  for (size_t r = 1; r < t.size(); ++r) row_of.emplace(t.Get(r, "name"), r);
  const auto parent_row = [&](size_t r) -> size_t {  // 0: none in the file
    const std::string parent = t.Get(r, "parent");
    if (parent.empty() || stored.Has(parent)) return 0;
    auto it = row_of.find(parent);
    return it == row_of.end() || it->second == r ? 0 : it->second;
  };
  std::vector<size_t> order;
  std::vector<char> state(t.size(), 0);  // 0 not yet, 1 on the current chain, 2 placed
  for (size_t r = 1; r < t.size(); ++r) {
    std::vector<size_t> chain;  // r and its ancestors not yet placed, child first
    for (size_t x = r; x != 0 && state[x] != 2; x = parent_row(x)) {
      if (state[x] == 1) {
        return LineError(t.Line(x), "parent", "'" + t.Get(x, "name") + "' is its own ancestor through the file's parents");
      }
      state[x] = 1;
      chain.push_back(x);
    }
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      state[*it] = 2;
      order.push_back(*it);
    }
  }
  return order;
}

}  // namespace

Result<std::vector<Area>> ParseAreasCsv(std::string_view csv, const OrgSnapshot& org, const NewIdFn& new_id) {
  ASSIGN_OR_RETURN(Table t, Table::Parse(csv, {"name", "kind"}, {"parent", "aliases"}));
  Names names = AreaNames(org);
  const Stored<Area> stored(org.areas());
  std::vector<Area> out;
  std::vector<size_t> lines;  // each new area's line in the file
  ASSIGN_OR_RETURN(const std::vector<size_t> order, ParentsFirst(t, names));
  for (size_t r : order) {
    Area a;
    a.name = t.Get(r, "name");
    const auto kind = ParseAreaKind(t.Get(r, "kind"));
    if (!kind) return LineError(t.Line(r), "kind", "must be district, street or community");
    a.kind = *kind;
    if (const std::string parent = t.Get(r, "parent"); !parent.empty()) {
      ASSIGN_OR_RETURN(a.parent_id, names.Find(parent, t.Line(r), "parent", "area"));
    }
    a.aliases = CleanAliases(SplitBar(t.Get(r, "aliases")), a.name);
    if (Status st = ValidateArea(a); !st.ok()) return ValidatorError(t.Line(r), st);
    ASSIGN_OR_RETURN(bool again, stored.ImportedBefore(a, t.Line(r), "n area"));
    if (again) continue;
    if (names.Has(a.name)) return LineError(t.Line(r), "name", "names an area the file has named before");
    a.id = new_id();
    names.Add(a.name, a.id);
    out.push_back(std::move(a));
    lines.push_back(t.Line(r));
  }
  // As the API: an alias (or a name used as one) names one area of its district, among the
  // areas stored and the file's.
  std::vector<Area> all = org.areas();
  all.insert(all.end(), out.begin(), out.end());
  const OrgSnapshot with_file(org.units(), std::move(all), {});
  // The last line first: of two rows that clash, the later one repeats the word, and its
  // error names the earlier row's area.
  std::vector<size_t> by_line(out.size());
  for (size_t i = 0; i < out.size(); ++i) by_line[i] = i;
  std::sort(by_line.begin(), by_line.end(), [&](size_t a, size_t b) { return lines[a] > lines[b]; });
  for (size_t i = 0; i < out.size(); ++i) {
    if (Status st = CheckAreaParent(with_file, out[i]); !st.ok()) return LineError(lines[i], "parent", st.message());
  }
  AreaWords words(with_file);
  for (size_t i : by_line) {
    if (Status st = words.Check(out[i]); !st.ok()) return LineError(lines[i], st.field().c_str(), st.message());
  }
  return out;
}

Result<std::vector<Unit>> ParseUnitsCsv(std::string_view csv, const OrgSnapshot& org, const NewIdFn& new_id) {
  ASSIGN_OR_RETURN(Table t, Table::Parse(csv, {"name", "kind"}, {"parent", "area", "phone"}));
  Names units = UnitNames(org);
  const Names areas = AreaNames(org);
  const Stored<Unit> stored(org.units());
  std::vector<Unit> out;
  // One city centre per city: the database's or the file's first.
  bool has_city_center = std::any_of(org.units().begin(), org.units().end(),
                                     [](const Unit& u) { return u.kind == UnitKind::kCityCenter; });
  ASSIGN_OR_RETURN(const std::vector<size_t> order, ParentsFirst(t, units));
  for (size_t r : order) {
    Unit u;
    u.name = t.Get(r, "name");
    const auto kind = ParseUnitKind(t.Get(r, "kind"));
    if (!kind) return LineError(t.Line(r), "kind", "must be one of city_center, district_center, sub_center, department, street, community, utility");
    u.kind = *kind;
    if (const std::string parent = t.Get(r, "parent"); !parent.empty()) {
      ASSIGN_OR_RETURN(u.parent_id, units.Find(parent, t.Line(r), "parent", "unit"));
    }
    if (const std::string area = t.Get(r, "area"); !area.empty()) {
      ASSIGN_OR_RETURN(u.area_id, areas.Find(area, t.Line(r), "area", "area"));
    }
    u.phone = t.Get(r, "phone");
    if (Status st = ValidateUnit(u); !st.ok()) return ValidatorError(t.Line(r), st);
    ASSIGN_OR_RETURN(bool again, stored.ImportedBefore(u, t.Line(r), " unit"));
    if (again) continue;
    if (units.Has(u.name)) return LineError(t.Line(r), "name", "names a unit the file has named before");
    if (u.kind == UnitKind::kCityCenter) {
      if (has_city_center) return LineError(t.Line(r), "kind", "the city has a city_center already");
      has_city_center = true;
    }
    u.id = new_id();
    units.Add(u.name, u.id);
    out.push_back(std::move(u));
  }
  return out;
}

Result<std::vector<DispatchRule>> ParseRulesCsv(std::string_view csv, const OrgSnapshot& org, const NewIdFn& new_id,
                                                const std::function<Status(const std::string&)>& check_prefix) {
  ASSIGN_OR_RETURN(Table t, Table::Parse(csv, {"category_prefix", "lead_unit"}, {"area", "assisting_units", "priority"}));
  const Names units = UnitNames(org);
  const Names areas = AreaNames(org);
  std::vector<DispatchRule> out;
  for (size_t r = 1; r < t.size(); ++r) {
    DispatchRule rule;
    rule.category_prefix = t.Get(r, "category_prefix");
    if (check_prefix && !rule.category_prefix.empty()) {
      if (Status st = check_prefix(rule.category_prefix); !st.ok()) return LineError(t.Line(r), "category_prefix", st.message());
    }
    if (const std::string area = t.Get(r, "area"); !area.empty()) {
      ASSIGN_OR_RETURN(rule.area_id, areas.Find(area, t.Line(r), "area", "area"));
    }
    // As the API: a rule sending orders to a unit out of use would match nothing, in silence.
    const auto in_use = [&](Id id, const char* column) -> Status {
      const Unit* u = org.FindUnit(id);
      return u && !u->active ? LineError(t.Line(r), column, "unit " + u->name + " is out of use") : Status::Ok();
    };
    ASSIGN_OR_RETURN(rule.lead_unit_id, units.Find(t.Get(r, "lead_unit"), t.Line(r), "lead_unit", "unit"));
    RETURN_IF_ERROR(in_use(rule.lead_unit_id, "lead_unit"));
    for (const auto& name : SplitBar(t.Get(r, "assisting_units"))) {
      ASSIGN_OR_RETURN(Id id, units.Find(name, t.Line(r), "assisting_units", "unit"));
      RETURN_IF_ERROR(in_use(id, "assisting_units"));
      // As the API: the lead does not assist its own order, and no unit is listed twice.
      if (id == rule.lead_unit_id) return LineError(t.Line(r), "assisting_units", "lists the lead unit");
      if (std::count(rule.assisting_unit_ids.begin(), rule.assisting_unit_ids.end(), id)) {
        return LineError(t.Line(r), "assisting_units", "lists " + name + " twice");
      }
      rule.assisting_unit_ids.push_back(id);
    }
    if (const std::string p = t.Get(r, "priority"); !p.empty()) {
      size_t used = 0;
      long long v = 0;
      try {
        v = std::stoll(p, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != p.size() || v < -1000000 || v > 1000000) {
        return LineError(t.Line(r), "priority", "must be an integer from -1,000,000 to 1,000,000");
      }
      rule.priority = static_cast<int>(v);
    }
    // A rule the directory holds already is skipped, so a file can be imported again after
    // rows are added; the same rule twice in the file is a mistake, and so are two rules for
    // the same tickets at the same priority with other units (which one applies would be
    // decided by the order of the lines).
    const auto same = [&](const DispatchRule& o) { return SameRule(o, rule); };
    const auto rival = [&](const DispatchRule& o) { return RivalRules(o, rule); };
    if (std::any_of(out.begin(), out.end(), same)) {
      return LineError(t.Line(r), "category_prefix", "repeats a rule the file has given before");
    }
    if (std::any_of(org.rules().begin(), org.rules().end(), same)) continue;
    const bool in_file = std::any_of(out.begin(), out.end(), rival);
    if (in_file || std::any_of(org.rules().begin(), org.rules().end(), rival)) {
      return LineError(t.Line(r), "priority", std::string("gives the same category and area the same priority as ") +
                                                  (in_file ? "a rule above it" : "a rule of the directory") +
                                                  " with other units: give one a higher priority");
    }
    rule.id = new_id();
    out.push_back(std::move(rule));
  }
  return out;
}

}  // namespace hotline
