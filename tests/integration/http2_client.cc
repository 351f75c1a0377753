// Http2Client: see http2_client.h.
#include "tests/integration/http2_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace weft::itest {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kReadChunk = 256 * 1024;
constexpr int64_t kMaxPollMs = 20;

Http2Client& clientOf(void* self) { return *static_cast<Http2Client*>(self); }

nghttp2_nv field(const std::string& name, const std::string& value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

// A connected, non-blocking loopback socket, or -1.
int connectLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    pollfd pfd{fd, POLLOUT, 0};
    int error = 0;
    socklen_t len = sizeof error;
    if (errno != EINPROGRESS || ::poll(&pfd, 1, 2000) != 1 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
      ::close(fd);
      return -1;
    }
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

std::unique_ptr<Http2Client> Http2Client::connect(uint16_t port, const Options& options) {
  int fd = connectLoopback(port);
  if (fd < 0) return nullptr;
  return std::unique_ptr<Http2Client>(new Http2Client(fd, options));
}

Http2Client::Http2Client(int fd, const Options& options)
    : fd_(fd), options_(options), wire_(options.keep_bodies) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_send_callback(callbacks, &Http2Client::onSessionSend);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Http2Client::onDataChunk);
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  nghttp2_option_set_no_auto_window_update(option, 1);  // acknowledged in onDataChunk
  nghttp2_option_set_max_send_header_block_length(option, options_.max_send_header_block);
  nghttp2_session_client_new2(&session_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
  if (options_.raw) return;
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, options_.settings.data(),
                          options_.settings.size());
  if (options_.connection_window != NGHTTP2_INITIAL_CONNECTION_WINDOW_SIZE) {
    nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                          options_.connection_window);
  }
  sessionSend();
}

Http2Client::~Http2Client() {
  nghttp2_session_del(session_);
  ::close(fd_);
}

// ---- sending ------------------------------------------------------------------------------------

int32_t Http2Client::submit(const Http2Request& request) {
  const std::string method = ":method", scheme = ":scheme", http = "http", path = ":path",
                    authority = ":authority";
  std::vector<nghttp2_nv> fields = {field(method, request.method), field(scheme, http),
                                    field(path, request.path), field(authority, request.authority)};
  for (const auto& [name, value] : request.headers) fields.push_back(field(name, value));
  int32_t id =
      nghttp2_submit_request(session_, nullptr, fields.data(), fields.size(), nullptr, nullptr);
  sessionSend();
  return id;
}

void Http2Client::reset(int32_t stream_id, uint32_t error_code) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, error_code);
  sessionSend();
}

void Http2Client::sendRaw(std::string_view bytes) { out_.append(bytes); }

bool Http2Client::flush(milliseconds timeout) {
  return runUntil([this] { return out_.empty() || write_closed_; }, timeout) && !write_closed_;
}

void Http2Client::sessionSend() {
  if (options_.raw || session_failed_) return;
  int rv = nghttp2_session_send(session_);
  if (rv != 0 && error_.empty()) error_ = std::string("session: ") + nghttp2_strerror(rv);
}

ssize_t Http2Client::onSessionSend(nghttp2_session*, const uint8_t* data, size_t length, int,
                                   void* self) {
  clientOf(self).out_.append(reinterpret_cast<const char*>(data), length);
  return static_cast<ssize_t>(length);
}

// ---- flow control -------------------------------------------------------------------------------

int Http2Client::onDataChunk(nghttp2_session* session, uint8_t, int32_t stream_id, const uint8_t*,
                             size_t length, void* self) {
  Http2Client& client = clientOf(self);
  if (client.window_held_) {
    client.held_[stream_id] += length;
  } else {
    nghttp2_session_consume(session, stream_id, length);
  }
  return 0;
}

void Http2Client::holdWindow(bool hold) {
  window_held_ = hold;
  if (hold) return;
  for (const auto& [stream_id, bytes] : held_) nghttp2_session_consume(session_, stream_id, bytes);
  held_.clear();
  sessionSend();
}

void Http2Client::setReceiveWindow(int32_t stream_id, int32_t size) {
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, stream_id, size);
  sessionSend();
}

// ---- the socket ---------------------------------------------------------------------------------

bool Http2Client::runUntil(const std::function<bool()>& done, milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    sessionSend();
    if (done()) return true;
    if (eof_) {
      error_ = closed_how_;
      if (const h2::GoAway* last = goaway()) {
        error_ += std::string(" after GOAWAY(") + nghttp2_http2_strerror(last->error_code) +
                  ", last stream " + std::to_string(last->last_stream_id) + ", \"" +
                  last->debug_data + "\")";
      }
      return false;
    }
    if (Clock::now() >= deadline) {
      error_ = "timed out";
      return false;
    }
    pumpOnce(deadline);
  }
}

void Http2Client::pumpOnce(Clock::time_point deadline) {
  const bool want_write = !out_.empty() && !write_closed_;
  pollfd pfd{fd_, static_cast<short>((reading_stopped_ ? 0 : POLLIN) | (want_write ? POLLOUT : 0)),
             0};
  // Short rounds, so conditions that depend on time are checked often.
  auto wait = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  if (::poll(&pfd, 1, static_cast<int>(std::clamp<int64_t>(wait, 0, kMaxPollMs))) <= 0) return;
  if (want_write && (pfd.revents & (POLLOUT | POLLERR | POLLHUP))) {
    ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL);
    if (n > 0) {
      out_.erase(0, static_cast<size_t>(n));
    } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
      write_closed_ = true;
      error_ = std::string("send: ") + std::strerror(errno);
      out_.clear();
    }
  }
  if (!reading_stopped_ && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
    read_buffer_.resize(kReadChunk);
    ssize_t n = ::recv(fd_, read_buffer_.data(), read_buffer_.size(), 0);
    if (n > 0) {
      onReceived(std::string_view(read_buffer_.data(), static_cast<size_t>(n)));
    } else if (n == 0) {
      eof_ = true;
      closed_how_ = "the server closed the connection";
    } else if (errno != EAGAIN && errno != EINTR) {
      eof_ = true;
      closed_how_ = std::string("the connection failed: ") + std::strerror(errno);
    }
  }
}

void Http2Client::onReceived(std::string_view bytes) {
  wire_.feed(bytes);
  if (options_.raw || session_failed_) return;
  ssize_t used = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(bytes.data()),
                                          bytes.size());
  if (used < 0) {
    session_failed_ = true;
    error_ = std::string("session: ") + nghttp2_strerror(static_cast<int>(used));
  }
}

bool Http2Client::waitForStream(int32_t id, milliseconds timeout) {
  return runUntil([this, id] { return stream(id).done(); }, timeout);
}

bool Http2Client::waitForGoAway(milliseconds timeout) {
  return runUntil([this] { return goaway() != nullptr; }, timeout);
}

bool Http2Client::waitForClose(milliseconds timeout) {
  return runUntil([this] { return eof_; }, timeout);
}

// ---- results ------------------------------------------------------------------------------------

const h2::StreamResult& Http2Client::stream(int32_t id) const {
  static const h2::StreamResult kNothing;
  const h2::StreamResult* result = wire_.stream(id);
  return result ? *result : kNothing;
}

const h2::GoAway* Http2Client::goaway() const {
  return wire_.goaways().empty() ? nullptr : &wire_.goaways().front();
}

}  // namespace weft::itest
