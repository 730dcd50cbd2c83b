#include "device/disk_transport.h"

#include <cctype>
#include <vector>

namespace kura {
namespace {

std::vector<std::string> segments(const std::string& path) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t slash = path.find('/', start);
        if (slash == std::string::npos) slash = path.size();
        if (slash > start) out.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return out;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// "ata3": the libata port a SATA (or PATA) disk hangs off.
bool is_ata_port(const std::string& seg) {
    if (!starts_with(seg, "ata") || seg.size() == 3) return false;
    for (std::size_t i = 3; i < seg.size(); ++i)
        if (!std::isdigit(static_cast<unsigned char>(seg[i]))) return false;
    return true;
}

bool any(const std::vector<std::string>& segs, bool (*match)(const std::string&)) {
    for (const auto& s : segs)
        if (match(s)) return true;
    return false;
}

}  // namespace

Transport transport_from_sysfs_path(const std::string& device_dir) {
    const std::vector<std::string> segs = segments(device_dir);
    // usbN is the root hub of a USB bus; everything below it came in over USB.
    if (any(segs, [](const std::string& s) { return starts_with(s, "usb"); })) return Transport::usb;
    // A remote port of a Fibre Channel HBA (fc_host is the HBA's own class directory).
    if (any(segs, [](const std::string& s) { return starts_with(s, "rport-") || s == "fc_host"; }))
        return Transport::fc;
    // The iSCSI initiator puts each login session between the host and its targets.
    if (any(segs, [](const std::string& s) { return starts_with(s, "session"); })) return Transport::iscsi;
    if (any(segs, [](const std::string& s) { return starts_with(s, "end_device-") || starts_with(s, "expander-"); }))
        return Transport::sas;
    if (any(segs, is_ata_port)) return Transport::sata;
    // nvme/nvmeN for a controller, nvme-subsysN for a namespace seen through native NVMe multipath.
    if (any(segs, [](const std::string& s) { return starts_with(s, "nvme"); })) return Transport::nvme;
    if (any(segs, [](const std::string& s) { return starts_with(s, "mmc"); })) return Transport::mmc;
    if (any(segs, [](const std::string& s) { return starts_with(s, "virtio"); })) return Transport::virtio;
    bool scsi_host = any(segs, [](const std::string& s) { return starts_with(s, "host"); });
    bool scsi_target = any(segs, [](const std::string& s) { return starts_with(s, "target"); });
    if (scsi_host && scsi_target) return Transport::scsi;
    return Transport::unknown;
}

std::string transport_name(Transport t) {
    switch (t) {
        case Transport::sata: return "sata";
        case Transport::sas: return "sas";
        case Transport::nvme: return "nvme";
        case Transport::usb: return "usb";
        case Transport::fc: return "fc";
        case Transport::virtio: return "virtio";
        case Transport::iscsi: return "iscsi";
        case Transport::scsi: return "scsi";
        case Transport::mmc: return "mmc";
        case Transport::loop: return "loop";
        case Transport::multipath: return "multipath";
        case Transport::file: return "file";
        case Transport::unknown: break;
    }
    return "";
}

}  // namespace kura
