#!/usr/bin/env bash
# tests/bench/resilience/run.sh: what the resilience features cost when nothing triggers them.
# Two weft-proxy targets with the same upstream and load, in one run: the router alone, and the
# router behind an inactive fault filter (0% delay and abort) with a retry policy on the route and
# outlier detection plus circuit breakers on the cluster. Prints both and the CPU per request the
# features add. Target (issue 5): at most 5% more CPU per request.
#
#   tests/bench/resilience/run.sh [BUILD_DIR]     (default $WEFT_BUILD_DIR, else build/release)
#
# Environment: BENCH_SECONDS (per load run, default 10), BENCH_PROXY_CPU (default 0),
# BENCH_LOAD_CPU (core for wrk and the upstream, default 1). It builds nothing: build weft-proxy
# and weft-test-upstream first. Nothing is asserted.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
HERE=$ROOT/tests/bench/resilience
source "$ROOT/tests/bench/lib.sh"
bench_setup "${1:-}" wrk taskset curl ss
declare -A RPS CPU P50 P99 ISSUES

FAULT="[ { name: fault, builtin: fault, config: { delay: { fixed_delay: 1s, percentage: { numerator: 0 } }, abort: { http_status: 503, percentage: { numerator: 0 } } } } ]"
RETRY="            retry_policy: { retry_on: \"5xx,connect-failure,reset\", num_retries: 2, per_try_timeout: 5s }"
OUTLIER="    outlier_detection: { consecutive_5xx: 5, interval: 10s }"
BREAKERS="    circuit_breakers: { thresholds: [ { max_requests: 100000, max_retries: 100 } ] }"
WEFT_STARTUP='^weft-proxy: (listener .* on |admin on |[0-9]+ workers$|ready$)'

start_upstream "$UPSTREAM_BIN"
note "bench-resilience: upstream on 127.0.0.1:$UPSTREAM_PORT (core $LOAD_CPU); proxy on core $PROXY_CPU"

for target in router resilient; do
  PORT=$(free_port)
  if [[ $target == router ]]; then
    fill "$HERE/weft.yaml.in" "$WORK/$target.yaml" PORT="$PORT" UPSTREAM_PORT="$UPSTREAM_PORT" \
      FILTERS="[]" ROUTE_FIELDS="" OUTLIER="" BREAKERS=""
  else
    fill "$HERE/weft.yaml.in" "$WORK/$target.yaml" PORT="$PORT" UPSTREAM_PORT="$UPSTREAM_PORT" \
      FILTERS="$FAULT" ROUTE_FIELDS="$RETRY" OUTLIER="$OUTLIER" BREAKERS="$BREAKERS"
  fi
  measure_target "$target" "$PORT" : "$WORK/$target.out" "$WEFT_STARTUP" \
    "$WEFT_BIN" -c "$WORK/$target.yaml" --workers 1
done

{
  for name in router resilient; do
    printf '%s %s %s %s %s\n' "$name" "${RPS[$name]:--}" "${CPU[$name]:--}" "${P50[$name]:--}" \
      "${P99[$name]:--}"
  done
} | awk -v secs="$DURATION" '
  { for (i = 2; i <= 5; i++) v[$1, i] = $i }
  END {
    printf "\nresilience benchmark: wrk -t1, %d s per run; nothing fails, no fault fires\n\n", secs
    printf "%-10s %12s %12s %10s %10s\n", "target", "req/s @64c", "CPU us/req", "p50 @1c us",
           "p99 @1c us"
    split("router resilient", names, " ")
    for (k = 1; k <= 2; k++) {
      n = names[k]
      printf "%-10s %12s %12s %10s %10s\n", n, v[n, 2], v[n, 3], v[n, 4], v[n, 5]
    }
    a = v["router", 3]; b = v["resilient", 3]
    if (a != "-" && b != "-" && a + 0 > 0)
      printf "\nCPU per request, resilient/router: %.3f (target <= 1.05)\n", b / a
  }'

echo
if [[ -z ${ISSUES[*]:-} ]]; then
  echo "anomalies: none (no errors from wrk, no unexpected logs)"
else
  echo "anomalies:"
  for name in router resilient; do
    [[ -z ${ISSUES[$name]:-} ]] || echo "  $name: ${ISSUES[$name]}"
  done
fi
