// RouteTable: one entry of the bootstrap's `route_configs`, parsed once on the main thread and
// then read concurrently by every worker (it is immutable after parse). The format follows
// Envoy's RouteConfiguration, with a route's action fields written flat on the route:
//
//   {"name": "local",
//    "request_headers_to_add": [...], ...          header mutations (header_mutation.h)
//    "virtual_hosts": [{"name": "all", "domains": ["*"],
//                       "cors": {...},             (cors_policy.h)
//                       "request_headers_to_add": [...], ...
//                       "routes": [{"name": "api",
//                                   "match": {"prefix": "/api"},       (route_match.h)
//                                   "cluster": "backend",              (route_action.h)
//                                   "cors": {...}, "request_headers_to_add": [...], ...,
//                                   "metadata": {"filter_metadata": {...}}}]}]}  (route_metadata.h)
//
// A request picks a virtual host by its :authority, compared case-insensitively after the port is
// stripped, with Envoy's precedence: an exact domain, then the longest "*suffix" wildcard
// ("*.example.com", "*-api.example.com"), then the longest "prefix*" wildcard ("api.*"), then
// "*". A wildcard stands for at least one character. An exact domain that carries a port
// ("reviews:9080", as Istio writes them) also matches an authority with exactly that port.
// Within the virtual host the routes are tried in order and the first whose match holds wins; a
// virtual host with many routes tries only those its RouteIndex names (route_index.h), which
// picks the same route.
//
// Lookups take string_views and return pointers to const parts of the table, valid as long as
// the table; prefix and exact routes are matched without allocating. Unknown fields are rejected
// rather than ignored, and fields Weft knows but cannot honour yet (typed_per_filter_config) are
// refused with a message saying so. A route's source_labels are weighed against the node's labels
// given to parse(), once (route_match.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/status.h"
#include "filters/router/cors_policy.h"
#include "filters/router/domain_index.h"
#include "filters/router/header_mutation.h"
#include "filters/router/match_input.h"
#include "filters/router/route_action.h"
#include "filters/router/route_index.h"
#include "filters/router/route_match.h"
#include "filters/router/route_metadata.h"

namespace YAML {
class Node;
}

namespace weft::router {

struct Route {
  std::string name;  // the route's "name", else "<virtual host name>/<index>"
  RouteMatch match;
  RouteAction action;
  HeaderMutation request_headers;
  HeaderMutation response_headers;
  std::optional<CorsPolicy> cors;  // replaces the virtual host's policy when set
  RouteMetadata metadata;          // for other filters; the router ignores it
};

struct VirtualHost {
  std::string name;
  std::vector<std::string> domains;  // as configured, lower-cased
  std::vector<Route> routes;
  HeaderMutation request_headers;
  HeaderMutation response_headers;
  std::optional<CorsPolicy> cors;
  // Over `routes`, built at parse when there are enough of them for it to pay.
  std::optional<RouteIndex> index;

  // The first route matching a request whose :path is `path` (query string included), or
  // nullptr.
  const Route* match(std::string_view path, const MatchInput& input) const;
};

class RouteTable {
 public:
  // Parses the route config from JSON text, for a proxy whose workload has `node_labels`. Errors
  // name the field: "route config 'local': virtual_hosts[0].routes[1].match: needs exactly one of
  // prefix, path, safe_regex".
  static Result<RouteTable> parse(std::string_view json, const Labels& node_labels = {});
  // The same from an already parsed node (e.g. the "route_config" member of the router's JSON).
  static Result<RouteTable> fromNode(const YAML::Node& node, const Labels& node_labels = {});

  const std::string& name() const { return name_; }
  const std::vector<VirtualHost>& virtualHosts() const { return vhosts_; }
  const HeaderMutation& requestHeaders() const { return request_headers_; }
  const HeaderMutation& responseHeaders() const { return response_headers_; }

  // The virtual host for an :authority ("Host" header) value, or nullptr.
  const VirtualHost* virtualHost(std::string_view authority) const;
  // The route for a request, or nullptr when no virtual host or no route matches.
  const Route* route(std::string_view authority, std::string_view path,
                     const MatchInput& input) const;

 private:
  RouteTable() = default;
  // Parses virtual_hosts[index] and appends it (its domains refer to it by index).
  Status addVirtualHost(const YAML::Node& node, uint32_t index, const Labels& node_labels);
  Status addDomain(const std::string& domain, uint32_t vhost, const std::string& where);

  std::string name_;
  std::vector<VirtualHost> vhosts_;
  HeaderMutation request_headers_;
  HeaderMutation response_headers_;
  DomainMap exact_;
  WildcardIndex suffix_{WildcardIndex::Side::kSuffix};
  WildcardIndex prefix_{WildcardIndex::Side::kPrefix};
  int64_t any_ = -1;  // the "*" virtual host
};

}  // namespace weft::router
