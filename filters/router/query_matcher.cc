// QueryParameterMatcher parsing and matching: see query_matcher.h.
#include "filters/router/query_matcher.h"

#include <yaml-cpp/yaml.h>

#include "filters/router/config_fields.h"

namespace weft::router {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view percentDecoded(std::string_view text, std::string& scratch) {
  if (text.find('%') == std::string_view::npos) return text;
  scratch.clear();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
        hexValue(text[i + 2]) >= 0) {
      scratch.push_back(static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2])));
      i += 2;
    } else {
      scratch.push_back(text[i]);
    }
  }
  return scratch;
}

Result<QueryParameterMatcher> QueryParameterMatcher::parse(const YAML::Node& node,
                                                           const std::string& where) {
  if (Status s = checkFields(node, {"name", "string_match", "present_match"}, where); !s) return s;
  QueryParameterMatcher m;
  if (Status s = readString(node, "name", true, where, m.name_); !s) return s;
  if (node["string_match"] && node["present_match"]) {
    return fail(where, "at most one of string_match, present_match");
  }
  if (node["present_match"]) {
    bool present = true;
    if (Status s = readBool(node, "present_match", where, present); !s) return s;
    if (!present) {
      return fail(field(where, "present_match"),
                  "only true is supported (a parameter's absence cannot be matched)");
    }
  }
  if (node["string_match"]) {
    Result<StringMatcher> value =
        StringMatcher::parse(node["string_match"], field(where, "string_match"));
    if (!value) return value.status();
    m.value_ = std::move(*value);
  }
  return m;
}

bool QueryParameterMatcher::matches(std::string_view query) const {
  std::string scratch;  // stays empty (no allocation) unless a parameter is percent-encoded
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (percentDecoded(pair.substr(0, eq), scratch) != name_) continue;
    if (!value_) return true;
    const std::string_view raw =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    return value_->matches(percentDecoded(raw, scratch));  // the first occurrence decides
  }
  return false;
}

Status parseQueryParameterMatchers(const YAML::Node& map, const char* key, const std::string& where,
                                   std::vector<QueryParameterMatcher>& out) {
  const YAML::Node list = map[key];
  const std::string list_where = field(where, key);
  if (Status s = checkList(list, list_where); !s) return s;
  for (size_t i = 0; list && i < list.size(); ++i) {
    Result<QueryParameterMatcher> m = QueryParameterMatcher::parse(list[i], indexed(list_where, i));
    if (!m) return m.status();
    out.push_back(std::move(*m));
  }
  return Status::ok();
}

}  // namespace weft::router
