// Http1ConnPool and Http1UpstreamConnection: see http1_conn_pool.h.
#include "core/upstream/http1_conn_pool.h"

#include <algorithm>

namespace weft::upstream {

Http1UpstreamConnection::Http1UpstreamConnection(Http1ConnPool& pool, size_t endpoint)
    : pool_(pool),
      endpoint_(endpoint),
      connection_(pool.base_, pool.cluster().endpoints[endpoint], *this,
                  network::Connection::Watermarks::ofHigh(pool.high_watermark_), connect_ok_),
      codec_(connection_, *this, pool.cluster().response_limits),
      timer_(pool.base_,
             &event::callMember<&Http1UpstreamConnection::onTimer, Http1UpstreamConnection>, this) {
  pool_.cluster_->stats->cx_total.inc();
  pool_.cluster_->stats->cx_active.add(1);
  // The connect timeout covers the TLS handshake too: onConnected follows it.
  if (connect_ok_) connect_ok_ = pool_.cluster().startTls(connection_, endpoint);
  timer_.arm(pool_.cluster().config.connect_timeout_ms);
}

Http1UpstreamConnection::~Http1UpstreamConnection() = default;

void Http1UpstreamConnection::onTimer() {
  if (state_ == State::kConnecting) {
    pool_.cluster_->stats->cx_connect_timeout.inc();
    pool_.onConnectFailure(*this, PoolClient::Failure::kConnectTimeout);
  } else {
    close();  // idle for too long
  }
}

void Http1UpstreamConnection::attach(PoolClient& client) {
  timer_.cancel();
  state_ = State::kBusy;
  client_ = &client;
  ++requests_;
  codec_.startRequest(client);
  client.onPoolReady(*this, endpoint_);
}

void Http1UpstreamConnection::readDisable(bool disable) { connection_.readDisable(disable); }

void Http1UpstreamConnection::resetStream() {
  client_ = nullptr;
  codec_.detach();
  close();
}

void Http1UpstreamConnection::onResponseComplete() {
  client_ = nullptr;
  uint32_t limit = pool_.cluster().config.max_requests_per_connection;
  if (codec_.reusable() && (limit == 0 || requests_ < limit) && state_ == State::kBusy) {
    connection_.readDisable(false);
    pool_.onConnectionFree(*this);
  } else {
    close();
  }
}

void Http1UpstreamConnection::onUpstreamProtocolError(http1::ParseError) {
  pool_.cluster_->stats->protocol_error.inc();
  close();
}

void Http1UpstreamConnection::close() {
  if (state_ == State::kClosed) return;
  bool was_busy = state_ == State::kBusy;
  if (state_ == State::kIdle) pool_.forgetIdle(*this);
  state_ = State::kClosed;
  timer_.cancel();
  connection_.quiesce();
  pool_.cluster_->stats->cx_active.sub(1);
  PoolClient* client = std::exchange(client_, nullptr);
  pool_.onConnectionClosed(*this);  // hands this object to the deferred deleter
  if (was_busy && client) client->onStreamReset(/*refused=*/false);
}

void Http1UpstreamConnection::onReadable() {
  codec_.dispatch(connection_.input());
  connection_.resumeReading();
}

void Http1UpstreamConnection::onWriteDrained() {
  if (client_) client_->onRequestDrained();
}

void Http1UpstreamConnection::onConnected() {
  timer_.cancel();
  pool_.onConnectionFree(*this);
}

void Http1UpstreamConnection::onConnectionError() {
  if (state_ == State::kConnecting) {
    pool_.onConnectFailure(*this, PoolClient::Failure::kConnectFailure);
    return;
  }
  pool_.cluster_->stats->cx_destroy_remote.inc();
  close();
}

void Http1UpstreamConnection::onRemoteClose() {
  if (state_ == State::kClosed) return;
  pool_.cluster_->stats->cx_destroy_remote.inc();
  if (state_ == State::kBusy && codec_.onRemoteClose()) return;  // until-close body ended
  close();
}

Http1ConnPool::Http1ConnPool(event_base* base, event::DeferredDeleter& deleter,
                             ClusterInfoPtr cluster, size_t high_watermark)
    : ConnPool(std::move(cluster)),
      base_(base),
      deleter_(deleter),
      high_watermark_(high_watermark),
      idle_(cluster_->endpoints.size()) {}

Http1ConnPool::~Http1ConnPool() {
  draining_ = true;
  pending_.clear();
  while (!connections_.empty()) {
    auto& c = connections_.front();
    c.client_ = nullptr;
    c.close();
  }
}

void Http1ConnPool::newStream(PoolClient& client, size_t endpoint) {
  const auto& config = cluster_->config;
  if (Http1UpstreamConnection* idle = takeIdle(endpoint)) {
    idle->attach(client);
    return;
  }
  if (connections_.size() >= config.max_connections) {
    // No room for a connection to `endpoint`: an idle one elsewhere beats waiting.
    if (Http1UpstreamConnection* idle = takeAnyIdle()) {
      idle->attach(client);
      return;
    }
    cluster_->stats->cx_overflow.inc();
    if (pending_.size() >= config.max_pending_requests) {
      cluster_->stats->rq_pending_overflow.inc();
      client.onPoolFailure(PoolClient::Failure::kOverflow);
      return;
    }
    pending_.push_back(&client);
    return;
  }
  pending_.push_back(&client);
  auto& created = connections_.pushBack(std::make_unique<Http1UpstreamConnection>(*this, endpoint));
  if (!created.connecting()) onConnectFailure(created, PoolClient::Failure::kConnectFailure);
}

Http1UpstreamConnection* Http1ConnPool::takeIdle(size_t endpoint) {
  auto& stack = idle_[endpoint];
  if (stack.empty()) return nullptr;
  Http1UpstreamConnection* connection = stack.back();  // the most recently used: warmest
  stack.pop_back();
  return connection;
}

Http1UpstreamConnection* Http1ConnPool::takeAnyIdle() {
  for (size_t endpoint = 0; endpoint < idle_.size(); ++endpoint) {
    if (Http1UpstreamConnection* connection = takeIdle(endpoint)) return connection;
  }
  return nullptr;
}

void Http1ConnPool::forgetIdle(Http1UpstreamConnection& connection) {
  auto& stack = idle_[connection.endpoint_];
  stack.erase(std::remove(stack.begin(), stack.end(), &connection), stack.end());
}

void Http1ConnPool::cancel(PoolClient& client) {
  auto it = std::find(pending_.begin(), pending_.end(), &client);
  if (it != pending_.end()) pending_.erase(it);
}

bool Http1ConnPool::drain() {
  draining_ = true;
  for (size_t e = 0; e < idle_.size(); ++e) {
    while (!idle_[e].empty()) idle_[e].back()->close();  // close() takes it off the stack
  }
  return connections_.empty() && pending_.empty();
}

void Http1ConnPool::onConnectionFree(Http1UpstreamConnection& connection) {
  if (!pending_.empty()) {
    PoolClient* next = pending_.front();
    pending_.pop_front();
    connection.attach(*next);
    return;
  }
  if (draining_) {
    connection.close();
    return;
  }
  connection.state_ = Http1UpstreamConnection::State::kIdle;
  connection.timer_.arm(cluster_->config.idle_timeout_ms);
  idle_[connection.endpoint_].push_back(&connection);
}

void Http1ConnPool::onConnectionClosed(Http1UpstreamConnection& connection) {
  deleter_.add(connections_.remove(connection));
}

void Http1ConnPool::onConnectFailure(Http1UpstreamConnection& connection,
                                     PoolClient::Failure failure) {
  cluster_->stats->cx_connect_fail.inc();
  connection.close();
  size_t connecting = 0;
  for (auto& c : connections_) {
    connecting += c.state_ == Http1UpstreamConnection::State::kConnecting ? 1 : 0;
  }
  // Fail the waiting clients that no other connection attempt will serve.
  while (pending_.size() > connecting) {
    PoolClient* client = pending_.front();
    pending_.pop_front();
    client->onPoolFailure(failure);
  }
}

}  // namespace weft::upstream
