#include "ptable/on_disk.h"

#include "core/crc32.h"
#include "device/device.h"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <sstream>

namespace kura::ptable {

bool has_boot_signature(const std::uint8_t* sector) { return sector[510] == 0x55 && sector[511] == 0xAA; }

MbrEntry mbr_entry(const std::uint8_t* sector, int index) {
    const std::uint8_t* p = sector + mbr_entries + std::size_t(index) * mbr_entry_size;
    MbrEntry e;
    e.status = p[0];
    e.type = p[4];
    e.start = le32(p + 8);
    e.size = le32(p + 12);
    return e;
}

// DOS extended (05), Windows' LBA extended (0F) and Linux extended (85): the three the
// kernel and libfdisk follow into an EBR chain.
bool is_extended_type(std::uint8_t type) { return type == 0x05 || type == 0x0F || type == 0x85; }

std::string mbr_type_text(std::uint8_t type) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%x", type);
    return buf;
}

std::uint32_t gpt_crc32(const void* data, std::size_t length) {
    return ~crc32_update(crc32_partclone_seed, data, length);
}

std::uint64_t gpt_entry_sectors(std::uint32_t entries, std::uint32_t sector_size) {
    std::uint64_t bytes = std::uint64_t(entries) * gpt_entry_size;
    return (bytes + sector_size - 1) / sector_size;
}

std::string parse_gpt_header(const std::uint8_t* s, std::uint32_t sector_size, std::uint64_t lba,
                             std::uint64_t disk_sectors, GptHeader& h) {
    if (std::memcmp(s, "EFI PART", 8) != 0) {
        bool zero = true;
        for (std::uint32_t i = 0; i < sector_size && zero; ++i) zero = s[i] == 0;
        return zero ? "the sector is zeroed (no \"EFI PART\" signature)" : "no \"EFI PART\" signature";
    }
    h.revision = le32(s + 8);
    h.header_size = le32(s + 12);
    h.header_crc = le32(s + 16);
    h.my_lba = le64(s + 24);
    h.alternate_lba = le64(s + 32);
    h.first_usable = le64(s + 40);
    h.last_usable = le64(s + 48);
    h.disk_guid = guid_text(s + 56);
    h.entries_lba = le64(s + 72);
    h.entry_count = le32(s + 80);
    h.entry_size = le32(s + 84);
    h.entries_crc = le32(s + 88);

    if (h.header_size < gpt_min_header_size || h.header_size > sector_size)
        return "header size " + std::to_string(h.header_size) + " is outside 92.." + std::to_string(sector_size);
    // The CRC covers header_size bytes with the CRC field itself taken as zero.
    std::vector<std::uint8_t> copy(s, s + h.header_size);
    std::memset(copy.data() + 16, 0, 4);
    std::uint32_t computed = gpt_crc32(copy.data(), copy.size());
    if (computed != h.header_crc) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "header CRC mismatch (stored 0x%08x, computed 0x%08x)", h.header_crc,
                      computed);
        return buf;
    }
    if (h.my_lba != lba)
        return "the header says it lies at LBA " + std::to_string(h.my_lba) + ", but it was read from LBA " +
               std::to_string(lba);
    if (h.entry_size < gpt_entry_size || h.entry_size % gpt_entry_size != 0 ||
        (h.entry_size & (h.entry_size - 1)) != 0)
        return "partition entry size " + std::to_string(h.entry_size) + " is not 128 times a power of two";
    // UEFI allows more than 128 entries; 4096 keeps a damaged count from making us read
    // half a megabyte per entry array (libfdisk draws a similar line).
    if (h.entry_count == 0 || h.entry_count > 4096)
        return "partition entry count " + std::to_string(h.entry_count) + " is outside 1..4096";
    if (h.first_usable > h.last_usable + 1)
        return "first usable LBA " + std::to_string(h.first_usable) + " is after last usable LBA " +
               std::to_string(h.last_usable);
    std::uint64_t entry_sectors = (h.entries_bytes() + sector_size - 1) / sector_size;
    if (h.entries_lba < 2 || h.entries_lba + entry_sectors > disk_sectors)
        return "the partition entries at LBA " + std::to_string(h.entries_lba) + " (" +
               std::to_string(entry_sectors) + " sectors) are not inside the disk";
    return {};
}

std::string guid_text(const std::uint8_t* p) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", le32(p), le16(p + 4),
                  le16(p + 6), p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
    return buf;
}

bool guid_bytes(const std::string& text, std::uint8_t* out) {
    if (text.size() != 36) return false;
    // Dashes exactly at 8, 13, 18 and 23 and hex digits everywhere else: a dash elsewhere
    // (which the old check let through) left fewer than 32 digits to convert.
    std::string hex;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool dash_here = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash_here != (text[i] == '-')) return false;
        if (dash_here) continue;
        if (!std::isxdigit(static_cast<unsigned char>(text[i]))) return false;
        hex += text[i];
    }
    std::uint8_t raw[16];
    for (int i = 0; i < 16; ++i) raw[i] = std::uint8_t(std::stoul(hex.substr(std::size_t(i) * 2, 2), nullptr, 16));
    // Text order is big-endian per field; disk order reverses the first three fields.
    const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; ++i) out[i] = raw[order[i]];
    return true;
}

bool guid_is_zero(const std::uint8_t* p) {
    for (int i = 0; i < 16; ++i)
        if (p[i]) return false;
    return true;
}

std::string utf16le_name(const std::uint8_t* p, std::size_t units) {
    std::string out;
    auto put = [&](std::uint32_t cp) {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    };
    for (std::size_t i = 0; i < units; ++i) {
        std::uint32_t u = le16(p + 2 * i);
        if (u == 0) break;  // names end at the first NUL
        if (u >= 0xD800 && u < 0xDC00 && i + 1 < units) {
            std::uint32_t low = le16(p + 2 * (i + 1));
            if (low >= 0xDC00 && low < 0xE000) {
                put(0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00));
                ++i;
                continue;
            }
        }
        if (u >= 0xD800 && u < 0xE000) u = 0xFFFD;  // a lone surrogate
        put(u);
    }
    return out;
}

namespace {
constexpr const char* attr_names[3] = {"RequiredPartition", "NoBlockIOProtocol", "LegacyBIOSBootable"};
}

std::string gpt_attrs_text(std::uint64_t bits) {
    std::string out;
    for (int b = 0; b < 3; ++b)
        if (bits & (std::uint64_t(1) << b)) {
            if (!out.empty()) out += ' ';
            out += attr_names[b];
        }
    std::string guid;
    for (int b = 48; b < 64; ++b)
        if (bits & (std::uint64_t(1) << b)) guid += (guid.empty() ? "" : ",") + std::to_string(b);
    if (!guid.empty()) {
        if (!out.empty()) out += ' ';
        out += "GUID:" + guid;
    }
    return out;
}

bool gpt_attrs_bits(const std::string& text, std::uint64_t& bits) {
    bits = 0;
    std::string word;
    std::istringstream in(text);
    auto number = [&](const std::string& s) -> bool {
        if (s.empty() || s.size() > 2) return false;
        for (char c : s)
            if (!std::isdigit(static_cast<unsigned char>(c))) return false;
        int b = std::stoi(s);
        if (b < 48 || b > 63) return false;
        bits |= std::uint64_t(1) << b;
        return true;
    };
    while (in >> word) {
        bool known = false;
        for (int b = 0; b < 3; ++b)
            if (word == attr_names[b]) {
                bits |= std::uint64_t(1) << b;
                known = true;
            }
        if (known) continue;
        if (word.rfind("GUID:", 0) == 0) {
            std::string list = word.substr(5), item;
            std::istringstream items(list);
            while (std::getline(items, item, ','))
                if (!number(item)) return false;
            continue;
        }
        if (!number(word)) return false;
    }
    return true;
}

std::string sfdisk_quote(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\' && c != '`' && c != '$') {
            out += char(c);
        } else {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    return out;
}

std::vector<std::uint8_t> read_sectors(const Device& disk, std::uint32_t sector_size, std::uint64_t lba,
                                       std::uint64_t count) {
    std::vector<std::uint8_t> buf(std::size_t(count * sector_size));
    disk.read_at(buf.data(), buf.size(), lba * sector_size);
    return buf;
}

}  // namespace kura::ptable
