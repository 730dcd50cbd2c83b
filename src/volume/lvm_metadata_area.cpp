// A PV's metadata areas: each a 512-byte mda_header followed by a circular buffer in which
// lvm2 writes every new version of the VG's text after the previous one, wrapping to just
// past the header when it reaches the end. raw_locn[0] in the header points at the
// committed copy. lvm2's lib/format_text/layout.h and format-text.c define the layout.
#include "volume/lvm_metadata.h"

#include "core/byte_order.h"
#include "core/error.h"
#include "device/device.h"
#include "volume/lvm_crc.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

namespace kura {
namespace {

constexpr std::size_t header_bytes = 512;
constexpr char mda_magic[] = " LVM2 x[5A%r0N*>";
constexpr std::uint32_t raw_locn_ignored = 1;

struct AreaRead {
    std::string text;      // empty: the area holds no committed VG (orphan PV) or is ignored
    std::string problem;   // set when the area is damaged
};

AreaRead read_area(const Device& device, std::uint64_t base, const LvmLabel::Area& area) {
    AreaRead r;
    std::array<unsigned char, header_bytes> h{};
    device.read_at(h.data(), h.size(), base + area.offset);
    const std::string where = "the metadata area at byte " + std::to_string(area.offset);
    if (lvm_crc(h.data() + 4, header_bytes - 4) != le32(h.data())) {
        r.problem = where + " has a bad header CRC";
        return r;
    }
    if (std::memcmp(h.data() + 4, mda_magic, 16) != 0) {
        r.problem = where + " has no LVM2 magic";
        return r;
    }
    if (le32(h.data() + 20) != 1) {
        r.problem = where + " has version " + std::to_string(le32(h.data() + 20)) + " (kura reads 1)";
        return r;
    }
    if (le64(h.data() + 24) != area.offset || le64(h.data() + 32) != area.size) {
        r.problem = where + " describes itself at another place than the label says";
        return r;
    }
    const std::uint64_t offset = le64(h.data() + 40);
    const std::uint64_t size = le64(h.data() + 48);
    const std::uint32_t crc = le32(h.data() + 56);
    const std::uint32_t flags = le32(h.data() + 60);
    if (flags & raw_locn_ignored) return r;  // `pvchange --metadataignore`: another PV holds the VG
    if (offset == 0 && size == 0) return r;  // never committed: a PV in no VG
    const std::uint64_t buffer = area.size - header_bytes;
    if (offset < header_bytes || offset >= area.size || size == 0 || size > buffer ||
        size > lvm_metadata_text_limit) {
        r.problem = where + " points at text outside it (offset " + std::to_string(offset) + ", size " +
                    std::to_string(size) + ")";
        return r;
    }
    std::string text(size, '\0');
    // The copy may wrap: its tail continues right after the header.
    const std::uint64_t first = std::min<std::uint64_t>(size, area.size - offset);
    device.read_at(text.data(), first, base + area.offset + offset);
    if (first < size) device.read_at(text.data() + first, size - first, base + area.offset + header_bytes);
    if (lvm_crc(text.data(), text.size()) != crc) {
        r.problem = where + " holds text whose CRC does not match";
        return r;
    }
    while (!text.empty() && text.back() == '\0') text.pop_back();
    if (text.find('\0') != std::string::npos) {
        r.problem = where + " holds text with a NUL inside";
        return r;
    }
    r.text = std::move(text);
    return r;
}

}  // namespace

std::string read_lvm_metadata_text(const Device& device, std::uint64_t base, std::uint64_t size,
                                   const LvmLabel& pv_label, const std::string& label) {
    std::vector<std::string> texts;  // the distinct good copies
    std::string problems;
    for (const auto& area : pv_label.metadata_areas) {
        if (area.size > size || area.offset > size - area.size)
            throw Error(ExitCode::source_unsupported,
                        "the LVM metadata area of " + label + " lies outside the device");
        AreaRead r = read_area(device, base, area);
        if (!r.problem.empty()) {
            problems += (problems.empty() ? "" : "; ") + r.problem;
            continue;
        }
        if (!r.text.empty() && std::find(texts.begin(), texts.end(), r.text) == texts.end())
            texts.push_back(std::move(r.text));
    }
    if (texts.size() == 1) return texts[0];
    if (texts.empty()) {
        // No good copy of a VG; when an area is damaged the PV's VG cannot be told, even if
        // the other area is empty (orphan or ignored).
        if (!problems.empty())
            throw Error(ExitCode::source_unsupported, "the LVM metadata of " + label + " is damaged: " + problems);
        return {};
    }
    // Two good copies that differ: the one with the higher seqno is the committed VG (the
    // other was left behind by a write that stopped between the areas). One that does not
    // parse loses; when neither parses, the first one's error is the answer.
    std::optional<std::uint64_t> best_seqno;
    std::size_t best = 0;
    std::optional<Error> first_error;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        try {
            const LvmVolumeGroup vg = parse_lvm_metadata(texts[i], label, static_cast<int>(ExitCode::source_unsupported));
            if (!best_seqno || vg.seqno > *best_seqno) {
                best_seqno = vg.seqno;
                best = i;
            }
        } catch (const Error& e) {
            if (!first_error) first_error = e;
        }
    }
    if (!best_seqno) throw *first_error;
    return texts[best];
}

std::string read_lvm_metadata_text(const Device& device, const LvmLabel& pv_label, const std::string& label) {
    return read_lvm_metadata_text(device, 0, device.size(), pv_label, label);
}

}  // namespace kura
