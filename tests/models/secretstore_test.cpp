// Secrets in the OS keychain, and the session-only fallback where none answers. CTest runs the
// first case inside a private D-Bus session with an unlocked gnome-keyring, the second with no
// bus at all; WIRESCOPE_TEST_KEYCHAIN says which world the process is in.
#include "models/secretstore.h"

#include <QSignalSpy>
#include <QUuid>
#include <QtTest>

using models::SecretStore;

class SecretStoreTest : public QObject
{
    Q_OBJECT

private slots:
    void valuesRoundTripThroughTheKeychain();
    void withoutAKeychainValuesAreKeptForTheSessionOnly();
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

QTEST_GUILESS_MAIN(SecretStoreTest)
#include "secretstore_test.moc"
