// Http1ServerCodec: see http1_server_codec.h.
#include "core/http/http1_server_codec.h"

#include <cstdio>
#include <utility>

#include "core/event/event_loop.h"
#include "core/http/http1_encoding.h"

namespace weft::http {

namespace enc = http1_encoding;

Http1ServerCodec::Http1ServerCodec(network::Connection& connection, Http1ServerCallbacks& callbacks,
                                   const http1::Limits& limits)
    : connection_(connection), callbacks_(callbacks), limits_(limits) {}

void Http1ServerCodec::dispatch(evbuffer* input) {
  for (;;) {
    bool progressed = false;
    switch (state_) {
      case State::kHead:
        if (stream_active_) return;  // pipelined: wait for the previous response
        progressed = dispatchHead(input);
        break;
      case State::kBody:
        progressed = request_upgrade_                ? false
                     : body_remaining_ != UINT64_MAX ? dispatchContentLength(input)
                                                     : dispatchChunked(input);
        break;
      case State::kTunnel:
        if (evbuffer_get_length(input) > 0) decoder_->decodeData(input, false);
        return;
      case State::kRequestDone:
      case State::kClosed:
        return;
    }
    if (!progressed) return;
  }
}

bool Http1ServerCodec::dispatchHead(evbuffer* input) {
  size_t available = evbuffer_get_length(input);
  if (available == 0) return false;
  size_t window = std::min(available, limits_.max_header_bytes + 1);
  std::string_view view(reinterpret_cast<const char*>(evbuffer_pullup(input, window)), window);
  http1::HeadScan scan = http1::scanHead(view, limits_, /*is_request=*/true);
  if (scan.state == http1::HeadScan::State::kIncomplete) return false;
  if (scan.state == http1::HeadScan::State::kError) {
    fail(scan.error);
    return false;
  }
  http1::RequestHead head;
  http1::ParseError error =
      http1::parseRequestHead(view.substr(0, scan.head_length), limits_, head);
  evbuffer_drain(input, scan.head_length);
  if (error != http1::ParseError::kNone) {
    fail(error);
    return false;
  }

  request_minor_ = head.version_minor;
  request_keep_alive_ = head.keep_alive;
  request_upgrade_ = head.upgrade;
  const std::string* method = head.headers.get(":method");
  request_is_head_ = method && *method == "HEAD";
  response_started_ = response_done_ = false;
  response_chunked_ = response_until_close_ = false;
  trailers_.clear();
  chunked_ = http1::ChunkedDecoder();
  body_remaining_ = 0;
  bool end_stream = head.framing == http1::BodyFraming::kNone && !head.upgrade;
  if (head.framing == http1::BodyFraming::kContentLength) body_remaining_ = head.content_length;
  if (head.framing == http1::BodyFraming::kChunked) body_remaining_ = UINT64_MAX;
  state_ = end_stream ? State::kRequestDone : State::kBody;
  stream_active_ = true;

  removeHopByHop(head.headers, head.upgrade);
  StreamStart start;
  start.protocol = protocol();
  start.expect_continue = head.expect_continue;
  decoder_ = &callbacks_.newStream(*this, start);
  decoder_->decodeHeaders(std::move(head.headers), end_stream);
  if (end_stream) requestComplete();
  return state_ == State::kBody;
}

bool Http1ServerCodec::dispatchContentLength(evbuffer* input) {
  if (evbuffer_get_length(input) == 0) return false;
  evbuffer* body = body_.fresh();
  auto step = enc::readContentLength(input, body, body_remaining_);
  if (step.end) state_ = State::kRequestDone;
  decoder_->decodeData(body, step.end);
  if (step.end) requestComplete();
  return false;
}

bool Http1ServerCodec::dispatchChunked(evbuffer* input) {
  evbuffer* body = body_.fresh();
  auto step = enc::readChunked(input, body, chunked_, trailers_);
  if (step.error != http1::ParseError::kNone) {
    fail(step.error);
    return false;
  }
  if (!step.progressed) return false;
  if (step.end) state_ = State::kRequestDone;
  if (evbuffer_get_length(body) > 0 || (step.end && trailers_.empty())) {
    decoder_->decodeData(body, step.end && trailers_.empty());
  }
  if (step.end && !trailers_.empty()) decoder_->decodeTrailers(std::move(trailers_));
  if (step.end) requestComplete();
  return false;
}

void Http1ServerCodec::requestComplete() {
  if (stream_active_ && response_done_) responseComplete();
}

void Http1ServerCodec::responseComplete() {
  response_done_ = true;
  if (state_ == State::kBody || state_ == State::kTunnel) {
    // The response finished first; the rest of this request cannot be trusted.
    close_after_flush_ = true;
  }
  if (state_ != State::kRequestDone && !close_after_flush_) return;
  if (!response_keep_alive_) close_after_flush_ = true;
  stream_active_ = false;
  watch_drain_ = false;
  RequestDecoder* decoder = std::exchange(decoder_, nullptr);
  state_ = close_after_flush_ ? State::kClosed : State::kHead;
  if (!close_after_flush_) connection_.readDisable(false);  // the stream may have paused it
  callbacks_.onStreamComplete(*decoder);
}

void Http1ServerCodec::watchDrain() {
  watch_drain_ = true;
  connection_.watchDrain();
}

void Http1ServerCodec::onConnectionDrained() {
  if (watch_drain_ && decoder_) {
    watch_drain_ = false;
    decoder_->onResponseDrained();
  }
}

void Http1ServerCodec::resetAllStreams() {
  state_ = State::kClosed;
  close_after_flush_ = true;
  stream_active_ = false;
  if (RequestDecoder* decoder = std::exchange(decoder_, nullptr))
    callbacks_.onStreamReset(*decoder);
}

void Http1ServerCodec::fail(http1::ParseError error) {
  callbacks_.onParseError(error);
  // A head that was fine followed by a bad body: that exchange is over, whatever the upstream says.
  if (RequestDecoder* decoder = std::exchange(decoder_, nullptr)) {
    stream_active_ = false;
    callbacks_.onStreamReset(*decoder);
  }
  sendErrorAndClose(http1::statusFor(error), std::string(http1::nameOf(error)) + "\n");
}

void Http1ServerCodec::sendErrorAndClose(int status, std::string_view body) {
  if (response_started_) {
    close_after_flush_ = true;  // too late for a status: just end the connection
    state_ = State::kClosed;
    return;
  }
  char head[160];
  int n = std::snprintf(head, sizeof(head),
                        "HTTP/1.1 %d %s\r\ncontent-length: %zu\r\ncontent-type: text/plain\r\n"
                        "connection: close\r\n\r\n",
                        status, std::string(enc::reasonPhrase(status)).c_str(), body.size());
  evbuffer_add(output(), head, static_cast<size_t>(n));
  evbuffer_add(output(), body.data(), body.size());
  connection_.flush();
  response_started_ = true;
  close_after_flush_ = true;
  state_ = State::kClosed;
}

void Http1ServerCodec::encode100Continue() {
  if (response_started_) return;
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  evbuffer_add(output(), kContinue.data(), kContinue.size());
  connection_.flush();
}

void Http1ServerCodec::encodeHeaders(const HeaderMap& headers, bool end_stream) {
  const enc::PseudoHeaders pseudo = enc::pseudoHeaders(headers);
  int status = enc::statusCode(pseudo.status);
  response_started_ = true;
  response_keep_alive_ = request_keep_alive_ && keep_alive_allowed_;

  std::string& scratch = enc::headScratch();
  scratch.clear();
  enc::appendStatusLine(scratch, request_minor_, status);
  const enc::FieldsSeen fields = enc::appendFields(scratch, headers, pseudo.count);

  bool upgrading = status == 101 && request_upgrade_;
  bool no_body = status < 200 || status == 204 || status == 304;
  if (upgrading) {
    scratch.append("connection: upgrade\r\n");
  } else if (const std::string* length = fields.content_length) {
    scratch.append("content-length: ").append(*length).append("\r\n");
  } else if (no_body) {
    // no framing fields at all
  } else if (end_stream) {
    if (!request_is_head_) scratch.append("content-length: 0\r\n");
  } else if (request_minor_ >= 1) {
    response_chunked_ = !request_is_head_;
    if (response_chunked_) scratch.append("transfer-encoding: chunked\r\n");
  } else {
    response_until_close_ = true;
    response_keep_alive_ = false;
  }
  if (!upgrading) {
    if (!response_keep_alive_) {
      scratch.append("connection: close\r\n");
    } else if (request_minor_ == 0) {
      scratch.append("connection: keep-alive\r\n");
    }
  }
  scratch.append("\r\n");
  evbuffer_add(output(), scratch.data(), scratch.size());
  connection_.flush();

  if (upgrading) {
    state_ = State::kTunnel;
    return;
  }
  if (end_stream) responseComplete();
}

void Http1ServerCodec::encodeData(evbuffer* data, bool end_stream) {
  connection_.flush();
  if (state_ == State::kTunnel) {
    evbuffer_add_buffer(output(), data);
    if (end_stream) {
      close_after_flush_ = true;
      responseComplete();
    }
    return;
  }
  if (request_is_head_) {
    evbuffer_drain(data, evbuffer_get_length(data));
  } else {
    enc::writeBody(output(), data, response_chunked_, end_stream);
  }
  if (end_stream) {
    if (response_until_close_) close_after_flush_ = true;
    responseComplete();
  }
}

void Http1ServerCodec::encodeTrailers(const HeaderMap& trailers) {
  if (response_chunked_) enc::writeBody(output(), nullptr, true, true, &trailers);
  connection_.flush();
  responseComplete();
}

}  // namespace weft::http
