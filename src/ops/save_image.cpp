#include "ops/save_image.h"

#include "core/error.h"
#include "core/timestamp.h"
#include "core/units.h"
#include "image/clonezilla_metadata.h"
#include "image/image_layout.h"
#include "image/image_name.h"
#include "ops/image_save_session.h"
#include "ops/live_logs.h"
#include "ops/save_disk_layout.h"
#include "ops/save_sources.h"

#include <chrono>

namespace kura {
namespace {

// zstd -3 on server disks typically halves the used bytes; warn well before it can't fit.
constexpr double kExpectedRatio = 0.6;
// split(1)'s two-letter suffixes, aa to zz, which Clonezilla's restore expects.
constexpr std::uint64_t kMaxPieces = 26 * 26;

// Uncompressed streams have a known size: refuse a split size that would need more
// pieces than the suffixes allow, before writing anything.
void refuse_too_many_pieces(const SaveSettings& settings, const std::vector<PartitionSource>& sources) {
    const std::uint64_t split = settings.split_bytes;
    if (settings.codec->name != "none" || split == 0) return;
    for (const auto& s : sources) {
        std::uint64_t stream = s.raw ? s.device_bytes : s.map.used.count() * s.map.block_size + s.map.used.byte_count();
        if ((stream + split - 1) / split > kMaxPieces)
            throw Error(ExitCode::usage, s.path + ": --split " + std::to_string(split) + " bytes would need more than " +
                                             std::to_string(kMaxPieces) + " pieces; choose a larger size");
    }
}

Plan make_plan(const SaveRequest& request, const Repository& repo, const SaveSources& sources) {
    Plan plan;
    plan.mode = save_scope_verb(request.scope);
    plan.repo = repo.describe();
    plan.image = request.image;
    plan.items = sources.plan_items;
    refuse_too_many_pieces(request.settings, sources.imaged);
    plan.warnings.insert(plan.warnings.end(), sources.warnings.begin(), sources.warnings.end());
    auto estimate = static_cast<std::uint64_t>(static_cast<double>(plan.total_used_bytes()) *
                                               (request.settings.codec->name == "none" ? 1.0 : kExpectedRatio));
    std::uint64_t free = repo.free_bytes();
    if (free < estimate)
        plan.warnings.push_back("the repository has " + format_bytes(free) + " free; the image may need about " +
                                format_bytes(estimate));
    return plan;
}

// Clonezilla's LVM files (image/clonezilla_lvm.h) for the VGs saved by their LVs.
void write_volume_groups(ImageSaveSession& session, const SavedVolumeGroups& lvm) {
    if (lvm.pvs.empty()) return;
    session.write_file("lvm_vg_dev.list", lvm_vg_dev_list_text(lvm.pvs));
    session.write_file("lvm_logv.list", lvm_logv_list_text(lvm.lvs));
    for (const auto& vg : lvm.vgs) {
        // The text of the PVs' metadata area: vgcfgrestore takes it as it takes vgcfgbackup's.
        std::string text = vg.text;
        while (!text.empty() && text.back() == '\0') text.pop_back();
        if (!text.empty() && text.back() != '\n') text += '\n';
        session.write_file(lvm_conf_file_name(vg.name), text);
    }
    for (const auto& [partition, header] : lvm.pv_headers) session.write_file(pv_header_file_name(partition), header);
    for (const auto& v : lvm.volumes)
        if (v.part.role == PartitionRole::swap)
            session.write_file("swappt-" + lvm_image_name(v.vg, v.lv) + ".info", swap_info_text(v.part.probe));
}

// Clonezilla's files (kura-manifest is the session's), `parts` last.
void write_metadata(ImageSaveSession& session, const SaveRequest& request, const SaveSources& sources,
                    const JobLog& job_log) {
    write_disk_layouts(session, sources.disks);
    write_volume_groups(session, sources.lvm);
    // A PV saved by its LVs has no dev-fs.list line of its own (Clonezilla's image_save never ran on it).
    std::vector<SavedDevice> dev_fs;
    for (const auto& d : sources.listed)
        if (!sources.lvm.is_member(d.name)) dev_fs.push_back(d);
    session.write_file("dev-fs.list", dev_fs_list_text(dev_fs));
    session.write_file("blkid.list", blkid_list_text(sources.listed));
    for (const auto& [name, text] : sources.md_files) session.write_file(name, text);
    session.write_file("Info-saved-by-cmd.txt", request.command_line + "\n");
    // Before clonezilla-img, so that a log left out says why in the image's own log.
    write_live_logs(session);
    std::string log_text = clonezilla_img_text(local_timestamp(), job_log.lines());
    session.write_file("clonezilla-img", log_text);
    if (request.scope == SaveScope::disks) {
        std::vector<std::string> disk_names;
        for (const auto& disk : sources.disks) disk_names.push_back(disk.info.name);
        session.write_file("Info-img-id.txt", info_img_id_text(log_text));
        session.write_file("disk", disk_file_text(disk_names));
    }
    // Last: Clonezilla's pickers recognise an image by its `parts` file.
    session.write_file(kPartsFile, parts_file_text(sources.parts));
}

}  // namespace

SaveOutcome save_image(const SaveRequest& request, Repository& repo, JobContext& ctx,
                       const std::function<void(const Plan&)>& show_plan) {
    auto started = std::chrono::steady_clock::now();
    validate_image_name(request.image);
    if (!request.resume && repo.exists(request.image))
        throw Error(ExitCode::target_refused, "image " + request.image + " already exists in " + repo.describe() +
                                                  "; choose another name or remove the old image first");
    // Before the sources are read, and in a dry run too: a resume of nothing is an
    // operator's slip, said at once, and the plan of a resume says where it continues.
    // Resuming reads the journal and writes nothing yet.
    std::unique_ptr<ImageSaveSession> session;
    if (request.resume) session = ImageSaveSession::resume(repo, request.image, request.settings);

    const SaveSources sources = inspect_save_sources(request, ctx.system);
    SaveOutcome outcome;
    outcome.plan = make_plan(request, repo, sources);
    if (session) {
        session->check_sources(sources.imaged);
        outcome.plan.warnings.push_back(session->resume_summary());
    }
    show_plan(outcome.plan);
    if (request.dry_run) return outcome;

    if (!session) {
        session = ImageSaveSession::start(repo, request.image, request.settings);
        try {
            session->check_sources(sources.imaged);  // records the journal: the first write
        } catch (const Error& e) {
            session->abandon(e.code());
            throw;
        }
    }
    for (const auto& disk : sources.disks) session->add_disk(manifest_disk(disk));
    outcome.manifest =
        save_all(*session, sources.imaged, outcome.plan.total_used_bytes(), request.verify, ctx.progress_style,
                 ctx.progress, [&](const Manifest&) { write_metadata(*session, request, sources, ctx.log); }, ctx.cancel);
    for (const auto& p : outcome.manifest.parts)
        for (const auto& f : p.files) outcome.image_bytes += f.bytes;
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return outcome;
}

}  // namespace kura
