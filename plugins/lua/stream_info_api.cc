// streamInfo(), dynamicMetadata(), metadata(), connection() and ssl(): see stream_info_api.h.
#include "plugins/lua/stream_info_api.h"

#include "plugins/lua/objects.h"

namespace weft::lua {
namespace {

constexpr char kStreamInfoMeta[] = "weft.lua.stream_info";
constexpr char kDynamicMetadataMeta[] = "weft.lua.dynamic_metadata";
constexpr char kRouteMetadataMeta[] = "weft.lua.route_metadata";
constexpr char kConnectionMeta[] = "weft.lua.connection";
constexpr char kSslMeta[] = "weft.lua.ssl";

struct StreamObject {
  StreamRef ref;
};

LuaStream& checkObject(lua_State* L, const char* meta) {
  return streamOf(L, static_cast<StreamObject*>(luaL_checkudata(L, 1, meta))->ref);
}

int pushInfo(lua_State* L, const LuaStream& stream, weft_info_str key, bool empty_if_absent) {
  const std::optional<std::string_view> value = stream.host().info(key);
  if (value) {
    pushView(L, *value);
  } else if (empty_if_absent) {
    lua_pushliteral(L, "");
  } else {
    lua_pushnil(L);
  }
  return 1;
}

// ---- streamInfo() -----------------------------------------------------------------------------

int infoProtocol(lua_State* L) {
  return pushInfo(L, checkObject(L, kStreamInfoMeta), WEFT_INFO_PROTOCOL, false);
}
int infoRouteName(lua_State* L) {
  return pushInfo(L, checkObject(L, kStreamInfoMeta), WEFT_INFO_ROUTE_NAME, true);
}
int infoRemoteAddress(lua_State* L) {
  return pushInfo(L, checkObject(L, kStreamInfoMeta), WEFT_INFO_DOWNSTREAM_REMOTE_ADDRESS, false);
}
int infoLocalAddress(lua_State* L) {
  return pushInfo(L, checkObject(L, kStreamInfoMeta), WEFT_INFO_DOWNSTREAM_LOCAL_ADDRESS, false);
}
int infoRequestedServerName(lua_State* L) {
  return pushInfo(L, checkObject(L, kStreamInfoMeta), WEFT_INFO_REQUESTED_SERVER_NAME, false);
}
int infoDynamicMetadata(lua_State* L) {
  newObject(L, kDynamicMetadataMeta, StreamObject{refOf(checkObject(L, kStreamInfoMeta))});
  return 1;
}

constexpr luaL_Reg kStreamInfoMethods[] = {
    {"protocol", infoProtocol},
    {"routeName", infoRouteName},
    {"downstreamRemoteAddress", infoRemoteAddress},
    {"downstreamDirectRemoteAddress", infoRemoteAddress},
    {"downstreamLocalAddress", infoLocalAddress},
    {"requestedServerName", infoRequestedServerName},
    {"dynamicMetadata", infoDynamicMetadata},
    {nullptr, nullptr},
};

// ---- dynamicMetadata() ------------------------------------------------------------------------

// Pushes the text the host stores for the value at `index` (a string, number or boolean) and
// returns true; pushes nothing and returns false for other types.
bool pushScalarText(lua_State* L, int index) {
  switch (lua_type(L, index)) {
    case LUA_TSTRING:
    case LUA_TNUMBER:
      lua_pushvalue(L, index);
      lua_tolstring(L, -1, nullptr);
      return true;
    case LUA_TBOOLEAN:
      lua_pushstring(L, lua_toboolean(L, index) ? "true" : "false");
      return true;
    default:
      return false;
  }
}

void setHostMetadata(lua_State* L, LuaStream& stream, int key, int text) {
  const int rc = stream.host().setMetadata(viewAt(L, key), viewAt(L, text));
  if (rc != WEFT_OK)
    luaL_error(L, "dynamicMetadata():set(): the host refused key '%s'", lua_tostring(L, key));
}

// set(key, value) or Envoy's set(filter, key, value).
int metadataSet(lua_State* L) {
  LuaStream& stream = checkObject(L, kDynamicMetadataMeta);
  if (lua_gettop(L) < 4) {
    luaL_checkstring(L, 2);
    if (!pushScalarText(L, 3)) {
      return luaL_error(L,
                        "dynamicMetadata():set(key, value): value must be a string, number "
                        "or boolean");
    }
    setHostMetadata(L, stream, 2, lua_gettop(L));
    return 0;
  }
  luaL_checkstring(L, 2);
  luaL_checkstring(L, 3);
  stream.pushMetadataMirror(L);  // mirror[filter][key] = value
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4);
  }
  lua_pushvalue(L, 3);
  lua_pushvalue(L, 4);
  lua_rawset(L, -3);
  lua_settop(L, 4);
  if (pushScalarText(L, 4)) {  // index 5
    lua_pushvalue(L, 2);
    lua_pushliteral(L, ".");
    lua_pushvalue(L, 3);
    lua_concat(L, 3);  // index 6: "<filter>.<key>"
    setHostMetadata(L, stream, 6, 5);
  }
  return 0;
}

int metadataGet(lua_State* L) {
  LuaStream& stream = checkObject(L, kDynamicMetadataMeta);
  const std::string_view name = checkView(L, 2);
  stream.pushMetadataMirror(L);
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  if (!lua_isnil(L, -1)) return 1;
  const std::optional<std::string_view> value = stream.host().metadata(name);
  if (value) {
    pushView(L, *value);
  } else {
    lua_pushnil(L);
  }
  return 1;
}

// Iterates a table with lua_next (pairs' `next`, unaffected by what the script does to globals).
int tableNext(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2);
  return lua_next(L, 1) != 0 ? 2 : 0;
}

int metadataPairs(lua_State* L) {
  LuaStream& stream = checkObject(L, kDynamicMetadataMeta);
  lua_pushcfunction(L, tableNext);
  stream.pushMetadataMirror(L);
  lua_pushnil(L);
  return 3;
}

constexpr luaL_Reg kDynamicMetadataMethods[] = {
    {"get", metadataGet},
    {"set", metadataSet},
    {nullptr, nullptr},
};
constexpr luaL_Reg kDynamicMetadataMetamethods[] = {{"__pairs", metadataPairs}, {nullptr, nullptr}};

// ---- metadata(): route metadata -----------------------------------------------------------------

// get(key): the value under `key` (a string, number, boolean or table), or nil.
int routeMetadataGet(lua_State* L) {
  LuaStream& stream = checkObject(L, kRouteMetadataMeta);
  luaL_checkany(L, 2);
  stream.pushRouteMetadataTable(L);
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

// for key, value in pairs(metadata) — the block's members, in no particular order.
int routeMetadataPairs(lua_State* L) {
  LuaStream& stream = checkObject(L, kRouteMetadataMeta);
  lua_pushcfunction(L, tableNext);
  stream.pushRouteMetadataTable(L);
  lua_pushnil(L);
  return 3;
}

constexpr luaL_Reg kRouteMetadataMethods[] = {{"get", routeMetadataGet}, {nullptr, nullptr}};
constexpr luaL_Reg kRouteMetadataMetamethods[] = {{"__pairs", routeMetadataPairs},
                                                  {nullptr, nullptr}};

// ---- connection() and ssl() --------------------------------------------------------------------

int connectionSsl(lua_State* L) {
  LuaStream& stream = checkObject(L, kConnectionMeta);
  if (stream.host().info(WEFT_INFO_PEER_IDENTITY)) {
    newObject(L, kSslMeta, StreamObject{refOf(stream)});
  } else {
    lua_pushnil(L);
  }
  return 1;
}

int sslUriSanPeerCertificate(lua_State* L) {
  LuaStream& stream = checkObject(L, kSslMeta);
  lua_newtable(L);
  const std::optional<std::string_view> identity = stream.host().info(WEFT_INFO_PEER_IDENTITY);
  if (identity) {
    pushView(L, *identity);
    lua_rawseti(L, -2, 1);
  }
  return 1;
}

int sslPeerCertificatePresented(lua_State* L) {
  LuaStream& stream = checkObject(L, kSslMeta);
  lua_pushboolean(L, stream.host().info(WEFT_INFO_PEER_IDENTITY).has_value());
  return 1;
}

int sslSubjectPeerCertificate(lua_State* L) {
  return pushInfo(L, checkObject(L, kSslMeta), WEFT_INFO_PEER_SUBJECT, true);
}

constexpr luaL_Reg kConnectionMethods[] = {{"ssl", connectionSsl}, {nullptr, nullptr}};
constexpr luaL_Reg kSslMethods[] = {
    {"uriSanPeerCertificate", sslUriSanPeerCertificate},
    {"peerCertificatePresented", sslPeerCertificatePresented},
    {"subjectPeerCertificate", sslSubjectPeerCertificate},
    {nullptr, nullptr},
};

}  // namespace

void installStreamInfoApi(LuaVm& vm) {
  defineClass(vm, kStreamInfoMeta, kStreamInfoMethods);
  defineClass(vm, kDynamicMetadataMeta, kDynamicMetadataMethods, kDynamicMetadataMetamethods);
  defineClass(vm, kRouteMetadataMeta, kRouteMetadataMethods, kRouteMetadataMetamethods);
  defineClass(vm, kConnectionMeta, kConnectionMethods);
  defineClass(vm, kSslMeta, kSslMethods);
}

void pushStreamInfo(lua_State* L, const LuaStream& stream) {
  newObject(L, kStreamInfoMeta, StreamObject{refOf(stream)});
}

void pushRouteMetadata(lua_State* L, const LuaStream& stream) {
  newObject(L, kRouteMetadataMeta, StreamObject{refOf(stream)});
}

void pushConnection(lua_State* L, const LuaStream& stream) {
  newObject(L, kConnectionMeta, StreamObject{refOf(stream)});
}

}  // namespace weft::lua
