// Lua filter test fixtures: see lua_fixture.h.
#include "tests/integration/lua_fixture.h"

#include <filesystem>

#include "core/common/json.h"

namespace weft::itest {

std::string script(const std::string& name) {
  return (std::filesystem::path(__FILE__).parent_path().parent_path() / "lua" / name).string();
}

std::string inlineSource(std::string_view lua, std::string_view extra) {
  std::string config = "{ source: " + json::quoted(lua);
  if (!extra.empty()) config += ", " + std::string(extra);
  return config + " }";
}

std::string fromFile(const std::string& name, std::string_view extra) {
  std::string config = "{ path: " + json::quoted(script(name));
  if (!extra.empty()) config += ", " + std::string(extra);
  return config + " }";
}

std::string luaBootstrap(uint16_t upstream_port, const LuaSpec& spec) {
  HttpBootstrap bootstrap;
  bootstrap.upstream_port = upstream_port;
  bootstrap.workers = spec.workers;
  bootstrap.extra_clusters = spec.extra_clusters;
  bootstrap.extra_routes = spec.extra_routes;
  bootstrap.filters = {{"script", "@builtin@", spec.config}};
  std::string yaml = httpBootstrapYaml(bootstrap);
  const std::string placeholder = "plugin: @builtin@";
  std::string entry = "builtin: lua";
  if (spec.fail_open) entry += "\n        fail_open: true";
  yaml.replace(yaml.find(placeholder), placeholder.size(), entry);
  return yaml;
}

std::optional<HttpResponse> post(uint16_t port, std::string_view path, std::string_view body) {
  auto connection = HttpConnection::open(port);
  if (!connection) return std::nullopt;
  const std::string length = "content-length: " + std::to_string(body.size()) + "\r\n";
  if (!connection->send(request("POST", path, length, body))) return std::nullopt;
  return connection->readResponse();
}

std::string clusterEntry(const std::string& name, uint16_t port) {
  return "  - name: " + name + "\n    connect_timeout: 1s\n    endpoints: [ { address: " +
         "127.0.0.1, port: " + std::to_string(port) + " } ]\n";
}

}  // namespace weft::itest
