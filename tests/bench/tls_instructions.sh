#!/usr/bin/env bash
# tests/bench/tls_instructions.sh: what a TLS handshake costs weft-proxy and nginx in user-space
# instructions, counted by callgrind (lib.sh's callgrind_count) — full TLS 1.3, full TLS 1.2 and
# resumed TLS 1.2 handshakes from `openssl s_time` with the ECDSA P-256 certificate of
# h2_tls.sh. Deterministic where h2_tls.sh's handshakes per CPU-second move with the machine's
# load, and without the kernel's accept/close, which h2_tls.sh's figures include: the two side by
# side show how much of a resumed handshake is the proxy's own work.
#
#   tests/bench/tls_instructions.sh [BUILD_DIR]     (default $WEFT_BUILD_DIR, else build/release)
#
# Environment: BENCH_SECONDS (each counted s_time run, default 3). Needs valgrind, openssl, curl.
# With -reuse, s_time's first connection is a full handshake; it adds about 1% to the resumed
# figure at the default 3 s (more in shorter runs).
# Nothing is asserted.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/tests/bench
export BENCH_SECONDS=${BENCH_SECONDS:-3}

source "$ROOT/tests/bench/lib.sh"
bench_setup "${1:-}" openssl curl valgrind callgrind_control
NGINX_BIN=$(find_tool nginx || true)

make_certificate

declare -A IR
MODES=(full13 full12 resumed12)

# s_time_load NAME warm|counted: 1 s of full handshakes to warm up, or DURATION seconds of the
# handshakes NAME's mode names (printing how many). PORT is the target's.
s_time_load() {
  local flags
  case ${1##*-} in
    full13) flags=(-new) ;;
    full12) flags=(-new -tls1_2) ;;
    resumed12) flags=(-reuse -tls1_2) ;;
  esac
  if [[ $2 == warm ]]; then
    openssl s_time -connect "127.0.0.1:$PORT" -new -time 1 >/dev/null 2>&1 || true
  else
    note "bench: $1: ${DURATION}s of handshakes counted"
    openssl s_time -connect "127.0.0.1:$PORT" "${flags[@]}" -time "$DURATION" 2>&1 |
      awk '/connections in .* real seconds/ { print $1; exit }'
  fi
}

start_upstream "$UPSTREAM_BIN"
TLS_BLOCK="    tls: { certificates: [ { certificate_chain: $WORK/server.pem, private_key: $WORK/server.key } ] }"
for mode in "${MODES[@]}"; do
  PORT=$(free_port)
  fill "$HERE/weft_h2.yaml.in" "$WORK/weft.yaml" PORT="$PORT" UPSTREAM_PORT="$UPSTREAM_PORT" \
    TLS="$TLS_BLOCK"
  callgrind_count "weft-$mode" "https://127.0.0.1:$PORT/" s_time_load \
    "$WEFT_BIN" -c "$WORK/weft.yaml" --workers 1
  if [[ -n $NGINX_BIN ]]; then
    PORT=$(free_port)
    # One process (no master) so that the counted process is the one serving.
    fill "$HERE/nginx_h2.conf.in" "$WORK/nginx.conf" PORT="$PORT" DIR="$WORK" \
      UPSTREAM_PORT="$UPSTREAM_PORT" LISTEN="ssl http2"
    sed -i 's/^master_process on;/master_process off;/' "$WORK/nginx.conf"
    callgrind_count "nginx-$mode" "https://127.0.0.1:$PORT/" s_time_load \
      "$NGINX_BIN" -p "$WORK" -e "$WORK/nginx-h2-error.log" -c "$WORK/nginx.conf"
  fi
done

echo
echo "user-space instructions per handshake (callgrind, ${DURATION}s of openssl s_time each)"
printf '%-8s %12s %12s %12s %16s\n' proxy "full 1.3" "full 1.2" "resumed 1.2" "full/resumed 1.2"
for proxy in weft nginx; do
  [[ -n ${IR[$proxy-full12]:-} ]] || continue
  printf '%-8s %12s %12s %12s %16s\n' "$proxy" "${IR[$proxy-full13]}" "${IR[$proxy-full12]}" \
    "${IR[$proxy-resumed12]}" \
    "$(awk -v f="${IR[$proxy-full12]}" -v r="${IR[$proxy-resumed12]}" 'BEGIN { printf "%.2f", f / r }')"
done
