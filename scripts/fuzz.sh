#!/usr/bin/env bash
# Builds the libFuzzer target for the HTTP/2 frame decoder with clang and runs it for a while.
#   scripts/fuzz.sh [SECONDS]     (default 20; CI runs it briefly)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
out=build-fuzz
mkdir -p "$out/corpus"
# Seeds: a client preface with SETTINGS and a HEADERS frame, and a server DATA frame.
printf '\x01\x10PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x11\x01\x05\x00\x00\x00\x01\x82\x86\x84\x41\x0f\x77\x77\x77\x2e\x65\x78\x61\x6d\x70\x6c\x65\x2e\x63\x6f\x6d' \
  >"$out/corpus/client-headers"
printf '\x00\x20\x00\x00\x08\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x03abc' >"$out/corpus/server-data"
clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. \
  rpc/wire.cpp tests/fuzz/wire_fuzz.cpp $(pkg-config --cflags --libs libnghttp2) -o "$out/wire_fuzz"
"$out/wire_fuzz" -max_total_time="$seconds" -print_final_stats=1 "$out/corpus" 2>&1 | tail -12
