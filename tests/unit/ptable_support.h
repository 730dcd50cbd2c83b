// Shared by the partition-table tests: a temporary directory that removes itself, running
// the real tools (sfdisk, sgdisk, parted, losetup, mkfs) on image files made there, and
// the two sample layouts the tests compare against those tools. Nothing here touches a
// device the test did not create.
#pragma once

#include "device/partition_name.h"
#include "ptable/partition_table.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace kura::test {

struct RunResult {
    int status = -1;
    std::string out;  // stdout (and stderr when the command merges it)
};

// Runs a shell command with LC_ALL=C (as Clonezilla runs the tools) and captures stdout.
inline RunResult run(const std::string& command) {
    RunResult r;
    std::string full = "LC_ALL=C " + command;
    FILE* f = ::popen(full.c_str(), "r");
    if (!f) return r;
    std::array<char, 4096> buf{};
    std::size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) r.out.append(buf.data(), n);
    int st = ::pclose(f);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

inline std::string must(const std::string& command) {
    RunResult r = run(command);
    if (r.status != 0) throw std::runtime_error("command failed (" + std::to_string(r.status) + "): " + command + "\n" + r.out);
    return r.out;
}

inline std::string sh(const std::string& s) { return "'" + s + "'"; }

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/var/tmp/kura-ptable-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return path_ + "/" + name; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// A sparse image file of `bytes` bytes (replacing what was there).
inline std::string make_image(const TempDir& dir, const std::string& name, std::uint64_t bytes) {
    std::string p = dir.file(name);
    std::filesystem::remove(p);
    { std::ofstream create(p); }
    std::filesystem::resize_file(p, bytes);
    return p;
}

inline void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

// Raw bytes of an image file, for damaging it on purpose.
inline std::vector<std::uint8_t> read_bytes(const std::string& path, std::uint64_t offset, std::size_t length) {
    std::ifstream in(path, std::ios::binary);
    in.seekg(std::streamoff(offset));
    std::vector<std::uint8_t> b(length);
    in.read(reinterpret_cast<char*>(b.data()), std::streamsize(length));
    return b;
}

inline void write_bytes(const std::string& path, std::uint64_t offset, const std::vector<std::uint8_t>& bytes) {
    std::fstream out(path, std::ios::binary | std::ios::in | std::ios::out);
    out.seekp(std::streamoff(offset));
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

inline std::uint32_t get_le32(const std::vector<std::uint8_t>& b, std::size_t at) {
    return std::uint32_t(b[at]) | std::uint32_t(b[at + 1]) << 8 | std::uint32_t(b[at + 2]) << 16 |
           std::uint32_t(b[at + 3]) << 24;
}

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A loop device attached for one test and detached however the test ends.
class LoopDevice {
public:
    explicit LoopDevice(const std::string& file, const std::string& options = "") {
        RunResult r = run("losetup -f --show " + options + " " + sh(file) + " 2>&1");
        if (r.status == 0 && r.out.rfind("/dev/loop", 0) == 0) path_ = r.out.substr(0, r.out.find('\n'));
        else error_ = r.out;
    }
    ~LoopDevice() {
        if (!path_.empty()) run("losetup -d " + sh(path_) + " 2>&1");
    }
    const std::string& path() const { return path_; }
    const std::string& error() const { return error_; }

private:
    std::string path_, error_;
};

// Applies an sfdisk script to an image file.
inline void sfdisk_script(const TempDir& dir, const std::string& image, const std::string& script) {
    std::string sf = dir.file("script.sf");
    write_text(sf, script);
    must("sfdisk -q --no-reread --no-tell-kernel " + sh(image) + " < " + sh(sf) + " 2>&1");
}

// `sfdisk -d` of an image file with its names as they would be for /dev/<disk_name>: sfdisk
// prints "device: <file>" and "<file>N" (or "<file>pN" when the file name ends in a digit).
inline std::string sfdisk_dump_as(const std::string& image, const std::string& disk_name) {
    std::string out = must("sfdisk -d " + sh(image));
    std::istringstream in(out);
    std::string line, result;
    const bool digit_end = std::isdigit(static_cast<unsigned char>(image.back()));
    while (std::getline(in, line)) {
        if (line == "device: " + image) {
            line = "device: /dev/" + disk_name;
        } else if (line.rfind(image, 0) == 0) {
            std::size_t colon = line.find(" :");
            std::string num = line.substr(image.size() + (digit_end ? 1 : 0), colon - image.size() - (digit_end ? 1 : 0));
            line = "/dev/" + partition_name(disk_name, std::stoi(num)) + line.substr(colon);
        }
        result += line + "\n";
    }
    return result;
}

inline std::vector<std::string> split_fields(const std::string& line) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (true) {
        std::size_t comma = line.find(", ", at);
        out.push_back(line.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
        if (comma == std::string::npos) return out;
        at = comma + 2;
    }
}

// Compares two dumps line by line and field by field, so a failure names the field.
inline void expect_same_dump(const std::string& expected, const std::string& actual) {
    std::istringstream a(expected), b(actual);
    std::string la, lb;
    int line = 0;
    while (true) {
        bool ga = bool(std::getline(a, la)), gb = bool(std::getline(b, lb));
        ++line;
        if (!ga && !gb) break;
        ASSERT_TRUE(ga && gb) << "line " << line << ": one text is longer\nexpected:\n" << expected << "actual:\n" << actual;
        std::vector<std::string> fa = split_fields(la), fb = split_fields(lb);
        for (std::size_t i = 0; i < std::max(fa.size(), fb.size()); ++i)
            EXPECT_EQ(i < fa.size() ? fa[i] : "(missing)", i < fb.size() ? fb[i] : "(missing)")
                << "line " << line << ", field " << i + 1;
    }
}

// The MBR sample: p1 ext4 bootable, p2 FAT32 (type c), p3 swap, p4 extended with three
// logicals (an unformatted 83, another 83, and a last one to the extended's end).
inline const char* mbr_script =
    "label: dos\n"
    "label-id: 0x1234abcd\n"
    "unit: sectors\n\n"
    "start=2048, size=65536, type=83, bootable\n"
    "start=67584, size=133120, type=c\n"
    "start=200704, size=32768, type=82\n"
    "start=233472, type=5\n"
    "start=235520, size=40960, type=83\n"
    "start=278528, size=40960, type=83\n"
    "start=321536, type=83\n";

// The GPT sample: ESP, Linux root with attributes, Microsoft basic data, swap, a custom
// disk GUID and partition GUIDs, names including quoting sfdisk escapes.
inline const char* gpt_script =
    "label: gpt\n"
    "label-id: 01234567-89AB-CDEF-0123-456789ABCDEF\n"
    "unit: sectors\n\n"
    "start=2048, size=65536, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, "
    "uuid=11111111-2222-3333-4444-555555555555, name=\"EFI System\"\n"
    "start=67584, size=133120, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, "
    "uuid=22222222-3333-4444-5555-666666666666, name=\"root fs\", attrs=\"RequiredPartition LegacyBIOSBootable GUID:60,63\"\n"
    "start=200704, size=65536, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, "
    "uuid=33333333-4444-5555-6666-777777777777, name=\"data \\x22quoted\\x22\"\n"
    "start=266240, size=32768, type=0657FD6D-A4AB-43C4-84E5-0933C84B4F4F, uuid=44444444-5555-6666-7777-888888888888\n";

// Layouts from older tools: DOS cylinder alignment (63 sectors, EBRs 63 sectors before
// their logicals, odd sizes) and a GPT starting at sector 34 with a BIOS boot partition.
inline const char* legacy_mbr_script =
    "label: dos\n\n"
    "start=63, size=16002, type=83, bootable\n"
    "start=16065, size=48195, type=f\n"
    "start=16128, size=8001, type=83\n"
    "start=24192, size=8001, type=82\n"
    "start=32256, size=15939, type=7\n";
inline const char* legacy_gpt_script =
    "label: gpt\nfirst-lba: 34\n\n"
    "start=34, size=2014, type=21686148-6449-6E6F-744E-656564454649\n"
    "start=2048, size=100001, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n"
    "start=102049, size=7, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n";

constexpr std::uint64_t sample_disk_bytes = 256ull << 20;

// Field-by-field equality of two tables; disk_sectors only when `with_disk_size`
// (an sfdisk dump does not record the disk size).
inline void expect_same_table(const PartitionTable& a, const PartitionTable& b, bool with_disk_size = true) {
    EXPECT_EQ(table_kind_name(a.kind), table_kind_name(b.kind));
    EXPECT_EQ(a.sector_size, b.sector_size);
    if (with_disk_size) {
        EXPECT_EQ(a.disk_sectors, b.disk_sectors);
    }
    EXPECT_EQ(a.label_id, b.label_id);
    EXPECT_EQ(a.first_lba, b.first_lba);
    EXPECT_EQ(a.last_lba, b.last_lba);
    EXPECT_EQ(a.gpt_entries, b.gpt_entries);
    ASSERT_EQ(a.partitions.size(), b.partitions.size());
    for (std::size_t i = 0; i < a.partitions.size(); ++i) {
        const PartitionEntry &x = a.partitions[i], &y = b.partitions[i];
        SCOPED_TRACE("partition " + std::to_string(x.number));
        EXPECT_EQ(x.number, y.number);
        EXPECT_EQ(x.start, y.start);
        EXPECT_EQ(x.size, y.size);
        EXPECT_EQ(x.type, y.type);
        EXPECT_EQ(x.uuid, y.uuid);
        EXPECT_EQ(x.name, y.name);
        EXPECT_EQ(x.attrs, y.attrs);
        EXPECT_EQ(x.bootable, y.bootable);
    }
}

}  // namespace kura::test
