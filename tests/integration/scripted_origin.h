// ScriptedOrigin: an HTTP/1 origin played by the test itself, one connection at a time, for what
// weft-test-upstream cannot show: whether the proxy abandoned an upstream request (the test sees
// the proxy close the connection), and a response cut off mid-body (the test writes part of it
// and closes). A cluster points at port(); every call blocks at most its timeout.
//
// Driven from the test's thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weft::itest {

class ScriptedOrigin {
 public:
  ScriptedOrigin();  // listening on 127.0.0.1, an ephemeral port
  ~ScriptedOrigin();
  ScriptedOrigin(const ScriptedOrigin&) = delete;
  ScriptedOrigin& operator=(const ScriptedOrigin&) = delete;

  uint16_t port() const { return port_; }

  // Accepts the proxy's next connection (closing the previous one); false on timeout.
  bool accept(std::chrono::milliseconds timeout);
  // The next request head on that connection, through its blank line; nullopt on timeout or EOF.
  std::optional<std::string> readHead(std::chrono::milliseconds timeout);
  bool send(std::string_view bytes);
  // Closes the accepted connection.
  void hangUp();
  // True when the proxy closes the accepted connection within `timeout` (bytes are discarded).
  bool waitForPeerClose(std::chrono::milliseconds timeout);

 private:
  int listen_fd_ = -1;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::string in_;
};

}  // namespace weft::itest
