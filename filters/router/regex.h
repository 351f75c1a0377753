// Regex: one RE2 pattern compiled at config time (Envoy's safe_regex / google_re2), shared
// read-only by every worker. RE2 runs in time linear in the input, so a config cannot make a
// request's matching blow up.
//
// Matching is full-match: the whole text must match, as in Envoy's safe_regex. Before running RE2
// the text is compared with the range of strings the pattern can match (RE2's
// PossibleMatchRange), so a pattern with a literal start ("/api/v[0-9]+/.*") rejects most
// non-matching paths with one string comparison. Neither matching nor the range check allocates.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/common/status.h"

namespace re2 {
class RE2;
}

namespace weft::router {

class Regex {
 public:
  // Compiles `pattern` (RE2 syntax). The error reads "<where>: invalid regex '<pattern>': <why>".
  static Result<Regex> compile(const std::string& pattern, const std::string& where);

  // Whether the whole of `text` matches. Safe to call from any thread.
  bool fullMatch(std::string_view text) const;
  // Replaces every non-overlapping match in `text` with `substitution` (\0..\9 refer to groups).
  // Returns the number of replacements.
  int replaceAll(std::string& text, std::string_view substitution) const;
  // Whether `substitution` is valid for this pattern (no reference to a missing group);
  // config-time check for replaceAll.
  Status checkSubstitution(std::string_view substitution, const std::string& where) const;

  const std::string& pattern() const;

 private:
  struct Compiled;
  explicit Regex(std::shared_ptr<const Compiled> compiled) : compiled_(std::move(compiled)) {}
  std::shared_ptr<const Compiled> compiled_;  // shared: copies of a Regex stay cheap
};

}  // namespace weft::router
