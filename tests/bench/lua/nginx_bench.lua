-- The Lua benchmark's logic for nginx + lua-nginx-module (tests/bench/lua/run.sh), the same as
-- weft_bench.lua: read two request headers, add one.
local agent = ngx.var.http_user_agent or "-"
local host = ngx.var.http_host or "-"
ngx.req.set_header("x-client", agent .. "@" .. host)
