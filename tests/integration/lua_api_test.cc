// The rest of the Lua API through the real weft-proxy and the real test upstream, one script per
// side of it: the handle's header, body, trailer, stream-info, connection, log, timestamp and
// base64 calls and proxy.var / proxy.worker / proxy.log on a chunked request with trailers; and
// a shared dictionary's whole OpenResty API, proxy.timer.at and on_log across requests.
// (lua_filter_test.cc has the rest: rewrites, respond, httpCall, failures, reloads, metadata.)
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "tests/integration/lua_fixture.h"

namespace weft::itest {

BOOST_AUTO_TEST_SUITE(lua_api)

BOOST_AUTO_TEST_CASE(a_chunked_request_with_trailers_meets_the_whole_handle) {
  LuaSpec spec{inlineSource(R"(
    function on_request(h)
      local headers = h:headers()
      headers:replace("x-replace-me", "replaced")
      headers:remove("x-remove-me")
      if headers:get(":path") == "/headers" then return end
      local seen = 0
      for name, value in pairs(headers) do seen = seen + 1 end
      local info = h:streamInfo()
      local remote = info:downstreamRemoteAddress()
      local var = proxy.var
      proxy.ctx.request = table.concat({
        headers:getNumValues("x-multi"),
        headers:getAtIndex("x-multi", 0) .. headers:getAtIndex("x-multi", 1),
        tostring(headers:getAtIndex("x-multi", 2)),
        tostring(seen >= 6),
        info:protocol(),
        remote:match("^127%.0%.0%.1:%d+$") and "remote-ok" or remote,
        info:downstreamLocalAddress() == "127.0.0.1:" .. var.server_port and "local-ok" or "?",
        tostring(h:connection():ssl()),
        h:base64Escape("weft!"),
        type(h:timestamp()),
        var.request_method, var.uri, var.args, var.arg_q, var.cookie_c, var.host,
        var.http_x_multi, var.scheme, var.server_protocol,
        proxy.worker.count(), tostring(proxy.worker.id() < proxy.worker.count()),
      }, "|")
      info:dynamicMetadata():set("tour", "phase", "request")
      h:logInfo("tour info")
      h:logWarn("tour warn")
      h:logErr("tour err")
      h:logCritical("tour critical")
      h:logDebug("tour debug")
      h:logTrace("tour trace")
      proxy.log(proxy.WARN, "tour proxy.log ", 42)
      -- The headers go on now; the body streams past in chunks, then the trailers.
      local chunks, bytes = 0, 0
      for chunk in h:bodyChunks() do
        chunks = chunks + 1
        bytes = bytes + chunk:length()
      end
      local trailers = h:trailers()
      proxy.ctx.body = table.concat({bytes, tostring(chunks >= 1),
        trailers and trailers:get("x-trailer") or "no trailers"}, "|")
    end
    function on_response(h)
      if not proxy.ctx.request then return end
      local headers = h:headers()
      local info = h:streamInfo()
      local body = h:body()
      headers:add("x-request", proxy.ctx.request)
      headers:add("x-body", proxy.ctx.body)
      headers:add("x-response", table.concat({headers:get(":status"), info:routeName(),
        info:dynamicMetadata():get("tour").phase, proxy.var.status, body:length(),
        body:getBytes(0, 5)}, "|"))
    end)")};
  spec.workers = 1;
  spec.extra_routes =
      "          - name: tour\n"
      "            match: { prefix: /echo }\n"
      "            cluster: backend\n";
  LuaProxy setup(spec);
  auto connection = HttpConnection::open(setup.proxy.port());
  BOOST_REQUIRE(connection);
  BOOST_REQUIRE(connection->send(
      request("POST", "/echo?q=1&r=2",
              "x-multi: a\r\nx-multi: b\r\ncookie: c=yum\r\nx-replace-me: old\r\nx-remove-me: 1\r\n"
              "transfer-encoding: chunked\r\n",
              "6\r\nhello \r\n5\r\nworld\r\n0\r\nx-trailer: t\r\n\r\n")));
  auto response = connection->readResponse();
  BOOST_REQUIRE(response);
  BOOST_TEST(response->status == 200, setup.proxy.process().stderrText());
  BOOST_TEST(response->body == "hello world");
  BOOST_TEST(response->header("x-request").value_or("") ==
             "2|ab|nil|true|HTTP/1.1|remote-ok|local-ok|nil|d2VmdCE=|number|POST|/echo|q=1&r=2|1|"
             "yum|localhost|a, b|http|HTTP/1.1|1|true");
  BOOST_TEST(response->header("x-body").value_or("") == "11|true|t");
  BOOST_TEST(response->header("x-response").value_or("") == "200|tour|request|200|11|hello");
  // What reached the upstream: headers as the script left them.
  auto echoed = get(setup.proxy.port(), "/headers", "x-replace-me: old\r\nx-remove-me: 1\r\n");
  BOOST_REQUIRE(echoed);
  BOOST_TEST(echoedHeader(*echoed, "x-replace-me").value_or("") == "replaced", echoed->body);
  BOOST_TEST(!echoedHeader(*echoed, "x-remove-me").has_value(), echoed->body);
  // Logs at info and above reach the proxy's log (its level is info); debug and trace do not.
  const ChildProcess& proxy = setup.proxy.process();
  for (const char* line :
       {"lua: inline: tour info", "lua: inline: tour warn", "lua: inline: tour err",
        "lua: inline: tour critical", "tour proxy.log 42"}) {
    BOOST_TEST(proxy.stderrShows(line), line << " is not in\n" << proxy.stderrText());
  }
  BOOST_TEST(proxy.stderrText().find("tour debug") == std::string::npos);
  BOOST_TEST(proxy.stderrText().find("tour trace") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(shared_dicts_timers_and_on_log_work_across_requests) {
  LuaProxy setup({inlineSource(R"(
    function on_request(h)
      local dict = proxy.shared.tour
      local path = h:headers():get(":path")
      if path == "/dict" then
        local r = {}
        r[#r + 1] = tostring(dict:add("a", 1))
        r[#r + 1] = select(2, dict:add("a", 2))
        r[#r + 1] = tostring(dict:replace("a", 5))
        r[#r + 1] = select(2, dict:replace("absent", 1))
        r[#r + 1] = dict:incr("a", 2)
        r[#r + 1] = dict:incr("fresh", 1, 10)
        r[#r + 1] = select(2, dict:incr("absent", 1))
        dict:set("short", "lived", 0.05)
        dict:set("kept", true)
        dict:delete("a")
        r[#r + 1] = tostring(dict:get("a"))
        r[#r + 1] = tostring(dict:get("kept"))
        local keys = dict:get_keys(0)
        table.sort(keys)
        r[#r + 1] = table.concat(keys, "+")
        h:respond({[":status"] = "200", ["x-dict"] = table.concat(r, ",")}, "")
      elseif path == "/timer" then
        local ok = proxy.timer.at(0.01, function(premature, value)
          proxy.shared.tour:set("timer", value .. (premature and " early" or ""))
        end, "fired")
        h:respond({[":status"] = "200", ["x-ok"] = tostring(ok)}, "")
      elseif path == "/later" then
        h:respond({[":status"] = "200", ["x-short"] = tostring(dict:get("short")),
          ["x-timer"] = tostring(dict:get("timer")),
          ["x-logged"] = tostring(dict:get("logged"))}, "")
      end
    end
    function on_log(h)
      if h:headers():get(":path") == "/dict" then
        proxy.shared.tour:set("logged", proxy.var.status .. " " .. proxy.var.request_uri)
      end
    end)",
                               "shared_dicts: { tour: 65536 }")});
  auto dict = get(setup.proxy.port(), "/dict");
  BOOST_REQUIRE(dict);
  BOOST_TEST(dict->header("x-dict").value_or("") ==
             "true,exists,true,not found,7,11,not found,nil,true,fresh+kept+short");
  auto timer = get(setup.proxy.port(), "/timer");
  BOOST_REQUIRE(timer);
  BOOST_TEST(timer->header("x-ok").value_or("") == "true");
  std::optional<HttpResponse> later;
  BOOST_TEST(eventually([&] {
    later = get(setup.proxy.port(), "/later");
    return later && later->header("x-timer").value_or("") == "fired" &&
           later->header("x-short").value_or("") == "nil";
  }));
  BOOST_REQUIRE(later);
  BOOST_TEST(later->header("x-logged").value_or("") == "200 /dict");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace weft::itest
