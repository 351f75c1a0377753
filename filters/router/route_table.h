// RouteTable: one entry of the bootstrap's `route_configs`, parsed once on the main thread and
// then read concurrently by every worker (it is immutable after parse).
//
//   {"name": "local",
//    "virtual_hosts": [{"name": "all", "domains": ["*"],
//                       "routes": [{"match": {"prefix": "/"}, "cluster": "backend"}]}]}
//
// A request picks a virtual host by its :authority, compared case-insensitively after the port is
// stripped, with Envoy's precedence: an exact domain, then the longest "*suffix" wildcard
// ("*.example.com", "*-api.example.com"), then the longest "prefix*" wildcard ("api.*"), then
// "*". A wildcard stands for at least one character. An exact domain that carries a port
// ("reviews:9080", as Istio writes them) also matches an authority with exactly that port.
// Within the virtual host the routes are tried in order and the first match wins: `path` is an
// exact match, `prefix` a prefix match, both case-sensitive and ignoring the query string.
//
// Lookups allocate nothing: string_views in, a pointer to a const Route out (valid as long as the
// table). Unknown fields are rejected rather than ignored, so a config that asks for a feature
// this router lacks (regex, header matches, ...) fails loudly instead of routing wrongly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/common/status.h"

namespace YAML {
class Node;
}

namespace weft::router {

struct Route {
  enum class Match { kPath, kPrefix };

  Match match = Match::kPrefix;
  std::string pattern;  // the exact path, or the prefix
  std::string name;     // the route's "name", else "<virtual host name>/<index>"
  std::string cluster;

  // `path` must already be stripped of its query string.
  bool matches(std::string_view path) const;
};

struct VirtualHost {
  std::string name;
  std::vector<std::string> domains;  // as configured, lower-cased
  std::vector<Route> routes;

  // The first route matching `path` (query string ignored), or nullptr.
  const Route* match(std::string_view path) const;
};

// ASCII case-insensitive hashing and equality, for maps keyed by lower-cased domains that are
// probed with the request's authority as it came.
struct CaseInsensitiveHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept;
};
struct CaseInsensitiveEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const noexcept;
};
using DomainMap =
    std::unordered_map<std::string, uint32_t, CaseInsensitiveHash, CaseInsensitiveEqual>;

// Wildcard domains of one kind ("*suffix" or "prefix*"): one hash map per length of the fixed
// part, longest first, so a lookup costs one probe per distinct length.
class WildcardIndex {
 public:
  enum class Side { kSuffix, kPrefix };
  explicit WildcardIndex(Side side) : side_(side) {}

  // `fixed` is the domain without its '*', lower-cased. False if it is already present.
  bool add(std::string fixed, uint32_t vhost);
  // The virtual host of the longest wildcard matching `host`, or -1.
  int64_t find(std::string_view host) const;

 private:
  Side side_;
  std::vector<std::pair<size_t, DomainMap>> by_length_;  // descending length
};

class RouteTable {
 public:
  // Parses the route config from JSON text. Errors name the field:
  // "route config 'local': virtual_hosts[0].routes[1].match: needs exactly one of path, prefix".
  static Result<RouteTable> parse(std::string_view json);
  // The same from an already parsed node (e.g. the "route_config" member of the router's JSON).
  static Result<RouteTable> fromNode(const YAML::Node& node);

  const std::string& name() const { return name_; }
  const std::vector<VirtualHost>& virtualHosts() const { return vhosts_; }

  // The virtual host for an :authority ("Host" header) value, or nullptr.
  const VirtualHost* virtualHost(std::string_view authority) const;
  // The route for a request, or nullptr when no virtual host or no route matches.
  const Route* route(std::string_view authority, std::string_view path) const;

 private:
  RouteTable() = default;
  // Parses virtual_hosts[index] and appends it (its domains refer to it by index).
  Status addVirtualHost(const YAML::Node& node, uint32_t index);
  Status addDomain(const std::string& domain, uint32_t vhost, const std::string& where);

  std::string name_;
  std::vector<VirtualHost> vhosts_;
  DomainMap exact_;
  WildcardIndex suffix_{WildcardIndex::Side::kSuffix};
  WildcardIndex prefix_{WildcardIndex::Side::kPrefix};
  int64_t any_ = -1;  // the "*" virtual host
};

// The host part of an authority: "Example.com:8080" -> "Example.com", "[::1]:80" -> "[::1]".
std::string_view stripPort(std::string_view authority);
// The path without its query string or fragment.
std::string_view stripQuery(std::string_view path);

}  // namespace weft::router
