// RedirectAction parsing and the location it builds: see redirect.h.
#include "filters/router/redirect.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "filters/router/config_fields.h"
#include "filters/router/domain_index.h"
#include "filters/router/string_matcher.h"

namespace weft::router {
namespace {

Result<uint32_t> readResponseCode(const YAML::Node& node, const std::string& where) {
  static constexpr std::pair<std::string_view, uint32_t> kCodes[] = {{"MOVED_PERMANENTLY", 301},
                                                                     {"FOUND", 302},
                                                                     {"SEE_OTHER", 303},
                                                                     {"TEMPORARY_REDIRECT", 307},
                                                                     {"PERMANENT_REDIRECT", 308}};
  std::string text = "301";
  if (Status s = readString(node, "response_code", false, where, text); !s) return s;
  for (const auto& [name, code] : kCodes) {
    if (text == name || text == std::to_string(code)) return code;
  }
  return fail(field(where, "response_code"),
              "must be 301, 302, 303, 307 or 308 (or MOVED_PERMANENTLY, FOUND, SEE_OTHER, "
              "TEMPORARY_REDIRECT, PERMANENT_REDIRECT), got '" +
                  text + "'");
}

// The explicit port of an authority ("a:80" -> "80"), or empty.
std::string_view portOf(std::string_view authority) {
  const std::string_view host = stripPort(authority);
  return host.size() < authority.size() ? authority.substr(host.size() + 1) : std::string_view();
}

// A piece of the location header: no whitespace or control characters.
Status checkUriPart(const std::string& text, const std::string& where) {
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == '\x7f'; })) {
    return fail(where, "must not contain spaces or control characters");
  }
  return Status::ok();
}

std::string_view defaultPort(std::string_view scheme) {
  if (scheme == "http") return "80";
  if (scheme == "https") return "443";
  return {};
}

}  // namespace

Result<RedirectAction> RedirectAction::parse(const YAML::Node& node, const std::string& where) {
  if (Status s = checkFields(
          node,
          {"https_redirect", "scheme_redirect", "host_redirect", "port_redirect", "path_redirect",
           "prefix_rewrite", "regex_rewrite", "response_code", "strip_query"},
          where);
      !s) {
    return s;
  }
  if (countPresent(node, {"https_redirect", "scheme_redirect"}) > 1) {
    return fail(where, "at most one of https_redirect, scheme_redirect");
  }
  if (countPresent(node, {"path_redirect", "prefix_rewrite", "regex_rewrite"}) > 1) {
    return fail(where, "at most one of path_redirect, prefix_rewrite, regex_rewrite");
  }
  RedirectAction r;
  bool https = false;
  if (Status s = readBool(node, "https_redirect", where, https); !s) return s;
  if (https) r.scheme_ = "https";
  if (Status s = readString(node, "scheme_redirect", false, where, r.scheme_); !s) return s;
  std::transform(r.scheme_.begin(), r.scheme_.end(), r.scheme_.begin(), lowerAscii);
  if (!std::all_of(r.scheme_.begin(), r.scheme_.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
      })) {
    return fail(field(where, "scheme_redirect"), "'" + r.scheme_ + "' is not a URI scheme");
  }
  if (Status s = readString(node, "host_redirect", false, where, r.host_); !s) return s;
  if (node["port_redirect"]) {
    uint32_t port = 0;
    if (Status s = readUint(node, "port_redirect", 1, 65535, where, port); !s) return s;
    r.port_ = port;
  }
  if (node["path_redirect"]) {
    std::string path;
    if (Status s = readString(node, "path_redirect", true, where, path); !s) return s;
    if (path.front() != '/') return fail(field(where, "path_redirect"), "must start with '/'");
    r.path_ = std::move(path);
  }
  Result<PathRewrite> rewrite = PathRewrite::parse(node, where);
  if (!rewrite) return rewrite.status();
  r.rewrite_ = std::move(*rewrite);
  Result<uint32_t> code = readResponseCode(node, where);
  if (!code) return code.status();
  r.response_code_ = *code;
  if (Status s = readBool(node, "strip_query", where, r.strip_query_); !s) return s;
  if (Status s = checkUriPart(r.host_, field(where, "host_redirect")); !s) return s;
  if (Status s = checkUriPart(r.path_.value_or(""), field(where, "path_redirect")); !s) return s;
  return r;
}

std::string RedirectAction::location(const Request& request) const {
  const std::string_view scheme_in = request.scheme.empty() ? "http" : request.scheme;
  const std::string_view scheme = scheme_.empty() ? scheme_in : std::string_view(scheme_);

  std::string location(scheme);
  location.append("://");
  if (!host_.empty()) {
    location.append(port_ ? stripPort(host_) : std::string_view(host_));
  } else {
    const bool drop_port = port_ || (scheme != scheme_in && !portOf(request.authority).empty() &&
                                     portOf(request.authority) == defaultPort(scheme_in));
    location.append(drop_port ? stripPort(request.authority) : request.authority);
  }
  if (port_) location.append(":").append(std::to_string(*port_));

  const std::string_view query = strip_query_ ? std::string_view() : request.query;
  if (path_) {
    location.append(*path_);
    // A query of its own replaces the request's (and is kept even with strip_query).
    if (path_->find('?') == std::string::npos && !query.empty()) location.append("?").append(query);
  } else if (rewrite_.active()) {
    location.append(rewrite_.apply(request.path, query, request.matched_prefix));
  } else {
    location.append(request.path);
    if (!query.empty()) location.append("?").append(query);
  }
  return location;
}

}  // namespace weft::router
