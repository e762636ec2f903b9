#include "sla/calendar.h"

#include <nlohmann/json.hpp>

#include "core/json.h"

namespace hotline {

using nlohmann::json;

namespace {

constexpr int kMaxDays = 3650;
}  // namespace

Day DayOf(TimeMs t) { return CityDays(t); }
TimeMs StartOfDay(Day d) { return d * kDayMs - kCityOffsetMs; }
int YearOf(Day d) {
  int y;
  unsigned m, dd;
  CivilFromDays(d, &y, &m, &dd);
  return y;
}
int WeekdayOf(Day d) { return static_cast<int>(((d % 7) + 7 + 3) % 7) + 1; }  // 1970-01-01 was a Thursday

std::string FormatDay(Day d) {
  int y;
  unsigned m, dd;
  CivilFromDays(d, &y, &m, &dd);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y % 10000, m % 100, dd % 100);
  return buf;
}

std::optional<Day> ParseDay(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](size_t pos, size_t len) -> int {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  const int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  const Day day = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  if (FormatDay(day) != s) return std::nullopt;  // rejects 2025-02-30
  return day;
}

std::optional<CountMode> ParseCountMode(std::string_view s) {
  if (s == "elapsed") return CountMode::kElapsed;
  if (s == "end_of_day") return CountMode::kEndOfDay;
  return std::nullopt;
}

bool Calendar::IsWorkingDay(Day d) const {
  const int wd = WeekdayOf(d);
  const bool weekend = wd >= 6;
  auto it = years_.find(YearOf(d));
  if (it == years_.end()) return !weekend;
  if (it->second.holidays.count(d)) return false;
  if (it->second.workdays.count(d)) return true;
  return !weekend;
}

std::vector<int> Calendar::Years() const {
  std::vector<int> out;
  for (const auto& [y, _] : years_) out.push_back(y);
  return out;
}

const Calendar::Year* Calendar::FindYear(int year) const {
  auto it = years_.find(year);
  return it == years_.end() ? nullptr : &it->second;
}

namespace {
Status ParseDays(const json& arr, int year, const std::string& field, std::set<Day>* out) {
  if (!arr.is_array()) return InvalidArgument(field, "must be an array of dates");
  for (size_t i = 0; i < arr.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    if (!arr[i].is_string()) return InvalidArgument(f, "must be a date string");
    const std::string s = arr[i].get<std::string>();
    const auto dots = s.find("..");
    const auto first = ParseDay(s.substr(0, dots));
    const auto last = dots == std::string::npos ? first : ParseDay(s.substr(dots + 2));
    if (!first || !last || *last < *first || *last - *first > 60) {
      return InvalidArgument(f, "'" + s + "' is not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD (≤ 60 days)");
    }
    for (Day d = *first; d <= *last; ++d) {
      if (YearOf(d) != year) return InvalidArgument(f, "'" + s + "' is not in " + std::to_string(year));
      out->insert(d);
    }
  }
  return Status::Ok();
}

json DaysJson(const std::set<Day>& days) {
  // Consecutive runs are written as ranges, the way the notices read; a run longer than a
  // range may be (61 days) as several, so what is written always reads back.
  json out = json::array();
  for (auto it = days.begin(); it != days.end();) {
    Day first = *it, last = *it;
    for (++it; it != days.end() && *it == last + 1 && last - first < 60; ++it) last = *it;
    out.push_back(first == last ? FormatDay(first) : FormatDay(first) + ".." + FormatDay(last));
  }
  return out;
}
}  // namespace

Result<Calendar> Calendar::FromJson(std::string_view text) {
  ASSIGN_OR_RETURN(const json j, ParseJsonObject(text, "calendar"));
  for (const auto& [field, value] : j.items()) {
    (void)value;
    if (field != "name" && field != "years") return InvalidArgument(field, "is not a calendar field (name, years)");
  }
  auto name = j.find("name");
  const std::string name_text = name != j.end() && name->is_string() ? name->get<std::string>() : "";
  if (name_text.empty() || name_text.size() > 64) return InvalidArgument("name", "a calendar needs a name of 1-64 characters");
  Calendar cal(name_text);
  auto years = j.find("years");
  if (years == j.end() || !years->is_object()) return InvalidArgument("years", "must be an object keyed by year");
  for (const auto& [key, y] : years->items()) {
    int year = 0;
    try {
      size_t used = 0;
      year = std::stoi(key, &used);
      if (used != key.size() || year < 1970 || year > 9999) throw std::out_of_range(key);
    } catch (const std::exception&) {
      return InvalidArgument("years", "'" + key + "' is not a year");
    }
    if (!y.is_object()) return InvalidArgument("years." + key, "must be an object");
    for (const auto& [field, value] : y.items()) {
      (void)value;
      // A misspelt key (holiday) would leave the year looking covered with no holidays.
      if (field != "holidays" && field != "workdays" && field != "source") {
        return InvalidArgument("years." + key + "." + field, "is not a calendar field (holidays, workdays, source)");
      }
    }
    Year data;
    if (y.contains("holidays")) RETURN_IF_ERROR(ParseDays(y["holidays"], year, "years." + key + ".holidays", &data.holidays));
    if (y.contains("workdays")) RETURN_IF_ERROR(ParseDays(y["workdays"], year, "years." + key + ".workdays", &data.workdays));
    for (Day d : data.workdays) {
      if (data.holidays.count(d)) return InvalidArgument("years." + key + ".workdays", FormatDay(d) + " is also a holiday");
    }
    if (y.contains("source") && !y["source"].is_null()) {
      if (!y["source"].is_string() || y["source"].get<std::string>().size() > 500) {
        return InvalidArgument("years." + key + ".source", "must be a string of at most 500 bytes");
      }
      data.source = y["source"].get<std::string>();
    }
    cal.years_[year] = std::move(data);
  }
  return cal;
}

std::string Calendar::ToJson() const {
  json years = json::object();
  for (const auto& [y, data] : years_) {
    years[std::to_string(y)] = {{"source", data.source}, {"holidays", DaysJson(data.holidays)},
                                {"workdays", DaysJson(data.workdays)}};
  }
  return json{{"name", name_}, {"years", years}}.dump(2, ' ', false);
}

Result<Deadline> AddWorkingDays(const Calendar& cal, TimeMs start, int n_days, CountMode mode) {
  if (n_days < 0 || n_days > kMaxDays) return InvalidArgument("working-days", "must be between 0 and 3650");
  Deadline out;
  auto note = [&](Day d) { if (!cal.HasYear(YearOf(d))) out.missing_years.insert(YearOf(d)); };
  Day d = DayOf(start);
  note(d);
  if (mode == CountMode::kEndOfDay) {
    int counted = 0;
    while (counted < n_days) {
      ++d;
      note(d);
      if (cal.IsWorkingDay(d)) ++counted;
    }
    // N = 0: the end of the start day when it is a working day, else of the next one (as an
    // elapsed count from a day off starts on the next working day).
    for (int guard = 0; n_days == 0 && !cal.IsWorkingDay(d) && guard < kMaxDays * 7; ++guard) {
      ++d;
      note(d);
    }
    out.at = StartOfDay(d + 1);
    return out;
  }
  return AddWorkingMs(cal, start, static_cast<int64_t>(n_days) * kDayMs);
}

Result<Deadline> AddWorkingMs(const Calendar& cal, TimeMs start, int64_t ms) {
  if (ms < 0 || ms > kMaxDays * kDayMs) return InvalidArgument("limit", "must be between 0 and 3650 days");
  Deadline out;
  Day d = DayOf(start);
  int64_t remaining = ms;
  TimeMs pos = start;
  // Every 7 days hold at least one working day in any real calendar; the bound only stops a
  // calendar that declares whole years off from looping for ever.
  for (int guard = 0; guard < kMaxDays * 7 + 14; ++guard) {
    if (!cal.HasYear(YearOf(d))) out.missing_years.insert(YearOf(d));
    if (cal.IsWorkingDay(d)) {
      if (pos < StartOfDay(d)) pos = StartOfDay(d);
      const int64_t available = StartOfDay(d + 1) - pos;
      if (remaining <= available) {
        out.at = pos + remaining;
        return out;
      }
      remaining -= available;
    }
    ++d;
  }
  return Status(Code::kFailedPrecondition, "calendar " + cal.name() + " has no working days ahead");
}

int64_t WorkingMsBetween(const Calendar& cal, TimeMs from, TimeMs to, std::set<int>* missing) {
  if (to <= from) return 0;
  int64_t total = 0;
  for (Day d = DayOf(from), last = DayOf(to); d <= last && d - DayOf(from) <= kMaxDays * 7; ++d) {
    if (missing && !cal.HasYear(YearOf(d))) missing->insert(YearOf(d));
    if (!cal.IsWorkingDay(d)) continue;
    total += std::min(to, StartOfDay(d + 1)) - std::max(from, StartOfDay(d));
  }
  return total;
}

const Calendar& Calendar::Default() {
  static const Calendar cal = [] {
    // 国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号) and
    // 关于2026年部分节假日安排的通知 (2025年11月4日).
    auto r = FromJson(R"JSON({
      "name": "cn-mainland",
      "years": {
        "2025": {"source": "国务院办公厅关于2025年部分节假日安排的通知",
                 "holidays": ["2025-01-01", "2025-01-28..2025-02-04", "2025-04-04..2025-04-06",
                              "2025-05-01..2025-05-05", "2025-05-31..2025-06-02", "2025-10-01..2025-10-08"],
                 "workdays": ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]},
        "2026": {"source": "国务院办公厅关于2026年部分节假日安排的通知",
                 "holidays": ["2026-01-01..2026-01-03", "2026-02-15..2026-02-23", "2026-04-04..2026-04-06",
                              "2026-05-01..2026-05-05", "2026-06-19..2026-06-21", "2026-09-25..2026-09-27",
                              "2026-10-01..2026-10-07"],
                 "workdays": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]}
      }})JSON");
    return r.ok() ? std::move(r).value() : Calendar("cn-mainland");
  }();
  return cal;
}

}  // namespace hotline
