#include "image/ntfsclone_decoder.h"

#include "core/error.h"

#include <algorithm>
#include <cstring>

namespace kura {
namespace {

// Header of format 10.x: magic, major, minor, cluster size, device size, clusters, in use,
// offset of the first record - 50 bytes, padded by ntfsclone to the offset it records.
constexpr std::size_t kHeaderSize = 50;
constexpr std::uint8_t kGapCommand = 0;
constexpr std::uint8_t kClusterCommand = 1;
// Enough to hand the writer large writes without holding much memory.
constexpr std::size_t kGroupBytes = 4u << 20;
// No ntfsclone writes more than a little padding; anything larger is a damaged header.
constexpr std::uint32_t kMaxHeaderPadding = 64 * 1024;

template <typename T>
T little_endian(const std::uint8_t* p) {
    T v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<T>(static_cast<T>(p[i]) << (8 * i));
    return v;
}

}  // namespace

NtfscloneDecoder::NtfscloneDecoder(std::string part, GroupHandler on_group, StartHandler on_start)
    : part_(std::move(part)), on_group_(std::move(on_group)), on_start_(std::move(on_start)) {}

void NtfscloneDecoder::corrupt(const std::string& what) const {
    throw Error(ExitCode::image_corrupt, part_ + ": ntfsclone image: " + what);
}

void NtfscloneDecoder::feed(const std::uint8_t* p, std::size_t n) {
    while (n > 0) {
        switch (phase_) {
            case Phase::header: {
                std::size_t take = std::min(n, kHeaderSize - stage_.size());
                stage_.insert(stage_.end(), p, p + take);
                p += take;
                n -= take;
                if (stage_.size() == kHeaderSize) on_header();
                break;
            }
            case Phase::skip_to_data: {
                std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(n, skip_left_));
                p += take;
                n -= take;
                skip_left_ -= take;
                if (skip_left_ == 0) phase_ = Phase::command;
                break;
            }
            case Phase::command: {
                std::uint8_t command = *p++;
                --n;
                if (command == kGapCommand) {
                    phase_ = Phase::gap_count;
                } else if (command == kClusterCommand) {
                    if (cursor_ >= cluster_limit_)
                        corrupt("a cluster record at cluster " + std::to_string(cursor_) +
                                " lies beyond the volume's " + std::to_string(nr_clusters_) + " clusters");
                    phase_ = Phase::cluster;
                    cluster_have_ = 0;
                } else {
                    corrupt("unknown record type " + std::to_string(command) + " after cluster " +
                            std::to_string(cursor_) + " (the image is damaged)");
                }
                break;
            }
            case Phase::gap_count: {
                std::size_t take = std::min(n, 8 - stage_.size());
                stage_.insert(stage_.end(), p, p + take);
                p += take;
                n -= take;
                if (stage_.size() == 8) {
                    on_gap(little_endian<std::int64_t>(stage_.data()));
                    stage_.clear();
                    phase_ = Phase::command;
                }
                break;
            }
            case Phase::cluster:
                take_cluster_bytes(p, n);
                break;
        }
    }
}

void NtfscloneDecoder::on_header() {
    const std::uint8_t* h = stage_.data();
    if (std::memcmp(h, ntfsclone_magic, sizeof ntfsclone_magic) != 0) corrupt("bad magic");
    int major = h[16];
    minor_ = h[17];
    if (major != 10)
        corrupt("format " + std::to_string(major) + "." + std::to_string(minor_) +
                " is not supported (kura reads ntfsclone's formats 10.0 and 10.1)");
    if (minor_ > 1)
        corrupt("format 10." + std::to_string(minor_) + " is newer than kura reads (10.0 and 10.1)");
    cluster_size_ = little_endian<std::uint32_t>(h + 18);
    auto device_size = little_endian<std::int64_t>(h + 22);
    auto nr_clusters = little_endian<std::int64_t>(h + 30);
    auto inuse = little_endian<std::int64_t>(h + 38);
    auto data_offset = little_endian<std::uint32_t>(h + 46);

    if (cluster_size_ < ntfsclone_sector || cluster_size_ > (2u << 20) || (cluster_size_ & (cluster_size_ - 1)))
        corrupt("the cluster size " + std::to_string(cluster_size_) + " is not a power of two from 512 to 2 MiB");
    if (device_size <= 0 || device_size % ntfsclone_sector != 0)
        corrupt("the device size " + std::to_string(device_size) + " is not a positive multiple of 512");
    device_size_ = static_cast<std::uint64_t>(device_size);
    if (nr_clusters <= 0 || static_cast<std::uint64_t>(nr_clusters) > device_size_ / cluster_size_)
        corrupt("the volume's " + std::to_string(nr_clusters) + " clusters do not fit its device size of " +
                std::to_string(device_size_) + " bytes");
    nr_clusters_ = static_cast<std::uint64_t>(nr_clusters);
    if (inuse < 0 || static_cast<std::uint64_t>(inuse) > nr_clusters_)
        corrupt("it claims " + std::to_string(inuse) + " clusters in use of " + std::to_string(nr_clusters_));
    inuse_ = static_cast<std::uint64_t>(inuse);
    if (data_offset < kHeaderSize || data_offset > kHeaderSize + kMaxHeaderPadding)
        corrupt("the offset of the first record, " + std::to_string(data_offset) + ", is not plausible");
    // Format 10.1 appends the cluster that holds the backup boot sector, which lies just
    // past the last whole cluster of the volume.
    cluster_limit_ = nr_clusters_ + (minor_ >= 1 ? 1 : 0);

    header_ = PartcloneHeader{};
    header_.format = 0;  // not a Partclone stream; see stream_decoder.h
    header_.writer_version = "ntfsclone 10." + std::to_string(minor_);
    header_.fs_tag = "NTFS";
    header_.device_size = device_size_;
    header_.block_size = ntfsclone_sector;
    header_.total_blocks = device_size_ / ntfsclone_sector;
    std::uint64_t clusters_expected = inuse_ + (minor_ >= 1 ? 1 : 0);
    header_.used_blocks = std::min(clusters_expected * (cluster_size_ / ntfsclone_sector), header_.total_blocks);
    header_.checksum_mode = partclone_checksum_none;
    header_.checksum_size = 0;
    header_.blocks_per_checksum = 0;

    stage_.clear();
    skip_left_ = data_offset - kHeaderSize;
    phase_ = skip_left_ > 0 ? Phase::skip_to_data : Phase::command;
    group_.data.reserve(kGroupBytes + cluster_size_);
    if (on_start_) on_start_(*this);
}

void NtfscloneDecoder::on_gap(std::int64_t count) {
    if (count < 0 || static_cast<std::uint64_t>(count) > cluster_limit_ - cursor_)
        corrupt("a gap of " + std::to_string(count) + " clusters after cluster " + std::to_string(cursor_) +
                " runs past the end of the volume");
    cursor_ += static_cast<std::uint64_t>(count);
}

void NtfscloneDecoder::take_cluster_bytes(const std::uint8_t*& p, std::size_t& n) {
    std::size_t take = std::min<std::size_t>(n, cluster_size_ - cluster_have_);
    group_.data.insert(group_.data.end(), p, p + take);
    p += take;
    n -= take;
    cluster_have_ += take;
    if (cluster_have_ == cluster_size_) cluster_completed();
}

void NtfscloneDecoder::cluster_completed() {
    const std::uint64_t spc = cluster_size_ / ntfsclone_sector;
    const std::uint64_t first = cursor_ * spc;
    // Only the last cluster can reach past the device: keep the sectors that fit.
    std::uint64_t count = std::min(spc, header_.total_blocks - first);
    group_.data.resize(group_.data.size() - (spc - count) * ntfsclone_sector);
    if (count == 0) {
        // A 10.1 backup-boot cluster wholly past the device (its header claims a device size
        // that ends on a cluster boundary): nothing of it can be written.
    } else if (!group_.runs.empty() && group_.runs.back().first_block + group_.runs.back().count == first) {
        group_.runs.back().count += count;
    } else {
        group_.runs.push_back({first, count});
    }
    sectors_done_ += count;
    ++clusters_done_;
    ++cursor_;
    phase_ = Phase::command;
    if (group_.data.size() >= kGroupBytes) emit_group();
}

void NtfscloneDecoder::emit_group() {
    if (group_.runs.empty()) return;
    group_.verified = false;  // the format carries no checksums of its own
    BlockGroup out;
    out.data.reserve(kGroupBytes + cluster_size_);
    std::swap(out, group_);
    on_group_(std::move(out));
}

void NtfscloneDecoder::finish() {
    if (phase_ == Phase::header || phase_ == Phase::skip_to_data) corrupt("the image ends inside its header");
    if (phase_ == Phase::gap_count) corrupt("the image ends inside a gap record");
    if (phase_ == Phase::cluster)
        corrupt("the image ends in the middle of cluster " + std::to_string(cursor_) + " (it was cut short)");
    if (clusters_done_ < inuse_)
        corrupt("the image ends after " + std::to_string(clusters_done_) + " of the " + std::to_string(inuse_) +
                " clusters its header promises (it was cut short)");
    emit_group();
}

}  // namespace kura
