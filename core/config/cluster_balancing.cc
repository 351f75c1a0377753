// The reader of a cluster's balancing and resilience fields: see cluster_balancing.h.
#include "core/config/cluster_balancing.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <limits>

namespace weft::config {
namespace {

constexpr uint32_t kNoMax = std::numeric_limits<uint32_t>::max();

constexpr std::string_view kLeastRequestKeys[] = {"choice_count"};
constexpr std::string_view kRingHashKeys[] = {"minimum_ring_size", "maximum_ring_size"};
constexpr std::string_view kMaglevKeys[] = {"table_size"};
constexpr std::string_view kCommonLbKeys[] = {"healthy_panic_threshold"};
constexpr std::string_view kPercentKeys[] = {"value"};
constexpr std::string_view kHashPolicyKeys[] = {"header", "cookie", "connection_properties",
                                                "query_parameter", "terminal"};
constexpr std::string_view kHeaderKeys[] = {"header_name"};
constexpr std::string_view kCookieKeys[] = {"name", "ttl", "path"};
constexpr std::string_view kConnectionKeys[] = {"source_ip"};
constexpr std::string_view kQueryKeys[] = {"name"};
constexpr std::string_view kOutlierKeys[] = {"consecutive_5xx",   "consecutive_gateway_failure",
                                             "interval",          "base_ejection_time",
                                             "max_ejection_time", "max_ejection_percent"};
constexpr std::string_view kBreakerKeys[] = {"thresholds"};
constexpr std::string_view kThresholdKeys[] = {
    "priority", "max_connections", "max_pending_requests", "max_requests", "max_retries"};

// A sub-map's optional integer field `key` into `out`.
void readCount(const FieldMap& map, std::string_view key, uint32_t min, uint32_t max,
               FieldErrors& errors, uint32_t& out) {
  if (auto field = map.get(key)) readUint(*field, min, max, errors, out);
}

void readDurationField(const FieldMap& map, std::string_view key, FieldErrors& errors,
                       std::chrono::milliseconds& out) {
  uint32_t ms = 0;
  if (auto field = map.get(key); field && readDuration(*field, 1, errors, ms)) {
    out = std::chrono::milliseconds(ms);
  }
}

void readPolicy(const Field& field, FieldErrors& errors, upstream::LbConfig& lb) {
  std::string name;
  if (!readString(field, errors, name)) return;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto policy = upstream::parseLbPolicy(name);
  if (!policy) {
    errors.add(field.mark, field.path,
               "must be ROUND_ROBIN, LEAST_REQUEST, RANDOM, RING_HASH or MAGLEV, got " +
                   quoted(field.node.Scalar()));
    return;
  }
  lb.policy = *policy;
}

void readLbDetails(const FieldMap& cluster, FieldErrors& errors, upstream::LbConfig& lb) {
  if (auto field = cluster.get("least_request_lb_config")) {
    readCount(FieldMap(*field, kLeastRequestKeys, errors), "choice_count", 2, 100, errors,
              lb.choice_count);
  }
  if (auto field = cluster.get("ring_hash_lb_config")) {
    const FieldMap map(*field, kRingHashKeys, errors);
    uint32_t minimum = static_cast<uint32_t>(lb.minimum_ring_size);
    uint32_t maximum = static_cast<uint32_t>(lb.maximum_ring_size);
    readCount(map, "minimum_ring_size", 1, 8 << 20, errors, minimum);
    readCount(map, "maximum_ring_size", 1, 8 << 20, errors, maximum);
    lb.minimum_ring_size = minimum;
    lb.maximum_ring_size = maximum;
  }
  if (auto field = cluster.get("maglev_lb_config")) {
    uint32_t size = static_cast<uint32_t>(lb.maglev_table_size);
    readCount(FieldMap(*field, kMaglevKeys, errors), "table_size", 1, 5000011, errors, size);
    lb.maglev_table_size = size;
  }
  if (auto field = cluster.get("common_lb_config")) {
    const FieldMap common(*field, kCommonLbKeys, errors);
    if (auto threshold = common.get("healthy_panic_threshold")) {
      readCount(FieldMap(*threshold, kPercentKeys, errors), "value", 0, 100, errors,
                lb.healthy_panic_threshold);
    }
  }
}

void readHashPolicy(const Field& item, FieldErrors& errors, upstream::HashPolicy& out) {
  using Source = upstream::HashPolicy::Source;
  const FieldMap map(item, kHashPolicyKeys, errors);
  int sources = 0;
  if (auto header = map.get("header")) {
    ++sources;
    out.source = Source::kHeader;
    if (auto name = FieldMap(*header, kHeaderKeys, errors).require("header_name")) {
      if (readString(*name, errors, out.name)) {
        std::transform(out.name.begin(), out.name.end(), out.name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      }
    }
  }
  if (auto cookie = map.get("cookie")) {
    ++sources;
    out.source = Source::kCookie;
    const FieldMap fields(*cookie, kCookieKeys, errors);
    if (auto name = fields.require("name")) readString(*name, errors, out.name);
    if (auto ttl = fields.get("ttl")) {
      uint32_t ms = 0;
      if (readDuration(*ttl, 0, errors, ms)) out.cookie_ttl = std::chrono::seconds(ms / 1000);
    }
    if (auto path = fields.get("path")) readString(*path, errors, out.cookie_path);
  }
  if (auto connection = map.get("connection_properties")) {
    ++sources;
    out.source = Source::kSourceIp;
    bool source_ip = false;
    if (auto flag = FieldMap(*connection, kConnectionKeys, errors).require("source_ip");
        flag && readBool(*flag, errors, source_ip) && !source_ip) {
      errors.add(flag->mark, flag->path, "must be true (the only connection property hashed)");
    }
  }
  if (auto query = map.get("query_parameter")) {
    ++sources;
    out.source = Source::kQueryParameter;
    if (auto name = FieldMap(*query, kQueryKeys, errors).require("name")) {
      readString(*name, errors, out.name);
    }
  }
  if (sources != 1 && map.isMap()) {
    errors.add(item.mark, item.path,
               "needs exactly one of header, cookie, connection_properties, query_parameter");
  }
  if (auto terminal = map.get("terminal")) readBool(*terminal, errors, out.terminal);
}

void readOutlier(const Field& field, FieldErrors& errors, upstream::OutlierConfig& out) {
  const FieldMap map(field, kOutlierKeys, errors);
  readCount(map, "consecutive_5xx", 0, kNoMax, errors, out.consecutive_5xx);
  readCount(map, "consecutive_gateway_failure", 0, kNoMax, errors, out.consecutive_gateway_errors);
  readDurationField(map, "interval", errors, out.interval);
  readDurationField(map, "base_ejection_time", errors, out.base_ejection_time);
  readDurationField(map, "max_ejection_time", errors, out.max_ejection_time);
  readCount(map, "max_ejection_percent", 0, 100, errors, out.max_ejection_percent);
}

void readBreakers(const FieldMap& cluster, const Field& field, FieldErrors& errors, Cluster& out) {
  const FieldMap map(field, kBreakerKeys, errors);
  auto thresholds = map.get("thresholds");
  if (!thresholds) return;
  const std::vector<Field> items = readList(*thresholds, errors);
  if (items.size() > 1) {
    errors.add(items[1].mark, items[1].path,
               "one threshold entry only (Weft has no request priorities)");
    return;
  }
  for (const Field& item : items) {
    const FieldMap limits(item, kThresholdKeys, errors);
    if (auto priority = limits.get("priority")) {
      std::string name;
      if (readString(*priority, errors, name) && name != "DEFAULT") {
        errors.add(priority->mark, priority->path, "must be DEFAULT, got " + quoted(name));
      }
    }
    for (std::string_view flat : {"max_connections", "max_pending_requests"}) {
      if (auto twice = limits.get(flat); twice && cluster.get(flat)) {
        errors.add(twice->mark, twice->path,
                   "also set as the cluster's own " + std::string(flat) + "; give it once");
      }
    }
    readCount(limits, "max_connections", 1, kNoMax, errors, out.max_connections);
    readCount(limits, "max_pending_requests", 1, kNoMax, errors, out.max_pending_requests);
    readCount(limits, "max_requests", 1, kNoMax, errors, out.max_requests);
    readCount(limits, "max_retries", 0, kNoMax, errors, out.max_retries);
  }
}

}  // namespace

void readClusterBalancing(const FieldMap& cluster, FieldErrors& errors, Cluster& out) {
  if (auto field = cluster.get("lb_policy")) readPolicy(*field, errors, out.lb);
  readLbDetails(cluster, errors, out.lb);
  if (Status valid = upstream::validateLbConfig(out.lb); !valid && errors.ok()) {
    errors.add(cluster.mark(), cluster.path(), valid.message());
  }
  if (auto field = cluster.get("hash_policy")) {
    for (const Field& item : readList(*field, errors)) {
      readHashPolicy(item, errors, out.hash_policy.emplace_back());
    }
  }
  if (auto field = cluster.get("outlier_detection")) {
    upstream::OutlierConfig& outlier = out.outlier_detection.emplace();
    readOutlier(*field, errors, outlier);
    if (Status valid = upstream::validateOutlierConfig(outlier); !valid && errors.ok()) {
      errors.add(field->mark, field->path, valid.message());
    }
  }
  if (auto field = cluster.get("circuit_breakers")) readBreakers(cluster, *field, errors, out);
}

}  // namespace weft::config
