// Tests for the TCP proxy session (core/tcp/tcp_proxy.h): a real proxy on a libevent loop in a
// thread, real upstream servers on 127.0.0.1 port 0, and blocking clients.
#include "core/tcp/tcp_proxy.h"

#include <arpa/inet.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace std::chrono_literals;
using weft::tcp::TcpProxyOptions;

char patternByte(size_t i) { return static_cast<char>(i % 251); }

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

uint16_t localPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

// A blocking client socket with a 5 s receive timeout, so a broken proxy fails a test instead
// of hanging it.
int connectTo(uint16_t port, int sndbuf = 0) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (sndbuf > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr = loopback(port);
  BOOST_REQUIRE_EQUAL(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  return fd;
}

bool writeAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Reads until EOF (true) or an error/timeout (false).
bool readToEof(int fd, std::string& out) {
  char buf[65536];
  for (;;) {
    ssize_t r = recv(fd, buf, sizeof(buf), 0);
    if (r == 0) return true;
    if (r < 0) return false;
    out.append(buf, static_cast<size_t>(r));
  }
}

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds limit = 5s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// A threaded TCP server on 127.0.0.1:0 running `handler(fd)` on its own thread per connection
// (the handler's socket is closed after it returns).
class TestServer {
 public:
  explicit TestServer(std::function<void(int)> handler, int rcvbuf = 0, bool accept = true)
      : handler_(std::move(handler)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (rcvbuf > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    sockaddr_in addr = loopback(0);
    BOOST_REQUIRE_EQUAL(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    BOOST_REQUIRE_EQUAL(listen(fd_, accept ? 64 : 0), 0);
    port_ = localPort(fd_);
    if (accept) acceptor_ = std::thread([this] { acceptLoop(); });
  }

  ~TestServer() {
    shutdown(fd_, SHUT_RDWR);  // wakes accept()
    if (acceptor_.joinable()) acceptor_.join();
    std::lock_guard lock(mutex_);
    for (auto& t : connections_) t.join();
    close(fd_);
  }

  uint16_t port() const { return port_; }

 private:
  void acceptLoop() {
    for (;;) {
      int client = accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      std::lock_guard lock(mutex_);
      connections_.emplace_back([this, client] {
        handler_(client);
        close(client);
      });
    }
  }

  std::function<void(int)> handler_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> connections_;
};

void echoHandler(int fd) {
  char buf[65536];
  for (;;) {
    ssize_t r = recv(fd, buf, sizeof(buf), 0);
    if (r <= 0 || !writeAll(fd, buf, static_cast<size_t>(r))) return;
  }
}

// The proxy under test: a listener on 127.0.0.1:0 whose connections go through startTcpProxy to
// `upstream_port`, on an event loop in its own thread.
class ProxyHarness {
 public:
  ProxyHarness(uint16_t upstream_port, TcpProxyOptions options)
      : upstream_(loopback(upstream_port)), options_(options) {
    static const bool threads_ready = [] {
      signal(SIGPIPE, SIG_IGN);
      return evthread_use_pthreads() == 0;
    }();
    BOOST_REQUIRE(threads_ready);
    base_ = event_base_new();
    sockaddr_in addr = loopback(0);
    listener_ = evconnlistener_new_bind(base_, &ProxyHarness::onAccept, this,
                                        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 64,
                                        reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    BOOST_REQUIRE(listener_ != nullptr);
    port_ = localPort(evconnlistener_get_fd(listener_));
    loop_ = std::thread([this] { event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY); });
  }

  ~ProxyHarness() {
    // Every test ends its connections; a session still alive here is a bug the leak check sees.
    waitFor([this] { return cx_active.value() == 0; });
    event_base_loopbreak(base_);
    loop_.join();
    evconnlistener_free(listener_);
    event_base_free(base_);
  }

  uint16_t port() const { return port_; }
  bool waitClosed(uint64_t n) {
    return waitFor([&] { return closed.load() >= n && cx_active.value() == 0; });
  }

  weft::stats::Counter cx_total, connect_fail, idle_timeout, bytes_rx, bytes_tx;
  weft::stats::Gauge cx_active;
  std::atomic<uint64_t> closed{0};

 private:
  static void onAccept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* arg) {
    auto* self = static_cast<ProxyHarness*>(arg);
    weft::tcp::startTcpProxy(self->base_, fd, reinterpret_cast<const sockaddr*>(&self->upstream_),
                             sizeof(self->upstream_), self->options_, self->stats_,
                             [self] { self->closed.fetch_add(1); });
  }

  sockaddr_in upstream_;
  TcpProxyOptions options_;
  weft::tcp::TcpProxyStats stats_{cx_total,     cx_active, connect_fail,
                                  idle_timeout, bytes_rx,  bytes_tx};
  event_base* base_ = nullptr;
  evconnlistener* listener_ = nullptr;
  uint16_t port_ = 0;
  std::thread loop_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(tcp_proxy)

BOOST_AUTO_TEST_CASE(echo_round_trip) {
  TestServer server(echoHandler);
  ProxyHarness proxy(server.port(), TcpProxyOptions{});
  int fd = connectTo(proxy.port());
  BOOST_REQUIRE(writeAll(fd, "hello", 5));
  char reply[5];
  BOOST_REQUIRE_EQUAL(recv(fd, reply, 5, MSG_WAITALL), 5);
  BOOST_CHECK_EQUAL(std::string(reply, 5), "hello");
  shutdown(fd, SHUT_WR);
  std::string rest;
  BOOST_CHECK(readToEof(fd, rest));  // echo server ends when we do; the proxy passes it on
  BOOST_CHECK(rest.empty());
  close(fd);
  BOOST_REQUIRE(proxy.waitClosed(1));
  BOOST_CHECK_EQUAL(proxy.cx_total.value(), 1u);
  BOOST_CHECK_EQUAL(proxy.bytes_rx.value(), 5u);
  BOOST_CHECK_EQUAL(proxy.bytes_tx.value(), 5u);
  BOOST_CHECK_EQUAL(proxy.connect_fail.value(), 0u);
}

BOOST_AUTO_TEST_CASE(eight_mib_each_way_with_slow_reader) {
  constexpr size_t kTotal = 8 << 20;
  TestServer server(echoHandler);
  TcpProxyOptions options;
  options.high_watermark = 128 * 1024;
  ProxyHarness proxy(server.port(), options);
  int fd = connectTo(proxy.port());

  std::thread writer([fd] {
    std::string chunk(64 * 1024, '\0');
    for (size_t sent = 0; sent < kTotal; sent += chunk.size()) {
      for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = patternByte(sent + i);
      if (!writeAll(fd, chunk.data(), chunk.size())) return;
    }
    shutdown(fd, SHUT_WR);
  });

  // Read slowly: a long pause first (everything backs up), then small reads with naps.
  std::this_thread::sleep_for(300ms);
  size_t received = 0;
  bool intact = true;
  char buf[16 * 1024];
  while (received < kTotal) {
    ssize_t r = recv(fd, buf, sizeof(buf), 0);
    if (r <= 0) break;
    for (ssize_t i = 0; i < r; ++i) intact = intact && buf[i] == patternByte(received + i);
    received += static_cast<size_t>(r);
    if (received % (1 << 20) < sizeof(buf)) std::this_thread::sleep_for(20ms);
  }
  writer.join();
  BOOST_CHECK_EQUAL(received, kTotal);
  BOOST_CHECK(intact);
  std::string rest;
  BOOST_CHECK(readToEof(fd, rest));
  BOOST_CHECK(rest.empty());
  close(fd);
  BOOST_REQUIRE(proxy.waitClosed(1));
  BOOST_CHECK_EQUAL(proxy.bytes_rx.value(), kTotal);
  BOOST_CHECK_EQUAL(proxy.bytes_tx.value(), kTotal);
}

// An upstream that does not read: the proxy must stop reading from the client instead of
// buffering without bound. Afterwards every byte arrives intact.
BOOST_AUTO_TEST_CASE(backpressure_bounds_what_the_proxy_takes) {
  constexpr size_t kCap = 256u << 20;  // a proxy without backpressure swallows all of this
  std::atomic<bool> release{false};
  std::atomic<uint64_t> server_received{0};
  std::atomic<bool> server_intact{true};
  TestServer server(
      [&](int fd) {
        waitFor([&] { return release.load(); }, 30s);
        char buf[65536];
        uint64_t n = 0;
        bool intact = true;
        for (;;) {
          ssize_t r = recv(fd, buf, sizeof(buf), 0);
          if (r <= 0) break;
          for (ssize_t i = 0; i < r; ++i) intact = intact && buf[i] == patternByte(n + i);
          n += static_cast<uint64_t>(r);
        }
        server_received = n;
        server_intact = intact;
        writeAll(fd, "done", 4);
      },
      /*rcvbuf=*/64 * 1024);
  TcpProxyOptions options;
  options.high_watermark = 256 * 1024;
  ProxyHarness proxy(server.port(), options);
  int fd = connectTo(proxy.port(), /*sndbuf=*/64 * 1024);

  // Write until the pipe stays full for 300 ms.
  std::string chunk(64 * 1024, '\0');
  size_t written = 0;
  while (written < kCap) {
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, 300) == 0) break;
    for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = patternByte(written + i);
    ssize_t w = send(fd, chunk.data(), chunk.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    BOOST_REQUIRE(w > 0);
    written += static_cast<size_t>(w);
  }
  BOOST_TEST_MESSAGE("client wrote " << written << " bytes before stalling; proxy read "
                                     << proxy.bytes_rx.value());
  BOOST_CHECK_LT(written, kCap);
  BOOST_CHECK_LE(proxy.bytes_rx.value(), written);

  release = true;
  // Finish the partial chunk write-out, then half-close: the server sees EOF and answers.
  shutdown(fd, SHUT_WR);
  std::string reply;
  BOOST_CHECK(readToEof(fd, reply));
  BOOST_CHECK_EQUAL(reply, "done");
  close(fd);
  BOOST_CHECK_EQUAL(server_received.load(), written);
  BOOST_CHECK(server_intact.load());
  BOOST_REQUIRE(proxy.waitClosed(1));
}

BOOST_AUTO_TEST_CASE(half_close_keeps_the_reverse_direction) {
  TestServer server([](int fd) {
    std::string request;
    if (!readToEof(fd, request)) return;
    std::this_thread::sleep_for(50ms);  // the reply comes well after the client's EOF
    std::string reply = "got " + std::to_string(request.size()) + " bytes: " + request;
    writeAll(fd, reply.data(), reply.size());
  });
  ProxyHarness proxy(server.port(), TcpProxyOptions{});
  int fd = connectTo(proxy.port());
  BOOST_REQUIRE(writeAll(fd, "abc", 3));
  shutdown(fd, SHUT_WR);
  std::string reply;
  BOOST_CHECK(readToEof(fd, reply));
  BOOST_CHECK_EQUAL(reply, "got 3 bytes: abc");
  close(fd);
  BOOST_REQUIRE(proxy.waitClosed(1));
  BOOST_CHECK_EQUAL(proxy.bytes_rx.value(), 3u);
  BOOST_CHECK_EQUAL(proxy.bytes_tx.value(), reply.size());
}

BOOST_AUTO_TEST_CASE(upstream_closing_first_is_passed_on) {
  TestServer server([](int fd) { writeAll(fd, "bye", 3); });  // greets, then closes
  ProxyHarness proxy(server.port(), TcpProxyOptions{});
  int fd = connectTo(proxy.port());
  std::string greeting;
  BOOST_CHECK(readToEof(fd, greeting));
  BOOST_CHECK_EQUAL(greeting, "bye");
  close(fd);
  BOOST_REQUIRE(proxy.waitClosed(1));
}

BOOST_AUTO_TEST_CASE(connect_refused_counts_connect_fail) {
  int probe = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr = loopback(0);
  BOOST_REQUIRE_EQUAL(bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  uint16_t closed_port = localPort(probe);
  close(probe);  // bound but never listening: connections are refused

  ProxyHarness proxy(closed_port, TcpProxyOptions{});
  int fd = connectTo(proxy.port());
  std::string data;
  readToEof(fd, data);  // EOF or reset, but promptly (the receive timeout is 5 s)
  BOOST_CHECK(data.empty());
  close(fd);
  BOOST_REQUIRE(proxy.waitClosed(1));
  BOOST_CHECK_EQUAL(proxy.connect_fail.value(), 1u);
  BOOST_CHECK_EQUAL(proxy.cx_total.value(), 1u);
}

// A listener whose accept queue is full drops SYNs, so the upstream connect hangs.
BOOST_AUTO_TEST_CASE(connect_timeout_counts_connect_fail) {
  TestServer server([](int) {}, 0, /*accept=*/false);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int f = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr = loopback(server.port());
    connect(f, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    fillers.push_back(f);
  }
  std::this_thread::sleep_for(50ms);
  TcpProxyOptions options;
  options.connect_timeout_ms = 200;
  ProxyHarness proxy(server.port(), options);
  auto start = std::chrono::steady_clock::now();
  int fd = connectTo(proxy.port());
  std::string data;
  readToEof(fd, data);
  auto elapsed = std::chrono::steady_clock::now() - start;
  close(fd);
  BOOST_REQUIRE(proxy.waitClosed(1));
  BOOST_CHECK_EQUAL(proxy.connect_fail.value(), 1u);
  BOOST_CHECK(elapsed >= 150ms);
  BOOST_CHECK(elapsed < 4s);
  for (int f : fillers) close(f);
}

BOOST_AUTO_TEST_CASE(idle_timeout_closes_both_sides) {
  TestServer server(echoHandler);
  TcpProxyOptions options;
  options.idle_timeout_ms = 200;
  ProxyHarness proxy(server.port(), options);
  int fd = connectTo(proxy.port());
  // Traffic keeps the session alive past the timeout...
  auto last_traffic = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    if (i > 0) std::this_thread::sleep_for(100ms);
    BOOST_REQUIRE(writeAll(fd, "x", 1));
    char c;
    BOOST_REQUIRE_EQUAL(recv(fd, &c, 1, 0), 1);
    last_traffic = std::chrono::steady_clock::now();
  }
  BOOST_CHECK_EQUAL(proxy.idle_timeout.value(), 0u);
  // ...and silence ends it.
  std::string data;
  BOOST_CHECK(readToEof(fd, data));
  auto elapsed = std::chrono::steady_clock::now() - last_traffic;
  BOOST_CHECK(elapsed >= 150ms);
  BOOST_CHECK(elapsed < 4s);
  close(fd);
  BOOST_REQUIRE(proxy.waitClosed(1));
  BOOST_CHECK_EQUAL(proxy.idle_timeout.value(), 1u);
}

BOOST_AUTO_TEST_SUITE_END()
