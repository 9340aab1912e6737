#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The README's two commands.
#   scripts/setup.sh run    install what is missing, build, open Wirescope on its demo service
#   scripts/setup.sh test   install what is missing, build, run every test; then the same
#                           with AddressSanitizer + UndefinedBehaviorSanitizer; then build,
#                           check, install and try the .deb (scripts/package.sh); then run
#                           each libFuzzer target (scripts/fuzz.sh) for 10 s
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
jobs=$(nproc)

"$PWD/scripts/install-deps.sh"

build() { # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

case "$mode" in
  run)
    build build -DWIRESCOPE_BUILD_TESTS=OFF -DWIRESCOPE_BUILD_BENCH=OFF
    exec build/app/wirescope --demo "${@:2}"
    ;;
  test)
    # Test servers from other gRPC implementations (grpc-js, Connect), at the versions the lock
    # file pins; their install scripts are not run (none of them needs one).
    (cd tests/node && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    # Warnings are errors here (WIRESCOPE_WERROR): what CI builds has none. Debug information
    # is left out where nothing reads it (WIRESCOPE_DEBUG_INFO, CMakeLists.txt): a quarter of
    # the compile time.
    build build -DWIRESCOPE_WERROR=ON -DWIRESCOPE_DEBUG_INFO=none
    (cd build && ctest --output-on-failure -j "$jobs")
    if [ "${WIRESCOPE_SKIP_SANITIZERS:-0}" != 1 ]; then
      build build-asan -DWIRESCOPE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DWIRESCOPE_BUILD_BENCH=OFF -DWIRESCOPE_WERROR=ON \
        -DWIRESCOPE_DEBUG_INFO=lines
      (cd build-asan && ctest --output-on-failure -j "$jobs")
    fi
    if [ "${WIRESCOPE_SKIP_PACKAGE:-0}" != 1 ]; then
      scripts/package.sh build
    fi
    # The libFuzzer targets, briefly (clang).
    scripts/fuzz.sh "${WIRESCOPE_FUZZ_SECONDS:-10}"
    ;;
  *)
    echo "usage: scripts/setup.sh run|test" >&2
    exit 2
    ;;
esac
