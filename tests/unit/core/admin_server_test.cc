// Tests for core/admin: a real AdminServer on 127.0.0.1 port 0, its event loop on a thread of its
// own, queried over real sockets by a tiny blocking HTTP/1.1 client.
#include "core/admin/admin_server.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <mutex>
#include <thread>

#include "core/common/logging.h"
#include "core/stats/stats.h"

namespace weft::admin {
namespace {

struct HttpReply {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
};

// Sends one request with "Connection: close" and reads the reply to EOF.
HttpReply request(uint16_t port, std::string_view method, std::string_view target) {
  HttpReply reply;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  BOOST_TEST_REQUIRE(fd >= 0);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  BOOST_TEST_REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  std::string req =
      std::string(method) + " " + std::string(target) +
      " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  BOOST_TEST_REQUIRE(write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size()));
  std::string raw;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) raw.append(buf, static_cast<size_t>(n));
  close(fd);
  size_t split = raw.find("\r\n\r\n");
  BOOST_TEST_REQUIRE(split != std::string::npos, "no complete reply: " << raw);
  reply.head = raw.substr(0, split);
  reply.body = raw.substr(split + 4);
  BOOST_TEST_REQUIRE(reply.head.starts_with("HTTP/1.1 "));
  reply.status = std::stoi(reply.head.substr(9, 3));
  return reply;
}

// An AdminServer listening on an ephemeral port, its loop running on a thread until teardown.
struct RunningServer {
  event_base* base;
  std::unique_ptr<AdminServer> server;
  stats::Store store;
  uint16_t port = 0;
  std::thread loop;

  std::mutex mutex;  // guards what the echo handler saw (it runs on the loop thread)
  std::string seen_method;
  std::map<std::string, std::string> seen_query;

  RunningServer() {
    static const bool threads_ready = evthread_use_pthreads() == 0;  // loopexit across threads
    BOOST_TEST_REQUIRE(threads_ready);
    base = event_base_new();
    server = std::make_unique<AdminServer>(base);
    server->addHandler("/echo", "echo the request",
                       [this](std::string_view method, std::string_view path, const auto& query) {
                         std::lock_guard lock(mutex);
                         seen_method = method;
                         seen_query = query;
                         return AdminResponse{.status = 201,
                                              .content_type = "application/json",
                                              .body = "{\"path\":\"" + std::string(path) + "\"}"};
                       });
    addStatsHandlers(*server, store);
    addLoggingHandler(*server);
    auto bound = server->listen("127.0.0.1", 0);
    BOOST_TEST_REQUIRE(bound.isOk(), (bound.isOk() ? "" : bound.status().message()));
    port = *bound;
    BOOST_TEST_REQUIRE(port != 0);
    loop = std::thread([this] { event_base_dispatch(base); });
  }

  ~RunningServer() {
    // loopexit, not loopbreak: it is an event, so it still works if the loop has not started.
    event_base_loopexit(base, nullptr);
    loop.join();
    server.reset();
    event_base_free(base);
  }
};

BOOST_AUTO_TEST_SUITE(admin_server)

BOOST_AUTO_TEST_CASE(registered_handler_sees_method_path_and_query) {
  RunningServer s;
  HttpReply reply = request(s.port, "POST", "/echo?a=1&b=two%20words&a=3");
  BOOST_TEST(reply.status == 201);
  BOOST_TEST(reply.body == "{\"path\":\"/echo\"}");
  BOOST_TEST(reply.head.find("Content-Type: application/json") != std::string::npos);
  std::lock_guard lock(s.mutex);
  BOOST_TEST(s.seen_method == "POST");
  BOOST_TEST(s.seen_query.size() == 2u);
  BOOST_TEST(s.seen_query["a"] == "3");
  BOOST_TEST(s.seen_query["b"] == "two words");
}

BOOST_AUTO_TEST_CASE(index_lists_endpoints_and_unknown_paths_get_404) {
  RunningServer s;
  HttpReply index = request(s.port, "GET", "/");
  BOOST_TEST(index.status == 200);
  BOOST_TEST(index.body.find("  /echo: echo the request\n") != std::string::npos, index.body);
  BOOST_TEST(index.body.find("  /stats/prometheus: ") != std::string::npos);
  BOOST_TEST(index.body.find("  /logging: ") != std::string::npos);

  HttpReply missing = request(s.port, "GET", "/nope");
  BOOST_TEST(missing.status == 404);
  BOOST_TEST(missing.head.starts_with("HTTP/1.1 404 Not Found"));
  BOOST_TEST(missing.body.find("unknown admin path '/nope'") != std::string::npos);
  BOOST_TEST(missing.body.find("  /echo: echo the request\n") != std::string::npos);

  BOOST_TEST(request(s.port, "DELETE", "/echo").status == 501);  // evhttp's answer
}

BOOST_AUTO_TEST_CASE(stats_endpoints_render_the_store) {
  RunningServer s;
  s.store.counter("downstream_rq_total", {{"listener", "in"}}).inc(4);
  s.store.gauge("server.live").set(1);
  HttpReply all = request(s.port, "GET", "/stats");
  BOOST_TEST(all.body == "listener.in.downstream_rq_total: 4\nserver.live: 1\n");
  HttpReply filtered = request(s.port, "GET", "/stats?filter=live");
  BOOST_TEST(filtered.body == "server.live: 1\n");
  HttpReply prom = request(s.port, "GET", "/stats/prometheus");
  BOOST_TEST(prom.status == 200);
  BOOST_TEST(prom.head.find("Content-Type: text/plain; version=0.0.4") != std::string::npos);
  BOOST_TEST(prom.body.find("weft_downstream_rq_total{listener=\"in\"} 4\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(logging_endpoint_shows_and_changes_the_level) {
  RunningServer s;
  log::Level before = log::level();
  log::setLevel(log::Level::kWarn);
  BOOST_TEST(request(s.port, "GET", "/logging").body == "level: warn\n");
  HttpReply changed = request(s.port, "POST", "/logging?level=error");
  BOOST_TEST(changed.status == 200);
  BOOST_TEST(changed.body == "level: error\n");
  BOOST_TEST((log::level() == log::Level::kError));
  HttpReply bad = request(s.port, "GET", "/logging?level=loud");
  BOOST_TEST(bad.status == 400);
  BOOST_TEST((log::level() == log::Level::kError));
  log::setLevel(before);
}

BOOST_AUTO_TEST_CASE(listening_on_a_taken_port_fails) {
  RunningServer s;
  event_base* other_base = event_base_new();
  {
    AdminServer other(other_base);
    auto taken = other.listen("127.0.0.1", s.port);
    BOOST_TEST_REQUIRE(!taken.isOk());
    BOOST_TEST(taken.status().message().find(std::to_string(s.port)) != std::string::npos);
  }
  event_base_free(other_base);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace
}  // namespace weft::admin
