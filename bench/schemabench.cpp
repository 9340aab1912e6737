// SPDX-License-Identifier: GPL-3.0-or-later
// Schema load of a large .proto workspace by Wirescope against protoc on the same files, in
// the same run: protoc --descriptor_set_out --include_imports (spawned), a cold load by a new
// SchemaLoader, and a cached reload of the unchanged workspace by the same loader.
//
// usage: wirescope-schemabench PROTOC ROOT LISTFILE [--rounds N]
//   LISTFILE names the .proto files relative to ROOT, one per line (gen_workspace.py prints it).
#include "rpc/schema.h"

#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

extern char **environ;

namespace {

double secondsSince(std::int64_t fromNs)
{
    return static_cast<double>(rpc::monotonicNs() - fromNs) / 1e9;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// Runs protoc to completion; returns its wall time in seconds, or -1 if it failed.
double runProtoc(const std::string &protoc, const std::string &root, const std::vector<std::string> &files,
                 const std::string &out)
{
    std::vector<std::string> args = {protoc, "-I", root, "--include_imports", "--descriptor_set_out=" + out};
    args.insert(args.end(), files.begin(), files.end());
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const auto start = rpc::monotonicNs();
    pid_t pid = 0;
    if (posix_spawn(&pid, protoc.c_str(), nullptr, nullptr, argv.data(), environ) != 0)
        return -1;
    int status = 0;
    waitpid(pid, &status, 0);
    const double s = secondsSince(start);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? s : -1;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 4) {
        std::fprintf(stderr, "usage: wirescope-schemabench PROTOC ROOT LISTFILE [--rounds N]\n");
        return 2;
    }
    const std::string protoc = argv[1], root = argv[2];
    int rounds = 3;
    if (argc >= 6 && std::string(argv[4]) == "--rounds")
        rounds = std::max(1, std::atoi(argv[5]));
    std::vector<std::string> files;
    {
        std::ifstream list(argv[3]);
        for (std::string line; std::getline(list, line);)
            if (!line.empty())
                files.push_back(line);
    }
    if (files.empty()) {
        std::fprintf(stderr, "no files listed in %s\n", argv[3]);
        return 2;
    }
    const std::string out = root + "/.schemabench.protoset";

    rpc::SchemaSpec spec;
    spec.importPaths = {root};
    spec.protoFiles = files;

    std::size_t services = 0;
    auto load = [&](rpc::SchemaLoader &loader, double *seconds) {
        const auto start = rpc::monotonicNs();
        auto r = loader.load(spec);
        *seconds = secondsSince(start);
        if (!r) {
            std::fprintf(stderr, "load failed: %s\n", r.error().toString().c_str());
            std::exit(1);
        }
        if (auto names = (*r)->serviceNames())
            services = names->size();
        return *r;
    };

    // Warm the page cache and both programs once.
    double ignored = 0;
    if (runProtoc(protoc, root, files, out) < 0) {
        std::fprintf(stderr, "protoc failed on the workspace\n");
        return 1;
    }
    {
        rpc::SchemaLoader warm;
        load(warm, &ignored);
    }

    std::vector<double> protocTimes, coldTimes, reloadTimes;
    for (int round = 0; round < rounds; ++round) {
        const double p = runProtoc(protoc, root, files, out);
        rpc::SchemaLoader loader;
        double cold = 0, reload = 0;
        auto first = load(loader, &cold);
        auto second = load(loader, &reload);
        if (first != second) {
            std::fprintf(stderr, "the reload of an unchanged workspace built a new schema\n");
            return 1;
        }
        protocTimes.push_back(p);
        coldTimes.push_back(cold);
        reloadTimes.push_back(reload);
        std::printf("{\"round\":%d,\"protoc_s\":%.3f,\"load_s\":%.3f,\"reload_s\":%.4f}\n", round + 1, p,
                    cold, reload);
        std::fflush(stdout);
    }
    std::remove(out.c_str());
    const double p = median(protocTimes), c = median(coldTimes), r = median(reloadTimes);
    std::printf("\n| measure (median of %d rounds; %zu files, %zu services) | seconds | / protoc | "
                "target |\n|---|---|---|---|\n"
                "| protoc --descriptor_set_out --include_imports | %.3f | 1.00 | |\n"
                "| Wirescope load (new loader) | %.3f | %.2f | <= 1.00 |\n"
                "| Wirescope reload, workspace unchanged | %.4f | %.3f | <= 0.10 |\n",
                rounds, files.size(), services, p, c, c / p, r, r / p);
    return 0;
}
