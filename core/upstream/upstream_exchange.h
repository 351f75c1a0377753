// UpstreamExchange: what a stream asks of its upstream half, and UpstreamRequestCallbacks: what
// that half tells the stream. One attempt is an UpstreamRequest (upstream_request.h); a route with
// a retry policy gets a RetryingRequest (retrying_request.h), which runs attempts one after the
// other and shows the stream only the one whose outcome is final.
#pragma once

#include <event2/buffer.h>

#include <cstddef>
#include <string>

#include "core/event/event_loop.h"
#include "core/http/header_map.h"
#include "core/upstream/conn_pool.h"
#include "core/upstream/load_balancer.h"

namespace weft::upstream {

class UpstreamRequestCallbacks {
 public:
  virtual ~UpstreamRequestCallbacks() = default;
  virtual void upstream100Continue() = 0;
  virtual void upstreamHeaders(http::HeaderMap&& headers, bool end_stream) = 0;
  virtual void upstreamData(evbuffer* data, bool end_stream) = 0;
  virtual void upstreamTrailers(http::HeaderMap&& trailers) = 0;
  // No response will come: connect failure/timeout, overflow (a circuit breaker), no healthy
  // host, or the connection broke. `response_started` tells whether headers already went to the
  // client.
  virtual void upstreamFailed(PoolClient::Failure failure, bool reset, bool response_started) = 0;
  // The request may flow again (the upstream drained its output).
  virtual void upstreamWritable() = 0;
  // The retry policy's per-try timeout passed and no retry follows.
  virtual void upstreamTimedOut() {}
  // The outcome passed on next was one the policy retries, but its retries were spent.
  virtual void upstreamRetriesExhausted() {}
};

class UpstreamExchange : public event::Deletable {
 public:
  // Starts the exchange: admits the request, picks a host with `context` and asks the pool for a
  // connection to it (headers go out once it is ready).
  virtual void start(bool end_stream, const LbContext& context) = 0;
  virtual void sendData(evbuffer* data, bool end_stream) = 0;
  virtual void sendTrailers(const http::HeaderMap& trailers) = 0;
  // Request bytes not yet written to the upstream socket.
  virtual size_t bufferedBytes() const = 0;
  // Stop / resume reading the response.
  virtual void readDisable(bool disable) = 0;
  // upstreamWritable() will follow once the request bytes waiting for the upstream drain.
  virtual void watchDrain() = 0;
  // "ip:port" of the host the (last) attempt went to; empty before one was connected.
  virtual const std::string& upstreamHost() const = 0;
};

}  // namespace weft::upstream
