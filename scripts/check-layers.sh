#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks the direction of dependencies (app → ui → models → rpc) in the #include lines:
# - rpc/internal/ and gRPC/protobuf headers are the engine's own: no file in models/, ui/ or app/
#   includes them, and neither does a public rpc/ header (rpc/*.h, rpc/demo/*.h);
# - rpc/ includes nothing of models/, ui/, app/ or Qt; models/ nothing of ui/ or app/ or Qt
#   Widgets; ui/ nothing of app/.
# Tests, benchmarks and fuzz targets may reach inside. Prints each offending line and exits 1;
# CTest runs it (layers_check).
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0
# files..., then a message, then an extended regular expression for the forbidden #include.
forbid() {
  local message=$1 pattern=$2; shift 2
  local hits
  hits=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]($pattern)" "$@" 2>/dev/null || true)
  if [ -n "$hits" ]; then
    printf '%s\n' "$hits" | sed "s|\$|   ($message)|"
    bad=1
  fi
}
mapfile -t models < <(find models -name '*.h' -o -name '*.cpp')
mapfile -t ui < <(find ui -name '*.h' -o -name '*.cpp')
mapfile -t app < <(find app -name '*.h' -o -name '*.cpp')
mapfile -t rpcAll < <(find rpc -name '*.h' -o -name '*.cpp')
mapfile -t rpcPublic < <(find rpc -maxdepth 2 -name '*.h' -not -path 'rpc/internal/*')

engine='rpc/internal/|grpc/|grpcpp/|google/protobuf/'
forbid "the engine's insides stay in rpc/" "$engine" "${models[@]}" "${ui[@]}" "${app[@]}" "${rpcPublic[@]}"
forbid "rpc/ depends on nothing above it, nor on Qt" 'models/|ui/|app/|Q[A-Za-z]+>|Qt[A-Za-z]+/' "${rpcAll[@]}"
forbid "models/ has no widgets and depends on nothing above it" 'ui/|app/|QtWidgets|QWidget>|QApplication>|QDialog>' "${models[@]}"
forbid "ui/ does not depend on the programs" 'app/|rpc/demo/' "${ui[@]}"
exit $bad
