// SPDX-License-Identifier: GPL-3.0-or-later
// wirescope: the desktop workbench. The composition root: creates the engine, the bridge to
// the UI thread, the models and the window, and connects them.
#include "models/enginebridge.h"
#include "models/plurals.h"
#include "models/sourcesmodel.h"
#include "rpc/demo/demoserver.h"
#include "rpc/engine.h"
#include "rpc/types.h"
#include "ui/mainwindow.h"
#include "ui/requesttab.h"
#include "ui/sourceactions.h"
#include "wirescope_version.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>

#include <cstring>
#include <iostream>

namespace {

const char kUsage[] =
    "Usage: wirescope [--demo] [--reflect HOST:PORT] [-I DIR]... [FILE.proto | FOLDER | FILE.protoset]...\n"
    "A desktop workbench for exploring and testing gRPC services.\n"
    "\n"
    "  --demo              start the built-in demo service and open a request to it\n"
    "  --send              send the request --demo or --open opens (never a restored draft)\n"
    "  --reflect HOST:PORT load a server's schema by reflection (plaintext)\n"
    "  --workspace DIR     open a workspace folder (saved requests, environments, history)\n"
    "  --open REQUEST      open a saved request of that workspace (path relative to it)\n"
    "  -I DIR              an import root for the .proto files given (protoc -I); several allowed\n"
    "  FILE.proto          .proto files, named relative to an import root (without -I: the folder\n"
    "                      their imports resolve from, guessed)\n"
    "  FOLDER              every .proto file under it, with the folder as import root\n"
    "  FILE.protoset       a FileDescriptorSet (protoc --descriptor_set_out --include_imports)\n"
    "  --version, --help   print this and exit\n";

} // namespace

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
            std::cout << kUsage;
            return 0;
        }
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Wirescope"));
    QApplication::setOrganizationName(QStringLiteral("Wirescope"));
    QGuiApplication::setDesktopFileName(
        QStringLiteral("org.wirescope.Wirescope")); // the .desktop file, for Wayland
    QApplication::setApplicationVersion(QStringLiteral(WIRESCOPE_VERSION));
    models::installPluralForms(); // "1 request", not "1 request(s)"
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/wirescope.svg")));
    rpc::setLibraryLogging(false);

    bool demo = false;
    bool sendDemo = false;
    QStringList reflect, roots, protos, folders, protosets;
    QString workspace, openRequest;
    const QStringList args = QApplication::arguments();
    for (int i = 1; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("--demo")) {
            demo = true;
        } else if (a == QLatin1String("--send")) {
            sendDemo = true;
        } else if (a == QLatin1String("--workspace") && i + 1 < args.size()) {
            workspace = args[++i];
        } else if (a == QLatin1String("--open") && i + 1 < args.size()) {
            openRequest = args[++i];
        } else if ((a == QLatin1String("--reflect") || a == QLatin1String("-I")) && i + 1 < args.size()) {
            (a == QLatin1String("-I") ? roots : reflect) << args[++i];
        } else if (a.startsWith(u'-')) {
            std::cerr << "wirescope: unknown option " << a.toStdString() << "\n" << kUsage;
            return 2;
        } else if (QFileInfo(a).isDir()) {
            folders << a;
        } else if (a.endsWith(QLatin1String(".proto"))) {
            protos << a;
        } else {
            protosets << a;
        }
    }

    rpc::Engine engine;
    models::EngineBridge bridge(engine);
    models::SourcesModel sources;
    rpc::DemoServer demoServer; // outlives the window, whose tabs may be calling it
    ui::MainWindow window(bridge, sources);
    window.setDemoService(ui::demoService([&demoServer] { return demoServer.start(); },
                                          rpc::DemoServer::exampleMethod(),
                                          rpc::DemoServer::exampleRequest()));
    window.show();

    if (!protos.isEmpty() && roots.isEmpty()) {
        // Without -I, each file's import root is guessed (as Open Proto Files does) from where its
        // imports resolve, on a pool thread: the window is up meanwhile.
        window.sourceActions()->addProtoFiles(protos);
    } else if (!protos.isEmpty()) {
        QStringList names;
        for (const auto &p : protos) {
            QString name = p;
            for (const auto &r : roots) {
                const QString rel = QDir(r).relativeFilePath(QFileInfo(p).absoluteFilePath());
                if (!rel.startsWith(QLatin1String(".."))) {
                    name = rel;
                    break;
                }
            }
            names << name;
        }
        window.addProtoSource(roots, names);
    }
    for (const auto &f : folders)
        window.addProtoFolder(f);
    if (!protosets.isEmpty())
        window.addProtosetSource(protosets);
    for (const auto &t : reflect)
        window.addReflectionSource(t);
    if (!openRequest.isEmpty() && workspace.isEmpty()) {
        std::cerr << "wirescope: --open needs --workspace\n" << kUsage;
        return 2;
    }
    if (sendDemo && (demo || !openRequest.isEmpty()))
        window.sendNextOpened(); // not a draft that the restore below brings back
    if (!workspace.isEmpty())
        window.openWorkspace(workspace, openRequest);
    // Unsaved requests of the last session (a crash, or closed with edits) come back.
    window.restoreAutosave();
    if (demo)
        window.startDemo();
    return app.exec();
}
