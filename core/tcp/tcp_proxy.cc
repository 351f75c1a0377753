// TCP proxy session: two socket bufferevents joined back to back (see tcp_proxy.h).
#include "core/tcp/tcp_proxy.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <chrono>
#include <utility>

namespace weft::tcp {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxSingleRead = 64 * 1024;

timeval toTimeval(Clock::duration d) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  if (us < 0) us = 0;
  return timeval{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
}

// One proxied connection. Owns both sockets (through their bufferevents) and its timers; frees
// itself in close(), which every callback calls last.
class Session {
 public:
  Session(event_base* base, const TcpProxyOptions& options, TcpProxyStats& stats,
          std::function<void()> on_closed)
      : base_(base), options_(options), stats_(stats), on_closed_(std::move(on_closed)) {
    if (options_.high_watermark == 0) options_.high_watermark = TcpProxyOptions().high_watermark;
    stats_.cx_total.inc();
    stats_.cx_active.add(1);
    connect_timer_ = evtimer_new(base_, &Session::onConnectTimer, this);
    idle_timer_ = evtimer_new(base_, &Session::onIdleTimer, this);
  }

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start(evutil_socket_t fd, const sockaddr* upstream, socklen_t upstream_len) {
    down_.bev = newBufferevent(fd);
    evutil_socket_t up_fd = socket(upstream->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    up_.bev = up_fd >= 0 ? newBufferevent(up_fd) : nullptr;
    if (down_.bev == nullptr || up_.bev == nullptr ||
        bufferevent_socket_connect(up_.bev, upstream, static_cast<int>(upstream_len)) != 0) {
      // Reported from the loop, so on_closed never runs inside startTcpProxy.
      event_active(connect_timer_, EV_TIMEOUT, 1);
      return;
    }
    bufferevent_enable(down_.bev, EV_READ | EV_WRITE);
    bufferevent_enable(up_.bev, EV_READ | EV_WRITE);
    if (options_.connect_timeout_ms > 0) {
      timeval after = toTimeval(std::chrono::milliseconds(options_.connect_timeout_ms));
      evtimer_add(connect_timer_, &after);
    }
    last_activity_ = Clock::now();
    armIdleTimer(std::chrono::milliseconds(options_.idle_timeout_ms));
  }

 private:
  struct Side {
    bufferevent* bev = nullptr;
    bool read_eof = false;    // the peer ended its sending direction
    bool write_shut = false;  // we ended our sending direction toward the peer
    bool paused = false;      // reading stopped because the other side's queue is full
  };

  // A socket bufferevent with TCP_NODELAY and the write watermark at half the high watermark
  // (the write callback, which resumes the paused reader, runs once the queue drains that far).
  // Closes `fd` if it cannot be created.
  bufferevent* newBufferevent(evutil_socket_t fd) {
    evutil_make_socket_nonblocking(fd);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    bufferevent* bev = bufferevent_socket_new(base_, fd, BEV_OPT_CLOSE_ON_FREE);
    if (bev == nullptr) {
      evutil_closesocket(fd);
      return nullptr;
    }
    bufferevent_setcb(bev, &Session::onRead, &Session::onWrite, &Session::onEvent, this);
    bufferevent_setwatermark(bev, EV_WRITE, options_.high_watermark / 2, 0);
    bufferevent_set_max_single_read(bev, kMaxSingleRead);
    return bev;
  }

  Side& sideOf(bufferevent* bev) { return bev == down_.bev ? down_ : up_; }
  Side& peerOf(const Side& side) { return &side == &down_ ? up_ : down_; }

  // Data arrived on `from`: move it (without copying) to the other side's output queue, and stop
  // reading when that queue is full.
  static void onRead(bufferevent* bev, void* arg) {
    auto* self = static_cast<Session*>(arg);
    Side& from = self->sideOf(bev);
    Side& to = self->peerOf(from);
    evbuffer* input = bufferevent_get_input(bev);
    evbuffer* queue = bufferevent_get_output(to.bev);
    size_t n = evbuffer_get_length(input);
    (&from == &self->down_ ? self->stats_.bytes_rx : self->stats_.bytes_tx).inc(n);
    self->last_activity_ = Clock::now();
    evbuffer_add_buffer(queue, input);
    if (evbuffer_get_length(queue) >= self->options_.high_watermark) {
      from.paused = true;
      bufferevent_disable(bev, EV_READ);
    }
  }

  // `to`'s queue drained below half the watermark: resume its source, and finish a half-close
  // once the queue is empty.
  static void onWrite(bufferevent* bev, void* arg) {
    auto* self = static_cast<Session*>(arg);
    Side& to = self->sideOf(bev);
    Side& from = self->peerOf(to);
    self->last_activity_ = Clock::now();
    if (from.paused) {
      from.paused = false;
      if (!from.read_eof) bufferevent_enable(from.bev, EV_READ);
    }
    self->propagateEof(from, to);
  }

  static void onEvent(bufferevent* bev, short what, void* arg) {
    auto* self = static_cast<Session*>(arg);
    Side& side = self->sideOf(bev);
    if ((what & BEV_EVENT_CONNECTED) != 0) {
      self->connected_ = true;
      evtimer_del(self->connect_timer_);
      self->propagateEof(self->down_, self->up_);  // downstream may have ended already
      return;
    }
    if ((what & BEV_EVENT_EOF) != 0) {
      side.read_eof = true;
      self->propagateEof(side, self->peerOf(side));
      return;
    }
    if (&side == &self->up_ && !self->connected_) self->stats_.connect_fail.inc();
    self->close();
  }

  static void onConnectTimer(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<Session*>(arg);
    self->stats_.connect_fail.inc();
    self->close();
  }

  static void onIdleTimer(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<Session*>(arg);
    auto limit = std::chrono::milliseconds(self->options_.idle_timeout_ms);
    auto idle = Clock::now() - self->last_activity_;
    if (idle < limit) {
      self->armIdleTimer(limit - idle);
      return;
    }
    self->stats_.idle_timeout.inc();
    self->close();
  }

  void armIdleTimer(Clock::duration after) {
    if (options_.idle_timeout_ms == 0) return;
    timeval tv = toTimeval(after);
    evtimer_add(idle_timer_, &tv);
  }

  // When `from` has ended and everything it sent has left toward `to`, shut `to`'s sending
  // direction; when both directions are shut, the session is over.
  void propagateEof(Side& from, Side& to) {
    if (!from.read_eof || to.write_shut) return;
    if (&to == &up_ && !connected_) return;
    if (evbuffer_get_length(bufferevent_get_output(to.bev)) > 0) return;
    shutdown(bufferevent_getfd(to.bev), SHUT_WR);
    to.write_shut = true;
    if (down_.write_shut && up_.write_shut) close();
  }

  void close() {
    if (down_.bev != nullptr) bufferevent_free(down_.bev);
    if (up_.bev != nullptr) bufferevent_free(up_.bev);
    event_free(connect_timer_);
    event_free(idle_timer_);
    stats_.cx_active.sub(1);
    std::function<void()> on_closed = std::move(on_closed_);
    delete this;
    if (on_closed) on_closed();
  }

  event_base* base_;
  TcpProxyOptions options_;
  TcpProxyStats& stats_;
  std::function<void()> on_closed_;
  Side down_;
  Side up_;
  bool connected_ = false;
  event* connect_timer_ = nullptr;
  event* idle_timer_ = nullptr;
  Clock::time_point last_activity_;  // the last read or drained write on either side
};

}  // namespace

void startTcpProxy(event_base* base, evutil_socket_t fd, const sockaddr* upstream,
                   socklen_t upstream_len, const TcpProxyOptions& options, TcpProxyStats& stats,
                   std::function<void()> on_closed) {
  auto* session = new Session(base, options, stats, std::move(on_closed));
  session->start(fd, upstream, upstream_len);
}

}  // namespace weft::tcp
