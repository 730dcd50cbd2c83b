// kura's own record of an image, in a file Clonezilla ignores (`kura-manifest`): which
// engine wrote it, whether it was finished, and every data file with its exact size, so a
// truncated or missing piece is caught before anything is written to a target.
#pragma once

#include "image/image_layout.h"
#include "image/split_files.h"
#include "storage/repository.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kura {

struct ManifestPart {
    std::string name;
    std::string source;        // the device or file it was saved from
    std::string fs_type;
    std::string compression;   // codec name
    std::uint64_t device_bytes = 0;
    std::uint32_t block_size = 0;
    std::uint64_t total_blocks = 0;
    std::uint64_t used_blocks = 0;
    double seconds = 0;
    std::vector<StoredFile> files;
};

// A whole disk a savedisk image was taken from: who it was (so a restore can say which
// disk it expects, and unattended commands can name it across boots) and its geometry.
struct ManifestDisk {
    std::string name;          // sda: the name used in the image's file names
    std::string source;        // the path it was read from
    std::string identity;      // wwid:..., serial:..., or the path
    std::string model, serial, wwid, transport;
    std::string table;         // dos, gpt, none
    std::uint64_t bytes = 0;
    std::uint32_t logical_sector = 512;
    std::uint32_t physical_sector = 512;
};

struct Manifest {
    std::string engine;        // "kura 0.1.0"
    std::string created;       // ISO 8601, UTC
    bool complete = false;
    bool verified = false;
    double seconds = 0;        // the whole save, verification included
    std::vector<ManifestDisk> disks;
    int resumes = 0;           // how many times an interrupted save of it was continued
    std::vector<ManifestPart> parts;

    std::string to_text() const;
    // Throws Error(image_corrupt) naming the line it cannot read.
    static Manifest parse(const std::string& text);
    const ManifestPart* find(const std::string& part) const;
    const ManifestDisk* find_disk(const std::string& name) const;
};

// A partition's `part` line and its `file` lines, as the manifest (and the resume journal,
// for the partitions an interrupted save finished) records them.
std::string manifest_part_text(const ManifestPart& part);

std::optional<Manifest> read_manifest(const Repository& repo, const std::string& image_dir);

// Checks that every file the manifest lists exists with its recorded size.
// Throws Error(image_corrupt) naming the first file that doesn't.
void check_files_against_manifest(const Repository& repo, const std::string& image_dir,
                                  const ManifestPart& part);

// Gives `files` the SHA-256 the manifest recorded for each of its pieces, so reading the
// stream checks them.
void attach_checksums(DataFiles& files, const ManifestPart& part);

}  // namespace kura
