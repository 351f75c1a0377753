// CorsPolicy parsing and the headers it produces: see cors_policy.h.
#include "filters/router/cors_policy.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "filters/router/config_fields.h"

namespace weft::router {
namespace {

Status readHeaderValue(const YAML::Node& node, const char* key, const std::string& where,
                       std::string& out) {
  if (Status s = readString(node, key, false, where, out); !s) return s;
  if (out.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    return fail(field(where, key), "must not contain CR, LF or NUL");
  }
  return Status::ok();
}

}  // namespace

bool isPreflight(std::string_view method, std::string_view request_method) {
  return method == "OPTIONS" && !request_method.empty();
}

Result<CorsPolicy> CorsPolicy::parse(const YAML::Node& node, const std::string& where) {
  if (Status s = checkFields(node,
                             {"allow_origin_string_match", "allow_methods", "allow_headers",
                              "expose_headers", "max_age", "allow_credentials"},
                             where);
      !s) {
    return s;
  }
  CorsPolicy policy;
  const YAML::Node origins = node["allow_origin_string_match"];
  const std::string origins_where = field(where, "allow_origin_string_match");
  if (!origins || !origins.IsSequence() || origins.size() == 0) {
    return fail(origins_where, "required, a non-empty list");
  }
  for (size_t i = 0; i < origins.size(); ++i) {
    Result<StringMatcher> m = StringMatcher::parse(origins[i], indexed(origins_where, i));
    if (!m) return m.status();
    policy.origins_.push_back(std::move(*m));
  }
  for (const auto& [key, out] : {std::pair{"allow_methods", &policy.allow_methods_},
                                 std::pair{"allow_headers", &policy.allow_headers_},
                                 std::pair{"expose_headers", &policy.expose_headers_},
                                 std::pair{"max_age", &policy.max_age_}}) {
    if (Status s = readHeaderValue(node, key, where, *out); !s) return s;
  }
  if (!std::all_of(policy.max_age_.begin(), policy.max_age_.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return fail(field(where, "max_age"), "must be a number of seconds");
  }
  if (Status s = readBool(node, "allow_credentials", where, policy.allow_credentials_); !s) {
    return s;
  }
  return policy;
}

bool CorsPolicy::allowsOrigin(std::string_view origin) const {
  return std::any_of(origins_.begin(), origins_.end(),
                     [&](const StringMatcher& m) { return m.matches("*") || m.matches(origin); });
}

void CorsPolicy::addPreflightHeaders(std::string_view origin, HeaderTarget& out) const {
  out.set("access-control-allow-origin", origin);
  if (allow_credentials_) out.set("access-control-allow-credentials", "true");
  if (!allow_methods_.empty()) out.set("access-control-allow-methods", allow_methods_);
  if (!allow_headers_.empty()) out.set("access-control-allow-headers", allow_headers_);
  if (!max_age_.empty()) out.set("access-control-max-age", max_age_);
}

void CorsPolicy::addResponseHeaders(std::string_view origin, HeaderTarget& out) const {
  out.set("access-control-allow-origin", origin);
  if (allow_credentials_) out.set("access-control-allow-credentials", "true");
  if (!expose_headers_.empty()) out.set("access-control-expose-headers", expose_headers_);
}

}  // namespace weft::router
