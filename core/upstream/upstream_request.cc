// UpstreamRequest: see upstream_request.h.
#include "core/upstream/upstream_request.h"

namespace weft::upstream {

UpstreamRequest::UpstreamRequest(ConnPool& pool, UpstreamRequestCallbacks& callbacks,
                                 const http::HeaderMap& request_headers, size_t high_watermark)
    : pool_(pool),
      callbacks_(callbacks),
      request_headers_(request_headers),
      high_watermark_(high_watermark) {}

UpstreamRequest::~UpstreamRequest() {
  if (waiting_for_pool_) pool_.cancel(*this);
  if (connection_ && !response_complete_) connection_->abandon();
}

void UpstreamRequest::start(bool end_stream) {
  headers_end_ = end_stream;
  pending_end_ = end_stream;
  waiting_for_pool_ = true;
  pool_.cluster().stats->rq_total.inc();
  pool_.cluster().stats->rq_active.add(1);
  pool_.newStream(*this);
}

void UpstreamRequest::onPoolReady(UpstreamConnection& connection) {
  waiting_for_pool_ = false;
  connection_ = &connection;
  upstream_host_ = connection.addressName();
  connection.codec().startRequest(*this);
  bool headers_only = headers_end_;
  connection.codec().encodeHeaders(request_headers_, headers_only);
  if (headers_only) return;
  bool has_body = pending_body_ && evbuffer_get_length(pending_body_.get()) > 0;
  if (has_body || (pending_end_ && !pending_trailers_)) {
    if (!pending_body_) pending_body_ = event::newBuffer();
    connection.codec().encodeData(pending_body_.get(), pending_end_ && !pending_trailers_);
  }
  if (pending_trailers_) connection.codec().encodeTrailers(*pending_trailers_);
  if (read_disabled_) connection.readDisable(true);
  if (watch_drain_) connection.codec().watchDrain();
}

void UpstreamRequest::watchDrain() {
  watch_drain_ = true;
  if (connection_) connection_->codec().watchDrain();
}

void UpstreamRequest::onPoolFailure(Failure failure) {
  waiting_for_pool_ = false;
  pool_.cluster().stats->rq_active.sub(1);
  response_complete_ = true;
  callbacks_.upstreamFailed(failure, /*reset=*/false, /*response_started=*/false);
}

void UpstreamRequest::onUpstreamReset() {
  connection_ = nullptr;
  if (response_complete_) return;
  response_complete_ = true;
  pool_.cluster().stats->rq_reset.inc();
  pool_.cluster().stats->rq_active.sub(1);
  callbacks_.upstreamFailed(Failure::kConnectFailure, /*reset=*/true, response_started_);
}

void UpstreamRequest::onUpstreamWriteDrained() {
  watch_drain_ = false;
  callbacks_.upstreamWritable();
}

void UpstreamRequest::sendData(evbuffer* data, bool end_stream) {
  if (connection_ && !response_complete_) {
    connection_->codec().encodeData(data, end_stream);
    return;
  }
  if (!pending_body_) pending_body_ = event::newBuffer();
  evbuffer_add_buffer(pending_body_.get(), data);
  pending_end_ = pending_end_ || end_stream;
}

void UpstreamRequest::sendTrailers(const http::HeaderMap& trailers) {
  if (connection_ && !response_complete_) {
    connection_->codec().encodeTrailers(trailers);
    return;
  }
  pending_trailers_ = &trailers;
}

size_t UpstreamRequest::bufferedBytes() const {
  size_t n = pending_body_ ? evbuffer_get_length(pending_body_.get()) : 0;
  if (connection_) n += connection_->codec().bufferedBytes();
  return n;
}

void UpstreamRequest::readDisable(bool disable) {
  read_disabled_ = disable;
  if (connection_ && !response_complete_) connection_->readDisable(disable);
}

void UpstreamRequest::decode100Continue() { callbacks_.upstream100Continue(); }

void UpstreamRequest::decodeHeaders(http::HeaderMap&& headers, bool end_stream) {
  response_started_ = true;
  if (const std::string* status = headers.get(":status")) {
    pool_.cluster().stats->byClass(std::atoi(status->c_str())).inc();
  }
  if (end_stream) {
    response_complete_ = true;
    pool_.cluster().stats->rq_active.sub(1);
    if (connection_) connection_->readDisable(false);
    connection_ = nullptr;
  }
  callbacks_.upstreamHeaders(std::move(headers), end_stream);
}

void UpstreamRequest::decodeData(evbuffer* data, bool end_stream) {
  if (end_stream) {
    response_complete_ = true;
    pool_.cluster().stats->rq_active.sub(1);
    if (connection_) connection_->readDisable(false);
    connection_ = nullptr;
  }
  callbacks_.upstreamData(data, end_stream);
}

void UpstreamRequest::decodeTrailers(http::HeaderMap&& trailers) {
  response_complete_ = true;
  pool_.cluster().stats->rq_active.sub(1);
  if (connection_) connection_->readDisable(false);
  connection_ = nullptr;
  callbacks_.upstreamTrailers(std::move(trailers));
}

}  // namespace weft::upstream
