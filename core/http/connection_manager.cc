// ConnectionManager: see connection_manager.h.
#include "core/http/connection_manager.h"

#include <cstring>

#include "core/http/http2_server_codec.h"
#include "core/http/http_stream.h"
#include "core/tls/peer_identity.h"
#include "core/tls/tls_session.h"

namespace weft::http {

namespace {

constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr unsigned char kTlsHandshakeRecord = 0x16;

}  // namespace

ConnectionManager::ConnectionManager(WorkerContext& worker,
                                     const server::ListenerSnapshot& listener, evutil_socket_t fd,
                                     const network::Address& peer)
    : worker_(worker),
      snapshot_(*worker.snapshot()),
      listener_(&listener),
      connection_(
          worker.base(), fd, *this,
          network::Connection::Watermarks::ofHigh(listener_->config.limits.buffer_high_watermark)),
      timer_(worker.base(), &event::callMember<&ConnectionManager::onTimer, ConnectionManager>,
             this),
      remote_(peer.toString()) {
  worker_.acquire(snapshot_);
  listener_->stats->cx_total.inc();
  listener_->stats->cx_active.add(1);
  armIdleOrHeaderTimer();
}

ConnectionManager::~ConnectionManager() {
  // Codec first: its streams refer to the HttpStreams.
  if (codec_) codec_->resetAllStreams();
  codec_.reset();
  for (auto& stream : streams_) stream.resetByDownstream();
  streams_.clear();
  listener_->stats->cx_active.sub(1);
  worker_.release(snapshot_);
}

const std::string& ConnectionManager::localAddress() const {
  if (!local_address_) {
    local_address_ =
        std::make_unique<const std::string>(network::localAddressOf(connection_.fd()).toString());
  }
  return *local_address_;
}

std::string_view ConnectionManager::remoteIp() const {
  std::string_view all = remote_;
  if (!all.empty() && all.front() == '[') return all.substr(1, all.rfind(']') - 1);  // [v6]:port
  return all.substr(0, all.rfind(':'));
}

bool ConnectionManager::detectProtocol() {
  evbuffer* input = connection_.input();
  if (!transport_known_) {
    if (evbuffer_get_length(input) == 0) return false;
    transport_known_ = true;
    // A TLS record starts with 0x16 (handshake); anything else on a TLS listener is plaintext,
    // which a listener that requires client certificates refuses (mutual TLS only).
    bool hello = *evbuffer_pullup(input, 1) == kTlsHandshakeRecord;
    if (listener_->tls && !hello && listener_->tls->options().require_client_certificate) {
      listener_->stats->cx_plaintext_refused.inc();
      closeSoon();
      return false;
    }
    if (listener_->tls && hello) {
      tls::SessionPtr session = listener_->tls->newSession();
      if (!session) {
        closeSoon();
        return false;
      }
      connection_.startTls(std::move(session));  // the bytes read so far are its first records
      return false;                              // the codec is picked once the handshake is done
    }
  }
  const tls::TlsInfo* tls = connection_.tlsInfo();
  if (tls && tls->alpn == "h2") {
    codec_ = makeHttp2Codec();
    return true;
  }
  size_t seen = std::min(evbuffer_get_length(input), kHttp2Preface.size());
  if (seen == 0) return false;  // e.g. a TLS handshake just finished, no request bytes yet
  const auto* bytes = reinterpret_cast<const char*>(evbuffer_pullup(input, seen));
  if (std::memcmp(bytes, kHttp2Preface.data(), seen) == 0) {
    if (seen < kHttp2Preface.size()) return false;
    codec_ = makeHttp2Codec();
  } else {
    codec_ = std::make_unique<Http1ServerCodec>(connection_, *this, listener_->parse_limits);
  }
  return true;
}

std::unique_ptr<ServerCodec> ConnectionManager::makeHttp2Codec() {
  return std::make_unique<Http2ServerCodec>(connection_, *this, worker_.base(), worker_.deleter(),
                                            listener_->http2_options, *listener_->http2_stats,
                                            listener_->config.limits.buffer_high_watermark);
}

void ConnectionManager::onTlsHandshakeDone() {
  // ALPN h2: the server's SETTINGS may go out before the client's preface arrives.
  if (const tls::TlsInfo* tls = connection_.tlsInfo(); tls && tls->alpn == "h2") {
    codec_ = makeHttp2Codec();
    connection_.flush();
  }
  dispatch();
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
  if (!header_timer_ && codec_ && codec_->idle() && evbuffer_get_length(connection_.input()) == 0) {
    listener_->stats->cx_idle_timeout.inc();
    codec_->drain();  // HTTP/2: GOAWAY first
    closeWhenFlushed();
    return;
  }
  listener_->stats->rq_header_timeout.inc();
  if (codec_) codec_->sendErrorAndClose(408, "request header timeout\n");
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

void ConnectionManager::drain() {
  if (!codec_) {
    closeNow();
    return;
  }
  codec_->drain();
  if (codec_->idle() && streams_.empty()) closeWhenFlushed();  // HTTP/2: the GOAWAY goes first
}

void ConnectionManager::onConfigReplaced() {
  // HTTP/1 requests pick the new config up one by one; HTTP/2 clients keep a connection for long,
  // so GOAWAY sends them to a new connection on the new listener config.
  if (codec_ && codec_->protocol() == Protocol::kHttp2) drain();
}

RequestDecoder& ConnectionManager::newStream(ResponseEncoder& encoder, const StreamStart& start) {
  timer_.cancel();
  ++requests_;
  uint32_t max_requests = listener_->config.limits.max_requests_per_connection;
  if (max_requests && requests_ >= max_requests) {
    listener_->stats->rq_max_per_connection.inc();
    codec_->drain();
  } else if (worker_.draining()) {
    codec_->drain();
  }
  // New streams pick up the newest config; the connection's listener stays for its limits.
  // Without a reload since the accept, listener_ is already the newest (no lookup by name).
  const server::SnapshotPtr& snapshot = worker_.snapshot();
  const server::ListenerSnapshot* current = listener_;
  if (snapshot.get() != &snapshot_) {
    if (auto it = snapshot->listeners.find(listener_->config.name);
        it != snapshot->listeners.end()) {
      current = it->second.get();
    }
  }
  return streams_.pushBack(
      std::make_unique<HttpStream>(*this, encoder, *snapshot, *current, start));
}

void ConnectionManager::retire(HttpStream& stream) {
  worker_.deleter().add(streams_.remove(stream));
}

void ConnectionManager::onParseError(http1::ParseError error) {
  if (auto* counter = listener_->stats->parse_errors[static_cast<size_t>(error)]) counter->inc();
  timer_.cancel();
  connection_.readDisable(true);
}

void ConnectionManager::onStreamComplete(RequestDecoder& decoder) {
  auto& stream = static_cast<HttpStream&>(decoder);
  stream.complete();
  retire(stream);
  if (closed_) return;
  if (codec_->closeAfterFlush() || (worker_.draining() && codec_->idle())) {
    connection_.readDisable(true);
    closeWhenFlushed();
    return;
  }
  connection_.resumeReading();
  // A pipelined request may already be buffered; parse it outside this call chain.
  if (evbuffer_get_length(connection_.input()) > 0) {
    kick();
  } else if (codec_->idle()) {
    armIdleOrHeaderTimer();
  }
}

void ConnectionManager::onStreamReset(RequestDecoder& decoder) {
  auto& stream = static_cast<HttpStream&>(decoder);
  stream.resetByDownstream();
  retire(stream);
}

void ConnectionManager::dispatch() {
  if (closed_ || in_dispatch_) return;
  if (!codec_ && !detectProtocol()) {
    connection_.resumeReading();
    return;
  }
  in_dispatch_ = true;
  codec_->dispatch(connection_.input());
  in_dispatch_ = false;
  if (closed_) return;
  connection_.resumeReading();
  afterCodec();
}

void ConnectionManager::afterCodec() {
  if (codec_->closeAfterFlush()) {
    closeWhenFlushed();
    return;
  }
  if (codec_->idle()) {
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
  if (codec_) {
    codec_->onConnectionDrained();
    if (!closed_) afterCodec();
  }
}

void ConnectionManager::onRemoteClose() {
  // The client closed its side. Parse what it sent before; a complete request still gets its
  // response (a client may half-close after sending); anything else is over.
  if (evbuffer_get_length(connection_.input()) > 0) dispatch();
  if (closed_) return;
  if (codec_ && codec_->awaitingResponse()) {
    codec_->drain();
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
  if (codec_) codec_->resetAllStreams();
  while (!streams_.empty()) onStreamReset(streams_.front());
  worker_.connectionClosed(*this);
}

}  // namespace weft::http
