// How the kernel names a disk's partitions, which is also how Clonezilla names them in an
// image: sda + 1 = sda1, nvme0n1 + 1 = nvme0n1p1 (a 'p' when the disk name ends in a digit).
#pragma once

#include <optional>
#include <string>

namespace kura {

std::string partition_name(const std::string& disk_name, int number);

// The partition number in `part_name` when it names a partition of `disk_name`
// ("sda5" of "sda" = 5, "loop3p1" of "loop3" = 1), else nullopt.
std::optional<int> partition_number(const std::string& disk_name, const std::string& part_name);

}  // namespace kura
