// The machine and the operator's keystrokes the flow model's tests share
// (flow_test.cpp, flow_preset_test.cpp): four disks, two NICs, a repository reachable as a
// directory, over NFS, SMB and on a USB partition, and helpers that answer a screen the way
// the operator would (and fail the test when the screen is not the kind expected).
#pragma once

#include "scripted_services.h"
#include "tui/flow.h"

#include <gtest/gtest.h>

namespace kura::tui::testing {

inline constexpr std::uint64_t GiB = 1ull << 30;

inline int index_of(const Screen& s, const std::string& key) {
    for (std::size_t i = 0; i < s.items.size(); ++i)
        if (s.items[i].key == key) return static_cast<int>(i);
    ADD_FAILURE() << "no item " << key << " on screen " << s.step;
    return -1;
}

inline const ScreenItem& item_of(const Screen& s, const std::string& key) {
    int i = index_of(s, key);
    return s.items.at(static_cast<std::size_t>(i < 0 ? 0 : i));
}

class FlowTest : public ::testing::Test {
protected:
    ScriptedServices services;

    FlowTest() {
        services.disk_list = {make_disk("sda", 100 * GiB, "S-A", {{"sda1", "vfat"}, {"sda2", "ext4"}}),
                              make_disk("sdb", 10 * GiB, "S-B"), make_disk("sdc", 200 * GiB, "S-C"),
                              make_disk("sdd", 50 * GiB, "USB-1", {{"sdd1", "exfat"}})};
        services.disk_list[1].refusal = "it is mounted at /mnt";
        services.disk_list[3].transport = Transport::usb;
        NetworkInterface lo{"lo", "", true, {"127.0.0.1/8"}, true};
        NetworkInterface eth{"eth0", "52:54:00:12:34:56", true, {}, false};
        services.nics = {eth, lo};
        ImageEntry saved;
        saved.name = "web1-img";
        saved.disks = {"sda (TESTDISK, serial:S-A)"};
        saved.parts = {"sda1 (vfat)", "sda2 (ext4)"};
        saved.state = ImageState::complete;
        saved.verified = true;
        saved.created = "2026-12-01T10:00:00Z";
        ImageEntry partial;
        partial.name = "broken-img";
        partial.state = ImageState::incomplete;
        partial.resumable = true;
        ImageEntry parts_only;
        parts_only.name = "parts-img";
        parts_only.parts = {"sda2 (ext4)"};
        parts_only.state = ImageState::complete;
        RepositoryStatus local;
        local.free_bytes = 500 * GiB;
        local.images = {saved, partial, parts_only};
        services.repositories["/home/partimag"] = local;
        services.repositories["nfs://10.0.0.5/images"] = local;
        services.repositories["smb://OFFICE;backup@10.0.0.6:4450/images?protocol=SMB3"] = local;
        services.repositories["dev:sdd1"] = local;
        services.needs["web1-img"] = {ImageNeed{"sda", "", 60 * GiB, 100 * GiB, "TESTDISK, serial:S-A", "serial:S-A"}};
        services.needs["parts-img"] = {ImageNeed{"sda2", "ext4", 20 * GiB, 25 * GiB, "", ""}};
    }

    FlowOptions options() {
        FlowOptions o;
        o.now_for_image_name = "2026-12-07-01";
        o.log_path = "/var/log/kura/kura-menu.log";
        return o;
    }

    static void choose(Flow& f, const std::string& key) {
        Screen s = f.screen();
        ASSERT_EQ(s.kind, ScreenKind::menu) << s.step;
        int i = index_of(s, key);
        ASSERT_GE(i, 0);
        f.answer(Answer::pick(i));
    }
    static void type(Flow& f, const std::string& text) {
        Screen s = f.screen();
        ASSERT_TRUE(s.kind == ScreenKind::input || s.kind == ScreenKind::password) << s.step;
        f.answer(Answer::typed(text));
    }
    static void enter(Flow& f) {
        ASSERT_EQ(f.screen().kind, ScreenKind::message) << f.step_name();
        f.answer(Answer::pick(0));
    }
    static void tick(Flow& f, const std::vector<std::string>& keys) {
        Screen s = f.screen();
        ASSERT_EQ(s.kind, ScreenKind::checklist) << s.step;
        std::vector<int> ticked;
        for (const auto& k : keys) ticked.push_back(index_of(s, k));
        f.answer(Answer::ticks(ticked));
    }
    static void confirm(Flow& f, bool yes) {
        ASSERT_EQ(f.screen().kind, ScreenKind::confirm) << f.step_name();
        f.answer(Answer::confirmed(yes));
    }

    // Language, keyboard and a local directory repository: the journey up to the mode menu.
    void to_mode(Flow& f) {
        choose(f, "en");
        choose(f, "us");
        choose(f, "mounted_dir");
        type(f, "/home/partimag");
        enter(f);
        ASSERT_EQ(f.step_name(), "mode");
    }
};

}  // namespace kura::tui::testing
