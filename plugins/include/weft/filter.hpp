// weft/filter.hpp — the C++ SDK for Weft filters: a header-only layer over weft/filter_abi.h
// (C++17 or later; needs nothing but that header and the standard library).
//
// It turns the C tables into classes: Stream (the host's calls for one stream, with
// std::string_view in and out), StreamFilter (one object per stream, a virtual method per hook),
// FilterConfig (what config_new parsed, shared read-only by every stream of that config), and
// Counter / Gauge / Histogram (metric ids). WEFT_DEFINE_PLUGIN builds the module table from them.
//
// WRITING A FILTER
//
//   #include "weft/filter.hpp"
//
//   struct HelloConfig : weft::FilterConfig {
//     static std::unique_ptr<HelloConfig> create(const weft_host_api*, weft_config_host*,
//                                                std::string_view json, std::string& error) {
//       if (json != "{}") error = "hello takes no config";
//       return error.empty() ? std::make_unique<HelloConfig>() : nullptr;
//     }
//   };
//   class Hello : public weft::StreamFilter {
//    public:
//     Hello(const HelloConfig&, weft::Stream stream) : StreamFilter(stream) {}
//     weft::FilterStatus onRequestHeaders(bool) override {
//       if (stream().requestHeader(":path") == "/hello") return respond(200, "hi\n");
//       stream().addRequestHeader("x-seen-by", "hello");
//       return weft::FilterStatus::kContinue;
//     }
//   };
//   WEFT_DEFINE_PLUGIN("hello", "1.0.0", HelloConfig, Hello)
//
// Build it as a shared object that exports weft_filter_module_init and nothing else. In C++,
// -fvisibility=hidden alone is not enough (the standard library's templates keep default
// visibility), so add a version script:
//   echo '{ global: weft_filter_module_init; local: *; };' > weft.map
//   c++ -std=c++17 -O2 -shared -fPIC -fvisibility=hidden -Wl,--version-script=weft.map
//       -I<weft>/plugins/include hello.cc -o hello.so      (one command)
// A filter built into the proxy uses WEFT_DEFINE_FILTER with its own entry name instead.
//
// CONTRACT
// - ConfigClass derives from FilterConfig and has
//     static std::unique_ptr<ConfigClass> create(const weft_host_api*, weft_config_host*,
//                                                std::string_view json, std::string& error);
//   It runs on the main thread. Returning null (with `error` set) rejects the proxy's config.
//   After that the config is read concurrently by every worker: keep it immutable.
// - StreamFilterClass derives from StreamFilter and is constructed from
//   (const ConfigClass&, weft::Stream) on the stream's worker. It lives until the stream ends;
//   the config outlives it. Hooks of one stream never run concurrently.
// - Per-worker state (worker_start/stop) is not wrapped: a config that wants per-worker slots
//   can size them in create() and index them with stream().workerIndex().
// - Views returned by Stream (headers, body slices, info, metadata) are valid until the hook
//   returns or the map/body they came from changes. Copy what you keep.
// - Exceptions never cross into the host. Thrown from create(): the message becomes the config
//   error. Thrown from a stream hook (or the constructor): it is logged and the stream is answered
//   with 500 (details "filter_exception"); once the response has started it is reset instead
//   (ABI 1.1 hosts; older ones let it continue). From onStreamComplete it is only logged.
// - Every host function is looked up through WEFT_HOST_HAS first, so a filter built against a
//   newer header runs on an older host: a missing function reads as "absent" /
//   WEFT_ERR_UNSUPPORTED.
#ifndef WEFT_FILTER_HPP
#define WEFT_FILTER_HPP

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "weft/filter_abi.h"

// `api` is non-null, new enough to contain `fn`, and fills it in. (Internal: #undef at the end.)
#define WEFT_SDK_CAN(api, fn) ((api) != nullptr && WEFT_HOST_HAS(api, fn) && (api)->fn != nullptr)
// Calls api->fn(args...) when the host has it, else evaluates to `fallback`. (Internal.)
#define WEFT_SDK_CALL(api, fn, fallback, ...) \
  (WEFT_SDK_CAN(api, fn) ? (api)->fn(__VA_ARGS__) : (fallback))

namespace weft {

inline weft_str toWeftStr(std::string_view s) noexcept { return weft_str{s.data(), s.size()}; }
inline std::string_view toView(weft_str s) noexcept {
  return s.ptr == nullptr ? std::string_view() : std::string_view(s.ptr, s.len);
}

// What a hook tells the host to do next (weft_status in C).
enum class FilterStatus : int {
  kContinue = WEFT_CONTINUE,
  kStopIteration = WEFT_STOP_ITERATION,   // hold; resume with continueRequest/continueResponse
  kStopAndBuffer = WEFT_STOP_AND_BUFFER,  // headers hooks only: call the body hook once, whole
};

// A header passed to the host (local replies).
struct Header {
  std::string_view name;
  std::string_view value;
};

// The host's process-wide calls: logging. Cheap to copy (one pointer).
class Host {
 public:
  explicit Host(const weft_host_api* api) noexcept : api_(api) {}
  const weft_host_api* api() const noexcept { return api_; }

  void log(weft_log_level level, std::string_view message) const noexcept {
    if (WEFT_SDK_CAN(api_, log)) api_->log(level, toWeftStr(message));
  }
  void debug(std::string_view message) const noexcept { log(WEFT_LOG_DEBUG, message); }
  void info(std::string_view message) const noexcept { log(WEFT_LOG_INFO, message); }
  void warn(std::string_view message) const noexcept { log(WEFT_LOG_WARN, message); }
  void error(std::string_view message) const noexcept { log(WEFT_LOG_ERROR, message); }

  // (1.5) The name of the filter entry `config` belongs to (empty on an older host).
  std::string_view filterName(weft_config_host* config) const noexcept {
    return toView(WEFT_SDK_CALL(api_, config_filter_name, (weft_str{"", 0}), config));
  }

 protected:
  const weft_host_api* api_;
};

// One header map of one stream (request/response headers or trailers). Cheap to copy.
class HeaderMapRef {
 public:
  HeaderMapRef(const weft_host_api* api, weft_stream_host* stream, weft_map map) noexcept
      : api_(api), stream_(stream), map_(map) {}

  // The index-th value of `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> get(std::string_view name, size_t index = 0) const noexcept {
    weft_str value{nullptr, 0};
    if (!WEFT_SDK_CALL(api_, header_get, false, stream_, map_, toWeftStr(name), index, &value)) {
      return std::nullopt;
    }
    return toView(value);
  }
  size_t count(std::string_view name) const noexcept {
    return WEFT_SDK_CALL(api_, header_count, size_t{0}, stream_, map_, toWeftStr(name));
  }
  // Number of fields in the map (0 when it does not exist in this phase).
  size_t size() const noexcept {
    return WEFT_SDK_CALL(api_, header_size, size_t{0}, stream_, map_);
  }

  // Writes return WEFT_OK or a WEFT_ERR_*; the host copies the views.
  int add(std::string_view name, std::string_view value) const noexcept {
    return WEFT_SDK_CALL(api_, header_add, WEFT_ERR_UNSUPPORTED, stream_, map_, toWeftStr(name),
                         toWeftStr(value));
  }
  int set(std::string_view name, std::string_view value) const noexcept {
    return WEFT_SDK_CALL(api_, header_set, WEFT_ERR_UNSUPPORTED, stream_, map_, toWeftStr(name),
                         toWeftStr(value));
  }
  int remove(std::string_view name) const noexcept {
    return WEFT_SDK_CALL(api_, header_remove, WEFT_ERR_UNSUPPORTED, stream_, map_, toWeftStr(name));
  }

  // Calls f(name, value) for every field in order. If f returns bool, false stops the walk.
  // f must not change this map.
  template <typename F>
  void forEach(F&& f) const {
    const size_t n = size();
    for (size_t i = 0; i < n; ++i) {
      weft_str name{nullptr, 0}, value{nullptr, 0};
      if (!WEFT_SDK_CALL(api_, header_at, false, stream_, map_, i, &name, &value)) return;
      if constexpr (std::is_same_v<std::invoke_result_t<F&, std::string_view, std::string_view>,
                                   bool>) {
        if (!f(toView(name), toView(value))) return;
      } else {
        f(toView(name), toView(value));
      }
    }
  }

 private:
  const weft_host_api* api_;
  weft_stream_host* stream_;
  weft_map map_;
};

// The body of the current body hook (or the whole buffered body after kStopAndBuffer), as a
// range of contiguous slices: `for (std::string_view piece : stream.requestBody()) ...`.
class BodyRef {
 public:
  BodyRef(const weft_host_api* api, weft_stream_host* stream, weft_body which) noexcept
      : api_(api), stream_(stream), which_(which) {}

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string_view*;
    using reference = std::string_view;

    iterator(const BodyRef* body, size_t index) noexcept : body_(body), index_(index) {}
    std::string_view operator*() const noexcept { return body_->slice(index_); }
    iterator& operator++() noexcept {
      ++index_;
      return *this;
    }
    bool operator==(const iterator& o) const noexcept { return index_ == o.index_; }
    bool operator!=(const iterator& o) const noexcept { return index_ != o.index_; }

   private:
    const BodyRef* body_;
    size_t index_;
  };

  size_t size() const noexcept {
    return WEFT_SDK_CALL(api_, body_length, size_t{0}, stream_, which_);
  }
  size_t sliceCount() const noexcept {
    return WEFT_SDK_CALL(api_, body_slice_count, size_t{0}, stream_, which_);
  }
  // The index-th slice; empty past the end.
  std::string_view slice(size_t index) const noexcept {
    weft_str out{nullptr, 0};
    return WEFT_SDK_CALL(api_, body_slice, false, stream_, which_, index, &out)
               ? toView(out)
               : std::string_view();
  }
  iterator begin() const noexcept { return iterator(this, 0); }
  iterator end() const noexcept { return iterator(this, sliceCount()); }

  // Calls f(slice) for each slice; if f returns bool, false stops the walk.
  template <typename F>
  void forEachSlice(F&& f) const {
    for (std::string_view piece : *this) {
      if constexpr (std::is_same_v<std::invoke_result_t<F&, std::string_view>, bool>) {
        if (!f(piece)) return;
      } else {
        f(piece);
      }
    }
  }
  // The whole body in one string (allocates; for filters that really need it contiguous).
  std::string copy() const {
    std::string out;
    out.reserve(size());
    for (std::string_view piece : *this) out.append(piece);
    return out;
  }

  int append(std::string_view data) const noexcept {
    return WEFT_SDK_CALL(api_, body_append, WEFT_ERR_UNSUPPORTED, stream_, which_, toWeftStr(data));
  }
  // Removes `length` bytes from the front.
  int drain(size_t length) const noexcept {
    return WEFT_SDK_CALL(api_, body_drain, WEFT_ERR_UNSUPPORTED, stream_, which_, length);
  }

 private:
  const weft_host_api* api_;
  weft_stream_host* stream_;
  weft_body which_;
};

// The host's calls for one stream. Cheap to copy (two pointers); use it only on the stream's
// worker, during its hooks. Writes return WEFT_OK or a WEFT_ERR_* (WEFT_ERR_UNSUPPORTED when the
// host lacks the function).
class Stream : public Host {
 public:
  Stream(const weft_host_api* api, weft_stream_host* stream) noexcept
      : Host(api), stream_(stream) {}
  weft_stream_host* handle() const noexcept { return stream_; }

  // Header maps.
  HeaderMapRef headers(weft_map map) const noexcept { return HeaderMapRef(api_, stream_, map); }
  HeaderMapRef requestHeaders() const noexcept { return headers(WEFT_MAP_REQUEST_HEADERS); }
  HeaderMapRef requestTrailers() const noexcept { return headers(WEFT_MAP_REQUEST_TRAILERS); }
  HeaderMapRef responseHeaders() const noexcept { return headers(WEFT_MAP_RESPONSE_HEADERS); }
  HeaderMapRef responseTrailers() const noexcept { return headers(WEFT_MAP_RESPONSE_TRAILERS); }
  template <typename F>
  void forEachHeader(weft_map map, F&& f) const {
    headers(map).forEach(std::forward<F>(f));
  }

  // Shorthands for the two header maps every filter touches.
  std::optional<std::string_view> requestHeader(std::string_view name,
                                                size_t index = 0) const noexcept {
    return requestHeaders().get(name, index);
  }
  size_t requestHeaderCount(std::string_view name) const noexcept {
    return requestHeaders().count(name);
  }
  int addRequestHeader(std::string_view name, std::string_view value) const noexcept {
    return requestHeaders().add(name, value);
  }
  int setRequestHeader(std::string_view name, std::string_view value) const noexcept {
    return requestHeaders().set(name, value);
  }
  int removeRequestHeader(std::string_view name) const noexcept {
    return requestHeaders().remove(name);
  }
  std::optional<std::string_view> responseHeader(std::string_view name,
                                                 size_t index = 0) const noexcept {
    return responseHeaders().get(name, index);
  }
  size_t responseHeaderCount(std::string_view name) const noexcept {
    return responseHeaders().count(name);
  }
  int addResponseHeader(std::string_view name, std::string_view value) const noexcept {
    return responseHeaders().add(name, value);
  }
  int setResponseHeader(std::string_view name, std::string_view value) const noexcept {
    return responseHeaders().set(name, value);
  }
  int removeResponseHeader(std::string_view name) const noexcept {
    return responseHeaders().remove(name);
  }

  // Bodies.
  BodyRef body(weft_body which) const noexcept { return BodyRef(api_, stream_, which); }
  BodyRef requestBody() const noexcept { return body(WEFT_BODY_REQUEST); }
  BodyRef responseBody() const noexcept { return body(WEFT_BODY_RESPONSE); }
  int appendBody(weft_body which, std::string_view data) const noexcept {
    return body(which).append(data);
  }
  int drainBody(weft_body which, size_t length) const noexcept { return body(which).drain(length); }

  // Answers the request from the proxy; the hook should then return kStopIteration
  // (StreamFilter::respond does both). The host sets content-length.
  int sendLocalReply(uint32_t status, std::string_view body, const Header* headers, size_t count,
                     std::string_view details) const {
    std::vector<weft_header> out;  // local replies are rare: one small allocation is fine
    out.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      out.push_back(weft_header{toWeftStr(headers[i].name), toWeftStr(headers[i].value)});
    }
    return WEFT_SDK_CALL(api_, send_local_reply, WEFT_ERR_UNSUPPORTED, stream_, status,
                         toWeftStr(body), out.data(), count, toWeftStr(details));
  }
  int sendLocalReply(uint32_t status, std::string_view body,
                     std::initializer_list<Header> headers = {},
                     std::string_view details = {}) const {
    return sendLocalReply(status, body, headers.begin(), headers.size(), details);
  }

  // Resume a direction held by kStopIteration / kStopAndBuffer (e.g. from onTimer).
  int continueRequest() const noexcept {
    return WEFT_SDK_CALL(api_, continue_request, WEFT_ERR_UNSUPPORTED, stream_);
  }
  int continueResponse() const noexcept {
    return WEFT_SDK_CALL(api_, continue_response, WEFT_ERR_UNSUPPORTED, stream_);
  }
  // Abandons the stream and closes the client connection (ABI 1.1).
  int reset() const noexcept {
    return WEFT_SDK_CALL(api_, stream_reset, WEFT_ERR_UNSUPPORTED, stream_);
  }

  // A token > 0 that onTimer receives, or a WEFT_ERR_*. Pending timers die with the stream.
  int64_t startTimer(uint64_t delay_ms) const noexcept {
    return WEFT_SDK_CALL(api_, timer_start, int64_t{WEFT_ERR_UNSUPPORTED}, stream_, delay_ms);
  }
  int cancelTimer(int64_t token) const noexcept {
    return WEFT_SDK_CALL(api_, timer_cancel, WEFT_ERR_UNSUPPORTED, stream_, token);
  }

  // Routing.
  int setUpstreamCluster(std::string_view cluster) const noexcept {
    return WEFT_SDK_CALL(api_, set_upstream_cluster, WEFT_ERR_UNSUPPORTED, stream_,
                         toWeftStr(cluster));
  }
  int setRouteName(std::string_view route) const noexcept {
    return WEFT_SDK_CALL(api_, set_route_name, WEFT_ERR_UNSUPPORTED, stream_, toWeftStr(route));
  }
  bool clusterExists(std::string_view cluster) const noexcept {
    return WEFT_SDK_CALL(api_, cluster_exists, false, stream_, toWeftStr(cluster));
  }

  // Stream facts; nullopt when not (yet) known.
  std::optional<std::string_view> info(weft_info_str key) const noexcept {
    weft_str out{nullptr, 0};
    if (!WEFT_SDK_CALL(api_, stream_info_str, false, stream_, key, &out)) return std::nullopt;
    return toView(out);
  }
  std::optional<uint64_t> info(weft_info_u64 key) const noexcept {
    uint64_t out = 0;
    if (!WEFT_SDK_CALL(api_, stream_info_u64, false, stream_, key, &out)) return std::nullopt;
    return out;
  }

  // Dynamic metadata for later filters and the access log.
  std::optional<std::string_view> metadata(std::string_view key) const noexcept {
    weft_str out{nullptr, 0};
    if (!WEFT_SDK_CALL(api_, metadata_get, false, stream_, toWeftStr(key), &out)) {
      return std::nullopt;
    }
    return toView(out);
  }
  int setMetadata(std::string_view key, std::string_view value) const noexcept {
    return WEFT_SDK_CALL(api_, metadata_set, WEFT_ERR_UNSUPPORTED, stream_, toWeftStr(key),
                         toWeftStr(value));
  }

  // (1.2) An Envoy-style response flag ("FI", "UAEX", ...) for stats and the access log.
  int addResponseFlag(std::string_view flag) const noexcept {
    return WEFT_SDK_CALL(api_, stream_add_response_flag, WEFT_ERR_UNSUPPORTED, stream_,
                         toWeftStr(flag));
  }

  // (1.2) The route's upstream timeout for this stream (0: none); before the request goes up.
  int setUpstreamTimeout(uint64_t timeout_ms) const noexcept {
    return WEFT_SDK_CALL(api_, set_upstream_timeout, WEFT_ERR_UNSUPPORTED, stream_, timeout_ms);
  }

  // (1.3) How the host retries this stream's upstream request (copied; set struct_size to
  // sizeof(weft_retry_policy)); before the request goes up.
  int setRetryPolicy(const weft_retry_policy& policy) const noexcept {
    return WEFT_SDK_CALL(api_, set_retry_policy, WEFT_ERR_UNSUPPORTED, stream_, &policy);
  }

  // (1.3) Also send the request, fire-and-forget, to `cluster` (its response is discarded);
  // before the request goes up. WEFT_ERR_NOT_FOUND for an unknown cluster.
  int addRequestMirror(std::string_view cluster) const noexcept {
    return WEFT_SDK_CALL(api_, add_request_mirror, WEFT_ERR_UNSUPPORTED, stream_,
                         toWeftStr(cluster));
  }

  // (1.4) The value of `key` in the matched route's metadata.filter_metadata[`filter`], or
  // nullopt (no route matches, no such key, or an older host). The route is looked up once per
  // stream, on the request headers of the first call; the view lives as long as the stream.
  std::optional<std::string_view> routeMetadata(std::string_view filter,
                                                std::string_view key) const noexcept {
    weft_str out{nullptr, 0};
    if (!WEFT_SDK_CALL(api_, route_metadata_get, false, stream_, toWeftStr(filter), toWeftStr(key),
                       &out)) {
      return std::nullopt;
    }
    return toView(out);
  }

  // (1.5) The matched route's metadata.filter_metadata[`filter`] as JSON object text, or nullopt
  // (no route, no such block, or an older host). Same route as routeMetadata.
  std::optional<std::string_view> routeMetadataJson(std::string_view filter) const noexcept {
    weft_str out{nullptr, 0};
    if (!WEFT_SDK_CALL(api_, route_metadata_json, false, stream_, toWeftStr(filter), &out)) {
      return std::nullopt;
    }
    return toView(out);
  }

  // (1.5) From onTimer / onHttpCallDone, while this filter holds `which` direction's headers:
  // ask for that direction's whole body, as kStopAndBuffer would have. The body hook then runs
  // once with all of it, after the callback returns.
  int bufferBody(weft_body which) const noexcept {
    return WEFT_SDK_CALL(api_, stream_buffer_body, WEFT_ERR_UNSUPPORTED, stream_, which);
  }
  // (1.5) From onTimer / onHttpCallDone: this filter failed. A fail_open entry's held directions
  // continue; otherwise the stream is answered 500 (or reset once its response has begun).
  int fail(std::string_view reason) const noexcept {
    return WEFT_SDK_CALL(api_, stream_fail, WEFT_ERR_UNSUPPORTED, stream_, toWeftStr(reason));
  }

  // (1.2) An HTTP request to `cluster` without blocking: a token > 0 that onHttpCallDone
  // receives, or a WEFT_ERR_*. `headers` need ":method" and ":path". max_response_bytes 0: 1 MiB.
  int64_t httpCall(std::string_view cluster, std::initializer_list<Header> headers,
                   std::string_view body, uint64_t timeout_ms,
                   uint64_t max_response_bytes = 0) const {
    std::vector<weft_header> fields;
    fields.reserve(headers.size());
    for (const Header& h : headers) fields.push_back({toWeftStr(h.name), toWeftStr(h.value)});
    return WEFT_SDK_CALL(api_, http_call, int64_t{WEFT_ERR_UNSUPPORTED}, stream_,
                         toWeftStr(cluster), fields.data(), fields.size(), toWeftStr(body),
                         timeout_ms, max_response_bytes);
  }
  int cancelHttpCall(int64_t token) const noexcept {
    return WEFT_SDK_CALL(api_, http_call_cancel, WEFT_ERR_UNSUPPORTED, stream_, token);
  }

  // (1.2) How many workers the proxy runs.
  std::optional<uint32_t> workerCount() const noexcept {
    if (!WEFT_SDK_CAN(api_, stream_worker) || !WEFT_SDK_CAN(api_, worker_count)) {
      return std::nullopt;
    }
    weft_worker_host* worker = api_->stream_worker(stream_);
    if (worker == nullptr) return std::nullopt;
    return api_->worker_count(worker);
  }

  // The index (0..workers-1) of the worker this stream runs on, e.g. to pick a per-worker slot.
  std::optional<uint32_t> workerIndex() const noexcept {
    if (!WEFT_SDK_CAN(api_, stream_worker) || !WEFT_SDK_CAN(api_, worker_index)) {
      return std::nullopt;
    }
    weft_worker_host* worker = api_->stream_worker(stream_);
    if (worker == nullptr) return std::nullopt;
    return api_->worker_index(worker);
  }

 private:
  weft_stream_host* stream_;
};

// Metric ids, defined in ConfigClass::create and updated from any thread. A metric the host
// refused (or cannot update) is invalid and its updates do nothing.
class MetricId {
 public:
  bool valid() const noexcept { return id_ >= 0; }
  int64_t id() const noexcept { return id_; }

 protected:
  MetricId() = default;
  MetricId(const weft_host_api* api, int64_t id) noexcept : api_(api), id_(id) {}
  const weft_host_api* api_ = nullptr;
  int64_t id_ = -1;
};

class Counter : public MetricId {
 public:
  Counter() = default;
  static Counter define(const weft_host_api* api, weft_config_host* config,
                        std::string_view name) noexcept {
    if (!WEFT_SDK_CAN(api, counter_add)) return Counter();
    return Counter(api, WEFT_SDK_CALL(api, define_counter, int64_t{WEFT_ERR_UNSUPPORTED}, config,
                                      toWeftStr(name)));
  }
  void add(uint64_t delta = 1) const noexcept {
    if (valid()) api_->counter_add(id_, delta);
  }

 private:
  using MetricId::MetricId;
};

class Gauge : public MetricId {
 public:
  Gauge() = default;
  static Gauge define(const weft_host_api* api, weft_config_host* config,
                      std::string_view name) noexcept {
    if (!WEFT_SDK_CAN(api, gauge_set) || !WEFT_SDK_CAN(api, gauge_add)) return Gauge();
    return Gauge(api, WEFT_SDK_CALL(api, define_gauge, int64_t{WEFT_ERR_UNSUPPORTED}, config,
                                    toWeftStr(name)));
  }
  void set(int64_t value) const noexcept {
    if (valid()) api_->gauge_set(id_, value);
  }
  void add(int64_t delta) const noexcept {
    if (valid()) api_->gauge_add(id_, delta);
  }

 private:
  using MetricId::MetricId;
};

class Histogram : public MetricId {
 public:
  Histogram() = default;
  static Histogram define(const weft_host_api* api, weft_config_host* config,
                          std::string_view name) noexcept {
    if (!WEFT_SDK_CAN(api, histogram_record)) return Histogram();
    return Histogram(api, WEFT_SDK_CALL(api, define_histogram, int64_t{WEFT_ERR_UNSUPPORTED},
                                        config, toWeftStr(name)));
  }
  void record(double value) const noexcept {
    if (valid()) api_->histogram_record(id_, value);
  }

 private:
  using MetricId::MetricId;
};

// Base of a filter's config: what config_new parsed, immutable once create() returned.
class FilterConfig {
 public:
  virtual ~FilterConfig() = default;
};

// Base of a filter's per-stream object. Every hook defaults to "continue".
class StreamFilter {
 public:
  explicit StreamFilter(Stream stream) noexcept : stream_(stream) {}
  virtual ~StreamFilter() = default;
  StreamFilter(const StreamFilter&) = delete;
  StreamFilter& operator=(const StreamFilter&) = delete;

  virtual FilterStatus onRequestHeaders(bool /*end_stream*/) { return FilterStatus::kContinue; }
  virtual FilterStatus onRequestBody(bool /*end_stream*/) { return FilterStatus::kContinue; }
  virtual FilterStatus onRequestTrailers() { return FilterStatus::kContinue; }
  virtual FilterStatus onResponseHeaders(bool /*end_stream*/) { return FilterStatus::kContinue; }
  virtual FilterStatus onResponseBody(bool /*end_stream*/) { return FilterStatus::kContinue; }
  virtual FilterStatus onResponseTrailers() { return FilterStatus::kContinue; }
  // After the response was sent (or the stream reset); stream info is final. For logging.
  virtual void onStreamComplete() {}
  // A timer started with stream().startTimer() fired.
  virtual void onTimer(int64_t /*token*/) {}
  // (1.2) An HTTP call started with stream().httpCall() finished; `result` is valid during the
  // call (status 0: no response, result.failure says why).
  virtual void onHttpCallDone(int64_t /*token*/, const weft_http_call_result& /*result*/) {}

  const Stream& stream() const noexcept { return stream_; }

 protected:
  // Sends a local reply and returns the status a hook must return after one.
  FilterStatus respond(uint32_t status, std::string_view body,
                       std::initializer_list<Header> headers = {},
                       std::string_view details = {}) const {
    stream_.sendLocalReply(status, body, headers, details);
    return FilterStatus::kStopIteration;
  }

 private:
  Stream stream_;
};

namespace detail {

// The C trampolines for one (ConfigClass, StreamFilterClass) pair. Each catches everything.
template <typename Config, typename Filter>
class Module {
  static_assert(std::is_base_of_v<FilterConfig, Config>, "ConfigClass must derive FilterConfig");
  static_assert(std::is_base_of_v<StreamFilter, Filter>,
                "StreamFilterClass must derive StreamFilter");

 public:
  static constexpr weft_filter_module table(const char* name, const char* version) noexcept {
    return weft_filter_module{
        sizeof(weft_filter_module),
        WEFT_ABI_MAJOR,
        WEFT_ABI_MINOR,
        name,
        version,
        &configNew,
        &configDestroy,
        nullptr,
        nullptr,
        &streamNew,
        &streamDestroy,
        &onRequestHeaders,
        &onRequestBody,
        &onRequestTrailers,
        &onResponseHeaders,
        &onResponseBody,
        &onResponseTrailers,
        &onStreamComplete,
        &onTimer,
        &onHttpCallDone,
        nullptr,  // on_worker_timer: worker state is not wrapped (see CONTRACT)
    };
  }

  // The body of the entry function: remembers the host and hands back `module`, or refuses a
  // host of another ABI major.
  static const weft_filter_module* init(const weft_host_api* host,
                                        const weft_filter_module* module) noexcept {
    if (host == nullptr) return nullptr;
    if (host->abi_major != WEFT_ABI_MAJOR) {
      char line[200];
      std::snprintf(line, sizeof(line), "filter '%s': built for ABI %d.%d, host speaks ABI %u.%u",
                    module->name, WEFT_ABI_MAJOR, WEFT_ABI_MINOR, unsigned{host->abi_major},
                    unsigned{host->abi_minor});
      Host(host).error(line);
      return nullptr;
    }
    host_ = host;
    name_ = module->name;
    return module;
  }

 private:
  static void copyError(const char* message, char* error, size_t cap) noexcept {
    if (error != nullptr && cap > 0) std::snprintf(error, cap, "%s", message);
  }

  static int configNew(weft_config_host* config_host, weft_str json, void** config_out, char* error,
                       size_t error_cap) noexcept {
    try {
      std::string message;
      std::unique_ptr<Config> config = Config::create(host_, config_host, toView(json), message);
      if (config != nullptr) {
        *config_out = config.release();
        return 0;
      }
      copyError(message.empty() ? "config rejected" : message.c_str(), error, error_cap);
    } catch (const std::exception& e) {
      copyError(e.what(), error, error_cap);
    } catch (...) {
      copyError("config parsing threw an unknown exception", error, error_cap);
    }
    return 1;
  }
  static void configDestroy(void* config) noexcept { delete static_cast<Config*>(config); }

  static void logFailure(const char* where, const char* what) noexcept {
    char line[512];
    std::snprintf(line, sizeof(line), "filter '%s': %s threw: %s", name_, where, what);
    Host(host_).error(line);
  }
  // A hook failed: answer 500 if the response has not started, else reset the stream (or, on a
  // host too old to reset, let it go on).
  static weft_status fail(weft_stream_host* stream, const char* where, const char* what) noexcept {
    logFailure(where, what);
    const Stream s(host_, stream);
    if (s.sendLocalReply(500, "filter error\n", nullptr, 0, "filter_exception") == WEFT_OK) {
      return WEFT_STOP_ITERATION;
    }
    return s.reset() == WEFT_OK ? WEFT_STOP_ITERATION : WEFT_CONTINUE;
  }

  static void* streamNew(void* config, void* /*worker_state*/, weft_stream_host* stream) noexcept {
    try {
      return new Filter(*static_cast<const Config*>(config), Stream(host_, stream));
    } catch (const std::exception& e) {
      logFailure("stream_new", e.what());
    } catch (...) {
      logFailure("stream_new", "unknown exception");
    }
    return nullptr;  // every stream hook then answers 500
  }
  static void streamDestroy(void* ctx) noexcept { delete static_cast<Filter*>(ctx); }

  template <auto Hook, typename... Args>
  static weft_status call(const char* where, void* ctx, weft_stream_host* stream,
                          Args... args) noexcept {
    if (ctx == nullptr) return fail(stream, where, "the filter was not created for this stream");
    try {
      StreamFilter* filter = static_cast<Filter*>(ctx);
      return static_cast<weft_status>((filter->*Hook)(args...));
    } catch (const std::exception& e) {
      return fail(stream, where, e.what());
    } catch (...) {
      return fail(stream, where, "unknown exception");
    }
  }

  static weft_status onRequestHeaders(void* ctx, weft_stream_host* s, bool end) noexcept {
    return call<&StreamFilter::onRequestHeaders>("on_request_headers", ctx, s, end);
  }
  static weft_status onRequestBody(void* ctx, weft_stream_host* s, bool end) noexcept {
    return call<&StreamFilter::onRequestBody>("on_request_body", ctx, s, end);
  }
  static weft_status onRequestTrailers(void* ctx, weft_stream_host* s) noexcept {
    return call<&StreamFilter::onRequestTrailers>("on_request_trailers", ctx, s);
  }
  static weft_status onResponseHeaders(void* ctx, weft_stream_host* s, bool end) noexcept {
    return call<&StreamFilter::onResponseHeaders>("on_response_headers", ctx, s, end);
  }
  static weft_status onResponseBody(void* ctx, weft_stream_host* s, bool end) noexcept {
    return call<&StreamFilter::onResponseBody>("on_response_body", ctx, s, end);
  }
  static weft_status onResponseTrailers(void* ctx, weft_stream_host* s) noexcept {
    return call<&StreamFilter::onResponseTrailers>("on_response_trailers", ctx, s);
  }
  static void onStreamComplete(void* ctx, weft_stream_host* /*s*/) noexcept {
    if (ctx == nullptr) return;
    try {
      static_cast<Filter*>(ctx)->onStreamComplete();
    } catch (const std::exception& e) {
      logFailure("on_stream_complete", e.what());
    } catch (...) {
      logFailure("on_stream_complete", "unknown exception");
    }
  }
  static void onTimer(void* ctx, weft_stream_host* s, int64_t token) noexcept {
    if (ctx == nullptr) return;
    try {
      static_cast<Filter*>(ctx)->onTimer(token);
    } catch (const std::exception& e) {
      fail(s, "on_timer", e.what());
    } catch (...) {
      fail(s, "on_timer", "unknown exception");
    }
  }

  static void onHttpCallDone(void* ctx, weft_stream_host* s, int64_t token,
                             const weft_http_call_result* result) noexcept {
    if (ctx == nullptr || result == nullptr) return;
    try {
      static_cast<Filter*>(ctx)->onHttpCallDone(token, *result);
    } catch (const std::exception& e) {
      fail(s, "on_http_call_done", e.what());
    } catch (...) {
      fail(s, "on_http_call_done", "unknown exception");
    }
  }

  // Set once by init() on the main thread, before any other hook can run.
  inline static const weft_host_api* host_ = nullptr;
  inline static const char* name_ = "?";
};

}  // namespace detail
}  // namespace weft

// Defines `extern "C" const weft_filter_module* entry_fn(const weft_host_api*)` for a filter
// built into the proxy (registered by that name with the module registry).
#define WEFT_DEFINE_FILTER(entry_fn, name, version, ConfigClass, StreamFilterClass)          \
  extern "C" const weft_filter_module* entry_fn(const weft_host_api* host) {                 \
    using WeftModule = ::weft::detail::Module<ConfigClass, StreamFilterClass>;               \
    static constexpr weft_filter_module kWeftModuleTable = WeftModule::table(name, version); \
    return WeftModule::init(host, &kWeftModuleTable);                                        \
  }

// The same for a third-party .so: defines and exports weft_filter_module_init.
#define WEFT_DEFINE_PLUGIN(name, version, ConfigClass, StreamFilterClass)                         \
  extern "C" WEFT_EXPORT const weft_filter_module* weft_filter_module_init(const weft_host_api*); \
  WEFT_DEFINE_FILTER(weft_filter_module_init, name, version, ConfigClass, StreamFilterClass)

#undef WEFT_SDK_CALL
#undef WEFT_SDK_CAN

#endif  // WEFT_FILTER_HPP
