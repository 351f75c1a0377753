// lb_bench: nanoseconds per pick for each load-balancing policy (core/upstream/load_balancer.h),
// at 10 and 1000 hosts, with equal and with unequal weights. Each pick is followed by the request
// bookkeeping a worker does (onRequestStart, and onRequestEnd for the pick 32 earlier, so least
// request sees a realistic, moving load); hashing policies get a different key each time. Also
// prints how long the shared ring / Maglev table takes to build. Nothing is asserted.
//
//   cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release
//   ninja -C build/release lb_bench && build/release/tests/lb_bench
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/upstream/load_balancer.h"
#include "core/upstream/load_balancer_prng.h"

namespace {

using weft::upstream::Host;
using weft::upstream::HostSet;
using weft::upstream::HostSetPtr;
using weft::upstream::HostSpec;
using weft::upstream::LbConfig;
using weft::upstream::LbPolicy;
using weft::upstream::LoadBalancerFactory;
using weft::upstream::Prng;
using Clock = std::chrono::steady_clock;

constexpr size_t kInFlight = 32;
constexpr size_t kKeys = 4096;

HostSetPtr makeHosts(size_t count, bool weighted) {
  std::vector<HostSpec> specs;
  for (size_t i = 0; i < count; ++i) {
    specs.push_back({"10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ":8080",
                     weighted ? static_cast<uint32_t>(1 + i % 4) : 1u,
                     {}});
  }
  return std::move(*HostSet::create(std::move(specs)));
}

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void run(const char* name, LbPolicy policy, size_t host_count, bool weighted) {
  HostSetPtr hosts = makeHosts(host_count, weighted);
  LbConfig config;
  config.policy = policy;
  Clock::time_point build_start = Clock::now();
  auto factory = LoadBalancerFactory::create(config, hosts->all());
  double build_ms = secondsSince(build_start) * 1e3;
  auto balancer = std::move(*(*factory)->create(hosts->all(), 1));

  std::vector<uint64_t> keys(kKeys);
  Prng prng(42);
  for (uint64_t& key : keys) key = prng.next();
  std::vector<Host*> in_flight(kInFlight, nullptr);

  uint64_t picks = 0;
  uint64_t checksum = 0;
  Clock::time_point start = Clock::now();
  double elapsed = 0;
  while (elapsed < 0.3) {
    for (int i = 0; i < 10000; ++i, ++picks) {
      Host* host = balancer->chooseHost({keys[picks % kKeys]});
      host->onRequestStart();
      Host*& slot = in_flight[picks % kInFlight];
      if (slot != nullptr) slot->onRequestEnd();
      slot = host;
      checksum += host->index();
    }
    elapsed = secondsSince(start);
  }
  std::printf("%-14s %6zu  %-8s %9.1f", name, host_count, weighted ? "1..4" : "equal",
              elapsed * 1e9 / static_cast<double>(picks));
  if (policy == LbPolicy::kRingHash || policy == LbPolicy::kMaglev) {
    std::printf("   %8.2f", build_ms);
  }
  std::printf("\n");
  if (checksum == 0) std::printf("(checksum 0)\n");  // keeps the loop observable
}

}  // namespace

int main() {
  std::printf("%-14s %6s  %-8s %9s   %8s\n", "policy", "hosts", "weights", "ns/pick", "build ms");
  struct Policy {
    const char* name;
    LbPolicy policy;
    bool weights_matter;
  };
  const Policy policies[] = {{"round_robin", LbPolicy::kRoundRobin, true},
                             {"least_request", LbPolicy::kLeastRequest, true},
                             {"random", LbPolicy::kRandom, true},
                             {"ring_hash", LbPolicy::kRingHash, false},
                             {"maglev", LbPolicy::kMaglev, false}};
  for (const Policy& p : policies) {
    for (size_t hosts : {10, 1000}) {
      run(p.name, p.policy, hosts, false);
      if (p.weights_matter) run(p.name, p.policy, hosts, true);
    }
  }
  return 0;
}
