// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "rpc/internal/fastjson.h"
#include "rpc/internal/protoguard.h"
#include "rpc/internal/reflectiondb.h"
#include "rpc/internal/wirecodec.h"
#include "rpc/schema.h"

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/type_resolver.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rpc {

// Collects pool build errors (for lazily built files too) as diagnostics.
class PoolErrorCollector final : public google::protobuf::DescriptorPool::ErrorCollector
{
public:
    void AddError(const std::string &filename, const std::string &element,
                  const google::protobuf::Message *descriptor, ErrorLocation location,
                  const std::string &message) override;
    std::vector<Diagnostic> take();

private:
    std::mutex m_mutex;
    std::vector<Diagnostic> m_errors;
};

struct Schema::Impl
{
    // Declaration order is destruction order reversed: databases outlive the pool that reads
    // them, the pool outlives the factory and resolver made from it.
    std::unique_ptr<google::protobuf::compiler::DiskSourceTree> diskTree;
    std::unique_ptr<internal::GuardedSourceTree> guardedTree; // diskTree, with the nesting check
    std::unique_ptr<google::protobuf::compiler::MultiFileErrorCollector> sourceErrors;
    std::unique_ptr<google::protobuf::compiler::SourceTreeDescriptorDatabase> sourceDb;
    std::unique_ptr<google::protobuf::SimpleDescriptorDatabase> protosetDb;
    std::unique_ptr<internal::ReflectionDatabase> reflectionDb;
    std::unique_ptr<google::protobuf::MergedDescriptorDatabase> merged;
    PoolErrorCollector lazyErrors;
    std::unique_ptr<google::protobuf::DescriptorPool> pool;
    std::unique_ptr<google::protobuf::DynamicMessageFactory> factory;
    std::unique_ptr<google::protobuf::util::TypeResolver> resolver;

    mutable internal::PlainTypes plainTypes; // which types the fast JSON path handles
    mutable internal::WirePlans wirePlans;   // JSON straight to wire bytes and back
    std::vector<std::string> localServices;  // from files and protosets, sorted
    std::vector<Schema::SourceStamp> sources;

    const google::protobuf::Descriptor *message(std::string_view name) const;
    // Brings a message or enum type into the pool if some database has it; true if it is there.
    bool loadType(const std::string &name) const;
    const google::protobuf::ServiceDescriptor *serviceDescriptor(std::string_view name) const;
    const google::protobuf::MethodDescriptor *method(std::string_view name) const;
    // A prototype from this generation's factory (thread-safe).
    const google::protobuf::Message *prototype(const google::protobuf::Descriptor *d) const;
    std::string typeUrl(const google::protobuf::Descriptor *d) const;
};

// Schema::check for a type whose wire plan the caller holds already (a load run checks every
// reply of its calls against one type).
Status checkMessage(const Schema::Impl &impl, const internal::WireMessage &plan, std::string_view bytes);

// The parsed well-known types and google/rpc files, shared by every generation (read-only).
google::protobuf::SimpleDescriptorDatabase &builtinDatabase();
std::vector<std::string> builtinFileNames();

MethodInfo methodInfo(const google::protobuf::MethodDescriptor *m);

} // namespace rpc
