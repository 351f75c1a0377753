// RouteAction parsing: see route_action.h.
#include "filters/router/route_action.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "filters/router/config_fields.h"

namespace weft::router {
namespace {

constexpr size_t kMaxDirectResponseBody = 4096;

// Keys that only make sense for a route that forwards.
constexpr const char* kForwardOnlyKeys[] = {"prefix_rewrite",       "regex_rewrite",
                                            "host_rewrite_literal", "timeout",
                                            "retry_policy",         "request_mirror_policies"};

Result<DirectResponse> parseDirectResponse(const YAML::Node& node, const std::string& where) {
  if (Status s = checkFields(node, {"status", "body"}, where); !s) return s;
  DirectResponse response;
  if (!node["status"]) return fail(field(where, "status"), "required");
  if (Status s = readUint(node, "status", 200, 599, where, response.status); !s) return s;
  const YAML::Node body = node["body"];
  if (body && body.IsMap()) {
    const std::string body_where = field(where, "body");
    if (Status s = checkFields(body, {"inline_string"}, body_where); !s) return s;
    if (Status s = readText(body, "inline_string", body_where, response.body); !s) return s;
  } else if (Status s = readText(node, "body", where, response.body); !s) {
    return s;
  }
  if (response.body.size() > kMaxDirectResponseBody) {
    return fail(field(where, "body"),
                "longer than " + std::to_string(kMaxDirectResponseBody) + " bytes");
  }
  return response;
}

Status parseForward(const YAML::Node& route, const std::string& where, ForwardAction& forward) {
  if (route["weighted_clusters"]) {
    Result<WeightedClusters> weighted =
        WeightedClusters::parse(route["weighted_clusters"], field(where, "weighted_clusters"));
    if (!weighted) return weighted.status();
    forward.weighted = std::move(*weighted);
  } else if (Status s = readString(route, "cluster", true, where, forward.cluster); !s) {
    return s;
  }
  Result<PathRewrite> rewrite = PathRewrite::parse(route, where);
  if (!rewrite) return rewrite.status();
  forward.path_rewrite = std::move(*rewrite);
  if (Status s = readString(route, "host_rewrite_literal", false, where, forward.host_rewrite);
      !s) {
    return s;
  }
  if (std::any_of(forward.host_rewrite.begin(), forward.host_rewrite.end(), [](char c) {
        return static_cast<unsigned char>(c) <= ' ' || c == '\x7f' || c == '/';
      })) {
    return fail(field(where, "host_rewrite_literal"), "must be a host[:port]");
  }
  Result<UpstreamPolicy> upstream = UpstreamPolicy::parse(route, where);
  if (!upstream) return upstream.status();
  forward.upstream = std::move(*upstream);
  return Status::ok();
}

}  // namespace

Status parseRouteAction(const YAML::Node& route, const std::string& where, RouteAction& out) {
  if (countPresent(route, {"cluster", "weighted_clusters", "redirect", "direct_response"}) != 1) {
    return fail(where,
                "needs exactly one of cluster, weighted_clusters, redirect, direct_response");
  }
  if (route["cluster"] || route["weighted_clusters"]) {
    return parseForward(route, where, out.emplace<ForwardAction>());
  }
  for (const char* key : kForwardOnlyKeys) {
    if (route[key]) {
      return fail(field(where, key), "only for routes with cluster or weighted_clusters");
    }
  }
  if (route["redirect"]) {
    Result<RedirectAction> redirect =
        RedirectAction::parse(route["redirect"], field(where, "redirect"));
    if (!redirect) return redirect.status();
    out.emplace<RedirectAction>(std::move(*redirect));
    return Status::ok();
  }
  Result<DirectResponse> direct =
      parseDirectResponse(route["direct_response"], field(where, "direct_response"));
  if (!direct) return direct.status();
  out.emplace<DirectResponse>(std::move(*direct));
  return Status::ok();
}

}  // namespace weft::router
