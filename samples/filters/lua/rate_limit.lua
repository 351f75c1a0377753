-- A sample Weft Lua filter: a per-client rate limit shared by every worker, a request id echoed
-- back, and one log line per request. See README.md beside it for the config and the API.
--
-- Config:  { path: /etc/weft/rate_limit.lua, shared_dicts: { ratelimit: 1048576 } }

local LIMIT = 20    -- requests
local WINDOW = 1    -- per this many seconds, per client address

function on_request(handle)
  local client = proxy.var.remote_addr or "unknown"
  local count, err = proxy.shared.ratelimit:incr(client, 1, 0, WINDOW)
  if not count then
    handle:logWarn("rate limit store: " .. err)  -- fail open: let the request through
  elseif count > LIMIT then
    handle:respond({[":status"] = "429", ["retry-after"] = tostring(WINDOW)},
                   "too many requests\n")
  end
  proxy.ctx.started_ms = handle:timestamp()
end

function on_response(handle)
  local id = handle:headers():get("x-request-id") or proxy.var.request_id
  if id then handle:headers():replace("x-request-id", id) end
end

function on_log(handle)
  local took = handle:timestamp() - (proxy.ctx.started_ms or handle:timestamp())
  handle:logInfo(string.format("%s %s -> %s in %d ms", proxy.var.request_method or "-",
                               proxy.var.request_uri or "-", proxy.var.status or "-", took))
end
