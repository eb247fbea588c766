// A guided lesson (docs/lesson-format.md): a scenario in the scenario language,
// cut into steps, one per scenario command, each with narration, things to
// highlight and predict-then-reveal checkpoints. This header is the lesson as
// data and its parser; lesson_check.h runs the scenario and holds the author's
// answers against what the engine computes.
//
// Every line number kept here is a line of the .lesson file; the embedded
// scenarios are parsed so that their line numbers are lesson lines too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario.h"

namespace mmt {

enum class LessonLevel : uint8_t { beginner, intermediate, advanced };
enum class LessonStatus : uint8_t { ready, draft };

// What a checkpoint asks about. The engine decides the answer: it runs the
// scenario and reads the state just before and just after the step's command.
enum class CheckpointAsk : uint8_t {
    pte,       // `pte P A`: the PTE kind at A after the command (answers: expect's PTE kinds)
    exclusive, // `exclusive P A`: PageAnonExclusive after, as `expect P A exclusive` reads it (yes/no)
    copies,    // `copies P A`: P maps a different page at A after than before, and had one before (yes/no)
    same_page, // `same-page P A Q B`: both map the same page after the command (yes/no)
    coherent,  // `coherent H P A`: H holds the page P maps at A after the command (yes/no)
    pinned,    // `pinned P A`: folio_maybe_dma_pinned of the page at A after (yes/no)
    refcount,  // `refcount P A`: page_count of the page at A after (a number)
    mapcount,  // `mapcount P A`: page_mapcount of the page at A after (a number)
    read,      // `read`: the value the step's command (read or dma-read) returns (a "string")
    outcome,   // `outcome`: how the step's command ends (ok/failed)
    // What happens inside the command, kernel step by kernel step:
    migration_entry, // `migration-entry P A`: the first migration entry A holds during the command (or none)
    entry_history,   // `entry-history P A`: the kinds A's entry takes, in order ("present-rw, none, swap")
};

// `P buf[0]`: a process and one page of one of its VMAs.
struct LessonAddress {
    std::string process;
    std::string vma;
    uint32_t index = 0;
};

struct CheckpointChoice {
    uint32_t line = 0;
    std::string value;       // as written: `present-ro`, `yes`, `"old"`, `1025`
    std::string explanation; // Markdown
};

struct Checkpoint {
    uint32_t line = 0; // the `@checkpoint` line
    CheckpointAsk ask = CheckpointAsk::outcome;
    std::string subject;                 // the text after the ask word, as written
    LessonAddress address;               // A (every ask but read and outcome; coherent: P A)
    LessonAddress other;                 // same-page: Q B
    std::string holder;                  // coherent: H
    std::string question;                // Markdown
    CheckpointChoice answer;             // the author's answer; `why` is its explanation
    std::vector<CheckpointChoice> wrong; // every other choice, each with why it is wrong
};

enum class HighlightKind : uint8_t {
    process,  // `process P`
    address,  // `P buf[0]`: the page table entry
    vma,      // `P buf`
    page,     // `page of P buf[0]`: the physical page mapped there
    swap,     // `swap of P buf[0]`: the swap slot the entry refers to
    holder,   // `holder H`
    function, // `function do_wp_page`: kernel steps of this command in that function
};

struct Highlight {
    uint32_t line = 0;
    HighlightKind kind = HighlightKind::process;
    std::string text;      // as written after `highlight:`
    LessonAddress address; // process (process, vma), address, vma, page, swap
    std::string name;      // holder H, function NAME
};

struct LessonStep {
    uint32_t line = 0;           // the `@step` line
    uint32_t command_number = 0; // 1-based, counting the scenario's actions (not `era`, not `expect`)
    uint32_t command_index = 0;  // index in Scenario::commands, set once the reference is resolved
    std::string command_text;    // as written after the number
    std::string title;
    std::vector<Highlight> highlights;
    std::string narration;               // Markdown, shown before the command runs
    std::vector<Checkpoint> checkpoints; // asked before the command runs, revealed after
    std::string after;                   // Markdown, shown after the command ran (optional)
};

struct EmbeddedScenario {
    uint32_t line = 0; // the `@scenario` line
    std::string text;  // the scenario, preceded by blank lines so that its line numbers are lesson lines
    std::optional<Scenario> parsed;
};

struct Lesson {
    std::string file;
    std::string id;
    std::string title;
    std::string summary;
    LessonLevel level = LessonLevel::beginner;
    std::vector<std::string> prerequisites; // lesson ids
    uint32_t minutes = 0;
    std::vector<std::string> sources; // "mm/memory.c: do_wp_page, wp_page_copy"
    LessonStatus status = LessonStatus::ready;
    bool shows_coherence_breach = false; // `breaches: coherence`: the lesson demonstrates a bug
    bool shows_flush_off_breach = false; // `breaches: flush-off`: a race block with `flush off` breaks invariants
    uint32_t id_line = 0;
    uint32_t prerequisites_line = 0;
    uint32_t breaches_line = 0;
    std::string intro; // Markdown (optional)
    EmbeddedScenario scenario;
    std::vector<LessonStep> steps;
    uint32_t try_line = 0;  // the `@try` line
    std::string try_prompt; // Markdown
    EmbeddedScenario try_scenario;

    Era era() const { return scenario.parsed && scenario.parsed->era ? *scenario.parsed->era : Era::c; }
    uint32_t checkpoint_count() const;
};

// A problem found in a lesson, at a line of its file.
struct LessonProblem {
    std::string file;
    uint32_t line = 0;
    uint32_t column = 0; // 0: the whole line
    std::string message;
    // "FILE:LINE: MESSAGE", or "FILE:LINE:COLUMN: MESSAGE" inside a scenario
    std::string format() const;
};

struct LessonParseResult {
    std::optional<Lesson> lesson;        // set iff problems is empty
    std::vector<LessonProblem> problems; // in file order
};

// Lesson limits the checker enforces (docs/lesson-format.md).
constexpr uint32_t kMinLessonSteps = 8;
constexpr uint32_t kMaxLessonSteps = 25;
constexpr uint32_t kMinLessonCheckpoints = 3;
constexpr size_t kMaxLessonBytes = 1u << 20;

// Parses a lesson, its two scenarios included, and resolves each step's
// command reference. Engine facts (checkpoint answers, expectations,
// invariants) are lesson_check.h's.
LessonParseResult parse_lesson(std::string_view text, const std::string& file);

std::string_view lesson_level_name(LessonLevel level);
std::string_view checkpoint_ask_name(CheckpointAsk ask);

// The `NN-slug.lesson` files of a directory, sorted by name; empty if none.
std::vector<std::string> lesson_files(const std::string& directory);
// Reads a file (at most kMaxLessonBytes + 1 bytes); false with a reason on failure.
bool read_lesson_file(const std::string& path, std::string* text, std::string* error);

} // namespace mmt
