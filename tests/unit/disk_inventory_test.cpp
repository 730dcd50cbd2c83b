// Disk discovery against fake sysfs trees shaped like the kernel's: transports from the
// device path, identifiers, multipath paths collapsing into their map, refusals from the
// mount table, and how find_disk resolves the names operators and images use.
#include "core/error.h"
#include "device/disk_identity.h"
#include "device/disk_inventory.h"
#include "device/disk_transport.h"
#include "device/natural_order.h"
#include "fake_sysfs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sys/sysmacros.h>

namespace kura {
namespace {

using testing::FakeSysfs;

const char* const kWwidLun = "naa.600508b4000156d700012000000b0000";

// A Unit Serial Number VPD page as the kernel exposes it in device/vpd_pg80.
std::string vpd_pg80(const std::string& serial) {
    std::string page = {0x00, static_cast<char>(0x80), 0x00, static_cast<char>(serial.size())};
    return page + serial;
}

// One server's worth of disks: SATA boot disk, NVMe, a USB stick and an empty card reader,
// an FC LUN over two paths joined by multipath (with a kpartx partition map and an LVM
// volume on top), a SAS LUN over two paths with no map, an iSCSI LUN, a virtio disk,
// loop devices (one attached) and devices that are never disks.
class Server : public ::testing::Test {
protected:
    void SetUp() override {
        // SATA, partitioned, the running system lives on sda1.
        t.add_disk("pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sda", 8, 0, 976773168, 512, 4096);
        t.set("sda", "device/model", "Samsung SSD 860 EVO 500GB");
        t.set("sda", "device/vendor", "ATA     ");
        t.set("sda", "device/wwid", "naa.5002538e40a1b2c3");
        t.set_raw("sda", "device/vpd_pg80", vpd_pg80("    S3Z9NB0K123456A"));
        t.add_partition("sda", "sda1", 1, 8, 1, 2048, 1048576);
        t.add_partition("sda", "sda2", 2, 8, 2, 1050624, 975722496);

        // NVMe namespace with two partitions.
        t.add_disk("pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1", 259, 0, 1953525168);
        t.set("nvme0n1", "wwid", "eui.0025388b71b0b6d1");
        t.set("nvme0n1", "device/serial", "S4EWNX0N123456      ");
        t.set("nvme0n1", "device/model", "Samsung SSD 970 EVO Plus 1TB");
        t.add_partition("nvme0n1", "nvme0n1p1", 1, 259, 1, 2048, 204800);
        t.add_partition("nvme0n1", "nvme0n1p2", 2, 259, 2, 206848, 1953318320);
        // The hidden per-path device of native NVMe multipath.
        t.add_disk("pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0c0n1", 259, 9, 1953525168);
        t.set("nvme0c0n1", "hidden", "1");

        // USB stick: no serial page; the USB device above it has the serial.
        t.add_disk("pci0000:00/0000:00:14.0/usb2/2-1/2-1:1.0/host6/target6:0:0/6:0:0:0/block/sdd", 8, 48, 60062500);
        t.set("sdd", "removable", "1");
        t.set("sdd", "device/vendor", "SanDisk ");
        t.set("sdd", "device/model", "Ultra           ");
        t.set_path("devices/pci0000:00/0000:00:14.0/usb2/2-1/idVendor", "0781");
        t.set_path("devices/pci0000:00/0000:00:14.0/usb2/2-1/serial", "4C530001230101115022");
        // A card reader with no card: size 0.
        t.add_disk("pci0000:00/0000:00:14.0/usb2/2-2/2-2:1.0/host7/target7:0:0/7:0:0:0/block/sde", 8, 64, 0);
        t.set("sde", "removable", "1");

        // FC LUN seen through two HBAs, joined by multipath map dm-0 (mpatha).
        t.add_disk("pci0000:00/0000:00:03.0/0000:05:00.0/host1/rport-1:0-0/target1:0:0/1:0:0:1/block/sdb", 8, 16,
                   209715200);
        t.add_disk("pci0000:00/0000:00:03.0/0000:05:00.1/host2/rport-2:0-0/target2:0:0/2:0:0:1/block/sdc", 8, 32,
                   209715200);
        for (const char* path : {"sdb", "sdc"}) {
            t.set(path, "device/wwid", kWwidLun);
            t.set(path, "device/vendor", "HP      ");
            t.set(path, "device/model", "MSA2040 SAN     ");
            t.set_raw(path, "device/vpd_pg80", vpd_pg80("00c0ff1234560000"));
        }
        t.add_partition("sdb", "sdb1", 1, 8, 17, 2048, 209713152);
        t.add_partition("sdc", "sdc1", 1, 8, 33, 2048, 209713152);
        t.add_multipath("dm-0", "mpatha", "3600508b4000156d700012000000b0000", 253, 0, 209715200, {"sdb", "sdc"});
        // kpartx's partition map of mpatha, and an LVM volume on it.
        auto part = t.add_disk("virtual/block/dm-1", 253, 1, 209713152);
        t.set("dm-1", "dm/name", "mpatha1");
        t.set("dm-1", "dm/uuid", "part1-mpath-3600508b4000156d700012000000b0000");
        t.hold("dm-1", "dm-0");
        t.add_disk("virtual/block/dm-2", 253, 2, 104857600);
        t.set("dm-2", "dm/name", "vg0-data");
        t.set("dm-2", "dm/uuid", "LVM-abcdefabcdef");
        t.hold("dm-2", "dm-1");

        // SAS LUN seen through two ports but no multipath map.
        t.add_disk("pci0000:00/0000:00:04.0/0000:06:00.0/host3/port-3:0/end_device-3:0/target3:0:0/3:0:0:0/block/sdf",
                   8, 80, 1000000);
        t.add_disk("pci0000:00/0000:00:04.0/0000:06:00.0/host3/port-3:1/end_device-3:1/target3:0:1/3:0:1:0/block/sdg",
                   8, 96, 1000000);
        t.set("sdf", "device/wwid", "naa.5000c500a1b2c3d4");
        t.set("sdg", "device/wwid", "naa.5000c500a1b2c3d4");

        // iSCSI LUN.
        t.add_disk("platform/host8/session1/target8:0:0/8:0:0:0/block/sdh", 8, 112, 2097152);
        t.set("sdh", "device/wwid", "naa.6001405abcdef0123456789abcdef01");
        t.set("sdh", "device/model", "iscsi-lun       ");

        // virtio-blk: the serial is on the disk itself, the vendor is a bus id number.
        t.add_disk("pci0000:00/0000:00:02.0/virtio1/block/vda", 254, 0, 41943040);
        t.set("vda", "serial", "QM-VDA-1");
        t.set("vda", "device/vendor", "0x1af4");

        // Loop devices: one attached, one free. Devices that are never disks.
        t.add_disk("virtual/block/loop3", 7, 3, 131072);
        t.set("loop3", "loop/backing_file", "/var/tmp/disk.img");
        t.add_disk("virtual/block/loop4", 7, 4, 0);
        t.add_disk("virtual/block/zram0", 252, 0, 8388608);
        t.add_disk("virtual/block/md0", 9, 0, 8388608);
        t.add_disk("pci0000:00/0000:00:1f.2/ata2/host1/target1:0:0/1:0:0:0/block/sr0", 11, 0, 2097152);
        (void)part;

        // Device nodes are looked for in a directory that does not exist, so no name in
        // these tests can reach a real device of the machine running them.
        dev = (t.base() / "dev").string();
        swaps = (t.base() / "swaps").string();
        std::ofstream(swaps) << "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
    }

    SystemView view(const std::string& mountinfo = "") const {
        return SystemView{MountTable::parse(mountinfo), Sysfs(t.root()), swaps};
    }
    DiscoveryOptions options() const {
        DiscoveryOptions o;
        o.sysfs_root = t.root();
        o.dev_root = dev;
        o.probe_filesystems = false;  // the fake tree has no device nodes
        return o;
    }
    std::vector<DiskInfo> discover(const std::string& mountinfo = "") const {
        return discover_disks(options(), view(mountinfo));
    }
    static DiskInfo named(const std::vector<DiskInfo>& disks, const std::string& name) {
        auto it = std::find_if(disks.begin(), disks.end(), [&](const DiskInfo& d) { return d.name == name; });
        if (it == disks.end()) throw std::runtime_error("not listed: " + name);
        return *it;
    }
    static std::vector<std::string> names(const std::vector<DiskInfo>& disks) {
        std::vector<std::string> out;
        for (const auto& d : disks) out.push_back(d.name);
        return out;
    }

    std::string node(const std::string& name) const { return dev + "/" + name; }

    FakeSysfs t;
    std::string dev, swaps;
};

TEST_F(Server, ListsDisksOnceInNaturalOrderAndLeavesOutWhatIsNoDisk) {
    auto disks = discover();
    // No sdb/sdc (behind mpatha), no dm-1/dm-2 (partition map, LVM), no sde (empty reader),
    // no loop4 (free), no zram/md/sr, no hidden nvme path device.
    EXPECT_EQ(names(disks), (std::vector<std::string>{"dm-0", "loop3", "nvme0n1", "sda", "sdd", "sdf", "sdg", "sdh",
                                                      "vda"}));
}

TEST_F(Server, SataDiskWithPartitions) {
    const DiskInfo& sda = named(discover(), "sda");
    EXPECT_EQ(sda.path, node("sda"));
    EXPECT_EQ(sda.dev, makedev(8, 0));
    EXPECT_EQ(sda.transport, Transport::sata);
    EXPECT_EQ(transport_name(sda.transport), "sata");
    EXPECT_EQ(sda.size_bytes, 976773168ull * 512);
    EXPECT_EQ(sda.logical_sector, 512u);
    EXPECT_EQ(sda.physical_sector, 4096u);
    EXPECT_EQ(sda.model, "Samsung SSD 860 EVO 500GB");
    EXPECT_EQ(sda.vendor, "ATA");
    EXPECT_EQ(sda.serial, "S3Z9NB0K123456A");
    EXPECT_EQ(sda.wwid, "naa.5002538e40a1b2c3");
    EXPECT_EQ(sda.identity(), "wwid:naa.5002538e40a1b2c3");
    EXPECT_FALSE(sda.removable);
    EXPECT_TRUE(sda.refusal.empty()) << sda.refusal;
    ASSERT_EQ(sda.partitions.size(), 2u);
    EXPECT_EQ(sda.partitions[0].name, "sda1");
    EXPECT_EQ(sda.partitions[0].path, node("sda1"));
    EXPECT_EQ(sda.partitions[0].number, 1);
    EXPECT_EQ(sda.partitions[0].start_bytes, 2048ull * 512);
    EXPECT_EQ(sda.partitions[0].size_bytes, 1048576ull * 512);
    EXPECT_EQ(sda.partitions[1].name, "sda2");
    EXPECT_EQ(sda.partitions[1].start_bytes, 1050624ull * 512);
}

TEST_F(Server, NvmeNamespaceWithWwidAndSerial) {
    const DiskInfo& nvme = named(discover(), "nvme0n1");
    EXPECT_EQ(nvme.transport, Transport::nvme);
    EXPECT_EQ(transport_name(nvme.transport), "nvme");
    EXPECT_EQ(nvme.wwid, "eui.0025388b71b0b6d1");
    EXPECT_EQ(nvme.serial, "S4EWNX0N123456");
    EXPECT_EQ(nvme.model, "Samsung SSD 970 EVO Plus 1TB");
    ASSERT_EQ(nvme.partitions.size(), 2u);
    EXPECT_EQ(nvme.partitions[0].name, "nvme0n1p1");
    EXPECT_EQ(nvme.partitions[1].name, "nvme0n1p2");
    EXPECT_EQ(nvme.partitions[1].number, 2);
}

TEST_F(Server, UsbStickIsRemovableWithTheUsbDevicesSerial) {
    const DiskInfo& usb = named(discover(), "sdd");
    EXPECT_EQ(usb.transport, Transport::usb);
    EXPECT_EQ(transport_name(usb.transport), "usb");
    EXPECT_TRUE(usb.removable);
    EXPECT_EQ(usb.vendor, "SanDisk");
    EXPECT_EQ(usb.model, "Ultra");
    EXPECT_EQ(usb.serial, "4C530001230101115022");
    EXPECT_EQ(usb.identity(), "serial:4C530001230101115022");
}

TEST_F(Server, FibreChannelPathsCollapseIntoTheirMultipathMap) {
    auto disks = discover();
    const DiskInfo& map = named(disks, "dm-0");
    EXPECT_EQ(map.path, node("mapper/mpatha"));
    EXPECT_EQ(map.transport, Transport::multipath);
    EXPECT_EQ(map.path_transport, Transport::fc);
    EXPECT_EQ(map.paths, (std::vector<std::string>{"sdb", "sdc"}));
    EXPECT_EQ(map.wwid, kWwidLun);
    EXPECT_EQ(map.serial, "00c0ff1234560000");
    EXPECT_EQ(map.vendor, "HP");
    EXPECT_EQ(map.model, "MSA2040 SAN");
    EXPECT_EQ(map.identity(), std::string("wwid:") + kWwidLun);
    EXPECT_EQ(map.size_bytes, 209715200ull * 512);
    // Its partition is kpartx's map, with the start the kernel found on the paths.
    ASSERT_EQ(map.partitions.size(), 1u);
    EXPECT_EQ(map.partitions[0].name, "mpatha1");
    EXPECT_EQ(map.partitions[0].path, node("mapper/mpatha1"));
    EXPECT_EQ(map.partitions[0].number, 1);
    EXPECT_EQ(map.partitions[0].start_bytes, 2048ull * 512);
    // Listed once: the same WWID appears on no other entry.
    EXPECT_EQ(std::count_if(disks.begin(), disks.end(), [](const DiskInfo& d) { return d.wwid == kWwidLun; }), 1);
    // The LVM volume on mpatha1 is what makes it unsafe, not the partition map itself.
    EXPECT_NE(map.refusal.find("its partition mpatha1 is in use by dm-2"), std::string::npos) << map.refusal;
    EXPECT_EQ(map.refusal.find("it is in use by dm-1"), std::string::npos) << map.refusal;
}

TEST_F(Server, MultipathMapWithoutUsersMayBeWritten) {
    // Without the LVM volume, the map with its partition map is a valid target.
    std::filesystem::remove(t.dir_of("dm-1") / "holders" / "dm-2");
    const DiskInfo& map = named(discover(), "dm-0");
    EXPECT_TRUE(map.refusal.empty()) << map.refusal;
}

TEST_F(Server, TwoPathsWithoutAMapAreBothListedAndBothRefused) {
    auto disks = discover();
    for (const char* name : {"sdf", "sdg"}) {
        const DiskInfo& d = named(disks, name);
        EXPECT_EQ(d.transport, Transport::sas) << name;
        EXPECT_NE(d.refusal.find("one of 2 paths to one LUN (sdf, sdg share its WWID)"), std::string::npos)
            << d.refusal;
        EXPECT_NE(d.refusal.find("start multipath"), std::string::npos);
    }
    // An identity both share names no single disk.
    try {
        find_disk("wwid:naa.5000c500a1b2c3d4", options(), view());
        FAIL() << "an ambiguous WWID was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::target_refused);
        EXPECT_NE(std::string(e.what()).find("2 disks (sdf, sdg)"), std::string::npos) << e.what();
    }
    // ...but each path by name is still found, refusal and all.
    EXPECT_FALSE(find_disk("sdf", options(), view()).refusal.empty());
}

TEST_F(Server, IscsiVirtioAndLoop) {
    auto disks = discover();
    EXPECT_EQ(transport_name(named(disks, "sdh").transport), "iscsi");
    EXPECT_EQ(named(disks, "sdh").model, "iscsi-lun");

    const DiskInfo& vda = named(disks, "vda");
    EXPECT_EQ(vda.transport, Transport::virtio);
    EXPECT_EQ(vda.serial, "QM-VDA-1");
    EXPECT_EQ(vda.vendor, "");  // "0x1af4" is a PCI vendor number, not a name
    EXPECT_EQ(vda.identity(), "serial:QM-VDA-1");

    const DiskInfo& loop = named(disks, "loop3");
    EXPECT_EQ(loop.transport, Transport::loop);
    EXPECT_EQ(loop.backing_file, "/var/tmp/disk.img");
    EXPECT_EQ(loop.identity(), node("loop3"));
    EXPECT_EQ(loop.size_bytes, 131072ull * 512);
}

TEST_F(Server, MountedPartitionAndTheRunningSystemAreRefused) {
    auto disks = discover("22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                          "40 22 259:2 / /srv rw,relatime - xfs /dev/nvme0n1p2 rw\n");
    const DiskInfo& sda = named(disks, "sda");
    EXPECT_TRUE(sda.holds_running_system);
    EXPECT_NE(sda.refusal.find("its partition sda1 is mounted at /"), std::string::npos) << sda.refusal;
    EXPECT_NE(sda.refusal.find("the disk the running system lives on"), std::string::npos) << sda.refusal;
    EXPECT_EQ(sda.partitions[0].mount_points, (std::vector<std::string>{"/"}));

    const DiskInfo& nvme = named(disks, "nvme0n1");
    EXPECT_FALSE(nvme.holds_running_system);
    EXPECT_EQ(nvme.refusal, "its partition nvme0n1p2 is mounted at /srv");

    // Unmounted, other disks stay valid targets.
    EXPECT_TRUE(named(disks, "vda").refusal.empty());
    EXPECT_FALSE(named(disks, "vda").holds_running_system);
}

TEST_F(Server, ActiveSwapAndReadOnlyAreRefused) {
    std::ofstream(swaps, std::ios::app) << node("nvme0n1p1") << "                          partition\t8388604\t\t0\t\t-2\n";
    t.set("vda", "ro", "1");
    auto disks = discover();
    const DiskInfo& nvme = named(disks, "nvme0n1");
    EXPECT_TRUE(nvme.partitions[0].swap_active);
    EXPECT_NE(nvme.refusal.find("its partition nvme0n1p1 is in use as swap"), std::string::npos) << nvme.refusal;
    EXPECT_TRUE(named(disks, "vda").read_only);
    EXPECT_NE(named(disks, "vda").refusal.find("read-only"), std::string::npos);
}

TEST_F(Server, FindDiskByEveryNameAnOperatorOrImageUses) {
    auto o = options();
    auto v = view();
    EXPECT_EQ(find_disk("wwid:naa.5002538e40a1b2c3", o, v).name, "sda");
    EXPECT_EQ(find_disk("wwid:NAA.5002538E40A1B2C3", o, v).name, "sda");
    EXPECT_EQ(find_disk("serial:S4EWNX0N123456", o, v).name, "nvme0n1");
    EXPECT_EQ(find_disk("serial:QM-VDA-1", o, v).name, "vda");
    EXPECT_EQ(find_disk("nvme0n1", o, v).name, "nvme0n1");
    EXPECT_EQ(find_disk(node("sda"), o, v).name, "sda");
    // The LUN by its WWID, its map name, its map path, and by either path: always the map.
    for (const std::string& name : {std::string("wwid:naa.600508b4000156d700012000000b0000"), std::string("mpatha"),
                                    node("mapper/mpatha"), std::string("dm-0"), std::string("sdb"),
                                    std::string("sdc"), node("sdc")}) {
        DiskInfo d = find_disk(name, o, v);
        EXPECT_EQ(d.name, "dm-0") << name;
        EXPECT_EQ(d.path, node("mapper/mpatha")) << name;
    }
}

TEST_F(Server, FindDiskNamesWhatItCannotFind) {
    auto expect_refused = [&](const std::string& name, const std::string& words) {
        try {
            find_disk(name, options(), view());
            ADD_FAILURE() << name << " was found";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ExitCode::target_refused) << name;
            EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
        }
    };
    // A disk that was there when the image was made, or one unplugged since listing.
    expect_refused("sdz", "no disk named sdz (it may have been removed)");
    expect_refused(node("sdz"), "no disk named " + node("sdz"));
    expect_refused("wwid:naa.0000000000000000", "no disk named wwid:naa.0000000000000000");
    expect_refused("serial:NOPE", "no disk named serial:NOPE");
    // Free loop devices and zram are no disks either.
    expect_refused("loop4", "no disk named loop4");
    expect_refused("zram0", "no disk named zram0");
    // A partition is not a disk.
    expect_refused("sda1", "sda1 is a partition of sda, not a whole disk");
    expect_refused(node("nvme0n1p2"), "is a partition of nvme0n1");

    // A disk that vanishes between two looks.
    DiskInfo before = find_disk("sdh", options(), view());
    EXPECT_EQ(before.name, "sdh");
    std::filesystem::remove(std::filesystem::path(t.root()) / "block" / "sdh");
    expect_refused("sdh", "no disk named sdh (it may have been removed)");
}

TEST_F(Server, OnlyConfinesDiscoveryAndAPathNeverAppearsBesideItsMap) {
    auto o = options();
    o.only = {node("sdb"), "sdc", "vda"};
    auto disks = discover_disks(o, view());
    EXPECT_EQ(names(disks), (std::vector<std::string>{"dm-0", "vda"}));
    o.only = {"vda", "nothing-here"};
    EXPECT_THROW(discover_disks(o, view()), Error);
}

TEST_F(Server, TableAndJsonShowTheMapOnceWithItsTransport) {
    auto disks = discover("22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n");
    std::string table = disks_table_text(disks);
    auto line_of = [&](const std::string& start) {
        std::size_t at = table.find("\n" + start + " ");
        if (at == std::string::npos) return std::string();
        return table.substr(at + 1, table.find('\n', at + 1) - at - 1);
    };
    EXPECT_EQ(table.rfind("NAME ", 0), 0u) << table;
    std::string mpath = line_of("mpatha");
    EXPECT_NE(mpath.find(" fc "), std::string::npos) << table;
    EXPECT_NE(mpath.find("multipath map of sdb, sdc"), std::string::npos) << table;
    EXPECT_NE(mpath.find(std::string("wwid:") + kWwidLun), std::string::npos) << table;
    EXPECT_EQ(line_of("sdb"), "");
    EXPECT_EQ(line_of("sdc"), "");
    EXPECT_NE(line_of("sdd").find(" usb "), std::string::npos) << table;
    EXPECT_NE(line_of("nvme0n1").find(" nvme "), std::string::npos) << table;
    EXPECT_NE(line_of("sda").find("not a target: its partition sda1 is mounted at /; it is on sda, the disk the running "
                                  "system lives on"),
              std::string::npos)
        << table;
    EXPECT_EQ(line_of("vda").find("not a target"), std::string::npos) << table;
    EXPECT_NE(table.find("`-mpatha1"), std::string::npos) << table;
    EXPECT_NE(table.find("|-sda1"), std::string::npos) << table;
    EXPECT_NE(line_of("|-sda1").find("mounted at /"), std::string::npos) << table;
    EXPECT_NE(line_of("loop3").find("backing file /var/tmp/disk.img"), std::string::npos) << table;

    std::string json = disks_json(disks);
    EXPECT_EQ(json.rfind("{\"verb\":\"list-disks\",\"disks\":[{\"name\":\"dm-0\",\"path\":\"" + node("mapper/mpatha") + "\"", 0),
              0u)
        << json;
    EXPECT_NE(json.find("\"transport\":\"multipath\",\"path_transport\":\"fc\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"paths\":[\"sdb\",\"sdc\"]"), std::string::npos) << json;
    EXPECT_NE(json.find("\"name\":\"sda1\",\"path\":\"" + node("sda1") + "\",\"devno\":\"8:1\",\"number\":1,\"start_bytes\":1048576"),
              std::string::npos)
        << json;
    EXPECT_EQ(json.find("\"name\":\"sdb\""), std::string::npos);
}

TEST(DiskIdentity, PrefersWwidThenSerialThenPath) {
    DiskInfo d;
    d.path = "/dev/sdq";
    EXPECT_EQ(d.identity(), "/dev/sdq");
    d.serial = "ZA1B2C3D";
    EXPECT_EQ(d.identity(), "serial:ZA1B2C3D");
    d.wwid = "naa.5000c500a1b2c3d4";
    EXPECT_EQ(d.identity(), "wwid:naa.5000c500a1b2c3d4");
}

TEST(DiskIdentity, NormalisesBlanksAndReadsSerialPages) {
    EXPECT_EQ(normalize_identifier("  t10.ATA     QEMU HARDDISK    QM00001  "), "t10.ATA_QEMU_HARDDISK_QM00001");
    EXPECT_EQ(normalize_identifier("   "), "");
    EXPECT_EQ(serial_from_vpd_pg80(vpd_pg80("  WD-WCC4N1234567")), "WD-WCC4N1234567");
    EXPECT_EQ(serial_from_vpd_pg80(vpd_pg80(std::string("ABC\0\0\0", 6))), "ABC");
    EXPECT_EQ(serial_from_vpd_pg80(vpd_pg80("        ")), "");
    EXPECT_EQ(serial_from_vpd_pg80(std::string("\x00\x83\x00\x02xy", 6)), "");  // another page
    EXPECT_EQ(serial_from_vpd_pg80("\x00\x80"), "");                            // truncated header
    std::string overlong = vpd_pg80("SHORT");
    overlong[3] = 40;  // claims more than is there: what is there is used
    EXPECT_EQ(serial_from_vpd_pg80(overlong), "SHORT");
}

TEST(DiskTransport, FromKernelDevicePaths) {
    auto t = [](const std::string& p) { return transport_name(transport_from_sysfs_path(p)); };
    EXPECT_EQ(t("/devices/pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0/block/sda"), "sata");
    EXPECT_EQ(t("/devices/pci0000:00/0000:00:01.0/0000:01:00.0/host0/port-0:0/end_device-0:0/target0:0:0/0:0:0:0/block/sda"),
              "sas");
    EXPECT_EQ(t("/devices/pci0000:00/0000:00:01.0/0000:01:00.0/host0/port-0:0/expander-0:0/port-0:0:4/end_device-0:0:4/"
                "target0:0:4/0:0:4:0/block/sde"),
              "sas");
    EXPECT_EQ(t("/devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme0/nvme0n1"), "nvme");
    EXPECT_EQ(t("/devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n1"), "nvme");
    EXPECT_EQ(t("/devices/pci0000:00/0000:00:14.0/usb2/2-3/2-3:1.0/host4/target4:0:0/4:0:0:0/block/sdb"), "usb");
    // A USB-attached NVMe or SATA bridge is still a USB disk to the operator.
    EXPECT_EQ(t("/devices/pci0000:00/0000:00:14.0/usb4/4-1/4-1:1.0/host5/target5:0:0/5:0:0:0/block/sdc"), "usb");
    EXPECT_EQ(t("/devices/pci0000:00/0000:00:03.0/0000:05:00.0/host1/rport-1:0-0/target1:0:0/1:0:0:1/block/sdb"), "fc");
    EXPECT_EQ(t("/devices/platform/host3/session1/target3:0:0/3:0:0:0/block/sdc"), "iscsi");
    EXPECT_EQ(t("/devices/pci0000:00/0000:00:02.0/virtio1/block/vda"), "virtio");
    EXPECT_EQ(t("/devices/pci0000:00/0000:00:05.0/virtio2/host2/target2:0:0/2:0:0:0/block/sda"), "virtio");
    EXPECT_EQ(t("/devices/platform/soc/fe340000.mmc/mmc_host/mmc0/mmc0:aaaa/block/mmcblk0"), "mmc");
    EXPECT_EQ(t("/devices/pci0000:00/0000:00:10.0/host0/target0:0:0/0:0:0:0/block/sda"), "scsi");
    EXPECT_EQ(t("/devices/platform/floppy.0/block/fd0"), "");
    EXPECT_EQ(t("/devices/pci0000:00/0000:00:1f.2/atapi/block/sdx"), "");  // "ata" needs a port number
}

TEST(DiskFile, DescribedLikeADisk) {
    FakeSysfs scratch;  // only for its temporary directory
    std::string path = (scratch.base() / "server-disk.img").string();
    {
        std::ofstream f(path);
    }
    std::filesystem::resize_file(path, 64 << 20);
    DiskInfo d = describe_disk_file(path);
    EXPECT_EQ(d.name, "server-disk");
    EXPECT_EQ(d.path, path);
    EXPECT_EQ(d.transport, Transport::file);
    EXPECT_EQ(transport_name(d.transport), "file");
    EXPECT_EQ(d.size_bytes, 64u << 20);
    EXPECT_EQ(d.logical_sector, 512u);
    EXPECT_EQ(d.identity(), path);
    EXPECT_TRUE(d.partitions.empty());
    try {
        describe_disk_file(scratch.base().string());
        FAIL() << "a directory was described as a disk file";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ExitCode::target_refused);
    }
    // find_disk hands regular files to describe_disk_file.
    DiscoveryOptions o;
    o.sysfs_root = scratch.root();
    o.probe_filesystems = false;
    SystemView v{MountTable::parse(""), Sysfs(scratch.root()), "/nonexistent"};
    EXPECT_EQ(find_disk(path, o, v).transport, Transport::file);
}

TEST(NaturalOrder, NumbersCompareAsNumbers) {
    EXPECT_TRUE(natural_less("loop2", "loop10"));
    EXPECT_FALSE(natural_less("loop10", "loop2"));
    EXPECT_TRUE(natural_less("nvme2n1", "nvme10n1"));
    EXPECT_TRUE(natural_less("sda", "sda1"));
    EXPECT_TRUE(natural_less("sda9", "sdb1"));
    EXPECT_FALSE(natural_less("sda", "sda"));
}

}  // namespace
}  // namespace kura
