// Runs a parsed scenario on a fresh Kernel: each command goes through the
// kernel paths of the era, each expectation is checked against the state.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kernel.h"
#include "scenario.h"

namespace mmt {

struct ExpectationResult {
    uint32_t command_index = 0;  // index in Scenario::commands
    uint32_t line = 0;
    bool passed = false;
    std::string expected;        // "pte present-ro"
    std::string got;             // "pte swap"
};

struct RunResult {
    std::unique_ptr<Kernel> kernel;
    Era era = Era::c;
    std::vector<ExpectationResult> expectations;
    // Per scenario command: the index of its CommandRecord in the kernel, or
    // -1 for expectations that ran no kernel code.
    std::vector<int32_t> record_of;
    uint32_t passed() const;
    uint32_t failed() const;
};

struct RunOptions {
    bool check_invariants = true;
    // Run only the commands before this index (the explorer starts a race
    // block from the state they leave).
    uint32_t stop_before = UINT32_MAX;
};

RunResult run_scenario(const Scenario& scenario, Era era, RunOptions options = {});

// The PTE kind an expectation would see at an address (`present-rw`, ...).
std::string observed_pte_kind(const Kernel& k, VmaId vma, uint32_t index);
std::string expected_pte_name(ExpectedPte kind);

} // namespace mmt
