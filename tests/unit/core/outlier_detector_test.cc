// Tests for outlier detection (core/upstream/outlier_detector.h). Time is passed in, so nothing
// sleeps: ejection after consecutive 5xx / gateway errors, return after the base time, longer
// ejections on repeat and their forgiveness, the cap, max_ejection_percent, and state carried
// over to the detector of a new config.
#include "core/upstream/outlier_detector.h"

#include <boost/test/unit_test.hpp>
#include <utility>
#include <vector>

namespace weft::upstream {
namespace {

using namespace std::chrono_literals;

const MonotonicTime t0{};

std::vector<std::string> names(size_t count) {
  std::vector<std::string> out;
  for (size_t i = 0; i < count; ++i) out.push_back("10.0.0." + std::to_string(i) + ":80");
  return out;
}

// A detector over `count` hosts that records every callback.
struct Fixture {
  explicit Fixture(size_t count, OutlierConfig config = permissive())
      : config(config),
        detector(
            config, names(count),
            [this](size_t host, bool ejected) { events.emplace_back(host, ejected); }, t0) {}

  static OutlierConfig permissive() {
    OutlierConfig c;
    c.max_ejection_percent = 100;
    return c;
  }

  void fail(size_t host, int times, MonotonicTime now, int status = 500) {
    for (int i = 0; i < times; ++i)
      detector.reportResult(host, RequestOutcome::httpStatus(status), now);
  }

  OutlierConfig config;
  std::vector<std::pair<size_t, bool>> events;
  OutlierDetector detector;
};

using Events = std::vector<std::pair<size_t, bool>>;

BOOST_AUTO_TEST_SUITE(outlier_detector)

BOOST_AUTO_TEST_CASE(config_validation_names_the_field) {
  auto error = [](OutlierConfig c) {
    Status s = validateOutlierConfig(c);
    return s ? std::string("OK") : s.message();
  };
  BOOST_TEST(error({}) == "OK");
  OutlierConfig c;
  c.interval = 0ms;
  BOOST_TEST(error(c) == "interval: must be positive");
  c = {};
  c.base_ejection_time = 0ms;
  BOOST_TEST(error(c) == "base_ejection_time: must be positive");
  c = {};
  c.max_ejection_time = -1ms;
  BOOST_TEST(error(c) == "max_ejection_time: must not be negative");
  c = {};
  c.max_ejection_percent = 101;
  BOOST_TEST(error(c) == "max_ejection_percent: must be 0..100");
}

BOOST_AUTO_TEST_CASE(five_consecutive_5xx_eject_and_a_success_resets_the_streak) {
  Fixture f(4);
  f.fail(1, 4, t0);
  f.detector.reportResult(1, RequestOutcome::httpStatus(404), t0);  // not a 5xx: resets
  f.fail(1, 4, t0);
  BOOST_TEST(!f.detector.ejected(1));
  BOOST_TEST(f.events.empty());
  f.detector.reportResult(1, RequestOutcome::connectFailure(), t0);  // counts as a 5xx
  BOOST_TEST(f.detector.ejected(1));
  BOOST_TEST((f.events == Events{{1, true}}));
  const OutlierStats& s = f.detector.stats();
  BOOST_TEST(s.ejections_total == 1u);
  BOOST_TEST(s.ejections_active == 1u);
  BOOST_TEST(s.ejections_consecutive_5xx == 1u);
  BOOST_TEST(s.ejections_consecutive_gateway_failure == 0u);
}

BOOST_AUTO_TEST_CASE(consecutive_gateway_errors_eject_and_other_5xx_break_that_streak) {
  OutlierConfig config = Fixture::permissive();
  config.consecutive_5xx = 0;  // off
  config.consecutive_gateway_errors = 3;
  Fixture f(2, config);
  f.fail(0, 2, t0, 502);
  f.fail(0, 1, t0, 500);  // a 5xx but not a gateway error
  f.fail(0, 1, t0, 503);
  f.detector.reportResult(0, RequestOutcome::connectFailure(), t0);
  BOOST_TEST(!f.detector.ejected(0));
  f.fail(0, 1, t0, 504);
  BOOST_TEST(f.detector.ejected(0));
  BOOST_TEST(f.detector.stats().ejections_consecutive_gateway_failure == 1u);
  f.fail(1, 50, t0, 500);  // consecutive_5xx is off
  BOOST_TEST(!f.detector.ejected(1));
}

BOOST_AUTO_TEST_CASE(an_ejected_host_returns_after_the_base_time) {
  Fixture f(2);
  f.fail(0, 5, t0 + 1s);
  BOOST_TEST((f.detector.nextTick() == t0 + 10s));  // the interval ends first
  f.detector.tick(t0 + 10s);
  BOOST_TEST((f.detector.nextTick() == t0 + 20s));
  f.detector.tick(t0 + 20s);
  BOOST_TEST((f.detector.nextTick() == t0 + 30s));
  f.detector.tick(t0 + 30s);
  BOOST_TEST((f.detector.nextTick() == t0 + 31s));
  f.detector.tick(t0 + 31s - 1ms);
  BOOST_TEST(f.detector.ejected(0));
  f.detector.tick(t0 + 31s);
  BOOST_TEST(!f.detector.ejected(0));
  BOOST_TEST((f.events == Events{{0, true}, {0, false}}));
  BOOST_TEST(f.detector.stats().ejections_active == 0u);
  BOOST_TEST(f.detector.stats().ejections_total == 1u);
}

BOOST_AUTO_TEST_CASE(results_while_ejected_are_ignored) {
  Fixture f(2);
  f.fail(0, 5, t0);
  f.fail(0, 20, t0);  // in-flight requests finishing badly
  f.detector.tick(t0 + 30s);
  BOOST_TEST(!f.detector.ejected(0));
  f.fail(0, 4, t0 + 30s);  // a fresh streak is needed
  BOOST_TEST(!f.detector.ejected(0));
  BOOST_TEST(f.detector.stats().ejections_total == 1u);
}

BOOST_AUTO_TEST_CASE(a_second_ejection_lasts_longer_and_recovery_is_forgiven_per_interval) {
  Fixture f(2);
  f.fail(0, 5, t0);
  f.detector.tick(t0 + 30s);  // back after 1 × 30s
  f.fail(0, 5, t0 + 30s);
  BOOST_TEST(f.detector.ejectionCount(0) == 2u);
  f.detector.tick(t0 + 89s);
  BOOST_TEST(f.detector.ejected(0));
  f.detector.tick(t0 + 90s);  // 2 × 30s
  BOOST_TEST(!f.detector.ejected(0));
  BOOST_TEST(f.detector.ejectionCount(0) == 2u);
  // Two whole intervals in service forgive both ejections.
  f.detector.tick(t0 + 100s);
  BOOST_TEST(f.detector.ejectionCount(0) == 1u);
  f.detector.tick(t0 + 110s);
  BOOST_TEST(f.detector.ejectionCount(0) == 0u);
  f.fail(0, 5, t0 + 110s);
  f.detector.tick(t0 + 140s);
  BOOST_TEST(!f.detector.ejected(0));  // 1 × 30s again
}

BOOST_AUTO_TEST_CASE(ejection_time_is_capped_by_max_ejection_time) {
  OutlierConfig config = Fixture::permissive();
  config.max_ejection_time = 50s;
  Fixture f(1, config);
  // Ejections of 30s, then 50s (not 60s), then 50s (not 90s), each right after the last return.
  const std::pair<MonotonicTime, MonotonicTime> ejections[] = {
      {t0, t0 + 30s}, {t0 + 30s, t0 + 80s}, {t0 + 80s, t0 + 130s}};
  for (auto [from, until] : ejections) {
    f.fail(0, 5, from);
    f.detector.tick(until - 1ms);
    BOOST_TEST(f.detector.ejected(0));
    f.detector.tick(until);
    BOOST_TEST(!f.detector.ejected(0));
  }
  BOOST_TEST(f.detector.ejectionCount(0) == 3u);
}

BOOST_AUTO_TEST_CASE(max_ejection_percent_is_respected) {
  OutlierConfig config;
  config.max_ejection_percent = 20;  // 2 of 10 hosts
  Fixture f(10, config);
  f.fail(0, 5, t0);
  f.fail(1, 5, t0);
  f.fail(2, 5, t0);
  BOOST_TEST(f.detector.ejected(0));
  BOOST_TEST(f.detector.ejected(1));
  BOOST_TEST(!f.detector.ejected(2));
  BOOST_TEST(f.detector.stats().ejections_overflow == 1u);
  BOOST_TEST(f.detector.stats().ejections_active == 2u);
  // Once one returns there is room again, but host 2 must fail a whole streak anew.
  f.detector.tick(t0 + 30s);
  f.fail(2, 4, t0 + 30s);
  BOOST_TEST(!f.detector.ejected(2));
  f.fail(2, 1, t0 + 30s);
  BOOST_TEST(f.detector.ejected(2));

  Fixture few(5, OutlierConfig{});  // the default 10% of 5 hosts is less than one host
  few.fail(0, 5, t0);
  BOOST_TEST(!few.detector.ejected(0));
  BOOST_TEST(few.detector.stats().ejections_overflow == 1u);
}

BOOST_AUTO_TEST_CASE(state_carries_over_to_a_new_detector_by_host_name) {
  Fixture old_config(3);
  old_config.fail(0, 5, t0);  // "10.0.0.0:80": ejected
  old_config.fail(1, 5, t0);  // "10.0.0.1:80": ejected, then back
  old_config.detector.tick(t0 + 30s);
  old_config.fail(1, 4, t0 + 30s);  // ... and one failure short of a second ejection
  old_config.fail(0, 5, t0 + 30s);  // host 0 came back too, and is ejected again: 60s
  BOOST_TEST(old_config.detector.ejected(0));

  // The new config drops "10.0.0.2:80", keeps 0 and 1 in another order and adds "10.0.0.9:80".
  std::vector<std::pair<size_t, bool>> events;
  OutlierDetector fresh(
      Fixture::permissive(), {"10.0.0.9:80", "10.0.0.1:80", "10.0.0.0:80"},
      [&](size_t host, bool ejected) { events.emplace_back(host, ejected); }, t0 + 31s);
  fresh.adoptState(old_config.detector);
  BOOST_TEST((events == Events{{2, true}}));  // told about the carried ejection
  BOOST_TEST(!fresh.ejected(0));
  BOOST_TEST(!fresh.ejected(1));
  BOOST_TEST(fresh.ejected(2));
  BOOST_TEST(fresh.ejectionCount(2) == 2u);
  BOOST_TEST(fresh.stats().ejections_total == 3u);
  BOOST_TEST(fresh.stats().ejections_active == 1u);
  // Host "10.0.0.1:80" keeps its streak of 4 and its one earlier ejection: one more 5xx ejects it
  // for 2 × 30s.
  fresh.reportResult(1, RequestOutcome::httpStatus(500), t0 + 31s);
  BOOST_TEST(fresh.ejected(1));
  BOOST_TEST(fresh.ejectionCount(1) == 2u);
  // The carried ejection of "10.0.0.0:80" ends when it would have (second one: 30s + 60s).
  fresh.tick(t0 + 90s - 1ms);
  BOOST_TEST(fresh.ejected(2));
  fresh.tick(t0 + 90s);
  BOOST_TEST(!fresh.ejected(2));
  BOOST_TEST(fresh.ejectionCount(0) == 0u);  // the new host starts clean
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft::upstream
