// SPDX-License-Identifier: GPL-3.0-or-later
// The reflection client under ReflectionDatabase: one ServerReflectionInfo stream, the files
// and symbols the server sent, and the DescriptorDatabase lookups. Linking what was sent is in
// reflectiondb_link.cpp.
#include "rpc/internal/reflectiondb.h"
#include "rpc/internal/reflectiondb_p.h"
#include "rpc/internal/channels.h"
#include "rpc/internal/schemaimpl.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <algorithm>
#include <chrono>
#include <functional>

namespace rpc::internal {

namespace pb = google::protobuf;
using pb::internal::WireFormatLite;

namespace {

const char *const kMethodV1 = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
const char *const kMethodV1Alpha = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
// Repairs listed one by one; beyond this they are only counted.
constexpr std::size_t kMaxRepairDetails = 500;

// Calls fn(fullName, isEnum) for every message and enum type a file defines, nested ones too;
// other(fullName) for services, methods, extensions and enum values. Nesting is bounded by
// the parser's recursion limit.
template<typename TypeFn, typename OtherFn>
void forEachMessageSymbol(const std::string &scope, const pb::DescriptorProto &m, TypeFn &type, OtherFn &other)
{
    const std::string name = qualified(scope, m.name());
    type(name, false);
    for (const auto &n : m.nested_type())
        forEachMessageSymbol(name, n, type, other);
    for (const auto &e : m.enum_type()) {
        type(qualified(name, e.name()), true);
        for (const auto &v : e.value())
            other(qualified(name, v.name()));
    }
    for (const auto &x : m.extension())
        other(qualified(name, x.name()));
}

template<typename TypeFn, typename OtherFn>
void forEachSymbol(const pb::FileDescriptorProto &file, TypeFn type, OtherFn other)
{
    const std::string &pkg = file.package();
    for (const auto &m : file.message_type())
        forEachMessageSymbol(pkg, m, type, other);
    for (const auto &e : file.enum_type()) {
        type(qualified(pkg, e.name()), true);
        for (const auto &v : e.value())
            other(qualified(pkg, v.name()));
    }
    for (const auto &s : file.service()) {
        other(qualified(pkg, s.name()));
        for (const auto &m : s.method())
            other(qualified(pkg, s.name()) + '.' + m.name());
    }
    for (const auto &x : file.extension())
        other(qualified(pkg, x.name()));
}

} // namespace

const Builtins &builtins()
{
    static const Builtins b = [] {
        Builtins out;
        for (const auto &name : builtinFileNames()) {
            pb::FileDescriptorProto file;
            if (!builtinDatabase().FindFileByName(name, &file))
                continue;
            out.files.insert(name);
            forEachSymbol(
                file, [&](const std::string &n, bool isEnum) { out.types.emplace(n, std::make_pair(name, isEnum)); },
                [](const std::string &) {});
        }
        return out;
    }();
    return b;
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

ReflectionDatabase::ReflectionDatabase(std::shared_ptr<grpc::Channel> channel, const ChannelOptions &options,
                                       Metadata headers, int timeoutMs)
    : m_channel(std::move(channel))
    , m_target(options.target)
    , m_connectTimeoutMs(options.connectTimeoutMs)
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

ReflectionRepairs ReflectionDatabase::repairs() const
{
    std::lock_guard lock(m_mutex);
    ReflectionRepairs r = m_repairs;
    if (m_unlistedRepairs > 0)
        r.details.push_back("(" + std::to_string(m_unlistedRepairs) + " more not listed)");
    return r;
}

void ReflectionDatabase::note(int ReflectionRepairs::*counter, std::string detail)
{
    if (counter)
        ++(m_repairs.*counter);
    if (m_repairs.details.size() < kMaxRepairDetails)
        m_repairs.details.push_back(std::move(detail));
    else
        ++m_unlistedRepairs;
}

// A silent server (one that accepts the connection and never speaks HTTP/2) keeps the channel
// connecting for gRPC's own 20 s handshake limit; the user's connect timeout ends that sooner.
// A refused connection is left to the first request, which fails at once with gRPC's reason.
Status ReflectionDatabase::waitForConnection()
{
    if (m_connected || m_connectTimeoutMs <= 0)
        return Ok{};
    const auto deadline = std::chrono::system_clock::now() + std::chrono::milliseconds(m_connectTimeoutMs);
    auto state = m_channel->GetState(true);
    while (state != GRPC_CHANNEL_READY && state != GRPC_CHANNEL_TRANSIENT_FAILURE &&
           state != GRPC_CHANNEL_SHUTDOWN) {
        if (!m_channel->WaitForStateChange(state, deadline))
            return Error("could not connect to " + m_target + " within " + std::to_string(m_connectTimeoutMs) +
                         " ms");
        state = m_channel->GetState(true);
    }
    m_connected = state == GRPC_CHANNEL_READY;
    return Ok{};
}

Result<ReflectionDatabase::Reply> ReflectionDatabase::askOnce(Ask what, const std::string &arg,
                                                              int extensionNumber)
{
    if (auto connected = waitForConnection(); !connected)
        return connected.error();
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
        if (code == grpc::StatusCode::DEADLINE_EXCEEDED || code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
            code == grpc::StatusCode::UNAUTHENTICATED || code == grpc::StatusCode::PERMISSION_DENIED)
            return Error(error);
        // A broken stream (server restart, idle timeout) gets one fresh try.
    }
    if (!done)
        return Error("reflection request failed: " + error);

    Reply r;
    bool parsed = true;
    parsed = forEachField(reply, [&](int field, const std::string &bytes, std::int64_t) {
        switch (field) {
        case 4:
            r.kind = 4;
            parsed = forEachField(bytes, [&](int f, const std::string &b, std::int64_t) {
                if (f == 1)
                    r.files.push_back(b);
            }) && parsed;
            break;
        case 5:
            r.kind = 5;
            parsed = forEachField(bytes, [&](int f, const std::string &b, std::int64_t v) {
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
            }) && parsed;
            break;
        case 6:
            r.kind = 6;
            parsed = forEachField(bytes, [&](int f, const std::string &b, std::int64_t) {
                if (f != 1)
                    return;
                parsed = forEachField(b, [&](int f2, const std::string &name, std::int64_t) {
                    if (f2 == 1)
                        r.services.push_back(name);
                }) && parsed;
            }) && parsed;
            break;
        case 7:
            r.kind = 7;
            parsed = forEachField(bytes, [&](int f, const std::string &b, std::int64_t v) {
                if (f == 1)
                    r.errorCode = static_cast<int>(v);
                else if (f == 2)
                    r.errorMessage = b;
            }) && parsed;
            break;
        default:
            break;
        }
    }) && parsed;
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

Result<std::vector<std::string>> ReflectionDatabase::store(const std::vector<std::string> &serializedFiles)
{
    std::vector<std::string> names;
    for (const auto &bytes : serializedFiles) {
        m_servedBytes += static_cast<std::int64_t>(bytes.size());
        if (m_servedBytes > kMaxTotalBytes) {
            m_limitError = "the reflection server sent more than " + std::to_string(kMaxTotalBytes >> 20) +
                           " MiB of descriptors";
            return Error(m_limitError);
        }
        pb::FileDescriptorProto file;
        if (!file.ParseFromString(bytes))
            return Error("the reflection server sent a file descriptor that cannot be read (" +
                         std::to_string(bytes.size()) + " bytes)");
        if (file.name().empty())
            return Error("the reflection server sent a file descriptor without a file name");
        names.push_back(file.name());
        if (m_served.count(file.name()))
            continue; // the first copy stays: files already linked rely on it
        if (static_cast<int>(m_served.size()) >= kMaxFiles) {
            m_limitError = "the reflection server sent more than " + std::to_string(kMaxFiles) + " files";
            return Error(m_limitError);
        }
        const std::string name = file.name();
        forEachSymbol(
            file,
            [&](const std::string &s, bool isEnum) {
                m_symbols.emplace(s, SymbolInfo{name, isEnum ? SymbolKind::Enum : SymbolKind::Message});
            },
            [&](const std::string &s) { m_symbols.emplace(s, SymbolInfo{name, SymbolKind::Other}); });
        m_served.emplace(name, std::move(file));
    }
    return names;
}

std::optional<std::string> ReflectionDatabase::fetchFile(const std::string &name)
{
    if (m_served.count(name))
        return name;
    if (auto it = m_aliases.find(name); it != m_aliases.end())
        return it->second;
    if (m_missingFiles.count(name))
        return std::nullopt;
    auto r = ask(Ask::FileByName, name);
    if (r && r->kind == 4) {
        auto stored = store(r->files);
        if (!stored)
            m_lastError = stored.error().message;
        else if (m_served.count(name))
            return name;
        else if (!stored->empty() && m_served.count(stored->front())) {
            // Asked for "greet.proto", the server answered with "Protos/greet.proto".
            m_aliases.emplace(name, stored->front());
            return stored->front();
        }
    }
    m_missingFiles.insert(name);
    return std::nullopt;
}

bool ReflectionDatabase::fetchSymbol(const std::string &symbol)
{
    if (m_symbols.count(symbol))
        return true;
    if (m_missingSymbols.count(symbol))
        return false;
    auto r = ask(Ask::Symbol, symbol);
    if (r && r->kind == 4) {
        auto stored = store(r->files);
        if (!stored)
            m_lastError = stored.error().message;
    }
    if (m_symbols.count(symbol))
        return true;
    m_missingSymbols.insert(symbol);
    return false;
}

std::optional<ReflectionDatabase::SymbolInfo> ReflectionDatabase::findType(const std::string &fullName) const
{
    const auto &b = builtins();
    if (auto it = b.types.find(fullName); it != b.types.end())
        return SymbolInfo{it->second.first, it->second.second ? SymbolKind::Enum : SymbolKind::Message};
    if (auto it = m_symbols.find(fullName); it != m_symbols.end() && it->second.kind != SymbolKind::Other)
        return it->second;
    return std::nullopt;
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

bool ReflectionDatabase::answer(const std::string &servedFile, pb::FileDescriptorProto *out)
{
    if (!linkClosure(servedFile))
        return false;
    *out = m_linked.at(servedFile);
    return true;
}

bool ReflectionDatabase::FindFileByName(const std::string &filename, pb::FileDescriptorProto *output)
{
    // The built-in copy, never the server's: one definition of each well-known type.
    if (builtins().files.count(filename))
        return builtinDatabase().FindFileByName(filename, output);
    std::lock_guard lock(m_mutex);
    const auto served = fetchFile(filename);
    return served && answer(*served, output);
}

bool ReflectionDatabase::FindFileContainingSymbol(const std::string &symbol, pb::FileDescriptorProto *output)
{
    // A built-in type, or a field or nested type of one.
    for (std::string s = symbol;;) {
        if (auto it = builtins().types.find(s); it != builtins().types.end())
            return builtinDatabase().FindFileByName(it->second.first, output);
        const auto dot = s.rfind('.');
        if (dot == std::string::npos)
            break;
        s.erase(dot);
    }
    std::lock_guard lock(m_mutex);
    if (!fetchSymbol(symbol))
        return false;
    return answer(m_symbols.at(symbol).file, output);
}

bool ReflectionDatabase::FindFileContainingExtension(const std::string &containingType, int fieldNumber,
                                                     pb::FileDescriptorProto *output)
{
    std::lock_guard lock(m_mutex);
    auto r = ask(Ask::Extension, containingType, fieldNumber);
    if (!r || r->kind != 4 || r->files.empty())
        return false;
    auto stored = store(r->files);
    if (!stored) {
        m_lastError = stored.error().message;
        return false;
    }
    return !stored->empty() && !builtins().files.count(stored->front()) && answer(stored->front(), output);
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
