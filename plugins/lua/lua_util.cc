// Shared helpers of the Lua filter: see lua_util.h.
#include "plugins/lua/lua_util.h"

namespace weft::lua {

const char* phaseName(Phase phase) {
  switch (phase) {
    case Phase::kLoad:
      return "the script's top level";
    case Phase::kRequest:
      return "on_request";
    case Phase::kResponse:
      return "on_response";
    case Phase::kLog:
      return "on_log";
    case Phase::kTimer:
      return "a timer callback";
  }
  return "?";
}

void pushBase64(lua_State* L, std::string_view input) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  luaL_Buffer out;
  luaL_buffinit(L, &out);
  size_t i = 0;
  auto byte = [&](size_t at) { return static_cast<unsigned char>(input[at]); };
  for (; i + 3 <= input.size(); i += 3) {
    const unsigned triple = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    luaL_addchar(&out, kAlphabet[(triple >> 18) & 63]);
    luaL_addchar(&out, kAlphabet[(triple >> 12) & 63]);
    luaL_addchar(&out, kAlphabet[(triple >> 6) & 63]);
    luaL_addchar(&out, kAlphabet[triple & 63]);
  }
  const size_t rest = input.size() - i;
  if (rest > 0) {
    const unsigned triple = (byte(i) << 16) | (rest == 2 ? byte(i + 1) << 8 : 0);
    luaL_addchar(&out, kAlphabet[(triple >> 18) & 63]);
    luaL_addchar(&out, kAlphabet[(triple >> 12) & 63]);
    luaL_addchar(&out, rest == 2 ? kAlphabet[(triple >> 6) & 63] : '=');
    luaL_addchar(&out, '=');
  }
  luaL_pushresult(&out);
}

}  // namespace weft::lua
