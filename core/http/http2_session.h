// Http2Session: what the server and client HTTP/2 codecs share — one nghttp2 session over one
// network::Connection, with Weft's rules for moving bytes:
//   - received DATA is copied once, out of nghttp2's read buffer into the stream's evbuffer, and
//     handed on per frame; outgoing DATA is never copied: the frame header and then the stream's
//     body chain are moved into the connection's output (nghttp2's NO_COPY mode);
//   - flow control follows backpressure: a stream's window is returned to the peer only while the
//     stream reads (readDisable), so a slow consumer caps what the peer may send at one window;
//     the connection window is always returned, so one stalled stream never blocks the others;
//   - nghttp2 is never re-entered: bytes leave in flush(), which does nothing while a received
//     frame is being handled and runs again when dispatch() is done.
// The subclasses decide what a stream is (a request decoded for the proxy, or a request sent
// upstream) through the on* hooks.
//
// Worker-local, like the connection it runs on.
#pragma once

#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/event/event_loop.h"
#include "core/http/header_map.h"
#include "core/http/http2_options.h"
#include "core/network/connection.h"

namespace weft::http {

class Http2Session {
 public:
  // One stream's transfer state; the subclasses derive their stream types from it.
  class Stream : public event::Deletable {
   public:
    int32_t id() const { return id_; }
    bool remoteEnded() const { return remote_ended_; }
    bool localEnded() const { return local_ended_; }
    bool closed() const { return closed_; }
    // Bytes queued to send on this stream and not yet framed.
    size_t outboundBytes() const { return evbuffer_get_length(outbound_.get()); }

   private:
    friend class Http2Session;
    int32_t id_ = -1;
    HeaderMap block_;  // the header block being received
    size_t block_bytes_ = 0;
    bool block_too_large_ = false;
    bool headers_received_ = false;  // a later block is trailers
    bool remote_ended_ = false;
    bool local_ended_ = false;  // END_STREAM went out
    event::EvbufferPtr inbound_ = event::newBuffer();
    event::EvbufferPtr outbound_ = event::newBuffer();
    bool outbound_end_ = false;
    bool data_deferred_ = false;  // nghttp2 waits for resume_data
    bool has_trailers_ = false;
    HeaderMap trailers_;
    bool read_disabled_ = false;
    size_t unconsumed_ = 0;  // received while read-disabled: window not yet returned
    bool watch_drain_ = false;
    bool closed_ = false;
  };

  Http2Session(network::Connection& connection, event::DeferredDeleter& deleter,
               const Http2Options& options, size_t output_limit);
  virtual ~Http2Session();
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  // Feeds the connection's input to nghttp2, then flushes. Returns 0, or the nghttp2 error that
  // ended the session for good (bad preface, flood, too many CONTINUATION frames, ...): the
  // caller then sends GOAWAY (goAway) and closes once flushed.
  int dispatch(evbuffer* input);
  // Moves every frame nghttp2 has ready into the connection's output (up to the output limit).
  void flush();
  // The connection's output drained: continue sending.
  void onConnectionDrained() { flush(); }

  // True while nghttp2 still wants to read or write: false once the session has ended (GOAWAY
  // exchanged and no stream left, or a fatal error).
  bool alive() const;
  size_t openStreams() const { return streams_.size(); }
  // GOAWAY with `error_code`; no stream above the last one processed will be served.
  void goAway(uint32_t error_code);
  bool goAwaySent() const { return goaway_sent_; }

 protected:
  nghttp2_session* session() const { return session_; }
  network::Connection& connection() { return connection_; }
  event::DeferredDeleter& deleter() { return deleter_; }
  const Http2Options& options() const { return options_; }
  // Sets up the nghttp2 session (server or client) with Weft's callbacks and options, and queues
  // this side's SETTINGS.
  void start(bool server);

  // Sending on a stream. `headers` are converted to HTTP/2 fields (hop-by-hop ones dropped).
  // submitRequest opens a new stream (client) and takes `stream` over; it returns nullptr and
  // leaves `stream` with the caller if nghttp2 refused it (e.g. after GOAWAY). submitResponse
  // answers a stream the peer opened; a 1xx status goes out as an informational block.
  Stream* submitRequest(std::unique_ptr<Stream>& stream, const HeaderMap& headers, bool end_stream);
  void submitResponse(Stream& stream, const HeaderMap& headers, bool end_stream);
  void sendData(Stream& stream, evbuffer* data, bool end_stream);
  void sendTrailers(Stream& stream, const HeaderMap& trailers);
  void resetStream(Stream& stream, uint32_t error_code);
  void readDisable(Stream& stream, bool disable);
  void watchDrain(Stream& stream) { stream.watch_drain_ = true; }
  // Ends every open stream with onStreamClose(`error_code`): the connection is going away.
  void closeAllStreams(uint32_t error_code);

  // ---- what subclasses do with a stream's events ----
  // HEADERS began on a stream nghttp2 does not know yet (server: a new request). Return a new
  // stream object to collect it (the session owns it), or nullptr to refuse it (after resetting
  // it).
  virtual std::unique_ptr<Stream> onNewStream(int32_t id) = 0;
  // A complete, valid header block: the first is the head, a later one is the trailers.
  virtual void onHeaders(Stream& stream, HeaderMap&& headers, bool end_stream) = 0;
  virtual void onTrailers(Stream& stream, HeaderMap&& trailers) = 0;
  // The stream's first header block went over the header limits (nothing was delivered).
  virtual void onHeadersTooLarge(Stream& stream) = 0;
  virtual void onData(Stream& stream, evbuffer* data, bool end_stream) = 0;
  // The stream is gone: `error_code` is NGHTTP2_NO_ERROR for a clean end. After this call the
  // session hands the stream object to the deferred deleter.
  virtual void onStreamClose(Stream& stream, uint32_t error_code) = 0;
  // The stream's queued outbound bytes drained (after watchDrain).
  virtual void onStreamDrained(Stream& stream) = 0;
  // A frame was received (`sent` false) or sent; `stream` is its stream if still open. For
  // counting resets and GOAWAYs, and for keepalive.
  virtual void onFrame(const nghttp2_frame& frame, Stream* stream, bool sent) {
    (void)frame, (void)stream, (void)sent;
  }

 private:
  static ssize_t onSend(nghttp2_session*, const uint8_t* data, size_t length, int flags,
                        void* self);
  static int onSendData(nghttp2_session*, nghttp2_frame* frame, const uint8_t* frame_header,
                        size_t length, nghttp2_data_source* source, void* self);
  static ssize_t onReadData(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                            uint32_t* flags, nghttp2_data_source* source, void* self);
  static int onBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int onHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t name_length, const uint8_t* value, size_t value_length, uint8_t flags,
                      void* self);
  static int onDataChunk(nghttp2_session*, uint8_t flags, int32_t stream_id, const uint8_t* data,
                         size_t length, void* self);
  static int onFrameReceived(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int onFrameSent(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int onStreamClosed(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* self);

  Stream* find(int32_t stream_id) const;
  Stream& attach(std::unique_ptr<Stream> stream, int32_t id);
  void close(Stream& stream, uint32_t error_code);
  nghttp2_data_provider provider(Stream& stream);

  network::Connection& connection_;
  event::DeferredDeleter& deleter_;
  const Http2Options& options_;
  size_t output_limit_;
  nghttp2_session* session_ = nullptr;
  bool in_callback_ = false;  // inside nghttp2_session_mem_recv / _send
  bool output_blocked_ = false;
  bool goaway_sent_ = false;
  std::unordered_map<int32_t, std::unique_ptr<Stream>> streams_;
  std::vector<Stream*> drained_;  // streams to tell about a drain once sending is done
};

// HTTP/2 fields for `headers`: pseudo-headers first, connection-specific fields (RFC 9113
// §8.2.2) left out, "te" kept only as "trailers". The views point into `headers`.
std::vector<nghttp2_nv> toNghttp2(const HeaderMap& headers);

}  // namespace weft::http
