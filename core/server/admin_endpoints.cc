// The server's own admin endpoints: /config_dump, /clusters, /ready, /healthz, /drain.
#include <string>

#include "core/common/json.h"
#include "core/server/server.h"

namespace weft::server {

namespace {

using json::quoted;

std::string configDump(const Server& server) {
  const ConfigSnapshot& s = *server.snapshot();
  std::string out = "{\"version\":" + std::to_string(s.version) +
                    ",\"source\":" + quoted(s.bootstrap.source_path) +
                    ",\"last_reload_error\":" + quoted(server.lastReloadError()) +
                    ",\"listeners\":[";
  bool first = true;
  for (const auto& [name, l] : s.listeners) {
    out += first ? "" : ",";
    first = false;
    out += "{\"name\":" + quoted(name) + ",\"address\":" + quoted(l->address.toString()) +
           ",\"protocol\":" +
           quoted(l->config.protocol == config::ListenerProtocol::kHttp ? "http" : "tcp");
    if (l->config.protocol == config::ListenerProtocol::kHttp) {
      out += ",\"route_config\":" + quoted(l->config.route_config) + ",\"filters\":[";
      for (size_t i = 0; i < l->chain.size(); ++i) {
        const auto& f = l->chain[i];
        out += (i ? "," : "") + std::string("{\"name\":") + quoted(f->name()) +
               ",\"module\":" + quoted(f->module().name ? f->module().name : "") + "}";
      }
      out += "]";
    } else {
      out += ",\"cluster\":" + quoted(l->config.cluster);
    }
    out += "}";
  }
  out += "],\"route_configs\":[";
  first = true;
  for (const auto& r : s.bootstrap.route_configs) {
    out += (first ? "" : ",") + r.json;
    first = false;
  }
  out += "],\"clusters\":[";
  first = true;
  for (const auto& [name, c] : s.clusters) {
    out += (first ? "" : ",") + std::string("{\"name\":") + quoted(name) + ",\"endpoints\":[";
    first = false;
    for (size_t i = 0; i < c->endpoints.size(); ++i) {
      out += (i ? "," : "") + quoted(c->endpoints[i].toString());
    }
    out += "],\"connect_timeout_ms\":" + std::to_string(c->config.connect_timeout_ms) +
           ",\"lb_policy\":" + quoted(upstream::lbPolicyName(c->config.lb.policy)) + "}";
  }
  return out + "]}\n";
}

std::string clusters(const Server& server) {
  std::string out;
  for (const auto& [name, c] : server.snapshot()->clusters) {
    const auto& st = *c->stats;
    for (const auto& endpoint : c->endpoints) {
      std::string prefix = name + "::" + endpoint.toString() + "::";
      out += prefix + "health_flags::healthy\n";
    }
    out += name + "::cx_active::" + std::to_string(st.cx_active.value()) + "\n";
    out += name + "::rq_total::" + std::to_string(st.rq_total.value()) + "\n";
    out += name + "::cx_connect_fail::" + std::to_string(st.cx_connect_fail.value()) + "\n";
  }
  return out;
}

}  // namespace

void addServerEndpoints(admin::AdminServer& admin, Server& server) {
  admin.addHandler("/config_dump", "the running configuration, as JSON",
                   [&server](auto, auto, const auto&) {
                     return admin::AdminResponse{200, "application/json", configDump(server)};
                   });
  admin.addHandler("/clusters", "upstream clusters, their endpoints and counters",
                   [&server](auto, auto, const auto&) {
                     return admin::AdminResponse{200, "text/plain", clusters(server)};
                   });
  admin.addHandler("/ready", "200 once serving, 503 while starting or draining",
                   [&server](auto, auto, const auto&) {
                     bool ready = server.ready();
                     return admin::AdminResponse{ready ? 200 : 503, "text/plain",
                                                 ready ? "LIVE\n" : "DRAINING\n"};
                   });
  admin.addHandler("/healthz", "200 while the process runs", [](auto, auto, const auto&) {
    return admin::AdminResponse{200, "text/plain", "OK\n"};
  });
  admin.addHandler("/drain", "POST: stop accepting and exit once in-flight requests finish",
                   [&server](std::string_view method, auto, const auto&) {
                     if (method != "POST") {
                       return admin::AdminResponse{405, "text/plain", "use POST\n"};
                     }
                     server.startDrain();
                     return admin::AdminResponse{200, "text/plain", "draining\n"};
                   });
}

}  // namespace weft::server
