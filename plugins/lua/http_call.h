// The seam between a script's handle:httpCall(...) and the host that carries the call out.
//
// The Lua side: arguments are checked and turned into an HttpCallRequest, a waiting script
// yields until LuaStream::onHttpCallDone delivers the HttpCallResult (from the module's
// on_http_call_done hook), and the result is handed back as (headers table, body). What performs
// the call is an HttpCallClient: the host's http_call on an ABI 1.2 host, or, on an older host,
// one that refuses every call with kHttpCallNeedsAbi12. Tests plug in their own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/common/status.h"
#include "plugins/lua/lua_util.h"
#include "weft/filter_abi.h"

namespace weft::lua {

inline constexpr char kHttpCallNeedsAbi12[] = "httpCall needs ABI 1.2 (not available in this host)";

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpCallRequest {
  std::string cluster;
  HeaderList headers;  // :method, :path and :authority are always present
  std::string body;
  uint64_t timeout_ms = 0;    // 0: no timeout of its own
  bool asynchronous = false;  // fire and forget: the script goes on at once, no result
};

struct HttpCallResult {
  bool ok = false;     // a response arrived
  std::string error;   // why not, when !ok (e.g. "timeout", "no healthy upstream")
  HeaderList headers;  // the response's, ":status" included
  std::string body;
};

// Performs calls for scripts. Called on the stream's worker, during one of its hooks.
class HttpCallClient {
 public:
  virtual ~HttpCallClient() = default;
  // Starts `request` for `stream`: a token > 0 that the completion carries, or why not. The
  // host cancels what is still pending when the stream ends.
  virtual Result<int64_t> start(weft_stream_host* stream, const HttpCallRequest& request) = 0;
};

// The client for `host`: its http_call (ABI 1.2), else one that refuses every call with
// kHttpCallNeedsAbi12.
std::shared_ptr<HttpCallClient> hostHttpCallClient(const weft_host_api* host);

// What on_http_call_done reports, copied out of the host's views.
HttpCallResult toHttpCallResult(const weft_http_call_result& result);

// handle:httpCall(cluster, headers, body, timeout_ms, asynchronous) or
// handle:httpCall(cluster, headers, body, {timeout_ms = , asynchronous = }), Envoy's two forms:
// reads the arguments from stack index `first` on into `out`. Returns 0, or kRaise with the
// message pushed (see lua_util.h).
int readHttpCallArgs(lua_State* L, int first, HttpCallRequest& out);

// Pushes what httpCall returns for `result`: (headers table, body) — a header seen more than once
// keeps its last value, as in Envoy — or (nil, error). Returns the number of values pushed.
int pushHttpCallResult(lua_State* L, const HttpCallResult& result);

}  // namespace weft::lua
