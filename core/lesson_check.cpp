// The lesson checker. One run of the lesson's scenario answers every
// checkpoint: the kernel's history is rewound to just before and just after
// each step's command and the state is read there, the way the runner reads
// it for the matching `expect` line.
#include "lesson_check.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "era_policy.h"
#include "invariants.h"

namespace mmt {

namespace {

std::string yes_no(bool b) {
    return b ? "yes" : "no";
}

std::string unquote(const std::string& v) {
    std::string out;
    for (size_t i = 1; i + 1 < v.size(); ++i) {
        if (v[i] == '\\' && i + 2 < v.size())
            ++i;
        out += v[i];
    }
    return out;
}

struct Resolved {
    VmaId vma;
    uint32_t index = 0;
    std::string error; // empty when resolved
};

// Resolves `P buf[i]` in the state the kernel's cursor is at.
Resolved resolve_address(const Kernel& k, const LessonAddress& a) {
    Resolved r;
    auto process = k.find_process(a.process);
    if (!process) {
        r.error = "there is no process " + a.process;
        return r;
    }
    auto vma = k.find_vma(*process, a.vma);
    if (!vma) {
        r.error = "process " + a.process + " has no VMA " + a.vma;
        return r;
    }
    if (a.index >= k.vma(*vma).npages) {
        r.error = a.vma + " has " + std::to_string(k.vma(*vma).npages) + " pages, so " + a.vma + "[" +
                  std::to_string(a.index) + "] is outside it";
        return r;
    }
    r.vma = *vma;
    r.index = a.index;
    return r;
}

std::string address_text(const LessonAddress& a) {
    return a.process + " " + a.vma + "[" + std::to_string(a.index) + "]";
}

std::string page_text(const Kernel& k, Pfn p) {
    return p.value ? k.page_name(p) : std::string("no page");
}

// PageAnonExclusive as `expect P A exclusive` reads it: the head of a
// PMD-mapped THP, the exclusive bit of a swap entry, else the page the entry
// stands for.
std::optional<bool> exclusive_at(const Kernel& k, VmaId vma, uint32_t index) {
    Pmd pmd = k.pmd(vma, index / kPagesPerPmd);
    if (pmd.is_trans_huge())
        return k.PageAnonExclusive(pmd.head());
    Pte pte = k.pte(vma, index);
    if (pte.is_swap_entry())
        return pte.has(Pte::swp_exclusive);
    Pfn page = resolve_page(k, vma, index);
    if (page.value == 0)
        return std::nullopt;
    return k.PageAnon(page) && k.PageAnonExclusive(page);
}

EngineAnswer no_answer(std::string why) {
    return EngineAnswer{std::nullopt, std::move(why)};
}

// Replays the command one kernel step at a time and notes each kind the
// entry at the address takes (the first is the kind before the command).
EngineAnswer entry_during(Kernel& k, const CommandRecord& record, const Checkpoint& c) {
    std::vector<std::string> kinds;
    for (uint32_t s = record.step_begin; s <= record.step_end; ++s) {
        k.seek(s);
        Resolved r = resolve_address(k, c.address);
        std::string kind = r.error.empty() ? observed_pte_kind(k, r.vma, r.index) : "none";
        if (kinds.empty() || kinds.back() != kind)
            kinds.push_back(kind);
    }
    std::string history;
    for (const std::string& kind : kinds)
        history += (history.empty() ? "" : ", ") + kind;
    const std::string where = address_text(c.address);
    if (c.ask == CheckpointAsk::entry_history)
        return {quote_string(history), where + " goes through " + history};
    auto migration = std::find_if(kinds.begin(), kinds.end(),
                                  [](const std::string& kind) { return kind.starts_with("migration-"); });
    if (migration == kinds.end())
        return {"none", where + " holds no migration entry during the command (" + history + ")"};
    return {*migration, where + " goes through " + history};
}

} // namespace

bool choice_matches(CheckpointAsk ask, const std::string& choice, const std::string& engine_value) {
    if (ask == CheckpointAsk::read || ask == CheckpointAsk::entry_history)
        return choice.size() >= 2 && unquote(choice) == unquote(engine_value);
    if (ask == CheckpointAsk::refcount || ask == CheckpointAsk::mapcount) {
        long a = -1, b = -2;
        std::from_chars(choice.data(), choice.data() + choice.size(), a);
        std::from_chars(engine_value.data(), engine_value.data() + engine_value.size(), b);
        return a == b;
    }
    return choice == engine_value;
}

EngineAnswer engine_answer(Kernel& k, const CommandRecord& record, const Checkpoint& c) {
    struct AtEnd {
        Kernel& k;
        ~AtEnd() { k.seek(static_cast<uint32_t>(k.steps().size())); }
    } at_end{k};
    switch (c.ask) {
    case CheckpointAsk::outcome:
        return {record.failure ? "failed" : "ok",
                record.failure ? std::string("the command ends failed: ") + record.failure
                               : "the command ends ok"};
    case CheckpointAsk::read:
        if (!record.value)
            return no_answer(std::string("the command read nothing (it ended ") +
                             (record.failure ? std::string("failed: ") + record.failure : "ok") + ")");
        return {quote_string(k.strings().text(*record.value)),
                "the command reads " + quote_string(k.strings().text(*record.value))};
    default:
        break;
    }
    if (c.ask == CheckpointAsk::exclusive && !k.policy().has_anon_exclusive())
        return no_answer(std::string("era ") + era_letter(k.era()) +
                         " has no PG_anon_exclusive: an `exclusive` checkpoint needs era c");
    if (c.ask == CheckpointAsk::migration_entry || c.ask == CheckpointAsk::entry_history)
        return entry_during(k, record, c);
    Pfn before;
    if (c.ask == CheckpointAsk::copies) {
        k.seek(record.step_begin);
        Resolved r = resolve_address(k, c.address);
        if (r.error.empty())
            before = resolve_page(k, r.vma, r.index);
    }
    k.seek(record.step_end);
    Resolved a = resolve_address(k, c.address);
    if (!a.error.empty())
        return no_answer("after the command, " + a.error);
    const std::string where = address_text(c.address);
    switch (c.ask) {
    case CheckpointAsk::pte: {
        std::string kind = observed_pte_kind(k, a.vma, a.index);
        return {kind, where + " is " + kind};
    }
    case CheckpointAsk::exclusive: {
        auto e = exclusive_at(k, a.vma, a.index);
        if (!e)
            return no_answer("after the command, " + where + " maps no page");
        return {yes_no(*e), "the page of " + where + " is " + (*e ? "exclusive" : "not exclusive (shared)")};
    }
    case CheckpointAsk::copies: {
        Pfn after = resolve_page(k, a.vma, a.index);
        bool copies = before.value != 0 && after != before;
        return {yes_no(copies),
                where + " maps " + page_text(k, before) + " before and " + page_text(k, after) + " after"};
    }
    case CheckpointAsk::same_page: {
        Resolved b = resolve_address(k, c.other);
        if (!b.error.empty())
            return no_answer("after the command, " + b.error);
        Pte ta = k.pte(a.vma, a.index), tb = k.pte(b.vma, b.index);
        Pfn pa = resolve_page(k, a.vma, a.index), pb = resolve_page(k, b.vma, b.index);
        bool same = (ta.is_swap_entry() && tb.is_swap_entry() && ta.swap_slot() == tb.swap_slot()) ||
                    (pa.value != 0 && pa == pb);
        return {yes_no(same), where + " maps " + page_text(k, pa) + ", " + address_text(c.other) + " maps " +
                                  page_text(k, pb)};
    }
    case CheckpointAsk::coherent: {
        auto h = k.find_holder(c.holder);
        if (!h)
            return no_answer("after the command, there is no reference " + c.holder);
        const Holder& holder = k.holder(*h);
        Pfn mapped = resolve_page(k, a.vma, a.index);
        bool coherent = !holder.released && mapped == holder.pfn;
        return {yes_no(coherent), holder.released ? c.holder + " was released"
                                                  : c.holder + " holds " + page_text(k, holder.pfn) + ", " +
                                                        where + " maps " + page_text(k, mapped)};
    }
    default:
        break;
    }
    Pfn page = resolve_page(k, a.vma, a.index);
    if (page.value == 0)
        return no_answer("after the command, " + where + " maps no page");
    switch (c.ask) {
    case CheckpointAsk::pinned: {
        bool pinned = k.folio_maybe_dma_pinned(page);
        return {yes_no(pinned), page_text(k, page) + " has page_count " + std::to_string(k.page_count(page)) +
                                    (pinned ? ": maybe DMA-pinned" : ": not pinned")};
    }
    case CheckpointAsk::refcount:
        return {std::to_string(k.page_count(page)),
                page_text(k, page) + " has page_count " + std::to_string(k.page_count(page))};
    case CheckpointAsk::mapcount:
        return {std::to_string(k.page_mapcount(page)),
                page_text(k, page) + " has page_mapcount " + std::to_string(k.page_mapcount(page))};
    default:
        break;
    }
    return no_answer("unknown question");
}

namespace {

class Checker {
public:
    explicit Checker(const Lesson& lesson) : lesson_(lesson) {}

    LessonCheck run();

private:
    void problem(uint32_t line, std::string message) {
        out_.problems.push_back({lesson_.file, line, 0, std::move(message)});
    }
    void check_expectations(const Scenario& scenario, const RunResult& run);
    void check_violations(const Scenario& scenario, const RunResult& run, const char* what);
    void check_step(Kernel& k, const LessonStep& step, const CommandRecord& record);
    void check_highlight(Kernel& k, const Highlight& h, const CommandRecord& record);
    void check_try();

    const Lesson& lesson_;
    LessonCheck out_;
    bool coherence_seen_ = false;
    bool flush_off_seen_ = false;
};

void Checker::check_expectations(const Scenario& scenario, const RunResult& run) {
    for (const ExpectationResult& e : run.expectations)
        if (!e.passed)
            problem(e.line, "`" + scenario.commands[e.command_index].source + "`: expected " + e.expected +
                                ", got " + e.got);
}

// Invariant breaches are always problems. Coherence breaches (a reference
// and its process on different pages: how the era a/b bugs show) are
// problems unless the lesson says it shows one.
void Checker::check_violations(const Scenario& scenario, const RunResult& run, const char* what) {
    const Kernel& k = *run.kernel;
    // Where the first race block with `flush off` starts: from there on, a
    // lesson that says so shows what the kernel's flush prevents.
    uint32_t flush_off_begin = UINT32_MAX;
    for (size_t c = 0; c < scenario.commands.size() && c < run.record_of.size(); ++c) {
        const Command& command = scenario.commands[c];
        if (command.kind == CommandKind::race && command.race && !command.race->flush && run.record_of[c] >= 0)
            flush_off_begin = std::min(flush_off_begin, k.commands()[run.record_of[c]].step_begin);
    }
    for (const Violation& v : k.violations()) {
        const CommandRecord& r = k.commands()[k.steps()[v.step].command];
        if (v.step >= flush_off_begin) {
            flush_off_seen_ = true;
            if (lesson_.shows_flush_off_breach)
                continue;
        }
        if (v.kind == "coherence") {
            coherence_seen_ = true;
            if (lesson_.shows_coherence_breach)
                continue;
        }
        problem(r.line, std::string(what) + " breaks " + v.kind + " rule " + v.rule + " in era " +
                            era_letter(run.era) + ": " + v.message);
    }
}

void Checker::check_highlight(Kernel& k, const Highlight& h, const CommandRecord& record) {
    if (h.kind == HighlightKind::function) {
        for (uint32_t s = record.step_begin; s < record.step_end; ++s) {
            const std::string path = k.step_path(s);
            size_t at = 0;
            while ((at = path.find(h.name, at)) != std::string::npos) {
                size_t end = at + h.name.size();
                bool starts = at == 0 || path[at - 1] == ' ';
                bool ends = end == path.size() || path[end] == ' ';
                if (starts && ends)
                    return;
                at = end;
            }
        }
        problem(h.line,
                "highlight `function " + h.name + "`: no kernel step of this command runs in " + h.name);
        return;
    }
    std::string error;
    for (uint32_t cursor : {record.step_end, record.step_begin}) {
        k.seek(cursor);
        error.clear();
        if (h.kind == HighlightKind::holder) {
            if (!k.find_holder(h.name))
                error = "there is no reference " + h.name + " before or after this command";
        } else if (h.kind == HighlightKind::process || h.kind == HighlightKind::vma) {
            auto p = k.find_process(h.address.process);
            if (!p)
                error = "there is no process " + h.address.process + " before or after this command";
            else if (h.kind == HighlightKind::vma && !k.find_vma(*p, h.address.vma))
                error = "process " + h.address.process + " has no VMA " + h.address.vma;
        } else {
            Resolved r = resolve_address(k, h.address);
            error = r.error;
            if (error.empty() && h.kind == HighlightKind::page && resolve_page(k, r.vma, r.index).value == 0)
                error = address_text(h.address) + " maps no page before or after this command";
            if (error.empty() && h.kind == HighlightKind::swap && !k.pte(r.vma, r.index).is_swap_entry())
                error = address_text(h.address) + " has no swap entry before or after this command";
        }
        if (error.empty())
            break;
    }
    k.seek(static_cast<uint32_t>(k.steps().size()));
    if (!error.empty())
        problem(h.line, "highlight `" + h.text + "`: " + error);
}

void Checker::check_step(Kernel& k, const LessonStep& step, const CommandRecord& record) {
    for (const Highlight& h : step.highlights)
        check_highlight(k, h, record);
    for (const Checkpoint& c : step.checkpoints) {
        EngineAnswer answer = engine_answer(k, record, c);
        const std::string asked = "checkpoint `" + std::string(checkpoint_ask_name(c.ask)) +
                                  (c.subject.empty() ? "" : " " + c.subject) + "`";
        if (!answer.value)
            problem(c.line, asked + " cannot be answered: " + answer.detail);
        else if (!choice_matches(c.ask, c.answer.value, *answer.value))
            problem(c.line, asked + ": the lesson's answer is " + c.answer.value + ", but the engine says " +
                                *answer.value + " (" + answer.detail + ")");
    }
}

void Checker::check_try() {
    const Scenario& sc = *lesson_.try_scenario.parsed;
    RunResult run = run_scenario(sc, sc.era.value_or(Era::c));
    bool any = std::any_of(sc.commands.begin(), sc.commands.end(),
                           [](const Command& c) { return is_expectation(c.kind); });
    if (!any)
        problem(lesson_.try_scenario.line, "the try-it-yourself scenario has no expect line to check");
    check_expectations(sc, run);
    check_violations(sc, run, "the try-it-yourself scenario");
}

LessonCheck Checker::run() {
    const uint32_t steps = static_cast<uint32_t>(lesson_.steps.size());
    if (steps < kMinLessonSteps || steps > kMaxLessonSteps)
        problem(lesson_.steps.empty() ? 1 : lesson_.steps.front().line,
                "a lesson has " + std::to_string(kMinLessonSteps) + " to " + std::to_string(kMaxLessonSteps) +
                    " steps, this one " + std::to_string(steps));
    if (lesson_.checkpoint_count() < kMinLessonCheckpoints)
        problem(lesson_.steps.empty() ? 1 : lesson_.steps.front().line,
                "a lesson has at least " + std::to_string(kMinLessonCheckpoints) + " checkpoints, this one " +
                    std::to_string(lesson_.checkpoint_count()));
    if (!lesson_.scenario.parsed || !lesson_.try_scenario.parsed) {
        problem(1, "the lesson did not parse; nothing was run");
        return std::move(out_);
    }
    const Scenario& sc = *lesson_.scenario.parsed;
    RunResult run = run_scenario(sc, lesson_.era());
    check_expectations(sc, run);
    check_violations(sc, run, "the scenario");
    Kernel& k = *run.kernel;
    for (const LessonStep& step : lesson_.steps) {
        if (step.command_index >= run.record_of.size() || run.record_of[step.command_index] < 0)
            continue;
        check_step(k, step, k.commands()[run.record_of[step.command_index]]);
    }
    check_try();
    if (lesson_.shows_coherence_breach && !coherence_seen_)
        problem(lesson_.breaches_line,
                "the lesson says it shows a coherence breach, but neither of its scenarios has one");
    if (lesson_.shows_flush_off_breach && !flush_off_seen_)
        problem(lesson_.breaches_line, "the lesson says a race block with `flush off` breaks an invariant, but "
                                       "no such block breaks one");
    std::stable_sort(out_.problems.begin(), out_.problems.end(),
                     [](const LessonProblem& a, const LessonProblem& b) { return a.line < b.line; });
    out_.run = std::move(run);
    return std::move(out_);
}

} // namespace

LessonCheck check_lesson(const Lesson& lesson) {
    return Checker(lesson).run();
}

std::vector<LessonProblem> check_lesson_set(const std::vector<Lesson>& lessons) {
    std::vector<LessonProblem> problems;
    for (size_t i = 0; i < lessons.size(); ++i) {
        const Lesson& l = lessons[i];
        const std::string name = std::filesystem::path(l.file).filename().string();
        const std::string expected_suffix = "-" + l.id + ".lesson";
        if (name.size() < 3 || name.substr(2) != expected_suffix)
            problems.push_back(
                {l.file, l.id_line, 0,
                 "a lesson with id " + l.id + " is named NN" + expected_suffix + ", not " + name});
        for (size_t j = 0; j < i; ++j)
            if (lessons[j].id == l.id)
                problems.push_back(
                    {l.file, l.id_line, 0, "id " + l.id + " is also the id of " + lessons[j].file});
        for (const std::string& p : l.prerequisites) {
            auto it =
                std::find_if(lessons.begin(), lessons.end(), [&](const Lesson& o) { return o.id == p; });
            if (it == lessons.end())
                problems.push_back(
                    {l.file, l.prerequisites_line, 0, "prerequisite " + p + " is not a lesson here"});
            else if (it - lessons.begin() >= static_cast<std::ptrdiff_t>(i))
                problems.push_back(
                    {l.file, l.prerequisites_line, 0,
                     "prerequisite " + p + " must come before this lesson (" + it->file + ")"});
        }
    }
    return problems;
}

} // namespace mmt
