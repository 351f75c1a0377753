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
source "$HERE/targets.sh"
for target in "${LUA_TARGETS[@]}"; do
  target_available "$target" || continue
  PORT=$(free_port)
  target_setup "$target" "$PORT" single
  callgrind_count "$target" "http://127.0.0.1:$PORT/" wrk_load "${TARGET_CMD[@]}"
done

echo
echo "user-space instructions per request (callgrind, ${DURATION}s of wrk -c4 after a warm-up)"
for target in "${LUA_TARGETS[@]}"; do
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
