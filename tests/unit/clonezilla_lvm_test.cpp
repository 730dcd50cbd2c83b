// Clonezilla's LVM files: what kura writes is what save_logv writes, and what an image
// holds is read strictly (names lvm2 allows, UUIDs of lvm2's form, partitions that are
// plain names, lists that agree with each VG's conf), so a hostile image is refused as
// damaged (exit 4) with the file, the line and the reason.
#include "core/error.h"
#include "image/clonezilla_lvm.h"
#include "memory_repository.h"

#include <gtest/gtest.h>

namespace kura {
namespace {

const char* const kPv = "xDz5dD-IHte-yahQ-JCCE-XzeN-7q09-nu9HMO";

// A VG as vgcfgbackup writes it (tabs, comments, header first): one PV, a root LV and a swap LV.
std::string conf(const std::string& vg = "VolGroup00", const std::string& pv = kPv) {
    return "contents = \"Text Format Volume Group\"\nversion = 1\n\n"
           "description = \"kura unit test\"\n\n" +
           vg +
           " {\n\tid = \"aCteYu-Dq5z-6Fob-jgVh-7sDC-NCdC-YkMmEB\"\n\tseqno = 3\n\tformat = \"lvm2\"\n"
           "\tstatus = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n\tflags = []\n\textent_size = 8192\t# 4 Megabytes\n"
           "\tmax_lv = 0\n\tmax_pv = 0\n\tmetadata_copies = 0\n\n\tphysical_volumes {\n\n\t\tpv0 {\n\t\t\tid = \"" +
           pv +
           "\"\n\t\t\tdevice = \"/dev/sda2\"\t# Hint only\n\n\t\t\tstatus = [\"ALLOCATABLE\"]\n\t\t\tflags = []\n"
           "\t\t\tdev_size = 131072\n\t\t\tpe_start = 2048\n\t\t\tpe_count = 15\n\t\t}\n\t}\n\n"
           "\tlogical_volumes {\n\n"
           "\t\tLogVol00 {\n\t\t\tid = \"BZxCT3-2S7A-37ic-HYLa-z3qA-1IBX-9Dc53h\"\n"
           "\t\t\tstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\n\t\t\tflags = []\n\t\t\tsegment_count = 1\n\n"
           "\t\t\tsegment1 {\n\t\t\t\tstart_extent = 0\n\t\t\t\textent_count = 10\n\n\t\t\t\ttype = \"striped\"\n"
           "\t\t\t\tstripe_count = 1\t# linear\n\n\t\t\t\tstripes = [\n\t\t\t\t\t\"pv0\", 0\n\t\t\t\t]\n\t\t\t}\n\t\t}\n\n"
           "\t\tLogVol01 {\n\t\t\tid = \"Qm0vA1-2S7A-37ic-HYLa-z3qA-1IBX-9Dc53h\"\n"
           "\t\t\tstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\n\t\t\tflags = []\n\t\t\tsegment_count = 1\n\n"
           "\t\t\tsegment1 {\n\t\t\t\tstart_extent = 0\n\t\t\t\textent_count = 2\n\n\t\t\t\ttype = \"striped\"\n"
           "\t\t\t\tstripe_count = 1\t# linear\n\n\t\t\t\tstripes = [\n\t\t\t\t\t\"pv0\", 10\n\t\t\t\t]\n\t\t\t}\n\t\t}\n"
           "\t}\n\n}\n";
}

template <typename Action>
Error error_of(Action action) {
    try {
        action();
    } catch (const Error& e) {
        return e;
    }
    ADD_FAILURE() << "no error thrown";
    return Error(ExitCode::ok, "");
}

void expect_corrupt(const Error& e, const std::string& words) {
    EXPECT_EQ(e.code(), ExitCode::image_corrupt) << e.what();
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
}

TEST(ClonezillaLvm, WritesWhatSaveLogvWrites) {
    EXPECT_EQ(lvm_image_name("VolGroup00", "LogVol00"), "VolGroup00-LogVol00");
    EXPECT_EQ(lvm_conf_file_name("VolGroup00"), "lvm_VolGroup00.conf");
    EXPECT_EQ(lvm_vg_dev_list_text({{"VolGroup00", "sda2", kPv}}), std::string("VolGroup00 /dev/sda2 ") + kPv + "\n");
    EXPECT_EQ(lvm_logv_list_text({{"VolGroup00", "LogVol00", "Linux rev 1.0 ext4 filesystem data"},
                                  {"VolGroup00", "LogVol01", "Linux swap file, 4k page size"}}),
              "/dev/VolGroup00/LogVol00  Linux rev 1.0 ext4 filesystem data\n"
              "/dev/VolGroup00/LogVol01  Linux swap file, 4k page size\n");
}

TEST(ClonezillaLvm, ListsReadBackAsWritten) {
    std::vector<LvmPvLine> pvs{{"VolGroup00", "sda2", kPv}, {"data.vg", "nvme0n1p3", "SU2jl9-3NEg-LMer-XHbm-CjfV-M2XM-iGsiXE"}};
    auto back = parse_lvm_vg_dev_list(lvm_vg_dev_list_text(pvs));
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[1].vg, "data.vg");
    EXPECT_EQ(back[1].partition, "nvme0n1p3");
    EXPECT_EQ(back[1].pv_uuid, "SU2jl9-3NEg-LMer-XHbm-CjfV-M2XM-iGsiXE");

    auto lvs = parse_lvm_logv_list("/dev/VolGroup00/LogVol00  Linux rev 1.0 ext4 filesystem data, UUID=5549\n"
                                   "/dev/VolGroup00/LogVol01  Linux swap file, LABEL=swap1\n"
                                   "/dev/vg/bare\n");
    ASSERT_EQ(lvs.size(), 3u);
    EXPECT_EQ(lvs[0].lv, "LogVol00");
    EXPECT_EQ(lvs[0].description, "Linux rev 1.0 ext4 filesystem data, UUID=5549");
    EXPECT_FALSE(lvs[0].is_swap());
    EXPECT_TRUE(lvs[1].is_swap());
    EXPECT_EQ(lvs[2].description, "");
}

TEST(ClonezillaLvm, HostileVgDevListIsRefusedWithItsLine) {
    expect_corrupt(error_of([] { parse_lvm_vg_dev_list("VolGroup00 /dev/sda2\n"); }),
                   "lvm_vg_dev.list line 1: expected \"VG /dev/PARTITION PV-UUID\"");
    expect_corrupt(error_of([] { parse_lvm_vg_dev_list(std::string("../etc /dev/sda2 ") + kPv); }),
                   "line 1: '../etc' is not a volume group name");
    expect_corrupt(error_of([] { parse_lvm_vg_dev_list(std::string("-vg /dev/sda2 ") + kPv); }),
                   "'-vg' is not a volume group name");
    expect_corrupt(error_of([] { parse_lvm_vg_dev_list(std::string("vg /dev/../sda2 ") + kPv); }),
                   "'/dev/../sda2' is not a partition (/dev/NAME)");
    expect_corrupt(error_of([] { parse_lvm_vg_dev_list("vg /dev/sda2 xDz5dD-IHte-yahQ-JCCE-XzeN-7q09-nu9HM"); }),
                   "is not a PV UUID");
    expect_corrupt(error_of([] { parse_lvm_vg_dev_list(std::string("/NOT_FOUND /dev/sda2 ") + kPv); }),
                   "/dev/sda2 was saved as a PV without a volume group");
    expect_corrupt(error_of([] {
                       parse_lvm_vg_dev_list(std::string("vg /dev/sda2 ") + kPv + "\nvg /dev/sda2 " +
                                             "SU2jl9-3NEg-LMer-XHbm-CjfV-M2XM-iGsiXE\n");
                   }),
                   "line 2: partition sda2 is listed twice");
    expect_corrupt(error_of([] { parse_lvm_vg_dev_list(std::string("vg /dev/sda2 ") + kPv + std::string(1, '\0')); }),
                   "lvm_vg_dev.list: holds a NUL byte");
    expect_corrupt(error_of([] { parse_lvm_vg_dev_list(std::string(300 * 1024, ' ')); }), "larger than");
    expect_corrupt(error_of([] { parse_lvm_vg_dev_list(std::string(5000, '\n')); }), "more than 4096 lines");
}

TEST(ClonezillaLvm, HostileLogvListIsRefusedWithItsLine) {
    expect_corrupt(error_of([] { parse_lvm_logv_list("VolGroup00/LogVol00  ext4\n"); }),
                   "lvm_logv.list line 1: 'VolGroup00/LogVol00' is not /dev/VG/LV");
    expect_corrupt(error_of([] { parse_lvm_logv_list("/dev/vg/lv/../../x  ext4\n"); }), "is not /dev/VG/LV");
    expect_corrupt(error_of([] { parse_lvm_logv_list("/dev/vg/..  ext4\n"); }), "'..' is not a logical volume name");
    expect_corrupt(error_of([] { parse_lvm_logv_list("/dev/v$g/lv  ext4\n"); }), "is not a volume group name");
    expect_corrupt(error_of([] { parse_lvm_logv_list("/dev/vg/lv  a\n/dev/vg/lv  b\n"); }),
                   "line 2: /dev/vg/lv is listed twice");
    expect_corrupt(error_of([] { parse_lvm_logv_list("/dev/vg/lv  " + std::string(5000, 'x') + "\n"); }),
                   "the description is too long");
}

class ImageVolumeGroupsTest : public ::testing::Test {
protected:
    void SetUp() override {
        repo_.dirs.insert("img");
        repo_.files["img/lvm_vg_dev.list"] = std::string("VolGroup00 /dev/sda2 ") + kPv + "\n";
        repo_.files["img/lvm_logv.list"] = "/dev/VolGroup00/LogVol00  Linux rev 1.0 ext4 filesystem data\n"
                                           "/dev/VolGroup00/LogVol01  Linux swap file\n";
        repo_.files["img/lvm_VolGroup00.conf"] = conf();
    }
    test::MemoryRepository repo_;
};

TEST_F(ImageVolumeGroupsTest, AnImageWithoutLvmHasNone) {
    repo_.files.clear();
    EXPECT_TRUE(read_image_volume_groups(repo_, "img").empty());
}

TEST_F(ImageVolumeGroupsTest, ReadsTheListsAndEachConf) {
    ImageVolumeGroups image = read_image_volume_groups(repo_, "img");
    ASSERT_FALSE(image.empty());
    EXPECT_TRUE(image.is_pv_partition("sda2"));
    EXPECT_FALSE(image.is_pv_partition("sda1"));
    ASSERT_NE(image.vg_named("VolGroup00"), nullptr);
    EXPECT_EQ(image.vg_named("VolGroup00")->lvs.size(), 2u);
    ASSERT_EQ(image.lvs.size(), 2u);
    EXPECT_TRUE(image.lvs[1].is_swap());
}

TEST_F(ImageVolumeGroupsTest, AMissingConfIsDamage) {
    repo_.files.erase("img/lvm_VolGroup00.conf");
    expect_corrupt(error_of([&] { read_image_volume_groups(repo_, "img"); }), "img/lvm_VolGroup00.conf: missing");
}

TEST_F(ImageVolumeGroupsTest, AMissingLvListIsDamage) {
    repo_.files.erase("img/lvm_logv.list");
    expect_corrupt(error_of([&] { read_image_volume_groups(repo_, "img"); }), "img/lvm_logv.list: missing");
}

TEST_F(ImageVolumeGroupsTest, AConfOfAnotherVgIsDamage) {
    repo_.files["img/lvm_VolGroup00.conf"] = conf("Other");
    expect_corrupt(error_of([&] { read_image_volume_groups(repo_, "img"); }),
                   "lvm_VolGroup00.conf: it describes volume group 'Other', not VolGroup00");
}

TEST_F(ImageVolumeGroupsTest, AnUnparsableConfIsDamage) {
    repo_.files["img/lvm_VolGroup00.conf"] = "VolGroup00 { id = \n";
    EXPECT_EQ(error_of([&] { read_image_volume_groups(repo_, "img"); }).code(), ExitCode::image_corrupt);
}

TEST_F(ImageVolumeGroupsTest, APvThatIsNotInItsVgIsDamage) {
    repo_.files["img/lvm_VolGroup00.conf"] = conf("VolGroup00", "SU2jl9-3NEg-LMer-XHbm-CjfV-M2XM-iGsiXE");
    expect_corrupt(error_of([&] { read_image_volume_groups(repo_, "img"); }),
                   std::string("PV ") + kPv + " (/dev/sda2) is not a physical volume of VolGroup00");
}

TEST_F(ImageVolumeGroupsTest, AnLvThatIsNotInItsVgIsDamage) {
    repo_.files["img/lvm_logv.list"] = "/dev/VolGroup00/LogVol09  data\n";
    expect_corrupt(error_of([&] { read_image_volume_groups(repo_, "img"); }),
                   "LogVol09 is not a logical volume of VolGroup00");
    repo_.files["img/lvm_logv.list"] = "/dev/Elsewhere/LogVol00  data\n";
    expect_corrupt(error_of([&] { read_image_volume_groups(repo_, "img"); }),
                   "/dev/Elsewhere/LogVol00 belongs to no volume group");
}

TEST_F(ImageVolumeGroupsTest, AnOversizedConfIsRefusedUnread) {
    repo_.files["img/lvm_VolGroup00.conf"] = std::string(5 * 1024 * 1024, '#');
    expect_corrupt(error_of([&] { read_image_volume_groups(repo_, "img"); }), "more than the 4194304 kura reads");
}

}  // namespace
}  // namespace kura
