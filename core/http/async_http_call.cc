// AsyncHttpCall: see async_http_call.h.
#include "core/http/async_http_call.h"

namespace weft::http {

AsyncHttpCall::AsyncHttpCall(int64_t token, upstream::WorkerCluster& cluster, event_base* base,
                             HeaderMap headers, std::string body, uint64_t timeout_ms,
                             uint64_t max_response_bytes, AsyncHttpCallCallbacks& owner)
    : token_(token),
      cluster_(cluster),
      request_headers_(std::move(headers)),
      request_body_(std::move(body)),
      timeout_ms_(timeout_ms),
      max_response_bytes_(max_response_bytes),
      owner_(owner),
      timer_(base, &event::callMember<&AsyncHttpCall::onTimer, AsyncHttpCall>, this) {}

AsyncHttpCall::~AsyncHttpCall() = default;  // the upstream request resets what is in flight

void AsyncHttpCall::start() {
  starting_ = true;
  if (timeout_ms_ > 0) timer_.arm(timeout_ms_);
  upstream_ = std::make_unique<upstream::UpstreamRequest>(cluster_, *this, request_headers_);
  upstream_->start(request_body_.empty(), upstream::LbContext{});
  if (!request_body_.empty() && !finished_) {
    event::EvbufferPtr body = event::newBuffer();
    evbuffer_add(body.get(), request_body_.data(), request_body_.size());
    upstream_->sendData(body.get(), true);
  }
  starting_ = false;
  if (finished_) timer_.arm(0);  // failed at once: tell the owner from a fresh call stack
}

void AsyncHttpCall::upstreamHeaders(HeaderMap&& headers, bool end_stream) {
  response_headers_ = std::move(headers);
  if (end_stream) {
    finish(response_headers_.statusCode(), "reset");
  }
}

void AsyncHttpCall::upstreamData(evbuffer* data, bool end_stream) {
  size_t n = evbuffer_get_length(data);
  if (finished_) {
    evbuffer_drain(data, n);
    return;
  }
  if (response_body_.size() + n > max_response_bytes_) {
    evbuffer_drain(data, n);
    finish(0, "too_large");
    return;
  }
  size_t old = response_body_.size();
  response_body_.resize(old + n);
  evbuffer_remove(data, response_body_.data() + old, n);
  if (end_stream) upstreamTrailers({});
}

void AsyncHttpCall::upstreamTrailers(HeaderMap&&) {
  finish(response_headers_.statusCode(), "reset");
}

void AsyncHttpCall::upstreamFailed(upstream::PoolClient::Failure failure, bool reset, bool) {
  switch (failure) {
    case upstream::PoolClient::Failure::kOverflow:
      finish(0, "overflow");
      return;
    case upstream::PoolClient::Failure::kNoHealthyHost:
      finish(0, "no_healthy_upstream");
      return;
    case upstream::PoolClient::Failure::kConnectTimeout:
    case upstream::PoolClient::Failure::kConnectFailure:
      finish(0, reset ? "reset" : "connect_failure");
      return;
  }
}

void AsyncHttpCall::finish(uint32_t status, std::string_view failure) {
  if (finished_) return;
  finished_ = true;
  status_ = status;
  failure_ = status == 0 ? failure : std::string_view();
  timer_.cancel();
  if (!starting_) deliver();
}

void AsyncHttpCall::onTimer() {
  if (!finished_) {
    finish(0, "timeout");
    return;
  }
  deliver();
}

void AsyncHttpCall::deliver() {
  if (delivered_) return;
  delivered_ = true;
  HttpCallResult result;
  result.status = status_;
  result.failure = failure_;
  result.headers = status_ > 0 ? &response_headers_ : nullptr;
  result.body = status_ > 0 ? std::string_view(response_body_) : std::string_view();
  owner_.onHttpCallDone(*this, result);
}

}  // namespace weft::http
