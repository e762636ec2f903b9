// 64-bit ids that sort by creation time and are unique across servers sharing one
// database: 41 bits of milliseconds since 2024-01-01, 10 bits of node id, 12 bits of
// sequence. Sent over JSON as decimal strings (JavaScript loses precision above 2^53).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.h"

namespace hotline {

using Id = int64_t;

class IdGenerator {
 public:
  IdGenerator(const Clock* clock, int node_id);
  // Thread-safe. Never returns the same id twice from one generator, even when the
  // clock stands still or steps back (it borrows from the future instead).
  Id Next();

 private:
  const Clock* clock_;
  int64_t node_id_;
  std::mutex mu_;
  int64_t last_ms_ = 0;
  int64_t seq_ = 0;
};

std::string IdToString(Id id);
// Parses a decimal id; nullopt when not a positive 64-bit integer.
std::optional<Id> ParseId(const std::string& s);

}  // namespace hotline
