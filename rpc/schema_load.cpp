// SPDX-License-Identifier: GPL-3.0-or-later
// Loading a schema generation (proto files, protosets, reflection) with its diagnostics, an
// unchanged workspace reused by its file stamps, and the job that loads on its own thread.
// Split from rpc/schema.cpp, which keeps the generation's lookups.
#include "rpc/schema.h"

#include "rpc/internal/cachingresolver.h"
#include "rpc/internal/channels.h"
#include "rpc/internal/protoguard.h"
#include "rpc/internal/schema_p.h"
#include "rpc/internal/schemaimpl.h"

#include <google/protobuf/util/type_resolver_util.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

namespace pb = google::protobuf;
namespace fs = std::filesystem;

namespace rpc {

namespace {

class ProtoErrorCollector final : public pb::compiler::MultiFileErrorCollector
{
public:
    void AddError(const std::string &filename, int line, int column, const std::string &message) override
    {
        Diagnostic d;
        d.file = filename;
        d.line = line >= 0 ? line + 1 : 0;
        d.column = line >= 0 ? column + 1 : 0;
        d.message = message;
        errors.push_back(std::move(d));
    }
    std::vector<Diagnostic> errors;
};

std::int64_t mtimeNs(const fs::path &p, std::error_code &ec)
{
    const auto t = fs::last_write_time(p, ec);
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

Schema::SourceStamp stampOf(const std::string &path)
{
    std::error_code ec;
    Schema::SourceStamp s;
    s.path = path;
    s.mtimeNs = mtimeNs(path, ec);
    s.size = ec ? -1 : static_cast<std::int64_t>(fs::file_size(path, ec));
    return s;
}

bool stampsUnchanged(const std::vector<Schema::SourceStamp> &stamps)
{
    for (const auto &s : stamps) {
        const auto now = stampOf(s.path);
        if (now.mtimeNs != s.mtimeNs || now.size != s.size)
            return false;
    }
    return true;
}

std::string specKey(const SchemaSpec &spec)
{
    std::ostringstream k;
    for (const auto &p : spec.importPaths)
        k << "I" << p << '\n';
    for (const auto &p : spec.protoFiles)
        k << "P" << p << '\n';
    for (const auto &p : spec.protosetFiles)
        k << "S" << p << '\n';
    return k.str();
}

// The import named by protobuf's 'Import "x" was not found or had errors.', or "".
std::string failedImport(const std::string &message)
{
    const std::string marker = "Import \"";
    const auto at = message.find(marker);
    if (at == std::string::npos || message.find("was not found or had errors") == std::string::npos)
        return {};
    const auto end = message.find('"', at + marker.size());
    return end == std::string::npos ? std::string() : message.substr(at + marker.size(), end - at - marker.size());
}

// A folder above one of the roots from which `imported` resolves, or "": the root to suggest.
std::string rootThatHolds(const std::vector<std::string> &roots, const std::string &imported)
{
    for (const auto &r : roots) {
        std::error_code ec;
        fs::path dir = fs::absolute(r, ec);
        for (int up = 0; !ec && up < 16 && !dir.empty(); ++up) {
            std::error_code missing; // a file not there is no error here
            if (fs::is_regular_file(dir / imported, missing))
                return dir.string();
            if (dir == dir.parent_path())
                break;
            dir = dir.parent_path();
        }
    }
    return {};
}

// Says once what an import that resolved nowhere is (which file asked, where we looked, which
// root would hold it) and drops what only follows from it: protobuf reports every use of a
// type from a missing or broken import as "not defined" (32 lines for one wrong root), and an
// importer of a file with errors as "had errors" (that file's own errors are listed).
void explainMissingImports(std::vector<Diagnostic> *diags, const std::vector<std::string> &roots,
                           const std::set<std::string> &missing)
{
    std::string searched;
    for (const auto &r : roots)
        searched += (searched.empty() ? "" : ", ") + r;
    searched += searched.empty() ? "the built-in well-known types" : ", the built-in well-known types";
    std::set<std::string> brokenImporters;
    for (const auto &d : *diags)
        if (!failedImport(d.message).empty())
            brokenImporters.insert(d.file);
    std::map<std::string, std::size_t> firstMissing; // importer -> index in `out`
    std::map<std::string, int> dropped;             // importer -> follow-on errors left out
    // A file that is opened and also imported (every file of a folder source) is parsed twice,
    // and its parse errors reported twice: each is said once.
    std::set<std::tuple<std::string, int, int, std::string>> said;
    std::vector<Diagnostic> out;
    for (auto &d : *diags) {
        // the source tree's own "File not found." for the imported file adds nothing
        if (d.line == 0 && missing.count(d.file))
            continue;
        if (!said.emplace(d.file, d.line, d.column, d.message).second)
            continue;
        const std::string imported = failedImport(d.message);
        if (!imported.empty() && missing.count(imported)) {
            d.message = "import \"" + imported + "\" (imported by " + d.file + ") was not found; searched: " + searched;
            const std::string holder = rootThatHolds(roots, imported);
            d.message += holder.empty() ? "; add the import root that holds it"
                                        : "; add the import root " + holder + ", which holds it";
            firstMissing.try_emplace(d.file, out.size());
            out.push_back(std::move(d));
            continue;
        }
        const bool undefined = d.message.size() > 17 && d.message.ends_with("\" is not defined.");
        if (!imported.empty() || (undefined && brokenImporters.count(d.file))) {
            ++dropped[d.file];
            continue;
        }
        out.push_back(std::move(d));
    }
    for (const auto &[file, count] : dropped) {
        const auto first = firstMissing.find(file);
        if (first == firstMissing.end())
            continue; // only a broken (present) import: its own errors are listed
        out[first->second].message += " (" + std::to_string(count) +
                                      (count == 1 ? " error that follows" : " errors that follow") +
                                      " from the missing imports not shown)";
    }
    *diags = std::move(out);
}

} // namespace

Result<SchemaPtr> SchemaLoader::load(const SchemaSpec &spec, const std::stop_token &stop,
                                     const ProgressFn &progress)
{
    // An unchanged workspace of local files reloads as the same generation: stat, no parse.
    const std::string key = specKey(spec);
    if (!spec.useReflection && m_last && key == m_lastKey && stampsUnchanged(m_last->sources()))
        return m_last;

    auto impl = std::make_unique<Schema::Impl>();
    std::vector<pb::DescriptorDatabase *> chain;
    std::vector<Diagnostic> diags;
    LoadProgress prog;
    prog.total =
        static_cast<int>(spec.protoFiles.size() + spec.protosetFiles.size()) + (spec.useReflection ? 1 : 0);
    auto step = [&] {
        ++prog.done;
        if (progress)
            progress(prog);
    };
    if (progress)
        progress(prog);
    auto cancelled = [&] { return Error("schema loading cancelled"); };

    if (spec.useReflection) {
        // gRPC core aborts on a header it finds invalid: refuse it here, naming it.
        if (auto problem = metadataProblem(spec.reflectionHeaders); !problem.empty())
            return Error("cannot use server reflection on " + spec.reflectionChannel.target + ": " + problem);
        if (auto problem = authorityProblem(spec.reflectionChannel.authority); !problem.empty())
            return Error("cannot use server reflection on " + spec.reflectionChannel.target + ": " + problem);
        if (auto problem = targetProblem(spec.reflectionChannel.target); !problem.empty())
            return Error("cannot use server reflection: " + problem);
        auto channel = internal::makeChannel(spec.reflectionChannel, 64 * 1024 * 1024);
        if (!channel)
            return channel.error();
        impl->reflectionDb = std::make_unique<internal::ReflectionDatabase>(
            *channel, spec.reflectionChannel, spec.reflectionHeaders, spec.reflectionTimeoutMs);
        // Ask once now, so that an unreachable server or one without reflection fails the load.
        auto services = impl->reflectionDb->listServices();
        if (!services)
            return Error("cannot use server reflection on " + spec.reflectionChannel.target + ": " +
                         services.error().message);
        chain.push_back(impl->reflectionDb.get());
        step();
    }

    // Protosets: several FileDescriptorSet files, one database; a file defined twice with
    // different contents names both protosets.
    std::map<std::string, std::pair<std::string, std::string>> protosetOrigin; // name -> (set, bytes)
    std::vector<std::string> protosetFileNames;
    if (!spec.protosetFiles.empty()) {
        impl->protosetDb = std::make_unique<pb::SimpleDescriptorDatabase>();
        for (const auto &path : spec.protosetFiles) {
            if (stop.stop_requested())
                return cancelled();
            // A folder opens as a stream that reads nothing, which parses as an empty set.
            std::error_code ec;
            if (fs::is_directory(path, ec)) {
                diags.push_back({path, 0, 0, -1, {}, "is a folder, not a protoset file (protoc --descriptor_set_out)"});
                step();
                continue;
            }
            std::ifstream in(path, std::ios::binary);
            if (!in) {
                diags.push_back({path, 0, 0, -1, {}, "cannot read protoset file"});
                step();
                continue;
            }
            std::ostringstream ss;
            ss << in.rdbuf();
            pb::FileDescriptorSet set;
            if (!set.ParseFromString(ss.str())) {
                diags.push_back(
                    {path, 0, 0, -1, {}, "not a protoset: the file is not a serialized FileDescriptorSet"});
                step();
                continue;
            }
            if (set.file_size() == 0) {
                diags.push_back({path, 0, 0, -1, {}, "not a protoset: it holds no files (is it empty?)"});
                step();
                continue;
            }
            for (const auto &file : set.file()) {
                const std::string bytes = file.SerializeAsString();
                auto [it, inserted] = protosetOrigin.emplace(file.name(), std::make_pair(path, bytes));
                if (!inserted) {
                    if (it->second.second != bytes)
                        diags.push_back(
                            {path,
                             0,
                             0,
                             -1,
                             {},
                             "\"" + file.name() + "\" differs from the copy in " + it->second.first});
                    continue;
                }
                impl->protosetDb->Add(file);
                protosetFileNames.push_back(file.name());
            }
            impl->sources.push_back(stampOf(path));
            step();
        }
        chain.push_back(impl->protosetDb.get());
    }

    // Owned by the generation: the source database keeps reporting to it on later lookups.
    auto ownedParseErrors = std::make_unique<ProtoErrorCollector>();
    ProtoErrorCollector &parseErrors = *ownedParseErrors;
    impl->sourceErrors = std::move(ownedParseErrors);
    std::vector<std::string> roots = spec.importPaths;
    std::vector<std::string> virtualNames;
    std::set<std::string> missingImports;
    if (!spec.protoFiles.empty()) {
        impl->diskTree = std::make_unique<pb::compiler::DiskSourceTree>();
        if (roots.empty())
            roots.emplace_back(".");
        for (const auto &r : roots)
            impl->diskTree->MapPath("", r);
        // protoc's rule: a file is named relative to a root; a path on disk under a root is
        // mapped to that name.
        for (const auto &f : spec.protoFiles) {
            std::string virtualName;
            std::string shadow;
            std::string disk;
            if (impl->diskTree->VirtualFileToDiskFile(f, &disk)) {
                virtualName = f;
            } else {
                const auto r = impl->diskTree->DiskFileToVirtualFile(f, &virtualName, &shadow);
                if (r == pb::compiler::DiskSourceTree::SHADOWED) {
                    diags.push_back({f,
                                     0,
                                     0,
                                     -1,
                                     {},
                                     "shadowed by " + shadow +
                                         ", which has the same name under an "
                                         "earlier import path"});
                    continue;
                }
                if (r != pb::compiler::DiskSourceTree::SUCCESS) {
                    std::string searched;
                    for (const auto &root : roots)
                        searched += (searched.empty() ? "" : ", ") + root;
                    diags.push_back({f,
                                     0,
                                     0,
                                     -1,
                                     {},
                                     r == pb::compiler::DiskSourceTree::NO_MAPPING
                                         ? "file is not under any import path (" + searched + ")"
                                         : "file not found (searched: " + searched + ")"});
                    continue;
                }
            }
            virtualNames.push_back(virtualName);
        }
        // The parser recurses once per nested message: files nested too deeply are refused first.
        impl->guardedTree = std::make_unique<internal::GuardedSourceTree>(impl->diskTree.get());
        impl->sourceDb = std::make_unique<pb::compiler::SourceTreeDescriptorDatabase>(impl->guardedTree.get(),
                                                                                      &builtinDatabase());
        impl->sourceDb->RecordErrorsTo(&parseErrors);
        chain.push_back(impl->sourceDb.get());
        // The pool builds each import from inside its importer: a chain thousands of files long
        // would overflow the stack, so it is measured first.
        if (auto tooDeep = internal::checkImportDepth(*impl->diskTree, virtualNames)) {
            diags.push_back(std::move(*tooDeep));
            return Error("1 error in the schema", std::move(diags));
        }
    }
    if (spec.protoFiles.empty())
        chain.push_back(&builtinDatabase());

    impl->merged = std::make_unique<pb::MergedDescriptorDatabase>(chain);
    pb::DescriptorPool::ErrorCollector *collector =
        impl->sourceDb ? impl->sourceDb->GetValidationErrorCollector()
                       : static_cast<pb::DescriptorPool::ErrorCollector *>(&impl->lazyErrors);
    impl->pool = std::make_unique<pb::DescriptorPool>(impl->merged.get(), collector);

    std::set<const pb::FileDescriptor *> seen;
    std::vector<const pb::FileDescriptor *> loaded;
    for (const auto &name : virtualNames) {
        if (stop.stop_requested())
            return cancelled();
        const pb::FileDescriptor *file = impl->pool->FindFileByName(name);
        if (file)
            walkFiles(file, &seen, &loaded);
        step();
    }
    for (const auto &name : protosetFileNames) {
        if (stop.stop_requested())
            return cancelled();
        if (const pb::FileDescriptor *file = impl->pool->FindFileByName(name))
            walkFiles(file, &seen, &loaded);
        else
            diags.push_back({name, 0, 0, -1, {}, "cannot be built from the protoset"});
    }

    // A file refused for its nesting is reported once, at the brace that goes too deep, rather
    // than as the source tree's message without a position.
    if (impl->guardedTree) {
        for (auto &refusal : impl->guardedTree->refusals()) {
            std::erase_if(parseErrors.errors,
                          [&](const Diagnostic &d) { return d.file == refusal.file && d.line == 0; });
            diags.push_back(std::move(refusal));
        }
    }
    // Which imports were not found anywhere, to say so clearly.
    for (const auto &d : parseErrors.errors)
        if (d.line == 0)
            missingImports.insert(d.file);
    diags.insert(diags.end(), parseErrors.errors.begin(), parseErrors.errors.end());
    parseErrors.errors.clear();
    auto lazy = impl->lazyErrors.take();
    diags.insert(diags.end(), lazy.begin(), lazy.end());
    explainMissingImports(&diags, roots, missingImports);
    if (!diags.empty()) {
        std::string summary =
            std::to_string(diags.size()) + (diags.size() == 1 ? " error" : " errors") + " in the schema";
        return Error(summary, std::move(diags));
    }

    for (const auto *f : loaded) {
        for (int i = 0; i < f->service_count(); ++i)
            impl->localServices.push_back(f->service(i)->full_name());
        std::string disk;
        if (impl->diskTree && impl->diskTree->VirtualFileToDiskFile(f->name(), &disk))
            impl->sources.push_back(stampOf(disk));
    }
    std::sort(impl->localServices.begin(), impl->localServices.end());
    impl->localServices.erase(std::unique(impl->localServices.begin(), impl->localServices.end()),
                              impl->localServices.end());

    impl->factory = std::make_unique<pb::DynamicMessageFactory>(impl->pool.get());
    impl->resolver = std::make_unique<internal::CachingTypeResolver>(
        pb::util::NewTypeResolverForDescriptorPool("type.googleapis.com", impl->pool.get()),
        [raw = impl.get()](const std::string &name) { return raw->loadType(name); });

    auto schema = std::make_shared<const Schema>(std::move(impl));
    if (!spec.useReflection) {
        m_last = schema;
        m_lastKey = key;
    }
    return SchemaPtr(schema);
}

// ---------------------------------------------------------------------------------------------

struct SchemaLoadJob::State
{
    std::jthread thread;
};

SchemaLoadJob::SchemaLoadJob(SchemaSpec spec, SchemaLoader::ProgressFn progress, FinishedFn finished,
                             std::shared_ptr<SchemaLoader> loader)
    : m_state(std::make_unique<State>())
{
    if (!loader)
        loader = std::make_shared<SchemaLoader>();
    m_state->thread =
        std::jthread([spec = std::move(spec), progress = std::move(progress), finished = std::move(finished),
                      loader = std::move(loader)](const std::stop_token &stop) {
            auto result = loader->load(spec, stop, progress);
            if (stop.stop_requested() && result)
                finished(Error("schema loading cancelled"));
            else
                finished(std::move(result));
        });
}

SchemaLoadJob::~SchemaLoadJob()
{
    cancel();
}

void SchemaLoadJob::cancel()
{
    m_state->thread.request_stop();
}

} // namespace rpc
