#include "image/manifest.h"

#include "core/error.h"
#include "core/strict_number.h"
#include "image/image_layout.h"

#include <sstream>

namespace kura {

// Format, one record per line, fields separated by single spaces (no field holds one):
//   kura-manifest 1
//   engine kura 0.1.0
//   created 2026-11-25T05:40:00Z
//   complete yes|no
//   verified yes|no
//   seconds S
//   disk NAME key=value ...      (savedisk; values with spaces are %-escaped)
//   resumed N                  (only when an interrupted save was continued N times)
//   part NAME key=value ...
//   file PART NAME BYTES [SHA256]
namespace {

std::string escape(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == ' ' || c == '\n' || c == '\t') out += "%20";
        else if (c == '%') out += "%25";
        else out += c;
    }
    return out;
}

std::string unescape(const std::string& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::string code = v[i] == '%' ? v.substr(i + 1, 2) : "";
        if (code == "20" || code == "25") {
            out += code == "20" ? ' ' : '%';
            i += 2;
        } else {
            out += v[i];
        }
    }
    return out;
}

}  // namespace

std::string Manifest::to_text() const {
    std::ostringstream out;
    out << "kura-manifest 1\n";
    out << "engine " << engine << "\n";
    out << "created " << created << "\n";
    out << "complete " << (complete ? "yes" : "no") << "\n";
    out << "verified " << (verified ? "yes" : "no") << "\n";
    if (seconds > 0) out << "seconds " << seconds << "\n";
    if (resumes > 0) out << "resumed " << resumes << "\n";
    for (const auto& d : disks)
        out << "disk " << d.name << " source=" << escape(d.source) << " identity=" << escape(d.identity)
            << " model=" << escape(d.model) << " serial=" << escape(d.serial) << " wwid=" << escape(d.wwid)
            << " transport=" << d.transport << " table=" << d.table << " bytes=" << d.bytes
            << " logical_sector=" << d.logical_sector << " physical_sector=" << d.physical_sector << "\n";
    for (const auto& p : parts) out << manifest_part_text(p);
    return out.str();
}

std::string manifest_part_text(const ManifestPart& p) {
    std::ostringstream out;
    out << "part " << p.name << " source=" << p.source << " fs=" << p.fs_type << " compression=" << p.compression
        << " device_bytes=" << p.device_bytes << " block_size=" << p.block_size << " total_blocks=" << p.total_blocks
        << " used_blocks=" << p.used_blocks << " seconds=" << p.seconds << "\n";
    for (const auto& f : p.files)
        out << "file " << p.name << " " << f.name << " " << f.bytes << (f.sha256.empty() ? "" : " " + f.sha256) << "\n";
    return out.str();
}

namespace {

// Messages start "line N:"; whoever read the file puts its path in front.
[[noreturn]] void bad_field(int line, const std::string& field, const std::string& value, const std::string& why) {
    throw Error(ExitCode::image_corrupt,
                "line " + std::to_string(line) + ": field " + field + " '" + value + "' " + why);
}

std::uint64_t to_u64(const std::string& v, int line, const std::string& field,
                     std::uint64_t max = UINT64_MAX) {
    auto n = parse_decimal_u64(v);
    if (!n) bad_field(line, field, v, "is not a whole number from 0 to 18446744073709551615");
    if (*n > max) bad_field(line, field, v, "is more than " + std::to_string(max));
    return *n;
}

double to_seconds(const std::string& v, int line, const std::string& field) {
    auto n = parse_non_negative_double(v);
    if (!n) bad_field(line, field, v, "is not a non-negative number of seconds");
    return *n;
}

}  // namespace

Manifest Manifest::parse(const std::string& text) {
    Manifest m;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        std::istringstream f(line);
        std::string key;
        f >> key;
        if (key.empty() || key == "kura-manifest") continue;
        if (key == "engine") {
            std::getline(f >> std::ws, m.engine);
        } else if (key == "created") {
            f >> m.created;
        } else if (key == "complete") {
            std::string v;
            f >> v;
            m.complete = v == "yes";
        } else if (key == "verified") {
            std::string v;
            f >> v;
            m.verified = v == "yes";
        } else if (key == "seconds") {
            std::string v;
            f >> v;
            m.seconds = to_seconds(v, number, "seconds");
        } else if (key == "disk") {
            ManifestDisk d;
            f >> d.name;
            std::string kv;
            while (f >> kv) {
                auto eq = kv.find('=');
                if (eq == std::string::npos) continue;
                std::string k = kv.substr(0, eq), v = unescape(kv.substr(eq + 1));
                if (k == "source") d.source = v;
                else if (k == "identity") d.identity = v;
                else if (k == "model") d.model = v;
                else if (k == "serial") d.serial = v;
                else if (k == "wwid") d.wwid = v;
                else if (k == "transport") d.transport = v;
                else if (k == "table") d.table = v;
                else if (k == "bytes") d.bytes = to_u64(v, number, k);
                else if (k == "logical_sector" || k == "physical_sector") {
                    auto n = to_u64(v, number, k, 65536);
                    if (n < 512 || (n & (n - 1)) != 0) bad_field(number, k, v, "is not a power of two from 512");
                    (k == "logical_sector" ? d.logical_sector : d.physical_sector) = static_cast<std::uint32_t>(n);
                }
            }
            m.disks.push_back(std::move(d));
        } else if (key == "resumed") {
            std::string v;
            f >> v;
            m.resumes = static_cast<int>(to_u64(v, number, "resumed", INT32_MAX));
        } else if (key == "part") {
            ManifestPart p;
            f >> p.name;
            std::string kv;
            while (f >> kv) {
                auto eq = kv.find('=');
                if (eq == std::string::npos) continue;
                std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
                if (k == "source") p.source = v;
                else if (k == "fs") p.fs_type = v;
                else if (k == "compression") p.compression = v;
                else if (k == "device_bytes") p.device_bytes = to_u64(v, number, k);
                else if (k == "block_size") p.block_size = static_cast<std::uint32_t>(to_u64(v, number, k, UINT32_MAX));
                else if (k == "total_blocks") p.total_blocks = to_u64(v, number, k);
                else if (k == "used_blocks") p.used_blocks = to_u64(v, number, k);
                else if (k == "seconds") p.seconds = to_seconds(v, number, k);
            }
            m.parts.push_back(std::move(p));
        } else if (key == "file") {
            std::string part, name, bytes, sha256;
            f >> part >> name >> bytes >> sha256;
            ManifestPart* p = nullptr;
            for (auto& candidate : m.parts)
                if (candidate.name == part) p = &candidate;
            if (!p || name.empty())
                throw Error(ExitCode::image_corrupt,
                            "line " + std::to_string(number) + ": a file of an unknown partition '" + part + "'");
            p->files.push_back({name, to_u64(bytes, number, "bytes"), sha256});
        }
        // Unknown keys are skipped: newer kura versions may add records.
    }
    return m;
}

const ManifestDisk* Manifest::find_disk(const std::string& name) const {
    for (const auto& d : disks)
        if (d.name == name) return &d;
    return nullptr;
}

const ManifestPart* Manifest::find(const std::string& part) const {
    for (const auto& p : parts)
        if (p.name == part) return &p;
    return nullptr;
}

std::optional<Manifest> read_manifest(const Repository& repo, const std::string& image_dir) {
    std::string path = image_dir + "/" + kManifestFile;
    if (!repo.exists(path)) return std::nullopt;
    try {
        return Manifest::parse(read_text_file(repo, path));
    } catch (const Error& e) {
        if (e.code() != ExitCode::image_corrupt) throw;
        throw Error(e.code(), image_dir + "/" + kManifestFile + ": " + e.what());
    }
}

void check_files_against_manifest(const Repository& repo, const std::string& image_dir,
                                  const ManifestPart& part) {
    for (const auto& f : part.files) {
        std::string path = image_dir + "/" + f.name;
        if (!repo.exists(path))
            throw Error(ExitCode::image_corrupt,
                        part.name + ": data file " + f.name + " is missing from the image");
        std::uint64_t size = repo.file_size(path);
        if (size != f.bytes)
            throw Error(ExitCode::image_corrupt, part.name + ": data file " + f.name + " has " +
                                                     std::to_string(size) + " bytes, but " +
                                                     std::to_string(f.bytes) +
                                                     " were written (truncated or damaged copy)");
    }
}

void attach_checksums(DataFiles& files, const ManifestPart& part) {
    files.sha256.assign(files.names.size(), std::string());
    for (std::size_t i = 0; i < files.names.size(); ++i)
        for (const auto& f : part.files)
            if (f.name == files.names[i]) files.sha256[i] = f.sha256;
}

}  // namespace kura
