// The LVM2 physical-volume label: "LABELONE" in one of the first four sectors, followed by
// the pv_header (UUID, device size, data area, metadata areas). Layout and CRC as lvm2's
// lib/label/label.h and lib/format_text/layout.h define them (docs/architecture.md,
// "Volumes"). Every number read here is bounded by the device before anything uses it.
#include "volume/lvm_metadata.h"

#include "core/byte_order.h"
#include "core/crc32.h"
#include "core/error.h"
#include "device/device.h"
#include "volume/lvm_crc.h"

#include <array>
#include <cstring>

namespace kura {
namespace {

constexpr std::size_t sector_bytes = 512;
constexpr int label_scan_sectors = 4;  // lvm2's LABEL_SCAN_SECTORS
constexpr std::size_t pv_uuid_chars = 32;

[[noreturn]] void damaged(const std::string& label, const std::string& what) {
    throw Error(ExitCode::source_unsupported, "the LVM label of " + label + " is damaged: " + what);
}

// lvm2 builds UUIDs from these 64 characters only; anything else is not a label it wrote.
bool is_uuid_char(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '!' || c == '#';
}

std::string hyphenate_lvm_uuid(const std::string& raw) {
    // lvm2 prints 6-4-4-4-4-4-6, the form the metadata text uses.
    static constexpr int groups[] = {6, 4, 4, 4, 4, 4, 6};
    std::string out;
    std::size_t at = 0;
    for (int g : groups) {
        if (!out.empty()) out += '-';
        out += raw.substr(at, g);
        at += g;
    }
    return out;
}

}  // namespace

std::optional<LvmLabel> read_lvm_label(const Device& device, std::uint64_t base, std::uint64_t size,
                                       const std::string& label) {
    for (int sector = 0; sector < label_scan_sectors; ++sector) {
        const std::uint64_t at = std::uint64_t(sector) * sector_bytes;
        if (at + sector_bytes > size) break;
        std::array<unsigned char, sector_bytes> s{};
        device.read_at(s.data(), s.size(), base + at);
        if (std::memcmp(s.data(), "LABELONE", 8) != 0) continue;

        if (le64(s.data() + 8) != std::uint64_t(sector))
            damaged(label, "the label in sector " + std::to_string(sector) + " says it is in sector " +
                               std::to_string(le64(s.data() + 8)));
        const std::uint32_t stored_crc = le32(s.data() + 16);
        if (lvm_crc(s.data() + 20, sector_bytes - 20) != stored_crc) damaged(label, "label CRC mismatch");
        if (std::memcmp(s.data() + 24, "LVM2 001", 8) != 0)
            throw Error(ExitCode::source_unsupported, "the LVM label of " + label + " is not LVM2 (type " +
                                                          std::string(reinterpret_cast<const char*>(s.data() + 24), 8) + ")");
        const std::uint32_t header_at = le32(s.data() + 20);
        // The pv_header must hold at least the UUID, the size and two list terminators.
        if (header_at < 32 || header_at > sector_bytes - (pv_uuid_chars + 8 + 32))
            damaged(label, "pv_header offset " + std::to_string(header_at) + " is outside the sector");
        const unsigned char* h = s.data() + header_at;
        const unsigned char* end = s.data() + sector_bytes;

        LvmLabel result;
        std::string raw(reinterpret_cast<const char*>(h), pv_uuid_chars);
        for (char c : raw)
            if (!is_uuid_char(c)) damaged(label, "the PV UUID holds a character lvm2 never writes");
        result.pv_uuid = hyphenate_lvm_uuid(raw);
        result.device_size = le64(h + pv_uuid_chars);

        // Two lists of {offset, size} pairs, each ended by {0, 0}: data areas, then metadata areas.
        const unsigned char* p = h + pv_uuid_chars + 8;
        auto read_list = [&](const char* what, std::vector<LvmLabel::Area>& into) {
            for (;;) {
                if (p + 16 > end) damaged(label, std::string("the ") + what + " list runs past the sector");
                const LvmLabel::Area a{le64(p), le64(p + 8)};
                p += 16;
                if (a.offset == 0 && a.size == 0) return;
                into.push_back(a);
            }
        };
        std::vector<LvmLabel::Area> data_areas;
        read_list("data area", data_areas);
        read_list("metadata area", result.metadata_areas);

        if (data_areas.size() != 1)
            damaged(label, std::to_string(data_areas.size()) + " data areas (lvm2 writes exactly one)");
        if (result.metadata_areas.size() > 2)
            damaged(label, std::to_string(result.metadata_areas.size()) + " metadata areas (lvm2 writes at most two)");
        result.pe_start = data_areas[0].offset;
        if (result.pe_start > size)
            damaged(label, "the first extent starts at byte " + std::to_string(result.pe_start) +
                               ", past the end of the device (" + std::to_string(size) + " bytes)");
        if (data_areas[0].size != 0 && (data_areas[0].size > size || result.pe_start > size - data_areas[0].size))
            damaged(label, "the data area runs past the end of the device");
        for (const auto& m : result.metadata_areas) {
            // An area starts after the label sectors and holds at least its 512-byte header.
            if (m.offset < sector_bytes * label_scan_sectors || m.size < sector_bytes || m.size > size ||
                m.offset > size - m.size)
                damaged(label, "a metadata area (offset " + std::to_string(m.offset) + ", size " +
                                   std::to_string(m.size) + ") lies outside the device (" + std::to_string(size) +
                                   " bytes)");
        }
        return result;
    }
    return std::nullopt;
}

std::optional<LvmLabel> read_lvm_label(const Device& device, const std::string& label) {
    return read_lvm_label(device, 0, device.size(), label);
}

}  // namespace kura
