// The small text files Clonezilla writes beside the data files, in the formats its
// restore and image-picker scripts read (see docs/image-format.md).
#pragma once

#include "device/probe.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kura {

struct SavedDevice {
    std::string name;  // sda1
    ProbeResult probe;
    std::uint64_t bytes = 0;
};

// `parts`: "sda1 sda2\n"
std::string parts_file_text(const std::vector<SavedDevice>& devices);
// `dev-fs.list`: two comment lines, then "/dev/sda1 ext4 64M" per device.
std::string dev_fs_list_text(const std::vector<SavedDevice>& devices);
// `blkid.list`: blkid's output for the saved devices.
std::string blkid_list_text(const std::vector<SavedDevice>& devices);
// `clonezilla-img`: the save log; pickers take a directory with this file for an image.
std::string clonezilla_img_text(const std::string& when, const std::vector<std::string>& log_lines);
// `disk`: "sda sdb\n" (savedisk only).
std::string disk_file_text(const std::vector<std::string>& disk_names);
// `swappt-<part>.info`: UUID="..." and LABEL="..." lines; restore runs mkswap with them.
std::string swap_info_text(const ProbeResult& probe);
// Reads a swappt file back (either line may be missing).
ProbeResult parse_swap_info(const std::string& text);
// `Info-img-id.txt`: a comment and IMG_ID=<SHA-512 of the clonezilla-img file>.
std::string info_img_id_text(const std::string& clonezilla_img);
// 1.5G / 64M / 512K as lsblk prints sizes.
std::string lsblk_size(std::uint64_t bytes);

}  // namespace kura
