#!/usr/bin/env bash
# tests/bench/lua/run.sh: what a Lua filter costs per request, in weft and in nginx, in one run.
# Four targets with the same upstream and load: weft-proxy without filters, weft-proxy with the
# `lua` filter running weft_bench.lua, nginx, and nginx with lua-nginx-module running
# nginx_bench.lua (the same logic: read two request headers, add one). Prints each target's
# figures and the CPU µs per request that Lua adds to each proxy.
#
#   tests/bench/lua/run.sh [BUILD_DIR]     (default $WEFT_BUILD_DIR, else build/release)
#
# Environment: BENCH_SECONDS (per load run, default 10), BENCH_PROXY_CPU (default 0),
# BENCH_LOAD_CPU (core for wrk and the upstream, default 1), NGINX_MODULES (where
# ngx_http_lua_module.so and ndk_http_module.so are, default /usr/lib/nginx/modules).
# It builds nothing: build weft-proxy and weft-test-upstream first (and lua_filter_bench for the
# in-process figure). Nothing is asserted; see README.md beside this file.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HERE=$ROOT/tests/bench/lua
BUILD=${1:-${WEFT_BUILD_DIR:-build/release}}
[[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
DURATION=${BENCH_SECONDS:-10}
PROXY_CPU=${BENCH_PROXY_CPU:-0}
LOAD_CPU=${BENCH_LOAD_CPU:-1}
NGINX_MODULES=${NGINX_MODULES:-/usr/lib/nginx/modules}
AGENT=wrk-bench

note() { printf '%s\n' "$*" >&2; }
die() {
  note "bench-lua: $*"
  exit 1
}

WEFT_BIN=$BUILD/core/weft-proxy
UPSTREAM_BIN=$BUILD/tests/support/weft-test-upstream
for f in "$WEFT_BIN" "$UPSTREAM_BIN"; do
  [[ -x $f ]] || die "missing $f; build first: ninja -C $BUILD weft-proxy weft-test-upstream"
done
find_tool() { command -v "$1" 2>/dev/null || { [[ -x /usr/sbin/$1 ]] && echo "/usr/sbin/$1"; }; }
for tool in wrk taskset curl ss getconf; do
  [[ -n $(find_tool "$tool") ]] || die "$tool is not installed"
done
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive integer"
NGINX_BIN=$(find_tool nginx || true)
NGINX_LUA=yes
[[ -f $NGINX_MODULES/ngx_http_lua_module.so && -f $NGINX_MODULES/ndk_http_module.so ]] ||
  NGINX_LUA=""
[[ -n $NGINX_BIN ]] || note "bench-lua: nginx not installed; its rows stay empty"
[[ -z $NGINX_BIN || -n $NGINX_LUA ]] ||
  note "bench-lua: no lua-nginx-module in $NGINX_MODULES; the nginx+lua row stays empty"
CLK_TCK=$(getconf CLK_TCK)

# ---- processes ----------------------------------------------------------------------------------

WORK=$(mktemp -d /tmp/weft-bench-lua.XXXXXX)
STARTED=()

alive() {
  local state
  state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

stop() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local pid
  for pid in "${STARTED[@]}"; do if alive "$pid"; then stop "$pid"; fi; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local used port i
  used=$(ss -Htan | awk '{ n = split($4, a, ":"); print a[n] }' | sort -u)
  for ((i = 0; i < 200; i++)); do
    port=$((20000 + RANDOM % 12000))
    grep -qx "$port" <<<"$used" || {
      echo "$port"
      return
    }
  done
  die "no free port found"
}

# fill TEMPLATE OUT KEY=VALUE...: copies TEMPLATE to OUT replacing each @KEY@.
fill() {
  local template=$1 out=$2 pair script=()
  shift 2
  for pair in "$@"; do script+=(-e "s|@${pair%%=*}@|${pair#*=}|g"); done
  sed "${script[@]}" "$template" >"$out"
}

# wait_http PORT PID: waits until GET / on PORT answers 200 (10 s), or PID has died.
wait_http() {
  local i code
  for ((i = 0; i < 100; i++)); do
    alive "$2" || return 1
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$1/" || true)
    [[ $code == 200 ]] && return 0
    sleep 0.1
  done
  return 1
}

# ---- measurements -------------------------------------------------------------------------------

cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

wrk_run() {
  local out=$1 conns=$2 secs=$3 port=$4
  shift 4
  taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${secs}s" -H "User-Agent: $AGENT" "$@" \
    "http://127.0.0.1:$port/" >"$out" 2>&1 || note "bench-lua: wrk failed: $(tail -n 1 "$out")"
}
wrk_requests() { awk '/ requests in / { print $1 }' "$1"; }
wrk_rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
wrk_percentile_us() {
  awk -v p="$2" '$1 == p {
    v = $2; unit = v; sub(/^[0-9.]+/, "", unit); v += 0
    f = unit == "us" ? 1 : unit == "ms" ? 1e3 : unit == "s" ? 1e6 : -1
    if (f > 0) printf "%.0f\n", v * f
  }' "$1"
}
wrk_errors() {
  awk '/Non-2xx or 3xx responses:/ { bad += $NF }
       /Socket errors:/ { gsub(/,/, ""); sock += $4 + $6 + $8 + $10 }
       END { if (bad + sock > 0) printf "%d non-2xx/3xx, %d socket errors", bad, sock }' "$1"
}

declare -A RPS CPU P50 P99 ISSUES
issue() { ISSUES[$1]+="${ISSUES[$1]:+; }$2"; }

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

# run_target NAME PORT WANT LOG EXPECTED COMMAND...: starts COMMAND on the proxy core, checks the
# logic, measures CPU per request at 64 connections and latency at 1, notes lines of LOG not
# matching the regex EXPECTED, and stops it. The process measured is its first child if it forked
# one (the nginx worker), else itself.
run_target() {
  local name=$1 port=$2 want=$3 log=$4 expected=$5 pid measured t0 t1 requests lines
  shift 5
  taskset -c "$PROXY_CPU" "$@" >"$WORK/$name.out" 2>&1 &
  pid=$!
  STARTED+=("$pid")
  if ! wait_http "$port" "$pid"; then
    issue "$name" "did not start: $(tail -n 3 "$log" | tr '\n' ' ')"
    stop "$pid"
    return
  fi
  measured=$(awk '{ print $1 }' "/proc/$pid/task/$pid/children" 2>/dev/null || true)
  measured=${measured:-$pid}
  check_logic "$name" "$port" "$want"
  note "bench-lua: $name: warm-up, ${DURATION}s at 64 connections, ${DURATION}s at 1 connection"
  wrk_run "$WORK/$name-warm.txt" 64 1 "$port"
  t0=$(cpu_ticks "$measured")
  wrk_run "$WORK/$name-c64.txt" 64 "$DURATION" "$port"
  t1=$(cpu_ticks "$measured")
  requests=$(wrk_requests "$WORK/$name-c64.txt")
  RPS[$name]=$(wrk_rps "$WORK/$name-c64.txt")
  if [[ -n $requests && $requests -gt 0 ]]; then
    CPU[$name]=$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$requests" \
      'BEGIN { printf "%.2f", t * 1e6 / hz / n }')
  fi
  wrk_run "$WORK/$name-c1.txt" 1 "$DURATION" "$port" --latency
  P50[$name]=$(wrk_percentile_us "$WORK/$name-c1.txt" 50%)
  P99[$name]=$(wrk_percentile_us "$WORK/$name-c1.txt" 99%)
  for run in c64 c1; do
    lines=$(wrk_errors "$WORK/$name-$run.txt")
    [[ -z $lines ]] || issue "$name" "wrk -c${run#c}: $lines"
  done
  lines=$(grep -vE "$expected" "$log" 2>/dev/null || true)
  [[ -z $lines ]] || issue "$name" "$(wc -l <<<"$lines") unexpected log lines: $(head -n 1 <<<"$lines")"
  stop "$pid"
}

# ---- the targets --------------------------------------------------------------------------------

taskset -c "$LOAD_CPU" "$UPSTREAM_BIN" --port 0 --name bench --threads 1 \
  >"$WORK/upstream.out" 2>&1 &
UPSTREAM_PID=$!
STARTED+=("$UPSTREAM_PID")
for ((i = 0; i < 100; i++)); do
  UPSTREAM_PORT=$(awk '/^listening / { n = split($2, a, ":"); print a[n] }' "$WORK/upstream.out")
  [[ -z $UPSTREAM_PORT ]] || break
  alive "$UPSTREAM_PID" || die "weft-test-upstream failed: $(cat "$WORK/upstream.out")"
  sleep 0.1
done
[[ -n $UPSTREAM_PORT ]] || die "weft-test-upstream did not print its port"
note "bench-lua: upstream on 127.0.0.1:$UPSTREAM_PORT (core $LOAD_CPU); proxies on core $PROXY_CPU"

WEFT_STARTUP='^weft-proxy: (listener .* on |admin on |[0-9]+ workers$|ready$)'
LUA_FILTER="[ { name: lua, builtin: lua, config: { path: $HERE/weft_bench.lua } } ]"
for target in weft weft+lua; do
  PORT=$(free_port)
  filters="[]"
  want=plain
  if [[ $target == weft+lua ]]; then
    filters=$LUA_FILTER
    want=lua
  fi
  fill "$HERE/weft.yaml.in" "$WORK/$target.yaml" PORT="$PORT" FILTERS="$filters" \
    UPSTREAM_PORT="$UPSTREAM_PORT"
  run_target "$target" "$PORT" "$want" "$WORK/$target.out" "$WEFT_STARTUP" \
    "$WEFT_BIN" -c "$WORK/$target.yaml" --workers 1
done

if [[ -n $NGINX_BIN ]]; then
  for target in nginx nginx+lua; do
    [[ $target == nginx || -n $NGINX_LUA ]] || continue
    PORT=$(free_port)
    modules="# (no modules)"
    lua="# (no Lua)"
    want=plain
    if [[ $target == nginx+lua ]]; then
      modules="load_module $NGINX_MODULES/ndk_http_module.so; load_module $NGINX_MODULES/ngx_http_lua_module.so;"
      lua="rewrite_by_lua_file $HERE/nginx_bench.lua;"
      want=lua
    fi
    mkdir -p "$WORK/$target"
    fill "$HERE/nginx.conf.in" "$WORK/$target/nginx.conf" PORT="$PORT" DIR="$WORK/$target" \
      UPSTREAM_PORT="$UPSTREAM_PORT" MODULES="$modules" LUA="$lua"
    run_target "$target" "$PORT" "$want" "$WORK/$target/nginx-error.log" '^$' \
      "$NGINX_BIN" -p "$WORK/$target" -e "$WORK/$target/nginx-error.log" \
      -c "$WORK/$target/nginx.conf"
  done
fi

# ---- report -------------------------------------------------------------------------------------

{
  for name in weft weft+lua nginx nginx+lua; do
    printf '%s %s %s %s %s\n' "$name" "${RPS[$name]:--}" "${CPU[$name]:--}" "${P50[$name]:--}" \
      "${P99[$name]:--}"
  done
} | awk -v secs="$DURATION" '
  function diff(a, b) { return (a == "-" || b == "-") ? "-" : sprintf("%.2f", a - b) }
  { for (i = 2; i <= 5; i++) v[$1, i] = $i }
  END {
    printf "\nLua filter benchmark: wrk -t1, %d s per run; logic: read 2 headers, add 1\n\n", secs
    printf "%-10s %12s %12s %10s %10s\n", "target", "req/s @64c", "CPU us/req", "p50 @1c us",
           "p99 @1c us"
    split("weft weft+lua nginx nginx+lua", names, " ")
    for (k = 1; k <= 4; k++) {
      n = names[k]
      printf "%-10s %12s %12s %10s %10s\n", n, v[n, 2], v[n, 3], v[n, 4], v[n, 5]
    }
    weft = diff(v["weft+lua", 3], v["weft", 3])
    nginx = diff(v["nginx+lua", 3], v["nginx", 3])
    printf "\nCPU us per request added by Lua: weft %s, nginx %s", weft, nginx
    if (weft != "-" && nginx != "-" && nginx + 0 > 0) printf " (weft/nginx %.2f)", weft / nginx
    printf "\n"
  }'

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
