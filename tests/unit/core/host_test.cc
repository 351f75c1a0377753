// Tests for the host model (core/upstream/host.h, host_subsets.h): validation, health flags and
// their generation, label subsets with Istio semantics, matching hosts by name across reloads.
#include "core/upstream/host.h"

#include <boost/test/unit_test.hpp>

#include "core/upstream/host_subsets.h"
#include "tests/unit/core/upstream_test_util.h"

namespace weft::upstream {
namespace {

using testing::makeHosts;

std::vector<std::string> namesOf(const HostList& list) {
  std::vector<std::string> names;
  for (const Host* host : list.hosts()) names.push_back(host->name());
  return names;
}

// Three hosts labelled like pods of two versions in two zones.
HostSetPtr labelledHosts() {
  auto hosts = HostSet::create({
      {"10.0.0.1:80", 1, {{"version", "v1"}, {"zone", "a"}}},
      {"10.0.0.2:80", 1, {{"version", "v2"}, {"zone", "a"}}},
      {"10.0.0.3:80", 1, {{"version", "v2"}, {"zone", "b"}}},
  });
  BOOST_REQUIRE(hosts);
  return std::move(*hosts);
}

BOOST_AUTO_TEST_SUITE(host_set)

BOOST_AUTO_TEST_CASE(create_rejects_bad_specs) {
  auto error = [](std::vector<HostSpec> specs) {
    auto hosts = HostSet::create(std::move(specs));
    return hosts ? std::string("OK") : hosts.status().message();
  };
  BOOST_TEST(error({{"", 1, {}}}) == "a host has an empty name");
  BOOST_TEST(error({{"1.2.3.4:80", 0, {}}}) == "host 1.2.3.4:80: weight must be >= 1");
  BOOST_TEST(error({{"1.2.3.4:80", 1, {}}, {"1.2.3.4:80", 2, {}}}) ==
             "host 1.2.3.4:80 is listed twice");
  BOOST_TEST(error({}) == "OK");
}

BOOST_AUTO_TEST_CASE(hosts_keep_their_spec_and_index) {
  auto hosts = makeHosts({3, 1});
  BOOST_TEST(hosts->size() == 2u);
  BOOST_TEST(hosts->host(1).name() == "10.0.0.1:8080");
  BOOST_TEST(hosts->host(1).index() == 1u);
  BOOST_TEST(hosts->host(0).weight() == 3u);
  BOOST_TEST(hosts->all().size() == 2u);
  BOOST_TEST(hosts->host(0).healthy());
  hosts->host(0).onRequestStart();
  hosts->host(0).onRequestStart();
  hosts->host(0).onRequestEnd();
  BOOST_TEST(hosts->host(0).activeRequests() == 1u);
}

BOOST_AUTO_TEST_CASE(health_flags_move_the_generation_only_when_health_changes) {
  auto hosts = makeHosts(2);
  uint64_t start = hosts->healthGeneration();
  BOOST_TEST(hosts->setHealthFlag(0, HealthFlag::kEjectedByOutlierDetection, true));
  BOOST_TEST(!hosts->host(0).healthy());
  BOOST_TEST(hosts->host(0).hasHealthFlag(HealthFlag::kEjectedByOutlierDetection));
  BOOST_TEST(!hosts->host(0).hasHealthFlag(HealthFlag::kFailedActiveHealthCheck));
  BOOST_TEST(hosts->healthGeneration() == start + 1);
  BOOST_TEST(hosts->all().healthGeneration() == start + 1);

  // A second reason to be unhealthy changes nothing a balancer sees.
  BOOST_TEST(!hosts->setHealthFlag(0, HealthFlag::kFailedActiveHealthCheck, true));
  BOOST_TEST(hosts->healthGeneration() == start + 1);
  // Clearing one of two reasons leaves the host unhealthy.
  BOOST_TEST(!hosts->setHealthFlag(0, HealthFlag::kEjectedByOutlierDetection, false));
  BOOST_TEST(!hosts->host(0).healthy());
  BOOST_TEST(hosts->setHealthFlag(0, HealthFlag::kFailedActiveHealthCheck, false));
  BOOST_TEST(hosts->host(0).healthy());
  BOOST_TEST(hosts->healthGeneration() == start + 2);
  // Clearing a flag that is not set is no change.
  BOOST_TEST(!hosts->setHealthFlag(1, HealthFlag::kFailedActiveHealthCheck, false));
  BOOST_TEST(hosts->healthGeneration() == start + 2);
}

BOOST_AUTO_TEST_CASE(select_keeps_hosts_whose_labels_contain_the_selector) {
  auto hosts = labelledHosts();
  using Names = std::vector<std::string>;
  BOOST_TEST(namesOf(hosts->select({{"version", "v2"}})) == (Names{"10.0.0.2:80", "10.0.0.3:80"}));
  BOOST_TEST(namesOf(hosts->select({{"version", "v2"}, {"zone", "a"}})) == Names{"10.0.0.2:80"});
  BOOST_TEST(namesOf(hosts->select({{"version", "v3"}})).empty());
  BOOST_TEST(namesOf(hosts->select({{"region", "a"}})).empty());
  BOOST_TEST(hosts->select({}).size() == 3u);
}

BOOST_AUTO_TEST_CASE(named_subsets_are_found_by_name) {
  auto hosts = labelledHosts();
  auto subsets = HostSubsets::create(
      *hosts,
      {{"v1", {{"version", "v1"}}}, {"v2", {{"version", "v2"}}}, {"v3", {{"version", "v3"}}}});
  BOOST_REQUIRE(subsets);
  BOOST_REQUIRE(subsets->find("v2") != nullptr);
  BOOST_TEST(subsets->find("v2")->size() == 2u);
  BOOST_TEST(subsets->find("v1")->hosts().front() == &hosts->host(0));
  BOOST_TEST(subsets->find("v3")->size() == 0u);  // valid, just empty
  BOOST_TEST(subsets->find("v4") == nullptr);
  // The subset sees health changes made through the set.
  uint64_t before = subsets->find("v1")->healthGeneration();
  hosts->setHealthFlag(0, HealthFlag::kFailedActiveHealthCheck, true);
  BOOST_TEST(subsets->find("v1")->healthGeneration() != before);
}

BOOST_AUTO_TEST_CASE(subset_names_must_be_unique_and_non_empty) {
  auto hosts = labelledHosts();
  auto twice = HostSubsets::create(*hosts, {{"v1", {{"version", "v1"}}}, {"v1", {}}});
  BOOST_REQUIRE(!twice);
  BOOST_TEST(twice.status().message() == "subset v1 is defined twice");
  auto unnamed = HostSubsets::create(*hosts, {{"", {}}});
  BOOST_REQUIRE(!unnamed);
  BOOST_TEST(unnamed.status().message() == "a subset has an empty name");
}

BOOST_AUTO_TEST_CASE(match_hosts_by_name_maps_new_indices_to_old_ones) {
  auto matches = matchHostsByName({"a", "b", "c"}, {"c", "d", "a"});
  BOOST_REQUIRE(matches.size() == 3u);
  BOOST_TEST((matches[0] == std::optional<size_t>(2)));
  BOOST_TEST(!matches[1].has_value());
  BOOST_TEST((matches[2] == std::optional<size_t>(0)));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft::upstream
