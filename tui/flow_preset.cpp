// A preset repository (kura.repo= on the kernel command line, kura-menu --repo): its fields
// filled into the repository steps' answers, and the repository opened as soon as the
// operator reaches the repository step - after the network or the SMB password if need be.
#include "tui/flow.h"

#include "core/log.h"
#include "tui/flow_state.h"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace kura::tui {

using namespace flow_steps;

namespace {

// An interface that can reach a server already: not loopback, with an IPv4 address (the
// live system's /init asks DHCP for one when kura.repo= names a network location).
bool has_ipv4_address(const std::vector<NetworkInterface>& interfaces) {
    for (const auto& n : interfaces) {
        if (n.loopback) continue;
        for (const auto& a : n.addresses)
            if (a.find('.') != std::string::npos && a.find(':') == std::string::npos) return true;
    }
    return false;
}

}  // namespace

void FlowState::reached_repo_kind() {
    if (preset_tried || !options.repository) return;
    preset_tried = true;
    apply_preset();
}


// Fills every field the preset gives (whatever happens next, Back to repo_kind shows them),
// then opens it - after the network steps when no interface has an address yet, after the
// password for SMB - or stays on repo_kind saying what is wrong with it.
void FlowState::apply_preset() {
    const std::string value = redacted_location(*options.repository);
    preset = parse_repository_preset(*options.repository);
    for (int i = 0; i < static_cast<int>(std::size(kRepoKinds)); ++i)
        if (preset.kind == kRepoKinds[i]) last_selected[Step::repo_kind] = i;
    if (preset.kind == "mounted_dir") local_directory = preset.directory;
    if (preset.kind == "nfs_server" || preset.kind == "samba_server") server = preset.server;
    if (preset.kind == "nfs_server") {
        nfs_export = preset.nfs_export;
        nfs_v4 = preset.nfs_v4;
        nfs_options = preset.nfs_options;
        last_selected[Step::nfs_version] = nfs_v4 ? 1 : 0;
    }
    if (preset.kind == "samba_server") {
        smb_share = preset.smb_share;
        smb_user_text = preset.smb_user_text;
        smb_domain = preset.smb_domain;
        smb_user = preset.smb_user;
        smb_protocol = preset.smb_protocol;
        last_selected[Step::smb_version] = smb_protocol == "SMB3" ? 1 : smb_protocol == "SMB2" ? 2 : 0;
    }
    if (preset.kind == "local_dev") {
        // Which partition it is matters beyond the cursor: its disk is never offered as a
        // save source or a restore target.
        refresh_disks();
        std::string wanted = preset.device;
        for (const auto& d : disks) {
            auto matches = [&](const std::string& name, const std::string& path, const std::string& label,
                               const std::string& uuid) {
                if (wanted == name || wanted == path) return true;
                if (wanted.starts_with("LABEL=")) return !label.empty() && wanted.substr(6) == label;
                if (wanted.starts_with("UUID=")) {
                    std::string u = wanted.substr(5);
                    return !uuid.empty() && std::equal(u.begin(), u.end(), uuid.begin(), uuid.end(), [](char x, char y) {
                        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
                    });
                }
                return false;
            };
            if (d.partitions.empty() && matches(d.name, d.path, d.label, d.uuid)) local_partition_name = d.name;
            for (const auto& p : d.partitions)
                if (matches(p.name, p.path, p.label, p.uuid)) local_partition_name = p.name;
            if (!local_partition_name.empty()) {
                repo_disk = d.name;
                break;
            }
        }
    }
    log::info("preset repository " + value + (preset.problem.empty() ? "" : ": " + tr(Language::en, preset.problem)));
    if (!preset.problem.empty()) {
        error = t("error.preset_invalid", {{"value", value}, {"problem", t(preset.problem)}});
        return;
    }
    repo_kind = preset.kind;
    if (repo_kind == "nfs_server" || repo_kind == "samba_server") {
        preset_pending = true;
        interfaces = services.network_interfaces();
        if (!has_ipv4_address(interfaces)) {
            go(Step::nic);
            return;
        }
        if (repo_kind == "samba_server") {
            go(Step::smb_password);
            return;
        }
    }
    open_preset();
}


void FlowState::open_preset() {
    preset_pending = false;
    const std::string value = redacted_location(*options.repository);
    try {
        repo = services.open_repository(preset.location, repo_kind == "samba_server" ? smb_password : "");
    } catch (const std::exception& e) {
        std::string message = e.what();
        if (repo_kind == "samba_server" && logon_refused(message)) {
            preset_pending = true;  // the next password opens it again
            return_to(Step::smb_password, t("error.repository", {{"message", message}}));
        } else {
            return_to(Step::repo_kind, t("error.preset_open", {{"value", value}, {"message", message}}));
        }
        return;
    }
    repository_opened(preset.location);
    // Back from repo_found leads to repo_kind with the preset filled in, not through the
    // network or password steps taken on the way.
    forget_history_to(Step::repo_kind);
}

}  // namespace kura::tui
