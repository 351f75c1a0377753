// The handle API (Envoy's names) driven through the module's hooks: header maps, whole bodies,
// body chunks, trailers, local replies, metadata, stream info, the connection, logging and the
// small helpers.
#include <boost/test/unit_test.hpp>
#include <chrono>

#include "core/common/logging.h"
#include "tests/unit/plugins/lua_test_support.h"

namespace weft::lua::testing {
namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lua_handle)

BOOST_AUTO_TEST_CASE(headers_get_add_replace_remove_with_several_values) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local headers = h:headers()
      headers:add("x-joined", headers:get("accept"))
      headers:add("x-count", headers:getNumValues("accept"))
      headers:add("x-second", headers:getAtIndex("Accept", 1))
      headers:add("x-missing", tostring(headers:get("nope")) .. tostring(headers:getAtIndex("accept", 2)))
      headers:replace("x-replaced", "new")
      headers:replace("user-agent", "weft-lua")
      headers:remove("x-drop")
    end)"));
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders(true, "/",
                                     {{"accept", "text/html"},
                                      {"Accept", "application/json"},
                                      {"user-agent", "curl"},
                                      {"x-drop", "1"},
                                      {"x-drop", "2"}}) == WEFT_CONTINUE);
  BOOST_TEST(exchange.requestHeader("x-joined").value_or("") == "text/html,application/json");
  BOOST_TEST(exchange.requestHeader("x-count").value_or("") == "2");
  BOOST_TEST(exchange.requestHeader("x-second").value_or("") == "application/json");
  BOOST_TEST(exchange.requestHeader("x-missing").value_or("") == "nilnil");
  BOOST_TEST(exchange.requestHeader("x-replaced").value_or("") == "new");
  BOOST_TEST(exchange.requestHeader("user-agent").value_or("") == "weft-lua");
  BOOST_TEST(exchange.stream().request_headers.count("user-agent") == 1u);
  BOOST_TEST(!exchange.requestHeader("x-drop").has_value());
}

BOOST_AUTO_TEST_CASE(pairs_walks_the_headers_in_order) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local seen = {}
      for name, value in pairs(h:headers()) do seen[#seen + 1] = name .. "=" .. value end
      h:headers():add("x-seen", table.concat(seen, ";"))
    end)"));
  Exchange exchange(filter);
  exchange.requestHeaders(true, "/p", {{"a", "1"}, {"a", "2"}});
  BOOST_TEST(exchange.requestHeader("x-seen").value_or("") ==
             ":method=GET;:path=/p;:authority=example.com;:scheme=http;a=1;a=2");
}

BOOST_AUTO_TEST_CASE(both_directions_get_their_own_headers) {
  LuaFilter filter(inlineConfig(R"(
    function envoy_on_request(request_handle)
      request_handle:headers():add("x-request-seen", "1")
    end
    function envoy_on_response(response_handle)
      local status = response_handle:headers():get(":status")
      response_handle:headers():add("x-status-was", status)
      response_handle:headers():remove("server")
    end)"));
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == WEFT_CONTINUE);
  BOOST_TEST(exchange.requestHeader("x-request-seen").value_or("") == "1");
  BOOST_TEST(exchange.responseHeaders(true, 404, {{"server", "origin"}}) == WEFT_CONTINUE);
  BOOST_TEST(exchange.responseHeader("x-status-was").value_or("") == "404");
  BOOST_TEST(!exchange.responseHeader("server").has_value());
  BOOST_TEST(!exchange.requestHeader("x-status-was").has_value());
}

BOOST_AUTO_TEST_CASE(a_bad_header_name_is_a_script_error) {
  LuaFilter filter(inlineConfig("function on_request(h) h:headers():add('bad name', 'v') end"));
  CapturedLog log;
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders() == 3);  // kHookFailed: the host answers 500
  BOOST_TEST(filter.counter("lua.errors") == 1u);
  BOOST_TEST(contains(log.text(), "headers:add(): invalid name or value"), log.text());
}

BOOST_AUTO_TEST_CASE(body_buffers_the_whole_body_then_reads_and_rewrites_it) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local body = h:body()
      h:headers():add("x-length", body:length())
      h:headers():add("x-middle", body:getBytes(6, 5))
      body:setBytes(string.upper(body:getBytes(0, body:length())) .. "!")
    end)"));
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders(false, "/", {{"content-length", "11"}}) ==
             WEFT_STOP_AND_BUFFER);
  BOOST_TEST(!exchange.requestHeader("x-length").has_value());  // waits for the body
  BOOST_TEST(exchange.requestBody("hello world", true) == WEFT_CONTINUE);
  BOOST_TEST(exchange.requestHeader("x-length").value_or("") == "11");
  BOOST_TEST(exchange.requestHeader("x-middle").value_or("") == "world");
  BOOST_TEST(exchange.stream().requestBodyText() == "HELLO WORLD!");
  BOOST_TEST(exchange.requestHeader("content-length").value_or("") == "12");
}

BOOST_AUTO_TEST_CASE(get_bytes_out_of_range_is_an_error) {
  LuaFilter filter(inlineConfig("function on_request(h) h:body():getBytes(3, 10) end"));
  CapturedLog log;
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders(false) == WEFT_STOP_AND_BUFFER);
  BOOST_TEST(exchange.requestBody("12345", true) == 3);
  BOOST_TEST(contains(log.text(), "index + length must be within the buffer (5 bytes)"),
             log.text());
}

BOOST_AUTO_TEST_CASE(a_body_over_the_limit_is_nil_and_too_large_not_a_failure) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local body, why = h:body(4)
      h:headers():add("x-result", tostring(body) .. "/" .. tostring(why))
    end)"));
  // Declared too large: answered from the headers, nothing buffered.
  Exchange declared(filter);
  BOOST_TEST(declared.requestHeaders(false, "/", {{"content-length", "9"}}) == WEFT_CONTINUE);
  BOOST_TEST(declared.requestHeader("x-result").value_or("") == "nil/too_large");
  // Chunked: buffered, then found too large; the body still goes on.
  Exchange chunked(filter);
  BOOST_TEST(chunked.requestHeaders(false) == WEFT_STOP_AND_BUFFER);
  BOOST_TEST(chunked.requestBody("123456789", true) == WEFT_CONTINUE);
  BOOST_TEST(chunked.requestHeader("x-result").value_or("") == "nil/too_large");
  BOOST_TEST(chunked.stream().requestBodyText() == "123456789");
  BOOST_TEST(filter.counter("lua.errors") == 0u);
}

BOOST_AUTO_TEST_CASE(body_limit_is_the_default_max) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local body, why = h:body()
      h:headers():add("x-result", tostring(why))
    end)",
                                R"("body_limit": 3)"));
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders(false, "/", {{"content-length", "4"}}) == WEFT_CONTINUE);
  BOOST_TEST(exchange.requestHeader("x-result").value_or("") == "too_large");
}

BOOST_AUTO_TEST_CASE(no_body_is_nil_or_an_empty_buffer_when_asked_to_wrap) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      h:headers():add("x-plain", tostring(h:body()))
      h:headers():add("x-wrapped", h:body(true):length())
    end)"));
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders(true) == WEFT_CONTINUE);
  BOOST_TEST(exchange.requestHeader("x-plain").value_or("") == "nil");
  BOOST_TEST(exchange.requestHeader("x-wrapped").value_or("") == "0");
}

BOOST_AUTO_TEST_CASE(body_chunks_arrive_one_per_hook_without_buffering) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local sizes, last = {}, nil
      for chunk in h:bodyChunks() do
        sizes[#sizes + 1] = chunk:length()
        last = chunk
      end
      last:setBytes("<end>")
      h:streamInfo():dynamicMetadata():set("chunks", table.concat(sizes, ","))
    end)"));
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders(false) == WEFT_CONTINUE);  // headers go on at once
  BOOST_TEST(exchange.requestBody("abc", false) == WEFT_CONTINUE);
  BOOST_TEST(exchange.requestBody("defgh", false) == WEFT_CONTINUE);
  BOOST_TEST(exchange.stream().metadata.count("chunks") == 0u);
  BOOST_TEST(exchange.requestBody("ij", true) == WEFT_CONTINUE);
  BOOST_TEST(exchange.stream().metadata["chunks"] == "3,5,2");
  BOOST_TEST(exchange.stream().requestBodyText() == "<end>");
}

BOOST_AUTO_TEST_CASE(a_chunk_kept_past_its_hook_cannot_be_used) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local first
      for chunk in h:bodyChunks() do
        if first then first:length() end
        first = chunk
      end
    end)"));
  CapturedLog log;
  Exchange exchange(filter);
  exchange.requestHeaders(false);
  BOOST_TEST(exchange.requestBody("a", false) == WEFT_CONTINUE);
  BOOST_TEST(exchange.requestBody("b", false) == 3);
  BOOST_TEST(contains(log.text(), "this body buffer can no longer be used"), log.text());
}

BOOST_AUTO_TEST_CASE(trailers_wait_for_the_trailers_hook) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local length = h:body():length()  -- a buffer is only usable in the hook that gave it
      local trailers = h:trailers()
      h:streamInfo():dynamicMetadata():set("seen", length .. ":" .. trailers:get("grpc-status"))
      trailers:add("x-checked", "1")
    end
    function on_response(h)
      h:headers():add("x-trailers", tostring(h:trailers()))
    end)"));
  Exchange exchange(filter);
  BOOST_TEST(exchange.requestHeaders(false) == WEFT_STOP_AND_BUFFER);
  BOOST_TEST(exchange.requestBody("12345", false) == WEFT_CONTINUE);  // trailers follow
  exchange.stream().request_trailers.add("grpc-status", "0");
  BOOST_TEST(exchange.requestTrailers() == WEFT_CONTINUE);
  BOOST_TEST(exchange.stream().metadata["seen"] == "5:0");
  BOOST_TEST(exchange.stream().request_trailers.count("x-checked") == 1u);
  // A direction that ends without trailers: nil.
  BOOST_TEST(exchange.responseHeaders(false) == WEFT_CONTINUE);
  BOOST_TEST(exchange.responseBody("done", true) == WEFT_CONTINUE);
  BOOST_TEST(exchange.responseHeader("x-trailers").value_or("") == "nil");
}

BOOST_AUTO_TEST_CASE(respond_sends_a_local_reply_and_ends_the_script) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      if h:headers():get(":path") == "/deny" then
        h:respond({[":status"] = "403", ["x-why"] = "policy", ["set-cookie"] = {"a=1", "b=2"}},
                  "denied\n")
        h:headers():add("x-not-reached", "1")
      end
    end)"));
  Exchange denied(filter);
  BOOST_TEST(denied.requestHeaders(true, "/deny") == WEFT_STOP_ITERATION);
  BOOST_REQUIRE(denied.stream().reply.has_value());
  const FakeStream::Reply& reply = *denied.stream().reply;
  BOOST_TEST(reply.status == 403u);
  BOOST_TEST(reply.body == "denied\n");
  BOOST_TEST(reply.details == "lua_respond");
  BOOST_TEST(reply.headers.size() == 3u);
  int cookies = 0;
  for (const auto& [name, value] : reply.headers) {
    if (name == "x-why") BOOST_TEST(value == "policy");
    if (name == "set-cookie") ++cookies;
  }
  BOOST_TEST(cookies == 2);
  BOOST_TEST(!denied.requestHeader("x-not-reached").has_value());

  Exchange allowed(filter);
  BOOST_TEST(allowed.requestHeaders(true, "/ok") == WEFT_CONTINUE);
  BOOST_TEST(!allowed.stream().reply.has_value());
}

BOOST_AUTO_TEST_CASE(respond_without_status_or_too_late_is_an_error) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h) h:respond({["x-a"] = "1"}, "x") end
    function on_response(h) h:respond({[":status"] = 500}) end)"));
  CapturedLog log;
  Exchange no_status(filter);
  BOOST_TEST(no_status.requestHeaders() == 3);
  BOOST_TEST(contains(log.text(), "respond(): the headers must set :status"), log.text());

  LuaFilter late_filter(inlineConfig("function on_response(h) h:respond({[':status'] = 500}) end"));
  Exchange late(late_filter);
  late.requestHeaders();
  late.stream().response_started = true;
  BOOST_TEST(late.responseHeaders() == 3);
  BOOST_TEST(contains(log.text(), "respond() is too late: the response has already started"),
             log.text());
}

BOOST_AUTO_TEST_CASE(route_metadata_is_an_empty_object) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local md = h:metadata()
      local n = 0
      for _ in pairs(md) do n = n + 1 end
      h:headers():add("x-md", tostring(md:get("anything")) .. n)
    end)"));
  Exchange exchange(filter);
  exchange.requestHeaders();
  BOOST_TEST(exchange.requestHeader("x-md").value_or("") == "nil0");
}

BOOST_AUTO_TEST_CASE(stream_info_reports_the_stream_facts) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local info = h:streamInfo()
      h:headers():add("x-info", table.concat({info:protocol(), "[" .. info:routeName() .. "]",
        info:downstreamRemoteAddress(), info:downstreamDirectRemoteAddress(),
        info:downstreamLocalAddress(), tostring(info:requestedServerName())}, " "))
    end
    function on_response(h)
      h:headers():add("x-route", h:streamInfo():routeName())
    end)"));
  Exchange exchange(filter);
  exchange.stream().info[WEFT_INFO_PROTOCOL] = "HTTP/1.1";
  exchange.stream().info[WEFT_INFO_DOWNSTREAM_REMOTE_ADDRESS] = "10.0.0.7:5555";
  exchange.stream().info[WEFT_INFO_DOWNSTREAM_LOCAL_ADDRESS] = "127.0.0.1:10000";
  exchange.requestHeaders();
  BOOST_TEST(exchange.requestHeader("x-info").value_or("") ==
             "HTTP/1.1 [] 10.0.0.7:5555 10.0.0.7:5555 127.0.0.1:10000 nil");
  exchange.stream().info[WEFT_INFO_ROUTE_NAME] = "all/0";
  exchange.responseHeaders();
  BOOST_TEST(exchange.responseHeader("x-route").value_or("") == "all/0");

  Exchange tls(filter);
  tls.stream().info = exchange.stream().info;
  tls.stream().info[WEFT_INFO_REQUESTED_SERVER_NAME] = "api.example.com";
  tls.requestHeaders();
  BOOST_TEST(tls.requestHeader("x-info").value_or("") ==
             "HTTP/1.1 [all/0] 10.0.0.7:5555 10.0.0.7:5555 127.0.0.1:10000 api.example.com");
}

BOOST_AUTO_TEST_CASE(dynamic_metadata_in_both_forms) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local dm = h:streamInfo():dynamicMetadata()
      dm:set("user", "alice")
      dm:set("envoy.filters.http.lua", "request.info", {auth = "token", n = 2})
      dm:set("envoy.filters.http.lua", "flag", true)
    end
    function on_response(h)
      local dm = h:streamInfo():dynamicMetadata()
      local info = dm:get("envoy.filters.http.lua")["request.info"]
      local names = 0
      for name in pairs(dm) do names = names + 1 end
      h:headers():add("x-md", table.concat({dm:get("user"), info.auth, info.n,
        dm:get("from.other.filter"), tostring(dm:get("unset")), names}, ","))
    end)"));
  Exchange exchange(filter);
  exchange.requestHeaders();
  BOOST_TEST(exchange.stream().metadata["user"] == "alice");
  BOOST_TEST(exchange.stream().metadata["envoy.filters.http.lua.flag"] == "true");
  BOOST_TEST(exchange.stream().metadata.count("envoy.filters.http.lua.request.info") == 0u);
  exchange.stream().metadata["from.other.filter"] = "x";
  exchange.responseHeaders();
  BOOST_TEST(exchange.responseHeader("x-md").value_or("") == "alice,token,2,x,nil,1");
}

BOOST_AUTO_TEST_CASE(connection_ssl_is_nil_without_a_peer_identity) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      local ssl = h:connection():ssl()
      if ssl == nil then
        h:headers():add("x-tls", "plain")
      else
        h:headers():add("x-tls", table.concat(ssl:uriSanPeerCertificate(), ",") .. " " ..
                                 tostring(ssl:peerCertificatePresented()) .. " [" ..
                                 ssl:subjectPeerCertificate() .. "]")
      end
    end)"));
  Exchange plain(filter);
  plain.requestHeaders();
  BOOST_TEST(plain.requestHeader("x-tls").value_or("") == "plain");
  Exchange mtls(filter);
  mtls.stream().info[WEFT_INFO_PEER_IDENTITY] = "spiffe://weft.local/ns/default/sa/web";
  mtls.stream().info[WEFT_INFO_PEER_SUBJECT] = "CN=web,O=weft";
  mtls.requestHeaders();
  BOOST_TEST(mtls.requestHeader("x-tls").value_or("") ==
             "spiffe://weft.local/ns/default/sa/web true [CN=web,O=weft]");
}

BOOST_AUTO_TEST_CASE(logging_timestamps_and_base64) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      h:logTrace("trace line")
      h:logDebug("debug line")
      h:logInfo("info line")
      h:logErr("error line")
      h:logCritical("critical line")
      h:logWarn("warn line")
      h:headers():add("x-ts", h:timestamp())
      h:headers():add("x-ts-us", h:timestampString(EnvoyTimestampResolution.MICROSECOND))
      h:headers():add("x-b64", h:base64Escape("hello") .. "|" .. h:base64Escape("hi") .. "|" ..
                               h:base64Escape("\0\255"))
    end)"));
  CapturedLog log;
  const log::Level level = log::level();
  log::setLevel(log::Level::kDebug);
  Exchange exchange(filter);
  exchange.requestHeaders();
  log::setLevel(level);
  const std::string text = log.text();
  BOOST_TEST(contains(text, "[debug]"), text);
  BOOST_TEST(contains(text, "lua: inline: trace line"), text);
  BOOST_TEST(contains(text, "lua: inline: debug line"), text);
  BOOST_TEST(contains(text, "lua: inline: info line"), text);
  BOOST_TEST(contains(text, "lua: inline: error line"), text);
  BOOST_TEST(contains(text, "lua: inline: critical line"), text);
  BOOST_TEST(contains(text, "lua: inline: warn line"), text);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const long long stamp = std::stoll(exchange.requestHeader("x-ts").value_or("0"));
  BOOST_TEST(stamp <= now_ms);
  BOOST_TEST(stamp > now_ms - 5000);
  const long long micros = std::stoll(exchange.requestHeader("x-ts-us").value_or("0"));
  BOOST_TEST(micros / 1000 >= stamp);
  BOOST_TEST(exchange.requestHeader("x-b64").value_or("") == "aGVsbG8=|aGk=|AP8=");
}

BOOST_AUTO_TEST_CASE(streaming_calls_are_refused_in_on_log) {
  LuaFilter filter(inlineConfig(R"(
    function on_log(h)
      h:logInfo("path " .. h:headers():get(":path"))
      h:body()
    end)"));
  CapturedLog log;
  {
    Exchange exchange(filter);
    exchange.requestHeaders(true, "/logged");
  }
  BOOST_TEST(contains(log.text(), "lua: inline: path /logged"), log.text());
  BOOST_TEST(contains(log.text(), "body() is not allowed in on_log"), log.text());
  BOOST_TEST(filter.counter("lua.errors") == 1u);
  for (const char* call : {"bodyChunks()", "trailers()", "respond({})", "httpCall()"}) {
    LuaFilter other(inlineConfig(std::string("function on_log(h) h:") + call + " end"));
    { Exchange exchange(other); }
    BOOST_TEST(other.counter("lua.errors") == 1u, call);
  }
}

BOOST_AUTO_TEST_CASE(a_handle_kept_past_its_request_cannot_be_used) {
  LuaFilter filter(inlineConfig(R"(
    function on_request(h)
      if kept then kept:headers():get(":path") end
      kept = h
    end
    function on_response(h)
      request_handle_of_this_stream = kept
      request_handle_of_this_stream:headers()
    end)"));
  CapturedLog log;
  {
    Exchange first(filter);
    BOOST_TEST(first.requestHeaders() == WEFT_CONTINUE);
    // The request's handle used in on_response of the same stream.
    BOOST_TEST(first.responseHeaders() == 3);
    BOOST_TEST(contains(log.text(), "a handle of on_request cannot be used in on_response"),
               log.text());
  }
  Exchange second(filter);
  BOOST_TEST(second.requestHeaders() == 3);
  BOOST_TEST(contains(log.text(), "belongs to a request that is not being handled now"),
             log.text());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::lua::testing
