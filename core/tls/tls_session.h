// Session: one TLS connection — its SSL object and the two ciphertext buffers OpenSSL reads and
// writes through (evbuffer_bio.h). A ServerContext or ClientContext makes it; network::Connection
// takes it in startTls() and from then on moves bytes between the socket and rawInput() /
// rawOutput(), while the session turns them into plaintext and back. The session knows nothing
// of sockets, so it is driven the same way on either side and in tests.
//
// Lifetime: owned by its connection, on that connection's worker (not thread-safe). It keeps the
// context generation that made it alive (the OpenSSL callbacks of its SSL point into it), so a
// reload or a config change never pulls state from under an open connection.
#pragma once

#include <event2/buffer.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "core/event/event_loop.h"
#include "core/tls/openssl.h"
#include "core/tls/peer_identity.h"
#include "core/tls/tls_stats.h"

namespace weft::tls {

class Session {
 public:
  enum class Role { kServer, kClient };

  // Adopts `ssl`, configured by a context for `role`. `stats` are counted into and also keep
  // alive whatever the context's callbacks on this SSL use (point it into that state with the
  // shared_ptr aliasing constructor).
  Session(SslPtr ssl, Role role, std::shared_ptr<const TlsStats> stats);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // The session behind an SSL, for the contexts' OpenSSL callbacks.
  static Session* of(const SSL* ssl);

  Role role() const { return role_; }
  evbuffer* rawInput() const { return raw_input_.get(); }    // ciphertext received, not yet read
  evbuffer* rawOutput() const { return raw_output_.get(); }  // ciphertext to send

  enum class Handshake { kPending, kDone, kFailed };
  // Advances the handshake with what rawInput() holds; what to send lands in rawOutput() (after a
  // failure: the alert). kDone and kFailed are counted in the stats; kDone happens once.
  Handshake handshake();
  bool established() const { return info_.has_value(); }

  enum class Read {
    kNeedInput,  // rawInput() holds no complete record any more
    kFull,       // `max` bytes were added
    kClosed,     // the peer sent close_notify
    kFailed,     // a bad record: error() says why; the alert is in rawOutput()
  };
  // Decrypts application data into `plain`, adding at most `max` bytes (SSL_read reads one record
  // at a time, so the ciphertext left in rawInput() stays there). Records that are not data
  // (TLS 1.3 session tickets, key updates) are handled on the way; a reply may land in
  // rawOutput().
  Read decrypt(evbuffer* plain, size_t max);
  // Whether decrypt() could add bytes without new ciphertext.
  bool hasBufferedInput() const;

  // Feeds the output side, called each time rawOutput() has been sent in full: drops from
  // `plain` the bytes whose records just left, then encrypts up to 64 KiB more of `plain` into
  // rawOutput(), leaving those bytes in `plain` until their records leave in turn. So `plain`
  // holds exactly what has not reached the socket, and its length keeps meaning "unsent" for
  // the owner's watermarks. Nothing is encrypted before the handshake is done. False when
  // OpenSSL fails (error() says why).
  bool encryptNext(evbuffer* plain);

  // Queues close_notify in rawOutput(): once, and only on an established, healthy session.
  void closeNotify();
  // Records why the connection failed during the handshake for a reason the session could not
  // see (the peer closed the socket); counted as a connection error.
  void abortHandshake(std::string reason);

  // Protocol, cipher, ALPN, SNI and peer identity; null until the handshake is done.
  const TlsInfo* info() const { return info_ ? &*info_ : nullptr; }
  // Why the handshake or a record failed (for logs); empty while all is well.
  const std::string& error() const { return error_; }

  // Hooks for the contexts' callbacks.
  void markNoCommonAlpn() { no_common_alpn_ = true; }
  void setResumptionKey(std::string key) { resumption_key_ = std::move(key); }
  const std::string& resumptionKey() const { return resumption_key_; }

 private:
  void fail();  // classifies, counts and records the error OpenSSL just reported
  void complete();

  // Declared so that the SSL (whose BIOs point at the buffers) goes first, the context last.
  std::shared_ptr<const TlsStats> stats_;
  event::EvbufferPtr raw_input_;
  event::EvbufferPtr raw_output_;
  SslPtr ssl_;
  Role role_;
  size_t in_flight_ = 0;  // plaintext bytes encrypted into rawOutput() but not yet sent
  std::optional<TlsInfo> info_;
  std::string error_;
  std::string resumption_key_;  // client side: the endpoint this session may be resumed with
  bool failed_ = false;
  bool shut_down_ = false;
  bool no_common_alpn_ = false;
};

using SessionPtr = std::unique_ptr<Session>;

}  // namespace weft::tls
