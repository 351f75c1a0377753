// Http2ConnPool and Http2UpstreamConnection: see http2_conn_pool.h.
#include "core/upstream/http2_conn_pool.h"

#include <algorithm>

namespace weft::upstream {

Http2UpstreamConnection::Http2UpstreamConnection(Http2ConnPool& pool, size_t endpoint)
    : pool_(pool),
      endpoint_(endpoint),
      connection_(pool.base_, pool.cluster().endpoints[endpoint], *this,
                  network::Connection::Watermarks::ofHigh(pool.high_watermark_), connect_ok_),
      timer_(pool.base_,
             &event::callMember<&Http2UpstreamConnection::onTimer, Http2UpstreamConnection>, this) {
  pool_.cluster_->stats->cx_total.inc();
  pool_.cluster_->stats->cx_active.add(1);
  // The connect timeout covers the TLS handshake too: onConnected follows it.
  if (connect_ok_) connect_ok_ = pool_.cluster().startTls(connection_, endpoint);
  timer_.arm(pool_.cluster().config.connect_timeout_ms);
}

Http2UpstreamConnection::~Http2UpstreamConnection() = default;

bool Http2UpstreamConnection::hasCapacity() const {
  if (closed_ || !codec_ || !codec_->acceptsStreams()) return false;
  uint32_t limit = pool_.cluster().config.max_requests_per_connection;
  if (limit && streams_total_ >= limit) return false;
  return codec_->activeStreams() < codec_->maxStreams();
}

void Http2UpstreamConnection::attach(PoolClient& client) {
  timer_.cancel();
  ++streams_total_;
  client.onPoolReady(codec_->newStream(client), endpoint_);
}

void Http2UpstreamConnection::onTimer() {
  if (!codec_) {
    pool_.cluster_->stats->cx_connect_timeout.inc();
    pool_.onConnectionClosed(*this, /*connect_failed=*/true, PoolClient::Failure::kConnectTimeout);
    return;
  }
  close();  // idle for too long
}

void Http2UpstreamConnection::close() {
  if (closed_) return;
  closed_ = true;
  timer_.cancel();
  if (codec_) codec_->shutdown();
  connection_.quiesce();
  pool_.cluster_->stats->cx_active.sub(1);
  if (codec_) codec_->onConnectionClosed();  // resets the open streams
  pool_.onConnectionClosed(*this, /*connect_failed=*/false, PoolClient::Failure::kConnectFailure);
}

void Http2UpstreamConnection::onConnected() {
  timer_.cancel();
  codec_.emplace(connection_, *this, pool_.deleter_, pool_.cluster().http2_options,
                 *pool_.cluster().http2_stats, pool_.high_watermark_);
  pool_.servePending();
  if (!closed_ && codec_->activeStreams() == 0) timer_.arm(pool_.cluster().config.idle_timeout_ms);
}

void Http2UpstreamConnection::onSettings() { pool_.servePending(); }

void Http2UpstreamConnection::onStreamFinished() {
  if (closed_) return;
  pool_.servePending();
  if (codec_->activeStreams() > 0) return;
  uint32_t limit = pool_.cluster().config.max_requests_per_connection;
  if (pool_.draining_ || !codec_->acceptsStreams() || (limit && streams_total_ >= limit)) {
    timer_.arm(0);  // closes outside the codec's callback
    return;
  }
  timer_.arm(pool_.cluster().config.idle_timeout_ms);
}

void Http2UpstreamConnection::onReadable() {
  if (closed_ || !codec_) return;
  bool ok = codec_->dispatch(connection_.input());
  connection_.resumeReading();
  if (!ok) {
    pool_.cluster_->stats->protocol_error.inc();
    close();
  }
}

void Http2UpstreamConnection::onWriteDrained() {
  if (codec_ && !closed_) codec_->onConnectionDrained();
}

void Http2UpstreamConnection::onConnectionError() {
  if (!codec_) {
    pool_.onConnectionClosed(*this, /*connect_failed=*/true, PoolClient::Failure::kConnectFailure);
    return;
  }
  pool_.cluster_->stats->cx_destroy_remote.inc();
  close();
}

void Http2UpstreamConnection::onRemoteClose() {
  if (closed_) return;
  pool_.cluster_->stats->cx_destroy_remote.inc();
  close();
}

// ---- the pool -------------------------------------------------------------------------------

Http2ConnPool::Http2ConnPool(event_base* base, event::DeferredDeleter& deleter,
                             ClusterInfoPtr cluster, size_t high_watermark)
    : ConnPool(std::move(cluster)),
      base_(base),
      deleter_(deleter),
      high_watermark_(high_watermark) {}

Http2ConnPool::~Http2ConnPool() {
  draining_ = true;
  pending_.clear();
  while (!connections_.empty()) connections_.front().close();
}

Http2UpstreamConnection* Http2ConnPool::withCapacity(size_t endpoint) const {
  for (auto& connection : connections_) {
    if (connection.endpoint_ == endpoint && connection.hasCapacity()) return &connection;
  }
  return nullptr;
}

bool Http2ConnPool::connectingTo(size_t endpoint) const {
  return std::any_of(connections_.begin(), connections_.end(), [&](const auto& c) {
    return c.endpoint_ == endpoint && !c.codec_ && !c.closed_;
  });
}

void Http2ConnPool::newStream(PoolClient& client, size_t endpoint) {
  const auto& config = cluster_->config;
  if (Http2UpstreamConnection* connection = withCapacity(endpoint)) {
    connection->attach(client);
    return;
  }
  if (pending_.size() >= config.max_pending_requests) {
    cluster_->stats->rq_pending_overflow.inc();
    client.onPoolFailure(PoolClient::Failure::kOverflow);
    return;
  }
  pending_.push_back(&client);
  if (connectingTo(endpoint)) return;  // the connection on its way takes it
  if (connections_.size() >= config.max_connections) {
    cluster_->stats->cx_overflow.inc();
    servePending();  // perhaps another endpoint's connection has room
    return;
  }
  auto& created = connections_.pushBack(std::make_unique<Http2UpstreamConnection>(*this, endpoint));
  if (!created.connect_ok_) {
    onConnectionClosed(created, /*connect_failed=*/true, PoolClient::Failure::kConnectFailure);
  }
}

void Http2ConnPool::servePending() {
  for (auto& connection : connections_) {
    while (!pending_.empty() && connection.hasCapacity()) {
      PoolClient* client = pending_.front();
      pending_.pop_front();
      connection.attach(*client);
    }
    if (pending_.empty()) return;
  }
}

void Http2ConnPool::cancel(PoolClient& client) {
  auto it = std::find(pending_.begin(), pending_.end(), &client);
  if (it != pending_.end()) pending_.erase(it);
}

bool Http2ConnPool::drain() {
  draining_ = true;
  std::vector<Http2UpstreamConnection*> idle;
  for (auto& connection : connections_) {
    if (!connection.codec_ || connection.codec_->activeStreams() == 0) {
      idle.push_back(&connection);
    } else {
      connection.codec_->shutdown();
    }
  }
  for (auto* connection : idle) connection->close();
  return connections_.empty() && pending_.empty();
}

void Http2ConnPool::onConnectionClosed(Http2UpstreamConnection& connection, bool connect_failed,
                                       PoolClient::Failure failure) {
  if (connect_failed) {
    cluster_->stats->cx_connect_fail.inc();
    if (!connection.closed_) {
      connection.closed_ = true;
      connection.timer_.cancel();
      connection.connection_.quiesce();
      cluster_->stats->cx_active.sub(1);
    }
  }
  deleter_.add(connections_.remove(connection));
  if (!connect_failed) {
    servePending();
    return;
  }
  // Fail the waiting clients that no connection, open or on its way, will serve.
  bool hope = std::any_of(connections_.begin(), connections_.end(),
                          [](const auto& c) { return !c.closed_; });
  while (!hope && !pending_.empty()) {
    PoolClient* client = pending_.front();
    pending_.pop_front();
    client->onPoolFailure(failure);
  }
}

}  // namespace weft::upstream
