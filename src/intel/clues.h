// Public-interest litigation clues (公益诉讼线索): requests that touch the domains where the
// procuratorate may bring a public-interest case — ecology and environment, food and drug
// safety, state-owned assets, land-use rights, heritage and cultural relics, minors'
// protection, work safety, personal information, heroes and martyrs. A clue needs a term of
// the domain's harm (偷排, 地沟油, 违法占地 …), not just its topic, so a question about a
// recycling timetable is not a clue while a report of waste dumped into a river is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hotline::intel {

struct ClueHit {
  std::string domain;    // ecology | food_drug | state_assets | land | heritage | minors | safety | personal_info | heroes
  std::string label_zh;  // 生态环境和资源保护, 食品药品安全, …
  std::vector<std::string> evidence;  // the terms found
};

// The domains a text touches, each with its evidence; empty when none.
std::vector<ClueHit> FindLitigationClues(std::string_view text);

}  // namespace hotline::intel
