#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs Wirescope's benchmarks, each side by side with its reference in the same run, and prints
# their tables (docs/performance.md records a run). Run it on an otherwise idle machine.
#   scripts/bench.sh [--rounds N]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
[ "${1:-}" = "--rounds" ] && rounds=${2:?}

scripts/install-deps.sh >/dev/null
cmake -S . -B build -G Ninja -DWIRESCOPE_BUILD_BENCH=ON >/dev/null
cmake --build build -j "$(nproc)" --target wirescope-callbench wirescope-codecbench wirescope-schemabench wirescope-uibench wirescope-timelinebench wirescope-testserver wirescope-cli >/dev/null

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "== Calls: Wirescope engine vs compiled C++ stub (same server, alternating rounds)"
build/tests/server/wirescope-testserver --address 127.0.0.1:0 >"$work/server.out" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/server.out" && break; sleep 0.1; done
address=$(sed -n 's/^listening on //p' "$work/server.out")
[ -n "$address" ] || { echo "the test server did not start" >&2; exit 1; }
build/bench/wirescope-callbench "$address" --rounds "$rounds"
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=

echo
echo "== Codec: the engine's JSON encode and decode vs protobuf's JSON converter"
build/bench/wirescope-codecbench --rounds "$rounds"

echo
echo "== Schema load: Wirescope vs protoc on a generated workspace"
python3 bench/gen_workspace.py "$work/ws" >"$work/files.txt"
build/bench/wirescope-schemabench "$(command -v protoc)" "$work/ws" "$work/files.txt" --rounds "$rounds"

echo
echo "== GUI: the UI thread's longest stall while a 20 MiB response arrives and is shown"
QT_QPA_PLATFORM=offscreen build/bench/wirescope-uibench --rounds "$rounds" --megabytes 20 2>/dev/null

echo
echo "== Timeline: a 200 000 msg/s stream of 1 000 000 messages in the GUI, and the wire tap's cost"
QT_QPA_PLATFORM=offscreen build/bench/wirescope-timelinebench --rounds "$rounds" 2>/dev/null

echo
echo "== Web protocols: Connect and gRPC-Web against gRPC, one Connect for Node server for all"
[ -d tests/node/node_modules/@connectrpc/connect-node ] ||
  (cd tests/node && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
python3 bench/webbench.py build/app/wirescope-cli tests/proto resources/protos tests/node --rounds "$rounds"
