#include "explore_replay.h"

#include "scenario.h"

#include <algorithm>
#include <sstream>
#include <vector>

namespace mmt {

std::string order_words(const std::string& digits) {
    size_t group = digits.size() <= 15 ? 1 : std::max<size_t>(5, (digits.size() + 14) / 15);
    std::string out;
    for (size_t i = 0; i < digits.size(); i += group)
        out += (out.empty() ? "" : " ") + digits.substr(i, group);
    return out;
}

namespace {

// The file's lines up to the block's `end`, with the `order` line replaced.
std::string with_order(const std::string& text, uint32_t race_line, uint32_t order_line, uint32_t end_line,
                       const std::string& order, std::string header) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line) && lines.size() < end_line;) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        lines.push_back(line);
    }
    if (lines.empty())
        return {};
    // The order line takes the indentation of the block's first line.
    const std::string& first = race_line < lines.size() ? lines[race_line] : lines.back();
    std::string indent = first.substr(0, first.find_first_not_of(" \t"));
    std::string out = std::move(header);
    for (uint32_t n = 1; n <= lines.size(); ++n) {
        if (n == order_line)
            continue;
        if (n == end_line)
            out += indent + "order " + order_words(order) + "\n";
        out += lines[n - 1] + "\n";
    }
    return out;
}

} // namespace

std::string replay_scenario(const std::string& text, uint32_t race_line, uint32_t order_line,
                            uint32_t end_line, const std::string& order) {
    return with_order(text, race_line, order_line, end_line, order,
                      "# The shortest interleaving that breaks an invariant, found by mmtutor-cli "
                      "explore.\n# Replay it with: mmtutor-cli run FILE --trace (each breach shows at its "
                      "step).\n");
}

std::string probe_commands(const PinProbe& probe) {
    std::string where = probe.process + " " + probe.address;
    return (probe.read_first ? "read " + where + "\n" : std::string()) + "write " + where + " \"" +
           kProbeData + "\"\n";
}

std::string probe_sentence(const PinProbe& probe) {
    return probe.read_first ? probe.process + " reads " + probe.address + ", then writes it"
                            : probe.process + " writes " + probe.address;
}

std::string probe_scenario(const std::string& text, uint32_t race_line, uint32_t order_line,
                           uint32_t end_line, const std::string& order, const PinProbe& probe) {
    std::string out =
        with_order(text, race_line, order_line, end_line, order,
                   "# The shortest interleaving after which a later access by " + probe.process +
                       " separates the pin " + probe.holder + "\n# from what " + probe.process +
                       " maps, found by mmtutor-cli explore. Replay it "
                       "with: mmtutor-cli run FILE --trace\n# (the last expectation fails).\n");
    if (out.empty())
        return out;
    return out + probe_commands(probe) + "expect " + probe.holder + " coherent " + probe.process + " " +
           probe.address + "\n";
}

ExploreFinding explore_first_race(const Scenario& scenario, const std::string& text, Era era) {
    ExploreFinding finding;
    uint32_t index = first_race_command(scenario);
    if (index == UINT32_MAX)
        return finding;
    finding.has_race = true;
    finding.report = explore_race(scenario, era, index);
    if (finding.report.result.breaking > 0) {
        const RaceBlock& block = *scenario.commands[index].race;
        finding.replay = replay_scenario(text, finding.report.race_line, block.order_line, block.end_line,
                                         finding.report.order);
    }
    if (finding.report.probe) {
        const RaceBlock& block = *scenario.commands[index].race;
        finding.incoherent_replay =
            probe_scenario(text, finding.report.race_line, block.order_line, block.end_line,
                           finding.report.incoherent_order, *finding.report.probe);
    }
    return finding;
}

} // namespace mmt
