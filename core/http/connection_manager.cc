// ConnectionManager: see connection_manager.h.
#include "core/http/connection_manager.h"

#include "core/http/http_stream.h"

namespace weft::http {

namespace {
network::Connection::Watermarks watermarks(const config::ListenerLimits& limits) {
  return {limits.buffer_high_watermark, limits.buffer_high_watermark / 2};
}
}  // namespace

ConnectionManager::ConnectionManager(WorkerContext& worker,
                                     const server::ListenerSnapshot& listener, evutil_socket_t fd,
                                     const network::Address& peer)
    : worker_(worker),
      snapshot_(*worker.snapshot()),
      listener_(&listener),
      connection_(worker.base(), fd, *this, watermarks(listener_->config.limits)),
      codec_(connection_, *this, listener_->parse_limits),
      timer_(worker.base(), &event::callMember<&ConnectionManager::onTimer, ConnectionManager>,
             this),
      remote_(peer.toString()) {
  worker_.acquire(snapshot_);
  listener_->stats->cx_total.inc();
  listener_->stats->cx_active.add(1);
  armIdleOrHeaderTimer();
}

ConnectionManager::~ConnectionManager() {
  if (stream_) stream_->resetByDownstream();
  stream_.reset();
  listener_->stats->cx_active.sub(1);
  worker_.release(snapshot_);
}

std::string ConnectionManager::localAddress() const {
  return network::localAddressOf(connection_.fd()).toString();
}

std::string_view ConnectionManager::remoteIp() const {
  std::string_view all = remote_;
  if (!all.empty() && all.front() == '[') return all.substr(1, all.rfind(']') - 1);  // [v6]:port
  return all.substr(0, all.rfind(':'));
}

void ConnectionManager::onTimer() {
  if (reset_pending_) {
    closeNow();
    return;
  }
  if (dispatch_pending_) {
    dispatch_pending_ = false;
    dispatch();
    return;
  }
  if (codec_.idle() && evbuffer_get_length(connection_.input()) == 0) {
    listener_->stats->cx_idle_timeout.inc();
    closeNow();
    return;
  }
  listener_->stats->rq_header_timeout.inc();
  codec_.sendErrorAndClose(408, "request header timeout\n");
  connection_.readDisable(true);
  closeWhenFlushed();
}

void ConnectionManager::armIdleOrHeaderTimer() {
  if (reset_pending_ || dispatch_pending_) return;  // the armed 0 ms timer must fire first
  const auto& limits = listener_->config.limits;
  bool head_arriving = evbuffer_get_length(connection_.input()) > 0;
  header_timer_ = head_arriving || requests_ == 0;
  uint32_t ms = header_timer_ ? limits.header_timeout_ms : limits.idle_timeout_ms;
  if (ms > 0) {
    timer_.arm(ms);
  } else {
    timer_.cancel();
  }
}

void ConnectionManager::readDisable(bool disable) {
  if (read_disabled_ == disable || closed_) return;
  read_disabled_ = disable;
  connection_.readDisable(disable);
}

void ConnectionManager::drain() {
  codec_.disableKeepAlive();
  if (codec_.idle() && !stream_) closeNow();
}

RequestDecoder& ConnectionManager::newStream(ResponseEncoder& encoder,
                                             const http1::RequestHead& head) {
  timer_.cancel();
  ++requests_;
  protocol_ = head.version_minor == 0 ? Protocol::kHttp10 : Protocol::kHttp11;
  uint32_t max_requests = listener_->config.limits.max_requests_per_connection;
  if ((max_requests && requests_ >= max_requests) || worker_.draining()) {
    if (max_requests && requests_ >= max_requests) listener_->stats->rq_max_per_connection.inc();
    codec_.disableKeepAlive();
  }
  // New streams pick up the newest config; the connection's listener stays for its limits.
  const server::SnapshotPtr& snapshot = worker_.snapshot();
  const server::ListenerSnapshot* current = listener_;
  if (auto it = snapshot->listeners.find(listener_->config.name); it != snapshot->listeners.end()) {
    current = it->second.get();
  }
  stream_ = std::make_unique<HttpStream>(*this, encoder, *snapshot, *current, head);
  return *stream_;
}

void ConnectionManager::onParseError(http1::ParseError error) {
  if (auto* counter = listener_->stats->parse_errors[static_cast<size_t>(error)]) counter->inc();
  timer_.cancel();
  connection_.readDisable(true);
  if (stream_) {
    // The head was fine but the body was not: the exchange is over, whatever the upstream says.
    stream_->resetByDownstream();
    worker_.deleter().add(std::move(stream_));
  }
}

void ConnectionManager::onStreamComplete() {
  if (stream_) {
    stream_->complete();
    worker_.deleter().add(std::move(stream_));
  }
  watch_drain_ = false;
  if (codec_.closeAfterFlush() || worker_.draining()) {
    connection_.readDisable(true);
    closeWhenFlushed();
    return;
  }
  readDisable(false);
  connection_.resumeReading();
  // A pipelined request may already be buffered; parse it outside this call chain.
  if (evbuffer_get_length(connection_.input()) > 0) {
    kick();
  } else {
    armIdleOrHeaderTimer();
  }
}

void ConnectionManager::dispatch() {
  if (closed_ || in_dispatch_) return;
  in_dispatch_ = true;
  codec_.dispatch(connection_.input());
  in_dispatch_ = false;
  if (closed_) return;
  connection_.resumeReading();
  if (codec_.closeAfterFlush() && !stream_) {
    closeWhenFlushed();
    return;
  }
  if (codec_.idle()) {
    // Between requests: a head that starts to arrive switches the idle timeout to the header one.
    bool arriving = evbuffer_get_length(connection_.input()) > 0;
    if (!timer_.armed() || (arriving && !header_timer_)) armIdleOrHeaderTimer();
  }
}

void ConnectionManager::closeWhenFlushed() {
  if (closed_) return;
  closing_ = true;
  if (evbuffer_get_length(connection_.output()) == 0) {
    closeNow();
  } else {
    connection_.watchDrain();
  }
}

void ConnectionManager::onWriteDrained() {
  if (closed_) return;
  if (closing_) {
    closeWhenFlushed();
    return;
  }
  if (watch_drain_ && stream_) {
    watch_drain_ = false;
    stream_->downstreamWritable();
  }
}

void ConnectionManager::onRemoteClose() {
  // The client closed its side. Parse what it sent before; a complete request still gets its
  // response (a client may half-close after sending); anything else is over.
  if (evbuffer_get_length(connection_.input()) > 0) dispatch();
  if (closed_) return;
  if (stream_ && codec_.awaitingResponse()) {
    codec_.disableKeepAlive();
    return;
  }
  if (closing_) return;  // an error response is still being written
  closeNow();
}

void ConnectionManager::closeNow() {
  if (closed_) return;
  closed_ = true;
  timer_.cancel();
  connection_.quiesce();
  if (stream_) {
    stream_->resetByDownstream();
    worker_.deleter().add(std::move(stream_));
  }
  worker_.connectionClosed(*this);
}

}  // namespace weft::http
