#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# The web protocols against gRPC, side by side in one run, against one server: Connect for Node
# (tests/node/connect-server.js) serving the test service over h2c (and HTTP/1.1), which speaks
# gRPC, gRPC-Web and Connect on the same port. Each round runs every case once, in turn, with
# `wirescope-cli bench`; the table gives the median of the rounds and the ratio to gRPC.
#
#   bench/webbench.py CLI PROTO_DIR RESOURCE_PROTO_DIR NODE_DIR [--rounds N]
#
# Cases: unary Echo calls (-n CALLS -c 16) over gRPC, Connect over h2c and Connect over HTTP/1.1;
# one server stream of 20 000 messages over gRPC, gRPC-Web over h2c and gRPC-Web over HTTP/1.1.
import json
import os
import statistics
import subprocess
import sys
import tempfile

CALLS = 10000
STREAM = 20000


def main():
    args = sys.argv[1:]
    rounds = 3
    if "--rounds" in args:
        at = args.index("--rounds")
        rounds = int(args[at + 1])
        del args[at:at + 2]
    cli, proto_dir, resource_dir, node_dir = args
    with tempfile.TemporaryDirectory() as work:
        protoset = os.path.join(work, "test.protoset")
        subprocess.run(["protoc", "-I", proto_dir, "-I", resource_dir, "--include_imports",
                        "--descriptor_set_out=" + protoset, "wirescope/testing/test.proto",
                        "google/rpc/error_details.proto"], check=True)
        server = subprocess.Popen(["node", os.path.join(node_dir, "connect-server.js"), protoset],
                                  stdout=subprocess.PIPE, text=True)
        try:
            ports = {}
            for line in server.stdout:
                line = line.strip()
                if line == "ready":
                    break
                name, address = line.split(" ", 1)
                ports[name] = address
            run(cli, proto_dir, ports, rounds)
        finally:
            server.terminate()
            server.wait()


def bench(cli, proto_dir, flags, address, method, data, calls, concurrency):
    argv = [cli, "bench", "-import-path", proto_dir, "-proto", "wirescope/testing/test.proto",
            "-format", "json", "-n", str(calls), "-c", str(concurrency), "-d", data] + flags + [address, method]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    if result["status"] != {"OK": calls}:
        raise SystemExit(f"{' '.join(flags)}: not every call succeeded: {result['status']}")
    return result


def run(cli, proto_dir, ports, rounds):
    h2c, http1 = ports["h2c"], ports["http1"]
    echo = "wirescope.testing.TestService/Echo"
    stream = "wirescope.testing.TestService/ServerStream"
    unary = [
        ("gRPC (HTTP/2)", ["-plaintext"], h2c),
        ("Connect, HTTP/2 (h2c)", ["-protocol", "connect", "-http-version", "2"], "http://" + h2c),
        ("Connect, HTTP/1.1", ["-protocol", "connect"], "http://" + http1),
    ]
    streams = [
        ("gRPC (HTTP/2)", ["-plaintext"], h2c),
        ("gRPC-Web, HTTP/2 (h2c)", ["-protocol", "grpcweb", "-http-version", "2"], "http://" + h2c),
        ("gRPC-Web, HTTP/1.1", ["-protocol", "grpcweb"], "http://" + http1),
    ]
    calls = {name: [] for name, _, _ in unary}
    messages = {name: [] for name, _, _ in streams}
    # One warm-up round: Node compiles its hot paths in the first thousands of calls.
    for round_ in range(rounds + 1):
        for name, flags, address in unary:
            r = bench(cli, proto_dir, flags, address, echo, '{"text":"hello"}', CALLS, 16)
            if round_:
                calls[name].append(r["calls_per_second"])
        for name, flags, address in streams:
            r = bench(cli, proto_dir, flags, address, stream, '{"count":%d,"text":"item"}' % STREAM, 1, 1)
            if round_:
                messages[name].append(r["messages_received"] / r["seconds"])
    table(f"Unary Echo, {CALLS} calls, 16 at once, median of {rounds} rounds:", "calls/s", unary, calls)
    print()
    table(f"One server stream of {STREAM} messages, median of {rounds} rounds:", "messages/s", streams, messages)


def table(title, unit, cases, results):
    print(title)
    print(f"  {'protocol':<26} {unit:>10} {'vs gRPC':>8}")
    base = statistics.median(results["gRPC (HTTP/2)"])
    for name, _, _ in cases:
        m = statistics.median(results[name])
        print(f"  {name:<26} {m:>10.0f} {m / base:>7.2f}x")

if __name__ == "__main__":
    main()
