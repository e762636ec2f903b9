// Reading rows of text from the files operators bring: CSV (RFC 4180, header row) or
// JSONL. Recognises the platform's own columns (id, text or segmented_text, label, time,
// user, votes, category or category_code, address) and the message-board export
// (留言编号, 留言用户, 留言主题, 留言时间, 留言详情, 反对数, 点赞数). A bad line is reported
// on standard error with its line number and counted; it never stops the run and is never
// dropped silently.
#pragma once

#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace hotline::cli {

struct LabelledRow {
  size_t line = 0;      // where the row starts in its file (1-based)
  nlohmann::json id;    // as given (string or number); the line number when absent
  std::string title;    // 留言主题 where the source has one
  std::string text;     // the whole text (title and details joined)
  bool segmented = false;  // text came from segmented_text (space-separated words)
  std::string label;
  std::string group;
  std::string time;
  std::string user;
  int64_t votes = 0;    // likes + dislikes, where the channel has them
  std::string category; // category or category_code, where the source has one
  std::string address;
};

struct InputOptions {
  std::string label_column = "label";
  std::string group_column = "dup_group";
  bool need_label = false;
  size_t max_rows = 5'000'000;
};

// Reads a CSV or JSONL file (JSONL when the name ends in .jsonl/.ndjson/.json or the first
// character is '{'). Adds the number of bad lines to *bad.
Result<std::vector<LabelledRow>> ReadTextRows(const std::string& path, const InputOptions& opts, size_t* bad);

// A CSV file of records (header row first) and its columns by name.
struct CsvTable {
  std::string path;
  std::vector<std::vector<std::string>> rows;  // rows[0] is the header
  std::vector<size_t> lines;                   // the line each row starts on in the file
  std::map<std::string, size_t> columns;       // trimmed header name → index
  std::set<std::string> repeated;              // names the header holds more than once
  // The index of a named column; kInvalidArgument naming `field` when the file has none.
  Result<size_t> Column(const std::string& name, const char* field) const;
};
// Fails on a file without data rows.
Result<CsvTable> ReadCsvTable(const std::string& path);

// A time as exports write it: "04/22/2014 01:07:39 PM" (US 311), "2019/2/28 11:25:05",
// "2019-09-05 12:29:01" or ISO 8601; read in the city's zone.
std::optional<TimeMs> ParseRecordTime(const std::string& s);

// A bad line, on standard error as "PATH line N: message", counted in *bad; and after a
// read, "skipped N bad lines (reported above)" when there were any.
void ReportBadLine(const std::string& path, size_t line, const Status& st, size_t* bad);
void ReportSkipped(size_t bad);
// A CSV record whose number of fields is not its header's.
Status FieldCountError(size_t fields, size_t header);

// One JSONL line {"id", "text"} (also "segmented_text").
Result<LabelledRow> ParseJsonTextLine(const std::string& line, const InputOptions& opts = {});

}  // namespace hotline::cli
