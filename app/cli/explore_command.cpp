#include "explore_command.h"

#include "explore.h"
#include "explore_replay.h"
#include "json_writer.h"
#include "kernel.h"
#include "scenario.h"
#include "scenario_runner.h"

#include <chrono>
#include <iostream>
#include <sstream>
#include <vector>

namespace mmt {

namespace {

struct Replay {
    std::string text;
    std::vector<Violation> violations;
    std::vector<std::string> where; // the kernel step of each violation: "path: sentence"
};

Replay replay(const std::string& file, const std::string& text, const RaceExploreReport& report,
              const RaceBlock& block, Era era) {
    Replay r;
    r.text = replay_scenario(text, report.race_line, block.order_line, block.end_line, report.order);
    ParseResult parsed = parse_scenario(r.text, file, era);
    if (!parsed.scenario)
        return r;
    RunResult run = run_scenario(*parsed.scenario, era);
    const Kernel& k = *run.kernel;
    for (const Violation& v : k.violations()) {
        if (v.step < k.commands().back().step_begin)
            continue; // only what the race block broke
        r.violations.push_back(v);
        r.where.push_back(k.step_path(v.step) + ": " + k.step_sentence(v.step));
    }
    return r;
}

} // namespace

int cli_explore(const std::string& file, const std::string& text, std::optional<Era> era, bool json) {
    ParseResult parsed = parse_scenario(text, file, era);
    if (!parsed.scenario) {
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
    Replay shortest;
    if (r.breaking > 0)
        shortest = replay(file, text, report, block, effective);

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
        j.key("milliseconds").value(int64_t(ms + 0.5));
        j.key("shortest_breaking");
        if (r.breaking == 0) {
            j.null();
        } else {
            j.begin_object();
            j.key("steps").value(int64_t(r.shortest.size()));
            j.key("order").value(order_words(report.order));
            j.key("violations").begin_array();
            for (size_t i = 0; i < shortest.violations.size(); ++i) {
                j.begin_object();
                j.key("rule").value(shortest.violations[i].rule);
                j.key("message").value(shortest.violations[i].message);
                j.key("at").value(shortest.where[i]);
                j.end_object();
            }
            j.end_array();
            j.key("scenario").value(shortest.text);
            j.end_object();
        }
        j.end_object();
        std::cout << j.str() << "\n";
        return r.breaking ? 1 : 0;
    }

    std::cout << file << ":" << report.race_line << ": race block, era " << era_letter(effective) << ": "
              << r.interleavings << " interleavings of the two CPUs' atomic steps, " << r.breaking
              << " break an invariant\n";
    std::cout << "  explored " << r.states << " distinct states and ran " << r.steps_run
              << " atomic steps; without pruning " << r.steps_unpruned << " (" << ms << " ms)\n";
    if (r.stuck)
        std::cout << "  " << r.stuck << " interleavings end with both CPUs waiting\n";
    if (r.breaking == 0) {
        std::cout << "  every interleaving keeps the invariants\n";
        return 0;
    }
    std::cout << "  shortest breaking interleaving: " << r.shortest.size() << " steps, order "
              << order_words(report.order) << "\n";
    if (!shortest.violations.empty()) {
        const Violation& v = shortest.violations.front();
        std::cout << "  first breach: " << v.kind << " (" << v.rule << "): " << v.message << "\n"
                  << "    at " << shortest.where.front() << "\n";
    }
    std::cout << "--- replayable scenario ---\n" << shortest.text;
    return 1;
}

} // namespace mmt
