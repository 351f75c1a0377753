#!/usr/bin/env bash
# tests/bench/lua/instructions.sh: what a Lua filter costs per request in user-space instructions,
# counted by callgrind — deterministic, so the figure does not move with the machine's other load
# the way CPU time does (run.sh). The same four targets and logic as run.sh: weft-proxy with and
# without the `lua` filter, nginx with and without lua-nginx-module. Each runs under
# `valgrind --tool=callgrind` with instrumentation switched on only while wrk sends requests
# (after a warm-up), so the count is the proxy's own work per request (all its threads), without
# start-up, and without the kernel (the same for both proxies).
#
#   tests/bench/lua/instructions.sh [BUILD_DIR]     (default $WEFT_BUILD_DIR, else build/release)
#
# Environment: BENCH_SECONDS (the counted wrk run, default 3), NGINX_MODULES (as run.sh).
# Needs valgrind (callgrind_control), wrk, curl. Nothing is asserted.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HERE=$ROOT/tests/bench/lua
NGINX_MODULES=${NGINX_MODULES:-/usr/lib/nginx/modules}
export BENCH_SECONDS=${BENCH_SECONDS:-3}

source "$ROOT/tests/bench/lib.sh"
bench_setup "${1:-}" wrk curl valgrind callgrind_control
WRK_EXTRA=(-H "User-Agent: wrk-bench")
NGINX_BIN=$(find_tool nginx || true)

declare -A IR

# wrk_load NAME warm|counted: 1 s of wrk at 4 connections to warm up, or DURATION seconds counted
# (printing the requests made). PORT is the target's.
wrk_load() {
  if [[ $2 == warm ]]; then
    wrk_run "$WORK/$1-warm.txt" 4 1 "$PORT"
  else
    note "bench: $1: ${DURATION}s counted at 4 connections"
    wrk_run "$WORK/$1-counted.txt" 4 "$DURATION" "$PORT"
    wrk_requests "$WORK/$1-counted.txt"
  fi
}

start_upstream "$UPSTREAM_BIN"
LUA_FILTER="[ { name: lua, builtin: lua, config: { path: $HERE/weft_bench.lua } } ]"
for target in weft weft+lua; do
  PORT=$(free_port)
  filters="[]"
  [[ $target == weft ]] || filters=$LUA_FILTER
  fill "$HERE/weft.yaml.in" "$WORK/$target.yaml" PORT="$PORT" FILTERS="$filters" \
    UPSTREAM_PORT="$UPSTREAM_PORT"
  callgrind_count "$target" "http://127.0.0.1:$PORT/" wrk_load \
    "$WEFT_BIN" -c "$WORK/$target.yaml" --workers 1
done
if [[ -n $NGINX_BIN && -f $NGINX_MODULES/ngx_http_lua_module.so ]]; then
  for target in nginx nginx+lua; do
    PORT=$(free_port)
    modules="# (no modules)"
    lua="# (no Lua)"
    if [[ $target == nginx+lua ]]; then
      modules="load_module $NGINX_MODULES/ndk_http_module.so; load_module $NGINX_MODULES/ngx_http_lua_module.so;"
      lua="rewrite_by_lua_file $HERE/nginx_bench.lua;"
    fi
    mkdir -p "$WORK/$target"
    # One process (no master) so that the counted process is the one serving.
    fill "$HERE/nginx.conf.in" "$WORK/$target/nginx.conf" PORT="$PORT" DIR="$WORK/$target" \
      UPSTREAM_PORT="$UPSTREAM_PORT" MODULES="$modules" LUA="$lua"
    sed -i 's/^master_process on;/master_process off;/' "$WORK/$target/nginx.conf"
    callgrind_count "$target" "http://127.0.0.1:$PORT/" wrk_load \
      "$NGINX_BIN" -p "$WORK/$target" -e "$WORK/$target/nginx-error.log" -c "$WORK/$target/nginx.conf"
  done
else
  note "bench-lua: nginx with lua-nginx-module not found; its rows stay empty"
fi

echo
echo "user-space instructions per request (callgrind, ${DURATION}s of wrk -c4 after a warm-up)"
for target in weft weft+lua nginx nginx+lua; do
  printf '%-10s %10s\n' "$target" "${IR[$target]:--}"
done
weft_added=$((${IR[weft+lua]} - ${IR[weft]}))
if [[ -n ${IR[nginx+lua]:-} ]]; then
  nginx_added=$((${IR[nginx+lua]} - ${IR[nginx]}))
  echo "added by Lua: weft $weft_added, nginx $nginx_added" \
    "(weft/nginx $(awk -v a="$weft_added" -v b="$nginx_added" 'BEGIN { printf "%.2f", a / b }'))"
else
  echo "added by Lua: weft $weft_added"
fi
