#include "explore.h"

#include "fault.h"
#include "invariants.h"
#include "kernel.h"
#include "race.h"
#include "scenario.h"
#include "scenario_runner.h"

#include <memory>
#include <unordered_map>

namespace mmt {

namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xbf58476d1ce4e5b9ull;
}

// What the schedules below one state add up to. Computed as if no invariant
// broke on the way there: when one did, every schedule below breaks.
// The probe at the end of a schedule depends on the end state alone, so its
// counts need no such correction, except for how many of the schedules it
// fails break no invariant.
struct Summary {
    uint64_t total = 0, breaking = 0, stuck = 0, edges = 0;
    uint64_t incoherent = 0, incoherent_unbroken = 0;
    uint32_t shortest_any = kNone;        // steps of the shortest schedule from here
    uint32_t shortest_break = kNone;      // ... of the shortest breaking one
    uint32_t shortest_incoherent = kNone; // ... of the shortest one the probe fails
    int8_t choice_any = -1, choice_break = -1, choice_incoherent = -1;
};

class Explorer {
public:
    Explorer(Interleavable& s, const ExploreOptions& o) : s_(s), options_(o) {}

    ExploreResult run() {
        Summary root = visit(false);
        ExploreResult r;
        r.interleavings = root.total;
        r.breaking = root.breaking;
        r.stuck = root.stuck;
        r.steps_run = steps_run_;
        r.steps_unpruned = root.edges;
        r.states = memo_.size();
        r.incoherent = root.incoherent;
        r.incoherent_unbroken = root.incoherent_unbroken;
        r.probes = probes_;
        r.shortest = options_.prune ? reconstruct(root, false) : best_;
        r.shortest_incoherent = options_.prune ? reconstruct(root, true) : best_incoherent_;
        return r;
    }

private:
    // `broken`: an invariant broke on the way here (used only without pruning,
    // to keep the shortest breaking path as it is found).
    Summary visit(bool broken) {
        uint64_t key = 0;
        if (options_.prune) {
            key = s_.hash();
            if (auto it = memo_.find(key); it != memo_.end())
                return it->second;
        }
        Summary sum;
        if (s_.done()) {
            sum.total = 1;
            sum.shortest_any = 0;
            if (!options_.prune && broken && (best_.empty() || path_.size() < best_.size()))
                best_ = path_;
            ++probes_;
            if (s_.probe()) {
                sum.incoherent = sum.incoherent_unbroken = 1;
                sum.shortest_incoherent = 0;
                if (!options_.prune && (best_incoherent_.empty() || path_.size() < best_incoherent_.size()))
                    best_incoherent_ = path_;
            }
        } else {
            for (int cpu = 0; cpu < 2; ++cpu) {
                if (!s_.can_run(cpu))
                    continue;
                bool breaks = s_.run(cpu);
                ++steps_run_;
                path_.push_back(static_cast<uint8_t>(cpu));
                Summary child = visit(broken || breaks);
                path_.pop_back();
                s_.undo();
                sum.total += child.total;
                sum.stuck += child.stuck;
                sum.edges += 1 + child.edges;
                sum.breaking += breaks ? child.total : child.breaking;
                sum.incoherent += child.incoherent;
                sum.incoherent_unbroken += breaks ? 0 : child.incoherent_unbroken;
                if (child.shortest_incoherent != kNone &&
                    child.shortest_incoherent + 1 < sum.shortest_incoherent) {
                    sum.shortest_incoherent = child.shortest_incoherent + 1;
                    sum.choice_incoherent = static_cast<int8_t>(cpu);
                }
                if (child.shortest_any != kNone && child.shortest_any + 1 < sum.shortest_any) {
                    sum.shortest_any = child.shortest_any + 1;
                    sum.choice_any = static_cast<int8_t>(cpu);
                }
                uint32_t b = breaks ? child.shortest_any : child.shortest_break;
                if (b != kNone && b + 1 < sum.shortest_break) {
                    sum.shortest_break = b + 1;
                    sum.choice_break = static_cast<int8_t>(cpu);
                }
            }
            if (sum.total == 0) { // both CPUs wait: a schedule that cannot finish
                sum.total = sum.stuck = 1;
                sum.shortest_any = 0;
            }
        }
        if (options_.prune)
            memo_.emplace(key, sum);
        return sum;
    }

    // Follows the recorded choices from the start: the shortest breaking
    // schedule until a step breaks, then the shortest completion; or the
    // shortest schedule the probe fails.
    std::vector<uint8_t> reconstruct(const Summary& root, bool incoherent) {
        std::vector<uint8_t> out;
        if ((incoherent ? root.shortest_incoherent : root.shortest_break) == kNone)
            return out;
        Summary at = root;
        bool broken = false;
        while (!s_.done()) {
            int8_t cpu = incoherent ? at.choice_incoherent : broken ? at.choice_any : at.choice_break;
            if (cpu < 0)
                break;
            broken = s_.run(cpu) || broken;
            out.push_back(static_cast<uint8_t>(cpu));
            at = memo_.at(s_.hash());
        }
        for (size_t i = 0; i < out.size(); ++i)
            s_.undo();
        return out;
    }

    Interleavable& s_;
    ExploreOptions options_;
    std::unordered_map<uint64_t, Summary> memo_;
    std::vector<uint8_t> path_, best_, best_incoherent_;
    uint64_t steps_run_ = 0, probes_ = 0;
};

// The engine behind the Interleavable interface. Undo rebuilds: the kernel's
// history can step back but not branch, so the commands before the block are
// run again on a fresh kernel and the schedule replayed (docs/races.md).
class KernelRace : public Interleavable {
public:
    KernelRace(const Scenario& s, Era era, uint32_t index) : scenario_(s), era_(era), index_(index) {
        rebuild();
    }

    bool can_run(int cpu) const override { return race_->can_run(cpu); }
    bool done() const override { return race_->done(); }
    bool run(int cpu) override {
        size_t before = kernel_->violations().size();
        step(cpu);
        path_.push_back(static_cast<uint8_t>(cpu));
        return kernel_->violations().size() > before;
    }
    void undo() override {
        path_.pop_back();
        rebuild();
    }
    uint64_t hash() const override { return mix(state_hash(kernel_->state()), race_->hash()); }
    bool probe() override { return probe_pins(nullptr); }
    // Race::whole_writer in any schedule run so far.
    const char* whole_writer() const { return whole_writer_; }

    // The probe at the end of the block: for each live pin (a FOLL_PIN
    // reference that is not released, whose process is alive and still has
    // the address it pinned), the pinning process writes through the pinned
    // address, and on a fresh copy of the state reads it and then writes it
    // (the read maps a swap cache or migrated page read-only, so the write
    // takes do_wp_page: semantics 3.2 B-2). The pin must still refer to the
    // page the process maps there: the test check_coherence makes. `found`
    // gets the first access that separates them. The state is rebuilt
    // afterwards, so it is as before.
    bool probe_pins(PinProbe* found) {
        std::vector<uint32_t> pins;
        for (uint32_t h = 0; h < kernel_->holder_count(); ++h) {
            const Holder& x = kernel_->holder(HolderId(h));
            if (x.kind == HolderKind::pin && !x.released && !x.detached && !kernel_->is_zero_pfn(x.pfn) &&
                kernel_->process(x.process).alive)
                pins.push_back(h);
        }
        bool incoherent = false, changed = false;
        for (uint32_t h : pins) {
            for (bool read_first : {false, true}) {
                if (changed)
                    rebuild();
                changed = true;
                if (!access_separates(HolderId(h), read_first))
                    continue;
                incoherent = true;
                if (found) {
                    const Holder& x = kernel_->holder(HolderId(h));
                    const Vma& vma = kernel_->vma(x.vma);
                    found->holder = kernel_->strings().text(x.name);
                    found->process = kernel_->strings().text(kernel_->process(x.process).name);
                    found->address = kernel_->strings().text(vma.name) + "[" + std::to_string(x.index) + "]";
                    found->read_first = read_first;
                }
                break;
            }
            if (incoherent)
                break;
        }
        if (changed)
            rebuild();
        return incoherent;
    }

private:
    // The pinning process accesses the pinned address as a command of its own
    // would (faults included); true when the pin is then incoherent.
    bool access_separates(HolderId id, bool read_first) {
        const Holder holder = kernel_->holder(id);
        Address a{holder.process, holder.vma, holder.index};
        kernel_->set_check_invariants(false); // only coherence is asked, below
        const uint32_t line = scenario_.commands[index_].loc.line;
        if (read_first) {
            kernel_->begin_command(index_, line);
            uint32_t contents = 0;
            Outcome o = user_read(*kernel_, a, &contents);
            kernel_->end_command(o.failure);
        }
        kernel_->begin_command(index_, line);
        Outcome o = user_write(*kernel_, a, kernel_->strings().intern(kProbeData));
        kernel_->end_command(o.failure);
        const std::string prefix = kernel_->strings().text(holder.name) + " holds ";
        for (const Violation& v : check_coherence(*kernel_))
            if (v.rule == "pin coherence" && v.message.compare(0, prefix.size(), prefix) == 0)
                return true;
        return false;
    }

    void step(int cpu) {
        race_->run(cpu);
        if (!whole_writer_)
            whole_writer_ = race_->whole_writer();
        kernel_->finish_step();
        if (race_->done())
            kernel_->end_command(race_->failure());
    }

    // The commands before the block run again for every backtrack. The
    // first run checks them; later runs skip the checker (which looks at every
    // reference after each command) and take over the first run's breaches,
    // so that none of them is reported again as the race's.
    void rebuild() {
        RunOptions options;
        options.stop_before = index_;
        options.check_invariants = !prefix_violations_;
        RunResult prefix = run_scenario(scenario_, era_, options);
        kernel_ = std::move(prefix.kernel);
        if (prefix_violations_) {
            kernel_->set_check_invariants(true);
            for (const Violation& v : *prefix_violations_)
                kernel_->add_violation(v);
        } else {
            prefix_violations_ = kernel_->violations();
        }
        const Command& c = scenario_.commands[index_];
        kernel_->begin_command(index_, c.loc.line);
        race_ = std::make_unique<Race>(*kernel_, *c.race);
        for (uint8_t cpu : path_)
            step(cpu);
    }

    static uint64_t state_hash(const KernelState& s) {
        uint64_t h = 0;
        for (uint32_t i = 0; i < s.pages.size(); ++i) {
            const Page& p = s.pages[i];
            for (uint32_t f = 0; f < static_cast<uint32_t>(PageField::count_); ++f)
                h = mix(h, p.get(static_cast<PageField>(f)));
        }
        for (uint32_t i = 0; i < s.ptes.size(); ++i)
            h = mix(h, s.ptes[i]);
        for (uint32_t i = 0; i < s.pmds.size(); ++i)
            h = mix(h, s.pmds[i]);
        for (uint32_t i = 0; i < s.vma_pages.size(); ++i)
            h = mix(h, s.vma_pages[i]);
        for (uint32_t i = 0; i < s.processes.size(); ++i) {
            const Process& p = s.processes[i];
            h = mix(h, p.name);
            for (uint32_t f = 0; f < static_cast<uint32_t>(ProcessField::count_); ++f)
                h = mix(h, p.get(static_cast<ProcessField>(f)));
        }
        for (uint32_t i = 0; i < s.vmas.size(); ++i)
            h = mix(mix(mix(mix(h, s.vmas[i].name), s.vmas[i].process.value), s.vmas[i].first_pmd),
                    s.vmas[i].has_anon_vma);
        for (uint32_t i = 0; i < s.swap_slots.size(); ++i)
            for (uint32_t f = 0; f < static_cast<uint32_t>(SwapField::count_); ++f)
                h = mix(h, s.swap_slots[i].get(static_cast<SwapField>(f)));
        for (uint32_t i = 0; i < s.holders.size(); ++i) {
            const Holder& x = s.holders[i];
            h = mix(
                mix(mix(mix(h, x.name), uint64_t(x.kind) | uint64_t(x.write) << 8 | uint64_t(x.fast) << 16),
                    x.pfn.value),
                uint64_t(x.released) | uint64_t(x.detached) << 8);
        }
        return h;
    }

    const Scenario& scenario_;
    Era era_;
    uint32_t index_;
    std::unique_ptr<Kernel> kernel_;
    std::unique_ptr<Race> race_;
    std::vector<uint8_t> path_;
    const char* whole_writer_ = nullptr;
    std::optional<std::vector<Violation>> prefix_violations_;
};

} // namespace

ExploreResult explore(Interleavable& system, const ExploreOptions& options) {
    return Explorer(system, options).run();
}

SyntheticRace::SyntheticRace(uint32_t m, uint32_t n, uint32_t early_step, uint32_t late_step)
    : length_{m, n}, early_(early_step), late_(late_step) {}

bool SyntheticRace::run(int cpu) {
    history_.emplace_back(static_cast<uint8_t>(cpu), reg_);
    // Register updates that do not commute: interleavings meet in some states only.
    reg_ = cpu == 0 ? (reg_ + 1) % 5 : (reg_ * 2 + 1) % 5;
    bool breaks = cpu == 1 && position_[1] + 1 == late_ && position_[0] >= early_;
    ++position_[cpu];
    return breaks;
}

void SyntheticRace::undo() {
    auto [cpu, reg] = history_.back();
    history_.pop_back();
    --position_[cpu];
    reg_ = reg;
}

uint64_t SyntheticRace::hash() const {
    return (uint64_t(position_[0]) << 40) | (uint64_t(position_[1]) << 8) | reg_;
}

uint32_t first_race_command(const Scenario& scenario) {
    for (uint32_t i = 0; i < scenario.commands.size(); ++i)
        if (scenario.commands[i].kind == CommandKind::race)
            return i;
    return UINT32_MAX;
}

RaceExploreReport explore_race(const Scenario& scenario, Era era, uint32_t race_command,
                               const ExploreOptions& options) {
    KernelRace system(scenario, era, race_command);
    RaceExploreReport report;
    report.result = explore(system, options);
    report.race_line = scenario.commands[race_command].loc.line;
    report.whole_writer = system.whole_writer();
    for (uint8_t cpu : report.result.shortest)
        report.order += char('0' + cpu);
    for (uint8_t cpu : report.result.shortest_incoherent)
        report.incoherent_order += char('0' + cpu);
    if (!report.result.shortest_incoherent.empty()) {
        // What the probe did at the end of that schedule, for the report.
        KernelRace replay(scenario, era, race_command);
        for (uint8_t cpu : report.result.shortest_incoherent)
            replay.run(cpu);
        PinProbe found;
        if (replay.probe_pins(&found))
            report.probe = found;
    }
    return report;
}

} // namespace mmt
