// Tests for core/stats: registration, concurrent updates, histogram maths, and the exact text
// and Prometheus renderings.
#include "core/stats/stats.h"

#include <boost/test/unit_test.hpp>
#include <thread>
#include <vector>

namespace weft::stats {
namespace {

BOOST_AUTO_TEST_SUITE(stats)

BOOST_AUTO_TEST_CASE(concurrent_counter_increments_add_up) {
  Store store;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store] {
      // Each thread looks the stats up itself: the same name must give the same object.
      Counter& c = store.counter("rq_total", {{"listener", "in"}});
      Gauge& g = store.gauge("active");
      for (int i = 0; i < kPerThread; ++i) {
        c.inc();
        g.add(2);
        g.sub(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  BOOST_TEST(store.counter("rq_total", {{"listener", "in"}}).value() ==
             uint64_t{kThreads * kPerThread});
  BOOST_TEST(store.gauge("active").value() == int64_t{kThreads * kPerThread});
}

BOOST_AUTO_TEST_CASE(same_name_and_tags_give_the_same_stat) {
  Store store;
  Counter& a = store.counter("x", {{"k", "1"}});
  Counter& b = store.counter("x", {{"k", "2"}});
  BOOST_TEST(&a != &b);
  BOOST_TEST(&a == &store.counter("x", {{"k", "1"}}));
  a.inc(5);
  BOOST_TEST(store.counter("x", {{"k", "1"}}).value() == 5u);
  BOOST_TEST(b.value() == 0u);
}

BOOST_AUTO_TEST_CASE(a_name_reused_as_another_kind_is_not_exported) {
  Store store;
  store.counter("dup").inc(3);
  Gauge& g = store.gauge("dup");
  g.set(99);
  BOOST_TEST(store.renderText() == "dup: 3\n");
  int entries = 0;
  store.forEach([&](const Store::Entry&) { ++entries; });
  BOOST_TEST(entries == 1);
}

BOOST_AUTO_TEST_CASE(folded_name_puts_tags_before_the_last_component) {
  BOOST_TEST(foldedName("downstream_rq_total", {{"listener", "ingress"}}) ==
             "listener.ingress.downstream_rq_total");
  BOOST_TEST(foldedName("http.rq_total", {{"listener", "in"}, {"route", "r1"}}) ==
             "http.listener.in.route.r1.rq_total");
  BOOST_TEST(foldedName("plain", {}) == "plain");
}

BOOST_AUTO_TEST_CASE(histogram_buckets_sum_and_quantiles) {
  Histogram h;
  BOOST_TEST(h.quantile(0.5) == 0.0);
  h.record(0.3);  // le 0.5
  h.record(7);    // le 10
  h.record(10);   // le 10: bounds are inclusive
  h.record(-4);   // recorded as 0
  h.record(1e9);  // +Inf
  BOOST_TEST(h.count() == 5u);
  BOOST_TEST(h.sum() == 1000000017.3, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(h.cumulative(0) == 2u);  // <= 0.5
  BOOST_TEST(h.cumulative(2) == 2u);  // <= 5
  BOOST_TEST(h.cumulative(3) == 4u);  // <= 10
  BOOST_TEST(h.cumulative(Histogram::kDefaultBounds.size() - 1) == 4u);
  BOOST_TEST(h.cumulative(Histogram::kDefaultBounds.size()) == 5u);
  // Rank 2.5 of 5 lies halfway into the (5, 10] bucket, which holds samples 3 and 4.
  BOOST_TEST(h.quantile(0.5) == 6.25, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(h.quantile(1.0) == Histogram::kDefaultBounds.back());
}

BOOST_AUTO_TEST_CASE(text_rendering_is_sorted_and_exact) {
  Store store;
  store.gauge("server.live").set(-2);
  store.counter("downstream_rq_total", {{"listener", "ingress"}}).inc(12);
  store.counter("a_first").inc();
  Histogram& h = store.histogram("upstream.rq_time", {{"cluster", "a"}});
  h.record(0.3);
  h.record(7);
  h.record(100000000);
  BOOST_TEST(store.renderText() ==
             "a_first: 1\n"
             "listener.ingress.downstream_rq_total: 12\n"
             "server.live: -2\n"
             "upstream.cluster.a.rq_time: P50=7.5 P99=86400000 count=3 sum=100000007.3\n");
}

BOOST_AUTO_TEST_CASE(prometheus_rendering_is_exact) {
  Store store;
  store.counter("downstream_rq_total", {{"listener", "ingress"}}).inc(12);
  store.counter("downstream_rq_total", {{"listener", "we\"ird\\one\nx"}}).inc(1);
  store.counter("istio_requests_total", {{"response_code", "200"}, {"source.app", "web"}}).inc(3);
  store.gauge("server.live").set(1);
  Histogram& h = store.histogram("upstream.rq_time", {{"cluster", "a"}});
  h.record(0.3);
  h.record(7);
  h.record(100000000);

  std::string expected =
      "# TYPE istio_requests_total counter\n"
      "istio_requests_total{response_code=\"200\",source_app=\"web\"} 3\n"
      "# TYPE weft_downstream_rq_total counter\n"
      "weft_downstream_rq_total{listener=\"ingress\"} 12\n"
      "weft_downstream_rq_total{listener=\"we\\\"ird\\\\one\\nx\"} 1\n"
      "# TYPE weft_server_live gauge\n"
      "weft_server_live 1\n"
      "# TYPE weft_upstream_rq_time histogram\n";
  const char* bounds[] = {"0.5",   "1",      "5",      "10",      "25",      "50",      "100",
                          "250",   "500",    "1000",   "2500",    "5000",    "10000",   "30000",
                          "60000", "300000", "600000", "1800000", "3600000", "86400000"};
  for (int i = 0; i < 20; ++i) {
    int cumulative = i == 0 ? 1 : (i < 3 ? 1 : 2);
    expected += std::string("weft_upstream_rq_time_bucket{cluster=\"a\",le=\"") + bounds[i] +
                "\"} " + std::to_string(cumulative) + "\n";
  }
  expected +=
      "weft_upstream_rq_time_bucket{cluster=\"a\",le=\"+Inf\"} 3\n"
      "weft_upstream_rq_time_sum{cluster=\"a\"} 100000007.3\n"
      "weft_upstream_rq_time_count{cluster=\"a\"} 3\n";
  BOOST_TEST(store.renderPrometheus() == expected);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft::stats
