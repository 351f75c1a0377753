// The router filter: config parsing (main thread) and the per-stream lookup (workers).
#include "filters/router/router_filter.h"

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>
#include <string_view>

#include "filters/router/route_table.h"
#include "weft/filter.hpp"

namespace weft::router {
namespace {

class RouterConfig : public FilterConfig {
 public:
  static std::unique_ptr<RouterConfig> create(const weft_host_api* host, weft_config_host* config,
                                              std::string_view json, std::string& error) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(json));
    } catch (const YAML::Exception& e) {
      error = "router: invalid JSON: " + e.msg;
      return nullptr;
    }
    if (!root.IsMap() || !root["route_config"]) {
      error = "router: config must be an object with a \"route_config\" member";
      return nullptr;
    }
    for (const auto& entry : root) {
      if (entry.first.Scalar() != "route_config") {
        error = "router: unknown field '" + entry.first.Scalar() + "' (supported: route_config)";
        return nullptr;
      }
    }
    Result<RouteTable> table = RouteTable::fromNode(root["route_config"]);
    if (!table) {
      error = "router: " + table.status().message();
      return nullptr;
    }
    return std::unique_ptr<RouterConfig>(
        new RouterConfig(std::move(*table), Counter::define(host, config, "router.routed"),
                         Counter::define(host, config, "router.no_route")));
  }

  const RouteTable& table() const { return table_; }
  const Counter& routed() const { return routed_; }
  const Counter& noRoute() const { return no_route_; }

 private:
  RouterConfig(RouteTable table, Counter routed, Counter no_route)
      : table_(std::move(table)), routed_(routed), no_route_(no_route) {}

  RouteTable table_;
  Counter routed_;
  Counter no_route_;
};

class RouterFilter final : public StreamFilter {
 public:
  RouterFilter(const RouterConfig& config, Stream stream) : StreamFilter(stream), config_(config) {}

  FilterStatus onRequestHeaders(bool /*end_stream*/) override {
    std::optional<std::string_view> authority = stream().requestHeader(":authority");
    if (!authority) authority = stream().requestHeader("host");
    const std::optional<std::string_view> path = stream().requestHeader(":path");
    const Route* route = path ? config_.table().route(authority.value_or(""), *path) : nullptr;
    if (route == nullptr) {
      config_.noRoute().add();
      return respond(404, "no route\n", {{"content-type", "text/plain"}}, "route_not_found");
    }
    stream().setRouteName(route->name);
    stream().setUpstreamCluster(route->cluster);
    config_.routed().add();
    return FilterStatus::kContinue;
  }

 private:
  const RouterConfig& config_;
};

}  // namespace
}  // namespace weft::router

WEFT_DEFINE_FILTER(weft_router_module_init, "router", "1.0.0", weft::router::RouterConfig,
                   weft::router::RouterFilter)
