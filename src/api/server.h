// The HTTP API (/api/v1), /healthz and /metrics over cpp-httplib. Maps JSON to the
// service's use cases and Status codes to HTTP statuses; owns no business rules.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "service/service.h"

namespace hotline {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 64;
  size_t max_json_bytes = 1u << 20;        // 1 MiB for JSON bodies
  size_t max_upload_bytes = 5u << 20;      // attachments
  std::string web_root;                    // static files served at / when set
  // Reverse proxies (their addresses as they connect) whose X-Forwarded-For names the
  // client: the portal's rate limits then count per citizen, not per proxy.
  std::vector<std::string> trusted_proxies;
};

class ApiServer {
 public:
  ApiServer(Service* service, ServerOptions opts);
  ~ApiServer();
  // Binds and serves until Stop(); returns an error when the address cannot be bound.
  Status Run();
  // Binds to a free port when opts.port is 0; returns the port (for tests).
  Result<int> Bind();
  Status ListenAfterBind();
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses "127.0.0.1:8080" (or ":8080", or "8080").
Status ParseListen(const std::string& listen, std::string* host, int* port);

}  // namespace hotline
