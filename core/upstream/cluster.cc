// ClusterInfo and ClusterStats: see cluster.h.
#include "core/upstream/cluster.h"

namespace weft::upstream {

namespace {
stats::Counter& counter(stats::Store& s, const std::string& cluster, const char* name) {
  return s.counter(name, {{"cluster", cluster}});
}
}  // namespace

ClusterStats::ClusterStats(stats::Store& s, const std::string& c)
    : cx_total(counter(s, c, "upstream_cx_total")),
      cx_active(s.gauge("upstream_cx_active", {{"cluster", c}})),
      cx_connect_fail(counter(s, c, "upstream_cx_connect_fail")),
      cx_connect_timeout(counter(s, c, "upstream_cx_connect_timeout")),
      cx_overflow(counter(s, c, "upstream_cx_overflow")),
      cx_destroy_remote(counter(s, c, "upstream_cx_destroy_remote")),
      rq_total(counter(s, c, "upstream_rq_total")),
      rq_active(s.gauge("upstream_rq_active", {{"cluster", c}})),
      rq_pending_overflow(counter(s, c, "upstream_rq_pending_overflow")),
      rq_reset(counter(s, c, "upstream_rq_reset")),
      rq_1xx(counter(s, c, "upstream_rq_1xx")),
      rq_2xx(counter(s, c, "upstream_rq_2xx")),
      rq_3xx(counter(s, c, "upstream_rq_3xx")),
      rq_4xx(counter(s, c, "upstream_rq_4xx")),
      rq_5xx(counter(s, c, "upstream_rq_5xx")),
      protocol_error(counter(s, c, "upstream_protocol_error")),
      no_healthy_host(counter(s, c, "upstream_cx_none_healthy")),
      rq_retry(counter(s, c, "upstream_rq_retry")),
      rq_retry_success(counter(s, c, "upstream_rq_retry_success")),
      rq_retry_overflow(counter(s, c, "upstream_rq_retry_overflow")),
      rq_retry_limit_exceeded(counter(s, c, "upstream_rq_retry_limit_exceeded")),
      ejections_total(counter(s, c, "outlier_detection.ejections_total")),
      ejections_active(s.gauge("outlier_detection.ejections_active", {{"cluster", c}})) {}

stats::Counter& ClusterStats::byClass(int status) {
  if (status < 200) return rq_1xx;
  if (status < 300) return rq_2xx;
  if (status < 400) return rq_3xx;
  if (status < 500) return rq_4xx;
  return rq_5xx;
}

namespace {

// The cluster's TLS client context; ALPN defaults to what the cluster speaks.
Result<std::shared_ptr<tls::ClientContext>> clientTls(const config::Cluster& cluster,
                                                      stats::Store& stats) {
  const config::ClientTls& block = *cluster.tls;
  tls::ClientOptions options;
  options.ca = block.ca;
  options.sni = block.sni;
  options.alpn = block.alpn;
  if (options.alpn.empty()) {
    options.alpn = {cluster.protocol == config::UpstreamProtocol::kHttp2 ? "h2" : "http/1.1"};
  }
  options.certificate_chain = block.certificate_chain;
  options.private_key = block.private_key;
  options.verify_subject_alt_names = block.verify_subject_alt_names;
  return tls::ClientContext::create(std::move(options), stats, {{"cluster", cluster.name}});
}

}  // namespace

namespace {

// The health table for `info` (see create()).
HealthTablePtr healthTableFor(const ClusterInfo& info, const ClusterInfo* previous) {
  const bool had_table = previous != nullptr && previous->active_health != nullptr;
  if (had_table && previous->endpoint_names == info.endpoint_names &&
      previous->config.health_check == info.config.health_check) {
    return previous->active_health;
  }
  auto table = std::make_shared<HealthTable>(info.endpoint_names.size());
  if (!had_table) return table;
  const auto carried = matchHostsByName(previous->endpoint_names, info.endpoint_names);
  for (size_t i = 0; i < carried.size(); ++i) {
    if (carried[i]) table->set(i, previous->active_health->failed(*carried[i]));
  }
  return table;
}

}  // namespace

Result<std::shared_ptr<const ClusterInfo>> ClusterInfo::create(const config::Cluster& config,
                                                               stats::Store& store,
                                                               const ClusterInfo* previous) {
  auto info = std::make_shared<ClusterInfo>();
  info->config = config;
  for (const auto& endpoint : config.endpoints) {
    auto address = network::parseAddress(endpoint.address.address, endpoint.address.port);
    if (!address)
      return Status::error("cluster '" + config.name + "': " + address.status().message());
    info->endpoints.push_back(*address);
    info->endpoint_names.push_back(address->toString());
    info->host_specs.push_back(HostSpec{info->endpoint_names.back(), endpoint.weight, {}});
  }
  auto hosts = HostSet::create(info->host_specs);
  if (!hosts) return Status::error("cluster '" + config.name + "': " + hosts.status().message());
  auto balancer = LoadBalancerFactory::create(config.lb, (*hosts)->all());
  if (!balancer) {
    return Status::error("cluster '" + config.name + "': " + balancer.status().message());
  }
  info->balancer = std::move(*balancer);
  if (config.health_check) info->active_health = healthTableFor(*info, previous);
  info->stats = std::make_unique<ClusterStats>(store, config.name);
  if (config.tls) {
    auto tls = clientTls(config, store);
    if (!tls) return Status::error("cluster '" + config.name + "': tls: " + tls.status().message());
    info->tls = std::move(*tls);
  }
  info->http2_stats =
      std::make_unique<http::Http2Stats>(store, stats::Tags{{"cluster", config.name}});
  return std::shared_ptr<const ClusterInfo>(std::move(info));
}

bool ClusterInfo::startTls(network::Connection& connection, size_t endpoint) const {
  if (!tls) return true;
  tls::SessionPtr session = tls->newSession(endpoint_names[endpoint], endpoint_names[endpoint]);
  if (!session) return false;
  connection.startTls(std::move(session));
  return true;
}

bool ClusterInfo::sameShape(const ClusterInfo& other) const {
  if (endpoints.size() != other.endpoints.size()) return false;
  for (size_t i = 0; i < endpoints.size(); ++i) {
    if (endpoint_names[i] != other.endpoint_names[i]) return false;
  }
  const auto& a = config;
  const auto& b = other.config;
  for (size_t i = 0; i < endpoints.size(); ++i) {
    if (a.endpoints[i].weight != b.endpoints[i].weight) return false;
  }
  return a.connect_timeout_ms == b.connect_timeout_ms && a.max_connections == b.max_connections &&
         a.max_pending_requests == b.max_pending_requests && a.max_requests == b.max_requests &&
         a.max_retries == b.max_retries && a.lb == b.lb && a.hash_policy == b.hash_policy &&
         a.outlier_detection == b.outlier_detection && active_health == other.active_health &&
         a.idle_timeout_ms == b.idle_timeout_ms &&
         a.max_requests_per_connection == b.max_requests_per_connection &&
         a.protocol == b.protocol && a.tls == b.tls;
}

}  // namespace weft::upstream
