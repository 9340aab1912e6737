#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs Wirescope's benchmarks, each side by side with its reference in the same run, and prints
# their tables (docs/performance.md records a run). Run it on an otherwise idle machine.
#   scripts/bench.sh [--rounds N] [--only calls|codec|schema|gui|timeline|web]
# --only runs one benchmark (and builds only what it needs); without it, all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=3
only=
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=${2:?--rounds needs a number}; shift 2 ;;
    --only) only=${2:?--only needs a benchmark}; shift 2 ;;
    *) echo "usage: scripts/bench.sh [--rounds N] [--only calls|codec|schema|gui|timeline|web]" >&2; exit 2 ;;
  esac
done
case "$only" in "" | calls | codec | schema | gui | timeline | web) ;; *)
  echo "bench.sh: no benchmark named $only (calls, codec, schema, gui, timeline, web)" >&2; exit 2 ;;
esac
wanted() { [ -z "$only" ] || [ "$only" = "$1" ]; }

targets=()
wanted calls && targets+=(wirescope-callbench wirescope-testserver wirescope-cli wirescope-goserver)
wanted codec && targets+=(wirescope-codecbench)
wanted schema && targets+=(wirescope-schemabench)
wanted gui && targets+=(wirescope-uibench)
wanted timeline && targets+=(wirescope-timelinebench)
wanted web && targets+=(wirescope-cli)
scripts/install-deps.sh >/dev/null
cmake -S . -B build -G Ninja -DWIRESCOPE_BUILD_BENCH=ON >/dev/null
cmake --build build -j "$(nproc)" --target "${targets[@]}" >/dev/null

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a server that prints "listening on ADDRESS"; sets $address and $server_pid.
start_server() {
  "$@" --address 127.0.0.1:0 >"$work/server.out" &
  server_pid=$!
  address=
  for _ in $(seq 100); do grep -q "listening on" "$work/server.out" && break; sleep 0.1; done
  address=$(sed -n 's/^listening on //p' "$work/server.out")
  [ -n "$address" ] || { echo "$1 did not start" >&2; exit 1; }
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }
# A table's heading, after a blank line unless it is the first.
section() { [ -z "${printed:-}" ] || echo; printed=1; echo "== $*"; }

if wanted calls; then
  section "Calls: Wirescope engine and wirescope-cli bench vs compiled C++ stub (in-tree C++ server, 64-byte payloads)"
  start_server build/tests/server/wirescope-testserver
  build/bench/wirescope-callbench "$address" --rounds "$rounds" --cli build/app/wirescope-cli
  stop_server

  section "Calls: the same against grpc-go 1.33 (tests/goserver), 8-byte payloads, one call in flight"
  start_server build/tests/goserver/bin/wirescope-goserver
  build/bench/wirescope-callbench "$address" --rounds "$rounds" --cli build/app/wirescope-cli \
    --payload 8 --echo-bytes 8 --concurrency 1 --unary-calls 10000 --targets 1.0 0.9
  stop_server
fi

if wanted codec; then
  section "Codec: the engine's JSON encode and decode vs protobuf's JSON converter"
  build/bench/wirescope-codecbench --rounds "$rounds"
fi

if wanted schema; then
  section "Schema load: Wirescope vs protoc on a generated workspace"
  python3 bench/gen_workspace.py "$work/ws" >"$work/files.txt"
  build/bench/wirescope-schemabench "$(command -v protoc)" "$work/ws" "$work/files.txt" --rounds "$rounds"
fi

if wanted gui; then
  section "GUI: the UI thread's longest stall while a 20 MiB response arrives and is shown"
  QT_QPA_PLATFORM=offscreen build/bench/wirescope-uibench --rounds "$rounds" --megabytes 20 --only stall 2>/dev/null
  # Offscreen an empty window is not drawn at all: the first paint is timed on an X server
  # (xvfb, with openbox managing the windows as a desktop would), three times the rounds.
  section "GUI: the window made, shown and painted once, against an empty QMainWindow (xvfb)"
  runtime=$(mktemp -d)
  chmod 700 "$runtime"
  XDG_RUNTIME_DIR=$runtime xvfb-run -a -s "-screen 0 1280x1024x24" \
    sh -c 'openbox >/dev/null 2>&1 & sleep 1; QT_QPA_PLATFORM=xcb "$0" --rounds "$1" --only paint' \
    build/bench/wirescope-uibench "$((rounds * 3))" 2>/dev/null
  rm -rf "$runtime"
fi

if wanted timeline; then
  section "Timeline: a 200 000 msg/s stream of 1 000 000 messages in the GUI, and the wire tap's cost"
  QT_QPA_PLATFORM=offscreen build/bench/wirescope-timelinebench --rounds "$rounds" 2>/dev/null
fi

if wanted web; then
  section "Web protocols: Connect and gRPC-Web against gRPC, one Connect for Node server for all"
  [ -d tests/node/node_modules/@connectrpc/connect-node ] ||
    (cd tests/node && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
  python3 bench/webbench.py build/app/wirescope-cli tests/proto resources/protos tests/node --rounds "$rounds"
fi
