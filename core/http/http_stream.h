// HttpStream: one request/response exchange on a downstream connection. It is where the pieces
// meet: the codec decodes the request into it, the FilterManager runs the filter chain over it,
// the UpstreamRequest forwards what the chain passed, and the response comes back the same way.
// It also implements HostStream, so every ABI call a filter makes about "its" stream lands here,
// and it keeps the stream info (addresses, route, cluster, flags, bytes, timings) that filters
// and the access log read.
//
// Worker-local. The stream begins on the snapshot current when its head arrived and keeps it.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/http/async_http_call.h"
#include "core/http/codec.h"
#include "core/http/filter_manager.h"
#include "core/http/retry_state.h"
#include "core/server/snapshot.h"
#include "core/upstream/upstream_exchange.h"
#include "plugins/host/host_stream.h"

namespace weft::router {
struct Route;
}

namespace weft::http {

class ConnectionManager;
class WorkerContext;

class HttpStream : public RequestDecoder,
                   public plugins::HostStream,
                   public FilterManagerCallbacks,
                   public upstream::UpstreamRequestCallbacks,
                   public AsyncHttpCallCallbacks,
                   public event::Deletable,
                   public OwnedListLinks<HttpStream> {
 public:
  HttpStream(ConnectionManager& connection, ResponseEncoder& encoder,
             const server::ConfigSnapshot& snapshot, const server::ListenerSnapshot& listener,
             const StreamStart& start);
  ~HttpStream() override;

  // The codec finished both directions: run the log phase.
  void complete();
  // The stream ended early: the client reset it or its connection went away.
  void resetByDownstream();

  // RequestDecoder
  void decodeHeaders(HeaderMap&& headers, bool end_stream) override;
  void decodeData(evbuffer* data, bool end_stream) override;
  void decodeTrailers(HeaderMap&& trailers) override;
  // The response queued on the downstream connection drained: read from the upstream again.
  void onResponseDrained() override;

  // FilterManagerCallbacks
  void requestHeadersDone(bool end_stream) override;
  void requestDataDone(evbuffer* data, bool end_stream) override;
  void requestTrailersDone() override;
  void responseHeadersDone(bool end_stream) override;
  void responseDataDone(evbuffer* data, bool end_stream) override;
  void responseTrailersDone() override;
  void filterFailed(const std::string& filter, std::string_view why) override;
  void heldBodyAboveWatermark(bool request, bool above) override;
  void bufferLimitExceeded(bool request) override;

  // UpstreamRequestCallbacks
  // The proxy already answered the client's 100-continue itself; the upstream's is not forwarded.
  void upstream100Continue() override {}
  void upstreamHeaders(HeaderMap&& headers, bool end_stream) override;
  void upstreamData(evbuffer* data, bool end_stream) override;
  void upstreamTrailers(HeaderMap&& trailers) override;
  void upstreamFailed(upstream::PoolClient::Failure failure, bool reset,
                      bool response_started) override;
  void upstreamWritable() override;
  void upstreamTimedOut() override { onUpstreamTimeout(); }
  void upstreamRetriesExhausted() override { addFlag("URX"); }

  // HostStream
  HeaderMap* headerMap(weft_map map) override;
  evbuffer* body(weft_body which) override;
  int sendLocalReply(uint32_t status, std::string_view body, const weft_header* headers,
                     size_t header_count, std::string_view details) override;
  int continueRequest() override { return filters_.continueRequest(); }
  int continueResponse() override { return filters_.continueResponse(); }
  int bufferHeldBody(bool request) override { return filters_.bufferHeldBody(request); }
  int failFromCallback(std::string_view reason) override {
    return filters_.failFromCallback(reason);
  }
  int reset() override;
  int64_t timerStart(uint64_t delay_ms) override { return filters_.timerStart(delay_ms); }
  int timerCancel(int64_t token) override { return filters_.timerCancel(token); }
  int setUpstreamCluster(std::string_view cluster) override;
  int setRouteName(std::string_view route) override;
  bool clusterExists(std::string_view cluster) override;
  bool infoString(weft_info_str key, std::string_view& out) override;
  bool infoNumber(weft_info_u64 key, uint64_t& out) override;
  int metadataSet(std::string_view key, std::string_view value) override;
  bool metadataGet(std::string_view key, std::string_view& value) override;
  weft_worker_host* worker() override;
  int addResponseFlag(std::string_view flag) override;
  int64_t httpCall(std::string_view cluster, const weft_header* headers, size_t header_count,
                   std::string_view body, uint64_t timeout_ms,
                   uint64_t max_response_bytes) override;
  int httpCallCancel(int64_t token) override;
  int setUpstreamTimeout(uint64_t timeout_ms) override;
  int setRetryPolicy(const RetryPolicy& policy) override;
  int addRequestMirror(std::string_view cluster) override;
  bool routeMetadataGet(std::string_view filter, std::string_view key,
                        std::string_view& value) override;
  bool routeMetadataJson(std::string_view filter, std::string_view& json) override;

  // AsyncHttpCallCallbacks
  void onHttpCallDone(AsyncHttpCall& call, const HttpCallResult& result) override;

 private:
  void addForwardingHeaders();
  // The route filters' metadata calls read (see route_looked_up_), looked up on first use.
  const router::Route* metadataRoute();
  // The balancer's input for this request: the cluster's hash policies applied to it.
  upstream::LbContext balancingContext(const upstream::WorkerCluster& cluster);
  void addFlag(std::string_view flag);
  void sendResponseHeaders(bool end_stream);
  void writeAccessLog();
  void releaseUpstream();
  // The request is complete: its copies go to the mirror clusters.
  void sendMirrors();
  void onRequestTimeout();
  void onUpstreamTimeout();
  // Drops an HTTP call (it is freed once the current event is over).
  void retireCall(AsyncHttpCall& call);
  // A gRPC request's grpc-timeout, when shorter than the listener's request timeout, becomes the
  // stream's deadline: past it the client gets DEADLINE_EXCEEDED.
  void armGrpcDeadline();
  static constexpr std::string_view kGrpcDeadline = "grpc_deadline_exceeded";
  int64_t elapsedMicros() const;

  ConnectionManager& connection_;
  ResponseEncoder& encoder_;
  // Kept alive by the worker while this stream uses it (WorkerContext::acquire): no shared
  // reference count is touched per request.
  const server::ConfigSnapshot& snapshot_;
  // Holds snapshot_ on the worker from construction until after filters_ (declared later, so
  // destroyed earlier) has destroyed the filters' stream contexts: a retired snapshot's
  // worker_stop must follow every stream_destroy of its filters.
  struct SnapshotUse {
    SnapshotUse(WorkerContext& worker, const server::ConfigSnapshot& snapshot);
    ~SnapshotUse();
    WorkerContext& worker;
    const server::ConfigSnapshot& snapshot;
  } snapshot_use_;
  const server::ListenerSnapshot& listener_;
  Protocol protocol_;

  HeaderMap request_headers_;
  HeaderMap request_trailers_;
  HeaderMap response_headers_;
  HeaderMap response_trailers_;
  bool expect_continue_ = false;
  bool request_started_upstream_ = false;
  bool response_started_ = false;  // headers handed to the codec
  bool response_headers_exist_ = false;
  bool local_reply_ = false;
  bool completed_ = false;
  bool waiting_upstream_drain_ = false;
  bool grpc_ = false;           // content-type application/grpc: local replies are gRPC errors
  bool grpc_deadline_ = false;  // the request timer counts the grpc-timeout

  std::string cluster_;
  std::string route_;
  std::string flags_;
  std::string upstream_host_;
  std::string affinity_cookie_;  // Set-Cookie a cookie hash policy asks the response to carry
  std::string local_address_;    // asked of the kernel on first use
  std::vector<std::pair<std::string, std::string>> metadata_;
  uint32_t response_code_ = 0;
  uint64_t bytes_received_ = 0;
  uint64_t bytes_sent_ = 0;
  std::chrono::system_clock::time_point start_wall_;
  std::chrono::steady_clock::time_point start_;
  int64_t upstream_service_time_us_ = -1;
  std::chrono::steady_clock::time_point upstream_start_;
  std::unique_ptr<upstream::UpstreamExchange> upstream_;
  std::optional<RetryPolicy> retry_policy_;  // set_retry_policy: upstream_ is a RetryingRequest
  // add_request_mirror: clusters that get a copy once the request is complete, and the body kept
  // for them meanwhile (up to the listener's max_buffered_body_bytes, else no mirror is sent).
  std::vector<std::string> mirrors_;
  event::EvbufferPtr mirror_body_;
  std::unique_ptr<event::Timer> request_timer_;   // only when the listener sets request_timeout
  uint64_t upstream_timeout_ms_ = 0;              // the route's timeout (set_upstream_timeout)
  std::unique_ptr<event::Timer> upstream_timer_;  // runs while the response headers are awaited
  OwnedList<AsyncHttpCall> calls_;                // HTTP calls filters have in flight
  // route_metadata_get/_json: the listener's router matches the request the first time a filter
  // asks; the route (owned by the router's config, which the snapshot keeps) is kept from then on,
  // as Envoy caches a stream's route — later header changes do not move it.
  bool route_looked_up_ = false;
  const router::Route* metadata_route_ = nullptr;  // null: no route matched
  // Last: module stream contexts are created once every field above exists.
  FilterManager filters_;
};

}  // namespace weft::http
