#!/usr/bin/env bash
# tests/bench/lua/run.sh: what a Lua filter costs per request, in weft and in nginx, in one run.
# Four targets with the same upstream and load: weft-proxy without filters, weft-proxy with the
# `lua` filter running weft_bench.lua, nginx, and nginx with lua-nginx-module running
# nginx_bench.lua (the same logic: read two request headers, add one). Prints each target's
# figures and the CPU µs per request that Lua adds to each proxy.
#
#   tests/bench/lua/run.sh [BUILD_DIR]     (default $WEFT_BUILD_DIR, else build/release)
#
# Environment: BENCH_SECONDS (per load run, default 10), BENCH_ROUNDS (times the four targets
# run, in turn; medians are reported, default 3), BENCH_PROXY_CPU (default 0),
# BENCH_LOAD_CPU (core for wrk and the upstream, default 1), NGINX_MODULES (where
# ngx_http_lua_module.so and ndk_http_module.so are, default /usr/lib/nginx/modules).
# It builds nothing: build weft-proxy and weft-test-upstream first (and lua_filter_bench for the
# in-process figure). Nothing is asserted; see README.md beside this file.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HERE=$ROOT/tests/bench/lua
NGINX_MODULES=${NGINX_MODULES:-/usr/lib/nginx/modules}
AGENT=wrk-bench

source "$ROOT/tests/bench/lib.sh"
bench_setup "${1:-}" wrk taskset curl ss
read_rounds
# ---- measurements -------------------------------------------------------------------------------

WRK_EXTRA=(-H "User-Agent: $AGENT")

declare -A RPS CPU P50 P99 ISSUES

# check_logic NAME PORT WANT: the upstream's /headers echo shows x-client when WANT is "lua", and
# no x-client otherwise — so each row measures what it claims to.
check_logic() {
  local name=$1 port=$2 want=$3 echoed
  echoed=$(curl -s --max-time 2 -A "check" "http://127.0.0.1:$port/headers" || true)
  if [[ $want == lua ]]; then
    grep -qx "x-client: check@127.0.0.1:$port" <<<"$echoed" ||
      issue "$name" "the Lua logic did not run (no x-client header upstream)"
  else
    ! grep -q "^x-client:" <<<"$echoed" || issue "$name" "x-client seen without Lua"
  fi
}

# check_weft / check_nginx / check_lua NAME PORT: check_logic for measure_target (lib.sh), named
# after what follows the "+" in a target's name (nothing: the plain proxy).
check_weft() { check_logic "$1" "$2" plain; }
check_nginx() { check_logic "$1" "$2" plain; }
check_lua() { check_logic "$1" "$2" lua; }

# ---- the targets --------------------------------------------------------------------------------

start_upstream "$UPSTREAM_BIN"
note "bench-lua: upstream on 127.0.0.1:$UPSTREAM_PORT (core $LOAD_CPU); proxies on core $PROXY_CPU"
source "$HERE/targets.sh"

# run_round: the four targets once each, in order, as round ROUND.
run_round() {
  local target port
  for target in "${LUA_TARGETS[@]}"; do
    target_available "$target" || continue
    port=$(free_port)
    target_setup "$target" "$port"
    measure_target "$target.r$ROUND" "$port" "check_${target#*+}" "$TARGET_LOG" \
      "$TARGET_LOG_OK" "${TARGET_CMD[@]}"
  done
}

for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
  ((ROUNDS == 1)) || note "bench-lua: round $ROUND of $ROUNDS"
  run_round
done
for target in "${LUA_TARGETS[@]}"; do fold_rounds "$target" RPS CPU P50 P99; done

# What Lua adds to each proxy: the median of each round's difference (a round measures a proxy
# with and without Lua back to back, under the same background load).
declare -A ADDED PER_ROUND
for proxy in weft nginx; do
  differences=()
  for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
    with=${CPU[$proxy+lua.r$ROUND]:--} without=${CPU[$proxy.r$ROUND]:--}
    [[ $with == - || $without == - ]] ||
      differences+=("$(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.2f", a - b }')")
  done
  ADDED[$proxy]=$(median "${differences[@]}")
  PER_ROUND[$proxy]=${differences[*]}
done

# ---- report -------------------------------------------------------------------------------------

printf '\nLua filter benchmark: wrk -t1, %d s per run, %d round(s), medians; logic: read 2 ' \
  "$DURATION" "$ROUNDS"
printf 'headers, add 1\n\n'
printf '%-10s %12s %12s %10s %10s\n' target "req/s @64c" "CPU us/req" "p50 @1c us" "p99 @1c us"
for target in "${LUA_TARGETS[@]}"; do
  printf '%-10s %12s %12s %10s %10s\n' "$target" "${RPS[$target]}" "${CPU[$target]}" \
    "${P50[$target]}" "${P99[$target]}"
done
printf '\nCPU us per request added by Lua (median of rounds): weft %s, nginx %s' \
  "${ADDED[weft]}" "${ADDED[nginx]}"
awk -v w="${ADDED[weft]}" -v n="${ADDED[nginx]}" \
  'BEGIN { if (w != "-" && n != "-" && n + 0 > 0) printf " (weft/nginx %.2f)", w / n }'
printf '\n  per round: weft [%s], nginx [%s]\n' "${PER_ROUND[weft]}" "${PER_ROUND[nginx]}"

# The filter alone, in-process (no sockets, no other load on the figure), when it was built.
FILTER_BENCH=$BUILD/tests/lua_filter_bench
if [[ -x $FILTER_BENCH ]]; then
  echo
  echo "in-process (lua_filter_bench): $(taskset -c "$PROXY_CPU" "$FILTER_BENCH" "$HERE/weft_bench.lua")"
fi

echo
if [[ -z ${ISSUES[*]:-} ]]; then
  echo "anomalies: none (the logic ran where expected; no errors from wrk; no unexpected logs)"
else
  echo "anomalies:"
  for name in weft weft+lua nginx nginx+lua; do
    [[ -z ${ISSUES[$name]:-} ]] || echo "  $name: ${ISSUES[$name]}"
  done
fi
