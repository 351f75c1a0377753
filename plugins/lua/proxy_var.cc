// proxy.var: see proxy_var.h.
#include "plugins/lua/proxy_var.h"

#include <cctype>
#include <cstdio>
#include <optional>

#include "plugins/lua/lua_stream.h"

namespace weft::lua {
namespace {

using OptView = std::optional<std::string_view>;

bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// "ip:port" or "[v6]:port" → its two halves.
std::string_view addressPart(OptView address, bool want_port) {
  if (!address) return {};
  const size_t colon = address->rfind(':');
  if (colon == std::string_view::npos) return want_port ? std::string_view() : *address;
  if (want_port) return address->substr(colon + 1);
  std::string_view ip = address->substr(0, colon);
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  return ip;
}

void pushOptional(lua_State* L, OptView value) {
  if (value) {
    pushView(L, *value);
  } else {
    lua_pushnil(L);
  }
}

void pushNumber(lua_State* L, std::optional<uint64_t> value) {
  if (!value) {
    lua_pushnil(L);
    return;
  }
  char text[24];
  std::snprintf(text, sizeof(text), "%llu", static_cast<unsigned long long>(*value));
  lua_pushstring(L, text);
}

// A header of `map` by a variable-style name ('_' for '-'); several values joined with ", ".
void pushHeader(lua_State* L, const LuaStream& stream, weft_map map, std::string_view var_name) {
  luaL_Buffer name;
  luaL_buffinit(L, &name);
  for (char c : var_name) luaL_addchar(&name, c == '_' ? '-' : c);
  luaL_pushresult(&name);
  const std::string_view header = viewAt(L, -1);
  const HeaderMapRef headers = stream.host().headers(map);
  const size_t count = headers.count(header);
  if (count == 0) {
    lua_pop(L, 1);
    lua_pushnil(L);
    return;
  }
  luaL_Buffer joined;
  luaL_buffinit(L, &joined);
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) luaL_addlstring(&joined, ", ", 2);
    const OptView value = headers.get(header, i);
    if (value) luaL_addlstring(&joined, value->data(), value->size());
  }
  luaL_pushresult(&joined);
  lua_remove(L, -2);
}

// The value of `key` in a list like "a=1&b=2" (separator '&') or "a=1; b=2" (separator ';').
OptView findPair(std::string_view list, std::string_view key, char separator) {
  while (!list.empty()) {
    const size_t end = list.find(separator);
    std::string_view item = list.substr(0, end);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const size_t equals = item.find('=');
    if (item.substr(0, equals) == key) {
      return equals == std::string_view::npos ? std::string_view() : item.substr(equals + 1);
    }
    if (end == std::string_view::npos) break;
    list.remove_prefix(end + 1);
  }
  return std::nullopt;
}

OptView query(const LuaStream& stream) {
  const OptView path = stream.host().requestHeader(":path");
  if (!path) return std::nullopt;
  const size_t mark = path->find('?');
  if (mark == std::string_view::npos) return std::nullopt;
  return path->substr(mark + 1);
}

void pushHost(lua_State* L, const LuaStream& stream) {
  OptView authority = stream.host().requestHeader(":authority");
  if (!authority) authority = stream.host().requestHeader("host");
  if (!authority || authority->empty()) {
    pushView(L, addressPart(stream.host().info(WEFT_INFO_DOWNSTREAM_LOCAL_ADDRESS), false));
    return;
  }
  std::string_view host = *authority;
  if (host.front() == '[') {
    host = host.substr(0, host.find(']') + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  luaL_Buffer lower;
  luaL_buffinit(L, &lower);
  for (char c : host) {
    luaL_addchar(&lower, static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  luaL_pushresult(&lower);
}

}  // namespace

void pushVar(lua_State* L, const LuaStream& stream, std::string_view name) {
  const Stream& host = stream.host();
  if (name == "remote_addr" || name == "remote_port") {
    const OptView address = host.info(WEFT_INFO_DOWNSTREAM_REMOTE_ADDRESS);
    pushOptional(L, address ? OptView(addressPart(address, name == "remote_port")) : address);
  } else if (name == "server_addr" || name == "server_port") {
    const OptView address = host.info(WEFT_INFO_DOWNSTREAM_LOCAL_ADDRESS);
    pushOptional(L, address ? OptView(addressPart(address, name == "server_port")) : address);
  } else if (name == "host") {
    pushHost(L, stream);
  } else if (name == "request_method") {
    pushOptional(L, host.requestHeader(":method"));
  } else if (name == "scheme") {
    pushOptional(L, host.requestHeader(":scheme"));
  } else if (name == "request_uri") {
    pushOptional(L, host.requestHeader(":path"));
  } else if (name == "uri") {
    const OptView path = host.requestHeader(":path");
    pushOptional(L, path ? OptView(path->substr(0, path->find('?'))) : path);
  } else if (name == "args" || name == "query_string") {
    pushOptional(L, query(stream));
  } else if (startsWith(name, "arg_")) {
    const OptView args = query(stream);
    pushOptional(L, args ? findPair(*args, name.substr(4), '&') : args);
  } else if (startsWith(name, "http_")) {
    pushHeader(L, stream, WEFT_MAP_REQUEST_HEADERS, name.substr(5));
  } else if (startsWith(name, "sent_http_")) {
    pushHeader(L, stream, WEFT_MAP_RESPONSE_HEADERS, name.substr(10));
  } else if (startsWith(name, "cookie_")) {
    const OptView cookies = host.requestHeader("cookie");
    pushOptional(L, cookies ? findPair(*cookies, name.substr(7), ';') : cookies);
  } else if (name == "server_protocol") {
    pushOptional(L, host.info(WEFT_INFO_PROTOCOL));
  } else if (name == "request_id") {
    pushOptional(L, host.info(WEFT_INFO_REQUEST_ID));
  } else if (name == "status") {
    // As nginx's $status in its header and body filters: the response's status as it stands,
    // before the proxy has sent it; the code sent once it has (or for a local reply).
    const std::optional<uint64_t> sent = host.info(WEFT_INFO_RESPONSE_CODE);
    if (sent) {
      pushNumber(L, sent);
    } else {
      pushHeader(L, stream, WEFT_MAP_RESPONSE_HEADERS, ":status");
    }
  } else if (name == "upstream_addr") {
    pushOptional(L, host.info(WEFT_INFO_UPSTREAM_HOST));
  } else if (name == "bytes_sent" || name == "body_bytes_sent") {
    pushNumber(L, host.info(WEFT_INFO_BYTES_SENT));
  } else if (name == "request_time") {
    const std::optional<uint64_t> micros = host.info(WEFT_INFO_DURATION_US);
    if (!micros) {
      lua_pushnil(L);
      return;
    }
    char text[32];
    std::snprintf(text, sizeof(text), "%.3f", static_cast<double>(*micros) / 1e6);
    lua_pushstring(L, text);
  } else {
    lua_pushnil(L);
  }
}

}  // namespace weft::lua
