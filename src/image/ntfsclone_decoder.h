// Parses ntfsclone's "special image" (ntfsclone --save-image, format 10.0 and 10.1), which
// Clonezilla wrote for NTFS partitions before it switched to Partclone, so those old images
// can still be restored and checked. Layout: docs/image-format.md ("Streams kura reads but does not write").
//
// The format has no checksums and no up-front list of used clusters: the compressor's own
// checksum (gzip, zstd) is the only protection, and the decoder checks what it can - the
// header, every cluster index against the volume, and that as many clusters arrived as the
// header promised. Groups are handed out in 512-byte sectors so the last cluster (the one
// holding the backup boot sector, which may reach past the device's end) can be cut exactly.
#pragma once

#include "image/stream_decoder.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kura {

inline constexpr char ntfsclone_magic[16] = {'\0', 'n', 't', 'f', 's', 'c', 'l', 'o',
                                             'n',  'e', '-', 'i', 'm', 'a', 'g', 'e'};
inline constexpr std::uint32_t ntfsclone_sector = 512;

class NtfscloneDecoder : public StreamDecoder {
public:
    NtfscloneDecoder(std::string part, GroupHandler on_group, StartHandler on_start = {});

    void feed(const std::uint8_t* data, std::size_t length) override;
    void finish() override;

    bool header_ready() const override { return phase_ != Phase::header; }
    const PartcloneHeader& header() const override { return header_; }
    const Bitmap* used_map() const override { return nullptr; }
    std::uint64_t used_blocks() const override { return sectors_done_; }
    std::uint64_t trailing_bytes() const override { return 0; }

    std::uint32_t cluster_size() const { return cluster_size_; }
    std::uint64_t clusters_in_image() const { return clusters_done_; }

private:
    enum class Phase { header, skip_to_data, command, gap_count, cluster };

    void on_header();
    void on_gap(std::int64_t count);
    void take_cluster_bytes(const std::uint8_t*& p, std::size_t& n);
    void cluster_completed();
    void emit_group();
    [[noreturn]] void corrupt(const std::string& what) const;

    std::string part_;
    GroupHandler on_group_;
    StartHandler on_start_;
    Phase phase_ = Phase::header;
    std::vector<std::uint8_t> stage_;
    PartcloneHeader header_;

    int minor_ = 0;
    std::uint32_t cluster_size_ = 0;
    std::uint64_t device_size_ = 0;
    std::uint64_t nr_clusters_ = 0;
    std::uint64_t inuse_ = 0;
    std::uint64_t cluster_limit_ = 0;  // cluster indexes the image may hold: [0, limit)
    std::uint64_t skip_left_ = 0;

    std::uint64_t cursor_ = 0;         // the next cluster's index
    std::size_t cluster_have_ = 0;     // bytes of the current cluster received
    std::uint64_t clusters_done_ = 0;
    std::uint64_t sectors_done_ = 0;
    BlockGroup group_;
};

}  // namespace kura
