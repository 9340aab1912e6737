// SPDX-License-Identifier: GPL-3.0-or-later
// `describe`: a symbol's declaration in .proto syntax, as grpcurl prints it.
#include "rpc/internal/schemaimpl.h"

namespace pb = google::protobuf;

namespace rpc {

namespace {

std::string methodLine(const pb::MethodDescriptor *m)
{
    return "rpc " + m->name() + " ( " + (m->client_streaming() ? "stream " : "") + "." +
           m->input_type()->full_name() + " ) returns ( " + (m->server_streaming() ? "stream " : "") + "." +
           m->output_type()->full_name() + " );";
}

std::string serviceText(const pb::ServiceDescriptor *s)
{
    std::string out = "service " + s->name() + " {\n";
    for (int i = 0; i < s->method_count(); ++i)
        out += "  " + methodLine(s->method(i)) + "\n";
    return out + "}";
}

std::string trimmed(std::string s)
{
    while (!s.empty() && s.back() == '\n')
        s.pop_back();
    return s;
}

} // namespace

Result<SymbolDescription> Schema::describe(std::string_view symbolView) const
{
    std::string symbol(symbolView);
    if (!symbol.empty() && symbol.front() == '.')
        symbol.erase(0, 1);
    const pb::DescriptorPool &pool = *m_impl->pool;
    SymbolDescription out;
    out.fullName = symbol;
    using K = SymbolDescription::Kind;
    if (const auto *s = m_impl->serviceDescriptor(symbol)) {
        out.kind = K::Service;
        out.kindName = "service";
        out.text = serviceText(s);
        return out;
    }
    if (const auto *m = m_impl->method(symbol)) {
        out.kind = K::Method;
        out.kindName = "method";
        out.fullName = m->full_name();
        out.text = methodLine(m);
        return out;
    }
    // Resolve lazily through the databases (reflection) before the plain lookups below.
    pool.FindFileContainingSymbol(symbol);
    if (const auto *d = pool.FindMessageTypeByName(symbol)) {
        out.kind = K::Message;
        out.kindName = "message";
        out.text = trimmed(d->DebugString());
        return out;
    }
    if (const auto *e = pool.FindEnumTypeByName(symbol)) {
        out.kind = K::Enum;
        out.kindName = "enum";
        out.text = trimmed(e->DebugString());
        return out;
    }
    if (const auto *v = pool.FindEnumValueByName(symbol)) {
        out.kind = K::EnumValue;
        out.kindName = "enum value";
        out.text = v->name() + " = " + std::to_string(v->number()) + ";";
        return out;
    }
    if (const auto *x = pool.FindExtensionByName(symbol)) {
        out.kind = K::Extension;
        out.kindName = "extension";
        out.text = trimmed(x->DebugString());
        return out;
    }
    if (const auto *f = pool.FindFieldByName(symbol)) {
        out.kind = K::Field;
        out.kindName = "field";
        out.text = trimmed(f->DebugString());
        return out;
    }
    if (const auto *file = pool.FindFileByName(symbol)) {
        out.kind = K::File;
        out.kindName = "file";
        out.text = trimmed(file->DebugString());
        return out;
    }
    std::string msg = "symbol not found: " + symbol;
    if (m_impl->reflectionDb && !m_impl->reflectionDb->lastError().empty())
        msg += " (reflection: " + m_impl->reflectionDb->lastError() + ")";
    return Error(msg);
}

} // namespace rpc
