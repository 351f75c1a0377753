-- Counts requests across every worker in proxy.shared.hits and reports the count and the worker
-- that served the request (tests/integration/lua_filter_test.cc).
function on_request(handle)
  local count = proxy.shared.hits:incr("requests", 1, 0)
  proxy.ctx.count = count
end

function on_response(handle)
  handle:headers():add("x-count", string.format("%d", proxy.ctx.count))
  handle:headers():add("x-worker", tostring(proxy.worker.id()))
end
