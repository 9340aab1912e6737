// SPDX-License-Identifier: GPL-3.0-or-later
// Call history: entries survive a reload, responses are capped, the file stays bounded, a line
// damaged by a crash is skipped, search finds by every word, and the workspace ignores it.
#include "models/history.h"
#include "models/workspace.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using models::History;
using models::HistoryEntry;

class HistoryTest : public QObject
{
    Q_OBJECT

private slots:
    void entriesSurviveAReload();
    void responsesAreCappedAndTheFileBounded();
    void aDamagedLineIsSkipped();
    void aBigRequestBodyIsLeftOutButItsSizeKept();
    void searchMatchesEveryWord();
};

namespace {

HistoryEntry entry(const QString &city, int status = 0)
{
    HistoryEntry e;
    e.time = QDateTime::fromString(QStringLiteral("2026-11-24T10:00:00.123Z"), Qt::ISODateWithMs);
    e.request.method = QStringLiteral("wirescope.demo.v1.WeatherService/GetForecast");
    e.request.target = QStringLiteral("{{host}}");
    e.request.body = QStringLiteral("{\n    \"city\": \"%1\"\n}\n").arg(city);
    e.request.metadata = {{QStringLiteral("authorization"), QStringLiteral("Bearer {{token}}")}};
    e.environment = QStringLiteral("local");
    e.sentTarget = QStringLiteral("127.0.0.1:50051");
    e.statusCode = status;
    e.statusName = status == 0 ? QStringLiteral("OK") : QStringLiteral("NOT_FOUND");
    e.responses = {QStringLiteral("{\"city\":\"%1\"}").arg(city)};
    e.responseCount = 1;
    e.durationMs = 3.25;
    return e;
}

} // namespace

void HistoryTest::entriesSurviveAReload()
{
    QTemporaryDir dir;
    const QString file = History::fileFor(dir.path());
    History history(file);
    QVERIFY(history.load());
    QCOMPARE(history.append(entry(QStringLiteral("Berlin"))).errorMessage(), QString());
    QCOMPARE(history.append(entry(QStringLiteral("Atlantis"), 5)).errorMessage(), QString());
    History again(file);
    QVERIFY(again.load());
    QCOMPARE(again.entries().size(), std::size_t(2));
    QCOMPARE(again.entries().front(), history.entries().front());
    QCOMPARE(again.entries().back().statusName, QStringLiteral("NOT_FOUND"));
    // The body comes back as it was sent: keys in their order, numbers as written.
    HistoryEntry exact = entry(QStringLiteral("Oslo"));
    exact.request.body = QStringLiteral(R"({"zone": 2.50, "city": "Oslo", "id": 18446744073709551615})");
    QCOMPARE(again.append(exact).errorMessage(), QString());
    History third(file);
    QVERIFY(third.load());
    QCOMPARE(third.entries().back().request.body, exact.request.body);
    // Personal, not the team's: ignored by git and not a request of the workspace.
    QVERIFY(QFile::exists(dir.filePath(QStringLiteral(".wirescope/.gitignore"))));
    const models::Workspace ws = models::Workspace::open(dir.path());
    QVERIFY(ws.requests().empty());
    QVERIFY(ws.problems().empty());
    // A history that cannot be read is an error naming it (none at all is an empty history).
    QVERIFY(History(dir.filePath(QStringLiteral("absent.jsonl"))).load());
    QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("a-folder.jsonl"))));
    const models::Status unreadable = History(dir.filePath(QStringLiteral("a-folder.jsonl"))).load();
    QVERIFY(!unreadable);
    QVERIFY2(unreadable.errorMessage().contains(QStringLiteral("a-folder.jsonl")), qPrintable(unreadable.errorMessage()));
}

void HistoryTest::responsesAreCappedAndTheFileBounded()
{
    QTemporaryDir dir;
    const QString file = History::fileFor(dir.path());
    History history(file, 5);
    HistoryEntry big = entry(QStringLiteral("Oslo"));
    big.responses.clear();
    for (int i = 0; i < 30; ++i)
        big.responses << QString(History::kMaxResponseBytes + 10, QLatin1Char('x'));
    QCOMPARE(history.append(big).errorMessage(), QString());
    QCOMPARE(history.entries().back().responses.size(), History::kMaxResponses);
    QCOMPARE(history.entries().back().responseCount, 30);
    QCOMPARE(history.entries().back().responses.front().size(), History::kMaxResponseBytes + 1);

    for (int i = 0; i < 12; ++i)
        QCOMPARE(history.append(entry(QStringLiteral("City%1").arg(i))).errorMessage(), QString());
    QCOMPARE(history.entries().size(), std::size_t(5));
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().count('\n') <= 10);
    History again(file, 5);
    QVERIFY(again.load());
    QCOMPARE(again.entries().size(), std::size_t(5));
    QVERIFY(again.entries().back().request.body.contains(QStringLiteral("City11")));
    QVERIFY(again.entries().front().request.body.contains(QStringLiteral("City7")));
}

void HistoryTest::aBigRequestBodyIsLeftOutButItsSizeKept()
{
    QTemporaryDir dir;
    const QString file = History::fileFor(dir.path());
    History history(file);
    HistoryEntry big = entry(QStringLiteral("Lima"));
    // "é" is two bytes in UTF-8: the limit counts bytes, not characters.
    big.request.body =
        QStringLiteral("{\"city\": \"%1\"}").arg(QString(History::kMaxRequestBodyBytes / 2, QChar(0xE9)));
    const qint64 bytes = big.request.body.toUtf8().size();
    QVERIFY(bytes > History::kMaxRequestBodyBytes);
    QCOMPARE(history.append(big).errorMessage(), QString());
    HistoryEntry small = entry(QStringLiteral("Quito"));
    const QString justUnder(History::kMaxRequestBodyBytes - 100, QLatin1Char('q'));
    small.request.body = QStringLiteral("{\"city\": \"%1\"}").arg(justUnder);
    QCOMPARE(history.append(small).errorMessage(), QString());

    QVERIFY(QFileInfo(file).size() < 2 * History::kMaxRequestBodyBytes);
    History again(file);
    QVERIFY(again.load());
    QCOMPARE(again.entries().size(), std::size_t(2));
    QVERIFY(again.entries().front().request.body.isEmpty());
    QCOMPARE(again.entries().front().bodyOmittedBytes, bytes);
    QCOMPARE(again.entries().front().request.method, big.request.method);
    QVERIFY(again.entries().back().request.body.contains(justUnder));
    QCOMPARE(again.entries().back().bodyOmittedBytes, 0);
}

void HistoryTest::aDamagedLineIsSkipped()
{
    QTemporaryDir dir;
    const QString file = History::fileFor(dir.path());
    History history(file);
    QCOMPARE(history.append(entry(QStringLiteral("Lima"))).errorMessage(), QString());
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::Append));
        f.write(History::serialize(entry(QStringLiteral("Tokyo"))).left(40)); // cut by a crash
        f.write("\n");
    }
    QCOMPARE(history.append(entry(QStringLiteral("Nairobi"))).errorMessage(), QString());
    History again(file);
    QVERIFY(again.load());
    QCOMPARE(again.entries().size(), std::size_t(2));
    QCOMPARE(again.skippedLines(), 1);
}

void HistoryTest::searchMatchesEveryWord()
{
    QTemporaryDir dir;
    History history(History::fileFor(dir.path()));
    QCOMPARE(history.append(entry(QStringLiteral("Berlin"))).errorMessage(), QString());
    QCOMPARE(history.append(entry(QStringLiteral("Atlantis"), 5)).errorMessage(), QString());
    QCOMPARE(history.append(entry(QStringLiteral("Bergen"))).errorMessage(), QString());
    QCOMPARE(history.search(QStringLiteral("ber")), (std::vector<int>{2, 0}));
    QCOMPARE(history.search(QStringLiteral("berlin ok")), (std::vector<int>{0}));
    QCOMPARE(history.search(QStringLiteral("not_found")), (std::vector<int>{1}));
    QCOMPARE(history.search(QString()).size(), std::size_t(3));
    QVERIFY(history.search(QStringLiteral("lisbon")).empty());
}

QTEST_GUILESS_MAIN(HistoryTest)
#include "history_test.moc"
