// Helpers for the integration tests: they start the real weft-proxy and weft-test-upstream as
// child processes on loopback ports picked at run time and talk to them over real sockets.
//
//   ChildProcess    fork/exec, stdout and stderr captured, wait for a line, stop, exit status.
//                   Its destructor always stops and reaps the child: no test leaves one behind.
//   Upstream        a running weft-test-upstream and the port it printed.
//   Proxy           a bootstrap YAML written into a temp dir (from a template with placeholders),
//                   a running weft-proxy, its listener and admin ports, reload and stats.
//   HttpConnection  a small blocking HTTP/1.1 client over a raw socket: send any bytes (pipelined,
//                   malformed), read responses framed by content-length, chunked or close.
//
// Processes and proxies are driven from the test's thread (ChildProcess reads output on a thread
// of its own); an HttpConnection may be used by any one thread at a time. Fatal problems while
// starting processes fail the current test (BOOST_REQUIRE); the client returns empty optionals /
// false and leaves the verdict to the test.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace weft::itest {

using std::chrono::milliseconds;

// A loopback TCP port that was free a moment ago (bind port 0, read it, close). Racy by nature;
// good enough on a test machine.
uint16_t pickFreePort();

// Polls `condition` every 20ms until it holds (true) or `timeout` passes (false).
template <typename Condition>
bool eventually(Condition condition, milliseconds timeout = milliseconds(5000)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(20));
  }
  return true;
}

// VmRSS of a process in bytes, from /proc/<pid>/status; nullopt if it cannot be read.
std::optional<uint64_t> residentBytes(pid_t pid);

// An environment entry ("ASAN_OPTIONS=...quarantine_size_mb=0") for a proxy whose memory a test
// measures: an ASan build would otherwise keep freed buffers in its quarantine, which reads as
// growth. Other builds ignore it.
std::string asanQuarantineOff();

// One HTTP/1.1 response as read by HttpConnection.
struct HttpResponse {
  std::string version;  // "HTTP/1.1"
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;         // decoded (chunked framing removed); empty when discarded
  uint64_t body_bytes = 0;  // decoded body length, also when discarded

  std::optional<std::string> header(std::string_view name) const;  // name: any case
};

// ---------------------------------------------------------------------------------------------
// A child process with captured output.
class ChildProcess {
 public:
  // Starts argv[0] (a path) with argv and this process's environment plus `extra_env`
  // ("KEY=VALUE", replacing a KEY already set); stdin is /dev/null. Fails the test if fork
  // fails; a failed exec exits 127. The child gets SIGKILL if the test process dies.
  explicit ChildProcess(std::vector<std::string> argv, std::vector<std::string> extra_env = {});
  ~ChildProcess();  // stop(), then joins the output reader
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // The first complete stdout line starting with `prefix` (searched from the very first line),
  // or nullopt if none arrives within `timeout` or the child closes its stdout first.
  std::optional<std::string> waitForLine(std::string_view prefix, milliseconds timeout);

  // Everything captured so far.
  std::string stdoutText() const;
  // Waits until the child has closed both stdout and stderr (after it exits), so the texts are
  // complete.
  void waitForOutputEnd(milliseconds timeout);
  std::string stderrText() const;
  // Whether `text` shows up in stderr (at or after byte `from`) within `timeout`: a line the
  // child wrote before it answered may still be on its way through the reader thread.
  bool stderrShows(std::string_view text, size_t from = 0,
                   milliseconds timeout = milliseconds(5000)) const;

  void signal(int signo);
  bool running();
  // Waits up to `timeout` for the child to exit; its exit code, or 128 + signal number.
  std::optional<int> waitExit(milliseconds timeout);
  // SIGTERM, up to `timeout` to exit, then SIGKILL. Returns the exit status as waitExit does.
  int stop(milliseconds timeout = milliseconds(5000));

 private:
  void readOutput(int out_fd, int err_fd);

  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  int wake_fd_[2] = {-1, -1};  // written to stop the reader thread early
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::string stdout_;
  std::string stderr_;
  bool stdout_closed_ = false;
  bool output_done_ = false;
  std::thread reader_;
};

// How a client program (curl, h2load, nghttp, openssl) ended.
struct ProgramRun {
  int status = -1;
  std::string out;
  std::string err;
};
// Waits for `child` to end and returns what it printed; fails the test if it runs past `timeout`.
ProgramRun finished(ChildProcess& child, milliseconds timeout = milliseconds(20000));
// Runs a client program to its end (argv[0] is a path).
ProgramRun runProgram(std::vector<std::string> argv, milliseconds timeout = milliseconds(20000));

// ---------------------------------------------------------------------------------------------
// weft-test-upstream --port PORT --name NAME --status STATUS (STATUS: what every path answers; 200
// is the normal behaviour). PORT 0: one the upstream picks.
class Upstream {
 public:
  explicit Upstream(std::string name, int status = 200, uint16_t port = 0);
  uint16_t port() const { return port_; }
  const std::string& name() const { return name_; }
  ChildProcess& process() { return process_; }

 private:
  std::string name_;
  ChildProcess process_;
  uint16_t port_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Bootstrap text. A template may contain placeholders:
//   ${port:NAME}  a free port picked on first use; the same NAME gives the same port for the life
//                 of the Proxy (so a rewritten file keeps its listener ports)
//   ${KEY}        vars[KEY]
struct FilterSpec {
  std::string name;
  std::string plugin;       // path of the .so
  std::string config_yaml;  // flow-style YAML map, e.g. "{ delay_ms: 200 }"; empty: none
};

// One http listener "ingress" on ${port:ingress} (route_config "local": every path to cluster
// "backend" at 127.0.0.1:upstream_port), admin on an ephemeral port.
struct HttpBootstrap {
  uint16_t upstream_port = 0;
  uint32_t workers = 2;
  std::vector<FilterSpec> filters;
  std::string limits_yaml;    // flow-map body, e.g. "header_timeout: 300ms"; empty: defaults
  std::string listener_yaml;  // more listener fields as block lines, e.g. "    http2: {...}\n"
  std::string extra_routes;   // route entries (YAML block lines) placed before the catch-all
  std::string extra_virtual_hosts;  // virtual_hosts entries placed before the "*" one
  std::string extra_clusters;       // cluster entries appended after "backend"
  std::string backend_protocol;     // "http2": the backend cluster speaks h2c; empty: HTTP/1.1
  std::string top_level_yaml;       // extra top-level blocks, e.g. an access_log section
};
std::string httpBootstrapYaml(const HttpBootstrap& spec);

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class Proxy {
 public:
  // Writes the expanded template to <tmpdir>/bootstrap.yaml, starts weft-proxy -c on it and waits
  // for "weft-proxy: ready". Fails the test (with the proxy's stderr) if it does not get there.
  // `extra_env` as for ChildProcess.
  explicit Proxy(const std::string& yaml_template, std::map<std::string, std::string> vars = {},
                 std::vector<std::string> extra_env = {});
  // Stops the proxy (SIGTERM); a non-zero exit (a drain that hangs into SIGKILL, a sanitizer
  // report) fails the current test.
  ~Proxy();

  // The port of listener `name` (as printed by the proxy), or of the first one.
  uint16_t port(const std::string& listener = "ingress") const;
  uint16_t adminPort() const { return admin_port_; }
  ChildProcess& process() { return *process_; }
  const std::string& configPath() const { return config_path_; }

  // Rewrites the bootstrap file atomically (same placeholders, same ports) and sends SIGHUP.
  void reload(const std::string& yaml_template, std::map<std::string, std::string> vars = {});

  // One stat from /stats by its exact folded name; nullopt if absent or admin unreachable.
  std::optional<uint64_t> stat(std::string_view name) const;
  // The sum of every integer stat whose folded name ends with `suffix`.
  uint64_t statSum(std::string_view suffix) const;
  // GET <path> on the admin port: the whole response, or nullopt.
  std::optional<HttpResponse> admin(const std::string& path) const;

 private:
  std::string expand(const std::string& yaml_template,
                     const std::map<std::string, std::string>& vars);
  void writeConfig(const std::string& text);

  TempDir dir_;
  std::string config_path_;
  std::map<std::string, uint16_t> ports_;
  std::unique_ptr<ChildProcess> process_;
  uint16_t admin_port_ = 0;
};

// Writes the expanded template to a temp file, runs weft-proxy on it and expects it to exit
// by itself within `timeout`. Returns {exit status, stderr}; fails the test if it keeps running.
struct ExitResult {
  int status = -1;
  std::string stdout_text;
  std::string stderr_text;
  std::string config_path;
};
// Runs weft-proxy -c <the expanded template> [extra_args] on a config (or in a mode) that must
// make it exit by itself, and reports how it ended.
ExitResult runProxyToExit(const std::string& yaml_template, milliseconds timeout,
                          const std::vector<std::string>& extra_args = {});

// The name of the stat (a suffix of the folded name) that counts requests the proxy sent to
// upstreams; summed over clusters with Proxy::statSum.
inline constexpr std::string_view kUpstreamRequestsStat = "upstream_rq_total";

// ---------------------------------------------------------------------------------------------
// HTTP/1.1 client.
struct ReadOptions {
  bool head_request = false;  // the response to HEAD has no body whatever its headers say
  bool discard_body = false;  // count body bytes without keeping them (big transfers)
  // Called as body bytes arrive with the running total (for sampling memory mid-transfer).
  std::function<void(uint64_t)> progress;
};

class HttpConnection {
 public:
  // Connects to 127.0.0.1:port; nullptr if that fails within `timeout`.
  static std::unique_ptr<HttpConnection> open(uint16_t port,
                                              milliseconds timeout = milliseconds(2000));
  // errno of a fresh connect() to 127.0.0.1:port (0: it connected), for "is it refused?".
  static int connectErrno(uint16_t port);
  ~HttpConnection();

  // Writes every byte (MSG_NOSIGNAL); false on error or timeout.
  bool send(std::string_view bytes, milliseconds timeout = milliseconds(5000));
  // Reads one response (a 1xx one included) after any already-buffered bytes.
  std::optional<HttpResponse> readResponse(milliseconds timeout = milliseconds(5000),
                                           const ReadOptions& options = {});
  // Reads exactly n raw bytes (e.g. after a 101); false on EOF, error or timeout.
  bool readExactly(size_t n, std::string* out, milliseconds timeout = milliseconds(5000));
  // True if the peer closes (EOF or reset) within `timeout`; bytes arriving meanwhile are dropped.
  bool waitForClose(milliseconds timeout = milliseconds(2000));
  void shutdownWrite();
  int fd() const { return fd_; }
  // What went wrong in the last failed call, for test messages.
  const std::string& lastError() const { return error_; }

 private:
  explicit HttpConnection(int fd) : fd_(fd) {}
  // Appends whatever arrives before `deadline` to in_; false on EOF, error or timeout.
  bool fill(std::chrono::steady_clock::time_point deadline);
  bool readBody(HttpResponse& response, std::chrono::steady_clock::time_point deadline,
                const ReadOptions& options);
  bool readChunked(HttpResponse& response, std::chrono::steady_clock::time_point deadline,
                   const ReadOptions& options);
  bool readCounted(HttpResponse& response, uint64_t length, bool until_eof,
                   std::chrono::steady_clock::time_point deadline, const ReadOptions& options);
  std::optional<std::string> readLine(std::chrono::steady_clock::time_point deadline);

  int fd_;
  std::string in_;          // received, not yet consumed
  std::vector<char> bulk_;  // large reads of body bytes, allocated on first use
  bool eof_ = false;
  std::string error_;
};

// "METHOD path HTTP/1.1\r\nHost: localhost\r\n<headers>\r\n" + body. Pass "Host" yourself only
// through `raw_headers` when testing Host handling (set `host` empty to omit it).
std::string request(std::string_view method, std::string_view path,
                    std::string_view raw_headers = "", std::string_view body = "",
                    std::string_view host = "localhost");

// One request on a fresh connection; the response or nullopt.
std::optional<HttpResponse> fetch(uint16_t port, std::string_view method, std::string_view path,
                                  std::string_view raw_headers = "",
                                  milliseconds timeout = milliseconds(5000));
std::optional<HttpResponse> get(uint16_t port, std::string_view path,
                                std::string_view raw_headers = "");

// Parses the /headers body of weft-test-upstream ("name: value" lines) into lower-cased names.
std::multimap<std::string, std::string> parseEchoedHeaders(std::string_view body);
// The value of header `name` (lower case) in a /headers response, as the upstream received it.
std::optional<std::string> echoedHeader(const HttpResponse& response, const std::string& name);

}  // namespace weft::itest
