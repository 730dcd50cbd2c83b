// A small command-line parser for the verbs: options declared up front (so "-z zstd" is
// read as an option with a value), both "--opt value" and "--opt=value", positionals kept
// in order, anything unknown reported as a usage error naming it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kura::cli {

struct OptionSpec {
    std::vector<std::string> names;  // "-z", "--compress"
    bool takes_value = false;
};

class Args {
public:
    Args(const std::string& verb, const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs);

    bool flag(const std::string& name) const;
    std::optional<std::string> value(const std::string& name) const;
    const std::vector<std::string>& positionals() const { return positionals_; }

private:
    // Keyed by the spec's first name.
    std::map<std::string, std::vector<std::string>> seen_;
    std::map<std::string, std::string> canonical_;
    std::vector<std::string> positionals_;
};

}  // namespace kura::cli
