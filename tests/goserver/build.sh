#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds wirescope-goserver (main.go beside this script) offline, from Debian's Go packages
# only: golang-go, golang-google-grpc-dev, golang-google-protobuf-dev and
# golang-github-golang-protobuf-1-5-dev (scripts/install-deps.sh installs them). GOPATH mode
# over /usr/share/gocode, no module proxy: nothing is downloaded.
#   tests/goserver/build.sh OUTPUT_DIR [PROTOC]
# Writes OUTPUT_DIR/bin/wirescope-goserver; the Go build tree stays in OUTPUT_DIR. Compiled
# packages go to Go's own cache (`go env GOCACHE`, OUTPUT_DIR/gocache when there is none), so the
# second build folder (build-asan in scripts/setup.sh test) takes seconds instead of compiling
# grpc-go again (about 40 s of CPU).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build.sh OUTPUT_DIR [PROTOC]}
protoc=${2:-protoc}
gocode=/usr/share/gocode
for need in google.golang.org/grpc google.golang.org/protobuf github.com/golang/protobuf/proto; do
  [ -d "$gocode/src/$need" ] || {
    echo "build.sh: $gocode/src/$need is missing: run scripts/install-deps.sh" >&2
    exit 1
  }
done
command -v go >/dev/null || { echo "build.sh: go is missing: run scripts/install-deps.sh" >&2; exit 1; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
cache=$(go env GOCACHE 2>/dev/null || true)
case "$cache" in "" | off) cache="$out/gocache" ;; esac
export GOPATH="$out/gopath:$gocode" GO111MODULE=off GOPROXY=off GOFLAGS= GOCACHE="$cache" CGO_ENABLED=0
src="$out/gopath/src/wirescope-goserver"
mkdir -p "$out/bin" "$src/testpb"

# The protoc plugins, from the sources Debian ships with the libraries.
go build -o "$out/bin/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go
go build -o "$out/bin/protoc-gen-go-grpc" google.golang.org/grpc/cmd/protoc-gen-go-grpc

# Message and service code for the test service. The well-known types map to the packages
# google.golang.org/protobuf already has, as their .proto files say.
map=Mwirescope/testing/test.proto=wirescope-goserver/testpb
"$protoc" -I "$here/../proto" \
  --plugin=protoc-gen-go="$out/bin/protoc-gen-go" --plugin=protoc-gen-go-grpc="$out/bin/protoc-gen-go-grpc" \
  --go_out="$out/gopath/src" --go_opt=$map --go-grpc_out="$out/gopath/src" --go-grpc_opt=$map \
  wirescope/testing/test.proto
cp "$here/main.go" "$src/main.go"

go build -trimpath -o "$out/bin/wirescope-goserver" wirescope-goserver
