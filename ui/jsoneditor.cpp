// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/jsoneditor.h"

#include <Qsci/qscilexerjson.h>

#include <QApplication>
#include <QEvent>
#include <QFontDatabase>
#include <QKeyEvent>
#include <QPointer>

#include <map>

namespace ui {

namespace {

// QScintilla's widgets do not see palette changes as ordinary widgets do; the application
// object always does. One watcher relays them to every editor.
class PaletteWatcher final : public QObject
{
public:
    static PaletteWatcher *instance()
    {
        static auto *watcher = [] {
            auto *w = new PaletteWatcher;
            w->setParent(qApp);
            qApp->installEventFilter(w);
            return w;
        }();
        return watcher;
    }
    QList<QPointer<JsonEditor>> editors;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (watched == qApp && event->type() == QEvent::ApplicationPaletteChange) {
            editors.removeAll(nullptr);
            for (const auto &e : std::as_const(editors))
                e->followPalette();
        }
        return false;
    }
};

constexpr int kAnnotationStyle = 200; // a style number above the lexer's own
constexpr int kCompletionList = 1;
// Brace matching scans to the matching brace on every cursor move: off for big documents.
constexpr int kBraceMatchLimit = 1024 * 1024;
} // namespace

JsonEditor::JsonEditor(QWidget *parent)
    : QsciScintilla(parent)
{
    setUtf8(true); // diagnostics carry byte offsets into the UTF-8 text: positions match
    m_lexer = new QsciLexerJSON(this);
    m_lexer->setFoldCompact(false);
    setLexer(m_lexer);
    setFolding(QsciScintilla::BoxedTreeFoldStyle);
    setBraceMatching(QsciScintilla::SloppyBraceMatch);
    setAutoIndent(true);
    setIndentationsUseTabs(false);
    setTabWidth(2);
    setMarginType(0, QsciScintilla::NumberMargin);
    setMarginWidth(0, QStringLiteral("00000"));
    setAnnotationDisplay(QsciScintilla::AnnotationBoxed);
    setWrapMode(QsciScintilla::WrapNone);
    // The horizontal scroll bar only once a line is wider than the editor: by default Scintilla
    // makes every document 2000 px wide, so each empty editor showed a bar with nothing to scroll.
    SendScintilla(SCI_SETSCROLLWIDTH, 1L);
    SendScintilla(SCI_SETSCROLLWIDTHTRACKING, 1L);
    m_errorIndicator = indicatorDefine(QsciScintilla::SquiggleIndicator);
    setIndicatorForegroundColor(QColor(0xd0, 0x30, 0x30), m_errorIndicator);
    followPalette();
    PaletteWatcher::instance()->editors.append(this);
    SendScintilla(SCI_AUTOCSETORDER, SC_ORDER_CUSTOM); // fields in declaration order
    SendScintilla(SCI_AUTOCSETIGNORECASE, 1L);
    connect(this, &QsciScintilla::textChanged, this, &JsonEditor::updateBraceMatching);
    connect(this, &QsciScintilla::userListActivated, this, [this](int id, const QString &text) {
        if (id == kCompletionList)
            acceptCompletion(text);
    });
}

void JsonEditor::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Space && (event->modifiers() & Qt::ControlModifier)) {
        showCompletion();
        return;
    }
    QsciScintilla::keyPressEvent(event);
    // A quote where a field name goes opens the list of fields.
    if (event->text() == QLatin1String("\"") && !isReadOnly() && m_provider) {
        const rpc::Completion c = m_provider(utf8Text(), static_cast<int>(SendScintilla(SCI_GETCURRENTPOS)));
        if (c.kind == rpc::Completion::Kind::FieldName && c.inString && c.prefix.empty())
            showCompletion();
    }
}

bool JsonEditor::showCompletion()
{
    if (!m_provider || isReadOnly())
        return false;
    m_completion = m_provider(utf8Text(), static_cast<int>(SendScintilla(SCI_GETCURRENTPOS)));
    if (m_completion.items.empty())
        return false;
    QStringList items;
    for (const auto &item : m_completion.items)
        items << QString::fromStdString(item.text);
    showUserList(kCompletionList, items);
    return true;
}

void JsonEditor::acceptCompletion(const QString &text)
{
    if (m_completion.replaceFrom < 0)
        return;
    // Replace what was typed of the name or value, up to the cursor.
    const long from = static_cast<long>(m_completion.replaceFrom);
    const long to = static_cast<long>(SendScintilla(SCI_GETCURRENTPOS));
    QString insert = text;
    if (m_completion.kind == rpc::Completion::Kind::FieldName)
        insert = (m_completion.inString ? QString() : QStringLiteral("\"")) + text + QStringLiteral("\": ");
    else if (m_completion.inString)
        insert = text + QStringLiteral("\"");
    long end = to;
    // A closing quote already there is taken over rather than doubled.
    if (m_completion.inString && end < length() && SendScintilla(SCI_GETCHARAT, end) == '"')
        ++end;
    SendScintilla(SCI_SETSEL, from, end);
    const QByteArray utf8 = insert.toUtf8();
    SendScintilla(SCI_REPLACESEL, utf8.constData());
}

void JsonEditor::followPalette()
{
    // QScintilla sets a palette of its own, so the application's is the one that follows the system.
    const QPalette pal = QApplication::palette(this);
    const bool dark = pal.color(QPalette::Base).lightness() < 128;
    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_lexer->setDefaultFont(mono);
    m_lexer->setFont(mono);
    m_lexer->setDefaultPaper(pal.color(QPalette::Base));
    m_lexer->setPaper(pal.color(QPalette::Base));
    m_lexer->setDefaultColor(pal.color(QPalette::Text));
    m_lexer->setColor(pal.color(QPalette::Text), QsciLexerJSON::Default);
    m_lexer->setColor(pal.color(QPalette::Text), QsciLexerJSON::Operator);
    m_lexer->setColor(dark ? QColor(0x9c, 0xdc, 0xfe) : QColor(0x0b, 0x4f, 0x8a), QsciLexerJSON::Property);
    m_lexer->setColor(dark ? QColor(0xce, 0x91, 0x78) : QColor(0xa3, 0x15, 0x15), QsciLexerJSON::String);
    m_lexer->setColor(dark ? QColor(0xb5, 0xce, 0xa8) : QColor(0x09, 0x86, 0x58), QsciLexerJSON::Number);
    m_lexer->setColor(dark ? QColor(0x56, 0x9c, 0xd6) : QColor(0x00, 0x00, 0xff), QsciLexerJSON::Keyword);
    m_lexer->setColor(QColor(0xd0, 0x30, 0x30), QsciLexerJSON::Error);
    m_lexer->setColor(QColor(0xd0, 0x30, 0x30), QsciLexerJSON::UnclosedString);
    setMarginsBackgroundColor(pal.color(QPalette::Window));
    setMarginsForegroundColor(pal.color(QPalette::PlaceholderText));
    setFoldMarginColors(pal.color(QPalette::Window), pal.color(QPalette::Window));
    setCaretForegroundColor(pal.color(QPalette::Text));
    setSelectionBackgroundColor(pal.color(QPalette::Highlight));
    setSelectionForegroundColor(pal.color(QPalette::HighlightedText));
    setMatchedBraceBackgroundColor(dark ? QColor(0x3a, 0x5a, 0x3a) : QColor(0xc8, 0xf0, 0xc8));
    SendScintilla(SCI_STYLESETBACK, kAnnotationStyle,
                  dark ? QColor(0x5a, 0x22, 0x22) : QColor(0xfd, 0xe8, 0xe8));
    SendScintilla(SCI_STYLESETFORE, kAnnotationStyle,
                  dark ? QColor(0xff, 0xc0, 0xc0) : QColor(0x8a, 0x10, 0x10));
}

void JsonEditor::updateBraceMatching()
{
    const bool big = length() > kBraceMatchLimit;
    if (big != m_bigDocument) {
        m_bigDocument = big;
        setBraceMatching(big ? QsciScintilla::NoBraceMatch : QsciScintilla::SloppyBraceMatch);
    }
}

void JsonEditor::setUtf8Text(const QByteArray &utf8)
{
    if (utf8.size() > kBraceMatchLimit && !m_bigDocument) {
        m_bigDocument = true;
        setBraceMatching(QsciScintilla::NoBraceMatch);
    }
    const bool readOnly = isReadOnly();
    setReadOnly(false);
    SendScintilla(SCI_SETTEXT, utf8.constData());
    SendScintilla(SCI_EMPTYUNDOBUFFER);
    setReadOnly(readOnly);
}

std::string_view JsonEditor::textView() const
{
    // SCI_GETTEXT copies the document a character at a time (370 ms for 20 MiB, on the UI thread
    // as a call starts: wirescope-uibench); the document's own buffer, made contiguous once, is
    // copied at memory speed.
    const auto size = static_cast<std::size_t>(SendScintilla(SCI_GETLENGTH));
    if (size == 0)
        return {};
    const auto *data = reinterpret_cast<const char *>(SendScintilla(SCI_GETCHARACTERPOINTER));
    return {data, size};
}

QByteArray JsonEditor::utf8Text() const
{
    const std::string_view text = textView();
    return QByteArray(text.data(), static_cast<qsizetype>(text.size()));
}

std::string JsonEditor::utf8String() const
{
    return std::string(textView());
}

void JsonEditor::setDiagnostics(const std::vector<rpc::Diagnostic> &diagnostics)
{
    m_diagnostics = diagnostics;
    // Cleared only when something was annotated: clearing notifies a change per line, 2.5 s on
    // the UI thread for a 20 MiB request of a million lines that had no diagnostic at all
    // (wirescope-uibench --trace). Annotations move with their lines as the text is edited, so
    // they are cleared all at once rather than by the lines they were put on.
    if (m_annotated)
        clearAnnotations();
    m_annotated = false;
    SendScintilla(SCI_SETINDICATORCURRENT, m_errorIndicator);
    if (m_underlined)
        SendScintilla(SCI_INDICATORCLEARRANGE, 0, length());
    m_underlined = false;
    const int textLength = length();
    std::map<int, QString> perLine;
    for (const auto &d : diagnostics) {
        long pos = -1;
        if (d.offset >= 0)
            pos = static_cast<long>(std::min<std::int64_t>(d.offset, textLength));
        else if (d.line > 0)
            pos = positionFromLineIndex(d.line - 1, std::max(0, d.column - 1));
        if (pos < 0)
            pos = 0;
        // Underline the token at the place: up to the next delimiter, at least one character.
        long end = pos;
        while (end < textLength && end - pos < 200 &&
               !QByteArrayView(",:{}[]\n").contains(static_cast<char>(SendScintilla(SCI_GETCHARAT, end))))
            ++end;
        if (end == pos)
            end = std::min<long>(pos + 1, textLength);
        if (end > pos) {
            SendScintilla(SCI_INDICATORFILLRANGE, pos, end - pos);
            m_underlined = true;
        }
        int line = 0, index = 0;
        lineIndexFromPosition(static_cast<int>(pos), &line, &index);
        QString message = QString::fromStdString(d.message);
        if (!d.path.empty())
            message = QString::fromStdString(d.path) + QStringLiteral(": ") + message;
        auto &text = perLine[line];
        text += (text.isEmpty() ? QString() : QStringLiteral("\n")) + message;
    }
    for (const auto &[line, message] : perLine) {
        annotate(line, message, kAnnotationStyle);
        m_annotated = true;
    }
}

void JsonEditor::goTo(int line, int column)
{
    setCursorPosition(std::max(0, line - 1), std::max(0, column - 1));
    ensureLineVisible(std::max(0, line - 1));
    setFocus();
}

} // namespace ui
