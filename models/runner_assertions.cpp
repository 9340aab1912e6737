// SPDX-License-Identifier: GPL-3.0-or-later
// A saved request's assertions checked against a call's outcome (status, message count, latency,
// JSON paths), and the JSON path reader they use. Running requests is in runner.cpp.
#include "models/runner.h"

#include "runner_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>

#include <algorithm>
#include <limits>

namespace models {

namespace {

QString compact(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("(nothing)");
}

// Quoted for messages: strings in quotes, everything else as compact JSON.
QString shown(const QJsonValue &value)
{
    if (value.isString())
        return QLatin1Char('"') + value.toString() + QLatin1Char('"');
    return compact(value);
}

// JSON equality where a number and a string holding the same number are equal: proto3 JSON
// writes 64-bit integers as strings, and an assertion may give them either way.
bool jsonEquals(const QJsonValue &actual, const QJsonValue &expected)
{
    if (actual.isDouble() && expected.isString()) {
        bool ok = false;
        const double d = expected.toString().toDouble(&ok);
        return ok && d == actual.toDouble();
    }
    if (actual.isString() && expected.isDouble()) {
        bool ok = false;
        const double d = actual.toString().toDouble(&ok);
        return ok && d == expected.toDouble();
    }
    if (actual.isArray() && expected.isArray()) {
        const QJsonArray a = actual.toArray(), e = expected.toArray();
        if (a.size() != e.size())
            return false;
        for (qsizetype i = 0; i < a.size(); ++i) {
            if (!jsonEquals(a.at(i), e.at(i)))
                return false;
        }
        return true;
    }
    if (actual.isObject() && expected.isObject()) {
        const QJsonObject a = actual.toObject(), e = expected.toObject();
        if (a.size() != e.size())
            return false;
        for (auto it = e.begin(); it != e.end(); ++it) {
            if (!a.contains(it.key()) || !jsonEquals(a.value(it.key()), it.value()))
                return false;
        }
        return true;
    }
    return actual == expected;
}

// "contains": a substring of a string, an element of an array, a subset of an object.
bool jsonContains(const QJsonValue &actual, const QJsonValue &expected)
{
    if (actual.isString())
        return actual.toString().contains(expected.isString() ? expected.toString() : compact(expected));
    if (actual.isArray()) {
        const QJsonArray a = actual.toArray();
        return std::any_of(a.begin(), a.end(), [&](const QJsonValue &element) {
            return jsonEquals(element, expected) ||
                   (element.isObject() && expected.isObject() && jsonContains(element, expected));
        });
    }
    if (actual.isObject() && expected.isObject()) {
        const QJsonObject a = actual.toObject(), e = expected.toObject();
        for (auto it = e.begin(); it != e.end(); ++it) {
            if (!a.contains(it.key()))
                return false;
            const QJsonValue v = a.value(it.key());
            if (!(jsonEquals(v, it.value()) ||
                  (v.isObject() && it.value().isObject() && jsonContains(v, it.value()))))
                return false;
        }
        return true;
    }
    return false;
}

std::optional<int> statusCodeFromJson(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toInt();
    const QString text = value.toString();
    for (int code = 0; code <= 16; ++code) {
        if (text.compare(QString::fromStdString(rpc::statusCodeName(code)), Qt::CaseInsensitive) == 0 ||
            text.compare(QString::fromStdString(rpc::statusCodeCamelName(code)), Qt::CaseInsensitive) == 0)
            return code;
    }
    return std::nullopt;
}

QString messages(qsizetype n)
{
    return n == 1 ? QStringLiteral("1 message") : QStringLiteral("%1 messages").arg(n);
}

AssertionOutcome checkJson(const QJsonObject &spec, const CallOutcome &outcome)
{
    const QString path = spec.value(QStringLiteral("path")).toString(QStringLiteral("$"));
    static const QStringList kOps = {QStringLiteral("equals"), QStringLiteral("contains"),
                                     QStringLiteral("matches"), QStringLiteral("exists")};
    QString op;
    for (const QString &candidate : kOps) {
        if (spec.contains(candidate)) {
            if (!op.isEmpty())
                return {QStringLiteral("json %1").arg(path), false,
                        QStringLiteral("has both \"%1\" and \"%2\"; give one").arg(op, candidate)};
            op = candidate;
        }
    }
    AssertionOutcome result{QStringLiteral("json %1 %2").arg(path, op), false, {}};
    if (op.isEmpty()) {
        result.what = QStringLiteral("json %1").arg(path);
        result.detail = QStringLiteral("needs one of equals, contains, matches or exists");
        return result;
    }
    for (auto it = spec.begin(); it != spec.end(); ++it) {
        if (it.key() != QLatin1String("path") && it.key() != QLatin1String("message") &&
            !kOps.contains(it.key())) {
            result.detail = QStringLiteral("unknown key \"%1\"").arg(it.key());
            return result;
        }
    }
    const QJsonValue expected = spec.value(op);
    QRegularExpression regex;
    if (op == QLatin1String("matches")) {
        regex.setPattern(expected.toString());
        if (!expected.isString() || !regex.isValid()) {
            result.detail = expected.isString() ? QStringLiteral("the pattern is not valid: %1 at offset %2")
                                                      .arg(regex.errorString())
                                                      .arg(regex.patternErrorOffset())
                                                : QStringLiteral("\"matches\" needs a string pattern");
            return result;
        }
    }

    // Which messages: an index (negative from the end), "all" or "any".
    const QJsonValue which = spec.value(QStringLiteral("message"));
    std::vector<qsizetype> indexes;
    const qsizetype count = outcome.responses.size();
    const bool all = which.toString() == QLatin1String("all");
    const bool any = which.toString() == QLatin1String("any");
    if (all || any) {
        for (qsizetype i = 0; i < count; ++i)
            indexes.push_back(i);
        if (indexes.empty()) {
            result.detail = QStringLiteral("no message was received");
            return result;
        }
    } else if (which.isUndefined() || which.isDouble()) {
        qsizetype index = which.isUndefined() ? 0 : which.toInt();
        if (index < 0)
            index += count;
        if (index < 0 || index >= count) {
            result.detail =
                QStringLiteral("there is no message %1 (%2 received)").arg(which.toInt()).arg(count);
            return result;
        }
        indexes.push_back(index);
    } else {
        result.detail = QStringLiteral("\"message\" must be a number, \"all\" or \"any\"");
        return result;
    }

    QString firstFailure;
    int passes = 0;
    for (qsizetype index : indexes) {
        QJsonParseError parseError{};
        const QJsonDocument doc = QJsonDocument::fromJson(outcome.responses.at(index).toUtf8(), &parseError);
        const QJsonValue root = doc.isObject() ? QJsonValue(doc.object()) : QJsonValue(doc.array());
        const auto found = jsonPathValue(root, path);
        if (!found) {
            result.detail = found.errorMessage();
            return result;
        }
        const std::optional<QJsonValue> &value = *found;
        bool ok = false;
        QString why; // what was seen, worded for the outcome
        const QString where =
            indexes.size() > 1 || index > 0 ? QStringLiteral(" in message %1").arg(index) : QString();
        if (op == QLatin1String("exists")) {
            ok = value.has_value() == expected.toBool(true);
            why = value ? QStringLiteral("%1 is there%2: %3").arg(path, where, shown(*value))
                        : QStringLiteral("%1 is not there%2").arg(path, where);
        } else if (!value) {
            why = QStringLiteral("%1 is not there%2").arg(path, where);
        } else if (op == QLatin1String("equals")) {
            ok = jsonEquals(*value, expected);
            why = QStringLiteral("expected %1, got %2%3").arg(shown(expected), shown(*value), where);
        } else if (op == QLatin1String("contains")) {
            ok = jsonContains(*value, expected);
            why =
                QStringLiteral("%1 %2 %3%4")
                    .arg(shown(*value), ok ? QStringLiteral("contains") : QStringLiteral("does not contain"),
                         shown(expected), where);
        } else {
            ok = regex.match(compact(*value)).hasMatch();
            why = QStringLiteral("%1 %2 /%3/%4")
                      .arg(shown(*value), ok ? QStringLiteral("matches") : QStringLiteral("does not match"),
                           expected.toString(), where);
        }
        if (ok)
            ++passes;
        else if (firstFailure.isEmpty())
            firstFailure = why;
        if (ok && indexes.size() == 1)
            result.detail = why;
    }
    result.passed = any ? passes > 0 : passes == static_cast<int>(indexes.size());
    if (!result.passed)
        result.detail = any ? QStringLiteral("no message passed; %1").arg(firstFailure) : firstFailure;
    else if (indexes.size() > 1)
        result.detail = QStringLiteral("%1 of %2 messages passed").arg(passes).arg(indexes.size());
    return result;
}

} // namespace

Result<std::optional<QJsonValue>> jsonPathValue(const QJsonValue &root, const QString &path)
{
    const QString p = path.trimmed();
    qsizetype i = 0;
    if (p.startsWith(QLatin1Char('$')))
        i = 1;
    QJsonValue current = root;
    auto bad = [&](const QString &why) -> Result<std::optional<QJsonValue>> {
        return fail(QStringLiteral("the path %1 is not valid at offset %2: %3").arg(path).arg(i).arg(why));
    };
    const Result<std::optional<QJsonValue>> missing = std::optional<QJsonValue>();
    while (i < p.size()) {
        const QChar c = p.at(i);
        if (c == QLatin1Char('.') || (i == 0 && c.isLetter())) {
            if (c == QLatin1Char('.'))
                ++i;
            const qsizetype start = i;
            while (i < p.size() && p.at(i) != QLatin1Char('.') && p.at(i) != QLatin1Char('['))
                ++i;
            if (i == start)
                return bad(QStringLiteral("a field name is missing"));
            const QString key = p.mid(start, i - start);
            if (!current.isObject() || !current.toObject().contains(key))
                return missing;
            current = current.toObject().value(key);
        } else if (c == QLatin1Char('[')) {
            const qsizetype close = p.indexOf(QLatin1Char(']'), i);
            if (close < 0)
                return bad(QStringLiteral("'[' without ']'"));
            const QString inside = p.mid(i + 1, close - i - 1).trimmed();
            if (inside.size() >= 2 &&
                (inside.front() == QLatin1Char('\'') || inside.front() == QLatin1Char('"')) &&
                inside.back() == inside.front()) {
                const QString key = inside.mid(1, inside.size() - 2);
                if (!current.isObject() || !current.toObject().contains(key))
                    return missing;
                current = current.toObject().value(key);
            } else {
                bool ok = false;
                qsizetype index = inside.toLongLong(&ok);
                if (!ok)
                    return bad(QStringLiteral("\"%1\" is neither an index nor a quoted name").arg(inside));
                if (!current.isArray())
                    return missing;
                const QJsonArray array = current.toArray();
                if (index < 0)
                    index += array.size();
                if (index < 0 || index >= array.size())
                    return missing;
                current = array.at(index);
            }
            i = close + 1;
        } else {
            return bad(QStringLiteral("expected '.' or '['"));
        }
    }
    return std::optional<QJsonValue>(current);
}

std::vector<AssertionOutcome> evaluateAssertions(const QJsonObject &assertions, const CallOutcome &outcome)
{
    std::vector<AssertionOutcome> results;
    static const QStringList kKeys = {QStringLiteral("status"), QStringLiteral("message_count"),
                                      QStringLiteral("max_latency_ms"), QStringLiteral("json")};
    for (auto it = assertions.begin(); it != assertions.end(); ++it) {
        if (!kKeys.contains(it.key()))
            results.push_back({it.key(), false,
                               QStringLiteral("unknown assertion \"%1\" (known: %2)")
                                   .arg(it.key(), kKeys.join(QStringLiteral(", ")))});
    }

    const QString got =
        outcome.statusMessage.isEmpty()
            ? statusName(outcome.statusCode)
            : QStringLiteral("%1 (%2)").arg(statusName(outcome.statusCode), outcome.statusMessage);
    const QJsonValue status = assertions.value(QStringLiteral("status"));
    if (status.isUndefined()) {
        results.push_back({QStringLiteral("status"), outcome.statusCode == 0,
                           QStringLiteral("expected OK (the default), got %1").arg(got)});
    } else if (const auto code = statusCodeFromJson(status)) {
        results.push_back({QStringLiteral("status"), outcome.statusCode == *code,
                           QStringLiteral("expected %1, got %2").arg(statusName(*code), got)});
    } else {
        results.push_back({QStringLiteral("status"), false,
                           QStringLiteral("%1 is not a status code name or number").arg(shown(status))});
    }

    const QJsonValue countSpec = assertions.value(QStringLiteral("message_count"));
    if (!countSpec.isUndefined()) {
        const qsizetype n = outcome.responses.size();
        AssertionOutcome r{QStringLiteral("message_count"), false, {}};
        if (countSpec.isDouble()) {
            r.passed = n == countSpec.toInt();
            r.detail =
                QStringLiteral("expected %1, got %2").arg(messages(countSpec.toInt()), QString::number(n));
        } else if (countSpec.isObject()) {
            const QJsonObject o = countSpec.toObject();
            const int min = o.value(QStringLiteral("min")).toInt(0);
            const int max = o.value(QStringLiteral("max")).toInt(std::numeric_limits<int>::max());
            r.passed = n >= min && n <= max;
            r.detail = o.contains(QStringLiteral("max"))
                           ? QStringLiteral("expected %1 to %2 messages, got %3").arg(min).arg(max).arg(n)
                           : QStringLiteral("expected at least %1 messages, got %2").arg(min).arg(n);
        } else {
            r.detail = QStringLiteral("must be a number or {\"min\": …, \"max\": …}");
        }
        results.push_back(r);
    }

    const QJsonValue latency = assertions.value(QStringLiteral("max_latency_ms"));
    if (!latency.isUndefined()) {
        results.push_back(latency.isDouble()
                              ? AssertionOutcome{QStringLiteral("max_latency_ms"),
                                                 outcome.latencyMs <= latency.toDouble(),
                                                 QStringLiteral("took %1 ms, at most %2 ms allowed")
                                                     .arg(outcome.latencyMs, 0, 'f', 1)
                                                     .arg(latency.toDouble())}
                              : AssertionOutcome{QStringLiteral("max_latency_ms"), false,
                                                 QStringLiteral("must be a number of milliseconds")});
    }

    const QJsonValue json = assertions.value(QStringLiteral("json"));
    if (!json.isUndefined() && !json.isArray()) {
        results.push_back({QStringLiteral("json"), false, QStringLiteral("must be a list of checks")});
    } else {
        for (const QJsonValue &spec : json.toArray()) {
            if (!spec.isObject())
                results.push_back({QStringLiteral("json"), false,
                                   QStringLiteral("%1 is not an object with a path").arg(shown(spec))});
            else
                results.push_back(checkJson(spec.toObject(), outcome));
        }
    }
    return results;
}

} // namespace models
