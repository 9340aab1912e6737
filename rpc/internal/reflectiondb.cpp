// SPDX-License-Identifier: GPL-3.0-or-later
#include "rpc/internal/reflectiondb.h"
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
#include <deque>
#include <functional>

namespace rpc::internal {

namespace pb = google::protobuf;
using pb::internal::WireFormatLite;

namespace {

const char *const kMethodV1 = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
const char *const kMethodV1Alpha = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
// Repairs listed one by one; beyond this they are only counted.
constexpr std::size_t kMaxRepairDetails = 500;

std::string qualified(const std::string &scope, const std::string &name)
{
    return scope.empty() ? name : scope + '.' + name;
}

std::string baseName(const std::string &path)
{
    const auto slash = path.find_last_of("/\\");
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// protoc's name for the entry message of a map field: "stock_level" -> "StockLevelEntry".
std::string mapEntryName(const std::string &fieldName)
{
    std::string out;
    bool upper = true;
    for (char c : fieldName) {
        if (c == '_') {
            upper = true;
        } else if (upper) {
            out += (c >= 'a' && c <= 'z') ? char(c - 'a' + 'A') : c;
            upper = false;
        } else {
            out += c;
        }
    }
    return out + "Entry";
}

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

// The built-in well-known and google.rpc files: their message and enum types by full name.
struct Builtins
{
    std::map<std::string, std::pair<std::string, bool>> types; // name -> (file, isEnum)
    std::set<std::string> files;
};

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

} // namespace

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

// ---------------------------------------------------------------------------------------------
// Linking: from what the server sent to what protoc would have compiled.

struct ReflectionDatabase::LinkState
{
    std::string file;
    bool proto3 = false;
    // Files the references resolved to, in first-use order, with the first symbol that needed each.
    std::vector<std::pair<std::string, std::string>> needed;
    std::vector<std::string> unresolved; // "type \"x\" used by y"
};

// Resolves a type reference as protobuf does (a name relative to the scopes around `relativeTo`,
// innermost first; or absolute with a leading dot), asking the server for names it has not sent,
// and writes it back absolute. Sets a field's type when the server left it out.
void ReflectionDatabase::resolve(std::string *typeName, const std::string &relativeTo, const std::string &user,
                                 LinkState &state, pb::FieldDescriptorProto *field)
{
    if (typeName->empty())
        return;
    std::vector<std::string> candidates;
    if ((*typeName)[0] == '.') {
        candidates.push_back(typeName->substr(1));
    } else {
        std::string scope = relativeTo;
        for (auto dot = scope.rfind('.'); dot != std::string::npos; dot = scope.rfind('.')) {
            scope.erase(dot);
            candidates.push_back(scope + '.' + *typeName);
        }
        candidates.push_back(*typeName);
    }
    std::optional<SymbolInfo> found;
    std::string fullName;
    for (const auto &c : candidates) {
        if ((found = findType(c))) {
            fullName = c;
            break;
        }
    }
    for (std::size_t i = 0; !found && i < candidates.size(); ++i) {
        if (fetchSymbol(candidates[i]) && (found = findType(candidates[i])))
            fullName = candidates[i];
    }
    if (!found) {
        state.unresolved.push_back("type \"" + *typeName + "\" used by " + user);
        return;
    }
    *typeName = '.' + fullName;
    if (field && !field->has_type())
        field->set_type(found->kind == SymbolKind::Enum ? pb::FieldDescriptorProto::TYPE_ENUM
                                                        : pb::FieldDescriptorProto::TYPE_MESSAGE);
    // A type the built-in files define that the server sent in a file of its own.
    if (builtins().files.count(found->file)) {
        if (auto it = m_symbols.find(fullName); it != m_symbols.end() && it->second.file != found->file &&
                                                m_wellKnownCopies.insert(it->second.file).second)
            note(&ReflectionRepairs::wellKnownFiles, "\"" + it->second.file + "\": its well-known types (" +
                                                         fullName + ", ...) come from the built-in files");
    }
    if (found->file != state.file &&
        std::none_of(state.needed.begin(), state.needed.end(), [&](const auto &n) { return n.first == found->file; }))
        state.needed.emplace_back(found->file, fullName);
}

void ReflectionDatabase::resolveMessage(pb::DescriptorProto *message, const std::string &scope, LinkState &state)
{
    const std::string name = qualified(scope, message->name());
    for (auto &f : *message->mutable_field()) {
        const std::string user = "field " + name + '.' + f.name() + " in \"" + state.file + "\"";
        if (f.has_type_name())
            resolve(f.mutable_type_name(), name + '.' + f.name(), user, state, &f);
    }
    for (auto &x : *message->mutable_extension()) {
        const std::string user = "extension " + name + '.' + x.name() + " in \"" + state.file + "\"";
        if (x.has_type_name())
            resolve(x.mutable_type_name(), name + '.' + x.name(), user, state, &x);
        if (x.has_extendee())
            resolve(x.mutable_extendee(), name + '.' + x.name(), user, state, nullptr);
    }
    for (auto &n : *message->mutable_nested_type())
        resolveMessage(&n, name, state);

    // Map entries named otherwise than protoc names them ("Stock" for the field "stock"): the
    // pool rejects those, and JSON, forms and describe would not see a map.
    for (auto &f : *message->mutable_field()) {
        if (f.label() != pb::FieldDescriptorProto::LABEL_REPEATED || f.type_name().size() <= name.size() + 2 ||
            f.type_name().compare(1, name.size() + 1, name + '.') != 0)
            continue;
        const std::string entry = f.type_name().substr(name.size() + 2);
        const std::string wanted = mapEntryName(f.name());
        if (entry == wanted)
            continue;
        auto &nested = *message->mutable_nested_type();
        auto it = std::find_if(nested.begin(), nested.end(), [&](const auto &n) { return n.name() == entry; });
        if (it == nested.end() || !it->options().map_entry() ||
            std::any_of(nested.begin(), nested.end(), [&](const auto &n) { return n.name() == wanted; }))
            continue;
        it->set_name(wanted);
        f.set_type_name('.' + name + '.' + wanted);
        m_symbols.emplace(name + '.' + wanted, SymbolInfo{state.file, SymbolKind::Message});
        note(&ReflectionRepairs::mapEntries,
             "\"" + state.file + "\": map entry " + name + '.' + entry + " renamed to " + wanted);
    }

    // proto3 `optional` sent as a plain oneof of one field named "_field", without the marker:
    // the field would show as a oneof member instead of an optional field.
    if (!state.proto3)
        return;
    auto &oneofs = *message->mutable_oneof_decl();
    std::vector<int> members(static_cast<std::size_t>(oneofs.size()), 0);
    for (const auto &f : message->field())
        if (f.has_oneof_index() && f.oneof_index() >= 0 && f.oneof_index() < oneofs.size())
            ++members[static_cast<std::size_t>(f.oneof_index())];
    bool marked = false;
    for (auto &f : *message->mutable_field()) {
        if (!f.has_oneof_index() || f.oneof_index() < 0 || f.oneof_index() >= oneofs.size() || f.proto3_optional() ||
            f.label() != pb::FieldDescriptorProto::LABEL_OPTIONAL)
            continue;
        const auto index = static_cast<std::size_t>(f.oneof_index());
        if (members[index] != 1 || oneofs[f.oneof_index()].name() != '_' + f.name())
            continue;
        f.set_proto3_optional(true);
        marked = true;
        note(&ReflectionRepairs::optionalFields,
             "\"" + state.file + "\": " + name + '.' + f.name() + " marked as a proto3 optional field");
    }
    if (!marked)
        return;
    // The pool wants the synthetic oneofs after the real ones.
    std::vector<bool> synthetic(static_cast<std::size_t>(oneofs.size()), false);
    for (const auto &f : message->field())
        if (f.proto3_optional() && f.has_oneof_index() && f.oneof_index() >= 0 && f.oneof_index() < oneofs.size())
            synthetic[static_cast<std::size_t>(f.oneof_index())] = true;
    std::vector<int> order;
    for (int pass = 0; pass < 2; ++pass)
        for (int i = 0; i < oneofs.size(); ++i)
            if (synthetic[static_cast<std::size_t>(i)] == (pass == 1))
                order.push_back(i);
    std::vector<int> newIndex(order.size());
    pb::RepeatedPtrField<pb::OneofDescriptorProto> reordered;
    for (std::size_t i = 0; i < order.size(); ++i) {
        newIndex[static_cast<std::size_t>(order[i])] = static_cast<int>(i);
        *reordered.Add() = oneofs[order[i]];
    }
    oneofs.Swap(&reordered);
    for (auto &f : *message->mutable_field())
        if (f.has_oneof_index() && f.oneof_index() >= 0 && f.oneof_index() < static_cast<int>(newIndex.size()))
            f.set_oneof_index(newIndex[static_cast<std::size_t>(f.oneof_index())]);
}

Status ReflectionDatabase::linkFile(const std::string &fileName)
{
    if (auto it = m_failed.find(fileName); it != m_failed.end())
        return Error(it->second);
    if (m_linked.count(fileName))
        return Ok{};
    pb::FileDescriptorProto file = m_served.at(fileName);
    LinkState state;
    state.file = fileName;
    state.proto3 = file.syntax() == "proto3";
    const auto &builtin = builtins();

    // The server's own copies of built-in types go: one definition of each type in the pool.
    auto dropBuiltin = [&](auto *types) {
        const auto before = types->size();
        types->erase(std::remove_if(types->begin(), types->end(),
                                    [&](const auto &t) {
                                        return builtin.types.count(qualified(file.package(), t.name())) > 0;
                                    }),
                     types->end());
        return before != types->size();
    };
    const bool droppedMessages = dropBuiltin(file.mutable_message_type());
    const bool droppedEnums = dropBuiltin(file.mutable_enum_type());
    if ((droppedMessages || droppedEnums) && m_wellKnownCopies.insert(fileName).second)
        note(&ReflectionRepairs::wellKnownFiles,
             "\"" + fileName + "\": its well-known types come from the built-in files");

    // Imports as the server named them: kept where it serves them (perhaps under another name),
    // set aside where it does not. Fetching them first lets their types resolve as imported.
    std::vector<std::string> deps;
    std::vector<int> oldToNew(static_cast<std::size_t>(file.dependency_size()), -1);
    std::vector<std::string> unserved;
    for (int i = 0; i < file.dependency_size(); ++i) {
        const std::string &dep = file.dependency(i);
        std::string target;
        if (builtin.files.count(dep)) {
            target = dep;
        } else if (auto served = fetchFile(dep)) {
            target = *served;
            if (target != dep)
                note(&ReflectionRepairs::renamedImports,
                     "\"" + fileName + "\": import \"" + dep + "\" is served as \"" + target + "\"");
        } else {
            unserved.push_back(dep);
            continue;
        }
        if (target == fileName || std::find(deps.begin(), deps.end(), target) != deps.end())
            continue;
        oldToNew[static_cast<std::size_t>(i)] = static_cast<int>(deps.size());
        deps.push_back(target);
    }

    const std::string &pkg = file.package();
    for (auto &m : *file.mutable_message_type())
        resolveMessage(&m, pkg, state);
    for (auto &x : *file.mutable_extension()) {
        const std::string user = "extension " + qualified(pkg, x.name()) + " in \"" + fileName + "\"";
        if (x.has_type_name())
            resolve(x.mutable_type_name(), qualified(pkg, x.name()), user, state, &x);
        if (x.has_extendee())
            resolve(x.mutable_extendee(), qualified(pkg, x.name()), user, state, nullptr);
    }
    for (auto &s : *file.mutable_service()) {
        for (auto &m : *s.mutable_method()) {
            const std::string method = qualified(pkg, s.name()) + '.' + m.name();
            const std::string user = "method " + method + " in \"" + fileName + "\"";
            resolve(m.mutable_input_type(), method, user, state, nullptr);
            resolve(m.mutable_output_type(), method, user, state, nullptr);
        }
    }
    if (!state.unresolved.empty()) {
        // Past a limit, types are missing because nothing more is kept: say that instead.
        std::string message = m_limitError.empty()
                                  ? state.unresolved.front() + " cannot be found: the server does not know it"
                                  : m_limitError + ", so " + state.unresolved.front() + " cannot be loaded";
        if (state.unresolved.size() > 1)
            message += " (and " + std::to_string(state.unresolved.size() - 1) + " more unknown types)";
        m_failed.emplace(fileName, message);
        return Error(message);
    }

    // Imports the types need that the file does not list: the server left them out, or named
    // them in a way nothing serves (then, where the base names agree, it is the same file).
    for (const auto &[dep, symbol] : state.needed) {
        if (std::find(deps.begin(), deps.end(), dep) != deps.end())
            continue;
        // Named, not captured: clang before 16 cannot capture a structured binding.
        const std::string wanted = baseName(dep);
        auto same = std::find_if(unserved.begin(), unserved.end(),
                                 [&](const std::string &u) { return baseName(u) == wanted; });
        if (same != unserved.end()) {
            note(&ReflectionRepairs::renamedImports,
                 "\"" + fileName + "\": import \"" + *same + "\" is served as \"" + dep + "\"");
            unserved.erase(same);
        } else {
            note(&ReflectionRepairs::missingImports,
                 "\"" + fileName + "\": added the import of \"" + dep + "\" (for " + symbol + ")");
        }
        deps.push_back(dep);
    }
    for (const auto &u : unserved)
        note(nullptr, "\"" + fileName + "\": import \"" + u + "\" is not served and none of its types is used");

    auto remap = [&](pb::RepeatedField<std::int32_t> *indices) {
        pb::RepeatedField<std::int32_t> out;
        for (int old : *indices)
            if (old >= 0 && old < static_cast<int>(oldToNew.size()) && oldToNew[static_cast<std::size_t>(old)] >= 0)
                out.Add(oldToNew[static_cast<std::size_t>(old)]);
        indices->Swap(&out);
    };
    remap(file.mutable_public_dependency());
    remap(file.mutable_weak_dependency());
    file.clear_dependency();
    for (const auto &d : deps)
        file.add_dependency(d);
    m_linked.emplace(fileName, std::move(file));
    return Ok{};
}

// Links a file and everything it imports, breadth first, so that the pool, which builds
// imports recursively, only ever sees a finite, acyclic and shallow import graph.
bool ReflectionDatabase::linkClosure(const std::string &root)
{
    if (m_closed.count(root))
        return true;
    if (auto it = m_failed.find(root); it != m_failed.end()) {
        m_lastError = it->second;
        return false;
    }
    auto fail = [&](const std::string &message) {
        m_failed.emplace(root, message);
        m_lastError = message;
        return false;
    };
    const auto &builtin = builtins();
    std::map<std::string, int> depth{{root, 0}};
    std::deque<std::string> queue{root};
    while (!queue.empty()) {
        const std::string name = queue.front();
        queue.pop_front();
        if (m_closed.count(name))
            continue;
        if (auto linked = linkFile(name); !linked) {
            if (name == root)
                return fail(linked.error().message);
            return fail(linked.error().message + " (imported by \"" + root + "\")");
        }
        const int d = depth[name];
        for (const auto &dep : m_linked.at(name).dependency()) {
            if (builtin.files.count(dep) || depth.count(dep))
                continue;
            if (d + 1 > kMaxImportDepth)
                return fail("\"" + root + "\" imports files more than " + std::to_string(kMaxImportDepth) +
                            " levels deep");
            depth.emplace(dep, d + 1);
            queue.push_back(dep);
        }
    }

    // Import loops, and the longest chain (a breadth-first level can be shorter than it). Files
    // linked by an earlier lookup count with the chain found below them then.
    std::map<std::string, int> longest;  // file -> longest chain below it, once finished
    std::map<std::string, bool> onStack; // on the current path
    std::vector<std::pair<std::string, int>> stack{{root, 0}};
    std::vector<std::string> path{root};
    onStack[root] = true;
    while (!stack.empty()) {
        auto &[name, next] = stack.back();
        const auto &deps = m_linked.at(name).dependency();
        if (next < deps.size()) {
            const std::string dep = deps[next++];
            if (builtin.files.count(dep) || longest.count(dep) || m_closed.count(dep))
                continue;
            if (onStack[dep]) {
                std::string loop;
                for (auto it = std::find(path.begin(), path.end(), dep); it != path.end(); ++it)
                    loop += "\"" + *it + "\" -> ";
                return fail("the reflection server's files import each other in a loop: " + loop + "\"" + dep +
                            "\"");
            }
            onStack[dep] = true;
            path.push_back(dep);
            stack.emplace_back(dep, 0);
            continue;
        }
        int below = 0;
        for (const auto &dep : deps) {
            if (auto it = longest.find(dep); it != longest.end())
                below = std::max(below, it->second + 1);
            else if (auto done = m_closed.find(dep); done != m_closed.end())
                below = std::max(below, done->second + 1);
        }
        if (below > kMaxImportDepth)
            return fail("\"" + root + "\" imports files more than " + std::to_string(kMaxImportDepth) +
                        " levels deep");
        longest[name] = below;
        onStack[name] = false;
        path.pop_back();
        stack.pop_back();
    }
    m_closed.insert(longest.begin(), longest.end());
    return true;
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
