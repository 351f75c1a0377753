// What the Lua filter's integration tests share: weft-proxy with one built-in `lua` filter entry
// named "script" in front of the test upstream (LuaProxy), optionally with a second upstream as
// cluster "auth" for httpCall (AuthLuaProxy), and the config snippets that build them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tests/integration/proxy_fixture.h"

namespace weft::itest {

// tests/lua/<name>, found from this file's own path.
std::string script(const std::string& name);

struct LuaSpec {
  std::string config;  // the filter's config, flow-style YAML ("{ source: ... }")
  bool fail_open = false;
  uint32_t workers = 2;
  std::string extra_clusters = {};  // cluster entries after "backend" (HttpBootstrap's)
  std::string extra_routes = {};    // route entries before the catch-all (HttpBootstrap's)
};

// A filter config with the script inline / from tests/lua/<name>, plus `extra` options
// ("shared_dicts: { hits: 65536 }").
std::string inlineSource(std::string_view lua, std::string_view extra = "");
std::string fromFile(const std::string& name, std::string_view extra = "");

// The fixture's bootstrap with one built-in `lua` filter entry named "script".
std::string luaBootstrap(uint16_t upstream_port, const LuaSpec& spec);

struct LuaProxy {
  explicit LuaProxy(const LuaSpec& spec) : proxy(luaBootstrap(upstream.port(), spec)) {}
  uint64_t upstreamRequests() const { return proxy.statSum(kUpstreamRequestsStat); }
  uint64_t luaStat(const std::string& name) const {
    return proxy.stat("lua.filter.script." + name).value_or(0);
  }

  Upstream upstream{"origin"};
  Proxy proxy;
};

// POST `body` (with content-length) to `path` on a fresh connection.
std::optional<HttpResponse> post(uint16_t port, std::string_view path, std::string_view body);

// A cluster entry for LuaSpec::extra_clusters: `name` at 127.0.0.1:port.
std::string clusterEntry(const std::string& name, uint16_t port);

// LuaProxy plus cluster "auth": a second weft-test-upstream for the scripts' httpCall.
struct AuthLuaProxy {
  explicit AuthLuaProxy(LuaSpec spec) : proxy(luaBootstrap(upstream.port(), withAuth(spec))) {}
  LuaSpec withAuth(LuaSpec spec) const {
    spec.extra_clusters += clusterEntry("auth", auth.port());
    return spec;
  }
  uint64_t requestsTo(const std::string& cluster) const {
    return proxy.stat("cluster." + cluster + ".upstream_rq_total").value_or(0);
  }

  Upstream upstream{"origin"};
  Upstream auth{"auth"};
  Proxy proxy;
};

}  // namespace weft::itest
