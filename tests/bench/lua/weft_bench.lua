-- The Lua benchmark's logic for weft (tests/bench/lua/run.sh): read two request headers, add one.
function on_request(handle)
  local headers = handle:headers()
  local agent = headers:get("user-agent") or "-"
  local host = headers:get(":authority") or "-"  -- weft (like Envoy) keeps Host as :authority
  headers:add("x-client", agent .. "@" .. host)
end
