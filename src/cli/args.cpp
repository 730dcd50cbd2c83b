#include "cli/args.h"

#include "core/error.h"

namespace kura::cli {

Args::Args(const std::string& verb, const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs) {
    std::map<std::string, const OptionSpec*> by_name;
    for (const auto& spec : specs)
        for (const auto& n : spec.names) {
            by_name[n] = &spec;
            canonical_[n] = spec.names.front();
        }
    bool options_done = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (options_done || a.size() < 2 || a[0] != '-') {
            positionals_.push_back(a);
            continue;
        }
        if (a == "--") {
            options_done = true;
            continue;
        }
        std::string name = a, inline_value;
        bool has_inline = false;
        if (auto eq = a.find('='); eq != std::string::npos && a.rfind("--", 0) == 0) {
            name = a.substr(0, eq);
            inline_value = a.substr(eq + 1);
            has_inline = true;
        }
        auto it = by_name.find(name);
        if (it == by_name.end()) throw Error(ExitCode::usage, verb + ": unknown option " + name + " (see kura help)");
        const OptionSpec& spec = *it->second;
        std::string value;
        if (spec.takes_value) {
            if (has_inline) {
                value = inline_value;
            } else {
                if (i + 1 >= argv.size()) throw Error(ExitCode::usage, verb + ": option " + name + " needs a value");
                value = argv[++i];
            }
        } else if (has_inline) {
            throw Error(ExitCode::usage, verb + ": option " + name + " takes no value");
        }
        seen_[spec.names.front()].push_back(value);
    }
}

bool Args::flag(const std::string& name) const {
    auto c = canonical_.find(name);
    return c != canonical_.end() && seen_.count(c->second) > 0;
}

std::optional<std::string> Args::value(const std::string& name) const {
    auto c = canonical_.find(name);
    if (c == canonical_.end()) return std::nullopt;
    auto it = seen_.find(c->second);
    if (it == seen_.end()) return std::nullopt;
    return it->second.back();
}

}  // namespace kura::cli
