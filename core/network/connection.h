// Connection: a non-blocking TCP socket with an input and an output buffer, driven by one
// worker's event loop. Written for the data path, where system calls are the cost that matters:
//   - one read per readiness event, no FIONREAD probe: small messages land in a per-thread scratch
//     buffer and are copied into the input buffer at their own size (no 32 KiB chain allocated
//     and freed per message); once reads come back full, they go straight into the input
//     buffer's free space, 64 KiB at a time;
//   - writes are batched: everything queued while handling one event leaves in one writev, once
//     that event's callbacks are done;
//   - write interest is registered with the poller only while the kernel's send buffer is full,
//     so a request/response exchange costs no epoll_ctl at all.
// Backpressure: reading pauses when the input holds read_high_watermark bytes (until the owner
// consumes them and calls resumeReading) or when the owner asks (readDisable).
//
// TLS (startTls): the socket then carries TLS records, and input() / output() stay plaintext.
// Ciphertext is read from the socket into the session's raw buffer only while input() has room,
// and decrypted into input() no further than read_high, one record at a time. What the owner
// appends to output() is encrypted at flush time, 64 KiB at a time, and those bytes stay in
// output() until their records have left, so output()'s length still means "not yet sent".
// The owner only appends to output(). Without TLS, all this costs one pointer test per event.
//
// Not thread-safe: a Connection lives and dies on its worker. The event is embedded, so a
// Connection is one allocation plus its two buffers. Writes may raise SIGPIPE: the process
// ignores it.
#pragma once

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <sys/types.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/network/address.h"

namespace weft::tls {
class Session;
struct TlsInfo;
}  // namespace weft::tls

namespace weft::network {

class ConnectionCallbacks {
 public:
  virtual ~ConnectionCallbacks() = default;
  // New bytes are in input().
  virtual void onReadable() = 0;
  // The peer closed its sending side (EOF, or TLS close_notify); reading has stopped.
  virtual void onRemoteClose() = 0;
  // The socket failed (reset, refused, timed out in the kernel), or the TLS handshake or a TLS
  // record did (Connection::tlsError() says why). The owner should close.
  virtual void onConnectionError() = 0;
  // The output fell to the low watermark after watchDrain() was called.
  virtual void onWriteDrained() {}
  // An outbound connect() completed; with TLS, once the handshake has completed too, so the
  // connection is ready for requests.
  virtual void onConnected() {}
  // An accepted connection's TLS handshake completed: tlsInfo() has the ALPN, SNI and peer.
  virtual void onTlsHandshakeDone() {}
};

class Connection {
 public:
  // 32-bit: every idle connection carries them, and limits are far below 4 GiB.
  struct Watermarks {
    uint32_t read_high = 1 << 20;  // stop reading when the input holds this much
    uint32_t write_low = 1 << 19;  // onWriteDrained fires at or below this

    // Reading stops at `high` (capped at 4 GiB - 1); drain is reported at half of it.
    static Watermarks ofHigh(size_t high) {
      uint32_t capped = static_cast<uint32_t>(std::min<size_t>(high, UINT32_MAX));
      return {capped, capped / 2};
    }
  };

  // Adopts an accepted, connected socket (from network::Listener: non-blocking, TCP_NODELAY).
  Connection(event_base* base, int fd, ConnectionCallbacks& callbacks, Watermarks marks);
  // Starts connecting to `address`; onConnected or onConnectionError follows. `ok` is false when
  // the attempt failed at once (the owner then reports the failure itself).
  Connection(event_base* base, const Address& address, ConnectionCallbacks& callbacks,
             Watermarks marks, bool& ok);
  ~Connection();  // closes the socket; no callback follows
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  evbuffer* input() const { return input_; }
  evbuffer* output() const { return output_; }
  int fd() const { return fd_; }

  // Sends what output() holds once the current event's callbacks have run.
  void flush();
  // Stop / resume reading on the owner's behalf (independent of the input watermark). Over TLS
  // this holds the handshake too.
  void readDisable(bool disable);
  // The owner consumed input: reading resumes if the watermark had paused it.
  void resumeReading();
  // Calls onWriteDrained once the output falls to the low watermark.
  void watchDrain() { watch_drain_ = true; }
  // Stops reading and writing for good (the owner is about to destroy it). Over TLS, first
  // queues close_notify and makes one non-blocking attempt to send what is pending.
  void quiesce();

  // Switches to TLS with `session` (from a tls::ServerContext or tls::ClientContext). Call once:
  //   - accepted side: after sniffing a ClientHello; what input() already holds is taken as the
  //     first ciphertext. onTlsHandshakeDone follows (or onConnectionError).
  //   - connecting side: right after the connecting constructor. The ClientHello leaves once
  //     connected, and onConnected waits for the handshake; output() written before then is
  //     encrypted and sent after it.
  // A failed handshake sends OpenSSL's alert, is counted in the context's stats and reported
  // with onConnectionError.
  void startTls(std::unique_ptr<tls::Session> session);
  // The negotiated protocol, cipher, ALPN, SNI and peer identity; null without TLS or before
  // the handshake completed.
  const tls::TlsInfo* tlsInfo() const;
  // Why the TLS handshake or a record failed; empty otherwise.
  std::string_view tlsError() const;

 private:
  enum class ReadStatus { kData, kAgain, kEof, kError };

  static void onEvent(evutil_socket_t fd, short what, void* self);
  // `kicked`: run by kickTls rather than by the poller.
  void handleRead(bool kicked);
  void handleWrite();
  // Reads at most `want` bytes into `into`: straight into its free space once reads come in full
  // chunks (bulk transfers), else through a per-thread scratch buffer (readSmall).
  ReadStatus readSocket(evbuffer* into, size_t want);
  ReadStatus readSmall(evbuffer* into, size_t want);
  // What a read that returned `n` <= 0 means (errno is still the read's).
  ReadStatus failedRead(ssize_t n);
  // Writes `out` until it is empty or the send buffer is full; false on a socket error.
  bool writeSocket(evbuffer* out);
  // How much the next read may bring: the input's room, capped by the read chunk.
  size_t readAllowance() const;
  void pauseIfFull();
  void updateInterest();
  // Stops the event for good, without a goodbye (errors take this road).
  void stop();
  bool wantRead() const { return !read_disabled_ && !read_paused_ && !eof_ && !connecting_; }
  bool hasOutput() const;

  // TLS: the socket side of the session.
  void handleTlsRead(bool kicked);
  bool writeTls();
  // Handshake, then decryption of what the session holds; delivers the callbacks.
  void processTls();
  void failTls();
  // Runs handleRead from the loop when the session can make progress without the socket (bytes
  // already buffered, a handshake to start, a close to report).
  void kickTls();

  // Small fields share the words left over around fd_ and after event_: every idle connection
  // holds one Connection.
  event_base* base_;
  int fd_;
  short registered_ = 0;  // EV_READ / EV_WRITE currently registered with the poller
  bool write_scheduled_ = false;
  bool read_disabled_ = false;
  ConnectionCallbacks& callbacks_;
  Watermarks marks_;
  evbuffer* input_;
  evbuffer* output_;
  std::unique_ptr<tls::Session> tls_;  // null: plaintext
  ::event event_;                      // embedded: read and write interest of the socket
  bool read_paused_ = false;           // by the input watermark
  bool eof_ = false;                   // reported to the owner
  bool connecting_ = false;
  bool watch_drain_ = false;
  bool quiesced_ = false;
  bool last_read_full_ = false;  // the last read brought a full small chunk: read bigger
  bool tls_peer_done_ = false;   // TLS: the socket hit EOF or close_notify arrived
  bool drained_ = false;         // the last read found the socket empty or came back short
};

}  // namespace weft::network
