// Two CPUs racing at the grain of the seed commit's sections II and III
// (semantics reference 4.3 to 4.5): GUP-fast on one CPU (steps B1 to B5)
// against try_to_migrate or try_to_unmap on the other (A1 to A4, then the
// rest of migration or reclaim), and fork after GUP-fast on its CPU.
//
// Each atomic step is one or more kernel steps on its CPU's lane
// (KernelStep::cpu), made through the engine's journaled setters: the trace,
// the history (step back and forward) and the invariant checks see a race
// like any other command. docs/races.md describes the steps and what is
// modelled.
#pragma once

#include "address.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mmt {

class EraPolicy;
class Kernel;
struct Command;
struct RaceBlock;

// The next atomic step of a CPU in its current command.
enum class RaceStep : uint8_t {
    start,              // GUP-fast: B1 (read the PTE); migration: A1 (clear it); reclaim: its
                        // prologue (the racy pin test, add_to_swap); fork: the whole fork
    b2_write_check,     // FOLL_WRITE needs a writable PTE
    b3_grab,            // try_grab_folio: the reference or pin is taken
    b4_recheck,         // re-read the PTE; back off if it changed
    b5_unshare_check,   // read-only and maybe shared: back off; else GUP-fast returns the page
    slow_path,          // GUP-fast gave up: __get_user_pages, with the locks
    a1_clear,           // reclaim: A1 clears the PTE
    a1_flush,           // A1's TLB flush completes (the IPI is acknowledged): migration, or
                        // reclaim where an exclusive page is flushed at once
    a2_pin_check,       // page_maybe_dma_pinned: restore the PTE and give up if pinned
    a3_clear_exclusive, // ClearPageAnonExclusive
    a4_install_entry,   // the migration or swap entry replaces the cleared PTE
    m1_migrate_mapping, // migration: the refcount test (folio_migrate_mapping), copy
    m2_finish,          // migration: remove_migration_ptes, unlock, free or put back
    s1_finish,          // reclaim: try_to_unmap_flush_dirty, pageout, __remove_mapping
    putback,            // reclaim gave up at A2: put the page back
    done,
};

// What one CPU remembers between its atomic steps.
struct RaceCpu {
    uint32_t command = 0; // index into the CPU's commands
    RaceStep next = RaceStep::start;
    uint64_t seen = 0;             // GUP-fast: the entry B1 read (raw)
    bool seen_pmd = false;         // ... a PMD mapping a THP
    uint32_t page = 0;             // GUP-fast: the page B1 found; writer: the page it unmaps
    uint32_t target = 0;           // migration: the new page
    uint64_t cleared = 0;          // writer: the PTE A1 cleared (raw)
    bool anon_exclusive = false;   // writer: PageAnonExclusive when A1 ran
    bool flush_batched = false;    // reclaim: A1 left its TLB flush to the batch, still pending
    bool moved = false;            // migration: the refcount test passed
    const char* pending = nullptr; // writer: the reason it will end failed
    uint32_t holder = UINT32_MAX;  // the reference the CPU's pin or get took
    const char* failure = nullptr; // the CPU's first failed command, "migrate: page is pinned"
};

class Race {
public:
    Race(Kernel& k, const RaceBlock& block);

    bool done(int cpu) const;
    bool done() const { return done(0) && done(1); }
    // Why `cpu` cannot run its next step now, as a sentence whose {0} is the
    // other CPU; nullptr when it can (or has finished).
    const char* waits_for(int cpu) const;
    bool can_run(int cpu) const { return !done(cpu) && waits_for(cpu) == nullptr; }
    // Runs the next atomic step of `cpu`, which must be able to run.
    void run(int cpu);
    // Records that `cpu` spins where it waits: a kernel step that changes nothing.
    void wait(int cpu);

    const RaceCpu& cpu(int i) const { return cpus_[i]; }
    // The block's outcome: nullptr when every command of both CPUs ended ok.
    const char* failure() const;
    // The references the block took, by handle name.
    std::vector<std::pair<std::string, HolderId>> holders() const;
    // Both CPUs' positions and what their steps remember (not the kernel state).
    uint64_t hash() const;

    // Why a writer of this block ran its whole command as one atomic step
    // although it had a page to unmap (a THP, a page mapped twice, a KSM or
    // device page): the interleavings inside that unmap were not explored.
    // nullptr while every writer went step by step (or had nothing to unmap).
    const char* whole_writer() const { return whole_writer_; }

    // Memory barriers order GUP-fast's pin and re-read against the writer's
    // clear and pin check (v6.1), which the step sentences then name.
    static bool barriers_order_gup_fast(const EraPolicy& policy);

private:
    const Command& command(int cpu) const;
    Address address(const Command& c) const;
    bool in_gup_walk(int cpu) const;
    bool pageout_waits_for_flush(int cpu) const;
    bool holds_pt_lock(int cpu) const;
    bool writer_busy(int cpu) const;
    bool unmaps_step_by_step(const Command& c) const;
    const char* why_whole(const Command& c) const;
    void finish(int cpu, const Command& c, const char* failure);
    void gup_step(int cpu, const Command& c);
    void migrate_step(int cpu, const Command& c);
    void swapout_step(int cpu, const Command& c);

    Kernel& k_;
    const RaceBlock& block_;
    RaceCpu cpus_[2];
    const char* whole_writer_ = nullptr;
};

// The `race` command as `mmtutor-cli run` executes it: the block's `order`,
// then the default schedule (the CPUs take turns, a waiting CPU is passed
// over). A CPU the order names while it waits spins for that step. Returns
// the block's outcome; `holders` gets the references taken, by handle name.
Outcome run_race(Kernel& k, const RaceBlock& block, std::vector<std::pair<std::string, HolderId>>* holders);

} // namespace mmt
