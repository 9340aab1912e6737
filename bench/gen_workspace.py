#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes a large generated .proto workspace for the schema-load benchmark.

usage: gen_workspace.py DIR [FILES] [MESSAGES_PER_FILE]
Defaults: 1500 files of 10 messages (15,000 messages), in 30 packages, each file importing up to
three earlier ones (chains under 80 files deep) and some well-known types; every tenth file declares a service. Prints the
file names relative to DIR, one per line.
"""
import os
import sys


def main():
    root = sys.argv[1]
    files = int(sys.argv[2]) if len(sys.argv) > 2 else 1500
    per_file = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    names = []
    for i in range(files):
        pkg = f"pkg{i // 50:02d}"
        name = f"bench/{pkg}/file{i:04d}.proto"
        names.append(name)
        # The file before it and the one seven before in its package, and its place in the
        # package before: import chains stay under 80 files deep (Wirescope refuses more than
        # 500, as protoc would run out of stack long before a real workspace got there).
        deps = sorted({d for d in (i - 1, i - 7) if d >= 0 and d // 50 == i // 50} | ({i - 50} if i >= 50 else set()))
        lines = ['syntax = "proto3";', f"package bench.{pkg};", ""]
        lines += [f'import "{names[d]}";' for d in deps]
        wkt = i % 3 == 0
        if wkt:
            lines += ['import "google/protobuf/timestamp.proto";', 'import "google/protobuf/any.proto";']
        lines += ["", f"enum Kind{i} {{", f"  KIND{i}_UNSPECIFIED = 0;", f"  KIND{i}_A = 1;", f"  KIND{i}_B = 2;", "}", ""]
        for j in range(per_file):
            lines.append(f"message M{i}x{j} {{")
            lines.append("  string name = 1;")
            lines.append("  int64 id = 2;")
            lines.append("  repeated int32 values = 3;")
            lines.append(f"  Kind{i} kind = 4;")
            lines.append("  map<string, int32> counts = 5;")
            lines.append("  oneof choice {")
            lines.append("    string label = 6;")
            lines.append("    double weight = 7;")
            lines.append("  }")
            if deps:
                d = deps[j % len(deps)]
                lines.append(f"  bench.pkg{d // 50:02d}.M{d}x{j % per_file} ref = 8;")
            if j > 0:
                lines.append(f"  M{i}x{j - 1} previous = 9;")
            if wkt:
                lines.append("  google.protobuf.Timestamp at = 10;")
                lines.append("  google.protobuf.Any extra = 11;")
            lines.append("  message Nested {")
            lines.append("    string key = 1;")
            lines.append("    bytes value = 2;")
            lines.append("  }")
            lines.append("  repeated Nested entries = 12;")
            lines.append("}")
            lines.append("")
        if i % 10 == 0:
            lines.append(f"service Service{i} {{")
            lines.append(f"  rpc Get(M{i}x0) returns (M{i}x1);")
            lines.append(f"  rpc Watch(M{i}x1) returns (stream M{i}x2);")
            lines.append(f"  rpc Chat(stream M{i}x2) returns (stream M{i}x3);")
            lines.append("}")
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
    print("\n".join(names))


if __name__ == "__main__":
    main()
