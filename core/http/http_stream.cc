// HttpStream: see http_stream.h.
#include "core/http/http_stream.h"

#include <array>
#include <string_view>

#include "core/common/logging.h"
#include "core/event/buffer_copy.h"
#include "core/http/connection_manager.h"
#include "core/http/grpc.h"
#include "core/http/request_hash.h"
#include "core/tls/peer_identity.h"
#include "core/upstream/retrying_request.h"
#include "core/upstream/upstream_request.h"
#include "filters/router/route_table.h"
#include "filters/router/router_filter.h"

namespace weft::http {

namespace {

FilterManager::Limits filterLimits(const config::ListenerLimits& limits) {
  return FilterManager::Limits{limits.max_buffered_body_bytes, limits.buffer_high_watermark};
}

// A random (version 4) UUID, formatted by hand into a fixed buffer (no allocation): this runs
// for every request without one.
using RequestId = std::array<char, 36>;
RequestId makeRequestId(std::mt19937_64& random) {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t hi = (random() & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  uint64_t lo = (random() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  RequestId id;
  id.fill('-');
  size_t pos = 0;
  auto put = [&](uint64_t bits, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) id[pos++] = kHex[(bits >> (i * 4)) & 0xf];
  };
  put(hi >> 32, 8);
  ++pos;
  put(hi >> 16, 4);
  ++pos;
  put(hi, 4);
  ++pos;
  put(lo >> 48, 4);
  ++pos;
  put(lo, 12);
  return id;
}

}  // namespace

HttpStream::HttpStream(ConnectionManager& connection, ResponseEncoder& encoder,
                       const server::ConfigSnapshot& snapshot,
                       const server::ListenerSnapshot& listener, const StreamStart& start)
    : connection_(connection),
      encoder_(encoder),
      snapshot_(snapshot),
      snapshot_use_(connection.worker(), snapshot),
      listener_(listener),
      protocol_(start.protocol),
      expect_continue_(start.expect_continue),
      start_wall_(std::chrono::system_clock::now()),
      start_(std::chrono::steady_clock::now()),
      filters_(*this, handle(), connection.worker().base(), listener.chain,
               connection.worker().index(), connection.worker().hostWorker(),
               filterLimits(listener.config.limits)) {
  listener_.stats->rq_total.inc();
  listener_.stats->rq_active.add(1);
  if (uint32_t ms = listener_.config.limits.request_timeout_ms) {
    request_timer_ = std::make_unique<event::Timer>(
        connection.worker().base(), &event::callMember<&HttpStream::onRequestTimeout, HttpStream>,
        this);
    request_timer_->arm(ms);
  }
}

void HttpStream::armGrpcDeadline() {
  const std::string* timeout = request_headers_.get("grpc-timeout");
  std::optional<uint64_t> ms = timeout ? grpc::parseTimeout(*timeout) : std::nullopt;
  uint32_t listener_ms = listener_.config.limits.request_timeout_ms;
  if (!ms || (listener_ms && listener_ms <= *ms)) return;  // the listener's timeout comes first
  grpc_deadline_ = true;
  if (!request_timer_) {
    request_timer_ = std::make_unique<event::Timer>(
        connection_.worker().base(), &event::callMember<&HttpStream::onRequestTimeout, HttpStream>,
        this);
  }
  request_timer_->arm(*ms);
}

void HttpStream::onRequestTimeout() {
  listener_.stats->rq_timeout.inc();
  if (response_started_) {
    // Part of the response is out: the only honest signal left is closing the connection.
    addFlag("UT");
    filters_.abort();
    encoder_.resetStream();
    return;
  }
  if (grpc_deadline_) {
    addFlag("UT");
    sendLocalReply(504, "deadline exceeded", nullptr, 0, kGrpcDeadline);
  } else if (request_started_upstream_) {
    addFlag("UT");
    sendLocalReply(504, "upstream request timeout\n", nullptr, 0, "request_timeout");
  } else {
    sendLocalReply(408, "request timeout\n", nullptr, 0, "request_timeout");
  }
}

HttpStream::SnapshotUse::SnapshotUse(WorkerContext& worker, const server::ConfigSnapshot& snapshot)
    : worker(worker), snapshot(snapshot) {
  worker.acquire(snapshot);
}

HttpStream::SnapshotUse::~SnapshotUse() { worker.release(snapshot); }

HttpStream::~HttpStream() { listener_.stats->rq_active.sub(1); }

int64_t HttpStream::elapsedMicros() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start_)
      .count();
}

void HttpStream::addFlag(std::string_view flag) {
  if (!flags_.empty()) flags_.push_back(',');
  flags_.append(flag);
  listener_.stats->responseFlag(flag).inc();
}

void HttpStream::addForwardingHeaders() {
  const std::string* xff = request_headers_.get("x-forwarded-for");
  if (xff) {
    request_headers_.set("x-forwarded-for", *xff + ", " + std::string(connection_.remoteIp()));
  } else {
    request_headers_.add("x-forwarded-for", connection_.remoteIp());
  }
  bool secure = connection_.tlsInfo() != nullptr;
  request_headers_.set("x-forwarded-proto", secure ? "https" : "http");
  // The request id lives in the header alone: filters and the access log read it from there.
  const std::string* id = request_headers_.get("x-request-id");
  if (!id || id->empty()) {
    RequestId fresh = makeRequestId(connection_.worker().random());
    request_headers_.set("x-request-id", std::string_view(fresh.data(), fresh.size()));
  }
  // HTTP/2 clients send :scheme; for HTTP/1 the transport decides it (RFC 9112 §3.3).
  if (protocol_ != Protocol::kHttp2 || !request_headers_.has(":scheme")) {
    request_headers_.set(":scheme", secure ? "https" : "http");
  }
}

// ---- request path ---------------------------------------------------------------------------

void HttpStream::decodeHeaders(HeaderMap&& headers, bool end_stream) {
  request_headers_ = std::move(headers);
  grpc_ = grpc::isGrpcRequest(request_headers_);
  if (grpc_) armGrpcDeadline();
  addForwardingHeaders();
  if (expect_continue_) request_headers_.remove("expect");
  filters_.requestHeaders(end_stream);
}

void HttpStream::decodeData(evbuffer* data, bool end_stream) {
  size_t n = evbuffer_get_length(data);
  bytes_received_ += n;
  listener_.stats->bytes_received.inc(n);
  if (local_reply_) {
    evbuffer_drain(data, n);
    return;
  }
  filters_.requestData(data, end_stream);
}

void HttpStream::decodeTrailers(HeaderMap&& trailers) {
  request_trailers_ = std::move(trailers);
  if (!local_reply_) filters_.requestTrailers();
}

void HttpStream::requestHeadersDone(bool end_stream) {
  if (cluster_.empty()) {
    addFlag("NR");
    sendLocalReply(404, "no route\n", nullptr, 0, "route_not_found");
    return;
  }
  upstream::WorkerCluster* cluster = connection_.worker().cluster(snapshot_, cluster_);
  if (!cluster) {
    listener_.stats->rq_no_cluster.inc();
    addFlag("NC");
    sendLocalReply(503, "no such cluster\n", nullptr, 0, "cluster_not_found");
    return;
  }
  // The proxy answers 100-continue itself once the request is on its way; the upstream never
  // sees the Expect field (it was removed with the hop-by-hop fields' treatment above).
  if (expect_continue_ && !end_stream) encoder_.encode100Continue();
  request_started_upstream_ = true;
  upstream_start_ = std::chrono::steady_clock::now();
  if (retry_policy_) {
    upstream_ = std::make_unique<upstream::RetryingRequest>(
        *cluster, *this, request_headers_, std::move(*retry_policy_), connection_.worker().random(),
        connection_.worker().base(), connection_.worker().deleter(),
        listener_.config.limits.max_buffered_body_bytes);
  } else {
    upstream_ = std::make_unique<upstream::UpstreamRequest>(*cluster, *this, request_headers_);
  }
  if (upstream_timeout_ms_ > 0) {
    if (!upstream_timer_) {
      upstream_timer_ = std::make_unique<event::Timer>(
          connection_.worker().base(),
          &event::callMember<&HttpStream::onUpstreamTimeout, HttpStream>, this);
    }
    upstream_timer_->arm(upstream_timeout_ms_);
  }
  upstream_->start(end_stream, balancingContext(*cluster));
  if (end_stream && !mirrors_.empty()) sendMirrors();
}

void HttpStream::sendMirrors() {
  for (const std::string& name : mirrors_) {
    upstream::WorkerCluster* mirror = connection_.worker().cluster(snapshot_, name);
    if (mirror == nullptr) continue;
    event::EvbufferPtr body;
    if (mirror_body_) {
      body = event::newBuffer();
      event::appendCopy(body.get(), mirror_body_.get());
    }
    HeaderMap trailers = request_trailers_;
    connection_.worker().shadows().send(*mirror, request_headers_, std::move(body),
                                        std::move(trailers));
  }
  mirrors_.clear();
  mirror_body_.reset();
}

upstream::LbContext HttpStream::balancingContext(const upstream::WorkerCluster& cluster) {
  const auto& policies = cluster.info().config.hash_policy;
  if (policies.empty()) return {};
  upstream::HashDecision decision = hashRequest(policies, request_headers_, connection_.remoteIp(),
                                                connection_.worker().random());
  if (decision.set_cookie) affinity_cookie_ = upstream::formatSetCookie(*decision.set_cookie);
  return upstream::LbContext{decision.key};
}

void HttpStream::requestDataDone(evbuffer* data, bool end_stream) {
  if (!upstream_) {
    evbuffer_drain(data, evbuffer_get_length(data));
    return;
  }
  if (!mirrors_.empty()) {
    if (!mirror_body_) mirror_body_ = event::newBuffer();
    const size_t n = evbuffer_get_length(data);
    if (evbuffer_get_length(mirror_body_.get()) + n >
        listener_.config.limits.max_buffered_body_bytes) {
      mirrors_.clear();  // too big to copy: the mirrors are skipped
      mirror_body_.reset();
    } else {
      event::appendCopy(mirror_body_.get(), data);
    }
  }
  upstream_->sendData(data, end_stream);
  if (end_stream && !mirrors_.empty()) sendMirrors();  // after the primary: it goes first
  if (upstream_ && upstream_->bufferedBytes() > listener_.config.limits.buffer_high_watermark) {
    waiting_upstream_drain_ = true;
    encoder_.readDisable(true);
    upstream_->watchDrain();
  }
}

void HttpStream::requestTrailersDone() {
  if (!upstream_) return;
  upstream_->sendTrailers(request_trailers_);
  if (!mirrors_.empty()) sendMirrors();
}

void HttpStream::upstreamWritable() {
  if (!waiting_upstream_drain_ || !upstream_) return;
  if (upstream_->bufferedBytes() <= listener_.config.limits.buffer_high_watermark / 2) {
    waiting_upstream_drain_ = false;
    encoder_.readDisable(false);
  } else {
    upstream_->watchDrain();
  }
}

// ---- response path --------------------------------------------------------------------------

void HttpStream::upstreamHeaders(HeaderMap&& headers, bool end_stream) {
  if (upstream_timer_) upstream_timer_->cancel();
  upstream_service_time_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - upstream_start_)
                                  .count();
  response_headers_ = std::move(headers);
  response_headers_exist_ = true;
  if (!affinity_cookie_.empty()) response_headers_.add("set-cookie", affinity_cookie_);
  filters_.responseHeaders(end_stream);
}

void HttpStream::upstreamData(evbuffer* data, bool end_stream) {
  filters_.responseData(data, end_stream);
}

void HttpStream::upstreamTrailers(HeaderMap&& trailers) {
  response_trailers_ = std::move(trailers);
  filters_.responseTrailers();
}

void HttpStream::upstreamFailed(upstream::PoolClient::Failure failure, bool reset,
                                bool response_started) {
  listener_.stats->rq_upstream_failure.inc();
  if (response_started || response_started_) {
    // Headers already went out: all we can do is cut the connection.
    addFlag("UC");
    filters_.abort();
    encoder_.resetStream();
    return;
  }
  switch (failure) {
    case upstream::PoolClient::Failure::kOverflow:
      addFlag("UO");
      sendLocalReply(503, "upstream overflow\n", nullptr, 0, "upstream_overflow");
      return;
    case upstream::PoolClient::Failure::kNoHealthyHost:
      addFlag("UH");
      sendLocalReply(503, "no healthy upstream\n", nullptr, 0, "no_healthy_upstream");
      return;
    case upstream::PoolClient::Failure::kConnectTimeout:
    case upstream::PoolClient::Failure::kConnectFailure:
      addFlag(reset ? "UC" : "UF");
      sendLocalReply(503, reset ? "upstream connection reset\n" : "upstream connect error\n",
                     nullptr, 0, reset ? "upstream_reset" : "upstream_connect_failure");
      return;
  }
}

void HttpStream::sendResponseHeaders(bool end_stream) {
  response_started_ = true;
  if (const uint32_t code = response_headers_.statusCode(); code != 0) response_code_ = code;
  encoder_.encodeHeaders(response_headers_, end_stream);
  if (response_code_ == 101) connection_.kick();  // early tunnel bytes may already be buffered
}

void HttpStream::responseHeadersDone(bool end_stream) { sendResponseHeaders(end_stream); }

void HttpStream::responseDataDone(evbuffer* data, bool end_stream) {
  size_t n = evbuffer_get_length(data);
  bytes_sent_ += n;
  listener_.stats->bytes_sent.inc(n);
  encoder_.encodeData(data, end_stream);
  if (!end_stream && upstream_ &&
      encoder_.bufferedBytes() > listener_.config.limits.buffer_high_watermark) {
    upstream_->readDisable(true);
    encoder_.watchDrain();
  }
}

void HttpStream::onResponseDrained() {
  if (upstream_) upstream_->readDisable(false);
}

void HttpStream::responseTrailersDone() { encoder_.encodeTrailers(response_trailers_); }

void HttpStream::filterFailed(const std::string& filter, std::string_view why) {
  const int replied = sendLocalReply(500, "filter error\n", nullptr, 0,
                                     "filter_failed{" + filter + "}: " + std::string(why));
  if (replied != WEFT_OK && !local_reply_) reset();  // the response has begun: only a reset tells
}

void HttpStream::heldBodyAboveWatermark(bool request, bool above) {
  if (request) {
    encoder_.readDisable(above);
  } else if (upstream_) {
    upstream_->readDisable(above);
  }
}

void HttpStream::bufferLimitExceeded(bool request) {
  listener_.stats->rq_buffer_overflow.inc();
  if (request) {
    sendLocalReply(413, "request body too large\n", nullptr, 0, "request_payload_too_large");
  } else {
    sendLocalReply(500, "response body too large\n", nullptr, 0, "response_payload_too_large");
  }
}

// ---- completion -----------------------------------------------------------------------------

void HttpStream::complete() {
  if (completed_) return;
  completed_ = true;
  if (request_timer_) request_timer_->cancel();
  if (upstream_timer_) upstream_timer_->cancel();
  while (!calls_.empty()) retireCall(calls_.front());
  listener_.stats->byClass(response_code_).inc();
  filters_.complete();
  if (snapshot_.access_log) writeAccessLog();
  releaseUpstream();
}

void HttpStream::onUpstreamTimeout() {
  if (response_started_ || local_reply_) return;
  addFlag("UT");
  sendLocalReply(504, "upstream request timeout\n", nullptr, 0, "upstream_response_timeout");
}

void HttpStream::releaseUpstream() {
  // Never destroyed in place: this may run inside one of the upstream request's own callbacks.
  if (upstream_) {
    upstream_host_ = upstream_->upstreamHost();
    connection_.worker().deleter().add(std::move(upstream_));
  }
}

void HttpStream::resetByDownstream() {
  if (completed_) return;
  if (flags_.empty()) addFlag("DC");
  filters_.abort();
  complete();
}

void HttpStream::writeAccessLog() {
  access_log::AccessLogRecord record;
  record.request_headers = &request_headers_;
  record.response_headers = response_headers_exist_ || local_reply_ ? &response_headers_ : nullptr;
  record.protocol = protocolName(protocol_);
  record.response_code = response_code_;
  record.response_flags = flags_;
  record.bytes_received = bytes_received_;
  record.bytes_sent = bytes_sent_;
  record.start_time = start_wall_;
  record.duration_us = elapsedMicros();
  record.upstream_service_time_us = upstream_service_time_us_;
  record.upstream_host = upstream_ ? upstream_->upstreamHost() : upstream_host_;
  record.upstream_cluster = cluster_;
  record.route_name = route_;
  record.downstream_remote_address = connection_.remoteAddress();
  if (local_address_.empty()) local_address_ = connection_.localAddress();
  record.downstream_local_address = local_address_;
  record.metadata = &metadata_;
  std::string line;
  snapshot_.access_log->format.render(record, line);  // ends the line itself
  snapshot_.access_log->writer->write(std::move(line));
}

// ---- HostStream -----------------------------------------------------------------------------

HeaderMap* HttpStream::headerMap(weft_map map) {
  switch (map) {
    case WEFT_MAP_REQUEST_HEADERS:
      return &request_headers_;
    case WEFT_MAP_REQUEST_TRAILERS:
      return &request_trailers_;
    case WEFT_MAP_RESPONSE_HEADERS:
      return response_headers_exist_ ? &response_headers_ : nullptr;
    case WEFT_MAP_RESPONSE_TRAILERS:
      return response_headers_exist_ ? &response_trailers_ : nullptr;
  }
  return nullptr;
}

evbuffer* HttpStream::body(weft_body which) {
  return filters_.currentBody(which == WEFT_BODY_REQUEST);
}

int HttpStream::sendLocalReply(uint32_t status, std::string_view body, const weft_header* headers,
                               size_t header_count, std::string_view details) {
  if (status < 200 || status > 599) return WEFT_ERR_INVALID_ARGUMENT;
  if (response_started_ || local_reply_) return WEFT_ERR_WRONG_PHASE;
  local_reply_ = true;
  filters_.abort();
  releaseUpstream();
  if (flags_.empty() && !details.empty() && details != "route_not_found") addFlag("LR");
  metadata_.emplace_back("local_reply_details", std::string(details));
  response_headers_.clear();
  response_headers_.add(":status", std::to_string(status));
  for (size_t i = 0; i < header_count; ++i) {
    response_headers_.add(std::string_view(headers[i].name.ptr, headers[i].name.len),
                          std::string_view(headers[i].value.ptr, headers[i].value.len));
  }
  if (grpc_) {
    // A gRPC client needs a trailers-only response: the reason goes in grpc-message.
    std::string_view message = body.substr(0, body.find_last_not_of('\n') + 1);
    uint32_t code =
        details == kGrpcDeadline ? grpc::kDeadlineExceeded : grpc::statusForHttp(status);
    if (!response_headers_.has("grpc-status")) {
      grpc::makeTrailersOnlyReply(response_headers_, code, message);
    } else {
      response_headers_.set(":status", "200");
      if (!response_headers_.has("content-type"))
        response_headers_.add("content-type", "application/grpc");
    }
    body = {};
  } else {
    response_headers_.set("content-length", std::to_string(body.size()));
    if (!response_headers_.has("content-type")) response_headers_.add("content-type", "text/plain");
  }
  response_headers_exist_ = true;
  sendResponseHeaders(body.empty());
  if (!body.empty()) {
    auto buffer = event::newBuffer();
    evbuffer_add(buffer.get(), body.data(), body.size());
    bytes_sent_ += body.size();
    encoder_.encodeData(buffer.get(), true);
  }
  return WEFT_OK;
}

int HttpStream::reset() {
  if (completed_) return WEFT_ERR_WRONG_PHASE;
  addFlag("LR");
  filters_.abort();
  releaseUpstream();
  encoder_.resetStream();
  return WEFT_OK;
}

int HttpStream::setUpstreamCluster(std::string_view cluster) {
  if (request_started_upstream_) return WEFT_ERR_WRONG_PHASE;
  cluster_.assign(cluster);
  return WEFT_OK;
}

int HttpStream::setRouteName(std::string_view route) {
  route_.assign(route);
  return WEFT_OK;
}

bool HttpStream::clusterExists(std::string_view cluster) {
  return snapshot_.clusters.find(cluster) != snapshot_.clusters.end();
}

bool HttpStream::infoString(weft_info_str key, std::string_view& out) {
  switch (key) {
    case WEFT_INFO_DOWNSTREAM_REMOTE_ADDRESS:
      out = connection_.remoteAddress();
      return true;
    case WEFT_INFO_DOWNSTREAM_LOCAL_ADDRESS:
      if (local_address_.empty()) local_address_ = connection_.localAddress();
      out = local_address_;
      return true;
    case WEFT_INFO_PROTOCOL:
      out = protocolName(protocol_);
      return true;
    case WEFT_INFO_ROUTE_NAME:
      out = route_;
      return !route_.empty();
    case WEFT_INFO_CLUSTER_NAME:
      out = cluster_;
      return !cluster_.empty();
    case WEFT_INFO_UPSTREAM_HOST:
      if (!upstream_ || upstream_->upstreamHost().empty()) return false;
      out = upstream_->upstreamHost();
      return true;
    case WEFT_INFO_REQUEST_ID:
      if (const std::string* id = request_headers_.get("x-request-id")) {
        out = *id;
        return true;
      }
      return false;
    case WEFT_INFO_PEER_IDENTITY:
    case WEFT_INFO_PEER_SUBJECT:
    case WEFT_INFO_REQUESTED_SERVER_NAME: {
      const tls::TlsInfo* tls = connection_.tlsInfo();
      if (!tls) return false;  // plaintext: no TLS peer
      out = key == WEFT_INFO_PEER_IDENTITY  ? std::string_view(tls->peer.spiffe_id)
            : key == WEFT_INFO_PEER_SUBJECT ? std::string_view(tls->peer.subject)
                                            : std::string_view(tls->sni);
      return !out.empty();
    }
    case WEFT_INFO_LISTENER_NAME:
      out = listener_.config.name;
      return true;
    case WEFT_INFO_RESPONSE_FLAGS:
      out = flags_.empty() ? "-" : std::string_view(flags_);
      return true;
  }
  return false;
}

bool HttpStream::infoNumber(weft_info_u64 key, uint64_t& out) {
  switch (key) {
    case WEFT_INFO_RESPONSE_CODE:
      out = response_code_;
      return response_code_ != 0;
    case WEFT_INFO_BYTES_RECEIVED:
      out = bytes_received_;
      return true;
    case WEFT_INFO_BYTES_SENT:
      out = bytes_sent_;
      return true;
    case WEFT_INFO_START_TIME_UNIX_US:
      out = static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(start_wall_.time_since_epoch())
              .count());
      return true;
    case WEFT_INFO_DURATION_US:
      out = static_cast<uint64_t>(elapsedMicros());
      return true;
    case WEFT_INFO_UPSTREAM_SERVICE_TIME_US:
      if (upstream_service_time_us_ < 0) return false;
      out = static_cast<uint64_t>(upstream_service_time_us_);
      return true;
    case WEFT_INFO_WORKER_INDEX:
      out = connection_.worker().index();
      return true;
  }
  return false;
}

int HttpStream::metadataSet(std::string_view key, std::string_view value) {
  for (auto& [k, v] : metadata_) {
    if (k == key) {
      v.assign(value);
      return WEFT_OK;
    }
  }
  metadata_.emplace_back(std::string(key), std::string(value));
  return WEFT_OK;
}

bool HttpStream::metadataGet(std::string_view key, std::string_view& value) {
  for (const auto& [k, v] : metadata_) {
    if (k == key) {
      value = v;
      return true;
    }
  }
  return false;
}

weft_worker_host* HttpStream::worker() { return connection_.worker().hostWorker(); }

// ---- HostStream 1.2: response flags, HTTP calls, the upstream timeout
// -----------------------------

int HttpStream::addResponseFlag(std::string_view flag) {
  if (completed_) return WEFT_ERR_WRONG_PHASE;
  addFlag(flag);
  return WEFT_OK;
}

int HttpStream::setUpstreamTimeout(uint64_t timeout_ms) {
  if (request_started_upstream_) return WEFT_ERR_WRONG_PHASE;
  upstream_timeout_ms_ = timeout_ms;
  return WEFT_OK;
}

int HttpStream::setRetryPolicy(const RetryPolicy& policy) {
  if (request_started_upstream_) return WEFT_ERR_WRONG_PHASE;
  retry_policy_ = policy;
  return WEFT_OK;
}

int HttpStream::addRequestMirror(std::string_view cluster) {
  if (request_started_upstream_) return WEFT_ERR_WRONG_PHASE;
  if (!clusterExists(cluster)) return WEFT_ERR_NOT_FOUND;
  mirrors_.emplace_back(cluster);
  return WEFT_OK;
}

const router::Route* HttpStream::metadataRoute() {
  if (!route_looked_up_) {
    route_looked_up_ = true;
    for (const plugins::FilterInstancePtr& entry : listener_.chain) {
      metadata_route_ =
          router::routeFor(entry->module(), entry->moduleConfig(), plugins::hostApi(), handle());
      if (metadata_route_ != nullptr) break;
    }
  }
  return metadata_route_;
}

bool HttpStream::routeMetadataGet(std::string_view filter, std::string_view key,
                                  std::string_view& value) {
  const router::Route* route = metadataRoute();
  const std::optional<std::string_view> found =
      route != nullptr ? route->metadata.get(filter, key) : std::nullopt;
  if (found) value = *found;
  return found.has_value();
}

bool HttpStream::routeMetadataJson(std::string_view filter, std::string_view& json) {
  const router::Route* route = metadataRoute();
  const std::optional<std::string_view> found =
      route != nullptr ? route->metadata.block(filter) : std::nullopt;
  if (found) json = *found;
  return found.has_value();
}

int64_t HttpStream::httpCall(std::string_view cluster, const weft_header* headers,
                             size_t header_count, std::string_view body, uint64_t timeout_ms,
                             uint64_t max_response_bytes) {
  if (completed_) return WEFT_ERR_WRONG_PHASE;
  upstream::WorkerCluster* target = connection_.worker().cluster(snapshot_, cluster);
  if (!target) return WEFT_ERR_NOT_FOUND;
  HeaderMap request;
  for (size_t i = 0; i < header_count; ++i) {
    request.add(std::string_view(headers[i].name.ptr, headers[i].name.len),
                std::string_view(headers[i].value.ptr, headers[i].value.len));
  }
  if (!request.has(":method") || !request.has(":path")) return WEFT_ERR_INVALID_ARGUMENT;
  if (!request.has(":authority")) request.add(":authority", cluster);
  if (!request.has(":scheme")) request.add(":scheme", "http");
  request.remove("content-length");
  if (!body.empty()) request.add("content-length", std::to_string(body.size()));
  int64_t token = filters_.calloutToken();
  if (token < 0) return token;
  constexpr uint64_t kDefaultMaxResponse = 1 << 20;
  calls_
      .pushBack(std::make_unique<AsyncHttpCall>(
          token, *target, connection_.worker().base(), std::move(request), std::string(body),
          timeout_ms, max_response_bytes ? max_response_bytes : kDefaultMaxResponse, *this))
      .start();
  return token;
}

int HttpStream::httpCallCancel(int64_t token) {
  for (AsyncHttpCall& call : calls_) {
    if (call.token() != token) continue;
    filters_.calloutForget(token);
    retireCall(call);
    return WEFT_OK;
  }
  return WEFT_ERR_NOT_FOUND;
}

void HttpStream::retireCall(AsyncHttpCall& call) {
  connection_.worker().deleter().add(calls_.remove(call));
}

void HttpStream::onHttpCallDone(AsyncHttpCall& call, const HttpCallResult& result) {
  std::vector<weft_header> fields;
  if (result.headers) {
    fields.reserve(result.headers->size());
    for (const auto& entry : *result.headers) {
      fields.push_back(
          {{entry.name.data(), entry.name.size()}, {entry.value.data(), entry.value.size()}});
    }
  }
  weft_http_call_result out{result.status,
                            {result.failure.data(), result.failure.size()},
                            fields.data(),
                            fields.size(),
                            {result.body.data(), result.body.size()}};
  int64_t token = call.token();
  // A call cancelled earlier in this event is no longer listed (and its result is not wanted).
  for (AsyncHttpCall& listed : calls_) {
    if (&listed != &call) continue;
    // Freed once this event is over: `result` (owned by the call) stays valid for the hook.
    retireCall(call);
    break;
  }
  filters_.calloutDone(token, out);
}

}  // namespace weft::http
