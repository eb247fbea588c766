#include "explore_command.h"

#include "cli_output.h"
#include "explore.h"
#include "explore_replay.h"
#include "json_writer.h"
#include "kernel.h"
#include "replay_breaches.h"
#include "scenario.h"

#include <chrono>
#include <iostream>
#include <sstream>
#include <vector>

namespace mmt {

namespace {

struct Replay {
    std::string text;
    std::vector<ReplayBreach> breaches; // what it breaks, each with the step to blame
};

Replay replay(const std::string& file, const std::string& text, const RaceExploreReport& report,
              const RaceBlock& block, Era era) {
    Replay r;
    r.text = replay_scenario(text, report.race_line, block.order_line, block.end_line, report.order);
    r.breaches = replay_breaches(r.text, file, era, 1); // only what the race block broke
    return r;
}

// The shortest interleaving the probe fails, with the probe's access after
// the block: what the access broke is the pin's coherence.
Replay replay_probe(const std::string& file, const std::string& text, const RaceExploreReport& report,
                    const RaceBlock& block, Era era) {
    Replay r;
    r.text = probe_scenario(text, report.race_line, block.order_line, block.end_line, report.incoherent_order,
                            *report.probe);
    r.breaches = replay_breaches(r.text, file, era, report.probe->read_first ? 2 : 1, "coherence");
    return r;
}

void json_violations(JsonWriter& j, const Replay& r) {
    j.key("violations").begin_array();
    for (const ReplayBreach& breach : r.breaches) {
        j.begin_object();
        j.key("rule").value(breach.violation.rule);
        j.key("message").value(breach.violation.message);
        j.key("at").value(breach.where);
        j.end_object();
    }
    j.end_array();
}

} // namespace

int cli_explore(const std::string& file, const std::string& text, std::optional<Era> era, bool json) {
    ParseResult parsed = parse_scenario(text, file, era);
    if (!parsed.scenario) {
        if (json) // the one JSON object still comes, saying why nothing ran
            print_json_errors(file, era, parsed.errors);
        for (const ScenarioError& e : parsed.errors)
            std::cerr << e.format() << "\n";
        std::cerr << parsed.errors.size() << (parsed.errors.size() == 1 ? " error" : " errors")
                  << ": nothing ran\n";
        return 2;
    }
    const Scenario& sc = *parsed.scenario;
    uint32_t index = first_race_command(sc);
    if (index == UINT32_MAX) {
        std::cerr << file << ": error: no race block to explore (race ... end, docs/races.md)\n";
        return 2;
    }
    Era effective = era ? *era : sc.era.value_or(Era::c);
    const RaceBlock& block = *sc.commands[index].race;
    auto t0 = std::chrono::steady_clock::now();
    RaceExploreReport report = explore_race(sc, effective, index);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    const ExploreResult& r = report.result;
    Replay shortest, incoherent;
    if (r.breaking > 0)
        shortest = replay(file, text, report, block, effective);
    if (report.probe)
        incoherent = replay_probe(file, text, report, block, effective);
    const bool found = r.breaking > 0 || r.incoherent > 0;

    if (json) {
        JsonWriter j;
        j.begin_object();
        j.key("file").value(file);
        j.key("era").value(std::string(1, era_letter(effective)));
        j.key("race_line").value(int64_t(report.race_line));
        j.key("interleavings").value(int64_t(r.interleavings));
        j.key("breaking").value(int64_t(r.breaking));
        j.key("stuck").value(int64_t(r.stuck));
        j.key("states").value(int64_t(r.states));
        j.key("steps_run").value(int64_t(r.steps_run));
        j.key("steps_without_pruning").value(int64_t(r.steps_unpruned));
        j.key("incoherent").value(int64_t(r.incoherent));
        j.key("incoherent_without_breach").value(int64_t(r.incoherent_unbroken));
        j.key("end_states_probed").value(int64_t(r.probes));
        j.key("milliseconds").value(int64_t(ms + 0.5));
        j.key("whole_writer");
        if (report.whole_writer)
            j.value(std::string(report.whole_writer));
        else
            j.null();
        j.key("shortest_breaking");
        if (r.breaking == 0) {
            j.null();
        } else {
            j.begin_object();
            j.key("steps").value(int64_t(r.shortest.size()));
            j.key("order").value(order_words(report.order));
            json_violations(j, shortest);
            j.key("scenario").value(shortest.text);
            j.end_object();
        }
        j.key("shortest_incoherent");
        if (!report.probe) {
            j.null();
        } else {
            j.begin_object();
            j.key("steps").value(int64_t(r.shortest_incoherent.size()));
            j.key("order").value(order_words(report.incoherent_order));
            j.key("pin").value(report.probe->holder);
            j.key("process").value(report.probe->process);
            j.key("address").value(report.probe->address);
            j.key("access").value(report.probe->read_first ? "read, write" : "write");
            json_violations(j, incoherent);
            j.key("scenario").value(incoherent.text);
            j.end_object();
        }
        j.end_object();
        std::cout << j.str() << "\n";
        return found ? 1 : 0;
    }

    std::cout << file << ":" << report.race_line << ": race block, era " << era_letter(effective) << ": "
              << r.interleavings << " interleavings of the two CPUs' atomic steps, " << r.breaking
              << " break an invariant, " << r.incoherent << " leave a pin incoherent after a later write\n";
    std::cout << "  explored " << r.states << " distinct states and ran " << r.steps_run
              << " atomic steps; without pruning " << r.steps_unpruned << "; probed " << r.probes
              << " end states (" << ms << " ms)\n";
    if (r.stuck)
        std::cout << "  " << r.stuck << " interleavings end with both CPUs waiting\n";
    if (report.whole_writer)
        std::cout << "  note: a writer ran its whole command as one atomic step (" << report.whole_writer
                  << "): the steps are modelled for an order-0 page mapped by one PTE, so interleavings inside "
                     "that unmap were not explored: a race the kernel allows there would be missing from these counts "
                     "(docs/races.md, \"One PTE\")\n";
    if (!found) {
        std::cout << (report.whole_writer ? "  every explored interleaving" : "  every interleaving")
                  << " keeps the invariants, and every pin stays coherent when its process "
                     "then writes (or reads, then writes) through the pinned address\n";
        return 0;
    }
    // What was found first, then the scenarios that replay it.
    if (r.breaking == 0) {
        std::cout << "  every interleaving keeps the invariants, but " << r.incoherent
                  << " leave a pin incoherent after a later write\n";
    } else {
        std::cout << "  shortest breaking interleaving: " << r.shortest.size() << " steps, order "
                  << order_words(report.order) << "\n";
        if (!shortest.breaches.empty()) {
            const Violation& v = shortest.breaches.front().violation;
            std::cout << "  first breach: " << v.kind << " (" << v.rule << "): " << v.message << "\n"
                      << "    at " << shortest.breaches.front().where << "\n";
        }
        if (report.probe)
            std::cout << "  " << r.incoherent << " interleavings leave a pin incoherent after a later write ("
                      << r.incoherent_unbroken << " of them keep every invariant)\n";
    }
    if (report.probe) {
        std::cout << "  shortest interleaving that leaves a pin incoherent: " << r.shortest_incoherent.size()
                  << " steps, order " << order_words(report.incoherent_order) << "\n";
        std::cout << "  then " << probe_sentence(*report.probe);
        if (!incoherent.breaches.empty()) {
            const Violation& v = incoherent.breaches.front().violation;
            std::cout << ": " << v.kind << " (" << v.rule << "): " << v.message << "\n"
                      << "    at " << incoherent.breaches.front().where << "\n";
        } else {
            std::cout << "\n";
        }
    }
    if (r.breaking > 0)
        std::cout << "--- replayable scenario ---\n" << shortest.text;
    if (report.probe)
        std::cout << "--- replayable scenario (pin left incoherent) ---\n" << incoherent.text;
    return 1;
}

} // namespace mmt
