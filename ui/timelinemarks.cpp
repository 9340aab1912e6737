// SPDX-License-Identifier: GPL-3.0-or-later
// The timeline's marks: their colours for a palette, their shapes and names, and the legend
// that draws each one with its name (the same drawing as on the lanes).
#include "ui/timelineview.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace ui {

TimelineColors TimelineColors::forPalette(const QPalette &palette)
{
    // The hues of a light theme, and lighter ones where the base is dark, chosen to keep at
    // least 3:1 contrast against Base and AlternateBase (the lanes' two backgrounds).
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    TimelineColors c;
    if (dark) {
        c.sent = QColor(0x6f, 0xa8, 0xff);
        c.received = QColor(0x4c, 0xd0, 0x96);
        c.headers = QColor(0xc0, 0x9a, 0xf5);
        c.error = QColor(0xff, 0x72, 0x66);
        c.connection = QColor(0xa8, 0xa8, 0xa8);
        c.ok = QColor(0x7d, 0xe0, 0xa8);
        c.halfClose = QColor(0xa8, 0xc8, 0xff);
    } else {
        c.sent = QColor(0x2f, 0x6f, 0xd6);
        c.received = QColor(0x1a, 0x8a, 0x5e);
        c.headers = QColor(0x8e, 0x5b, 0xc9);
        c.error = QColor(0xc8, 0x32, 0x28);
        c.connection = QColor(0x7a, 0x7a, 0x7a);
        c.ok = QColor(0x16, 0x73, 0x4e);
        c.halfClose = QColor(0x22, 0x50, 0x9c);
    }
    const QColor text = palette.color(QPalette::Text);
    const QColor base = palette.color(QPalette::Base);
    const auto towardText = [&](double f) {
        return QColor::fromRgbF(float(base.redF() + (text.redF() - base.redF()) * f),
                                float(base.greenF() + (text.greenF() - base.greenF()) * f),
                                float(base.blueF() + (text.blueF() - base.blueF()) * f));
    };
    c.rule = towardText(0.4);
    c.faintRule = towardText(0.18);
    return c;
}

QColor TimelineColors::of(TimelineMark mark) const
{
    switch (mark) {
    case TimelineMark::RequestHeaders:
    case TimelineMark::ResponseHeaders:
        return headers;
    case TimelineMark::MessageSent:
        return sent;
    case TimelineMark::HalfClose:
        return halfClose;
    case TimelineMark::MessageReceived:
        return received;
    case TimelineMark::TrailersOk:
        return ok;
    case TimelineMark::TrailersError:
    case TimelineMark::MessageFailed:
    case TimelineMark::StreamReset:
        return error;
    case TimelineMark::FrameSent:
    case TimelineMark::FrameReceived:
    case TimelineMark::Count:
        break;
    }
    return connection;
}

void paintTimelineMark(QPainter &p, TimelineMark mark, int x, int mid, const TimelineColors &colors)
{
    // Whole logical pixels and fills, so marks stay sharp at any scale factor.
    const QColor c = colors.of(mark);
    switch (mark) {
    case TimelineMark::RequestHeaders:
        p.fillRect(QRect(x - 3, mid - 10, 7, 7), c);
        break;
    case TimelineMark::ResponseHeaders:
        p.fillRect(QRect(x - 3, mid + 3, 7, 7), c);
        break;
    case TimelineMark::MessageSent:
        p.fillRect(QRect(x - 1, mid - 9, 3, 7), c);
        break;
    case TimelineMark::MessageReceived:
        p.fillRect(QRect(x - 1, mid + 2, 3, 7), c);
        break;
    case TimelineMark::MessageFailed:
        p.fillRect(QRect(x - 1, mid - 9, 3, 18), c);
        break;
    case TimelineMark::HalfClose:
        p.fillRect(QRect(x - 1, mid - 11, 2, 11), c);
        break;
    case TimelineMark::TrailersOk:
    case TimelineMark::TrailersError: {
        QPainterPath diamond;
        diamond.moveTo(x, mid - 6);
        diamond.lineTo(x + 6, mid);
        diamond.lineTo(x, mid + 6);
        diamond.lineTo(x - 6, mid);
        diamond.closeSubpath();
        const bool aa = p.testRenderHint(QPainter::Antialiasing);
        p.setRenderHint(QPainter::Antialiasing, true);
        p.fillPath(diamond, c);
        p.setRenderHint(QPainter::Antialiasing, aa);
        break;
    }
    case TimelineMark::StreamReset: {
        const QPen pen = p.pen();
        p.setPen(QPen(c, 2));
        p.drawLine(x - 4, mid - 4, x + 4, mid + 4);
        p.drawLine(x - 4, mid + 4, x + 4, mid - 4);
        p.setPen(pen);
        break;
    }
    case TimelineMark::FrameSent:
        p.fillRect(QRect(x - 1, mid - 8, 3, 6), c);
        break;
    case TimelineMark::FrameReceived:
        p.fillRect(QRect(x - 1, mid + 2, 3, 6), c);
        break;
    case TimelineMark::Count:
        break;
    }
}

QString timelineMarkName(TimelineMark mark)
{
    switch (mark) {
    case TimelineMark::RequestHeaders:
        return TimelineView::tr("request headers");
    case TimelineMark::MessageSent:
        return TimelineView::tr("message sent");
    case TimelineMark::HalfClose:
        return TimelineView::tr("half-close");
    case TimelineMark::ResponseHeaders:
        return TimelineView::tr("response headers");
    case TimelineMark::MessageReceived:
        return TimelineView::tr("message received");
    case TimelineMark::TrailersOk:
        return TimelineView::tr("trailers: OK");
    case TimelineMark::TrailersError:
        return TimelineView::tr("trailers: error");
    case TimelineMark::MessageFailed:
        return TimelineView::tr("message not decoded");
    case TimelineMark::StreamReset:
        return TimelineView::tr("RST_STREAM");
    case TimelineMark::FrameSent:
        return TimelineView::tr("stream-0 frame sent");
    case TimelineMark::FrameReceived:
        return TimelineView::tr("stream-0 frame received");
    case TimelineMark::Count:
        break;
    }
    return {};
}

TimelineLegend::TimelineLegend(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("timelineLegend"));
    // As tall as its rows need at its width, but it gives way first on a small screen (a
    // height-for-width layout asked for its one-entry-per-row height at the narrowest width and
    // made the whole window taller than a 768-pixel screen).
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    // On the lanes' own background, where the colours were chosen to stand out.
    setBackgroundRole(QPalette::Base);
    setAutoFillBackground(true);
    setAccessibleName(tr("Legend"));
    setAccessibleDescription(entries().join(QStringLiteral(", ")));
}

QStringList TimelineLegend::entries() const
{
    QStringList names;
    for (int m = 0; m < int(TimelineMark::Count); ++m)
        names << timelineMarkName(TimelineMark(m));
    return names;
}

std::vector<QRect> TimelineLegend::layoutFor(int width) const
{
    const QFontMetrics fm = fontMetrics();
    std::vector<QRect> rects;
    int x = 4;
    int y = 0;
    for (const QString &name : entries()) {
        const int w = kMarkWidth + 4 + fm.horizontalAdvance(name) + 14;
        if (x > 4 && x + w > width) {
            x = 4;
            y += kRowHeight;
        }
        rects.emplace_back(x, y, w, kRowHeight);
        x += w;
    }
    return rects;
}

int TimelineLegend::rowsHeight(int width) const
{
    const auto rects = layoutFor(width);
    return rects.empty() ? kRowHeight : rects.back().bottom() + 1;
}

QSize TimelineLegend::sizeHint() const
{
    const int w = std::max(width(), 200);
    return {w, rowsHeight(w)};
}

QSize TimelineLegend::minimumSizeHint() const
{
    return {100, 0};
}

void TimelineLegend::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (rowsHeight(width()) != height())
        updateGeometry(); // the rows wrap differently at this width
}

QPoint TimelineLegend::markPosition(TimelineMark mark) const
{
    const auto rects = layoutFor(width());
    const QRect r = rects.at(std::size_t(mark));
    return {r.left() + kMarkWidth / 2, r.top() + kRowHeight / 2};
}

void TimelineLegend::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const TimelineColors colors = TimelineColors::forPalette(palette());
    const auto rects = layoutFor(width());
    const QStringList names = entries();
    for (std::size_t i = 0; i < rects.size(); ++i) {
        const QRect &r = rects[i];
        if (r.bottom() >= height())
            break; // squeezed on a small screen: whole rows only, no slivers of marks
        const int mid = r.top() + kRowHeight / 2;
        paintTimelineMark(p, TimelineMark(i), r.left() + kMarkWidth / 2, mid, colors);
        p.setPen(palette().color(QPalette::Text));
        p.drawText(QRect(r.left() + kMarkWidth + 4, r.top(), r.width() - kMarkWidth - 4, kRowHeight),
                   Qt::AlignVCenter | Qt::AlignLeft, names[int(i)]);
    }
}

} // namespace ui
