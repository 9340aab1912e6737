// SPDX-License-Identifier: GPL-3.0-or-later
#include "models/history.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace models {

QString History::fileFor(const QString &workspaceFolder)
{
    return QDir(workspaceFolder).filePath(QStringLiteral(".wirescope/history.jsonl"));
}

History::History(QString file, int limit)
    : m_file(std::move(file))
    , m_limit(std::max(1, limit))
{}

namespace {

SavedRequest withoutBody(SavedRequest request)
{
    request.body.clear();
    return request;
}

} // namespace

QByteArray History::serialize(const HistoryEntry &e)
{
    QJsonArray responses;
    for (const QString &r : e.responses)
        responses.append(r);
    QJsonObject o{
        {QStringLiteral("time"), e.time.toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("request"), QJsonDocument::fromJson(Workspace::serialize(withoutBody(e.request))).object()},
        {QStringLiteral("environment"), e.environment},
        {QStringLiteral("sent_target"), e.sentTarget},
        {QStringLiteral("status_code"), e.statusCode},
        {QStringLiteral("status_name"), e.statusName},
        {QStringLiteral("status_message"), e.statusMessage},
        {QStringLiteral("responses"), responses},
        {QStringLiteral("response_count"), e.responseCount},
        {QStringLiteral("duration_ms"), e.durationMs},
    };
    if (e.bodyOmittedBytes > 0)
        o.insert(QStringLiteral("body_omitted_bytes"), e.bodyOmittedBytes);
    // The body as it was sent, as text beside the request: inside "request" it would go through
    // QJsonObject, which sorts keys and rewrites numbers.
    if (!e.request.body.isEmpty())
        o.insert(QStringLiteral("body_text"), e.request.body);
    return QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
}

std::optional<HistoryEntry> History::parse(const QByteArray &line)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    const auto request =
        Workspace::parseRequest(QJsonDocument(o.value(QStringLiteral("request")).toObject()).toJson(), QString());
    HistoryEntry e;
    e.time = QDateTime::fromString(o.value(QStringLiteral("time")).toString(), Qt::ISODateWithMs);
    if (!request || !e.time.isValid())
        return std::nullopt;
    e.request = *request;
    if (const QJsonValue text = o.value(QStringLiteral("body_text")); text.isString())
        e.request.body = text.toString();
    e.environment = o.value(QStringLiteral("environment")).toString();
    e.sentTarget = o.value(QStringLiteral("sent_target")).toString();
    e.statusCode = o.value(QStringLiteral("status_code")).toInt();
    e.statusName = o.value(QStringLiteral("status_name")).toString();
    e.statusMessage = o.value(QStringLiteral("status_message")).toString();
    for (const auto &r : o.value(QStringLiteral("responses")).toArray())
        e.responses << r.toString();
    e.responseCount = o.value(QStringLiteral("response_count")).toInt();
    e.durationMs = o.value(QStringLiteral("duration_ms")).toDouble();
    e.bodyOmittedBytes = o.value(QStringLiteral("body_omitted_bytes")).toInteger();
    return e;
}

Status History::load()
{
    m_entries.clear();
    m_skipped = 0;
    m_linesOnDisk = 0;
    QFile file(m_file);
    if (!file.exists())
        return {};
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(m_file, file.errorString()));
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        if (line.trimmed().isEmpty())
            continue;
        ++m_linesOnDisk;
        if (auto e = parse(line))
            m_entries.push_back(std::move(*e));
        else
            ++m_skipped; // a line cut short by a crash, or edited by hand
    }
    while (static_cast<int>(m_entries.size()) > m_limit)
        m_entries.pop_front();
    return {};
}

Status History::append(HistoryEntry entry)
{
    entry.responseCount = std::max(entry.responseCount, static_cast<int>(entry.responses.size()));
    if (entry.request.body.size() > kMaxRequestBodyBytes / 4) { // cheap test first: up to 4 bytes a character
        if (const qint64 bytes = entry.request.body.toUtf8().size(); bytes > kMaxRequestBodyBytes) {
            entry.bodyOmittedBytes = bytes;
            entry.request.body.clear();
        }
    }
    if (entry.responses.size() > kMaxResponses)
        entry.responses.erase(entry.responses.begin() + kMaxResponses, entry.responses.end());
    for (QString &r : entry.responses) {
        if (r.size() > kMaxResponseBytes)
            r = r.left(kMaxResponseBytes) + QStringLiteral("…");
    }
    m_entries.push_back(entry);
    if (static_cast<int>(m_entries.size()) > m_limit)
        m_entries.pop_front();
    if (m_linesOnDisk + 1 > 2 * m_limit)
        return rewrite();

    QDir().mkpath(QFileInfo(m_file).absolutePath());
    const QString ignore = QFileInfo(m_file).absolutePath() + QStringLiteral("/.gitignore");
    if (!QFile::exists(ignore)) {
        // History is personal: keep it out of the team's repository.
        if (Status written = writeFileAtomically(ignore, "*\n"); !written)
            return written;
    }
    QFile file(m_file);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
        return fail(QStringLiteral("cannot write %1: %2").arg(m_file, file.errorString()), m_file);
    const QByteArray line = serialize(entry);
    if (file.write(line) != line.size() || !file.flush())
        return fail(QStringLiteral("cannot write %1: %2").arg(m_file, file.errorString()), m_file);
    ++m_linesOnDisk;
    return {};
}

Status History::rewrite()
{
    QByteArray all;
    for (const HistoryEntry &e : m_entries)
        all += serialize(e);
    QDir().mkpath(QFileInfo(m_file).absolutePath());
    if (Status written = writeFileAtomically(m_file, all); !written)
        return written;
    m_linesOnDisk = static_cast<int>(m_entries.size());
    return {};
}

Status History::clear()
{
    m_entries.clear();
    return rewrite();
}

std::vector<int> History::search(const QString &query) const
{
    const QStringList words = query.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    std::vector<int> found;
    for (int i = static_cast<int>(m_entries.size()) - 1; i >= 0; --i) {
        const HistoryEntry &e = m_entries[std::size_t(i)];
        const QString haystack = QStringList{e.request.method, e.request.target,
                                             e.sentTarget,     e.statusName,
                                             e.statusMessage,  e.request.body,
                                             e.environment,    e.responses.join(QLatin1Char('\n'))}
                                     .join(QLatin1Char('\n'));
        if (std::all_of(words.begin(), words.end(),
                        [&](const QString &w) { return haystack.contains(w, Qt::CaseInsensitive); }))
            found.push_back(i);
    }
    return found;
}

} // namespace models
