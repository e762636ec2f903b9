// The working calendar (工作日历): weekends, public holidays and adjusted working days
// (调休, a Saturday or Sunday that is worked) per year, in the city's zone. Loaded from a JSON
// data file an administrator maintains; mainland China's official arrangements for 2025
// and 2026 ship as the default. A year without data falls back to weekends only and is
// reported as missing, never silently.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace hotline {

// A calendar date as days since 1970-01-01 (in the city's zone).
using Day = int64_t;

Day DayOf(TimeMs t);                    // the city-local date of an instant
TimeMs StartOfDay(Day d);               // 00:00 city time of that date
std::string FormatDay(Day d);           // "2025-10-01"
std::optional<Day> ParseDay(std::string_view s);
int YearOf(Day d);
int WeekdayOf(Day d);                   // 1 Monday … 7 Sunday

class Calendar {
 public:
  struct Year {
    std::set<Day> holidays;   // days off that would otherwise be worked
    std::set<Day> workdays;   // weekend days that are worked (调休)
    std::string source;       // e.g. "国办发明电〔2025〕7号"
  };

  Calendar() = default;
  explicit Calendar(std::string name) : name_(std::move(name)) {}

  // JSON: {"name": "cn-mainland", "years": {"2026": {"source": "…",
  //   "holidays": ["2026-01-01", "2026-02-15..2026-02-23"], "workdays": ["2026-02-14"]}}}
  static Result<Calendar> FromJson(std::string_view json);
  std::string ToJson() const;
  // mainland China, 2025 and 2026, from the State Council notices.
  static const Calendar& Default();

  const std::string& name() const { return name_; }
  bool IsWorkingDay(Day d) const;
  bool HasYear(int year) const { return years_.count(year) > 0; }
  std::vector<int> Years() const;
  const Year* FindYear(int year) const;
  void SetYear(int year, Year y) { years_[year] = std::move(y); }

 private:
  std::string name_;
  std::map<int, Year> years_;
};

enum class CountMode { kElapsed, kEndOfDay };
std::optional<CountMode> ParseCountMode(std::string_view s);

struct Deadline {
  TimeMs at = 0;
  std::set<int> missing_years;  // years crossed that the calendar has no data for
};

// N working days from `start`. kElapsed: reached when N×24 h of working-day time have
// passed (a start in a non-working day counts from the next working day's 00:00).
// kEndOfDay: the end (24:00) of the N-th working day after the start day.
// n_days must be in [0, 3650].
Result<Deadline> AddWorkingDays(const Calendar& cal, TimeMs start, int n_days, CountMode mode);
// `ms` of working-day time from `start` (the elapsed rule above, for any duration).
Result<Deadline> AddWorkingMs(const Calendar& cal, TimeMs start, int64_t ms);
// Working time (ms) between two instants, counting only working days.
int64_t WorkingMsBetween(const Calendar& cal, TimeMs from, TimeMs to, std::set<int>* missing_years = nullptr);

}  // namespace hotline
