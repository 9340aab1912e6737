// SPDX-License-Identifier: GPL-3.0-or-later
// writeFileAtomically (declared in models/workspace.h), which workspace files, history, autosave
// and run's JUnit reports are written with.
#include "models/workspace.h"

#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace models {

Status writeFileAtomically(const QString &path, const QByteArray &bytes)
{
    const QFileInfo info(path);
    const QByteArray dir = QFile::encodeName(info.absolutePath());
    QByteArray temp = QFile::encodeName(info.absoluteFilePath()) + ".tmp-XXXXXX";
    const int fd = mkstemp(temp.data());
    if (fd < 0)
        return fail(QStringLiteral("cannot write %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))), path);
    auto failed = [&](const char *what) {
        const QString why = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        ::unlink(temp.constData());
        return fail(QStringLiteral("cannot write %1 (%2): %3").arg(path, QLatin1String(what), why), path);
    };
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.constData() + done, std::size_t(bytes.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return failed("write");
        done += n;
    }
    // Keep the mode of the file being replaced (mkstemp makes 0600).
    struct stat old
    {
    };
    const bool replacing = ::stat(QFile::encodeName(info.absoluteFilePath()).constData(), &old) == 0;
    ::fchmod(fd, replacing ? (old.st_mode & 07777) : 0644);
    if (::fsync(fd) != 0)
        return failed("fsync");
    if (::close(fd) != 0) {
        ::unlink(temp.constData());
        return fail(QStringLiteral("cannot write %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))), path);
    }
    if (::rename(temp.constData(), QFile::encodeName(info.absoluteFilePath()).constData()) != 0) {
        const QString why = QString::fromLocal8Bit(std::strerror(errno));
        ::unlink(temp.constData());
        return fail(QStringLiteral("cannot replace %1: %2").arg(path, why), path);
    }
    // The rename itself must reach the disk.
    const int dirFd = ::open(dir.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirFd >= 0) {
        ::fsync(dirFd);
        ::close(dirFd);
    }
    return {};
}

} // namespace models
