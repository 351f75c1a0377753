// StringMatcher parsing and matching: see string_matcher.h.
#include "filters/router/string_matcher.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "filters/router/config_fields.h"

namespace weft::router {

char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return lowerAscii(x) == lowerAscii(y);
         });
}

bool startsWith(std::string_view text, std::string_view prefix, bool ignore_case) {
  if (text.size() < prefix.size()) return false;
  const std::string_view head = text.substr(0, prefix.size());
  return ignore_case ? equalsIgnoreCase(head, prefix) : head == prefix;
}

bool endsWith(std::string_view text, std::string_view suffix, bool ignore_case) {
  if (text.size() < suffix.size()) return false;
  const std::string_view tail = text.substr(text.size() - suffix.size());
  return ignore_case ? equalsIgnoreCase(tail, suffix) : tail == suffix;
}

namespace {

bool containsIgnoreCase(std::string_view text, std::string_view needle) {
  return std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                     [](char x, char y) { return lowerAscii(x) == lowerAscii(y); }) != text.end();
}

}  // namespace

Result<StringMatcher> StringMatcher::parse(const YAML::Node& node, const std::string& where) {
  if (Status s = checkFields(
          node, {"exact", "prefix", "suffix", "contains", "safe_regex", "ignore_case"}, where);
      !s) {
    return s;
  }
  if (countPresent(node, {"exact", "prefix", "suffix", "contains", "safe_regex"}) != 1) {
    return fail(where, "needs exactly one of exact, prefix, suffix, contains, safe_regex");
  }
  bool ignore_case = false;
  if (Status s = readBool(node, "ignore_case", where, ignore_case); !s) return s;
  if (node["safe_regex"]) {
    const std::string regex_where = field(where, "safe_regex");
    const YAML::Node regex = node["safe_regex"];
    if (Status s = checkFields(regex, {"regex"}, regex_where); !s) return s;
    std::string pattern;
    if (Status s = readString(regex, "regex", true, regex_where, pattern); !s) return s;
    if (ignore_case) return fail(where, "ignore_case cannot be combined with safe_regex");
    return of(Kind::kRegex, pattern, false, field(regex_where, "regex"));
  }
  static constexpr std::pair<const char*, Kind> kKinds[] = {{"exact", Kind::kExact},
                                                            {"prefix", Kind::kPrefix},
                                                            {"suffix", Kind::kSuffix},
                                                            {"contains", Kind::kContains}};
  for (const auto& [key, kind] : kKinds) {
    if (!node[key]) continue;
    std::string value;
    // An exact match may ask for the empty string; the others need something to look for.
    Status s = kind == Kind::kExact ? readText(node, key, where, value)
                                    : readString(node, key, true, where, value);
    if (!s) return s;
    return of(kind, value, ignore_case, field(where, key));
  }
  return fail(where, "needs exactly one of exact, prefix, suffix, contains, safe_regex");
}

Result<StringMatcher> StringMatcher::of(Kind kind, const std::string& value, bool ignore_case,
                                        const std::string& where) {
  if (kind == Kind::kRegex) {
    Result<Regex> regex = Regex::compile(value, where);
    if (!regex) return regex.status();
    return StringMatcher(kind, value, false, std::move(*regex));
  }
  std::string stored = value;
  if (ignore_case) std::transform(stored.begin(), stored.end(), stored.begin(), lowerAscii);
  return StringMatcher(kind, std::move(stored), ignore_case, std::nullopt);
}

bool StringMatcher::matches(std::string_view value) const {
  switch (kind_) {
    case Kind::kExact:
      return ignore_case_ ? equalsIgnoreCase(value, value_) : value == value_;
    case Kind::kPrefix:
      return startsWith(value, value_, ignore_case_);
    case Kind::kSuffix:
      return endsWith(value, value_, ignore_case_);
    case Kind::kContains:
      return ignore_case_ ? containsIgnoreCase(value, value_)
                          : value.find(value_) != std::string_view::npos;
    case Kind::kRegex:
      return regex_->fullMatch(value);
  }
  return false;
}

}  // namespace weft::router
