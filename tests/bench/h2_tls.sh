#!/usr/bin/env bash
# tests/bench/h2_tls.sh: HTTP/2 and TLS benchmark of weft-proxy against nginx, in one run.
#
#   tests/bench/h2_tls.sh [BUILD_DIR]        (default $WEFT_BUILD_DIR, else build/release)
#
# For h2c and for TLS (ECDSA P-256, ALPN h2): h2load drives weft-proxy and nginx (one worker each,
# an HTTP/2 listener, HTTP/1.1 to the upstream with keep-alive), and the upstream directly over
# HTTP/1.1 as the floor. Figures: requests/s at 16 connections × 10 streams, the proxy's CPU µs per
# request in that run, and p99 at one connection and one stream (from h2load's per-request log).
# Then TLS handshakes per second of proxy CPU (openssl s_time on the load core): full handshakes
# with TLS 1.3 and TLS 1.2, and resumed TLS 1.2 handshakes (s_time cannot resume TLS 1.3).
#
# Environment: BENCH_SECONDS (per run, default 10), BENCH_PROXY_CPU (default 0), BENCH_LOAD_CPU
# (h2load, s_time and the upstream; default 1). Builds nothing. Nothing is asserted.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/tests/bench
source "$HERE/lib.sh"
bench_setup "${1:-}" h2load openssl taskset curl ss
NGINX_BIN=$(find_tool nginx || true)
[[ -n $NGINX_BIN ]] || note "bench: nginx not installed; its rows stay empty"
ulimit -n 65536 2>/dev/null || true

# ---- the certificate ----------------------------------------------------------------------------

make_certificate

# ---- measurements -------------------------------------------------------------------------------

declare -A RPS CPU P99 FULL13 FULL12 RESUMED

# h2load_run OUT URL ARGS...: h2load on the load core.
h2load_run() {
  local out=$1 url=$2
  shift 2
  taskset -c "$LOAD_CPU" h2load "$@" "$url" >"$out" 2>&1 || note "bench: h2load failed: $(tail -n 1 "$out")"
}
h2load_done() { awk '/^requests:/ { print $8 }' "$1"; }
h2load_rps() { awk '/^finished in/ { gsub(/,/, ""); print $4 }' "$1"; }
# The 99th percentile of the request times (µs, third column) in an h2load --log-file.
p99_us() { awk '{ print $3 }' "$1" | sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int(NR * 0.99)] }'; }

# measure NAME URL PID [--h1]: the load figures of one target (PID empty: no CPU figure).
measure() {
  local name=$1 url=$2 pid=$3 t0 t1 done
  shift 3
  note "bench: $name: warm-up, ${DURATION}s at 16x10 streams, ${DURATION}s at 1 stream"
  h2load_run "$WORK/$name-warm.txt" "$url" -c 16 -m 10 -D 1 "$@"
  [[ -z $pid ]] || t0=$(cpu_ticks "$pid")
  h2load_run "$WORK/$name-load.txt" "$url" -c 16 -m 10 -D "$DURATION" "$@"
  [[ -z $pid ]] || t1=$(cpu_ticks "$pid")
  done=$(h2load_done "$WORK/$name-load.txt")
  RPS[$name]=$(h2load_rps "$WORK/$name-load.txt")
  if [[ -n $pid && -n $done && $done -gt 0 ]]; then
    CPU[$name]=$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$done" \
      'BEGIN { printf "%.2f", t * 1e6 / hz / n }')
  fi
  h2load_run "$WORK/$name-c1.txt" "$url" -c 1 -m 1 -D "$DURATION" --log-file="$WORK/$name-c1.log" "$@"
  P99[$name]=$(p99_us "$WORK/$name-c1.log")
}

# handshakes NAME PORT PID: handshakes per second of PID's CPU time, full and resumed.
handshakes() {
  local name=$1 port=$2 pid=$3 mode flags t0 t1 n
  for mode in full13 full12 resumed; do
    case $mode in
      full13) flags=(-new) ;;
      full12) flags=(-new -tls1_2) ;;
      resumed) flags=(-reuse -tls1_2) ;;
    esac
    t0=$(cpu_ticks "$pid")
    taskset -c "$LOAD_CPU" openssl s_time -connect "127.0.0.1:$port" "${flags[@]}" \
      -time "$DURATION" >"$WORK/$name-$mode.txt" 2>&1 || true
    t1=$(cpu_ticks "$pid")
    n=$(awk '/connections in .* real seconds/ { print $1; exit }' "$WORK/$name-$mode.txt")
    [[ -n $n && $t1 -gt $t0 ]] || continue
    local rate
    rate=$(awk -v n="$n" -v t=$((t1 - t0)) -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", n * hz / t }')
    case $mode in
      full13) FULL13[$name]=$rate ;;
      full12) FULL12[$name]=$rate ;;
      resumed) RESUMED[$name]=$rate ;;
    esac
  done
}

# run_target NAME PORT SCHEME COMMAND...: starts a proxy on the proxy core, measures it, stops it.
# The process measured is nginx's worker (the master's child) or weft-proxy itself.
run_target() {
  local name=$1 port=$2 scheme=$3 pid measured i
  shift 3
  taskset -c "$PROXY_CPU" "$@" >"$WORK/$name.out" 2>&1 &
  pid=$!
  STARTED+=("$pid")
  for ((i = 0; i < 100; i++)); do
    curl -sk --http2-prior-knowledge -o /dev/null "$scheme://127.0.0.1:$port/" 2>/dev/null && break
    [[ $scheme == https ]] && curl -sk -o /dev/null "https://127.0.0.1:$port/" && break
    alive "$pid" || die "$name did not start: $(tail -n 3 "$WORK/$name.out")"
    sleep 0.1
  done
  measured=$(awk '{ print $1 }' "/proc/$pid/task/$pid/children" 2>/dev/null || true)
  measured=${measured:-$pid}
  measure "$name" "$scheme://127.0.0.1:$port/" "$measured"
  [[ $scheme == http ]] || handshakes "$name" "$port" "$measured"
  stop "$pid"
}

# ---- the targets --------------------------------------------------------------------------------

start_upstream "$UPSTREAM_BIN"
note "bench: upstream on 127.0.0.1:$UPSTREAM_PORT (core $LOAD_CPU); proxies on core $PROXY_CPU"
measure direct "http://127.0.0.1:$UPSTREAM_PORT/" "" --h1

TLS_BLOCK="    tls: { certificates: [ { certificate_chain: $WORK/server.pem, private_key: $WORK/server.key } ] }"
for mode in h2c tls; do
  scheme=http
  [[ $mode == tls ]] && scheme=https
  PORT=$(free_port)
  fill "$HERE/weft_h2.yaml.in" "$WORK/weft-$mode.yaml" PORT="$PORT" UPSTREAM_PORT="$UPSTREAM_PORT" \
    TLS="$([[ $mode == tls ]] && echo "$TLS_BLOCK" || echo "    # plaintext only")"
  run_target "weft-$mode" "$PORT" "$scheme" "$WEFT_BIN" -c "$WORK/weft-$mode.yaml" --workers 1
  if [[ -n $NGINX_BIN ]]; then
    PORT=$(free_port)
    fill "$HERE/nginx_h2.conf.in" "$WORK/nginx-$mode.conf" PORT="$PORT" DIR="$WORK" \
      UPSTREAM_PORT="$UPSTREAM_PORT" LISTEN="$([[ $mode == tls ]] && echo "ssl http2" || echo "http2")"
    run_target "nginx-$mode" "$PORT" "$scheme" \
      "$NGINX_BIN" -p "$WORK" -e "$WORK/nginx-h2-error.log" -c "$WORK/nginx-$mode.conf"
  fi
done

# ---- report -------------------------------------------------------------------------------------

ratio() { awk -v a="${1:--}" -v b="${2:--}" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
printf '\nHTTP/2 benchmark: h2load, %s s per run; ECDSA P-256 for TLS\n\n' "$DURATION"
printf '%-10s %12s %14s %12s %14s %14s %14s\n' target "req/s 16x10" "CPU us/req" "p99 @1 us" \
  "full 1.3 /cpu-s" "full 1.2 /cpu-s" "resumed /cpu-s"
for name in direct weft-h2c nginx-h2c weft-tls nginx-tls; do
  printf '%-10s %12s %14s %12s %14s %14s %14s\n' "$name" "${RPS[$name]:--}" "${CPU[$name]:--}" \
    "${P99[$name]:--}" "${FULL13[$name]:--}" "${FULL12[$name]:--}" "${RESUMED[$name]:--}"
done
printf '\n%-34s %10s   %s\n' figure weft/nginx "target (weft)"
printf '%-34s %10s   %s\n' "CPU per request, h2c" "$(ratio "${CPU[weft-h2c]:-}" "${CPU[nginx-h2c]:-}")" "<= 0.80"
printf '%-34s %10s   %s\n' "CPU per request, TLS" "$(ratio "${CPU[weft-tls]:-}" "${CPU[nginx-tls]:-}")" "<= 0.80"
printf '%-34s %10s   %s\n' "p99 @1 stream, h2c" "$(ratio "${P99[weft-h2c]:-}" "${P99[nginx-h2c]:-}")" "lower is better"
printf '%-34s %10s   %s\n' "p99 @1 stream, TLS" "$(ratio "${P99[weft-tls]:-}" "${P99[nginx-tls]:-}")" "lower is better"
printf '%-34s %10s   %s\n' "full handshakes per CPU-s, TLS 1.3" "$(ratio "${FULL13[weft-tls]:-}" "${FULL13[nginx-tls]:-}")" ">= 0.90"
printf '%-34s %10s   %s\n' "full handshakes per CPU-s, TLS 1.2" "$(ratio "${FULL12[weft-tls]:-}" "${FULL12[nginx-tls]:-}")" ">= 0.90"
printf '%-34s %10s   %s\n' "weft resumed / full (TLS 1.2)" "$(ratio "${RESUMED[weft-tls]:-}" "${FULL12[weft-tls]:-}")" ">= 5"
printf '%-34s %10s   %s\n' "nginx resumed / full (TLS 1.2)" "$(ratio "${RESUMED[nginx-tls]:-}" "${FULL12[nginx-tls]:-}")" "(for comparison)"
