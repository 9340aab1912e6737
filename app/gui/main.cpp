// wirescope: the desktop workbench. The composition root: creates the engine, the bridge to
// the UI thread and the window, and connects them.
#include "models/enginebridge.h"
#include "rpc/engine.h"
#include "rpc/types.h"
#include "ui/mainwindow.h"

#include <QApplication>

#include <cstring>
#include <iostream>

int main(int argc, char **argv)
{
    // Answer these before QApplication exists: it aborts when there is no display.
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--version") || !std::strcmp(argv[i], "-v")) {
            std::cout << "wirescope " << WIRESCOPE_VERSION << " (Qt " << qVersion() << ", gRPC "
                      << rpc::grpcVersion() << ", protobuf " << rpc::protobufVersion() << ")\n";
            return 0;
        }
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            std::cout << "Usage: wirescope [--version] [--help]\n"
                         "A desktop workbench for exploring and testing gRPC services.\n";
            return 0;
        }
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Wirescope"));
    QApplication::setOrganizationName(QStringLiteral("Wirescope"));
    QApplication::setApplicationVersion(QStringLiteral(WIRESCOPE_VERSION));

    rpc::Engine engine;
    models::EngineBridge bridge(engine);
    ui::MainWindow window;
    window.show();
    return app.exec();
}
