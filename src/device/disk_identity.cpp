#include "device/disk_identity.h"

#include <filesystem>
#include <fstream>

namespace kura {
namespace fs = std::filesystem;
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\0'; }

std::string first_line(const fs::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

// A USB mass-storage disk's SCSI side often has no serial page; the USB device it belongs
// to (the directory with idVendor) carries the iSerial string the bridge reports.
std::string usb_device_serial(const Sysfs& sysfs, dev_t dev) {
    auto dir = sysfs.dir_of(dev);
    if (!dir) return {};
    std::error_code ec;
    fs::path root = fs::canonical(sysfs.root(), ec);
    for (fs::path p = fs::path(*dir).parent_path(); !p.empty() && p != p.root_path(); p = p.parent_path()) {
        if (!ec && p == root) break;
        if (fs::exists(p / "idVendor") && fs::exists(p / "serial")) return first_line(p / "serial");
    }
    return {};
}

}  // namespace

std::string normalize_identifier(const std::string& text) {
    std::string out;
    bool pending_blank = false;
    for (char c : text) {
        if (is_blank(c)) {
            pending_blank = !out.empty();
            continue;
        }
        if (pending_blank) out += '_';
        pending_blank = false;
        out += c;
    }
    return out;
}

std::string serial_from_vpd_pg80(const std::string& page) {
    if (page.size() < 4 || static_cast<unsigned char>(page[1]) != 0x80) return {};
    std::size_t length = static_cast<std::size_t>(static_cast<unsigned char>(page[2])) << 8 |
                         static_cast<unsigned char>(page[3]);
    if (length > page.size() - 4) length = page.size() - 4;
    std::string serial = page.substr(4, length);
    // Control characters mean the page is not what it claims to be; a blank field (a
    // device without a serial number) normalises to "".
    for (char c : serial)
        if (static_cast<unsigned char>(c) < 0x20 && c != '\0') return {};
    return normalize_identifier(serial);
}

DiskIds read_disk_ids(const Sysfs& sysfs, dev_t dev, Transport transport) {
    DiskIds ids;
    auto attr = [&](const char* relative) { return normalize_identifier(sysfs.attribute(dev, relative).value_or("")); };

    ids.wwid = attr("wwid");
    if (ids.wwid.empty()) ids.wwid = attr("device/wwid");

    ids.serial = attr("serial");
    if (ids.serial.empty()) ids.serial = attr("device/serial");
    if (ids.serial.empty())
        if (auto page = sysfs.raw_attribute(dev, "device/vpd_pg80")) ids.serial = serial_from_vpd_pg80(*page);
    if (ids.serial.empty() && transport == Transport::usb) ids.serial = normalize_identifier(usb_device_serial(sysfs, dev));

    // Model and vendor are for people: blanks inside them stay as the device reports them.
    ids.model = sysfs.attribute(dev, "device/model").value_or("");
    if (ids.model.empty() && transport == Transport::mmc) ids.model = sysfs.attribute(dev, "device/name").value_or("");
    ids.vendor = sysfs.attribute(dev, "device/vendor").value_or("");
    if (ids.vendor.rfind("0x", 0) == 0) ids.vendor.clear();
    return ids;
}

}  // namespace kura
