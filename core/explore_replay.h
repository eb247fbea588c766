// The explorer's finding as a scenario a student can replay: the file up to
// its first race block, with the block's `order` line set to the breaking
// schedule. The command line prints it; the GUI opens it on the stage.
#pragma once

#include "explore.h"
#include "types.h"

#include <string>

namespace mmt {

// "1 0 0 1" while it fits one order line word by word; longer schedules in
// groups, since an order line holds at most 15 groups.
std::string order_words(const std::string& digits);

// The file with its first race block's `order` line replaced by `order`
// (digits, one per atomic step) and everything after the block left out.
std::string replay_scenario(const std::string& text, uint32_t race_line, uint32_t order_line,
                            uint32_t end_line, const std::string& order);

// The file up to its first race block with `order` (the shortest schedule
// the probe fails), followed by the probe's access and an expectation that
// the pin is coherent, which fails when the scenario is run.
std::string probe_scenario(const std::string& text, uint32_t race_line, uint32_t order_line,
                           uint32_t end_line, const std::string& order, const PinProbe& probe);
// The probe's access as commands: `read P buf[0]` (if it reads first) and
// `write P buf[0] "later"`, one a line, each ending in a newline.
std::string probe_commands(const PinProbe& probe);
// "P reads buf[0], then writes it" / "P writes buf[0]".
std::string probe_sentence(const PinProbe& probe);

// The shortest breaking interleaving of `scenario`'s first race block as
// replay_scenario writes it; empty when no interleaving breaks an invariant
// or the scenario has no race block. `incoherent_replay`: the shortest
// interleaving that leaves a pin incoherent after a later access, as
// probe_scenario writes it; empty when there is none.
struct ExploreFinding {
    bool has_race = false;
    RaceExploreReport report;
    std::string replay; // empty: nothing breaks
    std::string incoherent_replay;
};
ExploreFinding explore_first_race(const Scenario& scenario, const std::string& text, Era era);

} // namespace mmt
