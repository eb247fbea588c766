// The explorer: every interleaving of two CPUs' atomic steps, with the
// invariants checked after each step. A schedule is the CPU of each step;
// a CPU that waits (semantics 4.3: the flush IPI, the page table lock) is no
// choice at that point, so the schedules are exactly the interleavings the
// step machines allow.
//
// Pruning: the number of interleavings and of breaking ones below a state
// depends only on that state (kernel state and both CPUs' positions), not on
// the path to it, so each state is explored once and its counts reused when
// another interleaving reaches it (docs/races.md says what that saves).
//
// The probe: an interleaving can keep every invariant of its era and still
// leave a pin that the process's next access separates from what it maps
// (eras a and b have no PG_anon_exclusive rules to flag the state in
// between). So at the end of each interleaving the explorer asks the system
// to probe the state it ends in; for a race block, each pinning process
// writes, or reads then writes, through its pinned address as the rest of a
// selftest would, and the pin must still be coherent (docs/races.md 4).
#pragma once

#include "types.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace mmt {

struct Scenario;

// A system of two CPUs the explorer drives one atomic step at a time.
class Interleavable {
public:
    virtual ~Interleavable() = default;
    virtual bool can_run(int cpu) const = 0; // has a next step and does not wait
    virtual bool done() const = 0;           // both CPUs have finished
    // Runs one atomic step; true when an invariant broke in it (the step
    // that finishes the system includes the checks made at its end).
    virtual bool run(int cpu) = 0;
    virtual void undo() = 0; // undoes the last run()
    // The state and both positions; the path that led there is not part of it.
    virtual uint64_t hash() const = 0;
    // Called once per finished interleaving (done()), or once per distinct
    // end state with pruning: true when the state fails the follow-up check.
    // It depends on the state alone and leaves it as it was. Default: none.
    virtual bool probe() { return false; }
};

struct ExploreOptions {
    bool prune = true; // reuse the counts of a state seen before
};

struct ExploreResult {
    uint64_t interleavings = 0;    // complete schedules
    uint64_t breaking = 0;         // schedules in which some step broke an invariant
    uint64_t stuck = 0;            // schedules that end with both CPUs waiting (none should)
    std::vector<uint8_t> shortest; // the shortest breaking schedule (ties: cpu0 first); empty if none
    uint64_t steps_run = 0;        // atomic steps the explorer ran
    uint64_t steps_unpruned = 0;   // atomic steps a search without pruning runs (one per tree edge)
    uint64_t states = 0;           // distinct states explored (with pruning)
    // The probe (Interleavable::probe) at the end of each schedule.
    uint64_t incoherent = 0;                  // schedules whose end state fails the probe
    uint64_t incoherent_unbroken = 0;         // ... of them, those in which no step broke an invariant
    uint64_t probes = 0;                      // probes run
    std::vector<uint8_t> shortest_incoherent; // the shortest such schedule (ties: cpu0 first); empty if none
};

ExploreResult explore(Interleavable& system, const ExploreOptions& options = {});

// The reference model for the explorer's counts: two CPUs of m and n atomic
// steps that never wait, on one shared register (each step of CPU c sets it
// from its old value, so different interleavings can meet in one state).
// An invariant breaks when CPU1 runs its step `late_step` (1-based) after
// CPU0 has run `early_step` steps or more.
class SyntheticRace : public Interleavable {
public:
    SyntheticRace(uint32_t m, uint32_t n, uint32_t early_step, uint32_t late_step);
    bool can_run(int cpu) const override { return position_[cpu] < length_[cpu]; }
    bool done() const override { return position_[0] == length_[0] && position_[1] == length_[1]; }
    bool run(int cpu) override;
    void undo() override;
    uint64_t hash() const override;

private:
    uint32_t length_[2];
    uint32_t early_, late_;
    uint32_t position_[2] = {0, 0};
    uint32_t reg_ = 0;
    std::vector<std::pair<uint8_t, uint32_t>> history_; // (cpu, register before)
};

// What the probe found at the end of a race block: a later access by the
// pinning process through the pinned address, after which the pin no longer
// refers to the page the process maps there. Only FOLL_PIN references are
// probed: the seed commit makes pins reliable and says that FOLL_GET users
// (O_DIRECT, vmsplice) stay exposed to swap-out and fork (docs/races.md 4).
// What the probe's write stores.
inline constexpr const char* kProbeData = "later";

struct PinProbe {
    std::string holder;      // the pin's handle, `H`
    std::string process;     // the pinning process, `P`
    std::string address;     // the pinned address as the scenario writes it, `buf[0]`
    bool read_first = false; // the process reads the address before it writes it
};

// A race block of a scenario on the engine: the commands before it are run
// once per rebuild, then the block's steps. `race_command` is its index in
// scenario.commands.
struct RaceExploreReport {
    ExploreResult result;
    uint32_t race_line = 0;
    std::string order;             // the shortest breaking schedule as an `order` line's digits
    std::string incoherent_order;  // the shortest schedule the probe fails, as digits
    std::optional<PinProbe> probe; // what the probe did at its end
    // Why a writer ran as one atomic step in some schedule (Race::whole_writer):
    // the counts then say nothing about interleavings inside its unmap.
    const char* whole_writer = nullptr;
};
RaceExploreReport explore_race(const Scenario& scenario, Era era, uint32_t race_command,
                               const ExploreOptions& options = {});
// Index of the scenario's first race block, or UINT32_MAX.
uint32_t first_race_command(const Scenario& scenario);

} // namespace mmt
