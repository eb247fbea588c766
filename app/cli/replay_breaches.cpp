#include "replay_breaches.h"

#include "scenario.h"
#include "scenario_runner.h"

namespace mmt {

namespace {

// The step in [first, v.step] that made the holder named in `v` see its
// address map a page other than the one it holds; v.step if none.
uint32_t remapping_step(const Kernel& k, const Violation& v, uint32_t first) {
    for (uint32_t h = 0; h < k.holder_count(); ++h) {
        const Holder& holder = k.holder(HolderId(h));
        const std::string prefix = k.strings().text(holder.name) + " holds ";
        if (v.message.compare(0, prefix.size(), prefix) != 0)
            continue;
        for (uint32_t step = first; step <= v.step; ++step)
            for (const Change& c : k.step_changes_of(step)) {
                if (c.kind != ChangeKind::pte || !k.pte_slot_owned(c.index) ||
                    k.pte_slot_owner(c.index) != std::pair{holder.vma, holder.index})
                    continue;
                Pte after = Pte::from_raw(c.after());
                if (after.has_pfn() && after.pfn() != holder.pfn)
                    return step;
            }
    }
    return v.step;
}

} // namespace

std::vector<ReplayBreach> replay_breaches(const std::string& text, const std::string& file, Era era,
                                          size_t from_end, const char* kind) {
    std::vector<ReplayBreach> breaches;
    ParseResult parsed = parse_scenario(text, file, era);
    if (!parsed.scenario)
        return breaches;
    RunResult run = run_scenario(*parsed.scenario, era);
    const Kernel& k = *run.kernel;
    if (from_end == 0 || k.commands().size() < from_end)
        return breaches;
    uint32_t first = k.commands()[k.commands().size() - from_end].step_begin;
    for (const Violation& v : k.violations()) {
        if (v.step < first || (kind && v.kind != kind))
            continue;
        uint32_t at = kind ? remapping_step(k, v, first) : v.step;
        breaches.push_back({v, k.step_path(at) + ": " + k.step_sentence(at)});
    }
    return breaches;
}

} // namespace mmt
