#include "pipeline/partition_restore.h"

#include "core/bounded_queue.h"
#include "core/error.h"
#include "core/stage_thread.h"
#include "pipeline/stream_decode.h"
#include "pipeline/target_writer.h"

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

namespace kura {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// The data bytes a stream's header promises: the progress item's total once the header is
// read. 0 (unknown) for a dd stream, whose length shows only at its end.
std::uint64_t stream_used_bytes(const PartcloneHeader& h) { return h.used_blocks * h.block_size; }

}  // namespace

RestoreOutcome restore_partition(const Repository& repo, const std::string& image_dir, const DataFiles& files,
                                 Device& target, Progress& progress, const CancelToken& cancel) {
    auto started = std::chrono::steady_clock::now();
    progress.set_item(files.part);
    BoundedQueue<BlockGroup> queue(4);
    FirstError writer_error;
    std::optional<TargetWriter> writer;
    std::thread writer_thread;
    bool target_touched = false;

    auto stop_writer = [&] {
        if (writer_thread.joinable()) {
            queue.close();
            writer_thread.join();
        }
    };

    DecodedStream decoded;
    try {
        decoded = decode_stream(
            repo, image_dir, files,
            [&](const StreamDecoder& decoder) {
                const auto& h = decoder.header();
                progress.set_item(files.part, stream_used_bytes(h));
                if (h.device_size > target.size())
                    throw Error(ExitCode::target_refused,
                                target.path() + " has " + std::to_string(target.size()) + " bytes; partition " +
                                    files.part + " needs " + std::to_string(h.device_size));
                writer.emplace(target, h.block_size);
                target_touched = true;
                // A dd stream's length is known only at its end: clear the target's head
                // as if the stream covered all of it.
                std::uint64_t blocks = h.total_blocks != 0 ? h.total_blocks : target.size() / h.block_size;
                writer->begin(decoder.used_map(), blocks);
                writer_thread = std::thread([&] {
                    try {
                        while (auto group = queue.pop()) writer->write(*group);
                    } catch (...) {
                        writer_error.capture(std::current_exception());
                        queue.abort();
                    }
                });
            },
            [&](BlockGroup&& group) {
                if (!queue.push(std::move(group))) writer_error.rethrow_if_any();
            },
            &progress, cancel);
        stop_writer();
        writer_error.rethrow_if_any();
        if (writer) writer->finish();
    } catch (const Error& e) {
        queue.abort();
        if (writer_thread.joinable()) writer_thread.join();
        if (!target_touched) throw;
        throw Error(e.code(), std::string(e.what()) + "\n" + target.path() +
                                  " was partly written; its filesystem signature is cleared so it will not "
                                  "mount half-restored. Restore it again from a good image.");
    } catch (...) {
        queue.abort();
        if (writer_thread.joinable()) writer_thread.join();
        throw;
    }
    RestoreOutcome outcome;
    outcome.used_bytes = decoded.used_blocks * decoded.header.block_size;
    outcome.zeroed_bytes = writer ? writer->zeroed_bytes() : 0;
    outcome.seconds = seconds_since(started);
    return outcome;
}

RestoreOutcome check_partition(const Repository& repo, const std::string& image_dir, const DataFiles& files,
                               Progress& progress, const CancelToken& cancel) {
    auto started = std::chrono::steady_clock::now();
    progress.set_item(files.part);
    DecodedStream decoded = decode_stream(
        repo, image_dir, files,
        [&](const StreamDecoder& decoder) { progress.set_item(files.part, stream_used_bytes(decoder.header())); },
        [](BlockGroup&&) {}, &progress, cancel);
    RestoreOutcome outcome;
    outcome.used_bytes = decoded.used_blocks * decoded.header.block_size;
    outcome.seconds = seconds_since(started);
    return outcome;
}

}  // namespace kura
