// Tests of active health checking (core/upstream/health_checker.h) against real servers on
// loopback ports chosen at run time, driven by the test's own event loop: thresholds both ways,
// timeouts, refused connections, TCP send / receive, replies that are not HTTP or never end,
// state carried across a reload, destruction with checks in flight, and checks over the cluster's
// TLS. Intervals are tens of
// milliseconds; the tests wait for events (with a generous bound), never for fixed times.
#include "core/upstream/health_checker.h"

#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <csignal>
#include <functional>
#include <list>
#include <string>

#include "core/event/event_loop.h"
#include "core/stats/stats.h"
#include "core/tls/server_context.h"
#include "tests/support/test_certs.h"
#include "tests/unit/core/tls_loopback.h"

namespace weft::upstream {
namespace {

using namespace std::chrono_literals;

// Writes to a socket the peer reset (checker or server) must fail with EPIPE, not kill the test.
struct IgnoreSigpipe {
  IgnoreSigpipe() { std::signal(SIGPIPE, SIG_IGN); }
};
BOOST_TEST_GLOBAL_FIXTURE(IgnoreSigpipe);

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
const std::string kUnavailable = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";

// What a ScriptedServer does with a connection.
struct Behaviour {
  enum class Action { kReply, kSilent, kCloseAtOnce } action = Action::kReply;
  std::string reply;                 // kReply: written once `trigger` has arrived
  std::string trigger = "\r\n\r\n";  // empty: reply as soon as the connection is accepted
  bool close_after_reply = true;
};

Behaviour reply(std::string text, bool close_after = true) {
  return {Behaviour::Action::kReply, std::move(text), "\r\n\r\n", close_after};
}
Behaviour silent() { return {Behaviour::Action::kSilent, "", "", false}; }

// A TCP server on 127.0.0.1 and an ephemeral port, run by the test's loop. Its behaviour is read
// each time it acts, so a test can change it between checks.
class ScriptedServer {
 public:
  ScriptedServer(event_base* base, Behaviour behaviour) : behaviour_(std::move(behaviour)) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    listener_ = evconnlistener_new_bind(base, &ScriptedServer::onAccept, this,
                                        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 64,
                                        reinterpret_cast<sockaddr*>(&sin), sizeof(sin));
    BOOST_REQUIRE(listener_ != nullptr);
    address_ = network::localAddressOf(evconnlistener_get_fd(listener_));
  }
  ~ScriptedServer() {
    for (Peer& peer : peers_) bufferevent_free(peer.bev);
    evconnlistener_free(listener_);
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  void set(Behaviour behaviour) { behaviour_ = std::move(behaviour); }
  const network::Address& address() const { return address_; }
  size_t accepted() const { return accepted_; }
  size_t closed() const { return closed_; }  // connections ended, by either side
  const std::string& lastRequest() const { return last_request_; }

 private:
  struct Peer {
    ScriptedServer* server = nullptr;
    bufferevent* bev = nullptr;
    std::string received;
    bool replied = false;
    bool closing = false;
    std::list<Peer>::iterator self;
  };

  static void onAccept(evconnlistener* listener, evutil_socket_t fd, sockaddr*, int, void* arg) {
    auto* server = static_cast<ScriptedServer*>(arg);
    ++server->accepted_;
    if (server->behaviour_.action == Behaviour::Action::kCloseAtOnce) {
      close(fd);
      ++server->closed_;
      return;
    }
    Peer& peer = server->peers_.emplace_back();
    peer.server = server;
    peer.self = std::prev(server->peers_.end());
    peer.bev = bufferevent_socket_new(evconnlistener_get_base(listener), fd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(peer.bev, &ScriptedServer::onRead, &ScriptedServer::onWrite,
                      &ScriptedServer::onEvent, &peer);
    bufferevent_enable(peer.bev, EV_READ | EV_WRITE);
    server->maybeReply(peer);
  }
  static void onRead(bufferevent* bev, void* arg) {
    auto& peer = *static_cast<Peer*>(arg);
    evbuffer* input = bufferevent_get_input(bev);
    const size_t length = evbuffer_get_length(input);
    peer.received.append(reinterpret_cast<const char*>(evbuffer_pullup(input, length)), length);
    evbuffer_drain(input, length);
    peer.server->last_request_ = peer.received;
    peer.server->maybeReply(peer);
  }
  static void onWrite(bufferevent*, void* arg) {
    auto& peer = *static_cast<Peer*>(arg);
    if (peer.closing) peer.server->drop(peer);
  }
  static void onEvent(bufferevent*, short what, void* arg) {
    auto& peer = *static_cast<Peer*>(arg);
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) peer.server->drop(peer);
  }

  void maybeReply(Peer& peer) {
    if (behaviour_.action != Behaviour::Action::kReply || peer.replied ||
        peer.received.find(behaviour_.trigger) == std::string::npos) {
      return;
    }
    peer.replied = true;
    peer.closing = behaviour_.close_after_reply;
    bufferevent_write(peer.bev, behaviour_.reply.data(), behaviour_.reply.size());
  }
  void drop(Peer& peer) {
    ++closed_;
    bufferevent_free(peer.bev);
    peers_.erase(peer.self);
  }

  Behaviour behaviour_;
  evconnlistener* listener_ = nullptr;
  network::Address address_;
  std::list<Peer> peers_;
  size_t accepted_ = 0;
  size_t closed_ = 0;
  std::string last_request_;
};

// A port bound on 127.0.0.1 where nothing listens: connections to it are refused. Holding it
// bound keeps anyone else from listening there during the test.
class RefusingPort {
 public:
  RefusingPort() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&sin), sizeof(sin)) == 0);
    address_ = network::localAddressOf(fd_);
  }
  ~RefusingPort() { close(fd_); }
  const network::Address& address() const { return address_; }

 private:
  int fd_;
  network::Address address_;
};

struct Transition {
  size_t host;
  bool healthy;
  HealthCheckStats stats;  // the checker's counters when it was reported
};

// One checker and the transitions it reported.
struct Recorder {
  HealthCheckerPtr checker;
  std::vector<Transition> transitions;
  std::function<void()> after_transition;   // optional, run at the end of each callback
  std::shared_ptr<tls::ClientContext> tls;  // optional: check over TLS

  HealthChecker& make(event_base* base, const config::HealthCheck& config,
                      const std::vector<network::Address>& endpoints) {
    std::vector<std::string> names;
    for (const network::Address& endpoint : endpoints) names.push_back(endpoint.toString());
    checker = std::make_unique<HealthChecker>(
        base, config, "backend", endpoints, names, tls,
        [this](size_t host, bool healthy) {
          transitions.push_back({host, healthy, checker->stats()});
          if (after_transition) after_transition();
        },
        /*seed=*/42);
    return *checker;
  }
  size_t countFor(size_t host) const {
    size_t count = 0;
    for (const Transition& t : transitions) count += t.host == host ? 1 : 0;
    return count;
  }
};

config::HealthCheck httpCheck(uint32_t healthy, uint32_t unhealthy, uint32_t timeout_ms = 2000) {
  config::HealthCheck check;
  check.interval_ms = 20;
  check.interval_jitter_ms = 10;
  check.timeout_ms = timeout_ms;
  check.healthy_threshold = healthy;
  check.unhealthy_threshold = unhealthy;
  check.http = config::HttpHealthCheck{"/healthz", "svc.local", {{200, 201}}};
  return check;
}

config::HealthCheck tcpCheck(std::string send, std::vector<std::string> receive,
                             uint32_t timeout_ms) {
  config::HealthCheck check = httpCheck(1, 1, timeout_ms);
  check.http.reset();
  check.tcp = config::TcpHealthCheck{std::move(send), std::move(receive)};
  return check;
}

class Fixture {
 public:
  event_base* base() const { return loop_.base(); }

  // Runs the loop until `done` holds; false if `limit` passed first.
  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    event::Timer wake(
        base(), [](void*) {}, nullptr);  // bounds each wait
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      wake.arm(10);
      event_base_loop(base(), EVLOOP_ONCE);
    }
    return true;
  }

 private:
  event::EventLoop loop_;
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(health_checker, Fixture)

BOOST_AUTO_TEST_CASE(http_thresholds_move_a_host_both_ways) {
  ScriptedServer server(base(), reply(kOk));
  Recorder rec;
  HealthChecker& checker =
      rec.make(base(), httpCheck(/*healthy=*/2, /*unhealthy=*/3), {server.address()});
  BOOST_TEST(!checker.healthy(0));  // pending until its first check
  checker.start();

  // A new host's first passed check makes it healthy at once.
  BOOST_REQUIRE(runUntil([&] { return rec.transitions.size() == 1; }));
  BOOST_TEST(rec.transitions[0].healthy);
  BOOST_TEST(rec.transitions[0].stats.attempt == 1u);
  BOOST_TEST(rec.transitions[0].stats.success == 1u);
  BOOST_TEST(rec.transitions[0].stats.healthy == 1u);
  BOOST_TEST(server.lastRequest().starts_with("GET /healthz HTTP/1.1\r\n"));
  BOOST_TEST(server.lastRequest().find("\r\nHost: svc.local\r\n") != std::string::npos);

  // unhealthy_threshold failed checks in a row make it unhealthy.
  server.set(reply(kUnavailable));
  BOOST_REQUIRE(runUntil([&] { return rec.transitions.size() == 2; }));
  const Transition down = rec.transitions[1];  // a copy: the vector grows
  BOOST_TEST(!down.healthy);
  BOOST_TEST(down.stats.failure == 3u);
  BOOST_TEST(down.stats.network_failure == 0u);
  BOOST_TEST(down.stats.attempt == down.stats.success + 3);
  BOOST_TEST(down.stats.healthy == 0u);
  BOOST_TEST(!checker.healthy(0));

  // healthy_threshold passed checks in a row make it healthy again.
  server.set(reply(kOk));
  BOOST_REQUIRE(runUntil([&] { return rec.transitions.size() == 3; }));
  const Transition up = rec.transitions[2];
  BOOST_TEST(up.healthy);
  BOOST_TEST(up.stats.success == down.stats.success + 2);
  BOOST_TEST(up.stats.failure == 3u);
  BOOST_TEST(up.stats.healthy == 1u);
  BOOST_TEST(checker.healthy(0));
}

BOOST_AUTO_TEST_CASE(a_check_that_is_not_answered_times_out) {
  ScriptedServer server(base(), reply(kOk));
  Recorder rec;
  rec.make(base(), httpCheck(1, 2, /*timeout_ms=*/50), {server.address()}).start();
  BOOST_REQUIRE(runUntil([&] { return rec.transitions.size() == 1; }));

  server.set(silent());
  const auto silenced = std::chrono::steady_clock::now();
  BOOST_REQUIRE(runUntil([&] { return rec.transitions.size() == 2; }));
  // Two full timeouts passed.
  BOOST_TEST((std::chrono::steady_clock::now() - silenced >= 2 * 50ms));
  BOOST_TEST(!rec.transitions[1].healthy);
  BOOST_TEST(rec.transitions[1].stats.network_failure == 2u);
  BOOST_TEST(rec.transitions[1].stats.failure == 2u);
}

BOOST_AUTO_TEST_CASE(a_refused_host_never_becomes_healthy_and_others_are_unaffected) {
  ScriptedServer server(base(), reply(kOk));
  RefusingPort refusing;
  Recorder rec;
  HealthChecker& checker =
      rec.make(base(), httpCheck(1, 1), {server.address(), refusing.address()});
  checker.start();
  BOOST_REQUIRE(
      runUntil([&] { return rec.countFor(0) == 1 && checker.stats().network_failure >= 3; }));
  BOOST_TEST(rec.countFor(1) == 0u);
  BOOST_TEST(checker.healthy(0));
  BOOST_TEST(!checker.healthy(1));
  BOOST_TEST(checker.stats().healthy == 1u);
  BOOST_TEST(checker.stats().failure == checker.stats().network_failure);
}

BOOST_AUTO_TEST_CASE(tcp_check_sends_and_finds_the_blocks_in_order) {
  ScriptedServer good(base(), {Behaviour::Action::kReply, "xxPONGyyOKzz", "PING", true});
  // Out of order and kept open: only the timeout can end these checks.
  ScriptedServer wrong(base(), {Behaviour::Action::kReply, "OK PONG", "PING", false});
  Recorder rec;
  HealthChecker& checker = rec.make(base(), tcpCheck("PING", {"PONG", "OK"}, /*timeout_ms=*/100),
                                    {good.address(), wrong.address()});
  checker.start();
  BOOST_REQUIRE(
      runUntil([&] { return rec.countFor(0) == 1 && checker.stats().network_failure >= 2; }));
  BOOST_TEST(good.lastRequest() == "PING");
  BOOST_TEST(wrong.lastRequest() == "PING");
  BOOST_TEST(rec.transitions[0].host == 0u);
  BOOST_TEST(rec.transitions[0].healthy);
  BOOST_TEST(rec.countFor(1) == 0u);
}

BOOST_AUTO_TEST_CASE(tcp_check_without_receive_passes_on_connect) {
  ScriptedServer listening(base(), silent());
  RefusingPort refusing;
  Recorder connect_only;
  connect_only.make(base(), tcpCheck("", {}, 1000), {listening.address(), refusing.address()})
      .start();
  BOOST_REQUIRE(runUntil([&] {
    return connect_only.countFor(0) == 1 && connect_only.checker->stats().network_failure >= 2;
  }));
  BOOST_TEST(connect_only.countFor(1) == 0u);

  // With `send` bytes, the check passes once they have left, and the server gets them.
  ScriptedServer receiver(base(), silent());
  Recorder send_only;
  send_only.make(base(), tcpCheck("HELLO", {}, 1000), {receiver.address()}).start();
  BOOST_REQUIRE(
      runUntil([&] { return send_only.countFor(0) == 1 && receiver.lastRequest() == "HELLO"; }));
  BOOST_TEST(send_only.transitions[0].healthy);
}

BOOST_AUTO_TEST_CASE(garbage_replies_fail_as_network_failures) {
  struct Case {
    std::string name;
    Behaviour behaviour;
  };
  const std::string huge(1 << 20, 'a');
  const Case cases[] = {
      // Kept open, with a 10s timeout: a failure within the wait bound comes from the reply.
      {"not http", reply("SSH-2.0-OpenSSH_9.2\r\n\r\n", false)},
      {"binary", reply(std::string("\0\xff\x13junk\r\n\r\n", 11), false)},
      {"huge head", reply("HTTP/1.1 200 OK\r\nX-Big: " + huge, false)},
      {"huge status line", reply(huge, false)},
      {"closed mid reply", reply("HTTP/1.1 200 OK\r\nContent-Le", true)},
      {"closed at once", {Behaviour::Action::kCloseAtOnce, "", "", true}},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      ScriptedServer server(base(), c.behaviour);
      Recorder rec;
      HealthChecker& checker =
          rec.make(base(), httpCheck(1, 1, /*timeout_ms=*/10000), {server.address()});
      checker.start();
      BOOST_TEST(runUntil([&] { return checker.stats().network_failure >= 2; }, 5s));
      BOOST_TEST(checker.stats().success == 0u);
      BOOST_TEST(rec.transitions.empty());
      BOOST_TEST(!checker.healthy(0));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_reload_carries_state_by_host_name) {
  ScriptedServer first(base(), reply(kOk));
  ScriptedServer second(base(), reply(kOk));
  ScriptedServer added(base(), reply(kOk));
  Recorder before;
  before.make(base(), httpCheck(2, 2), {first.address(), second.address()}).start();
  BOOST_REQUIRE(runUntil([&] { return before.checker->stats().healthy == 2; }));

  // The new config drops `first`, keeps `second` (now host 0) and adds a host.
  Recorder after;
  HealthChecker& checker = after.make(base(), httpCheck(2, 2), {second.address(), added.address()});
  checker.adoptState(*before.checker);
  const HealthCheckStats carried = before.checker->stats();
  before.checker.reset();
  BOOST_TEST(checker.healthy(0));
  BOOST_TEST(!checker.healthy(1));
  BOOST_TEST(checker.stats().healthy == 1u);
  BOOST_TEST(checker.stats().attempt == carried.attempt);
  BOOST_TEST(checker.stats().success == carried.success);

  checker.start();
  BOOST_REQUIRE(runUntil([&] { return after.countFor(1) == 1; }));
  BOOST_TEST(after.transitions.back().healthy);
  BOOST_TEST(after.countFor(0) == 0u);  // it was healthy and stayed so: nothing to report
  BOOST_TEST(checker.stats().healthy == 2u);

  // The carried host is checked as before: two failures take it out.
  second.set(reply(kUnavailable));
  BOOST_REQUIRE(runUntil([&] { return after.countFor(0) == 1; }));
  BOOST_TEST(!after.transitions.back().healthy);
  BOOST_TEST(after.transitions.back().stats.failure == 2u);
}

BOOST_AUTO_TEST_CASE(destruction_cancels_checks_in_flight) {
  ScriptedServer a(base(), silent());
  ScriptedServer b(base(), silent());
  Recorder rec;
  rec.make(base(), httpCheck(1, 1, /*timeout_ms=*/10000), {a.address(), b.address()}).start();
  // Both checks are connected and waiting for an answer that never comes.
  BOOST_REQUIRE(runUntil([&] {
    return a.lastRequest().ends_with("\r\n\r\n") && b.lastRequest().ends_with("\r\n\r\n");
  }));
  rec.checker.reset();
  // Their sockets were closed: the servers see both connections end.
  BOOST_REQUIRE(runUntil([&] { return a.closed() == a.accepted() && b.closed() == b.accepted(); }));
  BOOST_TEST(a.accepted() == 1u);
  BOOST_TEST(b.accepted() == 1u);
  BOOST_TEST(rec.transitions.empty());
}

BOOST_AUTO_TEST_CASE(the_callback_may_destroy_the_checker) {
  ScriptedServer fast(base(), reply(kOk));
  ScriptedServer slow(base(), silent());
  Recorder rec;
  rec.after_transition = [&] { rec.checker.reset(); };
  rec.make(base(), httpCheck(1, 1, /*timeout_ms=*/10000), {fast.address(), slow.address()}).start();
  BOOST_REQUIRE(runUntil([&] { return rec.checker == nullptr; }));
  // The check of `slow` was in flight; it ends with the checker and reports nothing.
  BOOST_REQUIRE(runUntil([&] { return slow.accepted() == 1 && slow.closed() == 1; }));
  BOOST_TEST(rec.transitions.size() == 1u);
  BOOST_TEST(rec.transitions[0].host == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(health_checker_tls)

BOOST_AUTO_TEST_CASE(checks_go_over_the_clusters_tls) {
  testing::TestPki pki;
  stats::Store store;  // the contexts count into it: declared before them
  const testing::CertFiles leaf = pki.ca.issue({.dns_names = {"server.local"}}, "server");
  tls::ServerOptions server_options;
  server_options.certificates.push_back({leaf.certificate_chain, leaf.private_key});
  auto server = tls::ServerContext::create(std::move(server_options), store, {{"listener", "hc"}});
  BOOST_REQUIRE(server.isOk());
  auto trusting = tls::ClientContext::create({.ca = pki.ca.certificatePath()}, store,
                                             {{"cluster", "trusting"}});
  auto distrusting = tls::ClientContext::create({.ca = pki.other_ca.certificatePath()}, store,
                                                {{"cluster", "distrusting"}});
  BOOST_REQUIRE(trusting.isOk());
  BOOST_REQUIRE(distrusting.isOk());
  testing::TlsLoopback net;  // a TLS echo server
  net.serve(server->get(), testing::Peer::Role::kEcho);
  Result<network::Address> address = network::parseAddress("127.0.0.1", net.port());
  BOOST_REQUIRE(address.isOk());

  // The echo comes back only through a completed handshake; one the client refuses (the
  // server's CA is not the one it trusts) is a network failure.
  Recorder good;
  good.tls = *trusting;
  good.make(net.base(), tcpCheck("PING", {"PING"}, 2000), {*address}).start();
  Recorder bad;
  bad.tls = *distrusting;
  bad.make(net.base(), tcpCheck("PING", {"PING"}, 2000), {*address}).start();
  BOOST_REQUIRE(net.runUntil(
      [&] { return good.transitions.size() == 1 && bad.checker->stats().network_failure >= 2; }));
  BOOST_TEST(good.transitions[0].healthy);
  BOOST_TEST(bad.transitions.empty());
  BOOST_TEST(bad.checker->stats().success == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::upstream
