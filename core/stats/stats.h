// Stats: counters, gauges and histograms, created by name at config time and updated on the data
// path with one relaxed atomic operation — no lookup, no lock, no allocation per request.
//
// A stat has a dotted name and optional tags, e.g. name "downstream_rq_total" with tags
// {listener="ingress"}. The text form (/stats) folds the tags into the name Envoy-style
// ("listener.ingress.downstream_rq_total: 12"); the Prometheus form keeps them as labels
// ("weft_downstream_rq_total{listener="ingress"} 12"), so "istio_requests_total" with its tags
// comes out exactly as Istio's dashboards expect.
//
// Thread-safety: Store::counter/gauge/histogram take a mutex (config time only) and return a
// reference that stays valid for the life of the Store; stats are never removed, so a config
// reload that asks for the same name and tags gets the same object and its value carries over.
// Updating and reading a stat is safe from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weft::stats {

using Tags = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  void sub(int64_t n) { value_.fetch_sub(n, std::memory_order_relaxed); }
  void set(int64_t n) { value_.store(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Fixed buckets (upper bounds, in the unit the caller records, e.g. milliseconds).
class Histogram {
 public:
  static constexpr std::array<double, 20> kDefaultBounds = {
      0.5,  1,    5,     10,    25,    50,     100,    250,     500,     1000,
      2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000, 86400000};

  // Three relaxed atomic adds (bucket, count, sum). Negative values are recorded as 0.
  void record(double value);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const;
  // Cumulative count of samples <= kDefaultBounds[i]; index kDefaultBounds.size() is +Inf.
  uint64_t cumulative(size_t i) const;
  // An estimate of the q-quantile (0..1) from the buckets, for the text form; 0 when empty.
  double quantile(double q) const;

 private:
  std::array<std::atomic<uint64_t>, kDefaultBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};  // sum * 1000, so it fits an integer atomic
};

enum class Kind { kCounter, kGauge, kHistogram };

class Store {
 public:
  Counter& counter(std::string_view name, const Tags& tags = {});
  Gauge& gauge(std::string_view name, const Tags& tags = {});
  Histogram& histogram(std::string_view name, const Tags& tags = {});

  // Asking for a name and tags already registered as another kind is a programming error: it is
  // logged and answered with a detached stat that is never exported.

  // Every stat, sorted by name then tags. Safe while other threads update; `fn` runs on a copy
  // of the index, outside the lock, so it may itself create stats.
  struct Entry {
    std::string name;
    Tags tags;
    Kind kind;
    const Counter* counter = nullptr;
    const Gauge* gauge = nullptr;
    const Histogram* histogram = nullptr;
  };
  void forEach(const std::function<void(const Entry&)>& fn) const;

  // "/stats" text: one "folded.name: value" line per stat (histograms: P50/P99/count/sum).
  std::string renderText() const;
  // "/stats/prometheus": text exposition format 0.0.4, every name prefixed "weft_" unless it
  // already starts with "istio_" or "envoy_"; HELP-less, one TYPE line per family.
  std::string renderPrometheus() const;

 private:
  template <typename T>
  T& find(std::string_view name, const Tags& tags, Kind kind);

  mutable std::mutex mutex_;
  std::map<std::pair<std::string, Tags>, Entry> index_;
  std::deque<Counter> counters_;
  std::deque<Gauge> gauges_;
  std::deque<Histogram> histograms_;
};

// The folded text name: each tag's "key.value" inserted before the last name component:
// ("downstream_rq_total", {listener=ingress}) -> "listener.ingress.downstream_rq_total",
// ("http.rq_total", {listener=ingress}) -> "http.listener.ingress.rq_total".
std::string foldedName(std::string_view name, const Tags& tags);

}  // namespace weft::stats
