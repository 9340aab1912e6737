// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Small file helpers for the QTest suites (models and ui), which work in QString paths.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QtTest>

namespace {

// Writes `bytes` to `path`, creating its folders; the test fails if it cannot.
inline void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY2(f.open(QIODevice::WriteOnly | QIODevice::Truncate), qPrintable(path));
    f.write(bytes);
}

// The bytes of `path`, or nothing when it cannot be read.
inline QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace
