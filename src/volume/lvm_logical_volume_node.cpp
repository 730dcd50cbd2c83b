// A device node for one LV without activating its VG. An LV that is one run of bytes in
// one PV (the usual LogVol00 before any lvextend) is a loop window over that run: no
// device-mapper needed, so it works on the test machines too. Anything else gets a
// device-mapper table of kura's own, made from the same metadata lvm2 would load (linear
// and striped targets), read-only for a source, and removed again when kura is done.
#include "volume/lvm_logical_volume_access.h"

#include "core/error.h"
#include "core/log.h"
#include "core/run_tool.h"
#include "device/loop_window.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <thread>
#include <unistd.h>

#include <fcntl.h>
#include <sys/stat.h>

namespace kura {
namespace {

const char* const device_mapper_control = "/dev/mapper/control";

// Opened, not just looked for: a container's /dev may hold the node while the kernel has
// no device-mapper, and opening it is also what loads dm-mod where it is a module.
bool have_device_mapper() {
    const int fd = ::open(device_mapper_control, O_RDWR | O_CLOEXEC);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

ExitCode code_for(Role role) { return role == Role::source ? ExitCode::source_unsupported : ExitCode::target_refused; }

std::uint64_t lv_bytes(const LvmVolumeGroup& vg, const LvmLogicalVolume& lv) {
    return lv.extent_count() * vg.extent_bytes();
}

const PvLocation& location_of(const LvmVolumeGroup& vg, const std::string& pv_name, const PvLocations& pvs,
                              const LvmLogicalVolume& lv, Role role) {
    const LvmPhysicalVolume* pv = vg.pv_named(pv_name);
    const auto it = pv ? pvs.find(pv->id) : pvs.end();
    if (it == pvs.end())
        throw Error(code_for(role), "LV " + vg.name + "/" + lv.name + " lies on PV " + pv_name +
                                        (pv ? " (" + pv->id + ")" : std::string()) + ", which is not present");
    return it->second;
}

class LoopWindowNode : public LogicalVolumeNode {
public:
    explicit LoopWindowNode(LoopWindow window) : window_(std::move(window)) {}
    const std::string& path() const override { return window_.path(); }

private:
    LoopWindow window_;
};

class DeviceMapperNode : public LogicalVolumeNode {
public:
    DeviceMapperNode(const LvmVolumeGroup& vg, const LvmLogicalVolume& lv, const PvLocations& pvs, Access access,
                     Role role) {
        static std::atomic<unsigned> counter{0};
        name_ = "kura-lv-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
        const std::string table = build_table(vg, lv, pvs, access, role);

        // The table goes to dmsetup on its standard input: more than one line (one per
        // segment) does not fit --table.
        char table_path[] = "/tmp/kura-dm-table-XXXXXX";
        const int fd = ::mkstemp(table_path);
        if (fd < 0) throw_errno(ExitCode::io_error, "cannot create a temporary file for a device-mapper table", errno);
        const bool written = ::write(fd, table.data(), table.size()) == static_cast<ssize_t>(table.size());
        ::close(fd);
        std::vector<std::string> argv = {"dmsetup", "create"};
        if (access == Access::read_only) argv.push_back("--readonly");
        argv.push_back(name_);
        const ToolResult r = written ? run_tool(argv, code_for(role), table_path) : ToolResult{};
        ::unlink(table_path);
        if (!written) throw Error(ExitCode::io_error, "cannot write a device-mapper table to " + std::string(table_path));
        if (r.exit_status != 0)
            throw Error(code_for(role), "cannot map LV " + vg.name + "/" + lv.name + " with dmsetup (exit " +
                                            std::to_string(r.exit_status) + "): " + r.output);
        path_ = "/dev/mapper/" + name_;
        // Without udev dmsetup makes the node itself; with udev it appears a moment later.
        for (int i = 0; i < 100 && ::access(path_.c_str(), F_OK) != 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (::access(path_.c_str(), F_OK) != 0) {
            remove();
            throw Error(code_for(role), "the device-mapper node " + path_ + " for LV " + vg.name + "/" + lv.name +
                                            " did not appear");
        }
    }

    ~DeviceMapperNode() override { remove(); }
    const std::string& path() const override { return path_; }

private:
    // The kernel device for a PV: the device itself, or a loop window over the PV's range
    // of a disk image file (or of a whole disk, when the PV is a partition seen from it).
    std::string pv_device(const PvLocation& where, Access access, Role role) {
        struct stat st {};
        if (where.offset == 0 && ::stat(where.path.c_str(), &st) == 0 && S_ISBLK(st.st_mode)) return where.path;
        windows_.emplace_back(where.path, where.offset, where.size, access, role);
        return windows_.back().path();
    }

    std::string build_table(const LvmVolumeGroup& vg, const LvmLogicalVolume& lv, const PvLocations& pvs,
                            Access access, Role role) {
        std::map<std::string, std::string> device_of;  // PV name → kernel device
        auto device_for = [&](const std::string& pv_name) {
            auto it = device_of.find(pv_name);
            if (it != device_of.end()) return it->second;
            const std::string d = pv_device(location_of(vg, pv_name, pvs, lv, role), access, role);
            device_of[pv_name] = d;
            return d;
        };
        const std::uint64_t extent = vg.extent_size;  // sectors, as the table counts
        std::string table;
        for (const auto& seg : lv.segments) {
            const std::uint64_t start = seg.start_extent * extent;
            const std::uint64_t length = seg.extent_count * extent;
            auto pv_sector = [&](const LvmArea& a) { return vg.pv_named(a.pv)->pe_start + a.first_extent * extent; };
            table += std::to_string(start) + " " + std::to_string(length);
            if (seg.stripe_count <= 1) {
                table += " linear " + device_for(seg.areas[0].pv) + " " + std::to_string(pv_sector(seg.areas[0]));
            } else {
                table += " striped " + std::to_string(seg.stripe_count) + " " + std::to_string(seg.stripe_size);
                for (const auto& a : seg.areas) table += " " + device_for(a.pv) + " " + std::to_string(pv_sector(a));
            }
            table += "\n";
        }
        return table;
    }

    void remove() {
        if (path_.empty()) return;
        const ToolResult r = run_tool({"dmsetup", "remove", "--retry", name_}, ExitCode::io_error);
        if (r.exit_status != 0) log::warn("cannot remove the device-mapper node " + name_ + ": " + r.output);
        path_.clear();
    }

    std::vector<LoopWindow> windows_;  // detached after the table that uses them is removed
    std::string name_;
    std::string path_;
};

}  // namespace

std::string logical_volume_node_unavailable(const LvmVolumeGroup& vg, const LvmLogicalVolume& lv) {
    const LvVerdict verdict = classify_logical_volume(vg, lv);
    if (verdict.layout != LvLayout::linear && verdict.layout != LvLayout::striped) return verdict.reason;
    if (logical_volume_pieces(vg, lv, 0, lv_bytes(vg, lv)).size() == 1) return {};
    if (have_device_mapper()) return {};
    if (verdict.layout == LvLayout::striped)
        return "it is striped and this kernel has no device-mapper";
    return "it has " + std::to_string(lv.segments.size()) + " segments and this kernel has no device-mapper";
}

std::unique_ptr<LogicalVolumeNode> open_logical_volume(const LvmVolumeGroup& vg, const LvmLogicalVolume& lv,
                                                       const PvLocations& pvs, Access access, Role role) {
    const LvVerdict verdict = classify_logical_volume(vg, lv);
    if (verdict.layout != LvLayout::linear && verdict.layout != LvLayout::striped)
        throw Error(code_for(role), "LV " + vg.name + "/" + lv.name + " cannot be read as a volume: " + verdict.reason);
    const auto pieces = logical_volume_pieces(vg, lv, 0, lv_bytes(vg, lv));
    for (const auto& piece : pieces) {
        const PvLocation& where = location_of(vg, piece.pv, pvs, lv, role);
        if (where.size != 0 && (piece.pv_offset > where.size || piece.length > where.size - piece.pv_offset))
            throw Error(code_for(role), "LV " + vg.name + "/" + lv.name + " reaches byte " +
                                            std::to_string(piece.pv_offset + piece.length) + " of PV " + piece.pv +
                                            ", which holds only " + std::to_string(where.size));
    }
    if (pieces.size() == 1) {
        const PvLocation& where = location_of(vg, pieces[0].pv, pvs, lv, role);
        return std::make_unique<LoopWindowNode>(
            LoopWindow(where.path, where.offset + pieces[0].pv_offset, pieces[0].length, access, role));
    }
    const std::string why = logical_volume_node_unavailable(vg, lv);
    if (!why.empty()) throw Error(code_for(role), "LV " + vg.name + "/" + lv.name + " cannot be mapped: " + why);
    return std::make_unique<DeviceMapperNode>(vg, lv, pvs, access, role);
}

}  // namespace kura
