#!/usr/bin/env bash
# Runs the demo against an existing build: samples/demo/run.sh BUILD_DIR
set -euo pipefail
build="$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d /tmp/weft-demo.XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo; echo "stopping (Ctrl-C)"; exit 0' INT TERM

wait_for_line() {  # file pattern
  for _ in $(seq 100); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "timed out waiting for '$2' in $1" >&2
  cat "$1" >&2
  return 1
}

"$build/tests/support/weft-test-upstream" --port 0 --name productpage >"$work/upstream.out" 2>&1 &
pids+=($!)
wait_for_line "$work/upstream.out" '^listening'
upstream_port="$(sed -n 's/^listening .*:\([0-9]*\)$/\1/p' "$work/upstream.out")"

# Listener port 0: the proxy binds an ephemeral port and prints it.
sed -e "s#@PROXY_PORT@#0#" -e "s#@UPSTREAM_PORT@#$upstream_port#" \
    -e "s#@PLUGIN@#$build/samples/add_header.so#" "$here/demo.yaml.in" >"$work/proxy.yaml"

"$build/core/weft-proxy" -c "$work/proxy.yaml" >"$work/proxy.out" 2>"$work/proxy.err" &
pids+=($!)
wait_for_line "$work/proxy.out" 'weft-proxy: ready'
admin="$(sed -n 's/^weft-proxy: admin on //p' "$work/proxy.out")"
proxy_port="$(sed -n 's/^weft-proxy: listener ingress on .*:\([0-9]*\)$/\1/p' "$work/proxy.out")"

echo "== weft-proxy is up"
cat "$work/proxy.out"
echo
echo "== 1. a request through the proxy; the add_header filter set x-hello on the response:"
curl -s -D - -o /dev/null "http://127.0.0.1:$proxy_port/productpage" | grep -i -E '^(HTTP|x-hello|x-upstream)'
echo
echo "== 2. what the upstream received (the filter's x-hello, and the proxy's forwarding headers):"
curl -s "http://127.0.0.1:$proxy_port/headers"
echo
echo "== 3. ten more requests, then the filter's own counter and its log lines:"
for _ in $(seq 10); do curl -s -o /dev/null "http://127.0.0.1:$proxy_port/"; done
curl -s "http://$admin/stats?filter=add_header"
tail -n 3 "$work/proxy.err"
echo
echo "== 4. a host no route matches gets the router's 404:"
curl -s -i "http://127.0.0.1:$proxy_port/nope" -H 'Host: unknown.example' | head -n 1 || true
echo
echo "Proxy:  http://127.0.0.1:$proxy_port/   (upstream 'productpage' on 127.0.0.1:$upstream_port)"
echo "Admin:  http://$admin/   (/stats, /stats/prometheus, /config_dump, /clusters, /ready)"
echo "Filter log: $work/proxy.err"
echo "Running until Ctrl-C."
while kill -0 "${pids[1]}" 2>/dev/null; do sleep 1; done
