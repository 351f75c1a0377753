// What a handle tells about its stream beyond headers and bodies: streamInfo() with its
// dynamicMetadata(), metadata() (route metadata), and connection() with ssl(). Internal to
// plugins/lua; handle_api.h lists where these may be called.
//
//   streamInfo():protocol()                   "HTTP/1.1", ... (nil if unknown)
//   streamInfo():routeName()                  the route's name, "" before the router chose one
//   streamInfo():downstreamRemoteAddress()    "ip:port" of the client (also ...DirectRemote...)
//   streamInfo():downstreamLocalAddress()     "ip:port" the client connected to
//   streamInfo():requestedServerName()        the SNI a TLS client sent (ABI 1.2), else nil
//   streamInfo():dynamicMetadata()            get/set, backed by the host's metadata_set/get:
//       set(key, value)            host key `key` = tostring(value) (string, number or boolean)
//       set(filter, key, value)    Envoy's form: host key "<filter>.<key>" (when value is a
//                                  string, number or boolean), and get(filter) returns the table
//                                  of what this stream set under `filter` (any Lua values)
//       get(name)                  that table if this stream set one, else the host's value of
//                                  key `name` (a string) or nil
//       pairs(dynamicMetadata)     iterates the tables set in Envoy's form
//   metadata()                                route metadata (ABI 1.5, route_metadata_json):
//                                  the matched route's filter_metadata block under this filter
//                                  entry's name, else "envoy.filters.http.lua", else "lua"
//       get(key)                   its value as a Lua value (string, number, boolean, table),
//                                  nil without a route, such a block or such a key
//       pairs(metadata)            iterates the block's members
//   connection():ssl()                        nil without TLS; with a TLS peer identity, an
//                                             object whose uriSanPeerCertificate() is {identity},
//                                             peerCertificatePresented() true and
//                                             subjectPeerCertificate() the subject (ABI 1.2; "")
#pragma once

#include <lua.hpp>

namespace weft::lua {

class LuaStream;
class LuaVm;

void installStreamInfoApi(LuaVm& vm);
void pushStreamInfo(lua_State* L, const LuaStream& stream);
void pushRouteMetadata(lua_State* L, const LuaStream& stream);
void pushConnection(lua_State* L, const LuaStream& stream);

}  // namespace weft::lua
