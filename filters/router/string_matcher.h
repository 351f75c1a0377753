// StringMatcher: Envoy's type.matcher.v3.StringMatcher — one of
//   {"exact": "x"} {"prefix": "x"} {"suffix": "x"} {"contains": "x"} {"safe_regex": {"regex": "x"}}
// with an optional "ignore_case": true (ASCII; not allowed with safe_regex, as in Envoy). Used for
// header values, query parameters and CORS origins.
//
// Immutable after parse; matches() allocates nothing and may run on any thread.
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

class StringMatcher {
 public:
  enum class Kind { kExact, kPrefix, kSuffix, kContains, kRegex };

  // Parses the object at `where` (the StringMatcher form above).
  static Result<StringMatcher> parse(const YAML::Node& node, const std::string& where);
  // A matcher built from one already-read value (e.g. a HeaderMatcher's "prefix_match": "x").
  // For kRegex, `value` is the pattern.
  static Result<StringMatcher> of(Kind kind, const std::string& value, bool ignore_case,
                                  const std::string& where);

  bool matches(std::string_view value) const;

  Kind kind() const { return kind_; }

 private:
  StringMatcher(Kind kind, std::string value, bool ignore_case, std::optional<Regex> regex)
      : kind_(kind),
        value_(std::move(value)),
        ignore_case_(ignore_case),
        regex_(std::move(regex)) {}

  Kind kind_;
  std::string value_;  // lower-cased when ignore_case_
  bool ignore_case_;
  std::optional<Regex> regex_;  // kRegex only
};

// ASCII helpers shared by the matchers.
char lowerAscii(char c);
bool equalsIgnoreCase(std::string_view a, std::string_view b);
// Whether `text` starts with `prefix`, comparing case-insensitively when `ignore_case`.
bool startsWith(std::string_view text, std::string_view prefix, bool ignore_case);
bool endsWith(std::string_view text, std::string_view suffix, bool ignore_case);

}  // namespace weft::router
