// SPDX-License-Identifier: GPL-3.0-or-later
// wirescope-testserver: the test service as a program, for tests that spawn a server and for
// the benchmarks. Prints "listening on ADDRESS" once ready, then serves until SIGINT or SIGTERM.
#include "testserver.h"

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

int main(int argc, char **argv)
{
    testing_server::ServerOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "missing value for " << arg << "\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--address")
            options.address = value();
        else if (arg == "--cert")
            options.certFile = value();
        else if (arg == "--key")
            options.keyFile = value();
        else if (arg == "--client-ca")
            options.clientCaFile = value();
        else if (arg == "--no-reflection")
            options.reflection = false;
        else {
            std::cerr << "usage: wirescope-testserver [--address HOST:PORT] [--cert PEM --key PEM] "
                         "[--client-ca PEM] [--no-reflection]\n";
            return 2;
        }
    }
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr); // before gRPC starts its threads
    testing_server::TestServer server(options);
    std::string error;
    if (!server.start(&error)) {
        std::cerr << error << "\n";
        return 1;
    }
    const bool unixSocket = options.address.rfind("unix", 0) == 0; // unix: or unix-abstract:
    std::cout << "listening on " << (unixSocket ? options.address : server.address()) << std::endl;
    int signal = 0;
    sigwait(&stopSignals, &signal);
    server.stop();
    return 0;
}
