// HealthCheckSession: the check cycle of one endpoint — wait for the interval, connect, send the
// script's request, read the reply until the script reaches a verdict, close — with a timeout per
// check. Each check uses a new connection, closed as soon as its verdict is known.
//
// A check fails as a network failure when the connection cannot be made or breaks, the peer closes
// before a verdict, the timeout passes, or the reply is not an answer (HealthCheckScript::
// kBadReply); it fails plainly when the answer says unhealthy.
//
// With a TLS context, each check runs over TLS (as the cluster's traffic does): the handshake is
// part of the check, and its failure is a network failure.
//
// Owned by a HealthChecker, on its event loop's thread. The verdict is delivered from a timer
// after the connection has been closed, never from inside a connection callback, and the session
// touches nothing after delivering it, so the owner may destroy the session (or itself) there.
// Destroying a session cancels its check in flight: the socket is closed and no callback follows.
#pragma once

#include <event2/event.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/event/event_loop.h"
#include "core/network/address.h"
#include "core/network/connection.h"
#include "core/tls/client_context.h"
#include "core/upstream/health_check_script.h"

namespace weft::upstream {

enum class CheckResult { kSuccess, kFailure, kNetworkFailure };

class HealthCheckSession : private network::ConnectionCallbacks {
 public:
  class Owner {
   public:
    virtual ~Owner() = default;
    // How long to wait before the next check (the interval plus its jitter).
    virtual uint64_t nextIntervalMs() = 0;
    // One check of endpoint `host` ended; the next one is already scheduled.
    virtual void onCheckDone(size_t host, CheckResult result) = 0;
  };

  // `script`, `tls` (null: plaintext) and `owner` outlive the session. `name` ("ip:port") is
  // the endpoint's name, its key for TLS session resumption.
  HealthCheckSession(event_base* base, const HealthCheckScript& script, uint32_t timeout_ms,
                     size_t host, const network::Address& address, std::string name,
                     tls::ClientContext* tls, Owner& owner);
  ~HealthCheckSession() override;

  // Starts the first check after `delay_ms`.
  void start(uint64_t delay_ms) { interval_timer_.arm(delay_ms); }

 private:
  // network::ConnectionCallbacks
  void onConnected() override;
  void onReadable() override;
  void onWriteDrained() override;
  void onRemoteClose() override;
  void onConnectionError() override;

  void beginCheck();
  void onTimeout() { finish(CheckResult::kNetworkFailure); }
  // Settles the check in flight (the first call wins) and closes its connection.
  void finish(CheckResult result);
  // From the done timer: frees the connection, schedules the next check, reports.
  void deliver();

  event_base* base_;
  const HealthCheckScript& script_;
  uint32_t timeout_ms_;
  size_t host_;
  network::Address address_;
  std::string name_;
  tls::ClientContext* tls_;
  Owner& owner_;
  event::Timer interval_timer_;
  event::Timer timeout_timer_;
  event::Timer done_timer_;
  std::unique_ptr<network::Connection> connection_;  // while a check is in flight
  bool settled_ = false;  // the check in flight has its verdict; waiting for the done timer
  CheckResult result_ = CheckResult::kSuccess;
};

}  // namespace weft::upstream
