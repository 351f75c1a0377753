// What the load-balancing and resilience tests share: a bootstrap whose every path goes to one
// cluster "pool" of several real upstreams (on one worker, so balancing is deterministic), and
// ways to see which upstream answered.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/proxy_fixture.h"

namespace weft::itest {

struct PoolSpec {
  std::vector<std::string> endpoints;  // flow-style entries, see endpoint()
  std::string cluster_fields;          // block lines at cluster level ("    lb_policy: RANDOM\n")
  std::string route_fields;            // block lines at route level ("            timeout: 1s\n")
  std::string top_level_yaml;          // e.g. an access_log block
};
std::string poolBootstrap(const PoolSpec& spec);
// The same with cluster fields only.
inline std::string poolBootstrap(std::vector<std::string> endpoints, std::string cluster_fields) {
  return poolBootstrap(PoolSpec{std::move(endpoints), std::move(cluster_fields), "", ""});
}

// "{ address: 127.0.0.1, port: PORT[, extra] }".
std::string endpoint(uint16_t port, std::string_view extra = "");

// Which upstream answered "hello from NAME\n": NAME; else the status as text ("503").
std::string answeredBy(const std::optional<HttpResponse>& response);

// Sends `count` GET `path` on one keep-alive connection (a new one after a close); how many each
// upstream answered (answeredBy).
std::map<std::string, int> spread(uint16_t port, int count, std::string_view path = "/",
                                  std::string_view headers = "");

}  // namespace weft::itest
