#include "ops/disk_table_notes.h"

#include <sstream>

namespace kura {

std::string with_lines_under_rows(const std::string& table, std::map<std::string, std::string> under,
                                  std::string unplaced) {
    std::istringstream in(table);
    std::string out, row;
    while (std::getline(in, row)) {
        out += row + "\n";
        std::string name = row.substr(0, row.find(' '));
        if (name.rfind("|-", 0) == 0 || name.rfind("`-", 0) == 0) name = name.substr(2);
        if (auto it = under.find(name); it != under.end()) {
            out += it->second;
            under.erase(it);
        }
    }
    for (const auto& [name, lines] : under) unplaced += lines;
    return out + unplaced;
}

}  // namespace kura
