// Logging: see logging.h.
#include "core/common/logging.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <ctime>
#include <string>

namespace weft::log {
namespace {

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};
constexpr std::array<std::string_view, 5> kNames = {"debug", "info", "warn", "error", "off"};

}  // namespace

void setLevel(Level l) { g_level.store(static_cast<int>(l), std::memory_order_relaxed); }
Level level() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }
std::string_view levelName(Level l) { return kNames[static_cast<size_t>(l)]; }

bool parseLevel(std::string_view text, Level& out) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == text) {
      out = static_cast<Level>(i);
      return true;
    }
  }
  return false;
}

void write(Level l, std::string_view message) {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tm parts{};
  gmtime_r(&now.tv_sec, &parts);
  char prefix[96];
  int n = std::snprintf(prefix, sizeof(prefix), "[%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ][%s][%ld] ",
                        parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
                        parts.tm_min, parts.tm_sec, now.tv_nsec / 1000000, levelName(l).data(),
                        static_cast<long>(syscall(SYS_gettid)));
  std::string line(prefix, static_cast<size_t>(n));
  line.append(message);
  line.push_back('\n');
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

}  // namespace weft::log
