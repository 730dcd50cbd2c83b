#include "pipeline/partition_save.h"

#include "core/cancel.h"
#include "core/error.h"
#include "core/log.h"
#include "core/stage_thread.h"
#include "device/device.h"
#include "fs/inconsistent_filesystem.h"
#include "image/image_layout.h"
#include "image/partclone_encoder.h"
#include "image/raw_stream_decoder.h"
#include "image/split_files.h"
#include "pipeline/stream_output.h"
#include "pipeline/used_block_reader.h"

#include <chrono>

namespace kura {
namespace {

std::string join(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
    return s;
}

// The header's writer-version field has 14 bytes; Partclone shows it, nothing checks it.
std::string writer_version() { return std::string("kura-") + KURA_VERSION; }

}  // namespace

PartitionSource inspect_partition(const std::string& path, const std::string& name, const FsReadOptions& options) {
    PartitionSource s;
    s.path = path;
    s.name = name;
    Device device = Device::open(path, Access::read_only, Role::source);
    s.device_bytes = device.size();
    s.probe = probe_filesystem(path);
    if (s.probe.type.empty()) {
        if (std::string why = diagnose_unrecognised_filesystem(device); !why.empty())
            throw Error(ExitCode::source_unsupported, path + ": " + why);
    }
    if (s.probe.type.empty())
        throw Error(ExitCode::source_unsupported,
                    path + ": no filesystem kura can image was found on it (kura images " +
                        join(supported_filesystem_types()) + ")");
    const FilesystemReader* reader = filesystem_reader_for(s.probe.type);
    if (!reader)
        throw Error(ExitCode::source_unsupported, path + ": it holds " + s.probe.type +
                                                      ", which kura does not image yet (it images " +
                                                      join(supported_filesystem_types()) + ")");
    try {
        s.map = reader->read_used_blocks(path, options);
    } catch (const InconsistentFilesystem& e) {
        if (!options.force) throw;
        // Its used set cannot be trusted, but every byte of it can be copied: a dd stream
        // restores whatever the metadata says, and e2fsck/chkdsk can repair the copy later.
        PartitionSource whole = inspect_raw_partition(path, name);
        whole.raw_reason =
            e.fs() + " metadata inconsistent (" + e.check() + "); copied whole (dd) because of --fs-force";
        whole.raw_detail = e.detail();
        return whole;
    }
    if (s.map.device_size > s.device_bytes)
        throw Error(ExitCode::source_unsupported,
                    path + ": the filesystem claims " + std::to_string(s.map.device_size) +
                        " bytes but the device has only " + std::to_string(s.device_bytes) +
                        " (truncated image file or damaged superblock)");
    return s;
}

PartitionSource inspect_raw_partition(const std::string& path, const std::string& name) {
    PartitionSource s;
    s.path = path;
    s.name = name;
    s.raw = true;
    Device device = Device::open(path, Access::read_only, Role::source);
    s.device_bytes = device.size();
    s.probe = probe_filesystem(path);
    s.map.block_size = raw_stream_sector;
    s.map.device_size = s.device_bytes;
    return s;
}

namespace {

// Makes the output durable up to here and lets the caller record `cp`; logs what it cost
// (kura --verbose), since that is the price of being able to resume.
void take_checkpoint(StreamOutput& out, PartitionCheckpoint& cp, const Checkpointing& checkpoints) {
    auto started = std::chrono::steady_clock::now();
    cp.output = out.checkpoint();
    if (checkpoints.on_checkpoint) checkpoints.on_checkpoint(cp);
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    log::debug("checkpoint after " + std::to_string(cp.stream_bytes) + " stream bytes (piece " +
               std::to_string(cp.output.finished.size()) + ", byte " + std::to_string(cp.output.current_bytes) +
               ") took " + std::to_string(static_cast<int>(ms)) + " ms");
}

// Every byte from `offset` on, in order: what partclone.dd writes to its output. Between
// 4 MiB chunks a checkpoint may be taken.
std::uint64_t copy_raw(const Device& device, std::uint64_t offset, StreamOutput& out, Progress& progress,
                       const Checkpointing& checkpoints, const CancelToken& cancel) {
    constexpr std::size_t kChunk = 4u << 20;
    std::vector<std::uint8_t> buffer(kChunk);
    while (offset < device.size()) {
        cancel.throw_if_requested();
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, device.size() - offset));
        device.read_at(buffer.data(), n, offset);
        out.input().write(buffer.data(), n);
        offset += n;
        progress.add(n);
        if (offset < device.size() && out.checkpoint_due(checkpoints.interval)) {
            PartitionCheckpoint cp;
            cp.raw_bytes = cp.stream_bytes = offset;
            take_checkpoint(out, cp, checkpoints);
        }
    }
    return offset;
}

// What this run still reads of a partition (the progress item's total): its used bytes, or
// every byte of a dd copy, less what an interrupted run saved up to its checkpoint.
std::uint64_t bytes_left_to_read(const PartitionSource& source, const PartitionCheckpoint* from) {
    if (source.raw) {
        std::uint64_t start = from ? from->raw_bytes : 0;
        return source.device_bytes > start ? source.device_bytes - start : 0;
    }
    std::uint64_t used = source.map.used.count(), done = from ? from->encoder.blocks_written : 0;
    return (used > done ? used - done : 0) * source.map.block_size;
}

ManifestPart describe_part(const PartitionSource& source, const SaveSettings& settings, const std::string& fs_type) {
    ManifestPart part;
    part.name = source.name;
    part.source = source.path;
    part.fs_type = fs_type;
    part.compression = settings.codec->name;
    part.device_bytes = source.device_bytes;
    return part;
}

}  // namespace

PartcloneHeader partclone_header_for(const UsedBlockMap& map) {
    PartcloneHeader header;
    header.writer_version = writer_version();
    header.fs_tag = map.partclone_tag;
    header.device_size = map.device_size;
    header.block_size = map.block_size;
    header.checksum_mode = partclone_checksum_crc32;
    header.checksum_size = 4;
    header.blocks_per_checksum = clonezilla_blocks_per_checksum(map.block_size);
    header.reseed = true;
    header.total_blocks = map.used.size();
    header.used_blocks = map.used.count();
    header.fs_used_blocks = map.fs_reported_used;
    return header;
}

std::string stream_base_name(const PartitionSource& source, const Codec& codec) {
    return data_file_base(source.name, source.raw ? "dd" : source.probe.type, codec);
}

ManifestPart save_partition(const PartitionSource& source, Repository& repo, const std::string& image_dir,
                            const SaveSettings& settings, Progress& progress, const CancelToken& cancel) {
    return save_partition(source, repo, image_dir, settings, progress, Checkpointing{}, cancel);
}

ManifestPart save_partition(const PartitionSource& source, Repository& repo, const std::string& image_dir,
                            const SaveSettings& settings, Progress& progress, const Checkpointing& checkpoints,
                            const CancelToken& cancel) {
    auto started = std::chrono::steady_clock::now();
    // Said when the copy is made (a dry run shows it in the plan only), so the image's log keeps it.
    if (!source.raw_reason.empty()) {
        const std::string detail = source.raw_detail.empty() ? "" : " - " + source.raw_detail;
        log::warn(source.name + ": " + source.raw_reason + detail);
    }
    const PartitionCheckpoint* from = checkpoints.resume_from;
    progress.set_item(source.name, bytes_left_to_read(source, from));
    Device device = Device::open(source.path, Access::read_only, Role::source);
    device.advise_sequential();
    StreamOutput out(repo, image_dir, stream_base_name(source, *settings.codec), settings.split_bytes,
                     *settings.codec, settings.compress, from ? &from->output : nullptr);

    if (source.raw) {
        std::uint64_t start = from ? from->raw_bytes : 0;
        if (start > device.size() || start % raw_stream_sector != 0)
            throw Error(ExitCode::internal, "cannot resume a dd stream at byte " + std::to_string(start));
        std::uint64_t bytes = copy_raw(device, start, out, progress, checkpoints, cancel);
        out.close();
        ManifestPart part = describe_part(source, settings, "dd");
        part.block_size = raw_stream_sector;
        part.total_blocks = part.used_blocks = bytes / raw_stream_sector;
        part.files = out.files();
        part.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return part;
    }

    const UsedBlockMap& map = source.map;
    PartcloneEncoder encoder(partclone_header_for(map), map.used);
    std::uint64_t next_block = 0;
    if (from) {
        // The checkpoint's two counts of the same point must agree with this bitmap.
        if (from->next_block > map.used.size() ||
            map.used.count_below(from->next_block) != from->encoder.blocks_written)
            throw Error(ExitCode::internal, source.path + ": the checkpoint's block " +
                                                std::to_string(from->next_block) + " does not match the bitmap");
        encoder.resume(from->encoder);
        next_block = from->next_block;
    } else {
        encoder.write_preamble(out.input());
    }
    UsedBlockReader reader(device, map.used, map.block_size, cancel, 4u << 20, 4, next_block);
    BlockChunk chunk;
    while (reader.next(chunk)) {
        cancel.throw_if_requested();
        encoder.write_blocks(chunk.data.data(), chunk.blocks, out.input());
        progress.add(chunk.blocks * map.block_size);
        if (encoder.position().blocks_written < encoder.header().used_blocks &&
            out.checkpoint_due(checkpoints.interval)) {
            PartitionCheckpoint cp;
            cp.encoder = encoder.position();
            cp.next_block = chunk.next_block;
            cp.stream_bytes = encoder.stream_bytes();
            take_checkpoint(out, cp, checkpoints);
        }
    }
    encoder.finish(out.input());
    out.close();

    ManifestPart part = describe_part(source, settings, source.probe.type);
    part.block_size = map.block_size;
    part.total_blocks = map.used.size();
    part.used_blocks = encoder.header().used_blocks;
    part.files = out.files();
    part.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return part;
}

}  // namespace kura
