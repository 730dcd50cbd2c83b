// The step table: the groups' rows, indexed by Step. A step without a row (or with two) is
// a programming error, found the first time any step is looked up.
#include "tui/flow_step.h"

#include <array>
#include <stdexcept>
#include <string>

namespace kura::tui {

using namespace flow_steps;

namespace {

using StepTable = std::array<const StepRow*, kStepCount>;

StepTable build_table() {
    StepTable table{};
    for (auto group : {start_steps(), repository_steps(), network_steps(), server_steps(), save_steps(),
                       restore_steps(), confirm_steps(), job_steps()}) {
        for (const StepRow& row : group) {
            auto index = static_cast<std::size_t>(row.step);
            if (index >= table.size())
                throw std::logic_error(std::string("step table: ") + row.name + " is past kStepCount");
            if (table[index]) throw std::logic_error(std::string("step table: a second row for ") + row.name);
            table[index] = &row;
        }
    }
    for (std::size_t index = 0; index < table.size(); ++index)
        if (!table[index]) throw std::logic_error("step table: no row for step " + std::to_string(index));
    return table;
}

}  // namespace

const StepRow& step_row(Step step) {
    static const StepTable table = build_table();
    return *table[static_cast<std::size_t>(step)];
}

void ignore_answer(FlowState&, const Answer&) {}
void stay(FlowState&) {}

}  // namespace kura::tui
