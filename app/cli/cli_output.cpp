#include "cli_output.h"

#include <functional>
#include <iostream>
#include <sstream>

#include "era_policy.h"
#include "json_writer.h"
#include "scenario.h"
#include "scenario_runner.h"
#include "invariants.h"

#include <unordered_map>

namespace mmt {

namespace {

std::string outcome_text(const CommandRecord& r) {
    return r.failure ? std::string("failed: ") + r.failure : "ok";
}

void print_errors(const std::vector<ScenarioError>& errors) {
    for (const ScenarioError& e : errors)
        std::cerr << e.format() << "\n";
    std::cerr << errors.size() << (errors.size() == 1 ? " error" : " errors") << ": nothing ran\n";
}

void write_steps_json(JsonWriter& j, const Kernel& k, const CommandRecord& r) {
    j.key("kernel_steps").begin_array();
    for (uint32_t s = r.step_begin; s < r.step_end; ++s) {
        j.begin_object();
        j.key("index").value(int64_t(s));
        j.key("cpu").value(int64_t(k.steps()[s].cpu));
        j.key("function").value(k.step_path(s));
        j.key("why").value(k.step_sentence(s));
        j.key("changes").begin_array();
        for (const std::string& c : k.step_changes(s))
            j.value(c);
        j.end_array();
        j.end_object();
    }
    j.end_array();
}

void write_run_json(JsonWriter& j, const Scenario& sc, const RunResult& run) {
    const Kernel& k = *run.kernel;
    j.key("era").value(std::string(1, era_letter(run.era)));
    j.key("kernel").value(k.policy().kernel_version());
    j.key("steps").begin_array();
    for (uint32_t i = 0; i < sc.commands.size(); ++i) {
        int32_t rec = run.record_of[i];
        if (rec < 0)
            continue;
        const CommandRecord& r = k.commands()[rec];
        j.begin_object();
        j.key("line").value(int64_t(r.line));
        j.key("command").value(sc.commands[i].source);
        // `expect read` is an expectation that is also a user load: its
        // faults are kernel steps like any command's.
        j.key("expectation").value(is_expectation(sc.commands[i].kind));
        j.key("outcome").value(outcome_text(r));
        if (r.value)
            j.key("value").value(k.strings().text(*r.value));
        write_steps_json(j, k, r);
        j.end_object();
    }
    j.end_array();
    j.key("expectations").begin_object();
    j.key("passed").value(int64_t(run.passed()));
    j.key("failed").value(int64_t(run.failed()));
    j.key("failures").begin_array();
    for (const ExpectationResult& e : run.expectations) {
        if (e.passed)
            continue;
        j.begin_object();
        j.key("line").value(int64_t(e.line));
        j.key("expectation").value(sc.commands[e.command_index].source);
        j.key("expected").value(e.expected);
        j.key("got").value(e.got);
        j.end_object();
    }
    j.end_array();
    j.end_object();
    j.key("violations").begin_array();
    for (const Violation& v : k.violations()) {
        j.begin_object();
        j.key("step").value(int64_t(v.step));
        j.key("line").value(int64_t(k.commands()[k.steps()[v.step].command].line));
        j.key("kind").value(v.kind);
        j.key("rule").value(v.rule);
        j.key("message").value(v.message);
        j.end_object();
    }
    j.end_array();
}

void print_trace(const std::string& file, const Scenario& sc, const RunResult& run) {
    const Kernel& k = *run.kernel;
    std::cout << "# Each command, then its kernel steps: the call path, what the kernel decided and why, and under "
                 "it what changed.\n"
                 "# Entry bits: D dirty, Y young (accessed), SD soft-dirty, X exclusive (kept in a swap entry). "
                 "Temporary refs are\n"
                 "# references that kernel code in progress holds; they are part of the refcount.\n";
    for (uint32_t i = 0; i < sc.commands.size(); ++i) {
        int32_t rec = run.record_of[i];
        if (rec < 0)
            continue;
        const CommandRecord& r = k.commands()[rec];
        std::cout << file << ":" << r.line << ": " << sc.commands[i].source << "  => " << outcome_text(r);
        if (r.value)
            std::cout << " (read " << quote_string(k.strings().text(*r.value)) << ")";
        std::cout << "\n";
        std::string last_path;
        for (uint32_t s = r.step_begin; s < r.step_end;) {
            std::string path = k.step_path(s);
            if (path != last_path)
                std::cout << "    " << path << "\n";
            last_path = path;
            // The same step once per PTE or page (fork, mprotect, zap over a
            // range) is said once, its changes together.
            const std::string sentence = k.step_sentence(s);
            uint32_t end = s + 1;
            while (end < r.step_end && k.step_path(end) == path && k.step_sentence(end) == sentence)
                ++end;
            if (end - s < 3)
                end = s + 1;
            std::cout << "      - " << sentence;
            if (end - s > 1)
                std::cout << "  [×" << (end - s) << ", one after another]";
            std::cout << "\n";
            for (const std::string& c : k.steps_changes(s, end))
                std::cout << "          " << c << "\n";
            for (const Violation& v : k.violations())
                if (v.step >= s && v.step < end)
                    std::cout << "      !! " << v.kind << " (" << v.rule << "): " << v.message << "\n";
            s = end;
        }
    }
}

void print_summary(const std::string& file, const Scenario& sc, const RunResult& run, bool trace) {
    const Kernel& k = *run.kernel;
    if (!trace) {
        for (uint32_t i = 0; i < sc.commands.size(); ++i) {
            int32_t rec = run.record_of[i];
            if (rec < 0 || is_expectation(sc.commands[i].kind))
                continue;
            const CommandRecord& r = k.commands()[rec];
            if (r.value)
                std::cout << file << ":" << r.line << ": " << sc.commands[i].source << " => "
                          << quote_string(k.strings().text(*r.value)) << "\n";
            else if (r.failure)
                std::cout << file << ":" << r.line << ": " << sc.commands[i].source << " => failed: " << r.failure
                          << "\n";
        }
        for (const Violation& v : k.violations())
            std::cout << file << ":" << k.commands()[k.steps()[v.step].command].line << ": " << v.kind << " ("
                      << v.rule << "): " << v.message << "\n";
    }
    for (const ExpectationResult& e : run.expectations)
        if (!e.passed)
            std::cout << file << ":" << e.line << ": expected " << e.expected << ", got " << e.got << "\n";
    std::cout << "era " << era_letter(run.era) << " (" << k.policy().kernel_version() << "): " << k.commands().size()
              << " commands, " << k.steps().size() << " kernel steps, " << k.violations().size()
              << " violations\n";
    std::cout << "expectations: " << run.passed() << " passed, " << run.failed() << " failed\n";
}

struct Divergence {
    bool found = false;
    uint32_t line = 0;
    std::string command;
    std::string left, right;  // "path: sentence"
};

// What a user of the scenario can observe, independent of the era: every
// entry's kind, which entries share a page (pages numbered in order of first
// appearance, since frame numbers differ between runs), the data, and what
// each holder holds. PG_anon_exclusive is left out: eras a and b have none.
std::string observable_state(Kernel& k, uint32_t step) {
    k.seek(step);
    std::unordered_map<uint32_t, uint32_t> canonical;
    auto page_id = [&](Pfn p) -> std::string {
        if (p.value == 0)
            return "-";
        auto [it, inserted] = canonical.try_emplace(p.value, static_cast<uint32_t>(canonical.size()));
        std::string id = "#";
        id += std::to_string(it->second);
        id += '=';
        id += k.strings().text(k.page(p).contents);
        return id;
    };
    std::string out;
    for (uint32_t v = 0; v < k.vma_count(); ++v) {
        const Vma& vma = k.vma(VmaId(v));
        if (!k.process(vma.process).alive)
            continue;
        for (uint32_t i = 0; i < vma.npages; ++i) {
            std::string kind = observed_pte_kind(k, VmaId(v), i);
            if (kind == "none")
                continue;
            out += k.address_name(VmaId(v), i) + ":" + kind + ":" + page_id(resolve_page(k, VmaId(v), i)) + ";";
        }
    }
    for (uint32_t h = 0; h < k.holder_count(); ++h) {
        const Holder& holder = k.holder(HolderId(h));
        out += k.strings().text(holder.name);
        if (holder.released) {
            out += ":released;";
        } else {
            out += ':';
            out += page_id(holder.pfn);
            out += ';';
        }
    }
    return out;
}

Divergence first_divergence(const Scenario& sc, RunResult& x, RunResult& y) {
    Divergence d;
    Kernel& kx = *x.kernel;
    Kernel& ky = *y.kernel;
    for (uint32_t i = 0; i < sc.commands.size(); ++i) {
        int32_t rx = x.record_of[i], ry = y.record_of[i];
        if (rx < 0 || ry < 0)
            continue;
        const CommandRecord cx = kx.commands()[rx];
        const CommandRecord cy = ky.commands()[ry];
        bool same_outcome = (cx.failure == nullptr) == (cy.failure == nullptr) && cx.value == cy.value;
        bool same_values = !cx.value || kx.strings().text(*cx.value) == ky.strings().text(*cy.value);
        if (same_outcome && same_values && observable_state(kx, cx.step_end) == observable_state(ky, cy.step_end))
            continue;
        // The eras see different things after this command: show the first
        // step where the kernel took a different path, else the first whose
        // decision reads differently.
        d.found = true;
        d.line = cx.line;
        d.command = sc.commands[i].source;
        uint32_t nx = cx.step_end - cx.step_begin, ny = cy.step_end - cy.step_begin;
        auto text = [](Kernel& k, uint32_t s) { return k.step_path(s) + ": " + k.step_sentence(s); };
        for (bool by_path : {true, false}) {
            for (uint32_t s = 0; s < std::max(nx, ny); ++s) {
                bool differs;
                if (s >= nx || s >= ny)
                    differs = true;
                else if (by_path)
                    differs = kx.step_path(cx.step_begin + s) != ky.step_path(cy.step_begin + s);
                else
                    differs = text(kx, cx.step_begin + s) != text(ky, cy.step_begin + s);
                if (differs) {
                    d.left = s < nx ? text(kx, cx.step_begin + s) : "(no further step)";
                    d.right = s < ny ? text(ky, cy.step_begin + s) : "(no further step)";
                    kx.seek(static_cast<uint32_t>(kx.steps().size()));
                    ky.seek(static_cast<uint32_t>(ky.steps().size()));
                    return d;
                }
            }
        }
        d.left = outcome_text(cx);
        d.right = outcome_text(cy);
        break;
    }
    kx.seek(static_cast<uint32_t>(kx.steps().size()));
    ky.seek(static_cast<uint32_t>(ky.steps().size()));
    return d;
}

} // namespace

namespace {

// The JSON object of a run that did not happen (exit 2): the same keys as a
// run's, empty, and `errors`.
void print_json_not_run(const std::string& file, std::optional<Era> era,
                        const std::function<void(JsonWriter&)>& write_errors) {
    JsonWriter j;
    j.begin_object();
    j.key("file").value(file);
    if (era)
        j.key("era").value(std::string(1, era_letter(*era)));
    j.key("errors").begin_array();
    write_errors(j);
    j.end_array();
    j.key("steps").begin_array().end_array();
    j.key("expectations").begin_object();
    j.key("passed").value(int64_t(0));
    j.key("failed").value(int64_t(0));
    j.key("failures").begin_array().end_array();
    j.end_object();
    j.key("violations").begin_array().end_array();
    j.end_object();
    std::cout << j.str() << "\n";
}

} // namespace

void print_json_errors(const std::string& file, std::optional<Era> era, const std::vector<ScenarioError>& errors) {
    print_json_not_run(file, era, [&](JsonWriter& j) {
        for (const ScenarioError& e : errors) {
            j.begin_object();
            j.key("line").value(int64_t(e.loc.line));
            j.key("column").value(int64_t(e.loc.column));
            j.key("message").value(e.message);
            j.key("text").value(e.format());
            j.end_object();
        }
    });
}

void print_json_read_error(const std::string& file, std::optional<Era> era, const std::string& message) {
    print_json_not_run(file, era, [&](JsonWriter& j) {
        j.begin_object();
        j.key("message").value(message);
        j.key("text").value(message);
        j.end_object();
    });
}

int cli_run(const std::string& file, const std::string& text, std::optional<Era> era, const CliOptions& options) {
    ParseResult parsed = parse_scenario(text, file, era);
    if (!parsed.scenario) {
        // With --json the one JSON object still comes, saying why nothing ran.
        if (options.json)
            print_json_errors(file, era, parsed.errors);
        print_errors(parsed.errors);
        return 2;
    }
    const Scenario& sc = *parsed.scenario;
    Era effective = era ? *era : sc.era.value_or(Era::c);
    RunResult run = run_scenario(sc, effective, RunOptions{options.check_invariants});
    if (options.json) {
        JsonWriter j;
        j.begin_object();
        j.key("file").value(file);
        write_run_json(j, sc, run);
        j.end_object();
        std::cout << j.str() << "\n";
    } else {
        if (options.trace)
            print_trace(file, sc, run);
        print_summary(file, sc, run, options.trace);
    }
    return run.failed() == 0 ? 0 : 1;
}

int cli_compare(const std::string& file, const std::string& text, const CliOptions& options) {
    // Parse as era c (where every expectation is meaningful); expectations of
    // PG_anon_exclusive have no meaning in eras a and b and are reported n/a.
    ParseResult parsed = parse_scenario(text, file, Era::c);
    if (!parsed.scenario) {
        if (options.json)
            print_json_errors(file, std::nullopt, parsed.errors);
        print_errors(parsed.errors);
        return 2;
    }
    Scenario sc = *parsed.scenario;
    std::vector<RunResult> runs;
    for (Era e : {Era::a, Era::b, Era::c}) {
        Scenario s = sc;
        if (e != Era::c)
            for (Command& c : s.commands)
                if (c.kind == CommandKind::expect_exclusive || c.kind == CommandKind::expect_shared)
                    c.kind = CommandKind::expect_invariants, c.source = "(n/a) " + c.source;
        runs.push_back(run_scenario(s, e, RunOptions{options.check_invariants}));
    }
    auto result_of = [&](const RunResult& r, uint32_t command) -> std::string {
        for (const ExpectationResult& e : r.expectations)
            if (e.command_index == command) {
                const Command& c = sc.commands[command];
                bool na = r.era != Era::c &&
                          (c.kind == CommandKind::expect_exclusive || c.kind == CommandKind::expect_shared);
                if (na)
                    return "n/a";
                return e.passed ? "pass" : "FAIL (" + e.got + ")";
            }
        return "";
    };
    Divergence ab = first_divergence(sc, runs[0], runs[1]);
    Divergence bc = first_divergence(sc, runs[1], runs[2]);
    Divergence ac = first_divergence(sc, runs[0], runs[2]);
    bool any_failed = false;
    for (const RunResult& r : runs)
        for (const ExpectationResult& e : r.expectations) {
            const Command& c = sc.commands[e.command_index];
            bool na = r.era != Era::c && (c.kind == CommandKind::expect_exclusive || c.kind == CommandKind::expect_shared);
            any_failed = any_failed || (!e.passed && !na);
        }
    if (options.json) {
        JsonWriter j;
        j.begin_object();
        j.key("file").value(file);
        j.key("eras").begin_array();
        for (const RunResult& r : runs) {
            j.begin_object();
            write_run_json(j, sc, r);
            j.end_object();
        }
        j.end_array();
        j.key("expectations").begin_array();
        for (uint32_t i = 0; i < sc.commands.size(); ++i) {
            if (!is_expectation(sc.commands[i].kind))
                continue;
            j.begin_object();
            j.key("line").value(int64_t(sc.commands[i].loc.line));
            j.key("expectation").value(sc.commands[i].source);
            for (size_t e = 0; e < runs.size(); ++e)
                j.key(std::string(1, era_letter(runs[e].era))).value(result_of(runs[e], i));
            j.end_object();
        }
        j.end_array();
        j.key("divergences").begin_array();
        for (auto [name, d] : {std::pair{"a-b", &ab}, std::pair{"b-c", &bc}, std::pair{"a-c", &ac}}) {
            j.begin_object();
            j.key("eras").value(name);
            j.key("diverge").value(d->found);
            if (d->found) {
                j.key("line").value(int64_t(d->line));
                j.key("command").value(d->command);
                j.key(std::string(1, name[0])).value(d->left);
                j.key(std::string(1, name[2])).value(d->right);
            }
            j.end_object();
        }
        j.end_array();
        j.end_object();
        std::cout << j.str() << "\n";
        return any_failed ? 1 : 0;
    }
    std::cout << "expectations            era a   era b   era c\n";
    for (uint32_t i = 0; i < sc.commands.size(); ++i) {
        if (!is_expectation(sc.commands[i].kind))
            continue;
        std::cout << file << ":" << sc.commands[i].loc.line << ": " << sc.commands[i].source << "\n";
        for (const RunResult& r : runs)
            std::cout << "    era " << era_letter(r.era) << ": " << result_of(r, i) << "\n";
    }
    for (auto [name, d] : {std::pair{"a and b", &ab}, std::pair{"b and c", &bc}, std::pair{"a and c", &ac}}) {
        if (!d->found) {
            std::cout << "eras " << name << " show the same state after every command\n";
            continue;
        }
        std::cout << "eras " << name << " part ways at " << file << ":" << d->line << ": " << d->command << "\n";
        std::cout << "    era " << name[0] << ": " << d->left << "\n";
        std::cout << "    era " << name[6] << ": " << d->right << "\n";
    }
    // An n/a expectation neither passed nor failed: it is counted apart.
    for (const RunResult& r : runs) {
        size_t passed = 0, failed = 0, na = 0;
        for (const ExpectationResult& e : r.expectations) {
            const Command& c = sc.commands[e.command_index];
            if (r.era != Era::c && (c.kind == CommandKind::expect_exclusive || c.kind == CommandKind::expect_shared))
                ++na;
            else
                ++(e.passed ? passed : failed);
        }
        std::cout << "era " << era_letter(r.era) << ": expectations: " << passed << " passed, " << failed
                  << " failed";
        if (na > 0)
            std::cout << ", " << na << " n/a (no PG_anon_exclusive before v5.19)";
        std::cout << "\n";
    }
    return any_failed ? 1 : 0;
}

} // namespace mmt
