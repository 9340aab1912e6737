// SPDX-License-Identifier: GPL-3.0-or-later
// A request's protocol (gRPC, gRPC-Web, Connect) with its HTTP version and codec, as request files
// and the workspace's defaults say it: read and written back, old files read as gRPC, unknown
// values refused by file and key; `run` sending each request by its own protocol against Connect
// for Node (tests/node/connect-server.js), its -protocol flag the default for files that do not
// say; and Copy as curl, whose command the system's curl runs against that server.
#include "models/callrequest.h"
#include "models/grpcurl.h"
#include "models/runner.h"
#include "models/sourcesmodel.h"
#include "models/workspacecontroller.h"
#include "models/workspace.h"

#include "connectserver.h"
#include "qtfiles.h"
#include "testworkspace.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using models::ProtocolChoice;
using models::SavedRequest;
using models::Workspace;

class WebRequestTest : public QObject
{
    Q_OBJECT

private slots:
    void requestFilesKeepTheProtocolChoice();
    void olderFilesReadAsGrpcAndStayUnchanged();
    void unknownValuesNameTheFileAndKey();
    void theWorkspaceDefaultFillsWhatARequestLeavesOut();
    void buildCallRequestCarriesTheProtocol();
    void pastedWirescopeCommandsKeepTheirProtocol();
    void runSendsEachRequestByItsOwnProtocol();
    void openingAWebRequestAsksNoGrpcReflection();
    void copyAsCurlIsOnlyForConnectUnaryCalls();
    void copiedCurlCommandsRunAgainstConnect();
    void pastedCurlCommandsBecomeConnectRequests();
};

// moc cannot read raw string literals; it only needs the class above.
#ifndef Q_MOC_RUN
namespace {

SavedRequest echoRequest(const QString &path, const QString &target)
{
    SavedRequest r;
    r.path = path;
    r.method = QStringLiteral("wirescope.testing.TestService/Echo");
    r.target = target;
    r.body = QStringLiteral("{\"text\": \"hi\"}");
    return r;
}

QString http1()
{
    return QString::fromStdString(testsupport::sharedConnectServer().http1());
}

QString h2c()
{
    return QString::fromStdString(testsupport::sharedConnectServer().h2c());
}

} // namespace

void WebRequestTest::requestFilesKeepTheProtocolChoice()
{
    QTemporaryDir dir;
    Workspace ws = Workspace::open(dir.path());
    SavedRequest r = echoRequest(QStringLiteral("web.json"), QStringLiteral("http://localhost:8080/api"));
    r.protocol = {rpc::Protocol::Connect, rpc::HttpVersion::Http1, rpc::ContentCodec::Json};
    QCOMPARE(ws.save(r).errorMessage(), QString());
    const QByteArray bytes = readFile(dir.filePath(QStringLiteral("web.json")));
    QVERIFY2(bytes.contains("\"protocol\": \"connect\"") && bytes.contains("\"http_version\": \"1.1\"") &&
                 bytes.contains("\"codec\": \"json\""),
             bytes.constData());
    const Workspace again = Workspace::open(dir.path());
    QVERIFY(again.problems().empty());
    QCOMPARE(*again.request(QStringLiteral("web.json")), r);
    QCOMPARE(Workspace::serialize(*again.request(QStringLiteral("web.json"))), bytes);

    // Each value of each key, and a protocol alone.
    for (const ProtocolChoice &choice :
         {ProtocolChoice{rpc::Protocol::GrpcWeb, rpc::HttpVersion::Http2, std::nullopt},
          ProtocolChoice{rpc::Protocol::GrpcWebText, std::nullopt, std::nullopt},
          ProtocolChoice{rpc::Protocol::Grpc, std::nullopt, std::nullopt},
          ProtocolChoice{rpc::Protocol::Connect, std::nullopt, rpc::ContentCodec::Proto}}) {
        r.protocol = choice;
        const auto parsed = Workspace::parseRequest(Workspace::serialize(r), r.path);
        QVERIFY2(parsed, qPrintable(parsed.errorMessage()));
        QCOMPARE(*parsed, r);
    }
    // The spelling the CLI also takes.
    const auto dashed = Workspace::parseRequest(R"({"method": "a.B/C", "protocol": "grpc-web"})", QStringLiteral("d.json"));
    QVERIFY(dashed);
    QCOMPARE(dashed->protocol.protocol, std::optional(rpc::Protocol::GrpcWeb));
}

void WebRequestTest::olderFilesReadAsGrpcAndStayUnchanged()
{
    QTemporaryDir dir;
    const QByteArray old = R"({
    "assertions": {
    },
    "body": {"text": "x"},
    "connection": "",
    "deadline_seconds": 0,
    "format_version": 1,
    "metadata": [
    ],
    "method": "wirescope.testing.TestService/Echo",
    "target": "localhost:50051"
}
)";
    writeFile(dir.filePath(QStringLiteral("old.json")), old);
    const Workspace ws = Workspace::open(dir.path());
    QVERIFY(ws.problems().empty());
    const SavedRequest *r = ws.request(QStringLiteral("old.json"));
    QVERIFY(r);
    QVERIFY(r->protocol.isEmpty());
    QCOMPARE(r->protocol.effectiveProtocol(), rpc::Protocol::Grpc);
    // Saved again unchanged, not a byte differs: no keys appear for what the file did not say.
    QCOMPARE(Workspace::serialize(*r), old);
}

void WebRequestTest::unknownValuesNameTheFileAndKey()
{
    QTemporaryDir dir;
    const std::pair<const char *, const char *> cases[] = {
        {R"({"method": "a.B/C", "protocol": "soap"})", "\"protocol\" must be \"grpc\", \"grpcweb\", \"grpcweb-text\" or \"connect\", not \"soap\""},
        {R"({"method": "a.B/C", "http_version": "3"})", "\"http_version\" must be \"1.1\" or \"2\", not \"3\""},
        {R"({"method": "a.B/C", "codec": "xml"})", "\"codec\" must be \"proto\" or \"json\", not \"xml\""},
        {R"({"method": "a.B/C", "http_version": 2})", "\"http_version\" must be a string"},
    };
    int n = 0;
    for (const auto &[file, message] : cases) {
        const QString name = QStringLiteral("bad/%1.json").arg(++n);
        writeFile(dir.filePath(name), file);
    }
    writeFile(dir.filePath(QStringLiteral("good.json")), R"({"method": "a.B/C", "protocol": "connect"})");
    const Workspace ws = Workspace::open(dir.path());
    QCOMPARE(ws.requests().size(), std::size_t(1)); // the rest still loads
    QCOMPARE(ws.problems().size(), std::size_t(4));
    for (std::size_t i = 0; i < 4; ++i) {
        const QString text = ws.problems()[i].toString();
        QVERIFY2(text.startsWith(QStringLiteral("bad/%1.json: ").arg(i + 1)), qPrintable(text));
        QVERIFY2(text.contains(QString::fromUtf8(cases[i].second)), qPrintable(text));
    }
    // A bad default is said once, on open, and not used.
    writeFile(dir.filePath(QStringLiteral("wirescope.json")), R"({"defaults": {"codec": "yaml"}})");
    const Workspace withBadDefault = Workspace::open(dir.path());
    QVERIFY(std::any_of(withBadDefault.problems().begin(), withBadDefault.problems().end(), [](const auto &p) {
        return p.file == QLatin1String("wirescope.json") &&
               p.message.contains(QStringLiteral("\"defaults\": \"codec\" must be \"proto\" or \"json\", not \"yaml\""));
    }));
    QVERIFY(models::withDefaults(echoRequest(QStringLiteral("x.json"), QString()), withBadDefault.settings())
                .protocol.isEmpty());
}

void WebRequestTest::theWorkspaceDefaultFillsWhatARequestLeavesOut()
{
    models::WorkspaceSettings settings;
    settings.defaults = QJsonDocument::fromJson(R"({"protocol": "connect", "http_version": "1.1", "codec": "json"})")
                            .object();
    SavedRequest r = echoRequest(QStringLiteral("a.json"), QStringLiteral("h:1"));
    // Saying nothing: all three from the defaults.
    QCOMPARE(models::withDefaults(r, settings).protocol,
             (ProtocolChoice{rpc::Protocol::Connect, rpc::HttpVersion::Http1, rpc::ContentCodec::Json}));
    // Its own codec only: the default protocol and version, its codec.
    r.protocol.codec = rpc::ContentCodec::Proto;
    QCOMPARE(models::withDefaults(r, settings).protocol,
             (ProtocolChoice{rpc::Protocol::Connect, rpc::HttpVersion::Http1, rpc::ContentCodec::Proto}));
    // Naming gRPC: nothing of Connect's HTTP/1.1 is taken (gRPC needs HTTP/2).
    r.protocol = {rpc::Protocol::Grpc, std::nullopt, std::nullopt};
    const SavedRequest grpc = models::withDefaults(r, settings);
    QCOMPARE(grpc.protocol, r.protocol);
    QVERIFY(grpc.protocol.problem(rpc::MethodKind::Unary, false).isEmpty());
    // gRPC with the HTTP/1.1 a web protocol left in the window's (then disabled) box: HTTP/2.
    const ProtocolChoice leftOver{rpc::Protocol::Grpc, rpc::HttpVersion::Http1, std::nullopt};
    QVERIFY(leftOver.problem(rpc::MethodKind::Unary, false).isEmpty());
    rpc::CallRequest call;
    leftOver.applyTo(call);
    QCOMPARE(call.httpVersion, rpc::HttpVersion::Default);
    // What a protocol cannot do is said before anything is sent.
    r.protocol = {rpc::Protocol::GrpcWeb, std::nullopt, std::nullopt};
    QVERIFY2(r.protocol.problem(rpc::MethodKind::ClientStreaming, false).contains(QStringLiteral("gRPC-Web cannot stream requests")),
             qPrintable(r.protocol.problem(rpc::MethodKind::ClientStreaming, false)));
    r.protocol = {rpc::Protocol::Connect, rpc::HttpVersion::Http1, std::nullopt};
    QVERIFY(r.protocol.problem(rpc::MethodKind::BidiStreaming, false).contains(QStringLiteral("bidi stream needs HTTP/2")));
    QVERIFY(r.protocol.problem(rpc::MethodKind::ServerStreaming, false).isEmpty());
}

void WebRequestTest::buildCallRequestCarriesTheProtocol()
{
    std::string error;
    const std::string set = testsupport::ConnectServer::descriptorSet(&error);
    QVERIFY2(error.empty(), error.c_str());
    rpc::SchemaSpec spec;
    spec.protosetFiles = {set};
    rpc::SchemaLoader loader;
    auto schema = loader.load(spec);
    QVERIFY2(schema, schema ? "" : schema.error().toString().c_str());
    auto method = (*schema)->findMethod("wirescope.testing.TestService/Echo");
    QVERIFY(method);
    SavedRequest r = echoRequest(QStringLiteral("a.json"), QStringLiteral("http://h:1/prefix"));
    r.protocol = {rpc::Protocol::Connect, rpc::HttpVersion::Http2, rpc::ContentCodec::Json};
    auto call = models::buildCallRequest(r, {}, {}, {}, *schema, *method, models::BodyMode::Complete, {});
    QVERIFY2(call, qPrintable(call.errorMessage()));
    QCOMPARE(call->protocol, rpc::Protocol::Connect);
    QCOMPARE(call->httpVersion, rpc::HttpVersion::Http2);
    QCOMPARE(call->contentCodec, rpc::ContentCodec::Json);
    QCOMPARE(call->channel.target, std::string("http://h:1/prefix"));
    // gRPC-Web has no codec choice; an old request is gRPC.
    r.protocol = {rpc::Protocol::GrpcWeb, std::nullopt, rpc::ContentCodec::Json};
    call = models::buildCallRequest(r, {}, {}, {}, *schema, *method, models::BodyMode::Complete, {});
    QCOMPARE(call->protocol, rpc::Protocol::GrpcWeb);
    QCOMPARE(call->contentCodec, rpc::ContentCodec::Proto);
    r.protocol = {};
    call = models::buildCallRequest(r, {}, {}, {}, *schema, *method, models::BodyMode::Complete, {});
    QVERIFY(!call);
    QVERIFY2(call.errorMessage().contains(QStringLiteral("gRPC cannot put the path prefix \"/prefix\"")),
             qPrintable(call.errorMessage()));
    // For gRPC a URL names the server, and its scheme the security.
    r.target = QStringLiteral("https://h:1");
    call = models::buildCallRequest(r, {}, {}, {}, *schema, *method, models::BodyMode::Complete, {});
    QVERIFY2(call, qPrintable(call.errorMessage()));
    QCOMPARE(call->protocol, rpc::Protocol::Grpc);
    QCOMPARE(call->httpVersion, rpc::HttpVersion::Default);
    QCOMPARE(call->channel.target, std::string("h:1"));
    QVERIFY(!call->channel.plaintext);
}

void WebRequestTest::pastedWirescopeCommandsKeepTheirProtocol()
{
    const auto parsed = models::parseGrpcurl(
        QStringLiteral("wirescope-cli -protocol connect -http-version 2 -codec json -d '{}' http://h:1/api a.B/C"));
    QVERIFY2(parsed, qPrintable(parsed.errorMessage()));
    QCOMPARE(parsed->request.protocol,
             (ProtocolChoice{rpc::Protocol::Connect, rpc::HttpVersion::Http2, rpc::ContentCodec::Json}));
    QCOMPARE(parsed->request.target, QStringLiteral("http://h:1/api"));
    const auto bad = models::parseGrpcurl(QStringLiteral("wirescope-cli -protocol soap h:1 a.B/C"));
    QVERIFY(!bad);
    QVERIFY2(bad.errorMessage().contains(QStringLiteral("-protocol: \"protocol\" must be")), qPrintable(bad.errorMessage()));
    // grpcurl cannot make a Connect call: Copy as grpcurl refuses, saying what can.
    const auto grpcurl = models::toGrpcurl(parsed->request, parsed->connection, {}, {}, {}, {});
    QVERIFY(!grpcurl);
    QVERIFY2(grpcurl.errorMessage().contains(QStringLiteral("grpcurl speaks gRPC only")), qPrintable(grpcurl.errorMessage()));
}

// Each request goes by the protocol its file names; the run's -protocol is the default for the
// others, and the workspace's defaults come after it. Connect for Node echoes the request
// headers, so the content type shows which protocol and codec each call used.
void WebRequestTest::runSendsEachRequestByItsOwnProtocol()
{
    QVERIFY2(testsupport::sharedConnectServer().problem().empty(), testsupport::sharedConnectServer().problem().c_str());
    QTemporaryDir dir;
    Workspace ws = workspaceWithTestProto(dir.path());
    models::WorkspaceSettings settings = ws.settings();
    settings.defaults = QJsonDocument::fromJson(R"({"protocol": "connect"})").object();
    QCOMPARE(ws.saveSettings(settings).errorMessage(), QString());
    auto expectType = [](const char *type) {
        return QJsonDocument::fromJson(
                   QStringLiteral(R"({"json": [{"path": "$.metadata.content-type", "equals": "%1"}]})")
                       .arg(QLatin1String(type))
                       .toUtf8())
            .object();
    };
    SavedRequest connect = echoRequest(QStringLiteral("a-connect.json"),
                                       QStringLiteral("http://%1/prefix/api").arg(h2c()));
    connect.protocol = {rpc::Protocol::Connect, rpc::HttpVersion::Http2, rpc::ContentCodec::Json};
    connect.assertions = expectType("application/json");
    SavedRequest grpc = echoRequest(QStringLiteral("b-grpc.json"), h2c());
    grpc.protocol = {rpc::Protocol::Grpc, std::nullopt, std::nullopt};
    grpc.assertions = expectType("application/grpc");
    SavedRequest web = echoRequest(QStringLiteral("c-grpcweb.json"), QStringLiteral("http://%1").arg(http1()));
    web.protocol = {rpc::Protocol::GrpcWeb, std::nullopt, std::nullopt};
    web.assertions = expectType("application/grpc-web+proto");
    SavedRequest unsaid = echoRequest(QStringLiteral("d-default.json"), QStringLiteral("http://%1").arg(http1()));
    for (const SavedRequest &r : {connect, grpc, web, unsaid})
        QCOMPARE(ws.save(r).errorMessage(), QString());

    auto runWith = [&](const ProtocolChoice &flags, const char *defaultType) {
        unsaid.assertions = expectType(defaultType);
        QCOMPARE(ws.save(unsaid).errorMessage(), QString());
        models::Runner runner(Workspace::open(dir.path()));
        models::RunOptions options;
        options.protocol = flags;
        const auto results = runner.run(options);
        QCOMPARE(results.size(), std::size_t(4));
        for (const auto &r : results) {
            QStringList failed;
            for (const auto &a : r.assertions)
                if (!a.passed)
                    failed << a.detail;
            QVERIFY2(r.passed(), qPrintable(r.path + QStringLiteral(": ") + r.error + failed.join(QLatin1Char(' '))));
        }
    };
    // Without flags the file that says nothing takes the workspace's default (Connect, proto).
    runWith({}, "application/proto");
    if (QTest::currentTestFailed())
        return;
    // -protocol grpcweb: the default for that file only; the others keep their own.
    runWith({rpc::Protocol::GrpcWeb, std::nullopt, std::nullopt}, "application/grpc-web+proto");
    if (QTest::currentTestFailed())
        return;
    // -codec json alone: the workspace's protocol with the flag's codec.
    runWith({std::nullopt, std::nullopt, rpc::ContentCodec::Json}, "application/json");
}

// A request whose method no loaded schema has waits for one; reflection (gRPC) is asked only for
// a gRPC request, at the host:port of a URL target.
void WebRequestTest::openingAWebRequestAsksNoGrpcReflection()
{
    QTemporaryDir data;
    models::SourcesModel sources;
    models::WorkspaceController controller(sources, data.path());
    QSignalSpy said(&controller, &models::WorkspaceController::statusMessage);
    models::RequestToOpen open;
    open.request = echoRequest(QStringLiteral("a.json"), QStringLiteral("http://127.0.0.1:1/prefix/api"));
    open.request.protocol.protocol = rpc::Protocol::Connect;
    controller.openRequest(open);
    QCOMPARE(sources.sourceCount(), 0);
    QVERIFY(!said.isEmpty());
    QVERIFY2(said.last().at(0).toString().contains(QStringLiteral("a Connect request takes its schema from .proto files")),
             qPrintable(said.last().at(0).toString()));

    open.request.target = QStringLiteral("https://127.0.0.1:1");
    open.request.protocol = {};
    controller.openRequest(open);
    QCOMPARE(sources.sourceCount(), 1);
    const int id = sources.index(0, 0).data(models::SourcesModel::SourceIdRole).toInt();
    QCOMPARE(sources.spec(id)->schema.reflectionChannel.target, std::string("127.0.0.1:1"));
    QVERIFY(!sources.spec(id)->schema.reflectionChannel.plaintext);
}

void WebRequestTest::copyAsCurlIsOnlyForConnectUnaryCalls()
{
    SavedRequest r = echoRequest(QStringLiteral("a.json"), QStringLiteral("h:1"));
    QVERIFY2(models::curlProblem(r, rpc::MethodKind::Unary).contains(QStringLiteral("goes over gRPC (Copy as grpcurl")),
             qPrintable(models::curlProblem(r, rpc::MethodKind::Unary)));
    r.protocol.protocol = rpc::Protocol::GrpcWeb;
    QVERIFY(models::curlProblem(r, rpc::MethodKind::Unary).contains(QStringLiteral("goes over gRPC-Web")));
    r.protocol.protocol = rpc::Protocol::Connect;
    QVERIFY(models::curlProblem(r, rpc::MethodKind::Unary).isEmpty());
    QVERIFY2(models::curlProblem(r, rpc::MethodKind::ServerStreaming)
                 .contains(QStringLiteral("wirescope.testing.TestService/Echo is a server streaming call")),
             qPrintable(models::curlProblem(r, rpc::MethodKind::ServerStreaming)));
    const auto refused = models::toCurl(r, {}, rpc::MethodKind::BidiStreaming, {});
    QVERIFY(!refused);

    // The flags for the HTTP version, TLS and the deadline.
    r.deadlineSeconds = 1.5;
    r.protocol.httpVersion = rpc::HttpVersion::Http2;
    auto command = models::toCurl(r, {}, rpc::MethodKind::Unary, {});
    QVERIFY2(command, qPrintable(command.errorMessage()));
    QCOMPARE(*command, QStringLiteral("curl --http2-prior-knowledge -H 'Content-Type: application/json' "
                                      "-H 'Connect-Protocol-Version: 1' -H 'Connect-Timeout-Ms: 1500' "
                                      "--data-raw '{\"text\": \"hi\"}' http://h:1/wirescope.testing.TestService/Echo"));
    models::ConnectionSettings tls;
    tls.plaintext = false;
    tls.skipVerify = true;
    tls.serverName = QStringLiteral("api.example");
    r.protocol.httpVersion = rpc::HttpVersion::Http1;
    r.deadlineSeconds = 0;
    command = models::toCurl(r, tls, rpc::MethodKind::Unary, {});
    QVERIFY2(command->startsWith(QStringLiteral("curl --http1.1 --insecure --connect-to api.example::h:1 ")),
             qPrintable(*command));
    QVERIFY2(command->endsWith(QStringLiteral(" https://api.example:1/wirescope.testing.TestService/Echo")),
             qPrintable(*command));
}

// The copied command, run by /bin/sh with the system's curl against Connect for Node, gets the
// reply: over HTTP/1.1 and HTTP/2, under a path prefix, with a header and a body holding ' and $,
// and with a secret read from the shell's environment.
void WebRequestTest::copiedCurlCommandsRunAgainstConnect()
{
    QVERIFY2(testsupport::sharedConnectServer().problem().empty(), testsupport::sharedConnectServer().problem().c_str());
    const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    QVERIFY2(!curl.isEmpty(), "curl is not installed (scripts/install-deps.sh installs it)");
    const models::Environment env{QStringLiteral("test"),
                                  {{QStringLiteral("word"), QStringLiteral("it's $HOME `x` ${y} !"), false},
                                   {QStringLiteral("token"), QString(), true}}};
    auto runShell = [](const QString &line) {
        QProcess sh;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("WIRESCOPE_VAR_TOKEN"), QStringLiteral("tok 'ABC'"));
        sh.setProcessEnvironment(environment);
        sh.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), line});
        sh.waitForFinished(30000);
        // The reply alone: curl's progress meter goes to standard error.
        return std::make_pair(sh.exitCode(), QString::fromUtf8(sh.readAllStandardOutput()));
    };
    struct Case
    {
        QString target;
        std::optional<rpc::HttpVersion> version;
    };
    for (const Case &c : {Case{http1(), std::nullopt}, Case{QStringLiteral("http://%1/prefix/api").arg(http1()), rpc::HttpVersion::Http1},
                          Case{QStringLiteral("http://%1").arg(h2c()), rpc::HttpVersion::Http2}}) {
        SavedRequest r = echoRequest(QStringLiteral("a.json"), c.target);
        r.protocol = {rpc::Protocol::Connect, c.version, rpc::ContentCodec::Proto};
        r.body = QStringLiteral("{\n  \"text\": \"{{word}}\",\n  \"i64\": \"9007199254740993\"\n}");
        r.metadata = {{QStringLiteral("x-note"), QStringLiteral("{{word}}")},
                      {QStringLiteral("x-token"), QStringLiteral("Bearer {{token}}")},
                      {QStringLiteral("x-raw-bin"), QStringLiteral("AAEC")}};
        r.deadlineSeconds = 5;
        const auto command = models::toCurl(r, {}, rpc::MethodKind::Unary, env);
        QVERIFY2(command, qPrintable(command.errorMessage()));
        QVERIFY2(!command->contains(QStringLiteral("tok 'ABC'")), qPrintable(*command));
        const auto [code, out] = runShell(*command);
        QVERIFY2(code == 0, qPrintable(*command + QLatin1Char('\n') + out));
        const QJsonObject reply = QJsonDocument::fromJson(out.toUtf8()).object();
        QVERIFY2(!reply.isEmpty(), qPrintable(*command + QLatin1Char('\n') + out));
        const QJsonObject echo = reply.value(QStringLiteral("echo")).toObject();
        QCOMPARE(echo.value(QStringLiteral("text")).toString(), QStringLiteral("it's $HOME `x` ${y} !"));
        QCOMPARE(echo.value(QStringLiteral("i64")).toString(), QStringLiteral("9007199254740993"));
        const QJsonObject metadata = reply.value(QStringLiteral("metadata")).toObject();
        QCOMPARE(metadata.value(QStringLiteral("x-note")).toString(), QStringLiteral("it's $HOME `x` ${y} !"));
        QCOMPARE(metadata.value(QStringLiteral("x-token")).toString(), QStringLiteral("Bearer tok 'ABC'"));
        QCOMPARE(metadata.value(QStringLiteral("content-type")).toString(), QStringLiteral("application/json"));
        QCOMPARE(metadata.value(QStringLiteral("connect-protocol-version")).toString(), QStringLiteral("1"));
        QCOMPARE(metadata.value(QStringLiteral("connect-timeout-ms")).toString(), QStringLiteral("5000"));
    }
    // An error comes back as Connect's JSON error, which curl prints.
    SavedRequest fail = echoRequest(QStringLiteral("f.json"), http1());
    fail.method = QStringLiteral("wirescope.testing.TestService/Fail");
    fail.body = QStringLiteral(R"({"code": 5, "message": "none here"})");
    fail.protocol.protocol = rpc::Protocol::Connect;
    const auto command = models::toCurl(fail, {}, rpc::MethodKind::Unary, env);
    QVERIFY2(command, qPrintable(command.errorMessage()));
    const auto [code, out] = runShell(*command);
    QCOMPARE(code, 0);
    QVERIFY2(out.contains(QStringLiteral("\"code\":\"not_found\"")) && out.contains(QStringLiteral("none here")),
             qPrintable(out));
}

// A curl command pasted into the window: what Copy as curl writes reads back to the same request,
// a Postman-style command is read too, and what cannot be a Connect unary call says why.
void WebRequestTest::pastedCurlCommandsBecomeConnectRequests()
{
    SavedRequest r = echoRequest(QStringLiteral("a.json"), QStringLiteral("http://h:1/prefix/api"));
    r.protocol = {rpc::Protocol::Connect, rpc::HttpVersion::Http2, rpc::ContentCodec::Json};
    r.body = QStringLiteral("{\n  \"text\": \"it's\"\n}");
    r.metadata = {{QStringLiteral("x-note"), QStringLiteral("a b")}};
    r.deadlineSeconds = 1.5;
    models::ConnectionSettings tls;
    tls.plaintext = false;
    tls.caFile = QStringLiteral("/tmp/ca.pem");
    tls.serverName = QStringLiteral("api.example");
    for (const bool secure : {false, true}) {
        SavedRequest sent = r;
        if (secure)
            sent.target = QStringLiteral("h:443");
        const models::ConnectionSettings connection = secure ? tls : models::ConnectionSettings{};
        const auto command = models::toCurl(sent, connection, rpc::MethodKind::Unary, {});
        QVERIFY2(command, qPrintable(command.errorMessage()));
        const auto back = models::parseGrpcurl(*command);
        QVERIFY2(back, qPrintable(*command + QStringLiteral(": ") + back.errorMessage()));
        QCOMPARE(back->request.method, sent.method);
        QCOMPARE(back->request.target, sent.target);
        QCOMPARE(back->request.body, sent.body);
        QCOMPARE(back->request.metadata, sent.metadata);
        QCOMPARE(back->request.deadlineSeconds, sent.deadlineSeconds);
        QCOMPARE(back->request.protocol.protocol, std::optional(rpc::Protocol::Connect));
        QCOMPARE(back->request.protocol.httpVersion, std::optional(rpc::HttpVersion::Http2));
        QCOMPARE(back->connection.plaintext, !secure);
        QCOMPARE(back->connection.caFile, connection.caFile);
        QCOMPARE(back->connection.serverName, connection.serverName);
    }

    // As Postman copies a call: --location, --header, --data; -sS run together; -X POST.
    const auto postman = models::parseGrpcurl(QStringLiteral(
        "curl -sS --location -X POST 'https://api.example.com/acme.v1.Orders/Get' --header 'Content-Type: application/json' "
        "--header 'Authorization: Bearer t0k' --data '{\"id\": 7}'"));
    QVERIFY2(postman, qPrintable(postman.errorMessage()));
    QCOMPARE(postman->request.method, QStringLiteral("acme.v1.Orders/Get"));
    QCOMPARE(postman->request.target, QStringLiteral("api.example.com:443"));
    QVERIFY(!postman->connection.plaintext);
    QCOMPARE(postman->request.metadata, (std::vector<std::pair<QString, QString>>{{QStringLiteral("authorization"), QStringLiteral("Bearer t0k")}}));
    QCOMPARE(postman->request.body, QStringLiteral("{\n  \"id\": 7\n}"));

    // curl takes the first --connect-to that matches the URL (names compared without case).
    const auto hops = models::parseGrpcurl(QStringLiteral(
        "curl --connect-to other:443:10.0.0.1:1 --connect-to API.example:443:127.0.0.1:8443 "
        "--connect-to api.example:443:10.0.0.2:2 -d '{}' https://api.example/a.B/C"));
    QVERIFY2(hops, qPrintable(hops.errorMessage()));
    QCOMPARE(hops->request.target, QStringLiteral("127.0.0.1:8443"));
    QCOMPARE(hops->connection.serverName, QStringLiteral("api.example"));

    // What cannot be pasted names itself; a flag as typed (it once read "-data-urlencode").
    const std::pair<const char *, const char *> refused[] = {
        {"curl -X GET http://h:1/a.B/C", "curl -X GET: a Connect call is a POST"},
        {"curl --data-binary @body.bin http://h:1/a.B/C", "reads the body from a file"},
        {"curl -H 'Content-Type: application/proto' --data-raw x http://h:1/a.B/C", "sends application/proto"},
        {"curl -H 'content-type: application/grpc' http://h:1/a.B/C", "paste a grpcurl command"},
        {"curl --data-urlencode a=b http://h:1/a.B/C", "the curl flag --data-urlencode is not one"},
        {"curl -d '{}'", "the curl command has no URL"},
        {"curl http://h:1/health", "does not end in /package.Service/Method"},
        {"curl -d '{\"a\": 1} {\"a\": 2}' http://h:1/a.B/C", "a Connect unary call sends one message"},
        {"curl -H 'Connect-Timeout-Ms: soon' http://h:1/a.B/C", "Connect-Timeout-Ms needs a positive number"},
        {"grpcurl --bogus h:1 a.B/C", "the flag --bogus is not one"},
        {"curl --unix-socket /s http://localhost/api/a.B/C", "takes no path prefix (/api"},
    };
    for (const auto &[line, why] : refused) {
        const auto parsed = models::parseGrpcurl(QString::fromUtf8(line));
        QVERIFY2(!parsed, line);
        QVERIFY2(parsed.errorMessage().contains(QString::fromUtf8(why)), qPrintable(parsed.errorMessage()));
    }
}

#endif

QTEST_GUILESS_MAIN(WebRequestTest)
#include "webrequest_test.moc"
