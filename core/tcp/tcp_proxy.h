// TCP proxy session: the data path of a `protocol: tcp` listener. Copies bytes both ways between
// one accepted downstream connection and one upstream endpoint, with
//   - backpressure: when the bytes queued toward one side pass high_watermark, reading from the
//     other side stops until the queue drains below half of it, so a session holds at most about
//     2 x high_watermark in user space whatever the peers do;
//   - half-close: when one side ends its stream (EOF), what is queued toward the other side is
//     flushed, then that side's sending direction is shut (shutdown(SHUT_WR)); the reverse
//     direction keeps running until it ends too;
//   - timeouts: connect (upstream not connected in time) and idle (no byte moved in either
//     direction for that long);
//   - stats: connections, active connections, connect failures, idle timeouts, bytes each way.
// Downstream bytes that arrive before the upstream connects are queued (bounded by the
// watermark) and sent once it connects.
//
// Threading: a session lives on the event_base it was started on; startTcpProxy and every
// callback run on that base's thread. The stats may be shared by sessions on many threads (their
// updates are atomic). The process must ignore SIGPIPE (writes to a reset peer then fail with
// EPIPE instead of killing it).
#pragma once

#include <event2/event.h>
#include <event2/util.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <functional>

#include "core/stats/stats.h"

namespace weft::tcp {

// Counters a listener hands to its sessions; the session updates them, never owns them.
struct TcpProxyStats {
  stats::Counter& cx_total;      // sessions started
  stats::Gauge& cx_active;       // sessions alive now
  stats::Counter& connect_fail;  // upstream connect refused, failed or timed out
  stats::Counter& idle_timeout;  // sessions closed by the idle timeout
  stats::Counter& bytes_rx;      // bytes read from downstream (sent toward the upstream)
  stats::Counter& bytes_tx;      // bytes read from the upstream (sent toward downstream)
};

struct TcpProxyOptions {
  uint32_t connect_timeout_ms = 5000;      // 0: no limit beyond the kernel's
  uint32_t idle_timeout_ms = 3600 * 1000;  // 0: never idle out
  size_t high_watermark = 1 << 20;         // bytes queued toward one side before pausing; > 0
};

// Takes ownership of the accepted socket `fd` and connects to `upstream` (upstream_len bytes of
// a sockaddr_in or sockaddr_in6). The session frees itself when both directions have ended, or
// at once on a connect failure or timeout (downstream is closed), a read or write error on either
// side (both closed), or the idle timeout (both closed); then it calls `on_closed` on the base's
// thread. `on_closed` is never called from inside startTcpProxy. `stats` must outlive the
// session; `options` is copied.
void startTcpProxy(event_base* base, evutil_socket_t fd, const sockaddr* upstream,
                   socklen_t upstream_len, const TcpProxyOptions& options, TcpProxyStats& stats,
                   std::function<void()> on_closed);

}  // namespace weft::tcp
