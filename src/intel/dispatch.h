// Dispatch learning (智能派单): which units should handle a request, from what history
// shows — how often each unit kept (did not return) requests like it. Evidence comes in
// levels from specific to general (category leaf → parent → root; or request type + place
// → type); the estimate interpolates them (Witten–Bell style), so a specific level with
// little history leans on the general one instead of guessing.
#pragma once

#include <string>
#include <vector>

namespace hotline::intel {

struct UnitCount {
  std::string unit;
  double kept = 0;      // handled without returning
  double returned = 0;  // sent back (退单)
};

struct RankedUnit {
  std::string unit;
  double score = 0;  // estimated probability that this unit keeps the request
};

// levels[0] is the most specific evidence. A returned request counts against its unit (it
// adds to the level's total, not to the unit). Returns units by score, best first.
std::vector<RankedUnit> RankUnits(const std::vector<std::vector<UnitCount>>& levels);

}  // namespace hotline::intel
