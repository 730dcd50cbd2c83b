#include "ops/save_parts.h"

#include "core/error.h"
#include "core/job_log.h"
#include "core/log.h"
#include "core/timestamp.h"
#include "core/units.h"
#include "device/probe.h"
#include "device/safety.h"
#include "image/clonezilla_metadata.h"
#include "image/image_layout.h"
#include "image/image_name.h"
#include "ops/live_logs.h"
#include "ops/source_repair.h"
#include "repo/open_repository.h"

#include <chrono>
#include <set>

namespace kura {
namespace {

// zstd -3 on server disks typically halves the used bytes; warn well before it can't fit.
constexpr double kExpectedRatio = 0.6;

// Finds the sources and checks them for safety, repairs them when asked (--fsck), then
// reads their filesystems. `notes` gets what a dry run with --fsck would repair.
std::vector<PartitionSource> inspect_sources(const SavePartsRequest& request, std::vector<std::string>& notes) {
    std::vector<std::string> names;
    std::set<std::string> seen;
    SystemView system;
    for (const auto& path : request.sources) {
        refuse_busy_source(path, system);
        names.push_back(image_name_for(path));
        if (!seen.insert(names.back()).second)
            throw Error(ExitCode::usage, path + ": another source is also named '" + names.back() +
                                             "' in the image; each partition needs its own name");
    }
    SourceRepair repair = source_repair_mode(request.repair_first, request.dry_run, request.resume);
    if (repair == SourceRepair::repair)
        for (std::size_t i = 0; i < request.sources.size(); ++i) {
            const std::string& path = request.sources[i];
            repair_source_filesystem(path, names[i], probe_filesystem(path).type, path);
        }
    std::vector<PartitionSource> sources;
    for (std::size_t i = 0; i < request.sources.size(); ++i)
        sources.push_back(inspect_partition_before_repair(request.sources[i], names[i], request.fs, repair, notes));
    return sources;
}

Plan make_plan(const SavePartsRequest& request, const Repository& repo, const std::vector<PartitionSource>& sources) {
    Plan plan;
    plan.mode = "saveparts";
    plan.repo = repo.describe();
    plan.image = request.image;
    for (const auto& s : sources) {
        if (s.raw) {
            // Copied whole (--fs-force on a filesystem whose metadata is inconsistent).
            plan.items.push_back({s.name, s.path, s.probe.type + " (dd)", s.device_bytes, s.device_bytes});
            plan.warnings.push_back(s.name + ": " + s.raw_reason);
            continue;
        }
        plan.items.push_back({s.name, s.path, s.probe.type, s.device_bytes, s.map.used.count() * s.map.block_size});
    }
    auto estimate = static_cast<std::uint64_t>(static_cast<double>(plan.total_used_bytes()) *
                                               (request.settings.codec->name == "none" ? 1.0 : kExpectedRatio));
    // Uncompressed streams have a known size: refuse a split size that would need more
    // pieces than split(1)'s two-letter suffixes allow, before writing anything.
    const std::uint64_t split = request.settings.split_bytes;
    if (request.settings.codec->name == "none" && split > 0)
        for (const auto& s : sources) {
            std::uint64_t stream =
                s.raw ? s.device_bytes : s.map.used.count() * s.map.block_size + s.map.used.byte_count();
            if ((stream + split - 1) / split > 676)
                throw Error(ExitCode::usage, s.path + ": --split " + std::to_string(split) +
                                                 " bytes would need more than 676 pieces; choose a larger size");
        }
    std::uint64_t free = repo.free_bytes();
    if (free < estimate)
        plan.warnings.push_back("the repository has " + format_bytes(free) + " free; the image may need about " +
                                format_bytes(estimate));
    return plan;
}

// Clonezilla's files (kura-manifest is the session's), `parts` last.
void write_metadata(ImageSaveSession& session, const SavePartsRequest& request,
                    const std::vector<PartitionSource>& sources, const JobLog& job_log) {
    std::vector<SavedDevice> devices;
    for (const auto& s : sources) devices.push_back({s.name, s.probe, s.device_bytes});
    session.write_file("dev-fs.list", dev_fs_list_text(devices));
    session.write_file("blkid.list", blkid_list_text(devices));
    session.write_file("Info-saved-by-cmd.txt", request.command_line + "\n");
    // Before clonezilla-img, so that a log left out says why in the image's own log.
    write_live_logs(session);
    session.write_file("clonezilla-img", clonezilla_img_text(local_timestamp(), job_log.lines()));
    // Last: Clonezilla's pickers recognise an image by its `parts` file.
    session.write_file(kPartsFile, parts_file_text(devices));
}

}  // namespace

SaveOutcome save_parts(const SavePartsRequest& request, const std::function<void(const Plan&)>& show_plan) {
    auto started = std::chrono::steady_clock::now();
    JobLog job_log;  // this save's lines only, for the image's clonezilla-img
    validate_image_name(request.image);
    auto repo = open_repository(request.repo, request.repository);
    if (!request.resume && repo->exists(request.image))
        throw Error(ExitCode::target_refused, "image " + request.image + " already exists in " + repo->describe() +
                                                  "; choose another name or remove the old image first");
    // Before the sources are read: a resume of nothing is an operator's slip, said at once.
    std::unique_ptr<ImageSaveSession> session;
    if (request.resume) session = ImageSaveSession::resume(*repo, request.image, request.settings);

    std::vector<std::string> repair_notes;
    std::vector<PartitionSource> sources = inspect_sources(request, repair_notes);
    SaveOutcome outcome;
    outcome.plan = make_plan(request, *repo, sources);
    outcome.plan.warnings.insert(outcome.plan.warnings.end(), repair_notes.begin(), repair_notes.end());
    if (session) {
        session->check_sources(sources);
        outcome.plan.warnings.push_back(session->resume_summary());
    }
    show_plan(outcome.plan);
    if (request.dry_run) return outcome;

    if (!session) {
        session = ImageSaveSession::start(*repo, request.image, request.settings);
        session->check_sources(sources);
    }
    outcome.manifest = save_all(*session, sources, outcome.plan.total_used_bytes(), request.verify, request.progress,
                                request.progress_sink,
                                [&](const Manifest&) { write_metadata(*session, request, sources, job_log); });
    for (const auto& p : outcome.manifest.parts)
        for (const auto& f : p.files) outcome.image_bytes += f.bytes;
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return outcome;
}

}  // namespace kura
