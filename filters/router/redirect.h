// RedirectAction: a route that answers with a redirect (Envoy's config.route.v3.RedirectAction):
//   {"https_redirect": true | "scheme_redirect": "https",
//    "host_redirect": "new.example.com", "port_redirect": 8443,
//    "path_redirect": "/new" | "prefix_rewrite": "/v2/" | "regex_rewrite": {...},
//    "response_code": 301 | 302 | 303 | 307 | 308   (or MOVED_PERMANENTLY, FOUND, SEE_OTHER,
//                                                    TEMPORARY_REDIRECT, PERMANENT_REDIRECT;
//                                                    default 301),
//    "strip_query": true}
// The location is built from the request's scheme, authority and path with the configured parts
// swapped in. As in Envoy: port_redirect replaces the authority's port; when only the scheme
// changes, an explicit port that is the old scheme's default (":80" for http, ":443" for https) is
// dropped; a query in path_redirect replaces the request's and survives strip_query.
//
// Immutable after parse; location() builds one string per redirect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/common/status.h"
#include "filters/router/path_rewrite.h"

namespace YAML {
class Node;
}

namespace weft::router {

class RedirectAction {
 public:
  static Result<RedirectAction> parse(const YAML::Node& node, const std::string& where);

  // What the redirect needs to know about the request.
  struct Request {
    std::string_view scheme;     // "http" when unknown
    std::string_view authority;  // host[:port]
    std::string_view path;       // without the query
    std::string_view query;      // without '?', possibly empty
    size_t matched_prefix = 0;   // RouteMatch::matchedPrefixLength(path)
  };
  std::string location(const Request& request) const;
  uint32_t responseCode() const { return response_code_; }

 private:
  RedirectAction() = default;

  std::string scheme_;  // empty: keep the request's
  std::string host_;    // empty: keep the request's
  std::optional<uint32_t> port_;
  std::optional<std::string> path_;  // path_redirect, possibly with its own query
  PathRewrite rewrite_;              // prefix_rewrite / regex_rewrite
  uint32_t response_code_ = 301;
  bool strip_query_ = false;
};

}  // namespace weft::router
