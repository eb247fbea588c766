// The scenario language (shared/spec/scenario-language.md, v1) as data: the
// parser turns a .mmt file into a Scenario, the runner executes it on the
// engine. Every command keeps its source location for errors and traces.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "types.h"

namespace mmt {

struct SourceLocation {
    uint32_t line = 0;    // 1-based
    uint32_t column = 0;  // 1-based; in bytes inside the parser, in characters in a ScenarioError
};

// `VMA[i]`, `VMA[i..j]` or a bare `VMA` (all of it: last == UINT32_MAX until
// the parser resolves it against the VMA's size).
struct PageRange {
    std::string vma;
    uint32_t first = 0;
    uint32_t last = 0;
    bool whole = false;
    SourceLocation loc;
};

enum class Protection : uint8_t { rw, ro, none };

enum class Advice : uint8_t { dontneed, dontfork, dofork, wipeonfork, keeponfork, pageout, collapse };

// The PTE kinds an `expect P A pte KIND` names.
enum class ExpectedPte : uint8_t {
    none,
    present_ro,
    present_rw,
    swap,
    migration_writable,
    migration_readable,
    migration_readable_exclusive,
    device_private_rw,
    device_private_ro,
};

enum class CommandKind : uint8_t {
    // setup
    process,        // process P
    map,            // map P V N rw|ro [thp]
    // what a process does
    write,          // write P A "data"
    read,           // read P A
    fork,           // fork P C
    exit,           // exit P
    unmap,          // unmap P R
    protect,        // protect P R rw|ro|none
    madvise,        // madvise P R ADVICE
    clear_softdirty,// clear-softdirty P
    // references held by someone else
    pin,            // pin P A [write] [longterm] [fast] as H
    get,            // get P A [write] [fast] as H
    vmsplice,       // vmsplice P A as H
    release,        // release H
    dma_write,      // dma-write H "data"
    dma_read,       // dma-read H
    // what the kernel does on its own
    swapout,        // swapout P A
    migrate,        // migrate P A
    migrate_to_device, // migrate-to-device P R
    ksm_merge,      // ksm-merge P A Q B
    split_pmd,      // split-pmd P A
    // two CPUs interleaved (docs/races.md)
    race,           // race ... end
    // expectations (check the state after the command before them)
    expect_ok,
    expect_failed,
    expect_read,        // expect read P A == "data"
    expect_dma_read,    // expect dma-read H == "data"
    expect_pte,         // expect P A pte KIND
    expect_exclusive,   // expect P A exclusive
    expect_shared,      // expect P A shared
    expect_same_page,   // expect P A same-page Q B
    expect_other_page,  // expect P A other-page Q B
    expect_coherent,    // expect H coherent P A
    expect_invariants,  // expect invariants
};

bool is_expectation(CommandKind kind);

// A string as the language writes it: in double quotes, with " and \ escaped,
// so that messages quote page contents the way a scenario file would.
std::string quote_string(std::string_view text);

struct RaceBlock;

struct Command {
    CommandKind kind = CommandKind::process;
    SourceLocation loc;          // where the command word starts
    std::string source;          // the line as written, without comment or trailing blanks

    std::string process;         // P
    std::string other_process;   // C (fork), Q (ksm-merge, same-page, other-page)
    std::string vma;             // V (map)
    std::string handle;          // H (pin, get, vmsplice, release, dma-*, expect dma-read/coherent)
    PageRange range;             // A or R
    PageRange other_range;       // B (ksm-merge, same-page, other-page)
    uint32_t npages = 0;         // map
    Protection protection = Protection::rw;  // map (rw|ro), protect (rw|ro|none)
    bool thp = false;            // map ... thp
    Advice advice = Advice::dontneed;
    std::string data;            // write, dma-write, expect read, expect dma-read
    ExpectedPte expected_pte = ExpectedPte::none;
    bool foll_write = false;     // pin/get: write
    bool foll_longterm = false;  // pin: longterm
    bool fast = false;           // pin/get: fast
    std::shared_ptr<const RaceBlock> race;  // race ... end
};

// `race` ... `end`: the commands of two CPUs, interleaved at the grain of the
// atomic kernel steps of the seed commit's sections II and III (docs/races.md).
struct RaceBlock {
    std::vector<Command> cpus[2];  // each CPU's commands, in order
    bool flush = true;             // `flush off`: a teaching switch, NOT the kernel
    std::vector<uint8_t> order;    // `order`: the CPU of each atomic step; then the default
    uint32_t end_line = 0;         // the `end` line
    uint32_t order_line = 0;       // the `order` line, 0: none
};

struct Scenario {
    std::string file;                  // as named in error messages
    std::optional<Era> era;            // from an `era` line
    SourceLocation era_loc;
    std::vector<Command> commands;     // everything but `era`, in order
};

struct ScenarioError {
    std::string file;
    SourceLocation loc;
    std::string message;   // "expected X, got Y" or what is wrong
    // "FILE:LINE:COLUMN: error: MESSAGE"
    std::string format() const;
};

struct ParseResult {
    std::optional<Scenario> scenario;     // set iff errors is empty
    std::vector<ScenarioError> errors;    // every error found, in file order
};

// Limits that keep a hostile file from hanging or exhausting the engine.
constexpr size_t kMaxScenarioBytes = 4u << 20;       // 4 MiB
constexpr size_t kMaxScenarioLines = 200000;
constexpr size_t kMaxStringBytes = 4096;             // page contents are short strings
constexpr uint32_t kMaxVmaPages = 1u << 20;          // 4 GiB per VMA
constexpr uint64_t kMaxTotalPages = 1u << 22;        // across all `map` commands
// pin, get and vmsplice commands in one scenario: the invariant checker
// looks at every reference after each command, so their count bounds a run.
constexpr uint32_t kMaxReferences = 4096;

// Parses and checks a whole file. `era_override` (the command line's --era)
// replaces the file's `era` line and is used for era-dependent checks (an
// `exclusive`/`shared` expectation is an error in eras a and b).
ParseResult parse_scenario(std::string_view text, const std::string& file,
                           std::optional<Era> era_override = std::nullopt);

} // namespace mmt
