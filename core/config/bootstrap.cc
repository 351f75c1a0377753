// The bootstrap loader: YAML text → a validated Bootstrap, or the first problem with its line.
// Two passes: the structure of every section (types, ranges, required and unknown fields,
// duplicates), then, only when that is clean, the names one section uses from another.
#include "core/config/bootstrap.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <limits>
#include <map>
#include <sstream>

#include "core/config/cluster_balancing.h"
#include "core/config/cluster_subsets.h"
#include "core/config/labels.h"
#include "core/config/yaml_fields.h"
#include "core/config/yaml_to_json.h"

namespace weft::config {
namespace {

constexpr std::string_view kTopKeys[] = {"workers", "drain_timeout", "admin",         "access_log",
                                         "node",    "listeners",     "route_configs", "clusters"};
constexpr std::string_view kAddressKeys[] = {"address", "port"};
constexpr std::string_view kNodeKeys[] = {"id", "cluster", "labels"};
constexpr std::string_view kEndpointKeys[] = {"address", "port", "load_balancing_weight", "labels"};
constexpr std::string_view kAccessLogKeys[] = {"path", "format", "json"};
constexpr std::string_view kListenerKeys[] = {"name",         "address", "port",    "protocol",
                                              "route_config", "cluster", "filters", "limits",
                                              "tls",          "http2"};
constexpr std::string_view kHttp2Keys[] = {
    "max_concurrent_streams", "initial_stream_window_size", "initial_connection_window_size",
    "max_premature_resets",   "keepalive_interval",         "keepalive_timeout"};
constexpr std::string_view kFilterKeys[] = {"name", "plugin", "builtin", "fail_open", "config"};
constexpr std::string_view kRouteConfigKeys[] = {"name", "virtual_hosts"};
constexpr std::string_view kVirtualHostKeys[] = {"name", "domains", "routes"};
constexpr std::string_view kClusterKeys[] = {"name",
                                             "connect_timeout",
                                             "endpoints",
                                             "subsets",
                                             "lb_policy",
                                             "least_request_lb_config",
                                             "ring_hash_lb_config",
                                             "maglev_lb_config",
                                             "common_lb_config",
                                             "hash_policy",
                                             "outlier_detection",
                                             "circuit_breakers",
                                             "health_checks",
                                             "max_connections",
                                             "max_pending_requests",
                                             "idle_timeout",
                                             "max_requests_per_connection",
                                             "protocol",
                                             "tls"};

constexpr std::string_view kServerTlsKeys[] = {"certificates", "alpn", "client_ca",
                                               "require_client_certificate", "min_version"};
constexpr std::string_view kCertificateKeys[] = {"certificate_chain", "private_key"};
constexpr std::string_view kClientTlsKeys[] = {
    "ca", "sni", "alpn", "certificate_chain", "private_key", "verify_subject_alt_names"};

constexpr uint32_t kNoMax = std::numeric_limits<uint32_t>::max();

// One key of listeners[].limits: the field it sets, whether it is a duration, its least value.
struct LimitField {
  std::string_view key;
  uint32_t ListenerLimits::*member;
  bool duration;
  uint32_t min;
};
constexpr LimitField kLimitFields[] = {
    {"max_connections", &ListenerLimits::max_connections, false, 1},
    {"max_request_line_bytes", &ListenerLimits::max_request_line_bytes, false, 1},
    {"max_header_bytes", &ListenerLimits::max_header_bytes, false, 1},
    {"max_headers", &ListenerLimits::max_headers, false, 1},
    {"header_timeout", &ListenerLimits::header_timeout_ms, true, 1},
    {"idle_timeout", &ListenerLimits::idle_timeout_ms, true, 1},
    {"request_timeout", &ListenerLimits::request_timeout_ms, true, 0},
    {"max_requests_per_connection", &ListenerLimits::max_requests_per_connection, false, 0},
    {"max_buffered_body_bytes", &ListenerLimits::max_buffered_body_bytes, false, 1},
    {"buffer_high_watermark", &ListenerLimits::buffer_high_watermark, false, 1},
};
constexpr auto kLimitKeys = [] {
  std::array<std::string_view, std::size(kLimitFields)> keys{};
  for (size_t i = 0; i < keys.size(); ++i) keys[i] = kLimitFields[i].key;
  return keys;
}();

// The canonical text of a numeric IPv4 or IPv6 address, or nullopt when `text` is not one.
std::optional<std::string> canonicalAddress(const std::string& text) {
  if (text.find('\0') != std::string::npos) return std::nullopt;
  unsigned char binary[sizeof(struct in6_addr)];
  char canonical[INET6_ADDRSTRLEN];
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, text.c_str(), binary) == 1 &&
        inet_ntop(family, binary, canonical, sizeof(canonical)) != nullptr) {
      return std::string(canonical);
    }
  }
  return std::nullopt;
}

std::string hostPort(const SocketAddress& address) {
  const bool v6 = address.address.find(':') != std::string::npos;
  return (v6 ? "[" + address.address + "]" : address.address) + ":" + std::to_string(address.port);
}

// Names defined in one section (clusters, route configs, ...) and where.
using NameIndex = std::map<std::string, YAML::Mark, std::less<>>;

class BootstrapParser {
 public:
  explicit BootstrapParser(const std::string& source) : errors_(source) {
    bootstrap_.source_path = source;
  }

  Result<Bootstrap> parse(const YAML::Node& root);

 private:
  // A name used in one place that another section must define.
  struct Reference {
    const NameIndex* defined;
    std::string_view kind;
    std::string name;
    Field field;
  };

  void parseAdmin(const Field& field);
  void parseNode(const Field& field);
  void parseAccessLog(const Field& field);
  void parseListener(const Field& item);
  FilterConfig parseFilter(const Field& item);
  void parseLimits(const Field& field, ListenerLimits& limits);
  void parseHttp2(const Field& field, http::Http2Options& http2);
  void parseRouteConfig(const Field& item);
  void parseVirtualHost(const Field& item, NameIndex& names, NameIndex& domains);
  void parseRoute(const Field& item);
  void parseCluster(const Field& item);
  void parseServerTls(const Field& field, ServerTls& tls);
  void parseClientTls(const Field& field, ClientTls& tls);
  // A path to a file that must be readable now.
  bool readFilePath(const Field& field, std::string& out);
  void readAlpn(const Field& field, std::vector<std::string>& out);
  void readSocketAddress(const FieldMap& map, uint32_t min_port, bool required, SocketAddress& out);
  bool readName(const FieldMap& map, NameIndex& names, std::string_view kind, std::string& out);
  void define(NameIndex& names, const std::string& name, const Field& field, std::string_view kind);
  void checkDomain(const Field& field, const std::string& domain);
  // The JSON text of `field`, charged to the document's budget; nullopt (and a recorded error)
  // when it cannot be converted.
  std::optional<std::string> toJson(const Field& field);
  // Adds the cluster of every subset to the bootstrap and to the names routes may use, once every
  // cluster written in the file is known (a generated name may clash with any of them).
  void addSubsetClusters();
  void checkReferences();
  // Runs `parse` on each item until a problem is recorded: only the first one is reported, and
  // aliases can make a short file list one big entry many times.
  void forEach(const std::vector<Field>& items, const std::function<void(const Field&)>& parse);

  FieldErrors errors_;
  Bootstrap bootstrap_;
  size_t json_budget_ = kDefaultMaxJsonBytes;  // shared by every block converted to JSON
  NameIndex listener_names_;
  NameIndex route_config_names_;
  NameIndex cluster_names_;
  std::map<std::string, std::string> bound_;  // "address port" → listener name
  std::vector<Reference> references_;
  // The cluster of each subset and where the subset's name is written, in file order.
  std::vector<std::pair<Cluster, Field>> subset_clusters_;
};

Result<Bootstrap> BootstrapParser::parse(const YAML::Node& root) {
  if (root.IsNull()) {
    return Status::error(errors_.source() +
                         ":1: the file is empty; expected a map with listeners, route_configs, "
                         "clusters and other top-level fields");
  }
  if (!root.IsMap()) {
    errors_.add(root.Mark(), "", "the top level must be a map of fields, got " + describe(root));
    return errors_.status();
  }
  const FieldMap top({root, root.Mark(), ""}, kTopKeys, errors_);
  for (const FieldMap::Entry& entry : top.entries()) {  // in document order
    const Field& field = entry.field;
    if (entry.key == "workers") {
      readUint(field, 0, 256, errors_, bootstrap_.workers);
    } else if (entry.key == "drain_timeout") {
      readDuration(field, 0, errors_, bootstrap_.drain_timeout_ms);
    } else if (entry.key == "admin") {
      parseAdmin(field);
    } else if (entry.key == "access_log") {
      parseAccessLog(field);
    } else if (entry.key == "node") {
      parseNode(field);
    } else if (entry.key == "listeners") {
      forEach(readList(field, errors_), [&](const Field& item) { parseListener(item); });
    } else if (entry.key == "route_configs") {
      forEach(readList(field, errors_), [&](const Field& item) { parseRouteConfig(item); });
    } else if (entry.key == "clusters") {
      forEach(readList(field, errors_), [&](const Field& item) { parseCluster(item); });
    }
  }
  if (errors_.ok()) addSubsetClusters();
  if (errors_.ok()) checkReferences();
  if (!errors_.ok()) return errors_.status();
  return std::move(bootstrap_);
}

void BootstrapParser::parseAdmin(const Field& field) {
  const FieldMap map(field, kAddressKeys, errors_);
  readSocketAddress(map, 0, /*required=*/false, bootstrap_.admin);
}

void BootstrapParser::parseNode(const Field& field) {
  const FieldMap map(field, kNodeKeys, errors_);
  if (auto id = map.get("id")) readString(*id, errors_, bootstrap_.node.id);
  if (auto cluster = map.get("cluster")) readString(*cluster, errors_, bootstrap_.node.cluster);
  if (auto labels = map.get("labels")) readLabels(*labels, errors_, bootstrap_.node.labels);
}

void BootstrapParser::parseAccessLog(const Field& field) {
  AccessLog log;
  const FieldMap map(field, kAccessLogKeys, errors_);
  if (auto path = map.require("path")) readString(*path, errors_, log.path);
  const std::optional<Field> format = map.get("format");
  const std::optional<Field> json = map.get("json");
  if (map.isMap() && format && json) {
    errors_.add(map.mark(), map.path(), "set both format and json; choose one");
  }
  if (format) readString(*format, errors_, log.format);
  if (json) {
    const FieldMap keys(*json, /*allowed=*/{}, errors_);  // any key: the user names them
    if (keys.isMap() && keys.entries().empty()) {
      errors_.add(json->mark, json->path, "must not be empty");
    }
    for (const FieldMap::Entry& entry : keys.entries()) {
      std::string value;
      if (readString(entry.field, errors_, value)) log.json.emplace_back(entry.key, value);
    }
  }
  bootstrap_.access_log = std::move(log);
}

void BootstrapParser::parseListener(const Field& item) {
  Listener listener;
  const FieldMap map(item, kListenerKeys, errors_);
  readName(map, listener_names_, "listener", listener.name);
  readSocketAddress(map, 0, /*required=*/true, listener.address);
  if (errors_.ok() && listener.address.port != 0) {  // both read; port 0 is never shared
    const auto [user, inserted] = bound_.emplace(
        listener.address.address + " " + std::to_string(listener.address.port), listener.name);
    if (!inserted) {
      const Field port = *map.get("port");
      errors_.add(
          port.mark, port.path,
          hostPort(listener.address) + " is already used by listener " + quoted(user->second));
    }
  }
  bool protocol_known = true;
  if (auto protocol = map.get("protocol")) {
    std::string name;
    protocol_known = readString(*protocol, errors_, name);
    if (name == "tcp") {
      listener.protocol = ListenerProtocol::kTcp;
    } else if (protocol_known && name != "http") {
      errors_.add(protocol->mark, protocol->path,
                  "must be http or tcp, got " + describe(protocol->node));
      protocol_known = false;
    }
  }
  const std::optional<Field> route_config = map.get("route_config");
  const std::optional<Field> cluster = map.get("cluster");
  const std::optional<Field> filters = map.get("filters");
  if (protocol_known && listener.protocol == ListenerProtocol::kHttp) {
    if (cluster) {
      errors_.add(cluster->mark, cluster->path,
                  "only tcp listeners name a cluster; http listeners route with route_config");
    }
    if (auto field = map.require("route_config", "an http listener needs one");
        field && readString(*field, errors_, listener.route_config)) {
      references_.push_back({&route_config_names_, "route config", listener.route_config, *field});
    }
    if (filters) {
      forEach(readList(*filters, errors_),
              [&](const Field& item) { listener.filters.push_back(parseFilter(item)); });
    }
  } else if (protocol_known) {
    if (route_config) {
      errors_.add(route_config->mark, route_config->path,
                  "only http listeners take a route_config");
    }
    if (filters) errors_.add(filters->mark, filters->path, "only http listeners take filters");
    if (auto field = map.require("cluster", "a tcp listener needs one");
        field && readString(*field, errors_, listener.cluster)) {
      references_.push_back({&cluster_names_, "cluster", listener.cluster, *field});
    }
  }
  if (auto limits = map.get("limits")) parseLimits(*limits, listener.limits);
  if (auto tls = map.get("tls")) parseServerTls(*tls, listener.tls.emplace());
  if (auto http2 = map.get("http2")) parseHttp2(*http2, listener.http2);
  bootstrap_.listeners.push_back(std::move(listener));
}

FilterConfig BootstrapParser::parseFilter(const Field& item) {
  FilterConfig filter;
  filter.location = errors_.location(item.mark);
  const FieldMap map(item, kFilterKeys, errors_);
  if (auto name = map.require("name")) readString(*name, errors_, filter.name);
  const std::optional<Field> plugin = map.get("plugin");
  const std::optional<Field> builtin = map.get("builtin");
  if (map.isMap() && plugin.has_value() == builtin.has_value()) {
    errors_.add(map.mark(), map.path(),
                plugin
                    ? "set both plugin: and builtin:; choose one"
                    : "needs exactly one of plugin: (path of a .so) or builtin: (a filter name)");
  }
  if (plugin) readString(*plugin, errors_, filter.plugin);
  if (builtin) readString(*builtin, errors_, filter.builtin);
  if (auto fail_open = map.get("fail_open")) readBool(*fail_open, errors_, filter.fail_open);
  const std::optional<Field> config = map.get("config");
  if (config && !config->node.IsNull()) {
    filter.config_json = toJson(*config).value_or("");
  } else {
    filter.config_json = "{}";
  }
  return filter;
}

void BootstrapParser::parseLimits(const Field& field, ListenerLimits& limits) {
  const FieldMap map(field, kLimitKeys, errors_);
  for (const LimitField& limit : kLimitFields) {
    const std::optional<Field> value = map.get(limit.key);
    if (!value) continue;
    if (limit.duration) {
      readDuration(*value, limit.min, errors_, limits.*limit.member);
    } else {
      readUint(*value, limit.min, kNoMax, errors_, limits.*limit.member);
    }
  }
}

void BootstrapParser::parseHttp2(const Field& field, http::Http2Options& http2) {
  constexpr uint32_t kMaxWindow = 0x7fffffff;  // RFC 9113 §6.9.1
  constexpr uint32_t kMinWindow = 65535;       // the protocol's initial window
  const FieldMap map(field, kHttp2Keys, errors_);
  if (auto f = map.get("max_concurrent_streams")) {
    readUint(*f, 1, kMaxWindow, errors_, http2.max_concurrent_streams);
  }
  if (auto f = map.get("initial_stream_window_size")) {
    readUint(*f, kMinWindow, kMaxWindow, errors_, http2.initial_stream_window_size);
  }
  if (auto f = map.get("initial_connection_window_size")) {
    readUint(*f, kMinWindow, kMaxWindow, errors_, http2.initial_connection_window_size);
  }
  if (auto f = map.get("max_premature_resets")) {
    readUint(*f, 1, kNoMax, errors_, http2.max_premature_resets);
  }
  if (auto f = map.get("keepalive_interval")) {
    readDuration(*f, 1, errors_, http2.keepalive_interval_ms);
  }
  if (auto f = map.get("keepalive_timeout")) {
    readDuration(*f, 1, errors_, http2.keepalive_timeout_ms);
  }
}

// Records the line of every key and list item under `node`, by path relative to the walk's root.
void recordLines(const YAML::Node& node, const std::string& path,
                 std::vector<std::pair<std::string, uint32_t>>& out) {
  if (node.IsMap()) {
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) continue;
      std::string child = joinPath(path, entry.first.Scalar());
      out.emplace_back(child, static_cast<uint32_t>(entry.first.Mark().line + 1));
      recordLines(entry.second, child, out);
    }
  } else if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      std::string child = path + "[" + std::to_string(i) + "]";
      out.emplace_back(child, static_cast<uint32_t>(node[i].Mark().line + 1));
      recordLines(node[i], child, out);
    }
  }
}

void BootstrapParser::parseRouteConfig(const Field& item) {
  RouteConfig route_config;
  route_config.path = item.path;
  // Converted first: its size bounds the work of the checks below, even when aliases repeat
  // one subtree many times.
  std::optional<std::string> json = toJson(item);
  if (!json) return;
  route_config.json = std::move(*json);
  recordLines(item.node, "", route_config.field_lines);
  const FieldMap map(item, kRouteConfigKeys, errors_);
  readName(map, route_config_names_, "route config", route_config.name);
  if (auto virtual_hosts = map.require("virtual_hosts")) {
    NameIndex names;
    NameIndex domains;
    forEach(readNonEmptyList(*virtual_hosts, errors_),
            [&](const Field& item) { parseVirtualHost(item, names, domains); });
  }
  bootstrap_.route_configs.push_back(std::move(route_config));
}

void BootstrapParser::parseVirtualHost(const Field& item, NameIndex& names, NameIndex& domains) {
  const FieldMap map(item, kVirtualHostKeys, errors_);
  std::string name;
  readName(map, names, "virtual host", name);
  if (auto list = map.require("domains")) {
    forEach(readNonEmptyList(*list, errors_), [&](const Field& item) {
      std::string domain;
      if (!readString(item, errors_, domain)) return;
      checkDomain(item, domain);
      define(domains, domain, item, "domain");
    });
  }
  if (auto routes = map.require("routes")) {
    forEach(readList(*routes, errors_), [&](const Field& item) { parseRoute(item); });
  }
}

void BootstrapParser::checkDomain(const Field& field, const std::string& domain) {
  const size_t star = domain.find('*');
  if (star == std::string::npos) return;
  const bool at_an_end = star == 0 || star == domain.size() - 1;
  if (at_an_end && domain.find('*', star + 1) == std::string::npos) return;
  errors_.add(field.mark, field.path,
              "a wildcard domain is \"*\", \"*suffix\" or \"prefix*\" (one * at either end), got " +
                  quoted(domain));
}

// A route's match and actions belong to the router, which checks every field by name when the
// snapshot is built (filters/router). Here: the route is a map with a match, and every cluster it
// names (cluster, weighted_clusters, request_mirror_policies) exists — a subset's cluster
// ("reviews/v1") included — reported with its line.
void BootstrapParser::parseRoute(const Field& item) {
  const FieldMap map(item, {}, errors_);
  map.require("match");
  auto refer = [&](const FieldMap& owner, std::string_view key) {
    std::string cluster;
    if (auto field = owner.get(key); field && readString(*field, errors_, cluster)) {
      references_.push_back({&cluster_names_, "cluster", cluster, *field});
    }
  };
  auto referEach = [&](const FieldMap& owner, std::string_view list, std::string_view key) {
    if (auto field = owner.get(list)) {
      forEach(readList(*field, errors_),
              [&](const Field& entry) { refer(FieldMap(entry, {}, errors_), key); });
    }
  };
  refer(map, "cluster");
  if (auto weighted = map.get("weighted_clusters")) {
    referEach(FieldMap(*weighted, {}, errors_), "clusters", "name");
  }
  referEach(map, "request_mirror_policies", "cluster");
}

void BootstrapParser::parseCluster(const Field& item) {
  Cluster cluster;
  const FieldMap map(item, kClusterKeys, errors_);
  readName(map, cluster_names_, "cluster", cluster.name);
  if (auto field = map.get("connect_timeout")) {
    readDuration(*field, 1, errors_, cluster.connect_timeout_ms);
  }
  if (auto endpoints = map.require("endpoints")) {
    forEach(readNonEmptyList(*endpoints, errors_), [&](const Field& item) {
      const FieldMap address(item, kEndpointKeys, errors_);
      Endpoint& endpoint = cluster.endpoints.emplace_back();
      readSocketAddress(address, 1, /*required=*/true, endpoint.address);
      if (auto weight = address.get("load_balancing_weight")) {
        readUint(*weight, 1, 1000000, errors_, endpoint.weight);
      }
      if (auto labels = address.get("labels")) readLabels(*labels, errors_, endpoint.labels);
    });
  }
  std::vector<Field> subset_names;
  if (auto subsets = map.get("subsets"); subsets && errors_.ok()) {
    subset_names = readSubsets(*subsets, errors_, cluster);
  }
  if (auto field = map.get("max_connections")) {
    readUint(*field, 1, kNoMax, errors_, cluster.max_connections);
  }
  if (auto field = map.get("max_pending_requests")) {
    readUint(*field, 1, kNoMax, errors_, cluster.max_pending_requests);
  }
  if (auto field = map.get("idle_timeout")) {
    readDuration(*field, 1, errors_, cluster.idle_timeout_ms);
  }
  if (auto field = map.get("max_requests_per_connection")) {
    readUint(*field, 0, kNoMax, errors_, cluster.max_requests_per_connection);
  }
  if (auto field = map.get("protocol")) {
    std::string protocol;
    if (readString(*field, errors_, protocol)) {
      if (protocol == "http2") {
        cluster.protocol = UpstreamProtocol::kHttp2;
      } else if (protocol != "http1") {
        errors_.add(field->mark, field->path, "must be http1 or http2, got " + quoted(protocol));
      }
    }
  }
  if (auto tls = map.get("tls")) parseClientTls(*tls, cluster.tls.emplace());
  readClusterBalancing(map, errors_, cluster);
  if (auto field = map.get("health_checks"))
    readHealthChecks(*field, errors_, cluster.health_check);
  for (size_t i = 0; errors_.ok() && i < cluster.subsets.size(); ++i) {
    subset_clusters_.emplace_back(subsetCluster(cluster, cluster.subsets[i]), subset_names[i]);
  }
  bootstrap_.clusters.push_back(std::move(cluster));
}

void BootstrapParser::parseServerTls(const Field& field, ServerTls& tls) {
  const FieldMap map(field, kServerTlsKeys, errors_);
  if (auto certificates = map.require("certificates")) {
    forEach(readNonEmptyList(*certificates, errors_), [&](const Field& item) {
      const FieldMap files(item, kCertificateKeys, errors_);
      TlsCertificate& certificate = tls.certificates.emplace_back();
      if (auto chain = files.require("certificate_chain")) {
        readFilePath(*chain, certificate.certificate_chain);
      }
      if (auto key = files.require("private_key")) readFilePath(*key, certificate.private_key);
    });
  }
  if (auto alpn = map.get("alpn")) readAlpn(*alpn, tls.alpn);
  if (auto ca = map.get("client_ca")) readFilePath(*ca, tls.client_ca);
  if (auto require = map.get("require_client_certificate");
      require && readBool(*require, errors_, tls.require_client_certificate) &&
      tls.require_client_certificate && !map.get("client_ca")) {
    errors_.add(require->mark, require->path,
                "needs client_ca, the CA client certificates are verified against");
  }
  if (auto version = map.get("min_version")) {
    std::string text;
    if (readString(*version, errors_, text)) {
      if (text == "1.3") {
        tls.min_version = TlsVersion::kTls13;
      } else if (text != "1.2") {
        errors_.add(version->mark, version->path,
                    "must be \"1.2\" or \"1.3\", got " + quoted(text));
      }
    }
  }
}

void BootstrapParser::parseClientTls(const Field& field, ClientTls& tls) {
  const FieldMap map(field, kClientTlsKeys, errors_);
  if (auto ca = map.get("ca")) readFilePath(*ca, tls.ca);
  if (auto sni = map.get("sni")) readString(*sni, errors_, tls.sni);
  if (auto alpn = map.get("alpn")) readAlpn(*alpn, tls.alpn);
  const std::optional<Field> chain = map.get("certificate_chain");
  const std::optional<Field> key = map.get("private_key");
  if (chain.has_value() != key.has_value()) {
    const Field& present = chain ? *chain : *key;
    errors_.add(present.mark, present.path,
                "certificate_chain and private_key go together (mutual TLS needs both)");
  }
  if (chain) readFilePath(*chain, tls.certificate_chain);
  if (key) readFilePath(*key, tls.private_key);
  if (auto names = map.get("verify_subject_alt_names")) {
    if (!map.get("ca")) {
      errors_.add(names->mark, names->path,
                  "needs ca: a name is only trusted on a certificate that was verified");
    }
    forEach(readNonEmptyList(*names, errors_), [&](const Field& item) {
      readString(item, errors_, tls.verify_subject_alt_names.emplace_back());
    });
  }
}

bool BootstrapParser::readFilePath(const Field& field, std::string& out) {
  std::string path;
  if (!readString(field, errors_, path)) return false;
  if (::access(path.c_str(), R_OK) != 0) {
    errors_.add(field.mark, field.path,
                "cannot read " + quoted(path) + ": " + std::strerror(errno));
    return false;
  }
  out = std::move(path);
  return true;
}

void BootstrapParser::readAlpn(const Field& field, std::vector<std::string>& out) {
  out.clear();
  forEach(readList(field, errors_), [&](const Field& item) {
    std::string protocol;
    if (!readString(item, errors_, protocol)) return;
    if (protocol.size() > 255) {
      errors_.add(item.mark, item.path, "an ALPN protocol name is at most 255 bytes");
      return;
    }
    out.push_back(std::move(protocol));
  });
}

void BootstrapParser::readSocketAddress(const FieldMap& map, uint32_t min_port, bool required,
                                        SocketAddress& out) {
  if (auto address = required ? map.require("address") : map.get("address")) {
    std::string text;
    if (readString(*address, errors_, text)) {
      if (std::optional<std::string> canonical = canonicalAddress(text)) {
        out.address = std::move(*canonical);
      } else {
        errors_.add(address->mark, address->path,
                    "must be a numeric IPv4 or IPv6 address, got " + describe(address->node));
      }
    }
  }
  uint32_t port = 0;
  if (auto field = required ? map.require("port") : map.get("port");
      field && readUint(*field, min_port, 65535, errors_, port)) {
    out.port = static_cast<uint16_t>(port);
  }
}

bool BootstrapParser::readName(const FieldMap& map, NameIndex& names, std::string_view kind,
                               std::string& out) {
  const std::optional<Field> field = map.require("name");
  if (!field || !readString(*field, errors_, out)) return false;
  define(names, out, *field, kind);
  return true;
}

void BootstrapParser::define(NameIndex& names, const std::string& name, const Field& field,
                             std::string_view kind) {
  const auto [first, inserted] = names.emplace(name, field.mark);
  if (!inserted) {
    errors_.add(field.mark, field.path,
                "duplicate " + std::string(kind) + " " + quoted(name) + " (first at " +
                    errors_.location(first->second) + ")");
  }
}

std::optional<std::string> BootstrapParser::toJson(const Field& field) {
  Result<std::string> json = yamlToJson(field.node, json_budget_);
  if (!json) {
    errors_.add(field.mark, field.path, json.status().message());
    return std::nullopt;
  }
  json_budget_ -= json->size();
  return std::move(*json);
}

void BootstrapParser::forEach(const std::vector<Field>& items,
                              const std::function<void(const Field&)>& parse) {
  for (const Field& item : items) {
    if (!errors_.ok()) return;
    parse(item);
  }
}

void BootstrapParser::addSubsetClusters() {
  for (auto& [cluster, name] : subset_clusters_) {
    if (const auto clash = cluster_names_.find(cluster.name); clash != cluster_names_.end()) {
      errors_.add(name.mark, name.path,
                  "the subset's cluster " + quoted(cluster.name) +
                      " clashes with the cluster of that name at " +
                      errors_.location(clash->second) + "; rename one");
      return;
    }
    cluster_names_.emplace(cluster.name, name.mark);
    bootstrap_.clusters.push_back(std::move(cluster));
  }
}

void BootstrapParser::checkReferences() {
  for (const Reference& reference : references_) {
    if (!reference.defined->contains(reference.name)) {
      errors_.add(reference.field.mark, reference.field.path,
                  "unknown " + std::string(reference.kind) + " " + quoted(reference.name));
    }
  }
}

// Where a second YAML document starts in `text`, if there is one. Asks the parser for two
// documents at most: YAML::LoadAll loops forever, allocating, on some malformed input (a stray
// "," at the top level: yaml-cpp 0.7 reports an endless stream of empty documents).
std::optional<YAML::Mark> secondDocument(const std::string& text) {
  class DocumentStarts : public YAML::EventHandler {
   public:
    int count = 0;
    YAML::Mark second;
    void OnDocumentStart(const YAML::Mark& mark) override {
      if (++count == 2) second = mark;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
  };
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentStarts starts;
  for (int i = 0; i < 2 && parser.HandleNextDocument(starts); ++i) {
  }
  if (starts.count < 2) return std::nullopt;
  return starts.second;
}

// Reads the whole file; on failure returns errno.
int readFile(const std::string& path, std::string& out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  char buffer[64 * 1024];
  int error = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      error = errno;
      break;
    }
  }
  ::close(fd);
  return error;
}

}  // namespace

const Cluster* Bootstrap::findCluster(std::string_view name) const {
  for (const Cluster& cluster : clusters) {
    if (cluster.name == name) return &cluster;
  }
  return nullptr;
}

Result<Bootstrap> loadBootstrap(const std::string& path) {
  std::string text;
  if (const int error = readFile(path, text); error != 0) {
    return Status::error(path + ": cannot read the file: " + std::strerror(error));
  }
  return parseBootstrap(text, path);
}

Result<Bootstrap> parseBootstrap(std::string_view text, const std::string& source_name) {
  // yaml-cpp reports syntax errors (and, in principle, allocation failures) as exceptions: this
  // is the edge where they become a Status.
  const FieldErrors where(source_name);
  try {
    const std::string input(text);
    const YAML::Node root = YAML::Load(input);
    if (const std::optional<YAML::Mark> second = secondDocument(input)) {
      return Status::error(where.location(*second) +
                           ": only one YAML document is allowed; another one (or stray text) "
                           "starts here");
    }
    BootstrapParser parser(source_name);
    return parser.parse(root);
  } catch (const YAML::Exception& e) {
    return Status::error(where.location(e.mark) + ": " + e.msg);
  } catch (const std::exception& e) {
    return Status::error(source_name + ": " + e.what());
  }
}

uint32_t RouteConfig::lineOf(std::string_view field_path) const {
  uint32_t best = 0;
  size_t best_length = 0;
  for (const auto& [path, line] : field_lines) {
    bool ancestor = field_path.starts_with(path) &&
                    (field_path.size() == path.size() || field_path[path.size()] == '.' ||
                     field_path[path.size()] == '[');
    if (ancestor && path.size() >= best_length) {
      best = line;
      best_length = path.size();
    }
  }
  return best;
}

}  // namespace weft::config
