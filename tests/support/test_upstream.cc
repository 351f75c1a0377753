// weft-test-upstream: a small, fast HTTP/1.1 origin server for the integration tests, the demo
// mesh and the benchmark. libevent bufferevents, one event loop per thread (--threads N, each with
// its own SO_REUSEPORT socket), keep-alive and pipelining; requests are parsed with
// core/http/http1_parser.h.
//
//   weft-test-upstream --port 0 [--address 127.0.0.1] [--threads 1] [--name NAME]
//                      [--status CODE]
//
// Prints one line "listening <address>:<port>" once bound, then serves until SIGTERM/SIGINT.
// Every response carries x-upstream-name: NAME and x-upstream-connection: <sequence number of
// the connection in this process> (so tests can see keep-alive reuse). Endpoints:
//   any path      200 "hello from NAME\n"
// With --status CODE every path answers CODE as /status/CODE does: an upstream that always fails.
//   /headers      the request's fields as "name: value\n" lines (Host shown as "host")
//   /echo         the request body streamed back; Content-Length in → Content-Length out,
//                 chunked in → chunked out, with the request's trailers as response trailers
//   /bytes/N      N bytes (N <= 2^40), byte i is 'a' + i % 26, produced as the client reads
//   /sink         reads and discards the body, answers "<bytes received>\n"
//   /delay/MS     answers "hello from NAME\n" after MS milliseconds
//   /status/CODE  answers CODE (200..599) with body "status CODE\n" (none for 204/304)
//   /ws           WebSocket handshake (101), then echoes raw bytes back
// HEAD gets the GET's head without a body; "Expect: 100-continue" gets a 100 before the body is
// read. Output above 1 MiB stops reading (echo) or producing (/bytes) until it drains.
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "core/http/http1_encoding.h"
#include "core/http/http1_parser.h"

namespace {

namespace http1 = weft::http1;
using weft::http::equalsIgnoreCase;

constexpr size_t kOutputHigh = 1 << 20;   // stop reading / producing above this much output
constexpr size_t kOutputLow = 256 << 10;  // write callback (resume) once output is below this
constexpr size_t kInputHigh = 1 << 20;    // libevent stops reading while this much input waits
constexpr size_t kMaxSingleRead = 256 << 10;
constexpr uint64_t kMaxBytes = uint64_t{1} << 40;
constexpr uint64_t kMaxDelayMs = 3600 * 1000;
constexpr timeval kLingerTime = {1, 0};  // how long a closing connection drains late input

struct Config {
  std::string address = "127.0.0.1";
  uint16_t port = 0;
  int threads = 1;
  std::string name = "upstream";
  int status = 200;  // what "any path" answers
};

std::atomic<uint64_t> g_connection_seq{0};

// The /bytes body: byte i is 'a' + i % 26. One static block, referenced (never copied) into
// output buffers at the right phase.
constexpr size_t kPatternPeriod = 26;
constexpr size_t kPatternSize = kPatternPeriod * 2521;  // ~64 KiB
const char* patternBlock() {
  static const std::vector<char> block = [] {
    std::vector<char> b(kPatternSize);
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<char>('a' + i % kPatternPeriod);
    return b;
  }();
  return block.data();
}

void appendNumber(std::string& out, uint64_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), n);
  out.append(digits, end);
}

bool parseNumber(std::string_view text, uint64_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// base64(SHA-1(key + GUID)), RFC 6455 §4.2.2.
std::string webSocketAccept(std::string_view key) {
  std::string input(key);
  input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  EVP_Digest(input.data(), input.size(), digest, &digest_len, EVP_sha1(), nullptr);
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(digest_len));
  return std::string(reinterpret_cast<char*>(encoded), static_cast<size_t>(n));
}

// The front of `buffer` as contiguous bytes: the first segment if that is enough, else up to
// `want` bytes pulled into one segment.
std::string_view frontBytes(evbuffer* buffer, size_t want) {
  size_t total = evbuffer_get_length(buffer);
  evbuffer_iovec first;
  if (total == 0 || evbuffer_peek(buffer, -1, nullptr, &first, 1) < 1) return {};
  if (first.iov_len >= want || first.iov_len == total) {
    return {static_cast<const char*>(first.iov_base), first.iov_len};
  }
  size_t n = std::min(want, total);
  return {reinterpret_cast<const char*>(evbuffer_pullup(buffer, static_cast<ev_ssize_t>(n))), n};
}

class Connection;

// One event loop and its listening socket; owns the connections accepted on it.
struct Worker {
  const Config* config = nullptr;
  event_base* base = nullptr;
  evconnlistener* listener = nullptr;
  event* stop_event = nullptr;
  std::unordered_set<Connection*> connections;
  http1::Limits limits;
  std::string scratch;  // response heads are built here
};

// One downstream connection: reads requests one at a time (pipelined input waits in the buffer)
// and writes each response in order. Deletes itself when done (only at the end of process()).
class Connection {
 public:
  Connection(Worker& worker, evutil_socket_t fd)
      : worker_(worker), id_(g_connection_seq.fetch_add(1) + 1) {
    bev_ = bufferevent_socket_new(worker.base, fd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(bev_, &Connection::onRead, &Connection::onWrite, &Connection::onEvent, this);
    bufferevent_setwatermark(bev_, EV_READ, 0, kInputHigh);
    bufferevent_setwatermark(bev_, EV_WRITE, kOutputLow, 0);
    bufferevent_set_max_single_read(bev_, kMaxSingleRead);
    bufferevent_enable(bev_, EV_READ | EV_WRITE);
    worker_.connections.insert(this);
  }

  ~Connection() {
    worker_.connections.erase(this);
    if (timer_ != nullptr) event_free(timer_);
    bufferevent_free(bev_);
  }

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

 private:
  enum class Phase : uint8_t {
    kHead,       // waiting for a request head
    kRequest,    // a request is being read and/or answered
    kWebSocket,  // after a 101: raw byte echo
    kClosing,    // flushing the last output before shutdown(SHUT_WR)
    kLingering,  // output shut; discarding late input until EOF or a short timer
    kDone,       // delete at the end of process()
  };
  enum class BodyUse : uint8_t { kDiscard, kCount, kEcho };
  enum class Pending : uint8_t { kNone, kBytes, kDelay, kSink, kEcho };
  enum class Framing : uint8_t { kLength, kChunked, kNone };

  static void onRead(bufferevent*, void* arg) { static_cast<Connection*>(arg)->process(); }

  static void onWrite(bufferevent*, void* arg) {
    auto* self = static_cast<Connection*>(arg);
    bool was_paused = self->paused_;
    if (was_paused) {
      self->paused_ = false;
      if (!self->read_eof_) bufferevent_enable(self->bev_, EV_READ);
    }
    if (was_paused || self->phase_ == Phase::kClosing || self->pending_ == Pending::kBytes) {
      self->process();
    }
  }

  static void onEvent(bufferevent*, short what, void* arg) {
    auto* self = static_cast<Connection*>(arg);
    if ((what & BEV_EVENT_EOF) != 0) {
      self->read_eof_ = true;
    } else {
      self->phase_ = Phase::kDone;  // reset or write error: nothing more can be delivered
    }
    self->process();
  }

  static void onTimer(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<Connection*>(arg);
    if (self->phase_ == Phase::kLingering) {
      self->phase_ = Phase::kDone;
    } else if (self->pending_ == Pending::kDelay) {
      self->writeHello();
      self->pending_ = Pending::kNone;
    }
    self->process();
  }

  evbuffer* input() const { return bufferevent_get_input(bev_); }
  evbuffer* output() const { return bufferevent_get_output(bev_); }

  // Advances the state machine as far as the input and output room allow.
  void process() {
    bool progressed = true;
    while (progressed) {
      progressed = false;
      switch (phase_) {
        case Phase::kHead:
          progressed = readHead();
          break;
        case Phase::kRequest:
          progressed = advanceRequest();
          break;
        case Phase::kWebSocket:
          echoRaw();
          break;
        case Phase::kClosing:
          progressed = finishClosing();
          break;
        case Phase::kLingering:
          evbuffer_drain(input(), evbuffer_get_length(input()));
          if (read_eof_) phase_ = Phase::kDone;
          break;
        case Phase::kDone:
          break;
      }
    }
    if (phase_ == Phase::kDone) delete this;
  }

  // kHead: parses one request head if complete and starts the request. True when it did.
  bool readHead() {
    const http1::Limits& limits = worker_.limits;
    evbuffer* in = input();
    size_t available = evbuffer_get_length(in);
    if (available == 0) {
      if (read_eof_) phase_ = Phase::kClosing;
      return read_eof_;
    }
    std::string_view bytes = frontBytes(in, 1);
    http1::HeadScan scan = http1::scanHead(bytes, limits, /*is_request=*/true);
    if (scan.state == http1::HeadScan::State::kIncomplete && bytes.size() < available) {
      bytes = frontBytes(in, limits.max_header_bytes + 64);  // a head split across segments
      scan = http1::scanHead(bytes, limits, /*is_request=*/true);
    }
    if (scan.state == http1::HeadScan::State::kIncomplete) {
      if (read_eof_ || bytes.size() < available) {
        // The peer ended mid-head, or a head longer than the limit slipped past the scanner.
        phase_ = read_eof_ ? Phase::kDone : Phase::kClosing;
        return true;
      }
      return false;
    }
    http1::ParseError error = scan.error;
    if (scan.state == http1::HeadScan::State::kComplete) {
      error = http1::parseRequestHead(bytes.substr(0, scan.head_length), limits, head_);
    }
    if (error != http1::ParseError::kNone) {
      rejectRequest(error);
      return true;
    }
    evbuffer_drain(in, scan.head_length);
    startRequest();
    return true;
  }

  void rejectRequest(http1::ParseError error) {
    keep_alive_ = false;
    head_request_ = false;
    std::string body(http1::nameOf(error));
    body += '\n';
    writeHead(http1::statusFor(error), Framing::kLength, body.size());
    writeBody(body);
    phase_ = Phase::kClosing;
  }

  void startRequest() {
    phase_ = Phase::kRequest;
    const std::string* method = head_.headers.get(":method");
    const std::string* target = head_.headers.get(":path");
    head_request_ = method != nullptr && *method == "HEAD";
    keep_alive_ = head_.keep_alive;
    pending_ = Pending::kNone;
    body_use_ = BodyUse::kDiscard;
    body_received_ = 0;
    body_done_ = head_.framing == http1::BodyFraming::kNone;
    if (head_.framing == http1::BodyFraming::kContentLength) {
      body_left_ = head_.content_length;
      body_done_ = body_left_ == 0;
    } else if (head_.framing == http1::BodyFraming::kChunked) {
      decoder_ = http1::ChunkedDecoder();
      trailers_.clear();
    }
    if (head_.expect_continue && !body_done_) {
      evbuffer_add(output(), "HTTP/1.1 100 Continue\r\n\r\n", 25);
    }

    std::string_view path = target != nullptr ? std::string_view(*target) : "/";
    path = path.substr(0, path.find('?'));
    if (worker_.config->status != 200) {
      answerStatus(worker_.config->status);
    } else if (path == "/echo") {
      body_use_ = BodyUse::kEcho;
      pending_ = Pending::kEcho;
      echo_chunked_ = head_.framing == http1::BodyFraming::kChunked;
      if (echo_chunked_) {
        writeHead(200, Framing::kChunked, 0);
      } else {
        writeHead(200, Framing::kLength, body_done_ ? 0 : head_.content_length);
      }
    } else if (path == "/sink") {
      body_use_ = BodyUse::kCount;
      pending_ = Pending::kSink;
    } else if (path.starts_with("/bytes/")) {
      uint64_t n = 0;
      if (!parseNumber(path.substr(7), n) || n > kMaxBytes) return answerBadPath();
      writeHead(200, Framing::kLength, n);
      bytes_left_ = head_request_ ? 0 : n;
      bytes_sent_ = 0;
      pending_ = Pending::kBytes;
    } else if (path.starts_with("/delay/")) {
      uint64_t ms = 0;
      if (!parseNumber(path.substr(7), ms) || ms > kMaxDelayMs) return answerBadPath();
      armTimer(timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>(ms % 1000 * 1000)});
      pending_ = Pending::kDelay;
    } else if (path.starts_with("/status/")) {
      uint64_t code = 0;
      if (!parseNumber(path.substr(8), code) || code < 200 || code > 599) return answerBadPath();
      answerStatus(static_cast<int>(code));
    } else if (path == "/headers") {
      answerHeaders();
    } else if (path == "/ws") {
      startWebSocket();
    } else {
      writeHello();
    }
  }

  void answerBadPath() {
    std::string_view body = "bad path parameter\n";
    writeHead(400, Framing::kLength, body.size());
    writeBody(body);
  }

  void writeHello() {
    std::string body = "hello from " + worker_.config->name + "\n";
    writeHead(200, Framing::kLength, body.size());
    writeBody(body);
  }

  void answerStatus(int code) {
    if (code == 204 || code == 304) {
      writeHead(code, Framing::kNone, 0);
      return;
    }
    std::string body = "status " + std::to_string(code) + "\n";
    writeHead(code, Framing::kLength, body.size());
    writeBody(body);
  }

  // The request's fields, in order; the parser's :authority is shown as the Host it came from.
  void answerHeaders() {
    std::string body;
    for (const auto& entry : head_.headers) {
      if (entry.name == ":authority") {
        body += "host: " + entry.value + "\n";
      } else if (!entry.name.starts_with(':') && entry.name != "host") {
        body += entry.name + ": " + entry.value + "\n";
      }
    }
    writeHead(200, Framing::kLength, body.size());
    writeBody(body);
  }

  void startWebSocket() {
    const std::string* upgrade = head_.headers.get("upgrade");
    const std::string* key = head_.headers.get("sec-websocket-key");
    if (!head_.upgrade || upgrade == nullptr || !equalsIgnoreCase(*upgrade, "websocket") ||
        key == nullptr || !body_done_) {
      std::string_view body = "websocket upgrade required\n";
      writeHead(400, Framing::kLength, body.size());
      writeBody(body);
      return;
    }
    std::string extra = "upgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: " +
                        webSocketAccept(*key) + "\r\n";
    writeHead(101, Framing::kNone, 0, extra);
    phase_ = Phase::kWebSocket;
  }

  // Writes the status line and fields. `length` is used with Framing::kLength.
  void writeHead(int status, Framing framing, uint64_t length, std::string_view extra = {}) {
    std::string& h = worker_.scratch;
    h.clear();
    h += "HTTP/1.1 ";
    appendNumber(h, static_cast<uint64_t>(status));
    h += ' ';
    h += weft::http::http1_encoding::reasonPhrase(status);
    h += "\r\n";
    if (framing == Framing::kLength) {
      h += "content-length: ";
      appendNumber(h, length);
      h += "\r\n";
    } else if (framing == Framing::kChunked) {
      h += "transfer-encoding: chunked\r\n";
    }
    h += "x-upstream-name: ";
    h += worker_.config->name;
    h += "\r\nx-upstream-connection: ";
    appendNumber(h, id_);
    h += "\r\n";
    if (status != 101) {
      if (!keep_alive_) {
        h += "connection: close\r\n";
      } else if (head_.version_minor == 0) {
        h += "connection: keep-alive\r\n";
      }
    }
    h += extra;
    h += "\r\n";
    evbuffer_add(output(), h.data(), h.size());
  }

  void writeBody(std::string_view body) {
    if (!head_request_) evbuffer_add(output(), body.data(), body.size());
  }

  // kRequest: consumes body bytes, produces pending output, and ends the request when both are
  // complete. True when the connection moved to another phase.
  bool advanceRequest() {
    if (!body_done_ && !readBody() && phase_ != Phase::kRequest) return true;
    if (pending_ == Pending::kBytes) produceBytes();
    if (body_done_ && pending_ == Pending::kSink) {
      std::string body = std::to_string(body_received_) + "\n";
      writeHead(200, Framing::kLength, body.size());
      writeBody(body);
      pending_ = Pending::kNone;
    }
    if (body_done_ && pending_ == Pending::kEcho) {
      if (echo_chunked_ && !head_request_) {
        std::string last = "0\r\n";
        for (const auto& trailer : trailers_) last += trailer.name + ": " + trailer.value + "\r\n";
        last += "\r\n";
        evbuffer_add(output(), last.data(), last.size());
      }
      pending_ = Pending::kNone;
    }
    if (!body_done_ || pending_ != Pending::kNone) return false;
    phase_ = keep_alive_ ? Phase::kHead : Phase::kClosing;
    return true;
  }

  // Consumes request body bytes as the body's use asks. False when it must wait for input or
  // output room, or when the request failed (phase_ changed).
  bool readBody() {
    evbuffer* in = input();
    while (!body_done_) {
      if (body_use_ == BodyUse::kEcho && evbuffer_get_length(output()) >= kOutputHigh) {
        pauseReading();
        return false;
      }
      size_t available = evbuffer_get_length(in);
      if (available == 0) break;
      if (head_.framing == http1::BodyFraming::kContentLength) {
        size_t n = static_cast<size_t>(std::min<uint64_t>(available, body_left_));
        deliverBody(n);
        body_left_ -= n;
        body_done_ = body_left_ == 0;
        continue;
      }
      if (!readChunkedStep(available)) break;
    }
    if (!body_done_ && read_eof_) {
      phase_ = Phase::kDone;  // the body was cut short: nothing sensible to answer
      return false;
    }
    return body_done_;
  }

  // One ChunkedDecoder step. False when more input is needed (or the body was malformed).
  bool readChunkedStep(size_t available) {
    evbuffer* in = input();
    constexpr size_t kFramingWindow = 2 * http1::ChunkedDecoder::kMaxLine + 16;
    std::string_view bytes = frontBytes(in, 1);
    http1::ChunkedDecoder::Step step = decoder_.next(bytes, trailers_);
    if (step.error == http1::ParseError::kNone && step.consumed == 0 && bytes.size() < available) {
      bytes = frontBytes(in, kFramingWindow);  // a framing line split across segments
      step = decoder_.next(bytes, trailers_);
    }
    if (step.error != http1::ParseError::kNone) {
      phase_ = Phase::kDone;  // the response may have begun: all we can do is close
      return false;
    }
    if (step.consumed == 0) return false;
    evbuffer_drain(in, step.data_offset);
    deliverBody(step.data_length);
    evbuffer_drain(in, step.consumed - step.data_offset - step.data_length);
    body_done_ = step.done;
    return true;
  }

  // Takes `n` body bytes from the front of the input.
  void deliverBody(size_t n) {
    if (n == 0) return;
    body_received_ += n;
    if (body_use_ != BodyUse::kEcho || head_request_) {
      evbuffer_drain(input(), n);
      return;
    }
    if (echo_chunked_) {
      char line[24];
      int len = std::snprintf(line, sizeof(line), "%zx\r\n", n);
      evbuffer_add(output(), line, static_cast<size_t>(len));
      evbuffer_remove_buffer(input(), output(), n);
      evbuffer_add(output(), "\r\n", 2);
    } else {
      evbuffer_remove_buffer(input(), output(), n);
    }
  }

  // /bytes: tops the output up to kOutputHigh with references to the pattern block.
  void produceBytes() {
    evbuffer* out = output();
    const char* block = patternBlock();
    while (bytes_left_ > 0 && evbuffer_get_length(out) < kOutputHigh) {
      size_t phase = static_cast<size_t>(bytes_sent_ % kPatternPeriod);
      size_t n =
          static_cast<size_t>(std::min<uint64_t>(bytes_left_, kPatternSize - kPatternPeriod));
      evbuffer_add_reference(out, block + phase, n, nullptr, nullptr);
      bytes_left_ -= n;
      bytes_sent_ += n;
    }
    if (bytes_left_ == 0) pending_ = Pending::kNone;
  }

  // kWebSocket: raw echo with the same backpressure as /echo.
  void echoRaw() {
    evbuffer_add_buffer(output(), input());
    if (evbuffer_get_length(output()) >= kOutputHigh) pauseReading();
    if (read_eof_) phase_ = Phase::kClosing;
  }

  void pauseReading() {
    paused_ = true;
    bufferevent_disable(bev_, EV_READ);
  }

  // kClosing: once the output is flushed, shuts our sending side and lingers briefly so that
  // late client bytes do not turn the close into a reset that could destroy the response.
  bool finishClosing() {
    evbuffer_drain(input(), evbuffer_get_length(input()));
    if (evbuffer_get_length(output()) > 0) return false;
    shutdown(bufferevent_getfd(bev_), SHUT_WR);
    if (read_eof_) {
      phase_ = Phase::kDone;
    } else {
      phase_ = Phase::kLingering;
      paused_ = false;
      bufferevent_enable(bev_, EV_READ);
      armTimer(kLingerTime);
    }
    return true;
  }

  void armTimer(timeval after) {
    if (timer_ == nullptr) timer_ = evtimer_new(worker_.base, &Connection::onTimer, this);
    evtimer_add(timer_, &after);
  }

  Worker& worker_;
  const uint64_t id_;
  bufferevent* bev_ = nullptr;
  event* timer_ = nullptr;
  Phase phase_ = Phase::kHead;
  bool read_eof_ = false;
  bool paused_ = false;  // reading disabled until the output drains

  // The request in progress.
  http1::RequestHead head_;
  bool head_request_ = false;
  bool keep_alive_ = true;
  BodyUse body_use_ = BodyUse::kDiscard;
  bool body_done_ = true;
  uint64_t body_left_ = 0;  // Content-Length bodies
  uint64_t body_received_ = 0;
  http1::ChunkedDecoder decoder_;
  weft::http::HeaderMap trailers_;
  bool echo_chunked_ = false;
  Pending pending_ = Pending::kNone;
  uint64_t bytes_left_ = 0;  // /bytes
  uint64_t bytes_sent_ = 0;
};

void onAccept(evconnlistener*, evutil_socket_t fd, sockaddr*, int, void* arg) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  new Connection(*static_cast<Worker*>(arg), fd);
}

void onStop(evutil_socket_t, short, void* arg) {
  event_base_loopbreak(static_cast<event_base*>(arg));
}

void runWorker(Worker& worker, evutil_socket_t listen_fd, evutil_socket_t stop_fd) {
  worker.base = event_base_new();
  worker.listener = evconnlistener_new(worker.base, &onAccept, &worker, LEV_OPT_CLOSE_ON_FREE,
                                       /*backlog: already listening*/ 0, listen_fd);
  worker.stop_event = event_new(worker.base, stop_fd, EV_READ, &onStop, worker.base);
  event_add(worker.stop_event, nullptr);
  event_base_dispatch(worker.base);
  while (!worker.connections.empty()) delete *worker.connections.begin();
  event_free(worker.stop_event);
  evconnlistener_free(worker.listener);
  event_base_free(worker.base);
}

// A listening socket on address:port with SO_REUSEPORT, or -1 (errno set).
int openListener(const sockaddr_storage& address, socklen_t length) {
  int fd = socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (bind(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0 || listen(fd, 1024) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool parseArgs(int argc, char** argv, Config& config) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) return false;
    std::string_view value = argv[++i];
    uint64_t n = 0;
    if (arg == "--port" && parseNumber(value, n) && n <= 65535) {
      config.port = static_cast<uint16_t>(n);
    } else if (arg == "--threads" && parseNumber(value, n) && n >= 1 && n <= 256) {
      config.threads = static_cast<int>(n);
    } else if (arg == "--address") {
      config.address = value;
    } else if (arg == "--name" && !value.empty()) {
      config.name = value;
    } else if (arg == "--status" && parseNumber(value, n) && n >= 200 && n <= 599) {
      config.status = static_cast<int>(n);
    } else {
      return false;
    }
  }
  return true;
}

bool resolveAddress(const Config& config, sockaddr_storage& out, socklen_t& length) {
  std::memset(&out, 0, sizeof(out));
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET, config.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(config.port);
    length = sizeof(*v4);
    return true;
  }
  if (inet_pton(AF_INET6, config.address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(config.port);
    length = sizeof(*v6);
    return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  sockaddr_storage address;
  socklen_t length = 0;
  if (!parseArgs(argc, argv, config) || !resolveAddress(config, address, length)) {
    std::fprintf(stderr,
                 "usage: %s --port PORT [--address 127.0.0.1] [--threads N] [--name NAME] "
                 "[--status CODE]\n",
                 argv[0]);
    return 2;
  }

  // The first socket picks the port (maybe ephemeral); the others share it via SO_REUSEPORT.
  std::vector<int> listeners;
  for (int i = 0; i < config.threads; ++i) {
    int fd = openListener(address, length);
    if (fd < 0) {
      std::fprintf(stderr, "cannot listen on %s:%u: %s\n", config.address.c_str(), config.port,
                   std::strerror(errno));
      return 1;
    }
    if (i == 0) getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    listeners.push_back(fd);
  }
  uint16_t port =
      ntohs(address.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&address)->sin_port
                                         : reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);

  // Signals are taken by sigwait() here; workers stop when the stop pipe's write end closes.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  int stop_pipe[2];
  if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return 1;

  std::vector<Worker> workers(listeners.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers.size(); ++i) {
    workers[i].config = &config;
    threads.emplace_back(runWorker, std::ref(workers[i]), listeners[i], stop_pipe[0]);
  }
  bool v6 = address.ss_family == AF_INET6;
  std::printf("listening %s%s%s:%u\n", v6 ? "[" : "", config.address.c_str(), v6 ? "]" : "", port);
  std::fflush(stdout);

  int received = 0;
  sigwait(&signals, &received);
  close(stop_pipe[1]);
  for (auto& thread : threads) thread.join();
  close(stop_pipe[0]);
  return 0;
}
