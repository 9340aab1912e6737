// SPDX-License-Identifier: GPL-3.0-or-later
// Schema loading from proto files, protosets and reflection, and what users see when it fails.
#include "support.h"
#include "testserver.h"

#include "rpc/schema.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

using namespace testsupport;
namespace fs = std::filesystem;

namespace {

rpc::Result<rpc::SchemaPtr> loadFiles(std::vector<std::string> roots, std::vector<std::string> files)
{
    rpc::SchemaSpec spec;
    spec.importPaths = std::move(roots);
    spec.protoFiles = std::move(files);
    return rpc::SchemaLoader().load(spec);
}

std::string allDiagnostics(const rpc::Error &e)
{
    std::string out;
    for (const auto &d : e.diagnostics)
        out += d.toString() + "\n";
    return out;
}

// Runs protoc to make a protoset, as users do.
std::string makeProtoset(const TempDir &dir, const std::string &root, const std::string &file,
                         const std::string &outName)
{
    const std::string out = (dir.path() / outName).string();
    auto r = run({WIRESCOPE_PROTOC, "-I" + root, "--include_imports", "--descriptor_set_out=" + out, file});
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return out;
}

} // namespace

TEST(Schema, LoadsProtoFilesWithServicesAndMethodKinds)
{
    auto schema = loadFiles({WIRESCOPE_TEST_PROTO_DIR}, {"wirescope/testing/test.proto"});
    ASSERT_TRUE(schema) << schema.error().toString();
    auto names = (*schema)->serviceNames();
    ASSERT_TRUE(names);
    EXPECT_EQ(*names, std::vector<std::string>{"wirescope.testing.TestService"});
    auto svc = (*schema)->service("wirescope.testing.TestService");
    ASSERT_TRUE(svc);
    EXPECT_EQ(svc->file, "wirescope/testing/test.proto");
    std::map<std::string, rpc::MethodKind> kinds;
    for (const auto &m : svc->methods)
        kinds[m.name] = m.kind;
    EXPECT_EQ(kinds["Echo"], rpc::MethodKind::Unary);
    EXPECT_EQ(kinds["ServerStream"], rpc::MethodKind::ServerStreaming);
    EXPECT_EQ(kinds["ClientStream"], rpc::MethodKind::ClientStreaming);
    EXPECT_EQ(kinds["Chat"], rpc::MethodKind::BidiStreaming);

    for (const char *name : {"wirescope.testing.TestService/Echo", "wirescope.testing.TestService.Echo",
                             "/wirescope.testing.TestService/Echo"}) {
        auto m = (*schema)->findMethod(name);
        ASSERT_TRUE(m) << name;
        EXPECT_EQ(m->path(), "/wirescope.testing.TestService/Echo");
        EXPECT_EQ(m->inputType, "wirescope.testing.EchoRequest");
    }
    auto missing = (*schema)->findMethod("wirescope.testing.TestService/Nope");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("Nope"), std::string::npos);
}

TEST(Schema, SeveralImportRootsAndFilesNamedByDiskPath)
{
    TempDir dir;
    dir.write("common/shared/types.proto",
              "syntax = \"proto3\";\npackage shared;\nmessage Id { string value = 1; }\n");
    const std::string api =
        dir.write("api/svc/api.proto", "syntax = \"proto3\";\npackage svc;\nimport \"shared/types.proto\";\n"
                                       "service Users { rpc Get(shared.Id) returns (shared.Id); }\n");
    const std::string common = (dir.path() / "common").string();
    const std::string apiRoot = (dir.path() / "api").string();
    // Named relative to a root, as protoc wants.
    auto byName = loadFiles({apiRoot, common}, {"svc/api.proto"});
    ASSERT_TRUE(byName) << byName.error().toString();
    EXPECT_TRUE((*byName)->findMethod("svc.Users/Get"));
    // Named by its path on disk under a root: mapped to the same name.
    auto byPath = loadFiles({apiRoot, common}, {api});
    ASSERT_TRUE(byPath) << byPath.error().toString();
    auto svc = (*byPath)->service("svc.Users");
    ASSERT_TRUE(svc);
    EXPECT_EQ(svc->file, "svc/api.proto");
    // A file outside every root says which roots were searched.
    auto outside = loadFiles({common}, {api});
    ASSERT_FALSE(outside);
    EXPECT_NE(allDiagnostics(outside.error()).find(common), std::string::npos)
        << allDiagnostics(outside.error());
}

// A file opened with its own folder as the root while its imports are named from a folder
// above: protobuf says "not defined" at every use of an imported type. Only the missing import
// is reported, with the root that would hold it; an error of the file's own stays.
TEST(Schema, AMissingImportIsReportedOnceWithTheRootThatHoldsIt)
{
    TempDir dir;
    dir.write("acme/api/v1/types.proto", "syntax = \"proto3\";\npackage acme.api.v1;\n"
                                         "message Item { string id = 1; }\nmessage Page { int32 size = 1; }\n");
    dir.write("acme/api/v1/service.proto",
              "syntax = \"proto3\";\npackage acme.api.v1;\n"
              "import \"acme/api/v1/types.proto\";\n"
              "message ListRequest { Page page = 1; Item after = 2; }\n"
              "message ListReply { repeated Item items = 1; Page next = 2; }\n"
              "service Items { rpc List(ListRequest) returns (ListReply); rpc Get(ListRequest) returns (Item); }\n"
              "message Broken { int32 a = 3; int32 b = 3; }\n");
    const std::string own = (dir.path() / "acme/api/v1").string();
    auto wrongRoot = loadFiles({own}, {"service.proto"});
    ASSERT_FALSE(wrongRoot);
    const auto &d = wrongRoot.error().diagnostics;
    ASSERT_EQ(d.size(), 2u) << allDiagnostics(wrongRoot.error());
    const std::string all = allDiagnostics(wrongRoot.error());
    EXPECT_EQ(all.find("is not defined"), std::string::npos) << all;
    EXPECT_NE(all.find("import \"acme/api/v1/types.proto\" (imported by service.proto) was not found"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("add the import root " + dir.path().string() + ", which holds it"), std::string::npos) << all;
    EXPECT_NE(all.find("5 errors that follow from the missing imports not shown"), std::string::npos) << all;
    EXPECT_NE(all.find("service.proto:7:"), std::string::npos) << all; // the file's own error

    // With the root that holds the import, only the file's own error is left.
    auto rightRoot = loadFiles({dir.path().string()}, {"acme/api/v1/service.proto"});
    ASSERT_FALSE(rightRoot);
    EXPECT_EQ(rightRoot.error().diagnostics.size(), 1u) << allDiagnostics(rightRoot.error());
}

// A broken file that is opened and imported too (as every file of a folder is) is parsed
// twice by protobuf; its error is reported once, and its importer adds nothing that follows.
TEST(Schema, AParseErrorOfAFileOpenedAndImportedIsReportedOnce)
{
    TempDir dir;
    dir.write("broken.proto", "syntax = \"proto3\";\nmessage A {\n  string x = ;\n}\n");
    dir.write("user.proto", "syntax = \"proto3\";\nimport \"broken.proto\";\nmessage B { A a = 1; }\n");
    for (const auto &files : {std::vector<std::string>{"broken.proto", "user.proto"},
                              std::vector<std::string>{"user.proto", "broken.proto"}}) {
        auto r = loadFiles({dir.path().string()}, files);
        ASSERT_FALSE(r);
        ASSERT_EQ(r.error().diagnostics.size(), 1u) << allDiagnostics(r.error());
        EXPECT_EQ(r.error().diagnostics[0].file, "broken.proto");
        EXPECT_EQ(r.error().diagnostics[0].line, 3);
        EXPECT_EQ(r.error().message, "1 error in the schema");
    }
}

TEST(Schema, EveryParseErrorHasFileLineAndColumn)
{
    TempDir dir;
    dir.write("broken.proto", "syntax = \"proto3\";\n"
                              "message A {\n"
                              "  string name = 1\n" // missing ';'
                              "}\n"
                              "message B {\n"
                              "  int32 = 2;\n" // missing name
                              "}\n");
    auto r = loadFiles({dir.path().string()}, {"broken.proto"});
    ASSERT_FALSE(r);
    const auto &d = r.error().diagnostics;
    ASSERT_GE(d.size(), 2u) << allDiagnostics(r.error());
    EXPECT_EQ(d[0].file, "broken.proto");
    EXPECT_EQ(d[0].line, 4);
    EXPECT_GT(d[0].column, 0);
    bool sawLine6 = false;
    for (const auto &x : d)
        sawLine6 |= x.line == 6 && x.file == "broken.proto" && x.column > 0;
    EXPECT_TRUE(sawLine6) << allDiagnostics(r.error());
    EXPECT_NE(d[0].toString().find("broken.proto:4:"), std::string::npos);
}

namespace {
// `levels` messages nested in one another, the innermost with a field; a service on the outermost.
std::string nestedMessages(int levels, const std::string &inner = "  string x = 1;\n")
{
    std::string text = "syntax = \"proto3\";\npackage deep;\n";
    for (int i = 0; i < levels; ++i)
        text += "message M" + std::to_string(i) + " {\n";
    text += inner;
    for (int i = 0; i < levels; ++i)
        text += "}\n";
    return text + "service S { rpc Call(M0) returns (M0); }\n";
}
} // namespace

// libprotobuf's parser recurses per nested message: 20 000 levels overflowed the stack, and at 40
// its own error was lost, so list printed nothing and exited 0 (issue 18). The nesting is checked
// first, with protoc's limit and message, at the brace that goes too deep.
TEST(Schema, NestingDeeperThanProtocAllowsIsAnErrorAtItsBrace)
{
    TempDir dir;
    dir.write("ok.proto", nestedMessages(31, "  // { { { braces in comments\n  string x = 1 [json_name = \"{{{\"];\n"
                                             "  enum E { A = 0; }\n  oneof o { int32 y = 2; }\n"));
    auto ok = loadFiles({dir.path().string()}, {"ok.proto"});
    ASSERT_TRUE(ok) << allDiagnostics(ok.error());
    EXPECT_TRUE((*ok)->service("deep.S"));

    for (int levels : {32, 40, 20000}) {
        dir.write("deep.proto", nestedMessages(levels));
        auto r = loadFiles({dir.path().string()}, {"deep.proto"});
        ASSERT_FALSE(r) << levels;
        ASSERT_EQ(r.error().diagnostics.size(), 1u) << allDiagnostics(r.error());
        const auto &d = r.error().diagnostics.front();
        EXPECT_EQ(d.toString(), "deep.proto:34:13: Reached maximum recursion limit for nested messages: more "
                                "than 31 levels (protoc's limit too)");
    }
    // Through an import, and through blocks that are not messages (an option value).
    dir.write("deep.proto", nestedMessages(20000));
    dir.write("user.proto", "syntax = \"proto3\";\nimport \"deep.proto\";\nmessage U { deep.M0 m = 1; }\n");
    auto imported = loadFiles({dir.path().string()}, {"user.proto"});
    ASSERT_FALSE(imported);
    EXPECT_NE(allDiagnostics(imported.error()).find("deep.proto:34:13: Reached maximum recursion limit"),
              std::string::npos)
        << allDiagnostics(imported.error());
    std::string option = "syntax = \"proto3\";\nimport \"google/protobuf/descriptor.proto\";\n"
                         "message O { string s = 1; }\noption (o) = ";
    for (int i = 0; i < 5000; ++i)
        option += "{ s: ";
    dir.write("braces.proto", option + "\n");
    auto braces = loadFiles({dir.path().string()}, {"braces.proto"});
    ASSERT_FALSE(braces);
    EXPECT_NE(allDiagnostics(braces.error()).find("braces.proto:4:"), std::string::npos);
    EXPECT_NE(allDiagnostics(braces.error()).find("nested more than 200 levels"), std::string::npos)
        << allDiagnostics(braces.error());
}

// The pool builds imports from inside their importers: a chain of 20 000 files overflowed the
// stack. Chains are measured first; a long cycle is caught the same way.
TEST(Schema, ImportChainsTooLongAreAnErrorNamingTheChain)
{
    TempDir dir;
    auto chain = [&](int files, bool cycle) {
        for (int i = 0; i < files; ++i) {
            std::string text = "syntax = \"proto3\";\npackage c;\n";
            const int next = i + 1 < files ? i + 1 : (cycle ? 0 : -1);
            if (next >= 0)
                text += "import \"f" + std::to_string(next) + ".proto\";\n";
            text += "message M" + std::to_string(i) + " {}\n";
            dir.write("f" + std::to_string(i) + ".proto", text);
        }
    };
    chain(100, false);
    auto ok = loadFiles({dir.path().string()}, {"f0.proto"});
    EXPECT_TRUE(ok) << allDiagnostics(ok.error());
    for (bool cycle : {false, true}) {
        chain(520, cycle);
        auto r = loadFiles({dir.path().string()}, {"f0.proto"});
        ASSERT_FALSE(r);
        ASSERT_EQ(r.error().diagnostics.size(), 1u) << allDiagnostics(r.error());
        EXPECT_EQ(r.error().diagnostics.front().toString(),
                  "f0.proto: imports nested more than 500 files deep (f0.proto → f1.proto → … → f500.proto)");
    }
}

TEST(Schema, TypeErrorsAreLocatedToo)
{
    TempDir dir;
    dir.write("types.proto", "syntax = \"proto3\";\n"
                             "message A {\n"
                             "  Missing m = 1;\n"
                             "}\n");
    auto r = loadFiles({dir.path().string()}, {"types.proto"});
    ASSERT_FALSE(r);
    const auto text = allDiagnostics(r.error());
    EXPECT_NE(text.find("types.proto:3:"), std::string::npos) << text;
    EXPECT_NE(text.find("Missing"), std::string::npos) << text;
}

TEST(Schema, MissingImportNamesImportImporterAndRoots)
{
    TempDir dir;
    dir.write("main.proto", "syntax = \"proto3\";\nimport \"lib/gone.proto\";\nmessage A { int32 x = 1; }\n");
    auto r = loadFiles({dir.path().string(), "/nonexistent-root"}, {"main.proto"});
    ASSERT_FALSE(r);
    const auto text = allDiagnostics(r.error());
    EXPECT_NE(text.find("lib/gone.proto"), std::string::npos) << text;
    EXPECT_NE(text.find("main.proto"), std::string::npos) << text;
    EXPECT_NE(text.find(dir.path().string()), std::string::npos) << text;
    EXPECT_NE(text.find("/nonexistent-root"), std::string::npos) << text;
}

TEST(Schema, DuplicateSymbolNamesBothFiles)
{
    TempDir dir;
    dir.write("one.proto", "syntax = \"proto3\";\npackage dup;\nmessage Thing { int32 a = 1; }\n");
    dir.write("two.proto", "syntax = \"proto3\";\npackage dup;\nmessage Thing { int32 b = 1; }\n");
    auto r = loadFiles({dir.path().string()}, {"one.proto", "two.proto"});
    ASSERT_FALSE(r);
    const auto text = allDiagnostics(r.error());
    EXPECT_NE(text.find("dup.Thing"), std::string::npos) << text;
    EXPECT_NE(text.find("one.proto"), std::string::npos) << text;
    EXPECT_NE(text.find("two.proto"), std::string::npos) << text;
}

TEST(Schema, WellKnownAndGoogleRpcTypesNeedNoFiles)
{
    TempDir dir;
    dir.write("wkt.proto", "syntax = \"proto3\";\n"
                           "import \"google/protobuf/timestamp.proto\";\n"
                           "import \"google/protobuf/struct.proto\";\n"
                           "import \"google/rpc/status.proto\";\n"
                           "import \"google/rpc/error_details.proto\";\n"
                           "message A { google.protobuf.Timestamp at = 1; google.rpc.Status s = 2;"
                           " google.rpc.BadRequest b = 3; google.protobuf.Struct st = 4; }\n");
    auto r = loadFiles({dir.path().string()}, {"wkt.proto"});
    ASSERT_TRUE(r) << r.error().toString();
    auto bytes = (*r)->encode("A", R"({"at":"2024-01-02T03:04:05Z","s":{"code":5},"st":{"k":[1,"x"]}})", {});
    ASSERT_TRUE(bytes) << bytes.error().toString();
    EXPECT_TRUE((*r)->hasMessage("google.rpc.Status"));
}

TEST(Schema, ProtosetsLoadAndCorruptOnesAreReported)
{
    TempDir dir;
    const std::string set =
        makeProtoset(dir, WIRESCOPE_TEST_PROTO_DIR, "wirescope/testing/test.proto", "test.protoset");
    dir.write("other/extra.proto", "syntax = \"proto3\";\npackage extra;\nmessage E { string s = 1; }\n"
                                   "service X { rpc Do(E) returns (E); }\n");
    const std::string set2 =
        makeProtoset(dir, (dir.path() / "other").string(), "extra.proto", "extra.protoset");

    rpc::SchemaSpec spec;
    spec.protosetFiles = {set, set2};
    auto r = rpc::SchemaLoader().load(spec);
    ASSERT_TRUE(r) << r.error().toString();
    auto names = (*r)->serviceNames();
    ASSERT_TRUE(names);
    EXPECT_EQ(*names, (std::vector<std::string>{"extra.X", "wirescope.testing.TestService"}));
    EXPECT_TRUE((*r)->findMethod("extra.X/Do"));

    const std::string corrupt = dir.write("corrupt.protoset", "\x0a\xff\xff\xff\x0fgarbage");
    spec.protosetFiles = {set, corrupt};
    auto bad = rpc::SchemaLoader().load(spec);
    ASSERT_FALSE(bad);
    const auto text = allDiagnostics(bad.error());
    EXPECT_NE(text.find("corrupt.protoset"), std::string::npos) << text;
    EXPECT_NE(text.find("FileDescriptorSet"), std::string::npos) << text;

    spec.protosetFiles = {(dir.path() / "absent.protoset").string()};
    auto absent = rpc::SchemaLoader().load(spec);
    ASSERT_FALSE(absent);
    EXPECT_NE(allDiagnostics(absent.error()).find("absent.protoset"), std::string::npos);

    // A folder read as a file parsed as an empty set, and -protoset DIR exited 0 (issue 18).
    spec.protosetFiles = {dir.path().string()};
    auto folder = rpc::SchemaLoader().load(spec);
    ASSERT_FALSE(folder);
    EXPECT_NE(allDiagnostics(folder.error()).find("is a folder, not a protoset file"), std::string::npos)
        << allDiagnostics(folder.error());
    spec.protosetFiles = {dir.write("empty.protoset", "")};
    auto empty = rpc::SchemaLoader().load(spec);
    ASSERT_FALSE(empty);
    EXPECT_NE(allDiagnostics(empty.error()).find("it holds no files"), std::string::npos);
}

rpc::Result<rpc::SchemaPtr> loadByReflection(const testing_server::TestServer &server,
                                             rpc::Metadata headers = {})
{
    rpc::SchemaSpec spec;
    spec.useReflection = true;
    spec.reflectionChannel.target = server.address();
    spec.reflectionHeaders = std::move(headers);
    return rpc::SchemaLoader().load(spec);
}

TEST(Schema, ReflectionFallsBackToV1AlphaAndListsOnce)
{
    // gRPC 1.51's C++ server offers only v1alpha, so this exercises the fallback.
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    auto r = loadByReflection(server);
    ASSERT_TRUE(r) << r.error().toString();
    for (int i = 0; i < 2; ++i) { // the second list reuses the stream
        auto names = (*r)->serviceNames();
        ASSERT_TRUE(names) << names.error().message;
        EXPECT_EQ(*names, (std::vector<std::string>{"grpc.reflection.v1alpha.ServerReflection",
                                                    "wirescope.testing.TestService"}));
    }
    auto m = (*r)->findMethod("wirescope.testing.TestService/Chat");
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->kind, rpc::MethodKind::BidiStreaming);
    // Types are fetched on demand, with their dependencies (Timestamp, Any, ...).
    auto bytes = (*r)->encode("wirescope.testing.EchoRequest",
                              R"({"when":"2020-01-01T00:00:00Z","timeout":"1.5s"})", {});
    ASSERT_TRUE(bytes) << bytes.error().toString();
    auto d = (*r)->describe("wirescope.testing.Inner");
    ASSERT_TRUE(d);
    EXPECT_NE(d->text.find("int32 value = 2;"), std::string::npos) << d->text;
}

// Loads a schema by reflection from a server offering v1 as well, answering in `quirk`'s way,
// and uses it: method kinds, a request with well-known types, a description.
void expectUsableV1Schema(testing_server::ReflectionQuirk quirk)
{
    testing_server::ServerOptions o;
    o.reflectionV1 = true;
    o.reflectionV1Quirk = quirk;
    testing_server::TestServer server(o);
    ASSERT_TRUE(server.start());
    auto r = loadByReflection(server);
    ASSERT_TRUE(r) << r.error().toString();
    auto m = (*r)->findMethod("wirescope.testing.TestService/Chat");
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->kind, rpc::MethodKind::BidiStreaming);
    EXPECT_EQ((*r)->reflectionVersion(), "v1");
    auto bytes =
        (*r)->encode("wirescope.testing.EchoRequest",
                     R"({"when":"2020-01-01T00:00:00Z","timeout":"1.5s","attrs":{"a":1},)"
                     R"("extra":{"@type":"type.googleapis.com/wirescope.testing.Inner","name":"x"}})",
                     {});
    ASSERT_TRUE(bytes) << bytes.error().toString();
    auto back = (*r)->decode("wirescope.testing.EchoRequest", *bytes, {});
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_NE(back->find("\"timeout\": \"1.500s\""), std::string::npos) << *back;
    auto d = (*r)->describe("wirescope.testing.EchoRequest");
    ASSERT_TRUE(d) << d.error().message;
    EXPECT_NE(d->text.find(".google.protobuf.Timestamp when = 25;"), std::string::npos) << d->text;
}

TEST(Schema, ReflectionV1IsPreferredWhenOffered)
{
    expectUsableV1Schema(testing_server::ReflectionQuirk::None);
}

TEST(Schema, ReflectionToleratesFilesWithoutDependencyLists)
{
    expectUsableV1Schema(testing_server::ReflectionQuirk::NoDependencies);
}

TEST(Schema, ReflectionToleratesImportsServedUnderAnotherFileName)
{
    expectUsableV1Schema(testing_server::ReflectionQuirk::MergedImports);
}

TEST(Schema, ReflectionRequestsCarryTheGivenHeaders)
{
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    auto r = loadByReflection(server, {{"x-reflect", "yes"}, {"x-key-bin", std::string("\x01\x02", 2)}});
    ASSERT_TRUE(r) << r.error().toString();
    ASSERT_TRUE((*r)->serviceNames());
    auto seen = server.lastReflectionHeaders();
    auto has = [&](const std::string &k, const std::string &v) {
        return std::find(seen.begin(), seen.end(), std::make_pair(k, v)) != seen.end();
    };
    EXPECT_TRUE(has("x-reflect", "yes"));
    EXPECT_TRUE(has("x-key-bin", std::string("\x01\x02", 2)));
}

TEST(Schema, ReflectionFailuresAreClear)
{
    testing_server::ServerOptions o;
    o.reflection = false;
    testing_server::TestServer server(o);
    ASSERT_TRUE(server.start());
    rpc::SchemaSpec spec;
    spec.useReflection = true;
    spec.reflectionChannel.target = server.address();
    auto r = rpc::SchemaLoader().load(spec);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("does not offer reflection"), std::string::npos) << r.error().message;

    spec.reflectionChannel.target = "127.0.0.1:" + std::to_string(deadPort());
    spec.reflectionChannel.connectTimeoutMs = 2000;
    spec.reflectionTimeoutMs = 3000;
    auto dead = rpc::SchemaLoader().load(spec);
    ASSERT_FALSE(dead);
    EXPECT_NE(dead.error().message.find(spec.reflectionChannel.target), std::string::npos)
        << dead.error().message;
}

TEST(Schema, CompositeResolvesAnyFromLocalFilesBesideReflection)
{
    testing_server::TestServer server;
    ASSERT_TRUE(server.start());
    TempDir dir;
    dir.write("local/extra.proto",
              "syntax = \"proto3\";\npackage local;\nmessage Note { string text = 1; }\n");
    rpc::SchemaSpec spec;
    spec.useReflection = true;
    spec.reflectionChannel.target = server.address();
    spec.importPaths = {dir.path().string()};
    spec.protoFiles = {"local/extra.proto"};
    auto r = rpc::SchemaLoader().load(spec);
    ASSERT_TRUE(r) << r.error().toString();
    const char *json = R"({"extra":{"@type":"type.googleapis.com/local.Note","text":"hi"}})";
    auto bytes = (*r)->encode("wirescope.testing.EchoRequest", json, {});
    ASSERT_TRUE(bytes) << bytes.error().toString();
    auto back = (*r)->decode("wirescope.testing.EchoRequest", *bytes, {});
    ASSERT_TRUE(back);
    EXPECT_NE(back->find("local.Note"), std::string::npos) << *back;
    auto names = (*r)->serviceNames();
    ASSERT_TRUE(names);
    EXPECT_EQ(names->size(), 2u);
}

TEST(Schema, CachedReloadReturnsTheSameGenerationUntilAFileChanges)
{
    TempDir dir;
    const std::string file = dir.write("a.proto", "syntax = \"proto3\";\nmessage A { int32 x = 1; }\n");
    rpc::SchemaSpec spec;
    spec.importPaths = {dir.path().string()};
    spec.protoFiles = {"a.proto"};
    rpc::SchemaLoader loader;
    auto first = loader.load(spec);
    ASSERT_TRUE(first);
    auto second = loader.load(spec);
    ASSERT_TRUE(second);
    EXPECT_EQ(first->get(), second->get());
    // A change on disk (another size, so the stamp differs even within one mtime tick).
    dir.write("a.proto", "syntax = \"proto3\";\nmessage A { int32 x = 1; int32 y = 2; }\n");
    auto third = loader.load(spec);
    ASSERT_TRUE(third);
    EXPECT_NE(first->get(), third->get());
    EXPECT_TRUE((*third)->encode("A", R"({"y":3})", {}));
    EXPECT_FALSE((*first)->encode("A", R"({"y":3})", {})); // the old generation is untouched
}

TEST(Schema, LoadingReportsProgressAndCanBeCancelled)
{
    TempDir dir;
    std::vector<std::string> files;
    for (int i = 0; i < 30; ++i) {
        const std::string name = "f" + std::to_string(i) + ".proto";
        dir.write(name,
                  "syntax = \"proto3\";\npackage p" + std::to_string(i) + ";\nmessage M { int32 x = 1; }\n");
        files.push_back(name);
    }
    rpc::SchemaSpec spec;
    spec.importPaths = {dir.path().string()};
    spec.protoFiles = files;

    std::vector<rpc::LoadProgress> seen;
    auto r = rpc::SchemaLoader().load(spec, {}, [&](const rpc::LoadProgress &p) { seen.push_back(p); });
    ASSERT_TRUE(r);
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back().total, 30);
    EXPECT_EQ(seen.back().done, 30);
    for (std::size_t i = 1; i < seen.size(); ++i)
        EXPECT_GE(seen[i].done, seen[i - 1].done);

    // Cancel from the progress callback, half-way.
    std::stop_source stop;
    auto cancelled = rpc::SchemaLoader().load(spec, stop.get_token(), [&](const rpc::LoadProgress &p) {
        if (p.done == 10)
            stop.request_stop();
    });
    ASSERT_FALSE(cancelled);
    EXPECT_NE(cancelled.error().message.find("cancelled"), std::string::npos);

    // The job runs on another thread and reports there.
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    std::thread::id reportedOn;
    rpc::SchemaPtr loaded;
    {
        rpc::SchemaLoadJob job(spec, {}, [&](rpc::Result<rpc::SchemaPtr> result) {
            std::lock_guard lock(mutex);
            reportedOn = std::this_thread::get_id();
            if (result)
                loaded = *result;
            done = true;
            cv.notify_all();
        });
        std::unique_lock lock(mutex);
        ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(20), [&] { return done; }));
    }
    EXPECT_NE(reportedOn, std::this_thread::get_id());
    EXPECT_TRUE(loaded);
}

TEST(Schema, MessageTemplateFillsEveryFieldAndStopsAtCycles)
{
    auto schema = testSchema();
    auto t = schema->messageTemplate("wirescope.testing.EchoRequest");
    ASSERT_TRUE(t) << t.error().message;
    for (const char *field : {"\"text\"", "\"i64\"", "\"data\"", "\"color\"", "\"inner\"", "\"tags\"",
                              "\"counts\"", "\"byId\"", "\"when\"", "\"timeout\"", "\"tree\"", "\"colors\""})
        EXPECT_NE(t->find(field), std::string::npos) << field << " missing in\n" << *t;
    // The template is itself a valid request.
    auto bytes = schema->encode("wirescope.testing.EchoRequest", *t, {});
    EXPECT_TRUE(bytes) << bytes.error().toString() << "\n" << *t;
    // Tree refers to itself: the template must end.
    auto tree = schema->messageTemplate("wirescope.testing.Tree");
    ASSERT_TRUE(tree);
    EXPECT_LT(tree->size(), 2000u);
}

// Found with proto_fuzz on a hand-written schema: types that share children doubled the
// template at every level (40 levels: 2^40 copies, out of memory), and a chain of 5 000 types,
// one field each, recursed 5 000 deep. Both stay small, shallow and valid requests.
TEST(Schema, MessageTemplateStaysSmallForSharedAndLongChainsOfTypes)
{
    TempDir dir;
    auto chain = [](int types, const std::string &fields) {
        std::string text = "syntax = \"proto3\";\npackage t;\n";
        for (int i = 0; i + 1 < types; ++i) {
            std::string f = fields;
            for (std::size_t at; (at = f.find("NEXT")) != std::string::npos;)
                f.replace(at, 4, "M" + std::to_string(i + 1));
            text += "message M" + std::to_string(i) + " { " + f + " }\n";
        }
        return text + "message M" + std::to_string(types - 1) + " { string x = 1; }\n";
    };
    dir.write("wide.proto", chain(40, "NEXT a = 1; NEXT b = 2; map<string, NEXT> c = 3;"));
    dir.write("long.proto", chain(5000, "NEXT next = 1;"));
    for (const char *file : {"wide.proto", "long.proto"}) {
        SCOPED_TRACE(file);
        auto schema = loadFiles({dir.path().string()}, {file});
        ASSERT_TRUE(schema) << allDiagnostics(schema.error());
        auto t = (*schema)->messageTemplate("t.M0");
        ASSERT_TRUE(t) << t.error().message;
        EXPECT_LT(t->size(), 1024u * 1024u);
        EXPECT_NE(t->find("{}"), std::string::npos); // cut somewhere
        auto bytes = (*schema)->encode("t.M0", *t, {});
        EXPECT_TRUE(bytes) << bytes.error().toString();
    }
}

// Found with proto_fuzz: protoc takes a json_name that is not UTF-8; the example request used it
// as the key, and that request could not be sent ("non UTF-8 code points"). It names the field
// by its own name instead, which the encoder takes.
TEST(Schema, MessageTemplateOfAJsonNameThatIsNotUtf8CanBeSent)
{
    TempDir dir;
    dir.write("odd.proto", "syntax = \"proto3\";\npackage t;\n"
                           "message M { string city = 1 [json_name = \"t\xb7wn\"]; int32 n = 2; }\n");
    auto schema = loadFiles({dir.path().string()}, {"odd.proto"});
    ASSERT_TRUE(schema) << allDiagnostics(schema.error());
    auto t = (*schema)->messageTemplate("t.M");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_NE(t->find("\"city\""), std::string::npos) << *t;
    auto bytes = (*schema)->encode("t.M", *t, {});
    EXPECT_TRUE(bytes) << bytes.error().toString();
}

TEST(Schema, DescribeSymbolsInProtoSyntax)
{
    auto schema = testSchema();
    auto svc = schema->describe("wirescope.testing.TestService");
    ASSERT_TRUE(svc);
    EXPECT_EQ(svc->kindName, "service");
    EXPECT_NE(svc->text.find("rpc Chat ( stream .wirescope.testing.ChatMessage ) returns ( stream "
                             ".wirescope.testing.ChatMessage );"),
              std::string::npos)
        << svc->text;
    auto method = schema->describe("wirescope.testing.TestService.Echo");
    ASSERT_TRUE(method);
    EXPECT_EQ(method->kindName, "method");
    auto en = schema->describe("wirescope.testing.Color");
    ASSERT_TRUE(en);
    EXPECT_NE(en->text.find("BLUE = 3;"), std::string::npos);
    EXPECT_FALSE(schema->describe("no.such.Thing"));
}

TEST(Schema, FileDescriptorSetOutputLoadsAgain)
{
    auto schema = testSchema();
    auto set = schema->fileDescriptorSet({"wirescope.testing.TestService"});
    ASSERT_TRUE(set) << set.error().message;
    TempDir dir;
    rpc::SchemaSpec spec;
    spec.protosetFiles = {dir.write("out.protoset", *set)};
    auto again = rpc::SchemaLoader().load(spec);
    ASSERT_TRUE(again) << again.error().toString();
    EXPECT_TRUE((*again)->findMethod("wirescope.testing.TestService/Large"));
}
