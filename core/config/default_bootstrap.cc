// The embedded default bootstrap: see default_bootstrap.h.
#include "core/config/default_bootstrap.h"

namespace weft::config {

const std::string_view kDefaultBootstrap = R"(
admin: { address: 127.0.0.1, port: 9901 }
listeners:
  - name: ingress
    address: 127.0.0.1
    port: 10000
    protocol: http
    route_config: local_app
route_configs:
  - name: local_app
    virtual_hosts:
      - name: local_app
        domains: ["*"]
        routes:
          - match: { prefix: / }
            cluster: local_app
clusters:
  - name: local_app
    connect_timeout: 1s
    endpoints: [ { address: 127.0.0.1, port: 8080 } ]
)";

}  // namespace weft::config
