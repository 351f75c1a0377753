// The router filter: config parsing (main thread) and the per-stream routing (workers).
#include "filters/router/router_filter.h"

#include <yaml-cpp/yaml.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "filters/router/config_fields.h"
#include "filters/router/route_table.h"
#include "filters/router/stream_adapters.h"
#include "filters/router/worker_random.h"
#include "weft/filter.hpp"

namespace weft::router {
namespace {

// Whether the router logged that the host lacks set_retry_policy / add_request_mirror (shared by
// every worker: the host is the same for all).
std::atomic<bool> g_retries_unsupported_logged{false};
std::atomic<bool> g_mirrors_unsupported_logged{false};

// The request's :authority, else its Host header.
std::optional<std::string_view> requestAuthority(const Stream& stream) {
  std::optional<std::string_view> authority = stream.requestHeader(":authority");
  return authority ? authority : stream.requestHeader("host");
}

// The route of `vhost` (the request's virtual host, possibly null) matching the stream's request.
const Route* findRoute(const VirtualHost* vhost, const Stream& stream) {
  const std::optional<std::string_view> path = stream.requestHeader(":path");
  return vhost != nullptr && path ? vhost->match(*path, StreamMatchInput(stream)) : nullptr;
}

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
    Labels node_labels;
    Status fields = checkFields(root, {"route_config", "node_labels"}, "");
    if (fields) fields = readLabels(root, "node_labels", "", node_labels);
    if (!fields) {
      error = "router: " + fields.message();
      return nullptr;
    }
    Result<RouteTable> table = RouteTable::fromNode(root["route_config"], node_labels);
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
    const std::optional<std::string_view> authority = requestAuthority(stream());
    const std::optional<std::string_view> path = stream().requestHeader(":path");
    vhost_ = config_.table().virtualHost(authority.value_or(""));
    route_ = findRoute(vhost_, stream());
    if (route_ == nullptr) {
      config_.noRoute().add();
      return respond(404, "no route\n", {{"content-type", "text/plain"}}, "route_not_found");
    }
    config_.routed().add();
    stream().setRouteName(route_->name);

    cors_ = route_->cors ? &*route_->cors : vhost_->cors ? &*vhost_->cors : nullptr;
    if (cors_ != nullptr) {
      const std::optional<std::string_view> origin = stream().requestHeader("origin");
      if (origin && !origin->empty() && cors_->allowsOrigin(*origin)) {
        if (isPreflight(stream().requestHeader(":method").value_or(""),
                        stream().requestHeader("access-control-request-method").value_or(""))) {
          ReplyHeaders reply;
          cors_->addPreflightHeaders(*origin, reply);
          return sendReply(200, "", reply, "cors_preflight");
        }
        origin_ = *origin;
      } else {
        cors_ = nullptr;  // not a cross-origin request, or one from an origin not allowed
      }
    }

    const PathAndQuery split = splitPath(path.value_or(""));
    if (const auto* redirect = std::get_if<RedirectAction>(&route_->action)) {
      ReplyHeaders reply;
      addResponseHeaders(reply);
      reply.set("location", redirect->location({stream().requestHeader(":scheme").value_or("http"),
                                                authority.value_or(""), split.path, split.query,
                                                route_->match.matchedPrefixLength(split.path)}));
      return sendReply(redirect->responseCode(), "", reply, "direct_response");
    }
    if (const auto* direct = std::get_if<DirectResponse>(&route_->action)) {
      ReplyHeaders reply;
      addResponseHeaders(reply);
      return sendReply(direct->status, direct->body, reply, "direct_response");
    }
    forward(std::get<ForwardAction>(route_->action), *path, split);
    return FilterStatus::kContinue;
  }

  FilterStatus onResponseHeaders(bool /*end_stream*/) override {
    if (route_ != nullptr) {
      StreamHeaders headers(stream().responseHeaders());
      addResponseHeaders(headers);
    }
    return FilterStatus::kContinue;
  }

 private:
  void forward(const ForwardAction& action, std::string_view path, const PathAndQuery& split) {
    stream().setUpstreamCluster(action.pickCluster(action.weighted ? workerRandom() : 0));
    if (action.upstream.timeout_ms) stream().setUpstreamTimeout(*action.upstream.timeout_ms);
    handRetriesAndMirrors(action.upstream);
    // Computed before any header changes: `path` and `split` view the request's :path.
    std::string original_path, new_path;
    if (action.path_rewrite.active()) {
      original_path = path;
      new_path = action.path_rewrite.apply(split.path, split.query,
                                           route_->match.matchedPrefixLength(split.path));
    }
    StreamHeaders request(stream().requestHeaders());
    route_->request_headers.apply(request);
    vhost_->request_headers.apply(request);
    config_.table().requestHeaders().apply(request);
    if (!action.host_rewrite.empty()) stream().setRequestHeader(":authority", action.host_rewrite);
    if (action.path_rewrite.active()) {
      stream().setRequestHeader("x-envoy-original-path", original_path);
      stream().setRequestHeader(":path", new_path);
    }
  }

  // The route's retry policy, and each mirror whose fraction this request rolls, to the host.
  void handRetriesAndMirrors(const UpstreamPolicy& upstream) const {
    if (upstream.retry) {
      noteRefusal(g_retries_unsupported_logged, "set_retry_policy", {},
                  stream().setRetryPolicy(upstream.retry->toAbi()));
    }
    for (const MirrorPolicy& mirror : upstream.mirrors) {
      if (!mirror.fraction.roll(workerRandom())) continue;
      noteRefusal(g_mirrors_unsupported_logged, "add_request_mirror", mirror.cluster,
                  stream().addRequestMirror(mirror.cluster));
    }
  }

  // The request goes on whatever the host answered; why it refused `call` (for `cluster`, if any)
  // is logged at debug level — "the host cannot" (WEFT_ERR_UNSUPPORTED: a host older than ABI
  // 1.3) only the first time.
  void noteRefusal(std::atomic<bool>& unsupported_logged, std::string_view call,
                   std::string_view cluster, int rc) const {
    if (rc == WEFT_OK) return;
    if (rc == WEFT_ERR_UNSUPPORTED && unsupported_logged.exchange(true)) return;
    std::string line = "router: the host refused " + std::string(call);
    if (!cluster.empty()) line += " to '" + std::string(cluster) + "'";
    line += " (error " + std::to_string(rc) +
            (rc == WEFT_ERR_UNSUPPORTED ? ": this host does not support it" : "") +
            "); forwarding without it";
    stream().debug(line);
  }

  // The response header mutations (route, then virtual host, then route config) and, for an
  // allowed cross-origin request, the CORS response headers.
  void addResponseHeaders(HeaderTarget& headers) const {
    route_->response_headers.apply(headers);
    vhost_->response_headers.apply(headers);
    config_.table().responseHeaders().apply(headers);
    if (cors_ != nullptr) cors_->addResponseHeaders(origin_, headers);
  }

  FilterStatus sendReply(uint32_t status, std::string_view body, const ReplyHeaders& reply,
                         std::string_view details) const {
    std::vector<Header> headers;
    headers.reserve(reply.fields().size());
    for (const auto& [name, value] : reply.fields()) headers.push_back({name, value});
    stream().sendLocalReply(status, body, headers.data(), headers.size(), details);
    return FilterStatus::kStopIteration;
  }

  const RouterConfig& config_;
  const VirtualHost* vhost_ = nullptr;
  const Route* route_ = nullptr;
  const CorsPolicy* cors_ = nullptr;  // set for an allowed cross-origin request
  std::string origin_;                // its Origin
};

// The module table, spelt out (not WEFT_DEFINE_FILTER) so that routeFor can tell the router's
// entries from other filters'.
using RouterModule = detail::Module<RouterConfig, RouterFilter>;
constexpr weft_filter_module kRouterModule = RouterModule::table("router", "1.0.0");

}  // namespace

const Route* routeFor(const weft_filter_module& module, const void* config,
                      const weft_host_api* host, weft_stream_host* stream) {
  if (&module != &kRouterModule || config == nullptr) return nullptr;
  const RouteTable& table = static_cast<const RouterConfig*>(config)->table();
  const Stream request(host, stream);
  return findRoute(table.virtualHost(requestAuthority(request).value_or("")), request);
}

}  // namespace weft::router

extern "C" const weft_filter_module* weft_router_module_init(const weft_host_api* host) {
  return weft::router::RouterModule::init(host, &weft::router::kRouterModule);
}
