// What a scenario the explorer wrote out (core/explore_replay.h) breaks when
// it runs, and the kernel step to blame for each breach. `mmtutor-cli explore`
// prints these; the app's race explorer shows them before the scenario is
// opened. Plain C++ on the core, no Qt, so both can use it.
#pragma once

#include "kernel.h"
#include "types.h"

#include <cstddef>
#include <string>
#include <vector>

namespace mmt {

struct ReplayBreach {
    Violation violation;
    std::string where; // "call path: sentence" of the step to blame
};

// Runs `text` (named `file` in messages) in `era` and returns the violations
// found from command `from_end` on, counted from the end (1: the last
// command), each blamed on its own step. With `kind` ("coherence" for the
// probe's access), only those of that kind, and since a coherence breach is
// found when its command ends, each is blamed on the step that made the
// holder's address map another page (the COW copy, usually), or on its own
// step if none did. Empty when the text does not parse.
std::vector<ReplayBreach> replay_breaches(const std::string& text, const std::string& file, Era era,
                                          size_t from_end, const char* kind = nullptr);

} // namespace mmt
