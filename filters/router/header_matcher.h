// HeaderMatcher: Envoy's config.route.v3.HeaderMatcher, used by route matches and by the fault
// filter's `headers`:
//   {"name": ":method", "exact_match": "GET"}
//   value specifiers (at most one): exact_match, prefix_match, suffix_match, contains_match,
//     safe_regex_match: {regex}, string_match: <StringMatcher>, present_match: true|false
//   "invert_match": true                   negate the result
//   "treat_missing_header_as_empty": true  match a missing header as the empty string
// With no specifier the header must be present. Semantics follow Envoy exactly:
//   - a header that occurs more than once is matched as its values joined by ",";
//   - a missing header never satisfies a value specifier, not even an inverted one (unless
//     treat_missing_header_as_empty); present_match: false matches exactly when it is missing;
//   - "host" is looked up as ":authority" (Weft's codecs turn Host into :authority).
//
// Immutable after parse. matches() allocates only for a header that occurs more than once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/common/status.h"
#include "filters/router/match_input.h"
#include "filters/router/string_matcher.h"

namespace YAML {
class Node;
}

namespace weft::router {

class HeaderMatcher {
 public:
  static Result<HeaderMatcher> parse(const YAML::Node& node, const std::string& where);

  bool matches(const MatchInput& input) const;

  const std::string& name() const { return name_; }

 private:
  HeaderMatcher() = default;

  std::string name_;                    // lower case
  std::optional<StringMatcher> value_;  // empty: a presence check
  bool present_ = true;                 // presence checks: must the header be there?
  bool invert_ = false;
  bool missing_as_empty_ = false;
};

// Parses map[key], a list of HeaderMatchers, appending to `out`. Absent is fine.
Status parseHeaderMatchers(const YAML::Node& map, const char* key, const std::string& where,
                           std::vector<HeaderMatcher>& out);
// Whether every matcher matches (true for none).
bool allMatch(const std::vector<HeaderMatcher>& matchers, const MatchInput& input);

}  // namespace weft::router
