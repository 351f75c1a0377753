// HostStream: what the proxy's filter manager offers one stream, in C++ terms. host_api.cc
// turns the C function table of weft/filter_abi.h into calls on this interface, so the ABI
// glue knows nothing about codecs or connections, and the data plane knows nothing about the C
// table. A weft_stream_host* handed to a module is a HostStream* in disguise.
//
// Thread: every call happens on the stream's worker, inside one of its hooks or callbacks.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/http/header_map.h"
#include "core/http/retry_state.h"
#include "weft/filter_abi.h"

struct evbuffer;
struct event_base;

namespace weft::plugins {

class HostStream {
 public:
  virtual ~HostStream() = default;

  // The map the ABI's weft_map names, or nullptr when it does not exist yet in this phase
  // (e.g. response headers during on_request_headers). Writable only while the owning direction
  // has not been sent on.
  virtual http::HeaderMap* headerMap(weft_map map) = 0;
  // The body the current body hook delivers (or the buffered body), or nullptr outside one.
  virtual evbuffer* body(weft_body which) = 0;

  virtual int sendLocalReply(uint32_t status, std::string_view body, const weft_header* headers,
                             size_t header_count, std::string_view details) = 0;
  virtual int continueRequest() = 0;
  virtual int continueResponse() = 0;
  // Abandon the stream and close its downstream connection (after the current hook returns).
  virtual int reset() = 0;

  // Timers: the filter that calls timer_start is the one whose on_timer hook fires.
  virtual int64_t timerStart(uint64_t delay_ms) = 0;
  virtual int timerCancel(int64_t token) = 0;

  virtual int setUpstreamCluster(std::string_view cluster) = 0;
  virtual int setRouteName(std::string_view route) = 0;
  virtual bool clusterExists(std::string_view cluster) = 0;

  virtual bool infoString(weft_info_str key, std::string_view& out) = 0;
  virtual bool infoNumber(weft_info_u64 key, uint64_t& out) = 0;

  virtual int metadataSet(std::string_view key, std::string_view value) = 0;
  virtual bool metadataGet(std::string_view key, std::string_view& value) = 0;

  virtual weft_worker_host* worker() = 0;

  // 1.2. Arguments are validated by host_api.cc (flag letters, header names and values). A
  // stream that cannot do one of these (a test double) answers WEFT_ERR_UNSUPPORTED.
  virtual int addResponseFlag(std::string_view /*flag*/) { return WEFT_ERR_UNSUPPORTED; }
  // The filter that calls http_call is the one whose on_http_call_done hook runs.
  virtual int64_t httpCall(std::string_view /*cluster*/, const weft_header* /*headers*/,
                           size_t /*header_count*/, std::string_view /*body*/,
                           uint64_t /*timeout_ms*/, uint64_t /*max_response_bytes*/) {
    return WEFT_ERR_UNSUPPORTED;
  }
  virtual int httpCallCancel(int64_t /*token*/) { return WEFT_ERR_UNSUPPORTED; }
  virtual int setUpstreamTimeout(uint64_t /*timeout_ms*/) { return WEFT_ERR_UNSUPPORTED; }

  // 1.3. The policy arrives checked, with its defaults filled in, and is the stream's to copy;
  // `cluster` is non-empty. Like the 1.2 calls, a stream that cannot do these answers
  // WEFT_ERR_UNSUPPORTED.
  virtual int setRetryPolicy(const http::RetryPolicy& /*policy*/) { return WEFT_ERR_UNSUPPORTED; }
  virtual int addRequestMirror(std::string_view /*cluster*/) { return WEFT_ERR_UNSUPPORTED; }

  // 1.4. The value of `key` in filter_metadata[`filter`] of the route the request matches (see
  // route_metadata_get in weft/filter_abi.h: the route is looked up once, then kept). A stream
  // that knows no routes answers false.
  virtual bool routeMetadataGet(std::string_view /*filter*/, std::string_view /*key*/,
                                std::string_view& /*value*/) {
    return false;
  }

  // 1.5. The whole filter_metadata block `filter` of the same route, as JSON text.
  virtual bool routeMetadataJson(std::string_view /*filter*/, std::string_view& /*json*/) {
    return false;
  }
  // 1.5, from the calling filter's on_timer / on_http_call_done (see stream_buffer_body and
  // stream_fail in weft/filter_abi.h). A stream without a filter chain answers
  // WEFT_ERR_UNSUPPORTED.
  virtual int bufferHeldBody(bool /*request*/) { return WEFT_ERR_UNSUPPORTED; }
  virtual int failFromCallback(std::string_view /*reason*/) { return WEFT_ERR_UNSUPPORTED; }

  weft_stream_host* handle() { return reinterpret_cast<weft_stream_host*>(this); }
  static HostStream* from(weft_stream_host* h) { return reinterpret_cast<HostStream*>(h); }
};

// What a weft_worker_host* stands for.
struct HostWorker {
  uint32_t index = 0;
  uint32_t count = 1;          // workers in the proxy
  event_base* base = nullptr;  // the worker's loop, for worker timers
  weft_worker_host* handle() { return reinterpret_cast<weft_worker_host*>(this); }
  static HostWorker* from(weft_worker_host* h) { return reinterpret_cast<HostWorker*>(h); }
};

}  // namespace weft::plugins
