// RetryingRequest: see retrying_request.h.
#include "core/upstream/retrying_request.h"

#include <optional>
#include <utility>

#include "core/event/buffer_copy.h"

namespace weft::upstream {

RetryingRequest::RetryingRequest(WorkerCluster& cluster, UpstreamRequestCallbacks& callbacks,
                                 const http::HeaderMap& request_headers, http::RetryPolicy policy,
                                 std::mt19937_64& random, event_base* base,
                                 event::DeferredDeleter& deleter, size_t body_limit)
    : cluster_(cluster),
      callbacks_(callbacks),
      request_headers_(request_headers),
      retry_(std::move(policy), random),
      deleter_(deleter),
      body_limit_(body_limit),
      body_(event::newBuffer()),
      backoff_timer_(base, &event::callMember<&RetryingRequest::onBackoffDone, RetryingRequest>,
                     this),
      per_try_timer_(base, &event::callMember<&RetryingRequest::onPerTryTimeout, RetryingRequest>,
                     this) {}

RetryingRequest::~RetryingRequest() { endRetry(); }

void RetryingRequest::start(bool end_stream, const LbContext& context) {
  request_complete_ = end_stream;
  context_ = context;
  startAttempt();
}

void RetryingRequest::startAttempt() {
  attempt_ = std::make_unique<UpstreamRequest>(cluster_, *this, request_headers_);
  UpstreamRequest* const attempt = attempt_.get();
  const bool has_body = body_ && evbuffer_get_length(body_.get()) > 0;
  const bool headers_only = request_complete_ && !has_body && trailers_ == nullptr;
  if (retry_.policy().per_try_timeout_ms > 0)
    per_try_timer_.arm(retry_.policy().per_try_timeout_ms);
  attempt->start(headers_only, context_);
  // Each step may end the attempt at once (no host, overflow): then it is no longer attempt_.
  if (attempt_.get() != attempt || headers_only) return;
  if (has_body || (request_complete_ && trailers_ == nullptr)) {
    event::EvbufferPtr copy = event::newBuffer();
    if (has_body) event::appendCopy(copy.get(), body_.get());
    attempt->sendData(copy.get(), request_complete_ && trailers_ == nullptr);
    if (attempt_.get() != attempt) return;
  }
  if (trailers_ != nullptr) attempt->sendTrailers(*trailers_);
  if (attempt_.get() == attempt && read_disabled_) attempt->readDisable(true);
}

void RetryingRequest::sendData(evbuffer* data, bool end_stream) {
  if (body_) {
    if (evbuffer_get_length(body_.get()) + evbuffer_get_length(data) > body_limit_) {
      body_.reset();  // too big to keep: no more retries
    } else {
      event::appendCopy(body_.get(), data);
    }
  }
  request_complete_ = request_complete_ || end_stream;
  if (attempt_) {
    attempt_->sendData(data, end_stream);
    return;
  }
  // Backing off: the bytes are kept for the next attempt, unless they no longer fit.
  evbuffer_drain(data, evbuffer_get_length(data));
  if (!body_) {
    backoff_timer_.cancel();
    endRetry();
    callbacks_.upstreamFailed(PoolClient::Failure::kConnectFailure, /*reset=*/true,
                              /*response_started=*/false);
  }
}

void RetryingRequest::sendTrailers(const http::HeaderMap& trailers) {
  trailers_ = &trailers;
  request_complete_ = true;
  if (attempt_) attempt_->sendTrailers(trailers);
}

size_t RetryingRequest::bufferedBytes() const { return attempt_ ? attempt_->bufferedBytes() : 0; }

void RetryingRequest::readDisable(bool disable) {
  read_disabled_ = disable;
  if (attempt_) attempt_->readDisable(disable);
}

void RetryingRequest::watchDrain() {
  if (attempt_) attempt_->watchDrain();
}

const std::string& RetryingRequest::upstreamHost() const {
  return attempt_ ? attempt_->upstreamHost() : last_host_;
}

void RetryingRequest::upstreamHeaders(http::HeaderMap&& headers, bool end_stream) {
  per_try_timer_.cancel();
  endRetry();
  const http::RetryDecision decision = retry_.onResponseHeaders(headers);
  if (retryOrPassOn(decision)) return;
  if (retry_.retriesUsed() > 0 && decision.verdict == http::RetryDecision::Verdict::kNoRetry) {
    cluster_.info().stats->rq_retry_success.inc();
  }
  callbacks_.upstreamHeaders(std::move(headers), end_stream);
}

void RetryingRequest::upstreamData(evbuffer* data, bool end_stream) {
  callbacks_.upstreamData(data, end_stream);
}

void RetryingRequest::upstreamTrailers(http::HeaderMap&& trailers) {
  callbacks_.upstreamTrailers(std::move(trailers));
}

void RetryingRequest::upstreamFailed(PoolClient::Failure failure, bool reset,
                                     bool response_started) {
  per_try_timer_.cancel();
  endRetry();
  if (!response_started) {
    std::optional<http::UpstreamFailure> kind;
    switch (failure) {
      case PoolClient::Failure::kConnectFailure:
        kind = !reset                ? http::UpstreamFailure::kConnectFailure
               : attempt_->refused() ? http::UpstreamFailure::kRefusedStream
                                     : http::UpstreamFailure::kReset;
        break;
      case PoolClient::Failure::kConnectTimeout:
        kind = http::UpstreamFailure::kConnectFailure;
        break;
      case PoolClient::Failure::kOverflow:
      case PoolClient::Failure::kNoHealthyHost:
        break;  // the cluster refused: another attempt now would be refused the same way
    }
    if (kind && retryOrPassOn(retry_.onFailure(*kind, /*request_sent=*/reset))) return;
  }
  callbacks_.upstreamFailed(failure, reset, response_started);
}

bool RetryingRequest::retryOrPassOn(const http::RetryDecision& decision) {
  ClusterStats& stats = *cluster_.info().stats;
  if (decision.verdict == http::RetryDecision::Verdict::kExhausted) {
    stats.rq_retry_limit_exceeded.inc();
    callbacks_.upstreamRetriesExhausted();
    return false;
  }
  if (!decision.retry() || !body_ || !cluster_.admitRetry()) return false;
  retry_in_flight_ = true;
  stats.rq_retry.inc();
  dropAttempt();
  backoff_timer_.arm(decision.backoff_ms);
  return true;
}

void RetryingRequest::dropAttempt() {
  last_host_ = attempt_->upstreamHost();
  attempt_->abandon();
  deleter_.add(std::move(attempt_));
}

void RetryingRequest::endRetry() {
  if (!retry_in_flight_) return;
  retry_in_flight_ = false;
  cluster_.endRetry();
}

void RetryingRequest::onBackoffDone() { startAttempt(); }

void RetryingRequest::onPerTryTimeout() {
  endRetry();
  if (retryOrPassOn(retry_.onFailure(http::UpstreamFailure::kPerTryTimeout, true))) return;
  dropAttempt();
  callbacks_.upstreamTimedOut();
}

}  // namespace weft::upstream
