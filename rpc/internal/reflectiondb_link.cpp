// SPDX-License-Identifier: GPL-3.0-or-later
// Linking what a reflection server sent into what protoc would have compiled (type names made
// absolute, imports put right, map entries renamed, proto3 optional fields marked, built-in
// types replaced), and the import closure checked for loops and depth before the pool sees it.
// Split from rpc/internal/reflectiondb.cpp, which keeps the stream and the lookups.
#include "rpc/internal/reflectiondb.h"
#include "rpc/internal/reflectiondb_p.h"

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace rpc::internal {

namespace pb = google::protobuf;

namespace {

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

} // namespace

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

} // namespace rpc::internal
