// proxy.var.<name>: nginx's variables, computed from the stream's headers and stream info each
// time they are read. Values are strings (as in nginx), nil when unknown or absent.
//
//   remote_addr, remote_port     the client's address and port
//   server_addr, server_port     the address and port the client connected to
//   host                         :authority (or Host) without the port, lower-cased; else
//                                server_addr
//   request_method, scheme       :method, :scheme
//   request_uri                  :path as received (with the query)
//   uri                          :path without the query (not decoded)
//   args, query_string           the query without '?', nil if none
//   arg_<name>                   the first query argument <name> (not decoded)
//   http_<name>                  request header <name> ('_' read as '-'); several values are
//                                joined with ", "
//   sent_http_<name>             the same for response headers
//   cookie_<name>                cookie <name> from the Cookie header
//   server_protocol              "HTTP/1.1", ...
//   request_id                   x-request-id
//   status                       the response code: sent, or else the response's :status
//                                as it stands (in on_response); nil before a response exists
//   upstream_addr                "ip:port" of the upstream host, once chosen
//   request_time                 seconds since the request began, with milliseconds ("0.012")
//   bytes_sent, body_bytes_sent  response body bytes sent so far
// Internal to plugins/lua.
#pragma once

#include <lua.hpp>
#include <string_view>

namespace weft::lua {

class LuaStream;

// Pushes proxy.var.<name> for `stream` (a string or nil).
void pushVar(lua_State* L, const LuaStream& stream, std::string_view name);

}  // namespace weft::lua
