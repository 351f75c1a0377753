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
      random_(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32)) {
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
    pools_.clear();
    retired_pools_.clear();
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
    for (auto& [name, pool] : pools_) pool->drain();
  });
}

void Worker::forEachConnection(void (http::ConnectionManager::*method)()) {
  // A call may close its connection (and take it off the list): walk a copy.
  std::vector<http::ConnectionManager*> open;
  for (auto& c : connections_) open.push_back(c.get());
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
  // Pools: keep a pool (and its warm connections) when its cluster did not change shape.
  std::map<std::string, std::unique_ptr<upstream::ConnPool>, std::less<>> pools;
  for (const auto& [name, cluster] : snapshot->clusters) {
    auto old = pools_.find(name);
    if (old != pools_.end() && old->second->cluster().sameShape(*cluster)) {
      pools.emplace(name, std::move(old->second));
      pools_.erase(old);
    }
  }
  for (auto& [name, pool] : pools_) retired_pools_.push_back(std::move(pool));
  pools_ = std::move(pools);
  bool replaced = snapshot_ != nullptr;
  if (snapshot_) retired_snapshots_.push_back(std::move(snapshot_));
  snapshot_ = std::move(snapshot);
  if (replaced) forEachConnection(&http::ConnectionManager::onConfigReplaced);
  sweepRetiredPools();
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

void Worker::sweepRetiredPools() {
  for (auto it = retired_pools_.begin(); it != retired_pools_.end();) {
    it = (*it)->drain() ? retired_pools_.erase(it) : std::next(it);
  }
}

upstream::ConnPool* Worker::pool(const ConfigSnapshot& snapshot, std::string_view cluster) {
  auto info = snapshot.clusters.find(cluster);
  if (info == snapshot.clusters.end()) return nullptr;
  auto it = pools_.find(cluster);
  if (it != pools_.end() && (it->second->clusterPtr() == info->second ||
                             it->second->cluster().sameShape(*info->second))) {
    return it->second.get();
  }
  // A stream from an older snapshot whose cluster changed: serve it from a pool of its own.
  for (auto& retired : retired_pools_) {
    if (retired->clusterPtr() == info->second) return retired.get();
  }
  auto created =
      upstream::makeConnPool(loop_.base(), *deleter_, info->second, kUpstreamHighWatermark);
  upstream::ConnPool* raw = created.get();
  if (it == pools_.end() && snapshot_.get() == &snapshot) {
    pools_.emplace(std::string(cluster), std::move(created));
  } else {
    retired_pools_.push_back(std::move(created));
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
  connections_.push_back(std::make_unique<http::ConnectionManager>(*this, *listener, fd, peer));
  connections_.back()->position = std::prev(connections_.end());
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
  auto position = connection.position;
  deleter_->add(std::move(*position));
  connections_.erase(position);
  active_.fetch_sub(1, std::memory_order_relaxed);
  if (!retired_pools_.empty()) sweepRetiredPools();
}

}  // namespace weft::server
