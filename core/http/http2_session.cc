// Http2Session: see http2_session.h.
#include "core/http/http2_session.h"

#include <algorithm>
#include <utility>

#include "core/http/codec.h"

namespace weft::http {

namespace {

constexpr size_t kFrameHeaderBytes = 9;
// RFC 9113 §6.5.2: each field counts its name, its value and 32 octets of overhead.
constexpr size_t kFieldOverhead = 32;

Http2Session& sessionOf(void* self) { return *static_cast<Http2Session*>(self); }

bool isInformational(const HeaderMap& headers) {
  const std::string* status = headers.get(":status");
  return status && !status->empty() && (*status)[0] == '1';
}

nghttp2_nv field(std::string_view name, std::string_view value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

std::vector<nghttp2_nv> toNghttp2(const HeaderMap& headers) {
  std::vector<nghttp2_nv> fields;
  fields.reserve(headers.size());
  for (const auto& entry : headers) {
    if (entry.name == "te") {
      if (equalsIgnoreCase(entry.value, "trailers")) fields.push_back(field("te", "trailers"));
      continue;
    }
    if (entry.name == "host" || isHopByHop(entry.name)) continue;  // HTTP/2 has :authority
    fields.push_back(field(entry.name, entry.value));
  }
  return fields;
}

Http2Session::Http2Session(network::Connection& connection, event::DeferredDeleter& deleter,
                           const Http2Options& options, size_t output_limit)
    : connection_(connection), deleter_(deleter), options_(options), output_limit_(output_limit) {}

Http2Session::~Http2Session() {
  if (session_) nghttp2_session_del(session_);
}

void Http2Session::start(bool server) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_send_callback(callbacks, &Http2Session::onSend);
  nghttp2_session_callbacks_set_send_data_callback(callbacks, &Http2Session::onSendData);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &Http2Session::onBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &Http2Session::onHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Http2Session::onDataChunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Http2Session::onFrameReceived);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &Http2Session::onFrameSent);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Http2Session::onStreamClosed);
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  nghttp2_option_set_no_auto_window_update(option, 1);  // windows follow backpressure
  if (server) {
    nghttp2_session_server_new2(&session_, callbacks, this, option);
  } else {
    nghttp2_session_client_new2(&session_, callbacks, this, option);
  }
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);

  std::vector<nghttp2_settings_entry> settings = {
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, options_.initial_stream_window_size},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, options_.max_header_list_bytes},
  };
  if (server) {
    settings.push_back({NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, options_.max_concurrent_streams});
  } else {
    settings.push_back({NGHTTP2_SETTINGS_ENABLE_PUSH, 0});
  }
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  nghttp2_session_set_local_window_size(
      session_, NGHTTP2_FLAG_NONE, 0,
      static_cast<int32_t>(options_.initial_connection_window_size));
}

// ---- driving the session ----------------------------------------------------------------------

int Http2Session::dispatch(evbuffer* input) {
  in_callback_ = true;
  int error = 0;
  while (evbuffer_get_length(input) > 0) {
    evbuffer_iovec chunk;
    evbuffer_peek(input, -1, nullptr, &chunk, 1);
    ssize_t used = nghttp2_session_mem_recv(session_, static_cast<const uint8_t*>(chunk.iov_base),
                                            chunk.iov_len);
    if (used < 0) {
      error = static_cast<int>(used);
      evbuffer_drain(input, evbuffer_get_length(input));
      break;
    }
    evbuffer_drain(input, static_cast<size_t>(used));
  }
  in_callback_ = false;
  if (error == 0) flush();
  return error;
}

void Http2Session::flush() {
  if (in_callback_) return;  // dispatch() flushes once nghttp2 has returned
  in_callback_ = true;
  output_blocked_ = false;
  nghttp2_session_send(session_);
  in_callback_ = false;
  if (output_blocked_) connection_.watchDrain();
  connection_.flush();
  if (drained_.empty()) return;
  std::vector<Stream*> drained = std::move(drained_);
  drained_.clear();
  for (Stream* stream : drained) {
    if (!stream->closed_) onStreamDrained(*stream);
  }
}

bool Http2Session::alive() const {
  return nghttp2_session_want_read(session_) || nghttp2_session_want_write(session_);
}

void Http2Session::goAway(uint32_t error_code) {
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), error_code, nullptr, 0);
  goaway_sent_ = true;
  flush();
}

// ---- streams ------------------------------------------------------------------------------------

Http2Session::Stream* Http2Session::find(int32_t stream_id) const {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : it->second.get();
}

Http2Session::Stream& Http2Session::attach(std::unique_ptr<Stream> stream, int32_t id) {
  stream->id_ = id;
  Stream& ref = *stream;
  streams_.emplace(id, std::move(stream));
  return ref;
}

void Http2Session::close(Stream& stream, uint32_t error_code) {
  auto it = streams_.find(stream.id_);
  if (it == streams_.end()) return;
  std::unique_ptr<Stream> owned = std::move(it->second);
  streams_.erase(it);
  stream.closed_ = true;
  onStreamClose(stream, error_code);
  deleter_.add(std::move(owned));
}

void Http2Session::closeAllStreams(uint32_t error_code) {
  while (!streams_.empty()) close(*streams_.begin()->second, error_code);
}

nghttp2_data_provider Http2Session::provider(Stream& stream) {
  nghttp2_data_provider provider;
  provider.source.ptr = &stream;
  provider.read_callback = &Http2Session::onReadData;
  return provider;
}

Http2Session::Stream* Http2Session::submitRequest(std::unique_ptr<Stream>& stream,
                                                  const HeaderMap& headers, bool end_stream) {
  std::vector<nghttp2_nv> fields = toNghttp2(headers);
  nghttp2_data_provider body = provider(*stream);
  stream->outbound_end_ = end_stream;
  int32_t id = nghttp2_submit_request(session_, nullptr, fields.data(), fields.size(),
                                      end_stream ? nullptr : &body, stream.get());
  if (id < 0) return nullptr;
  Stream& attached = attach(std::move(stream), id);
  flush();
  return &attached;
}

void Http2Session::submitResponse(Stream& stream, const HeaderMap& headers, bool end_stream) {
  if (stream.closed_) return;
  std::vector<nghttp2_nv> fields = toNghttp2(headers);
  if (isInformational(headers)) {
    nghttp2_submit_headers(session_, NGHTTP2_FLAG_NONE, stream.id_, nullptr, fields.data(),
                           fields.size(), nullptr);
  } else {
    nghttp2_data_provider body = provider(stream);
    stream.outbound_end_ = end_stream;
    nghttp2_submit_response(session_, stream.id_, fields.data(), fields.size(),
                            end_stream ? nullptr : &body);
  }
  flush();
}

void Http2Session::sendData(Stream& stream, evbuffer* data, bool end_stream) {
  if (stream.closed_ || stream.outbound_end_) {
    evbuffer_drain(data, evbuffer_get_length(data));
    return;
  }
  evbuffer_add_buffer(stream.outbound_.get(), data);
  stream.outbound_end_ = end_stream;
  if (stream.data_deferred_) {
    stream.data_deferred_ = false;
    nghttp2_session_resume_data(session_, stream.id_);
  }
  flush();
}

void Http2Session::sendTrailers(Stream& stream, const HeaderMap& trailers) {
  if (stream.closed_ || stream.outbound_end_) return;
  stream.trailers_ = trailers;
  stream.has_trailers_ = true;
  stream.outbound_end_ = true;
  if (stream.data_deferred_) {
    stream.data_deferred_ = false;
    nghttp2_session_resume_data(session_, stream.id_);
  }
  flush();
}

void Http2Session::resetStream(Stream& stream, uint32_t error_code) {
  if (stream.closed_) return;
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream.id_, error_code);
  flush();
}

void Http2Session::readDisable(Stream& stream, bool disable) {
  stream.read_disabled_ = disable;
  if (disable || stream.unconsumed_ == 0 || stream.closed_) return;
  nghttp2_session_consume_stream(session_, stream.id_, std::exchange(stream.unconsumed_, 0));
  flush();
}

// ---- nghttp2 callbacks --------------------------------------------------------------------------

ssize_t Http2Session::onSend(nghttp2_session*, const uint8_t* data, size_t length, int,
                             void* self) {
  Http2Session& session = sessionOf(self);
  evbuffer* output = session.connection_.output();
  if (evbuffer_get_length(output) >= session.output_limit_) {
    session.output_blocked_ = true;
    return NGHTTP2_ERR_WOULDBLOCK;
  }
  evbuffer_add(output, data, length);
  return static_cast<ssize_t>(length);
}

int Http2Session::onSendData(nghttp2_session*, nghttp2_frame*, const uint8_t* frame_header,
                             size_t length, nghttp2_data_source* source, void* self) {
  Http2Session& session = sessionOf(self);
  evbuffer* output = session.connection_.output();
  if (evbuffer_get_length(output) >= session.output_limit_) {
    session.output_blocked_ = true;
    return NGHTTP2_ERR_WOULDBLOCK;
  }
  auto* stream = static_cast<Stream*>(source->ptr);
  evbuffer_add(output, frame_header, kFrameHeaderBytes);
  evbuffer_remove_buffer(stream->outbound_.get(), output, length);
  if (stream->watch_drain_ && stream->outboundBytes() <= session.output_limit_ / 2) {
    stream->watch_drain_ = false;
    session.drained_.push_back(stream);
  }
  return 0;
}

ssize_t Http2Session::onReadData(nghttp2_session* ng, int32_t stream_id, uint8_t*, size_t length,
                                 uint32_t* flags, nghttp2_data_source* source, void*) {
  auto* stream = static_cast<Stream*>(source->ptr);
  size_t available = stream->outboundBytes();
  if (available == 0 && !stream->outbound_end_) {
    stream->data_deferred_ = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  size_t n = std::min(length, available);
  *flags |= NGHTTP2_DATA_FLAG_NO_COPY;
  if (n == available && stream->outbound_end_) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    if (stream->has_trailers_) {
      *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
      std::vector<nghttp2_nv> fields = toNghttp2(stream->trailers_);
      nghttp2_submit_trailer(ng, stream_id, fields.data(), fields.size());
    }
  }
  return static_cast<ssize_t>(n);
}

int Http2Session::onBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* self) {
  Http2Session& session = sessionOf(self);
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  Stream* stream = session.find(frame->hd.stream_id);
  if (!stream) {
    std::unique_ptr<Stream> created = session.onNewStream(frame->hd.stream_id);
    if (!created) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // refused: skip its fields
    stream = &session.attach(std::move(created), frame->hd.stream_id);
  }
  stream->block_.clear();
  stream->block_bytes_ = 0;
  stream->block_too_large_ = false;
  return 0;
}

int Http2Session::onHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                           size_t name_length, const uint8_t* value, size_t value_length, uint8_t,
                           void* self) {
  Http2Session& session = sessionOf(self);
  Stream* stream = session.find(frame->hd.stream_id);
  if (!stream || stream->block_too_large_) return 0;
  // Decoding goes on to keep the HPACK state in step; the fields are just not kept.
  stream->block_bytes_ += name_length + value_length + kFieldOverhead;
  if (stream->block_bytes_ > session.options_.max_header_list_bytes ||
      stream->block_.size() >= session.options_.max_headers) {
    stream->block_too_large_ = true;
    stream->block_.clear();
    return 0;
  }
  stream->block_.add(std::string_view(reinterpret_cast<const char*>(name), name_length),
                     std::string_view(reinterpret_cast<const char*>(value), value_length));
  return 0;
}

int Http2Session::onDataChunk(nghttp2_session* ng, uint8_t, int32_t stream_id, const uint8_t* data,
                              size_t length, void* self) {
  Http2Session& session = sessionOf(self);
  nghttp2_session_consume_connection(ng, length);
  Stream* stream = session.find(stream_id);
  if (!stream) return 0;
  evbuffer_add(stream->inbound_.get(), data, length);
  if (stream->read_disabled_) {
    stream->unconsumed_ += length;
  } else {
    nghttp2_session_consume_stream(ng, stream_id, length);
  }
  return 0;
}

int Http2Session::onFrameReceived(nghttp2_session*, const nghttp2_frame* frame, void* self) {
  Http2Session& session = sessionOf(self);
  Stream* stream = frame->hd.stream_id ? session.find(frame->hd.stream_id) : nullptr;
  session.onFrame(*frame, stream, /*sent=*/false);
  if (!stream || stream->closed_) return 0;
  bool end_stream = frame->hd.flags & NGHTTP2_FLAG_END_STREAM;
  switch (frame->hd.type) {
    case NGHTTP2_HEADERS: {
      if (end_stream) stream->remote_ended_ = true;
      HeaderMap block = std::move(stream->block_);
      stream->block_.clear();
      if (stream->block_too_large_) {
        session.onHeadersTooLarge(*stream);
      } else if (!stream->headers_received_) {
        if (isInformational(block)) return 0;  // 1xx: the proxy answers 100-continue itself
        stream->headers_received_ = true;
        session.onHeaders(*stream, std::move(block), end_stream);
      } else {
        session.onTrailers(*stream, std::move(block));
      }
      break;
    }
    case NGHTTP2_DATA:
      if (end_stream) stream->remote_ended_ = true;
      session.onData(*stream, stream->inbound_.get(), end_stream);
      break;
    default:
      break;
  }
  return 0;
}

int Http2Session::onFrameSent(nghttp2_session*, const nghttp2_frame* frame, void* self) {
  Http2Session& session = sessionOf(self);
  Stream* stream = frame->hd.stream_id ? session.find(frame->hd.stream_id) : nullptr;
  if (stream && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) &&
      (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA)) {
    stream->local_ended_ = true;
  }
  if (frame->hd.type == NGHTTP2_GOAWAY) session.goaway_sent_ = true;
  session.onFrame(*frame, stream, /*sent=*/true);
  return 0;
}

int Http2Session::onStreamClosed(nghttp2_session*, int32_t stream_id, uint32_t error_code,
                                 void* self) {
  Http2Session& session = sessionOf(self);
  if (Stream* stream = session.find(stream_id)) session.close(*stream, error_code);
  return 0;
}

}  // namespace weft::http
