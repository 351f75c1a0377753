#!/usr/bin/env bash
# Installs the Debian 12 packages Weft needs to build, test and benchmark.
# Safe to run again: apt-get skips what is already there. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git clang-format
  clang libclang-rt-14-dev          # libFuzzer and the sanitizers
  libevent-dev libssl-dev libyaml-cpp-dev libboost-test-dev openssl
  libnghttp2-dev libre2-dev libluajit2-5.1-dev  # HTTP/2 codec, route regexes, Lua filters
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc  # gRPC tests and services
  nghttp2-client                    # nghttp and h2load: HTTP/2 tests and benchmarks
  curl procps                       # used by the demo and the integration tests
  wrk nginx-light haproxy iproute2  # the benchmark, its references, and ss for free ports
  libnginx-mod-http-lua             # nginx+Lua, the Lua benchmark's reference
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
