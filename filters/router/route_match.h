// RouteMatch: the `match` of one route (Envoy's config.route.v3.RouteMatch). Every condition
// given must hold:
//   exactly one of
//     "prefix": "/api"                 the path starts with it
//     "path": "/exact"                 the path is exactly it
//     "safe_regex": {"regex": "..."}   RE2, matched against the whole path
//   "case_sensitive": false            prefix / path compare ASCII case-insensitively (default
//                                      true; regexes are unaffected, as in Envoy: use (?i))
//   "headers": [HeaderMatcher...]      see header_matcher.h (":method", ":scheme", ":authority")
//   "query_parameters": [...]          see query_matcher.h
//   "port": 8080                       the port the client connected to (Weft's addition, for
//                                      Istio's `port` match)
// The path is compared without its query string or fragment. Istio's sourceLabels
// ("source_labels") is recognised and refused: the proxy does not know its own workload labels
// yet, so it cannot be honoured.
//
// Immutable after parse. matches() allocates nothing for prefix and path conditions; see the
// matchers' headers for the others.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "filters/router/header_matcher.h"
#include "filters/router/match_input.h"
#include "filters/router/query_matcher.h"
#include "filters/router/regex.h"
#include "filters/router/route_index.h"

namespace YAML {
class Node;
}

namespace weft::router {

class RouteMatch {
 public:
  enum class PathKind { kPrefix, kPath, kRegex };

  static Result<RouteMatch> parse(const YAML::Node& node, const std::string& where);

  // `path` without its query; `query` the text between '?' and '#' (possibly empty).
  bool matches(std::string_view path, std::string_view query, const MatchInput& input) const;

  PathKind pathKind() const { return kind_; }
  // How much of a matching `path` a prefix_rewrite replaces: the prefix for a prefix match, the
  // whole path otherwise (as in Envoy).
  size_t matchedPrefixLength(std::string_view path) const {
    return kind_ == PathKind::kPrefix ? pattern_.size() : path.size();
  }
  // The necessary path condition RouteIndex files this route under: the prefix, the exact path,
  // or the regex's literal start.
  PathKey pathKey() const;

 private:
  RouteMatch() = default;
  bool pathMatches(std::string_view path) const;

  PathKind kind_ = PathKind::kPrefix;
  std::string pattern_;  // the prefix or the exact path
  bool case_sensitive_ = true;
  std::optional<Regex> regex_;
  std::vector<HeaderMatcher> headers_;
  std::vector<QueryParameterMatcher> query_;
  std::optional<uint32_t> port_;
};

// Splits a :path value into the path and the query ("/a?b=1#f" -> "/a", "b=1").
struct PathAndQuery {
  std::string_view path;
  std::string_view query;
};
PathAndQuery splitPath(std::string_view target);

}  // namespace weft::router
