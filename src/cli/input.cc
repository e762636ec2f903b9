#include "cli/input.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>

#include "cli/app.h"
#include "core/text.h"
#include "intel/insight.h"

namespace hotline::cli {

namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string JsonString(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return "";
  if (j[key].is_string()) return j[key].get<std::string>();
  return j[key].dump();
}

// Fills text, label etc. from named fields; `get` returns "" for an absent field.
template <typename Get>
Status FillRow(LabelledRow& r, const InputOptions& opts, Get get) {
  r.title = Trim(get("留言主题"));
  std::string text = get("text");
  if (text.empty()) {
    text = get("segmented_text");
    r.segmented = !text.empty();
  }
  if (text.empty() && (!r.title.empty() || !get("留言详情").empty())) text = r.title + " " + get("留言详情");
  r.text = Trim(text);
  if (r.text.empty()) return InvalidArgument("text", "is missing or empty");
  if (!IsValidUtf8(r.text)) return InvalidArgument("text", "is not valid UTF-8 (convert the file to UTF-8)");
  r.label = Trim(get(opts.label_column.c_str()));
  if (opts.need_label && r.label.empty()) return InvalidArgument(opts.label_column, "is missing or empty");
  r.group = Trim(get(opts.group_column.c_str()));
  r.time = Trim(get("time"));
  if (r.time.empty()) r.time = Trim(get("留言时间"));
  r.user = Trim(get("user"));
  if (r.user.empty()) r.user = Trim(get("留言用户"));
  r.category = Trim(get("category"));
  if (r.category.empty()) r.category = Trim(get("category_code"));
  r.address = Trim(get("address"));
  if (r.category.size() > 200) return InvalidArgument("category", "is longer than 200 bytes");
  if (r.address.size() > 1000) return InvalidArgument("address", "is longer than 1000 bytes");
  for (const char* k : {"votes", "点赞数", "反对数"}) {
    const std::string v = Trim(get(k));
    if (v.empty()) continue;
    try {
      r.votes += std::stoll(v);
    } catch (const std::exception&) {
      return InvalidArgument(k, "is not a number: " + v);
    }
  }
  return Status::Ok();
}

}  // namespace

// "04/22/2014 01:07:39 PM" (US exports) or anything ParseLooseTime reads.
std::optional<TimeMs> ParseRecordTime(const std::string& s) {
  int mo = 0, d = 0, y = 0, h = 0, mi = 0, se = 0;
  char ampm[3] = {0};
  if (std::sscanf(s.c_str(), "%d/%d/%d %d:%d:%d %2s", &mo, &d, &y, &h, &mi, &se, ampm) >= 3 && y > 1900) {
    if ((ampm[0] == 'P' || ampm[0] == 'p') && h < 12) h += 12;
    if ((ampm[0] == 'A' || ampm[0] == 'a') && h == 12) h = 0;
    char iso[32];
    std::snprintf(iso, sizeof iso, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h, mi, se);
    return intel::ParseLooseTime(iso);
  }
  return intel::ParseLooseTime(s);
}

Result<size_t> CsvTable::Column(const std::string& name, const char* field) const {
  auto it = columns.find(name);
  if (it == columns.end()) return InvalidArgument(field, path + " has no column '" + name + "'");
  // Two columns of one name: which one is meant cannot be told.
  if (repeated.count(name)) return InvalidArgument(field, path + " has column '" + name + "' twice");
  return it->second;
}

Result<CsvTable> ReadCsvTable(const std::string& path) {
  ASSIGN_OR_RETURN(std::string data, ReadFile(path, 1u << 30));
  CsvTable t;
  t.path = path;
  auto rows = ParseCsv(data, &t.lines);
  if (!rows.ok()) return InFile(path, rows.status());
  t.rows = std::move(rows).value();
  if (t.rows.size() < 2) return InvalidArgument("input", path + " has no data rows");
  for (size_t c = 0; c < t.rows[0].size(); ++c) {
    if (!t.columns.emplace(Trim(t.rows[0][c]), c).second) t.repeated.insert(Trim(t.rows[0][c]));
  }
  return t;
}

Result<LabelledRow> ParseJsonTextLine(const std::string& line, const InputOptions& opts) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line);
  } catch (const std::exception&) {
    return InvalidArgument("line", "is not valid JSON");
  }
  if (!j.is_object()) return InvalidArgument("line", "is not a JSON object");
  LabelledRow r;
  if (j.contains("id")) r.id = j["id"];
  if (j.contains("留言编号")) r.id = j["留言编号"];
  RETURN_IF_ERROR(FillRow(r, opts, [&](const char* k) { return JsonString(j, k); }));
  return r;
}

void ReportBadLine(const std::string& path, size_t line, const Status& st, size_t* bad) {
  std::cerr << path << " line " << line << ": " << st.message() << "\n";
  ++*bad;
}

void ReportSkipped(size_t bad) {
  if (bad > 0) std::cerr << "skipped " << bad << " bad lines (reported above)\n";
}

Status FieldCountError(size_t fields, size_t header) {
  return InvalidArgument("line", "has " + std::to_string(fields) + " fields, the header " + std::to_string(header));
}

Result<std::vector<LabelledRow>> ReadTextRows(const std::string& path, const InputOptions& opts, size_t* bad) {
  ASSIGN_OR_RETURN(std::string data, ReadFile(path, 1u << 30));
  std::vector<LabelledRow> out;
  const bool jsonl = EndsWith(path, ".jsonl") || EndsWith(path, ".ndjson") || EndsWith(path, ".json") ||
                     Trim(data.substr(0, 64)).starts_with("{");
  auto report = [&](size_t line, const Status& st) { ReportBadLine(path, line, st, bad); };
  if (jsonl) {
    size_t start = 0, line = 1;
    while (start < data.size() && out.size() < opts.max_rows) {
      size_t end = data.find('\n', start);
      if (end == std::string::npos) end = data.size();
      const std::string text = data.substr(start, end - start);
      if (!Trim(text).empty()) {
        auto r = ParseJsonTextLine(text, opts);
        if (!r.ok()) {
          report(line, r.status());
        } else {
          r->line = line;
          if (r->id.is_null()) r->id = line;
          out.push_back(std::move(r).value());
        }
      }
      start = end + 1;
      ++line;
    }
    return out;
  }
  if (!IsValidUtf8(data)) {
    // Report the lines that are not UTF-8 and go on with the rest.
    size_t start = 0, line = 1;
    std::string clean;
    while (start < data.size()) {
      size_t end = data.find('\n', start);
      if (end == std::string::npos) end = data.size();
      std::string_view l(data.data() + start, end - start);
      if (IsValidUtf8(l)) {
        clean.append(l);
      } else {
        report(line, InvalidArgument("line", "is not valid UTF-8 (convert the file to UTF-8)"));
      }
      clean += '\n';
      start = end + 1;
      ++line;
    }
    data = std::move(clean);
  }
  std::vector<size_t> lines;  // where each record starts in the file
  auto parsed = ParseCsv(data, &lines);
  if (!parsed.ok()) return InFile(path, parsed.status());
  auto records = std::move(parsed).value();
  if (records.empty()) return InvalidArgument("input", path + " has no header row");
  std::map<std::string, size_t> col;
  for (size_t c = 0; c < records[0].size(); ++c) col[Trim(records[0][c])] = c;
  if (!col.count("text") && !col.count("segmented_text") && !col.count("留言详情") && !col.count("留言主题")) {
    return InvalidArgument("input", path + " has no text, segmented_text or 留言详情 column");
  }
  if (opts.need_label && !col.count(opts.label_column)) {
    return InvalidArgument(opts.label_column, path + " has no " + opts.label_column + " column");
  }
  for (size_t i = 0; i < records.size() && out.size() < opts.max_rows; ++i) {
    const auto& rec = records[i];
    const size_t this_line = lines[i];
    if (i == 0) continue;
    if (rec.size() == 1 && Trim(rec[0]).empty()) continue;
    if (rec.size() != records[0].size()) {
      report(this_line, FieldCountError(rec.size(), records[0].size()));
      continue;
    }
    LabelledRow r;
    r.line = this_line;
    auto get = [&](const char* k) -> std::string {
      auto it = col.find(k);
      return it == col.end() ? std::string() : rec[it->second];
    };
    std::string id = get("id");
    if (id.empty()) id = get("留言编号");
    r.id = id.empty() ? nlohmann::json(this_line) : nlohmann::json(Trim(id));
    if (Status st = FillRow(r, opts, get); !st.ok()) {
      report(this_line, st);
      continue;
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace hotline::cli
