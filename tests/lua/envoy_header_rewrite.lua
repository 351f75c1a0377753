-- Written in the style of Envoy's Lua filter documentation, and run unchanged by weft's `lua`
-- filter (tests/integration/lua_filter_test.cc): rewrite headers on the way in and out.
function envoy_on_request(request_handle)
  local headers = request_handle:headers()
  headers:add("x-request-tagged", "envoy-style")
  headers:replace("user-agent", "lua-rewritten")
  headers:remove("x-internal-secret")
  request_handle:logInfo("path: " .. headers:get(":path"))
end

function envoy_on_response(response_handle)
  response_handle:headers():add("x-response-tagged", "envoy-style")
  response_handle:headers():replace("x-upstream-name", "hidden")
end
