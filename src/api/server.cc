#include "api/server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>
#include <type_traits>

#include "api/views.h"
#include "core/json.h"
#include "core/pii.h"
#include "core/text.h"
#include "api/static_files.h"

namespace hotline {

using nlohmann::json;
using Req = httplib::Request;
using Res = httplib::Response;

namespace {

int HttpStatus(Code c) {
  switch (c) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kConflict: return 409;
    case Code::kTooLarge: return 413;
    case Code::kFailedPrecondition: return 422;
    case Code::kResourceExhausted: return 429;
    case Code::kUnavailable: return 503;
    case Code::kInternal: return 500;
  }
  return 500;
}

void SendJson(Res& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json; charset=utf-8");
}

void SendError(Res& res, const Status& st) {
  json details = json::object();
  if (!st.field().empty()) details["field"] = st.field();
  const std::string code = st.reason().empty() ? CodeName(st.code()) : st.reason();
  SendJson(res, HttpStatus(st.code()), {{"error", {{"code", code}, {"message", st.message()}, {"details", details}}}});
}

// Latency histogram buckets in seconds (Prometheus convention).
constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,   0.25,   0.5,   1,    2.5,   10};

struct RouteMetrics {
  std::map<int, uint64_t> by_status;
  std::array<uint64_t, kBuckets.size() + 1> buckets{};
  double sum_s = 0;
  uint64_t count = 0;
};

// A token bucket per client address for the public endpoints.
class RateLimiter {
 public:
  RateLimiter(double per_minute, double burst) : rate_per_ms_(per_minute / 60000.0), burst_(burst) {}
  bool Allow(const std::string& key, TimeMs now) {
    std::lock_guard lock(mu_);
    if (buckets_.size() > 100000) buckets_.clear();  // bounded memory under a flood of addresses
    auto& b = buckets_[key];
    if (b.at == 0) b = {burst_, now};
    b.tokens = Refilled(b, now);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
  // Whether the client has a request left, without taking it (taken later if it counts).
  bool Has(const std::string& key, TimeMs now) {
    std::lock_guard lock(mu_);
    auto it = buckets_.find(key);
    return it == buckets_.end() || Refilled(it->second, now) >= 1;
  }
  // Gives back a request Allow took, for one that turned out not to count.
  void Refund(const std::string& key) {
    std::lock_guard lock(mu_);
    if (auto it = buckets_.find(key); it != buckets_.end()) it->second.tokens = std::min(burst_, it->second.tokens + 1);
  }
  // Seconds until a refused client has a request again (Retry-After).
  int RetryAfterS() const { return static_cast<int>(std::ceil(1.0 / (rate_per_ms_ * 1000.0))); }

 private:
  struct Bucket { double tokens = 0; TimeMs at = 0; };
  // The bucket's tokens at `now`: what it held, refilled since, up to the burst.
  double Refilled(const Bucket& b, TimeMs now) const { return std::min(burst_, b.tokens + (now - b.at) * rate_per_ms_); }
  double rate_per_ms_, burst_;
  std::mutex mu_;
  std::map<std::string, Bucket> buckets_;
};

std::string Bearer(const Req& req) {
  const std::string h = req.get_header_value("Authorization");
  if (h.rfind("Bearer ", 0) == 0) return Trim(h.substr(7));
  return "";
}

Result<json> BodyObject(const Req& req, size_t max_bytes) {
  if (req.body.size() > max_bytes) {
    return Status(Code::kTooLarge, "body: larger than " + std::to_string(max_bytes) + " bytes", "body");
  }
  if (!IsValidUtf8(req.body)) return InvalidArgument("body", "is not valid UTF-8");
  return ParseJsonObject(req.body.empty() ? "{}" : req.body);
}

// The version an If-Match header names: a ticket's or knowledge entry's ETag ("3", also W/"3"
// or 3). A header that names no version is refused, never dropped (the write would go ahead
// unchecked).
Result<std::optional<int64_t>> IfMatchVersion(const Req& req) {
  if (!req.has_header("If-Match")) return std::optional<int64_t>{};
  const std::string header = Trim(req.get_header_value("If-Match"));
  std::string_view v = header;
  if (v.substr(0, 2) == "W/") v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int64_t n = 0;
  if (v.size() > 12 || !IsDigits(v)) return InvalidArgument("If-Match", "must be the ETag of what is changed, e.g. \"3\"");
  for (char c : v) n = n * 10 + (c - '0');
  return std::optional<int64_t>{n};
}

// The version a write was made on: `in_body` (a `version` field) or If-Match. Both given
// and different: which one the client meant cannot be told.
Result<std::optional<int64_t>> WriteVersion(const Req& req, std::optional<int64_t> in_body) {
  ASSIGN_OR_RETURN(const std::optional<int64_t> if_match, IfMatchVersion(req));
  if (in_body && if_match && *in_body != *if_match) {
    return InvalidArgument("If-Match", "names version " + std::to_string(*if_match) + " and the body version " +
                                           std::to_string(*in_body));
  }
  return in_body ? in_body : if_match;
}

Status StrField(const json& j, const char* f, bool required, size_t max, std::string* out) {
  auto it = j.find(f);
  if (it == j.end() || it->is_null()) return required ? InvalidArgument(f, "is required") : Status::Ok();
  if (!it->is_string()) return InvalidArgument(f, "must be a string");
  *out = Trim(it->get<std::string>());
  if (required && out->empty()) return InvalidArgument(f, "must not be empty");
  if (out->size() > max) return InvalidArgument(f, "is longer than " + std::to_string(max) + " bytes");
  return Status::Ok();
}

// A misspelt parameter (catgory=01, statu=closed) is refused by name: ignored, it would
// answer for everything as if it had matched (a city-wide 专报 that reads as a category's).
Status OnlyParams(const Req& req, std::initializer_list<std::string_view> known, std::string_view what) {
  for (const auto& [name, value] : req.params) {
    (void)value;
    if (req.params.count(name) > 1) {
      return InvalidArgument(name, "is given more than once (which one counts would be a guess)");
    }
    if (std::find(known.begin(), known.end(), name) != known.end()) continue;
    std::string list;
    for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    return InvalidArgument(name, "is not a parameter of " + std::string(what) + " (" + (list.empty() ? "none" : list) + ")");
  }
  return Status::Ok();
}

// ?from=&to= (ISO 8601) of the statistics endpoints; by default the last 30 days to now.
Status PeriodParams(const Req& req, TimeMs now, TimeMs* from, TimeMs* to) {
  *to = now + 1;
  std::optional<TimeMs> given_from;
  for (auto [name, out] : {std::pair<const char*, TimeMs*>{"from", from}, {"to", to}}) {
    const std::string v = req.get_param_value(name);
    if (v.empty()) continue;
    auto t = ParseIso(v);
    if (!t) return InvalidArgument(name, "expected ISO 8601");
    *out = *t;
    if (out == from) given_from = *t;
  }
  // Without a start: the 30 days up to the end (up to now when neither is given).
  if (!given_from) *from = *to - 30 * kDayMs;
  return Status::Ok();
}

// An optional numeric query parameter, parsed by `parse` (std::stoi, std::stod): the whole
// value must be read, with no leading space, and finite; otherwise 400 naming it.
template <typename T, typename Parse>
Status ParsedParam(const Req& req, const char* name, T* out, Parse parse, const char* expected) {
  if (!req.has_param(name)) return Status::Ok();
  const std::string v = req.get_param_value(name);
  size_t used = 0;
  try {
    const T x = parse(v, &used);
    if (used != v.size() || v.empty() || std::isspace(static_cast<unsigned char>(v[0])) || !std::isfinite(x)) {
      throw std::invalid_argument(v);
    }
    *out = x;
  } catch (const std::exception&) {
    return InvalidArgument(name, expected);
  }
  return Status::Ok();
}

// An optional integer query parameter: the whole value, digits with an optional sign.
Status IntParam(const Req& req, const char* name, int* out) {
  return ParsedParam(req, name, out, [](const std::string& v, size_t* used) { return std::stoi(v, used); },
                     "must be a whole number");
}

// An optional number query parameter: the whole value, a finite decimal.
Status NumberParam(const Req& req, const char* name, double* out) {
  return ParsedParam(req, name, out, [](const std::string& v, size_t* used) { return std::stod(v, used); },
                     "must be a number");
}

// An optional yes/no filter: true or false (absent or empty: false).
Status BoolParam(const Req& req, const char* name, bool* out) {
  const std::string v = req.get_param_value(name);
  if (v.empty() || v == "false") {
    *out = false;
  } else if (v == "true") {
    *out = true;
  } else {
    return InvalidArgument(name, "must be true or false");
  }
  return Status::Ok();
}

// A list's `page_size`, when given: a positive integer, cut to the list's hard maximum.
Status PageSizeParam(const Req& req, int64_t max, int64_t* size) {
  if (!req.has_param("page_size")) return Status::Ok();
  auto n = ParseId(req.get_param_value("page_size"));
  if (!n) return InvalidArgument("page_size", "must be a positive integer");
  *size = std::min<int64_t>(*n, max);
  return Status::Ok();
}

// An optional id parameter, e.g. a list's `cursor` (the id of the previous page's last
// item): absent or empty leaves *out as it is; anything but an id is refused, `what` saying
// what it must be.
Status IdParam(const Req& req, const char* name, Id* out, const char* what = "must be an id") {
  const std::string value = req.get_param_value(name);
  if (value.empty()) return Status::Ok();
  auto id = ParseId(value);
  if (!id) return InvalidArgument(name, what);
  *out = *id;
  return Status::Ok();
}

Status IdField(const json& j, const char* f, bool required, Id* out) {
  auto it = j.find(f);
  if (it == j.end() || it->is_null()) return required ? InvalidArgument(f, "is required") : Status::Ok();
  std::optional<Id> id;
  if (it->is_string()) id = ParseId(it->get<std::string>());
  else if (it->is_number_integer() && it->get<int64_t>() > 0) id = it->get<int64_t>();
  if (!id) return InvalidArgument(f, "must be an id");
  *out = *id;
  return Status::Ok();
}

// A PATCH body: an object naming only fields from `allowed`, at least one of them.
Status PatchFields(const json& j, std::initializer_list<const char*> allowed) {
  for (const auto& [key, value] : j.items()) {
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* f) { return key == f; })) {
      std::string names;
      for (const char* f : allowed) names += (names.empty() ? "" : ", ") + std::string(f);
      return InvalidArgument(key, "cannot be changed here (fields: " + names + ")");
    }
  }
  if (j.empty()) return InvalidArgument("body", "names no field to change");
  return Status::Ok();
}

// An optional string field of a PATCH body: set when present.
Status OptStrField(const json& j, const char* f, bool non_empty, size_t max, std::optional<std::string>* out) {
  if (!j.contains(f)) return Status::Ok();
  std::string v;
  RETURN_IF_ERROR(StrField(j, f, non_empty, max, &v));
  *out = std::move(v);
  return Status::Ok();
}

Status OptBoolField(const json& j, const char* f, std::optional<bool>* out) {
  auto it = j.find(f);
  if (it == j.end()) return Status::Ok();
  if (!it->is_boolean()) return InvalidArgument(f, "must be true or false");
  *out = it->get<bool>();
  return Status::Ok();
}

// An area's `aliases`: an array of strings, each trimmed (ValidateArea checks their sizes).
Status AliasesField(const json& j, std::vector<std::string>* out) {
  const json& al = j.at("aliases");
  if (!al.is_array()) return InvalidArgument("aliases", "must be an array of strings");
  for (size_t i = 0; i < al.size(); ++i) {
    if (!al[i].is_string()) return InvalidArgument("aliases[" + std::to_string(i) + "]", "must be a string");
    out->push_back(Trim(al[i].get<std::string>()));
  }
  return Status::Ok();
}

Status IdListField(const json& j, const char* f, std::vector<Id>* out) {
  auto it = j.find(f);
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_array() || it->size() > 20) return InvalidArgument(f, "must be an array of at most 20 ids");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    std::optional<Id> id;
    if (v.is_string()) id = ParseId(v.get<std::string>());
    else if (v.is_number_integer() && v.get<int64_t>() > 0) id = v.get<int64_t>();
    if (!id) return InvalidArgument(std::string(f) + "[" + std::to_string(i) + "]", "must be an id");
    out->push_back(*id);
  }
  return Status::Ok();
}

// A list answered whole, in one page.
json Listed(json items) {
  const size_t n = items.size();
  return {{"items", std::move(items)}, {"total", n}, {"next_cursor", nullptr}};
}

template <typename T>
json ListJson(const std::vector<T>& items, json (*view)(const T&)) {
  json arr = json::array();
  for (const auto& x : items) arr.push_back(view(x));
  return Listed(std::move(arr));
}

// Lists held whole in memory, in pages keyed by id or code: `page_size` (default_size when
// absent, cut to max_size) and `cursor`, the key of the last item of the page before.
// Reference lists (units, areas, the dispatch directory, a taxonomy) page by kMaxRefPage,
// so pickers read a whole tree by following next_cursor; `total` counts all the items.
constexpr int64_t kMaxRefPage = 1000;

template <typename T, typename KeyFn>
Result<json> KeyedPageJson(std::vector<T> items, json (*view)(const T&), KeyFn key, const Req& req,
                           int64_t default_size = kMaxRefPage, int64_t max_size = kMaxRefPage) {
  using K = std::decay_t<std::invoke_result_t<KeyFn, const T&>>;
  int64_t size = default_size;
  RETURN_IF_ERROR(PageSizeParam(req, max_size, &size));
  std::optional<K> after;
  if (req.has_param("cursor")) {
    const std::string c = req.get_param_value("cursor");
    if constexpr (std::is_same_v<K, Id>) {
      if (auto id = ParseId(c)) after = *id;
    } else if (!c.empty() && c.size() <= 64) {
      after = c;
    }
    if (!after) return InvalidArgument("cursor", "must be a cursor from next_cursor");
  }
  std::sort(items.begin(), items.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
  auto it = items.begin();
  if (after) it = std::upper_bound(items.begin(), items.end(), *after, [&](const K& k, const T& x) { return k < key(x); });
  json arr = json::array();
  for (; it != items.end() && static_cast<int64_t>(arr.size()) < size; ++it) arr.push_back(view(*it));
  json next = nullptr;
  if (it != items.end() && !arr.empty()) {
    if constexpr (std::is_same_v<K, Id>) next = IdToString(key(*(it - 1)));
    else next = key(*(it - 1));
  }
  return json{{"items", std::move(arr)}, {"total", items.size()}, {"next_cursor", std::move(next)}};
}

}  // namespace

Status ParseListen(const std::string& listen, std::string* host, int* port) {
  std::string p = listen;
  auto colon = listen.rfind(':');
  if (colon != std::string::npos) {
    *host = listen.substr(0, colon);
    p = listen.substr(colon + 1);
    if (host->empty()) *host = "0.0.0.0";
  }
  try {
    size_t used = 0;
    *port = std::stoi(p, &used);
    if (used != p.size() || *port < 0 || *port > 65535) throw std::out_of_range("port");
  } catch (const std::exception&) {
    return InvalidArgument("listen", "expected HOST:PORT, got '" + listen + "'");
  }
  return Status::Ok();
}

// A citizen proves a ticket is theirs by its query code or the phone's last four digits, one
// of them: both at once would be read as the code alone (a form sending the other empty is fine).
Status OneProof(const std::string& code, const std::string& last4) {
  if (!code.empty() && !last4.empty()) {
    return InvalidArgument("phone_last4", "give the query code or the phone's last four digits, not both");
  }
  return Status::Ok();
}

// The query string of a request target, parameter by parameter: every % opens two hex
// digits, and no parameter holds a control character once decoded (tab and line breaks
// aside: a whole message may be sent as `text`).
Status CheckQueryString(const std::string& target) {
  const size_t q = target.find('?');
  if (q == std::string::npos) return Status::Ok();
  const std::string_view query = std::string_view(target).substr(q + 1);
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    const size_t eq = pair.find('=');
    const std::string_view key = pair.substr(0, eq);
    std::string name = httplib::detail::decode_url(std::string(key), true);
    if (name.empty() || name.size() > 64 || !IsValidUtf8(name)) name = "query";
    for (size_t i = 0; i < pair.size(); ++i) {
      if (pair[i] != '%') continue;
      if (i + 2 >= pair.size() || !std::isxdigit(static_cast<unsigned char>(pair[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(pair[i + 2]))) {
        return InvalidArgument(name, "has a broken %-escape (write % itself as %25)");
      }
    }
    // httplib would keep only what follows the last '=' (name=a=b.png stores b.png).
    if (eq != std::string_view::npos && pair.find('=', eq + 1) != std::string_view::npos) {
      return InvalidArgument(name, "holds a second '=': write '=' inside a value as %3D");
    }
    for (const char c : httplib::detail::decode_url(std::string(pair), true)) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
        return InvalidArgument(name, "holds a control character");
      }
    }
    start = end + 1;
  }
  return Status::Ok();
}

// 429 with Retry-After, so a well-behaved client (or proxy) knows when to come back.
void SendTooMany(Res& res, const RateLimiter& limiter, const std::string& message) {
  res.set_header("Retry-After", std::to_string(limiter.RetryAfterS()));
  SendError(res, Status(Code::kResourceExhausted, message));
}

struct ApiServer::Impl {
  Service* svc;
  ServerOptions opts;
  httplib::Server http;
  StaticFiles web;  // the built web UI, when --web-root names one
  // A contact of ticket `t` with the caller who rang (催单, 补充 from another phone), shown as
  // the ticket's citizen is shown to this actor.
  Result<json> ContactWithCaller(const Actor& a, const Ticket& t, const Contact& c) {
    json out = ContactJson(c, t, a);
    if (c.requester_id == 0) return out;
    ASSIGN_OR_RETURN(auto v, svc->Citizen(a, t, false, c.requester_id));
    out["citizen"] = CitizenJson(v);
    return out;
  }

  // Staff display names by user id, for "who" on a ticket's timeline (every staff role
  // reads it; only administrators may list users).
  std::map<Id, std::string> StaffNames() {
    std::map<Id, std::string> out;
    if (auto users = svc->store()->ListUsers(); users.ok()) {
      for (const auto& u : *users) out[u.id] = u.display_name.empty() ? u.username : u.display_name;
    }
    return out;
  }
  // An alert without its evidence (`data`, which a district centre sees filtered).
  static json AlertJson(const Store::Alert& al, const std::map<Id, std::string>& names) {
    json j = {{"id", IdToString(al.id)}, {"kind", al.kind}, {"severity", al.severity},
              {"ticket_id", IdToString(al.ticket_id)}, {"created_at", Iso(al.created_at)},
              {"updated_at", Iso(al.updated_at)}, {"version", al.updated_at}, {"state", al.open() ? "open" : "handled"},
              {"handled", nullptr}};
    if (al.handled_at > 0) {
      auto who = names.find(al.handled_by);
      j["handled"] = {{"at", Iso(al.handled_at)}, {"by", IdToString(al.handled_by)},
                      {"by_name", who == names.end() ? "" : who->second}, {"note", al.handled_note}};
    }
    return j;
  }
  // The citizen a public request comes from: the connecting address, or, through a trusted
  // proxy, the nearest X-Forwarded-For hop (all header lines, in order, as one list) that is
  // not a trusted proxy, without a port. Hops to the left of it are the client's own word and
  // are not read; X-Real-IP is not read either (a proxy that only sets it would pass a
  // client's X-Forwarded-For through).
  std::string ClientAddress(const Req& req) const {
    const auto trusted = [&](const std::string& a) {
      return std::find(opts.trusted_proxies.begin(), opts.trusted_proxies.end(), a) != opts.trusted_proxies.end();
    };
    if (!trusted(req.remote_addr)) return req.remote_addr;
    std::string chain;
    const size_t lines = std::min<size_t>(req.get_header_value_count("X-Forwarded-For"), 16);
    for (size_t i = 0; i < lines; ++i) chain += (chain.empty() ? "" : ",") + req.get_header_value("X-Forwarded-For", i);
    for (size_t end = chain.size(); end > 0;) {
      const size_t comma = chain.rfind(',', end - 1);
      const size_t start = comma == std::string::npos ? 0 : comma + 1;
      std::string hop = Trim(chain.substr(start, end - start));
      // 203.0.113.7:5555 and [2001:db8::1]:5555 are their addresses.
      if (!hop.empty() && hop.front() == '[') {
        hop = hop.substr(1, hop.find(']') == std::string::npos ? std::string::npos : hop.find(']') - 1);
      } else if (std::count(hop.begin(), hop.end(), ':') == 1) {
        hop = hop.substr(0, hop.find(':'));
      }
      if (!hop.empty() && hop.size() <= 64 && !trusted(hop)) return hop;
      if (comma == std::string::npos) break;
      end = comma;
    }
    return req.remote_addr;
  }
  // Per address, each its own: a citizen reading the FAQ is not locked out of their ticket.
  RateLimiter public_lookup_limiter{60, 20};  // progress look-ups
  RateLimiter public_kb_limiter{60, 20};      // FAQ searches
  RateLimiter public_write_limiter{20, 10};  // citizens' submissions and ratings, per address
  // Failed logins per address: a flood of made-up names is refused before the slow password
  // check (the per-name lock never trips on names that change). A shift logging in behind one
  // address is not held up: only failures count.
  RateLimiter login_failure_limiter{30, 30};
  std::mutex metrics_mu;
  std::map<std::string, RouteMetrics> metrics;
  std::atomic<uint64_t> in_flight{0};

  Impl(Service* s, ServerOptions o) : svc(s), opts(std::move(o)) {}

  using Handler = std::function<void(const Req&, Res&)>;
  using AuthedHandler = std::function<void(const Actor&, const Req&, Res&)>;

  void Observe(const std::string& route, int status, double seconds) {
    std::lock_guard lock(metrics_mu);
    auto& m = metrics[route];
    ++m.by_status[status];
    size_t i = 0;
    while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
    ++m.buckets[i];
    m.sum_s += seconds;
    ++m.count;
  }

  // Wraps a handler with timing, metrics and a last-resort error boundary.
  // A route's {id} captures are read before its handler runs: digits too many to be any
  // record's id are answered as such, with the number sent (parsed, it would read as id 0).
  Handler Wrap(const std::string& route, Handler h) {
    std::vector<size_t> id_captures;
    for (size_t at = route.find('{'), k = 1; at != std::string::npos; at = route.find('{', at + 1), ++k) {
      if (route.compare(at, 4, "{id}") == 0) id_captures.push_back(k);
    }
    return [this, route, h, id_captures](const Req& req, Res& res) {
      const auto start = std::chrono::steady_clock::now();
      ++in_flight;
      try {
        const auto bad = std::find_if(id_captures.begin(), id_captures.end(), [&](size_t k) {
          return k < req.matches.size() && !ParseId(req.matches[k].str());
        });
        if (bad != id_captures.end()) {
          const std::string sent = req.matches[*bad].str();
          SendError(res, NotFound("no record has the id " + sent.substr(0, 40) + (sent.size() > 40 ? "…" : "")));
        } else {
          h(req, res);
        }
      } catch (const std::exception& e) {
        spdlog::error("{} {}: {}", req.method, req.path, e.what());
        SendError(res, Internal("internal error"));
      }
      --in_flight;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      // cpp-httplib fills in 200 only after the handler, for one that just set content.
      Observe(req.method + " " + route, res.status == -1 ? 200 : res.status, s);
    };
  }

  Handler Authed(AuthedHandler h) {
    return [this, h](const Req& req, Res& res) {
      auto actor = svc->Authenticate(Bearer(req));
      if (!actor.ok()) return SendError(res, actor.status());
      h(*actor, req, res);
    };
  }
  // The administration's writes: refused before the body is read, so a caller who may not
  // make them learns nothing of their shape or of which ids exist from the validation.
  Handler AdminOnly(AuthedHandler h) {
    return Authed([h](const Actor& a, const Req& req, Res& res) {
      if (a.role != Role::kAdmin) {
        return SendError(res, PermissionDenied("only an administrator may change the organisation and users"));
      }
      h(a, req, res);
    });
  }

  void Get(const std::string& pattern, const std::string& name, Handler h) { http.Get(pattern, Wrap(name, std::move(h))); }
  void Post(const std::string& pattern, const std::string& name, Handler h) { http.Post(pattern, Wrap(name, std::move(h))); }
  void Put(const std::string& pattern, const std::string& name, Handler h) { http.Put(pattern, Wrap(name, std::move(h))); }
  void Delete(const std::string& pattern, const std::string& name, Handler h) { http.Delete(pattern, Wrap(name, std::move(h))); }
  void Patch(const std::string& pattern, const std::string& name, Handler h) { http.Patch(pattern, Wrap(name, std::move(h))); }

  void Routes();
  void OrgRoutes();
  void TicketRoutes();
  void PublicRoutes();
  std::string MetricsText();
  json Ticket(const hotline::Ticket& t, const Actor& a) {
    return TicketJson(t, *svc->Org(), a, *svc->CurrentPolicy(), svc->clock()->NowMs());
  }
  // One ticket for its detail screen: with the commands the actor may issue on it now.
  json TicketWithActions(const hotline::Ticket& t, const Actor& a) {
    json out = Ticket(t, a);
    json actions = json::array();
    for (CommandType c : svc->Offered(a, t)) actions.push_back(CommandName(c));
    out["actions"] = std::move(actions);
    return out;
  }
  void SlaRoutes();
  void KbRoutes();
  void IntelRoutes();
};

void ApiServer::Impl::Routes() {
  http.set_tcp_nodelay(true);
  // httplib's default also sets SO_REUSEPORT, which lets a second server bind a port that is
  // in use and take half its connections (each with its own tokens and maybe another
  // database). SO_REUSEADDR alone still allows a quick restart over TIME_WAIT sockets.
  http.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
  });
  http.set_keep_alive_max_count(10000);
  // An idle keep-alive connection holds a worker thread: release it after 3 s.
  http.set_keep_alive_timeout(3);
  http.set_read_timeout(15, 0);
  http.set_write_timeout(15, 0);
  http.set_payload_max_length(opts.max_upload_bytes + 4096);
  // On every answer: never framed by another site (clickjacking a signed-in agent), never
  // sniffed into another type, no addresses (ticket ids) leaked to linked sites. The page itself
  // runs only the platform's own scripts (Vite emits no inline script); Element Plus sets inline
  // styles, and charts draw data: and blob: images.
  http.set_default_headers({
      {"X-Frame-Options", "DENY"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "same-origin"},
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'"},
  });
  const int threads = opts.threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  // The API's answers carry personal data (a revealed phone, a caller's history): no browser
  // or proxy keeps a copy. The web UI's files may be cached as usual.
  http.set_post_routing_handler([](const Req& req, Res& res) {
    if (req.path.rfind("/api/", 0) == 0 && !res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
  });
  // Before a body is read: a POST, PUT or PATCH without a length (curl -X POST with no data) is
  // told what it lacks, instead of the HTTP library's bare 400.
  http.set_pre_routing_handler([](const Req& req, Res& res) {
    using R = httplib::Server::HandlerResponse;
    // A length that is no number (abc, -1, past 2^63) is answered at once and the connection
    // closed: read as one, it would hold a worker until the read timeout for a body that
    // never ends where the client thinks.
    // Two lengths that differ are refused too (RFC 9112 §6.3): a proxy in front that reads
    // the other one would see a different request (request smuggling).
    if (req.has_header("Content-Length")) {
      const std::string v = req.get_header_value("Content-Length");
      bool differ = false;
      for (size_t i = 1; i < req.get_header_value_count("Content-Length"); ++i) {
        differ = differ || req.get_header_value("Content-Length", i) != v;
      }
      if (v.size() > 18 || !IsDigits(v) || differ) {
        res.set_header("Connection", "close");
        SendJson(res, 400, {{"error", {{"code", "invalid_argument"},
                                       {"message", differ ? "Content-Length: given twice with different values"
                                                          : "Content-Length: must be a number of bytes"},
                                       {"details", {{"field", "Content-Length"}}}}}});
        return R::Handled;
      }
    }
    // A parameter that is not what it says is refused by name: a broken escape (%zz, a lone %)
    // would otherwise be searched as the literal text, and a control character (%00) was
    // never typed by anyone.
    if (req.path.rfind("/api/", 0) == 0) {
      if (Status st = CheckQueryString(req.target); !st.ok()) {
        SendError(res, st);
        return R::Handled;
      }
      // A header that says who asks, which version is edited or which retry this is counts
      // once: given twice, the library would take the first and which one counts is a guess.
      for (const char* h : {"Authorization", "If-Match", "Idempotency-Key", "Content-Type"}) {
        if (req.get_header_value_count(h) > 1) {
          SendError(res, InvalidArgument(h, "is given more than once (which one counts would be a guess)"));
          return R::Handled;
        }
      }
    }
    if (req.path.rfind("/api/", 0) != 0 || (req.method != "POST" && req.method != "PUT" && req.method != "PATCH")) {
      return R::Unhandled;
    }
    // The HTTP library caps a form-encoded body at 8 KiB and answers a bare 413; JSON sent as
    // a form (curl -d without a Content-Type) is read like JSON up to that size, so past it
    // the caller is told what to send instead of "too large".
    if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0 &&
        std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10) > 8192) {
      SendJson(res, 415, {{"error", {{"code", "unsupported_media_type"},
                                     {"message", "Content-Type: a body over 8 KiB must be sent as application/json "
                                                 "(curl: -H 'Content-Type: application/json')"},
                                     {"details", {{"field", "Content-Type"}}}}}});
      return R::Handled;
    }
    // A chunked body is refused too: the HTTP library caps only bodies that state their
    // length, so a chunked one would be read whole into memory before any limit applied.
    if (req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) return R::Unhandled;
    SendJson(res, 411, {{"error", {{"code", "length_required"},
                                   {"message", req.has_header("Transfer-Encoding")
                                                   ? "Content-Length: required (chunked bodies are not accepted)"
                                                   : "Content-Length: required (send {} for an empty body)"},
                                   {"details", {{"field", "Content-Length"}}}}}});
    return R::Handled;
  });
  http.set_error_handler([](const Req& req, Res& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      SendError(res, Status(Code::kTooLarge, "body: request body too large", "body"));
    } else if (res.status == 404) {
      SendError(res, NotFound("no route for " + req.method + " " + req.path));
    } else if (res.status == 414) {
      SendJson(res, 414, {{"error", {{"code", "uri_too_long"},
                                     {"message", "the URL is longer than " + std::to_string(CPPHTTPLIB_REQUEST_URI_MAX_LENGTH) +
                                                     " bytes: send long text in a POST body (a whole message to "
                                                     "POST /api/v1/kb/suggest as {\"text\"})"},
                                     {"details", json::object()}}}});
    } else if (res.status == 400) {
      // The library could not read the request: its line, a header, or a header block too long.
      SendJson(res, 400, {{"error", {{"code", "bad_request"},
                                     {"message", "the request could not be read: a malformed request line or header, "
                                                 "headers longer than the server accepts, or a body shorter than "
                                                 "its Content-Length"},
                                     {"details", json::object()}}}});
    } else if (res.status >= 400) {
      SendJson(res, res.status, {{"error", {{"code", "http_" + std::to_string(res.status)},
                                            {"message", "HTTP error " + std::to_string(res.status)},
                                            {"details", json::object()}}}});
    }
  });

  Get("/healthz", "/healthz", [this](const Req&, Res& res) {
    auto v = svc->store()->OrgVersion();
    if (!v.ok()) return SendJson(res, 503, {{"status", "unavailable"}, {"error", v.status().message()}});
    SendJson(res, 200, {{"status", "ok"}});
  });
  Get("/metrics", "/metrics", [this](const Req&, Res& res) {
    res.set_content(MetricsText(), "text/plain; version=0.0.4");
  });
  Status web_ok = opts.web_root.empty() ? Status(Code::kNotFound, "no web root") : web.Load(opts.web_root);
  if (!opts.web_root.empty() && !web_ok.ok()) spdlog::error("web UI not served: {}", web_ok.message());
  if (web_ok.ok()) {
    auto serve = [this](const Req& req, Res& res) {
      const StaticFiles::File* f = web.Find(req.path);
      if (!f) return SendError(res, NotFound("no file " + req.path));
      // Vite names assets by content hash: cache them for good; always revalidate the page.
      const bool hashed = req.path.rfind("/assets/", 0) == 0;
      res.set_header("Cache-Control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
      res.set_header("Vary", "Accept-Encoding");
      const bool gzip = !f->gzip.empty() && req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos;
      if (gzip) res.set_header("Content-Encoding", "gzip");
      res.set_content(gzip ? f->gzip : f->body, f->mime);
    };
    Get("/", "/", serve);
    Get(R"(/(assets/[A-Za-z0-9_.@-]{1,200}|[A-Za-z0-9_.-]{1,100}))", "/{web file}", serve);
  } else {
    Get("/", "/", [](const Req&, Res& res) {
      res.set_content(
          "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>12345 热线平台</title>"
          "<body><h1>12345 政务服务便民热线平台</h1><p>API: <code>/api/v1</code>, 健康检查: "
          "<a href=\"/healthz\">/healthz</a>, 指标: <a href=\"/metrics\">/metrics</a></p></body></html>",
          "text/html; charset=utf-8");
    });
  }

  Post("/api/v1/auth/login", "/api/v1/auth/login", [this](const Req& req, Res& res) {
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return SendError(res, body.status());
    std::string user, pass;
    Status st = StrField(*body, "username", true, 64, &user);
    if (st.ok()) st = StrField(*body, "password", true, 200, &pass);
    if (!st.ok()) return SendError(res, st);
    const std::string from = ClientAddress(req);
    if (!login_failure_limiter.Has(from, svc->clock()->NowMs())) {
      return SendTooMany(res, login_failure_limiter, "too many failed logins from your address; wait a minute");
    }
    auto token = svc->Login(user, pass, from);
    if (!token.ok()) {
      if (token.status().code() == Code::kUnauthenticated) (void)login_failure_limiter.Allow(from, svc->clock()->NowMs());
      if (token.status().code() == Code::kResourceExhausted) {
        // A user locked after failed logins waits out the window at most; a busy server, a moment.
        const bool locked = token.status().message().starts_with("too many failed logins");
        res.set_header("Retry-After", locked ? std::to_string(Service::kLoginLockSeconds) : "1");
      }
      return SendError(res, token.status());
    }
    auto actor = svc->Authenticate(*token);
    if (!actor.ok()) return SendError(res, actor.status());
    SendJson(res, 200, {{"token", *token}, {"user", {{"id", IdToString(actor->user_id)}, {"username", actor->username},
                                                      {"role", RoleName(actor->role)}, {"unit_id", IdToString(actor->unit_id)}}}});
  });
  Post("/api/v1/auth/password", "/api/v1/auth/password", Authed([this](const Actor& a, const Req& req, Res& res) {
    auto body = BodyObject(req, 16 * 1024);
    if (!body.ok()) return SendError(res, body.status());
    std::string current, next;
    Status st = RefuseUnknownFields(*body, "", {"current_password", "new_password"});
    if (st.ok()) st = StrField(*body, "current_password", true, 200, &current);
    if (st.ok()) st = StrField(*body, "new_password", true, 200, &next);
    if (!st.ok()) return SendError(res, st);
    auto token = svc->ChangeOwnPassword(a, current, next, ClientAddress(req));
    if (!token.ok()) {
      if (token.status().code() == Code::kResourceExhausted) {
        res.set_header("Retry-After", std::to_string(Service::kLoginLockSeconds));
      }
      return SendError(res, token.status());
    }
    SendJson(res, 200, {{"token", *token}});
  }));
  Post("/api/v1/auth/logout", "/api/v1/auth/logout", Authed([this](const Actor&, const Req& req, Res& res) {
    Status st = svc->Logout(Bearer(req));
    if (!st.ok()) return SendError(res, st);
    SendJson(res, 200, {{"ok", true}});
  }));
  Get("/api/v1/auth/me", "/api/v1/auth/me", Authed([this](const Actor& a, const Req&, Res& res) {
    const auto org = svc->Org();  // held: FindUnit points into this snapshot
    SendJson(res, 200, {{"id", IdToString(a.user_id)}, {"username", a.username}, {"role", RoleName(a.role)},
                        {"unit_id", IdToString(a.unit_id)}, {"unit_name", UnitName(*org, a.unit_id)}});
  }));
  OrgRoutes();
  TicketRoutes();
  SlaRoutes();
  KbRoutes();
  IntelRoutes();
  PublicRoutes();
}

namespace {
// `current`: published and inside its validity period now (only such entries are served
// by search, suggestions and direct answers; editors also list the others).
// `editor`: with the pending revision, if any (the text in review is the editors').
json KbJson(const KbEntry& e, bool current, bool editor) {
  json j = json::parse(KbEntryJson(e));
  j["current"] = current;
  j["id"] = IdToString(e.id);
  j["external_id"] = e.external_id;
  j["version"] = e.version;
  j["use_count"] = e.use_count;
  j["updated_at"] = Iso(e.updated_at);
  j["updated_by"] = IdOrNull(e.updated_by);
  if (editor && e.revision) {
    json r = json::parse(KbEntryJson(*e.revision));
    r.erase("id");
    r["updated_at"] = Iso(e.revision->updated_at);
    r["updated_by"] = IdOrNull(e.revision->updated_by);
    j["revision"] = std::move(r);
  }
  return j;
}

json KbResultsJson(const std::vector<KbResult>& results, bool public_view, TimeMs now) {
  json items = json::array();
  for (const auto& r : results) {
    // An editor's search by status (status=draft) finds entries that are not served.
    json j = public_view ? json{{"id", IdToString(r.entry.id)}, {"title", r.entry.title}, {"body", r.entry.body}}
                         : KbJson(r.entry, r.entry.CurrentAt(now), false);
    j["score"] = r.score;
    j["snippet"] = r.snippet;
    items.push_back(std::move(j));
  }
  return Listed(std::move(items));
}

// A ticket's words as a knowledge query: its title and content, cut to fit the search's
// 20,000-byte limit (a long content is judged by its beginning, never refused).
std::string TicketQueryText(const Ticket& t) { return Utf8Prefix(t.title + " " + t.content, 16000); }

bool KbEditor(const Actor& a) { return a.role == Role::kAdmin || a.role == Role::kSupervisor; }

// A knowledge entry's `version` as a body sends it: the version the editor loaded.
Result<int64_t> KbVersionField(const json& v) {
  if (!v.is_number_integer() || v.get<int64_t>() < 1) {
    return InvalidArgument("version", "must be the entry's version as loaded (a positive integer)");
  }
  return v.get<int64_t>();
}

// The version an edit of entry `id` was made on (body `version` or If-Match; none for a new
// entry), so that a save by someone else in between is refused (409 stale_version), not
// silently overwritten. `text` loses the body's `version`, which is no field of the entry.
Result<std::optional<int64_t>> KbEditVersion(const Req& req, Id id, std::string* text) {
  std::optional<int64_t> expected;
  // Read strictly, as the entry is: a key given twice is refused by the entry's parser.
  if (auto doc = ParseJsonObject(req.body); doc.ok() && doc->contains("version")) {
    const json& v = (*doc)["version"];
    if (!id) return InvalidArgument("version", "a new entry has no version yet");
    ASSIGN_OR_RETURN(expected, KbVersionField(v));
    doc->erase("version");
    *text = doc->dump();
  }
  ASSIGN_OR_RETURN(const std::optional<int64_t> version, WriteVersion(req, expected));
  if (version && !expected) {  // from If-Match alone
    if (!id) return InvalidArgument("If-Match", "a new entry has no version yet");
    if (*version < 1) return InvalidArgument("If-Match", "names no version (versions start at 1)");
  }
  return version;
}

// Search names its text `q`; the suggestion endpoints take it as `text`.
Status AsTextParam(const Status& st) {
  if (st.field() != "q") return st;
  return Status(st.code(), "text" + st.message().substr(1), "text", st.reason());
}

// `limit` as given (nullopt: not given, `dflt`): 1 to `max`.
Result<size_t> LimitParam(const std::optional<std::string>& given, size_t dflt, size_t max) {
  if (!given) return dflt;
  auto n = ParseId(*given);
  if (!n || *n > static_cast<int64_t>(max)) return InvalidArgument("limit", "must be between 1 and " + std::to_string(max));
  return static_cast<size_t>(*n);
}

Result<KbQuery> KbQueryOf(const Req& req, Service& svc) {
  KbQuery q;
  q.category_prefix = req.get_param_value("category");
  if (q.category_prefix.size() > 32) return InvalidArgument("category", "too long");
  // A code no category begins with would filter everything away in silence.
  if (!q.category_prefix.empty()) RETURN_IF_ERROR(svc.CheckCategory("category", q.category_prefix, true).status());
  ASSIGN_OR_RETURN(q.limit, LimitParam(req.has_param("limit") ? std::optional(req.get_param_value("limit")) : std::nullopt,
                                       q.limit, 50));
  if (const std::string st = req.get_param_value("status"); !st.empty()) {
    q.status = ParseKbStatus(st);
    if (!q.status) return InvalidArgument("status", "must be draft, reviewed, published or retired");
  }
  return q;
}
}  // namespace

void ApiServer::Impl::KbRoutes() {
  Get("/api/v1/kb/search", "/api/v1/kb/search", Authed([this](const Actor& a, const Req& req, Res& res) {
    if (Status st = OnlyParams(req, {"q", "category", "status", "limit"}, "a search"); !st.ok()) return SendError(res, st);
    auto q = KbQueryOf(req, *svc);
    if (!q.ok()) return SendError(res, q.status());
    if (q->status && !KbEditor(a)) {
      // By status an editor also finds entries out of their validity period.
      return SendError(res, PermissionDenied("only editors search by status (drafts, reviewed, retired or out-of-date entries)"));
    }
    auto r = svc->Kb().Search(req.get_param_value("q"), *q);
    if (!r.ok()) return SendError(res, r.status());
    SendJson(res, 200, KbResultsJson(*r, false, svc->clock()->NowMs()));
  }));
  // The words to assist with: a ticket's (`ticket_id`, which the caller must be able to
  // open) or typed `text`. GET takes them as parameters; POST as a JSON body, for a whole
  // message longer than a URL may be (a URL holds about 900 characters of Chinese).
  // `limit` (1 to max_limit, default 5) says how many to return.
  // `category` (suggest only, else null): the request's category, given with the text or,
  // for a ticket, its own.
  auto assist_text = [this](const Actor& a, const Req& req, bool post, Id* ticket, size_t* limit,
                            size_t max_limit, std::string* category = nullptr) -> Result<std::string> {
    std::string text, ticket_id;
    std::optional<std::string> limit_given;
    bool has_ticket = false, text_given = false;
    if (post) {
      ASSIGN_OR_RETURN(json body, BodyObject(req, 256 * 1024));
      text_given = body.contains("text") && !body["text"].is_null();
      if (category) {
        RETURN_IF_ERROR(RefuseUnknownFields(body, "", {"text", "ticket_id", "limit", "category"}));
        RETURN_IF_ERROR(StrField(body, "category", false, 32, category));
      } else {
        RETURN_IF_ERROR(RefuseUnknownFields(body, "", {"text", "ticket_id", "limit"}));
      }
      RETURN_IF_ERROR(StrField(body, "text", false, SIZE_MAX, &text));
      RETURN_IF_ERROR(StrField(body, "ticket_id", false, 32, &ticket_id));
      has_ticket = body.contains("ticket_id") && !body["ticket_id"].is_null();
      if (auto it = body.find("limit"); it != body.end() && !it->is_null()) {
        limit_given = it->is_number_unsigned() ? std::to_string(it->get<uint64_t>()) : "";  // "": refused as not a number
      }
    } else {
      if (category) {
        RETURN_IF_ERROR(OnlyParams(req, {"text", "ticket_id", "limit", "category"}, "this request"));
        *category = req.get_param_value("category");
        if (category->size() > 32) return InvalidArgument("category", "is longer than 32 bytes");
      } else {
        RETURN_IF_ERROR(OnlyParams(req, {"text", "ticket_id", "limit"}, "this request"));
      }
      text = req.get_param_value("text");
      text_given = req.has_param("text");
      has_ticket = req.has_param("ticket_id");
      ticket_id = req.get_param_value("ticket_id");
      if (req.has_param("limit")) limit_given = req.get_param_value("limit");
    }
    ASSIGN_OR_RETURN(*limit, LimitParam(limit_given, 5, max_limit));
    *ticket = 0;
    if (has_ticket && !Trim(text).empty()) return InvalidArgument("text", "give ticket_id or text, not both");
    if (has_ticket) {
      const auto id = ParseId(ticket_id);
      if (!id) return InvalidArgument("ticket_id", "must be an id");
      ASSIGN_OR_RETURN(hotline::Ticket t, svc->GetTicket(a, *id));
      *ticket = t.id;
      if (category) {
        if (!category->empty()) return InvalidArgument("category", "a ticket's own category is used: give ticket_id or category");
        *category = t.category_code;
      }
      return TicketQueryText(t);
    }
    // Text given but blank is named as such; neither given asks for one of them.
    if (!HasVisibleText(text)) {
      return text_given ? InvalidArgument("text", "must not be empty") : InvalidArgument("ticket_id", "give ticket_id or text");
    }
    return text;
  };
  auto suggest = [this, assist_text](bool post) {
    return Authed([this, assist_text, post](const Actor& a, const Req& req, Res& res) {
      Id ticket = 0;
      size_t limit = 0;
      std::string category;
      auto text = assist_text(a, req, post, &ticket, &limit, 50, &category);
      if (!text.ok()) return SendError(res, text.status());
      if (!category.empty() && !ticket) {
        if (auto known = svc->CheckCategory("category", category); !known.ok()) return SendError(res, known.status());
      }
      KbQuery q;
      q.limit = limit;
      q.prefer_category = category;
      auto r = svc->Kb().Search(*text, q);
      if (!r.ok()) return SendError(res, AsTextParam(r.status()));
      // An agent on a call reads the panel top down: a match far below the best one (a lone
      // 有 or 办 shared with a long message) is noise there, left out. Search keeps them.
      constexpr double kWeakShare = 0.2;
      if (!r->empty()) {
        const double floor = r->front().score * kWeakShare;
        std::erase_if(*r, [floor](const KbResult& x) { return x.score < floor; });
      }
      SendJson(res, 200, KbResultsJson(*r, false, svc->clock()->NowMs()));
    });
  };
  Get("/api/v1/kb/suggest", "/api/v1/kb/suggest", suggest(false));
  Post("/api/v1/kb/suggest", "/api/v1/kb/suggest", suggest(true));
  auto similar_cases = [this, assist_text](bool post) {
    return Authed([this, assist_text, post](const Actor& a, const Req& req, Res& res) {
      // Past tickets carry citizens' words: centre staff only, never unit handlers or analysts.
      if ((!IsCentreRole(a.role) && a.role != Role::kAdmin) || a.role == Role::kAnalyst) {
        return SendError(res, PermissionDenied("similar cases are for centre staff"));
      }
      Id exclude = 0;
      size_t limit = 0;
      auto text = assist_text(a, req, post, &exclude, &limit, 20);
      if (!text.ok()) return SendError(res, text.status());
      KbQuery q;
      q.kind = "case";
      q.limit = 50;  // read past cases this caller may not open
      auto r = svc->Kb().Search(*text, q);
      if (!r.ok()) return SendError(res, AsTextParam(r.status()));
      json items = json::array();
      // One case per request and answer: five copies of one (a template complaint answered
      // the same way each time) would crowd out the other solutions.
      std::set<std::string> seen;
      for (const auto& x : *r) {
        const Id tid = ParseId(x.entry.external_id.substr(x.entry.external_id.find(':') + 1)).value_or(0);
        if (tid == exclude || items.size() == limit) continue;
        if (seen.count(x.entry.body)) continue;
        auto found = svc->GetTicket(a, tid);
        if (!found.ok()) continue;  // another district's case stays with it
        // A confidential report's words may name its reporter: never offered as a case (one
        // indexed before this rule is passed over here).
        if (found->confidential) continue;
        seen.insert(x.entry.body);
        const auto sep = x.entry.body.find("\n【答复】");
        // Another citizen's case: the numbers written in it are theirs (masked when the case
        // was indexed; these, for cases indexed before).
        items.push_back({{"ticket_id", IdToString(tid)}, {"number", x.entry.title}, {"score", x.score},
                         {"category_code", x.entry.category_code},
                         {"request", MaskPersonalNumbers(x.entry.body.substr(0, sep))},
                         {"answer", sep == std::string::npos ? "" : MaskPersonalNumbers(x.entry.body.substr(sep + std::string("\n【答复】").size()))},
                         {"snippet", MaskPersonalNumbers(x.snippet)}});
      }
      SendJson(res, 200, Listed(std::move(items)));
    });
  };
  Get("/api/v1/kb/similar-cases", "/api/v1/kb/similar-cases", similar_cases(false));
  Post("/api/v1/kb/similar-cases", "/api/v1/kb/similar-cases", similar_cases(true));
  Get(R"(/api/v1/public/kb/search)", "/api/v1/public/kb/search", [this](const Req& req, Res& res) {
    if (!public_kb_limiter.Allow(ClientAddress(req), svc->clock()->NowMs())) {
      return SendTooMany(res, public_kb_limiter, "too many searches from your address; slow down");
    }
    if (Status st = OnlyParams(req, {"q", "category", "limit"}, "a search"); !st.ok()) return SendError(res, st);
    if (req.get_param_value("q").size() > 400) return SendError(res, InvalidArgument("q", "at most 400 bytes"));
    auto q = KbQueryOf(req, *svc);
    if (!q.ok()) return SendError(res, q.status());
    q->public_only = true;
    auto r = svc->Kb().Search(req.get_param_value("q"), *q);
    if (!r.ok()) return SendError(res, r.status());
    SendJson(res, 200, KbResultsJson(*r, true, svc->clock()->NowMs()));
  });
  Get("/api/v1/kb", "/api/v1/kb", Authed([this](const Actor& a, const Req& req, Res& res) {
    if (Status st = OnlyParams(req, {"status", "category", "revision", "cursor", "page_size"}, "the entry list"); !st.ok()) {
      return SendError(res, st);
    }
    // revision=pending: the published entries whose edit waits for review (editors').
    const std::string revision = req.get_param_value("revision");
    if (!revision.empty() && revision != "pending") return SendError(res, InvalidArgument("revision", "must be pending"));
    if (!revision.empty() && !KbEditor(a)) {
      return SendError(res, PermissionDenied("only editors list the revisions in review"));
    }
    auto q = KbQueryOf(req, *svc);
    if (!q.ok()) return SendError(res, q.status());
    // Drafts, entries in review and retired ones are the editors' (as in search).
    if (!KbEditor(a)) {
      if (q->status && *q->status != KbStatus::kPublished) {
        return SendError(res, PermissionDenied("only editors list drafts and retired entries"));
      }
      q->status = KbStatus::kPublished;
    }
    Id after = 0;
    int64_t page_size = 20;
    if (auto st = IdParam(req, "cursor", &after, "must be a cursor from next_cursor"); !st.ok()) return SendError(res, st);
    if (auto st = PageSizeParam(req, 100, &page_size); !st.ok()) return SendError(res, st);
    const int page = static_cast<int>(page_size);
    // Others read what is served: published and inside its validity period.
    const TimeMs now = svc->clock()->NowMs();
    const TimeMs current_at = KbEditor(a) ? 0 : now;
    const bool pending = !revision.empty();
    auto list = svc->store()->KbList(q->status, after, page + 1, "entry", current_at, q->category_prefix, pending);
    if (!list.ok()) return SendError(res, list.status());
    auto total = svc->store()->KbCount(q->status, "entry", current_at, q->category_prefix, pending);
    if (!total.ok()) return SendError(res, total.status());
    json items = json::array();
    for (size_t i = 0; i < list->size() && static_cast<int>(i) < page; ++i) {
      items.push_back(KbJson((*list)[i], (*list)[i].CurrentAt(now), KbEditor(a)));
    }
    const bool more = static_cast<int>(list->size()) > page;
    SendJson(res, 200, {{"items", items}, {"total", *total},
                        {"next_cursor", more ? json(IdToString((*list)[page - 1].id)) : json(nullptr)}});
  }));
  auto save = [this](const Actor& a, const Req& req, Res& res, Id id) {
    if (!KbEditor(a)) return SendError(res, PermissionDenied("only administrators and supervisors edit the knowledge base"));
    if (req.body.size() > opts.max_json_bytes) return SendError(res, Status(Code::kTooLarge, "body: too large", "body"));
    std::string text = req.body;
    auto expected = KbEditVersion(req, id, &text);
    if (!expected.ok()) return SendError(res, expected.status());
    auto e = ParseKbEntry(text);
    if (!e.ok()) return SendError(res, e.status());
    if (*expected) e->expected_version = static_cast<int>(std::min<int64_t>(**expected, INT32_MAX));
    if (e->owner_unit_id && !svc->Org()->FindUnit(e->owner_unit_id)) {
      return SendError(res, InvalidArgument("owner_unit_id", "no unit with id " + IdToString(e->owner_unit_id)));
    }
    const json body = json::parse(text);
    const bool status_given = body.contains("status") && !body["status"].is_null();  // null: not given
    if (!status_given) e->status = KbStatus::kDraft;  // edits go through review
    // Filtering by category reads the taxonomy's codes: an entry filed under another code
    // would never be found by it. The error names the field as sent (category is an alias).
    if (!e->category_code.empty()) {
      const char* field = body.contains("category_code") ? "category_code" : "category";
      if (auto v = svc->CheckCategory(field, e->category_code); !v.ok()) return SendError(res, v.status());
    }
    e->id = id;
    auto saved = id ? svc->Kb().Edit(*e, status_given, a.user_id) : svc->Kb().SaveOne(*e, a.user_id);
    if (!saved.ok()) return SendError(res, saved.status());
    // A published entry's edit waits beside it for review (待审修订).
    const bool proposed = id && !status_given && saved->revision && saved->status == KbStatus::kPublished;
    (void)svc->Audit(a, proposed ? "kb_revision_proposed" : id ? "kb_entry_updated" : "kb_entry_created",
                     "kb:" + IdToString(saved->id),
                     "version " + std::to_string(saved->version) + (saved->unchanged ? " (saved unchanged)" : ""));
    res.set_header("ETag", "\"" + std::to_string(saved->version) + "\"");
    SendJson(res, id ? 200 : 201, KbJson(*saved, saved->CurrentAt(svc->clock()->NowMs()), true));
  };
  Post("/api/v1/kb", "/api/v1/kb", Authed([save](const Actor& a, const Req& req, Res& res) { save(a, req, res, 0); }));
  Put(R"(/api/v1/kb/(\d+))", "/api/v1/kb/{id}", Authed([save](const Actor& a, const Req& req, Res& res) {
    save(a, req, res, ParseId(req.matches[1]).value_or(0));
  }));
  Get(R"(/api/v1/kb/(\d+))", "/api/v1/kb/{id}", Authed([this](const Actor& a, const Req& req, Res& res) {
    if (Status st = OnlyParams(req, {}, "an entry"); !st.ok()) return SendError(res, st);
    const Id id = ParseId(req.matches[1]).value_or(0);
    auto e = svc->Kb().Get(id);
    if (!e.ok()) return SendError(res, e.status());
    // Others see what search would serve them: published entries inside their validity.
    const bool current = e->CurrentAt(svc->clock()->NowMs());
    if (!KbEditor(a) && !current) return SendError(res, NotFound("no current knowledge entry " + IdToString(id)));
    res.set_header("ETag", "\"" + std::to_string(e->version) + "\"");
    SendJson(res, 200, KbJson(*e, current, KbEditor(a)));
  }));
  Get(R"(/api/v1/kb/(\d+)/versions)", "/api/v1/kb/{id}/versions", Authed([this](const Actor& a, const Req& req, Res& res) {
    if (!KbEditor(a)) return SendError(res, PermissionDenied("only editors see an entry's versions"));
    if (Status st = OnlyParams(req, {}, "an entry's versions (all are listed)"); !st.ok()) return SendError(res, st);
    const Id id = ParseId(req.matches[1]).value_or(0);
    if (auto e = svc->Kb().Get(id); !e.ok()) return SendError(res, e.status());
    auto v = svc->store()->KbVersions(id);
    if (!v.ok()) return SendError(res, v.status());
    json items = json::array();
    const auto names = StaffNames();
    for (const auto& [n, snap] : *v) {
      json entry = json::parse(snap);
      const Id by = entry.value("changed_by", Id{0});
      const TimeMs at = entry.value("changed_at", TimeMs{0});
      entry.erase("changed_by");
      entry.erase("changed_at");
      // No user: the command line saved it (hotline kb import, the demo's seed).
      const auto name = names.find(by);
      items.push_back({{"version", n}, {"changed_by", IdOrNull(by)},
                       {"changed_by_name", name != names.end() ? json(name->second) : json(nullptr)},
                       {"changed_at", Iso(at)}, {"entry", entry}});
    }
    SendJson(res, 200, Listed(std::move(items)));
  }));
  Post(R"(/api/v1/kb/(\d+)/actions/(review|publish|retire|redraft|discard))", "/api/v1/kb/{id}/actions/{action}",
       Authed([this](const Actor& a, const Req& req, Res& res) {
    if (!KbEditor(a)) return SendError(res, PermissionDenied("only administrators and supervisors review entries"));
    // The action takes the version the editor acted on (`version` or If-Match: a change saved
    // in between is refused, so nobody publishes text they have not seen) and no other field:
    // one sent (a note meant for the entry) is refused, not lost.
    std::optional<int64_t> in_body;
    if (!Trim(req.body).empty()) {
      auto body = BodyObject(req, 16 * 1024);
      if (!body.ok()) return SendError(res, body.status());
      for (const auto& [key, value] : body->items()) {
        if (key != "version") return SendError(res, InvalidArgument(key, "this action takes no fields but the entry's version"));
        auto v = KbVersionField(value);
        if (!v.ok()) return SendError(res, v.status());
        in_body = *v;
      }
    }
    auto expected = WriteVersion(req, in_body);
    if (!expected.ok()) return SendError(res, expected.status());
    if (*expected && **expected < 1) return SendError(res, InvalidArgument("If-Match", "names no version (versions start at 1)"));
    const int version = *expected ? static_cast<int>(std::min<int64_t>(**expected, INT32_MAX)) : 0;
    const std::string act = req.matches[2].str();
    const Id id = ParseId(req.matches[1]).value_or(0);
    // An entry with an edit in review moves the edit (待审修订), except when retired.
    auto before = svc->Kb().Get(id);
    if (!before.ok()) return SendError(res, before.status());
    const bool of_revision = before->revision && act != "retire";
    const KbStatus to = act == "review" ? KbStatus::kReviewed : act == "publish" ? KbStatus::kPublished
                      : act == "retire" ? KbStatus::kRetired : KbStatus::kDraft;
    auto e = act == "discard" ? svc->Kb().DiscardRevision(id, a.user_id, version)
                              : svc->Kb().SetStatus(id, to, a.user_id, version);
    if (!e.ok()) return SendError(res, e.status());
    (void)svc->Audit(a, (of_revision || act == "discard" ? "kb_revision_" : "kb_entry_") + act, "kb:" + IdToString(e->id),
                     "version " + std::to_string(e->version));
    res.set_header("ETag", "\"" + std::to_string(e->version) + "\"");
    SendJson(res, 200, KbJson(*e, e->CurrentAt(svc->clock()->NowMs()), true));
  }));
  Get("/api/v1/kb/synonyms", "/api/v1/kb/synonyms", Authed([this](const Actor&, const Req&, Res& res) {
    auto g = svc->store()->KbSynonymGroups();
    if (!g.ok()) return SendError(res, g.status());
    json items = json::array();
    for (const auto& group : *g) items.push_back({{"id", IdToString(group.id)}, {"terms", group.terms}});
    SendJson(res, 200, Listed(std::move(items)));
  }));
  Post("/api/v1/kb/synonyms", "/api/v1/kb/synonyms", Authed([this](const Actor& a, const Req& req, Res& res) {
    if (a.role != Role::kAdmin) return SendError(res, PermissionDenied("only administrators maintain synonyms"));
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return SendError(res, body.status());
    if (Status st = RefuseUnknownFields(*body, "", {"terms"}); !st.ok()) return SendError(res, st);
    std::vector<std::string> terms;
    auto it = body->find("terms");
    if (it == body->end() || !it->is_array()) return SendError(res, InvalidArgument("terms", "must be an array of strings"));
    for (const auto& t : *it) {
      if (!t.is_string()) return SendError(res, InvalidArgument("terms", "must be an array of strings"));
      terms.push_back(Trim(t.get<std::string>()));
    }
    auto id = svc->Kb().AddSynonyms(terms);
    if (!id.ok()) return SendError(res, id.status());
    std::string listed;
    for (const auto& t : terms) listed += (listed.empty() ? "" : "/") + t;
    (void)svc->Audit(a, "kb_synonyms_added", "kb_synonyms:" + IdToString(*id), Utf8Prefix(listed, 200));
    SendJson(res, 201, {{"id", IdToString(*id)}, {"terms", terms}});
  }));
  Delete(R"(/api/v1/kb/synonyms/([0-9]{1,19}))", "/api/v1/kb/synonyms/{id}", Authed([this](const Actor& a, const Req& req, Res& res) {
    if (a.role != Role::kAdmin) return SendError(res, PermissionDenied("only administrators maintain synonyms"));
    const Id id = ParseId(req.matches[1]).value_or(0);
    // What the group held, for the audit: once deleted, nothing else says.
    std::string listed;
    if (auto groups = svc->store()->KbSynonymGroups(); groups.ok()) {
      for (const auto& g : *groups) {
        if (g.id != id) continue;
        for (const auto& t : g.terms) listed += (listed.empty() ? "" : "/") + t;
      }
    }
    Status st = svc->Kb().DeleteSynonyms(id);
    if (!st.ok()) return SendError(res, st);
    (void)svc->Audit(a, "kb_synonyms_deleted", "kb_synonyms:" + IdToString(id), Utf8Prefix(listed, 200));
    SendJson(res, 200, {{"ok", true}});
  }));
}

void ApiServer::Impl::SlaRoutes() {
  auto calendar_json = [this](const Calendar& c) {
    json years = json::array();
    for (int y : c.Years()) years.push_back(y);
    const int year = YearOf(DayOf(svc->clock()->NowMs()));
    json missing = json::array();
    for (int y : {year, year + 1}) if (!c.HasYear(y)) missing.push_back(y);
    return json{{"name", c.name()}, {"years", years}, {"missing_years", missing},
                {"in_force", svc->CurrentPolicy()->calendar().name() == c.name()}};
  };
  Get("/api/v1/calendars", "/api/v1/calendars", Authed([this, calendar_json](const Actor&, const Req&, Res& res) {
    json items = json::array();
    for (const auto& c : svc->Calendars()) items.push_back(calendar_json(c));
    SendJson(res, 200, Listed(std::move(items)));
  }));
  Get(R"(/api/v1/calendars/([A-Za-z0-9_.-]{1,64}))", "/api/v1/calendars/{name}",
      Authed([this, calendar_json](const Actor&, const Req& req, Res& res) {
    for (const auto& c : svc->Calendars()) {
      if (c.name() != req.matches[1].str()) continue;
      json out = json::parse(c.ToJson());
      out.update(calendar_json(c));
      out["years"] = json::parse(c.ToJson())["years"];
      return SendJson(res, 200, out);
    }
    SendError(res, NotFound("no calendar named " + req.matches[1].str()));
  }));
  Put(R"(/api/v1/calendars/([A-Za-z0-9_.-]{1,64}))", "/api/v1/calendars/{name}",
      AdminOnly([this](const Actor& a, const Req& req, Res& res) {
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return SendError(res, body.status());
    // The path names the calendar; a body naming another one is a mistake, not a rename.
    if (auto n = body->find("name"); n != body->end() && !(n->is_string() && *n == req.matches[1].str())) {
      return SendError(res, InvalidArgument("name", "must be the calendar's name in the path, " + req.matches[1].str()));
    }
    (*body)["name"] = req.matches[1].str();
    auto moved = svc->PutCalendar(a, body->dump());
    if (!moved.ok()) return SendError(res, moved.status());
    SendJson(res, 200, {{"name", req.matches[1].str()}, {"tickets_recomputed", *moved}});
  }));
  Get("/api/v1/sla-policies", "/api/v1/sla-policies", Authed([this](const Actor&, const Req& req, Res& res) {
    if (Status st = OnlyParams(req, {"version"}, "the SLA policy"); !st.ok()) return SendError(res, st);
    int version = 0;  // the one in force
    if (req.has_param("version")) {
      const Id v = ParseId(req.get_param_value("version")).value_or(0);
      if (v <= 0 || v > 1000000000) return SendError(res, InvalidArgument("version", "must be a positive integer"));
      version = static_cast<int>(v);
    }
    auto doc = svc->SlaPolicyJson(version);
    if (!doc.ok()) return SendError(res, doc.status());
    SendJson(res, 200, json::parse(*doc));
  }));
  Put("/api/v1/sla-policies", "/api/v1/sla-policies", AdminOnly([this](const Actor& a, const Req& req, Res& res) {
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return SendError(res, body.status());
    auto version = svc->PutSlaPolicy(a, body->dump());
    if (!version.ok()) return SendError(res, version.status());
    json out = json::parse(svc->CurrentPolicy()->doc().ToJson());
    SendJson(res, 200, out);
  }));
  Get("/api/v1/stats/overview", "/api/v1/stats/overview", Authed([this](const Actor& a, const Req& req, Res& res) {
    TimeMs from = 0, to = 0;
    if (Status st = OnlyParams(req, {"from", "to"}, "the overview"); !st.ok()) return SendError(res, st);
    if (Status st = PeriodParams(req, svc->clock()->NowMs(), &from, &to); !st.ok()) return SendError(res, st);
    auto out = svc->Overview(a, from, to);
    if (!out.ok()) return SendError(res, out.status());
    SendJson(res, 200, *out);
  }));
  // 周报/月报/专报: JSON for the screen, Markdown to file or forward.
  Get(R"(/api/v1/reports/([a-z]+))", "/api/v1/reports/{kind}", Authed([this](const Actor& a, const Req& req, Res& res) {
    if (Status st = OnlyParams(req, {"date", "from", "to", "category", "format"}, "a report"); !st.ok()) {
      return SendError(res, st);
    }
    std::optional<TimeMs> when[3];
    const char* names[3] = {"date", "from", "to"};
    for (int i = 0; i < 3; ++i) {
      const std::string v = req.get_param_value(names[i]);
      if (v.empty()) continue;
      when[i] = ParseIso(v);
      if (!when[i]) return SendError(res, InvalidArgument(names[i], "expected a date such as 2026-11-23 (or ISO 8601)"));
    }
    const std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
    if (format != "json" && format != "markdown") return SendError(res, InvalidArgument("format", "must be json or markdown"));
    // An empty category would silently be the whole city's report.
    if (req.has_param("category") && Trim(req.get_param_value("category")).empty()) {
      return SendError(res, InvalidArgument("category", "is empty: give a category code, or leave it out for every category"));
    }
    auto period = ResolveReportPeriod(req.matches[1], when[0], when[1], when[2], svc->clock()->NowMs());
    if (!period.ok()) return SendError(res, period.status());
    auto out = svc->Report(a, *period, req.get_param_value("category"));
    if (!out.ok()) return SendError(res, out.status());
    if (format == "json") return SendJson(res, 200, *out);
    const std::string file = "12345-" + period->kind + "-" + FormatIsoCity(period->from).substr(0, 10) + ".md";
    res.set_header("Content-Disposition", "attachment; filename=\"" + file + "\"");
    res.set_content(ReportMarkdown(*out), "text/markdown; charset=utf-8");
  }));
  Get("/api/v1/stats/queues", "/api/v1/stats/queues", Authed([this](const Actor& a, const Req&, Res& res) {
    auto out = svc->Queues(a);
    if (!out.ok()) return SendError(res, out.status());
    SendJson(res, 200, *out);
  }));
  Get("/api/v1/stats/overdue", "/api/v1/stats/overdue", Authed([this](const Actor& a, const Req&, Res& res) {
    if (a.role == Role::kUnitHandler) return SendError(res, PermissionDenied("unit handlers see their own orders"));
    auto rows = svc->store()->BacklogByUnit(svc->clock()->NowMs());
    if (!rows.ok()) return SendError(res, rows.status());
    auto org = svc->Org();
    const Id centre = a.role == Role::kAdmin ? 0 : org->CentreOf(a.unit_id);
    json items = json::array();
    for (const auto& r : *rows) {
      if (centre && !org->InSubtree(r.unit_id, centre)) continue;
      items.push_back({{"unit_id", IdToString(r.unit_id)}, {"unit_name", UnitName(*org, r.unit_id)}, {"open", r.open},
                       {"overdue", r.overdue}});
    }
    SendJson(res, 200, Listed(std::move(items)));
  }));
  Get("/api/v1/stats/sla", "/api/v1/stats/sla", Authed([this](const Actor& a, const Req& req, Res& res) {
    TimeMs from = 0, to = 0;
    if (Status st = OnlyParams(req, {"from", "to"}, "the unit statistics"); !st.ok()) return SendError(res, st);
    if (Status st = PeriodParams(req, svc->clock()->NowMs(), &from, &to); !st.ok()) return SendError(res, st);
    auto rows = svc->SlaStats(a, from, to);
    if (!rows.ok()) return SendError(res, rows.status());
    auto org = svc->Org();
    auto rate = [](int64_t n, int64_t d) { return d ? json(static_cast<double>(n) / static_cast<double>(d)) : json(nullptr); };
    json items = json::array();
    for (const auto& r : *rows) {
      items.push_back({{"unit_id", IdToString(r.unit_id)}, {"unit_name", UnitName(*org, r.unit_id)},
                       {"dispatched", r.dispatched}, {"accepted", r.accepted}, {"accepted_on_time", r.accepted_on_time},
                       {"replied", r.replied}, {"replied_on_time", r.replied_on_time}, {"open", r.open},
                       {"open_overdue", r.open_overdue}, {"ended_overdue", r.ended_overdue},
                       {"accept_missed", r.accept_missed},
                       {"accept_on_time_rate", rate(r.accepted_on_time, r.AcceptCounted())},
                       {"handle_on_time_rate", rate(r.replied_on_time, r.HandleCounted())}});
    }
    SendJson(res, 200, {{"from", Iso(from)}, {"to", Iso(to)}, {"items", items}, {"total", items.size()},
                        {"next_cursor", nullptr}});
  }));
}

namespace {
// The ids and public numbers of a cluster's members (indexes into `tickets`).
std::pair<json, json> MemberIds(const std::vector<size_t>& members, const std::vector<Store::TicketText>& tickets) {
  json ids = json::array(), numbers = json::array();
  for (size_t m : members) {
    ids.push_back(IdToString(tickets[m].id));
    numbers.push_back(tickets[m].number);
  }
  return {ids, numbers};
}
}  // namespace

void ApiServer::Impl::IntelRoutes() {
  // What the platform proposes for text an agent is typing (category, type, urgency, units).
  Post("/api/v1/suggest", "/api/v1/suggest", Authed([this](const Actor& a, const Req& req, Res& res) {
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return SendError(res, body.status());
    std::string title, content, address, category;
    Id area = 0;
    Status st = RefuseUnknownFields(*body, "", {"title", "content", "address", "category_code", "area_id"});
    if (st.ok()) st = StrField(*body, "title", false, 1000, &title);
    if (st.ok()) st = StrField(*body, "content", false, 64 * 1024, &content);
    if (st.ok()) st = StrField(*body, "address", false, 500, &address);
    if (st.ok()) st = StrField(*body, "category_code", false, 64, &category);
    if (st.ok()) st = IdField(*body, "area_id", false, &area);
    if (!st.ok()) return SendError(res, st);
    auto r = svc->Suggest(a, title, content, address, area, category);
    if (!r.ok()) return SendError(res, r.status());
    SendJson(res, 200, *r);
  }));
  Get("/api/v1/alerts", "/api/v1/alerts", Authed([this](const Actor& a, const Req& req, Res& res) {
    if (Status st = OnlyParams(req, {"kind", "since", "limit", "state"}, "the alerts"); !st.ok()) return SendError(res, st);
    const TimeMs now = svc->clock()->NowMs();
    // What still waits for someone is listed however old (state=open); otherwise a week's.
    TimeMs since = req.get_param_value("state") == "open" ? 0 : now - 7 * kDayMs;
    if (req.has_param("since")) {
      auto t = ParseIso(req.get_param_value("since"));
      if (!t) return SendError(res, InvalidArgument("since", "expected ISO 8601"));
      since = *t;
    }
    int limit = 100;
    if (Status st = IntParam(req, "limit", &limit); !st.ok()) return SendError(res, st);
    const std::string kind = req.get_param_value("kind");
    if (!kind.empty() && kind != "repeat_caller" && kind != "duplicate_cluster" && kind != "emergency" &&
        kind != "assist_returned") {
      return SendError(res, InvalidArgument("kind", "must be repeat_caller, duplicate_cluster, emergency or assist_returned"));
    }
    const std::string state = req.get_param_value("state");
    if (!state.empty() && state != "open" && state != "handled") {
      return SendError(res, InvalidArgument("state", "must be open or handled"));
    }
    auto list = svc->Alerts(a, kind, since, limit,
                            state == "open"      ? Store::AlertState::kOpen
                            : state == "handled" ? Store::AlertState::kHandled
                                                 : Store::AlertState::kAny);
    if (!list.ok()) return SendError(res, list.status());
    const auto names = StaffNames();
    json items = json::array();
    for (const auto& al : *list) {
      json j = AlertJson(al, names);
      j["data"] = json::parse(al.data_json, nullptr, false);
      items.push_back(std::move(j));
    }
    SendJson(res, 200, {{"items", items}, {"total", items.size()}});
  }));
  // 处置: the alert as the caller saw it (`version`) is marked handled with what was done.
  Post(R"(/api/v1/alerts/(\d+)/handle)", "/api/v1/alerts/{id}/handle", Authed([this](const Actor& a, const Req& req, Res& res) {
    auto body = BodyObject(req, 16 * 1024);
    if (!body.ok()) return SendError(res, body.status());
    std::string note;
    Status st = RefuseUnknownFields(*body, "", {"version", "note"});
    if (st.ok()) st = StrField(*body, "note", true, 2000, &note);
    // As a ticket's notes: control characters dropped, and only blanks or zero-width ones is empty.
    note = CleanText(note);
    if (st.ok() && !HasVisibleText(note)) st = InvalidArgument("note", "must not be empty");
    const auto v = body->find("version");
    if (st.ok() && (v == body->end() || !v->is_number_integer() || v->get<int64_t>() <= 0)) {
      st = InvalidArgument("version", "must be the alert's version as listed (a positive integer)");
    }
    if (!st.ok()) return SendError(res, st);
    auto al = svc->HandleAlert(a, ParseId(req.matches[1]).value_or(0), v->get<int64_t>(), note);
    if (!al.ok()) return SendError(res, al.status());
    SendJson(res, 200, AlertJson(*al, StaffNames()));
  }));
  // Hotspots (热点问题) among the stored tickets of a period, in the 热点问题表 shape.
  Get("/api/v1/insight/hotspots", "/api/v1/insight/hotspots", Authed([this](const Actor& a, const Req& req, Res& res) {
    TimeMs from = 0, to = 0;
    if (Status st = PeriodParams(req, svc->clock()->NowMs(), &from, &to); !st.ok()) return SendError(res, st);
    int top = 10;
    if (Status st = IntParam(req, "top", &top); !st.ok()) return SendError(res, st);
    std::vector<Store::TicketText> tickets;
    auto spots = svc->Hotspots(a, from, to, static_cast<size_t>(std::max(0, top)), &tickets);
    if (!spots.ok()) return SendError(res, spots.status());
    json items = json::array();
    for (const auto& h : *spots) {
      auto [ids, numbers] = MemberIds(h.members, tickets);
      items.push_back({{"rank", h.rank}, {"heat", std::round(h.heat * 100) / 100}, {"ids", ids}, {"numbers", numbers},
                       {"time_from", Iso(h.time_from.value_or(0))}, {"time_to", Iso(h.time_to.value_or(0))},
                       {"place", h.place}, {"description", h.description}, {"callers", h.callers},
                       {"growth", std::round(h.growth * 100) / 100}, {"urgency", std::round(h.urgency * 100) / 100}});
    }
    SendJson(res, 200, {{"from", Iso(from)}, {"to", Iso(to)}, {"tickets", tickets.size()}, {"hotspots", items}});
  }));
  Get("/api/v1/insight/subtopics", "/api/v1/insight/subtopics", Authed([this](const Actor& a, const Req& req, Res& res) {
    TimeMs from = 0, to = 0;
    if (Status st = PeriodParams(req, svc->clock()->NowMs(), &from, &to); !st.ok()) return SendError(res, st);
    int top = 10;
    if (Status st = IntParam(req, "top", &top); !st.ok()) return SendError(res, st);
    std::optional<TimeMs> pivot;
    if (const std::string d = req.get_param_value("date"); !d.empty()) {
      pivot = ParseIso(d);
      if (!pivot) return SendError(res, InvalidArgument("date", "expected ISO 8601"));
    }
    std::vector<Store::TicketText> tickets;
    auto r = svc->SubTopics(a, req.get_param_value("category"), from, to, pivot, static_cast<size_t>(std::max(0, top)),
                            &tickets);
    if (!r.ok()) return SendError(res, r.status());
    json items = json::array();
    for (const auto& t : r->topics) {
      auto [ids, numbers] = MemberIds(t.members, tickets);
      json examples = json::array();
      // Examples never quote a confidential report: its words may name its reporter.
      for (size_t m : t.members) {
        if (examples.size() == 3) break;
        if (!tickets[m].confidential) examples.push_back(Utf8Prefix(MaskPersonalNumbers(tickets[m].content), 300));
      }
      items.push_back({{"terms", t.terms}, {"tickets", t.members.size()}, {"share", std::round(t.share * 1000) / 1000},
                       {"before", t.before}, {"after", t.after},
                       {"change", t.change ? json(std::round(*t.change * 1000) / 1000) : json(nullptr)},
                       {"ids", ids}, {"numbers", numbers}, {"examples", examples}});
    }
    SendJson(res, 200, {{"from", Iso(from)}, {"to", Iso(to)}, {"category", req.get_param_value("category")},
                        {"tickets", r->messages}, {"other", r->other},
                        {"window", {{"from", Iso(r->window_from.value_or(0))}, {"pivot", Iso(r->pivot.value_or(0))},
                                    {"to", Iso(r->window_to.value_or(0))}}},
                        {"subtopics", items}});
  }));
  Get("/api/v1/insight/duplicates", "/api/v1/insight/duplicates", Authed([this](const Actor& a, const Req& req, Res& res) {
    TimeMs from = 0, to = 0;
    if (Status st = PeriodParams(req, svc->clock()->NowMs(), &from, &to); !st.ok()) return SendError(res, st);
    std::vector<Store::TicketText> tickets;
    auto groups = svc->DuplicateGroups(a, from, to, &tickets);
    if (!groups.ok()) return SendError(res, groups.status());
    json items = json::array();
    for (const auto& g : *groups) {
      auto [ids, numbers] = MemberIds(g.members, tickets);
      items.push_back({{"ids", ids}, {"numbers", numbers}, {"score", std::round(g.score * 1000) / 1000}});
    }
    SendJson(res, 200, {{"from", Iso(from)}, {"to", Iso(to)}, {"tickets", tickets.size()}, {"items", items},
                        {"total", items.size()}});
  }));
  // The litigation-clue list for the procuratorate: JSON, or CSV with ?format=csv.
  Get("/api/v1/insight/litigation", "/api/v1/insight/litigation", Authed([this](const Actor& a, const Req& req, Res& res) {
    TimeMs from = 0, to = 0;
    if (Status st = PeriodParams(req, svc->clock()->NowMs(), &from, &to); !st.ok()) return SendError(res, st);
    const std::string format = req.get_param_value("format");
    if (!format.empty() && format != "json" && format != "csv") {
      return SendError(res, InvalidArgument("format", "must be json or csv"));
    }
    auto list = svc->LitigationClues(a, from, to);
    if (!list.ok()) return SendError(res, list.status());
    json items = json::array();
    // For officials opening it in a spreadsheet: Chinese headings; the domain's code kept
    // beside its name for whoever filters by it.
    // A confidential report (保密件) is marked, so that whoever forwards the list keeps the
    // reporter's request.
    std::string csv = "工单编号,受理时间,分类编码,领域代码,线索领域,线索依据,保密件\r\n";
    const auto quote = [](const std::string& v) { return SpreadsheetField(v); };
    for (const auto& c : *list) {
      const json sug = json::parse(c.suggestions.empty() ? "{}" : c.suggestions, nullptr, false);
      if (!sug.is_object() || !sug.contains("litigation")) continue;
      items.push_back({{"ticket_id", IdToString(c.id)}, {"number", c.number}, {"created_at", Iso(c.created_at)},
                       {"category_code", c.category_code}, {"confidential", c.confidential}, {"clues", sug["litigation"]}});
      for (const auto& d : sug["litigation"]) {
        std::string ev;
        for (const auto& e : d.value("evidence", json::array())) ev += (ev.empty() ? "" : "、") + e.get<std::string>();
        csv += quote(c.number) + "," + quote(Iso(c.created_at)) + "," + quote(c.category_code) + "," +
               quote(d.value("domain", "")) + "," + quote(d.value("label", "")) + "," + quote(ev) + "," +
               (c.confidential ? "是" : "否") + "\r\n";
      }
    }
    if (format == "csv") {
      res.status = 200;
      res.set_header("Content-Disposition", "attachment; filename=\"litigation-clues.csv\"");
      res.set_content("\xEF\xBB\xBF" + csv, "text/csv; charset=utf-8");
      return;
    }
    SendJson(res, 200, {{"from", Iso(from)}, {"to", Iso(to)}, {"items", items}, {"total", items.size()}});
  }));
  Get("/api/v1/models", "/api/v1/models", Authed([this](const Actor& a, const Req&, Res& res) {
    if (a.role != Role::kAdmin && a.role != Role::kSupervisor && a.role != Role::kDispatcher) {
      return SendError(res, PermissionDenied("models are for administrators, supervisors and dispatchers"));
    }
    SendJson(res, 200, {{"models", svc->CurrentAssistant()->Info()}});
  }));
  // 坐席测算: the last weeks' contacts by hour of the week and the seats each hour needs.
  Get("/api/v1/stats/staffing", "/api/v1/stats/staffing", Authed([this](const Actor& a, const Req& req, Res& res) {
    int weeks = 4;
    contact::StaffingTarget t;
    Status st = OnlyParams(req, {"weeks", "min_agents", "aht", "answer_within", "service_level", "max_occupancy",
                                 "shrinkage", "patience", "max_abandon", "channel"},
                           "seat planning");
    if (st.ok()) st = IntParam(req, "weeks", &weeks);
    if (st.ok()) st = IntParam(req, "min_agents", &t.min_agents);
    for (auto [name, field] : {std::pair<const char*, double*>{"aht", &t.aht_s}, {"answer_within", &t.answer_within_s},
                               {"service_level", &t.service_level}, {"max_occupancy", &t.max_occupancy},
                               {"shrinkage", &t.shrinkage}, {"patience", &t.patience_s},
                               {"max_abandon", &t.max_abandon}}) {
      if (st.ok()) st = NumberParam(req, name, field);
    }
    if (!st.ok()) return SendError(res, st);
    std::vector<std::string> channels;
    if (const std::string v = req.get_param_value("channel"); !v.empty()) {
      for (size_t at = 0; at <= v.size();) {
        const size_t comma = std::min(v.find(',', at), v.size());
        channels.push_back(v.substr(at, comma - at));
        at = comma + 1;
      }
    }
    auto out = svc->Staffing(a, weeks, channels, t);
    if (!out.ok()) return SendError(res, out.status());
    SendJson(res, 200, *out);
  }));
  // Dispatch accuracy: the share of centre dispatches not returned (退单), overall and when
  // the proposed unit was followed.
  Get("/api/v1/stats/dispatch", "/api/v1/stats/dispatch", Authed([this](const Actor& a, const Req& req, Res& res) {
    TimeMs from = 0, to = 0;
    if (Status st = OnlyParams(req, {"from", "to"}, "dispatch statistics"); !st.ok()) return SendError(res, st);
    if (Status st = PeriodParams(req, svc->clock()->NowMs(), &from, &to); !st.ok()) return SendError(res, st);
    auto s = svc->DispatchStats(a, from, to);
    if (!s.ok()) return SendError(res, s.status());
    auto rate = [](int64_t n, int64_t d) { return d ? json(static_cast<double>(n) / static_cast<double>(d)) : json(nullptr); };
    SendJson(res, 200, {{"from", Iso(from)}, {"to", Iso(to)}, {"dispatches", s->dispatches}, {"returned", s->returned},
                        {"dispatch_accuracy", rate(s->dispatches - s->returned, s->dispatches)},
                        {"with_suggestion", s->with_suggestion}, {"followed", s->followed},
                        {"followed_rate", rate(s->followed, s->with_suggestion)},
                        {"followed_accuracy", rate(s->followed - s->followed_returned, s->followed)}});
  }));
}

void ApiServer::Impl::OrgRoutes() {
  Get("/api/v1/units", "/api/v1/units", Authed([this](const Actor&, const Req& req, Res& res) {
    if (Status st = OnlyParams(req, {"cursor", "page_size"}, "the unit list"); !st.ok()) return SendError(res, st);
    auto page = KeyedPageJson(svc->Org()->units(), &UnitJson, [](const Unit& u) { return u.id; }, req);
    if (!page.ok()) return SendError(res, page.status());
    SendJson(res, 200, *page);
  }));
  Post("/api/v1/units", "/api/v1/units", AdminOnly([this](const Actor& a, const Req& req, Res& res) {
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return SendError(res, body.status());
    Unit u;
    std::string kind;
    // A misspelt field (phon, aera_id) is refused by name, as the edit form's are: dropped, the
    // unit would be made without it and the answer would still be 201.
    Status st = RefuseUnknownFields(*body, "", {"name", "kind", "parent_id", "area_id", "phone"});
    if (st.ok()) st = StrField(*body, "name", true, 200, &u.name);
    if (st.ok()) st = StrField(*body, "kind", true, 32, &kind);
    if (st.ok() && !ParseUnitKind(kind)) {
      st = InvalidArgument("kind", "must be city_center, district_center, sub_center, department, street, community or utility");
    }
    if (st.ok()) st = IdField(*body, "parent_id", false, &u.parent_id);
    if (st.ok()) st = IdField(*body, "area_id", false, &u.area_id);
    if (st.ok()) st = StrField(*body, "phone", false, 40, &u.phone);
    if (!st.ok()) return SendError(res, st);
    u.kind = *ParseUnitKind(kind);
    auto r = svc->CreateUnit(a, u);
    if (!r.ok()) return SendError(res, r.status());
    SendJson(res, 201, UnitJson(*r));
  }));
  // An administrator renames a unit, changes its phone, or makes it (in)active.
  Patch(R"(/api/v1/units/(\d+))", "/api/v1/units/{id}", AdminOnly([this](const Actor& a, const Req& req, Res& res) {
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return SendError(res, body.status());
    Service::UnitChange change;
    Status st = PatchFields(*body, {"name", "phone", "active"});
    if (st.ok()) st = OptStrField(*body, "name", true, 200, &change.name);
    if (st.ok()) st = OptStrField(*body, "phone", false, 40, &change.phone);
    if (st.ok()) st = OptBoolField(*body, "active", &change.active);
    if (!st.ok()) return SendError(res, st);
    auto r = svc->UpdateUnit(a, ParseId(req.matches[1]).value_or(0), change);
    if (!r.ok()) return SendError(res, r.status());
    SendJson(res, 200, UnitJson(*r));
  }));
  Get("/api/v1/areas", "/api/v1/areas", Authed([this](const Actor&, const Req& req, Res& res) {
    if (Status st = OnlyParams(req, {"resolve", "cursor", "page_size"}, "the area list"); !st.ok()) return SendError(res, st);
    auto org = svc->Org();
    if (req.has_param("resolve")) {
      const Id id = org->ResolveArea(req.get_param_value("resolve"));
      const Area* a = org->FindArea(id);
      return SendJson(res, 200, {{"area", a ? AreaJson(*a) : json(nullptr)}});
    }
    auto page = KeyedPageJson(org->areas(), &AreaJson, [](const Area& a) { return a.id; }, req);
    if (!page.ok()) return SendError(res, page.status());
    SendJson(res, 200, *page);
  }));
  Post("/api/v1/areas", "/api/v1/areas", AdminOnly([this](const Actor& a, const Req& req, Res& res) {
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return SendError(res, body.status());
    Area area;
    std::string kind;
    Status st = RefuseUnknownFields(*body, "", {"name", "kind", "parent_id", "aliases"});
    if (st.ok()) st = StrField(*body, "name", true, 200, &area.name);
    if (st.ok()) st = StrField(*body, "kind", true, 32, &kind);
    if (st.ok() && !ParseAreaKind(kind)) st = InvalidArgument("kind", "must be district, street or community");
    if (st.ok()) st = IdField(*body, "parent_id", false, &area.parent_id);
    if (st.ok() && body->contains("aliases")) st = AliasesField(*body, &area.aliases);
    if (!st.ok()) return SendError(res, st);
    area.kind = *ParseAreaKind(kind);
    auto r = svc->CreateArea(a, area);
    if (!r.ok()) return SendError(res, r.status());
    SendJson(res, 201, AreaJson(*r));
  }));
  // An administrator renames an area or replaces the names addresses call it by (aliases).
  Patch(R"(/api/v1/areas/(\d+))", "/api/v1/areas/{id}", AdminOnly([this](const Actor& a, const Req& req, Res& res) {
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return SendError(res, body.status());
    Service::AreaChange change;
    Status st = PatchFields(*body, {"name", "aliases"});
    if (st.ok()) st = OptStrField(*body, "name", true, 200, &change.name);
    if (st.ok() && body->contains("aliases")) st = AliasesField(*body, &change.aliases.emplace());
    if (!st.ok()) return SendError(res, st);
    auto r = svc->UpdateArea(a, ParseId(req.matches[1]).value_or(0), change);
    if (!r.ok()) return SendError(res, r.status());
    SendJson(res, 200, AreaJson(*r));
  }));
  Get("/api/v1/dispatch-rules", "/api/v1/dispatch-rules", Authed([this](const Actor&, const Req& req, Res& res) {
    if (Status st = OnlyParams(req, {"category", "address", "area_id", "cursor", "page_size"}, "the dispatch directory"); !st.ok()) {
      return SendError(res, st);
    }
    auto org = svc->Org();
    if (req.has_param("category") || req.has_param("address") || req.has_param("area_id")) {
      // The tester answers for a category the taxonomy has (as search and dispatch do): a
      // mistyped one would be answered by the catch-all rule, which says nothing about it.
      if (const std::string cat = req.get_param_value("category"); !cat.empty()) {
        if (auto known = svc->CheckCategory("category", cat, true); !known.ok()) return SendError(res, known.status());
      }
      Id area = 0;
      if (auto st = IdParam(req, "area_id", &area, "must be an area id"); !st.ok()) return SendError(res, st);
      if (area != 0 && !org->FindArea(area)) return SendError(res, InvalidArgument("area_id", "no area with id " + IdToString(area)));
      if (area == 0) area = org->ResolveArea(req.get_param_value("address"));
      auto r = org->MatchRule(req.get_param_value("category"), area);
      json rule = r ? RuleJson(*r) : json(nullptr);
      if (r) {
        // Named, for a dispatcher whose own unit list does not hold them (a district centre's
        // rule names the centre itself, or a city department).
        rule["lead_unit_name"] = UnitName(*org, r->lead_unit_id);
        json names = json::array();
        for (Id id : r->assisting_unit_ids) names.push_back(UnitName(*org, id));
        rule["assisting_unit_names"] = std::move(names);
      }
      return SendJson(res, 200, {{"area_id", area ? json(IdToString(area)) : json(nullptr)}, {"rule", std::move(rule)}});
    }
    auto page = KeyedPageJson(org->rules(), &RuleJson, [](const DispatchRule& r) { return r.id; }, req);
    if (!page.ok()) return SendError(res, page.status());
    SendJson(res, 200, *page);
  }));
  // A rule's body, as POST and PUT take it.
  // A rule's body, as POST and PUT take it: PUT replaces the whole rule, so it names the
  // category and area too (empty or null for all), lest a forgotten field widen the rule.
  const auto rule_body = [this](const Req& req, DispatchRule* r, bool whole) -> Status {
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return body.status();
    for (const char* f : {"category_prefix", "area_id"}) {
      if (whole && !body->contains(f)) return InvalidArgument(f, "is required (empty or null for all)");
    }
    Status st = PatchFields(*body, {"category_prefix", "area_id", "lead_unit_id", "assisting_unit_ids", "priority"});
    if (st.ok()) st = StrField(*body, "category_prefix", false, 32, &r->category_prefix);
    if (st.ok()) st = IdField(*body, "area_id", false, &r->area_id);
    if (st.ok()) st = IdField(*body, "lead_unit_id", true, &r->lead_unit_id);
    if (st.ok()) st = IdListField(*body, "assisting_unit_ids", &r->assisting_unit_ids);
    if (st.ok() && body->contains("priority")) {
      const json& p = (*body)["priority"];
      const bool in_range = p.is_number_unsigned() ? p.get<uint64_t>() <= 1000000
                            : p.is_number_integer() && p.get<int64_t>() >= -1000000 && p.get<int64_t>() <= 1000000;
      if (!in_range) return InvalidArgument("priority", "must be an integer from -1,000,000 to 1,000,000");
      r->priority = p.get<int>();
    }
    if (!st.ok()) return st;
    std::vector<Id> seen;
    for (Id u : r->assisting_unit_ids) {
      if (u == r->lead_unit_id) return InvalidArgument("assisting_unit_ids", "lists the lead unit");
      if (std::find(seen.begin(), seen.end(), u) != seen.end()) return InvalidArgument("assisting_unit_ids", "lists a unit twice");
      seen.push_back(u);
    }
    return Status::Ok();
  };
  Post("/api/v1/dispatch-rules", "/api/v1/dispatch-rules", AdminOnly([this, rule_body](const Actor& a, const Req& req, Res& res) {
    DispatchRule r;
    if (Status st = rule_body(req, &r, false); !st.ok()) return SendError(res, st);
    auto out = svc->CreateDispatchRule(a, r);
    if (!out.ok()) return SendError(res, out.status());
    SendJson(res, 201, RuleJson(*out));
  }));
  // An administrator changes a rule (the whole rule, as on creation).
  Put(R"(/api/v1/dispatch-rules/(\d+))", "/api/v1/dispatch-rules/{id}",
      AdminOnly([this, rule_body](const Actor& a, const Req& req, Res& res) {
    DispatchRule r;
    if (Status st = rule_body(req, &r, true); !st.ok()) return SendError(res, st);
    r.id = ParseId(req.matches[1]).value_or(0);
    auto out = svc->ReplaceDispatchRule(a, r);
    if (!out.ok()) return SendError(res, out.status());
    SendJson(res, 200, RuleJson(*out));
  }));
  Delete(R"(/api/v1/dispatch-rules/(\d+))", "/api/v1/dispatch-rules/{id}",
         AdminOnly([this](const Actor& a, const Req& req, Res& res) {
    Status st = svc->DeleteDispatchRule(a, ParseId(req.matches[1]).value_or(0));
    if (!st.ok()) return SendError(res, st);
    SendJson(res, 200, {{"ok", true}});
  }));
  Get("/api/v1/categories", "/api/v1/categories", Authed([this](const Actor&, const Req& req, Res& res) {
    int version = 0;
    if (req.has_param("version")) {
      version = static_cast<int>(ParseId(req.get_param_value("version")).value_or(0));
      if (version == 0) return SendError(res, InvalidArgument("version", "must be a positive integer"));
    } else {
      auto v = svc->store()->CurrentTaxonomyVersion();
      if (!v.ok()) return SendError(res, v.status());
      version = *v;
    }
    auto cats = svc->store()->ListCategories(version);
    if (!cats.ok()) return SendError(res, cats.status());
    auto page = KeyedPageJson(std::move(*cats), &CategoryJson, [](const Category& c) -> const std::string& { return c.code; }, req);
    if (!page.ok()) return SendError(res, page.status());
    (*page)["version"] = version;
    SendJson(res, 200, *page);
  }));
  Post("/api/v1/categories", "/api/v1/categories", AdminOnly([this](const Actor& a, const Req& req, Res& res) {
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return SendError(res, body.status());
    Category c;
    Status st = RefuseUnknownFields(*body, "", {"code", "name", "parent_code"});
    if (st.ok()) st = StrField(*body, "code", true, 32, &c.code);
    if (st.ok()) st = StrField(*body, "name", true, 200, &c.name);
    if (st.ok()) st = StrField(*body, "parent_code", false, 32, &c.parent_code);
    if (!st.ok()) return SendError(res, st);
    auto v = svc->AddCategory(a, c);
    if (!v.ok()) return SendError(res, v.status());
    // As stored (its level comes from its parent).
    if (auto cats = svc->store()->ListCategories(*v); cats.ok()) {
      for (const auto& stored : *cats) {
        if (stored.code == c.code) c = stored;
      }
    }
    json out = CategoryJson(c);
    out["version"] = *v;
    SendJson(res, 201, out);
  }));
  // An administrator renames or retires a category: a new taxonomy version.
  Patch(R"(/api/v1/categories/([A-Za-z0-9_.-]{1,32}))", "/api/v1/categories/{code}",
        AdminOnly([this](const Actor& a, const Req& req, Res& res) {
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return SendError(res, body.status());
    Service::CategoryChange change;
    Status st = PatchFields(*body, {"name", "active"});
    if (st.ok()) st = OptStrField(*body, "name", true, 200, &change.name);
    if (st.ok()) st = OptBoolField(*body, "active", &change.active);
    if (!st.ok()) return SendError(res, st);
    auto r = svc->UpdateCategory(a, req.matches[1].str(), change);
    if (!r.ok()) return SendError(res, r.status());
    json out = CategoryJson(r->first);
    out["version"] = r->second;
    SendJson(res, 200, out);
  }));
  // The staff roster, filtered and paged on the server (a city has thousands of staff):
  // q (part of the username or name), role, unit_id; keyset by id (cursor, page_size ≤ 200).
  Get("/api/v1/users", "/api/v1/users", Authed([this](const Actor& a, const Req& req, Res& res) {
    if (a.role != Role::kAdmin) return SendError(res, PermissionDenied("only an administrator may list users"));
    if (Status st = OnlyParams(req, {"q", "role", "unit_id", "cursor", "page_size"}, "the user list"); !st.ok()) {
      return SendError(res, st);
    }
    const std::string q = Trim(req.get_param_value("q")), role = req.get_param_value("role");
    if (q.size() > 100) return SendError(res, InvalidArgument("q", "at most 100 bytes"));
    if (!role.empty() && !ParseRole(role)) return SendError(res, InvalidArgument("role", "no role named '" + role + "'"));
    const Id unit = ParseId(req.get_param_value("unit_id")).value_or(0);
    if (req.has_param("unit_id") && unit == 0) return SendError(res, InvalidArgument("unit_id", "must be a unit id"));
    auto users = svc->store()->ListUsers();
    if (!users.ok()) return SendError(res, users.status());
    std::vector<User> matched;
    for (auto& u : *users) {
      if (!role.empty() && RoleName(u.role) != role) continue;
      if (unit != 0 && u.unit_id != unit) continue;
      if (!q.empty() && u.username.find(q) == std::string::npos && u.display_name.find(q) == std::string::npos) continue;
      matched.push_back(std::move(u));
    }
    auto page = KeyedPageJson(std::move(matched), &UserJson, [](const User& u) { return u.id; }, req, 50, 200);
    if (!page.ok()) return SendError(res, page.status());
    SendJson(res, 200, *page);
  }));
  Post("/api/v1/users", "/api/v1/users", AdminOnly([this](const Actor& a, const Req& req, Res& res) {
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return SendError(res, body.status());
    User u;
    std::string role, password;
    Status st = RefuseUnknownFields(*body, "", {"username", "password", "role", "unit_id", "display_name"});
    if (st.ok()) st = StrField(*body, "username", true, 64, &u.username);
    if (st.ok()) st = StrField(*body, "password", true, 200, &password);
    if (st.ok()) st = StrField(*body, "role", true, 32, &role);
    if (st.ok() && !ParseRole(role)) {
      st = InvalidArgument("role", "must be admin, agent, dispatcher, unit_handler, reviewer, callback_agent, "
                                   "supervisor, qa_inspector or analyst");
    }
    if (st.ok()) st = IdField(*body, "unit_id", true, &u.unit_id);
    if (st.ok()) st = StrField(*body, "display_name", false, 100, &u.display_name);
    if (!st.ok()) return SendError(res, st);
    u.role = *ParseRole(role);
    auto out = svc->CreateUser(a, u, password);
    if (!out.ok()) return SendError(res, out.status());
    SendJson(res, 201, UserJson(*out));
  }));
  // An administrator disables or re-enables an account, sets a new password, or moves a
  // user to another role or unit; all but a new display name end the user's sessions.
  Patch(R"(/api/v1/users/(\d+))", "/api/v1/users/{id}", AdminOnly([this](const Actor& a, const Req& req, Res& res) {
    auto body = BodyObject(req, opts.max_json_bytes);
    if (!body.ok()) return SendError(res, body.status());
    Service::UserChange change;
    std::optional<std::string> role;
    Status st = PatchFields(*body, {"display_name", "password", "role", "unit_id", "active"});
    if (st.ok()) st = OptStrField(*body, "display_name", false, 100, &change.display_name);
    if (st.ok()) st = OptStrField(*body, "password", true, 200, &change.password);
    if (st.ok()) st = OptStrField(*body, "role", true, 32, &role);
    if (st.ok() && role) {
      change.role = ParseRole(*role);
      if (!change.role) st = InvalidArgument("role", "no role named '" + *role + "'");
    }
    if (st.ok() && body->contains("unit_id")) {
      Id unit = 0;
      st = IdField(*body, "unit_id", true, &unit);
      change.unit_id = unit;
    }
    if (st.ok()) st = OptBoolField(*body, "active", &change.active);
    if (!st.ok()) return SendError(res, st);
    auto r = svc->UpdateUser(a, ParseId(req.matches[1]).value_or(0), change);
    if (!r.ok()) return SendError(res, r.status());
    SendJson(res, 200, UserJson(*r));
  }));
  Get("/api/v1/audit", "/api/v1/audit", Authed([this](const Actor& a, const Req& req, Res& res) {
    if (a.role != Role::kAdmin && a.role != Role::kSupervisor) {
      return SendError(res, PermissionDenied("only administrators and supervisors read the audit log"));
    }
    if (Status st = OnlyParams(req, {"cursor", "page_size"}, "the audit log"); !st.ok()) return SendError(res, st);
    Id after = 0;
    int64_t page_size = 100;
    if (auto st = IdParam(req, "cursor", &after, "must be a cursor from next_cursor"); !st.ok()) return SendError(res, st);
    if (auto st = PageSizeParam(req, 200, &page_size); !st.ok()) return SendError(res, st);
    const int limit = static_cast<int>(page_size);
    // A district centre's supervisor reads what its own staff did, as every other read of
    // theirs is scoped to the district; the city's (and admins) read everything.
    auto org = svc->Org();
    auto scope = svc->CentreScope(a, *org);
    if (!scope.ok()) return SendError(res, scope.status());
    std::optional<std::vector<Id>> users;
    if (!scope->empty()) {
      const std::set<Id> units(scope->begin(), scope->end());
      auto all = svc->store()->ListUsers();
      if (!all.ok()) return SendError(res, all.status());
      users.emplace();
      for (const auto& u : *all) if (units.count(u.unit_id)) users->push_back(u.id);
    }
    auto entries = svc->store()->ListAudit(limit + 1, after, users);
    if (!entries.ok()) return SendError(res, entries.status());
    auto total = svc->store()->AuditCount(users);
    if (!total.ok()) return SendError(res, total.status());
    const bool more = static_cast<int>(entries->size()) > limit;
    if (more) entries->pop_back();
    json items = json::array();
    const auto names = StaffNames();
    for (const auto& e : *entries) {
      json item = {{"id", IdToString(e.id)}, {"at", Iso(e.at)}, {"user_id", IdOrNull(e.user_id)},
                   {"action", e.action}, {"target", e.target}, {"detail", e.detail}};
      if (auto it = names.find(e.user_id); it != names.end()) item["user_name"] = it->second;
      items.push_back(std::move(item));
    }
    SendJson(res, 200, {{"items", items}, {"total", *total},
                        {"next_cursor", more ? json(IdToString(entries->back().id)) : json(nullptr)}});
  }));
}

namespace {

Result<TicketQuery> ParseQuery(const Req& req, std::string* phone) {
  RETURN_IF_ERROR(OnlyParams(req, {"status", "unit_id", "area_id", "cursor", "open", "assignment_state", "closing_kind",
                                    "min_returns", "awaiting", "overdue", "warning", "due_before", "category", "q",
                                    "phone", "urgency", "channel", "page_size", "order", "returned_to"},
                             "the ticket list"));
  TicketQuery q;
  if (const std::string order = req.get_param_value("order"); !order.empty() && order != "newest") {
    if (order != "oldest") return InvalidArgument("order", "must be newest or oldest");
    q.oldest_first = true;
  }
  if (req.has_param("status") && !req.get_param_value("status").empty()) {
    q.status = ParseTicketStatus(req.get_param_value("status"));
    if (!q.status) return InvalidArgument("status", "unknown status '" + req.get_param_value("status") + "'");
  }
  RETURN_IF_ERROR(IdParam(req, "unit_id", &q.unit_id));
  RETURN_IF_ERROR(IdParam(req, "area_id", &q.area_id));
  RETURN_IF_ERROR(IdParam(req, "cursor", &q.cursor));
  RETURN_IF_ERROR(BoolParam(req, "open", &q.unit_open_only));
  if (req.has_param("open") && !q.unit_id) return InvalidArgument("open", "needs unit_id (a unit's live orders)");
  q.assignment_state = req.get_param_value("assignment_state");
  if (!q.assignment_state.empty()) {
    if (q.assignment_state != "pending" && q.assignment_state != "accepted") {
      return InvalidArgument("assignment_state", "must be pending or accepted");
    }
    if (!q.unit_id) return InvalidArgument("assignment_state", "needs unit_id");
  }
  q.closing_kind = req.get_param_value("closing_kind");
  if (!q.closing_kind.empty() && q.closing_kind != "direct_answer" && q.closing_kind != "resolved" &&
      q.closing_kind != "unsatisfied" && q.closing_kind != "unreachable" && q.closing_kind != "refused") {
    return InvalidArgument("closing_kind", "must be direct_answer, resolved, unsatisfied, unreachable or refused");
  }
  if (req.has_param("min_returns")) {
    auto n = ParseId(req.get_param_value("min_returns"));
    if (!n || *n > 100) return InvalidArgument("min_returns", "must be 1 to 100");
    q.min_returns = static_cast<int>(*n);
  }
  if (const std::string to = req.get_param_value("returned_to"); !to.empty()) {
    if (to != "mine") return InvalidArgument("returned_to", "must be mine (the orders returned to your centre)");
    q.returned_to_mine = true;
  }
  q.awaiting = req.get_param_value("awaiting");
  if (!q.awaiting.empty() && q.awaiting != "extension" && q.awaiting != "suspension" && q.awaiting != "any") {
    return InvalidArgument("awaiting", "must be extension, suspension or any");
  }
  q.urgency = req.get_param_value("urgency");
  if (!q.urgency.empty() && !IsValidUrgency(q.urgency)) return InvalidArgument("urgency", "must be normal, urgent or emergency");
  q.channel = req.get_param_value("channel");
  if (!q.channel.empty() && !IsValidChannel(q.channel)) return InvalidArgument("channel", "unknown channel '" + q.channel + "'");
  RETURN_IF_ERROR(BoolParam(req, "overdue", &q.overdue));
  q.warning = req.get_param_value("warning");
  if (!q.warning.empty() && q.warning != "yellow" && q.warning != "red") {
    return InvalidArgument("warning", "must be yellow or red");
  }
  if (const std::string due = req.get_param_value("due_before"); !due.empty()) {
    auto at = ParseIso(due);
    if (!at) return InvalidArgument("due_before", "expected ISO 8601, e.g. 2026-11-30T18:00:00+08:00");
    q.due_before = *at;
  }
  q.category_prefix = req.get_param_value("category");
  if (q.category_prefix.size() > 32) return InvalidArgument("category", "too long");
  q.q = Trim(req.get_param_value("q"));
  if (q.q.size() > 200 || !IsValidUtf8(q.q)) return InvalidArgument("q", "must be UTF-8 text of at most 200 bytes");
  *phone = req.get_param_value("phone");
  if (phone->size() > 40) return InvalidArgument("phone", "too long");
  int64_t page_size = q.page_size;
  RETURN_IF_ERROR(PageSizeParam(req, 100, &page_size));  // hard maximum
  q.page_size = static_cast<int>(page_size);
  return q;
}

// The type an attachment is served as: what its first bytes show it to be, among the types
// no browser runs (a photo, a recording, a PDF), or plain text when it was sent as such and
// reads as text; anything else, HTML or script above all, whatever the upload said, is
// served as bytes to save. The uploader's word alone decides nothing.
std::string ServedAttachmentType(const std::string& uploaded, std::string_view bytes) {
  const auto starts = [&](std::string_view magic, size_t at = 0) { return bytes.substr(std::min(at, bytes.size())).starts_with(magic); };
  const auto byte = [&](size_t at) { return at < bytes.size() ? static_cast<unsigned char>(bytes[at]) : 0; };
  if (starts("\x89PNG\r\n\x1a\n")) return "image/png";
  if (starts("\xFF\xD8\xFF")) return "image/jpeg";
  if (starts("GIF87a") || starts("GIF89a")) return "image/gif";
  if (starts("RIFF") && starts("WEBP", 8)) return "image/webp";
  if (starts("RIFF") && starts("WAVE", 8)) return "audio/wav";
  // BM, a zero reserved field and a known DIB header size: text opening with BMW is text.
  if (starts("BM") && bytes.size() >= 26 && !byte(6) && !byte(7) && !byte(8) && !byte(9) && !byte(15) && !byte(16) &&
      !byte(17) && (byte(14) == 12 || byte(14) == 40 || byte(14) == 52 || byte(14) == 56 || byte(14) == 108 || byte(14) == 124)) {
    return "image/bmp";
  }
  if (starts("%PDF-")) return "application/pdf";
  if (starts("#!AMR")) return "audio/amr";
  if (starts("ID3")) return "audio/mpeg";
  if (byte(0) == 0xFF && (byte(1) & 0xE0) == 0xE0) {
    // A frame sync: layer 00 is AAC's ADTS, the other layers MPEG audio (MP3), version 01 reserved.
    if ((byte(1) & 0x06) == 0) return "audio/aac";
    if ((byte(1) & 0x18) != 0x08) return "audio/mpeg";
  }
  if (starts("ftyp", 4)) {
    // ISO media by its brand: a phone's HEIC/AVIF photo, an M4A recording, an MP4 or MOV video.
    const std::string_view brand = bytes.substr(std::min<size_t>(8, bytes.size()), 4);
    if (brand == "heic" || brand == "heix" || brand == "mif1" || brand == "msf1") return "image/heic";
    if (brand == "avif") return "image/avif";
    if (brand == "M4A " || brand == "M4B ") return "audio/mp4";
    if (brand == "qt  ") return "video/quicktime";
    if (brand == "isom" || brand == "iso2" || brand == "mp41" || brand == "mp42" || brand == "avc1" || brand == "M4V " ||
        brand.starts_with("3gp") || brand.starts_with("3g2")) {
      return "video/mp4";
    }
  }
  const std::string type = AsciiLower(Trim(uploaded.substr(0, uploaded.find(';'))));
  if (type == "text/plain" && IsValidUtf8(bytes)) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

void ApiServer::Impl::TicketRoutes() {
  Post("/api/v1/tickets", "/api/v1/tickets", Authed([this](const Actor& a, const Req& req, Res& res) {
    if (req.body.size() > opts.max_json_bytes) {
      return SendError(res, Status(Code::kTooLarge, "body: larger than 1 MiB", "body"));
    }
    auto in = ParseTicketInput(req.body);
    if (!in.ok()) return SendError(res, in.status());
    auto created = svc->CreateTicket(a, std::move(in).value(), req.get_header_value("Idempotency-Key"));
    if (!created.ok()) return SendError(res, created.status());
    if (created->replayed) res.set_header("Idempotent-Replayed", "true");
    json out = Ticket(created->ticket, a);
    out["query_code"] = created->ticket.query_code;  // the citizen is told this at intake
    SendJson(res, created->replayed ? 200 : 201, out);
  }));
  Get("/api/v1/tickets", "/api/v1/tickets", Authed([this](const Actor& a, const Req& req, Res& res) {
    std::string phone;
    auto q = ParseQuery(req, &phone);
    if (!q.ok()) return SendError(res, q.status());
    auto page = svc->ListTickets(a, std::move(q).value(), phone);
    if (!page.ok()) return SendError(res, page.status());
    json items = json::array();
    auto org = svc->Org();
    auto policy = svc->CurrentPolicy();
    const TimeMs now = svc->clock()->NowMs();
    for (const auto& t : page->items) items.push_back(TicketJson(t, *org, a, *policy, now, /*listed=*/true));
    SendJson(res, 200, {{"items", items}, {"total", page->total},
                        {"next_cursor", page->next_cursor ? json(IdToString(page->next_cursor)) : json(nullptr)}});
  }));
  Get(R"(/api/v1/tickets/(\d+))", "/api/v1/tickets/{id}", Authed([this](const Actor& a, const Req& req, Res& res) {
    auto t = svc->GetTicket(a, ParseId(req.matches[1]).value_or(0));
    if (!t.ok()) return SendError(res, t.status());
    json out = TicketWithActions(*t, a);
    const auto names = StaffNames();
    if (auto it = names.find(t->created_by); it != names.end()) out["created_by_name"] = it->second;
    auto citizen = svc->Citizen(a, *t, false);
    if (!citizen.ok()) return SendError(res, citizen.status());
    out["citizen"] = CitizenJson(*citizen);
    // Whether a reveal would show numbers written in the words (the 查看完整信息 button).
    auto written = svc->WrittenNumbers(a, *t);
    if (!written.ok()) return SendError(res, written.status());
    out["citizen"]["words_revealable"] = !written->empty();
    res.set_header("ETag", "\"" + std::to_string(t->version) + "\"");  // for If-Match on the next action
    SendJson(res, 200, out);
  }));
  Post(R"(/api/v1/tickets/(\d+)/reveal)", "/api/v1/tickets/{id}/reveal",
       Authed([this](const Actor& a, const Req& req, Res& res) {
    auto t = svc->GetTicket(a, ParseId(req.matches[1]).value_or(0));
    if (!t.ok()) return SendError(res, t.status());
    auto citizen = svc->Citizen(a, *t, true);
    if (!citizen.ok()) return SendError(res, citizen.status());
    SendJson(res, 200, CitizenJson(*citizen));
  }));
  Get(R"(/api/v1/tickets/(\d+)/events)", "/api/v1/tickets/{id}/events",
      Authed([this](const Actor& a, const Req& req, Res& res) {
    const Id id = ParseId(req.matches[1]).value_or(0);
    auto events = svc->Events(a, id);
    if (!events.ok()) return SendError(res, events.status());
    auto t = svc->GetTicket(a, id);
    if (!t.ok()) return SendError(res, t.status());
    const auto names = StaffNames();
    json items = json::array();
    for (const auto& e : *events) {
      json j = EventJson(e);
      // A contact's words are the citizen's; an answer, a note, a comment or a reason may
      // quote them.
      for (const char* key : {"content", "comment", "note", "reason"}) {
        if (auto c = j["data"].find(key); c != j["data"].end() && c->is_string()) {
          *c = WordsFor(*t, a, c->get<std::string>(), e.type == "contact_added" && key == std::string_view("content"));
        }
      }
      if (auto it = names.find(e.actor_user_id); it != names.end()) j["actor_name"] = it->second;
      items.push_back(std::move(j));
    }
    SendJson(res, 200, Listed(std::move(items)));
  }));
  Post(R"(/api/v1/tickets/(\d+)/contacts)", "/api/v1/tickets/{id}/contacts",
       Authed([this](const Actor& a, const Req& req, Res& res) {
    if (req.body.size() > opts.max_json_bytes) return SendError(res, Status(Code::kTooLarge, "body: too large", "body"));
    auto in = ParseContactInput(req.body);
    if (!in.ok()) return SendError(res, in.status());
    bool replayed = false;
    auto c = svc->AddContact(a, ParseId(req.matches[1]).value_or(0), std::move(in).value(),
                             req.get_header_value("Idempotency-Key"), &replayed);
    if (!c.ok()) return SendError(res, c.status());
    if (replayed) res.set_header("Idempotent-Replayed", "true");
    auto t = svc->GetTicket(a, c->ticket_id);
    if (!t.ok()) return SendError(res, t.status());
    auto out = ContactWithCaller(a, *t, *c);
    if (!out.ok()) return SendError(res, out.status());
    (*out)["ticket_id"] = IdToString(c->ticket_id);  // the request being handled, for one merged into it
    SendJson(res, replayed ? 200 : 201, *out);
  }));
  Get(R"(/api/v1/tickets/(\d+)/contacts)", "/api/v1/tickets/{id}/contacts",
      Authed([this](const Actor& a, const Req& req, Res& res) {
    const Id id = ParseId(req.matches[1]).value_or(0);
    auto cs = svc->Contacts(a, id);
    if (!cs.ok()) return SendError(res, cs.status());
    auto t = svc->GetTicket(a, id);
    if (!t.ok()) return SendError(res, t.status());
    json items = json::array();
    for (const auto& c : *cs) {
      auto out = ContactWithCaller(a, *t, c);
      if (!out.ok()) return SendError(res, out.status());
      items.push_back(std::move(out).value());
    }
    SendJson(res, 200, Listed(std::move(items)));
  }));
  Post(R"(/api/v1/tickets/(\d+)/attachments)", "/api/v1/tickets/{id}/attachments",
       Authed([this](const Actor& a, const Req& req, Res& res) {
    // A misspelt ?nmae= would store the file nameless; refused by name instead. Only the URL's
    // parameters: httplib also reads a body sent as a form (curl's default) into params.
    httplib::Request query;
    if (const size_t at = req.target.find('?'); at != std::string::npos) {
      httplib::detail::parse_query_text(req.target.substr(at + 1), query.params);
    }
    if (Status st = OnlyParams(query, {"name"}, "an upload"); !st.ok()) return SendError(res, st);
    auto att = svc->AddAttachment(a, ParseId(req.matches[1]).value_or(0), req.get_param_value("name"),
                                  req.get_header_value("Content-Type"), req.body);
    if (!att.ok()) return SendError(res, att.status());
    SendJson(res, 201, AttachmentJson(*att));
  }));
  Get(R"(/api/v1/tickets/(\d+)/attachments)", "/api/v1/tickets/{id}/attachments",
      Authed([this](const Actor& a, const Req& req, Res& res) {
    auto t = svc->GetTicket(a, ParseId(req.matches[1]).value_or(0));
    if (!t.ok()) return SendError(res, t.status());
    auto list = svc->store()->ListAttachments(t->id);
    if (!list.ok()) return SendError(res, list.status());
    SendJson(res, 200, ListJson(*list, &AttachmentJson));
  }));
  Get(R"(/api/v1/attachments/(\d+))", "/api/v1/attachments/{id}", Authed([this](const Actor& a, const Req& req, Res& res) {
    auto att = svc->GetAttachment(a, ParseId(req.matches[1]).value_or(0));
    if (!att.ok()) return SendError(res, att.status());
    res.set_header("Content-Disposition", "attachment; filename*=UTF-8''" + httplib::detail::encode_query_param(att->first.name));
    res.set_content(att->second, ServedAttachmentType(att->first.mime, att->second));
  }));
  Post(R"(/api/v1/tickets/(\d+)/actions/([a-z_]+))", "/api/v1/tickets/{id}/actions/{action}",
       Authed([this](const Actor& a, const Req& req, Res& res) {
    auto type = ParseCommandType(req.matches[2].str());
    if (type && IsSystemCommand(*type)) type.reset();
    if (!type) return SendError(res, NotFound("no action named '" + req.matches[2].str() + "'"));
    if (req.body.size() > opts.max_json_bytes) return SendError(res, Status(Code::kTooLarge, "body: too large", "body"));
    if (!IsValidUtf8(req.body)) return SendError(res, InvalidArgument("body", "is not valid UTF-8"));
    auto cmd = ParseCommand(*type, req.body);
    if (!cmd.ok()) return SendError(res, cmd.status());
    auto version = WriteVersion(req, cmd->expected_version);
    if (!version.ok()) return SendError(res, version.status());
    cmd->expected_version = *version;
    auto t = svc->Act(a, ParseId(req.matches[1]).value_or(0), *cmd);
    if (!t.ok()) return SendError(res, t.status());
    res.set_header("ETag", "\"" + std::to_string(t->version) + "\"");
    SendJson(res, 200, TicketWithActions(*t, a));
  }));
}

void ApiServer::Impl::PublicRoutes() {
  Get(R"(/api/v1/public/tickets/([0-9A-Za-z]{1,32}))", "/api/v1/public/tickets/{number}",
      [this](const Req& req, Res& res) {
    if (!public_lookup_limiter.Allow(ClientAddress(req), svc->clock()->NowMs())) {
      return SendTooMany(res, public_lookup_limiter, "too many look-ups from your address; slow down");
    }
    if (Status st = OnlyParams(req, {"code", "phone_last4"}, "a progress look-up"); !st.ok()) return SendError(res, st);
    if (Status st = OneProof(req.get_param_value("code"), req.get_param_value("phone_last4")); !st.ok()) {
      return SendError(res, st);
    }
    auto p = svc->PublicLookup(req.matches[1].str(), req.get_param_value("phone_last4"), req.get_param_value("code"));
    if (!p.ok()) return SendError(res, p.status());
    SendJson(res, 200, PublicProgressJson(*p, *svc->Org()));
  });
  // A citizen files a request: {content, phone, name?, address?, request_type?}.
  // A submission refused as invalid (400) costs nothing: a citizen correcting a field is not
  // slowed down; what reaches the store takes one of the address's submissions.
  Post("/api/v1/public/tickets", "/api/v1/public/tickets", [this](const Req& req, Res& res) {
    const std::string from = ClientAddress(req);
    if (!public_write_limiter.Allow(from, svc->clock()->NowMs())) {
      return SendTooMany(res, public_write_limiter, "too many submissions from your address; slow down");
    }
    const auto refused = [&](const Status& st) {
      if (st.code() == Code::kInvalidArgument) public_write_limiter.Refund(from);
      SendError(res, st);
    };
    auto body = BodyObject(req, 64 * 1024);
    if (!body.ok()) return refused(body.status());
    std::string content, phone, name, address, type = "consultation";
    Status st = RefuseUnknownFields(*body, "", {"content", "phone", "name", "address", "request_type"});
    if (st.ok()) st = StrField(*body, "content", true, 8000, &content);
    if (st.ok()) st = StrField(*body, "phone", true, 40, &phone);
    if (st.ok()) st = StrField(*body, "name", false, 100, &name);
    if (st.ok()) st = StrField(*body, "address", false, 500, &address);
    if (st.ok()) st = StrField(*body, "request_type", false, 32, &type);
    if (!st.ok()) return refused(st);
    json ticket = {{"channel", "web"}, {"request_type", type}, {"content", content}, {"address", address},
                   {"citizen", {{"phone", phone}}}};
    if (!name.empty()) ticket["citizen"]["name"] = name;
    auto in = ParseTicketInput(ticket.dump());
    if (!in.ok()) {
      // The portal's fields are flat: name citizen.phone as phone.
      const std::string& f = in.status().field();
      if (f.rfind("citizen.", 0) == 0) {
        const std::string flat = f.substr(8);
        std::string msg = in.status().message();
        if (msg.rfind(f + ": ", 0) == 0) msg = msg.substr(f.size() + 2);
        return refused(InvalidArgument(flat, msg));
      }
      return refused(in.status());
    }
    auto created = svc->PublicSubmit(std::move(in).value(), req.get_header_value("Idempotency-Key"));
    if (!created.ok()) return refused(created.status());
    const auto& t = created->ticket;
    json out = {{"number", t.number}, {"query_code", t.query_code}, {"status", TicketStatusName(t.Status())},
                {"status_label", PublicStatusLabel(t.Status())}};
    // Screened as an emergency (a gas smell, a fire): the citizen is told at once whom to call;
    // the centre has its alert.
    if (json s = json::parse(t.suggestions, nullptr, false); s.is_object() && s.contains("emergency") && s["emergency"].is_object()) {
      out["emergency"] = {{"transfer", s["emergency"].value("transfer", "")}};
    }
    if (created->replayed) res.set_header("Idempotent-Replayed", "true");
    SendJson(res, created->replayed ? 200 : 201, out);
  });
  // The citizen rates the answer: {phone_last4 | code, rating, comment?}.
  Post(R"(/api/v1/public/tickets/([0-9A-Za-z]{1,32})/rating)", "/api/v1/public/tickets/{number}/rating",
       [this](const Req& req, Res& res) {
    if (!public_write_limiter.Allow(ClientAddress(req), svc->clock()->NowMs())) {
      return SendTooMany(res, public_write_limiter, "too many requests from your address; slow down");
    }
    auto body = BodyObject(req, 16 * 1024);
    if (!body.ok()) return SendError(res, body.status());
    std::string last4, code, rating, comment;
    Status st = RefuseUnknownFields(*body, "", {"phone_last4", "code", "rating", "comment"});
    if (st.ok()) st = StrField(*body, "phone_last4", false, 4, &last4);
    if (st.ok()) st = StrField(*body, "code", false, 32, &code);
    if (st.ok()) st = OneProof(code, last4);
    if (st.ok()) st = StrField(*body, "rating", true, 32, &rating);
    if (st.ok()) st = StrField(*body, "comment", false, 2000, &comment);
    if (!st.ok()) return SendError(res, st);
    auto t = svc->PublicRate(req.matches[1].str(), last4, code, rating, comment, ClientAddress(req));
    if (!t.ok()) return SendError(res, t.status());
    SendJson(res, 200, {{"ok", true}, {"status", TicketStatusName(t->Status())},
                        {"status_label", PublicStatusLabel(t->Status())}});
  });
}

std::string ApiServer::Impl::MetricsText() {
  std::string out;
  out += "# HELP hotline_http_requests_total HTTP requests by route and status.\n"
         "# TYPE hotline_http_requests_total counter\n";
  std::map<std::string, RouteMetrics> snap;
  {
    std::lock_guard lock(metrics_mu);
    snap = metrics;
  }
  for (const auto& [route, m] : snap) {
    for (const auto& [status, n] : m.by_status) {
      out += "hotline_http_requests_total{route=\"" + route + "\",status=\"" + std::to_string(status) + "\"} " +
             std::to_string(n) + "\n";
    }
  }
  out += "# HELP hotline_http_request_duration_seconds Request latency by route.\n"
         "# TYPE hotline_http_request_duration_seconds histogram\n";
  for (const auto& [route, m] : snap) {
    uint64_t cum = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cum += m.buckets[i];
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBuckets[i]);
      out += "hotline_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"" + le + "\"} " +
             std::to_string(cum) + "\n";
    }
    out += "hotline_http_request_duration_seconds_bucket{route=\"" + route + "\",le=\"+Inf\"} " +
           std::to_string(m.count) + "\n";
    out += "hotline_http_request_duration_seconds_sum{route=\"" + route + "\"} " + std::to_string(m.sum_s) + "\n";
    out += "hotline_http_request_duration_seconds_count{route=\"" + route + "\"} " + std::to_string(m.count) + "\n";
  }
  out += "# HELP hotline_http_in_flight Requests being served.\n# TYPE hotline_http_in_flight gauge\n";
  out += "hotline_http_in_flight " + std::to_string(in_flight.load()) + "\n";
  out += "# HELP hotline_tickets Tickets by status.\n# TYPE hotline_tickets gauge\n";
  if (auto counts = svc->store()->CountByStatus(); counts.ok()) {
    for (const auto& [status, n] : *counts) {
      out += "hotline_tickets{status=\"" + status + "\"} " + std::to_string(n) + "\n";
    }
  }
  return out;
}

ApiServer::ApiServer(Service* service, ServerOptions opts) : impl_(std::make_unique<Impl>(service, std::move(opts))) {
  impl_->Routes();
}

ApiServer::~ApiServer() { Stop(); }

Result<int> ApiServer::Bind() {
  int port = impl_->opts.port;
  if (port == 0) {
    port = impl_->http.bind_to_any_port(impl_->opts.host);
    if (port < 0) return Status(Code::kUnavailable, "cannot bind " + impl_->opts.host);
  } else if (!impl_->http.bind_to_port(impl_->opts.host, port)) {
    return Status(Code::kUnavailable, "cannot listen on " + impl_->opts.host + ":" + std::to_string(port) +
                                          " (in use, or not an address of this machine)");
  }
  return port;
}

Status ApiServer::ListenAfterBind() {
  if (!impl_->http.listen_after_bind()) return Status(Code::kUnavailable, "the server stopped with an error");
  return Status::Ok();
}

Status ApiServer::Run() {
  RETURN_IF_ERROR(Bind().status());
  return ListenAfterBind();
}

void ApiServer::Stop() {
  if (impl_) impl_->http.stop();
}

}  // namespace hotline
