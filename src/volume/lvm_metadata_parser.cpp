// VG metadata text → LvmVolumeGroup, strictly: the text is read from a disk being saved or
// from an image, and kura later reads and writes PV bytes at the offsets it gives. So every
// number is range-checked and the layout is validated the way lvm2 would have written it:
// areas inside their PVs, segments tiling each LV from extent 0, stripes dividing the
// segment, no two areas sharing an extent.
#include "volume/lvm_metadata.h"

#include "core/error.h"
#include "volume/lvm_text.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>

namespace kura {
namespace {

// lvm2's limits: 128 stripes (MAX_STRIPES); 2^40 extents is far beyond any PV (with the
// smallest 4 KiB extent that is 4 PiB) and keeps every byte offset inside 64 bits.
constexpr std::int64_t max_stripes = 128;
constexpr std::int64_t max_extents = std::int64_t(1) << 40;
constexpr std::int64_t max_sectors = std::int64_t(1) << 53;
constexpr std::int64_t max_segments = 1 << 16;

class Builder {
public:
    Builder(const std::string& label, ExitCode code) : label_(label), code_(code) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw Error(code_, "the LVM metadata of " + label_ + " is not valid: " + what);
    }

    const LvmTextNode& section(const LvmTextNode& parent, const std::string& key, const std::string& where) const {
        const LvmTextNode* n = parent.find(key);
        if (!n) fail(where + " has no " + key + " section");
        if (!n->is_section) fail(where + ": " + key + " is not a section");
        return *n;
    }

    const LvmTextNode* value_node(const LvmTextNode& parent, const std::string& key, const std::string& where,
                                  bool required) const {
        const LvmTextNode* n = parent.find(key);
        if (!n) {
            if (required) fail(where + " has no " + key);
            return nullptr;
        }
        if (n->is_section || n->is_list) fail(where + ": " + key + " is not a single value");
        return n;
    }

    std::int64_t integer(const LvmTextNode& parent, const std::string& key, const std::string& where,
                         std::int64_t low, std::int64_t high) const {
        const LvmTextNode* n = value_node(parent, key, where, true);
        const auto* v = std::get_if<std::int64_t>(&n->values[0]);
        if (!v) fail(where + ": " + key + " is not a number");
        if (*v < low || *v > high)
            fail(where + ": " + key + " = " + std::to_string(*v) + " is outside " + std::to_string(low) + ".." +
                 std::to_string(high));
        return *v;
    }

    std::string string(const LvmTextNode& parent, const std::string& key, const std::string& where,
                       bool required) const {
        const LvmTextNode* n = value_node(parent, key, where, required);
        if (!n) return {};
        const auto* v = std::get_if<std::string>(&n->values[0]);
        if (!v) fail(where + ": " + key + " is not a string");
        return *v;
    }

    std::vector<std::string> string_list(const LvmTextNode& parent, const std::string& key,
                                         const std::string& where) const {
        const LvmTextNode* n = parent.find(key);
        if (!n) return {};
        if (!n->is_list) fail(where + ": " + key + " is not a list");
        std::vector<std::string> out;
        for (const auto& v : n->values) {
            const auto* s = std::get_if<std::string>(&v);
            if (!s) fail(where + ": " + key + " holds something that is not a string");
            out.push_back(*s);
        }
        return out;
    }

    void check_uuid(const std::string& id, const std::string& where) const {
        // 32 characters in 6-4-4-4-4-4-6 groups, as lvm2 prints them.
        static constexpr std::size_t hyphens[] = {6, 11, 16, 21, 26, 31};
        bool ok = id.size() == 38;
        for (std::size_t i = 0; ok && i < id.size(); ++i) {
            const bool hyphen_here = std::find(std::begin(hyphens), std::end(hyphens), i) != std::end(hyphens);
            const char c = id[i];
            ok = hyphen_here ? c == '-'
                             : ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                c == '!' || c == '#');
        }
        if (!ok) fail(where + ": id \"" + id + "\" is not an LVM UUID");
    }

    LvmVolumeGroup build(const std::string& text) {
        if (text.size() > lvm_metadata_text_limit)
            fail("the text is " + std::to_string(text.size()) + " bytes, more than kura accepts (" +
                 std::to_string(lvm_metadata_text_limit) + ")");
        LvmTextNode root;
        try {
            root = parse_lvm_text(text);
        } catch (const std::invalid_argument& e) {
            fail(e.what());
        }
        const LvmTextNode* vg_node = nullptr;
        for (const auto& c : root.children) {
            if (!c.is_section) continue;
            if (vg_node) fail("it describes more than one volume group (" + vg_node->key + ", " + c.key + ")");
            vg_node = &c;
        }
        if (!vg_node) fail("it describes no volume group");
        if (root.find("contents") && string(root, "contents", "the header", true) != "Text Format Volume Group")
            fail("contents is not \"Text Format Volume Group\"");
        if (root.find("version") && integer(root, "version", "the header", 0, 1000) != 1)
            fail("format version " + std::to_string(integer(root, "version", "the header", 0, 1000)) +
                 " (kura reads 1)");

        LvmVolumeGroup vg;
        vg.text = text;
        vg.name = vg_node->key;
        if (vg.name.empty() || vg.name[0] == '-' || vg.name.size() > 127) fail("bad volume group name " + vg.name);
        const std::string where = "VG " + vg.name;
        vg.id = string(*vg_node, "id", where, true);
        check_uuid(vg.id, where);
        vg.seqno = std::uint64_t(integer(*vg_node, "seqno", where, 0, std::numeric_limits<std::int64_t>::max()));
        const std::string format = string(*vg_node, "format", where, false);
        if (!format.empty() && format != "lvm2") fail(where + " has format \"" + format + "\" (kura reads lvm2)");
        vg.extent_size = std::uint64_t(integer(*vg_node, "extent_size", where, 1, std::int64_t(1) << 32));

        read_pvs(vg, section(*vg_node, "physical_volumes", where));
        if (const LvmTextNode* lvs = vg_node->find("logical_volumes")) {
            if (!lvs->is_section) fail(where + ": logical_volumes is not a section");
            read_lvs(vg, *lvs);
        }
        validate_areas(vg);
        return vg;
    }

private:
    void read_pvs(LvmVolumeGroup& vg, const LvmTextNode& pvs) {
        std::set<std::string> ids;
        for (const auto& node : pvs.children) {
            const std::string where = "PV " + node.key;
            if (!node.is_section) fail(where + " is not a section");
            LvmPhysicalVolume pv;
            pv.name = node.key;
            pv.id = string(node, "id", where, true);
            check_uuid(pv.id, where);
            if (!ids.insert(pv.id).second) fail("two PVs have the id " + pv.id);
            pv.device_hint = string(node, "device", where, false);
            pv.dev_size = std::uint64_t(integer(node, "dev_size", where, 0, max_sectors));
            pv.pe_start = std::uint64_t(integer(node, "pe_start", where, 0, max_sectors));
            pv.pe_count = std::uint64_t(integer(node, "pe_count", where, 0, max_extents));
            // The extents must fit in the device lvm2 measured (all in sectors; no overflow:
            // pe_count < 2^40 and extent_size <= 2^32 keep the product below 2^72 only on
            // paper, so compare by division).
            if (pv.pe_start > pv.dev_size ||
                (pv.pe_count > 0 && pv.pe_count > (pv.dev_size - pv.pe_start) / vg.extent_size))
                fail(where + ": " + std::to_string(pv.pe_count) + " extents of " + std::to_string(vg.extent_size) +
                     " sectors from sector " + std::to_string(pv.pe_start) + " do not fit in its " +
                     std::to_string(pv.dev_size) + " sectors");
            vg.pvs.push_back(std::move(pv));
        }
        if (vg.pvs.empty()) fail("VG " + vg.name + " has no physical volumes");
    }

    void read_lvs(LvmVolumeGroup& vg, const LvmTextNode& lvs) {
        std::set<std::string> ids;
        for (const auto& node : lvs.children) {
            const std::string where = "LV " + node.key;
            if (!node.is_section) fail(where + " is not a section");
            if (vg.pv_named(node.key)) fail(where + " has the name of a PV");
            LvmLogicalVolume lv;
            lv.name = node.key;
            lv.id = string(node, "id", where, true);
            check_uuid(lv.id, where);
            if (!ids.insert(lv.id).second) fail("two LVs have the id " + lv.id);
            lv.status = string_list(node, "status", where);
            const std::int64_t count = integer(node, "segment_count", where, 1, max_segments);
            std::uint64_t next_extent = 0;
            for (std::int64_t i = 1; i <= count; ++i) {
                const std::string key = "segment" + std::to_string(i);
                const LvmTextNode& s = section(node, key, where);
                lv.segments.push_back(read_segment(vg, s, where + " " + key, next_extent));
                next_extent += lv.segments.back().extent_count;
                if (next_extent > std::uint64_t(max_extents)) fail(where + " has more than 2^40 extents");
            }
            // A segmentN beyond segment_count would be silently skipped by a reader trusting
            // the count: refuse the disagreement instead.
            const std::size_t sections = std::size_t(
                std::count_if(node.children.begin(), node.children.end(), [](const LvmTextNode& c) { return c.is_section; }));
            if (sections != lv.segments.size())
                fail(where + " has " + std::to_string(sections) + " sections but segment_count = " + std::to_string(count));
            vg.lvs.push_back(std::move(lv));
        }
    }

    LvmSegment read_segment(const LvmVolumeGroup& vg, const LvmTextNode& node, const std::string& where,
                            std::uint64_t expected_start) {
        LvmSegment seg;
        seg.start_extent = std::uint64_t(integer(node, "start_extent", where, 0, max_extents));
        if (seg.start_extent != expected_start)
            fail(where + " starts at extent " + std::to_string(seg.start_extent) + ", expected " +
                 std::to_string(expected_start) + " (segments must follow each other from extent 0)");
        seg.extent_count = std::uint64_t(integer(node, "extent_count", where, 1, max_extents));
        seg.type = string(node, "type", where, true);
        if (seg.type.empty() || seg.type.size() > 64) fail(where + " has a bad type");
        if (seg.type != "striped") return seg;  // other types reach their data through sub-LVs

        seg.stripe_count = std::uint32_t(integer(node, "stripe_count", where, 1, max_stripes));
        if (seg.stripe_count > 1 || node.find("stripe_size")) {
            // dm-stripe's chunk: a power of two (lvm2 refuses anything else).
            const std::int64_t size = integer(node, "stripe_size", where, 1, std::int64_t(1) << 31);
            if ((size & (size - 1)) != 0) fail(where + ": stripe_size " + std::to_string(size) + " is not a power of two");
            seg.stripe_size = std::uint64_t(size);
        }
        if (seg.extent_count % seg.stripe_count != 0)
            fail(where + ": " + std::to_string(seg.extent_count) + " extents do not divide into " +
                 std::to_string(seg.stripe_count) + " stripes");
        if (seg.stripe_count > 1) {
            // dm-stripe refuses a stripe whose length is not a whole number of chunks.
            const std::uint64_t per_stripe_sectors = seg.extent_count / seg.stripe_count * vg.extent_size;
            if (per_stripe_sectors % seg.stripe_size != 0)
                fail(where + ": each stripe (" + std::to_string(per_stripe_sectors) +
                     " sectors) is not a whole number of " + std::to_string(seg.stripe_size) + "-sector chunks");
        }
        const LvmTextNode* stripes = node.find("stripes");
        if (!stripes || !stripes->is_list) fail(where + " has no stripes list");
        if (stripes->values.size() != 2 * std::size_t(seg.stripe_count))
            fail(where + ": the stripes list has " + std::to_string(stripes->values.size()) + " entries for " +
                 std::to_string(seg.stripe_count) + " stripes");
        for (std::size_t i = 0; i < stripes->values.size(); i += 2) {
            const auto* name = std::get_if<std::string>(&stripes->values[i]);
            const auto* first = std::get_if<std::int64_t>(&stripes->values[i + 1]);
            if (!name || !first) fail(where + ": the stripes list is not pairs of a name and an extent");
            if (*first < 0 || *first > max_extents)
                fail(where + ": stripe extent " + std::to_string(*first) + " is out of range");
            LvmArea area;
            area.first_extent = std::uint64_t(*first);
            if (vg.pv_named(*name)) area.pv = *name;
            else area.lv = *name;  // checked once every LV is known
            seg.areas.push_back(std::move(area));
        }
        return seg;
    }

    // Every area inside its PV (or LV), and no PV extent used twice.
    void validate_areas(const LvmVolumeGroup& vg) {
        struct Use {
            std::string pv;
            std::uint64_t first, count;
            std::string lv;
        };
        std::vector<Use> uses;
        for (const auto& lv : vg.lvs) {
            for (std::size_t si = 0; si < lv.segments.size(); ++si) {
                const auto& seg = lv.segments[si];
                const std::string where = "LV " + lv.name + " segment" + std::to_string(si + 1);
                if (seg.areas.empty()) continue;
                const std::uint64_t per_area = seg.extent_count / seg.stripe_count;
                for (const auto& a : seg.areas) {
                    if (!a.pv.empty()) {
                        const LvmPhysicalVolume* pv = vg.pv_named(a.pv);
                        if (a.first_extent > pv->pe_count || per_area > pv->pe_count - a.first_extent)
                            fail(where + ": extents " + std::to_string(a.first_extent) + ".." +
                                 std::to_string(a.first_extent + per_area - 1) + " of " + a.pv + " are beyond its " +
                                 std::to_string(pv->pe_count) + " extents");
                        uses.push_back({a.pv, a.first_extent, per_area, lv.name});
                    } else {
                        const LvmLogicalVolume* sub = vg.lv_named(a.lv);
                        if (!sub) fail(where + " names \"" + a.lv + "\", which is neither a PV nor an LV of the VG");
                        if (sub == &lv) fail(where + " is built on itself");
                        if (a.first_extent > sub->extent_count() || per_area > sub->extent_count() - a.first_extent)
                            fail(where + ": its area runs past the end of LV " + a.lv);
                    }
                }
            }
        }
        std::sort(uses.begin(), uses.end(),
                  [](const Use& x, const Use& y) { return std::tie(x.pv, x.first) < std::tie(y.pv, y.first); });
        for (std::size_t i = 1; i < uses.size(); ++i) {
            const Use& a = uses[i - 1];
            const Use& b = uses[i];
            if (a.pv == b.pv && a.first + a.count > b.first)
                fail("LV " + a.lv + " and LV " + b.lv + " both use extent " + std::to_string(b.first) + " of " + a.pv);
        }
    }

    std::string label_;
    ExitCode code_;
};

}  // namespace

LvmVolumeGroup parse_lvm_metadata(const std::string& text, const std::string& label, int code) {
    return Builder(label, static_cast<ExitCode>(code)).build(text);
}

}  // namespace kura
