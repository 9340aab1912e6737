// SPDX-License-Identifier: GPL-3.0-or-later
// Message shapes for the request form, and the list of message types for Any.
#include "rpc/internal/schemaimpl.h"

#include <functional>
#include <set>

namespace rpc {

namespace pb = google::protobuf;

namespace {

FieldShape::Type shapeType(const pb::FieldDescriptor *f)
{
    switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_DOUBLE:
        return FieldShape::Type::Double;
    case pb::FieldDescriptor::CPPTYPE_FLOAT:
        return FieldShape::Type::Float;
    case pb::FieldDescriptor::CPPTYPE_INT64:
        return FieldShape::Type::Int64;
    case pb::FieldDescriptor::CPPTYPE_UINT64:
        return FieldShape::Type::UInt64;
    case pb::FieldDescriptor::CPPTYPE_INT32:
        return FieldShape::Type::Int32;
    case pb::FieldDescriptor::CPPTYPE_UINT32:
        return FieldShape::Type::UInt32;
    case pb::FieldDescriptor::CPPTYPE_BOOL:
        return FieldShape::Type::Bool;
    case pb::FieldDescriptor::CPPTYPE_ENUM:
        return FieldShape::Type::Enum;
    case pb::FieldDescriptor::CPPTYPE_MESSAGE:
        return FieldShape::Type::Message;
    case pb::FieldDescriptor::CPPTYPE_STRING:
        return f->type() == pb::FieldDescriptor::TYPE_BYTES ? FieldShape::Type::Bytes
                                                            : FieldShape::Type::String;
    }
    return FieldShape::Type::String;
}

FieldShape fieldShape(const pb::FieldDescriptor *f)
{
    FieldShape s;
    s.name = f->name();
    s.jsonName = f->json_name();
    s.number = f->number();
    s.type = shapeType(f);
    s.repeated = f->is_repeated();
    s.map = f->is_map();
    s.presence = f->has_presence();
    if (f->message_type())
        s.typeName = f->message_type()->full_name();
    if (const auto *e = f->enum_type()) {
        s.typeName = e->full_name();
        for (int i = 0; i < e->value_count(); ++i) {
            s.enumValues.push_back(e->value(i)->name());
            s.enumNumbers.push_back(e->value(i)->number());
        }
    }
    if (const auto *o = f->real_containing_oneof())
        s.oneof = o->name();
    if (s.map) {
        s.mapEntry.push_back(fieldShape(f->message_type()->map_key()));
        s.mapEntry.push_back(fieldShape(f->message_type()->map_value()));
    }
    return s;
}

} // namespace

Result<MessageShape> Schema::messageShape(std::string_view typeName) const
{
    const pb::Descriptor *d = m_impl->message(typeName);
    if (!d)
        return Error("unknown message type \"" + std::string(typeName) + "\"");
    MessageShape shape;
    shape.fullName = d->full_name();
    if (internal::isWellKnownType(d) && d->well_known_type() != pb::Descriptor::WELLKNOWNTYPE_UNSPECIFIED)
        shape.wellKnown = d->full_name();
    for (int i = 0; i < d->field_count(); ++i)
        shape.fields.push_back(fieldShape(d->field(i)));
    for (int i = 0; i < d->real_oneof_decl_count(); ++i)
        shape.oneofs.push_back(d->oneof_decl(i)->name());
    return shape;
}

std::vector<std::string> Schema::messageNames() const
{
    std::set<const pb::FileDescriptor *> seen;
    std::set<std::string> names;
    std::function<void(const pb::Descriptor *)> addMessage = [&](const pb::Descriptor *d) {
        if (!d->options().map_entry())
            names.insert(d->full_name());
        for (int i = 0; i < d->nested_type_count(); ++i)
            addMessage(d->nested_type(i));
    };
    std::function<void(const pb::FileDescriptor *)> walk = [&](const pb::FileDescriptor *f) {
        if (!f || !seen.insert(f).second)
            return;
        for (int i = 0; i < f->message_type_count(); ++i)
            addMessage(f->message_type(i));
        for (int i = 0; i < f->dependency_count(); ++i)
            walk(f->dependency(i));
    };
    if (auto services = serviceNames()) {
        for (const auto &s : *services) {
            if (const auto *sd = m_impl->serviceDescriptor(s))
                walk(sd->file());
        }
    }
    for (const auto &file : builtinFileNames())
        walk(m_impl->pool->FindFileByName(file));
    return {names.begin(), names.end()};
}

} // namespace rpc
