// Lines inserted under the rows of `kura list-disks`' table (disks_table_text): the LVM
// volume groups and the md arrays are each shown under the row of the disk or partition
// holding their first PV or member, so both use one way of finding that row.
#pragma once

#include <map>
#include <string>

namespace kura {

// `table` with under[row name] inserted after that row ("loop3", a partition row
// "|-sda2" or "`-sda2" is named "sda2"). Lines whose row is not in the table come last.
std::string with_lines_under_rows(const std::string& table, std::map<std::string, std::string> under,
                                  std::string unplaced = {});

}  // namespace kura
