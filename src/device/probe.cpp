#include "device/probe.h"

#include "core/error.h"

#include <blkid/blkid.h>

namespace kura {

ProbeResult probe_filesystem(const std::string& path) {
    blkid_probe pr = blkid_new_probe_from_filename(path.c_str());
    if (!pr) throw Error(ExitCode::source_unsupported, path + ": cannot be opened for probing");
    blkid_probe_enable_superblocks(pr, 1);
    blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID | BLKID_SUBLKS_LABEL |
                                              BLKID_SUBLKS_VERSION);
    ProbeResult result;
    // safeprobe refuses ambiguous results (two signatures), which is what we want.
    int rc = blkid_do_safeprobe(pr);
    if (rc == 0) {
        auto value = [&](const char* name) {
            const char* v = nullptr;
            return blkid_probe_lookup_value(pr, name, &v, nullptr) == 0 && v ? std::string(v) : std::string();
        };
        result.type = value("TYPE");
        result.uuid = value("UUID");
        result.label = value("LABEL");
        result.version = value("VERSION");
        result.block_size = value("BLOCK_SIZE");
    } else if (rc == -2) {
        blkid_free_probe(pr);
        throw Error(ExitCode::source_unsupported,
                    path + ": holds signatures of more than one filesystem; wipe the stale one (wipefs) first");
    }
    blkid_free_probe(pr);
    return result;
}

std::string blkid_line(const std::string& device_name, const ProbeResult& p) {
    std::string line = "/dev/" + device_name + ":";
    auto add = [&](const char* key, const std::string& v) {
        if (!v.empty()) line += std::string(" ") + key + "=\"" + v + "\"";
    };
    add("LABEL", p.label);
    add("UUID", p.uuid);
    add("BLOCK_SIZE", p.block_size);
    add("TYPE", p.type);
    return line;
}

}  // namespace kura
