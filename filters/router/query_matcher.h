// QueryParameterMatcher: Envoy's config.route.v3.QueryParameterMatcher —
//   {"name": "debug", "string_match": <StringMatcher>}   the first "debug" parameter's value
//   matches
//   {"name": "debug", "present_match": true}             a "debug" parameter is there
//   {"name": "debug"}                                    the same
// Names and values are percent-decoded before comparing ("%41" is "A"; '+' stays '+'); a
// parameter without '=' has the empty value.
//
// Immutable after parse. matches() allocates only when the parameter it looks at is
// percent-encoded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "filters/router/string_matcher.h"

namespace YAML {
class Node;
}

namespace weft::router {

class QueryParameterMatcher {
 public:
  static Result<QueryParameterMatcher> parse(const YAML::Node& node, const std::string& where);

  // `query` is the text between '?' and '#' (or the end), possibly empty.
  bool matches(std::string_view query) const;

 private:
  QueryParameterMatcher() = default;

  std::string name_;
  std::optional<StringMatcher> value_;  // empty: presence
};

// Parses map[key], a list of QueryParameterMatchers, appending to `out`. Absent is fine.
Status parseQueryParameterMatchers(const YAML::Node& map, const char* key, const std::string& where,
                                   std::vector<QueryParameterMatcher>& out);

// `text` with %XX escapes decoded: `text` itself when it has none, else a view of `scratch`.
// A '%' not followed by two hex digits is kept as it is.
std::string_view percentDecoded(std::string_view text, std::string& scratch);

}  // namespace weft::router
