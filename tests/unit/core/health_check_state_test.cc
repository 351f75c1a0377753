// Tests for the health-check verdicts (core/upstream/health_check_state.h): the pending start,
// both thresholds, streaks broken by a disagreeing result, and state carried over by name.
#include "core/upstream/health_check_state.h"

#include <boost/test/unit_test.hpp>

namespace weft::upstream {
namespace {

using Transition = HealthCheckState::Transition;

BOOST_AUTO_TEST_SUITE(health_check_state)

BOOST_AUTO_TEST_CASE(thresholds_must_be_positive) {
  BOOST_TEST(validateHealthCheckThresholds({}).isOk());
  BOOST_TEST(validateHealthCheckThresholds({0, 1}).message() == "healthy_threshold: must be >= 1");
  BOOST_TEST(validateHealthCheckThresholds({1, 0}).message() ==
             "unhealthy_threshold: must be >= 1");
}

BOOST_AUTO_TEST_CASE(a_new_host_is_healthy_after_its_first_passed_check) {
  HealthCheckState state({2, 3}, {"a", "b"});
  BOOST_TEST(!state.healthy(0));
  BOOST_TEST((state.reportCheck(0, true) == Transition::kBecameHealthy));
  BOOST_TEST(state.healthy(0));
  // A new host that fails first stays unhealthy and then needs the full healthy threshold.
  BOOST_TEST((state.reportCheck(1, false) == Transition::kNone));
  BOOST_TEST((state.reportCheck(1, true) == Transition::kNone));
  BOOST_TEST((state.reportCheck(1, true) == Transition::kBecameHealthy));
}

BOOST_AUTO_TEST_CASE(thresholds_count_consecutive_results) {
  HealthCheckState state({2, 3}, {"a"});
  state.reportCheck(0, true);
  BOOST_TEST((state.reportCheck(0, false) == Transition::kNone));
  BOOST_TEST((state.reportCheck(0, false) == Transition::kNone));
  BOOST_TEST((state.reportCheck(0, true) == Transition::kNone));  // breaks the failing streak
  BOOST_TEST((state.reportCheck(0, false) == Transition::kNone));
  BOOST_TEST((state.reportCheck(0, false) == Transition::kNone));
  BOOST_TEST((state.reportCheck(0, false) == Transition::kBecameUnhealthy));
  BOOST_TEST(!state.healthy(0));
  BOOST_TEST((state.reportCheck(0, true) == Transition::kNone));
  BOOST_TEST((state.reportCheck(0, false) == Transition::kNone));  // breaks the passing streak
  BOOST_TEST((state.reportCheck(0, true) == Transition::kNone));
  BOOST_TEST((state.reportCheck(0, true) == Transition::kBecameHealthy));
}

BOOST_AUTO_TEST_CASE(state_carries_over_by_name) {
  HealthCheckState old_state({2, 2}, {"a", "b"});
  old_state.reportCheck(0, true);  // a: healthy
  old_state.reportCheck(1, true);  // b: healthy, then one failure into its streak
  old_state.reportCheck(1, false);
  HealthCheckState fresh({2, 2}, {"b", "c", "a"});
  fresh.adoptState(old_state);
  BOOST_TEST(fresh.healthy(0));
  BOOST_TEST(!fresh.healthy(1));  // new: pending
  BOOST_TEST(fresh.healthy(2));
  BOOST_TEST((fresh.reportCheck(0, false) == Transition::kBecameUnhealthy));
  BOOST_TEST((fresh.reportCheck(1, true) == Transition::kBecameHealthy));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft::upstream
