// `mmtutor-cli explore FILE.mmt [--era a|b|c] [--json]`: every interleaving of
// the first race block's two CPUs (docs/races.md), with the invariants checked
// after each atomic step; prints how many there are, how many break an
// invariant, and the shortest breaking one as a scenario that replays it.
#pragma once

#include "types.h"

#include <optional>
#include <string>

namespace mmt {

// Returns the exit status: 0 no interleaving breaks an invariant, 1 some do,
// 2 the file has an error or no race block.
int cli_explore(const std::string& file, const std::string& text, std::optional<Era> era, bool json);

// The file with its first race block's `order` line replaced by `order`
// (digits, one per atomic step) and everything after the block left out.
std::string replay_scenario(const std::string& text, uint32_t race_line, uint32_t order_line,
                            uint32_t end_line, const std::string& order);

} // namespace mmt
