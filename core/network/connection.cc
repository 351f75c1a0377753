// Connection: see connection.h.
#include "core/network/connection.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace weft::network {

namespace {
// Reads start small (most requests and responses are small) and grow while the peer keeps the
// socket full, so bulk transfers need a quarter of the system calls.
constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kBulkReadChunk = 64 * 1024;

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
  setNoDelay(fd_);
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
  if (registered_ || write_scheduled_) event_del(&event_);
  if (fd_ >= 0) ::close(fd_);
  evbuffer_free(input_);
  evbuffer_free(output_);
}

void Connection::quiesce() {
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

void Connection::updateInterest() {
  if (quiesced_ || fd_ < 0) return;
  bool want_write = connecting_ || evbuffer_get_length(output_) > 0;
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
  if (!connecting_ && evbuffer_get_length(output_) > 0 && !(wanted & EV_WRITE)) flush();
}

void Connection::onEvent(evutil_socket_t, short what, void* self) {
  auto* c = static_cast<Connection*>(self);
  if (c->connecting_) {
    int error = 0;
    socklen_t len = sizeof(error);
    getsockopt(c->fd_, SOL_SOCKET, SO_ERROR, &error, &len);
    c->connecting_ = false;
    if (error != 0) {
      c->quiesce();
      c->callbacks_.onConnectionError();
      return;
    }
    c->updateInterest();
    c->callbacks_.onConnected();
    return;
  }
  if (what & EV_WRITE) c->handleWrite();
  // Owners never destroy a Connection inside its callbacks (they defer), so `c` is still valid.
  if ((what & EV_READ) && !c->quiesced_) c->handleRead();
}

void Connection::handleWrite() {
  write_scheduled_ = false;
  while (evbuffer_get_length(output_) > 0) {
    int n = evbuffer_write(output_, fd_);
    if (n > 0) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    quiesce();
    callbacks_.onConnectionError();
    return;
  }
  bool pending = evbuffer_get_length(output_) > 0;
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

void Connection::handleRead() {
  size_t room = marks_.read_high > evbuffer_get_length(input_)
                    ? marks_.read_high - evbuffer_get_length(input_)
                    : 0;
  size_t chunk = last_read_full_ ? kBulkReadChunk : kReadChunk;
  size_t want = room < chunk ? room : chunk;
  if (want == 0) {
    read_paused_ = true;
    updateInterest();
    return;
  }
  evbuffer_iovec vec[2];
  int count = evbuffer_reserve_space(input_, static_cast<ev_ssize_t>(want), vec, 2);
  if (count <= 0) return;
  ssize_t n = readv(fd_, reinterpret_cast<iovec*>(vec), count);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    quiesce();
    callbacks_.onConnectionError();
    return;
  }
  if (n == 0) {
    eof_ = true;
    updateInterest();
    callbacks_.onRemoteClose();
    return;
  }
  last_read_full_ = static_cast<size_t>(n) >= kReadChunk;  // stay bulk while reads stay big
  size_t left = static_cast<size_t>(n);
  int used_vectors = 0;
  for (int i = 0; i < count && left > 0; ++i, ++used_vectors) {
    size_t used = left < vec[i].iov_len ? left : vec[i].iov_len;
    vec[i].iov_len = used;
    left -= used;
  }
  evbuffer_commit_space(input_, vec, used_vectors);
  if (evbuffer_get_length(input_) >= marks_.read_high) {
    read_paused_ = true;
    updateInterest();
  }
  callbacks_.onReadable();
}

}  // namespace weft::network
