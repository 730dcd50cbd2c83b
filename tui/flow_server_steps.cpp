// The server questions: an NFS server, its export and version; an SMB server, its share,
// user, password and protocol. The last answer of each opens the repository.
#include "tui/flow_state.h"
#include "tui/flow_step.h"
#include "tui/validation.h"

namespace kura::tui {

using namespace flow_steps;

namespace {

// Keeps the typed server (going back shows it) and moves on when it is a server name.
void server_answer(FlowState& flow, const Answer& a, Step next) {
    flow.server = a.text;
    if (auto problem = check_server(a.text); !problem.empty()) {
        flow.error = flow.t(problem);
        return;
    }
    flow.go(next);
}

// ----- NFS -----

Screen nfs_server_screen(const FlowState& flow) { return flow.input_screen("nfs.title", "nfs.server", flow.server); }

void nfs_server_answer(FlowState& flow, const Answer& a) { server_answer(flow, a, Step::nfs_export); }

Screen nfs_export_screen(const FlowState& flow) {
    return flow.input_screen("nfs.title", "nfs.export", flow.nfs_export);
}

void nfs_export_answer(FlowState& flow, const Answer& a) {
    flow.nfs_export = a.text;
    if (auto problem = check_remote_path(a.text); !problem.empty()) {
        flow.error = flow.t(problem);
        return;
    }
    flow.go(Step::nfs_version);
}

Screen nfs_version_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::menu, "nfs.title");
    s.text = flow.t("nfs.version");
    s.items = {flow.item("v3", "NFS v3", flow.t("nfs.v3")), flow.item("v4", "NFS v4", flow.t("nfs.v4"))};
    s.working = flow.t("working.repository");
    return s;
}

void nfs_version_answer(FlowState& flow, const Answer& a) {
    flow.nfs_v4 = a.index == 1;
    flow.open_repo(std::string(flow.nfs_v4 ? "nfs4://" : "nfs://") + flow.server + flow.nfs_export +
                       (flow.nfs_v4 || flow.nfs_options.empty() ? "" : "?" + flow.nfs_options),
                   Step::nfs_server);
}

// ----- SMB -----

Screen smb_server_screen(const FlowState& flow) { return flow.input_screen("smb.title", "smb.server", flow.server); }

void smb_server_answer(FlowState& flow, const Answer& a) { server_answer(flow, a, Step::smb_share); }

Screen smb_share_screen(const FlowState& flow) { return flow.input_screen("smb.title", "smb.share", flow.smb_share); }

void smb_share_answer(FlowState& flow, const Answer& a) {
    flow.smb_share = a.text;
    if (auto problem = check_share_path(a.text); !problem.empty()) {
        flow.error = flow.t(problem);
        return;
    }
    flow.go(Step::smb_user);
}

Screen smb_user_screen(const FlowState& flow) {
    return flow.input_screen("smb.title", "smb.user", flow.smb_user_text);
}

void smb_user_answer(FlowState& flow, const Answer& a) {
    flow.smb_user_text = a.text;
    if (auto problem = check_smb_user(a.text, flow.smb_domain, flow.smb_user); !problem.empty()) {
        flow.error = flow.t(problem);
        return;
    }
    flow.go(Step::smb_password);
}

Screen smb_password_screen(const FlowState& flow) {
    Screen s = flow.input_screen("smb.title", "smb.password", "", ScreenKind::password);
    s.text = flow.t("smb.password", {{"user", flow.smb_user_text}, {"server", flow.server}});
    return s;
}

void smb_password_answer(FlowState& flow, const Answer& a) {
    flow.smb_password = a.text;
    // A preset says the protocol already: the password was all that was missing.
    if (flow.preset_pending) {
        flow.open_preset();
        return;
    }
    flow.go(Step::smb_version);
}

Screen smb_version_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::menu, "smb.title");
    s.text = flow.t("smb.version");
    s.items = {flow.item("auto", "auto", flow.t("smb.auto")), flow.item("SMB3", "SMB3", flow.t("smb.smb3")),
               flow.item("SMB2", "SMB2", flow.t("smb.smb2"))};
    s.working = flow.t("working.repository");
    return s;
}

void smb_version_answer(FlowState& flow, const Answer& a) {
    flow.smb_protocol = a.index == 1 ? "SMB3" : a.index == 2 ? "SMB2" : "";
    std::string url = "smb://" + (flow.smb_domain.empty() ? "" : flow.smb_domain + ";") + flow.smb_user + "@" +
                      flow.server + "/" + flow.smb_share;
    if (!flow.smb_protocol.empty()) url += "?protocol=" + flow.smb_protocol;
    flow.open_repo(url, Step::smb_server);
}

constexpr StepRow kRows[] = {
    {.step = Step::nfs_server, .name = "nfs_server", .screen = nfs_server_screen, .answer = nfs_server_answer},
    {.step = Step::nfs_export, .name = "nfs_export", .screen = nfs_export_screen, .answer = nfs_export_answer},
    {.step = Step::nfs_version, .name = "nfs_version", .screen = nfs_version_screen, .answer = nfs_version_answer},
    {.step = Step::smb_server, .name = "smb_server", .screen = smb_server_screen, .answer = smb_server_answer},
    {.step = Step::smb_share, .name = "smb_share", .screen = smb_share_screen, .answer = smb_share_answer},
    {.step = Step::smb_user, .name = "smb_user", .screen = smb_user_screen, .answer = smb_user_answer},
    {.step = Step::smb_password, .name = "smb_password", .screen = smb_password_screen,
     .answer = smb_password_answer},
    {.step = Step::smb_version, .name = "smb_version", .screen = smb_version_screen, .answer = smb_version_answer},
};

}  // namespace

std::span<const StepRow> server_steps() { return kRows; }

}  // namespace kura::tui
