// Status and Result<T>: cheap error values that cross module boundaries.
// The codes are a small canonical set that maps one-to-one onto HTTP statuses
// (see api/http_errors). Library exceptions are caught at the edges and turned
// into a Status; domain code never throws for ordinary failures.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace hotline {

enum class Code {
  kOk,
  kInvalidArgument,     // 400: bad input, names the field
  kUnauthenticated,     // 401
  kPermissionDenied,    // 403
  kNotFound,            // 404
  kConflict,            // 409: stale version, invalid transition, duplicate
  kTooLarge,            // 413
  kFailedPrecondition,  // 422: a semantic rule is broken
  kResourceExhausted,   // 429: rate limited, locked
  kUnavailable,         // 503
  kInternal,            // 500
};

const char* CodeName(Code code);  // "invalid_argument", ...

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::string field = {}, std::string reason = {})
      : code_(code), message_(std::move(message)), field_(std::move(field)),
        reason_(std::move(reason)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The input field the error is about ("citizen.phone"), empty when none.
  const std::string& field() const { return field_; }
  // A machine-readable sub-code ("invalid_transition", "stale_version"), may be empty.
  const std::string& reason() const { return reason_; }
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
  std::string reason_;
};

inline Status InvalidArgument(std::string field, std::string message) {
  return Status(Code::kInvalidArgument, field + ": " + message, field);
}
inline Status NotFound(std::string message) { return Status(Code::kNotFound, std::move(message)); }
inline Status PermissionDenied(std::string message) {
  return Status(Code::kPermissionDenied, std::move(message));
}
inline Status Conflict(std::string reason, std::string message) {
  return Status(Code::kConflict, std::move(message), {}, std::move(reason));
}
inline Status Internal(std::string message) { return Status(Code::kInternal, std::move(message)); }

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {      // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status");
  }
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace hotline

#define HOTLINE_CONCAT_INNER(a, b) a##b
#define HOTLINE_CONCAT(a, b) HOTLINE_CONCAT_INNER(a, b)

// RETURN_IF_ERROR(expr): returns the Status of expr from the enclosing function if not OK.
#define RETURN_IF_ERROR(expr)                         \
  do {                                                \
    ::hotline::Status _st = (expr);                   \
    if (!_st.ok()) return _st;                        \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): unwraps a Result<T> or returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(HOTLINE_CONCAT(_res_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
