// AdminServer on evhttp, plus the /stats and /logging endpoints: see admin_server.h.
#include "core/admin/admin_server.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/common/logging.h"
#include "core/stats/stats.h"

namespace weft::admin {
namespace {

constexpr int kRequestTimeoutSeconds = 30;
constexpr ev_ssize_t kMaxHeadersBytes = 16 * 1024;
constexpr ev_ssize_t kMaxBodyBytes = 1024 * 1024;

std::string_view methodName(evhttp_cmd_type command) {
  return command == EVHTTP_REQ_POST ? "POST" : "GET";  // the only two allowed in
}

// Fills `out` from the request's query string; false if it is malformed.
bool parseQuery(const evhttp_uri* uri, std::map<std::string, std::string>& out) {
  const char* query = evhttp_uri_get_query(uri);
  if (query == nullptr) return true;
  evkeyvalq pairs;
  if (evhttp_parse_query_str(query, &pairs) != 0) return false;
  for (evkeyval* kv = pairs.tqh_first; kv != nullptr; kv = kv->next.tqe_next) {
    out[kv->key] = kv->value;
  }
  evhttp_clear_headers(&pairs);
  return true;
}

uint16_t boundPort(evutil_socket_t fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

}  // namespace

AdminServer::AdminServer(event_base* base) : base_(base) {}

AdminServer::~AdminServer() {
  if (http_ != nullptr) evhttp_free(http_);
}

Result<uint16_t> AdminServer::listen(const std::string& address, uint16_t port) {
  if (http_ == nullptr) {
    http_ = evhttp_new(base_);
    if (http_ == nullptr) return Status::error("admin: cannot create the HTTP server");
    evhttp_set_allowed_methods(http_, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
    evhttp_set_timeout(http_, kRequestTimeoutSeconds);
    evhttp_set_max_headers_size(http_, kMaxHeadersBytes);
    evhttp_set_max_body_size(http_, kMaxBodyBytes);
    evhttp_set_gencb(http_, &AdminServer::onRequest, this);
  }
  evhttp_bound_socket* bound = evhttp_bind_socket_with_handle(http_, address.c_str(), port);
  if (bound == nullptr) {
    return Status::error("admin: cannot listen on " + address + ":" + std::to_string(port) + ": " +
                         std::strerror(errno));
  }
  return boundPort(evhttp_bound_socket_get_fd(bound));
}

void AdminServer::addHandler(std::string path, std::string help, AdminHandler handler) {
  if (path == "/") {
    log::error("admin: '/' is the built-in index; handler ignored");
    return;
  }
  endpoints_[std::move(path)] = Endpoint{std::move(help), std::move(handler)};
}

void AdminServer::onRequest(evhttp_request* request, void* self_ptr) {
  const auto* self = static_cast<const AdminServer*>(self_ptr);
  const evhttp_uri* uri = evhttp_request_get_evhttp_uri(request);
  std::map<std::string, std::string> query;
  AdminResponse response;
  if (uri == nullptr || !parseQuery(uri, query)) {
    response = AdminResponse{.status = 400, .body = "malformed query string\n"};
  } else {
    const char* raw_path = evhttp_uri_get_path(uri);
    std::string_view path = (raw_path == nullptr || *raw_path == '\0') ? "/" : raw_path;
    response = self->dispatch(methodName(evhttp_request_get_command(request)), path, query);
  }

  evkeyvalq* headers = evhttp_request_get_output_headers(request);
  evhttp_add_header(headers, "Content-Type", response.content_type.c_str());
  evhttp_add_header(headers, "Cache-Control", "no-cache, max-age=0");
  evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
  evbuffer* body = evbuffer_new();
  evbuffer_add(body, response.body.data(), response.body.size());
  evhttp_send_reply(request, response.status, nullptr, body);  // nullptr: the standard reason
  evbuffer_free(body);
}

AdminResponse AdminServer::dispatch(std::string_view method, std::string_view path,
                                    const std::map<std::string, std::string>& query) const {
  if (path == "/") return AdminResponse{.body = index()};
  auto it = endpoints_.find(path);
  if (it == endpoints_.end()) {
    return AdminResponse{.status = 404,
                         .body = "unknown admin path '" + std::string(path) + "'\n" + index()};
  }
  return it->second.handler(method, path, query);
}

std::string AdminServer::index() const {
  std::string out = "admin commands are:\n";
  for (const auto& [path, endpoint] : endpoints_) {
    out += "  ";
    out += path;
    out += ": ";
    out += endpoint.help;
    out += '\n';
  }
  return out;
}

void addStatsHandlers(AdminServer& server, const stats::Store& store) {
  server.addHandler(
      "/stats", "print server stats (?filter=<substring> keeps matching names)",
      [&store](std::string_view, std::string_view, const auto& query) {
        std::string text = store.renderText();
        auto filter = query.find("filter");
        if (filter == query.end()) return AdminResponse{.body = std::move(text)};
        // Keep the lines whose name (before ": ") contains the filter.
        std::string kept;
        size_t start = 0;
        while (start < text.size()) {
          size_t end = std::min(text.find('\n', start), text.size());
          std::string_view line(text.data() + start, end - start);
          if (line.substr(0, line.find(": ")).find(filter->second) != std::string_view::npos) {
            kept.append(line);
            kept += '\n';
          }
          start = end + 1;
        }
        return AdminResponse{.body = std::move(kept)};
      });
  server.addHandler("/stats/prometheus", "print server stats in Prometheus text format",
                    [&store](std::string_view, std::string_view, const auto&) {
                      return AdminResponse{
                          .content_type = "text/plain; version=0.0.4; charset=utf-8",
                          .body = store.renderPrometheus()};
                    });
}

void addLoggingHandler(AdminServer& server) {
  server.addHandler(
      "/logging", "show the log level; ?level=debug|info|warn|error|off changes it (GET or POST)",
      [](std::string_view, std::string_view, const auto& query) {
        auto level = query.find("level");
        if (level != query.end()) {
          log::Level parsed;
          if (!log::parseLevel(level->second, parsed)) {
            return AdminResponse{.status = 400,
                                 .body = "unknown level '" + level->second +
                                         "'; use debug, info, warn, error or off\n"};
          }
          log::setLevel(parsed);
          log::info("admin: log level set to " + level->second);
        }
        return AdminResponse{.body = "level: " + std::string(log::levelName(log::level())) + "\n"};
      });
}

}  // namespace weft::admin
