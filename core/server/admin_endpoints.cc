// The server's own admin endpoints: /config_dump, /clusters, /ready, /healthz, /drain.
#include <string>

#include "core/server/server.h"

namespace weft::server {

namespace {

std::string jsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof(esc), "\\u%04x", c);
      out.append(esc);
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

std::string configDump(const Server& server) {
  const ConfigSnapshot& s = *server.snapshot();
  std::string out = "{\"version\":" + std::to_string(s.version) +
                    ",\"source\":" + jsonString(s.bootstrap.source_path) +
                    ",\"last_reload_error\":" + jsonString(server.lastReloadError()) +
                    ",\"listeners\":[";
  bool first = true;
  for (const auto& [name, l] : s.listeners) {
    out += first ? "" : ",";
    first = false;
    out += "{\"name\":" + jsonString(name) + ",\"address\":" + jsonString(l->address.toString()) +
           ",\"protocol\":" +
           jsonString(l->config.protocol == config::ListenerProtocol::kHttp ? "http" : "tcp");
    if (l->config.protocol == config::ListenerProtocol::kHttp) {
      out += ",\"route_config\":" + jsonString(l->config.route_config) + ",\"filters\":[";
      for (size_t i = 0; i < l->chain.size(); ++i) {
        const auto& f = l->chain[i];
        out += (i ? "," : "") + std::string("{\"name\":") + jsonString(f->name()) +
               ",\"module\":" + jsonString(f->module().name ? f->module().name : "") + "}";
      }
      out += "]";
    } else {
      out += ",\"cluster\":" + jsonString(l->config.cluster);
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
    out += (first ? "" : ",") + std::string("{\"name\":") + jsonString(name) + ",\"endpoints\":[";
    first = false;
    for (size_t i = 0; i < c->endpoints.size(); ++i) {
      out += (i ? "," : "") + jsonString(c->endpoints[i].toString());
    }
    out += "],\"connect_timeout_ms\":" + std::to_string(c->config.connect_timeout_ms) +
           ",\"lb_policy\":" + jsonString(c->config.lb_policy) + "}";
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
  admin.addHandler("/healthz", "200 while the process runs",
                   [](auto, auto, const auto&) {
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
