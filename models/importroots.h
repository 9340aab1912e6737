// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

namespace models {

// The `import "a/b.proto";` lines of a .proto file's text, in order (public and weak imports
// included). Read line by line, not parsed: a guess needs no more, and nothing recurses.
QStringList protoImports(const QByteArray &text);

// Import roots (protoc -I) for .proto files opened one by one: for each file, the nearest folder
// among its own and its ancestors from which its imports resolve on disk (google/protobuf/*
// is built in). When no ancestor resolves all of them, the one that resolves most, nearest
// first; with no imports, the file's own folder. Reads the files: call it off the UI thread.
QStringList guessImportRoots(const QStringList &files);

} // namespace models
