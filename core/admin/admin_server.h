// AdminServer: the proxy's small HTTP/1.1 admin interface (/stats, /ready, /drain, ...), built on
// libevent's evhttp. Admin is not the data path, so the simplicity of evhttp wins over speed.
//
// Threading: everything here — construction, listen(), addHandler(), every handler call and the
// destructor — happens on the thread that runs `base` (the proxy's main thread). Handlers run
// inside the event loop, so they must answer quickly and never block.
//
// Routing is by exact path. "GET /" lists every endpoint with its help text; an unknown path gets
// 404 with the same list. Only GET and POST reach handlers (evhttp answers others with 501); a
// handler that changes state checks the method itself (Envoy makes /drain and /logging POST-only;
// ours accept POST, and /logging also GET so `curl host:port/logging?level=debug` works).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/common/status.h"

struct event_base;
struct evhttp;
struct evhttp_request;

namespace weft::stats {
class Store;
}

namespace weft::admin {

struct AdminResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// `method` is "GET" or "POST"; `path` excludes the query; `query` holds the decoded query
// parameters (the last value wins when a key repeats).
using AdminHandler = std::function<AdminResponse(std::string_view method, std::string_view path,
                                                 const std::map<std::string, std::string>& query)>;

class AdminServer {
 public:
  // `base` is borrowed and must outlive the server.
  explicit AdminServer(event_base* base);
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Binds `address`:`port` (port 0 picks an ephemeral port) and returns the bound port. May be
  // called more than once to listen on several addresses.
  Result<uint16_t> listen(const std::string& address, uint16_t port);

  // Registers `handler` for exactly `path` (e.g. "/stats"); a later call for the same path
  // replaces the earlier one. "/" is the built-in index and cannot be replaced.
  void addHandler(std::string path, std::string help, AdminHandler handler);

 private:
  struct Endpoint {
    std::string help;
    AdminHandler handler;
  };

  static void onRequest(evhttp_request* request, void* self);
  AdminResponse dispatch(std::string_view method, std::string_view path,
                         const std::map<std::string, std::string>& query) const;
  std::string index() const;

  event_base* base_;
  evhttp* http_ = nullptr;  // created by the first listen()
  std::map<std::string, Endpoint, std::less<>> endpoints_;
};

// Registers "/stats" (the text form; ?filter=<substring> keeps only the stats whose name contains
// it) and "/stats/prometheus". `store` is borrowed and must outlive `server`.
void addStatsHandlers(AdminServer& server, const stats::Store& store);

// Registers "/logging": without parameters it shows the current level; ?level=debug|info|warn|
// error|off (GET or POST) changes the process-wide weft::log level.
void addLoggingHandler(AdminServer& server);

}  // namespace weft::admin
