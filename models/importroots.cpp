// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/importroots.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

namespace models {

namespace {

// Enough for any real file's import block; a file bigger than this is read only this far.
constexpr qint64 kMaxGuessBytes = 4 * 1024 * 1024;

bool builtIn(const QString &import)
{
    return import.startsWith(QLatin1String("google/protobuf/"));
}

} // namespace

QStringList protoImports(const QByteArray &text)
{
    static const QRegularExpression line(
        QStringLiteral(R"(^\s*import\s+(?:public\s+|weak\s+)?["']([^"']+)["']\s*;)"),
        QRegularExpression::MultilineOption);
    QStringList out;
    auto it = line.globalMatch(QString::fromUtf8(text));
    while (it.hasNext())
        out << it.next().captured(1);
    return out;
}

QStringList guessImportRoots(const QStringList &files)
{
    QStringList roots;
    for (const QString &file : files) {
        const QFileInfo info(file);
        QFile f(info.absoluteFilePath());
        QStringList imports;
        if (f.open(QIODevice::ReadOnly))
            imports = protoImports(f.read(kMaxGuessBytes));
        imports.removeIf(builtIn);
        QDir dir = info.absoluteDir();
        QString best = dir.absolutePath();
        qsizetype bestCount = -1;
        while (true) {
            const qsizetype found = std::count_if(imports.cbegin(), imports.cend(), [&](const QString &import) {
                return QFileInfo::exists(dir.filePath(import));
            });
            if (found > bestCount) {
                best = dir.absolutePath();
                bestCount = found;
            }
            if (found == imports.size() || !dir.cdUp())
                break;
        }
        if (!roots.contains(best))
            roots << best;
    }
    return roots;
}

} // namespace models
