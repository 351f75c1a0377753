// HealthCheckScript: what one active health check sends to an endpoint and how the reply is
// judged, for HTTP checks (GET a path, the status must be expected) and TCP checks (send bytes,
// look for blocks in the reply). Pure: no sockets, no timers; HealthCheckSession drives it.
//
// A reply is judged on the bytes received so far, which never exceed kMaxReplyBytes: a reply that
// has not reached a verdict within that many bytes is kBadReply. Built once per checker from its
// config and shared by every session; immutable, so any thread may read it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/health_check_config.h"

namespace weft::upstream {

class HealthCheckScript {
 public:
  // What the bytes received so far say.
  enum class Verdict {
    kIncomplete,  // no verdict yet: wait for more bytes
    kHealthy,     // an expected status / every receive block found
    kUnhealthy,   // a valid answer that says unhealthy (an unexpected HTTP status)
    kBadReply,    // not an answer: bytes that are not HTTP, or too many without a verdict
  };

  // Bytes of a reply looked at, at most; the connection need not read further.
  static constexpr size_t kMaxReplyBytes = 16 * 1024;

  // `config` has exactly one of http / tcp set. `cluster_name` is the Host header of an HTTP
  // check that names none.
  HealthCheckScript(const config::HealthCheck& config, std::string_view cluster_name);

  // Written once connected (the HTTP request, or the TCP `send` bytes); may be empty.
  const std::string& request() const { return request_; }
  // False for a TCP check without `receive`: it passes once connected and the request has left.
  bool awaitsReply() const { return http_.has_value() || !receive_.empty(); }
  // `reply` is what arrived so far (up to kMaxReplyBytes).
  Verdict judge(std::string_view reply) const;

 private:
  Verdict judgeHttp(std::string_view reply) const;
  Verdict judgeTcp(std::string_view reply) const;

  std::optional<config::HttpHealthCheck> http_;  // set for an HTTP check
  std::vector<std::string> receive_;             // TCP
  std::string request_;
};

}  // namespace weft::upstream
