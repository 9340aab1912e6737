// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"

#include <google/protobuf/compiler/importer.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rpc::internal {

// protoc refuses messages nested 32 levels deep ("Reached maximum recursion limit for nested
// messages"); Wirescope keeps to the same limit.
inline constexpr int kMaxProtoMessageNesting = 31;
// Blocks of any kind ({ … } of messages, enums, services, option values) nested deeper than this
// are refused too; no valid file comes near it.
inline constexpr int kMaxProtoBraceNesting = 200;

// Scans .proto text for nesting deeper than the limits above, without recursion (libprotobuf's
// parser recurses once per nested message and overflows the stack on a file with thousands of
// levels). Comments and strings are skipped. The problem, if any, has the line and column
// (1-based) of the brace that goes too deep.
std::optional<Diagnostic> checkProtoNesting(std::string_view text);

// The files a .proto text imports (plain, public and weak), in order.
std::vector<std::string> protoImports(std::string_view text);

// Deep chains of imports overflow the stack too: the descriptor pool builds each import from
// inside the file that imports it. Files have at most this many levels of imports below them.
inline constexpr int kMaxImportDepth = 500;

// Follows the imports of `files` through `tree` (without recursion) and says so when a chain is
// longer than `limit` files, naming where it starts. Files the tree cannot open end a chain
// (the loader reports them); cycles are left to protobuf, which reports them.
std::optional<Diagnostic> checkImportDepth(google::protobuf::compiler::SourceTree &tree,
                                           const std::vector<std::string> &files, int limit = kMaxImportDepth);

// A source tree that reads each file through `inner` and refuses one nested too deeply before the
// parser sees it. The refusals are kept, with their positions, for the schema's diagnostics.
class GuardedSourceTree final : public google::protobuf::compiler::SourceTree
{
public:
    explicit GuardedSourceTree(google::protobuf::compiler::SourceTree *inner);
    ~GuardedSourceTree() override;

    google::protobuf::io::ZeroCopyInputStream *Open(const std::string &filename) override;
    std::string GetLastErrorMessage() override;

    // The files refused so far (file set, line and column of the offending brace).
    std::vector<Diagnostic> refusals() const;

private:
    google::protobuf::compiler::SourceTree *m_inner;
    std::string m_lastError;
    std::vector<Diagnostic> m_refusals;
};

} // namespace rpc::internal
