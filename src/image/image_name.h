// The name a source device gets inside an image directory, as Clonezilla forms it:
// /dev/sda1 -> sda1, /dev/mapper/vg-lv -> mapper-vg-lv; a regular file stands in with its
// basename, made safe for Clonezilla's space-separated `parts` list.
#pragma once

#include <string>

namespace kura {

std::string image_name_for(const std::string& path);

// True when `name` can appear in `parts` and in data file names.
bool is_valid_part_name(const std::string& name);

}  // namespace kura
