# tests/bench/lib.sh: what the benchmark scripts share — messages, the processes they start
# (every one is stopped on exit), free ports, config templates, and reading a process's CPU time
# and memory from /proc. Sourced, not run; the caller sets `set -euo pipefail`.

note() { printf '%s\n' "$*" >&2; }
die() {
  note "bench: $*"
  exit 1
}

find_tool() { command -v "$1" 2>/dev/null || { [[ -x /usr/sbin/$1 ]] && echo "/usr/sbin/$1"; }; }

# bench_setup BUILD_DIR_ARG TOOL...: what every script starts with. Sets BUILD (the argument, else
# $WEFT_BUILD_DIR, else build/release; relative to ROOT), DURATION (BENCH_SECONDS, 10), PROXY_CPU
# (BENCH_PROXY_CPU, 0), LOAD_CPU (BENCH_LOAD_CPU, 1), WEFT_BIN, UPSTREAM_BIN and CLK_TCK, and dies
# unless both binaries are built and every TOOL is installed.
bench_setup() {
  BUILD=${1:-${WEFT_BUILD_DIR:-build/release}}
  shift
  [[ $BUILD == /* ]] || BUILD=$ROOT/$BUILD
  DURATION=${BENCH_SECONDS:-10}
  PROXY_CPU=${BENCH_PROXY_CPU:-0}
  LOAD_CPU=${BENCH_LOAD_CPU:-1}
  [[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive integer"
  WEFT_BIN=$BUILD/core/weft-proxy
  UPSTREAM_BIN=$BUILD/tests/support/weft-test-upstream
  local f tool
  for f in "$WEFT_BIN" "$UPSTREAM_BIN"; do
    [[ -x $f ]] || die "missing $f; build first, e.g.:
    cmake -S $ROOT -B $BUILD -G Ninja -DCMAKE_BUILD_TYPE=Release
    ninja -C $BUILD weft-proxy weft-test-upstream weft_test_plugins"
  done
  for tool in getconf "$@"; do
    [[ -n $(find_tool "$tool") ]] || die "$tool is not installed"
  done
  CLK_TCK=$(getconf CLK_TCK)
}

# ---- processes ----------------------------------------------------------------------------------

WORK=$(mktemp -d /tmp/weft-bench.XXXXXX)
STARTED=()  # every pid this script started; the EXIT trap ends them

alive() {
  local state
  state=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z ]]
}

# stop PID [SECONDS]: SIGTERM, up to SECONDS (default 5) to exit, then SIGKILL; reaps it.
stop() {
  local pid=$1 i tenths=$((${2:-5} * 10))
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < tenths; i++)); do
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

# A TCP port nobody listens on or connects from, below the ephemeral range.
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

# wait_url URL PID: waits until GET URL answers 200 (10 s; certificates are not checked), or PID
# has died.
wait_url() {
  local i code
  for ((i = 0; i < 100; i++)); do
    alive "$2" || return 1
    code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 1 "$1" || true)
    [[ $code == 200 ]] && return 0
    sleep 0.1
  done
  return 1
}

# wait_http PORT PID: wait_url for GET / over plain HTTP on PORT.
wait_http() { wait_url "http://127.0.0.1:$1/" "$2"; }


# start_upstream BIN: weft-test-upstream on the load core, one thread; sets UPSTREAM_PID and
# UPSTREAM_PORT.
start_upstream() {
  local i
  taskset -c "$LOAD_CPU" "$1" --port 0 --name bench --threads 1 >"$WORK/upstream.out" 2>&1 &
  UPSTREAM_PID=$!
  STARTED+=("$UPSTREAM_PID")
  for ((i = 0; i < 100; i++)); do
    UPSTREAM_PORT=$(awk '/^listening / { n = split($2, a, ":"); print a[n] }' "$WORK/upstream.out")
    [[ -z $UPSTREAM_PORT ]] || return 0
    alive "$UPSTREAM_PID" || die "weft-test-upstream failed: $(cat "$WORK/upstream.out")"
    sleep 0.1
  done
  die "weft-test-upstream did not print its port"
}

cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
kernel_ticks() { awk '{ sub(/.*\) /, ""); print $13 }' "/proc/$1/stat"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# make_certificate: a self-signed ECDSA P-256 certificate for localhost and 127.0.0.1, valid two
# days, in $WORK/server.pem with its key in $WORK/server.key (needs openssl).
make_certificate() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$WORK/server.key" -out "$WORK/server.pem" 2>/dev/null ||
    die "cannot make the test certificate"
}

# ---- wrk ----------------------------------------------------------------------------------------

WRK_EXTRA=()
# wrk_run OUT CONNECTIONS SECONDS PORT [--latency]: wrk on the load core, plus the arguments in
# the WRK_EXTRA array (e.g. a header).
wrk_run() {
  local out=$1 conns=$2 secs=$3 port=$4
  shift 4
  taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${secs}s" "${WRK_EXTRA[@]}" "$@" "http://127.0.0.1:$port/" \
    >"$out" 2>&1 ||
    note "bench: wrk failed: $(tail -n 1 "$out")"
}

# Fields of a wrk report: requests, rps, p50 / p99 in µs, and the error counts.
wrk_requests() { awk '/ requests in / { print $1 }' "$1"; }
wrk_rps() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
wrk_percentile_us() {
  awk -v p="$2" '$1 == p {
    v = $2; unit = v; sub(/^[0-9.]+/, "", unit); v += 0
    f = unit == "us" ? 1 : unit == "ms" ? 1e3 : unit == "s" ? 1e6 : unit == "m" ? 6e7 : -1
    if (f > 0) printf "%.0f\n", v * f
  }' "$1"
}
wrk_errors() {
  awk '/Non-2xx or 3xx responses:/ { bad += $NF }
       /Socket errors:/ { gsub(/,/, ""); sock += $4 + $6 + $8 + $10 }
       END { if (bad + sock > 0) printf "%d non-2xx/3xx, %d socket errors", bad, sock }' "$1"
}


# issue NAME TEXT: notes an anomaly of target NAME (the caller declares the ISSUES array).
issue() { ISSUES[$1]+="${ISSUES[$1]:+; }$2"; }

# median VALUE...: the median of the numeric values ("-" ignored), or "-" when there are none.
median() {
  printf '%s\n' "$@" | sort -g | awk 'NF && $1 != "-" { v[++n] = $1 }
    END {
      if (n == 0) print "-"
      else if (n % 2) print v[(n + 1) / 2]
      else {
        m = (v[n / 2] + v[n / 2 + 1]) / 2
        if (m == int(m)) print m; else printf "%.2f\n", m
      }
    }'
}

# ---- rounds -------------------------------------------------------------------------------------

# Scripts that repeat their load runs measure each target once per round, as NAME.rN, going round
# the targets in turn so the machine's background load falls on all of them; fold_rounds then
# gives NAME the median of each figure.

# read_rounds: ROUNDS from BENCH_ROUNDS (default 3).
read_rounds() {
  ROUNDS=${BENCH_ROUNDS:-3}
  [[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS must be a positive integer"
}

# fold_rounds NAME ARRAY...: for each ARRAY, ARRAY[NAME] becomes the median of ARRAY[NAME.r1] ..
# ARRAY[NAME.rROUNDS]; the rounds' ISSUES become NAME's.
fold_rounds() {
  local name=$1 figures round values
  shift
  for figures in "$@"; do
    local -n by_round=$figures
    values=()
    for ((round = 1; round <= ROUNDS; round++)); do values+=("${by_round[$name.r$round]:--}"); done
    by_round[$name]=$(median "${values[@]}")
    unset -n by_round
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    [[ -z ${ISSUES[$name.r$round]:-} ]] || issue "$name" "round $round: ${ISSUES[$name.r$round]}"
  done
}

# ---- one proxy under load -----------------------------------------------------------------------

# Kernel CPU µs per request, by target; measure_load fills it.
declare -A KERNEL

# measure_load NAME PORT [PID]: a 1 s warm-up, then wrk at 64 connections for DURATION (requests/s,
# and PID's CPU µs per request — all of it, and the kernel's part — when PID is given) and at 1
# connection (p50, p99), into the caller's RPS, CPU, P50 and P99 arrays and KERNEL; wrk's errors
# become issues of NAME.
measure_load() {
  local name=$1 port=$2 pid=${3:-} t0 t1 k0 k1 requests run errors
  note "bench: $name: warm-up, ${DURATION}s at 64 connections, ${DURATION}s at 1 connection"
  wrk_run "$WORK/$name-warm.txt" 64 1 "$port"
  [[ -z $pid ]] || { t0=$(cpu_ticks "$pid") && k0=$(kernel_ticks "$pid"); }
  wrk_run "$WORK/$name-c64.txt" 64 "$DURATION" "$port"
  [[ -z $pid ]] || { t1=$(cpu_ticks "$pid") && k1=$(kernel_ticks "$pid"); }
  requests=$(wrk_requests "$WORK/$name-c64.txt")
  RPS[$name]=$(wrk_rps "$WORK/$name-c64.txt")
  if [[ -n $pid && -n $requests && $requests -gt 0 ]]; then
    CPU[$name]=$(awk -v t=$((t1 - t0)) -v hz="$CLK_TCK" -v n="$requests" \
      'BEGIN { printf "%.2f", t * 1e6 / hz / n }')
    KERNEL[$name]=$(awk -v t=$((k1 - k0)) -v hz="$CLK_TCK" -v n="$requests" \
      'BEGIN { printf "%.2f", t * 1e6 / hz / n }')
  fi
  wrk_run "$WORK/$name-c1.txt" 1 "$DURATION" "$port" --latency
  P50[$name]=$(wrk_percentile_us "$WORK/$name-c1.txt" 50%)
  P99[$name]=$(wrk_percentile_us "$WORK/$name-c1.txt" 99%)
  for run in c64 c1; do
    errors=$(wrk_errors "$WORK/$name-$run.txt")
    [[ -z $errors ]] || issue "$name" "wrk -c${run#c}: $errors"
  done
}

# measure_target NAME PORT CHECK LOG EXPECTED COMMAND...: starts COMMAND on the proxy core, runs
# the function CHECK NAME PORT (":" for none), measures CPU per request at 64 connections and
# latency at 1 (into the caller's RPS, CPU, P50, P99 arrays), notes lines of LOG not matching the
# regex EXPECTED, and stops it. The process measured is its first child if it forked one (the
# nginx worker), else itself. Needs WORK, DURATION, PROXY_CPU, CLK_TCK and STARTED.
measure_target() {
  local name=$1 port=$2 check=$3 log=$4 expected=$5 pid measured lines
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
  "$check" "$name" "$port"
  measure_load "$name" "$port" "$measured"
  lines=$(grep -vE "$expected" "$log" 2>/dev/null || true)
  [[ -z $lines ]] || issue "$name" "$(wc -l <<<"$lines") unexpected log lines: $(head -n 1 <<<"$lines")"
  stop "$pid"
}

# ---- instructions under callgrind ---------------------------------------------------------------

# callgrind_count NAME URL LOAD COMMAND...: runs COMMAND under callgrind with instrumentation off,
# waits until URL answers, runs `LOAD NAME warm` (its output ignored), switches instrumentation on
# for `LOAD NAME counted` — which prints how many units (requests, connections) it made — then off,
# stops COMMAND and sets the caller's IR[NAME] to the user-space instructions per unit, all threads
# of the process counted. Deterministic, unlike CPU time on a shared machine; the kernel's share
# is left out. Needs valgrind (callgrind_control).
callgrind_count() {
  local name=$1 url=$2 load=$3 pid units total
  shift 3
  valgrind --tool=callgrind --instr-atstart=no --smc-check=all-non-file \
    --callgrind-out-file="$WORK/$name.callgrind" "$@" >"$WORK/$name.out" 2>&1 &
  pid=$!
  STARTED+=("$pid")
  wait_url "$url" "$pid" || die "$name did not start: $(tail -n 5 "$WORK/$name.out")"
  "$load" "$name" warm >/dev/null
  callgrind_control -i on "$pid" >/dev/null 2>&1 || die "$name: callgrind_control failed"
  units=$("$load" "$name" counted)
  callgrind_control -i off "$pid" >/dev/null 2>&1 || die "$name: callgrind_control failed"
  stop "$pid" 60  # the counts are written at exit, slowly under valgrind: no SIGKILL before
  total=$(awk '/^totals:/ { print $2 }' "$WORK/$name.callgrind")
  [[ -n $units && $units -gt 0 && -n $total ]] || die "$name: nothing counted"
  IR[$name]=$((total / units))
}
