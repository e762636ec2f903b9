#include "intel/spikes.h"

#include <algorithm>
#include <cmath>

namespace hotline::intel {

namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// 1970-01-01 was a Thursday: 0 = Monday.
int Weekday(int64_t day) { return static_cast<int>(((day % 7) + 7 + 3) % 7); }

}  // namespace

bool IsSpike(const std::vector<int64_t>& history, int64_t day, int64_t count, const SpikeOptions& opts, double* expected,
             double* upper) {
  *expected = 0;
  *upper = 0;
  if (static_cast<int>(history.size()) < opts.min_history) return false;
  const size_t n = history.size();
  // Level: median of the last `history_days`.
  std::vector<double> recent;
  for (size_t i = n > static_cast<size_t>(opts.history_days) ? n - opts.history_days : 0; i < n; ++i) {
    recent.push_back(static_cast<double>(history[i]));
  }
  const double level = Median(recent);
  // Weekday profile over the last weeks: this weekday's mean against the overall mean.
  double all = 0, same = 0;
  int all_n = 0, same_n = 0;
  const int span = opts.weekday_weeks * 7;
  for (size_t i = n > static_cast<size_t>(span) ? n - span : 0; i < n; ++i) {
    const int64_t d = day - static_cast<int64_t>(n - i);
    all += history[i], ++all_n;
    if (Weekday(d) == Weekday(day)) same += history[i], ++same_n;
  }
  double factor = 1;
  if (all > 0 && same_n > 0) factor = (same / same_n) / (all / all_n);
  factor = std::clamp(factor, 0.2, 5.0);
  *expected = level * factor;
  std::vector<double> dev;
  for (double v : recent) dev.push_back(std::abs(v - level));
  const double spread = std::max(std::sqrt(std::max(*expected, 1.0)), 1.4826 * Median(dev) * factor);
  *upper = *expected + opts.sigmas * spread;
  return count >= opts.min_count && static_cast<double>(count) > *upper;
}

std::vector<Spike> DetectSpikes(const std::map<std::string, std::map<int64_t, int64_t>>& counts, int64_t from_day,
                                int64_t to_day, const SpikeOptions& opts) {
  std::vector<Spike> out;
  const int64_t need = std::max(opts.history_days, opts.weekday_weeks * 7);
  for (const auto& [key, days] : counts) {
    if (days.empty()) continue;
    const int64_t first = days.begin()->first;
    for (int64_t d = std::max(from_day, first + opts.min_history); d <= to_day; ++d) {
      std::vector<int64_t> history;
      for (int64_t h = std::max(first, d - need); h < d; ++h) {
        auto it = days.find(h);
        history.push_back(it == days.end() ? 0 : it->second);
      }
      auto it = days.find(d);
      const int64_t count = it == days.end() ? 0 : it->second;
      double expected = 0, upper = 0;
      if (IsSpike(history, d, count, opts, &expected, &upper)) {
        out.push_back({key, d, count, expected, upper, count / std::max(expected, 1.0)});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const Spike& a, const Spike& b) { return a.jump > b.jump; });
  return out;
}

}  // namespace hotline::intel
