#include "ops/save_journal.h"

#include "core/error.h"
#include "core/sha256.h"
#include "core/strict_number.h"

#include <cstdio>
#include <map>
#include <sstream>

namespace kura {
namespace {

// Format version 1, one record per line, fields separated by single spaces:
//   kura-resume 1
//   sequence N
//   image NAME
//   engine kura 0.1.0
//   created 2026-11-25T05:40:00Z
//   codec zstd | level N | split BYTES | resumes N
//   source NAME PATH                      (every partition of the save, in order)
//   part ... / file ...                   (finished partitions, as in kura-manifest)
//   current NAME                          (the partition in progress, if any)
//   fingerprint key=value ...             (its source, see source_fingerprint.h)
//   position key=value ...                (the checkpoint: encoder, reader, stream)
//   piece NAME BYTES SHA256               (its finished data pieces)
//   current_piece BYTES SHA256            (the piece being written: its durable prefix)
//   sha256 HEX                            (of every byte above this line)
// Paths are percent-encoded (space, %, control characters), so one line stays one record.
constexpr const char* kMagic = "kura-resume";
constexpr int kVersion = 1;

std::string encode_path(const std::string& s) {
    std::string out;
    for (unsigned char c : s) {
        if (c <= 0x20 || c == '%' || c == 0x7f) {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

class Reader {
public:
    explicit Reader(std::string what) : what_(std::move(what)) {}

    [[noreturn]] void fail(const std::string& why) const {
        throw Error(ExitCode::image_corrupt, what_ + ": damaged resume journal (" +
                                                 (line_ > 0 ? "line " + std::to_string(line_) + ": " : "") + why + ")");
    }
    void at_line(int n) { line_ = n; }

    std::uint64_t number(const std::string& v, const std::string& field,
                         std::uint64_t max = UINT64_MAX) const {
        auto n = parse_decimal_u64(v);
        if (!n) fail("field " + field + " '" + v + "' is not a whole number from 0 to 18446744073709551615");
        if (*n > max) fail("field " + field + " '" + v + "' is more than " + std::to_string(max));
        return *n;
    }
    std::string digest(const std::string& v, const std::string& field) const {
        if (v.size() != 64 || v.find_first_not_of("0123456789abcdef") != std::string::npos)
            fail(field + " is not a SHA-256");
        return v;
    }
    std::string path(const std::string& s) const {
        std::string out;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] != '%') {
                out += s[i];
                continue;
            }
            if (i + 2 >= s.size()) fail("bad escape in a path");
            out += static_cast<char>(number_hex(s.substr(i + 1, 2)));
            i += 2;
        }
        return out;
    }
    // key=value fields after the record's key.
    std::map<std::string, std::string> fields(std::istringstream& in, std::initializer_list<const char*> required) const {
        std::map<std::string, std::string> out;
        std::string kv;
        while (in >> kv) {
            auto eq = kv.find('=');
            if (eq == std::string::npos) fail("'" + kv + "' is not key=value");
            out[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
        for (const char* k : required)
            if (!out.count(k)) fail(std::string("no ") + k);
        return out;
    }

private:
    unsigned number_hex(const std::string& h) const {
        if (h.size() != 2 || h.find_first_not_of("0123456789ABCDEFabcdef") != std::string::npos)
            fail("bad escape in a path");
        return static_cast<unsigned>(*parse_hex_u64(h));
    }
    std::string what_;
    int line_ = 0;
};

std::string sha256_of(const std::string& text) {
    Sha256 h;
    h.update(text.data(), text.size());
    return h.hex_digest();
}

// The journal's text without its closing checksum line, once that line vouches for it;
// a copy cut short has none.
std::string checked_body(const std::string& text, Reader& r) {
    if (text.empty() || text.back() != '\n') r.fail("it ends in the middle of a line");
    auto last = text.rfind('\n', text.size() - 2);
    std::string body = last == std::string::npos ? "" : text.substr(0, last + 1);
    std::string trailer = text.substr(body.size());
    if (trailer.rfind("sha256 ", 0) != 0) r.fail("its closing checksum is missing");
    if (trailer.substr(7, trailer.size() - 8) != sha256_of(body)) r.fail("its checksum does not match its contents");
    return body;
}

// "fingerprint device_bytes=... head_sha256=...": what the source looked like.
SourceFingerprint read_fingerprint(std::istringstream& f, Reader& r) {
    auto v = r.fields(f, {"device_bytes", "fs_type", "fs_uuid", "raw", "header", "bitmap_sha256", "head_sha256"});
    SourceFingerprint fp;
    fp.device_bytes = r.number(v["device_bytes"], "device_bytes");
    fp.fs_type = v["fs_type"];
    fp.fs_uuid = v["fs_uuid"];
    fp.raw = r.number(v["raw"], "raw") != 0;
    fp.header_hex = v["header"];
    fp.bitmap_sha256 = v["bitmap_sha256"];
    fp.head_sha256 = r.digest(v["head_sha256"], "head_sha256");
    if (!fp.raw) {
        r.digest(fp.bitmap_sha256, "bitmap_sha256");
        if (fp.header_hex.size() != 220 || fp.header_hex.find_first_not_of("0123456789abcdef") != std::string::npos)
            r.fail("the Partclone header is not 110 bytes in hex");
    }
    return fp;
}

// "position blocks_written=... stream_bytes=...": where the checkpoint left the stream.
void read_position(std::istringstream& f, Reader& r, PartitionCheckpoint& cp) {
    auto v = r.fields(f, {"blocks_written", "in_group", "crc_state", "next_block", "raw_bytes", "stream_bytes"});
    cp.encoder.blocks_written = r.number(v["blocks_written"], "blocks_written");
    cp.encoder.in_group = r.number(v["in_group"], "in_group");
    std::uint64_t crc = r.number(v["crc_state"], "crc_state", 0xFFFFFFFFull);
    cp.encoder.crc_state = static_cast<std::uint32_t>(crc);
    cp.next_block = r.number(v["next_block"], "next_block");
    cp.raw_bytes = r.number(v["raw_bytes"], "raw_bytes");
    cp.stream_bytes = r.number(v["stream_bytes"], "stream_bytes");
}

}  // namespace

std::string SaveJournal::to_text() const {
    std::ostringstream out;
    out << kMagic << " " << kVersion << "\n";
    out << "sequence " << sequence << "\n";
    out << "image " << image << "\n";
    out << "engine " << engine << "\n";
    out << "created " << created << "\n";
    out << "codec " << codec << "\n";
    out << "level " << level << "\n";
    out << "split " << split_bytes << "\n";
    out << "resumes " << resumes << "\n";
    for (const auto& s : sources) out << "source " << s.name << " " << encode_path(s.path) << "\n";
    for (const auto& p : completed) out << manifest_part_text(p);
    if (current) {
        const SourceFingerprint& f = current->source;
        const PartitionCheckpoint& c = current->checkpoint;
        out << "current " << current->name << "\n";
        out << "fingerprint device_bytes=" << f.device_bytes << " fs_type=" << f.fs_type << " fs_uuid=" << f.fs_uuid
            << " raw=" << (f.raw ? 1 : 0) << " header=" << f.header_hex << " bitmap_sha256=" << f.bitmap_sha256
            << " head_sha256=" << f.head_sha256 << "\n";
        out << "position blocks_written=" << c.encoder.blocks_written << " in_group=" << c.encoder.in_group
            << " crc_state=" << c.encoder.crc_state << " next_block=" << c.next_block << " raw_bytes=" << c.raw_bytes
            << " stream_bytes=" << c.stream_bytes << "\n";
        for (const auto& piece : c.output.finished)
            out << "piece " << piece.name << " " << piece.bytes << " " << piece.sha256 << "\n";
        out << "current_piece " << c.output.current_bytes << " " << c.output.current_sha256 << "\n";
    }
    std::string body = out.str();
    return body + "sha256 " + sha256_of(body) + "\n";
}

SaveJournal SaveJournal::parse(const std::string& text, const std::string& what) {
    Reader r(what);
    const std::string body = checked_body(text, r);

    SaveJournal j;
    std::istringstream in(body);
    std::string line, manifest_lines;
    bool header_seen = false, fingerprint_seen = false, position_seen = false, current_piece_seen = false;
    int number = 0;
    while (std::getline(in, line)) {
        r.at_line(++number);
        std::istringstream f(line);
        std::string key;
        f >> key;
        if (number == 1) {
            int version = 0;
            f >> version;
            if (key != kMagic) r.fail("not a kura resume journal");
            if (version != kVersion)
                r.fail("format " + std::to_string(version) + ", this kura reads format " + std::to_string(kVersion));
            header_seen = true;
            manifest_lines += "\n";
            continue;
        }
        std::string a, b, c;
        if (key == "sequence") {
            f >> a;
            j.sequence = r.number(a, key);
        } else if (key == "image") {
            f >> j.image;
        } else if (key == "engine") {
            std::getline(f >> std::ws, j.engine);
        } else if (key == "created") {
            f >> j.created;
        } else if (key == "codec") {
            f >> j.codec;
        } else if (key == "level") {
            f >> a;
            j.level = static_cast<int>(r.number(a, key, 99));
        } else if (key == "split") {
            f >> a;
            j.split_bytes = r.number(a, key);
        } else if (key == "resumes") {
            f >> a;
            j.resumes = static_cast<int>(r.number(a, key, INT32_MAX));
        } else if (key == "source") {
            f >> a >> b;
            if (a.empty() || b.empty()) r.fail("a source needs a name and a path");
            j.sources.push_back({a, r.path(b)});
        } else if (key == "part" || key == "file") {
            manifest_lines += line + "\n";
            continue;
        } else if (key == "current") {
            f >> a;
            if (a.empty()) r.fail("no partition name");
            j.current.emplace();
            j.current->name = a;
        } else if (key == "fingerprint" || key == "position" || key == "piece" || key == "current_piece") {
            if (!j.current) r.fail(key + " before current");
            SourceFingerprint& fp = j.current->source;
            PartitionCheckpoint& cp = j.current->checkpoint;
            if (key == "fingerprint") {
                fp = read_fingerprint(f, r);
                fingerprint_seen = true;
            } else if (key == "position") {
                read_position(f, r, cp);
                position_seen = true;
            } else if (key == "piece") {
                f >> a >> b >> c;
                if (a.empty()) r.fail("a piece needs a name");
                cp.output.finished.push_back({a, r.number(b, "piece size"), r.digest(c, "piece SHA-256")});
            } else {
                f >> a >> b;
                cp.output.current_bytes = r.number(a, "current piece size");
                cp.output.current_sha256 = r.digest(b, "current piece SHA-256");
                current_piece_seen = true;
            }
        } else if (!key.empty()) {
            r.fail("unknown record '" + key + "'");
        }
        // An empty line in its place keeps the finished partitions' line numbers the
        // journal's own when Manifest::parse names one.
        manifest_lines += "\n";
    }
    r.at_line(0);
    if (!header_seen) r.fail("not a kura resume journal");
    if (j.image.empty() || j.codec.empty() || j.sources.empty()) r.fail("image, codec or sources missing");
    if (j.current && !(fingerprint_seen && position_seen && current_piece_seen))
        r.fail("the partition in progress has no complete checkpoint");
    try {
        j.completed = Manifest::parse(manifest_lines).parts;
    } catch (const Error& e) {
        r.fail(std::string("finished partitions: ") + e.what());
    }
    return j;
}

void write_save_journal(Repository& repo, const std::string& dir, SaveJournal& journal) {
    ++journal.sequence;
    std::string path = dir + "/" + kJournalFiles[journal.sequence % 2];
    // The other copy stays whole while this one is replaced.
    if (repo.exists(path)) repo.remove_tree(path);
    write_text_file(repo, path, journal.to_text());  // closing makes it durable
    repo.sync_directory(dir);
}

std::optional<SaveJournal> read_save_journal(const Repository& repo, const std::string& dir) {
    std::optional<SaveJournal> newest;
    std::string first_problem;
    bool any = false;
    for (const char* name : kJournalFiles) {
        std::string path = dir + "/" + name;
        if (!repo.exists(path)) continue;
        any = true;
        try {
            SaveJournal j = SaveJournal::parse(read_text_file(repo, path), repo.describe() + "/" + path);
            if (!newest || j.sequence > newest->sequence) newest = std::move(j);
        } catch (const Error& e) {
            if (first_problem.empty()) first_problem = e.what();
        }
    }
    if (any && !newest) throw Error(ExitCode::image_corrupt, first_problem);
    return newest;
}

void remove_save_journal(Repository& repo, const std::string& dir) {
    for (const char* name : kJournalFiles)
        if (repo.exists(dir + "/" + name)) repo.remove_tree(dir + "/" + name);
}

}  // namespace kura
