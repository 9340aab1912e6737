// SPDX-License-Identifier: GPL-3.0-or-later
// Secrets in the OS keychain, and the session-only fallback where none answers. CTest runs the
// first case inside a private D-Bus session with an unlocked gnome-keyring, the second with no
// bus at all; WIRESCOPE_TEST_KEYCHAIN says which world the process is in.
#include "models/secretstore.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

using models::SecretStore;

class SecretStoreTest : public QObject
{
    Q_OBJECT

private slots:
    void valuesRoundTripThroughTheKeychain();
    void withoutAKeychainValuesAreKeptForTheSessionOnly();
    void theCliRunTakesSecretsTheWindowKeptInTheKeychain();
};

void SecretStoreTest::valuesRoundTripThroughTheKeychain()
{
    if (qgetenv("WIRESCOPE_TEST_KEYCHAIN") != "available")
        QSKIP("runs inside dbus-run-session with gnome-keyring (the secretstore_keychain test)");
    const QString service =
        QStringLiteral("WirescopeTest-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString key =
        SecretStore::keyFor(QStringLiteral("/tmp/ws"), QStringLiteral("prod"), QStringLiteral("token"));
    {
        SecretStore store(service);
        QSignalSpy written(&store, &SecretStore::writeFinished);
        store.write(key, QStringLiteral("s3cr3t"));
        QVERIFY(written.wait(10000));
        QCOMPARE(written.front().at(1).toBool(), true);
        QVERIFY(store.keychainAvailable());
    }
    // A new store (a new session of the program) finds it in the keychain.
    SecretStore fresh(service);
    QVERIFY(!fresh.cached(key));
    QSignalSpy read(&fresh, &SecretStore::readFinished);
    fresh.read(key);
    QVERIFY(read.wait(10000));
    QCOMPARE(read.front().at(1).toBool(), true);
    QCOMPARE(*fresh.cached(key), QStringLiteral("s3cr3t"));
    // A key never written is not found, and that is not a keychain failure.
    fresh.read(key + QStringLiteral("-other"));
    QVERIFY(read.wait(10000));
    QCOMPARE(read.back().at(1).toBool(), false);
    QVERIFY(fresh.keychainAvailable());
    fresh.remove(key);
}

void SecretStoreTest::withoutAKeychainValuesAreKeptForTheSessionOnly()
{
    if (qgetenv("WIRESCOPE_TEST_KEYCHAIN") != "absent")
        QSKIP("runs with no D-Bus session (the secretstore_fallback test)");
    SecretStore store;
    QSignalSpy unavailable(&store, &SecretStore::keychainUnavailable);
    QSignalSpy read(&store, &SecretStore::readFinished);
    store.read(QStringLiteral("k"));
    QVERIFY(read.wait(10000));
    QCOMPARE(read.front().at(1).toBool(), false);
    QCOMPARE(unavailable.size(), 1);
    QVERIFY(!store.keychainAvailable());
    QVERIFY(!store.unavailableReason().isEmpty());

    QSignalSpy written(&store, &SecretStore::writeFinished);
    store.write(QStringLiteral("k"), QStringLiteral("v"));
    QVERIFY(written.wait(5000));
    QCOMPARE(written.front().at(1).toBool(), false); // not in a keychain
    QCOMPARE(*store.cached(QStringLiteral("k")), QStringLiteral("v"));
    QCOMPARE(unavailable.size(), 1); // said once
}

// `wirescope-cli run` on a developer's machine finds a secret the window put in the keychain
// (same service, same key); without it, it says how to give the value.
void SecretStoreTest::theCliRunTakesSecretsTheWindowKeptInTheKeychain()
{
    if (qgetenv("WIRESCOPE_TEST_KEYCHAIN") != "available")
        QSKIP("runs inside dbus-run-session with gnome-keyring (the secretstore_keychain test)");
    QProcess demo;
    demo.start(QStringLiteral(WIRESCOPE_CLI),
               {QStringLiteral("demo"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0")});
    QVERIFY(demo.waitForReadyRead(20000));
    const QString line = QString::fromUtf8(demo.readLine());
    const QString address = line.section(QStringLiteral("listening on "), 1).trimmed();
    QVERIFY2(!address.isEmpty(), qPrintable(line));

    QTemporaryDir dir;
    auto write = [&](const QString &name, const QByteArray &text) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(text);
    };
    const QString settings =
        QStringLiteral("{\"format_version\": 1, \"reflection\": [\"{{host}}\"], \"environments\": ["
                       "{\"name\": \"local\", \"variables\": [{\"name\": \"host\", \"value\": \"%1\"},"
                       " {\"name\": \"token\", \"secret\": true}]},"
                       "{\"name\": \"other\", \"variables\": [{\"name\": \"host\", \"value\": \"%1\"},"
                       " {\"name\": \"token\", \"secret\": true}]}]}");
    write(QStringLiteral("wirescope.json"), settings.arg(address).toUtf8());
    write(QStringLiteral("forecast.json"),
          QByteArrayLiteral(
              "{\"format_version\": 1, \"method\": \"wirescope.demo.v1.WeatherService/GetForecast\","
              " \"target\": \"{{host}}\", \"metadata\": [[\"authorization\", \"Bearer {{token}}\"]],"
              " \"body\": {\"city\": \"Oslo\", \"days\": 1}, \"assertions\": {\"status\": \"OK\"}}"));
    const QString secret = QStringLiteral("kept-by-the-window-4f1e");
    const QString key = SecretStore::keyFor(dir.path(), QStringLiteral("local"), QStringLiteral("token"));
    {
        SecretStore store(QStringLiteral("Wirescope")); // the window's service
        QSignalSpy written(&store, &SecretStore::writeFinished);
        store.write(key, secret);
        QVERIFY(written.wait(10000));
        QVERIFY(written.front().at(1).toBool());
    }
    auto run = [&](const QString &env) {
        QProcess cli;
        cli.start(QStringLiteral(WIRESCOPE_CLI),
                  {QStringLiteral("run"), dir.path(), QStringLiteral("--env"), env});
        cli.waitForFinished(60000);
        return std::make_pair(cli.exitCode(),
                              QString::fromUtf8(cli.readAllStandardOutput() + cli.readAllStandardError()));
    };
    const auto [okCode, okOut] = run(QStringLiteral("local"));
    QVERIFY2(okCode == 0 && okOut.contains(QStringLiteral("PASS")), qPrintable(okOut));
    QVERIFY(!okOut.contains(secret));
    const auto [missingCode, missingOut] = run(QStringLiteral("other"));
    QCOMPARE(missingCode, 1);
    QVERIFY2(missingOut.contains(QStringLiteral("WIRESCOPE_VAR_TOKEN")), qPrintable(missingOut));
    SecretStore(QStringLiteral("Wirescope")).remove(key);
    demo.terminate();
    demo.waitForFinished(5000);
}

QTEST_GUILESS_MAIN(SecretStoreTest)
#include "secretstore_test.moc"
