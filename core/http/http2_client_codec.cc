// Http2ClientCodec: see http2_client_codec.h.
#include "core/http/http2_client_codec.h"

#include <algorithm>
#include <utility>

namespace weft::http {

namespace {
constexpr size_t kMaxStreamsCap = 1024;
}  // namespace

// One request stream: the RequestEncoder its request is written to.
class Http2ClientCodec::ClientStream : public Http2Session::Stream, public RequestEncoder {
 public:
  ClientStream(Http2ClientCodec& codec, ResponseDecoder& decoder)
      : decoder(&decoder), codec_(codec) {}

  ResponseDecoder* decoder;  // null once the client gave the stream up
  bool opened = false;       // HEADERS submitted

  void encodeHeaders(const HeaderMap& headers, bool end_stream) override {
    codec_.open(*this, headers, end_stream);
  }
  void encodeData(evbuffer* data, bool end_stream) override {
    codec_.sendData(*this, data, end_stream);
  }
  void encodeTrailers(const HeaderMap& trailers) override { codec_.sendTrailers(*this, trailers); }
  size_t bufferedBytes() const override { return outboundBytes(); }
  void watchDrain() override { codec_.watchDrain(*this); }
  void readDisable(bool disable) override { codec_.Http2Session::readDisable(*this, disable); }
  void resetStream() override {
    decoder = nullptr;
    if (opened) {
      codec_.Http2Session::resetStream(*this, NGHTTP2_CANCEL);
    } else {
      codec_.discard(*this);
    }
  }

 private:
  Http2ClientCodec& codec_;
};

Http2ClientCodec::Http2ClientCodec(network::Connection& connection, Http2ClientCallbacks& callbacks,
                                   event::DeferredDeleter& deleter, const Http2Options& options,
                                   Http2Stats& stats, size_t output_limit)
    : Http2Session(connection, deleter, options, output_limit),
      callbacks_(callbacks),
      stats_(stats) {
  start(/*server=*/false);
  flush();
}

Http2ClientCodec::~Http2ClientCodec() = default;

RequestEncoder& Http2ClientCodec::newStream(ResponseDecoder& decoder) {
  unsent_.push_back(std::make_unique<ClientStream>(*this, decoder));
  return *unsent_.back();
}

void Http2ClientCodec::open(ClientStream& stream, const HeaderMap& headers, bool end_stream) {
  auto it = std::find_if(unsent_.begin(), unsent_.end(),
                         [&](const auto& s) { return s.get() == &stream; });
  if (it == unsent_.end()) return;
  std::unique_ptr<Stream> owned = std::move(*it);
  unsent_.erase(it);
  stream.opened = true;
  if (submitRequest(owned, headers, end_stream)) return;
  // nghttp2 refused the stream (GOAWAY arrived meanwhile): the request never left.
  ResponseDecoder* decoder = std::exchange(stream.decoder, nullptr);
  deleter().add(std::move(owned));
  if (decoder) decoder->onStreamReset(/*refused=*/true);
  callbacks_.onStreamFinished();
}

void Http2ClientCodec::discard(ClientStream& stream) {
  auto it = std::find_if(unsent_.begin(), unsent_.end(),
                         [&](const auto& s) { return s.get() == &stream; });
  if (it == unsent_.end()) return;
  deleter().add(std::move(*it));
  unsent_.erase(it);
  callbacks_.onStreamFinished();
}

bool Http2ClientCodec::dispatch(evbuffer* input) {
  int error = Http2Session::dispatch(input);
  if (error != 0) {
    stats_.protocol_error.inc();
    return false;
  }
  return alive();
}

void Http2ClientCodec::onConnectionClosed() {
  closeAllStreams(NGHTTP2_INTERNAL_ERROR);
  while (!unsent_.empty()) {
    std::unique_ptr<ClientStream> stream = std::move(unsent_.back());
    unsent_.pop_back();
    ResponseDecoder* decoder = std::exchange(stream->decoder, nullptr);
    deleter().add(std::move(stream));
    if (decoder) decoder->onStreamReset(/*refused=*/true);
  }
}

size_t Http2ClientCodec::maxStreams() const {
  uint32_t remote =
      nghttp2_session_get_remote_settings(session(), NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
  return std::min<size_t>(remote, kMaxStreamsCap);
}

bool Http2ClientCodec::acceptsStreams() const {
  return !goaway_received_ && !goAwaySent() && alive();
}

// ---- streams --------------------------------------------------------------------------------

std::unique_ptr<Http2Session::Stream> Http2ClientCodec::onNewStream(int32_t id) {
  // Servers do not open streams toward us (push is off in our SETTINGS).
  nghttp2_submit_rst_stream(session(), NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
  return nullptr;
}

void Http2ClientCodec::onHeaders(Stream& stream, HeaderMap&& headers, bool end_stream) {
  auto& client_stream = static_cast<ClientStream&>(stream);
  if (client_stream.decoder) client_stream.decoder->decodeHeaders(std::move(headers), end_stream);
}

void Http2ClientCodec::onTrailers(Stream& stream, HeaderMap&& trailers) {
  auto& client_stream = static_cast<ClientStream&>(stream);
  if (client_stream.decoder) client_stream.decoder->decodeTrailers(std::move(trailers));
}

void Http2ClientCodec::onHeadersTooLarge(Stream& stream) {
  stats_.header_overflow.inc();
  Http2Session::resetStream(stream, NGHTTP2_ENHANCE_YOUR_CALM);
}

void Http2ClientCodec::onData(Stream& stream, evbuffer* data, bool end_stream) {
  auto& client_stream = static_cast<ClientStream&>(stream);
  if (!client_stream.decoder) {
    evbuffer_drain(data, evbuffer_get_length(data));
    return;
  }
  client_stream.decoder->decodeData(data, end_stream);
}

void Http2ClientCodec::onStreamClose(Stream& stream, uint32_t error_code) {
  auto& client_stream = static_cast<ClientStream&>(stream);
  ResponseDecoder* decoder = std::exchange(client_stream.decoder, nullptr);
  // A stream whose response ended was already delivered in full; anything else is a reset.
  if (decoder && !(error_code == NGHTTP2_NO_ERROR && stream.remoteEnded())) {
    decoder->onStreamReset(error_code == NGHTTP2_REFUSED_STREAM);
  }
  callbacks_.onStreamFinished();
}

void Http2ClientCodec::onStreamDrained(Stream& stream) {
  auto& client_stream = static_cast<ClientStream&>(stream);
  if (client_stream.decoder) client_stream.decoder->onRequestDrained();
}

void Http2ClientCodec::onFrame(const nghttp2_frame& frame, Stream*, bool sent) {
  if (sent) {
    if (frame.hd.type == NGHTTP2_RST_STREAM) stats_.tx_reset.inc();
    if (frame.hd.type == NGHTTP2_GOAWAY) stats_.goaway_sent.inc();
    return;
  }
  switch (frame.hd.type) {
    case NGHTTP2_RST_STREAM:
      stats_.rx_reset.inc();
      break;
    case NGHTTP2_GOAWAY:
      goaway_received_ = true;
      break;
    case NGHTTP2_SETTINGS:
      if (!(frame.hd.flags & NGHTTP2_FLAG_ACK)) callbacks_.onSettings();
      break;
    default:
      break;
  }
}

}  // namespace weft::http
