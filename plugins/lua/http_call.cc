// httpCall's arguments and results in Lua, and the clients behind it: see http_call.h.
#include "plugins/lua/http_call.h"

#include <string>
#include <string_view>

#include "weft/filter.hpp"

namespace weft::lua {
namespace {

class UnavailableHttpCalls final : public HttpCallClient {
 public:
  Result<int64_t> start(weft_stream_host*, const HttpCallRequest&) override {
    return Status::error(kHttpCallNeedsAbi12);
  }
};

// Calls through the host's http_call (ABI 1.2); the response body is limited by the host's
// default (1 MiB; more fails the call with "too_large").
class HostHttpCalls final : public HttpCallClient {
 public:
  explicit HostHttpCalls(const weft_host_api* host) : host_(host) {}

  Result<int64_t> start(weft_stream_host* stream, const HttpCallRequest& request) override {
    std::vector<weft_header> headers;
    headers.reserve(request.headers.size());
    for (const auto& [name, value] : request.headers) {
      headers.push_back(weft_header{toWeftStr(name), toWeftStr(value)});
    }
    const int64_t token =
        host_->http_call(stream, toWeftStr(request.cluster), headers.data(), headers.size(),
                         toWeftStr(request.body), request.timeout_ms, 0);
    if (token > 0) return token;
    if (token == WEFT_ERR_NOT_FOUND) {
      return Status::error("httpCall: no cluster named '" + request.cluster + "'");
    }
    if (token == WEFT_ERR_INVALID_ARGUMENT) {
      return Status::error(
          "httpCall: the host refused the request (a header name or value is "
          "not valid HTTP)");
    }
    return Status::error("httpCall: the host refused the call (error " + std::to_string(token) +
                         ")");
  }

 private:
  const weft_host_api* host_;
};

// Appends the value(s) at stack index `value` (a string, a number, or an array of them) under
// `name` to `out`. False if the value has another type.
bool appendHeaderValues(lua_State* L, std::string_view name, int value, HeaderList& out) {
  if (lua_type(L, value) == LUA_TSTRING || lua_type(L, value) == LUA_TNUMBER) {
    out.emplace_back(std::string(name), std::string(viewAt(L, value)));
    return true;
  }
  if (!lua_istable(L, value)) return false;
  const size_t n = lua_objlen(L, value);
  for (size_t i = 1; i <= n; ++i) {
    lua_rawgeti(L, value, static_cast<int>(i));
    const bool usable = lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER;
    if (usable) out.emplace_back(std::string(name), std::string(viewAt(L, -1)));
    lua_pop(L, 1);
    if (!usable) return false;
  }
  return true;
}

bool hasHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return true;
  }
  return false;
}

// Reads an options table: timeout_ms and asynchronous (other Envoy options are accepted and have
// no effect here).
int readOptions(lua_State* L, int index, HttpCallRequest& out) {
  lua_getfield(L, index, "timeout_ms");
  const bool bad_timeout = !lua_isnil(L, -1) && !lua_isnumber(L, -1);
  if (!bad_timeout && !lua_isnil(L, -1))
    out.timeout_ms = static_cast<uint64_t>(lua_tonumber(L, -1));
  lua_pop(L, 1);
  if (bad_timeout) return pushError(L, "httpCall: options.timeout_ms must be a number");
  lua_getfield(L, index, "asynchronous");
  out.asynchronous = lua_toboolean(L, -1) != 0;
  lua_pop(L, 1);
  return 0;
}

}  // namespace

std::shared_ptr<HttpCallClient> hostHttpCallClient(const weft_host_api* host) {
  const bool callable =
      host != nullptr && WEFT_HOST_HAS(host, http_call) && host->http_call != nullptr;
  if (callable) return std::make_shared<HostHttpCalls>(host);
  static const auto unavailable = std::make_shared<UnavailableHttpCalls>();
  return unavailable;
}

HttpCallResult toHttpCallResult(const weft_http_call_result& result) {
  HttpCallResult out;
  out.ok = result.status != 0;
  out.error = std::string(toView(result.failure));
  for (size_t i = 0; i < result.header_count; ++i) {
    out.headers.emplace_back(std::string(toView(result.headers[i].name)),
                             std::string(toView(result.headers[i].value)));
  }
  out.body = std::string(toView(result.body));
  return out;
}

int readHttpCallArgs(lua_State* L, int first, HttpCallRequest& out) {
  if (lua_type(L, first) != LUA_TSTRING) {
    return pushError(L, "httpCall: the first argument must be a cluster name");
  }
  out.cluster = std::string(viewAt(L, first));
  if (!lua_istable(L, first + 1)) return pushError(L, "httpCall: headers must be a table");
  lua_pushnil(L);
  while (lua_next(L, first + 1) != 0) {
    const bool named = lua_type(L, -2) == LUA_TSTRING;
    const bool ok = named && appendHeaderValues(L, viewAt(L, -2), lua_gettop(L), out.headers);
    lua_pop(L, 1);
    if (!ok) {
      lua_pop(L, 1);
      return pushError(L,
                       "httpCall: each header needs a string name and a string value (or a "
                       "table of them)");
    }
  }
  for (std::string_view required : {":method", ":path", ":authority"}) {
    if (!hasHeader(out.headers, required)) {
      return pushError(L, "httpCall: the headers must set " + std::string(required));
    }
  }
  const int body = first + 2;
  if (!lua_isnoneornil(L, body)) {
    if (lua_type(L, body) != LUA_TSTRING) return pushError(L, "httpCall: body must be a string");
    out.body = std::string(viewAt(L, body));
  }
  const int fourth = first + 3;
  if (lua_istable(L, fourth)) return readOptions(L, fourth, out);
  if (!lua_isnoneornil(L, fourth)) {
    if (!lua_isnumber(L, fourth)) return pushError(L, "httpCall: timeout_ms must be a number");
    out.timeout_ms = static_cast<uint64_t>(lua_tonumber(L, fourth));
  }
  out.asynchronous = lua_toboolean(L, first + 4) != 0;
  return 0;
}

int pushHttpCallResult(lua_State* L, const HttpCallResult& result) {
  if (!result.ok) {
    lua_pushnil(L);
    pushView(L, result.error.empty() ? std::string_view("httpCall failed") : result.error);
    return 2;
  }
  lua_createtable(L, 0, static_cast<int>(result.headers.size()));
  for (const auto& [name, value] : result.headers) {
    pushView(L, name);
    pushView(L, value);
    lua_rawset(L, -3);
  }
  if (result.body.empty()) {
    lua_pushnil(L);
  } else {
    pushView(L, result.body);
  }
  return 2;
}

}  // namespace weft::lua
