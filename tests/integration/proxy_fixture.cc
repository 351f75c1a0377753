// Implementation of the integration-test helpers: processes, bootstrap files, a raw HTTP client.
#include "tests/integration/proxy_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace weft::itest {
namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

int remainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// The port after the last ':' of `line`, or 0.
uint16_t portAfterColon(std::string_view line) {
  size_t colon = line.rfind(':');
  if (colon == std::string_view::npos) return 0;
  unsigned long port = std::strtoul(std::string(trim(line.substr(colon + 1))).c_str(), nullptr, 10);
  return port > 0 && port <= 65535 ? static_cast<uint16_t>(port) : 0;
}

void writeFileAtomically(const std::string& path, const std::string& text) {
  std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << text;
    BOOST_REQUIRE_MESSAGE(out.good(), "cannot write " << temp);
  }
  BOOST_REQUIRE_MESSAGE(std::rename(temp.c_str(), path.c_str()) == 0, "rename " << temp);
}

// Parses "name: value" lines of /stats into integers (histogram and other lines are skipped).
std::map<std::string, uint64_t> parseStats(std::string_view text) {
  std::map<std::string, uint64_t> stats;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    size_t colon = line.rfind(": ");
    if (colon == std::string::npos) continue;
    std::string value(trim(std::string_view(line).substr(colon + 2)));
    if (value.empty() ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    stats[line.substr(0, colon)] = std::strtoull(value.c_str(), nullptr, 10);
  }
  return stats;
}

}  // namespace

TempDir::TempDir() {
  char pattern[] = "/tmp/weft-itest-XXXXXX";
  const char* dir = ::mkdtemp(pattern);
  BOOST_REQUIRE_MESSAGE(dir != nullptr, "mkdtemp: " << std::strerror(errno));
  path_ = dir;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

uint16_t pickFreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_in addr = loopback(0);
  BOOST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  BOOST_REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string asanQuarantineOff() {
  const char* options = std::getenv("ASAN_OPTIONS");
  return std::string("ASAN_OPTIONS=") + (options ? std::string(options) + ":" : "") +
         "quarantine_size_mb=0";
}

std::optional<uint64_t> residentBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;  // "VmRSS:   1234 kB"
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// ChildProcess

ChildProcess::ChildProcess(std::vector<std::string> argv, std::vector<std::string> extra_env) {
  BOOST_REQUIRE(!argv.empty());
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  std::vector<char*> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view key(*entry, std::strcspn(*entry, "="));
    bool replaced = std::any_of(extra_env.begin(), extra_env.end(), [&](const std::string& e) {
      return e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=';
    });
    if (!replaced) env.push_back(*entry);
  }
  for (std::string& entry : extra_env) env.push_back(entry.data());
  env.push_back(nullptr);

  int out_pipe[2];
  int err_pipe[2];
  BOOST_REQUIRE(::pipe2(out_pipe, O_CLOEXEC) == 0);
  BOOST_REQUIRE(::pipe2(err_pipe, O_CLOEXEC) == 0);
  BOOST_REQUIRE(::pipe2(wake_fd_, O_CLOEXEC) == 0);
  pid_t parent = ::getpid();

  pid_ = ::fork();
  BOOST_REQUIRE_MESSAGE(pid_ >= 0, "fork: " << std::strerror(errno));
  if (pid_ == 0) {
    // Only async-signal-safe calls from here to exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int null_fd = ::open("/dev/null", O_RDONLY);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::dup2(err_pipe[1], STDERR_FILENO);
    ::execve(args[0], args.data(), env.data());
    static const char kFailed[] = "exec failed\n";
    [[maybe_unused]] ssize_t ignored = ::write(STDERR_FILENO, kFailed, sizeof kFailed - 1);
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  reader_ = std::thread([this, out = out_pipe[0], err = err_pipe[0]] { readOutput(out, err); });
}

ChildProcess::~ChildProcess() {
  stop();
  [[maybe_unused]] ssize_t ignored = ::write(wake_fd_[1], "x", 1);
  if (reader_.joinable()) reader_.join();
  ::close(wake_fd_[0]);
  ::close(wake_fd_[1]);
}

void ChildProcess::readOutput(int out_fd, int err_fd) {
  pollfd fds[3] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}, {wake_fd_[0], POLLIN, 0}};
  char buffer[16384];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents != 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      std::lock_guard lock(mutex_);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        if (i == 0) stdout_closed_ = true;
      } else {
        (i == 0 ? stdout_ : stderr_).append(buffer, static_cast<size_t>(n));
      }
      changed_.notify_all();
    }
  }
  std::lock_guard lock(mutex_);
  for (int i = 0; i < 2; ++i) {
    if (fds[i].fd >= 0) ::close(fds[i].fd);
  }
  stdout_closed_ = true;
  output_done_ = true;
  changed_.notify_all();
}

void ChildProcess::waitForOutputEnd(milliseconds timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return output_done_; });
}

std::optional<std::string> ChildProcess::waitForLine(std::string_view prefix,
                                                     milliseconds timeout) {
  std::unique_lock lock(mutex_);
  auto found = [&]() -> std::optional<std::string> {
    size_t start = 0;
    for (size_t end; (end = stdout_.find('\n', start)) != std::string::npos; start = end + 1) {
      std::string_view line(stdout_.data() + start, end - start);
      if (line.substr(0, prefix.size()) == prefix) return std::string(line);
    }
    return std::nullopt;
  };
  std::optional<std::string> line;
  changed_.wait_for(lock, timeout, [&] { return (line = found()).has_value() || stdout_closed_; });
  return line ? line : found();
}

std::string ChildProcess::stdoutText() const {
  std::lock_guard lock(mutex_);
  return stdout_;
}

std::string ChildProcess::stderrText() const {
  std::lock_guard lock(mutex_);
  return stderr_;
}

bool ChildProcess::stderrShows(std::string_view text, size_t from, milliseconds timeout) const {
  return eventually(
      [&] {
        std::lock_guard lock(mutex_);
        return stderr_.find(text, from) != std::string::npos;
      },
      timeout);
}

void ChildProcess::signal(int signo) {
  if (!exit_status_) ::kill(pid_, signo);
}

bool ChildProcess::running() { return !waitExit(milliseconds(0)).has_value(); }

std::optional<int> ChildProcess::waitExit(milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!exit_status_) {
    int status = 0;
    pid_t got = ::waitpid(pid_, &status, WNOHANG);
    if (got == pid_) {
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    } else if (got < 0 && errno != EINTR) {
      exit_status_ = -1;  // not our child any more; nothing left to reap
    } else if (Clock::now() >= deadline) {
      return std::nullopt;
    } else {
      std::this_thread::sleep_for(milliseconds(5));
    }
  }
  return exit_status_;
}

int ChildProcess::stop(milliseconds timeout) {
  if (exit_status_) return *exit_status_;
  signal(SIGTERM);
  if (auto status = waitExit(timeout)) return *status;
  signal(SIGKILL);
  return waitExit(milliseconds(10000)).value_or(-1);
}

// ---------------------------------------------------------------------------------------------
// Upstream

ProgramRun finished(ChildProcess& child, milliseconds timeout) {
  std::optional<int> status = child.waitExit(timeout);
  BOOST_REQUIRE_MESSAGE(status, "client program did not finish in time");
  child.waitForOutputEnd(milliseconds(2000));
  return {*status, child.stdoutText(), child.stderrText()};
}

ProgramRun runProgram(std::vector<std::string> argv, milliseconds timeout) {
  ChildProcess child(std::move(argv));
  return finished(child, timeout);
}

Upstream::Upstream(std::string name, int status, uint16_t port)
    : name_(std::move(name)),
      process_({WEFT_UPSTREAM_BIN, "--port", std::to_string(port), "--name", name_, "--status",
                std::to_string(status)}) {
  auto line = process_.waitForLine("listening ", milliseconds(10000));
  BOOST_REQUIRE_MESSAGE(line, "weft-test-upstream did not print its port; stderr:\n"
                                  << process_.stderrText());
  port_ = portAfterColon(*line);
  BOOST_REQUIRE_MESSAGE(port_ != 0, "cannot parse upstream port from: " << *line);
}

// ---------------------------------------------------------------------------------------------
// Bootstrap text and Proxy

std::string httpBootstrapYaml(const HttpBootstrap& spec) {
  std::ostringstream out;
  out << "workers: " << spec.workers << "\n"
      << "drain_timeout: 3s\n"
      << "admin: { address: 127.0.0.1, port: 0 }\n"
      << spec.top_level_yaml << "listeners:\n"
      << "  - name: ingress\n"
      << "    address: 127.0.0.1\n"
      << "    port: ${port:ingress}\n"
      << "    protocol: http\n"
      << "    route_config: local\n";
  if (!spec.filters.empty()) {
    out << "    filters:\n";
    for (const FilterSpec& filter : spec.filters) {
      out << "      - name: " << filter.name << "\n"
          << "        plugin: " << filter.plugin << "\n";
      if (!filter.config_yaml.empty()) out << "        config: " << filter.config_yaml << "\n";
    }
  }
  if (!spec.limits_yaml.empty()) out << "    limits: { " << spec.limits_yaml << " }\n";
  out << spec.listener_yaml;
  out << "route_configs:\n"
      << "  - name: local\n"
      << "    virtual_hosts:\n"
      << spec.extra_virtual_hosts << "      - name: all\n"
      << "        domains: [\"*\"]\n"
      << "        routes:\n"
      << spec.extra_routes << "          - match: { prefix: / }\n"
      << "            cluster: backend\n"
      << "clusters:\n"
      << "  - name: backend\n"
      << "    connect_timeout: 1s\n";
  if (!spec.backend_protocol.empty()) out << "    protocol: " << spec.backend_protocol << "\n";
  out << "    endpoints: [ { address: 127.0.0.1, port: " << spec.upstream_port << " } ]\n"
      << spec.extra_clusters;
  return out.str();
}

Proxy::Proxy(const std::string& yaml_template, std::map<std::string, std::string> vars,
             std::vector<std::string> extra_env)
    : config_path_(dir_.path() + "/bootstrap.yaml") {
  writeConfig(expand(yaml_template, vars));
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{WEFT_PROXY_BIN, "-c", config_path_}, std::move(extra_env));

  auto ready = process_->waitForLine("weft-proxy: ready", milliseconds(15000));
  if (!ready) {
    auto status = process_->waitExit(milliseconds(0));
    BOOST_FAIL("weft-proxy did not become ready (exit status "
               << (status ? std::to_string(*status) : "none: still running") << ")\nstdout:\n"
               << process_->stdoutText() << "stderr:\n"
               << process_->stderrText());
  }
  auto admin = process_->waitForLine("weft-proxy: admin on ", milliseconds(0));
  BOOST_REQUIRE_MESSAGE(admin, "weft-proxy printed no 'admin on' line:\n"
                                   << process_->stdoutText());
  admin_port_ = portAfterColon(*admin);
  BOOST_REQUIRE(admin_port_ != 0);
}

Proxy::~Proxy() {
  int status = process_->stop();
  if (status != 0) {
    process_->waitForOutputEnd(milliseconds(2000));
    std::string err = process_->stderrText();
    BOOST_ERROR("weft-proxy exited with status "
                << status << " when stopped; stderr ends:\n"
                << err.substr(err.size() - std::min<size_t>(err.size(), 4000)));
  }
}

uint16_t Proxy::port(const std::string& listener) const {
  if (auto line =
          process_->waitForLine("weft-proxy: listener " + listener + " on ", milliseconds(0))) {
    return portAfterColon(*line);
  }
  auto it = ports_.find(listener);
  return it == ports_.end() ? 0 : it->second;
}

std::string Proxy::expand(const std::string& yaml_template,
                          const std::map<std::string, std::string>& vars) {
  std::string out;
  size_t at = 0;
  for (size_t open; (open = yaml_template.find("${", at)) != std::string::npos;) {
    size_t close = yaml_template.find('}', open);
    BOOST_REQUIRE_MESSAGE(close != std::string::npos, "unterminated placeholder in template");
    out.append(yaml_template, at, open - at);
    std::string key = yaml_template.substr(open + 2, close - open - 2);
    if (key.rfind("port:", 0) == 0) {
      auto [it, inserted] = ports_.try_emplace(key.substr(5), 0);
      if (inserted) it->second = pickFreePort();
      out += std::to_string(it->second);
    } else {
      auto it = vars.find(key);
      BOOST_REQUIRE_MESSAGE(it != vars.end(), "no value for placeholder ${" << key << "}");
      out += it->second;
    }
    at = close + 1;
  }
  out.append(yaml_template, at);
  return out;
}

void Proxy::writeConfig(const std::string& text) { writeFileAtomically(config_path_, text); }

void Proxy::reload(const std::string& yaml_template, std::map<std::string, std::string> vars) {
  writeConfig(expand(yaml_template, vars));
  process_->signal(SIGHUP);
}

std::optional<HttpResponse> Proxy::admin(const std::string& path) const {
  return fetch(admin_port_, "GET", path, "Connection: close\r\n");
}

std::optional<uint64_t> Proxy::stat(std::string_view name) const {
  auto response = admin("/stats");
  if (!response || response->status != 200) return std::nullopt;
  auto stats = parseStats(response->body);
  auto it = stats.find(std::string(name));
  if (it == stats.end()) return std::nullopt;
  return it->second;
}

uint64_t Proxy::statSum(std::string_view suffix) const {
  auto response = admin("/stats");
  if (!response || response->status != 200) return 0;
  uint64_t sum = 0;
  for (const auto& [name, value] : parseStats(response->body)) {
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(),
                                                     suffix.data(), suffix.size()) == 0) {
      sum += value;
    }
  }
  return sum;
}

ExitResult runProxyToExit(const std::string& yaml_template, milliseconds timeout,
                          const std::vector<std::string>& extra_args) {
  ExitResult result;
  TempDir dir;
  result.config_path = dir.path() + "/bootstrap.yaml";
  // The proxy exits before binding anything: any free port will do.
  std::string text = yaml_template;
  for (size_t at; (at = text.find("${port:")) != std::string::npos;) {
    text.replace(at, text.find('}', at) - at + 1, std::to_string(pickFreePort()));
  }
  writeFileAtomically(result.config_path, text);
  {
    std::vector<std::string> argv{WEFT_PROXY_BIN, "-c", result.config_path};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    ChildProcess proxy(argv);
    auto status = proxy.waitExit(timeout);
    if (!status) {
      BOOST_ERROR("weft-proxy kept running when it had to exit; stdout:\n"
                  << proxy.stdoutText() << "stderr:\n"
                  << proxy.stderrText());
    }
    result.status = status ? *status : proxy.stop();
    proxy.waitForOutputEnd(milliseconds(2000));
    result.stdout_text = proxy.stdoutText();
    result.stderr_text = proxy.stderrText();
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// HttpResponse and HttpConnection

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  std::string wanted = lower(name);
  for (const auto& [key, value] : headers) {
    if (key == wanted) return value;
  }
  return std::nullopt;
}

std::unique_ptr<HttpConnection> HttpConnection::open(uint16_t port, milliseconds timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return nullptr;
  sockaddr_in addr = loopback(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    pollfd pfd{fd, POLLOUT, 0};
    int error = 0;
    socklen_t len = sizeof error;
    if (errno != EINPROGRESS || ::poll(&pfd, 1, static_cast<int>(timeout.count())) != 1 ||
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
      ::close(fd);
      return nullptr;
    }
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return std::unique_ptr<HttpConnection>(new HttpConnection(fd));
}

int HttpConnection::connectErrno(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  sockaddr_in addr = loopback(port);
  int result = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 ? 0 : errno;
  ::close(fd);
  return result;
}

HttpConnection::~HttpConnection() { ::close(fd_); }

bool HttpConnection::send(std::string_view bytes, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      error_ = std::string("send: ") + std::strerror(errno);
      return false;
    }
    pollfd pfd{fd_, POLLOUT, 0};
    if (::poll(&pfd, 1, remainingMs(deadline)) == 0) {
      error_ = "send: timed out";
      return false;
    }
  }
  return true;
}

bool HttpConnection::fill(Clock::time_point deadline) {
  if (eof_) {
    error_ = "connection closed by peer";
    return false;
  }
  char buffer[65536];
  for (;;) {
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) {
      in_.append(buffer, static_cast<size_t>(n));
      return true;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      eof_ = true;
      error_ = n == 0 ? "connection closed by peer" : std::string("recv: ") + std::strerror(errno);
      return false;
    }
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, remainingMs(deadline)) == 0) {
      error_ = "timed out waiting for bytes";
      return false;
    }
  }
}

std::optional<std::string> HttpConnection::readLine(Clock::time_point deadline) {
  size_t end;
  while ((end = in_.find("\r\n")) == std::string::npos) {
    if (!fill(deadline)) return std::nullopt;
  }
  std::string line = in_.substr(0, end);
  in_.erase(0, end + 2);
  return line;
}

std::optional<HttpResponse> HttpConnection::readResponse(milliseconds timeout,
                                                         const ReadOptions& options) {
  auto deadline = Clock::now() + timeout;
  size_t head_end;
  while ((head_end = in_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill(deadline)) return std::nullopt;
  }
  std::istringstream head(in_.substr(0, head_end + 2));
  in_.erase(0, head_end + 4);

  HttpResponse response;
  std::string line;
  std::getline(head, line);
  std::istringstream status_line(line);
  status_line >> response.version >> response.status;
  std::getline(status_line, response.reason);
  response.reason = std::string(trim(response.reason));
  if (response.version.rfind("HTTP/", 0) != 0 || response.status < 100) {
    error_ = "bad status line: " + line;
    return std::nullopt;
  }
  while (std::getline(head, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    response.headers.emplace_back(lower(line.substr(0, colon)),
                                  std::string(trim(std::string_view(line).substr(colon + 1))));
  }
  if (!readBody(response, deadline, options)) return std::nullopt;
  return response;
}

bool HttpConnection::readBody(HttpResponse& response, Clock::time_point deadline,
                              const ReadOptions& options) {
  if (options.head_request || response.status < 200 || response.status == 204 ||
      response.status == 304) {
    return true;
  }
  auto encoding = response.header("transfer-encoding");
  if (encoding && lower(*encoding).find("chunked") != std::string::npos) {
    return readChunked(response, deadline, options);
  }
  if (auto length = response.header("content-length")) {
    return readCounted(response, std::strtoull(length->c_str(), nullptr, 10), false, deadline,
                       options);
  }
  return readCounted(response, 0, true, deadline, options);
}

bool HttpConnection::readChunked(HttpResponse& response, Clock::time_point deadline,
                                 const ReadOptions& options) {
  for (;;) {
    auto size_line = readLine(deadline);
    if (!size_line) return false;
    char* end = nullptr;
    uint64_t size = std::strtoull(size_line->c_str(), &end, 16);
    if (end == size_line->c_str()) {
      error_ = "bad chunk size line: " + *size_line;
      return false;
    }
    if (size == 0) break;
    if (!readCounted(response, size, false, deadline, options) || !readLine(deadline)) {
      return false;
    }
  }
  for (;;) {  // trailers, up to the empty line
    auto trailer = readLine(deadline);
    if (!trailer) return false;
    if (trailer->empty()) return true;
  }
}

bool HttpConnection::readCounted(HttpResponse& response, uint64_t length, bool until_eof,
                                 Clock::time_point deadline, const ReadOptions& options) {
  uint64_t wanted = length;
  auto take = [&](std::string_view bytes) {
    if (!options.discard_body) response.body.append(bytes);
    response.body_bytes += bytes.size();
    wanted -= std::min<uint64_t>(wanted, bytes.size());
    if (options.progress) options.progress(response.body_bytes);
  };
  size_t buffered =
      until_eof ? in_.size() : static_cast<size_t>(std::min<uint64_t>(wanted, in_.size()));
  take(std::string_view(in_).substr(0, buffered));
  in_.erase(0, buffered);

  // Straight from the socket in large reads, so a gigabyte goes by quickly.
  if (bulk_.empty()) bulk_.resize(4 << 20);
  while (until_eof || wanted > 0) {
    size_t cap =
        until_eof ? bulk_.size() : static_cast<size_t>(std::min<uint64_t>(wanted, bulk_.size()));
    ssize_t n = ::recv(fd_, bulk_.data(), cap, 0);
    if (n > 0) {
      take(std::string_view(bulk_.data(), static_cast<size_t>(n)));
      continue;
    }
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      eof_ = true;
      if (until_eof) return true;
      error_ = "connection closed with " + std::to_string(wanted) + " body bytes missing";
      return false;
    }
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, remainingMs(deadline)) == 0) {
      error_ = "timed out with " + std::to_string(wanted) + " body bytes missing";
      return false;
    }
  }
  return true;
}

bool HttpConnection::readExactly(size_t n, std::string* out, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (in_.size() < n) {
    if (!fill(deadline)) return false;
  }
  out->assign(in_, 0, n);
  in_.erase(0, n);
  return true;
}

bool HttpConnection::waitForClose(milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (fill(deadline)) in_.clear();
  in_.clear();
  return eof_;
}

void HttpConnection::shutdownWrite() { ::shutdown(fd_, SHUT_WR); }

// ---------------------------------------------------------------------------------------------
// Request helpers

std::string request(std::string_view method, std::string_view path, std::string_view raw_headers,
                    std::string_view body, std::string_view host) {
  std::string out;
  out.append(method).append(" ").append(path).append(" HTTP/1.1\r\n");
  if (!host.empty()) out.append("Host: ").append(host).append("\r\n");
  out.append(raw_headers).append("\r\n").append(body);
  return out;
}

std::optional<HttpResponse> fetch(uint16_t port, std::string_view method, std::string_view path,
                                  std::string_view raw_headers, milliseconds timeout) {
  auto connection = HttpConnection::open(port);
  if (!connection || !connection->send(request(method, path, raw_headers), timeout)) {
    return std::nullopt;
  }
  ReadOptions options;
  options.head_request = method == "HEAD";
  return connection->readResponse(timeout, options);
}

std::optional<HttpResponse> get(uint16_t port, std::string_view path,
                                std::string_view raw_headers) {
  return fetch(port, "GET", path, raw_headers);
}

std::multimap<std::string, std::string> parseEchoedHeaders(std::string_view body) {
  std::multimap<std::string, std::string> headers;
  while (!body.empty()) {
    size_t end = body.find('\n');
    std::string_view line = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    headers.emplace(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return headers;
}

std::optional<std::string> echoedHeader(const HttpResponse& response, const std::string& name) {
  auto headers = parseEchoedHeaders(response.body);
  auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

}  // namespace weft::itest
