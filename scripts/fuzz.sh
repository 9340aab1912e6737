#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer targets (tests/fuzz) and runs each for a while. They are built through
# CMake with WIRESCOPE_FUZZ (clang; the engine and models libraries instrumented too) in
# build-fuzz/, because the newer targets link rpc, models, Qt and gRPC as the programs do:
#   wire       the HTTP/2 frame decoder and the HTTP/1.1 decoder (the wire tap's)
#   codec      the direct wire-to-JSON decoder, against protobuf's own parser
#   header     header and authority checks against gRPC core's validators; -H and -bin parsing
#   proto      .proto text through the schema loader, with a 1 MiB stack
#   workspace  workspace and request files, opened, saved and used as `run` uses them
#   grpcurl    pasted grpcurl commands (and their export back), wirescope-cli's flags
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]   each target for SECONDS (default 20); CI runs the
#                                           targets so for 10 s each (scripts/setup.sh test)
#   scripts/fuzz.sh long [TARGET...]        each target to 1 000 000 runs, one after another
#                                           (WIRESCOPE_FUZZ_RUNS sets another number of runs)
#   e.g. scripts/fuzz.sh long proto grpcurl; WIRESCOPE_FUZZ_ONLY="proto grpcurl" picks targets too.
# Seeds are in tests/fuzz/seeds/<target>, dictionaries in tests/fuzz/dict; the corpus grows in
# build-fuzz/corpus/<target>. A crash, hang (10 s), leak, undefined behaviour or an allocation
# over 512 MiB leaves its input as build-fuzz/<target>-crash-… (or -timeout-, -leak-, -oom-),
# and the script exits 1 after running the other targets. Each target's output is in
# build-fuzz/<target>.log; the final stats are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
all="wire codec header proto workspace grpcurl"
seconds=20
runs=${WIRESCOPE_FUZZ_RUNS:-}
case "${1:-}" in
  long) runs=${runs:-1000000}; shift ;;
  ''|*[!0-9]*) ;;
  *) seconds=$1; shift ;;
esac
targets=${*:-${WIRESCOPE_FUZZ_ONLY:-$all}}
for t in $targets; do
  case " $all " in
    *" $t "*) ;;
    *) echo "fuzz: no target \"$t\" (the targets: $all)" >&2; exit 2 ;;
  esac
done
out=build-fuzz

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B "$out" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DWIRESCOPE_FUZZ=ON -DWIRESCOPE_DEBUG_INFO=lines -DWIRESCOPE_BUILD_TESTS=OFF -DWIRESCOPE_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
build_targets=()
for t in $targets; do build_targets+=("${t}_fuzz"); done
cmake --build "$out" -j "$(nproc)" --target "${build_targets[@]}"

# The targets write their files (protos, workspaces) under TMPDIR: memory, where there is some.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
failed=()
for t in $targets; do
  mkdir -p "$out/corpus/$t"
  args=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 -artifact_prefix="$out/$t-")
  if [ -n "$runs" ]; then args+=(-runs="$runs"); else args+=(-max_total_time="$seconds"); fi
  [ -f "tests/fuzz/dict/$t.dict" ] && args+=(-dict="tests/fuzz/dict/$t.dict")
  dirs=("$out/corpus/$t")
  [ -d "tests/fuzz/seeds/$t" ] && dirs+=("tests/fuzz/seeds/$t")
  echo "== $t"
  status=0
  # libprotobuf's parser recurses: a small stack shows an overflow the guards let through.
  (if [ "$t" = proto ]; then ulimit -s 1024; fi
   exec "$out/tests/fuzz/${t}_fuzz" "${args[@]}" "${dirs[@]}") >"$out/$t.log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    grep -v '^#' "$out/$t.log" | tail -60
    failed+=("$t")
  else
    grep -E '^(Done|stat::)' "$out/$t.log"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]} (inputs in $out/)" >&2
  exit 1
fi
