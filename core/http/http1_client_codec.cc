// Http1ClientCodec: see http1_client_codec.h.
#include "core/http/http1_client_codec.h"

#include "core/event/event_loop.h"
#include "core/http/http1_encoding.h"

namespace weft::http {

namespace enc = http1_encoding;

Http1ClientCodec::Http1ClientCodec(network::Connection& connection, ClientCodecCallbacks& callbacks,
                                   const http1::Limits& limits)
    : connection_(connection),
      output_(connection.output()),
      callbacks_(callbacks),
      limits_(limits) {}

void Http1ClientCodec::startRequest(ResponseDecoder& decoder) {
  decoder_ = &decoder;
  state_ = State::kHead;
  idle_ = false;
  request_done_ = false;
  trailers_.clear();
  chunked_ = http1::ChunkedDecoder();
}

void Http1ClientCodec::detach() {
  decoder_ = nullptr;
  keep_alive_ = false;
}

void Http1ClientCodec::encodeHeaders(const HeaderMap& headers, bool end_stream) {
  const enc::PseudoHeaders pseudo = enc::pseudoHeaders(headers);
  method_ = pseudo.method ? *pseudo.method : "GET";
  std::string& scratch = enc::headScratch();
  scratch.clear();
  scratch.append(method_)
      .append(" ")
      .append(pseudo.path ? *pseudo.path : "/")
      .append(" HTTP/1.1\r\n");
  if (pseudo.authority) scratch.append("host: ").append(*pseudo.authority).append("\r\n");
  const enc::FieldsSeen fields = enc::appendFields(scratch, headers, pseudo.count);
  request_chunked_ = false;
  if (fields.upgrade) {
    scratch.append("connection: upgrade\r\n");
  } else if (const std::string* length = fields.content_length) {
    scratch.append("content-length: ").append(*length).append("\r\n");
  } else if (!end_stream) {
    request_chunked_ = true;
    scratch.append("transfer-encoding: chunked\r\n");
  }
  scratch.append("\r\n");
  evbuffer_add(output_, scratch.data(), scratch.size());
  connection_.flush();
  request_done_ = end_stream;
}

void Http1ClientCodec::encodeData(evbuffer* data, bool end_stream) {
  connection_.flush();
  if (state_ == State::kTunnel) {
    evbuffer_add_buffer(output_, data);
    return;
  }
  enc::writeBody(output_, data, request_chunked_, end_stream);
  if (end_stream) request_done_ = true;
}

void Http1ClientCodec::encodeTrailers(const HeaderMap& trailers) {
  if (request_chunked_) enc::writeBody(output_, nullptr, true, true, &trailers);
  connection_.flush();
  request_done_ = true;
}

void Http1ClientCodec::dispatch(evbuffer* input) {
  while (evbuffer_get_length(input) > 0) {
    switch (state_) {
      case State::kHead:
        if (!dispatchHead(input)) return;
        break;
      case State::kBody:
        dispatchBody(input);
        return;
      case State::kTunnel:
        if (decoder_) decoder_->decodeData(input, false);
        return;
      case State::kDone:
        // Bytes after a complete response: the upstream is confused; do not reuse it.
        keep_alive_ = false;
        evbuffer_drain(input, evbuffer_get_length(input));
        return;
    }
  }
}

bool Http1ClientCodec::dispatchHead(evbuffer* input) {
  size_t available = evbuffer_get_length(input);
  size_t window = std::min(available, limits_.max_header_bytes + 1);
  std::string_view view(reinterpret_cast<const char*>(evbuffer_pullup(input, window)), window);
  http1::HeadScan scan = http1::scanHead(view, limits_, /*is_request=*/false);
  if (scan.state == http1::HeadScan::State::kIncomplete) return false;
  http1::ResponseHead head;
  http1::ParseError error =
      scan.state == http1::HeadScan::State::kError
          ? scan.error
          : http1::parseResponseHead(view.substr(0, scan.head_length), method_, limits_, head);
  if (error != http1::ParseError::kNone) {
    keep_alive_ = false;
    state_ = State::kDone;
    callbacks_.onUpstreamProtocolError(error);
    return false;
  }
  evbuffer_drain(input, scan.head_length);

  if (head.status == 100) {
    if (decoder_) decoder_->decode100Continue();
    return true;
  }
  if (head.status > 100 && head.status < 200 && head.status != 101) return true;  // ignored 1xx

  keep_alive_ = head.keep_alive;
  framing_ = head.framing;
  body_remaining_ = head.content_length;
  bool tunnel = head.status == 101;
  removeHopByHop(head.headers, tunnel);
  bool end_stream = framing_ == http1::BodyFraming::kNone && !tunnel;
  state_ = tunnel ? State::kTunnel : end_stream ? State::kDone : State::kBody;
  if (tunnel) keep_alive_ = false;
  if (decoder_) decoder_->decodeHeaders(std::move(head.headers), end_stream);
  if (end_stream) complete();
  return !end_stream;
}

void Http1ClientCodec::dispatchBody(evbuffer* input) {
  evbuffer* body = body_.fresh();
  enc::BodyStep step;
  switch (framing_) {
    case http1::BodyFraming::kContentLength:
      step = enc::readContentLength(input, body, body_remaining_);
      break;
    case http1::BodyFraming::kChunked:
      step = enc::readChunked(input, body, chunked_, trailers_);
      break;
    default:  // until close
      evbuffer_add_buffer(body, input);
      step.progressed = true;
      break;
  }
  if (step.error != http1::ParseError::kNone) {
    keep_alive_ = false;
    state_ = State::kDone;
    callbacks_.onUpstreamProtocolError(step.error);
    return;
  }
  bool has_trailers = step.end && !trailers_.empty();
  if (step.end) state_ = State::kDone;
  if (decoder_ && (evbuffer_get_length(body) > 0 || (step.end && !has_trailers))) {
    decoder_->decodeData(body, step.end && !has_trailers);
  }
  if (decoder_ && has_trailers) decoder_->decodeTrailers(std::move(trailers_));
  if (step.end) complete();
}

bool Http1ClientCodec::onRemoteClose() {
  keep_alive_ = false;
  if ((state_ == State::kBody && framing_ == http1::BodyFraming::kUntilClose) ||
      state_ == State::kTunnel) {
    state_ = State::kDone;
    if (decoder_) {
      auto empty = event::newBuffer();
      decoder_->decodeData(empty.get(), true);
    }
    complete();
    return true;
  }
  return false;
}

void Http1ClientCodec::complete() {
  if (!request_done_) keep_alive_ = false;  // the upstream answered before reading everything
  idle_ = true;
  decoder_ = nullptr;
  callbacks_.onResponseComplete();
}

}  // namespace weft::http
