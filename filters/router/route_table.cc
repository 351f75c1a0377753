// RouteTable parsing (main thread, may use yaml-cpp's exceptions; builds each virtual host's
// RouteIndex) and lookup (workers, allocation-free for prefix and exact routes).
#include "filters/router/route_table.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "filters/router/config_fields.h"
#include "filters/router/string_matcher.h"

namespace weft::router {
namespace {

// From this many routes on, a virtual host is indexed: the index then wins for a miss and for a
// hit past the first few routes. Below, trying each route in turn is about as fast, and faster
// for a hit on the first route.
constexpr size_t kIndexedFrom = 8;

// Reads the four header mutation fields of one level.
Status parseMutations(const YAML::Node& node, const std::string& where, HeaderMutation& request,
                      HeaderMutation& response) {
  Result<HeaderMutation> req =
      HeaderMutation::parse(node, HeaderMutation::Direction::kRequest, where);
  if (!req) return req.status();
  Result<HeaderMutation> resp =
      HeaderMutation::parse(node, HeaderMutation::Direction::kResponse, where);
  if (!resp) return resp.status();
  request = std::move(*req);
  response = std::move(*resp);
  return Status::ok();
}

Status parseCors(const YAML::Node& node, const std::string& where, std::optional<CorsPolicy>& out) {
  if (!node["cors"]) return Status::ok();
  Result<CorsPolicy> cors = CorsPolicy::parse(node["cors"], field(where, "cors"));
  if (!cors) return cors.status();
  out = std::move(*cors);
  return Status::ok();
}

Result<Route> parseRoute(const YAML::Node& node, const std::string& where,
                         const std::string& vhost_name, size_t index, const Labels& node_labels) {
  if (!node.IsMap()) return fail(where, "must be an object");
  if (node["typed_per_filter_config"]) {
    return fail(field(where, "typed_per_filter_config"),
                "not supported yet (filters run before the router picks the route, and the "
                "filter ABI cannot hand them per-route config)");
  }
  if (Status s = checkFields(
          node,
          {"name", "match", "cluster", "weighted_clusters", "redirect", "direct_response",
           "prefix_rewrite", "regex_rewrite", "host_rewrite_literal", "timeout", "retry_policy",
           "request_mirror_policies", "request_headers_to_add", "request_headers_to_remove",
           "response_headers_to_add", "response_headers_to_remove", "cors", "metadata"},
          where);
      !s) {
    return s;
  }
  std::string name;
  if (Status s = readString(node, "name", false, where, name); !s) return s;
  if (name.empty()) name = vhost_name + "/" + std::to_string(index);
  Result<RouteMatch> match = RouteMatch::parse(node["match"], field(where, "match"), node_labels);
  if (!match) return match.status();
  Route route{std::move(name), std::move(*match), {}, {}, {}, std::nullopt, {}};
  if (Status s = parseRouteAction(node, where, route.action); !s) return s;
  if (Status s = parseMutations(node, where, route.request_headers, route.response_headers); !s) {
    return s;
  }
  if (Status s = parseCors(node, where, route.cors); !s) return s;
  if (Status s = RouteMetadata::parse(node["metadata"], field(where, "metadata"), route.metadata);
      !s) {
    return s;
  }
  return route;
}

}  // namespace

const Route* VirtualHost::match(std::string_view path, const MatchInput& input) const {
  const PathAndQuery split = splitPath(path);
  const auto holds = [&](const Route& route) {
    return route.match.matches(split.path, split.query, input);
  };
  if (!index) {
    const auto it = std::find_if(routes.begin(), routes.end(), holds);
    return it == routes.end() ? nullptr : &*it;
  }
  const std::optional<uint32_t> first =
      index->firstMatch(split.path, [&](uint32_t route) { return holds(routes[route]); });
  return first ? &routes[*first] : nullptr;
}

Result<RouteTable> RouteTable::parse(std::string_view json, const Labels& node_labels) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(json));
  } catch (const YAML::Exception& e) {
    return Status::error("route config: invalid JSON at line " + std::to_string(e.mark.line + 1) +
                         ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  return fromNode(root, node_labels);
}

Result<RouteTable> RouteTable::fromNode(const YAML::Node& root, const Labels& node_labels) {
  RouteTable table;
  std::string prefix = "route config";
  try {
    if (!root.IsMap()) return Status::error(prefix + ": must be a JSON object");
    Status s = readString(root, "name", false, "", table.name_);
    if (s && !table.name_.empty()) prefix += " '" + table.name_ + "'";
    if (s) {
      s = checkFields(
          root,
          {"name", "virtual_hosts", "request_headers_to_add", "request_headers_to_remove",
           "response_headers_to_add", "response_headers_to_remove"},
          "");
    }
    if (s) s = parseMutations(root, "", table.request_headers_, table.response_headers_);
    const YAML::Node vhosts = root["virtual_hosts"];
    if (s && (!vhosts || !vhosts.IsSequence())) s = fail("virtual_hosts", "required, a list");
    for (size_t i = 0; s && i < vhosts.size(); ++i) {
      s = table.addVirtualHost(vhosts[i], static_cast<uint32_t>(i), node_labels);
    }
    if (!s) return Status::error(prefix + ": " + s.message());
  } catch (const YAML::Exception& e) {
    return Status::error(prefix + ": " + e.msg);
  }
  return table;
}

Status RouteTable::addVirtualHost(const YAML::Node& node, uint32_t index,
                                  const Labels& node_labels) {
  const std::string where = indexed("virtual_hosts", index);
  if (Status s = checkFields(
          node,
          {"name", "domains", "routes", "cors", "request_headers_to_add",
           "request_headers_to_remove", "response_headers_to_add", "response_headers_to_remove"},
          where);
      !s) {
    return s;
  }
  VirtualHost vhost;
  if (Status s = readString(node, "name", true, where, vhost.name); !s) return s;

  const std::string domains_where = field(where, "domains");
  const YAML::Node domains = node["domains"];
  if (!domains || !domains.IsSequence() || domains.size() == 0) {
    return fail(domains_where, "required, a non-empty list");
  }
  for (size_t d = 0; d < domains.size(); ++d) {
    if (!domains[d].IsScalar() || domains[d].Scalar().empty()) {
      return fail(indexed(domains_where, d), "must be a non-empty string");
    }
    std::string domain = domains[d].Scalar();
    std::transform(domain.begin(), domain.end(), domain.begin(), lowerAscii);
    if (Status s = addDomain(domain, index, indexed(domains_where, d)); !s) return s;
    vhost.domains.push_back(std::move(domain));
  }
  if (Status s = parseMutations(node, where, vhost.request_headers, vhost.response_headers); !s) {
    return s;
  }
  if (Status s = parseCors(node, where, vhost.cors); !s) return s;

  const std::string routes_where = field(where, "routes");
  const YAML::Node routes = node["routes"];
  if (Status s = checkList(routes, routes_where); !s) return s;
  for (size_t r = 0; routes && r < routes.size(); ++r) {
    Result<Route> route =
        parseRoute(routes[r], indexed(routes_where, r), vhost.name, r, node_labels);
    if (!route) return route.status();
    vhost.routes.push_back(std::move(*route));
  }
  if (vhost.routes.size() >= kIndexedFrom) {
    std::vector<PathKey> keys;
    keys.reserve(vhost.routes.size());
    for (const Route& route : vhost.routes) keys.push_back(route.match.pathKey());
    vhost.index.emplace(keys);
  }
  vhosts_.push_back(std::move(vhost));
  return Status::ok();
}

Status RouteTable::addDomain(const std::string& domain, uint32_t vhost, const std::string& where) {
  const size_t stars = std::count(domain.begin(), domain.end(), '*');
  bool added = false;
  if (domain == "*") {
    added = any_ < 0;
    if (added) any_ = vhost;
  } else if (stars == 1 && domain.front() == '*') {
    added = suffix_.add(domain.substr(1), vhost);
  } else if (stars == 1 && domain.back() == '*') {
    added = prefix_.add(domain.substr(0, domain.size() - 1), vhost);
  } else if (stars == 0) {
    added = exact_.emplace(domain, vhost).second;
  } else {
    return fail(where, "'" + domain + "': a wildcard must be the whole domain, its first or its " +
                           "last character");
  }
  if (!added) return fail(where, "duplicate domain '" + domain + "' (each may appear only once)");
  return Status::ok();
}

const VirtualHost* RouteTable::virtualHost(std::string_view authority) const {
  const std::string_view host = stripPort(authority);
  if (host.size() != authority.size()) {
    if (auto it = exact_.find(authority); it != exact_.end()) return &vhosts_[it->second];
  }
  if (auto it = exact_.find(host); it != exact_.end()) return &vhosts_[it->second];
  int64_t index = suffix_.find(host);
  if (index < 0) index = prefix_.find(host);
  if (index < 0) index = any_;
  return index < 0 ? nullptr : &vhosts_[static_cast<size_t>(index)];
}

const Route* RouteTable::route(std::string_view authority, std::string_view path,
                               const MatchInput& input) const {
  const VirtualHost* vhost = virtualHost(authority);
  return vhost == nullptr ? nullptr : vhost->match(path, input);
}

}  // namespace weft::router
