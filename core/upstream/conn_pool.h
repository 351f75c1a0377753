// ConnPool: one worker's connections to one cluster, handing out streams to requests. HTTP/1 pools
// (http1_conn_pool.h) give each request a whole connection; HTTP/2 pools (http2_conn_pool.h)
// multiplex requests as streams over few connections. Both choose endpoints round robin, open at
// most max_connections, queue up to max_pending_requests beyond that (else fail with overflow) and
// close connections idle longer than the cluster's idle_timeout. Worker-local: no locks.
#pragma once

#include <memory>
#include <string>

#include "core/event/event_loop.h"
#include "core/http/codec.h"
#include "core/upstream/cluster.h"

namespace weft::upstream {

// The user of a pooled stream: one request's upstream half. Its ResponseDecoder side receives the
// response and the stream's events (reset, drained).
class PoolClient : public http::ResponseDecoder {
 public:
  // A stream is ready for this client's request: encode it through `stream`, which stays valid
  // until the response completes, the stream resets, or the client calls stream.resetStream().
  // `host` is the endpoint's "ip:port".
  virtual void onPoolReady(http::RequestEncoder& stream, const std::string& host) = 0;
  enum class Failure { kConnectFailure, kConnectTimeout, kOverflow };
  virtual void onPoolFailure(Failure failure) = 0;
};

class ConnPool {
 public:
  explicit ConnPool(ClusterInfoPtr cluster) : cluster_(std::move(cluster)) {}
  virtual ~ConnPool() = default;

  // Hands `client` a stream now or later (onPoolReady), or fails it (onPoolFailure).
  virtual void newStream(PoolClient& client) = 0;
  // Withdraws a client still waiting for a stream.
  virtual void cancel(PoolClient& client) = 0;
  // Closes idle connections; busy ones close when their streams end. True once nothing is open.
  virtual bool drain() = 0;

  const ClusterInfo& cluster() const { return *cluster_; }
  const ClusterInfoPtr& clusterPtr() const { return cluster_; }

 protected:
  ClusterInfoPtr cluster_;
};

// The pool for `cluster`'s protocol. `high_watermark` bounds the bytes a connection buffers.
std::unique_ptr<ConnPool> makeConnPool(event_base* base, event::DeferredDeleter& deleter,
                                       ClusterInfoPtr cluster, size_t high_watermark);

}  // namespace weft::upstream
