#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer targets with clang and runs each for a while: the HTTP/2 frame decoder,
# and the engine's direct protobuf-wire-to-JSON decoder (checked against protobuf itself).
#   scripts/fuzz.sh [SECONDS]     (per target; default 20; CI runs them briefly)
#   WIRESCOPE_FUZZ_ONLY=codec scripts/fuzz.sh 600    (the codec target alone)
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
[ "${WIRESCOPE_FUZZ_ONLY:-}" = codec ] || "$out/wire_fuzz" -max_total_time="$seconds" -artifact_prefix="$out/" -print_final_stats=1 "$out/corpus" 2>&1 | tail -12

# The codec target needs the test types as compiled protobuf classes.
mkdir -p "$out/gen" "$out/codec-corpus"
protoc -I tests/proto --cpp_out="$out/gen" tests/proto/wirescope/testing/test.proto
# Seeds: a few fields of the plain test type, and the same bytes read as the echo type.
printf '\x00\x08\x05\x72\x02ok\x8a\x01\x05\x0a\x01n\x10\x07' >"$out/codec-corpus/plain"
printf '\x01\x0a\x05hello\x10\x2a\x92\x01\x01a' >"$out/codec-corpus/echo"
clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. -I"$out/gen" \
  rpc/internal/wirecodec.cpp rpc/internal/jsondom.cpp rpc/types.cpp "$out/gen/wirescope/testing/test.pb.cc" \
  tests/fuzz/codec_fuzz.cpp $(pkg-config --cflags --libs protobuf) -o "$out/codec_fuzz"
"$out/codec_fuzz" -max_total_time="$seconds" -artifact_prefix="$out/" -print_final_stats=1 "$out/codec-corpus" 2>&1 | tail -12
