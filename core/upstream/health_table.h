// HealthTable: the verdicts of a cluster's active health checks as the workers read them — one
// "failed" flag per endpoint and a generation that moves with every change. The main thread's
// HealthChecker writes it; each worker's WorkerCluster compares the generation on every pick (one
// relaxed atomic load) and copies the flags into its HostSet only when it moved. A table outlives
// config reloads that keep the cluster's endpoints and health check, so workers that kept their
// WorkerCluster keep reading the live one.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace weft::upstream {

class HealthTable {
 public:
  // Every host starts failed (as in Envoy: not eligible until its first check passes).
  explicit HealthTable(size_t hosts) : failed_(hosts) {
    for (auto& flag : failed_) flag.store(true, std::memory_order_relaxed);
  }

  size_t size() const { return failed_.size(); }
  // Main thread.
  void set(size_t host, bool failed) {
    failed_[host].store(failed, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  // Any thread. Read generation() first, then the flags.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  bool failed(size_t host) const { return failed_[host].load(std::memory_order_relaxed); }

 private:
  std::vector<std::atomic<bool>> failed_;
  std::atomic<uint64_t> generation_{1};
};

using HealthTablePtr = std::shared_ptr<HealthTable>;

}  // namespace weft::upstream
