// CorsPolicy: Envoy's config.route.v3.CorsPolicy, on a virtual host or a route (a route's policy
// replaces its virtual host's whole):
//   {"allow_origin_string_match": [StringMatcher...],  origins allowed; one that matches "*"
//                                                      allows every origin
//    "allow_methods": "GET, POST", "allow_headers": "x-a", "expose_headers": "x-b",
//    "max_age": "600", "allow_credentials": true}
// The router, as Envoy's CORS filter does:
//   - a request without an Origin, or from an origin not allowed, is left alone;
//   - a preflight (OPTIONS with a non-empty access-control-request-method) from an allowed origin
//     is answered by the proxy: 200 with access-control-allow-origin (the request's origin),
//     -allow-methods, -allow-headers, -max-age and -allow-credentials as configured;
//   - any other request from an allowed origin goes on, and its response gets
//     access-control-allow-origin, -allow-credentials and -expose-headers.
//
// Immutable after parse; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "filters/router/header_mutation.h"
#include "filters/router/string_matcher.h"

namespace YAML {
class Node;
}

namespace weft::router {

class CorsPolicy {
 public:
  static Result<CorsPolicy> parse(const YAML::Node& node, const std::string& where);

  bool allowsOrigin(std::string_view origin) const;
  // The access-control-* headers answering a preflight from `origin` (already allowed).
  void addPreflightHeaders(std::string_view origin, HeaderTarget& out) const;
  // The access-control-* headers added to the response to an actual request from `origin`.
  void addResponseHeaders(std::string_view origin, HeaderTarget& out) const;

 private:
  CorsPolicy() = default;

  std::vector<StringMatcher> origins_;
  std::string allow_methods_;
  std::string allow_headers_;
  std::string expose_headers_;
  std::string max_age_;
  bool allow_credentials_ = false;
};

// Whether a request is a CORS preflight: OPTIONS with a non-empty access-control-request-method.
bool isPreflight(std::string_view method, std::string_view request_method);

}  // namespace weft::router
