// The handle, its header maps and its body buffers: see handle_api.h.
#include "plugins/lua/handle_api.h"

#include <chrono>
#include <cstdio>
#include <vector>

#include "plugins/lua/http_call.h"
#include "plugins/lua/lua_config.h"
#include "plugins/lua/objects.h"
#include "plugins/lua/stream_info_api.h"

namespace weft::lua {
namespace {

constexpr char kHandleMeta[] = "weft.lua.handle";
constexpr char kHeadersMeta[] = "weft.lua.headers";
constexpr char kBufferMeta[] = "weft.lua.buffer";

struct HandleObject {
  StreamRef ref;
  Phase phase;
};
struct HeadersObject {
  StreamRef ref;
  weft_map map;
};
struct BufferObject {
  StreamRef ref;
  Dir dir;
  uint64_t epoch;  // the hook that handed it out
};

Dir dirOf(Phase phase) { return phase == Phase::kResponse ? Dir::kResponse : Dir::kRequest; }
weft_body bodyOf(Dir dir) { return dir == Dir::kRequest ? WEFT_BODY_REQUEST : WEFT_BODY_RESPONSE; }
weft_map headersOf(Dir dir) {
  return dir == Dir::kRequest ? WEFT_MAP_REQUEST_HEADERS : WEFT_MAP_RESPONSE_HEADERS;
}

// ---- the handle -------------------------------------------------------------------------------

struct Handle {
  LuaStream& stream;
  Phase phase;
  Dir dir;
};

// The handle at index 1: its stream is being handled, in the handle's own phase.
Handle checkHandle(lua_State* L) {
  auto* handle = static_cast<HandleObject*>(luaL_checkudata(L, 1, kHandleMeta));
  LuaStream& stream = streamOf(L, handle->ref);
  const Phase now = stream.vm().phase();
  if (now != handle->phase) {
    luaL_error(L, "a handle of %s cannot be used in %s", phaseName(handle->phase), phaseName(now));
  }
  return Handle{stream, handle->phase, dirOf(handle->phase)};
}

// The same, for the calls that only on_request and on_response allow.
Handle checkStreamingHandle(lua_State* L, const char* what) {
  Handle handle = checkHandle(L);
  if (handle.phase == Phase::kLog) luaL_error(L, "%s is not allowed in on_log", what);
  return handle;
}

int handleHeaders(lua_State* L) {
  Handle handle = checkHandle(L);
  pushHeaderMap(
      L, handle.stream,
      handle.phase == Phase::kResponse ? WEFT_MAP_RESPONSE_HEADERS : WEFT_MAP_REQUEST_HEADERS);
  return 1;
}

// body(), body(always_wrap_body) as in Envoy, or body(max_bytes).
int handleBody(lua_State* L) {
  Handle handle = checkStreamingHandle(L, "body()");
  size_t max = handle.stream.vm().config().options().body_limit;
  bool wrap = false;
  if (lua_isboolean(L, 2)) {
    wrap = lua_toboolean(L, 2) != 0;
  } else if (!lua_isnoneornil(L, 2)) {
    const lua_Number limit = luaL_checknumber(L, 2);
    luaL_argcheck(L, limit >= 0, 2, "the limit must not be negative");
    max = static_cast<size_t>(limit);
  }
  return finish(L, handle.stream.body(L, handle.dir, max, wrap));
}

// The iterator bodyChunks() returns. Upvalues: the VM, the handle.
int nextChunk(lua_State* L) {
  lua_settop(L, 0);
  lua_pushvalue(L, lua_upvalueindex(2));
  Handle handle = checkStreamingHandle(L, "bodyChunks()");
  return finish(L, handle.stream.nextChunk(L, handle.dir));
}

int handleBodyChunks(lua_State* L) {
  checkStreamingHandle(L, "bodyChunks()");
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushcclosure(L, nextChunk, 2);
  return 1;
}

int handleTrailers(lua_State* L) {
  Handle handle = checkStreamingHandle(L, "trailers()");
  return finish(L, handle.stream.trailers(L, handle.dir));
}

// Copies the reply's headers into a new list table {name1, value1, name2, value2, ...} pushed on
// the stack (so every string stays referenced), and reads :status. Returns the number of
// headers, or kRaise.
int collectReplyHeaders(lua_State* L, int table, uint32_t& status) {
  lua_newtable(L);
  const int list = lua_gettop(L);
  int n = 0;
  auto append = [&](int index) {  // the name (at -2 while iterating) is pushed by the caller
    lua_pushvalue(L, index);
    lua_tolstring(L, -1, nullptr);  // a number becomes its text (on this copy only)
    lua_rawseti(L, list, ++n);
  };
  lua_pushnil(L);
  while (lua_next(L, table) != 0) {
    const int value = lua_gettop(L);
    const int type = lua_type(L, value);
    if (lua_type(L, value - 1) != LUA_TSTRING) {
      lua_pop(L, 2);
      return pushError(L, "respond(): header names must be strings");
    }
    if (viewAt(L, value - 1) == ":status") {
      status = type == LUA_TNUMBER || type == LUA_TSTRING
                   ? static_cast<uint32_t>(lua_tonumber(L, value))
                   : 0;
    } else if (type == LUA_TSTRING || type == LUA_TNUMBER) {
      lua_pushvalue(L, value - 1);
      lua_rawseti(L, list, ++n);
      append(value);
    } else if (type == LUA_TTABLE) {
      const size_t count = lua_objlen(L, value);
      for (size_t i = 1; i <= count; ++i) {
        lua_pushvalue(L, value - 1);
        lua_rawseti(L, list, ++n);
        lua_rawgeti(L, value, static_cast<int>(i));
        append(lua_gettop(L));
        lua_pop(L, 1);
      }
    } else {
      lua_pop(L, 2);
      return pushError(L, "respond(): header values must be strings (or tables of strings)");
    }
    lua_pop(L, 1);
  }
  return n / 2;
}

int respondWith(lua_State* L, Handle& handle, std::string_view body) {
  uint32_t status = 0;
  const int count = collectReplyHeaders(L, 2, status);
  if (count == kRaise) return kRaise;
  if (status == 0) return pushError(L, "respond(): the headers must set :status");
  const int list = lua_gettop(L);
  std::vector<weft_header> headers(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    lua_rawgeti(L, list, 2 * i + 1);
    headers[i].name = toWeftStr(viewAt(L, -1));  // the list keeps the string alive
    lua_rawgeti(L, list, 2 * i + 2);
    headers[i].value = toWeftStr(viewAt(L, -1));
    lua_pop(L, 2);
  }
  return handle.stream.respond(L, handle.dir, status, body, headers.data(), headers.size());
}

int handleRespond(lua_State* L) {
  Handle handle = checkStreamingHandle(L, "respond()");
  luaL_checktype(L, 2, LUA_TTABLE);
  size_t length = 0;
  const char* body = luaL_optlstring(L, 3, "", &length);
  return finish(L, respondWith(L, handle, std::string_view(body, length)));
}

int handleMetadata(lua_State* L) {
  pushRouteMetadata(L, checkHandle(L).stream);
  return 1;
}

int handleStreamInfo(lua_State* L) {
  Handle handle = checkHandle(L);
  pushStreamInfo(L, handle.stream);
  return 1;
}

int handleConnection(lua_State* L) {
  Handle handle = checkHandle(L);
  pushConnection(L, handle.stream);
  return 1;
}

template <weft_log_level Level>
int handleLog(lua_State* L) {
  Handle handle = checkHandle(L);
  logScript(handle.stream.vm(), Level, checkView(L, 2));
  return 0;
}

int64_t nowSinceEpoch(bool micros) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return micros ? std::chrono::duration_cast<std::chrono::microseconds>(now).count()
                : std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
}

// Envoy's EnvoyTimestampResolution: MILLISECOND = 0, MICROSECOND = 1.
int handleTimestamp(lua_State* L) {
  checkHandle(L);
  lua_pushnumber(L, static_cast<lua_Number>(nowSinceEpoch(false)));
  return 1;
}

int handleTimestampString(lua_State* L) {
  checkHandle(L);
  const bool micros = luaL_optinteger(L, 2, 0) == 1;
  char text[32];
  std::snprintf(text, sizeof(text), "%lld", static_cast<long long>(nowSinceEpoch(micros)));
  lua_pushstring(L, text);
  return 1;
}

int handleBase64Escape(lua_State* L) {
  checkHandle(L);
  pushBase64(L, checkView(L, 2));
  return 1;
}

int httpCallWith(lua_State* L, Handle& handle) {
  HttpCallRequest request;
  if (readHttpCallArgs(L, 2, request) == kRaise) return kRaise;
  return handle.stream.httpCall(L, handle.dir, request);
}

int handleHttpCall(lua_State* L) {
  Handle handle = checkStreamingHandle(L, "httpCall()");
  return finish(L, httpCallWith(L, handle));
}

constexpr luaL_Reg kHandleMethods[] = {
    {"headers", handleHeaders},
    {"body", handleBody},
    {"bodyChunks", handleBodyChunks},
    {"trailers", handleTrailers},
    {"respond", handleRespond},
    {"metadata", handleMetadata},
    {"streamInfo", handleStreamInfo},
    {"connection", handleConnection},
    {"logTrace", handleLog<WEFT_LOG_DEBUG>},
    {"logDebug", handleLog<WEFT_LOG_DEBUG>},
    {"logInfo", handleLog<WEFT_LOG_INFO>},
    {"logWarn", handleLog<WEFT_LOG_WARN>},
    {"logErr", handleLog<WEFT_LOG_ERROR>},
    {"logError", handleLog<WEFT_LOG_ERROR>},
    {"logCritical", handleLog<WEFT_LOG_ERROR>},
    {"timestamp", handleTimestamp},
    {"timestampString", handleTimestampString},
    {"base64Escape", handleBase64Escape},
    {"httpCall", handleHttpCall},
    {nullptr, nullptr},
};

// ---- header maps ------------------------------------------------------------------------------

struct Headers {
  LuaStream& stream;
  weft_map map;
  HeaderMapRef ref() const { return stream.host().headers(map); }
};

Headers checkHeaders(lua_State* L) {
  auto* headers = static_cast<HeadersObject*>(luaL_checkudata(L, 1, kHeadersMeta));
  return Headers{streamOf(L, headers->ref), headers->map};
}

void checkWrite(lua_State* L, int rc, const char* what) {
  if (rc == WEFT_OK) return;
  if (rc == WEFT_ERR_WRONG_PHASE) {
    luaL_error(L,
               "headers:%s(): these headers can no longer be changed (they were sent on) or "
               "do not exist yet",
               what);
  }
  if (rc == WEFT_ERR_INVALID_ARGUMENT) luaL_error(L, "headers:%s(): invalid name or value", what);
  luaL_error(L, "headers:%s() failed (error %d)", what, rc);
}

// get(name): the value, several values joined with ",", or nil.
int headersGet(lua_State* L) {
  Headers headers = checkHeaders(L);
  const std::string_view name = checkView(L, 2);
  const HeaderMapRef map = headers.ref();
  const size_t count = map.count(name);
  if (count == 0) {
    lua_pushnil(L);
    return 1;
  }
  luaL_Buffer joined;
  luaL_buffinit(L, &joined);
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) luaL_addchar(&joined, ',');
    const std::optional<std::string_view> value = map.get(name, i);
    if (value) luaL_addlstring(&joined, value->data(), value->size());
  }
  luaL_pushresult(&joined);
  return 1;
}

// getAtIndex(name, index): the index-th value (from 0), or nil.
int headersGetAtIndex(lua_State* L) {
  Headers headers = checkHeaders(L);
  const std::string_view name = checkView(L, 2);
  const lua_Integer index = luaL_checkinteger(L, 3);
  const std::optional<std::string_view> value =
      index < 0 ? std::nullopt : headers.ref().get(name, static_cast<size_t>(index));
  if (value) {
    pushView(L, *value);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

int headersGetNumValues(lua_State* L) {
  Headers headers = checkHeaders(L);
  lua_pushinteger(L, static_cast<lua_Integer>(headers.ref().count(checkView(L, 2))));
  return 1;
}

int headersAdd(lua_State* L) {
  Headers headers = checkHeaders(L);
  checkWrite(L, headers.ref().add(checkView(L, 2), checkView(L, 3)), "add");
  return 0;
}

int headersReplace(lua_State* L) {
  Headers headers = checkHeaders(L);
  checkWrite(L, headers.ref().set(checkView(L, 2), checkView(L, 3)), "replace");
  return 0;
}

int headersRemove(lua_State* L) {
  Headers headers = checkHeaders(L);
  checkWrite(L, headers.ref().remove(checkView(L, 2)), "remove");
  return 0;
}

// The iterator __pairs returns. Upvalues: the VM, the header map object, the next index.
int headersNext(lua_State* L) {
  auto* object = static_cast<HeadersObject*>(lua_touserdata(L, lua_upvalueindex(2)));
  LuaStream& stream = streamOf(L, object->ref);
  const lua_Integer index = lua_tointeger(L, lua_upvalueindex(3));
  weft_str name{nullptr, 0};
  weft_str value{nullptr, 0};
  const weft_host_api* api = stream.host().api();
  if (!api->header_at(stream.host().handle(), object->map, static_cast<size_t>(index), &name,
                      &value)) {
    return 0;
  }
  lua_pushinteger(L, index + 1);
  lua_replace(L, lua_upvalueindex(3));
  pushView(L, toView(name));
  pushView(L, toView(value));
  return 2;
}

int headersPairs(lua_State* L) {
  checkHeaders(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, headersNext, 3);
  return 1;
}

constexpr luaL_Reg kHeadersMethods[] = {
    {"get", headersGet}, {"getAtIndex", headersGetAtIndex}, {"getNumValues", headersGetNumValues},
    {"add", headersAdd}, {"replace", headersReplace},       {"remove", headersRemove},
    {nullptr, nullptr},
};
constexpr luaL_Reg kHeadersMeta_[] = {{"__pairs", headersPairs}, {nullptr, nullptr}};

// ---- body buffers -----------------------------------------------------------------------------

struct Buffer {
  LuaStream& stream;
  Dir dir;
  BodyRef body() const { return stream.host().body(bodyOf(dir)); }
};

Buffer checkBuffer(lua_State* L) {
  auto* buffer = static_cast<BufferObject*>(luaL_checkudata(L, 1, kBufferMeta));
  LuaStream& stream = streamOf(L, buffer->ref);
  if (buffer->epoch != stream.epoch()) {
    luaL_error(L,
               "this body buffer can no longer be used: it belongs to an earlier hook, whose "
               "bytes were passed on");
  }
  return Buffer{stream, buffer->dir};
}

int bufferLength(lua_State* L) {
  lua_pushnumber(L, static_cast<lua_Number>(checkBuffer(L).body().size()));
  return 1;
}

// getBytes(index, length): `length` bytes from `index` (from 0).
int bufferGetBytes(lua_State* L) {
  const BodyRef body = checkBuffer(L).body();
  const lua_Integer start = luaL_checkinteger(L, 2);
  const lua_Integer length = luaL_checkinteger(L, 3);
  const size_t total = body.size();
  if (start < 0 || length < 0 || static_cast<size_t>(start) + static_cast<size_t>(length) > total) {
    return luaL_error(L, "buffer:getBytes(): index + length must be within the buffer (%d bytes)",
                      static_cast<int>(total));
  }
  size_t skip = static_cast<size_t>(start);
  size_t left = static_cast<size_t>(length);
  luaL_Buffer out;
  luaL_buffinit(L, &out);
  const size_t slices = body.sliceCount();
  for (size_t i = 0; i < slices && left > 0; ++i) {
    const std::string_view slice = body.slice(i);
    if (skip >= slice.size()) {
      skip -= slice.size();
      continue;
    }
    const std::string_view part = slice.substr(skip, left);
    luaL_addlstring(&out, part.data(), part.size());
    left -= part.size();
    skip = 0;
  }
  luaL_pushresult(&out);
  return 1;
}

// setBytes(text): the body becomes `text`; a content-length of headers still held follows.
int bufferSetBytes(lua_State* L) {
  const Buffer buffer = checkBuffer(L);
  const std::string_view text = checkView(L, 2);
  const BodyRef body = buffer.body();
  int rc = body.drain(body.size());
  if (rc == WEFT_OK) rc = body.append(text);
  if (rc != WEFT_OK) return luaL_error(L, "buffer:setBytes(): this body can no longer be changed");
  const HeaderMapRef headers = buffer.stream.host().headers(headersOf(buffer.dir));
  if (headers.get("content-length")) {
    char length[24];
    std::snprintf(length, sizeof(length), "%zu", text.size());
    headers.set("content-length", length);  // refused once the headers went on: nothing to fix
  }
  return 0;
}

constexpr luaL_Reg kBufferMethods[] = {
    {"length", bufferLength},
    {"getBytes", bufferGetBytes},
    {"setBytes", bufferSetBytes},
    {nullptr, nullptr},
};

}  // namespace

void installHandleApi(LuaVm& vm) {
  defineClass(vm, kHandleMeta, kHandleMethods);
  defineClass(vm, kHeadersMeta, kHeadersMethods, kHeadersMeta_);
  defineClass(vm, kBufferMeta, kBufferMethods);
  installStreamInfoApi(vm);

  lua_State* L = vm.state();
  lua_createtable(L, 0, 2);
  lua_pushinteger(L, 0);
  lua_setfield(L, -2, "MILLISECOND");
  lua_pushinteger(L, 1);
  lua_setfield(L, -2, "MICROSECOND");
  lua_setglobal(L, "EnvoyTimestampResolution");
}

void pushHandle(lua_State* L, const LuaStream& stream, Phase phase) {
  newObject(L, kHandleMeta, HandleObject{refOf(stream), phase});
}

void pushBodyBuffer(lua_State* L, const LuaStream& stream, Dir dir) {
  newObject(L, kBufferMeta, BufferObject{refOf(stream), dir, stream.epoch()});
}

void pushHeaderMap(lua_State* L, const LuaStream& stream, weft_map map) {
  newObject(L, kHeadersMeta, HeadersObject{refOf(stream), map});
}

}  // namespace weft::lua
