// Worker: see worker.h.
#include "core/server/worker.h"

#include <unistd.h>

#include "core/common/logging.h"

namespace weft::server {

namespace {
// Response bytes buffered from an upstream before its connection stops being read.
constexpr size_t kUpstreamHighWatermark = 1 << 20;
}  // namespace

Worker::Worker(uint32_t index, uint32_t count, stats::Store& stats, event::EventLoop& main)
    : deleter_(std::make_unique<event::DeferredDeleter>(loop_.base())),
      stats_(stats),
      main_(main),
      random_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32)),
      shadows_(std::make_unique<http::ShadowRequests>(*deleter_)) {
  host_worker_.index = index;
  host_worker_.count = count;
  host_worker_.base = loop_.base();
}

Worker::~Worker() { stop(); }

void Worker::start(SnapshotPtr snapshot, ListenerSockets sockets) {
  apply(std::move(snapshot), std::move(sockets));
  thread_ = std::thread([this] {
    loop_.run();
    // Leaving: close everything this thread owns, on this thread.
    listeners_.clear();
    connections_.clear();
    shadows_.reset();
    clusters_.clear();
    retired_clusters_.clear();
    deleter_.reset();
    stopFilters(*snapshot_);
    for (const auto& retired : retired_snapshots_) stopFilters(*retired);
  });
}

void Worker::update(SnapshotPtr snapshot, ListenerSockets sockets) {
  loop_.post([this, snapshot = std::move(snapshot), sockets = std::move(sockets)]() mutable {
    apply(std::move(snapshot), std::move(sockets));
  });
}

void Worker::drain() {
  loop_.post([this] {
    draining_ = true;
    listeners_.clear();
    forEachConnection(&http::ConnectionManager::drain);
    for (auto& [name, cluster] : clusters_) cluster->drain();
  });
}

void Worker::forEachConnection(void (http::ConnectionManager::*method)()) {
  // A call may close its connection (and take it off the list): walk a copy.
  std::vector<http::ConnectionManager*> open;
  for (auto& c : connections_) open.push_back(&c);
  for (auto* c : open) (c->*method)();
}

void Worker::stop() {
  if (!thread_.joinable()) return;
  loop_.exit();
  thread_.join();
}

void Worker::apply(SnapshotPtr snapshot, ListenerSockets sockets) {
  // Listeners: keep the sockets of listeners that still exist, open the new ones.
  for (auto it = listeners_.begin(); it != listeners_.end();) {
    it = snapshot->listeners.count(it->first) ? std::next(it) : listeners_.erase(it);
  }
  for (auto& [name, fd] : sockets) {
    if (draining_) {
      close(fd);
      continue;
    }
    std::string key = name;
    listeners_[name] = std::make_unique<network::Listener>(
        loop_.base(), fd, [this, key](evutil_socket_t client, const network::Address& peer) {
          accept(key, client, peer);
        });
  }
  // Clusters: keep one (its balancer, outlier state and warm connections) when it did not change
  // shape; a changed one starts afresh but keeps the outlier state of the hosts that stay.
  std::map<std::string, std::unique_ptr<upstream::WorkerCluster>, std::less<>> clusters;
  for (const auto& [name, info] : snapshot->clusters) {
    auto old = clusters_.find(name);
    if (old != clusters_.end() && old->second->info().sameShape(*info)) {
      clusters.emplace(name, std::move(old->second));
      clusters_.erase(old);
      continue;
    }
    auto created = makeCluster(info);
    if (old != clusters_.end()) created->adoptState(*old->second);
    clusters.emplace(name, std::move(created));
  }
  for (auto& [name, cluster] : clusters_) retired_clusters_.push_back(std::move(cluster));
  clusters_ = std::move(clusters);
  bool replaced = snapshot_ != nullptr;
  if (snapshot_) retired_snapshots_.push_back(std::move(snapshot_));
  snapshot_ = std::move(snapshot);
  if (replaced) forEachConnection(&http::ConnectionManager::onConfigReplaced);
  sweepRetiredClusters();
  sweepRetiredSnapshots();
}

void Worker::release(const ConfigSnapshot& snapshot) {
  auto it = users_.find(&snapshot);
  if (--it->second > 0) return;
  users_.erase(it);
  if (!retired_snapshots_.empty()) sweepRetiredSnapshots();
}

void Worker::stopFilters(const ConfigSnapshot& snapshot) {
  for (const auto& [name, listener] : snapshot.listeners) {
    for (const auto& filter : listener->chain) filter->stopWorker(host_worker_.index);
  }
}

void Worker::sweepRetiredSnapshots() {
  for (auto it = retired_snapshots_.begin(); it != retired_snapshots_.end();) {
    if (users_.count(it->get())) {
      ++it;
      continue;
    }
    stopFilters(**it);
    main_.post([retired = std::move(*it)] {});  // the last reference may go on the main thread
    it = retired_snapshots_.erase(it);
  }
}

void Worker::sweepRetiredClusters() {
  for (auto it = retired_clusters_.begin(); it != retired_clusters_.end();) {
    it = (*it)->drain() ? retired_clusters_.erase(it) : std::next(it);
  }
}

std::unique_ptr<upstream::WorkerCluster> Worker::makeCluster(upstream::ClusterInfoPtr info) {
  return std::make_unique<upstream::WorkerCluster>(loop_.base(), *deleter_, std::move(info),
                                                   kUpstreamHighWatermark, random_());
}

upstream::WorkerCluster* Worker::cluster(const ConfigSnapshot& snapshot, std::string_view cluster) {
  auto info = snapshot.clusters.find(cluster);
  if (info == snapshot.clusters.end()) return nullptr;
  auto it = clusters_.find(cluster);
  if (it != clusters_.end() &&
      (it->second->infoPtr() == info->second || it->second->info().sameShape(*info->second))) {
    return it->second.get();
  }
  // A stream from an older snapshot whose cluster changed: serve it from one of its own.
  for (auto& retired : retired_clusters_) {
    if (retired->infoPtr() == info->second) return retired.get();
  }
  auto created = makeCluster(info->second);
  upstream::WorkerCluster* raw = created.get();
  if (it == clusters_.end() && snapshot_.get() == &snapshot) {
    clusters_.emplace(std::string(cluster), std::move(created));
  } else {
    retired_clusters_.push_back(std::move(created));
  }
  return raw;
}

void Worker::accept(const std::string& name, evutil_socket_t fd, const network::Address& peer) {
  auto it = snapshot_->listeners.find(name);
  if (it == snapshot_->listeners.end() || draining_) {
    close(fd);
    return;
  }
  const auto& listener = it->second;
  if (static_cast<uint64_t>(listener->stats->cx_active.value()) >=
      listener->config.limits.max_connections) {
    listener->stats->cx_overflow.inc();
    close(fd);
    return;
  }
  if (listener->config.protocol == config::ListenerProtocol::kTcp) {
    acceptTcp(*listener, fd);
    return;
  }
  active_.fetch_add(1, std::memory_order_relaxed);
  connections_.pushBack(std::make_unique<http::ConnectionManager>(*this, *listener, fd, peer));
}

stats::Counter& Worker::tcpCounter(const std::string& listener, const char* name) {
  return stats_.counter(name, {{"listener", listener}});
}

void Worker::acceptTcp(const ListenerSnapshot& listener, evutil_socket_t fd) {
  const std::string& name = listener.config.name;
  auto cluster = snapshot_->clusters.find(listener.config.cluster);
  if (cluster == snapshot_->clusters.end() || cluster->second->endpoints.empty()) {
    close(fd);
    return;
  }
  auto& stats = tcp_stats_[name];
  if (!stats) {
    stats.reset(new tcp::TcpProxyStats{listener.stats->cx_total, listener.stats->cx_active,
                                       tcpCounter(name, "tcp_connect_fail"),
                                       listener.stats->cx_idle_timeout,
                                       listener.stats->bytes_received, listener.stats->bytes_sent});
  }
  const auto& endpoints = cluster->second->endpoints;
  const auto& target = endpoints[tcp_next_endpoint_[name]++ % endpoints.size()];
  tcp::TcpProxyOptions options;
  options.connect_timeout_ms = cluster->second->config.connect_timeout_ms;
  options.idle_timeout_ms = listener.config.limits.idle_timeout_ms;
  options.high_watermark = listener.config.limits.buffer_high_watermark;
  active_.fetch_add(1, std::memory_order_relaxed);
  tcp::startTcpProxy(loop_.base(), fd, target.sa(), target.length, options, *stats,
                     [this] { active_.fetch_sub(1, std::memory_order_relaxed); });
}

void Worker::connectionClosed(http::ConnectionManager& connection) {
  deleter_->add(connections_.remove(connection));
  active_.fetch_sub(1, std::memory_order_relaxed);
  if (!retired_clusters_.empty()) sweepRetiredClusters();
}

}  // namespace weft::server
