// Helpers shared by the core_upstream_test files: host sets and balancers in one line each.
#pragma once

#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "core/upstream/host.h"
#include "core/upstream/load_balancer.h"

namespace weft::upstream::testing {

// "10.0.<i / 256>.<i % 256>:8080": a distinct, realistic name for host i.
inline std::string hostName(size_t i) {
  return "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ":8080";
}

// One host per weight, named hostName(0), hostName(1), ...
inline HostSetPtr makeHosts(const std::vector<uint32_t>& weights) {
  std::vector<HostSpec> specs;
  for (size_t i = 0; i < weights.size(); ++i) specs.push_back({hostName(i), weights[i], {}});
  auto hosts = HostSet::create(std::move(specs));
  BOOST_REQUIRE(hosts);
  return std::move(*hosts);
}

inline HostSetPtr makeHosts(size_t count) { return makeHosts(std::vector<uint32_t>(count, 1)); }

inline LoadBalancerFactoryPtr makeFactory(const LbConfig& config, const HostList& hosts) {
  auto factory = LoadBalancerFactory::create(config, hosts);
  BOOST_REQUIRE_MESSAGE(factory, (factory ? "" : factory.status().message()));
  return *factory;
}

inline LoadBalancerPtr makeBalancer(const LbConfig& config, const HostList& hosts,
                                    uint64_t seed = 0) {
  auto balancer = makeFactory(config, hosts)->create(hosts, seed);
  BOOST_REQUIRE(balancer);
  return std::move(*balancer);
}

inline LbConfig policy(LbPolicy policy) {
  LbConfig config;
  config.policy = policy;
  return config;
}

// How many of `picks` picks went to each host of `hosts`' set, by Host::index().
inline std::vector<int> countPicks(LoadBalancer& balancer, const HostSet& hosts, int picks,
                                   LbContext context = {}) {
  std::vector<int> counts(hosts.size());
  for (int i = 0; i < picks; ++i) {
    Host* host = balancer.chooseHost(context);
    BOOST_REQUIRE(host != nullptr);
    ++counts[host->index()];
  }
  return counts;
}

}  // namespace weft::upstream::testing
