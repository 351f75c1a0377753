// The load-balancing tests' shared bootstrap and helpers: see upstream_pool.h.
#include "tests/integration/upstream_pool.h"

namespace weft::itest {

std::string poolBootstrap(const PoolSpec& spec) {
  HttpBootstrap bootstrap;
  bootstrap.upstream_port = 1;  // "backend" is unused
  bootstrap.workers = 1;
  bootstrap.top_level_yaml = spec.top_level_yaml;
  bootstrap.extra_routes =
      "          - match: { prefix: / }\n            cluster: pool\n" + spec.route_fields;
  std::string list;
  for (const std::string& e : spec.endpoints) list += (list.empty() ? "" : ", ") + e;
  bootstrap.extra_clusters = "  - name: pool\n    connect_timeout: 250ms\n    endpoints: [ " +
                             list + " ]\n" + spec.cluster_fields;
  return httpBootstrapYaml(bootstrap);
}

std::string endpoint(uint16_t port, std::string_view extra) {
  std::string text = "{ address: 127.0.0.1, port: " + std::to_string(port);
  if (!extra.empty()) text += ", " + std::string(extra);
  return text + " }";
}

std::string answeredBy(const std::optional<HttpResponse>& response) {
  if (!response) return "<no response>";
  if (response->status != 200) return std::to_string(response->status);
  const std::string prefix = "hello from ";
  if (!response->body.starts_with(prefix) || !response->body.ends_with('\n')) return response->body;
  return response->body.substr(prefix.size(), response->body.size() - prefix.size() - 1);
}

std::map<std::string, int> spread(uint16_t port, int count, std::string_view path,
                                  std::string_view headers) {
  std::map<std::string, int> seen;
  std::unique_ptr<HttpConnection> connection;
  for (int i = 0; i < count; ++i) {
    if (!connection) connection = HttpConnection::open(port);
    if (!connection || !connection->send(request("GET", path, headers))) {
      ++seen["<no connection>"];
      connection.reset();
      continue;
    }
    auto response = connection->readResponse();
    ++seen[answeredBy(response)];
    if (!response || response->header("connection").value_or("") == "close") connection.reset();
  }
  return seen;
}

}  // namespace weft::itest
