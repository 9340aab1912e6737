// SPDX-License-Identifier: GPL-3.0-or-later
// Running saved requests with assertions, as `wirescope-cli run` does in CI: every assertion kind
// passing and failing, every call kind against the in-tree test server, variables and secrets
// (masked wherever a result could show them), requests that cannot be sent, and a JUnit report
// that XML readers accept.
#include "models/callrequest.h"
#include "models/connectionsettings.h"
#include "models/grpcurl.h"
#include "models/runner.h"
#include "models/workspace.h"

#include "connectproxy.h"
#include "testworkspace.h"
#include "testserver.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

class RunnerTest : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void jsonPathsFindValues();
    void everyAssertionKindPassesAndFails();
    void globsSelectPaths();
    void runsEveryCallKindFromAWorkspace();
    void workspaceDefaultsFillWhatARequestLeavesEmpty();
    void requestsThatCannotBeSentSayWhy();
    void junitReportIsValidXml();
    void shellWordsSplitAsAShellDoes();
    void grpcurlCommandsBecomeRequests();
    void copiedGrpcurlCommandsRunAsTheyAre();
    void connectionsChooseTheProxyAndGrpcurlCarriesIt();
    void pastedGrpcurlNumbersAndStreamsKeepTheirMeaning();
    void timesTheEngineCannotHoldAreRefused();
    void metadataIsSentAsTheCliSendsIt();

private:
    std::unique_ptr<testing_server::TestServer> m_server;
};

using models::AssertionOutcome;
using models::CallOutcome;
using models::Runner;
using models::RunOptions;
using models::RunResult;
using models::SavedRequest;
using models::Workspace;

namespace {

QJsonObject json(const char *text)
{
    QJsonParseError error{};
    const auto doc = QJsonDocument::fromJson(QByteArray(text), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad JSON in the test: %s", text);
    return doc.object();
}

const AssertionOutcome *named(const std::vector<AssertionOutcome> &all, const QString &prefix)
{
    for (const auto &a : all) {
        if (a.what.startsWith(prefix))
            return &a;
    }
    return nullptr;
}

bool allPassed(const std::vector<AssertionOutcome> &all)
{
    return std::all_of(all.begin(), all.end(), [](const AssertionOutcome &a) { return a.passed; });
}

QString describe(const std::vector<AssertionOutcome> &all)
{
    QStringList lines;
    for (const auto &a : all)
        lines << QStringLiteral("%1 %2: %3").arg(QLatin1String(a.passed ? "ok" : "FAIL"), a.what, a.detail);
    return lines.join(QLatin1Char('\n'));
}

const RunResult *resultFor(const std::vector<RunResult> &results, const QString &path)
{
    for (const auto &r : results) {
        if (r.path == path)
            return &r;
    }
    return nullptr;
}

SavedRequest request(const QString &path, const QString &method, const char *body,
                     const char *assertions = "{}")
{
    SavedRequest r;
    r.path = path;
    r.method = QStringLiteral("wirescope.testing.TestService/") + method;
    r.target = QStringLiteral("{{host}}");
    r.body = QString::fromUtf8(body);
    r.deadlineSeconds = 10;
    r.assertions = json(assertions);
    return r;
}

} // namespace

// moc cannot read raw string literals inside macro arguments; it only needs the class above.
#ifndef Q_MOC_RUN
void RunnerTest::initTestCase()
{
    m_server = std::make_unique<testing_server::TestServer>();
    std::string error;
    QVERIFY2(m_server->start(&error), error.c_str());
}

void RunnerTest::jsonPathsFindValues()
{
    const QJsonValue doc = json(R"({"a": {"b": [10, 20, {"c.d": "x"}]}, "n": null})");
    auto at = [&](const char *path) { return models::jsonPathValue(doc, QString::fromLatin1(path)); };
    QCOMPARE(at("$.a.b[1]")->value().toInt(), 20);
    QCOMPARE(at("$.a.b[-1]['c.d']")->value().toString(), QStringLiteral("x"));
    QCOMPARE(at("a.b[0]")->value().toInt(), 10);
    QVERIFY(at("$.n")->value().isNull());
    QVERIFY(at("$")->value().isObject());
    QVERIFY(at("$.a.b[3]") && !at("$.a.b[3]")->has_value());
    QVERIFY(at("$.missing") && !at("$.missing")->has_value());
    QVERIFY(!at("$.a[x]"));
    QVERIFY2(at("$.a[x]").errorMessage().contains(QStringLiteral("offset 3")), qPrintable(at("$.a[x]").errorMessage()));
    QVERIFY(at("$.a.b[0").errorMessage().contains(QStringLiteral("without ']'")));
}

void RunnerTest::everyAssertionKindPassesAndFails()
{
    CallOutcome outcome;
    outcome.statusCode = 0;
    outcome.latencyMs = 12.5;
    outcome.responses = {
        QStringLiteral(R"({"city":"Berlin","big":"9007199254740993","days":[{"high":14}],"tags":["a","b"]})"),
        QStringLiteral(R"({"city":"Oslo","big":"1","days":[],"tags":[]})")};
    auto passing = models::evaluateAssertions(json(R"({
        "status": "OK", "message_count": 2, "max_latency_ms": 100,
        "json": [
          {"path": "$.city", "equals": "Berlin"},
          {"path": "$.big", "equals": "9007199254740993"},
          {"path": "$.days[0].high", "equals": 14},
          {"path": "$.days[0]", "equals": {"high": 14}},
          {"path": "$.city", "contains": "erl"},
          {"path": "$.tags", "contains": "b"},
          {"path": "$", "contains": {"city": "Berlin"}},
          {"path": "$.city", "matches": "^B.*n$"},
          {"path": "$.days[0].high", "matches": "^1[0-9]$"},
          {"path": "$.missing", "exists": false},
          {"path": "$.city", "equals": "Oslo", "message": -1},
          {"path": "$.city", "equals": "Oslo", "message": "any"},
          {"path": "$.tags", "exists": true, "message": "all"}
        ]})"),
                                              outcome);
    QVERIFY2(allPassed(passing), qPrintable(describe(passing)));
    QCOMPARE(passing.size(), std::size_t(16));

    auto failing = models::evaluateAssertions(json(R"({
        "status": "NOT_FOUND", "message_count": {"min": 3}, "max_latency_ms": 10,
        "json": [
          {"path": "$.city", "equals": "Lima"},
          {"path": "$.city", "equals": "Berlin", "message": "all"},
          {"path": "$.city", "contains": "xyz"},
          {"path": "$.city", "matches": "^O"},
          {"path": "$.nope", "equals": 1},
          {"path": "$.city", "equals": "x", "message": 5},
          {"path": "$.city", "matches": "("},
          {"path": "$.city", "equals": 1, "contains": 2},
          {"path": "$.city"},
          {"path": "$.city", "equals": "Berlin", "mesage": 1}
        ],
        "statuz": "OK"})"),
                                              outcome);
    for (const auto &a : failing)
        QVERIFY2(!a.passed, qPrintable(a.what + QStringLiteral(": ") + a.detail));
    QCOMPARE(failing.size(), std::size_t(14));
    QCOMPARE(named(failing, QStringLiteral("status"))->detail, QStringLiteral("expected NOT_FOUND, got OK"));
    QCOMPARE(named(failing, QStringLiteral("message_count"))->detail,
             QStringLiteral("expected at least 3 messages, got 2"));
    QVERIFY(named(failing, QStringLiteral("max_latency_ms"))->detail.contains(QStringLiteral("12.5 ms")));
    QCOMPARE(named(failing, QStringLiteral("json $.city equals"))->detail,
             QStringLiteral("expected \"Lima\", got \"Berlin\""));
    QVERIFY(named(failing, QStringLiteral("statuz"))->detail.contains(QStringLiteral("unknown assertion")));
    const QString all = describe(failing);
    QVERIFY2(all.contains(QStringLiteral("expected \"Berlin\", got \"Oslo\" in message 1")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("there is no message 5 (2 received)")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("the pattern is not valid")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("has both \"equals\" and \"contains\"")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("needs one of equals")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("unknown key \"mesage\"")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("$.nope is not there")), qPrintable(all));

    // Without a status assertion a call must end OK; a status may be named either way.
    CallOutcome failed;
    failed.statusCode = 5;
    failed.statusMessage = QStringLiteral("gone");
    const auto byDefault = models::evaluateAssertions({}, failed);
    QCOMPARE(byDefault.size(), std::size_t(1));
    QVERIFY(!byDefault.front().passed);
    QCOMPARE(byDefault.front().detail, QStringLiteral("expected OK (the default), got NOT_FOUND (gone)"));
    QVERIFY(models::evaluateAssertions(json(R"({"status": "NotFound"})"), failed).front().passed);
    QVERIFY(models::evaluateAssertions(json(R"({"status": 5})"), failed).front().passed);
    QVERIFY(!models::evaluateAssertions(json(R"({"status": "GONE"})"), failed).front().passed);
}

void RunnerTest::globsSelectPaths()
{
    QVERIFY(models::globMatches(QStringLiteral("orders/*"), QStringLiteral("orders/eu/create.json")));
    QVERIFY(models::globMatches(QStringLiteral("*create*"), QStringLiteral("orders/create.json")));
    QVERIFY(models::globMatches(QStringLiteral("a?c.json"), QStringLiteral("abc.json")));
    QVERIFY(!models::globMatches(QStringLiteral("orders/*"), QStringLiteral("users/a.json")));
    QVERIFY(!models::globMatches(QStringLiteral("a?c.json"), QStringLiteral("ac.json")));
    QVERIFY(models::globMatches(QStringLiteral("*"), QString()));
}

// Every call kind from a workspace with the test service's .proto inside it; variables in
// target, metadata, body and assertions; a secret masked in every result and never written.
void RunnerTest::runsEveryCallKindFromAWorkspace()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Workspace ws = workspaceWithTestProto(dir.path());
    models::WorkspaceSettings settings = ws.settings();
    settings.environments = {{QStringLiteral("test"),
                              {{QStringLiteral("host"), QString::fromStdString(m_server->address()), false},
                               {QStringLiteral("word"), QStringLiteral("hello"), false},
                               {QStringLiteral("token"), QString(), true}}}};
    QCOMPARE(ws.saveSettings(settings).errorMessage(), QString());

    SavedRequest echo = request(QStringLiteral("calls/echo.json"), QStringLiteral("Echo"),
                                R"({"text": "{{word}}", "i64": "9007199254740993"})",
                                R"({"json": [{"path": "$.echo.text", "equals": "{{word}}"},
                                             {"path": "$.echo.i64", "equals": "9007199254740993"},
                                             {"path": "$.metadata.authorization", "equals": "Bearer {{token}}"}],
                                    "message_count": 1})");
    echo.metadata = {{QStringLiteral("authorization"), QStringLiteral("Bearer {{token}}")},
                     {QStringLiteral("x-tag-bin"), QStringLiteral("AAEC")}};
    QCOMPARE(ws.save(echo).errorMessage(), QString());
    QCOMPARE(ws.save(request(QStringLiteral("calls/server-stream.json"), QStringLiteral("ServerStream"),
                             R"({"count": 4, "text": "t"})",
                             R"({"message_count": 4, "json": [{"path": "$.index", "equals": 3, "message": -1},
                                                                {"path": "$.text", "equals": "t", "message": "all"}]})")).errorMessage(),
             QString());
    QCOMPARE(ws.save(request(QStringLiteral("calls/client-stream.json"), QStringLiteral("ClientStream"),
                             R"([{"text": "a"}, {"text": "b"}, {"text": "{{word}}"}])",
                             R"({"json": [{"path": "$.count", "equals": 3},
                                          {"path": "$.texts", "equals": ["a", "b", "hello"]}]})")).errorMessage(),
             QString());
    QCOMPARE(
        ws.save(request(
            QStringLiteral("calls/chat.json"), QStringLiteral("Chat"),
            R"([{"text": "one"}, {"text": "two"}])",
            R"({"message_count": 2, "json": [{"path": "$.text", "equals": "echo: two", "message": 1}]})")).errorMessage(),
        QString());
    QCOMPARE(ws.save(request(QStringLiteral("errors/not-found.json"), QStringLiteral("Fail"),
                             R"({"code": 5, "message": "no such thing"})", R"({"status": "NOT_FOUND"})")).errorMessage(),
             QString());
    SavedRequest dead = request(QStringLiteral("errors/dead-port.json"), QStringLiteral("Echo"), "{}");
    dead.target = QStringLiteral("127.0.0.1:1");
    dead.deadlineSeconds = 2;
    QCOMPARE(ws.save(dead).errorMessage(), QString());
    QCOMPARE(ws.save(request(QStringLiteral("errors/wrong-expectation.json"), QStringLiteral("Echo"),
                             R"({"text": "x"})", R"({"json": [{"path": "$.echo.text", "equals": "y"}]})")).errorMessage(),
             QString());

    const QString secret = QStringLiteral("s3cr3t-t0ken-value");
    RunOptions options;
    options.environment = QStringLiteral("test");
    options.variables.insert(QStringLiteral("token"), secret);
    std::vector<QString> progressed;
    Runner runner(ws);
    const auto results = runner.run(options, [&](const RunResult &r) { progressed.push_back(r.path); });
    QCOMPARE(results.size(), std::size_t(7));
    QCOMPARE(progressed.size(), std::size_t(7));
    QCOMPARE(progressed.front(), QStringLiteral("calls/chat.json")); // path order

    for (const char *path : {"calls/echo.json", "calls/server-stream.json", "calls/client-stream.json",
                             "calls/chat.json", "errors/not-found.json"}) {
        const RunResult *r = resultFor(results, QString::fromLatin1(path));
        QVERIFY2(r, path);
        QVERIFY2(
            r->passed(),
            qPrintable(
                QStringLiteral("%1: %2 %3").arg(QLatin1String(path), r->error, describe(r->assertions))));
    }
    const RunResult *wrong = resultFor(results, QStringLiteral("errors/wrong-expectation.json"));
    QVERIFY(!wrong->passed());
    QVERIFY(wrong->error.isEmpty());
    QCOMPARE(named(wrong->assertions, QStringLiteral("json $.echo.text"))->detail,
             QStringLiteral("expected \"y\", got \"x\""));
    QCOMPARE(resultFor(results, QStringLiteral("calls/server-stream.json"))->responses.size(), 4);
    // With the schema from files, a dead port is a call that ran and failed its status check.
    const RunResult *deadResult = resultFor(results, QStringLiteral("errors/dead-port.json"));
    QVERIFY(deadResult->error.isEmpty());
    QCOMPARE(deadResult->statusName, QStringLiteral("UNAVAILABLE"));
    QVERIFY(!deadResult->passed());
    QCOMPARE(resultFor(results, QStringLiteral("errors/not-found.json"))->statusMessage,
             QStringLiteral("no such thing"));

    // The server echoed the token back: the result shows it masked, nowhere in clear.
    const RunResult *echoed = resultFor(results, QStringLiteral("calls/echo.json"));
    QVERIFY(echoed->responses.front().contains(QStringLiteral("Bearer •••")));
    QCOMPARE(echoed->target, QString::fromStdString(m_server->address()));
    for (const auto &r : results) {
        QStringList texts = r.responses;
        texts << r.target << r.error << r.statusMessage;
        for (const auto &a : r.assertions)
            texts << a.detail;
        for (const QString &t : texts)
            QVERIFY2(!t.contains(secret), qPrintable(t));
    }
    const QByteArray report = models::junitXml(QStringLiteral("ws"), results, 1.0);
    QVERIFY(!report.contains(secret.toUtf8()));
    // Nor in any file of the workspace.
    QDirIterator files(dir.path(), QDir::Files, QDirIterator::Subdirectories);
    int scanned = 0;
    while (files.hasNext()) {
        QFile f(files.next());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY2(!f.readAll().contains(secret.toUtf8()), qPrintable(f.fileName()));
        ++scanned;
    }
    QVERIFY(scanned >= 8);

    // A filter selects by path.
    options.filter = QStringLiteral("errors/*");
    QCOMPARE(runner.run(options).size(), std::size_t(3));
}

// Requests that cannot be sent say why, each on its own; the rest still run.
void RunnerTest::workspaceDefaultsFillWhatARequestLeavesEmpty()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Workspace ws = workspaceWithTestProto(dir.path());
    models::WorkspaceSettings settings = ws.settings();
    settings.environments = {
        {QStringLiteral("test"),
         {{QStringLiteral("host"), QString::fromStdString(m_server->address()), false}}}};
    settings.defaults = json(R"({"target": "{{host}}", "deadline_seconds": 7,
                                 "metadata": [["x-team", "core"], ["X-Tier", "default"]]})");
    QCOMPARE(ws.saveSettings(settings).errorMessage(), QString());

    // No target, no deadline, and its own x-tier: the defaults fill the rest.
    SavedRequest echo = request(QStringLiteral("echo.json"), QStringLiteral("Echo"), R"({"text": "d"})",
                                R"({"json": [{"path": "$.metadata[\"x-team\"]", "equals": "core"},
                                             {"path": "$.metadata[\"x-tier\"]", "equals": "mine"}]})");
    echo.target.clear();
    echo.deadlineSeconds = 0;
    echo.metadata = {{QStringLiteral("x-tier"), QStringLiteral("mine")}};
    QCOMPARE(ws.save(echo).errorMessage(), QString());
    // The file says only what the request says.
    QCOMPARE(Workspace::open(dir.path()).request(QStringLiteral("echo.json"))->target, QString());

    const SavedRequest effective = models::withDefaults(echo, ws.settings());
    QCOMPARE(effective.target, QStringLiteral("{{host}}"));
    QCOMPARE(effective.deadlineSeconds, 7.0);
    QCOMPARE(effective.metadata.size(), std::size_t(2));
    QCOMPARE(effective.metadata.front().first, QStringLiteral("x-team"));

    Runner runner(Workspace::open(dir.path()));
    RunOptions options;
    options.environment = QStringLiteral("test");
    const std::vector<RunResult> results = runner.run(options);
    QCOMPARE(results.size(), std::size_t(1));
    const RunResult &r = results.front();
    QVERIFY2(r.passed(), qPrintable(r.error + QLatin1Char('\n') + describe(r.assertions)));
    QCOMPARE(r.target, QString::fromStdString(m_server->address()));
}

void RunnerTest::requestsThatCannotBeSentSayWhy()
{
    QTemporaryDir dir;
    Workspace ws = Workspace::open(dir.path()); // no files: the schema comes by reflection
    models::WorkspaceSettings settings = ws.settings();
    settings.environments = {{QStringLiteral("test"),
                              {{QStringLiteral("host"), QString::fromStdString(m_server->address()), false},
                               {QStringLiteral("token"), QString(), true}}}};
    settings.connections = json(R"({"outside": {"ca_file": "../ca.pem", "plaintext": false}})");
    QCOMPARE(ws.saveSettings(settings).errorMessage(), QString());
    QCOMPARE(ws.save(request(QStringLiteral("a-ok.json"), QStringLiteral("Echo"), R"({"text": "x"})")).errorMessage(),
             QString());
    SavedRequest secretless = request(QStringLiteral("b-secret.json"), QStringLiteral("Echo"), "{}");
    secretless.metadata = {{QStringLiteral("authorization"), QStringLiteral("Bearer {{ token }}")}};
    QCOMPARE(ws.save(secretless).errorMessage(), QString());
    QCOMPARE(ws.save(request(QStringLiteral("c-unknown-var.json"), QStringLiteral("Echo"),
                             R"({"text": "{{nope}}"})")).errorMessage(),
             QString());
    QCOMPARE(ws.save(request(QStringLiteral("d-no-method.json"), QStringLiteral("Nope"), "{}")).errorMessage(), QString());
    QCOMPARE(ws.save(request(QStringLiteral("e-bad-body.json"), QStringLiteral("Echo"), R"({"text": )")).errorMessage(),
             QString());
    QCOMPARE(ws.save(request(QStringLiteral("f-bad-field.json"), QStringLiteral("Echo"), R"({"txet": "x"})")).errorMessage(),
             QString());
    SavedRequest outside = request(QStringLiteral("g-outside.json"), QStringLiteral("Echo"), "{}");
    outside.connection = QStringLiteral("outside");
    QCOMPARE(ws.save(outside).errorMessage(), QString());
    SavedRequest dead = request(QStringLiteral("h-dead.json"), QStringLiteral("Echo"), "{}");
    dead.target = QStringLiteral("127.0.0.1:1");
    dead.deadlineSeconds = 2;
    QCOMPARE(ws.save(dead).errorMessage(), QString());

    RunOptions options;
    options.environment = QStringLiteral("test");
    Runner runner(ws);
    const auto results = runner.run(options);
    QCOMPARE(results.size(), std::size_t(8));
    QVERIFY(results[0].passed());
    QVERIFY2(results[1].error.contains(QStringLiteral("WIRESCOPE_VAR_TOKEN")), qPrintable(results[1].error));
    QVERIFY2(results[1].error.contains(QStringLiteral("metadata authorization")),
             qPrintable(results[1].error));
    QVERIFY2(results[2].error.contains(QStringLiteral("{{nope}} in the body")), qPrintable(results[2].error));
    QVERIFY2(results[3].error.contains(QStringLiteral("Nope")), qPrintable(results[3].error));
    QVERIFY2(results[4].error.contains(QStringLiteral("not JSON")), qPrintable(results[4].error));
    QVERIFY2(results[5].error.contains(QStringLiteral("txet")), qPrintable(results[5].error));
    QVERIFY2(results[6].error.contains(QStringLiteral("leaves the workspace")), qPrintable(results[6].error));
    // With the schema from reflection, a dead port fails at the schema; the message says why.
    QVERIFY2(results[7].error.contains(QStringLiteral("cannot load the schema")),
             qPrintable(results[7].error));
    QVERIFY2(results[7].error.contains(QStringLiteral("127.0.0.1:1")), qPrintable(results[7].error));

    options.environment = QStringLiteral("prod");
    QCOMPARE(runner.select(options).errorMessage(),
             QStringLiteral("no environment \"prod\" in the workspace (it has: test)"));
}

void RunnerTest::junitReportIsValidXml()
{
    RunResult ok;
    ok.path = QStringLiteral("a.json");
    ok.method = QStringLiteral("pkg.Svc/A");
    ok.statusName = QStringLiteral("OK");
    ok.assertions = {{QStringLiteral("status"), true, QStringLiteral("expected OK, got OK")}};
    RunResult failed = ok;
    failed.path = QStringLiteral("b <&> \"quoted\".json");
    failed.assertions = {{QStringLiteral("json $.x equals"), false,
                          QStringLiteral("expected \"a\x01\", got \"]]> & <tag>\"")}};
    RunResult broken = ok;
    broken.path = QStringLiteral("c.json");
    broken.error = QStringLiteral("cannot load the schema: x.proto:3:7: bad");
    broken.assertions.clear();
    const QByteArray xml = models::junitXml(QStringLiteral("suite"), {ok, failed, broken}, 0.25);

    QXmlStreamReader reader(xml);
    int cases = 0, failures = 0, errors = 0;
    QString failureMessage;
    while (!reader.atEnd()) {
        reader.readNext();
        if (!reader.isStartElement())
            continue;
        if (reader.name() == QLatin1String("testsuites")) {
            QCOMPARE(reader.attributes().value(QLatin1String("tests")).toString(), QStringLiteral("3"));
            QCOMPARE(reader.attributes().value(QLatin1String("failures")).toString(), QStringLiteral("1"));
            QCOMPARE(reader.attributes().value(QLatin1String("errors")).toString(), QStringLiteral("1"));
        } else if (reader.name() == QLatin1String("testcase")) {
            ++cases;
        } else if (reader.name() == QLatin1String("failure")) {
            ++failures;
            failureMessage = reader.attributes().value(QLatin1String("message")).toString();
        } else if (reader.name() == QLatin1String("error")) {
            ++errors;
        }
    }
    QVERIFY2(!reader.hasError(), qPrintable(reader.errorString()));
    QCOMPARE(cases, 3);
    QCOMPARE(failures, 1);
    QCOMPARE(errors, 1);
    QCOMPARE(failureMessage, QStringLiteral("json $.x equals: expected \"a\uFFFD\", got \"]]> & <tag>\""));
}

void RunnerTest::shellWordsSplitAsAShellDoes()
{
    QCOMPARE(*models::shellSplit(QStringLiteral("a 'b c' \"d \\\"e\\\" $x\" f\\ g \\\n h 'it'\\''s'")),
             (QStringList{QStringLiteral("a"), QStringLiteral("b c"), QStringLiteral("d \"e\" $x"),
                          QStringLiteral("f g"), QStringLiteral("h"), QStringLiteral("it's")}));
    QCOMPARE(models::shellSplit(QStringLiteral("a 'b")).errorMessage(),
             QStringLiteral("the quote ' at character 3 is never closed"));
    for (const QString &word : {QStringLiteral("plain"), QStringLiteral("it's"), QStringLiteral("{\"a\": 1}"),
                                QStringLiteral("$HOME `x`"), QString()})
        QCOMPARE(*models::shellSplit(models::shellQuote(word)), QStringList{word});
}

void RunnerTest::grpcurlCommandsBecomeRequests()
{
    QString error;
    const auto c = models::parseGrpcurl(
        QStringLiteral("grpcurl -plaintext -H 'Authorization: Bearer abc' -rpc-header=x-a:1 \\\n"
                       "  -d '{\"text\": \"hi\"}' -max-time 2.5 -authority api.example -import-path protos "
                       "-proto api.proto localhost:50051 wirescope.testing.TestService.Echo"));
    QVERIFY2(c, qPrintable(c.errorMessage()));
    QCOMPARE(c->request.method, QStringLiteral("wirescope.testing.TestService/Echo"));
    QCOMPARE(c->request.target, QStringLiteral("localhost:50051"));
    QCOMPARE(c->request.metadata.size(), std::size_t(2));
    QCOMPARE(c->request.metadata[0].first, QStringLiteral("authorization"));
    QCOMPARE(c->request.metadata[0].second, QStringLiteral("Bearer abc"));
    QCOMPARE(c->request.metadata[1].second, QStringLiteral("1"));
    QCOMPARE(json(c->request.body.toUtf8().constData()).value(QStringLiteral("text")).toString(),
             QStringLiteral("hi"));
    QCOMPARE(c->request.deadlineSeconds, 2.5);
    QVERIFY(c->connection.plaintext);
    QCOMPARE(c->connection.authority, QStringLiteral("api.example"));
    QCOMPARE(c->importPaths, QStringList{QStringLiteral("protos")});
    QCOMPARE(c->protoFiles, QStringList{QStringLiteral("api.proto")});

    // Several messages become a JSON array; TLS flags are kept.
    const auto stream = models::parseGrpcurl(
        QStringLiteral(
            "wirescope-cli -cacert ca.pem -servername api.internal -d '{\"text\":\"a\"} {\"text\":\"b\"}' "
            "h:443 pkg.Svc/Upload"));
    QVERIFY2(stream, qPrintable(stream.errorMessage()));
    QCOMPARE(QJsonDocument::fromJson(stream->request.body.toUtf8()).array().size(), 2);
    QVERIFY(!stream->connection.plaintext);
    QCOMPARE(stream->connection.caFile, QStringLiteral("ca.pem"));
    QCOMPARE(stream->connection.serverName, QStringLiteral("api.internal"));

    const std::pair<const char *, const char *> bad[] = {
        {"grpcurl -plaintext localhost:1 list", "a \"list\" command"},
        {"grpcurl -d @ localhost:1 a.B/C", "-d @ reads the body from standard input"},
        {"grpcurl -frobnicate localhost:1 a.B/C", "the flag -frobnicate is not one Wirescope knows"},
        {"grpcurl -plaintext localhost:1", "needs an address and a method"},
        {"grpcurl -H nocolon localhost:1 a.B/C", "is not \"name: value\""},
        {"grpcurl -H '   : v' localhost:1 a.B/C", "is not \"name: value\""}, // grpcurl_fuzz
        {"grpcurl -d '{\"a\": }' localhost:1 a.B/C", "the -d body is not JSON"},
        {"grpcurl -max-time", "the flag -max-time needs a value"},
    };
    for (const auto &[line, why] : bad) {
        const auto parsed = models::parseGrpcurl(QString::fromUtf8(line));
        QVERIFY2(!parsed, line);
        QVERIFY2(parsed.errorMessage().contains(QString::fromUtf8(why)), qPrintable(parsed.errorMessage()));
    }
}

// "Copy as grpcurl" gives a command that runs as it is (wirescope-cli is grpcurl-compatible, so
// it stands in for grpcurl here); a secret is a shell variable reference, never its value.
void RunnerTest::copiedGrpcurlCommandsRunAsTheyAre()
{
    models::Environment env{QStringLiteral("test"),
                            {{QStringLiteral("host"), QString::fromStdString(m_server->address()), false},
                             {QStringLiteral("token"), QStringLiteral("unused-here"), true},
                             {QStringLiteral("word"), QStringLiteral("it's $HOME"), false}}};
    SavedRequest echo =
        request(QStringLiteral("e.json"), QStringLiteral("Echo"), R"({"text": "{{word}}", "i32": 7})");
    echo.metadata = {{QStringLiteral("authorization"), QStringLiteral("Bearer {{token}}")}};
    echo.deadlineSeconds = 5;
    models::ConnectionSettings channel;
    const auto command = models::toGrpcurl(echo, channel, {}, {}, {}, env);
    QVERIFY2(command, qPrintable(command.errorMessage()));
    QVERIFY2(command->startsWith(QStringLiteral(
                 "grpcurl -plaintext -max-time 5 -H \"authorization: Bearer ${WIRESCOPE_VAR_TOKEN}\"")),
             qPrintable(*command));
    QVERIFY(!command->contains(QStringLiteral("unused-here")));

    auto runShell = [](const QString &line, const QString &token) {
        QProcess sh;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("WIRESCOPE_VAR_TOKEN"), token);
        sh.setProcessEnvironment(environment);
        QString program = line;
        program.replace(0, 7, QStringLiteral(WIRESCOPE_CLI));
        sh.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), program});
        sh.waitForFinished(30000);
        return std::make_pair(sh.exitCode(),
                              QString::fromUtf8(sh.readAllStandardOutput() + sh.readAllStandardError()));
    };
    const auto [code, out] = runShell(*command, QStringLiteral("tok-123"));
    QVERIFY2(code == 0, qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("\"text\": \"it's $HOME\"")), qPrintable(out));
    QVERIFY2(out.contains(QStringLiteral("\"authorization\": \"Bearer tok-123\"")), qPrintable(out));

    // Pasted back, it is the same request (secrets stay references for the user to fill).
    const auto parsed = models::parseGrpcurl(*command);
    QVERIFY2(parsed, qPrintable(parsed.errorMessage()));
    QCOMPARE(parsed->request.method, echo.method);
    QCOMPARE(parsed->request.target, QString::fromStdString(m_server->address()));
    QCOMPARE(parsed->request.deadlineSeconds, 5.0);
    QCOMPARE(json(parsed->request.body.toUtf8().constData()), json(R"({"text": "it's $HOME", "i32": 7})"));

    // A client stream's messages go as several -d values.
    const SavedRequest upload = request(QStringLiteral("u.json"), QStringLiteral("ClientStream"),
                                        R"([{"text": "a"}, {"text": "b"}, {"text": "c"}])");
    const auto streamCommand = models::toGrpcurl(upload, channel, {}, {}, {}, env);
    QVERIFY2(streamCommand, qPrintable(streamCommand.errorMessage()));
    const auto [streamCode, streamOut] = runShell(*streamCommand, QString());
    QVERIFY2(streamCode == 0, qPrintable(streamOut));
    QVERIFY2(streamOut.contains(QStringLiteral("\"count\": 3")), qPrintable(streamOut));

    // A variable the environment lacks is named.
    SavedRequest unknown = echo;
    unknown.body = QStringLiteral(R"({"text": "{{nope}}"})");
    const auto failed = models::toGrpcurl(unknown, channel, {}, {}, {}, env);
    QVERIFY(!failed);
    QVERIFY2(failed.errorMessage().contains(QStringLiteral("{{nope}} in the body")), qPrintable(failed.errorMessage()));
}

// A workspace connection's "proxy" (a URL, or "none") reaches the engine; a malformed one fails
// its requests naming the connection. grpcurl has no proxy flag: the exported command sets
// https_proxy for it (which wirescope-cli, standing in for grpcurl, reads as gRPC does), unix
// sockets go as -unix, and both come back when the command is pasted.
void RunnerTest::connectionsChooseTheProxyAndGrpcurlCarriesIt()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    Workspace ws = workspaceWithTestProto(dir.path());
    testsupport::ConnectProxy proxy;
    models::WorkspaceSettings settings = ws.settings();
    settings.environments = {
        {QStringLiteral("test"),
         {{QStringLiteral("host"), QString::fromStdString(m_server->address()), false}}}};
    auto connection = [](const QString &proxyValue) {
        return QJsonObject{{QStringLiteral("plaintext"), true}, {QStringLiteral("proxy"), proxyValue}};
    };
    settings.connections = {{QStringLiteral("corporate"), connection(QString::fromStdString(proxy.url()))},
                            {QStringLiteral("direct"), connection(QStringLiteral("none"))},
                            {QStringLiteral("broken"), connection(QStringLiteral("http://a@b@c:1"))}};
    QCOMPARE(ws.saveSettings(settings).errorMessage(), QString());
    const char *assertions = R"({"json": [{"path": "$.echo.text", "equals": "hi"}]})";
    for (const char *name : {"corporate", "direct", "broken"}) {
        SavedRequest r = request(QString::fromLatin1(name) + QStringLiteral(".json"), QStringLiteral("Echo"),
                                 R"({"text": "hi"})", assertions);
        r.connection = QString::fromLatin1(name);
        QCOMPARE(ws.save(r).errorMessage(), QString());
    }
    ws = Workspace::open(dir.path());
    RunOptions options;
    options.environment = QStringLiteral("test");
    const auto results = Runner(ws).run(options);
    const RunResult *viaProxy = resultFor(results, QStringLiteral("corporate.json"));
    const RunResult *direct = resultFor(results, QStringLiteral("direct.json"));
    const RunResult *broken = resultFor(results, QStringLiteral("broken.json"));
    QVERIFY(viaProxy && direct && broken);
    QVERIFY2(viaProxy->passed(), qPrintable(viaProxy->error + viaProxy->statusMessage));
    QVERIFY2(direct->passed(), qPrintable(direct->error + direct->statusMessage));
    QCOMPARE(proxy.targets(), std::vector<std::string>{m_server->address()});
    QVERIFY(!broken->passed());
    QVERIFY2(broken->error.contains(QStringLiteral("connection \"broken\"")) &&
                 broken->error.contains(QStringLiteral("http://a@b@c:1")),
             qPrintable(broken->error));
    const auto channel = models::ConnectionSettings::fromWorkspace(ws, QStringLiteral("direct"));
    QVERIFY(channel);
    QCOMPARE(channel->proxy, QStringLiteral("none"));
    QCOMPARE(channel->toOptions(QStringLiteral("h:1"), "ua").proxy, std::string("none"));

    // Export and run through the shell, then paste back.
    models::ConnectionSettings proxied;
    proxied.proxy = QString::fromStdString(proxy.url());
    SavedRequest echo = request(QStringLiteral("e.json"), QStringLiteral("Echo"), R"({"text": "hi"})");
    const models::Environment env = settings.environments.front();
    auto command = models::toGrpcurl(echo, proxied, {}, {}, {}, env);
    QVERIFY2(command, qPrintable(command.errorMessage()));
    QVERIFY2(command->startsWith(
                 QStringLiteral("https_proxy=%1 grpcurl ").arg(QString::fromStdString(proxy.url()))),
             qPrintable(*command));
    auto runShell = [](QString line) {
        line.replace(QStringLiteral("grpcurl "), QStringLiteral(WIRESCOPE_CLI " "));
        QProcess sh;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"grpc_proxy", "http_proxy", "no_grpc_proxy", "no_proxy"})
            environment.remove(QString::fromLatin1(name));
        sh.setProcessEnvironment(environment);
        sh.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), line});
        sh.waitForFinished(30000);
        return std::make_pair(sh.exitCode(),
                              QString::fromUtf8(sh.readAllStandardOutput() + sh.readAllStandardError()));
    };
    const auto [code, out] = runShell(*command);
    QVERIFY2(code == 0, qPrintable(out));
    QVERIFY(proxy.connects() >= 2); // reflection and the call, through the proxy
    auto parsed = models::parseGrpcurl(*command);
    QVERIFY2(parsed, qPrintable(parsed.errorMessage()));
    QCOMPARE(parsed->connection.proxy, QString::fromStdString(proxy.url()));
    models::ConnectionSettings none;
    none.proxy = QStringLiteral("none");
    command = models::toGrpcurl(echo, none, {}, {}, {}, env);
    QVERIFY2(command && command->startsWith(QStringLiteral("NO_PROXY='*' grpcurl ")), qPrintable(*command));
    parsed = models::parseGrpcurl(*command);
    QVERIFY2(parsed, qPrintable(parsed.errorMessage()));
    QCOMPARE(parsed->connection.proxy, QStringLiteral("none"));
    parsed = models::parseGrpcurl(QStringLiteral("grpc_proxy=http://g:1 https_proxy=http://h:2 wirescope-cli "
                                                 "-plaintext localhost:1 a.B/C"));
    QVERIFY2(parsed, qPrintable(parsed.errorMessage()));
    QCOMPARE(parsed->connection.proxy, QStringLiteral("http://g:1"));

    // A unix socket: -unix and the path.
    const std::string socket = "unix:" + dir.filePath(QStringLiteral("s.sock")).toStdString();
    const auto unixServer = testing_server::TestServer::started(testing_server::listeningOn(socket));
    QVERIFY(unixServer);
    SavedRequest overSocket = echo;
    overSocket.target = QString::fromStdString(socket);
    command = models::toGrpcurl(overSocket, models::ConnectionSettings{}, {}, {}, {}, env);
    QVERIFY2(command && command->contains(QStringLiteral(" -unix ") + dir.filePath(QStringLiteral("s.sock"))),
             qPrintable(*command));
    const auto [unixCode, unixOut] = runShell(*command);
    QVERIFY2(unixCode == 0, qPrintable(unixOut));
    parsed = models::parseGrpcurl(*command);
    QVERIFY2(parsed, qPrintable(parsed.errorMessage()));
    QCOMPARE(parsed->request.target, overSocket.target);
}

// Found by tests/fuzz/grpcurl_fuzz (an exported command pasted back must be the same request):
// a numeric flag that was not a number became 0, "no timeout"; times lost digits on export; a
// stream's messages were re-serialized by QJsonDocument (members sorted, a uint64 above 2^63
// rounded, a string element without its quotes, a number exported as {}).
void RunnerTest::pastedGrpcurlNumbersAndStreamsKeepTheirMeaning()
{
    for (const char *line : {"grpcurl -connect-timeout=3x h:1 a.B/C", "grpcurl -max-time 1e300 h:1 a.B/C",
                             "grpcurl -keepalive-time -1 h:1 a.B/C", "grpcurl -max-time nan h:1 a.B/C",
                             "grpcurl -max-msg-sz 4MB h:1 a.B/C"}) {
        const auto refused = models::parseGrpcurl(QString::fromUtf8(line));
        QVERIFY2(!refused, line);
        QVERIFY2(refused.errorMessage().startsWith(QStringLiteral("the flag -")) ||
                     refused.errorMessage().startsWith(QStringLiteral("-")),
                 qPrintable(refused.errorMessage()));
    }
    auto c = models::parseGrpcurl(
        QStringLiteral("grpcurl -plaintext -max-time 1.2345678 -connect-timeout 0.0001 -keepalive-time 2.5 h:1 a.B/C"));
    QVERIFY2(c, qPrintable(c.errorMessage()));
    QCOMPARE(c->connection.connectTimeoutMs, 1); // never rounded to 0, which would mean no timeout at all
    QCOMPARE(c->connection.keepaliveMs, 2500);
    auto exported = models::toGrpcurl(c->request, c->connection, {}, {}, {}, {});
    QVERIFY2(exported, qPrintable(exported.errorMessage()));
    QVERIFY2(exported->contains(QStringLiteral("-max-time 1.235 ")), qPrintable(*exported)); // exact ms
    QVERIFY2(exported->contains(QStringLiteral("-connect-timeout 0.001 ")), qPrintable(*exported));

    c = models::parseGrpcurl(QStringLiteral(R"(grpcurl -d '{"z": 18446744073709551615, "a": 1} "text" 5' h:1 a.B/C)"));
    QVERIFY2(c, qPrintable(c.errorMessage()));
    auto messages = models::arrayMessages(c->request.body);
    QVERIFY(messages);
    for (std::string &m : *messages) // the elements as written, without the layout (no spaces in these strings)
        std::erase_if(m, [](char ch) { return ch == ' ' || ch == '\n'; });
    QCOMPARE(*messages, (std::vector<std::string>{R"({"z":18446744073709551615,"a":1})", "\"text\"", "5"}));
    exported = models::toGrpcurl(c->request, c->connection, {}, {}, {}, {});
    QVERIFY2(exported, qPrintable(exported.errorMessage()));
    QVERIFY2(exported->contains(QStringLiteral(R"( -d '{"z": 18446744073709551615,"a": 1} "text" 5' )")),
             qPrintable(*exported));
    auto again = models::parseGrpcurl(*exported);
    QVERIFY2(again, qPrintable(again.errorMessage()));
    QCOMPARE(again->request.body, c->request.body);

    // A number a double cannot hold: still two messages (QJsonDocument refused the array, and the
    // export sent it as one message that pasted back as another body).
    c = models::parseGrpcurl(QStringLiteral(R"(grpcurl -d '2147483e621474836488 {"a": 3}' h:1 a.B/C)"));
    QVERIFY2(c, qPrintable(c.errorMessage()));
    messages = models::arrayMessages(c->request.body);
    QVERIFY(messages);
    QCOMPARE(messages->size(), std::size_t(2));
    QCOMPARE(messages->front(), std::string("2147483e621474836488"));
    exported = models::toGrpcurl(c->request, c->connection, {}, {}, {}, {});
    QVERIFY2(exported, qPrintable(exported.errorMessage()));
    again = models::parseGrpcurl(*exported);
    QVERIFY2(again, qPrintable(again.errorMessage()));
    QCOMPARE(again->request.body, c->request.body);

    // A socket path that starts with '-' is not exported as "-unix -x", which reads as a flag.
    c = models::parseGrpcurl(QStringLiteral("grpcurl -plaintext unix:-x a.B/C"));
    QVERIFY2(c, qPrintable(c.errorMessage()));
    exported = models::toGrpcurl(c->request, c->connection, {}, {}, {}, {});
    QVERIFY2(exported && exported->endsWith(QStringLiteral(" unix:-x a.B/C")), qPrintable(exported.valueOr({})));
    again = models::parseGrpcurl(*exported);
    QVERIFY2(again, qPrintable(again.errorMessage()));
    QCOMPARE(again->request.target, QStringLiteral("unix:-x"));
    // Nor one that starts with "unix:": -unix unix:x reads as the target unix:x.
    c = models::parseGrpcurl(QStringLiteral("grpcurl -plaintext unix:unix:x a.B/C"));
    QVERIFY2(c, qPrintable(c.errorMessage()));
    exported = models::toGrpcurl(c->request, c->connection, {}, {}, {}, {});
    QVERIFY2(exported, qPrintable(exported.errorMessage()));
    again = models::parseGrpcurl(*exported);
    QVERIFY2(again, qPrintable(again.errorMessage()));
    QCOMPARE(again->request.target, QStringLiteral("unix:unix:x"));

    // -connect-timeout 0 (no timeout) is not the default (10 s): it is exported.
    c = models::parseGrpcurl(QStringLiteral("grpcurl -connect-timeout 0 h:1 a.B/C"));
    QVERIFY2(c, qPrintable(c.errorMessage()));
    exported = models::toGrpcurl(c->request, c->connection, {}, {}, {}, {});
    QVERIFY2(exported && exported->contains(QStringLiteral(" -connect-timeout 0 ")), qPrintable(exported.valueOr({})));

    // An empty -import-path is exported too (it was dropped: the command loaded other files).
    c = models::parseGrpcurl(QStringLiteral("grpcurl -import-path '' -proto a.proto h:1 a.B/C"));
    QVERIFY2(c, qPrintable(c.errorMessage()));
    QCOMPARE(c->importPaths, QStringList{QString()});
    exported = models::toGrpcurl(c->request, c->connection, c->importPaths, c->protoFiles, {}, {});
    QVERIFY2(exported && exported->contains(QStringLiteral(" -import-path '' -proto a.proto ")),
             qPrintable(exported.valueOr({})));
    again = models::parseGrpcurl(*exported);
    QVERIFY2(again, qPrintable(again.errorMessage()));
    QCOMPARE(again->importPaths, c->importPaths);

    // A variable's value with a newline in it is still a variable, not the program's name.
    c = models::parseGrpcurl(QStringLiteral("https_proxy='http://p:1\nx' grpcurl -plaintext h:1 a.B/C"));
    QVERIFY2(c, qPrintable(c.errorMessage()));
    QCOMPARE(c->connection.proxy, QStringLiteral("http://p:1\nx"));

    // An empty -d is no -d (it was an empty body, which export left out: {} when pasted back).
    c = models::parseGrpcurl(QStringLiteral("grpcurl -d '  ' h:1 a.B/C"));
    QVERIFY2(c, qPrintable(c.errorMessage()));
    QCOMPARE(c->request.body, QStringLiteral("{}"));

    // A header whose name is only spaces has no name.
    c = models::parseGrpcurl(QStringLiteral("grpcurl -H '   : v' h:1 a.B/C"));
    QVERIFY(!c);
    QCOMPARE(c.errorMessage(), QStringLiteral("the header \"   : v\" is not \"name: value\""));
}

// Seen while writing tests/fuzz/workspace_fuzz (which now checks it): a deadline or connection
// time too large for the engine's milliseconds (1e300 in a file) was converted anyway, which is
// undefined behaviour (UBSan stops there; in practice the call had no deadline). Each is refused
// where it is read, by name.
void RunnerTest::timesTheEngineCannotHoldAreRefused()
{
    auto parsed = Workspace::parseRequest(R"({"method": "a.B/C", "deadline_seconds": 1e300})", QStringLiteral("r.json"));
    QVERIFY(!parsed);
    QVERIFY2(parsed.error().message.contains(QStringLiteral("\"deadline_seconds\" must be at most 2147483 seconds")),
             qPrintable(parsed.error().toString()));
    parsed = Workspace::parseRequest(R"({"method": "a.B/C", "deadline_seconds": 2147483})", QStringLiteral("r.json"));
    QVERIFY2(parsed, qPrintable(parsed ? QString() : parsed.error().toString()));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile settings(dir.filePath(QLatin1String(Workspace::kSettingsFile)));
    QVERIFY(settings.open(QIODevice::WriteOnly));
    settings.write(R"({"defaults": {"deadline_seconds": 1e300},
                       "connections": {"slow": {"keepalive_seconds": 1e300}, "fine": {"connect_timeout_seconds": 3}}})");
    settings.close();
    const Workspace ws = Workspace::open(dir.path());
    QCOMPARE(ws.problems().size(), std::size_t(1));
    QVERIFY2(ws.problems().front().message.contains(QStringLiteral("\"defaults\": \"deadline_seconds\" must be at most")),
             qPrintable(ws.problems().front().toString()));
    SavedRequest r;
    r.method = QStringLiteral("a.B/C");
    QCOMPARE(models::withDefaults(r, ws.settings()).deadlineSeconds, 0.0); // not used
    const auto slow = models::ConnectionSettings::fromWorkspace(ws, QStringLiteral("slow"));
    QVERIFY(!slow);
    QVERIFY2(slow.errorMessage().startsWith(QStringLiteral("connection \"slow\": keepalive_seconds is too long")),
             qPrintable(slow.errorMessage()));
    const auto fine = models::ConnectionSettings::fromWorkspace(ws, QStringLiteral("fine"));
    QVERIFY2(fine, qPrintable(fine.errorMessage()));
    QCOMPARE(fine->connectTimeoutMs, 3000);
}

// A header name was lowercased with QString::toLower, which made the Kelvin sign a 'k' the user
// never typed. Only ASCII is lowercased now, and the header check refuses the rest by position.
// (The -bin half of this test, URL-safe "AAH_" and "not base64!", is main's
// CallRequestTest::oneRuleForBinaryHeaders.)
void RunnerTest::metadataIsSentAsTheCliSendsIt()
{
    const auto h = models::metadataEntry(QStringLiteral("X-\u212Aey"), QStringLiteral("v"));
    QVERIFY2(h, qPrintable(h.errorMessage()));
    QCOMPARE(h->first, std::string("x-\xE2\x84\xAA" "ey"));
    QVERIFY(!rpc::headerProblem(h->first, h->second).empty());
}

#endif // Q_MOC_RUN

QTEST_GUILESS_MAIN(RunnerTest)
#include "runner_test.moc"
