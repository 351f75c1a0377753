#!/usr/bin/env bash
# tests/bench/run.sh: benchmarks weft-proxy against nginx, HAProxy and a direct connection, in
# one run, and prints the figures, the ratios weft/nginx and weft/HAProxy, and the targets.
#
#   tests/bench/run.sh [BUILD_DIR]        (default $WEFT_BUILD_DIR, else build/release)
#
# Environment: BENCH_SECONDS (per load run, default 10), BENCH_ROUNDS (times the load runs go
# round the four targets, in turn; medians are reported, default 3), BENCH_IDLE_CONNS (default
# 10000), BENCH_PROXY_CPU (default 0), BENCH_LOAD_CPU (core for wrk and the upstream, default 1).
# It builds nothing: build weft-proxy, weft-test-upstream and weft_test_plugins first. Nothing
# is asserted. See tests/bench/README.md for what each figure means.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/tests/bench
IDLE_COUNT=${BENCH_IDLE_CONNS:-10000}

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup "${1:-}" wrk taskset curl ss cc
PLUGIN=$BUILD/tests/plugins/good_filter.so
[[ -e $PLUGIN ]] || die "missing $PLUGIN; build weft_test_plugins too"
NGINX_BIN=$(find_tool nginx || true)
HAPROXY_BIN=$(find_tool haproxy || true)
[[ -n $NGINX_BIN ]] || note "bench: nginx not installed; its row stays empty"
[[ -n $HAPROXY_BIN ]] || note "bench: haproxy not installed; its row stays empty"
[[ $IDLE_COUNT =~ ^[1-9][0-9]*$ ]] || die "BENCH_IDLE_CONNS must be a positive integer"
read_rounds

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
NOFILE=$(ulimit -n)
((NOFILE >= IDLE_COUNT + 1000)) ||
  note "bench: open-file limit $NOFILE is low for $IDLE_COUNT idle connections"

# ---- measurements -------------------------------------------------------------------------------


declare -A RPS CPU P50 P99 RSS_IDLE PER_CONN ISSUES

# unexpected_log NAME FILE EXPECTED: notes the lines of FILE that do not match the regex EXPECTED.
unexpected_log() {
  local lines
  lines=$(grep -vE "$3" "$2" 2>/dev/null || true)
  [[ -z $lines ]] ||
    issue "$1" "$(wc -l <<<"$lines") unexpected log lines, first: $(head -n 1 <<<"$lines")"
}

# idle_rss NAME PORT PID: opens IDLE_COUNT keep-alive connections to PORT and records the RSS
# growth of PID per connection held.
idle_rss() {
  local name=$1 port=$2 pid=$3 before after word ok failed
  before=$(rss_kb "$pid")
  coproc IDLE {
    exec taskset -c "$LOAD_CPU" "$WORK/idle_conns" "$port" "$IDLE_COUNT" 2>"$WORK/$name-idle.err"
  }
  local helper=$IDLE_PID out=${IDLE[0]} in=${IDLE[1]}
  STARTED+=("$helper")
  if read -r -t 300 -u "$out" word ok failed && [[ $word == ready ]]; then
    sleep 1
    after=$(rss_kb "$pid")
    ((ok > 0)) && PER_CONN[$name]=$(((after - before) * 1024 / ok))
    ((failed == 0)) ||
      issue "$name" "$failed of $IDLE_COUNT idle connections failed:" \
        "$(head -n 1 "$WORK/$name-idle.err")"
  else
    issue "$name" "idle-connection helper gave no answer: $(head -n 1 "$WORK/$name-idle.err")"
  fi
  exec {in}>&-
  stop "$helper"
}

# measure NAME PORT PID: this round's load runs against PORT (their figures under NAME.rROUND);
# PID is the process whose CPU and memory count (empty: none, the direct row). Memory is measured
# in the first round only.
measure() {
  local name=$1 port=$2 pid=$3
  ((ROUND == 1)) && [[ -n $pid ]] && RSS_IDLE[$name]=$(rss_kb "$pid")
  measure_load "$name.r$ROUND" "$port" "$pid"
  if ((ROUND == 1)) && [[ -n $pid ]]; then
    note "bench: $name: $IDLE_COUNT idle keep-alive connections"
    idle_rss "$name" "$port" "$pid"
  fi
}

# run_proxy NAME PORT LOG EXPECTED COMMAND...: starts COMMAND on the proxy core, measures it once
# it answers on PORT, notes lines of LOG not matching the regex EXPECTED, and stops it. The process
# measured is its first child if it forked one (the nginx worker), else itself.
run_proxy() {
  local name=$1 port=$2 log=$3 expected=$4 pid measured
  shift 4
  taskset -c "$PROXY_CPU" "$@" >"$WORK/$name.out" 2>&1 &
  pid=$!
  STARTED+=("$pid")
  if wait_http "$port" "$pid"; then
    measured=$(awk '{ print $1 }' "/proc/$pid/task/$pid/children" 2>/dev/null || true)
    measure "$name" "$port" "${measured:-$pid}"
    unexpected_log "$name" "$log" "$expected"
  else
    issue "$name" "did not start: $(tail -n 3 "$log" | tr '\n' ' ')"
  fi
  stop "$pid"
}

# ---- the targets --------------------------------------------------------------------------------

cc -O2 -std=c11 -D_GNU_SOURCE -o "$WORK/idle_conns" "$HERE/idle_conns.c" ||
  die "cannot compile idle_conns.c"

start_upstream "$UPSTREAM_BIN"
note "bench: upstream on 127.0.0.1:$UPSTREAM_PORT (core $LOAD_CPU); proxies on core $PROXY_CPU"

# run_round: every target once, in turn, as round ROUND.
run_round() {
  measure direct "$UPSTREAM_PORT" ""

  # weft-proxy
  PORT=$(free_port)
  fill "$HERE/weft.yaml.in" "$WORK/weft.yaml" PORT="$PORT" PLUGIN="$PLUGIN" \
    UPSTREAM_PORT="$UPSTREAM_PORT"
  run_proxy weft "$PORT" "$WORK/weft.out" \
    '^weft-proxy: (listener .* on |admin on |[0-9]+ workers$|ready$)' \
    "$WEFT_BIN" -c "$WORK/weft.yaml" --workers 1

  if [[ -n $NGINX_BIN ]]; then
    PORT=$(free_port)
    fill "$HERE/nginx.conf.in" "$WORK/nginx.conf" PORT="$PORT" DIR="$WORK" \
      UPSTREAM_PORT="$UPSTREAM_PORT" NOFILE="$NOFILE"
    run_proxy nginx "$PORT" "$WORK/nginx-error.log" '^$' \
      "$NGINX_BIN" -p "$WORK" -e "$WORK/nginx-error.log" -c "$WORK/nginx.conf"
  fi

  if [[ -n $HAPROXY_BIN ]]; then
    PORT=$(free_port)
    fill "$HERE/haproxy.cfg.in" "$WORK/haproxy.cfg" PORT="$PORT" UPSTREAM_PORT="$UPSTREAM_PORT"
    run_proxy haproxy "$PORT" "$WORK/haproxy.out" '^\[NOTICE\]|FD limit' \
      "$HAPROXY_BIN" -f "$WORK/haproxy.cfg" -db
  fi
}

for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
  ((ROUNDS == 1)) || note "bench: round $ROUND of $ROUNDS"
  run_round
done

for name in direct weft nginx haproxy; do fold_rounds "$name" RPS CPU KERNEL P50 P99; done

# ---- report -------------------------------------------------------------------------------------

# Everything below goes to stdout; the progress notes above went to stderr.
{
  for name in direct weft nginx haproxy; do
    printf '%s %s %s %s %s %s %s %s\n' "$name" "${RPS[$name]:--}" "${CPU[$name]:--}" \
      "${P50[$name]:--}" "${P99[$name]:--}" "${RSS_IDLE[$name]:--}" "${PER_CONN[$name]:--}" \
      "${KERNEL[$name]:--}"
  done
} | awk -v secs="$DURATION" -v rounds="$ROUNDS" -v idle="$IDLE_COUNT" '
  function ratio(a, b) {
    return (a == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b)
  }
  function mb(kb) { return kb == "-" ? "-" : sprintf("%.1f", kb / 1024) }
  function user(all, kernel) {
    return (all == "-" || kernel == "-") ? "-" : sprintf("%.2f", all - kernel)
  }
  {
    for (i = 2; i <= 8; i++) v[$1, i] = $i
    v[$1, 9] = user($3, $8)
  }
  END {
    printf "\nweft-proxy benchmark: wrk -t1, %d s per run, medians of %d round(s), %d idle " \
           "connections\n\n", secs, rounds, idle
    printf "%-9s %12s %12s %10s %10s %10s %12s %14s\n", "target", "req/s @64c", "CPU us/req",
           "in kernel", "p50 @1c us", "p99 @1c us", "RSS idle MB", "B/idle conn"
    split("direct weft nginx haproxy", names, " ")
    for (k = 1; k <= 4; k++) {
      n = names[k]
      printf "%-9s %12s %12s %10s %10s %10s %12s %14s\n", n, v[n, 2], v[n, 3], v[n, 8], v[n, 4],
             v[n, 5], mb(v[n, 6]), v[n, 7]
    }
    printf "\n%-20s %11s %13s   %s\n", "figure", "weft/nginx", "weft/haproxy", "target (weft)"
    split("2 3 8 9 4 5 6 7", cols, " ")
    label[2] = "req/s @64c"; goal[2] = "higher is better"
    label[3] = "CPU us/request"; goal[3] = "<= 0.80x nginx"
    label[8] = "  in the kernel"; goal[8] = "(loopback TCP: much the same for all)"
    label[9] = "  in user space"; goal[9] = "(parsing, filters, routing)"
    label[4] = "p50 @1c"; goal[4] = "lower is better"
    label[5] = "p99 @1c"; goal[5] = "<= 1.00x nginx"
    label[6] = "RSS idle"; goal[6] = "<= 15 MB (weft: " mb(v["weft", 6]) " MB)"
    label[7] = "RSS per idle conn"; goal[7] = "<= 1024 B (weft: " v["weft", 7] " B)"
    for (k = 1; k <= 8; k++) {
      c = cols[k]
      printf "%-20s %11s %13s   %s\n", label[c], ratio(v["weft", c], v["nginx", c]),
             ratio(v["weft", c], v["haproxy", c]), goal[c]
    }
  }'

echo
if [[ -z ${ISSUES[*]:-} ]]; then
  echo "anomalies: none (no non-2xx responses, socket errors or failed idle connections)"
else
  echo "anomalies:"
  for name in direct weft nginx haproxy; do
    [[ -z ${ISSUES[$name]:-} ]] || echo "  $name: ${ISSUES[$name]}"
  done
fi
