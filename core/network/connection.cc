// Connection: see connection.h.
#include "core/network/connection.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include "core/tls/tls_session.h"

namespace weft::network {

namespace {
// Reads start small (most requests and responses are small) and grow while the peer keeps the
// socket full, so bulk transfers need a quarter of the system calls.
constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kBulkReadChunk = 64 * 1024;
// TLS: the socket is not read while this much ciphertext waits for room to be decrypted into.
constexpr size_t kTlsReadAhead = kBulkReadChunk;
// Marks the activations kickTls makes (the event never has a timeout, so the flag is free).
constexpr short kKick = EV_TIMEOUT;

void setNoDelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}
}  // namespace

Connection::Connection(event_base* base, int fd, ConnectionCallbacks& callbacks, Watermarks marks)
    : base_(base),
      fd_(fd),
      callbacks_(callbacks),
      marks_(marks),
      input_(evbuffer_new()),
      output_(evbuffer_new()) {
  // TCP_NODELAY is already on: accepted sockets inherit it from the listening socket.
  event_assign(&event_, base_, fd_, EV_PERSIST, &Connection::onEvent, this);
  updateInterest();
}

Connection::Connection(event_base* base, const Address& address, ConnectionCallbacks& callbacks,
                       Watermarks marks, bool& ok)
    : base_(base),
      fd_(socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)),
      callbacks_(callbacks),
      marks_(marks),
      input_(evbuffer_new()),
      output_(evbuffer_new()) {
  event_assign(&event_, base_, fd_, EV_PERSIST, &Connection::onEvent, this);
  ok = fd_ >= 0;
  if (!ok) return;
  setNoDelay(fd_);
  if (::connect(fd_, address.sa(), address.length) != 0 && errno != EINPROGRESS) {
    ok = false;
    return;
  }
  connecting_ = true;
  updateInterest();
}

Connection::~Connection() {
  // With TLS the event may be active without being registered (kickTls).
  if (registered_ || write_scheduled_ || tls_) event_del(&event_);
  if (fd_ >= 0) ::close(fd_);
  evbuffer_free(input_);
  evbuffer_free(output_);
}

void Connection::quiesce() {
  if (tls_ && !quiesced_ && tls_->established()) {
    tls_->closeNotify();
    writeSocket(tls_->rawOutput());  // best effort: whatever the socket takes now
  }
  stop();
}

void Connection::stop() {
  quiesced_ = true;
  event_del(&event_);
  registered_ = 0;
  write_scheduled_ = false;
}

void Connection::flush() {
  if (write_scheduled_ || quiesced_ || connecting_ || (registered_ & EV_WRITE)) return;
  write_scheduled_ = true;
  event_active(&event_, EV_WRITE, 1);
}

void Connection::readDisable(bool disable) {
  read_disabled_ = disable;
  updateInterest();
}

void Connection::resumeReading() {
  if (read_paused_ && evbuffer_get_length(input_) < marks_.read_high) {
    read_paused_ = false;
    updateInterest();
  }
}

bool Connection::hasOutput() const {
  return evbuffer_get_length(output_) > 0 || (tls_ && evbuffer_get_length(tls_->rawOutput()) > 0);
}

void Connection::updateInterest() {
  if (quiesced_ || fd_ < 0) return;
  bool want_write = connecting_ || hasOutput();
  // Write interest stays off unless a write already hit a full send buffer (or we connect).
  short wanted =
      static_cast<short>((wantRead() ? EV_READ : 0) |
                         (want_write && (connecting_ || (registered_ & EV_WRITE)) ? EV_WRITE : 0));
  if (wanted == registered_) return;
  event_del(&event_);
  write_scheduled_ = false;
  event_assign(&event_, base_, fd_, static_cast<short>(wanted | EV_PERSIST), &Connection::onEvent,
               this);
  if (wanted) event_add(&event_, nullptr);
  registered_ = wanted;
  if (!connecting_ && hasOutput() && !(wanted & EV_WRITE)) flush();
  if (tls_) kickTls();  // event_del dropped any pending activation
}

void Connection::onEvent(evutil_socket_t, short what, void* self) {
  auto* c = static_cast<Connection*>(self);
  if (c->connecting_) {
    int error = 0;
    socklen_t len = sizeof(error);
    getsockopt(c->fd_, SOL_SOCKET, SO_ERROR, &error, &len);
    c->connecting_ = false;
    if (error != 0) {
      c->stop();
      c->callbacks_.onConnectionError();
      return;
    }
    c->updateInterest();
    if (c->tls_) {
      c->processTls();  // sends the ClientHello; onConnected follows the handshake
      return;
    }
    c->callbacks_.onConnected();
    return;
  }
  if (what & EV_WRITE) c->handleWrite();
  // Owners never destroy a Connection inside its callbacks (they defer), so `c` is still valid.
  if ((what & EV_READ) && !c->quiesced_) c->handleRead(what & kKick);
}

bool Connection::writeSocket(evbuffer* out) {
  while (evbuffer_get_length(out) > 0) {
    int n = evbuffer_write(out, fd_);
    if (n > 0) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    return false;
  }
  return true;
}

void Connection::handleWrite() {
  write_scheduled_ = false;
  if (!(tls_ ? writeTls() : writeSocket(output_))) {
    stop();
    callbacks_.onConnectionError();
    return;
  }
  bool pending = evbuffer_get_length(tls_ ? tls_->rawOutput() : output_) > 0;
  if (pending != static_cast<bool>(registered_ & EV_WRITE)) {
    // Register write interest while the send buffer is full; drop it once everything left.
    short wanted = static_cast<short>((registered_ & EV_READ) | (pending ? EV_WRITE : 0));
    event_del(&event_);
    event_assign(&event_, base_, fd_, static_cast<short>(wanted | EV_PERSIST), &Connection::onEvent,
                 this);
    if (wanted) event_add(&event_, nullptr);
    registered_ = wanted;
  }
  if (watch_drain_ && evbuffer_get_length(output_) <= marks_.write_low) {
    watch_drain_ = false;
    callbacks_.onWriteDrained();
  }
}

bool Connection::writeTls() {
  evbuffer* raw = tls_->rawOutput();
  for (;;) {
    if (!writeSocket(raw)) return false;
    if (evbuffer_get_length(raw) > 0) return true;  // the send buffer is full
    // Everything encrypted so far has left: encrypt the next piece of output().
    if (!tls_->encryptNext(output_)) return false;
    if (evbuffer_get_length(raw) == 0) return true;  // nothing more, or not before the handshake
  }
}

size_t Connection::readAllowance() const {
  size_t held = evbuffer_get_length(input_);
  size_t room = marks_.read_high > held ? marks_.read_high - held : 0;
  size_t chunk = last_read_full_ ? kBulkReadChunk : kReadChunk;
  return room < chunk ? room : chunk;
}

void Connection::pauseIfFull() {
  if (evbuffer_get_length(input_) >= marks_.read_high) {
    read_paused_ = true;
    updateInterest();
  }
}

Connection::ReadStatus Connection::readSocket(evbuffer* into, size_t want) {
  if (!last_read_full_) return readSmall(into, want < kReadChunk ? want : kReadChunk);
  evbuffer_iovec vec[2];
  int count = evbuffer_reserve_space(into, static_cast<ev_ssize_t>(want), vec, 2);
  if (count <= 0) return ReadStatus::kAgain;
  ssize_t n = readv(fd_, reinterpret_cast<iovec*>(vec), count);
  if (n <= 0) return failedRead(n);
  drained_ = static_cast<size_t>(n) < want;
  last_read_full_ = static_cast<size_t>(n) >= kReadChunk;  // stay bulk while reads stay big
  size_t left = static_cast<size_t>(n);
  int used_vectors = 0;
  for (int i = 0; i < count && left > 0; ++i, ++used_vectors) {
    size_t used = left < vec[i].iov_len ? left : vec[i].iov_len;
    vec[i].iov_len = used;
    left -= used;
  }
  evbuffer_commit_space(into, vec, used_vectors);
  return ReadStatus::kData;
}

Connection::ReadStatus Connection::readSmall(evbuffer* into, size_t want) {
  // Reserving space in an empty evbuffer makes a chain sized for `want` (a 32 KiB allocation for
  // a 16 KiB read) that is freed again as soon as the message is consumed; growing and trimming
  // the heap for it costs more than the request itself. A message that fits the worker's scratch
  // is copied once into a chain of its own size instead.
  thread_local char scratch[kReadChunk];
  ssize_t n = ::read(fd_, scratch, want);
  if (n <= 0) return failedRead(n);
  drained_ = static_cast<size_t>(n) < want;
  last_read_full_ = static_cast<size_t>(n) >= kReadChunk;
  evbuffer_add(into, scratch, static_cast<size_t>(n));
  return ReadStatus::kData;
}

Connection::ReadStatus Connection::failedRead(ssize_t n) {
  if (n == 0) return ReadStatus::kEof;
  drained_ = true;
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? ReadStatus::kAgain
                                                                   : ReadStatus::kError;
}

void Connection::handleRead(bool kicked) {
  if (tls_) {
    handleTlsRead(kicked);
    return;
  }
  size_t want = readAllowance();
  if (want == 0) {
    read_paused_ = true;
    updateInterest();
    return;
  }
  switch (readSocket(input_, want)) {
    case ReadStatus::kData:
      break;
    case ReadStatus::kAgain:
      return;
    case ReadStatus::kError:
      stop();
      callbacks_.onConnectionError();
      return;
    case ReadStatus::kEof:
      eof_ = true;
      updateInterest();
      callbacks_.onRemoteClose();
      return;
  }
  pauseIfFull();
  callbacks_.onReadable();
}

void Connection::startTls(std::unique_ptr<tls::Session> session) {
  tls_ = std::move(session);
  evbuffer_add_buffer(tls_->rawInput(), input_);  // bytes already read are the first records
  read_paused_ = false;
  updateInterest();
  kickTls();
}

const tls::TlsInfo* Connection::tlsInfo() const { return tls_ ? tls_->info() : nullptr; }

std::string_view Connection::tlsError() const {
  return tls_ ? std::string_view(tls_->error()) : std::string_view();
}

void Connection::kickTls() {
  if (quiesced_ || connecting_ || !wantRead()) return;
  if (tls_->established() && !tls_->hasBufferedInput() && !tls_peer_done_) return;
  event_active(&event_, EV_READ | kKick, 1);
}

void Connection::handleTlsRead(bool kicked) {
  // A kick after a short read skips the socket: it had nothing more then, and the poller reports
  // anything that arrived since (a read here would mostly fail with EAGAIN).
  if (!(kicked && drained_) && !tls_peer_done_ &&
      evbuffer_get_length(tls_->rawInput()) < kTlsReadAhead && readAllowance() > 0) {
    switch (readSocket(tls_->rawInput(), last_read_full_ ? kBulkReadChunk : kReadChunk)) {
      case ReadStatus::kData:
      case ReadStatus::kAgain:
        break;
      case ReadStatus::kError:
        stop();
        callbacks_.onConnectionError();
        return;
      case ReadStatus::kEof:
        tls_peer_done_ = true;
        break;
    }
  }
  processTls();
}

void Connection::processTls() {
  using Session = tls::Session;
  if (!tls_->established()) {
    Session::Handshake state = tls_->handshake();
    if (state == Session::Handshake::kPending && tls_peer_done_) {
      tls_->abortHandshake("the peer closed the connection during the handshake");
      state = Session::Handshake::kFailed;
    }
    if (state == Session::Handshake::kFailed) {
      failTls();
      return;
    }
    if (hasOutput()) flush();
    if (state == Session::Handshake::kPending) return;
    if (tls_->role() == Session::Role::kClient) {
      callbacks_.onConnected();
    } else {
      callbacks_.onTlsHandshakeDone();
    }
    if (quiesced_) return;
  }
  const size_t before = evbuffer_get_length(input_);
  const Session::Read result =
      tls_->decrypt(input_, marks_.read_high > before ? marks_.read_high - before : 0);
  if (result == Session::Read::kFailed) {
    failTls();
    return;
  }
  if (evbuffer_get_length(tls_->rawOutput()) > 0) flush();  // e.g. the reply to a key update
  if (result == Session::Read::kClosed) tls_peer_done_ = true;
  pauseIfFull();
  if (evbuffer_get_length(input_) > before) {
    callbacks_.onReadable();
    if (quiesced_) return;
  }
  // The close is reported once everything before it is in input() and the owner reads again.
  if (tls_peer_done_ && !eof_ && result != Session::Read::kFull && wantRead()) {
    eof_ = true;
    updateInterest();
    callbacks_.onRemoteClose();
  }
}

void Connection::failTls() {
  writeSocket(tls_->rawOutput());  // the alert, best effort
  // Bytes the peer already sent would make close() answer with a reset, which can destroy the
  // alert before the peer reads it: end our side after the alert and discard what is unread.
  ::shutdown(fd_, SHUT_WR);
  char discard[4096];
  while (::recv(fd_, discard, sizeof(discard), MSG_DONTWAIT) > 0) {
  }
  stop();
  callbacks_.onConnectionError();
}

}  // namespace weft::network
