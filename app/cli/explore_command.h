// `mmtutor-cli explore FILE.mmt [--era a|b|c] [--json]`: every interleaving of
// the first race block's two CPUs (docs/races.md), with the invariants checked
// after each atomic step and a probe at the end of each (a later write, or
// read then write, by each pinning process must keep its pin coherent);
// prints how many there are, how many break an invariant, how many leave a
// pin incoherent, and the shortest of each as a scenario that replays it.
#pragma once

#include "types.h"

#include <optional>
#include <string>

namespace mmt {

// Returns the exit status: 0 no interleaving breaks an invariant or leaves a
// pin incoherent, 1 some do, 2 the file has an error or no race block.
int cli_explore(const std::string& file, const std::string& text, std::optional<Era> era, bool json);

} // namespace mmt
