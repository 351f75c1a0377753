// RetryingRequest: the upstream half of a stream whose route retries (a retry policy handed over
// with set_retry_policy). It runs attempts — each an UpstreamRequest, each with a fresh host pick
// — one after the other, and passes the stream only the outcome that is final: a response the
// policy does not retry, or the last retriable one once the retries are spent (the stream then
// adds flag URX).
//
//   an attempt ends with                        RetryState (core/http/retry_state.h) decides
//   response headers                            on :status and grpc-status; a retried response is
//                                               dropped unread (its connection reset)
//   a connect failure, reset, refused stream    on the failure kind
//   the per-try timeout                         on kPerTryTimeout; no retry: upstreamTimedOut()
//
// Before each retry comes a back-off (exponential, jittered) and the cluster's max_retries circuit
// breaker. Nothing is retried once response bytes went to the stream.
//
// The request body is kept in memory as it streams out, so that a retry can send it again; past
// `body_limit` bytes it is no longer kept and the request is not retried any more (the attempt in
// flight keeps streaming). The route's overall timeout stays the stream's: it spans every attempt
// and back-off. Worker-local.
#pragma once

#include <memory>
#include <random>
#include <string>

#include "core/event/event_loop.h"
#include "core/http/retry_state.h"
#include "core/upstream/upstream_request.h"

namespace weft::upstream {

class RetryingRequest : public UpstreamExchange, public UpstreamRequestCallbacks {
 public:
  RetryingRequest(WorkerCluster& cluster, UpstreamRequestCallbacks& callbacks,
                  const http::HeaderMap& request_headers, http::RetryPolicy policy,
                  std::mt19937_64& random, event_base* base, event::DeferredDeleter& deleter,
                  size_t body_limit);
  ~RetryingRequest() override;

  // UpstreamExchange
  void start(bool end_stream, const LbContext& context) override;
  void sendData(evbuffer* data, bool end_stream) override;
  void sendTrailers(const http::HeaderMap& trailers) override;
  size_t bufferedBytes() const override;
  void readDisable(bool disable) override;
  void watchDrain() override;
  const std::string& upstreamHost() const override;

  // UpstreamRequestCallbacks: from the attempt in flight.
  void upstream100Continue() override { callbacks_.upstream100Continue(); }
  void upstreamHeaders(http::HeaderMap&& headers, bool end_stream) override;
  void upstreamData(evbuffer* data, bool end_stream) override;
  void upstreamTrailers(http::HeaderMap&& trailers) override;
  void upstreamFailed(PoolClient::Failure failure, bool reset, bool response_started) override;
  void upstreamWritable() override { callbacks_.upstreamWritable(); }

 private:
  // Sends the request (what arrived of it so far) as a new attempt.
  void startAttempt();
  // Settles `decision` for the attempt that just ended: true when a retry was scheduled (the
  // attempt is dropped); false when the outcome is to be passed on.
  bool retryOrPassOn(const http::RetryDecision& decision);
  // The attempt is abandoned (freed after the current event).
  void dropAttempt();
  // A granted retry's attempt ended: it leaves the max_retries breaker.
  void endRetry();
  void onBackoffDone();
  void onPerTryTimeout();

  WorkerCluster& cluster_;
  UpstreamRequestCallbacks& callbacks_;
  const http::HeaderMap& request_headers_;
  http::RetryState retry_;
  event::DeferredDeleter& deleter_;
  const size_t body_limit_;
  LbContext context_;
  std::unique_ptr<UpstreamRequest> attempt_;  // null while backing off
  event::EvbufferPtr body_;                   // the request body so far, while it is kept
  bool request_complete_ = false;             // the stream sent end_stream (or trailers)
  const http::HeaderMap* trailers_ = nullptr;
  bool read_disabled_ = false;
  bool retry_in_flight_ = false;  // counted by the cluster's max_retries breaker
  std::string last_host_;
  event::Timer backoff_timer_;
  event::Timer per_try_timer_;
};

}  // namespace weft::upstream
