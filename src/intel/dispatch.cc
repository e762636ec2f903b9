#include "intel/dispatch.h"

#include <algorithm>
#include <map>
#include <set>

namespace hotline::intel {

std::vector<RankedUnit> RankUnits(const std::vector<std::vector<UnitCount>>& levels) {
  std::set<std::string> units;
  for (const auto& level : levels) {
    for (const auto& u : level) units.insert(u.unit);
  }
  if (units.empty()) return {};
  // Below the most general level: every unit seen anywhere, equally likely.
  std::map<std::string, double> p;
  for (const auto& u : units) p[u] = 1.0 / units.size();
  for (auto level = levels.rbegin(); level != levels.rend(); ++level) {
    double total = 0;
    std::map<std::string, double> kept;
    for (const auto& u : *level) {
      total += u.kept + u.returned;
      kept[u.unit] += u.kept;
    }
    if (total <= 0) continue;
    // Witten–Bell: the weight left for the general level grows with how many different
    // units this level has seen relative to its volume.
    const double distinct = static_cast<double>(kept.size());
    const double lambda = total / (total + distinct);
    std::map<std::string, double> next;
    for (const auto& u : units) next[u] = lambda * (kept.count(u) ? kept[u] / total : 0.0) + (1 - lambda) * p[u];
    p = std::move(next);
  }
  std::vector<RankedUnit> out;
  for (const auto& [u, s] : p) out.push_back({u, s});
  std::stable_sort(out.begin(), out.end(), [](const RankedUnit& a, const RankedUnit& b) { return a.score > b.score; });
  return out;
}

}  // namespace hotline::intel
