// ConnPool: one worker's connections to one cluster, handing out streams to requests. HTTP/1 pools
// (http1_conn_pool.h) give each request a whole connection; HTTP/2 pools (http2_conn_pool.h)
// multiplex requests as streams over few connections. The caller (WorkerCluster's balancer) names
// the endpoint each request goes to; both pools open at most max_connections, queue up to
// max_pending_requests beyond that (else fail with overflow) and close connections idle longer
// than the cluster's idle_timeout. A request that had to wait for a connection takes the first
// that frees up, possibly to another endpoint: onPoolReady says which. Worker-local: no locks.
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
  // `endpoint` is the index, in the cluster's endpoint list, of the endpoint it goes to.
  virtual void onPoolReady(http::RequestEncoder& stream, size_t endpoint) = 0;
  // kNoHealthyHost comes from the cluster's balancer, before any pool is asked.
  enum class Failure { kConnectFailure, kConnectTimeout, kOverflow, kNoHealthyHost };
  virtual void onPoolFailure(Failure failure) = 0;
};

class ConnPool {
 public:
  explicit ConnPool(ClusterInfoPtr cluster) : cluster_(std::move(cluster)) {}
  virtual ~ConnPool() = default;

  // Hands `client` a stream to endpoint `endpoint` (an index into the cluster's endpoints) now or
  // later (onPoolReady), or fails it (onPoolFailure).
  virtual void newStream(PoolClient& client, size_t endpoint) = 0;
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
