// The parser of the scenario language (shared/spec/scenario-language.md).
//
// Three linear passes:
//  1. whole-file checks (size, NUL bytes and UTF-8, line count): one error, then stop;
//  2. per line, a lexer splits words and strings. A malformed string becomes an
//     error token that is reported only if the reader reaches it, so a line
//     reports its leftmost problem;
//  3. per command, a recursive-descent reader checks names symbolically as it
//     goes: processes, VMAs and handles exist, page indexes are inside their VMA.
// A line reports at most one error (thrown as LineError, caught by the line
// loop) and parsing goes on with the next line, so one run lists every broken line.
#include "scenario.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <random>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace mmt {
namespace {

constexpr size_t kMaxReportedErrors = 100;
// The longest command (pin P A write longterm fast as H) has 8 words; a line
// with more is an error before the 9th, so the lexer need not keep the rest
// (a 4 MiB line of one-letter words would otherwise make 2 million tokens).
constexpr size_t kMaxTokensPerLine = 16;

// ---------------------------------------------------------------- messages

struct LineError {
    SourceLocation loc;
    std::string message;
};

[[noreturn]] void fail_at(SourceLocation loc, std::string message) {
    throw LineError{loc, std::move(message)};
}

// What a message quotes back, shortened without cutting a UTF-8 character.
// Control characters are written as \xHH, never sent to the terminal.
std::string quoted(std::string_view text) {
    constexpr size_t kMaxQuoted = 40;
    size_t cut = text.size();
    if (text.size() > kMaxQuoted) {
        cut = kMaxQuoted;
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
            --cut;
    }
    std::string out = "\"";
    for (char c : text.substr(0, cut)) {
        if (const auto byte = static_cast<unsigned char>(c); byte < 0x20 || byte == 0x7f) {
            char escape[8];
            std::snprintf(escape, sizeof escape, "\\x%02x", byte);
            out += escape;
        } else {
            out += c;
        }
    }
    return out + (cut < text.size() ? "...\"" : "\"");
}

// ---------------------------------------------------------------- lexer

enum class TokenKind : uint8_t { word, string, bad };

struct Token {
    TokenKind kind = TokenKind::word;
    std::string_view text; // as written; a string with its quotes
    uint32_t column = 0;
    std::string value;         // string: the content, escapes undone; bad: the error message
    uint32_t error_column = 0; // bad: where the error is
};

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

uint32_t column_at(size_t offset) {
    return static_cast<uint32_t>(offset + 1);
}

// The lexer counts columns in bytes (it slices the line with them); a reader's
// editor counts characters, so an error's column is converted before it is shown:
// every byte that does not continue a UTF-8 sequence starts a character.
SourceLocation in_characters(std::string_view line, SourceLocation loc) {
    const std::string_view before = line.substr(0, std::min<size_t>(loc.column - 1, line.size()));
    const auto continuations = std::count_if(before.begin(), before.end(),
                                             [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; });
    return {loc.line, loc.column - static_cast<uint32_t>(continuations)};
}

Token bad_token(std::string_view text, size_t start, size_t error_offset, std::string message) {
    return Token{TokenKind::bad, text, column_at(start), std::move(message), column_at(error_offset)};
}

// The UTF-8 character at `offset` (the file was validated, so lead bytes are sound).
std::string_view utf8_char_at(std::string_view line, size_t offset) {
    const auto lead = static_cast<unsigned char>(line[offset]);
    const size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    return line.substr(offset, length);
}

// A string from the `"` at `start`; `end` is set past the closing quote.
Token lex_string(std::string_view line, size_t start, size_t& end) {
    std::string value;
    size_t i = start + 1;
    while (i < line.size() && line[i] != '"') {
        if (line[i] != '\\') {
            value += line[i++];
            continue;
        }
        if (i + 1 == line.size())
            break; // a backslash at the end of the line leaves the string open
        const char escaped = line[i + 1];
        if (escaped != '"' && escaped != '\\')
            return bad_token(line.substr(start), start, i,
                             "expected \\\" or \\\\ after a backslash, got \\" +
                                 std::string(utf8_char_at(line, i + 1)));
        value += escaped;
        i += 2;
    }
    if (i >= line.size() || line[i] != '"')
        return bad_token(line.substr(start), start, start,
                         "expected a closing \" to end the string, got end of line");
    end = i + 1;
    if (value.size() > kMaxStringBytes)
        return bad_token(line.substr(start, end - start), start, start,
                         "expected a string of at most " + std::to_string(kMaxStringBytes) + " bytes, got " +
                             std::to_string(value.size()) + " bytes");
    return Token{TokenKind::string, line.substr(start, end - start), column_at(start), std::move(value), 0};
}

// Splits `line` into `tokens` (reused from line to line, to spare allocations).
// Words end at a blank, a quote or a `#`; a `#` outside a string starts a
// comment. Returns the length of the line without comment and trailing blanks.
size_t lex_line(std::string_view line, std::vector<Token>& tokens) {
    tokens.clear();
    size_t source_end = 0;
    size_t i = 0;
    while (tokens.size() < kMaxTokensPerLine) {
        while (i < line.size() && is_blank(line[i]))
            ++i;
        if (i == line.size() || line[i] == '#')
            break;
        const size_t start = i;
        if (line[i] == '"') {
            tokens.push_back(lex_string(line, start, i));
            if (tokens.back().kind == TokenKind::bad)
                break; // the reader stops here anyway
        } else {
            while (i < line.size() && !is_blank(line[i]) && line[i] != '"' && line[i] != '#')
                ++i;
            tokens.push_back(Token{TokenKind::word, line.substr(start, i - start), column_at(start), {}, 0});
        }
        source_end = i;
    }
    return source_end;
}

bool is_name_start(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

// [A-Za-z_][A-Za-z0-9_-]*
bool is_valid_name(std::string_view text) {
    if (text.empty() || !is_name_start(text[0]))
        return false;
    return std::all_of(text.begin() + 1, text.end(),
                       [](char c) { return is_name_start(c) || (c >= '0' && c <= '9') || c == '-'; });
}

struct Number {
    bool valid = false;     // decimal digits, or 0x and hex digits
    bool too_large = false; // valid but above 2^64 - 1
    uint64_t value = 0;
};

Number parse_number(std::string_view text) {
    unsigned base = 10;
    if (text.starts_with("0x")) {
        base = 16;
        text.remove_prefix(2);
    }
    Number number;
    if (text.empty())
        return number;
    for (const char c : text) {
        unsigned digit = 0;
        if (c >= '0' && c <= '9')
            digit = static_cast<unsigned>(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            digit = static_cast<unsigned>(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            digit = static_cast<unsigned>(c - 'A' + 10);
        else
            return number;
        if (number.value > (UINT64_MAX - digit) / base)
            number.too_large = true;
        else
            number.value = number.value * base + digit;
    }
    number.valid = true;
    return number;
}

// ---------------------------------------------------------------- reader

std::string describe(const Token* token) {
    if (!token)
        return "end of line";
    if (token->kind == TokenKind::string)
        return "the string " + quoted(token->value);
    return quoted(token->text);
}

// The tokens of one line, read left to right.
class Cursor {
public:
    Cursor(const std::vector<Token>& tokens, uint32_t line, uint32_t end_column)
        : tokens_(tokens), line_(line), end_column_(end_column) {}

    uint32_t line() const { return line_; }
    bool at_end() const { return next_ == tokens_.size(); }
    const Token* peek() const { return at_end() ? nullptr : &tokens_[next_]; }
    const Token& advance() { return tokens_[next_++]; }
    bool next_is(std::string_view word) const { return !at_end() && word_at(next_) == word; }
    size_t position() const { return next_; }

    // The word at `index` (0: the command word); empty if there is none.
    std::string_view word_at(size_t index) const {
        if (index >= tokens_.size() || tokens_[index].kind != TokenKind::word)
            return {};
        return tokens_[index].text;
    }

    SourceLocation location_of(const Token& token) const { return {line_, token.column}; }
    SourceLocation location() const {
        return at_end() ? SourceLocation{line_, end_column_} : location_of(*peek());
    }

    // "expected WHAT, got WHAT-IS-NEXT"; a malformed string reports its own error.
    [[noreturn]] void fail(std::string_view expected) const {
        const Token* next = peek();
        if (next && next->kind == TokenKind::bad)
            fail_at({line_, next->error_column}, next->value);
        fail_at(location(), "expected " + std::string(expected) + ", got " + describe(next));
    }

    void expect_end() const {
        if (!at_end())
            fail("end of line");
    }

private:
    const std::vector<Token>& tokens_;
    uint32_t line_;
    uint32_t end_column_;
    size_t next_ = 0;
};

const Token& take_name(Cursor& in, std::string_view what) {
    const Token* next = in.peek();
    if (!next || next->kind != TokenKind::word || !is_valid_name(next->text))
        in.fail(what);
    return in.advance();
}

std::string take_string(Cursor& in) {
    const Token* next = in.peek();
    if (!next || next->kind != TokenKind::string)
        in.fail("a string in double quotes");
    return in.advance().value;
}

// Consumes the next word if it is one of `choices`, and returns its index.
size_t take_choice(Cursor& in, std::span<const std::string_view> choices, std::string_view expected) {
    const Token* next = in.peek();
    if (next && next->kind == TokenKind::word) {
        const auto found = std::find(choices.begin(), choices.end(), next->text);
        if (found != choices.end()) {
            in.advance();
            return static_cast<size_t>(found - choices.begin());
        }
    }
    in.fail(expected);
}

// ---------------------------------------------------------------- symbols

struct VmaInfo {
    uint32_t npages = 0; // 0: unknown, its map line had an error
    uint32_t line = 0;
};

// The VMA names of one process. fork gives the child its parent's table in
// O(1): the table is a persistent treap whose nodes parent and child share, and
// a later map into either copies only one root-to-leaf path. (Copying a hash
// map on each fork would make `map` x N followed by `fork` x N quadratic.)
class VmaTable {
public:
    const VmaInfo* find(std::string_view name) const {
        const Node* node = root_.get();
        while (node) {
            const int order = name.compare(node->name);
            if (order == 0)
                return &node->info;
            node = (order < 0 ? node->left : node->right).get();
        }
        return nullptr;
    }

    // `name` must not be in the table yet; `priority` should be random.
    void insert(std::string name, VmaInfo info, uint64_t priority) {
        root_ =
            insert(root_, std::make_shared<Node>(Node{std::move(name), info, priority, nullptr, nullptr}));
    }

private:
    struct Node;
    using NodePtr = std::shared_ptr<const Node>;
    struct Node {
        std::string name;
        VmaInfo info;
        uint64_t priority;
        NodePtr left, right;
    };

    // The keys of `tree` below and above `key`, copying only the nodes on the way.
    static std::pair<NodePtr, NodePtr> split(const NodePtr& tree, std::string_view key) {
        if (!tree)
            return {};
        auto copy = std::make_shared<Node>(*tree);
        if (key < tree->name) {
            auto [below, above] = split(tree->left, key);
            copy->left = std::move(above);
            return {std::move(below), std::move(copy)};
        }
        auto [below, above] = split(tree->right, key);
        copy->right = std::move(below);
        return {std::move(copy), std::move(above)};
    }

    static NodePtr insert(const NodePtr& tree, std::shared_ptr<Node> node) {
        if (!tree || node->priority > tree->priority) {
            std::tie(node->left, node->right) = split(tree, node->name);
            return node;
        }
        auto copy = std::make_shared<Node>(*tree);
        if (node->name < tree->name)
            copy->left = insert(tree->left, std::move(node));
        else
            copy->right = insert(tree->right, std::move(node));
        return copy;
    }

    NodePtr root_;
};

struct ProcessInfo {
    uint32_t line = 0;        // where `process` or `fork` creates it
    uint32_t exited_line = 0; // 0: still running
    bool incomplete = false;  // made by a line with an error: unknown VMA names are not reported
    VmaTable vmas;
};

struct HandleInfo {
    uint32_t line = 0;
    uint32_t released_line = 0; // 0: still held
};

enum class PageRefKind : uint8_t { address, range };

enum class ExpectForm : uint8_t { ok, failed, invariants, read, dma_read, page, coherent, unknown };

// ---------------------------------------------------------------- words

constexpr std::array<std::string_view, 3> kEraWords = {"a", "b", "c"};
constexpr std::array<std::string_view, 2> kMapProtectionWords = {"rw", "ro"};
constexpr std::array<std::string_view, 3> kProtectionWords = {"rw", "ro", "none"};
constexpr std::array<std::string_view, 7> kAdviceWords = {"dontneed",   "dontfork", "dofork",  "wipeonfork",
                                                          "keeponfork", "pageout",  "collapse"};
constexpr std::array<std::string_view, 9> kPteWords = {"none",
                                                       "present-ro",
                                                       "present-rw",
                                                       "swap",
                                                       "migration-writable",
                                                       "migration-readable",
                                                       "migration-readable-exclusive",
                                                       "device-private-rw",
                                                       "device-private-ro"};
// In the order of their CommandKind, from expect_pte.
constexpr std::array<std::string_view, 5> kPageCheckWords = {"pte", "exclusive", "shared", "same-page",
                                                             "other-page"};

constexpr std::string_view kCommandList =
    "a command (era, process, map, write, read, fork, exit, unmap, protect, madvise, clear-softdirty, pin, "
    "get, vmsplice, release, dma-write, dma-read, swapout, migrate, migrate-to-device, ksm-merge, split-pmd, "
    "race or expect)";

// A word's index in its list is its enum value.
static_assert(static_cast<size_t>(Era::c) + 1 == kEraWords.size());
static_assert(static_cast<size_t>(Protection::ro) + 1 == kMapProtectionWords.size());
static_assert(static_cast<size_t>(Protection::none) + 1 == kProtectionWords.size());
static_assert(static_cast<size_t>(Advice::collapse) + 1 == kAdviceWords.size());
static_assert(static_cast<size_t>(ExpectedPte::device_private_ro) + 1 == kPteWords.size());
static_assert(static_cast<size_t>(CommandKind::expect_other_page) + 1 ==
              static_cast<size_t>(CommandKind::expect_pte) + kPageCheckWords.size());

bool is_one_of(std::string_view word, std::span<const std::string_view> words) {
    return std::find(words.begin(), words.end(), word) != words.end();
}

// ---------------------------------------------------------------- parser

class Parser {
public:
    Parser(const std::string& file, std::optional<Era> era_override)
        : era_override_(era_override), random_(std::random_device{}()) {
        scenario_.file = file;
    }

    ParseResult run(std::string_view text);

private:
    using Handler = void (Parser::*)(Cursor&, Command&);
    struct CommandSpec {
        std::string_view word;
        CommandKind kind;
        Handler parse;
    };
    static const std::array<CommandSpec, 22>& command_specs();

    void report(SourceLocation loc, std::string message);
    void parse_line(std::string_view line, uint32_t line_number);
    void parse_era(Cursor& in, SourceLocation era_loc);

    void parse_process(Cursor& in, Command& c);
    void parse_map(Cursor& in, Command& c);
    void parse_map_size(Cursor& in, Command& c);
    void parse_write(Cursor& in, Command& c);
    void parse_process_address(Cursor& in, Command& c);
    void parse_process_range(Cursor& in, Command& c);
    void parse_process_only(Cursor& in, Command& c);
    void parse_fork(Cursor& in, Command& c);
    void parse_exit(Cursor& in, Command& c);
    void parse_protect(Cursor& in, Command& c);
    void parse_madvise(Cursor& in, Command& c);
    void parse_reference(Cursor& in, Command& c);
    void parse_reference_options(Cursor& in, Command& c);
    void parse_release(Cursor& in, Command& c);
    void parse_dma_write(Cursor& in, Command& c);
    void parse_dma_read(Cursor& in, Command& c);
    void parse_ksm_merge(Cursor& in, Command& c);
    void parse_expect(Cursor& in, Command& c);
    void parse_expect_page(Cursor& in, Command& c);
    ExpectForm classify_expectation(const Cursor& in) const;
    void check_has_previous_command(const Cursor& in, const Command& c) const;
    void check_era_has_exclusive(const Cursor& in, const Token& word) const;

    ProcessInfo& take_process(Cursor& in, std::string& name);
    ProcessInfo& take_running_process(Cursor& in, std::string& name);
    const Token& take_new_process(Cursor& in);
    PageRange take_page_ref(Cursor& in, const ProcessInfo& process, const std::string& process_name,
                            PageRefKind kind);
    uint32_t take_page_index(const Cursor& in, const Token& token, size_t& offset, const VmaInfo* vma,
                             const std::string& vma_name) const;
    HandleInfo& take_held_handle(Cursor& in, std::string& name);
    ProcessInfo& declare_process(const std::string& name, uint32_t line, const ProcessInfo* parent);
    void declare_vma(ProcessInfo& process, const std::string& name, VmaInfo info);
    void recover_fork(const Cursor& in);
    void recover_reference(const Cursor& in);

    // race ... end (docs/races.md): the block is one command, read line by line.
    struct OpenRace {
        Command command;
        std::shared_ptr<RaceBlock> block;
        int writer_cpu = -1; // the CPU that runs migrate or swapout
        int gup_cpu = -1;    // the CPU that runs pin/get ... fast
        uint32_t flush_line = 0;
    };
    void parse_race_line(Cursor& in, std::string_view line, size_t source_end);
    void parse_race_cpu(Cursor& in, std::string_view line, size_t source_end);
    void parse_race_order(Cursor& in, std::string_view line, size_t source_end);
    void close_race(Cursor& in);
    std::optional<OpenRace> race_;

    Scenario scenario_;
    std::vector<ScenarioError> errors_;
    std::vector<Token> tokens_; // of the current line
    bool stopped_ = false;
    std::optional<Era> era_override_;
    std::mt19937_64 random_; // treap priorities
    std::unordered_map<std::string, ProcessInfo> processes_;
    std::unordered_map<std::string, HandleInfo> handles_;
    uint64_t total_pages_ = 0;
    uint32_t references_ = 0; // pin, get and vmsplice commands so far
    uint32_t first_command_line_ = 0; // 0: none yet (an `era` line must come before)
    uint32_t last_action_line_ = 0;   // the last command that is not an expectation
};

const std::array<Parser::CommandSpec, 22>& Parser::command_specs() {
    static const std::array<CommandSpec, 22> specs = {{
        {"process", CommandKind::process, &Parser::parse_process},
        {"map", CommandKind::map, &Parser::parse_map},
        {"write", CommandKind::write, &Parser::parse_write},
        {"read", CommandKind::read, &Parser::parse_process_address},
        {"fork", CommandKind::fork, &Parser::parse_fork},
        {"exit", CommandKind::exit, &Parser::parse_exit},
        {"unmap", CommandKind::unmap, &Parser::parse_process_range},
        {"protect", CommandKind::protect, &Parser::parse_protect},
        {"madvise", CommandKind::madvise, &Parser::parse_madvise},
        {"clear-softdirty", CommandKind::clear_softdirty, &Parser::parse_process_only},
        {"pin", CommandKind::pin, &Parser::parse_reference},
        {"get", CommandKind::get, &Parser::parse_reference},
        {"vmsplice", CommandKind::vmsplice, &Parser::parse_reference},
        {"release", CommandKind::release, &Parser::parse_release},
        {"dma-write", CommandKind::dma_write, &Parser::parse_dma_write},
        {"dma-read", CommandKind::dma_read, &Parser::parse_dma_read},
        {"swapout", CommandKind::swapout, &Parser::parse_process_address},
        {"migrate", CommandKind::migrate, &Parser::parse_process_address},
        {"migrate-to-device", CommandKind::migrate_to_device, &Parser::parse_process_range},
        {"ksm-merge", CommandKind::ksm_merge, &Parser::parse_ksm_merge},
        {"split-pmd", CommandKind::split_pmd, &Parser::parse_process_address},
        {"expect", CommandKind::expect_ok, &Parser::parse_expect},
    }};
    return specs;
}

void Parser::report(SourceLocation loc, std::string message) {
    if (errors_.size() == kMaxReportedErrors) {
        message = "too many errors: stopping after " + std::to_string(kMaxReportedErrors);
        stopped_ = true;
    }
    errors_.push_back(ScenarioError{scenario_.file, loc, std::move(message)});
}

void Parser::parse_line(std::string_view line, uint32_t line_number) {
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1); // CRLF files read as if LF
    const size_t source_end = lex_line(line, tokens_);
    if (tokens_.empty())
        return;
    Cursor in(tokens_, line_number, column_at(source_end));
    Command command;
    command.loc = in.location();
    const std::string_view word = in.word_at(0);
    try {
        if (word == "era") {
            in.advance();
            parse_era(in, command.loc);
            return;
        }
        if (race_) {
            parse_race_line(in, line, source_end);
            return;
        }
        if (first_command_line_ == 0)
            first_command_line_ = line_number;
        if (word == "race") {
            in.advance();
            command.kind = CommandKind::race;
            race_ = OpenRace{command, std::make_shared<RaceBlock>()};
            in.expect_end();
            return;
        }
        if (word == "end")
            fail_at(command.loc, "expected a command, got \"end\" (no race block is open)");
        const auto& specs = command_specs();
        const auto spec = std::find_if(specs.begin(), specs.end(), [&](auto& s) { return s.word == word; });
        if (spec == specs.end())
            in.fail(kCommandList);
        in.advance();
        command.kind = spec->kind;
        // From the command's first word: indentation is not part of it.
        command.source = line.substr(command.loc.column - 1, source_end - (command.loc.column - 1));
        (this->*spec->parse)(in, command);
        if (!is_expectation(command.kind))
            last_action_line_ = line_number;
        if (errors_.empty())
            scenario_.commands.push_back(std::move(command));
    } catch (const LineError& error) {
        // A broken action still counts as the command an `expect ok` would check.
        if (word != "expect" && word != "era")
            last_action_line_ = line_number;
        report(error.loc.line == line_number ? in_characters(line, error.loc) : error.loc, error.message);
    }
}

void Parser::parse_era(Cursor& in, SourceLocation era_loc) {
    if (scenario_.era)
        fail_at(era_loc, "expected at most one era line, got a second (the first is at line " +
                             std::to_string(scenario_.era_loc.line) + ")");
    if (first_command_line_ != 0)
        fail_at(era_loc, "expected era before any other command, got it after line " +
                             std::to_string(first_command_line_));
    const size_t era = take_choice(in, kEraWords, "an era (a, b or c)");
    in.expect_end();
    scenario_.era = static_cast<Era>(era);
    scenario_.era_loc = era_loc;
}

// ---- names

ProcessInfo& Parser::take_process(Cursor& in, std::string& name) {
    const Token& token = take_name(in, "a process name");
    const auto found = processes_.find(std::string(token.text));
    if (found == processes_.end())
        fail_at(in.location_of(token),
                "expected a process, got " + quoted(token.text) + " (no earlier process or fork creates it)");
    name = token.text;
    return found->second;
}

// Anything but an expectation needs a process that has not exited.
ProcessInfo& Parser::take_running_process(Cursor& in, std::string& name) {
    const SourceLocation loc = in.location();
    ProcessInfo& process = take_process(in, name);
    if (process.exited_line != 0)
        fail_at(loc, "expected a running process, got " + quoted(name) + " (process " + name +
                         " has exited at line " + std::to_string(process.exited_line) + ")");
    return process;
}

const Token& Parser::take_new_process(Cursor& in) {
    const Token& token = take_name(in, "a process name");
    // A process that has exited no longer exists: its name may be given to a
    // new one ("C must not exist yet").
    const auto found = processes_.find(std::string(token.text));
    if (found != processes_.end() && found->second.exited_line == 0)
        fail_at(in.location_of(token), "expected a new process name, got " + quoted(token.text) +
                                           " (created at line " + std::to_string(found->second.line) +
                                           " and still running)");
    return token;
}

HandleInfo& Parser::take_held_handle(Cursor& in, std::string& name) {
    const Token& token = take_name(in, "a handle name");
    const auto found = handles_.find(std::string(token.text));
    if (found == handles_.end())
        fail_at(in.location_of(token), "expected a handle, got " + quoted(token.text) +
                                           " (no earlier pin, get or vmsplice creates it)");
    if (found->second.released_line != 0)
        fail_at(in.location_of(token), "expected a handle that is still held, got " + quoted(token.text) +
                                           " (released at line " +
                                           std::to_string(found->second.released_line) + ")");
    name = token.text;
    return found->second;
}

// A fork child starts with its parent's VMA names (sharing its table: O(1)).
ProcessInfo& Parser::declare_process(const std::string& name, uint32_t line, const ProcessInfo* parent) {
    ProcessInfo fresh;
    fresh.line = line;
    if (parent) {
        fresh.vmas = parent->vmas;
        fresh.incomplete = parent->incomplete;
    }
    // Replaces an exited process of the same name: later lines mean the new one.
    return processes_.insert_or_assign(name, std::move(fresh)).first->second;
}

void Parser::declare_vma(ProcessInfo& process, const std::string& name, VmaInfo info) {
    process.vmas.insert(name, info, random_());
}

// ---- addresses and ranges

// `VMA[i]`, and for ranges also `VMA[i..j]` and a bare `VMA`, checked against
// the process's VMA table. Errors point into the token where they are.
PageRange Parser::take_page_ref(Cursor& in, const ProcessInfo& process, const std::string& process_name,
                                PageRefKind kind) {
    const std::string_view expected =
        kind == PageRefKind::address ? "an address VMA[i]" : "a range VMA, VMA[i] or VMA[i..j]";
    const Token* next = in.peek();
    if (!next || next->kind != TokenKind::word)
        in.fail(expected);
    const Token& token = in.advance();
    const std::string_view text = token.text;
    const size_t bracket = text.find('[');
    const std::string_view name = text.substr(0, bracket);
    if (!is_valid_name(name) || (bracket == std::string_view::npos && kind == PageRefKind::address))
        fail_at(in.location_of(token), "expected " + std::string(expected) + ", got " + quoted(text));

    PageRange range;
    range.vma = name;
    range.loc = in.location_of(token);
    const VmaInfo* vma = process.vmas.find(name);
    if (!vma && !process.incomplete)
        fail_at(range.loc, "expected a VMA of process " + process_name + ", got " + quoted(name) +
                               " (process " + process_name + " has no VMA of that name)");
    const uint32_t npages = vma ? vma->npages : 0;
    if (bracket == std::string_view::npos) {
        range.whole = true;
        range.first = 0;
        range.last = npages > 0 ? npages - 1 : UINT32_MAX; // unresolved when the size is unknown
        return range;
    }

    size_t offset = bracket + 1;
    const size_t first_offset = offset;
    range.first = take_page_index(in, token, offset, vma, range.vma);
    range.last = range.first;
    const bool has_last = text.substr(offset).starts_with("..");
    if (has_last) {
        if (kind == PageRefKind::address)
            fail_at({in.line(), token.column + static_cast<uint32_t>(offset)},
                    "expected \"]\" (a single page), got " + quoted(text.substr(offset)));
        offset += 2;
        range.last = take_page_index(in, token, offset, vma, range.vma);
        if (range.first > range.last)
            fail_at({in.line(), token.column + static_cast<uint32_t>(first_offset)},
                    "expected a first page not above the last, got " +
                        quoted(text.substr(first_offset, offset - first_offset)));
    }
    const SourceLocation here{in.line(), token.column + static_cast<uint32_t>(offset)};
    if (offset == text.size() || text[offset] != ']') {
        const std::string got = offset == text.size() ? "end of the address" : quoted(text.substr(offset));
        fail_at(here, std::string(kind == PageRefKind::range && !has_last ? "expected \"..\" or \"]\", got "
                                                                          : "expected \"]\", got ") +
                          got);
    }
    if (offset + 1 != text.size())
        fail_at({here.line, here.column + 1},
                "expected end of the address after \"]\", got " + quoted(text.substr(offset + 1)));
    return range;
}

// The number at `offset` in `token` (up to `.` or `]`), checked against the VMA's size.
uint32_t Parser::take_page_index(const Cursor& in, const Token& token, size_t& offset, const VmaInfo* vma,
                                 const std::string& vma_name) const {
    const std::string_view text = token.text;
    const size_t end = std::min(text.find_first_of(".]", offset), text.size());
    const std::string_view digits = text.substr(offset, end - offset);
    const SourceLocation loc{in.line(), token.column + static_cast<uint32_t>(offset)};
    if (digits.empty())
        fail_at(loc,
                "expected a page index, got " + (offset == text.size() ? std::string("end of the address")
                                                                       : quoted(text.substr(offset))));
    const Number number = parse_number(digits);
    if (!number.valid)
        fail_at(loc, "expected a page index, got " + quoted(digits));
    if (number.too_large || number.value > UINT32_MAX)
        fail_at(loc, "expected a page index, got " + quoted(digits) + " (too large)");
    if (vma && vma->npages != 0 && number.value >= vma->npages)
        fail_at(loc, "expected a page index below " + std::to_string(vma->npages) + " (VMA " + vma_name +
                         " has " + std::to_string(vma->npages) + (vma->npages == 1 ? " page" : " pages") +
                         "), got " + quoted(digits));
    offset = end;
    return static_cast<uint32_t>(number.value);
}

// ---- setup

void Parser::parse_process(Cursor& in, Command& c) {
    c.process = take_new_process(in).text;
    declare_process(c.process, in.line(), nullptr);
    in.expect_end();
}

void Parser::parse_map(Cursor& in, Command& c) {
    ProcessInfo& process = take_running_process(in, c.process);
    const Token& vma = take_name(in, "a VMA name");
    c.vma = vma.text;
    if (const VmaInfo* existing = process.vmas.find(c.vma))
        fail_at(in.location_of(vma), "expected a new VMA name for process " + c.process + ", got " +
                                         quoted(c.vma) + " (mapped at line " +
                                         std::to_string(existing->line) + ")");
    try {
        parse_map_size(in, c);
    } catch (const LineError&) {
        declare_vma(process, c.vma, VmaInfo{0, in.line()}); // known name, unknown size: no cascade
        throw;
    }
    declare_vma(process, c.vma, VmaInfo{c.npages, in.line()});
}

void Parser::parse_map_size(Cursor& in, Command& c) {
    const Token* count = in.peek();
    if (!count || count->kind != TokenKind::word || !parse_number(count->text).valid)
        in.fail("a page count");
    const Number number = parse_number(count->text);
    if (number.too_large || number.value < 1 || number.value > kMaxVmaPages)
        in.fail("a page count from 1 to " + std::to_string(kMaxVmaPages));
    if (total_pages_ + number.value > kMaxTotalPages)
        fail_at(in.location(), "expected at most " + std::to_string(kMaxTotalPages) +
                                   " pages mapped in all, got " +
                                   std::to_string(total_pages_ + number.value) + " (this map adds " +
                                   std::to_string(number.value) + ")");
    in.advance();
    c.npages = static_cast<uint32_t>(number.value);
    c.protection = static_cast<Protection>(take_choice(in, kMapProtectionWords, "rw or ro"));
    if (in.next_is("thp")) {
        in.advance();
        c.thp = true;
    }
    if (!in.at_end())
        in.fail(c.thp ? "end of line" : "thp or end of line");
    total_pages_ += c.npages;
}

// ---- what a process does

void Parser::parse_write(Cursor& in, Command& c) {
    const ProcessInfo& process = take_running_process(in, c.process);
    c.range = take_page_ref(in, process, c.process, PageRefKind::address);
    c.data = take_string(in);
    in.expect_end();
}

void Parser::parse_process_address(Cursor& in, Command& c) {
    const ProcessInfo& process = take_running_process(in, c.process);
    c.range = take_page_ref(in, process, c.process, PageRefKind::address);
    in.expect_end();
}

void Parser::parse_process_range(Cursor& in, Command& c) {
    const ProcessInfo& process = take_running_process(in, c.process);
    c.range = take_page_ref(in, process, c.process, PageRefKind::range);
    in.expect_end();
}

void Parser::parse_process_only(Cursor& in, Command& c) {
    take_running_process(in, c.process);
    in.expect_end();
}

void Parser::parse_fork(Cursor& in, Command& c) {
    const ProcessInfo* parent = nullptr;
    try {
        parent = &take_running_process(in, c.process);
        c.other_process = take_new_process(in).text;
    } catch (const LineError&) {
        recover_fork(in);
        throw;
    }
    declare_process(c.other_process, in.line(), parent);
    in.expect_end();
}

// After a broken `fork P C`, C still comes to exist (with P's VMAs when P is
// known), so that the lines using C do not each report it unknown.
void Parser::recover_fork(const Cursor& in) {
    const std::string child(in.word_at(2));
    if (!is_valid_name(child) || processes_.contains(child))
        return;
    const auto parent = processes_.find(std::string(in.word_at(1)));
    ProcessInfo& process =
        declare_process(child, in.line(), parent == processes_.end() ? nullptr : &parent->second);
    if (parent == processes_.end())
        process.incomplete = true; // its VMAs are anyone's guess
}

void Parser::parse_exit(Cursor& in, Command& c) {
    ProcessInfo& process = take_running_process(in, c.process);
    in.expect_end();
    process.exited_line = in.line();
}

void Parser::parse_protect(Cursor& in, Command& c) {
    const ProcessInfo& process = take_running_process(in, c.process);
    c.range = take_page_ref(in, process, c.process, PageRefKind::range);
    c.protection = static_cast<Protection>(take_choice(in, kProtectionWords, "rw, ro or none"));
    in.expect_end();
}

void Parser::parse_madvise(Cursor& in, Command& c) {
    const ProcessInfo& process = take_running_process(in, c.process);
    c.range = take_page_ref(in, process, c.process, PageRefKind::range);
    c.advice = static_cast<Advice>(take_choice(
        in, kAdviceWords, "dontneed, dontfork, dofork, wipeonfork, keeponfork, pageout or collapse"));
    in.expect_end();
}

// ---- references held by someone else

// pin P A [write] [longterm] [fast] as H, get P A [write] [fast] as H, vmsplice P A as H
void Parser::parse_reference(Cursor& in, Command& c) {
    try {
        // Said once, at the first one too many: the file runs nothing anyway.
        if (++references_ == kMaxReferences + 1)
            fail_at(c.loc, "expected at most " + std::to_string(kMaxReferences) +
                               " references (pin, get and vmsplice commands) in a scenario, got more");
        const ProcessInfo& process = take_running_process(in, c.process);
        c.range = take_page_ref(in, process, c.process, PageRefKind::address);
        parse_reference_options(in, c);
        in.advance(); // `as`
        const Token& handle = take_name(in, "a handle name");
        c.handle = handle.text;
        // A released reference no longer exists: its name may be taken again.
        if (const auto found = handles_.find(c.handle); found != handles_.end() && found->second.released_line == 0)
            fail_at(in.location_of(handle), "expected a new handle name, got " + quoted(c.handle) +
                                                " (created at line " + std::to_string(found->second.line) +
                                                " and still held)");
        handles_.insert_or_assign(c.handle, HandleInfo{in.line(), 0});
        in.expect_end();
    } catch (const LineError&) {
        recover_reference(in);
        throw;
    }
}

// The option words up to `as`, each at most once; `longterm` only for pin.
void Parser::parse_reference_options(Cursor& in, Command& c) {
    const std::string_view expected = c.kind == CommandKind::pin   ? "write, longterm, fast or as"
                                      : c.kind == CommandKind::get ? "write, fast or as"
                                                                   : "as";
    while (!in.next_is("as")) {
        const std::string_view word = in.at_end() ? std::string_view{} : in.word_at(in.position());
        bool* option = nullptr;
        if (word == "write" && c.kind != CommandKind::vmsplice)
            option = &c.foll_write;
        else if (word == "longterm" && c.kind == CommandKind::pin)
            option = &c.foll_longterm;
        else if (word == "fast" && c.kind != CommandKind::vmsplice)
            option = &c.fast;
        else if (word == "longterm" && c.kind == CommandKind::get)
            in.fail(std::string(expected) + " (longterm is only for pin)");
        else if (word == "write" && c.kind == CommandKind::vmsplice)
            in.fail("as (vmsplice is read-only)");
        else
            in.fail(expected);
        if (*option)
            fail_at(in.location(), "expected each option at most once, got " + quoted(word) + " twice");
        *option = true;
        in.advance();
    }
}

// After a broken pin/get/vmsplice, its handle still comes to exist when the
// line names one (`as H`), so that the lines using H do not each report it unknown.
void Parser::recover_reference(const Cursor& in) {
    for (size_t i = 1; !in.word_at(i + 1).empty(); ++i) {
        const std::string handle(in.word_at(i + 1));
        if (in.word_at(i) == "as" && is_valid_name(handle) && !handles_.contains(handle)) {
            handles_.emplace(handle, HandleInfo{in.line(), 0});
            return;
        }
    }
}

void Parser::parse_release(Cursor& in, Command& c) {
    HandleInfo& handle = take_held_handle(in, c.handle);
    in.expect_end();
    handle.released_line = in.line();
}

void Parser::parse_dma_write(Cursor& in, Command& c) {
    take_held_handle(in, c.handle);
    c.data = take_string(in);
    in.expect_end();
}

void Parser::parse_dma_read(Cursor& in, Command& c) {
    take_held_handle(in, c.handle);
    in.expect_end();
}

// ---- what the kernel does on its own

void Parser::parse_ksm_merge(Cursor& in, Command& c) {
    const ProcessInfo& process = take_running_process(in, c.process);
    c.range = take_page_ref(in, process, c.process, PageRefKind::address);
    const ProcessInfo& other = take_running_process(in, c.other_process);
    c.other_range = take_page_ref(in, other, c.other_process, PageRefKind::address);
    in.expect_end();
}

// ---- expectations

// Which form an `expect` line has. Names may collide with the keywords (a
// process called `read`), so the shape decides first: `expect P A pte ...`
// has a page check word fourth, `expect H coherent P A` has `coherent` third.
ExpectForm Parser::classify_expectation(const Cursor& in) const {
    const std::string_view first = in.word_at(1);
    if (is_one_of(in.word_at(3), kPageCheckWords))
        return ExpectForm::page;
    if (in.word_at(2) == "coherent" && !(first == "read" && in.word_at(4) == "=="))
        return ExpectForm::coherent;
    if (first == "ok")
        return ExpectForm::ok;
    if (first == "failed")
        return ExpectForm::failed;
    if (first == "invariants")
        return ExpectForm::invariants;
    if (first == "read")
        return ExpectForm::read;
    if (first == "dma-read")
        return ExpectForm::dma_read;
    if (!first.empty() && processes_.contains(std::string(first)))
        return ExpectForm::page;
    if (!first.empty() && handles_.contains(std::string(first)))
        return ExpectForm::coherent;
    return ExpectForm::unknown;
}

void Parser::parse_expect(Cursor& in, Command& c) {
    switch (classify_expectation(in)) {
    case ExpectForm::ok:
    case ExpectForm::failed:
        c.kind = in.word_at(1) == "ok" ? CommandKind::expect_ok : CommandKind::expect_failed;
        in.advance();
        check_has_previous_command(in, c);
        in.expect_end();
        return;
    case ExpectForm::invariants:
        c.kind = CommandKind::expect_invariants;
        in.advance();
        in.expect_end();
        return;
    case ExpectForm::read: {
        c.kind = CommandKind::expect_read;
        in.advance();
        const ProcessInfo& process = take_process(in, c.process);
        c.range = take_page_ref(in, process, c.process, PageRefKind::address);
        if (!in.next_is("=="))
            in.fail("==");
        in.advance();
        c.data = take_string(in);
        in.expect_end();
        return;
    }
    case ExpectForm::dma_read:
        c.kind = CommandKind::expect_dma_read;
        in.advance();
        take_held_handle(in, c.handle);
        if (!in.next_is("=="))
            in.fail("==");
        in.advance();
        c.data = take_string(in);
        in.expect_end();
        return;
    case ExpectForm::coherent: {
        c.kind = CommandKind::expect_coherent;
        take_held_handle(in, c.handle);
        if (!in.next_is("coherent"))
            in.fail("coherent");
        in.advance();
        const ProcessInfo& process = take_process(in, c.process);
        c.range = take_page_ref(in, process, c.process, PageRefKind::address);
        in.expect_end();
        return;
    }
    case ExpectForm::page:
        parse_expect_page(in, c);
        return;
    case ExpectForm::unknown:
        in.fail("ok, failed, read, dma-read, invariants, a process or a handle");
    }
}

// expect P A pte KIND | exclusive | shared | same-page Q B | other-page Q B
void Parser::parse_expect_page(Cursor& in, Command& c) {
    const ProcessInfo& process = take_process(in, c.process);
    c.range = take_page_ref(in, process, c.process, PageRefKind::address);
    const Token* check = in.peek();
    const size_t form = take_choice(in, kPageCheckWords, "pte, exclusive, shared, same-page or other-page");
    c.kind = static_cast<CommandKind>(static_cast<uint8_t>(CommandKind::expect_pte) + form);
    switch (c.kind) {
    case CommandKind::expect_pte:
        c.expected_pte = static_cast<ExpectedPte>(take_choice(
            in, kPteWords,
            "a PTE kind (none, present-ro, present-rw, swap, migration-writable, migration-readable, "
            "migration-readable-exclusive, device-private-rw or device-private-ro)"));
        break;
    case CommandKind::expect_exclusive:
    case CommandKind::expect_shared:
        check_era_has_exclusive(in, *check);
        break;
    default: { // same-page, other-page
        const ProcessInfo& other = take_process(in, c.other_process);
        c.other_range = take_page_ref(in, other, c.other_process, PageRefKind::address);
        break;
    }
    }
    in.expect_end();
}

void Parser::check_has_previous_command(const Cursor& in, const Command& c) const {
    if (last_action_line_ == 0)
        fail_at(c.loc, std::string("expected a command before this line for \"expect ") +
                           std::string(in.word_at(1)) + "\" to check, got none");
}

// PG_anon_exclusive came with v5.19 (era c); before it there is nothing to check.
void Parser::check_era_has_exclusive(const Cursor& in, const Token& word) const {
    const Era era = era_override_.value_or(scenario_.era.value_or(Era::c));
    if (era == Era::c)
        return;
    const std::string name = std::string("era ") + era_letter(era);
    fail_at(in.location_of(word), name + (era_override_ ? " (from --era)" : "") +
                                      " has no PG_anon_exclusive: expected era c to check " +
                                      quoted(word.text));
}

// ---------------------------------------------------------------- race blocks

// Inside `race` ... `end`: `cpu0|cpu1 COMMAND`, `flush on|off`, `order ...`, `end`.
void Parser::parse_race_line(Cursor& in, std::string_view line, size_t source_end) {
    const std::string_view word = in.word_at(0);
    if (word == "cpu0" || word == "cpu1")
        return parse_race_cpu(in, line, source_end);
    if (word == "order")
        return parse_race_order(in, line, source_end);
    if (word == "end")
        return close_race(in);
    if (word == "flush") {
        const SourceLocation loc = in.location();
        in.advance();
        if (race_->flush_line != 0)
            fail_at(loc, "expected at most one flush line in a race block, got a second (the first is at line " +
                             std::to_string(race_->flush_line) + ")");
        constexpr std::array<std::string_view, 2> kOnOff = {"on", "off"};
        race_->block->flush = take_choice(in, kOnOff, "on or off") == 0;
        in.expect_end();
        race_->flush_line = in.line();
        return;
    }
    in.fail("cpu0, cpu1, flush, order or end in the race block opened at line " +
            std::to_string(race_->command.loc.line) + (word == "race" ? " (race blocks do not nest)" : ""));
}

// `cpuN COMMAND`: the command reads as it would on its own line. One CPU runs
// migrate or swapout, the other pin or get with `fast`, each as its first
// command; fork may follow the GUP-fast command on its CPU.
void Parser::parse_race_cpu(Cursor& in, std::string_view line, size_t source_end) {
    const int cpu = in.advance().text == "cpu0" ? 0 : 1;
    const std::vector<Token> rest(tokens_.begin() + 1, tokens_.end());
    Cursor sub(rest, in.line(), column_at(source_end));
    Command c;
    c.loc = sub.location();
    constexpr std::array<std::string_view, 5> kRaceWords = {"migrate", "swapout", "pin", "get", "fork"};
    const std::string_view word = sub.word_at(0);
    if (!is_one_of(word, kRaceWords))
        sub.fail("a command a race block interleaves (migrate, swapout, pin ... fast, get ... fast or fork)");
    const auto& specs = command_specs();
    const auto spec = std::find_if(specs.begin(), specs.end(), [&](auto& s) { return s.word == word; });
    sub.advance();
    c.kind = spec->kind;
    c.source = line.substr(c.loc.column - 1, source_end - (c.loc.column - 1));
    (this->*spec->parse)(sub, c);
    OpenRace& race = *race_;
    const bool first = race.block->cpus[cpu].empty();
    const std::string here = "cpu" + std::to_string(cpu);
    if (c.kind == CommandKind::migrate || c.kind == CommandKind::swapout) {
        if (race.writer_cpu >= 0)
            fail_at(c.loc, "expected one migrate or swapout in a race block, got a second");
        if (!first)
            fail_at(c.loc, "expected migrate or swapout as the first command of " + here + ", got it later");
        race.writer_cpu = cpu;
    } else if (c.kind == CommandKind::pin || c.kind == CommandKind::get) {
        if (!c.fast)
            fail_at(c.loc, "expected fast: a race block interleaves the lockless GUP-fast walk (" + std::string(word) +
                               " P A ... fast as H)");
        if (race.gup_cpu >= 0)
            fail_at(c.loc, "expected one pin or get in a race block, got a second");
        if (!first)
            fail_at(c.loc, "expected " + std::string(word) + " as the first command of " + here + ", got it later");
        race.gup_cpu = cpu;
    } else if (race.gup_cpu != cpu) { // fork
        fail_at(c.loc, "expected fork after the pin or get on the same CPU (" + here +
                           " runs no GUP-fast before it): docs/races.md says why");
    }
    race.block->cpus[cpu].push_back(std::move(c));
}

// `order 0 1 1 0` or grouped `order 0110 1`: the CPU that runs each next atomic step.
void Parser::parse_race_order(Cursor& in, std::string_view line, size_t source_end) {
    const SourceLocation loc = in.location();
    in.advance();
    RaceBlock& block = *race_->block;
    if (block.order_line != 0)
        fail_at(loc, "expected at most one order line in a race block, got a second (the first is at line " +
                         std::to_string(block.order_line) + ")");
    const std::string_view expected = "0 or 1 for each atomic step (order 1 0 0 1, or grouped: order 1001)";
    if (in.at_end())
        in.fail(expected);
    std::vector<uint8_t> order;
    while (!in.at_end()) {
        const Token* token = in.peek();
        if (token->kind != TokenKind::word || token->text.find_first_not_of("01") != std::string_view::npos)
            in.fail(expected);
        for (const char digit : in.advance().text)
            order.push_back(static_cast<uint8_t>(digit - '0'));
    }
    const size_t more = line.find_first_not_of(" \t", source_end);
    if (more != std::string_view::npos && line[more] != '#')
        fail_at({in.line(), column_at(more)}, "expected at most " + std::to_string(kMaxTokensPerLine - 1) +
                                                  " groups of digits on an order line, got more (write order 0110 1001)");
    block.order = std::move(order);
    block.order_line = in.line();
}

void Parser::close_race(Cursor& in) {
    const SourceLocation loc = in.location();
    in.advance();
    OpenRace race = std::move(*race_);
    race_.reset();
    in.expect_end();
    if (race.writer_cpu < 0 || race.gup_cpu < 0)
        fail_at(loc, std::string("expected a race block with migrate or swapout on one CPU and pin or get ... fast on "
                                 "the other, got ") +
                         (race.writer_cpu < 0 && race.gup_cpu < 0 ? "neither"
                          : race.writer_cpu < 0                   ? "no migrate or swapout"
                                                                  : "no pin or get"));
    RaceBlock& block = *race.block;
    block.end_line = in.line();
    // The block as one line, for traces and JSON: race [cpu0 ...; cpu1 ...; flush off; order 0110]
    std::string summary;
    for (int cpu = 0; cpu < 2; ++cpu)
        for (const Command& c : block.cpus[cpu])
            summary += (summary.empty() ? "cpu" : "; cpu") + std::to_string(cpu) + " " + c.source;
    if (!block.flush)
        summary += "; flush off";
    if (!block.order.empty()) {
        summary += "; order ";
        for (const uint8_t cpu : block.order)
            summary += char('0' + cpu);
    }
    race.command.source = "race [" + summary + "]";
    race.command.race = std::move(race.block);
    last_action_line_ = in.line();
    if (errors_.empty())
        scenario_.commands.push_back(std::move(race.command));
}

// ---------------------------------------------------------------- whole file

// The offset of the first NUL byte or malformed UTF-8 character (overlong
// forms, surrogates and code points above U+10FFFF included). For a malformed
// character it is the offset of its first byte: where an editor shows it.
std::optional<size_t> find_binary_byte(std::string_view text) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    size_t i = 0;
    while (i < text.size()) {
        const unsigned char lead = bytes[i];
        if (lead != 0 && lead < 0x80) {
            ++i;
            continue;
        }
        size_t length = 0;
        unsigned char low = 0x80, high = 0xBF; // the allowed range of the second byte
        if (lead >= 0xC2 && lead <= 0xDF)
            length = 2;
        else if (lead >= 0xE0 && lead <= 0xEF) {
            length = 3;
            low = lead == 0xE0 ? 0xA0 : 0x80;
            high = lead == 0xED ? 0x9F : 0xBF;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            length = 4;
            low = lead == 0xF0 ? 0x90 : 0x80;
            high = lead == 0xF4 ? 0x8F : 0xBF;
        } else {
            return i; // NUL, a continuation byte, or a lead byte UTF-8 never uses
        }
        for (size_t k = 1; k < length; ++k) {
            if (i + k >= text.size())
                return i; // the file ends inside the character
            const unsigned char byte = bytes[i + k];
            if (k == 1 ? (byte < low || byte > high) : (byte & 0xC0) != 0x80)
                return i;
        }
        i += length;
    }
    return std::nullopt;
}

SourceLocation location_of_offset(std::string_view text, size_t offset) {
    const std::string_view before = text.substr(0, offset);
    const auto line = static_cast<uint32_t>(std::count(before.begin(), before.end(), '\n') + 1);
    const size_t line_start = before.rfind('\n');
    const size_t column = line_start == std::string_view::npos ? offset : offset - line_start - 1;
    return in_characters(text.substr(offset - column, column), {line, column_at(column)});
}

size_t count_lines(std::string_view text) {
    const auto newlines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
    return newlines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

ParseResult Parser::run(std::string_view text) {
    ParseResult result;
    auto single_error = [&](SourceLocation loc, std::string message) {
        result.errors.push_back(ScenarioError{scenario_.file, loc, std::move(message)});
        return result;
    };
    if (text.size() > kMaxScenarioBytes)
        return single_error({1, 1}, "file is too large: expected at most " +
                                        std::to_string(kMaxScenarioBytes) + " bytes, got " +
                                        std::to_string(text.size()));
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3); // a byte order mark some editors write; columns count after it
    const size_t lines = count_lines(text);
    const std::optional<size_t> binary = find_binary_byte(text);
    const SourceLocation binary_loc = binary ? location_of_offset(text, *binary) : SourceLocation{};
    if (binary && binary_loc.line <= kMaxScenarioLines) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[*binary]));
        return single_error(binary_loc,
                            std::string("binary or non-UTF-8 file: expected UTF-8 text, got byte ") + byte);
    }
    if (lines > kMaxScenarioLines)
        return single_error({static_cast<uint32_t>(kMaxScenarioLines + 1), 1},
                            "file has too many lines: expected at most " + std::to_string(kMaxScenarioLines) +
                                ", got " + std::to_string(lines));

    // At most one command a line. Reserving at once spares the copies and the
    // page faults of a growing vector; pages of unused capacity are never touched.
    scenario_.commands.reserve(lines);
    uint32_t line_number = 1;
    for (size_t start = 0; start < text.size() && !stopped_; ++line_number) {
        const size_t newline = std::min(text.find('\n', start), text.size());
        parse_line(text.substr(start, newline - start), line_number);
        start = newline + 1;
    }
    if (race_ && !stopped_)
        report(race_->command.loc, "expected end to close this race block, got end of file");
    result.errors = std::move(errors_);
    if (result.errors.empty())
        result.scenario = std::move(scenario_);
    return result;
}

} // namespace

ParseResult parse_scenario(std::string_view text, const std::string& file, std::optional<Era> era_override) {
    return Parser(file, era_override).run(text);
}

} // namespace mmt
