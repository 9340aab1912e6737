// SPDX-License-Identifier: GPL-3.0-or-later
// The request form's model on the real test schema (tests/proto): JSON in, JSON out, exact for
// every scalar at its limits and for every kind of field; edits checked against their field;
// structure changes (elements, presence, oneof cases, Any types) as item-model changes, each
// watched by QAbstractItemModelTester. Every JSON the form writes is also run through the real
// protobuf codec, which must read it as the same message as the JSON that went in.
#include "support.h"

#include "models/formmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>

using models::FormModel;

namespace {

const char kEcho[] = "wirescope.testing.EchoRequest";
const char kPlain[] = "wirescope.testing.PlainRecord";

} // namespace

class FormModelTest : public QObject
{
    Q_OBJECT

    rpc::SchemaPtr m_schema;

    // The message a JSON text means, as the codec prints it; or why the codec refused it.
    QString canonical(const char *type, const QByteArray &json) const
    {
        auto bytes = m_schema->encode(type, json.toStdString(), rpc::CodecOptions{});
        if (!bytes)
            return QStringLiteral("encode failed: ") + QString::fromStdString(bytes.error().toString());
        auto text = m_schema->decode(type, *bytes, rpc::CodecOptions{});
        return text ? QString::fromStdString(*text) : QStringLiteral("decode failed");
    }

    std::unique_ptr<FormModel> model(const char *type) const
    {
        auto m = std::make_unique<FormModel>();
        m->setMessageType(m_schema, type);
        return m;
    }

private slots:
    void initTestCase()
    {
        m_schema = testsupport::testSchema();
        QVERIFY(m_schema);
    }

    // One field (or a few) at a time: the JSON the form writes carries `expected` verbatim
    // (the value as it was written), means the same message, and reads back to itself.
    void jsonRoundTripsExactly_data()
    {
        QTest::addColumn<QByteArray>("type");
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QByteArrayList>("expected");
        auto row = [](const char *tag, const char *type, const char *json, QByteArrayList expected) {
            QTest::newRow(tag) << QByteArray(type) << QByteArray(json) << expected;
        };
        // 64-bit integers beyond 2^53, as numbers and as strings, at both ends.
        row("int64 max", kEcho, R"({"i64": 9223372036854775807})", {R"("i64": 9223372036854775807)"});
        row("int64 min", kEcho, R"({"i64": -9223372036854775808})", {R"("i64": -9223372036854775808)"});
        row("int64 2^53+1", kEcho, R"({"i64": 9007199254740993})", {R"("i64": 9007199254740993)"});
        row("int64 as string", kEcho, R"({"i64": "-9007199254740993"})", {R"("i64": "-9007199254740993")"});
        row("uint64 max", kEcho, R"({"u64": 18446744073709551615})", {R"("u64": 18446744073709551615)"});
        row("uint64 max as string", kEcho, R"({"u64": "18446744073709551615"})",
            {R"("u64": "18446744073709551615")"});
        row("sint64 fixed64 sfixed64", kEcho,
            R"({"s64": "-9223372036854775808", "fx64": "18446744073709551615", "sfx64": -9223372036854775807})",
            {R"("s64": "-9223372036854775808")", R"("fx64": "18446744073709551615")",
             R"("sfx64": -9223372036854775807)"});
        row("int32 uint32 limits", kEcho,
            R"({"i32": -2147483648, "u32": 4294967295, "s32": 2147483647, "fx32": 4294967295, "sfx32": -2147483648})",
            {R"("i32": -2147483648)", R"("u32": 4294967295)", R"("s32": 2147483647)",
             R"("sfx32": -2147483648)"});
        row("repeated int64", kPlain, R"({"longs": [9007199254740993, "-9223372036854775808", 0]})",
            {"9007199254740993", R"("-9223372036854775808")"});
        row("Int64Value wrapper", kEcho, R"({"wrapped": -9223372036854775808})",
            {R"("wrapped": -9223372036854775808)"});
        // Floating point: as written, the extremes, and the named values.
        row("double as written", kEcho, R"({"d": 0.1, "f": 1e-7})", {R"("f": 1e-7)", R"("d": 0.1)"});
        row("double extremes", kPlain,
            R"({"doubles": [1.7976931348623157e308, 5e-324, -0.0, 2.2250738585072014E-308]})",
            {"1.7976931348623157e308", "5e-324", "-0.0", "2.2250738585072014E-308"});
        row("float max", kEcho, R"({"f": 3.4028234663852886e38})", {R"("f": 3.4028234663852886e38)"});
        row("NaN and infinities", kPlain, R"({"f": "NaN", "d": "-Infinity", "doubles": ["Infinity", "NaN"]})",
            {R"("f": "NaN")", R"("d": "-Infinity")", R"("Infinity")"});
        // Bytes, strings, bools, enums.
        row("bytes", kEcho, R"({"data": "AAEC/w=="})", {R"("data": "AAEC/w==")"});
        row("bytes url-safe", kEcho, R"({"data": "-_8"})", {R"("data": "-_8")"});
        // (Not raw strings: moc cannot read a backslash-quote inside one.)
        row("string escapes kept", kEcho, "{\"text\": \"h\\u00e9llo \\\"q\\\"\\n\\ud83d\\ude00\"}",
            {"\"text\": \"h\\u00e9llo \\\"q\\\"\\n\\ud83d\\ude00\""});
        row("bool", kEcho, R"({"flag": false})", {R"("flag": false)"});
        row("enum by name", kEcho, R"({"color": "BLUE"})", {R"("color": "BLUE")"});
        row("enum by number", kEcho, R"({"color": 2})", {R"("color": 2)"});
        row("enum unknown number", kEcho, R"({"color": 77})", {R"("color": 77)"});
        row("repeated enum mixed", kEcho, R"({"colors": ["RED", 3]})", {R"("RED")", "    3\n"});
        // Structure.
        row("nested", kEcho, R"({"inner": {"name": "in", "value": 3}})",
            {R"("name": "in")", R"("value": 3)"});
        row("empty nested", kEcho, R"({"inner": {}})", {R"("inner": {})"});
        row("recursive", kEcho, R"({"tree": {"label": "a", "children": [{"label": "b", "children": [{}]}]}})",
            {R"("label": "b")", "{}"});
        row("repeated messages", kEcho, R"({"items": [{"name": "x"}, {}, {"value": -1}]})",
            {R"("name": "x")", R"("value": -1)"});
        row("map order kept", kEcho, R"({"counts": {"b": 1, "a": 2}})", {"\"b\": 1,\n    \"a\": 2"});
        row("map int64 keys", kEcho, R"({"byId": {"9223372036854775807": {"name": "max"}, "-1": {}}})",
            {R"("9223372036854775807": {)", R"("-1": {})"});
        row("map bool and int32 keys", kPlain,
            R"({"byFlag": {"true": "9007199254740993"}, "byNumber": {"-5": "x"}})",
            {R"("true": "9007199254740993")", R"("-5": "x")"});
        row("oneof string", kEcho, R"({"nameChoice": ""})", {R"("nameChoice": "")"});
        row("oneof number", kEcho, R"({"numberChoice": 0})", {R"("numberChoice": 0)"});
        row("oneof message", kEcho, R"({"innerChoice": {}})", {R"("innerChoice": {})"});
        row("optional zero", kEcho, R"({"maybe": 0})", {R"("maybe": 0)"});
        // Well-known types.
        row("timestamp nanos", kEcho, R"({"when": "2024-05-01T12:00:00.123456789Z"})",
            {R"("when": "2024-05-01T12:00:00.123456789Z")"});
        row("timestamp offset", kEcho, R"({"when": "1970-01-01T00:00:00+01:00"})",
            {R"("when": "1970-01-01T00:00:00+01:00")"});
        row("duration", kEcho, R"({"timeout": "-315576000000.999999999s"})",
            {R"("timeout": "-315576000000.999999999s")"});
        row("field mask", kEcho, R"({"mask": "a.b,c"})", {R"("mask": "a.b,c")"});
        row("struct", kEcho, R"({"attrs": {"z": 12345678901234567890, "a": [1, "two", null, {"x": true}]}})",
            {R"("attrs": {"z":12345678901234567890,"a":[1,"two",null,{"x":true}]})"});
        row("value null", kEcho, R"({"anyValue": null})", {R"("anyValue": null)"});
        row("value string", kEcho, R"({"anyValue": "free"})", {R"("anyValue": "free")"});
        row("any message", kEcho,
            R"({"extra": {"@type": "type.googleapis.com/wirescope.testing.Inner", "name": "packed", "value": 9}})",
            {R"("@type": "type.googleapis.com/wirescope.testing.Inner")", R"("value": 9)"});
        row("any duration", kEcho,
            R"({"extra": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "1.5s"}})",
            {R"("value": "1.5s")"});
        row("any int64 wrapper", kEcho,
            R"({"extra": {"@type": "type.googleapis.com/google.protobuf.Int64Value", "value": "-9223372036854775808"}})",
            {R"("value": "-9223372036854775808")"});
        row("any nested any", kEcho,
            R"({"extra": {"@type": "type.googleapis.com/google.protobuf.Any", "value": {"@type": "type.googleapis.com/wirescope.testing.Inner", "name": "deep"}}})",
            {R"("name": "deep")"});
    }

    void jsonRoundTripsExactly()
    {
        QFETCH(QByteArray, type);
        QFETCH(QByteArray, json);
        QFETCH(QByteArrayList, expected);
        auto m = model(type.constData());
        QAbstractItemModelTester tester(m.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const models::Status parsed = m->setJson(json);
        QVERIFY2(parsed, qPrintable(parsed.errorMessage()));
        const QByteArray out = m->toJson();
        for (const QByteArray &e : expected)
            QVERIFY2(out.contains(e), QByteArray(e + " not in:\n" + out).constData());
        const QString meant = canonical(type.constData(), json);
        QVERIFY2(!meant.startsWith(QStringLiteral("encode failed")), qPrintable(meant));
        QCOMPARE(canonical(type.constData(), out), meant);
        // Read back, the form writes the same text again.
        QVERIFY(m->setJson(out));
        QCOMPARE(m->toJson(), out);
    }

    // The form keeps the request's text where it was not edited: the JSON it writes, read again
    // and written again, is unchanged; a field edit changes only that field's line.
    void editsChangeOnlyTheirField()
    {
        auto m = model(kEcho);
        QAbstractItemModelTester tester(m.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QByteArray json =
            R"({"text": "a\u00e9", "i64": 9007199254740993, "d": 0.1, "counts": {"b": 1, "a": 2}})";
        QVERIFY(m->setJson(json));
        const QByteArray before = m->toJson();
        QSignalSpy edited(m.get(), &FormModel::edited);
        QVERIFY(m->setValue(m->findIndex(QStringLiteral("text")), QStringLiteral("b")));
        QCOMPARE(edited.size(), 1);
        QByteArray after = m->toJson();
        QVERIFY(after.contains(R"("text": "b")"));
        after.replace(R"("text": "b")", R"("text": "a\u00e9")");
        QCOMPARE(after, before);
    }

    // Typed values are checked against their field: what fits is written in its canonical
    // JSON form, what does not is refused with a reason and changes nothing.
    void editsAreCheckedAgainstTheField_data()
    {
        QTest::addColumn<QByteArray>("type");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QByteArray>("written"); // empty: refused
        auto ok = [](const char *tag, const char *type, const char *path, const char *text,
                     const char *written) {
            QTest::newRow(tag) << QByteArray(type) << QString::fromUtf8(path) << QString::fromUtf8(text)
                               << QByteArray(written);
        };
        ok("int64 max", kEcho, "i64", "9223372036854775807", R"("i64": "9223372036854775807")");
        ok("int64 min", kEcho, "i64", "-9223372036854775808", R"("i64": "-9223372036854775808")");
        ok("int64 over", kEcho, "i64", "9223372036854775808", "");
        ok("uint64 max", kEcho, "u64", "18446744073709551615", R"("u64": "18446744073709551615")");
        ok("uint64 over", kEcho, "u64", "18446744073709551616", "");
        ok("uint64 negative", kEcho, "u64", "-1", "");
        ok("int32 over", kEcho, "i32", "2147483648", "");
        ok("int32 min", kEcho, "i32", "-2147483648", R"("i32": -2147483648)");
        ok("uint32 max", kEcho, "u32", "4294967295", R"("u32": 4294967295)");
        ok("uint32 over", kEcho, "u32", "4294967296", "");
        ok("int leading zero", kEcho, "i32", "007", "");
        ok("int fraction", kEcho, "i32", "1.5", "");
        ok("wrapper int64", kEcho, "wrapped", "-9223372036854775808", R"("wrapped": "-9223372036854775808")");
        ok("double nan", kEcho, "d", "NaN", R"("d": "NaN")");
        ok("double -inf", kEcho, "d", "-Infinity", R"("d": "-Infinity")");
        ok("double max", kEcho, "d", "1.7976931348623157e308", R"("d": 1.7976931348623157e308)");
        ok("double over", kEcho, "d", "1e309", "");
        ok("float max", kEcho, "f", "3.4028234663852886e38", R"("f": 3.4028234663852886e38)");
        ok("float over", kEcho, "f", "3.5e38", "");
        ok("not a number", kEcho, "d", "twelve", "");
        ok("bool", kEcho, "flag", "true", R"("flag": true)");
        ok("bool other", kEcho, "flag", "yes", "");
        ok("enum name", kEcho, "color", "GREEN", R"("color": "GREEN")");
        ok("enum number", kEcho, "color", "7", R"("color": 7)");
        ok("enum unknown name", kEcho, "color", "PURPLE", "");
        ok("bytes", kEcho, "data", "AAH+/w==", R"("data": "AAH+/w==")");
        ok("bytes not base64", kEcho, "data", "not base64!", "");
        ok("string kept as typed", kEcho, "text", " two  spaces ", R"("text": " two  spaces ")");
        ok("timestamp", kEcho, "when", "2024-02-29T23:59:59.999999999Z",
           R"("when": "2024-02-29T23:59:59.999999999Z")");
        ok("timestamp bad day", kEcho, "when", "2023-02-29T00:00:00Z", "");
        ok("duration", kEcho, "timeout", "1.5s", R"("timeout": "1.5s")");
        ok("duration bad", kEcho, "timeout", "soon", "");
        ok("struct", kEcho, "attrs", R"({"k": [1, 2]})", R"("attrs": {"k":[1,2]})");
        ok("struct bad json", kEcho, "attrs", R"({"k": )", "");
        ok("map value", kEcho, "counts[\"a\"]", "-3", R"("a": -3)");
        ok("map value over", kEcho, "counts[\"a\"]", "99999999999", "");
    }

    void editsAreCheckedAgainstTheField()
    {
        QFETCH(QByteArray, type);
        QFETCH(QString, path);
        QFETCH(QString, text);
        QFETCH(QByteArray, written);
        auto m = model(type.constData());
        QAbstractItemModelTester tester(m.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(m->setJson(R"({"counts": {"a": 1}})"));
        const QModelIndex at = m->findIndex(path);
        QVERIFY(at.isValid());
        const QByteArray before = m->toJson();
        QSignalSpy rejected(m.get(), &FormModel::valueRejected);
        QSignalSpy changed(m.get(), &QAbstractItemModel::dataChanged);
        const models::Status accepted = m->setValue(at, text);
        if (written.isEmpty()) {
            QVERIFY(!accepted);
            QVERIFY(!accepted.errorMessage().isEmpty());
            QCOMPARE(rejected.first().first().toString(), accepted.errorMessage());
            QCOMPARE(rejected.size(), 1);
            QCOMPARE(m->toJson(), before);
            return;
        }
        QVERIFY2(accepted, qPrintable(accepted.errorMessage()));
        QCOMPARE(changed.size(), 1);
        const QByteArray out = m->toJson();
        QVERIFY2(out.contains(written), out.constData());
        QVERIFY2(!canonical(type.constData(), out).startsWith(QStringLiteral("encode failed")),
                 qPrintable(canonical(type.constData(), out)));
        // Through setData, as the view's editors commit, the same.
        auto again = model(type.constData());
        QVERIFY(again->setJson(R"({"counts": {"a": 1}})"));
        QVERIFY(again->setData(again->findIndex(path).siblingAtColumn(FormModel::ValueColumn), text));
        QCOMPARE(again->toJson(), out);
    }

    // Every kind of structural edit, as row changes the tester checks; the result is a message
    // the codec reads.
    void structureEdits()
    {
        auto m = model(kEcho);
        QAbstractItemModelTester tester(m.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(m->setJson(R"({"tags": ["a", "b", "c"], "numberChoice": 4, "inner": {"name": "x"}})"));
        QSignalSpy edited(m.get(), &FormModel::edited);
        const QModelIndex tags = m->findIndex(QStringLiteral("tags"));
        QCOMPARE(m->rowCount(tags), 3);
        QCOMPARE(tags.siblingAtColumn(FormModel::ValueColumn).data().toString(),
                 QStringLiteral("3 elements"));
        QVERIFY(tags.data(FormModel::CanAddRole).toBool());
        const QModelIndex added = m->addElement(tags).valueOr(QModelIndex());
        QCOMPARE(added.data().toString(), QStringLiteral("[3]"));
        QVERIFY(added.data(FormModel::CanRemoveRole).toBool());
        QVERIFY(m->setValue(added, QStringLiteral("d")));
        QVERIFY(m->moveElement(added, -3));
        QCOMPARE(m->findIndex(QStringLiteral("tags[0]")).siblingAtColumn(1).data().toString(),
                 QStringLiteral("d"));
        QCOMPARE(m->path(m->findIndex(QStringLiteral("tags[0]"))), QStringLiteral("tags[0]"));
        QVERIFY(m->moveElement(m->findIndex(QStringLiteral("tags[0]")), 2)); // a, b, d, c
        QVERIFY(!m->moveElement(m->findIndex(QStringLiteral("tags[3]")), 1));
        QVERIFY(m->removeElement(m->findIndex(QStringLiteral("tags[0]"))));
        // A new element is written with its type's default, so the message stays valid.
        QVERIFY(m->addElement(m->findIndex(QStringLiteral("colors"))));
        QVERIFY(m->addElement(m->findIndex(QStringLiteral("items"))));
        QVERIFY(m->addElement(m->findIndex(QStringLiteral("items"))));
        QVERIFY(m->setValue(m->findIndex(QStringLiteral("items[1].name")), QStringLiteral("second")));
        QVERIFY(m->addElement(m->findIndex(QStringLiteral("byId"))));
        QVERIFY(m->chooseOneof(m->findIndex(QStringLiteral("choice")), QStringLiteral("innerChoice")));
        QVERIFY(m->setValue(m->findIndex(QStringLiteral("innerChoice.value")), QStringLiteral("5")));
        QVERIFY(!m->chooseOneof(m->findIndex(QStringLiteral("choice")), QStringLiteral("noSuchCase")));
        m->setPresent(m->findIndex(QStringLiteral("inner")), false);
        QCOMPARE(m->findIndex(QStringLiteral("inner")).data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
        QVERIFY(m->setData(m->findIndex(QStringLiteral("tree")), Qt::Checked, Qt::CheckStateRole));
        QVERIFY(m->setValue(m->findIndex(QStringLiteral("tree.label")), QStringLiteral("root")));
        QVERIFY(m->chooseAnyType(m->findIndex(QStringLiteral("extra")),
                                 QStringLiteral("wirescope.testing.ChatMessage")));
        QVERIFY(m->setValue(m->findIndex(QStringLiteral("extra.seq")), QStringLiteral("5")));
        QVERIFY(!m->chooseAnyType(m->findIndex(QStringLiteral("extra")), QStringLiteral("no.Such")));
        QVERIFY(edited.size() >= 15);

        const QString out = canonical(kEcho, m->toJson());
        QVERIFY2(!out.startsWith(QStringLiteral("encode failed")),
                 qPrintable(out + QString::fromUtf8(m->toJson())));
        QVERIFY(out.contains(QStringLiteral(R"("tags": [
    "b",
    "d",
    "c"
  ])")));
        QVERIFY(out.contains(QStringLiteral(R"("colors": [
    "COLOR_UNSPECIFIED"
  ])")));
        QVERIFY(out.contains(QStringLiteral(R"("name": "second")")));
        QVERIFY(out.contains(QStringLiteral(R"("innerChoice": {
    "value": 5
  })")));
        QVERIFY(!out.contains(QStringLiteral("numberChoice")));
        QVERIFY(!out.contains(QStringLiteral(R"("inner")")));
        QVERIFY(out.contains(QStringLiteral(R"("label": "root")")));
        QVERIFY(out.contains(QStringLiteral("type.googleapis.com/wirescope.testing.ChatMessage")));
        QVERIFY(out.contains(QStringLiteral(R"("seq": 5)")));
        QVERIFY(out.contains(QStringLiteral(R"("0": {})")));
    }

    // Map keys: new keys fit the key type (bool maps have two), edits are checked, and no two
    // entries share a key.
    void mapKeys()
    {
        auto m = model(kPlain);
        QAbstractItemModelTester tester(m.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QModelIndex byFlag = m->findIndex(QStringLiteral("byFlag"));
        QCOMPARE(m->addElement(byFlag)->data().toString(), QStringLiteral("false"));
        QCOMPARE(m->addElement(byFlag)->data().toString(), QStringLiteral("true"));
        const auto third = m->addElement(byFlag);
        QVERIFY(!third);
        QCOMPARE(third.errorMessage(), QStringLiteral("every key of byFlag is taken"));
        QVERIFY(!m->setMapKey(m->findIndex(QStringLiteral("byFlag[\"true\"]")), QStringLiteral("false")));
        QVERIFY(!m->setMapKey(m->findIndex(QStringLiteral("byFlag[\"true\"]")), QStringLiteral("yes")));

        const QModelIndex byNumber = m->findIndex(QStringLiteral("byNumber"));
        const QModelIndex first = m->addElement(byNumber).valueOr(QModelIndex());
        QCOMPARE(first.data().toString(), QStringLiteral("0"));
        QVERIFY(!m->setMapKey(first, QStringLiteral("abc")));
        QVERIFY(!m->setMapKey(first, QStringLiteral("2147483648")));
        QVERIFY(m->setData(first, QStringLiteral("-2147483648")));
        QVERIFY(!m->addElement(byNumber, QStringLiteral("-2147483648")));
        QVERIFY(
            m->setValue(m->findIndex(QStringLiteral("byNumber[\"-2147483648\"]")), QStringLiteral("min")));
        const QModelIndex byName = m->findIndex(QStringLiteral("byName"));
        QCOMPARE(m->addElement(byName)->data().toString(), QStringLiteral("key0"));
        QCOMPARE(m->addElement(byName, QStringLiteral("named"))->data().toString(), QStringLiteral("named"));

        const QByteArray json = m->toJson();
        const QString out = canonical(kPlain, json);
        QVERIFY2(!out.startsWith(QStringLiteral("encode failed")), qPrintable(out + QString::fromUtf8(json)));
        QVERIFY(json.contains(R"("false": "0")"));
        QVERIFY(json.contains(R"("true": "0")"));
        QVERIFY(json.contains(R"("-2147483648": "min")"));
        QVERIFY(json.contains(R"("named": {})"));
    }

    // What the schema does not know is kept: unknown members, and an Any whose type it does not
    // have (shown and edited as JSON).
    void unknownContentIsKept()
    {
        auto m = model(kEcho);
        QAbstractItemModelTester tester(m.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(m->setJson(R"({"text": "t", "notAField": [1, 2], "inner": {"typo": 9007199254740993},
                              "extra": {"@type": "example.com/not.Known", "x": 1}})"));
        const QByteArray out = m->toJson();
        QVERIFY2(out.contains(R"("notAField": [1,2])"), out.constData());
        QVERIFY(out.contains(R"("typo": 9007199254740993)"));
        QVERIFY(out.contains(R"("extra": {"@type":"example.com/not.Known","x":1})"));
        const QModelIndex extra = m->findIndex(QStringLiteral("extra"));
        QCOMPARE(m->kind(extra), FormModel::Kind::RawJson);
        // Choosing a known type makes it a form again.
        QVERIFY(m->chooseAnyType(extra, QStringLiteral("wirescope.testing.Inner")));
        QCOMPARE(m->kind(extra), FormModel::Kind::Any);
        QVERIFY(m->rowCount(extra) == 2);
    }

    // Broken JSON leaves the form as it was and says where; nesting deeper than the parser's
    // limit is an error, not a crash.
    void badJsonIsRefused_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("where");
        QTest::newRow("unfinished") << QByteArray(R"({"text": )") << QStringLiteral("1:10");
        QTest::newRow("second line") << QByteArray("{\n  \"text\" \"x\"}") << QStringLiteral("2:");
        QTest::newRow("not an object") << QByteArray("[1]") << QStringLiteral("1:1");
        QTest::newRow("too deep") << (QByteArray(R"({"attrs": )") + QByteArray(100000, '[')) << QString();
    }

    void badJsonIsRefused()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, where);
        auto m = model(kEcho);
        QAbstractItemModelTester tester(m.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(m->setJson(R"({"i32": 123})"));
        QSignalSpy reset(m.get(), &QAbstractItemModel::modelReset);
        const models::Status parsed = m->setJson(json);
        QVERIFY(!parsed);
        QVERIFY2(parsed.errorMessage().startsWith(where), qPrintable(parsed.errorMessage()));
        QCOMPARE(reset.size(), 0);
        QCOMPARE(m->findIndex(QStringLiteral("i32")).siblingAtColumn(1).data().toString(),
                 QStringLiteral("123"));
    }

    // A deep but legal request (a recursive message 40 levels down) builds and writes.
    void deepRecursiveMessage()
    {
        QByteArray json = "{\"tree\": ";
        for (int i = 0; i < 40; ++i)
            json += "{\"children\": [";
        json += "{\"label\": \"bottom\"}";
        for (int i = 0; i < 40; ++i)
            json += "]}";
        json += "}";
        auto m = model(kEcho);
        QVERIFY(m->setJson(json));
        QString path = QStringLiteral("tree");
        for (int i = 0; i < 40; ++i)
            path += QStringLiteral(".children[0]");
        QCOMPARE(m->findIndex(path + QStringLiteral(".label")).siblingAtColumn(1).data().toString(),
                 QStringLiteral("bottom"));
        QCOMPARE(canonical(kEcho, m->toJson()), canonical(kEcho, json));
    }
};

QTEST_GUILESS_MAIN(FormModelTest)
#include "formmodel_test.moc"
