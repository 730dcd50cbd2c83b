// `kura list-images`: the images of a repository, what state each is in, what it holds.
#include "cli/common_options.h"
#include "cli/terminal_ask.h"
#include "cli/verb.h"
#include "core/units.h"
#include "ops/list_images.h"
#include "repo/open_repository.h"

#include <cstdio>

namespace kura::cli {
namespace {

std::string joined(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

void print_json(const std::string& repo, const std::vector<ImageEntry>& images) {
    std::printf("{\"verb\":\"list-images\",\"repo\":%s,\"images\":[", json_string(repo).c_str());
    for (std::size_t i = 0; i < images.size(); ++i) {
        const ImageEntry& e = images[i];
        std::vector<std::string> parts, disks;
        for (const auto& p : e.parts) parts.push_back(json_string(p));
        for (const auto& d : e.disks) disks.push_back(json_string(d));
        std::printf("%s{\"name\":%s,\"directory\":%s,\"created\":%s,\"made_by\":%s,\"disks\":[%s],\"parts\":[%s],"
                    "\"bytes\":%llu,"
                    "\"state\":\"%s\",\"verified\":%s,\"restorable\":%s,\"resumable\":%s,\"damage\":%s}",
                    i ? "," : "", json_string(e.name).c_str(), json_string(e.directory).c_str(),
                    json_string(e.created).c_str(), json_string(e.made_by).c_str(), joined(disks, ",").c_str(), joined(parts, ",").c_str(),
                    static_cast<unsigned long long>(e.bytes), image_state_name(e.state),
                    e.verified ? "true" : "false", e.restorable() ? "true" : "false", e.resumable ? "true" : "false",
                    json_string(e.damage).c_str());
    }
    std::printf("]}\n");
}

void print_table(const std::string& repo, const std::vector<ImageEntry>& images) {
    if (images.empty()) {
        std::printf("no images in %s\n", repo.c_str());
        return;
    }
    std::printf("%-24s %-20s %10s  %-16s %-8s %s\n", "IMAGE", "CREATED (UTC)", "SIZE", "STATE", "VERIFIED", "PARTS");
    for (const auto& e : images)
        std::printf("%-24s %-20s %10s  %-16s %-8s %s\n", e.name.c_str(), e.created.empty() ? "-" : e.created.c_str(),
                    format_bytes(e.bytes).c_str(), e.resumable ? "resumable" : image_state_name(e.state),
                    e.verified ? "yes" : "no",
                    e.parts.empty() ? "-" : joined(e.parts, ", ").c_str());
    for (const auto& e : images)
        if (!e.disks.empty()) std::printf("%s: disks %s\n", e.name.c_str(), joined(e.disks, ", ").c_str());
    for (const auto& e : images)
        if (!e.damage.empty()) std::printf("%s: damaged: %s\n", e.name.c_str(), e.damage.c_str());
}

}  // namespace

int run_list_images(const VerbCall& call) {
    const Args& args = call.args;
    auto repo = open_repository(repo_option(args), repository_options(args, terminal_ask()));
    std::vector<ImageEntry> images = list_images(*repo);
    if (args.flag("--json"))
        print_json(repo->describe(), images);
    else
        print_table(repo->describe(), images);
    return 0;
}

}  // namespace kura::cli
