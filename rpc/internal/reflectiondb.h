// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"
#include "rpc/schema.h"
#include "rpc/types.h"

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <grpcpp/channel.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rpc::internal {

// A DescriptorDatabase answered by a server's reflection service: grpc.reflection.v1 first,
// v1alpha when the server answers UNIMPLEMENTED. Files are fetched lazily over one stream and
// cached. Before the pool sees a file, the file and everything it imports are linked the way
// protoc would have compiled them (see linkFile): type names made absolute, imports the server
// left out or named differently put right, map entries renamed to protoc's names, proto3
// optional fields marked, and the server's copies of the well-known and google.rpc types
// replaced by the built-in files. What was changed is counted in repairs(). Thread-safe.
class ReflectionDatabase final : public google::protobuf::DescriptorDatabase
{
public:
    // `options` names the target and bounds the wait for the connection (connectTimeoutMs);
    // `timeoutMs` bounds each reflection request once connected.
    ReflectionDatabase(std::shared_ptr<grpc::Channel> channel, const ChannelOptions &options, Metadata headers,
                       int timeoutMs);
    ~ReflectionDatabase() override;

    Result<std::vector<std::string>> listServices();
    // The version that answered: "v1" or "v1alpha" (empty before the first answer).
    std::string version() const;
    // The last transport, protocol or linking error, for reporting a failed lookup.
    std::string lastError() const;
    ReflectionRepairs repairs() const;

    bool FindFileByName(const std::string &filename, google::protobuf::FileDescriptorProto *output) override;
    bool FindFileContainingSymbol(const std::string &symbol,
                                  google::protobuf::FileDescriptorProto *output) override;
    bool FindFileContainingExtension(const std::string &containingType, int fieldNumber,
                                     google::protobuf::FileDescriptorProto *output) override;
    bool FindAllExtensionNumbers(const std::string &extendeeType, std::vector<int> *output) override;

    // Bounds on what a server may send, so that a broken or hostile one ends in an error.
    static constexpr int kMaxFiles = 10000;
    static constexpr std::int64_t kMaxTotalBytes = std::int64_t(256) << 20;
    // The descriptor pool builds imports recursively: a deeper chain could exhaust the stack.
    static constexpr int kMaxImportDepth = 100;

private:
    class Stream;
    enum class Ask { FileByName = 3, Symbol = 4, Extension = 5, ExtensionNumbers = 6, Services = 7 };
    struct Reply;
    enum class SymbolKind { Message, Enum, Other };
    struct SymbolInfo
    {
        std::string file;
        SymbolKind kind = SymbolKind::Other;
    };
    struct LinkState;

    Result<Reply> ask(Ask what, const std::string &arg, int extensionNumber = 0);
    Result<Reply> askOnce(Ask what, const std::string &arg, int extensionNumber);
    Status waitForConnection();
    // Keeps the files of a reply; the names of those it kept (or already had), in order.
    Result<std::vector<std::string>> store(const std::vector<std::string> &serializedFiles);
    // The name under which the server serves `name` (it may answer with another file name),
    // or nothing.
    std::optional<std::string> fetchFile(const std::string &name);
    bool fetchSymbol(const std::string &symbol);
    // A message or enum type by full name: the built-in files first, then the server's.
    std::optional<SymbolInfo> findType(const std::string &fullName) const;
    void note(int ReflectionRepairs::*counter, std::string detail);

    // Links `file` and every file it imports; false with m_lastError set when that fails.
    bool linkClosure(const std::string &file);
    Status linkFile(const std::string &file);
    void resolve(std::string *typeName, const std::string &relativeTo, const std::string &user, LinkState &state,
                 google::protobuf::FieldDescriptorProto *field);
    void resolveMessage(google::protobuf::DescriptorProto *message, const std::string &scope, LinkState &state);
    bool answer(const std::string &servedFile, google::protobuf::FileDescriptorProto *out);

    std::shared_ptr<grpc::Channel> m_channel;
    std::string m_target;
    int m_connectTimeoutMs;
    Metadata m_headers;
    int m_timeoutMs;

    mutable std::mutex m_mutex;
    std::unique_ptr<Stream> m_stream;
    bool m_connected = false;
    std::string m_version;
    std::string m_lastError;
    // As the server sent them, by the name it gave; and the symbols they define.
    std::map<std::string, google::protobuf::FileDescriptorProto> m_served;
    std::map<std::string, SymbolInfo> m_symbols;
    std::int64_t m_servedBytes = 0;
    std::string m_limitError; // set once a limit above was passed
    std::map<std::string, std::string> m_aliases; // a name asked for -> the name served
    std::set<std::string> m_missingFiles;
    std::set<std::string> m_missingSymbols;
    // Linked files, by served name; files whose imports are all linked, with the longest import
    // chain below each; failures to link.
    std::map<std::string, google::protobuf::FileDescriptorProto> m_linked;
    std::map<std::string, int> m_closed;
    std::map<std::string, std::string> m_failed;
    ReflectionRepairs m_repairs;
    int m_unlistedRepairs = 0;
    std::set<std::string> m_wellKnownCopies; // served files that held built-in types
};

} // namespace rpc::internal
