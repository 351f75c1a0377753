// Stats store and its two renderings (/stats text, Prometheus exposition): see stats.h.
#include "core/stats/stats.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <type_traits>

#include "core/common/logging.h"

namespace weft::stats {
namespace {

constexpr size_t kBucketCount = Histogram::kDefaultBounds.size();

// Integral values print without a fraction ("250", not "250.0" or "2.5e+02"), others in the
// shortest form that reads back exactly.
void appendNumber(std::string& out, double value) {
  char buf[32];
  std::to_chars_result r{};
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    r = std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(value));
  } else {
    r = std::to_chars(buf, buf + sizeof(buf), value);
  }
  out.append(buf, r.ptr);
}

template <typename Int>
void appendInt(std::string& out, Int value) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, r.ptr);
}

// Prometheus names and label names: [a-zA-Z0-9_], anything else (dots, dashes) becomes '_'.
std::string promIdentifier(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!ok) c = '_';
  }
  if (!out.empty() && out[0] >= '0' && out[0] <= '9') out.insert(0, 1, '_');
  return out;
}

std::string promName(std::string_view name) {
  std::string id = promIdentifier(name);
  if (id.starts_with("istio_") || id.starts_with("envoy_")) return id;
  return "weft_" + id;
}

void appendLabelValue(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

// `{k="v",k2="v2"}`, with an optional extra label (the histogram's `le`) last; nothing at all
// when there are no labels.
void appendLabels(std::string& out, const Tags& tags, std::string_view le = {}) {
  if (tags.empty() && le.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [key, value] : tags) {
    if (!first) out += ',';
    first = false;
    out += promIdentifier(key);
    out += "=\"";
    appendLabelValue(out, value);
    out += '"';
  }
  if (!le.empty()) {
    if (!first) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void appendPromSample(std::string& out, const std::string& family, const Store::Entry& e) {
  if (e.kind == Kind::kCounter) {
    out += family;
    appendLabels(out, e.tags);
    out += ' ';
    appendInt(out, e.counter->value());
    out += '\n';
    return;
  }
  if (e.kind == Kind::kGauge) {
    out += family;
    appendLabels(out, e.tags);
    out += ' ';
    appendInt(out, e.gauge->value());
    out += '\n';
    return;
  }
  const Histogram& h = *e.histogram;
  for (size_t i = 0; i <= kBucketCount; ++i) {
    std::string le = "+Inf";
    if (i < kBucketCount) {
      le.clear();
      appendNumber(le, Histogram::kDefaultBounds[i]);
    }
    out += family;
    out += "_bucket";
    appendLabels(out, e.tags, le);
    out += ' ';
    appendInt(out, h.cumulative(i));
    out += '\n';
  }
  out += family;
  out += "_sum";
  appendLabels(out, e.tags);
  out += ' ';
  appendNumber(out, h.sum());
  out += '\n';
  out += family;
  out += "_count";
  appendLabels(out, e.tags);
  out += ' ';
  // The +Inf bucket, not count(): the two may differ by in-flight records, and Prometheus
  // expects them equal.
  appendInt(out, h.cumulative(kBucketCount));
  out += '\n';
}

std::string_view kindName(Kind kind) {
  switch (kind) {
    case Kind::kCounter:
      return "counter";
    case Kind::kGauge:
      return "gauge";
    case Kind::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

void Histogram::record(double value) {
  if (!(value > 0)) value = 0;  // also catches NaN
  size_t i =
      static_cast<size_t>(std::lower_bound(kDefaultBounds.begin(), kDefaultBounds.end(), value) -
                          kDefaultBounds.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::llround(value * 1000)),
                        std::memory_order_relaxed);
}

double Histogram::sum() const {
  return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1000;
}

uint64_t Histogram::cumulative(size_t i) const {
  uint64_t total = 0;
  for (size_t b = 0; b <= i && b < buckets_.size(); ++b) {
    total += buckets_[b].load(std::memory_order_relaxed);
  }
  return total;
}

double Histogram::quantile(double q) const {
  std::array<uint64_t, kBucketCount + 1> counts;
  uint64_t total = 0;
  for (size_t b = 0; b < counts.size(); ++b) {
    counts[b] = buckets_[b].load(std::memory_order_relaxed);
    total += counts[b];
  }
  if (total == 0) return 0;
  double rank = std::clamp(q, 0.0, 1.0) * static_cast<double>(total);
  uint64_t seen = 0;
  for (size_t b = 0; b < kBucketCount; ++b) {
    if (counts[b] > 0 && static_cast<double>(seen + counts[b]) >= rank) {
      // Linear interpolation inside the bucket (lower bound, upper bound].
      double lower = b == 0 ? 0 : kDefaultBounds[b - 1];
      double within = (rank - static_cast<double>(seen)) / static_cast<double>(counts[b]);
      return lower + (kDefaultBounds[b] - lower) * within;
    }
    seen += counts[b];
  }
  return kDefaultBounds.back();  // the rank falls in +Inf: the best we can say is "above this"
}

template <typename T>
T& Store::find(std::string_view name, const Tags& tags, Kind kind) {
  std::lock_guard lock(mutex_);
  std::deque<T>* pool = nullptr;
  if constexpr (std::is_same_v<T, Counter>) pool = &counters_;
  if constexpr (std::is_same_v<T, Gauge>) pool = &gauges_;
  if constexpr (std::is_same_v<T, Histogram>) pool = &histograms_;

  auto key = std::make_pair(std::string(name), tags);
  auto it = index_.find(key);
  if (it != index_.end()) {
    const Entry& e = it->second;
    if (e.kind == kind) {
      // The index hands out const pointers for readers; the stat itself lives, non-const, in
      // the pool above.
      if constexpr (std::is_same_v<T, Counter>) return const_cast<Counter&>(*e.counter);
      if constexpr (std::is_same_v<T, Gauge>) return const_cast<Gauge&>(*e.gauge);
      if constexpr (std::is_same_v<T, Histogram>) return const_cast<Histogram&>(*e.histogram);
    }
    log::error("stats: '" + foldedName(name, tags) + "' is a " + std::string(kindName(e.kind)) +
               ", not a " + std::string(kindName(kind)) + "; this one is not exported");
    return pool->emplace_back();
  }
  T& stat = pool->emplace_back();
  Entry e{key.first, tags, kind};
  if constexpr (std::is_same_v<T, Counter>) e.counter = &stat;
  if constexpr (std::is_same_v<T, Gauge>) e.gauge = &stat;
  if constexpr (std::is_same_v<T, Histogram>) e.histogram = &stat;
  index_.emplace(std::move(key), std::move(e));
  return stat;
}

Counter& Store::counter(std::string_view name, const Tags& tags) {
  return find<Counter>(name, tags, Kind::kCounter);
}

Gauge& Store::gauge(std::string_view name, const Tags& tags) {
  return find<Gauge>(name, tags, Kind::kGauge);
}

Histogram& Store::histogram(std::string_view name, const Tags& tags) {
  return find<Histogram>(name, tags, Kind::kHistogram);
}

void Store::forEach(const std::function<void(const Entry&)>& fn) const {
  std::vector<Entry> entries;
  {
    std::lock_guard lock(mutex_);
    entries.reserve(index_.size());
    for (const auto& [key, entry] : index_) entries.push_back(entry);
  }
  for (const Entry& e : entries) fn(e);
}

std::string Store::renderText() const {
  std::vector<std::pair<std::string, std::string>> lines;  // folded name, value
  forEach([&](const Entry& e) {
    std::string value;
    switch (e.kind) {
      case Kind::kCounter:
        appendInt(value, e.counter->value());
        break;
      case Kind::kGauge:
        appendInt(value, e.gauge->value());
        break;
      case Kind::kHistogram:
        value += "P50=";
        appendNumber(value, e.histogram->quantile(0.5));
        value += " P99=";
        appendNumber(value, e.histogram->quantile(0.99));
        value += " count=";
        appendInt(value, e.histogram->count());
        value += " sum=";
        appendNumber(value, e.histogram->sum());
        break;
    }
    lines.emplace_back(foldedName(e.name, e.tags), std::move(value));
  });
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& [name, value] : lines) {
    out += name;
    out += ": ";
    out += value;
    out += '\n';
  }
  return out;
}

std::string Store::renderPrometheus() const {
  // Family name -> its entries, so each family gets one TYPE line however its members sort.
  std::map<std::string, std::vector<Entry>> families;
  forEach([&](const Entry& e) { families[promName(e.name)].push_back(e); });
  std::string out;
  for (const auto& [family, entries] : families) {
    Kind kind = entries.front().kind;
    out += "# TYPE ";
    out += family;
    out += ' ';
    out += kindName(kind);
    out += '\n';
    for (const Entry& e : entries) {
      // Two dotted names can fold onto one family ("a.b", "a_b"); a member of another kind
      // would make the whole exposition invalid, so it is left out.
      if (e.kind == kind) appendPromSample(out, family, e);
    }
  }
  return out;
}

std::string foldedName(std::string_view name, const Tags& tags) {
  if (tags.empty()) return std::string(name);
  size_t dot = name.rfind('.');
  std::string out;
  if (dot != std::string_view::npos) out.append(name.substr(0, dot + 1));
  for (const auto& [key, value] : tags) {
    out += key;
    out += '.';
    out += value;
    out += '.';
  }
  out.append(dot == std::string_view::npos ? name : name.substr(dot + 1));
  return out;
}

}  // namespace weft::stats
