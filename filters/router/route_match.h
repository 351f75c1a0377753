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
//   "source_labels": {"app": "a"}      Istio's sourceLabels: the workload this proxy serves (its
//                                      node labels, handed to parse()) has every one of these
// The path is compared without its query string or fragment. A sidecar serves one workload, so
// source_labels are decided once, at parse: a route whose labels the node lacks never matches on
// this proxy (it stays in the table, keeping route names and indexes as written), and one whose
// labels the node has costs nothing per request. No node labels: such a route never matches.
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
#include "filters/router/config_fields.h"
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

  // `node_labels`: the labels of the workload this proxy serves, for source_labels.
  static Result<RouteMatch> parse(const YAML::Node& node, const std::string& where,
                                  const Labels& node_labels);

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

  bool for_this_workload_ = true;  // false: source_labels the node lacks, so never a match
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
