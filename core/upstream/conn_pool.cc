// makeConnPool: the pool for a cluster's upstream protocol; see conn_pool.h.
#include "core/upstream/conn_pool.h"

#include "core/upstream/http1_conn_pool.h"
#include "core/upstream/http2_conn_pool.h"

namespace weft::upstream {

std::unique_ptr<ConnPool> makeConnPool(event_base* base, event::DeferredDeleter& deleter,
                                       ClusterInfoPtr cluster, size_t high_watermark) {
  if (cluster->config.protocol == config::UpstreamProtocol::kHttp2) {
    return std::make_unique<Http2ConnPool>(base, deleter, std::move(cluster), high_watermark);
  }
  return std::make_unique<Http1ConnPool>(base, deleter, std::move(cluster), high_watermark);
}

}  // namespace weft::upstream
