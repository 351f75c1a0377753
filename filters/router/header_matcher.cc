// HeaderMatcher parsing and matching: see header_matcher.h.
#include "filters/router/header_matcher.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "filters/router/config_fields.h"

namespace weft::router {
namespace {

constexpr const char* kValueSpecifiers[] = {"exact_match",    "prefix_match", "suffix_match",
                                            "contains_match", "string_match", "safe_regex_match",
                                            "present_match"};

Result<StringMatcher> parseValueSpecifier(const YAML::Node& node, const std::string& where) {
  if (node["string_match"])
    return StringMatcher::parse(node["string_match"], field(where, "string_match"));
  if (node["safe_regex_match"]) {
    const std::string regex_where = field(where, "safe_regex_match");
    const YAML::Node regex = node["safe_regex_match"];
    if (Status s = checkFields(regex, {"regex"}, regex_where); !s) return s;
    std::string pattern;
    if (Status s = readString(regex, "regex", true, regex_where, pattern); !s) return s;
    return StringMatcher::of(StringMatcher::Kind::kRegex, pattern, false,
                             field(regex_where, "regex"));
  }
  static constexpr std::pair<const char*, StringMatcher::Kind> kKinds[] = {
      {"exact_match", StringMatcher::Kind::kExact},
      {"prefix_match", StringMatcher::Kind::kPrefix},
      {"suffix_match", StringMatcher::Kind::kSuffix},
      {"contains_match", StringMatcher::Kind::kContains}};
  for (const auto& [key, kind] : kKinds) {
    if (!node[key]) continue;
    std::string value;
    Status s = kind == StringMatcher::Kind::kExact ? readText(node, key, where, value)
                                                   : readString(node, key, true, where, value);
    if (!s) return s;
    return StringMatcher::of(kind, value, false, field(where, key));
  }
  return fail(where, "no value specifier");  // unreachable: the caller counted one
}

}  // namespace

Result<HeaderMatcher> HeaderMatcher::parse(const YAML::Node& node, const std::string& where) {
  if (Status s = checkFields(node,
                             {"name", "exact_match", "prefix_match", "suffix_match",
                              "contains_match", "safe_regex_match", "string_match", "present_match",
                              "invert_match", "treat_missing_header_as_empty"},
                             where);
      !s) {
    return s;
  }
  HeaderMatcher m;
  if (Status s = readString(node, "name", true, where, m.name_); !s) return s;
  std::transform(m.name_.begin(), m.name_.end(), m.name_.begin(), lowerAscii);
  if (m.name_ == "host") m.name_ = ":authority";
  if (Status s = readBool(node, "invert_match", where, m.invert_); !s) return s;
  if (Status s = readBool(node, "treat_missing_header_as_empty", where, m.missing_as_empty_); !s) {
    return s;
  }
  size_t specifiers = 0;
  for (const char* key : kValueSpecifiers) specifiers += node[key] ? 1 : 0;
  if (specifiers > 1) {
    return fail(where,
                "at most one of exact_match, prefix_match, suffix_match, contains_match, "
                "string_match, safe_regex_match, present_match");
  }
  if (node["present_match"]) {
    if (Status s = readBool(node, "present_match", where, m.present_); !s) return s;
  } else if (specifiers == 1) {
    Result<StringMatcher> value = parseValueSpecifier(node, where);
    if (!value) return value.status();
    m.value_ = std::move(*value);
  }
  return m;
}

bool HeaderMatcher::matches(const MatchInput& input) const {
  std::optional<std::string_view> value = input.header(name_, 0);
  std::string joined;  // used only when the header occurs more than once
  if (value) {
    if (std::optional<std::string_view> next = input.header(name_, 1)) {
      joined.assign(*value).append(",").append(*next);
      for (size_t i = 2; (next = input.header(name_, i)); ++i) joined.append(",").append(*next);
      value = joined;
    }
  } else if (missing_as_empty_) {
    value = std::string_view();
  } else {
    // A missing header: only a presence check can come out true (Envoy's rule).
    return !value_ && present_ == invert_;
  }
  const bool matched = value_ ? value_->matches(*value) : present_;
  return matched != invert_;
}

Status parseHeaderMatchers(const YAML::Node& map, const char* key, const std::string& where,
                           std::vector<HeaderMatcher>& out) {
  const YAML::Node list = map[key];
  const std::string list_where = field(where, key);
  if (Status s = checkList(list, list_where); !s) return s;
  for (size_t i = 0; list && i < list.size(); ++i) {
    Result<HeaderMatcher> m = HeaderMatcher::parse(list[i], indexed(list_where, i));
    if (!m) return m.status();
    out.push_back(std::move(*m));
  }
  return Status::ok();
}

bool allMatch(const std::vector<HeaderMatcher>& matchers, const MatchInput& input) {
  return std::all_of(matchers.begin(), matchers.end(),
                     [&](const HeaderMatcher& m) { return m.matches(input); });
}

}  // namespace weft::router
