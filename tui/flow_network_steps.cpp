// The network a server repository is reached over: which interface, and its address by
// DHCP, typed in, or kept as it is.
#include "tui/engine_messages.h"
#include "tui/flow_state.h"
#include "tui/flow_step.h"
#include "tui/validation.h"

namespace kura::tui {

using namespace flow_steps;

namespace {

// The address is set: on to the server questions, or (a preset waiting for the network)
// to the SMB password or the opening itself.
void apply_network(FlowState& flow) {
    try {
        flow.services.configure_network(flow.network);
    } catch (const std::exception& e) {
        flow.error = flow.t("error.network", {{"message", engine_text(flow.language, e)}});
        return;
    }
    if (flow.preset_pending) {
        if (flow.repo_kind == "samba_server") flow.go(Step::smb_password);
        else flow.open_preset();
        return;
    }
    flow.go(flow.repo_kind == "nfs_server" ? Step::nfs_server : Step::smb_server);
}

Screen nic_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::menu, "nic.title");
    s.text = flow.t("nic.text");
    for (const auto& n : flow.interfaces) {
        std::string detail = n.link_up ? flow.t("nic.link_up") : flow.t("nic.link_down");
        if (!n.mac.empty()) detail += "  " + n.mac;
        for (const auto& a : n.addresses) detail += "  " + a;
        if (n.loopback) detail += "  " + flow.t("nic.loopback");
        s.items.push_back(flow.item(n.name, n.name, detail));
    }
    return s;
}

void nic_answer(FlowState& flow, const Answer& a) {
    if (a.index < 0 || a.index >= static_cast<int>(flow.interfaces.size())) return;
    flow.network.interface = flow.interfaces[static_cast<std::size_t>(a.index)].name;
    flow.go(Step::address_mode);
}

Screen address_mode_screen(const FlowState& flow) {
    Screen s = flow.base(ScreenKind::menu, "address_mode.title");
    std::string current;
    for (const auto& n : flow.interfaces)
        if (n.name == flow.network.interface)
            for (const auto& a : n.addresses) current += (current.empty() ? "" : ", ") + a;
    s.text = flow.t("address_mode.text", {{"nic", flow.network.interface},
                                          {"addresses", current.empty() ? flow.t("address_mode.none") : current}});
    s.items = {flow.item("dhcp", "dhcp", flow.t("address_mode.dhcp")),
               flow.item("static", "static", flow.t("address_mode.static")),
               flow.item("keep", "keep", flow.t("address_mode.keep"))};
    return s;
}

void address_mode_answer(FlowState& flow, const Answer& a) {
    if (a.index == 0) {
        flow.network.mode = AddressMode::dhcp;
        apply_network(flow);
    } else if (a.index == 1) {
        flow.network.mode = AddressMode::manual;
        flow.go(Step::static_address);
    } else {
        flow.network.mode = AddressMode::keep;
        apply_network(flow);
    }
}

Screen static_address_screen(const FlowState& flow) {
    return flow.input_screen("static.title", "static.address", flow.network.address);
}

void static_address_answer(FlowState& flow, const Answer& a) {
    flow.network.address = a.text;
    if (auto problem = check_ipv4_with_prefix(a.text); !problem.empty()) {
        flow.error = flow.t(problem);
        return;
    }
    flow.go(Step::static_gateway);
}

Screen static_gateway_screen(const FlowState& flow) {
    return flow.input_screen("static.title", "static.gateway", flow.network.gateway);
}

void static_gateway_answer(FlowState& flow, const Answer& a) {
    flow.network.gateway = a.text;
    if (auto problem = check_ipv4(a.text, true); !problem.empty()) {
        flow.error = flow.t(problem);
        return;
    }
    flow.go(Step::static_dns);
}

Screen static_dns_screen(const FlowState& flow) {
    return flow.input_screen("static.title", "static.dns", flow.network.dns);
}

void static_dns_answer(FlowState& flow, const Answer& a) {
    flow.network.dns = a.text;
    if (auto problem = check_ipv4(a.text, true); !problem.empty()) {
        flow.error = flow.t(problem);
        return;
    }
    apply_network(flow);
}

constexpr StepRow kRows[] = {
    {.step = Step::nic, .name = "nic", .screen = nic_screen, .answer = nic_answer},
    {.step = Step::address_mode, .name = "address_mode", .screen = address_mode_screen,
     .answer = address_mode_answer},
    {.step = Step::static_address, .name = "static_address", .screen = static_address_screen,
     .answer = static_address_answer},
    {.step = Step::static_gateway, .name = "static_gateway", .screen = static_gateway_screen,
     .answer = static_gateway_answer},
    {.step = Step::static_dns, .name = "static_dns", .screen = static_dns_screen, .answer = static_dns_answer},
};

}  // namespace

std::span<const StepRow> network_steps() { return kRows; }

}  // namespace kura::tui
