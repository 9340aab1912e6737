// SPDX-License-Identifier: GPL-3.0-or-later
// The request form as a user drives it, offscreen: the "+" and "−" buttons in the rows, the
// value and key editors, Insert/Delete, the presence box; and the JSON that goes through the
// widget unchanged (the old form rounded int64 above 2^53 and rewrote numbers and map order).
#include "support.h"

#include "models/formmodel.h"
#include "ui/formdelegate.h"
#include "ui/formeditor.h"

#include <QAbstractItemModelTester>
#include <QAbstractItemView>
#include <QComboBox>
#include <QLabel>
#include <QDateTimeEdit>
#include <QLineEdit>
#include <QSignalSpy>
#include <QtTest>

using models::FormModel;

namespace {

const char kEcho[] = "wirescope.testing.EchoRequest";
const char kPlain[] = "wirescope.testing.PlainRecord";

} // namespace

class FormEditorTest : public QObject
{
    Q_OBJECT

    rpc::SchemaPtr m_schema;
    std::unique_ptr<ui::FormEditor> m_form;
    std::unique_ptr<QAbstractItemModelTester> m_tester;

    void open(const char *type, const QByteArray &json)
    {
        m_form->setMessageType(m_schema, type);
        QVERIFY(m_form->setJson(json));
        m_form->expandAll();
    }

    QString canonical(const char *type, const QByteArray &json) const
    {
        auto bytes = m_schema->encode(type, json.toStdString(), rpc::CodecOptions{});
        if (!bytes)
            return QStringLiteral("encode failed: ") + QString::fromStdString(bytes.error().toString());
        return QString::fromStdString(*m_schema->decode(type, *bytes, rpc::CodecOptions{}));
    }

    // Clicks the row's "+" or "−" button where it is drawn.
    void clickButton(const QModelIndex &row)
    {
        m_form->scrollTo(row);
        const QRect r = m_form->buttonRect(row);
        QVERIFY(!r.isEmpty());
        QTest::mouseClick(m_form->viewport(), Qt::LeftButton, {}, r.center());
        QTest::qWait(0); // the button acts on the next turn of the event loop
        QCoreApplication::processEvents();
    }

    // The open editor in the view, once there is one.
    template<typename T> T *editor() const
    {
        T *found = nullptr;
        for (T *w : m_form->viewport()->findChildren<T *>()) {
            if (w->isVisible())
                found = w;
        }
        return found;
    }

private slots:
    void initTestCase()
    {
        m_schema = testsupport::testSchema();
        QVERIFY(m_schema);
    }

    void init()
    {
        m_form = std::make_unique<ui::FormEditor>();
        m_tester = std::make_unique<QAbstractItemModelTester>(
            m_form->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        m_form->resize(900, 700);
        m_form->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_form.get()));
    }

    void cleanup()
    {
        m_tester.reset();
        m_form.reset();
    }

    // What the old form changed when it only read and wrote the JSON.
    void jsonPassesThroughUnchanged_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QByteArray>("kept");
        QTest::newRow("int64 2^53+1")
            << QByteArray(R"({"i64": 9007199254740993})") << QByteArray(R"("i64": 9007199254740993)");
        QTest::newRow("int64 max") << QByteArray(R"({"i64": 9223372036854775807})")
                                   << QByteArray(R"("i64": 9223372036854775807)");
        QTest::newRow("uint64 max") << QByteArray(R"({"u64": 18446744073709551615})")
                                    << QByteArray(R"("u64": 18446744073709551615)");
        QTest::newRow("Int64Value min") << QByteArray(R"({"wrapped": -9223372036854775808})")
                                        << QByteArray(R"("wrapped": -9223372036854775808)");
        QTest::newRow("double") << QByteArray(R"({"d": 0.1})") << QByteArray(R"("d": 0.1)");
        QTest::newRow("enum by number") << QByteArray(R"({"color": 2})") << QByteArray(R"("color": 2)");
        QTest::newRow("map order") << QByteArray(R"({"counts": {"b": 1, "a": 2}})")
                                   << QByteArray("\"b\": 1,\n    \"a\": 2");
    }

    void jsonPassesThroughUnchanged()
    {
        QFETCH(QByteArray, json);
        QFETCH(QByteArray, kept);
        open(kEcho, json);
        const QByteArray out = m_form->toJson();
        QVERIFY2(out.contains(kept), out.constData());
        QCOMPARE(canonical(kEcho, out), canonical(kEcho, json));
    }

    // Adding and removing elements needs no context menu: every repeated field and map row has
    // a "+" button, every element a "−" one.
    void rowButtonsAddAndRemove()
    {
        open(kEcho, R"({"tags": ["a"]})");
        QSignalSpy edited(m_form.get(), &ui::FormEditor::edited);
        const QModelIndex tags = m_form->findItem(QStringLiteral("tags"));
        QVERIFY(!m_form->buttonRect(tags).isEmpty());
        QVERIFY(!m_form->buttonRect(m_form->findItem(QStringLiteral("items"))).isEmpty());
        QVERIFY(!m_form->buttonRect(m_form->findItem(QStringLiteral("counts"))).isEmpty());
        QVERIFY(m_form->buttonRect(m_form->findItem(QStringLiteral("text"))).isEmpty());
        clickButton(tags);
        QCOMPARE(m_form->model()->rowCount(tags), 2);
        QCOMPARE(edited.size(), 1);
        // The new element's value editor is open: type into it.
        auto *line = editor<QLineEdit>();
        QVERIFY(line);
        QTest::keyClicks(line, QStringLiteral("typed"));
        QTest::keyClick(line, Qt::Key_Return);
        QTRY_COMPARE(m_form->valueText(QStringLiteral("tags[1]")), QStringLiteral("typed"));
        QVERIFY(m_form->toJson().contains("\"a\",\n    \"typed\""));
        // "−" on the first element removes it.
        clickButton(m_form->findItem(QStringLiteral("tags[0]")));
        QCOMPARE(m_form->model()->rowCount(tags), 1);
        QCOMPARE(m_form->valueText(QStringLiteral("tags[0]")), QStringLiteral("typed"));
        // A map's "+" adds an entry with a fresh key and opens the key's editor.
        clickButton(m_form->findItem(QStringLiteral("counts")));
        QCOMPARE(m_form->valueText(QStringLiteral("counts[\"key0\"]")), QString());
        auto *key = editor<QLineEdit>();
        QVERIFY(key);
        QCOMPARE(key->text(), QStringLiteral("key0"));
        key->selectAll();
        QTest::keyClicks(key, QStringLiteral("first"));
        QTest::keyClick(key, Qt::Key_Return);
        QTRY_VERIFY(m_form->findItem(QStringLiteral("counts[\"first\"]")).isValid());
        QVERIFY(m_form->toJson().contains(R"("first": 0)"));
    }

    // Editing a map entry's key changes the key and keeps the value (the old form wrote the
    // typed key into the value).
    void editingAKeyKeepsTheValue()
    {
        open(kEcho, R"({"counts": {"a": 1, "b": 2}})");
        const QModelIndex entry = m_form->findItem(QStringLiteral("counts[\"a\"]"));
        m_form->scrollTo(entry);
        // A click selects the row, a double-click opens the key's editor (as a user does it).
        QTest::mouseClick(m_form->viewport(), Qt::LeftButton, {}, m_form->visualRect(entry).center());
        QTest::mouseDClick(m_form->viewport(), Qt::LeftButton, {}, m_form->visualRect(entry).center());
        auto *line = editor<QLineEdit>();
        QVERIFY(line);
        QCOMPARE(line->text(), QStringLiteral("a"));
        line->selectAll();
        QTest::keyClicks(line, QStringLiteral("z"));
        QTest::keyClick(line, Qt::Key_Return);
        QTRY_VERIFY(m_form->toJson().contains(R"("z": 1)"));
        QVERIFY(m_form->toJson().contains(R"("b": 2)"));
        // A key that is taken is refused and says so.
        QSignalSpy rejected(m_form.get(), &ui::FormEditor::valueRejected);
        const QModelIndex z = m_form->findItem(QStringLiteral("counts[\"z\"]"));
        QVERIFY(!m_form->model()->setData(z, QStringLiteral("b")));
        QCOMPARE(rejected.size(), 1);
    }

    // The value editors fit the field: a combo for enums, bools and oneof cases; a date-time
    // editor for Timestamps that keeps nanoseconds when nothing was changed.
    void editorsFitTheField()
    {
        open(kEcho, R"({"color": "RED", "when": "2024-05-01T12:00:00.123456789Z", "numberChoice": 4})");
        QSignalSpy edited(m_form.get(), &ui::FormEditor::edited);
        const QModelIndex color =
            m_form->findItem(QStringLiteral("color")).siblingAtColumn(ui::FormEditor::ValueColumn);
        m_form->scrollTo(color);
        m_form->edit(color);
        auto *box = editor<QComboBox>();
        QVERIFY(box);
        QCOMPARE(box->currentText(), QStringLiteral("RED"));
        box->setCurrentIndex(box->findText(QStringLiteral("BLUE")));
        QTest::keyClick(box, Qt::Key_Return);
        QTRY_COMPARE(m_form->valueText(QStringLiteral("color")), QStringLiteral("BLUE"));

        const QModelIndex when =
            m_form->findItem(QStringLiteral("when")).siblingAtColumn(ui::FormEditor::ValueColumn);
        const int before = int(edited.size());
        m_form->scrollTo(when);
        m_form->edit(when);
        auto *dt = editor<QDateTimeEdit>();
        QVERIFY(dt);
        QTest::keyClick(dt, Qt::Key_Return); // closed without a change
        QTRY_VERIFY(!editor<QDateTimeEdit>());
        QCOMPARE(edited.size(), before);
        QVERIFY(m_form->toJson().contains(R"("when": "2024-05-01T12:00:00.123456789Z")"));

        const QModelIndex choice =
            m_form->findItem(QStringLiteral("choice")).siblingAtColumn(ui::FormEditor::ValueColumn);
        m_form->scrollTo(choice);
        m_form->edit(choice);
        box = editor<QComboBox>();
        QVERIFY(box);
        QCOMPARE(box->currentText(), QStringLiteral("numberChoice"));
        box->setCurrentIndex(box->findText(QStringLiteral("innerChoice")));
        QTest::keyClick(box, Qt::Key_Return);
        QTRY_VERIFY(m_form->findItem(QStringLiteral("innerChoice.name")).isValid());
        QVERIFY(m_form->isExpanded(m_form->findItem(QStringLiteral("innerChoice"))));
        QVERIFY(!m_form->toJson().contains("numberChoice"));
    }

    // An enum or oneof opened for editing shows its choices at once (they took Alt+Down), and
    // clicking one is the edit.
    void aChoiceOpensWithItsList()
    {
        open(kEcho, R"({"color": "RED"})");
        const QModelIndex color =
            m_form->findItem(QStringLiteral("color")).siblingAtColumn(ui::FormEditor::ValueColumn);
        m_form->scrollTo(color);
        m_form->setCurrentIndex(color);
        m_form->setFocus();
        QTest::keyClick(m_form.get(), Qt::Key_F2);
        QComboBox *box = nullptr;
        QTRY_VERIFY((box = editor<QComboBox>()) && box->view()->isVisible());
        QAbstractItemView *list = box->view();
        const QModelIndex blue = list->model()->index(box->findText(QStringLiteral("BLUE")), 0);
        list->scrollTo(blue);
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualRect(blue).center());
        QTRY_COMPARE(m_form->valueText(QStringLiteral("color")), QStringLiteral("BLUE"));
        QTRY_VERIFY(!editor<QComboBox>());
        QVERIFY(m_form->toJson().contains(R"("color": "BLUE")"));

        // Typed (the list closed with Escape) and Return: one edit. (Both the combo's pick and
        // the view's Return commit; the second finds nothing changed.)
        QSignalSpy edited(m_form.get(), &ui::FormEditor::edited);
        m_form->setCurrentIndex(color);
        m_form->setFocus();
        QTest::keyClick(m_form.get(), Qt::Key_F2);
        QTRY_VERIFY((box = editor<QComboBox>()) && box->view()->isVisible());
        QTest::keyClick(box->view(), Qt::Key_Escape);
        QTRY_VERIFY(!box->view()->isVisible());
        box->lineEdit()->selectAll();
        QTest::keyClicks(box->lineEdit(), QStringLiteral("RED"));
        QTest::keyClick(box->lineEdit(), Qt::Key_Return);
        QTRY_COMPARE(m_form->valueText(QStringLiteral("color")), QStringLiteral("RED"));
        QTest::qWait(50);
        QCOMPARE(edited.size(), 1);
    }

    // A value that does not fit its field is refused where it was typed, not only in the
    // status bar.
    void aRefusedValueIsSaidAtTheField()
    {
        open(kPlain, R"({"i32": 5})");
        QSignalSpy rejected(m_form.get(), &ui::FormEditor::valueRejected);
        const QModelIndex i32 = m_form->findItem(QStringLiteral("i32")).siblingAtColumn(ui::FormEditor::ValueColumn);
        m_form->setCurrentIndex(i32);
        m_form->edit(i32);
        QLineEdit *line = nullptr;
        QTRY_VERIFY((line = editor<QLineEdit>()) != nullptr);
        line->selectAll();
        QTest::keyClicks(line, QStringLiteral("twelve"));
        QTest::keyClick(line, Qt::Key_Return);
        QTRY_COMPARE(rejected.size(), 1);
        QCOMPARE(m_form->valueText(QStringLiteral("i32")), QStringLiteral("5"));
        auto *said = m_form->viewport()->findChild<QLabel *>(QStringLiteral("formRefusedLabel"));
        QVERIFY(said);
        QTRY_VERIFY(said->isVisible());
        QCOMPARE(said->text(), rejected.first().first().toString());
        QVERIFY(said->geometry().top() >= m_form->visualRect(i32).bottom());
        // The next good edit takes it away.
        m_form->edit(i32);
        QTRY_VERIFY((line = editor<QLineEdit>()) != nullptr);
        line->selectAll();
        QTest::keyClicks(line, QStringLiteral("12"));
        QTest::keyClick(line, Qt::Key_Return);
        QTRY_COMPARE(m_form->valueText(QStringLiteral("i32")), QStringLiteral("12"));
        QVERIFY(!said->isVisible());
    }

    // Insert adds to the current container (or the current element's), Delete removes the
    // current element, Ctrl+Up moves it; the presence box sets an optional message.
    void keyboardAndPresence()
    {
        open(kPlain, R"({"longs": [1, 2]})");
        const QModelIndex longs = m_form->findItem(QStringLiteral("longs"));
        m_form->setCurrentIndex(m_form->findItem(QStringLiteral("longs[1]")));
        m_form->setFocus();
        QTest::keyClick(m_form.get(), Qt::Key_Insert);
        QCOMPARE(m_form->model()->rowCount(longs), 3);
        auto *line = editor<QLineEdit>();
        QVERIFY(line);
        QTest::keyClicks(line, QStringLiteral("9007199254740993"));
        QTest::keyClick(line, Qt::Key_Return);
        QTRY_COMPARE(m_form->valueText(QStringLiteral("longs[2]")), QStringLiteral("9007199254740993"));
        m_form->setFocus();
        m_form->setCurrentIndex(m_form->findItem(QStringLiteral("longs[2]")));
        QTest::keyClick(m_form.get(), Qt::Key_Up, Qt::ControlModifier);
        QCOMPARE(m_form->valueText(QStringLiteral("longs[1]")), QStringLiteral("9007199254740993"));
        m_form->setCurrentIndex(m_form->findItem(QStringLiteral("longs[0]")));
        QTest::keyClick(m_form.get(), Qt::Key_Delete);
        QCOMPARE(m_form->model()->rowCount(longs), 2);
        QVERIFY(m_form->toJson().contains("\"9007199254740993\",\n    2"));

        const QModelIndex inner = m_form->findItem(QStringLiteral("inner"));
        QCOMPARE(inner.data(Qt::CheckStateRole).toInt(), int(Qt::Unchecked));
        QVERIFY(m_form->model()->setData(inner, Qt::Checked, Qt::CheckStateRole));
        QVERIFY(m_form->isExpanded(m_form->findItem(QStringLiteral("inner"))));
        QCOMPARE(m_form->model()->rowCount(m_form->findItem(QStringLiteral("inner"))), 2);
        QVERIFY(m_form->toJson().contains(R"("inner": {})"));
        QVERIFY(!canonical(kPlain, m_form->toJson()).startsWith(QStringLiteral("encode failed")));
    }

    // An unset field is not written, and the view is told what default it means (drawn in the
    // palette's placeholder colour).
    void unsetValuesShowTheirDefault()
    {
        open(kEcho, R"({"i32": 5})");
        const QModelIndex unset =
            m_form->findItem(QStringLiteral("u32")).siblingAtColumn(ui::FormEditor::ValueColumn);
        const QModelIndex set =
            m_form->findItem(QStringLiteral("i32")).siblingAtColumn(ui::FormEditor::ValueColumn);
        QCOMPARE(unset.data().toString(), QString());
        QCOMPARE(unset.data(FormModel::DefaultTextRole).toString(), QStringLiteral("0"));
        QVERIFY(!unset.data(FormModel::IsSetRole).toBool());
        QVERIFY(set.data(FormModel::IsSetRole).toBool());
    }
};

QTEST_MAIN(FormEditorTest)
#include "formeditor_test.moc"
