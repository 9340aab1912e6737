// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/internal/reflectiondb.h"
#include "rpc/internal/channels.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <chrono>

namespace rpc::internal {

namespace pb = google::protobuf;
using pb::internal::WireFormatLite;

namespace {

const char *const kMethodV1 = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
const char *const kMethodV1Alpha = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

void addSymbols(const std::string &scope, const pb::DescriptorProto &m, std::set<std::string> *out)
{
    const std::string name = scope.empty() ? m.name() : scope + '.' + m.name();
    out->insert(name);
    for (const auto &n : m.nested_type())
        addSymbols(name, n, out);
    for (const auto &e : m.enum_type())
        out->insert(name + '.' + e.name());
    for (const auto &x : m.extension())
        out->insert(name + '.' + x.name());
}

// Names the file uses from elsewhere: field types, extendees, method types.
void referencedTypes(const pb::DescriptorProto &m, std::set<std::string> *out)
{
    for (const auto &f : m.field())
        if (!f.type_name().empty() && f.type_name()[0] == '.')
            out->insert(f.type_name().substr(1));
    for (const auto &x : m.extension()) {
        if (!x.type_name().empty() && x.type_name()[0] == '.')
            out->insert(x.type_name().substr(1));
        if (!x.extendee().empty() && x.extendee()[0] == '.')
            out->insert(x.extendee().substr(1));
    }
    for (const auto &n : m.nested_type())
        referencedTypes(n, out);
}

} // namespace

void fileSymbols(const pb::FileDescriptorProto &file, std::set<std::string> *out)
{
    const std::string &pkg = file.package();
    auto q = [&](const std::string &n) { return pkg.empty() ? n : pkg + '.' + n; };
    for (const auto &m : file.message_type())
        addSymbols(pkg, m, out);
    for (const auto &e : file.enum_type())
        out->insert(q(e.name()));
    for (const auto &s : file.service()) {
        out->insert(q(s.name()));
        for (const auto &m : s.method())
            out->insert(q(s.name()) + '.' + m.name());
    }
    for (const auto &x : file.extension())
        out->insert(q(x.name()));
}

// One ServerReflectionInfo stream driven synchronously over a private completion queue.
class ReflectionDatabase::Stream
{
public:
    Stream(const std::shared_ptr<grpc::Channel> &channel, const Metadata &headers, const char *method,
           int timeoutMs)
        : m_stub(channel)
        , m_timeoutMs(timeoutMs)
    {
        for (const auto &[k, v] : headers)
            m_context.AddMetadata(k, v);
        m_call = m_stub.PrepareCall(&m_context, method, &m_cq);
        m_call->StartCall(tag());
        m_alive = next();
    }

    ~Stream()
    {
        m_context.TryCancel();
        m_cq.Shutdown();
        void *t = nullptr;
        bool ok = false;
        while (m_cq.Next(&t, &ok)) {
        }
    }

    bool alive() const { return m_alive; }

    // Sends one request and waits for its reply. On failure `error` says why and the
    // status code (UNIMPLEMENTED means: try the other version).
    bool roundTrip(const std::string &request, std::string *reply, int *code, std::string *error)
    {
        if (!m_alive)
            return finish(code, error);
        grpc::Slice slice(request);
        grpc::ByteBuffer out(&slice, 1);
        m_call->Write(out, tag());
        if (!next())
            return finish(code, error);
        grpc::ByteBuffer in;
        m_call->Read(&in, tag());
        if (!next())
            return finish(code, error);
        *reply = bufferBytes(in);
        return true;
    }

private:
    void *tag() { return this; }

    bool next()
    {
        void *t = nullptr;
        bool ok = false;
        const auto deadline = std::chrono::system_clock::now() + std::chrono::milliseconds(m_timeoutMs);
        const auto r = m_cq.AsyncNext(&t, &ok, deadline);
        if (r == grpc::CompletionQueue::TIMEOUT) {
            m_timedOut = true;
            m_context.TryCancel();
            m_cq.Next(&t, &ok); // the cancelled operation still completes
            m_alive = false;
            return false;
        }
        if (r != grpc::CompletionQueue::GOT_EVENT || !ok) {
            m_alive = false;
            return false;
        }
        return true;
    }

    bool finish(int *code, std::string *error)
    {
        m_alive = false;
        if (m_timedOut) {
            *code = grpc::StatusCode::DEADLINE_EXCEEDED;
            *error = "the reflection service did not answer within " + std::to_string(m_timeoutMs) + " ms";
            return false;
        }
        if (!m_finished) {
            m_finished = true;
            m_call->Finish(&m_status, tag());
            void *t = nullptr;
            bool ok = false;
            const auto deadline = std::chrono::system_clock::now() + std::chrono::milliseconds(m_timeoutMs);
            if (m_cq.AsyncNext(&t, &ok, deadline) != grpc::CompletionQueue::GOT_EVENT) {
                m_context.TryCancel();
                m_cq.Next(&t, &ok);
                *code = grpc::StatusCode::DEADLINE_EXCEEDED;
                *error = "the reflection stream did not end";
                return false;
            }
        }
        *code = m_status.error_code();
        *error = m_status.error_message().empty() ? std::string("reflection stream closed")
                                                  : m_status.error_message();
        return false;
    }

    grpc::GenericStub m_stub;
    grpc::ClientContext m_context;
    grpc::CompletionQueue m_cq;
    std::unique_ptr<grpc::GenericClientAsyncReaderWriter> m_call;
    grpc::Status m_status;
    int m_timeoutMs;
    bool m_alive = false;
    bool m_finished = false;
    bool m_timedOut = false;
};

struct ReflectionDatabase::Reply
{
    int kind = 0; // 4 files, 5 extension numbers, 6 services, 7 error
    std::vector<std::string> files;
    std::vector<std::string> services;
    std::vector<int> extensionNumbers;
    int errorCode = 0;
    std::string errorMessage;
};

namespace {

std::string encodeRequest(int field, const std::string &arg, int extensionNumber)
{
    std::string out;
    {
        pb::io::StringOutputStream raw(&out);
        pb::io::CodedOutputStream os(&raw);
        if (field == 5) {
            std::string ext;
            {
                pb::io::StringOutputStream r2(&ext);
                pb::io::CodedOutputStream o2(&r2);
                WireFormatLite::WriteString(1, arg, &o2);
                WireFormatLite::WriteInt32(2, extensionNumber, &o2);
            }
            WireFormatLite::WriteBytes(5, ext, &os);
        } else {
            WireFormatLite::WriteString(field, arg, &os);
        }
    } // the streams flush and trim `out` here
    return out;
}

// Reads the length-delimited fields of a message, calling fn(field, bytes) for each, and
// fn(field, varint-as-string) is never needed except where noted.
template<typename Fn> bool forEachField(const std::string &bytes, Fn fn)
{
    pb::io::CodedInputStream in(reinterpret_cast<const std::uint8_t *>(bytes.data()),
                                static_cast<int>(bytes.size()));
    in.SetTotalBytesLimit(INT32_MAX);
    while (true) {
        const std::uint32_t tag = in.ReadTag();
        if (tag == 0)
            return true;
        const int field = WireFormatLite::GetTagFieldNumber(tag);
        switch (WireFormatLite::GetTagWireType(tag)) {
        case WireFormatLite::WIRETYPE_LENGTH_DELIMITED: {
            std::string s;
            if (!WireFormatLite::ReadBytes(&in, &s))
                return false;
            fn(field, s, 0);
            break;
        }
        case WireFormatLite::WIRETYPE_VARINT: {
            std::uint64_t v = 0;
            if (!in.ReadVarint64(&v))
                return false;
            fn(field, std::string(), static_cast<std::int64_t>(v));
            break;
        }
        default:
            if (!WireFormatLite::SkipField(&in, tag))
                return false;
        }
    }
}

} // namespace

ReflectionDatabase::ReflectionDatabase(std::shared_ptr<grpc::Channel> channel, Metadata headers,
                                       int timeoutMs)
    : m_channel(std::move(channel))
    , m_headers(std::move(headers))
    , m_timeoutMs(timeoutMs)
{}

ReflectionDatabase::~ReflectionDatabase() = default;

std::string ReflectionDatabase::version() const
{
    std::lock_guard lock(m_mutex);
    return m_version;
}

std::string ReflectionDatabase::lastError() const
{
    std::lock_guard lock(m_mutex);
    return m_lastError;
}

Result<ReflectionDatabase::Reply> ReflectionDatabase::askOnce(Ask what, const std::string &arg,
                                                              int extensionNumber)
{
    const std::string request = encodeRequest(static_cast<int>(what), arg, extensionNumber);
    std::string reply;
    int code = 0;
    std::string error;
    bool done = false;
    for (int attempt = 0; attempt < 2 && !done; ++attempt) {
        if (!m_stream || !m_stream->alive()) {
            const bool alpha = m_version == "v1alpha";
            m_stream = std::make_unique<Stream>(m_channel, m_headers, alpha ? kMethodV1Alpha : kMethodV1,
                                                m_timeoutMs);
        }
        if (m_stream->roundTrip(request, &reply, &code, &error)) {
            if (m_version.empty())
                m_version = "v1";
            done = true;
            break;
        }
        m_stream.reset();
        if (code == grpc::StatusCode::UNIMPLEMENTED && m_version.empty()) {
            m_version = "v1alpha"; // the next attempt uses the older service
            continue;
        }
        if (code == grpc::StatusCode::UNIMPLEMENTED) {
            return Error("the server does not offer reflection (grpc.reflection.v1 and v1alpha "
                         "are both unimplemented)");
        }
        if (code == grpc::StatusCode::DEADLINE_EXCEEDED)
            return Error(error);
        // A broken stream (server restart, idle timeout) gets one fresh try.
    }
    if (!done)
        return Error("reflection request failed: " + error);

    Reply r;
    bool parsed = forEachField(reply, [&](int field, const std::string &bytes, std::int64_t) {
        switch (field) {
        case 4:
            r.kind = 4;
            forEachField(bytes, [&](int f, const std::string &b, std::int64_t) {
                if (f == 1)
                    r.files.push_back(b);
            });
            break;
        case 5:
            r.kind = 5;
            forEachField(bytes, [&](int f, const std::string &b, std::int64_t v) {
                if (f != 2)
                    return;
                if (!b.empty()) { // packed
                    pb::io::CodedInputStream in(reinterpret_cast<const std::uint8_t *>(b.data()),
                                                static_cast<int>(b.size()));
                    std::uint32_t n = 0;
                    while (in.ReadVarint32(&n))
                        r.extensionNumbers.push_back(static_cast<int>(n));
                } else {
                    r.extensionNumbers.push_back(static_cast<int>(v));
                }
            });
            break;
        case 6:
            r.kind = 6;
            forEachField(bytes, [&](int f, const std::string &b, std::int64_t) {
                if (f != 1)
                    return;
                forEachField(b, [&](int f2, const std::string &name, std::int64_t) {
                    if (f2 == 1)
                        r.services.push_back(name);
                });
            });
            break;
        case 7:
            r.kind = 7;
            forEachField(bytes, [&](int f, const std::string &b, std::int64_t v) {
                if (f == 1)
                    r.errorCode = static_cast<int>(v);
                else if (f == 2)
                    r.errorMessage = b;
            });
            break;
        default:
            break;
        }
    });
    if (!parsed || r.kind == 0)
        return Error("the server sent a reflection reply that cannot be read");
    return r;
}

Result<ReflectionDatabase::Reply> ReflectionDatabase::ask(Ask what, const std::string &arg,
                                                          int extensionNumber)
{
    auto r = askOnce(what, arg, extensionNumber);
    if (!r)
        m_lastError = r.error().message;
    return r;
}

void ReflectionDatabase::store(const std::vector<std::string> &serializedFiles)
{
    for (const auto &bytes : serializedFiles) {
        pb::FileDescriptorProto file;
        if (!file.ParseFromString(bytes) || file.name().empty())
            continue;
        if (m_files.count(file.name()))
            continue;
        std::set<std::string> symbols;
        fileSymbols(file, &symbols);
        for (const auto &s : symbols)
            m_symbolToFile.emplace(s, file.name());
        m_files.emplace(file.name(), std::move(file));
    }
}

Result<std::vector<std::string>> ReflectionDatabase::listServices()
{
    std::lock_guard lock(m_mutex);
    auto r = ask(Ask::Services, "*");
    if (!r)
        return r.error();
    if (r->kind == 7)
        return Error("reflection: " + r->errorMessage);
    // gRPC C++ servers (1.51 at least) reuse one reply object for the whole reflection stream,
    // so a second list on the same stream repeats every name; keep each once.
    std::vector<std::string> names = r->services;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

void ReflectionDatabase::collectSymbolsLocked(const std::string &file, std::set<std::string> *symbols,
                                              std::set<std::string> *visited)
{
    if (!visited->insert(file).second)
        return;
    pb::FileDescriptorProto proto;
    if (!fileByNameLocked(file, &proto))
        return;
    fileSymbols(proto, symbols);
    for (const auto &dep : proto.dependency())
        collectSymbolsLocked(dep, symbols, visited);
}

// Removes the dependencies `drop` says to, keeping public and weak dependency indices right.
template<typename Pred> void removeDependencies(pb::FileDescriptorProto *file, Pred drop)
{
    std::vector<int> newIndex(static_cast<std::size_t>(file->dependency_size()), -1);
    std::vector<std::string> kept;
    for (int i = 0; i < file->dependency_size(); ++i) {
        if (drop(file->dependency(i)))
            continue;
        newIndex[static_cast<std::size_t>(i)] = static_cast<int>(kept.size());
        kept.push_back(file->dependency(i));
    }
    if (kept.size() == static_cast<std::size_t>(file->dependency_size()))
        return;
    auto remap = [&](google::protobuf::RepeatedField<std::int32_t> *indices) {
        google::protobuf::RepeatedField<std::int32_t> out;
        for (int old : *indices)
            if (old >= 0 && old < static_cast<int>(newIndex.size()) &&
                newIndex[static_cast<std::size_t>(old)] >= 0)
                out.Add(newIndex[static_cast<std::size_t>(old)]);
        indices->Swap(&out);
    };
    remap(file->mutable_public_dependency());
    remap(file->mutable_weak_dependency());
    file->clear_dependency();
    for (auto &d : kept)
        file->add_dependency(std::move(d));
}

// Adds a dependency for every type the file uses that neither it nor its dependencies define,
// as some servers send files with incomplete dependency lists.
void ReflectionDatabase::repairLocked(pb::FileDescriptorProto *file)
{
    std::set<std::string> used;
    for (const auto &m : file->message_type())
        referencedTypes(m, &used);
    for (const auto &x : file->extension()) {
        if (!x.type_name().empty() && x.type_name()[0] == '.')
            used.insert(x.type_name().substr(1));
        if (!x.extendee().empty() && x.extendee()[0] == '.')
            used.insert(x.extendee().substr(1));
    }
    for (const auto &s : file->service())
        for (const auto &m : s.method()) {
            if (!m.input_type().empty() && m.input_type()[0] == '.')
                used.insert(m.input_type().substr(1));
            if (!m.output_type().empty() && m.output_type()[0] == '.')
                used.insert(m.output_type().substr(1));
        }
    if (used.empty())
        return;
    // Imports the server cannot serve by name (it may hold their types under another file
    // name) are set aside; they come back only if their types cannot be found by symbol, so a
    // local copy (the built-in well-known types, say) can still supply them.
    std::vector<std::string> unserved;
    removeDependencies(file, [&](const std::string &dep) {
        pb::FileDescriptorProto ignored;
        if (fileByNameLocked(dep, &ignored))
            return false;
        unserved.push_back(dep);
        return true;
    });
    std::set<std::string> known;
    fileSymbols(*file, &known);
    std::set<std::string> visited{file->name()};
    for (const auto &dep : file->dependency())
        collectSymbolsLocked(dep, &known, &visited);
    bool unresolved = false;
    for (const auto &symbol : used) {
        if (known.count(symbol))
            continue;
        auto it = m_symbolToFile.find(symbol);
        if (it == m_symbolToFile.end() && !m_missingSymbols.count(symbol)) {
            auto r = ask(Ask::Symbol, symbol);
            if (r && r->kind == 4)
                store(r->files);
            it = m_symbolToFile.find(symbol);
            if (it == m_symbolToFile.end())
                m_missingSymbols.insert(symbol);
        }
        if (it != m_symbolToFile.end() && it->second != file->name()) {
            file->add_dependency(it->second);
            collectSymbolsLocked(it->second, &known, &visited);
        } else if (it == m_symbolToFile.end()) {
            unresolved = true;
        }
    }
    if (unresolved)
        for (const auto &dep : unserved)
            file->add_dependency(dep);
}

bool ReflectionDatabase::fileByNameLocked(const std::string &name, pb::FileDescriptorProto *out)
{
    auto it = m_files.find(name);
    if (it == m_files.end()) {
        if (m_missingFiles.count(name))
            return false;
        auto r = ask(Ask::FileByName, name);
        if (r && r->kind == 4)
            store(r->files);
        it = m_files.find(name);
        if (it == m_files.end()) {
            m_missingFiles.insert(name);
            return false;
        }
    }
    if (m_repaired.insert(name).second)
        repairLocked(&it->second);
    *out = it->second;
    return true;
}

bool ReflectionDatabase::FindFileByName(const std::string &filename, pb::FileDescriptorProto *output)
{
    std::lock_guard lock(m_mutex);
    return fileByNameLocked(filename, output);
}

bool ReflectionDatabase::FindFileContainingSymbol(const std::string &symbol, pb::FileDescriptorProto *output)
{
    std::lock_guard lock(m_mutex);
    auto it = m_symbolToFile.find(symbol);
    if (it == m_symbolToFile.end()) {
        if (m_missingSymbols.count(symbol))
            return false;
        auto r = ask(Ask::Symbol, symbol);
        if (r && r->kind == 4)
            store(r->files);
        it = m_symbolToFile.find(symbol);
        if (it == m_symbolToFile.end()) {
            m_missingSymbols.insert(symbol);
            return false;
        }
    }
    const std::string fileName = it->second;
    return fileByNameLocked(fileName, output);
}

bool ReflectionDatabase::FindFileContainingExtension(const std::string &containingType, int fieldNumber,
                                                     pb::FileDescriptorProto *output)
{
    std::lock_guard lock(m_mutex);
    auto r = ask(Ask::Extension, containingType, fieldNumber);
    if (!r || r->kind != 4 || r->files.empty())
        return false;
    store(r->files);
    pb::FileDescriptorProto first;
    if (!first.ParseFromString(r->files.front()))
        return false;
    return fileByNameLocked(first.name(), output);
}

bool ReflectionDatabase::FindAllExtensionNumbers(const std::string &extendeeType, std::vector<int> *output)
{
    std::lock_guard lock(m_mutex);
    auto r = ask(Ask::ExtensionNumbers, extendeeType);
    if (!r || r->kind != 5)
        return false;
    *output = r->extensionNumbers;
    return true;
}

} // namespace rpc::internal
