// Small pieces every part of the Lua filter shares: the phases a script runs in, string views
// in and out of the Lua stack, and the rule for raising errors from C functions.
//
// RAISING ERRORS. A lua_CFunction raises with luaL_error / lua_error, which unwinds its frame.
// LuaJIT on x86-64 and arm64 unwinds with the C++ ABI, so destructors do run; still, the filter
// does not lean on that for the errors it raises on purpose: C++ objects (std::string,
// std::vector) are built only inside helpers that return normally, a helper reports a failure by
// pushing the message and returning kRaise, and the lua_CFunction then raises with nothing but
// plain values in its own frame. (Only an allocation failure inside a push can unwind through a
// helper; that relies on LuaJIT's C++-compatible unwinding.)
#pragma once

#include <climits>
#include <cstddef>
#include <lua.hpp>
#include <string_view>

namespace weft::lua {

// Where a script is running: its top level (loading), one of its entry points, or a callback of
// proxy.timer.at / every.
enum class Phase : unsigned char { kLoad, kRequest, kResponse, kLog, kTimer };

// The name scripts know a phase by, for error messages ("respond() is not allowed in on_log").
const char* phaseName(Phase phase);

// The two directions of a stream; on_request runs in one, on_response in the other.
enum class Dir : unsigned char { kRequest = 0, kResponse = 1 };

// What a helper returns when it pushed an error message instead of results (see above). Not -1:
// that is what lua_yield returns, and helpers pass it through.
inline constexpr int kRaise = INT_MIN;

inline std::string_view viewAt(lua_State* L, int index) {
  size_t len = 0;
  const char* data = lua_tolstring(L, index, &len);
  return data == nullptr ? std::string_view() : std::string_view(data, len);
}

inline std::string_view checkView(lua_State* L, int index) {
  size_t len = 0;
  const char* data = luaL_checklstring(L, index, &len);
  return std::string_view(data, len);
}

inline void pushView(lua_State* L, std::string_view text) {
  lua_pushlstring(L, text.data(), text.size());
}

// Pushes `message` and returns kRaise, for helpers (see RAISING ERRORS).
inline int pushError(lua_State* L, std::string_view message) {
  pushView(L, message);
  return kRaise;
}

// Finishes a lua_CFunction whose helper returned `results`: raises the pushed message if it was
// kRaise, else returns the number of results.
inline int finish(lua_State* L, int results) { return results == kRaise ? lua_error(L) : results; }

// Base64 (RFC 4648, with padding) of `input`, pushed as a Lua string.
void pushBase64(lua_State* L, std::string_view input);

}  // namespace weft::lua
