// Process-wide logging to stderr: one line per message, with time, level and thread.
// Safe from any thread; a message is written with a single write(2) so lines never interleave.
// The level can be changed at run time (admin /logging).
#pragma once

#include <atomic>
#include <string_view>

namespace weft::log {

enum class Level : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3, kOff = 4 };

void setLevel(Level level);
Level level();
bool parseLevel(std::string_view text, Level& out);
std::string_view levelName(Level level);

void write(Level level, std::string_view message);

inline bool enabled(Level l) { return static_cast<int>(l) >= static_cast<int>(level()); }
inline void debug(std::string_view m) {
  if (enabled(Level::kDebug)) write(Level::kDebug, m);
}
inline void info(std::string_view m) {
  if (enabled(Level::kInfo)) write(Level::kInfo, m);
}
inline void warn(std::string_view m) {
  if (enabled(Level::kWarn)) write(Level::kWarn, m);
}
inline void error(std::string_view m) {
  if (enabled(Level::kError)) write(Level::kError, m);
}

}  // namespace weft::log
