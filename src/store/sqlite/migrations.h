#pragma once

#include <string>
#include <vector>

namespace hotline::sqlite {
// Migration i (0-based) brings the schema from version i to i+1.
const std::vector<std::string>& Migrations();
}  // namespace hotline::sqlite
