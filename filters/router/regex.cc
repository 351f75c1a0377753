// Regex over RE2: see regex.h.
#include "filters/router/regex.h"

#include <re2/re2.h>

namespace weft::router {

struct Regex::Compiled {
  explicit Compiled(const std::string& pattern) : re(pattern, options()) {}
  static RE2::Options options() {
    RE2::Options o;
    o.set_log_errors(false);  // errors come back as config errors, not as lines on stderr
    return o;
  }

  RE2 re;
  bool has_range = false;  // when true, every full match m has min <= m <= max
  std::string min, max;
};

Result<Regex> Regex::compile(const std::string& pattern, const std::string& where) {
  auto compiled = std::make_shared<Compiled>(pattern);
  if (!compiled->re.ok()) {
    return Status::error(where + ": invalid regex '" + pattern + "': " + compiled->re.error());
  }
  // 64 bytes of literal prefix is plenty to tell routes apart.
  compiled->has_range = compiled->re.PossibleMatchRange(&compiled->min, &compiled->max, 64);
  return Regex(std::move(compiled));
}

bool Regex::fullMatch(std::string_view text) const {
  const Compiled& c = *compiled_;
  if (c.has_range && (text < c.min || text > c.max)) return false;
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), c.re);
}

int Regex::replaceAll(std::string& text, std::string_view substitution) const {
  return RE2::GlobalReplace(&text, compiled_->re,
                            re2::StringPiece(substitution.data(), substitution.size()));
}

Status Regex::checkSubstitution(std::string_view substitution, const std::string& where) const {
  std::string error;
  if (compiled_->re.CheckRewriteString(re2::StringPiece(substitution.data(), substitution.size()),
                                       &error)) {
    return Status::ok();
  }
  return Status::error(where + ": " + error);
}

const std::string& Regex::pattern() const { return compiled_->re.pattern(); }

}  // namespace weft::router
