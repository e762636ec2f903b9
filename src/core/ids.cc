#include "core/ids.h"

#include <charconv>

namespace hotline {

namespace {
constexpr int64_t kEpochMs = 1704067200000LL;  // 2024-01-01T00:00:00Z
constexpr int64_t kSeqBits = 12;
constexpr int64_t kNodeBits = 10;
}  // namespace

IdGenerator::IdGenerator(const Clock* clock, int node_id)
    : clock_(clock), node_id_(node_id & ((1 << kNodeBits) - 1)) {}

Id IdGenerator::Next() {
  std::lock_guard lock(mu_);
  int64_t now = clock_->NowMs() - kEpochMs;
  if (now < 0) now = 0;
  if (now <= last_ms_) {
    if (++seq_ >= (1 << kSeqBits)) {
      ++last_ms_;
      seq_ = 0;
    }
  } else {
    last_ms_ = now;
    seq_ = 0;
  }
  return (last_ms_ << (kSeqBits + kNodeBits)) | (node_id_ << kSeqBits) | seq_;
}

std::string IdToString(Id id) { return std::to_string(id); }

std::optional<Id> ParseId(const std::string& s) {
  Id v = 0;
  if (s.empty() || s.size() > 19) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

}  // namespace hotline
