// CSV import of the organisation: areas, units and the dispatch directory, referring to
// each other by name so that a city can keep its directory in a spreadsheet. Pure: rows
// are resolved against the current snapshot and earlier rows of the same file; every
// error names the line and the column.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "org/org.h"

namespace hotline {

using NewIdFn = std::function<Id()>;

// Header: name,kind,parent,aliases   (parent by name; aliases separated by '|')
Result<std::vector<Area>> ParseAreasCsv(std::string_view csv, const OrgSnapshot& org, const NewIdFn& new_id);
// Header: name,kind,parent,area,phone   (parent unit and area by name; root has no parent)
Result<std::vector<Unit>> ParseUnitsCsv(std::string_view csv, const OrgSnapshot& org, const NewIdFn& new_id);
// Header: category_prefix,area,lead_unit,assisting_units,priority   (names; assisting '|'-separated)
// `check_prefix`, when given, judges each category_prefix (the taxonomy lives elsewhere).
Result<std::vector<DispatchRule>> ParseRulesCsv(std::string_view csv, const OrgSnapshot& org, const NewIdFn& new_id,
                                                const std::function<Status(const std::string&)>& check_prefix = {});

}  // namespace hotline
