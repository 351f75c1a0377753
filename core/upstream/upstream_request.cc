// UpstreamRequest: see upstream_request.h.
#include "core/upstream/upstream_request.h"

namespace weft::upstream {

UpstreamRequest::UpstreamRequest(WorkerCluster& cluster, UpstreamRequestCallbacks& callbacks,
                                 const http::HeaderMap& request_headers)
    : cluster_(cluster), callbacks_(&callbacks), request_headers_(request_headers) {}

UpstreamRequest::~UpstreamRequest() {
  if (waiting_for_pool_) cluster_.pool().cancel(*this);
  if (stream_ && !response_complete_) stream_->resetStream();
  leaveActive();  // abandoned before its end (the client went away)
}

void UpstreamRequest::leaveActive() {
  if (!active_) return;
  active_ = false;
  cluster_.info().stats->rq_active.sub(1);
  cluster_.endRequest();
  host_->onRequestEnd();
}

namespace {
// Where an abandoned attempt's events go: nowhere.
class Ignored : public UpstreamRequestCallbacks {
 public:
  void upstream100Continue() override {}
  void upstreamHeaders(http::HeaderMap&&, bool) override {}
  void upstreamData(evbuffer* data, bool) override {
    evbuffer_drain(data, evbuffer_get_length(data));
  }
  void upstreamTrailers(http::HeaderMap&&) override {}
  void upstreamFailed(PoolClient::Failure, bool, bool) override {}
  void upstreamWritable() override {}
};
}  // namespace

void UpstreamRequest::abandon() {
  static Ignored ignored;
  callbacks_ = &ignored;
}

void UpstreamRequest::report(RequestOutcome outcome) { cluster_.reportOutcome(endpoint_, outcome); }

void UpstreamRequest::start(bool end_stream, const LbContext& context) {
  headers_end_ = end_stream;
  pending_end_ = end_stream;
  ClusterStats& stats = *cluster_.info().stats;
  stats.rq_total.inc();
  if (!cluster_.admitRequest()) {
    onPoolFailure(Failure::kOverflow);
    return;
  }
  host_ = cluster_.chooseHost(context);
  if (host_ == nullptr) {
    cluster_.endRequest();
    stats.no_healthy_host.inc();
    onPoolFailure(Failure::kNoHealthyHost);
    return;
  }
  host_->onRequestStart();
  endpoint_ = host_->index();
  stats.rq_active.add(1);
  active_ = true;
  waiting_for_pool_ = true;
  cluster_.pool().newStream(*this, endpoint_);
}

void UpstreamRequest::onPoolReady(http::RequestEncoder& stream, size_t endpoint) {
  waiting_for_pool_ = false;
  stream_ = &stream;
  endpoint_ = endpoint;
  upstream_host_ = cluster_.info().endpoint_names[endpoint];
  bool headers_only = headers_end_;
  stream.encodeHeaders(request_headers_, headers_only);
  if (headers_only || !stream_) return;
  bool has_body = pending_body_ && evbuffer_get_length(pending_body_.get()) > 0;
  if (has_body || (pending_end_ && !pending_trailers_)) {
    if (!pending_body_) pending_body_ = event::newBuffer();
    stream.encodeData(pending_body_.get(), pending_end_ && !pending_trailers_);
  }
  if (pending_trailers_ && stream_) stream.encodeTrailers(*pending_trailers_);
  if (read_disabled_ && stream_) stream.readDisable(true);
  if (watch_drain_ && stream_) stream.watchDrain();
}

void UpstreamRequest::watchDrain() {
  watch_drain_ = true;
  if (stream_) stream_->watchDrain();
}

void UpstreamRequest::onPoolFailure(Failure failure) {
  waiting_for_pool_ = false;
  if (failure == Failure::kConnectFailure || failure == Failure::kConnectTimeout) {
    report(RequestOutcome::connectFailure());
  }
  leaveActive();
  response_complete_ = true;
  callbacks_->upstreamFailed(failure, /*reset=*/false, /*response_started=*/false);
}

void UpstreamRequest::onStreamReset(bool refused) {
  stream_ = nullptr;
  refused_ = refused;
  if (response_complete_) return;
  response_complete_ = true;
  cluster_.info().stats->rq_reset.inc();
  if (!response_started_) report(RequestOutcome::connectFailure());
  leaveActive();
  callbacks_->upstreamFailed(Failure::kConnectFailure, /*reset=*/true, response_started_);
}

void UpstreamRequest::onRequestDrained() {
  watch_drain_ = false;
  callbacks_->upstreamWritable();
}

void UpstreamRequest::sendData(evbuffer* data, bool end_stream) {
  if (stream_ && !response_complete_) {
    stream_->encodeData(data, end_stream);
    return;
  }
  if (!pending_body_) pending_body_ = event::newBuffer();
  evbuffer_add_buffer(pending_body_.get(), data);
  pending_end_ = pending_end_ || end_stream;
}

void UpstreamRequest::sendTrailers(const http::HeaderMap& trailers) {
  if (stream_ && !response_complete_) {
    stream_->encodeTrailers(trailers);
    return;
  }
  pending_trailers_ = &trailers;
}

size_t UpstreamRequest::bufferedBytes() const {
  size_t n = pending_body_ ? evbuffer_get_length(pending_body_.get()) : 0;
  if (stream_) n += stream_->bufferedBytes();
  return n;
}

void UpstreamRequest::readDisable(bool disable) {
  read_disabled_ = disable;
  if (stream_ && !response_complete_) stream_->readDisable(disable);
}

void UpstreamRequest::finish() {
  response_complete_ = true;
  leaveActive();
  if (stream_ && read_disabled_) stream_->readDisable(false);
  stream_ = nullptr;
}

void UpstreamRequest::decode100Continue() { callbacks_->upstream100Continue(); }

void UpstreamRequest::decodeHeaders(http::HeaderMap&& headers, bool end_stream) {
  response_started_ = true;
  if (const uint32_t code = headers.statusCode(); code != 0) {
    cluster_.info().stats->byClass(static_cast<int>(code)).inc();
    report(RequestOutcome::httpStatus(static_cast<int>(code)));
  }
  if (end_stream) finish();
  callbacks_->upstreamHeaders(std::move(headers), end_stream);
}

void UpstreamRequest::decodeData(evbuffer* data, bool end_stream) {
  if (end_stream) finish();
  callbacks_->upstreamData(data, end_stream);
}

void UpstreamRequest::decodeTrailers(http::HeaderMap&& trailers) {
  finish();
  callbacks_->upstreamTrailers(std::move(trailers));
}

}  // namespace weft::upstream
