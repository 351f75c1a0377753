// Worker: one data-plane thread with its own event loop, its own SO_REUSEPORT listening sockets,
// its own view of each upstream cluster (balancer, outlier state, connection pool: WorkerCluster)
// and the connections it accepted. A connection never leaves
// its worker, so nothing on the data path takes a lock. The main thread talks to a worker only by
// posting closures to its loop (new snapshot, drain, stop).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/event/event_loop.h"
#include "core/http/connection_manager.h"
#include "core/network/listener.h"
#include "core/server/snapshot.h"
#include "core/tcp/tcp_proxy.h"
#include "plugins/host/host_stream.h"

namespace weft::server {

// Listening sockets opened by the main thread for one worker, keyed by listener name.
using ListenerSockets = std::map<std::string, int>;

class Worker : public http::WorkerContext {
 public:
  // `main` is the main thread's loop: replaced snapshots are released there, so module configs
  // are destroyed on the main thread as the ABI promises.
  Worker(uint32_t index, uint32_t count, stats::Store& stats, event::EventLoop& main);
  ~Worker() override;

  // Starts the thread on `snapshot` with `sockets` (one per listener).
  void start(SnapshotPtr snapshot, ListenerSockets sockets);
  // Posts a new snapshot; `sockets` holds sockets for listeners that are new in it. Listeners
  // gone from the snapshot stop accepting; their open connections finish.
  void update(SnapshotPtr snapshot, ListenerSockets sockets);
  // Posts: stop accepting, close idle connections, end keep-alive on the others.
  void drain();
  // Posts loop exit and joins the thread.
  void stop();
  // Open downstream connections (HTTP and TCP). Safe from any thread.
  size_t activeConnections() const { return active_.load(std::memory_order_relaxed); }

  // WorkerContext
  event_base* base() override { return loop_.base(); }
  event::DeferredDeleter& deleter() override { return *deleter_; }
  const SnapshotPtr& snapshot() override { return snapshot_; }
  upstream::WorkerCluster* cluster(const ConfigSnapshot& snapshot,
                                   std::string_view cluster) override;
  http::ShadowRequests& shadows() override { return *shadows_; }
  uint32_t index() const override { return host_worker_.index; }
  weft_worker_host* hostWorker() override { return host_worker_.handle(); }
  std::mt19937_64& random() override { return random_; }
  bool draining() const override { return draining_; }
  void connectionClosed(http::ConnectionManager& connection) override;
  void acquire(const ConfigSnapshot& snapshot) override { ++users_[&snapshot]; }
  void release(const ConfigSnapshot& snapshot) override;

 private:
  void apply(SnapshotPtr snapshot, ListenerSockets sockets);
  void accept(const std::string& listener, evutil_socket_t fd, const network::Address& peer);
  void acceptTcp(const ListenerSnapshot& listener, evutil_socket_t fd);
  void sweepRetiredClusters();
  std::unique_ptr<upstream::WorkerCluster> makeCluster(upstream::ClusterInfoPtr info);
  void forEachConnection(void (http::ConnectionManager::*method)());
  // Lets go of replaced snapshots nothing on this worker uses any more.
  void sweepRetiredSnapshots();
  void stopFilters(const ConfigSnapshot& snapshot);
  stats::Counter& tcpCounter(const std::string& listener, const char* name);

  event::EventLoop loop_;
  std::unique_ptr<event::DeferredDeleter> deleter_;
  std::thread thread_;
  stats::Store& stats_;
  event::EventLoop& main_;
  plugins::HostWorker host_worker_;
  std::mt19937_64 random_;
  SnapshotPtr snapshot_;
  std::vector<SnapshotPtr> retired_snapshots_;
  std::map<const ConfigSnapshot*, size_t> users_;  // streams and connections per snapshot
  std::map<std::string, std::unique_ptr<network::Listener>> listeners_;
  std::map<std::string, std::unique_ptr<upstream::WorkerCluster>, std::less<>> clusters_;
  std::vector<std::unique_ptr<upstream::WorkerCluster>> retired_clusters_;
  std::unique_ptr<http::ShadowRequests> shadows_;  // before the clusters they use go
  std::map<std::string, std::unique_ptr<tcp::TcpProxyStats>> tcp_stats_;
  http::ConnectionList connections_;
  std::map<std::string, size_t> tcp_next_endpoint_;
  std::atomic<size_t> active_{0};
  bool draining_ = false;
};

}  // namespace weft::server
