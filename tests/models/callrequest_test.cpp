// SPDX-License-Identifier: GPL-3.0-or-later
// The one path from a saved request, its connection, an environment and secrets to an engine
// request (models/callrequest.h, models/connectionsettings.h), without widgets or a server:
// variables by exact {{name}}, the -bin rule, exact units from files and commands to the engine,
// and how a body becomes messages.
#include "models/callrequest.h"
#include "models/connectionsettings.h"
#include "models/grpcurl.h"
#include "models/softassert.h"
#include "models/workspace.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using models::ConnectionSettings;
using models::Environment;
using models::SavedRequest;

namespace {

QString S(const char *text)
{
    return QString::fromUtf8(text);
}

Environment staging()
{
    return Environment{QStringLiteral("staging"),
                       {{QStringLiteral("host"), QStringLiteral("staging.example"), false},
                        {QStringLiteral("tokenId"), QStringLiteral("id-7"), false},
                        {QStringLiteral("token"), QString(), true},
                        {QStringLiteral("given"), QStringLiteral("from --var"), true}}};
}

rpc::MethodInfo method(rpc::MethodKind kind)
{
    rpc::MethodInfo m;
    m.serviceName = "pkg.Svc";
    m.name = "M";
    m.fullName = "pkg.Svc.M";
    m.kind = kind;
    return m;
}

} // namespace

class CallRequestTest : public QObject
{
    Q_OBJECT

private slots:
    void variablesAreFilledByExactName_data();
    void variablesAreFilledByExactName();
    void oneRuleForBinaryHeaders_data();
    void oneRuleForBinaryHeaders();
    void connectionsOfAWorkspaceKeepExactUnits_data();
    void connectionsOfAWorkspaceKeepExactUnits();
    void deadlinesAreExactMilliseconds_data();
    void deadlinesAreExactMilliseconds();
    void theBodyBecomesMessages_data();
    void theBodyBecomesMessages();
    void aResolvedRequestCarriesEverythingTheEngineNeeds();
    void grpcurlFlagsRoundTripExactly();
    void aBrokenInvariantIsLoggedAndRecovered();
};

// `secrets` answers for "token" only, and records every name it is asked for.
void CallRequestTest::variablesAreFilledByExactName_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QStringList>("asked");
    const QStringList none;
    QTest::newRow("plain") << S("{{host}}:443") << S("staging.example:443") << S("") << none;
    QTest::newRow("spaces inside") << S("Bearer {{ token }}") << S("Bearer s3cr3t") << S("") << QStringList{S("token")};
    QTest::newRow("twice") << S(R"({"a": "{{host}}", "b": "{{host}}"})")
                           << S(R"({"a": "staging.example", "b": "staging.example"})") << S("") << none;
    // The name is compared whole: tokenId is not the secret token, so no one is asked for it.
    QTest::newRow("a longer name") << S("{{tokenId}}") << S("id-7") << S("") << none;
    QTest::newRow("the name as text") << S(R"({"tokenId": "{{host}}"})") << S(R"({"tokenId": "staging.example"})")
                                      << S("") << none;
    QTest::newRow("a secret with a value") << S("{{given}}") << S("from --var") << S("") << none;
    QTest::newRow("unknown") << S("{{port}}") << S("")
                             << S(R"({{port}} in the target is not a variable of environment "staging")") << none;
    QTest::newRow("no braces") << S("no braces {here}") << S("no braces {here}") << S("") << none;
    QTest::newRow("unclosed") << S("{{host") << S("{{host") << S("") << none;
}

void CallRequestTest::variablesAreFilledByExactName()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QFETCH(QString, error);
    QFETCH(QStringList, asked);
    QStringList seen;
    const models::SecretLookup secrets = [&seen](const QString &name, const QString &) -> models::Result<QString> {
        seen << name;
        if (name == QLatin1String("token"))
            return QStringLiteral("s3cr3t");
        return models::fail(QStringLiteral("no value for %1").arg(name));
    };
    const auto resolved = models::resolveVariables(text, staging(), QStringLiteral("target"), secrets);
    if (error.isEmpty()) {
        QVERIFY2(resolved, qPrintable(resolved.errorMessage()));
        QCOMPARE(*resolved, expected);
    } else {
        QVERIFY(!resolved);
        QCOMPARE(resolved.errorMessage(), error);
        QCOMPARE(resolved.error().where, QStringLiteral("target"));
    }
    QCOMPARE(seen, asked);
}

void CallRequestTest::oneRuleForBinaryHeaders_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QByteArray>("name");
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("error");
    QTest::newRow("text") << S("X-Trace") << S("abc") << QByteArray("x-trace") << QByteArray("abc") << S("");
    QTest::newRow("standard") << S("x-raw-bin") << S("AAH/") << QByteArray("x-raw-bin") << QByteArray("\x00\x01\xff", 3)
                              << S("");
    QTest::newRow("url-safe, unpadded") << S("x-raw-bin") << S("AAH_") << QByteArray("x-raw-bin")
                                        << QByteArray("\x00\x01\xff", 3) << S("");
    QTest::newRow("padded") << S("x-one-bin") << S("AQ==") << QByteArray("x-one-bin") << QByteArray("\x01", 1) << S("");
    // The window once decoded this leniently (to some bytes) while `run` refused it.
    QTest::newRow("not base64") << S("X-Raw-Bin") << S("not base64!") << QByteArray() << QByteArray()
                                << S(R"(header "x-raw-bin": the value of a -bin header must be base64)");
}

void CallRequestTest::oneRuleForBinaryHeaders()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QFETCH(QByteArray, name);
    QFETCH(QByteArray, bytes);
    QFETCH(QString, error);
    const auto entry = models::metadataEntry(key, value);
    if (!error.isEmpty()) {
        QVERIFY(!entry);
        QCOMPARE(entry.errorMessage(), error);
        return;
    }
    QVERIFY2(entry, qPrintable(entry.errorMessage()));
    QCOMPARE(QByteArray::fromStdString(entry->first), name);
    QCOMPARE(QByteArray::fromStdString(entry->second), bytes);

    // The same rule through a whole request.
    SavedRequest r;
    r.target = QStringLiteral("h:1");
    r.metadata = {{key, value}};
    const auto resolved = models::resolveRequest(r, {}, {}, {}, {});
    QVERIFY(resolved);
    QCOMPARE(QByteArray::fromStdString(resolved->metadata.at(0).second), bytes);
}

void CallRequestTest::connectionsOfAWorkspaceKeepExactUnits_data()
{
    QTest::addColumn<QByteArray>("connection");
    QTest::addColumn<int>("maxReceive");
    QTest::addColumn<int>("keepaliveMs");
    QTest::addColumn<int>("connectTimeoutMs");
    QTest::addColumn<QString>("error");
    QTest::newRow("defaults") << QByteArray("{}") << 0 << 0 << 10000 << S("");
    QTest::newRow("half a second") << QByteArray(R"({"connect_timeout_seconds": 0.5})") << 0 << 0 << 500 << S("");
    QTest::newRow("not MiB") << QByteArray(R"({"max_receive_bytes": 1000000, "keepalive_seconds": 2.25})")
                             << 1000000 << 2250 << 10000 << S("");
    QTest::newRow("none") << QByteArray(R"({"connect_timeout_seconds": 0})") << 0 << 0 << 0 << S("");
    QTest::newRow("a microsecond is not none") << QByteArray(R"({"keepalive_seconds": 0.000001})") << 0 << 1
                                               << 10000 << S("");
    QTest::newRow("negative") << QByteArray(R"({"max_receive_bytes": -1})") << 0 << 0 << 0
                              << S("connection \"c\": max_receive_bytes must be a whole number of bytes");
    QTest::newRow("fraction of a byte") << QByteArray(R"({"max_send_bytes": 1.5})") << 0 << 0 << 0
                                        << S("connection \"c\": max_send_bytes must be a whole number");
    QTest::newRow("text") << QByteArray(R"({"keepalive_seconds": "10"})") << 0 << 0 << 0
                          << S("connection \"c\": keepalive_seconds must be a number of seconds");
    QTest::newRow("a flag as text") << QByteArray(R"({"plaintext": "no"})") << 0 << 0 << 0
                                    << S("connection \"c\": plaintext must be true or false");
    QTest::newRow("outside") << QByteArray(R"({"ca_file": "../ca.pem"})") << 0 << 0 << 0
                             << S("connection \"c\": ca_file \"../ca.pem\" leaves the workspace folder");
}

void CallRequestTest::connectionsOfAWorkspaceKeepExactUnits()
{
    QFETCH(QByteArray, connection);
    QFETCH(int, maxReceive);
    QFETCH(int, keepaliveMs);
    QFETCH(int, connectTimeoutMs);
    QFETCH(QString, error);
    QTemporaryDir dir;
    models::Workspace ws = models::Workspace::open(dir.path());
    models::WorkspaceSettings settings = ws.settings();
    settings.connections.insert(QStringLiteral("c"), QJsonDocument::fromJson(connection).object());
    QCOMPARE(ws.saveSettings(settings).errorMessage(), QString());
    const auto c = ConnectionSettings::fromWorkspace(models::Workspace::open(dir.path()), QStringLiteral("c"));
    if (!error.isEmpty()) {
        QVERIFY(!c);
        QVERIFY2(c.errorMessage().startsWith(error), qPrintable(c.errorMessage()));
        return;
    }
    QVERIFY2(c, qPrintable(c.errorMessage()));
    QCOMPARE(c->maxReceiveBytes, maxReceive);
    QCOMPARE(c->keepaliveMs, keepaliveMs);
    QCOMPARE(c->connectTimeoutMs, connectTimeoutMs);
    // And unchanged into the engine's options.
    const rpc::ChannelOptions o = c->toOptions(QStringLiteral("h:1"), "ua");
    QCOMPARE(o.maxReceiveBytes, maxReceive);
    QCOMPARE(o.keepaliveTimeMs, keepaliveMs);
    QCOMPARE(o.connectTimeoutMs, connectTimeoutMs);
    QCOMPARE(ConnectionSettings::fromWorkspace(ws, QStringLiteral("missing")).errorMessage(),
             QStringLiteral("no connection \"missing\" in wirescope.json"));
}

void CallRequestTest::deadlinesAreExactMilliseconds_data()
{
    QTest::addColumn<double>("seconds");
    QTest::addColumn<qint64>("defaultMs");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("none, no default") << 0.0 << qint64(0) << qint64(0);
    QTest::newRow("none, the run's default") << 0.0 << qint64(60000) << qint64(60000);
    QTest::newRow("under a tenth") << 0.05 << qint64(0) << qint64(50);
    QTest::newRow("fractional") << 2.5 << qint64(0) << qint64(2500);
    QTest::newRow("under a millisecond is not none") << 0.0004 << qint64(0) << qint64(1);
}

void CallRequestTest::deadlinesAreExactMilliseconds()
{
    QFETCH(double, seconds);
    QFETCH(qint64, defaultMs);
    QFETCH(qint64, expected);
    SavedRequest r;
    r.target = QStringLiteral("h:1");
    r.deadlineSeconds = seconds;
    models::CallOptions options;
    options.defaultDeadlineMs = defaultMs;
    const auto resolved = models::resolveRequest(r, {}, {}, {}, options);
    QVERIFY(resolved);
    QCOMPARE(qint64(resolved->deadlineMs), expected);
}

void CallRequestTest::theBodyBecomesMessages_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("body");
    QTest::addColumn<QStringList>("messages");
    QTest::addColumn<bool>("closes");
    const int unary = int(rpc::MethodKind::Unary), client = int(rpc::MethodKind::ClientStreaming),
              bidi = int(rpc::MethodKind::BidiStreaming);
    const int window = int(models::BodyMode::Interactive), run = int(models::BodyMode::Complete);
    QTest::newRow("unary, window") << unary << window << S(R"({"a": 1})") << QStringList{S(R"({"a": 1})")} << true;
    QTest::newRow("unary, run") << unary << run << S(R"({"a": 1})") << QStringList{S(R"({"a": 1})")} << true;
    QTest::newRow("stream opened in the window") << client << window << S(R"({"a": 1})")
                                                 << QStringList{S(R"({"a": 1})")} << false;
    QTest::newRow("saved stream, window") << bidi << window << S("[{\"a\": 1},\n {\"a\": 2}]")
                                          << QStringList{S(R"({"a": 1})"), S(R"({"a": 2})")} << true;
    QTest::newRow("saved stream, run") << client << run << S(R"([{"a": 1}, {"a": 2}])")
                                       << QStringList{S(R"({"a": 1})"), S(R"({"a": 2})")} << true;
    QTest::newRow("values one after another, run") << client << run << S(R"({"a": 1} {"a": 2})")
                                                   << QStringList{S(R"({"a": 1})"), S(R"({"a": 2})")} << true;
    // Every digit of a 64-bit id reaches the engine (a double would round it).
    QTest::newRow("64-bit ids in a saved stream")
        << client << run << S(R"([{"id": 9007199254740993}, {"id": "18446744073709551615"}])")
        << QStringList{S(R"({"id": 9007199254740993})"), S(R"({"id": "18446744073709551615"})")} << true;
}

void CallRequestTest::theBodyBecomesMessages()
{
    QFETCH(int, kind);
    QFETCH(int, mode);
    QFETCH(QString, body);
    QFETCH(QStringList, messages);
    QFETCH(bool, closes);
    SavedRequest r;
    r.target = QStringLiteral("h:1");
    r.body = body;
    const auto call = models::buildCallRequest(r, {}, {}, {}, nullptr, method(rpc::MethodKind(kind)),
                                               models::BodyMode(mode), {});
    QVERIFY2(call, qPrintable(call.errorMessage()));
    QStringList got;
    for (const std::string &m : call->messages)
        got << QString::fromStdString(m);
    QCOMPARE(got, messages);
    QCOMPARE(call->closeAfterMessages, closes);
    QCOMPARE(call->method, std::string("pkg.Svc/M"));

    // Not JSON, where the body must hold every message: an error that says where.
    r.body = QStringLiteral("{\"a\": }");
    const auto bad = models::buildCallRequest(r, {}, {}, {}, nullptr, method(rpc::MethodKind::ClientStreaming),
                                              models::BodyMode::Complete, {});
    QVERIFY(!bad);
    QVERIFY2(bad.errorMessage().startsWith(QStringLiteral("the body is not JSON: ")), qPrintable(bad.errorMessage()));
}

void CallRequestTest::aResolvedRequestCarriesEverythingTheEngineNeeds()
{
    SavedRequest r;
    r.target = QStringLiteral(" {{host}}:443 ");
    r.metadata = {{QStringLiteral("Authorization"), QStringLiteral("Bearer {{token}}")},
                  {QStringLiteral("x-id"), QStringLiteral("{{tokenId}}")}};
    r.body = QStringLiteral(R"({"host": "{{host}}"})");
    ConnectionSettings c;
    c.plaintext = false;
    c.authority = QStringLiteral("api.internal");
    c.caFile = QStringLiteral("/ca.pem");
    c.maxReceiveBytes = 1000000;
    c.proxy = QStringLiteral(" none ");
    QStringList asked;
    const models::SecretLookup secrets = [&asked](const QString &name, const QString &where) -> models::Result<QString> {
        asked << name + QLatin1Char('@') + where;
        return QStringLiteral("t0k");
    };
    models::CallOptions options;
    options.userAgent = "wirescope/test";
    const auto resolved = models::resolveRequest(r, c, staging(), secrets, options);
    QVERIFY2(resolved, qPrintable(resolved.errorMessage()));
    QCOMPARE(resolved->target, QStringLiteral("staging.example:443"));
    QCOMPARE(resolved->channel.target, std::string("staging.example:443"));
    QCOMPARE(resolved->channel.maxReceiveBytes, 1000000);
    QCOMPARE(resolved->channel.userAgent, std::string("wirescope/test"));
    QCOMPARE(resolved->channel.proxy, std::string("none"));
    QCOMPARE(resolved->channel.caFile, std::string("/ca.pem"));
    // grpcurl's rule, now everywhere: with TLS the authority is the name checked.
    QCOMPARE(resolved->channel.serverName, std::string("api.internal"));
    QCOMPARE(resolved->metadata,
             (rpc::Metadata{{"authorization", "Bearer t0k"}, {"x-id", "id-7"}}));
    QCOMPARE(resolved->body, QByteArray(R"({"host": "staging.example"})"));
    QCOMPARE(asked, QStringList{QStringLiteral("token@metadata Authorization")});

    // A secret nobody gives: the lookup's error, as it said it.
    const auto refused = models::resolveRequest(
        r, c, staging(),
        [](const QString &name, const QString &) -> models::Result<QString> {
            return models::fail(QStringLiteral("the secret {{%1}} has no value").arg(name));
        },
        options);
    QCOMPARE(refused.errorMessage(), QStringLiteral("the secret {{token}} has no value"));
    // No lookup at all: named with where it is used.
    QCOMPARE(models::resolveRequest(r, c, staging(), {}, options).errorMessage(),
             QStringLiteral("the secret {{token}} in the metadata Authorization has no value"));
    // And no target: said, not sent to "".
    r.target.clear();
    QCOMPARE(models::resolveRequest(r, c, staging(), secrets, options).errorMessage(),
             QStringLiteral("the request has no target (host:port)"));
}

void CallRequestTest::grpcurlFlagsRoundTripExactly()
{
    // -max-msg-sz in bytes and times in seconds come in and go out exactly; they once became
    // "default" and "none" on their way through the window's MiB and whole seconds.
    const auto command = models::parseGrpcurl(QStringLiteral(
        "grpcurl -plaintext -max-msg-sz 1000000 -connect-timeout 0.5 -keepalive-time 1.25 -max-time 0.05 "
        "-H 'x-raw-bin: AAH/' -d '{}' localhost:1 pkg.Svc/M"));
    QVERIFY2(command, qPrintable(command.errorMessage()));
    QCOMPARE(command->connection.maxReceiveBytes, 1000000);
    QCOMPARE(command->connection.connectTimeoutMs, 500);
    QCOMPARE(command->connection.keepaliveMs, 1250);
    QCOMPARE(command->request.deadlineSeconds, 0.05);
    const auto line = models::toGrpcurl(command->request, command->connection, {}, {}, {}, {});
    QVERIFY2(line, qPrintable(line.errorMessage()));
    for (const char *flag : {"-max-msg-sz 1000000", "-connect-timeout 0.5", "-keepalive-time 1.25", "-max-time 0.05"})
        QVERIFY2(line->contains(QLatin1String(flag)), qPrintable(*line));

    // A deadline finer than a millisecond is kept at the millisecond it is sent with, so the
    // exported command means the same deadline (grpcurl_fuzz: 2.21474836485 came back as 2.215).
    const auto fine = models::parseGrpcurl(QStringLiteral("grpcurl -max-time 2.21474836485 localhost:1 pkg.Svc/M"));
    QVERIFY2(fine, qPrintable(fine.errorMessage()));
    QCOMPARE(fine->request.deadlineSeconds, 2.215);
    const auto fineLine = models::toGrpcurl(fine->request, fine->connection, {}, {}, {}, {});
    QVERIFY2(fineLine, qPrintable(fineLine.errorMessage()));
    const auto back = models::parseGrpcurl(*fineLine);
    QVERIFY2(back, qPrintable(back.errorMessage()));
    QCOMPARE(back->request.deadlineSeconds, fine->request.deadlineSeconds);

    // The one -bin rule: neither a pasted command nor an exported request gets bad base64 past.
    const auto pasted = models::parseGrpcurl(QStringLiteral("grpcurl -H 'x-raw-bin: ?!?' localhost:1 pkg.Svc/M"));
    QCOMPARE(pasted.errorMessage(), QStringLiteral(R"(header "x-raw-bin": the value of a -bin header must be base64)"));
    SavedRequest bad = command->request;
    bad.metadata = {{QStringLiteral("x-raw-bin"), QStringLiteral("?!?")}};
    QCOMPARE(models::toGrpcurl(bad, command->connection, {}, {}, {}, {}).errorMessage(),
             QStringLiteral(R"(header "x-raw-bin": the value of a -bin header must be base64)"));
    // Numbers that are not numbers are named.
    QCOMPARE(models::parseGrpcurl(QStringLiteral("grpcurl -max-msg-sz 1MB localhost:1 pkg.Svc/M")).errorMessage(),
             QStringLiteral("the flag -max-msg-sz needs a positive number of bytes, not \"1MB\""));
    QCOMPARE(models::parseGrpcurl(QStringLiteral("grpcurl -connect-timeout soon localhost:1 pkg.Svc/M")).errorMessage(),
             QStringLiteral("the flag -connect-timeout needs a number of seconds, not \"soon\""));
}

void CallRequestTest::aBrokenInvariantIsLoggedAndRecovered()
{
    const int before = models::brokenInvariantCount();
    auto guarded = [](int *value) {
        WIRESCOPE_ASSERT(value, return -1);
        return *value;
    };
    int seven = 7;
    QCOMPARE(guarded(&seven), 7);
    QCOMPARE(models::brokenInvariantCount(), before);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("broken invariant \"value\" at .*callrequest_test.cpp:\\d+; recovered")));
    QCOMPARE(guarded(nullptr), -1);
    QCOMPARE(models::brokenInvariantCount(), before + 1);
}

QTEST_GUILESS_MAIN(CallRequestTest)
#include "callrequest_test.moc"
