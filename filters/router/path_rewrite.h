// PathRewrite: how a route (before forwarding) or a redirect changes the request path, in
// Envoy's field names — at most one of
//   "prefix_rewrite": "/v2/"        the part the route matched (its prefix; the whole path for
//                                   `path` and `safe_regex` matches) is replaced by this
//   "regex_rewrite": {"pattern": {"regex": "^/api/(.*)$"}, "substitution": "/\\1"}
//                                   every match of the pattern in the path is replaced (RE2
//                                   syntax; \1 names a group)
// Both act on the path only: the query string is kept as it was.
//
// Immutable after parse; apply() builds one new string (a rewrite is never the common case).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/common/status.h"
#include "filters/router/regex.h"

namespace YAML {
class Node;
}

namespace weft::router {

class PathRewrite {
 public:
  // Reads prefix_rewrite / regex_rewrite from the map at `where`; none is fine (no rewrite).
  static Result<PathRewrite> parse(const YAML::Node& map, const std::string& where);

  bool active() const { return prefix_.has_value() || regex_.has_value(); }
  // The new path and query for `path` (without query) and `query` (without '?', possibly empty),
  // where the route matched the first `matched` bytes of `path` as its prefix.
  std::string apply(std::string_view path, std::string_view query, size_t matched) const;

 private:
  std::optional<std::string> prefix_;
  std::optional<Regex> regex_;
  std::string substitution_;
};

}  // namespace weft::router
