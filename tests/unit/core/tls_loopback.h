// Test harness for TLS over network::Connection: a listener on 127.0.0.1 (port chosen at run
// time) and both ends of every connection on one libevent loop in the test's thread.
//
//   TlsLoopback net;
//   net.serve(&server_context, Peer::Role::kEcho);           // accepted sockets sniff a
//   ClientHello Peer& client = net.connect(client_context, "api.local");  // TLS client,
//   ClientHello on connect BOOST_REQUIRE(net.runUntil([&] { return client.connected; }));
//
// runUntil never sleeps: it runs the loop until the condition holds, and gives up (false) after
// 10 s so a broken transport fails the test instead of hanging it.
#pragma once

#include <event2/event.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/event/event_loop.h"
#include "core/network/connection.h"
#include "core/network/listener.h"
#include "core/tls/client_context.h"
#include "core/tls/server_context.h"

namespace weft::testing {

// One end of a connection: records what its Connection reports and plays a small application.
class Peer : public network::ConnectionCallbacks {
 public:
  enum class Role {
    kCollect,  // keeps everything it reads in `received`
    kEcho,     // writes everything it reads back, pausing reads while echo_limit bytes wait
  };
  explicit Peer(Role role) : role_(role) {}

  network::Connection& connection() { return *connection_; }
  // Set once by the harness.
  void attach(std::unique_ptr<network::Connection> connection);
  // A server end sniffs its first bytes: a TLS ClientHello starts TLS with `context`.
  void sniffWith(tls::ServerContext* context) { sniff_ = context; }

  void send(std::string_view data);
  // The TLS details; fails the test when the handshake has not completed.
  const tls::TlsInfo& info();

  bool connected = false;            // onConnected (with TLS: after the handshake)
  bool handshake_done = false;       // onTlsHandshakeDone
  bool tls_info_at_connect = false;  // tlsInfo() was there when onConnected fired
  bool remote_closed = false;
  bool failed = false;  // onConnectionError
  std::string received;
  size_t largest_input = 0;  // the most input() ever held in onReadable
  size_t echo_limit = 256 * 1024;

  void onReadable() override;
  void onRemoteClose() override { remote_closed = true; }
  void onConnectionError() override { failed = true; }
  void onWriteDrained() override;
  void onConnected() override;
  void onTlsHandshakeDone() override { handshake_done = true; }

 private:
  void echo();

  Role role_;
  tls::ServerContext* sniff_ = nullptr;
  bool sniffed_ = false;
  std::unique_ptr<network::Connection> connection_;
};

class TlsLoopback {
 public:
  TlsLoopback();
  ~TlsLoopback();

  event_base* base() const { return loop_.base(); }
  uint16_t port() const { return port_; }

  // How accepted connections are served: each becomes a Peer in servers(); with a context it
  // sniffs for a ClientHello and starts TLS.
  void serve(tls::ServerContext* context, Peer::Role role,
             network::Connection::Watermarks marks = {});
  // A TLS client to the listener, with a session for `host` and `endpoint_key`.
  Peer& connect(tls::ClientContext& context, std::string_view host = "127.0.0.1",
                std::string_view endpoint_key = "127.0.0.1",
                network::Connection::Watermarks marks = {});

  const std::vector<std::unique_ptr<Peer>>& servers() const { return servers_; }
  const std::vector<std::unique_ptr<Peer>>& clients() const { return clients_; }

  // Runs the loop until `done()` holds: true, or false after 10 s.
  bool runUntil(const std::function<bool()>& done);

 private:
  event::EventLoop loop_;
  std::unique_ptr<network::Listener> listener_;
  uint16_t port_ = 0;
  tls::ServerContext* server_context_ = nullptr;
  Peer::Role server_role_ = Peer::Role::kCollect;
  network::Connection::Watermarks server_marks_;
  std::vector<std::unique_ptr<Peer>> servers_;
  std::vector<std::unique_ptr<Peer>> clients_;
};

// A blocking socket connected to 127.0.0.1:`port`, with a 10 s receive timeout; -1 on failure.
int connectBlocking(uint16_t port);

}  // namespace weft::testing
