// RouteAction: what a matched route does — exactly one of
//   "cluster": "backend"                      forward to one cluster
//   "weighted_clusters": {...}                forward to one of several (weighted_clusters.h)
//   "redirect": {...}                         answer with a redirect (redirect.h)
//   "direct_response": {"status": 503, "body": "down\n"}
//                                             answer from the proxy; body is a string or
//                                             {"inline_string": "..."} (at most 4 KiB)
// Routes that forward may also carry, beside the action (Envoy keeps these in RouteAction; Weft's
// routes hold them flat):
//   "prefix_rewrite" / "regex_rewrite"        change :path before forwarding (path_rewrite.h); the
//                                             original goes upstream in x-envoy-original-path
//   "host_rewrite_literal": "svc.internal"    replace :authority before forwarding
//   "timeout", "retry_policy", "request_mirror_policies"
//                                             parsed into UpstreamPolicy and handed to the
//                                             host for each request forwarded, which times,
//                                             retries and mirrors it (upstream_policy.h)
//
// Immutable after parse.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "core/common/status.h"
#include "filters/router/path_rewrite.h"
#include "filters/router/redirect.h"
#include "filters/router/upstream_policy.h"
#include "filters/router/weighted_clusters.h"

namespace YAML {
class Node;
}

namespace weft::router {

struct ForwardAction {
  std::string cluster;                       // set unless `weighted`
  std::optional<WeightedClusters> weighted;  // a split instead of one cluster
  PathRewrite path_rewrite;
  std::string host_rewrite;  // empty: keep :authority
  UpstreamPolicy upstream;   // handed to the host's upstream stage, which applies it

  // The cluster for this request; `random` is used only for a split.
  const std::string& pickCluster(uint64_t random) const {
    return weighted ? weighted->pick(random) : cluster;
  }
};

struct DirectResponse {
  uint32_t status = 200;
  std::string body;
};

using RouteAction = std::variant<ForwardAction, RedirectAction, DirectResponse>;

// Reads the action keys listed above from the route at `where` into `out`.
Status parseRouteAction(const YAML::Node& route, const std::string& where, RouteAction& out);

}  // namespace weft::router
