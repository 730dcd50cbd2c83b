// `list-disks` output. The table is for a person choosing a disk at a console (widths fit
// the content, ASCII tree marks so a serial console shows them); the JSON is for scripts,
// so every key is always present with the same type.
#include "device/disk_inventory.h"

#include "core/json.h"
#include "core/units.h"

#include <array>
#include <cstdio>
#include <filesystem>
#include <sys/sysmacros.h>

namespace kura {
namespace {

constexpr std::size_t kColumns = 8;
using Row = std::array<std::string, kColumns>;

std::string joined(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

// What the operator calls the disk: sda, loop3, mpatha (its /dev/mapper name), or the
// image file's path.
std::string shown_name(const DiskInfo& d) {
    if (d.transport == Transport::file) return d.path;
    return std::filesystem::path(d.path).filename().string();
}

std::string shown_transport(const DiskInfo& d) {
    // A multipath map is shown by how its paths are attached; NOTE says it is a map.
    if (d.transport == Transport::multipath && d.path_transport != Transport::unknown)
        return transport_name(d.path_transport);
    return transport_name(d.transport);
}

std::string shown_identifier(const DiskInfo& d) {
    if (!d.wwid.empty()) return "wwid:" + d.wwid;
    if (!d.serial.empty()) return "serial:" + d.serial;
    return "";
}

std::string disk_note(const DiskInfo& d) {
    std::vector<std::string> notes;
    if (d.transport == Transport::multipath) notes.push_back("multipath map of " + joined(d.paths, ", "));
    if (!d.backing_file.empty()) notes.push_back("backing file " + d.backing_file);
    // The running system's disk needs no note of its own: the refusal names it.
    if (!d.refusal.empty()) notes.push_back("not a target: " + d.refusal);
    return joined(notes, "; ");
}

std::string partition_note(const PartitionInfo& p) {
    std::vector<std::string> notes;
    if (!p.mount_points.empty()) notes.push_back("mounted at " + joined(p.mount_points, ", "));
    if (p.swap_active) notes.push_back("swap in use");
    return joined(notes, "; ");
}

// Characters on screen, not bytes: labels and models may be UTF-8 (wide CJK glyphs still
// take two columns; close enough for a listing).
std::size_t columns(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::string json_list(const std::vector<std::string>& items) {
    std::vector<std::string> quoted;
    for (const auto& i : items) quoted.push_back(json_string(i));
    std::string out = "[";
    out += joined(quoted, ",");
    out += "]";
    return out;
}

std::string json_bool(bool b) { return b ? "true" : "false"; }

std::string devno(dev_t dev) {
    if (dev == 0) return "";
    return std::to_string(major(dev)) + ":" + std::to_string(minor(dev));
}

std::string partition_json(const PartitionInfo& p) {
    return "{\"name\":" + json_string(p.name) + ",\"path\":" + json_string(p.path) + ",\"devno\":" + json_string(devno(p.dev)) +
           ",\"number\":" + std::to_string(p.number) + ",\"start_bytes\":" + std::to_string(p.start_bytes) +
           ",\"size_bytes\":" + std::to_string(p.size_bytes) + ",\"fs_type\":" + json_string(p.fs_type) +
           ",\"label\":" + json_string(p.label) + ",\"uuid\":" + json_string(p.uuid) +
           ",\"mount_points\":" + json_list(p.mount_points) + ",\"swap_active\":" + json_bool(p.swap_active) + "}";
}

std::string disk_json(const DiskInfo& d) {
    std::vector<std::string> parts;
    for (const auto& p : d.partitions) parts.push_back(partition_json(p));
    return "{\"name\":" + json_string(d.name) + ",\"path\":" + json_string(d.path) + ",\"devno\":" + json_string(devno(d.dev)) +
           ",\"identity\":" + json_string(d.identity()) + ",\"size_bytes\":" + std::to_string(d.size_bytes) +
           ",\"logical_sector_size\":" + std::to_string(d.logical_sector) +
           ",\"physical_sector_size\":" + std::to_string(d.physical_sector) + ",\"model\":" + json_string(d.model) +
           ",\"vendor\":" + json_string(d.vendor) + ",\"serial\":" + json_string(d.serial) + ",\"wwid\":" + json_string(d.wwid) +
           ",\"transport\":" + json_string(transport_name(d.transport)) +
           ",\"path_transport\":" + json_string(transport_name(d.path_transport)) +
           ",\"removable\":" + json_bool(d.removable) + ",\"read_only\":" + json_bool(d.read_only) +
           ",\"rotational\":" + json_bool(d.rotational) + ",\"holders\":" + json_list(d.holders) +
           ",\"paths\":" + json_list(d.paths) + ",\"backing_file\":" + json_string(d.backing_file) +
           ",\"fs_type\":" + json_string(d.fs_type) + ",\"label\":" + json_string(d.label) + ",\"uuid\":" + json_string(d.uuid) +
           ",\"mount_points\":" + json_list(d.mount_points) +
           ",\"holds_running_system\":" + json_bool(d.holds_running_system) +
           ",\"target_ok\":" + json_bool(d.refusal.empty()) + ",\"refusal\":" + json_string(d.refusal) +
           ",\"partitions\":[" + joined(parts, ",") + "]}";
}

}  // namespace

std::string disks_table_text(const std::vector<DiskInfo>& disks) {
    if (disks.empty()) return "no disks found\n";
    std::vector<Row> rows;
    rows.push_back({"NAME", "SIZE", "TRAN", "MODEL", "SERIAL/WWID", "FSTYPE", "LABEL", "NOTE"});
    for (const auto& d : disks) {
        rows.push_back({shown_name(d), format_bytes(d.size_bytes), shown_transport(d), d.model, shown_identifier(d),
                        d.fs_type, d.label, disk_note(d)});
        for (std::size_t i = 0; i < d.partitions.size(); ++i) {
            const PartitionInfo& p = d.partitions[i];
            const char* branch = i + 1 == d.partitions.size() ? "`-" : "|-";
            rows.push_back({branch + p.name, format_bytes(p.size_bytes), "", "", "", p.fs_type, p.label, partition_note(p)});
        }
    }
    std::array<std::size_t, kColumns> width{};
    for (const auto& row : rows)
        for (std::size_t c = 0; c < kColumns; ++c) width[c] = std::max(width[c], columns(row[c]));
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < kColumns; ++c) {
            std::string cell = row[c];
            if (c + 1 < kColumns) {
                // SIZE is right-aligned, like numbers in every other kura table.
                std::string pad(width[c] - columns(cell), ' ');
                cell = c == 1 ? pad + cell : cell + pad;
                cell += "  ";
            }
            line += cell;
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    return out;
}

std::string disks_json(const std::vector<DiskInfo>& disks) {
    std::vector<std::string> items;
    for (const auto& d : disks) items.push_back(disk_json(d));
    return "{\"verb\":\"list-disks\",\"disks\":[" + joined(items, ",") + "]}\n";
}

}  // namespace kura
