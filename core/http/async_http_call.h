// AsyncHttpCall: one HTTP request that a filter sends to a cluster on its own (the ABI's
// http_call), e.g. an authorization check. The request is held whole; the response is collected
// whole up to a limit; the outcome reaches the owner exactly once and never from inside start().
// It goes through the same per-worker pools and upstream stage as proxied requests.
//
// Worker-local. Destroying the call abandons it (the upstream stream is reset, no callback).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/common/owned_list.h"
#include "core/event/event_loop.h"
#include "core/http/header_map.h"
#include "core/upstream/upstream_request.h"

namespace weft::http {

class AsyncHttpCall;

// The outcome of a call: a status, or 0 and the reason no response came ("timeout",
// "connect_failure", "reset", "overflow", "no_healthy_upstream", "too_large").
struct HttpCallResult {
  uint32_t status = 0;
  std::string_view failure;
  const HeaderMap* headers = nullptr;  // the response head (":status" included), when status > 0
  std::string_view body;
};

class AsyncHttpCallCallbacks {
 public:
  virtual ~AsyncHttpCallCallbacks() = default;
  // The call is over; the result's views live until this returns. The owner may destroy the
  // call (through the deferred deleter) from here.
  virtual void onHttpCallDone(AsyncHttpCall& call, const HttpCallResult& result) = 0;
};

class AsyncHttpCall : public upstream::UpstreamRequestCallbacks,
                      public event::Deletable,
                      public OwnedListLinks<AsyncHttpCall> {
 public:
  AsyncHttpCall(int64_t token, upstream::WorkerCluster& cluster, event_base* base,
                HeaderMap headers, std::string body, uint64_t timeout_ms,
                uint64_t max_response_bytes, AsyncHttpCallCallbacks& owner);
  ~AsyncHttpCall() override;

  void start();
  int64_t token() const { return token_; }

  // UpstreamRequestCallbacks
  void upstream100Continue() override {}
  void upstreamHeaders(HeaderMap&& headers, bool end_stream) override;
  void upstreamData(evbuffer* data, bool end_stream) override;
  void upstreamTrailers(HeaderMap&& trailers) override;
  void upstreamFailed(upstream::PoolClient::Failure failure, bool reset,
                      bool response_started) override;
  void upstreamWritable() override {}

 private:
  // Records the outcome and delivers it (on the next loop turn if start() is still running).
  void finish(uint32_t status, std::string_view failure);
  void deliver();
  void onTimer();

  int64_t token_;
  upstream::WorkerCluster& cluster_;
  HeaderMap request_headers_;
  std::string request_body_;
  uint64_t timeout_ms_;
  uint64_t max_response_bytes_;
  AsyncHttpCallCallbacks& owner_;
  std::unique_ptr<upstream::UpstreamRequest> upstream_;
  event::Timer timer_;  // the timeout, or (armed at 0) a delivery deferred out of start()
  bool starting_ = false;
  bool finished_ = false;
  bool delivered_ = false;
  uint32_t status_ = 0;
  std::string_view failure_;
  HeaderMap response_headers_;
  std::string response_body_;
};

}  // namespace weft::http
