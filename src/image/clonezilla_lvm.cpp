#include "image/clonezilla_lvm.h"

#include "core/error.h"
#include "image/image_name.h"
#include "storage/repository.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace kura {
namespace {

// Clonezilla writes one line per PV and per LV; a real system has a handful. The caps
// only keep a hostile image from making kura read or hold much.
constexpr std::size_t kListCap = 256 * 1024;
constexpr std::size_t kMaxLines = 4096;
constexpr std::size_t kMaxDescription = 4096;
// vgcfgbackup of a VG with hundreds of LVs stays well below this.
constexpr std::size_t kConfCap = 4 * 1024 * 1024;
constexpr const char* kVgDevList = "lvm_vg_dev.list";
constexpr const char* kLogvList = "lvm_logv.list";

[[noreturn]] void bad_line(const std::string& file, std::size_t number, const std::string& what) {
    throw Error(ExitCode::image_corrupt, file + " line " + std::to_string(number) + ": " + what);
}

// What lvm2 accepts for VG and LV names (lib/misc/lvm-string.c, validate_name): letters,
// digits and + _ . -, not starting with a hyphen, not "." or "..", at most 127 characters.
// Anything else in an image cannot have come from lvm2, and a name becomes part of a path.
bool is_lvm_name(const std::string& name) {
    if (name.empty() || name.size() > 127 || name == "." || name == ".." || name.front() == '-') return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '_' || c == '.' || c == '-';
    });
}

// lvm2's hyphenated UUID: 6-4-4-4-4-4-6 letters and digits.
bool is_pv_uuid(const std::string& uuid) {
    static const std::size_t groups[] = {6, 4, 4, 4, 4, 4, 6};
    std::size_t at = 0;
    for (std::size_t g = 0; g < 7; ++g) {
        if (g > 0) {
            if (at >= uuid.size() || uuid[at] != '-') return false;
            ++at;
        }
        for (std::size_t i = 0; i < groups[g]; ++i, ++at)
            if (at >= uuid.size() || !std::isalnum(static_cast<unsigned char>(uuid[at]))) return false;
    }
    return at == uuid.size();
}

std::vector<std::string> lines_of(const std::string& text, const std::string& file) {
    if (text.size() > kListCap) throw Error(ExitCode::image_corrupt, file + ": larger than " + std::to_string(kListCap) + " bytes");
    if (text.find('\0') != std::string::npos) throw Error(ExitCode::image_corrupt, file + ": holds a NUL byte");
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
        if (lines.size() > kMaxLines)
            throw Error(ExitCode::image_corrupt, file + ": more than " + std::to_string(kMaxLines) + " lines");
    }
    return lines;
}

std::vector<std::string> words_of(const std::string& line) {
    std::vector<std::string> words;
    std::istringstream in(line);
    std::string w;
    while (in >> w) words.push_back(w);
    return words;
}

// A shortened, printable form of what an image holds, for messages.
std::string shown(const std::string& s) {
    std::string out;
    for (char c : s.substr(0, 64)) out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
    return s.size() > 64 ? out + "..." : out;
}

// Reads a small file of the image whole, refusing one that is not a regular file or is
// larger than `cap`.
std::string read_capped(const Repository& repo, const std::string& dir, const std::string& file, std::size_t cap) {
    const std::string path = dir + "/" + file;
    EntryInfo info = repo.entry_info(path);
    if (info.kind == FileKind::missing)
        throw Error(ExitCode::image_corrupt, repo.describe() + "/" + path + ": missing (the image's LVM files name it)");
    if (info.kind != FileKind::regular) throw_not_regular_file(repo.describe() + "/" + path);
    if (info.bytes > cap)
        throw Error(ExitCode::image_corrupt, repo.describe() + "/" + path + ": " + std::to_string(info.bytes) +
                                                 " bytes, more than the " + std::to_string(cap) + " kura reads");
    std::string text = read_text_file(repo, path, cap + 1);
    if (text.size() > cap)
        throw Error(ExitCode::image_corrupt, repo.describe() + "/" + path + ": larger than " + std::to_string(cap) + " bytes");
    return text;
}

}  // namespace

bool LvmLvLine::is_swap() const {
    std::string lower = description;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find("swap") != std::string::npos;
}

std::string lvm_image_name(const std::string& vg, const std::string& lv) { return vg + "-" + lv; }

std::string lvm_conf_file_name(const std::string& vg) { return "lvm_" + vg + ".conf"; }

std::string lvm_vg_dev_list_text(const std::vector<LvmPvLine>& pvs) {
    std::string s;
    for (const auto& pv : pvs) s += pv.vg + " /dev/" + pv.partition + " " + pv.pv_uuid + "\n";
    return s;
}

std::string lvm_logv_list_text(const std::vector<LvmLvLine>& lvs) {
    // save_logv echoes "$LOGV $file_system", and its file_system keeps the space that
    // followed file's colon: two spaces.
    std::string s;
    for (const auto& lv : lvs) s += "/dev/" + lv.vg + "/" + lv.lv + "  " + lv.description + "\n";
    return s;
}

std::vector<LvmPvLine> parse_lvm_vg_dev_list(const std::string& text) {
    std::vector<LvmPvLine> pvs;
    std::size_t number = 0;
    for (const auto& line : lines_of(text, kVgDevList)) {
        ++number;
        auto w = words_of(line);
        if (w.empty()) continue;
        if (w.size() != 3) bad_line(kVgDevList, number, "expected \"VG /dev/PARTITION PV-UUID\"");
        if (w[0] == "/NOT_FOUND")
            bad_line(kVgDevList, number, w[1] + " was saved as a PV without a volume group; its LVM was not saved");
        if (!is_lvm_name(w[0])) bad_line(kVgDevList, number, "'" + shown(w[0]) + "' is not a volume group name");
        if (w[1].rfind("/dev/", 0) != 0 || !is_valid_part_name(w[1].substr(5)))
            bad_line(kVgDevList, number, "'" + shown(w[1]) + "' is not a partition (/dev/NAME)");
        if (!is_pv_uuid(w[2])) bad_line(kVgDevList, number, "'" + shown(w[2]) + "' is not a PV UUID");
        LvmPvLine pv{w[0], w[1].substr(5), w[2]};
        for (const auto& other : pvs) {
            if (other.partition == pv.partition) bad_line(kVgDevList, number, "partition " + pv.partition + " is listed twice");
            if (other.pv_uuid == pv.pv_uuid) bad_line(kVgDevList, number, "PV " + pv.pv_uuid + " is listed twice");
        }
        pvs.push_back(std::move(pv));
    }
    return pvs;
}

std::vector<LvmLvLine> parse_lvm_logv_list(const std::string& text) {
    std::vector<LvmLvLine> lvs;
    std::size_t number = 0;
    for (const auto& line : lines_of(text, kLogvList)) {
        ++number;
        if (words_of(line).empty()) continue;
        std::size_t start = line.find_first_not_of(" \t");
        std::size_t end = line.find_first_of(" \t", start);
        std::string path = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
        std::string description;
        if (end != std::string::npos) {
            std::size_t d = line.find_first_not_of(" \t", end);
            if (d != std::string::npos) description = line.substr(d);
        }
        if (description.size() > kMaxDescription) bad_line(kLogvList, number, "the description is too long");
        // /dev/VG/LV, nothing else: the path is recomputed from the two names, never used as read.
        if (path.rfind("/dev/", 0) != 0) bad_line(kLogvList, number, "'" + shown(path) + "' is not /dev/VG/LV");
        std::string rest = path.substr(5);
        std::size_t slash = rest.find('/');
        if (slash == std::string::npos || rest.find('/', slash + 1) != std::string::npos)
            bad_line(kLogvList, number, "'" + shown(path) + "' is not /dev/VG/LV");
        LvmLvLine lv{rest.substr(0, slash), rest.substr(slash + 1), description};
        if (!is_lvm_name(lv.vg)) bad_line(kLogvList, number, "'" + shown(lv.vg) + "' is not a volume group name");
        if (!is_lvm_name(lv.lv)) bad_line(kLogvList, number, "'" + shown(lv.lv) + "' is not a logical volume name");
        for (const auto& other : lvs)
            if (other.vg == lv.vg && other.lv == lv.lv) bad_line(kLogvList, number, path + " is listed twice");
        lvs.push_back(std::move(lv));
    }
    return lvs;
}

const LvmVolumeGroup* ImageVolumeGroups::vg_named(const std::string& name) const {
    for (const auto& vg : vgs)
        if (vg.name == name) return &vg;
    return nullptr;
}

bool ImageVolumeGroups::is_pv_partition(const std::string& partition) const {
    return std::any_of(pvs.begin(), pvs.end(), [&](const LvmPvLine& pv) { return pv.partition == partition; });
}

ImageVolumeGroups read_image_volume_groups(const Repository& repo, const std::string& image_dir) {
    ImageVolumeGroups image;
    const std::string where = repo.describe() + "/" + image_dir + "/";
    EntryInfo vg_dev = repo.entry_info(image_dir + "/" + kVgDevList);
    if (vg_dev.kind == FileKind::missing) return image;
    image.pvs = parse_lvm_vg_dev_list(read_capped(repo, image_dir, kVgDevList, kListCap));
    if (image.pvs.empty()) throw Error(ExitCode::image_corrupt, where + kVgDevList + ": it lists no physical volume");
    image.lvs = parse_lvm_logv_list(read_capped(repo, image_dir, kLogvList, kListCap));

    std::set<std::string> vg_names;
    for (const auto& pv : image.pvs) vg_names.insert(pv.vg);
    for (const auto& name : vg_names) {
        const std::string file = lvm_conf_file_name(name);
        LvmVolumeGroup vg = parse_lvm_metadata(read_capped(repo, image_dir, file, kConfCap), where + file,
                                               static_cast<int>(ExitCode::image_corrupt));
        if (vg.name != name)
            throw Error(ExitCode::image_corrupt, where + file + ": it describes volume group '" + shown(vg.name) +
                                                     "', not " + name);
        image.vgs.push_back(std::move(vg));
    }
    for (const auto& pv : image.pvs)
        if (!image.vg_named(pv.vg)->pv_with_id(pv.pv_uuid))
            throw Error(ExitCode::image_corrupt, where + kVgDevList + ": PV " + pv.pv_uuid + " (/dev/" + pv.partition +
                                                     ") is not a physical volume of " + pv.vg + " in " +
                                                     lvm_conf_file_name(pv.vg));
    std::set<std::string> image_names;
    for (const auto& lv : image.lvs) {
        const LvmVolumeGroup* vg = image.vg_named(lv.vg);
        if (!vg)
            throw Error(ExitCode::image_corrupt, where + kLogvList + ": /dev/" + lv.vg + "/" + lv.lv +
                                                     " belongs to no volume group of " + kVgDevList);
        if (!vg->lv_named(lv.lv))
            throw Error(ExitCode::image_corrupt, where + kLogvList + ": " + lv.lv + " is not a logical volume of " +
                                                     lv.vg + " in " + lvm_conf_file_name(lv.vg));
        // "VG-LV" names each LV's files: two LVs with one such name would share a stream.
        if (!image_names.insert(lvm_image_name(lv.vg, lv.lv)).second)
            throw Error(ExitCode::image_corrupt, where + kLogvList + ": two logical volumes have the file name " +
                                                     lvm_image_name(lv.vg, lv.lv));
    }
    return image;
}

}  // namespace kura
