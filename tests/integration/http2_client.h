// Http2Client: a small blocking HTTP/2 client for the integration tests, h2c with prior knowledge
// over a real loopback socket. Two modes:
//   - session (the default): libnghttp2's client session speaks for the test — requests, resets,
//     SETTINGS and PING acknowledgements, flow-control windows — as a conforming client would;
//   - raw: nothing is sent but the bytes the test writes with sendRaw() (h2::frame and friends
//     build them), from the preface on: for what a conforming library refuses to send.
// Either way every byte received is read by an h2::FrameScanner, so what a test checks is what
// came over the wire: responses, RST_STREAM codes, GOAWAY.
// (The modes do not mix on one connection: nghttp2 takes a response on a stream it did not open
// for a connection error, and its HPACK tables must see every header block.)
//
// Nothing happens between calls: flush() and the waiting calls write what is queued and read what
// arrives. One thread at a time.
#pragma once

#include <nghttp2/nghttp2.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/http2_frames.h"

namespace weft::itest {

struct Http2Request {
  std::string method = "GET";
  std::string path = "/";
  std::string authority = "localhost";
  h2::Fields headers;  // regular fields, after the pseudo-headers
};

class Http2Client {
 public:
  struct Options {
    // raw mode: the session stays silent; the test writes every byte itself with sendRaw.
    bool raw = false;
    // SETTINGS the session sends after the preface.
    std::vector<nghttp2_settings_entry> settings;
    // The connection's receive window (the session's default is 65535).
    int32_t connection_window = 65535;
    // Keep response bodies (false: only count them, for big transfers).
    bool keep_bodies = true;
    // The largest header block (encoded) the session agrees to send; nghttp2's default is 64 KiB.
    size_t max_send_header_block = 64 * 1024;
  };

  // Connects to 127.0.0.1:port; nullptr if that fails. Unless raw, the preface and SETTINGS are
  // queued at once.
  static std::unique_ptr<Http2Client> connect(uint16_t port, const Options& options);
  ~Http2Client();
  Http2Client(const Http2Client&) = delete;
  Http2Client& operator=(const Http2Client&) = delete;

  // ---- sending: everything is queued in call order, and written by flush() or while waiting ----
  // Session mode: opens a stream with `request` (END_STREAM on its HEADERS); the stream id, or a
  // negative nghttp2 error.
  int32_t submit(const Http2Request& request);
  // Session mode: RST_STREAM(`error_code`) on a stream the session opened.
  void reset(int32_t stream_id, uint32_t error_code = NGHTTP2_CANCEL);
  // Raw mode: any bytes.
  void sendRaw(std::string_view bytes);
  // Writes everything queued; false if the socket stopped taking bytes first.
  bool flush(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // While stopped, nothing is read from the socket (writing goes on): a client that does not
  // read what the server sends.
  void stopReading(bool stop) { reading_stopped_ = stop; }

  // ---- flow control (session mode) ----
  // While held, DATA received is not acknowledged: no WINDOW_UPDATE goes out, so the server can
  // send no more than the windows it has. Releasing acknowledges what was held back.
  void holdWindow(bool hold);
  // Sets this side's receive window of a stream (0: the connection) to `size` bytes.
  void setReceiveWindow(int32_t stream_id, int32_t size);

  // ---- waiting: each writes what is queued and reads what arrives ----
  // Until `done` holds (true), or the connection closed or `timeout` passed first (false;
  // lastError says which). `done` is asked again at least every 20 ms.
  bool runUntil(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // Until stream `id` ended or was reset.
  bool waitForStream(int32_t id,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // Until a GOAWAY arrived.
  bool waitForGoAway(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  // Until the server closed the connection (EOF or reset).
  bool waitForClose(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

  // ---- results ----
  // What arrived on stream `id` so far (an empty result if nothing did).
  const h2::StreamResult& stream(int32_t id) const;
  const h2::FrameScanner& wire() const { return wire_; }
  // The first GOAWAY received, if any.
  const h2::GoAway* goaway() const;
  bool peerClosed() const { return eof_; }
  const std::string& lastError() const { return error_; }

 private:
  Http2Client(int fd, const Options& options);
  // Moves what the session has to send into out_.
  void sessionSend();
  // One poll round, waiting no later than `deadline`: writes from out_, reads into the scanner
  // and the session.
  void pumpOnce(std::chrono::steady_clock::time_point deadline);
  void onReceived(std::string_view bytes);

  static ssize_t onSessionSend(nghttp2_session*, const uint8_t* data, size_t length, int,
                               void* self);
  static int onDataChunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t*,
                         size_t length, void* self);

  int fd_;
  Options options_;
  nghttp2_session* session_ = nullptr;
  h2::FrameScanner wire_;
  std::string out_;  // bytes queued for the socket, in order
  std::vector<char> read_buffer_;
  bool reading_stopped_ = false;
  bool eof_ = false;
  std::string closed_how_;       // why eof_ is set
  bool write_closed_ = false;    // the socket refused a write: nothing more is sent
  bool session_failed_ = false;  // the session rejected what the server sent: it stays silent
  bool window_held_ = false;
  std::map<int32_t, size_t> held_;  // DATA bytes received per stream and not yet acknowledged
  std::string error_;
};

}  // namespace weft::itest
