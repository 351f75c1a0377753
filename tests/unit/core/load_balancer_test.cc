// Tests for the non-hashing policies (core/upstream/load_balancer*.h): config parsing and
// validation, round robin (exact over a cycle), random and least request (within stated
// tolerances, seeded so every run is the same), skipping unhealthy hosts, the panic threshold,
// subsets, and a host ejected by the outlier detector being skipped.
#include "core/upstream/load_balancer.h"

#include <boost/test/unit_test.hpp>
#include <string>

#include "core/upstream/host_subsets.h"
#include "core/upstream/outlier_detector.h"
#include "tests/unit/core/upstream_test_util.h"

namespace weft::upstream {
namespace {

using testing::countPicks;
using testing::makeBalancer;
using testing::makeHosts;
using testing::policy;

constexpr LbPolicy kAllPolicies[] = {LbPolicy::kRoundRobin, LbPolicy::kLeastRequest,
                                     LbPolicy::kRandom, LbPolicy::kRingHash, LbPolicy::kMaglev};

std::string errorOf(const LbConfig& config) {
  Status status = validateLbConfig(config);
  return status ? "OK" : status.message();
}

// The picks of `balancer` as a string of letters, host 0 = 'a'.
std::string sequence(LoadBalancer& balancer, int picks) {
  std::string out;
  for (int i = 0; i < picks; ++i) out += static_cast<char>('a' + balancer.chooseHost({})->index());
  return out;
}

BOOST_AUTO_TEST_SUITE(load_balancer_config)

BOOST_AUTO_TEST_CASE(policies_parse_by_name) {
  BOOST_TEST((*parseLbPolicy("round_robin") == LbPolicy::kRoundRobin));
  BOOST_TEST((*parseLbPolicy("least_request") == LbPolicy::kLeastRequest));
  BOOST_TEST((*parseLbPolicy("random") == LbPolicy::kRandom));
  BOOST_TEST((*parseLbPolicy("ring_hash") == LbPolicy::kRingHash));
  BOOST_TEST((*parseLbPolicy("maglev") == LbPolicy::kMaglev));
  auto unknown = parseLbPolicy("ROUND_ROBIN");
  BOOST_REQUIRE(!unknown);
  BOOST_TEST(unknown.status().message() ==
             "unknown load balancing policy \"ROUND_ROBIN\" (supported: round_robin, "
             "least_request, random, ring_hash, maglev)");
}

BOOST_AUTO_TEST_CASE(validation_names_the_field) {
  BOOST_TEST(errorOf({}) == "OK");
  LbConfig c;
  c.healthy_panic_threshold = 101;
  BOOST_TEST(errorOf(c) == "healthy_panic_threshold: must be 0..100");
  c = {};
  c.choice_count = 1;
  BOOST_TEST(errorOf(c) == "choice_count: must be >= 2");
  c = {};
  c.active_request_bias = -0.5;
  BOOST_TEST(errorOf(c) == "active_request_bias: must be >= 0");
  c = {};
  c.minimum_ring_size = 0;
  BOOST_TEST(errorOf(c) == "minimum_ring_size: must be 1..8388608");
  c = {};
  c.maximum_ring_size = 1000;  // below the default minimum of 1024
  BOOST_TEST(errorOf(c) == "maximum_ring_size: must be minimum_ring_size..8388608");
  c = {};
  c.maglev_table_size = 65536;
  BOOST_TEST(errorOf(c) == "maglev_table_size: must be a prime <= 5000011");
  c.maglev_table_size = 5000011;
  BOOST_TEST(errorOf(c) == "OK");
  c.maglev_table_size = 5000077;  // prime, too large
  BOOST_TEST(errorOf(c) == "maglev_table_size: must be a prime <= 5000011");

  auto hosts = makeHosts(1);
  c.policy = LbPolicy::kMaglev;
  auto factory = LoadBalancerFactory::create(c, hosts->all());
  BOOST_REQUIRE(!factory);
  BOOST_TEST(factory.status().message() == "maglev_table_size: must be a prime <= 5000011");
}

BOOST_AUTO_TEST_CASE(every_policy_finds_nothing_in_an_empty_list) {
  auto hosts = makeHosts(0);
  for (LbPolicy p : kAllPolicies) {
    BOOST_TEST(makeBalancer(policy(p), hosts->all())->chooseHost({}) == nullptr);
    BOOST_TEST(makeBalancer(policy(p), hosts->all())->chooseHost({42}) == nullptr);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(round_robin)

BOOST_AUTO_TEST_CASE(equal_weights_rotate_from_a_seeded_start) {
  auto hosts = makeHosts(4);
  auto from_zero = makeBalancer(policy(LbPolicy::kRoundRobin), hosts->all(), 0);
  BOOST_TEST(sequence(*from_zero, 9) == "abcdabcda");
  auto from_two = makeBalancer(policy(LbPolicy::kRoundRobin), hosts->all(), 6);  // 6 % 4
  BOOST_TEST(sequence(*from_two, 6) == "cdabcd");
}

BOOST_AUTO_TEST_CASE(weights_are_smooth_like_nginx) {
  auto hosts = makeHosts({5, 1, 1});
  auto balancer = makeBalancer(policy(LbPolicy::kRoundRobin), hosts->all(), 0);
  BOOST_TEST(sequence(*balancer, 14) == "aabacaaaabacaa");
}

BOOST_AUTO_TEST_CASE(weights_are_exact_over_every_cycle) {
  const std::vector<uint32_t> weights = {3, 7, 1, 4, 2, 9};
  const int cycle = 26;
  auto hosts = makeHosts(weights);
  for (uint64_t seed = 0; seed < 6; ++seed) {
    auto balancer = makeBalancer(policy(LbPolicy::kRoundRobin), hosts->all(), seed);
    for (int round = 0; round < 3; ++round) {
      std::vector<int> counts = countPicks(*balancer, *hosts, cycle);
      for (size_t i = 0; i < weights.size(); ++i) BOOST_TEST(counts[i] == int(weights[i]));
    }
  }
}

BOOST_AUTO_TEST_CASE(unhealthy_hosts_are_skipped_until_they_recover) {
  auto hosts = makeHosts({1, 1, 1, 1});
  auto balancer = makeBalancer(policy(LbPolicy::kRoundRobin), hosts->all(), 0);
  hosts->setHealthFlag(1, HealthFlag::kFailedActiveHealthCheck, true);
  BOOST_TEST(sequence(*balancer, 6) == "acdacd");
  hosts->setHealthFlag(1, HealthFlag::kFailedActiveHealthCheck, false);
  BOOST_TEST(sequence(*balancer, 4) == "abcd");

  auto weighted_hosts = makeHosts({2, 1, 1});
  auto weighted = makeBalancer(policy(LbPolicy::kRoundRobin), weighted_hosts->all(), 0);
  weighted_hosts->setHealthFlag(0, HealthFlag::kEjectedByOutlierDetection, true);
  BOOST_TEST(sequence(*weighted, 4) == "bcbc");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(random_policy)

BOOST_AUTO_TEST_CASE(equal_weights_spread_evenly) {
  // 100000 picks over 4 hosts: a share's standard deviation is 0.14%; allow 1%.
  auto hosts = makeHosts(4);
  auto balancer = makeBalancer(policy(LbPolicy::kRandom), hosts->all(), 7);
  for (int count : countPicks(*balancer, *hosts, 100000)) {
    BOOST_TEST(count / 100000.0 == 0.25, boost::test_tools::tolerance(0.04));  // relative: 1%
  }
}

BOOST_AUTO_TEST_CASE(weights_set_the_shares) {
  auto hosts = makeHosts({1, 2, 3, 4});
  auto balancer = makeBalancer(policy(LbPolicy::kRandom), hosts->all(), 11);
  std::vector<int> counts = countPicks(*balancer, *hosts, 100000);
  for (size_t i = 0; i < 4; ++i) {
    BOOST_TEST(counts[i] / 100000.0 == (i + 1) / 10.0, boost::test_tools::tolerance(0.05));
  }
}

BOOST_AUTO_TEST_CASE(unhealthy_hosts_are_never_picked) {
  auto hosts = makeHosts({1, 5, 1, 1});
  auto balancer = makeBalancer(policy(LbPolicy::kRandom), hosts->all(), 3);
  hosts->setHealthFlag(1, HealthFlag::kFailedActiveHealthCheck, true);
  std::vector<int> counts = countPicks(*balancer, *hosts, 3000);
  BOOST_TEST(counts[1] == 0);
  BOOST_TEST(counts[0] > 800);
  BOOST_TEST(counts[2] > 800);
  BOOST_TEST(counts[3] > 800);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(least_request)

BOOST_AUTO_TEST_CASE(idle_hosts_share_evenly) {
  auto hosts = makeHosts(4);
  auto balancer = makeBalancer(policy(LbPolicy::kLeastRequest), hosts->all(), 5);
  for (int count : countPicks(*balancer, *hosts, 100000)) {
    BOOST_TEST(count / 100000.0 == 0.25, boost::test_tools::tolerance(0.04));
  }
}

BOOST_AUTO_TEST_CASE(a_busy_host_is_picked_only_when_both_choices_land_on_it) {
  auto hosts = makeHosts(4);
  for (int i = 0; i < 10; ++i) hosts->host(0).onRequestStart();
  auto balancer = makeBalancer(policy(LbPolicy::kLeastRequest), hosts->all(), 5);
  std::vector<int> counts = countPicks(*balancer, *hosts, 100000);
  // Two samples with replacement both land on host 0 with probability 1/16.
  BOOST_TEST(counts[0] / 100000.0 == 1.0 / 16, boost::test_tools::tolerance(0.05));
}

BOOST_AUTO_TEST_CASE(requests_that_never_finish_stay_balanced) {
  // Power of two choices keeps the gap between the busiest and idlest host tiny; random picks
  // would leave a spread of about 2 * sqrt(1875) = 87 here.
  auto hosts = makeHosts(4);
  auto balancer = makeBalancer(policy(LbPolicy::kLeastRequest), hosts->all(), 9);
  for (int i = 0; i < 10000; ++i) balancer->chooseHost({})->onRequestStart();
  uint32_t lowest = UINT32_MAX, highest = 0;
  for (size_t i = 0; i < hosts->size(); ++i) {
    lowest = std::min(lowest, hosts->host(i).activeRequests());
    highest = std::max(highest, hosts->host(i).activeRequests());
  }
  BOOST_TEST(highest - lowest <= 4u);
}

BOOST_AUTO_TEST_CASE(unequal_weights_follow_weights_when_idle) {
  auto hosts = makeHosts({1, 3});
  auto balancer = makeBalancer(policy(LbPolicy::kLeastRequest), hosts->all(), 1);
  std::vector<int> counts = countPicks(*balancer, *hosts, 4000);
  BOOST_TEST(counts[0] == 1000);  // EDF is exact with constant weights
  BOOST_TEST(counts[1] == 3000);
}

BOOST_AUTO_TEST_CASE(unequal_weights_shun_a_loaded_host) {
  // Host 1 has weight 3 but 8 requests in flight: 3 / (8 + 1) against host 0's 1 / 1.
  auto hosts = makeHosts({1, 3});
  for (int i = 0; i < 8; ++i) hosts->host(1).onRequestStart();
  auto balancer = makeBalancer(policy(LbPolicy::kLeastRequest), hosts->all(), 1);
  std::vector<int> counts = countPicks(*balancer, *hosts, 4000);
  BOOST_TEST(counts[1] / 4000.0 == 0.25, boost::test_tools::tolerance(0.02));

  LbConfig ignore_load = policy(LbPolicy::kLeastRequest);
  ignore_load.active_request_bias = 0;
  auto blind = makeBalancer(ignore_load, hosts->all(), 1);
  BOOST_TEST(countPicks(*blind, *hosts, 4000)[1] == 3000);
}

BOOST_AUTO_TEST_CASE(unhealthy_hosts_are_never_picked) {
  for (auto weights : {std::vector<uint32_t>{1, 1, 1}, std::vector<uint32_t>{1, 2, 3}}) {
    auto hosts = makeHosts(weights);
    auto balancer = makeBalancer(policy(LbPolicy::kLeastRequest), hosts->all(), 2);
    hosts->setHealthFlag(2, HealthFlag::kFailedActiveHealthCheck, true);
    std::vector<int> counts = countPicks(*balancer, *hosts, 3000);
    BOOST_TEST(counts[2] == 0);
    BOOST_TEST(counts[0] > 500);
    BOOST_TEST(counts[1] > 500);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(panic_threshold)

BOOST_AUTO_TEST_CASE(below_the_threshold_every_host_is_used) {
  for (LbPolicy p : {LbPolicy::kRoundRobin, LbPolicy::kLeastRequest, LbPolicy::kRandom}) {
    auto hosts = makeHosts(10);
    auto balancer = makeBalancer(policy(p), hosts->all(), 4);
    // 5 of 10 healthy: 50% is not below the default threshold of 50%.
    for (size_t i = 0; i < 5; ++i)
      hosts->setHealthFlag(i, HealthFlag::kFailedActiveHealthCheck, true);
    std::vector<int> counts = countPicks(*balancer, *hosts, 2000);
    for (size_t i = 0; i < 5; ++i) BOOST_TEST(counts[i] == 0);
    // 4 of 10 healthy: panic, all ten are picked.
    hosts->setHealthFlag(5, HealthFlag::kEjectedByOutlierDetection, true);
    counts = countPicks(*balancer, *hosts, 2000);
    for (int count : counts) BOOST_TEST(count > 100);
    // Recovery ends the panic.
    hosts->setHealthFlag(5, HealthFlag::kEjectedByOutlierDetection, false);
    counts = countPicks(*balancer, *hosts, 2000);
    BOOST_TEST(counts[0] == 0);
  }
}

BOOST_AUTO_TEST_CASE(the_threshold_is_configurable_and_zero_turns_panic_off) {
  auto hosts = makeHosts(4);
  LbConfig config = policy(LbPolicy::kRoundRobin);
  config.healthy_panic_threshold = 80;  // 3 of 4 healthy = 75%: panic
  auto strict = makeBalancer(config, hosts->all());
  config.healthy_panic_threshold = 0;
  auto never = makeBalancer(config, hosts->all());
  hosts->setHealthFlag(0, HealthFlag::kFailedActiveHealthCheck, true);
  BOOST_TEST(countPicks(*strict, *hosts, 4)[0] == 1);
  BOOST_TEST(countPicks(*never, *hosts, 4)[0] == 0);
  for (size_t i = 1; i < 4; ++i)
    hosts->setHealthFlag(i, HealthFlag::kFailedActiveHealthCheck, true);
  BOOST_TEST(never->chooseHost({}) == nullptr);
  BOOST_TEST(strict->chooseHost({}) != nullptr);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(subsets)

BOOST_AUTO_TEST_CASE(a_balancer_over_a_subset_picks_only_its_hosts_and_panics_on_its_own) {
  auto hosts = HostSet::create({
      {"10.0.0.1:80", 1, {{"version", "v1"}}},
      {"10.0.0.2:80", 1, {{"version", "v2"}}},
      {"10.0.0.3:80", 1, {{"version", "v2"}}},
      {"10.0.0.4:80", 1, {{"version", "v1"}}},
      {"10.0.0.5:80", 1, {{"version", "v2"}}},
  });
  BOOST_REQUIRE(hosts);
  auto subsets = HostSubsets::create(**hosts, {{"v2", {{"version", "v2"}}}});
  BOOST_REQUIRE(subsets);
  const HostList& v2 = *subsets->find("v2");
  for (LbPolicy p : kAllPolicies) {
    auto balancer = makeBalancer(policy(p), v2, 1);
    std::vector<int> counts = countPicks(*balancer, **hosts, 3000);
    BOOST_TEST(counts[0] + counts[3] == 0);
    BOOST_TEST(counts[1] > 0);
    BOOST_TEST(counts[2] > 0);
    BOOST_TEST(counts[4] > 0);
  }
  // v1 hosts failing do not put the v2 subset in panic; 2 of 3 v2 hosts failing does.
  auto balancer = makeBalancer(policy(LbPolicy::kRoundRobin), v2);
  (*hosts)->setHealthFlag(0, HealthFlag::kFailedActiveHealthCheck, true);
  (*hosts)->setHealthFlag(3, HealthFlag::kFailedActiveHealthCheck, true);
  (*hosts)->setHealthFlag(1, HealthFlag::kFailedActiveHealthCheck, true);
  BOOST_TEST(countPicks(*balancer, **hosts, 300)[1] == 0);
  (*hosts)->setHealthFlag(2, HealthFlag::kFailedActiveHealthCheck, true);
  BOOST_TEST(countPicks(*balancer, **hosts, 300)[1] == 100);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(outlier_ejection)

BOOST_AUTO_TEST_CASE(a_host_the_detector_ejects_is_skipped_until_it_returns) {
  auto hosts = makeHosts(4);
  std::vector<std::string> names;
  for (size_t i = 0; i < hosts->size(); ++i) names.push_back(hosts->host(i).name());
  OutlierConfig config;
  config.max_ejection_percent = 50;
  MonotonicTime t0{};
  OutlierDetector detector(
      config, names,
      [&](size_t host, bool ejected) {
        hosts->setHealthFlag(host, HealthFlag::kEjectedByOutlierDetection, ejected);
      },
      t0);
  auto balancer = makeBalancer(policy(LbPolicy::kRoundRobin), hosts->all());
  for (int i = 0; i < 5; ++i) detector.reportResult(2, RequestOutcome::httpStatus(503), t0);
  BOOST_TEST(countPicks(*balancer, *hosts, 30)[2] == 0);
  detector.tick(t0 + config.base_ejection_time);
  BOOST_TEST(countPicks(*balancer, *hosts, 4)[2] == 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft::upstream
