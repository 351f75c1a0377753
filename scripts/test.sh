#!/usr/bin/env bash
# Builds Weft and runs every test (unit, integration, fuzz-corpus replay) under CTest.
# Usage: scripts/test.sh [dev|asan]   (default dev; asan = AddressSanitizer + UBSan build)
# Installs the Debian packages it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-dev}"
scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset"
