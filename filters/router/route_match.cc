// RouteMatch parsing and matching: see route_match.h.
#include "filters/router/route_match.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "filters/router/config_fields.h"

namespace weft::router {

PathAndQuery splitPath(std::string_view target) {
  const size_t end = std::min(target.find('#'), target.size());
  const size_t question = target.find('?');
  if (question == std::string_view::npos || question > end) return {target.substr(0, end), {}};
  return {target.substr(0, question), target.substr(question + 1, end - question - 1)};
}

Result<RouteMatch> RouteMatch::parse(const YAML::Node& node, const std::string& where,
                                     const Labels& node_labels) {
  if (!node || !node.IsMap()) return fail(where, "required, an object");
  if (Status s = checkFields(node,
                             {"prefix", "path", "safe_regex", "case_sensitive", "headers",
                              "query_parameters", "port", "source_labels"},
                             where);
      !s) {
    return s;
  }
  if (countPresent(node, {"prefix", "path", "safe_regex"}) != 1) {
    return fail(where, "needs exactly one of prefix, path, safe_regex");
  }
  RouteMatch m;
  if (node["safe_regex"]) {
    const std::string regex_where = field(where, "safe_regex");
    if (Status s = checkFields(node["safe_regex"], {"regex"}, regex_where); !s) return s;
    std::string pattern;
    if (Status s = readString(node["safe_regex"], "regex", true, regex_where, pattern); !s) {
      return s;
    }
    Result<Regex> regex = Regex::compile(pattern, field(regex_where, "regex"));
    if (!regex) return regex.status();
    m.kind_ = PathKind::kRegex;
    m.regex_ = std::move(*regex);
  } else {
    const char* key = node["path"] ? "path" : "prefix";
    m.kind_ = node["path"] ? PathKind::kPath : PathKind::kPrefix;
    if (Status s = readString(node, key, true, where, m.pattern_); !s) return s;
    if (m.pattern_.front() != '/') return fail(field(where, key), "must start with '/'");
  }
  if (Status s = readBool(node, "case_sensitive", where, m.case_sensitive_); !s) return s;
  if (Status s = parseHeaderMatchers(node, "headers", where, m.headers_); !s) return s;
  if (Status s = parseQueryParameterMatchers(node, "query_parameters", where, m.query_); !s) {
    return s;
  }
  if (node["port"]) {
    uint32_t port = 0;
    if (Status s = readUint(node, "port", 1, 65535, where, port); !s) return s;
    m.port_ = port;
  }
  Labels source_labels;
  if (Status s = readLabels(node, "source_labels", where, source_labels); !s) return s;
  // Both maps are sorted by name with each name once: the node has every (name, value) pair of
  // source_labels exactly when they are a subset of its own.
  m.for_this_workload_ = std::includes(node_labels.begin(), node_labels.end(),
                                       source_labels.begin(), source_labels.end());
  return m;
}

bool RouteMatch::pathMatches(std::string_view path) const {
  switch (kind_) {
    case PathKind::kPrefix:
      // Prefixes in one table tend to share their start ("/api/..."), so comparing the last byte
      // first rejects most candidates without a memcmp call.
      if (case_sensitive_ &&
          (path.size() < pattern_.size() || path[pattern_.size() - 1] != pattern_.back())) {
        return false;
      }
      return startsWith(path, pattern_, !case_sensitive_);
    case PathKind::kPath:
      return case_sensitive_ ? path == pattern_ : equalsIgnoreCase(path, pattern_);
    case PathKind::kRegex:
      return regex_->fullMatch(path);
  }
  return false;
}

PathKey RouteMatch::pathKey() const {
  switch (kind_) {
    case PathKind::kPrefix:
      return {PathKey::Kind::kPrefix, pattern_};
    case PathKind::kPath:
      return {PathKey::Kind::kExact, pattern_};
    case PathKind::kRegex:
      return {PathKey::Kind::kPrefix, regexLiteralPrefix(regex_->pattern())};
  }
  return {};
}

bool RouteMatch::matches(std::string_view path, std::string_view query,
                         const MatchInput& input) const {
  if (!for_this_workload_ || !pathMatches(path)) return false;
  if (port_ && input.localPort() != port_) return false;
  if (!allMatch(headers_, input)) return false;
  return std::all_of(query_.begin(), query_.end(),
                     [&](const QueryParameterMatcher& q) { return q.matches(query); });
}

}  // namespace weft::router
