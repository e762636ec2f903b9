// Time as an injected dependency: all code asks a Clock, tests use a ManualClock.
// Instants are UTC milliseconds since the Unix epoch (int64), stored as such.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace hotline {

using TimeMs = int64_t;  // UTC milliseconds since 1970-01-01T00:00:00Z

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs NowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs NowMs() const override;
  static SystemClock* Default();
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start_ms) : now_ms_(start_ms) {}
  TimeMs NowMs() const override { return now_ms_.load(); }
  void Set(TimeMs t) { now_ms_.store(t); }
  void AdvanceMs(int64_t d) { now_ms_.fetch_add(d); }

 private:
  std::atomic<TimeMs> now_ms_;
};

constexpr int64_t kMinuteMs = 60 * 1000;
constexpr int64_t kHourMs = 60 * kMinuteMs;
constexpr int64_t kDayMs = 24 * kHourMs;
// The city's zone offset. Mainland China has no daylight saving, so a fixed offset is exact.
constexpr int64_t kCityOffsetMs = 8 * kHourMs;

// The city-local date holding t, as days since 1970-01-01, and the instant that date began.
constexpr int64_t CityDays(TimeMs t) {
  const int64_t local = t + kCityOffsetMs;  // floored: an instant before 1970 is on the day before
  return local >= 0 ? local / kDayMs : -((-local + kDayMs - 1) / kDayMs);
}
constexpr TimeMs CityDayStart(TimeMs t) { return CityDays(t) * kDayMs - kCityOffsetMs; }

// "2026-11-28T09:30:00+08:00" in the city's zone.
std::string FormatIsoCity(TimeMs t);
// "2026-11-28T01:30:00Z".
std::string FormatIsoUtc(TimeMs t);
// Parses ISO 8601 with an offset or Z ("2025-09-30T09:00:00+08:00"), or a bare date/time
// which is read in the city's zone. Returns nullopt on anything else.
std::optional<TimeMs> ParseIso(const std::string& s);
// Proleptic Gregorian date <-> days since 1970-01-01 (Howard Hinnant's algorithms).
void CivilFromDays(int64_t days, int* year, unsigned* month, unsigned* day);
int64_t DaysFromCivil(int year, unsigned month, unsigned day);

// Local calendar date in the city's zone, "YYYYMMDD".
std::string CityDateCompact(TimeMs t);

}  // namespace hotline
