#!/usr/bin/env bash
# The demo: builds Weft, starts a sample upstream and weft-proxy in front of it with the sample C
# filter (samples/filters/add_header), sends requests through it, shows what the filter did and
# where the admin endpoint is, then keeps running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
exec samples/demo/run.sh build/release
