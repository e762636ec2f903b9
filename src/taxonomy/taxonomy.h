// The request classification standard (诉求分类标准与代码): a tree of categories with
// codes. When a source has no codes they are derived from the path, two digits a level
// in order of first appearance ("01", "0103", "010307"). The standard is versioned by the
// store; a ticket keeps the code and version it was given.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace hotline {

struct Category {
  std::string code;
  std::string name;
  std::string parent_code;  // empty for a first-level category
  int level = 1;            // 1-based depth
  bool active = true;
};

constexpr size_t kMaxCategories = 20000;
constexpr size_t kMaxCategoryNameBytes = 200;

// Reads a taxonomy CSV. Two shapes are accepted, told apart by the header row:
//  - code,name,parent_code  (explicit codes; parents must appear before children)
//  - any other header: each row is a path of names, one column per level
//    (e.g. 一级分类,二级分类,三级分类); empty trailing cells end the path; codes derived.
//    With `versions` (the standards stored, oldest first), a path of names one of them has
//    keeps its code (the latest one's), and a new one takes the next number under its parent
//    that no version ever gave: a file edited and imported again (a row added at the top) does
//    not move the codes that tickets, dispatch rules, knowledge entries, SLA rules and models
//    hold over to other categories.
Result<std::vector<Category>> ParseTaxonomyCsv(std::string_view csv, const std::vector<std::vector<Category>>& versions = {});

// Checks codes are unique, parents exist, names are non-empty UTF-8 within limits.
Status ValidateTaxonomy(const std::vector<Category>& categories);

// A name is shown in pickers, reports and CSV files: no control characters (NUL, BEL), and not
// blank, invisible (U+200B alone) or padded with what cannot be seen. Asked of what a file or
// an edit brings, not of the whole standard (one stored before the rule would block every edit).
Status CheckCategoryName(const Category& c);

// Conflict when an active category under the same parent, other than `c` itself (same code),
// already has c's name: pickers and reports would show two alike.
Status SiblingNameFree(const std::vector<Category>& categories, const Category& c);

// The default standard shipped with the product (15 first-level areas of government
// work, about 90 second-level categories).
std::string_view DefaultTaxonomyCsv();

// True when `code` equals `prefix` or lies under it ("0103" is under "01").
inline bool CodeHasPrefix(std::string_view code, std::string_view prefix) {
  return code.substr(0, prefix.size()) == prefix;
}

}  // namespace hotline
