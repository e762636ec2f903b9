#include <gtest/gtest.h>

#include <random>

#include "sla/calendar.h"

namespace hotline {
namespace {

TimeMs T(const char* iso) { return *ParseIso(iso); }

struct Case { const char* start; int days; CountMode mode; const char* want; };

TEST(Calendar, PublishedExamplesAndBoundaries) {
  const Case cases[] = {
      {"2025-09-30T09:00:00+08:00", 5, CountMode::kElapsed, "2025-10-14T09:00:00+08:00"},
      {"2025-09-26T10:00:00+08:00", 1, CountMode::kElapsed, "2025-09-28T10:00:00+08:00"},
      {"2026-02-13T16:00:00+08:00", 1, CountMode::kElapsed, "2026-02-14T16:00:00+08:00"},
      {"2026-02-14T09:00:00+08:00", 2, CountMode::kElapsed, "2026-02-25T09:00:00+08:00"},
      // A start on a day off counts from the next working day's 00:00.
      {"2025-10-03T15:00:00+08:00", 1, CountMode::kElapsed, "2025-10-10T00:00:00+08:00"},
      // Year boundary: 2025-12-31 (Wed) → 2026-01-01..03 off, 01-04 (Sunday) worked.
      {"2025-12-31T10:00:00+08:00", 1, CountMode::kElapsed, "2026-01-04T10:00:00+08:00"},
      {"2025-12-31T10:00:00+08:00", 0, CountMode::kElapsed, "2025-12-31T10:00:00+08:00"},
      // end_of_day: the first day is not counted; the deadline is 24:00 of the N-th working day.
      {"2025-09-30T09:00:00+08:00", 1, CountMode::kEndOfDay, "2025-10-10T00:00:00+08:00"},
      {"2026-02-13T16:00:00+08:00", 2, CountMode::kEndOfDay, "2026-02-25T00:00:00+08:00"},
      // N = 0: the end of the start day, or of the next working day from a day off.
      {"2025-09-30T09:00:00+08:00", 0, CountMode::kEndOfDay, "2025-10-01T00:00:00+08:00"},
      {"2025-10-03T10:00:00+08:00", 0, CountMode::kEndOfDay, "2025-10-10T00:00:00+08:00"},
  };
  for (const auto& c : cases) {
    auto d = AddWorkingDays(Calendar::Default(), T(c.start), c.days, c.mode);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(FormatIsoCity(d->at), c.want) << c.start << " + " << c.days;
    EXPECT_TRUE(d->missing_years.empty());
  }
}

TEST(Calendar, MissingYearsFallBackToWeekendsAndAreReported) {
  auto d = AddWorkingDays(Calendar::Default(), T("2027-10-01T09:00:00+08:00"), 1, CountMode::kElapsed);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FormatIsoCity(d->at), "2027-10-04T09:00:00+08:00");  // Friday → Monday
  EXPECT_EQ(d->missing_years, std::set<int>{2027});
}

TEST(Calendar, Properties) {
  const Calendar& cal = Calendar::Default();
  std::mt19937 rng(7);
  const TimeMs from = T("2025-01-01T00:00:00+08:00");
  for (int i = 0; i < 3000; ++i) {
    const TimeMs start = from + static_cast<int64_t>(rng() % (700LL * 24 * 60)) * kMinuteMs;
    const int n = static_cast<int>(rng() % 12);
    auto a = AddWorkingDays(cal, start, n, CountMode::kElapsed);
    auto b = AddWorkingDays(cal, start, n + 1, CountMode::kElapsed);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_LT(a->at, b->at) << "more limit never gives an earlier deadline";
    // A deadline lies in a working day, or exactly on a midnight boundary.
    const bool midnight = a->at == StartOfDay(DayOf(a->at));
    if (n > 0 && !midnight) {
      EXPECT_TRUE(cal.IsWorkingDay(DayOf(a->at))) << FormatIsoCity(a->at);
    }
    // Exactly n working days of time pass between the effective start and the deadline.
    EXPECT_EQ(WorkingMsBetween(cal, start, a->at), n * kDayMs) << FormatIsoCity(start) << " + " << n;
  }
}

TEST(Calendar, JsonRoundTripAndErrors) {
  auto cal = Calendar::FromJson(Calendar::Default().ToJson());
  ASSERT_TRUE(cal.ok()) << cal.status().ToString();
  EXPECT_EQ(cal->Years(), (std::vector<int>{2025, 2026}));
  EXPECT_FALSE(cal->IsWorkingDay(*ParseDay("2026-02-16")));
  EXPECT_TRUE(cal->IsWorkingDay(*ParseDay("2026-02-28")));
  EXPECT_FALSE(cal->IsWorkingDay(*ParseDay("2026-03-01")));  // an ordinary Sunday
  EXPECT_EQ(Calendar::FromJson(R"({"name":"x","years":{"2027":{"holiday":["2027-01-01..2027-01-03"]}}})").status().field(),
            "years.2027.holiday");
  EXPECT_EQ(Calendar::FromJson(R"({"name":"x","years":{"2025":{"holidays":["2025-02-30"]}}})").status().field(),
            "years.2025.holidays[0]");
  EXPECT_EQ(Calendar::FromJson(R"({"name":"x","years":{"2025":{"holidays":["2026-01-01"]}}})").status().field(),
            "years.2025.holidays[0]");
  EXPECT_EQ(Calendar::FromJson(R"({"years":{}})").status().field(), "name");
  EXPECT_EQ(Calendar::FromJson(R"({"name":"x","years":{},"extra":1})").status().field(), "extra");
  EXPECT_EQ(Calendar::FromJson(R"({"name":"x","years":{"2027":{"source":5}}})").status().field(), "years.2027.source");
  // Adjacent ranges that together pass the 61-day range limit are written back as ranges
  // that read again (they were merged into one the reader refused).
  auto wide = Calendar::FromJson(
      R"({"name":"x","years":{"2027":{"holidays":["2027-01-01..2027-02-28","2027-03-01..2027-03-10"]}}})");
  ASSERT_TRUE(wide.ok()) << wide.status().ToString();
  auto again = Calendar::FromJson(wide->ToJson());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  for (Day d = *ParseDay("2027-01-01"); d <= *ParseDay("2027-03-10"); ++d) EXPECT_FALSE(again->IsWorkingDay(d));
  EXPECT_TRUE(again->IsWorkingDay(*ParseDay("2027-03-11")));
  EXPECT_EQ(WeekdayOf(*ParseDay("2026-11-28")), 6);
}

}  // namespace
}  // namespace hotline
