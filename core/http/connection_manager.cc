// ConnectionManager: see connection_manager.h.
#include "core/http/connection_manager.h"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include "core/http/http_stream.h"

namespace weft::http {

ConnectionManager::ConnectionManager(WorkerContext& worker,
                                     std::shared_ptr<const server::ListenerSnapshot> listener,
                                     evutil_socket_t fd, const network::Address& peer)
    : worker_(worker),
      listener_(std::move(listener)),
      bev_(bufferevent_socket_new(worker.base(), fd, BEV_OPT_CLOSE_ON_FREE)),
      codec_(bufferevent_get_output(bev_), *this, listener_->parse_limits),
      timer_(worker.base(),
             [this] {
               if (codec_.idle() && evbuffer_get_length(bufferevent_get_input(bev_)) == 0) {
                 listener_->stats->cx_idle_timeout.inc();
                 closeNow();
                 return;
               }
               listener_->stats->rq_header_timeout.inc();
               codec_.sendErrorAndClose(408, "request header timeout\n");
               bufferevent_disable(bev_, EV_READ);
             }),
      deferred_dispatch_(event_new(worker.base(), -1, 0, &onDeferredDispatch, this)),
      remote_(peer.toString()),
      remote_ip_(peer.ip()),
      local_(network::localAddressOf(fd).toString()) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  size_t high = listener_->config.limits.buffer_high_watermark;
  bufferevent_setcb(bev_, &onRead, &onWrite, &onEvent, this);
  bufferevent_setwatermark(bev_, EV_READ, 0, high);
  bufferevent_setwatermark(bev_, EV_WRITE, high / 2, 0);
  bufferevent_enable(bev_, EV_READ | EV_WRITE);
  listener_->stats->cx_total.inc();
  listener_->stats->cx_active.add(1);
  armIdleOrHeaderTimer();
}

ConnectionManager::~ConnectionManager() {
  if (stream_) stream_->resetByDownstream();
  stream_.reset();
  if (bev_) bufferevent_free(bev_);
  listener_->stats->cx_active.sub(1);
}

void ConnectionManager::armIdleOrHeaderTimer() {
  const auto& limits = listener_->config.limits;
  bool head_arriving = evbuffer_get_length(bufferevent_get_input(bev_)) > 0;
  uint32_t ms = head_arriving || requests_ == 0 ? limits.header_timeout_ms : limits.idle_timeout_ms;
  if (ms > 0) timer_.arm(ms);
}

void ConnectionManager::readDisable(bool disable) {
  if (read_disabled_ == disable || closed_) return;
  read_disabled_ = disable;
  if (disable) {
    bufferevent_disable(bev_, EV_READ);
  } else {
    bufferevent_enable(bev_, EV_READ);
  }
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
  const server::ListenerSnapshot* current = listener_.get();
  if (auto it = snapshot->listeners.find(listener_->config.name); it != snapshot->listeners.end()) {
    current = it->second.get();
  }
  stream_ = std::make_unique<HttpStream>(*this, encoder, snapshot, *current, head);
  return *stream_;
}

void ConnectionManager::onParseError(http1::ParseError error) {
  if (auto* counter = listener_->stats->parse_errors[static_cast<size_t>(error)]) counter->inc();
  timer_.cancel();
  bufferevent_disable(bev_, EV_READ);
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
  if (codec_.closeAfterFlush()) {
    bufferevent_disable(bev_, EV_READ);
    if (evbuffer_get_length(bufferevent_get_output(bev_)) == 0) closeNow();
    return;
  }
  readDisable(false);
  armIdleOrHeaderTimer();
  // A pipelined request may already be buffered; parse it outside this call chain.
  if (evbuffer_get_length(bufferevent_get_input(bev_)) > 0) {
    event_active(deferred_dispatch_.get(), EV_READ, 0);
  }
}

void ConnectionManager::dispatch() {
  if (closed_ || in_dispatch_) return;
  in_dispatch_ = true;
  codec_.dispatch(bufferevent_get_input(bev_));
  in_dispatch_ = false;
  if (closed_) return;
  if (codec_.closeAfterFlush() && evbuffer_get_length(bufferevent_get_output(bev_)) == 0 &&
      !stream_) {
    closeNow();
    return;
  }
  if (codec_.idle() && evbuffer_get_length(bufferevent_get_input(bev_)) > 0 && !timer_.armed()) {
    armIdleOrHeaderTimer();  // a head has started to arrive
  }
}

void ConnectionManager::onRead(bufferevent*, void* self) {
  auto* c = static_cast<ConnectionManager*>(self);
  c->dispatch();
}

void ConnectionManager::onDeferredDispatch(evutil_socket_t, short, void* self) {
  auto* c = static_cast<ConnectionManager*>(self);
  c->dispatch();
}

void ConnectionManager::onWrite(bufferevent*, void* self) {
  auto* c = static_cast<ConnectionManager*>(self);
  if (c->closed_) return;
  if (c->codec_.closeAfterFlush() && !c->stream_ &&
      evbuffer_get_length(bufferevent_get_output(c->bev_)) == 0) {
    c->closeNow();
    return;
  }
  if (c->watch_drain_ && c->stream_) {
    c->watch_drain_ = false;
    c->stream_->downstreamWritable();
  }
}

void ConnectionManager::onEvent(bufferevent* bev, short what, void* self) {
  auto* c = static_cast<ConnectionManager*>(self);
  if (what & BEV_EVENT_EOF) {
    // The client closed its side. A tunnel or a close-delimited exchange may still finish
    // sending; anything else is over.
    evbuffer* input = bufferevent_get_input(bev);
    if (evbuffer_get_length(input) > 0) c->dispatch();
    if (c->closed_) return;
    if (c->stream_ && c->codec_.awaitingResponse()) {
      // A client may half-close after a complete request: answer it, then close.
      c->codec_.disableKeepAlive();
      return;
    }
  }
  c->closeNow();
}

void ConnectionManager::closeNow() {
  if (closed_) return;
  closed_ = true;
  timer_.cancel();
  bufferevent_disable(bev_, EV_READ | EV_WRITE);
  bufferevent_setcb(bev_, nullptr, nullptr, nullptr, nullptr);
  if (stream_) {
    stream_->resetByDownstream();
    worker_.deleter().add(std::move(stream_));
  }
  worker_.connectionClosed(*this);
}

}  // namespace weft::http
