// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/result.h"
#include "rpc/types.h"

#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <grpcpp/channel.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace rpc::internal {

// A DescriptorDatabase answered by a server's reflection service: grpc.reflection.v1 first,
// v1alpha when the server answers UNIMPLEMENTED. Files are fetched lazily, one symbol at a
// time, over one stream, and cached. Files whose dependency lists miss a file they use get
// the missing dependency added after fetching the symbol by name. Thread-safe.
class ReflectionDatabase final : public google::protobuf::DescriptorDatabase
{
public:
    ReflectionDatabase(std::shared_ptr<grpc::Channel> channel, Metadata headers, int timeoutMs);
    ~ReflectionDatabase() override;

    Result<std::vector<std::string>> listServices();
    // The version that answered: "v1" or "v1alpha" (empty before the first answer).
    std::string version() const;
    // The last transport or protocol error, for reporting a failed lookup.
    std::string lastError() const;

    bool FindFileByName(const std::string &filename, google::protobuf::FileDescriptorProto *output) override;
    bool FindFileContainingSymbol(const std::string &symbol,
                                  google::protobuf::FileDescriptorProto *output) override;
    bool FindFileContainingExtension(const std::string &containingType, int fieldNumber,
                                     google::protobuf::FileDescriptorProto *output) override;
    bool FindAllExtensionNumbers(const std::string &extendeeType, std::vector<int> *output) override;

private:
    class Stream;
    enum class Ask { FileByName = 3, Symbol = 4, Extension = 5, ExtensionNumbers = 6, Services = 7 };
    struct Reply;

    Result<Reply> ask(Ask what, const std::string &arg, int extensionNumber = 0);
    Result<Reply> askOnce(Ask what, const std::string &arg, int extensionNumber);
    void store(const std::vector<std::string> &serializedFiles);
    bool fileByNameLocked(const std::string &name, google::protobuf::FileDescriptorProto *out);
    void repairLocked(google::protobuf::FileDescriptorProto *file);
    void collectSymbolsLocked(const std::string &file, std::set<std::string> *symbols,
                              std::set<std::string> *visited);

    std::shared_ptr<grpc::Channel> m_channel;
    Metadata m_headers;
    int m_timeoutMs;

    mutable std::mutex m_mutex;
    std::unique_ptr<Stream> m_stream;
    std::string m_version;
    std::string m_lastError;
    std::map<std::string, google::protobuf::FileDescriptorProto> m_files;
    std::map<std::string, std::string> m_symbolToFile;
    std::set<std::string> m_repaired;
    std::set<std::string> m_missingFiles;
    std::set<std::string> m_missingSymbols;
};

// Every fully qualified symbol a file defines (messages, nested types, enums, services,
// methods, extensions), without a leading dot.
void fileSymbols(const google::protobuf::FileDescriptorProto &file, std::set<std::string> *out);

} // namespace rpc::internal
