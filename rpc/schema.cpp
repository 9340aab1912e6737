// SPDX-License-Identifier: GPL-3.0-or-later
// A schema generation's insides and lookups: the built-in well-known and google.rpc files, the
// pool's error collector, and services, methods and messages looked up by name. Loading a
// generation is in rpc/schema_load.cpp; reflection's repairs in rpc/internal/reflectiondb*.cpp.
#include "rpc/schema.h"

#include "rpc/internal/embedded.h"
#include "rpc/internal/schema_p.h"
#include "rpc/internal/schemaimpl.h"

#include <google/protobuf/compiler/parser.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <set>

namespace pb = google::protobuf;

namespace rpc {

namespace {

class SingleErrorCollector final : public pb::io::ErrorCollector
{
public:
    explicit SingleErrorCollector(std::string file)
        : m_file(std::move(file))
    {}
    void AddError(int line, pb::io::ColumnNumber column, const std::string &message) override
    {
        errors.push_back({m_file, line + 1, column + 1, -1, {}, message});
    }
    std::vector<Diagnostic> errors;

private:
    std::string m_file;
};

} // namespace

void PoolErrorCollector::AddError(const std::string &filename, const std::string &element,
                                  const pb::Message *, ErrorLocation, const std::string &message)
{
    std::lock_guard lock(m_mutex);
    Diagnostic d;
    d.file = filename;
    d.path = element;
    d.message = message;
    m_errors.push_back(std::move(d));
}

std::vector<Diagnostic> PoolErrorCollector::take()
{
    std::lock_guard lock(m_mutex);
    return std::exchange(m_errors, {});
}

pb::SimpleDescriptorDatabase &builtinDatabase()
{
    static pb::SimpleDescriptorDatabase *db = [] {
        auto *d = new pb::SimpleDescriptorDatabase;
        for (const auto &file : wirescope::embedded::wellKnownProtos()) {
            pb::io::ArrayInputStream input(file.contents.data(), static_cast<int>(file.contents.size()));
            SingleErrorCollector errors(file.name);
            pb::io::Tokenizer tokenizer(&input, &errors);
            pb::compiler::Parser parser;
            parser.RecordErrorsTo(&errors);
            pb::FileDescriptorProto proto;
            if (parser.Parse(&tokenizer, &proto)) {
                proto.set_name(file.name);
                d->Add(proto);
            }
        }
        return d;
    }();
    return *db;
}

std::vector<std::string> builtinFileNames()
{
    std::vector<std::string> names;
    for (const auto &f : wirescope::embedded::wellKnownProtos())
        names.push_back(f.name);
    return names;
}

MethodInfo methodInfo(const pb::MethodDescriptor *m)
{
    MethodInfo info;
    info.fullName = m->full_name();
    info.serviceName = m->service()->full_name();
    info.name = m->name();
    info.inputType = m->input_type()->full_name();
    info.outputType = m->output_type()->full_name();
    if (m->client_streaming() && m->server_streaming())
        info.kind = MethodKind::BidiStreaming;
    else if (m->client_streaming())
        info.kind = MethodKind::ClientStreaming;
    else if (m->server_streaming())
        info.kind = MethodKind::ServerStreaming;
    return info;
}

std::string Schema::reflectionVersion() const
{
    return m_impl->reflectionDb ? m_impl->reflectionDb->version() : std::string();
}

ReflectionRepairs Schema::reflectionRepairs() const
{
    return m_impl->reflectionDb ? m_impl->reflectionDb->repairs() : ReflectionRepairs();
}

bool ReflectionRepairs::empty() const
{
    return missingImports == 0 && renamedImports == 0 && mapEntries == 0 && optionalFields == 0 &&
           wellKnownFiles == 0;
}

std::string ReflectionRepairs::summary() const
{
    std::string out;
    auto add = [&](int n, const char *one, const char *many) {
        if (n > 0)
            out += (out.empty() ? "repaired: " : ", ") + std::to_string(n) + ' ' + (n == 1 ? one : many);
    };
    add(missingImports, "missing import", "missing imports");
    add(renamedImports, "renamed import", "renamed imports");
    add(mapEntries, "map entry", "map entries");
    add(optionalFields, "optional field", "optional fields");
    add(wellKnownFiles, "copy of well-known types", "copies of well-known types");
    return out;
}

bool Schema::Impl::loadType(const std::string &name) const
{
    if (pool->FindMessageTypeByName(name) || pool->FindEnumTypeByName(name))
        return true;
    // A built-in type (google.rpc.Status, say) that no loaded file imports: the merged database
    // hides it by symbol, since the source tree also serves that file name. Load it by name.
    pb::FileDescriptorProto file;
    return builtinDatabase().FindFileContainingSymbol(name, &file) && pool->FindFileByName(file.name());
}

const pb::Descriptor *Schema::Impl::message(std::string_view name) const
{
    if (!name.empty() && name.front() == '.')
        name.remove_prefix(1);
    const std::string full(name);
    if (const auto *d = pool->FindMessageTypeByName(full))
        return d;
    return loadType(full) ? pool->FindMessageTypeByName(full) : nullptr;
}

const pb::ServiceDescriptor *Schema::Impl::serviceDescriptor(std::string_view name) const
{
    if (!name.empty() && name.front() == '.')
        name.remove_prefix(1);
    return pool->FindServiceByName(std::string(name));
}

const pb::MethodDescriptor *Schema::Impl::method(std::string_view name) const
{
    std::string n(name);
    if (!n.empty() && n.front() == '/')
        n.erase(0, 1);
    const auto slash = n.find('/');
    if (slash != std::string::npos)
        n[slash] = '.';
    if (const auto *m = pool->FindMethodByName(n))
        return m;
    // the pool may not know the service yet (lazy reflection): ask for it first
    const auto dot = n.rfind('.');
    if (dot == std::string::npos)
        return nullptr;
    if (const auto *s = serviceDescriptor(n.substr(0, dot)))
        return s->FindMethodByName(n.substr(dot + 1));
    return nullptr;
}

const pb::Message *Schema::Impl::prototype(const pb::Descriptor *d) const
{
    return factory->GetPrototype(d);
}

std::string Schema::Impl::typeUrl(const pb::Descriptor *d) const
{
    return "type.googleapis.com/" + d->full_name();
}

Schema::Schema(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{}
Schema::~Schema() = default;

const std::vector<Schema::SourceStamp> &Schema::sources() const
{
    return m_impl->sources;
}

Result<std::vector<std::string>> Schema::serviceNames() const
{
    std::vector<std::string> names;
    if (m_impl->reflectionDb) {
        auto r = m_impl->reflectionDb->listServices();
        if (!r)
            return r.error();
        names = std::move(r.value());
    }
    for (const auto &s : m_impl->localServices)
        if (std::find(names.begin(), names.end(), s) == names.end())
            names.push_back(s);
    std::sort(names.begin(), names.end());
    return names;
}

namespace {
Error notFound(const Schema::Impl &impl, std::string what)
{
    std::string msg = std::move(what);
    if (impl.reflectionDb && !impl.reflectionDb->lastError().empty())
        msg += " (reflection: " + impl.reflectionDb->lastError() + ")";
    auto lazy = const_cast<Schema::Impl &>(impl).lazyErrors.take();
    if (!lazy.empty())
        msg += " (" + lazy.front().file + ": " + lazy.front().message + ")";
    return {msg, lazy};
}
} // namespace

Result<ServiceInfo> Schema::service(std::string_view fullName) const
{
    const auto *s = m_impl->serviceDescriptor(fullName);
    if (!s)
        return notFound(*m_impl, "service \"" + std::string(fullName) + "\" not found");
    ServiceInfo info;
    info.fullName = s->full_name();
    info.file = s->file()->name();
    for (int i = 0; i < s->method_count(); ++i)
        info.methods.push_back(methodInfo(s->method(i)));
    return info;
}

Result<MethodInfo> Schema::findMethod(std::string_view name) const
{
    const auto *m = m_impl->method(name);
    if (!m)
        return notFound(*m_impl, "method \"" + std::string(name) + "\" not found");
    return methodInfo(m);
}

bool Schema::hasMessage(std::string_view typeName) const
{
    return m_impl->message(typeName) != nullptr;
}

Result<std::string> Schema::fileDescriptorSet(const std::vector<std::string> &symbols) const
{
    std::set<const pb::FileDescriptor *> seen;
    std::vector<const pb::FileDescriptor *> order;
    for (const auto &symbol : symbols) {
        std::string s = symbol;
        if (const auto slash = s.find('/'); slash != std::string::npos && slash > 0)
            s[slash] = '.';
        const pb::FileDescriptor *file = m_impl->pool->FindFileContainingSymbol(s);
        if (!file)
            file = m_impl->pool->FindFileByName(s);
        if (!file)
            return notFound(*m_impl, "symbol \"" + symbol + "\" not found");
        walkFiles(file, &seen, &order);
    }
    pb::FileDescriptorSet set;
    for (const auto *f : order)
        f->CopyTo(set.add_file());
    return set.SerializeAsString();
}

} // namespace rpc
