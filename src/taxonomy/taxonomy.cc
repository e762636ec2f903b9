#include "taxonomy/taxonomy.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <set>

#include "core/text.h"

namespace hotline {

namespace {

// A refusal of the file, named by its line.
Status LineError(size_t line, const std::string& msg, std::string field = "taxonomy") {
  return Status(Code::kInvalidArgument, "taxonomy line " + std::to_string(line) + ": " + msg, std::move(field));
}
// A row of another width than the header.
Status WidthError(size_t line, size_t fields, size_t header) {
  return LineError(line, "has " + std::to_string(fields) + " fields, the header " + std::to_string(header));
}

std::string TwoDigits(int n) {
  return std::string(1, static_cast<char>('0' + n / 10 % 10)) + static_cast<char>('0' + n % 10);
}

// The rules every taxonomy keeps; *at is the index of the first category that breaks one
// (categories.size() when the set as a whole does).
Status CheckCategories(const std::vector<Category>& categories, size_t* at) {
  *at = categories.size();
  if (categories.empty()) return InvalidArgument("taxonomy", "no categories");
  if (categories.size() > kMaxCategories) {
    return InvalidArgument("taxonomy", "more than " + std::to_string(kMaxCategories) + " categories");
  }
  std::set<std::string> codes;
  for (size_t i = 0; i < categories.size(); ++i) {
    const Category& c = categories[i];
    *at = i;
    if (c.code.empty() || c.code.size() > 32) return InvalidArgument("code", "must be 1-32 characters");
    for (char ch : c.code) {
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-')) {
        return InvalidArgument("code", "'" + c.code + "' may hold only letters, digits, '.' and '-'");
      }
    }
    if (c.name.empty() || c.name.size() > kMaxCategoryNameBytes || !IsValidUtf8(c.name)) {
      return InvalidArgument("name", "category " + c.code + " needs a UTF-8 name of 1-200 bytes");
    }
    if (!c.parent_code.empty() && !codes.count(c.parent_code)) {
      return InvalidArgument("parent_code", "'" + c.parent_code + "' of " + c.code + " is unknown");
    }
    if (!codes.insert(c.code).second) return InvalidArgument("code", "'" + c.code + "' appears twice");
  }
  // Categories are found by code prefix (dispatch rules, filters, reports): a code extends its
  // parent's, and the longest other code it begins with is its parent's. Otherwise 0201
  // under 01 would be dispatched by a rule for 02, and a top-level 011 counted under 01.
  for (size_t i = 0; i < categories.size(); ++i) {
    const Category& c = categories[i];
    *at = i;
    std::string longest;
    for (size_t len = c.code.size() - 1; len > 0 && longest.empty(); --len) {
      if (codes.count(c.code.substr(0, len))) longest = c.code.substr(0, len);
    }
    if (longest == c.parent_code) continue;
    if (!c.parent_code.empty() && longest.empty()) {
      return InvalidArgument("code", "'" + c.code + "' must begin with its parent's code '" + c.parent_code +
                                         "' (categories are found by code prefix)");
    }
    return InvalidArgument("code", "'" + c.code + "' begins with the code of '" + longest + "', which is not its parent" +
                                       (c.parent_code.empty() ? "" : " ('" + c.parent_code + "' is)") +
                                       " (categories are found by code prefix)");
  }
  *at = categories.size();
  return Status::Ok();
}


// `made_at` receives the file line of each category made (its first row).
Result<std::vector<Category>> FromPaths(const std::vector<std::vector<std::string>>& rows, const std::vector<size_t>& lines,
                                        const std::vector<std::vector<Category>>& versions, std::vector<size_t>* made_at) {
  std::vector<Category> out;
  std::map<std::string, std::string> code_of_path;  // "a\x1f" "b" -> code
  std::map<std::string, int> children_count;        // parent code -> the highest number used under it
  // The standards stored: their paths keep their codes (the latest's), and no number any of
  // them gave is given again (an older ticket may hold it).
  std::map<std::string, std::string> known;  // path -> code
  std::map<std::string, std::string> owner;  // code -> path, in the latest version that gave it
  std::set<std::string> taken;               // codes ever given, by a version or this file
  for (const auto& version : versions) {
    std::map<std::string, const Category*> by_code;
    for (const Category& c : version) by_code[c.code] = &c, taken.insert(c.code);
    for (const Category& c : version) {
      std::string path;
      const Category* at = &c;
      for (int depth = 0; at && depth < 32; ++depth) {
        path = at->name + '\x1f' + path;
        if (at->parent_code.empty()) break;
        auto it = by_code.find(at->parent_code);
        at = it == by_code.end() ? nullptr : it->second;
      }
      if (at) known[path] = c.code, owner[c.code] = path;
      const std::string_view rest = std::string_view(c.code).substr(std::min(c.code.size(), c.parent_code.size()));
      if (CodeHasPrefix(c.code, c.parent_code) && rest.size() == 2 && IsDigits(rest)) {
        int& most = children_count[c.parent_code];
        most = std::max(most, std::stoi(std::string(rest)));
      }
    }
  }
  // A header of the code form's columns, misspelt or reordered (CODE,NAME; 编码,名称; name,code)
  // would be read as level names, its codes as categories: refused, not made a version.
  for (const auto& h : rows[0]) {
    const std::string c = AsciiLower(Trim(h));
    static const std::set<std::string> kCodeForm = {"code", "name", "parent_code", "parent", "编码", "代码", "名称",
                                                    "上级编码", "父级编码", "上级代码", "分类编码", "分类代码"};
    if (kCodeForm.count(c)) {
      return LineError(lines[0], "column '" + Trim(h) + "' belongs to the code form, whose header is exactly code,name[,parent_code]",
                       Trim(h));
    }
  }
  for (size_t r = 1; r < rows.size(); ++r) {
    std::string path, parent;
    int level = 0;
    // One level per column of the header: a wider row would make a level no column names.
    if (rows[r].size() > rows[0].size()) {
      return WidthError(lines[r], rows[r].size(), rows[0].size());
    }
    for (size_t col = 0; col < rows[r].size(); ++col) {
      std::string name = Trim(rows[r][col]);
      // Digits alone name no category: a code read as a name (a code-form file with another header).
      if (IsDigits(name)) {
        return LineError(lines[r], "level " + std::to_string(col + 1) + " '" + name +
                                       "' is a code, not a name (the code form's header is code,name,parent_code)");
      }
      if (name.empty()) {
        // A level left empty with a deeper one named would silently drop the deeper one.
        for (size_t after = col + 1; after < rows[r].size(); ++after) {
          if (!Trim(rows[r][after]).empty()) {
            return LineError(lines[r], "level " + std::to_string(col + 1) + " is empty but level " +
                                           std::to_string(after + 1) + " is named");
          }
        }
        break;
      }
      ++level;
      path += name + '\x1f';
      auto it = code_of_path.find(path);
      if (it == code_of_path.end()) {
        std::string code;
        // A code a later version gave to another path (numbered by row order before codes were
        // kept) is that path's now: this one takes a new number.
        // (A path takes its code once: code_of_path holds it for the rows after.)
        if (auto k = known.find(path); k != known.end() && CodeHasPrefix(k->second, parent) && owner[k->second] == path) {
          code = k->second;
        } else {
          do {
            const int n = ++children_count[parent];
            if (n > 99) {
              return LineError(lines[r], "more than 99 children under '" + parent +
                                             "' (a number an earlier taxonomy version gave is not given again)");
            }
            code = parent + TwoDigits(n);
          } while (taken.count(code));
        }
        taken.insert(code);
        code_of_path.emplace(path, code);
        out.push_back(Category{code, name, parent, level, true});
        made_at->push_back(lines[r]);
        parent = code;
      } else {
        parent = it->second;
      }
    }
  }
  return out;
}

}  // namespace

Result<std::vector<Category>> ParseTaxonomyCsv(std::string_view csv, const std::vector<std::vector<Category>>& versions) {
  std::vector<size_t> lines;  // where each row starts in the file
  ASSIGN_OR_RETURN(auto rows, ParseCsv(csv, &lines));
  if (rows.empty()) return InvalidArgument("taxonomy", "the file is empty");
  std::vector<Category> out;
  std::vector<size_t> made_at;  // the file line of each category (the row that made it)
  const auto& header = rows[0];
  if (header.size() >= 2 && Trim(header[0]) == "code" && Trim(header[1]) == "name") {
    // The code form has these columns only: another (parent_cod, a note column) would be
    // dropped and every category made a top-level one, in a version that is then in force.
    for (size_t c = 2; c < header.size(); ++c) {
      const std::string column = Trim(header[c]);
      if (c == 2 && column == "parent_code") continue;
      if (column.empty()) continue;  // a trailing comma's column, as the other imports allow
      return LineError(lines[0], "column '" + column + "' is not one of code, name, parent_code", column);
    }
    std::map<std::string, int> level_of;
    for (size_t r = 1; r < rows.size(); ++r) {
      const auto& row = rows[r];
      if (row.size() != header.size()) {
        return WidthError(lines[r], row.size(), header.size());
      }
      Category c;
      c.code = Trim(row[0]);
      c.name = row.size() > 1 ? Trim(row[1]) : "";
      c.parent_code = row.size() > 2 ? Trim(row[2]) : "";
      if (!c.parent_code.empty()) {
        auto it = level_of.find(c.parent_code);
        if (it == level_of.end()) {
          return LineError(lines[r], "parent_code '" + c.parent_code + "' is not defined above it", "parent_code");
        }
        c.level = it->second + 1;
      }
      level_of[c.code] = c.level;
      out.push_back(std::move(c));
      made_at.push_back(lines[r]);
    }
  } else {
    ASSIGN_OR_RETURN(out, FromPaths(rows, lines, versions, &made_at));
  }
  // A bad category is named with the line that made it, in either form.
  size_t at = 0;
  if (Status st = CheckCategories(out, &at); !st.ok()) {
    if (at >= out.size()) return st;  // the whole set (empty, too many)
    return Status(st.code(), "taxonomy line " + std::to_string(made_at[at]) + ": " + st.message(), st.field());
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (Status st = CheckCategoryName(out[i]); !st.ok()) {
      return Status(st.code(), "taxonomy line " + std::to_string(made_at[i]) + ": " + st.message(), st.field());
    }
  }
  return out;
}

Status CheckCategoryName(const Category& c) {
  if (HasAsciiControl(c.name) || !HasVisibleText(c.name) || TrimInvisible(c.name) != c.name) {
    return InvalidArgument("name", "category " + c.code + ": the name must be visible text without control characters "
                                   "or blanks at its ends");
  }
  return Status::Ok();
}

Status ValidateTaxonomy(const std::vector<Category>& categories) {
  size_t at = 0;
  return CheckCategories(categories, &at);
}

Status SiblingNameFree(const std::vector<Category>& categories, const Category& c) {
  for (const Category& x : categories) {
    if (x.code != c.code && x.active && x.parent_code == c.parent_code && x.name == c.name) {
      return Status(Code::kConflict, "name: category " + x.code + " under the same parent is called " + c.name + " already",
                    "name");
    }
  }
  return Status::Ok();
}

}  // namespace hotline
