// UpstreamRequest: one attempt at the upstream half of a stream. Passes the cluster's circuit
// breaker, has its balancer pick a host, waits for a pooled connection to it, encodes the request
// that passed the filter chain onto it (headers, streamed body, trailers) and hands the response
// back as the codec decodes it. Request body that arrives before the
// connection is ready waits here; the stream stops reading from the client while more than the
// high watermark is waiting.
#pragma once

#include <cstdint>
#include <string>

#include "core/event/event_loop.h"
#include "core/http/codec.h"
#include "core/upstream/upstream_exchange.h"
#include "core/upstream/worker_cluster.h"

namespace weft::upstream {

class UpstreamRequest : public UpstreamExchange, public PoolClient {
 public:
  UpstreamRequest(WorkerCluster& cluster, UpstreamRequestCallbacks& callbacks,
                  const http::HeaderMap& request_headers);
  ~UpstreamRequest() override;  // gives up a connection still mid-exchange

  // UpstreamExchange
  void start(bool end_stream, const LbContext& context) override;
  void sendData(evbuffer* data, bool end_stream) override;
  void sendTrailers(const http::HeaderMap& trailers) override;
  size_t bufferedBytes() const override;
  void readDisable(bool disable) override;
  void watchDrain() override;
  const std::string& upstreamHost() const override { return upstream_host_; }

  // Nothing more reaches the callbacks: a retry replaces this attempt, whose codec may still be
  // delivering the response (it is reset when the attempt is freed).
  void abandon();

  // The stream was reset with HTTP/2 REFUSED_STREAM: the server did not process the request.
  bool refused() const { return refused_; }

  // PoolClient
  void onPoolReady(http::RequestEncoder& stream, size_t endpoint) override;
  void onPoolFailure(Failure failure) override;

  // ResponseDecoder
  void decode100Continue() override;
  void decodeHeaders(http::HeaderMap&& headers, bool end_stream) override;
  void decodeData(evbuffer* data, bool end_stream) override;
  void decodeTrailers(http::HeaderMap&& trailers) override;
  void onStreamReset(bool refused) override;
  void onRequestDrained() override;

 private:
  // The response ended: the stream goes back to its pool and is no longer ours to use.
  void finish();
  // The request no longer counts in the cluster's upstream_rq_active, its circuit breaker and its
  // host's active requests (once).
  void leaveActive();
  // Feeds what became of the request to the host it went to (outlier detection).
  void report(RequestOutcome outcome);

  WorkerCluster& cluster_;
  UpstreamRequestCallbacks* callbacks_;  // Ignored once abandoned
  const http::HeaderMap& request_headers_;
  http::RequestEncoder* stream_ = nullptr;  // while the exchange is in progress
  bool waiting_for_pool_ = false;
  bool headers_end_ = false;
  event::EvbufferPtr pending_body_;  // request body waiting for the connection (lazily made)
  bool pending_end_ = false;
  const http::HeaderMap* pending_trailers_ = nullptr;
  bool response_started_ = false;
  bool response_complete_ = false;
  bool active_ = false;   // counted in upstream_rq_active and the circuit breaker
  Host* host_ = nullptr;  // the balancer's pick, counting this request as active
  size_t endpoint_ = 0;   // where the request went (the pick, unless it waited for a connection)
  bool read_disabled_ = false;
  bool watch_drain_ = false;
  bool refused_ = false;
  std::string upstream_host_;
};

}  // namespace weft::upstream
