// ConfigSnapshot::build and ListenerStats: see snapshot.h.
#include "core/server/snapshot.h"

#include "core/config/bootstrap.h"
#include "core/config/labels.h"
#include "core/server/listener_tls.h"

namespace weft::server {

namespace {
stats::Counter& counter(stats::Store& s, const std::string& listener, const char* name) {
  return s.counter(name, {{"listener", listener}});
}

// The router names a bad field of a route config by its path in the entry
// ("route config 'r': virtual_hosts[0].routes[1].match: unknown field ..."); point at the line.
Status locateRouteError(const Status& status, const config::RouteConfig& routes,
                        const std::string& source) {
  const std::string& message = status.message();
  std::string marker = "route config '" + routes.name + "': ";
  size_t at = message.find(marker);
  if (at == std::string::npos) return status;
  std::string_view rest = std::string_view(message).substr(at + marker.size());
  std::string_view field = rest.substr(0, rest.find(": "));
  uint32_t line = routes.lineOf(field);
  if (line == 0) return status;
  return Status::error(source + ":" + std::to_string(line) + ": " + routes.path + "." +
                       std::string(rest));
}

// The router is always the last filter; it gets the listener's route table and the node's labels
// (for routes matching source_labels) as its config.
config::FilterConfig routerEntry(const config::Listener& listener, const std::string& route_json,
                                 const config::Node& node) {
  config::FilterConfig router;
  router.name = "router";
  router.builtin = "router";
  router.config_json = "{\"route_config\":" + route_json +
                       ",\"node_labels\":" + config::labelsToJson(node.labels) + "}";
  router.location = "listener '" + listener.name + "'";
  return router;
}
}  // namespace

ListenerStats::ListenerStats(stats::Store& s, const std::string& l)
    : cx_total(counter(s, l, "downstream_cx_total")),
      cx_active(s.gauge("downstream_cx_active", {{"listener", l}})),
      cx_overflow(counter(s, l, "downstream_cx_overflow")),
      cx_idle_timeout(counter(s, l, "downstream_cx_idle_timeout")),
      cx_plaintext_refused(counter(s, l, "downstream_cx_plaintext_refused")),
      rq_total(counter(s, l, "downstream_rq_total")),
      rq_active(s.gauge("downstream_rq_active", {{"listener", l}})),
      rq_1xx(counter(s, l, "downstream_rq_1xx")),
      rq_2xx(counter(s, l, "downstream_rq_2xx")),
      rq_3xx(counter(s, l, "downstream_rq_3xx")),
      rq_4xx(counter(s, l, "downstream_rq_4xx")),
      rq_5xx(counter(s, l, "downstream_rq_5xx")),
      rq_header_timeout(counter(s, l, "downstream_rq_header_timeout")),
      rq_timeout(counter(s, l, "downstream_rq_timeout")),
      rq_no_cluster(counter(s, l, "downstream_rq_no_cluster")),
      rq_upstream_failure(counter(s, l, "downstream_rq_upstream_failure")),
      rq_buffer_overflow(counter(s, l, "downstream_rq_buffer_overflow")),
      rq_max_per_connection(counter(s, l, "downstream_rq_max_per_connection")),
      bytes_received(counter(s, l, "downstream_bytes_received")),
      bytes_sent(counter(s, l, "downstream_bytes_sent")) {
  for (size_t i = 1; i < parse_errors.size(); ++i) {
    auto kind = std::string(http1::nameOf(static_cast<http1::ParseError>(i)));
    parse_errors[i] = &s.counter("http1_parse_error", {{"listener", l}, {"kind", kind}});
  }
  // Envoy's response flags, then the catch-all.
  for (std::string_view flag :
       {"UH",   "UF",   "UO",  "NR",  "URX",   "UT", "DI", "FI", "LR", "UC",   "DC", "NC",   "RL",
        "UAEX", "RLSE", "DPE", "UPE", "UMSDR", "OM", "DF", "SI", "IH", "NFCF", "LH", "other"}) {
    response_flags.emplace_back(flag, &s.counter("downstream_rq_response_flag",
                                                 {{"listener", l}, {"flag", std::string(flag)}}));
  }
}

stats::Counter& ListenerStats::responseFlag(std::string_view flag) {
  for (auto& [name, counter] : response_flags) {
    if (name == flag) return *counter;
  }
  return *response_flags.back().second;  // "other"
}

stats::Counter& ListenerStats::byClass(int status) {
  if (status < 200) return rq_1xx;
  if (status < 300) return rq_2xx;
  if (status < 400) return rq_3xx;
  if (status < 500) return rq_4xx;
  return rq_5xx;
}

Result<SnapshotPtr> ConfigSnapshot::build(const config::Bootstrap& bootstrap, uint64_t version,
                                          plugins::ModuleRegistry& modules, stats::Store& stats,
                                          uint32_t worker_count, const ConfigSnapshot* previous) {
  auto snapshot = std::make_shared<ConfigSnapshot>();
  snapshot->version = version;
  snapshot->bootstrap = bootstrap;
  const std::string& source = bootstrap.source_path;

  for (const auto& cluster : bootstrap.clusters) {
    const upstream::ClusterInfo* before = nullptr;
    if (previous) {
      auto found = previous->clusters.find(cluster.name);
      if (found != previous->clusters.end()) before = found->second.get();
    }
    auto info = upstream::ClusterInfo::create(cluster, stats, before);
    if (!info) return Status::error(source + ": " + info.status().message());
    snapshot->clusters.emplace(cluster.name, *info);
  }

  for (const auto& listener : bootstrap.listeners) {
    auto built = std::make_shared<ListenerSnapshot>();
    built->config = listener;
    auto address = network::parseAddress(listener.address.address, listener.address.port);
    if (!address)
      return Status::error(source + ": listener '" + listener.name +
                           "': " + address.status().message());
    built->address = *address;
    const auto& limits = listener.limits;
    built->parse_limits =
        http1::Limits{limits.max_request_line_bytes, limits.max_header_bytes, limits.max_headers};
    built->stats = std::make_unique<ListenerStats>(stats, listener.name);
    built->http2_options = listener.http2;
    built->http2_options.max_header_list_bytes = limits.max_header_bytes;
    built->http2_options.max_headers = limits.max_headers;
    built->http2_stats =
        std::make_unique<http::Http2Stats>(stats, stats::Tags{{"listener", listener.name}});
    if (listener.tls) {
      std::shared_ptr<tls::ServerContext> running;
      const config::ServerTls* running_config = nullptr;
      if (previous) {
        if (auto it = previous->listeners.find(listener.name); it != previous->listeners.end()) {
          running = it->second->tls;
          running_config = it->second->config.tls ? &*it->second->config.tls : nullptr;
        }
      }
      auto context = listenerTls(listener, running, running_config, stats);
      if (!context) {
        return Status::error(source + ": listener '" + listener.name +
                             "': tls: " + context.status().message());
      }
      built->tls = std::move(*context);
    }

    if (listener.protocol == config::ListenerProtocol::kHttp) {
      std::string route_json = "{}";
      const config::RouteConfig* route_config = nullptr;
      for (const auto& routes : bootstrap.route_configs) {
        if (routes.name == listener.route_config) route_config = &routes;
      }
      if (route_config) route_json = route_config->json;
      std::vector<config::FilterConfig> entries = listener.filters;
      bool explicit_router = false;
      for (auto& entry : entries) {
        if (entry.builtin == "router") {
          entry = routerEntry(listener, route_json, bootstrap.node);
          explicit_router = true;
        }
      }
      if (!explicit_router) entries.push_back(routerEntry(listener, route_json, bootstrap.node));
      for (const auto& entry : entries) {
        auto module =
            entry.plugin.empty() ? modules.builtin(entry.builtin) : modules.load(entry.plugin);
        if (!module) {
          return Status::error(entry.location + ": filter '" + entry.name +
                               "': " + module.status().message());
        }
        auto instance = plugins::FilterInstance::create(**module, entry, stats, worker_count);
        if (!instance && entry.builtin == "router" && route_config) {
          return locateRouteError(instance.status(), *route_config, source);
        }
        if (!instance) return instance.status();
        built->chain.push_back(*instance);
      }
    }
    snapshot->listeners.emplace(listener.name, std::move(built));
  }

  if (bootstrap.access_log) {
    const auto& log = *bootstrap.access_log;
    auto format =
        !log.json.empty() ? access_log::AccessLogFormat::compileJson(log.json)
        : !log.format.empty()
            ? access_log::AccessLogFormat::compile(log.format)
            : Result<access_log::AccessLogFormat>(access_log::AccessLogFormat::defaultFormat());
    if (!format) return Status::error(source + ": access_log: " + format.status().message());
    auto writer = access_log::AccessLogWriter::open(log.path, stats.counter("access_log_dropped"));
    if (!writer) return Status::error(source + ": access_log: " + writer.status().message());
    snapshot->access_log =
        std::make_shared<AccessLogger>(AccessLogger{std::move(*format), std::move(*writer)});
  }
  return SnapshotPtr(std::move(snapshot));
}

}  // namespace weft::server
