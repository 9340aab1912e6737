// SPDX-License-Identifier: GPL-3.0-or-later
// Renders the application's SVG icon to the PNG sizes of the hicolor theme, at build time, with
// Qt's own SVG renderer: packaging needs no image tool of its own.
//   wirescope-iconrender ICON.svg OUTDIR SIZE...  ->  OUTDIR/SIZExSIZE/apps/<name>.png
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>

#include <cstdio>

int main(int argc, char **argv)
{
    QGuiApplication app(argc, argv);
    const QStringList args = QGuiApplication::arguments();
    if (args.size() < 5) {
        std::fprintf(stderr, "usage: wirescope-iconrender ICON.svg OUTDIR NAME SIZE...\n");
        return 2;
    }
    QSvgRenderer svg(args[1]);
    if (!svg.isValid()) {
        std::fprintf(stderr, "wirescope-iconrender: %s is not a valid SVG\n", qPrintable(args[1]));
        return 1;
    }
    for (int i = 4; i < args.size(); ++i) {
        const int size = args[i].toInt();
        if (size <= 0)
            return 2;
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        svg.render(&painter);
        painter.end();
        const QString dir = QStringLiteral("%1/%2x%2/apps").arg(args[2]).arg(size);
        QDir().mkpath(dir);
        const QString file = dir + QLatin1Char('/') + args[3] + QStringLiteral(".png");
        if (!image.save(file, "PNG")) {
            std::fprintf(stderr, "wirescope-iconrender: cannot write %s\n", qPrintable(file));
            return 1;
        }
    }
    return 0;
}
