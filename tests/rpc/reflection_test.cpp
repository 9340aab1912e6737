// SPDX-License-Identifier: GPL-3.0-or-later
// Server reflection against what real servers send: grpc-js with @grpc/reflection (spawned
// from tests/node), the in-tree C++ server (v1 and v1alpha), and descriptor fixtures in the
// shapes other stacks send, served by a reflection server of this test's own. Every linked
// schema is compared with what protoc compiles from the same .proto files, and used for calls.
#include "support.h"
#include "testserver.h"

#include "grpc/reflection/v1/reflection.pb.h"
#include "rpc/engine.h"
#include "rpc/schema.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/server_callback.h>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>

using namespace testsupport;
namespace fs = std::filesystem;
namespace pb = google::protobuf;
namespace rv1 = grpc::reflection::v1;

namespace {

const char kCatalog[] = "my_pkg.v1.Catalog";
const char kTestService[] = "wirescope.testing.TestService";

bool contains(const std::string &haystack, const std::string &needle)
{
    return haystack.find(needle) != std::string::npos;
}

// ---------------------------------------------------------------------------------------------
// protoc's view of the same files, the reference every linked schema is compared with.

struct Compiled
{
    TempDir dir;
    std::string protoset;
    pb::FileDescriptorSet set;
    rpc::SchemaPtr schema;
};

std::unique_ptr<Compiled> compile(const std::vector<std::string> &files)
{
    auto c = std::make_unique<Compiled>();
    c->protoset = (c->dir.path() / "out.protoset").string();
    std::vector<std::string> argv{WIRESCOPE_PROTOC, "-I", WIRESCOPE_TEST_PROTO_DIR, "--include_imports",
                                  "--descriptor_set_out=" + c->protoset};
    argv.insert(argv.end(), files.begin(), files.end());
    auto made = run(argv);
    if (made.exitCode != 0)
        throw std::runtime_error("protoc failed: " + made.err);
    if (!c->set.ParseFromString(readFile(c->protoset)))
        throw std::runtime_error("protoc wrote an unreadable protoset");
    rpc::SchemaSpec spec;
    spec.protosetFiles = {c->protoset};
    auto schema = rpc::SchemaLoader().load(spec);
    if (!schema)
        throw std::runtime_error(schema.error().toString());
    c->schema = *schema;
    return c;
}

const Compiled &catalogByProtoc()
{
    static const auto c = compile({"my_pkg/v1/catalog.proto"});
    return *c;
}

const Compiled &testServiceByProtoc()
{
    static const auto c = compile({"wirescope/testing/test.proto"});
    return *c;
}

// Builds the files a schema uses for `service` in a pool of the test's own.
std::unique_ptr<pb::DescriptorPool> poolOf(const rpc::Schema &schema, const std::string &service,
                                           std::string *error)
{
    auto set = schema.fileDescriptorSet({service});
    if (!set) {
        *error = set.error().message;
        return nullptr;
    }
    pb::FileDescriptorSet files;
    if (!files.ParseFromString(*set)) {
        *error = "unreadable descriptor set";
        return nullptr;
    }
    auto pool = std::make_unique<pb::DescriptorPool>();
    for (const auto &f : files.file()) {
        if (!pool->BuildFile(f)) {
            *error = "cannot build " + f.name();
            return nullptr;
        }
    }
    return pool;
}

std::string fieldLine(const pb::FieldDescriptor *f)
{
    std::string type = f->type_name();
    if (f->message_type())
        type = f->message_type()->full_name();
    else if (f->enum_type())
        type = f->enum_type()->full_name();
    const auto *oneof = f->real_containing_oneof();
    return f->name() + " = " + std::to_string(f->number()) + " " + type +
           (f->is_map() ? " map" : f->is_repeated() ? " repeated" : "") + (f->is_packed() ? " packed" : "") +
           (f->has_presence() ? " presence" : "") + (oneof ? " oneof " + oneof->name() : "") + " json " +
           f->json_name();
}

// Every difference a user could notice between two schemas' views of a service: methods and
// their streaming kinds, and every message and enum reachable from them (fields, numbers,
// types, map-ness, oneofs, presence, JSON names, enum values).
std::vector<std::string> differences(const rpc::Schema &expected, const rpc::Schema &actual,
                                     const std::string &service)
{
    std::vector<std::string> out;
    std::string error;
    auto want = poolOf(expected, service, &error);
    if (!want)
        return {"protoc's schema: " + error};
    auto got = poolOf(actual, service, &error);
    if (!got)
        return {"linked schema: " + error};
    const auto *ws = want->FindServiceByName(service);
    const auto *gs = got->FindServiceByName(service);
    if (!ws || !gs)
        return {"service missing"};
    std::deque<const pb::Descriptor *> queue;
    std::set<std::string> seen;
    auto visit = [&](const pb::Descriptor *d) {
        if (d && seen.insert(d->full_name()).second)
            queue.push_back(d);
    };
    if (ws->method_count() != gs->method_count())
        out.push_back(service + ": method count differs");
    for (int i = 0; i < ws->method_count(); ++i) {
        const auto *wm = ws->method(i);
        const auto *gm = gs->FindMethodByName(wm->name());
        if (!gm) {
            out.push_back(wm->full_name() + " missing");
            continue;
        }
        if (wm->input_type()->full_name() != gm->input_type()->full_name() ||
            wm->output_type()->full_name() != gm->output_type()->full_name() ||
            wm->client_streaming() != gm->client_streaming() || wm->server_streaming() != gm->server_streaming())
            out.push_back(wm->full_name() + ": " + gm->DebugString() + " instead of " + wm->DebugString());
        visit(wm->input_type());
        visit(wm->output_type());
    }
    std::set<std::string> enums;
    while (!queue.empty()) {
        const pb::Descriptor *wd = queue.front();
        queue.pop_front();
        const pb::Descriptor *gd = got->FindMessageTypeByName(wd->full_name());
        if (!gd) {
            out.push_back(wd->full_name() + " missing");
            continue;
        }
        if (wd->field_count() != gd->field_count())
            out.push_back(wd->full_name() + ": " + std::to_string(gd->field_count()) + " fields instead of " +
                          std::to_string(wd->field_count()));
        if (wd->real_oneof_decl_count() != gd->real_oneof_decl_count())
            out.push_back(wd->full_name() + ": real oneof count differs");
        if (wd->options().map_entry() != gd->options().map_entry())
            out.push_back(wd->full_name() + ": map_entry differs");
        for (int i = 0; i < wd->field_count(); ++i) {
            const auto *wf = wd->field(i);
            const auto *gf = gd->FindFieldByNumber(wf->number());
            if (!gf) {
                out.push_back(wf->full_name() + " missing");
                continue;
            }
            if (fieldLine(wf) != fieldLine(gf))
                out.push_back(wd->full_name() + ": " + fieldLine(gf) + " instead of " + fieldLine(wf));
            visit(wf->message_type());
            if (wf->enum_type())
                enums.insert(wf->enum_type()->full_name());
        }
    }
    for (const auto &name : enums) {
        const auto *we = want->FindEnumTypeByName(name);
        const auto *ge = got->FindEnumTypeByName(name);
        if (!ge) {
            out.push_back(name + " missing");
            continue;
        }
        std::string wv, gv;
        for (int i = 0; i < we->value_count(); ++i)
            wv += we->value(i)->name() + '=' + std::to_string(we->value(i)->number()) + ' ';
        for (int i = 0; i < ge->value_count(); ++i)
            gv += ge->value(i)->name() + '=' + std::to_string(ge->value(i)->number()) + ' ';
        if (wv != gv)
            out.push_back(name + ": " + gv + "instead of " + wv);
    }
    return out;
}

std::string joined(const std::vector<std::string> &lines)
{
    std::string out;
    for (const auto &l : lines)
        out += l + '\n';
    return out;
}

rpc::Result<rpc::SchemaPtr> reflect(const std::string &address, rpc::Metadata headers = {}, int timeoutMs = 20000,
                                    int connectTimeoutMs = 10000)
{
    rpc::SchemaSpec spec;
    spec.useReflection = true;
    spec.reflectionChannel.target = address;
    spec.reflectionChannel.connectTimeoutMs = connectTimeoutMs;
    spec.reflectionHeaders = std::move(headers);
    spec.reflectionTimeoutMs = timeoutMs;
    return rpc::SchemaLoader().load(spec);
}

// ---------------------------------------------------------------------------------------------
// Calls through a linked schema.

struct Call
{
    std::vector<std::string> replies;
    rpc::RpcStatus status;
};

Call call(const rpc::SchemaPtr &schema, const std::string &address, const std::string &method,
          std::vector<std::string> messages)
{
    static std::atomic<std::uint64_t> ids{0};
    rpc::Engine engine;
    rpc::CallRequest r;
    r.callId = ++ids;
    r.schema = schema;
    r.method = method;
    r.channel.target = address;
    r.messages = std::move(messages);
    engine.start(r);
    const auto events = collect(engine, r.callId);
    Call out;
    for (const auto &e : ofKind(events, rpc::EventKind::MessageReceived))
        out.replies.push_back(e.error.empty() ? e.payload : "error: " + e.error);
    if (const auto *f = finished(events))
        out.status = f->status;
    else
        out.status = {-1, "no Finished event", {}, {}, true};
    return out;
}

// JSON as protoc's schema reads and prints it: what an echo must give back.
std::string canonical(const std::string &type, const std::string &json)
{
    const auto &protoc = *catalogByProtoc().schema;
    auto bytes = protoc.encode(type, json, {});
    if (!bytes)
        return "cannot encode: " + bytes.error().toString();
    auto back = protoc.decode(type, *bytes, {});
    return back ? *back : "cannot decode: " + back.error().toString();
}

const char kItem[] = R"({"id": "a-1", "count": "9007199254740993", "stock": {"x": "-5", "y": "7"},
  "sizes": {"3": {"width": 2, "height": 4}}, "added": "2024-02-03T04:05:06.789Z", "shelfLife": "3600.500s",
  "size": {"width": 1}, "kind": "TOOL", "level": "HIGH",
  "amount": {"currency": "EUR", "units": "12", "nanos": 5}, "codes": ["18446744073709551615", "1"],
  "delta": "-9007199254740993", "prices": {"p": {"currency": "USD", "units": "1"}}, "note": "",
  "levels": ["LOW", "HIGH"], "parent": {"id": "p", "label": "boxed"}})";

// All four call kinds of the catalog through `schema`, checked against protoc's reading.
void expectCatalogCalls(const rpc::SchemaPtr &schema, const std::string &address)
{
    auto echo = call(schema, address, "my_pkg.v1.Catalog/Echo", {kItem});
    ASSERT_TRUE(echo.status.ok()) << echo.status.message;
    ASSERT_EQ(echo.replies.size(), 1u);
    EXPECT_EQ(echo.replies[0], canonical("my_pkg.v1.Item", kItem));
    EXPECT_TRUE(contains(echo.replies[0], "\"note\": \"\"")) << "a proto3 optional field keeps its presence";

    auto list = call(schema, address, "my_pkg.v1.Catalog/List", {R"({"limit": 3, "wait": "0.5s"})"});
    ASSERT_TRUE(list.status.ok()) << list.status.message;
    ASSERT_EQ(list.replies.size(), 3u);
    EXPECT_EQ(list.replies[2], canonical("my_pkg.v1.Item", R"({"id": "item-2", "count": "2"})"));

    auto collect = call(schema, address, "my_pkg.v1.Catalog/Collect",
                        {R"({"count": "5"})", R"({"count": "9007199254740993", "stock": {"a": "1"}})"});
    ASSERT_TRUE(collect.status.ok()) << collect.status.message;
    ASSERT_EQ(collect.replies.size(), 1u);
    EXPECT_EQ(collect.replies[0], canonical("my_pkg.v1.Summary", R"({"total": "9007199254740998"})"));

    auto chat = call(schema, address, "my_pkg.v1.Catalog/Chat", {kItem, R"({"id": "b", "kind": "BOOK"})"});
    ASSERT_TRUE(chat.status.ok()) << chat.status.message;
    ASSERT_EQ(chat.replies.size(), 2u);
    EXPECT_EQ(chat.replies[0], canonical("my_pkg.v1.Item", kItem));
    EXPECT_EQ(chat.replies[1], canonical("my_pkg.v1.Item", R"({"id": "b", "kind": "BOOK"})"));
}

// Loads the catalog by reflection from `address` and expects protoc's schema.
rpc::SchemaPtr expectCatalogLikeProtoc(const std::string &address, const std::string &version,
                                       rpc::Metadata headers = {})
{
    auto schema = reflect(address, std::move(headers));
    EXPECT_TRUE(schema) << schema.error().toString();
    if (!schema)
        return nullptr;
    auto names = (*schema)->serviceNames();
    EXPECT_TRUE(names && std::count(names->begin(), names->end(), kCatalog) == 1);
    auto service = (*schema)->service(kCatalog);
    EXPECT_TRUE(service) << service.error().message;
    EXPECT_EQ((*schema)->reflectionVersion(), version);
    EXPECT_EQ(joined(differences(*catalogByProtoc().schema, **schema, kCatalog)), "");
    return *schema;
}

// ---------------------------------------------------------------------------------------------
// grpc-js with @grpc/reflection, from tests/node.

// What stops the Node server from starting, or "".
std::string nodeProblem()
{
    const fs::path modules = fs::path(WIRESCOPE_NODE_DIR) / "node_modules" / "@grpc" / "reflection";
    if (std::string(WIRESCOPE_NODE).empty() || !fs::exists(WIRESCOPE_NODE))
        return "node was not found when the build was configured; install Node.js (v20) and re-run cmake";
    if (!fs::exists(modules))
        return "tests/node/node_modules is missing: run `cd tests/node && npm ci --ignore-scripts --no-audit "
               "--no-fund` first";
    return {};
}

class NodeServer
{
public:
    explicit NodeServer(std::vector<std::string> options = {})
    {
        m_problem = nodeProblem();
        if (!m_problem.empty())
            return;
        std::vector<std::string> argv{WIRESCOPE_NODE, std::string(WIRESCOPE_NODE_DIR) + "/reflection-server.js"};
        argv.insert(argv.end(), options.begin(), options.end());
        argv.push_back(WIRESCOPE_TEST_PROTO_DIR);
        argv.push_back("my_pkg/v1/catalog.proto");
        m_process = std::make_unique<Spawned>(argv);
        const std::string line = m_process->waitForLine("listening on ", std::chrono::seconds(30));
        if (line.empty())
            m_problem = "the Node server did not start";
        else
            m_address = line.substr(line.find("listening on ") + 13);
    }
    const std::string &problem() const { return m_problem; }
    const std::string &address() const { return m_address; }

private:
    std::string m_problem;
    std::string m_address;
    std::unique_ptr<Spawned> m_process;
};

// ---------------------------------------------------------------------------------------------
// A reflection server of the test's own: serves the files it is given, as they are, over v1
// and v1alpha (the messages are the same on the wire), or answers as `answer` says.

struct FixtureOptions
{
    std::vector<pb::FileDescriptorProto> files;
    bool sendImports = true; // answer with the file's imports too, as gRPC C++ does
    bool v1 = true;
    bool v1alpha = true;
    bool silent = false; // reads requests and never answers
    // Raw reply bytes for a request, or nothing to answer from the files.
    std::function<std::optional<std::string>(const rv1::ServerReflectionRequest &)> answer;
};

class FixtureServer
{
public:
    explicit FixtureServer(FixtureOptions options)
        : m_options(std::move(options))
    {
        for (std::size_t i = 0; i < m_options.files.size(); ++i)
            index(m_options.files[i], i);
        grpc::ServerBuilder builder;
        int port = 0;
        builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
        builder.RegisterCallbackGenericService(&m_service);
        builder.SetOption(testing_server::reflectionSwitch(false));
        m_server = builder.BuildAndStart();
        m_address = "127.0.0.1:" + std::to_string(port);
    }
    ~FixtureServer() { m_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5)); }

    const std::string &address() const { return m_address; }
    rpc::Metadata headers() const
    {
        std::lock_guard lock(m_mutex);
        return m_headers;
    }

    std::string reply(const rv1::ServerReflectionRequest &request) const
    {
        if (m_options.answer)
            if (auto raw = m_options.answer(request))
                return *raw;
        rv1::ServerReflectionResponse response;
        *response.mutable_original_request() = request;
        using R = rv1::ServerReflectionRequest;
        switch (request.message_request_case()) {
        case R::kListServices:
            for (const auto &f : m_options.files)
                for (const auto &s : f.service())
                    response.mutable_list_services_response()->add_service()->set_name(
                        (f.package().empty() ? "" : f.package() + '.') + s.name());
            break;
        case R::kFileByFilename:
            send(m_byName.count(request.file_by_filename()) ? m_byName.at(request.file_by_filename()) : -1,
                 &response);
            break;
        case R::kFileContainingSymbol:
            send(m_bySymbol.count(request.file_containing_symbol())
                     ? m_bySymbol.at(request.file_containing_symbol())
                     : -1,
                 &response);
            break;
        default:
            response.mutable_error_response()->set_error_code(grpc::StatusCode::UNIMPLEMENTED);
            break;
        }
        return response.SerializeAsString();
    }

private:
    class Reactor final : public grpc::ServerGenericBidiReactor
    {
    public:
        Reactor(FixtureServer *server, grpc::GenericCallbackServerContext *context)
            : m_server(server)
        {
            const std::string &method = context->method();
            const bool v1 = method == "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
            const bool alpha = method == "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";
            if (!(v1 && server->m_options.v1) && !(alpha && server->m_options.v1alpha)) {
                finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, ""));
                return;
            }
            {
                std::lock_guard lock(server->m_mutex);
                server->m_headers.clear();
                for (const auto &[k, v] : context->client_metadata())
                    server->m_headers.emplace_back(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
            }
            StartRead(&m_in);
        }
        void OnReadDone(bool ok) override
        {
            if (!ok) {
                finish(grpc::Status::OK);
                return;
            }
            std::vector<grpc::Slice> slices;
            std::string bytes;
            if (m_in.Dump(&slices).ok())
                for (const auto &s : slices)
                    bytes.append(reinterpret_cast<const char *>(s.begin()), s.size());
            rv1::ServerReflectionRequest request;
            request.ParseFromString(bytes);
            if (m_server->m_options.silent)
                return; // until the client gives up
            const std::string reply = m_server->reply(request);
            grpc::Slice slice(reply);
            m_out = grpc::ByteBuffer(&slice, 1);
            StartWrite(&m_out);
        }
        void OnWriteDone(bool ok) override
        {
            if (!ok)
                finish(grpc::Status::OK);
            else
                StartRead(&m_in);
        }
        void OnCancel() override { finish(grpc::Status::CANCELLED); }
        void OnDone() override { delete this; }

    private:
        void finish(const grpc::Status &status)
        {
            if (!m_finished.exchange(true))
                Finish(status);
        }
        FixtureServer *m_server;
        grpc::ByteBuffer m_in;
        grpc::ByteBuffer m_out;
        std::atomic<bool> m_finished{false};
    };

    class Service final : public grpc::CallbackGenericService
    {
    public:
        explicit Service(FixtureServer *server)
            : m_server(server)
        {}
        grpc::ServerGenericBidiReactor *CreateReactor(grpc::GenericCallbackServerContext *context) override
        {
            return new Reactor(m_server, context);
        }

    private:
        FixtureServer *m_server;
    };

    void index(const pb::FileDescriptorProto &file, std::size_t i)
    {
        m_byName.emplace(file.name(), i);
        const std::string pkg = file.package().empty() ? "" : file.package() + '.';
        std::function<void(const std::string &, const pb::DescriptorProto &)> message =
            [&](const std::string &scope, const pb::DescriptorProto &m) {
                m_bySymbol.emplace(scope + m.name(), i);
                for (const auto &n : m.nested_type())
                    message(scope + m.name() + '.', n);
                for (const auto &e : m.enum_type())
                    m_bySymbol.emplace(scope + m.name() + '.' + e.name(), i);
            };
        for (const auto &m : file.message_type())
            message(pkg, m);
        for (const auto &e : file.enum_type())
            m_bySymbol.emplace(pkg + e.name(), i);
        for (const auto &s : file.service()) {
            m_bySymbol.emplace(pkg + s.name(), i);
            for (const auto &m : s.method())
                m_bySymbol.emplace(pkg + s.name() + '.' + m.name(), i);
        }
    }

    void send(long i, rv1::ServerReflectionResponse *response) const
    {
        if (i < 0) {
            response->mutable_error_response()->set_error_code(grpc::StatusCode::NOT_FOUND);
            response->mutable_error_response()->set_error_message("not found");
            return;
        }
        std::vector<std::size_t> order{static_cast<std::size_t>(i)};
        for (std::size_t k = 0; k < order.size() && m_options.sendImports; ++k)
            for (const auto &dep : m_options.files[order[k]].dependency())
                if (auto it = m_byName.find(dep);
                    it != m_byName.end() && std::find(order.begin(), order.end(), it->second) == order.end())
                    order.push_back(it->second);
        for (auto k : order)
            response->mutable_file_descriptor_response()->add_file_descriptor_proto(
                m_options.files[k].SerializeAsString());
    }

    FixtureOptions m_options;
    std::map<std::string, long> m_byName;
    std::map<std::string, long> m_bySymbol;
    Service m_service{this};
    std::unique_ptr<grpc::Server> m_server;
    std::string m_address;
    mutable std::mutex m_mutex;
    rpc::Metadata m_headers;
};

// protoc's files for the catalog, with the well-known ones left to the server as it likes.
std::vector<pb::FileDescriptorProto> catalogFiles(bool withWellKnown)
{
    std::vector<pb::FileDescriptorProto> out;
    for (const auto &f : catalogByProtoc().set.file())
        if (withWellKnown || f.name().rfind("google/protobuf/", 0) != 0)
            out.push_back(f);
    return out;
}

pb::FileDescriptorProto *fileNamed(std::vector<pb::FileDescriptorProto> &files, const std::string &name)
{
    for (auto &f : files)
        if (f.name() == name)
            return &f;
    throw std::runtime_error("no file " + name);
}

// A serialized reply carrying `files` as they are.
std::string filesReply(const std::vector<pb::FileDescriptorProto> &files)
{
    rv1::ServerReflectionResponse r;
    for (const auto &f : files)
        r.mutable_file_descriptor_response()->add_file_descriptor_proto(f.SerializeAsString());
    return r.SerializeAsString();
}

// A file defining message `name` in package `pkg` with one field of type `fieldType` (if any).
pb::FileDescriptorProto messageFile(const std::string &file, const std::string &pkg, const std::string &name,
                                    const std::string &fieldType, std::vector<std::string> deps = {})
{
    pb::FileDescriptorProto f;
    f.set_name(file);
    f.set_package(pkg);
    f.set_syntax("proto3");
    auto *m = f.add_message_type();
    m->set_name(name);
    if (!fieldType.empty()) {
        auto *field = m->add_field();
        field->set_name("next");
        field->set_number(1);
        field->set_label(pb::FieldDescriptorProto::LABEL_OPTIONAL);
        field->set_type(pb::FieldDescriptorProto::TYPE_MESSAGE);
        field->set_type_name(fieldType);
    }
    for (auto &d : deps)
        f.add_dependency(std::move(d));
    return f;
}

void addService(pb::FileDescriptorProto *file, const std::string &type)
{
    auto *s = file->add_service();
    s->set_name("Svc");
    auto *m = s->add_method();
    m->set_name("Get");
    m->set_input_type(type);
    m->set_output_type(type);
}

// A silent TCP server: the kernel accepts connections, nothing ever answers on them.
class SilentListener
{
public:
    SilentListener()
    {
        m_fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (m_fd < 0 || bind(m_fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || listen(m_fd, 16) != 0 ||
            getsockname(m_fd, reinterpret_cast<sockaddr *>(&a), &len) != 0)
            throw std::runtime_error("cannot listen");
        m_address = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
    }
    ~SilentListener() { close(m_fd); }
    const std::string &address() const { return m_address; }

private:
    int m_fd = -1;
    std::string m_address;
};

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

// ---------------------------------------------------------------------------------------------

// The filed case: grpc-js names files after packages (my_pkg_v1.proto, google_protobuf.proto),
// lists no imports, sends relative type names, names map entries after the field and marks
// proto3 optional fields only by a oneof "_note". Both reflection versions.
TEST(GrpcJsReflection, LinksLikeProtocAndCallsEveryKind)
{
    for (const std::string version : {"v1", "v1alpha"}) {
        SCOPED_TRACE(version);
        NodeServer server({"--only", version});
        ASSERT_EQ(server.problem(), "");
        auto schema = expectCatalogLikeProtoc(server.address(), version);
        ASSERT_TRUE(schema);
        const auto repairs = schema->reflectionRepairs();
        EXPECT_EQ(repairs.summary(),
                  "repaired: 3 missing imports, 3 map entries, 1 optional field, 1 copy of well-known types")
            << joined(repairs.details);
        EXPECT_TRUE(contains(joined(repairs.details),
                             "\"my_pkg_v1.proto\": added the import of \"my_pkg_common_v1.proto\" (for "
                             "my_pkg.common.v1.Money)"))
            << joined(repairs.details);
        EXPECT_TRUE(contains(joined(repairs.details), "map entry my_pkg.v1.Item.Stock renamed to StockEntry"));
        auto shape = schema->messageShape("my_pkg.v1.Item");
        ASSERT_TRUE(shape) << shape.error().message;
        for (const auto &f : shape->fields) {
            if (f.name == "stock") {
                EXPECT_TRUE(f.map);
            } else if (f.name == "note") {
                EXPECT_EQ(f.oneof, "");
                EXPECT_TRUE(f.presence);
            }
        }
        expectCatalogCalls(schema, server.address());
    }
}

TEST(GrpcJsReflection, HeadersReachTheReflectionService)
{
    for (const std::string version : {"v1", "v1alpha"}) {
        SCOPED_TRACE(version);
        NodeServer server({"--only", version, "--require-header", "x-token=s3cret"});
        ASSERT_EQ(server.problem(), "");
        auto refused = reflect(server.address());
        ASSERT_FALSE(refused);
        EXPECT_TRUE(contains(refused.error().message, "reflection needs the x-token header"))
            << refused.error().message;
        expectCatalogLikeProtoc(server.address(), version, {{"x-token", "s3cret"}});
    }
}

// The command line as the issue used it: list, describe and call, the same as with -proto;
// -v says what was repaired.
TEST(GrpcJsReflection, CliListsDescribesAndCallsAsWithProtoFiles)
{
    NodeServer server;
    ASSERT_EQ(server.problem(), "");
    const std::string a = server.address();
    const std::vector<std::string> local{"-import-path", WIRESCOPE_TEST_PROTO_DIR, "-proto", "my_pkg/v1/catalog.proto"};
    auto cli = [](std::vector<std::string> args) {
        args.insert(args.begin(), WIRESCOPE_CLI);
        return run(args);
    };
    auto both = [&](std::vector<std::string> args) {
        auto byReflection = cli(args);
        args.insert(args.begin(), local.begin(), local.end());
        auto byProtoc = cli(args);
        EXPECT_EQ(byReflection.exitCode, 0) << byReflection.err;
        EXPECT_EQ(byProtoc.exitCode, 0) << byProtoc.err;
        EXPECT_EQ(byReflection.out, byProtoc.out);
        return byReflection;
    };
    auto list = cli({"-plaintext", a, "list"});
    EXPECT_EQ(list.exitCode, 0) << list.err;
    EXPECT_TRUE(contains(list.out, "my_pkg.v1.Catalog\n")) << list.out;
    both({"-plaintext", a, "list", kCatalog});
    both({"-plaintext", a, "describe", kCatalog});
    both({"-plaintext", a, "describe", "my_pkg.v1.Item"});
    both({"-plaintext", a, "describe", "my_pkg.v1.Item.StockEntry"});
    auto echo = both({"-plaintext", "-d", kItem, a, "my_pkg.v1.Catalog/Echo"});
    EXPECT_TRUE(contains(echo.out, "\"count\": \"9007199254740993\"")) << echo.out;
    both({"-plaintext", "-d", R"({"limit": 2})", a, "my_pkg.v1.Catalog/List"});

    auto verbose = cli({"-v", "-plaintext", a, "describe", "my_pkg.v1.Item"});
    EXPECT_EQ(verbose.exitCode, 0) << verbose.err;
    EXPECT_TRUE(contains(verbose.err, "Server reflection (v1) repaired: 3 missing imports, 3 map entries, 1 "
                                      "optional field, 1 copy of well-known types"))
        << verbose.err;
    EXPECT_TRUE(contains(verbose.err, "  \"my_pkg_v1.proto\": map entry my_pkg.v1.Item.Sizes renamed to SizesEntry"))
        << verbose.err;
    auto quiet = cli({"-plaintext", a, "describe", "my_pkg.v1.Item"});
    EXPECT_FALSE(contains(quiet.err, "repaired")) << quiet.err;
}

// gRPC C++'s own reflection (v1alpha) and the test server's v1, including its two quirks.
TEST(InTreeServerReflection, LinksLikeProtocOverBothVersions)
{
    struct Case
    {
        bool v1;
        testing_server::ReflectionQuirk quirk;
        const char *version;
        const char *summary;
    };
    using Q = testing_server::ReflectionQuirk;
    for (const auto &c : {Case{false, Q::None, "v1alpha", ""}, Case{true, Q::None, "v1", ""},
                          Case{true, Q::NoDependencies, "v1", "repaired: 7 missing imports"},
                          Case{true, Q::MergedImports, "v1", ""}}) {
        SCOPED_TRACE(std::string(c.version) + " quirk " + std::to_string(int(c.quirk)));
        testing_server::ServerOptions o;
        o.reflectionV1 = c.v1;
        o.reflectionV1Quirk = c.quirk;
        testing_server::TestServer server(o);
        ASSERT_TRUE(server.start());
        auto schema = reflect(server.address());
        ASSERT_TRUE(schema) << schema.error().toString();
        auto service = (*schema)->service(kTestService);
        ASSERT_TRUE(service) << service.error().message;
        EXPECT_EQ((*schema)->reflectionVersion(), c.version);
        EXPECT_EQ(joined(differences(*testServiceByProtoc().schema, **schema, kTestService)), "");
        EXPECT_EQ((*schema)->reflectionRepairs().summary(), c.summary)
            << joined((*schema)->reflectionRepairs().details);
        auto echo = call(*schema, server.address(), "wirescope.testing.TestService/Echo",
                         {R"({"text": "hi", "i64": "9007199254740993", "counts": {"a": 1},
                             "when": "2020-01-01T00:00:00Z", "timeout": "1.5s", "nameChoice": "n"})"});
        ASSERT_TRUE(echo.status.ok()) << echo.status.message;
        ASSERT_EQ(echo.replies.size(), 1u);
        EXPECT_TRUE(contains(echo.replies[0], "\"i64\": \"9007199254740993\"")) << echo.replies[0];
        EXPECT_TRUE(contains(echo.replies[0], "\"when\": \"2020-01-01T00:00:00Z\"")) << echo.replies[0];
    }
}

// grpc-go before 1.32 sends only the requested file, never its imports; Python's
// grpcio-reflection answers file_containing_symbol without the imports. The imports are
// fetched by name.
TEST(ReflectionFixtures, ImportsNotSentAlongAreFetched)
{
    FixtureOptions o;
    o.files = catalogFiles(true);
    o.sendImports = false;
    FixtureServer server(o);
    auto schema = expectCatalogLikeProtoc(server.address(), "v1");
    ASSERT_TRUE(schema);
    EXPECT_TRUE(schema->reflectionRepairs().empty()) << joined(schema->reflectionRepairs().details);
}

// Files whose dependency lists are empty: the imports are found by the symbols the files use.
TEST(ReflectionFixtures, ImportsLeftOutAreAdded)
{
    FixtureOptions o;
    o.files = catalogFiles(false);
    for (auto &f : o.files)
        f.clear_dependency();
    o.sendImports = false;
    FixtureServer server(o);
    auto schema = expectCatalogLikeProtoc(server.address(), "v1");
    ASSERT_TRUE(schema);
    EXPECT_EQ(schema->reflectionRepairs().summary(), "repaired: 4 missing imports")
        << joined(schema->reflectionRepairs().details);
}

// .NET servers serve "Protos/types.proto" while the importing file says "my_pkg/v1/types.proto".
TEST(ReflectionFixtures, ImportsServedUnderAnotherPathAreMatchedByBaseName)
{
    FixtureOptions o;
    o.files = catalogFiles(true);
    for (auto &f : o.files)
        if (f.name().rfind("my_pkg/", 0) == 0)
            f.set_name("Protos/" + f.name().substr(f.name().rfind('/') + 1));
    o.sendImports = false;
    FixtureServer server(o);
    auto schema = expectCatalogLikeProtoc(server.address(), "v1");
    ASSERT_TRUE(schema);
    const auto repairs = schema->reflectionRepairs();
    EXPECT_EQ(repairs.summary(), "repaired: 2 renamed imports") << joined(repairs.details);
    EXPECT_TRUE(contains(joined(repairs.details),
                         "\"Protos/catalog.proto\": import \"my_pkg/v1/types.proto\" is served as "
                         "\"Protos/types.proto\""))
        << joined(repairs.details);
}

// Servers with copies of the well-known types of their own: one that differs from the real
// file (an extra field), and one merged under a name of its own. The built-in files win, and
// no type is defined twice.
TEST(ReflectionFixtures, ServedWellKnownTypesGiveWayToTheBuiltInOnes)
{
    FixtureOptions o;
    o.files = catalogFiles(true);
    auto *timestamp = fileNamed(o.files, "google/protobuf/timestamp.proto");
    auto *zone = timestamp->mutable_message_type(0)->add_field();
    zone->set_name("zone");
    zone->set_number(3);
    zone->set_type(pb::FieldDescriptorProto::TYPE_STRING);
    zone->set_label(pb::FieldDescriptorProto::LABEL_OPTIONAL);
    pb::FileDescriptorProto merged = *fileNamed(o.files, "google/protobuf/duration.proto");
    merged.set_name("google_protobuf.proto");
    *merged.add_message_type() = timestamp->message_type(0);
    o.files.push_back(merged);
    auto *types = fileNamed(o.files, "my_pkg/v1/types.proto");
    types->clear_dependency();
    types->add_dependency("google_protobuf.proto");
    types->add_dependency("my_pkg/common/v1/money.proto");
    FixtureServer server(o);
    auto schema = expectCatalogLikeProtoc(server.address(), "v1");
    ASSERT_TRUE(schema);
    EXPECT_EQ(schema->reflectionRepairs().summary(), "repaired: 2 missing imports, 1 copy of well-known types")
        << joined(schema->reflectionRepairs().details);
    auto ts = schema->describe("google.protobuf.Timestamp");
    ASSERT_TRUE(ts) << ts.error().message;
    EXPECT_FALSE(contains(ts->text, "zone")) << ts->text;
}

TEST(ReflectionFixtures, V1AlphaOnlyServersGetTheHeadersToo)
{
    FixtureOptions o;
    o.files = catalogFiles(true);
    o.v1 = false;
    FixtureServer server(o);
    auto schema = expectCatalogLikeProtoc(server.address(), "v1alpha", {{"x-api-key", "k1"}});
    ASSERT_TRUE(schema);
    EXPECT_EQ(metadataValue(server.headers(), "x-api-key"), "k1");
}

// ---------------------------------------------------------------------------------------------
// Bad input: a clear error, no crash, nothing hangs.

TEST(ReflectionBadInput, UnknownTypesNameTheTypeAndTheFileUsingIt)
{
    FixtureOptions o;
    auto file = messageFile("fix.proto", "fix", "Req", ".nowhere.Missing");
    addService(&file, ".fix.Req");
    o.files = {file};
    FixtureServer server(o);
    auto schema = reflect(server.address());
    ASSERT_TRUE(schema) << schema.error().toString();
    auto service = (*schema)->service("fix.Svc");
    ASSERT_FALSE(service);
    EXPECT_TRUE(contains(service.error().message,
                         "type \".nowhere.Missing\" used by field fix.Req.next in \"fix.proto\" cannot be found"))
        << service.error().message;
    auto d = (*schema)->describe("fix.Req");
    ASSERT_FALSE(d);
    EXPECT_TRUE(contains(d.error().message, "\".nowhere.Missing\"")) << d.error().message;
}

TEST(ReflectionBadInput, GarbageRepliesAndDescriptors)
{
    for (const bool garbageFile : {false, true}) {
        SCOPED_TRACE(garbageFile ? "garbage file descriptor" : "garbage reply");
        FixtureOptions o;
        o.files = catalogFiles(true);
        o.answer = [garbageFile](const rv1::ServerReflectionRequest &r) -> std::optional<std::string> {
            if (r.message_request_case() == rv1::ServerReflectionRequest::kListServices)
                return std::nullopt;
            if (!garbageFile)
                return std::string("\xff\xff\xff\xff\x0f garbage", 13);
            rv1::ServerReflectionResponse response;
            response.mutable_file_descriptor_response()->add_file_descriptor_proto("\x0a\xff\xff\xff\x7f\x01");
            return response.SerializeAsString();
        };
        FixtureServer server(o);
        auto schema = reflect(server.address());
        ASSERT_TRUE(schema) << schema.error().toString();
        auto service = (*schema)->service(kCatalog);
        ASSERT_FALSE(service);
        EXPECT_TRUE(contains(service.error().message, garbageFile ? "file descriptor that cannot be read"
                                                                  : "reflection reply that cannot be read"))
            << service.error().message;
    }
}

// Files importing each other, as declared and as used.
TEST(ReflectionBadInput, ImportLoopsAreReported)
{
    for (const bool declared : {true, false}) {
        SCOPED_TRACE(declared ? "declared imports" : "types only");
        FixtureOptions o;
        auto a = messageFile("a.proto", "loop", "A", ".loop.B", declared ? std::vector<std::string>{"b.proto"}
                                                                         : std::vector<std::string>{});
        auto b = messageFile("b.proto", "loop", "B", ".loop.A", declared ? std::vector<std::string>{"a.proto"}
                                                                         : std::vector<std::string>{});
        addService(&a, ".loop.A");
        o.files = {a, b};
        FixtureServer server(o);
        auto schema = reflect(server.address());
        ASSERT_TRUE(schema) << schema.error().toString();
        auto service = (*schema)->service("loop.Svc");
        ASSERT_FALSE(service);
        EXPECT_TRUE(contains(service.error().message,
                             "files import each other in a loop: \"a.proto\" -> \"b.proto\" -> \"a.proto\""))
            << service.error().message;
    }
}

// A server that makes up a new import for every file it is asked for; and a chain exactly as
// deep as the limit, which links (and the pool builds it recursively without harm).
TEST(ReflectionBadInput, EndlessImportChainsStopAtTheDepthLimit)
{
    const int limit = 100;
    for (const int length : {-1, limit + 1}) {
        SCOPED_TRACE(length);
        auto chainFile = [length](int n) {
            const bool last = length >= 0 && n == length - 1;
            const std::string next = "chain" + std::to_string(n + 1);
            auto f = messageFile("chain" + std::to_string(n) + ".proto", "chain", "T" + std::to_string(n),
                                 last ? "" : ".chain.T" + std::to_string(n + 1),
                                 last ? std::vector<std::string>{} : std::vector<std::string>{next + ".proto"});
            if (n == 0)
                addService(&f, ".chain.T0");
            return f;
        };
        FixtureOptions o;
        o.files = {chainFile(0)};
        o.answer = [&](const rv1::ServerReflectionRequest &r) -> std::optional<std::string> {
            std::string name = r.file_by_filename();
            const std::string &symbol = r.file_containing_symbol();
            if (r.message_request_case() == rv1::ServerReflectionRequest::kFileContainingSymbol &&
                symbol.rfind("chain.T", 0) == 0)
                name = "chain" + symbol.substr(7) + ".proto";
            else if (r.message_request_case() != rv1::ServerReflectionRequest::kFileByFilename)
                return std::nullopt;
            const int n = std::atoi(name.c_str() + 5);
            if (length >= 0 && n >= length)
                return std::nullopt;
            return filesReply({chainFile(n)});
        };
        FixtureServer server(o);
        auto schema = reflect(server.address());
        ASSERT_TRUE(schema) << schema.error().toString();
        auto service = (*schema)->service("chain.Svc");
        if (length < 0) {
            ASSERT_FALSE(service);
            EXPECT_TRUE(contains(service.error().message, "imports files more than 100 levels deep"))
                << service.error().message;
        } else {
            ASSERT_TRUE(service) << service.error().message;
            auto bytes = (*schema)->encode("chain.T0", R"({"next": {"next": {"next": {}}}})", {});
            EXPECT_TRUE(bytes) << bytes.error().toString();
        }
    }
}

TEST(ReflectionBadInput, AHundredMegabyteDescriptorIsRefused)
{
    FixtureOptions o;
    o.files = catalogFiles(true);
    o.answer = [](const rv1::ServerReflectionRequest &r) -> std::optional<std::string> {
        if (r.message_request_case() != rv1::ServerReflectionRequest::kFileContainingSymbol)
            return std::nullopt;
        pb::FileDescriptorProto huge;
        huge.set_name("huge.proto");
        huge.set_package(std::string(100 << 20, 'x'));
        return filesReply({huge});
    };
    FixtureServer server(o);
    auto schema = reflect(server.address());
    ASSERT_TRUE(schema) << schema.error().toString();
    auto service = (*schema)->service(kCatalog);
    ASSERT_FALSE(service);
    EXPECT_TRUE(contains(service.error().message, "larger than max")) << service.error().message;
}

// A server that takes the reflection stream and never answers: the request timeout ends it.
TEST(ReflectionBadInput, ASilentReflectionServiceTimesOut)
{
    FixtureOptions o;
    o.files = catalogFiles(true);
    o.silent = true;
    FixtureServer server(o);
    const auto start = std::chrono::steady_clock::now();
    auto schema = reflect(server.address(), {}, 1500);
    ASSERT_FALSE(schema);
    EXPECT_TRUE(contains(schema.error().message, "did not answer within 1500 ms")) << schema.error().message;
    EXPECT_LT(secondsSince(start), 10.0);
}

// A server that accepts the connection and never speaks HTTP/2: the connect timeout ends the
// wait (gRPC's own handshake limit is 20 s), in the library and on the command line.
TEST(ReflectionBadInput, TheConnectTimeoutBoundsReflection)
{
    SilentListener silent;
    auto start = std::chrono::steady_clock::now();
    auto schema = reflect(silent.address(), {}, 20000, 1000);
    ASSERT_FALSE(schema);
    EXPECT_TRUE(contains(schema.error().message, "could not connect to " + silent.address() + " within 1000 ms"))
        << schema.error().message;
    EXPECT_LT(secondsSince(start), 10.0);

    start = std::chrono::steady_clock::now();
    auto r = run({WIRESCOPE_CLI, "-plaintext", "-connect-timeout", "1", silent.address(), "list"});
    EXPECT_EQ(r.exitCode, 1) << r.err;
    EXPECT_TRUE(contains(r.err, "within 1000 ms")) << r.err;
    EXPECT_LT(secondsSince(start), 10.0);
}
