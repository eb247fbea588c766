// The lesson parser (docs/lesson-format.md). A lesson is read line by line:
// a header of `key: value` fields, then sections opened by `@` directives.
// Each problem names the lesson line it is on; the embedded scenarios are
// handed to the scenario parser behind as many blank lines as precede them,
// so that its errors name lesson lines too.
#include "lesson.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace mmt {

uint32_t Lesson::checkpoint_count() const {
    uint32_t n = 0;
    for (const LessonStep& s : steps)
        n += static_cast<uint32_t>(s.checkpoints.size());
    return n;
}

std::string LessonProblem::format() const {
    std::string where = file + ":" + std::to_string(line);
    if (column)
        where += ":" + std::to_string(column);
    return where + ": " + message;
}

namespace {

constexpr std::array<std::string_view, 3> kLevelNames{"beginner", "intermediate", "advanced"};
constexpr std::array<std::string_view, 12> kAskNames{
    "pte",      "exclusive", "copies", "same-page", "coherent",        "pinned",
    "refcount", "mapcount",  "read",   "outcome",   "migration-entry", "entry-history"};
constexpr std::array<std::string_view, 9> kPteKinds{"none",
                                                    "present-ro",
                                                    "present-rw",
                                                    "swap",
                                                    "migration-writable",
                                                    "migration-readable",
                                                    "migration-readable-exclusive",
                                                    "device-private-rw",
                                                    "device-private-ro"};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Words separated by single spaces, for comparing a command as a step names
// it with the command as the scenario wrote it.
std::string normalize_spaces(std::string_view s) {
    std::string out;
    bool blank = false;
    for (char c : trim(s)) {
        bool is_blank = c == ' ' || c == '\t';
        if (is_blank && !blank)
            out += ' ';
        else if (!is_blank)
            out += c;
        blank = is_blank;
    }
    return out;
}

std::vector<std::string_view> split_words(std::string_view s) {
    std::vector<std::string_view> words;
    s = trim(s);
    while (!s.empty()) {
        size_t end = s.find_first_of(" \t");
        words.push_back(s.substr(0, end));
        s = end == std::string_view::npos ? std::string_view() : trim(s.substr(end));
    }
    return words;
}

bool is_lesson_id(std::string_view s) {
    if (s.empty() || s.front() == '-' || s.back() == '-' || s.find("--") != std::string_view::npos)
        return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool is_name(std::string_view s) {
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
}

std::optional<uint32_t> parse_uint(std::string_view s) {
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty())
        return std::nullopt;
    return v;
}

// `VMA[i]` into vma and index.
bool parse_page(std::string_view s, LessonAddress* a) {
    size_t open = s.find('[');
    if (open == std::string_view::npos || s.back() != ']')
        return false;
    auto index = parse_uint(s.substr(open + 1, s.size() - open - 2));
    if (!is_name(s.substr(0, open)) || !index)
        return false;
    a->vma = std::string(s.substr(0, open));
    a->index = *index;
    return true;
}

bool parse_address(std::string_view process, std::string_view page, LessonAddress* a) {
    if (!is_name(process) || !parse_page(page, a))
        return false;
    a->process = std::string(process);
    return true;
}

// A choice value as written: a bare word or number, or a "quoted string".
std::optional<std::string> take_value(std::string_view& rest) {
    rest = trim(rest);
    if (rest.empty())
        return std::nullopt;
    if (rest.front() == '"') {
        for (size_t i = 1; i < rest.size(); ++i) {
            if (rest[i] == '\\') {
                ++i;
                continue;
            }
            if (rest[i] == '"') {
                std::string v(rest.substr(0, i + 1));
                rest.remove_prefix(i + 1);
                return v;
            }
        }
        return std::nullopt;
    }
    size_t end = rest.find_first_of(" \t:");
    std::string v(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    return v;
}

// Where a field's text goes while its continuation lines are read.
struct OpenText {
    std::string* text = nullptr;
};

enum class Section {
    header,
    intro,
    scenario,
    step_fields,
    step_text,
    checkpoint,
    after,
    try_text,
    try_scenario
};

class LessonParser {
public:
    LessonParser(std::string file) { lesson_.file = std::move(file); }

    LessonParseResult run(std::string_view text);

private:
    void problem(uint32_t line, std::string message, uint32_t column = 0) {
        problems_.push_back({lesson_.file, line, column, std::move(message)});
    }
    void line(std::string_view text, uint32_t number);
    void directive(std::string_view text, uint32_t number);
    void header_field(std::string_view text, uint32_t number);
    void step_field(std::string_view text, uint32_t number);
    void checkpoint_line(std::string_view text, uint32_t number);
    void open_checkpoint(std::string_view rest, uint32_t number);
    void open_step(std::string_view rest, uint32_t number);
    void parse_highlight(std::string_view text, uint32_t number);
    void append_text(std::string* text, std::string_view line);
    void finish_checkpoint();
    void finish();
    void finish_scenario(EmbeddedScenario& s, const char* what);
    void close_scenario();
    void check_choice_value(const Checkpoint& c, const CheckpointChoice& choice);
    void resolve_steps();
    void check_step_mentions(const std::string& text, uint32_t line);

    Lesson lesson_;
    std::vector<LessonProblem> problems_;
    Section section_ = Section::header;
    std::vector<std::string> header_seen_;
    OpenText open_;
    Checkpoint* checkpoint_ = nullptr;
    bool checkpoint_ask_known_ = false; // values are checked only against a known ask
    EmbeddedScenario* scenario_ = nullptr;
    bool scenario_done_ = false;
    bool try_done_ = false;
};

void LessonParser::append_text(std::string* text, std::string_view line) {
    if (!text->empty() || !trim(line).empty())
        *text += std::string(line) + "\n";
}

// Parses the scenario just read and returns to the section after it.
void LessonParser::close_scenario() {
    const bool main = section_ == Section::scenario;
    finish_scenario(*scenario_, main ? "@scenario" : "@try scenario");
    (main ? scenario_done_ : try_done_) = true;
    section_ = main ? Section::intro : Section::try_text;
}

void LessonParser::line(std::string_view text, uint32_t number) {
    if (!text.empty() && text.back() == '\r')
        text.remove_suffix(1);
    if (section_ == Section::scenario || section_ == Section::try_scenario) {
        if (trim(text) == "@end") {
            close_scenario();
            return;
        }
        if (text.empty() || text.front() != '@') {
            scenario_->text += std::string(text) + "\n";
            return;
        }
        // A directive ends the scenario that forgot its @end: say so once,
        // then read the directive as if @end had been there.
        problem(scenario_->line, "the scenario opened here has no @end (line " + std::to_string(number) +
                                     " starts " + std::string(split_words(text)[0]) + ")");
        close_scenario();
    }
    if (!text.empty() && text.front() == '@') {
        directive(text, number);
        return;
    }
    switch (section_) {
    case Section::header:
        header_field(text, number);
        return;
    case Section::intro:
        if (scenario_done_) {
            if (!trim(text).empty())
                problem(number, "expected @step after the scenario, got text outside any step");
            return;
        }
        append_text(&lesson_.intro, text);
        return;
    case Section::step_fields:
        step_field(text, number);
        return;
    case Section::step_text:
        append_text(&lesson_.steps.back().narration, text);
        return;
    case Section::checkpoint:
        checkpoint_line(text, number);
        return;
    case Section::after:
        append_text(&lesson_.steps.back().after, text);
        return;
    case Section::try_text:
        if (try_done_) {
            if (!trim(text).empty())
                problem(number, "expected nothing after the @try scenario's @end, got text");
            return;
        }
        append_text(&lesson_.try_prompt, text);
        return;
    case Section::scenario:
    case Section::try_scenario:
        return;
    }
}

void LessonParser::directive(std::string_view text, uint32_t number) {
    const std::vector<std::string_view> words = split_words(text);
    const std::string_view word = words[0];
    std::string_view rest = trim(trim(text).substr(word.size()));
    if (section_ == Section::checkpoint)
        finish_checkpoint();
    if (word == "@intro") {
        if (section_ != Section::header)
            problem(number, "expected @intro right after the header, before the scenario");
        section_ = Section::intro;
    } else if (word == "@scenario") {
        if (section_ == Section::try_text && !try_done_) {
            lesson_.try_scenario.line = number;
            lesson_.try_scenario.text.assign(number, '\n');
            scenario_ = &lesson_.try_scenario;
            section_ = Section::try_scenario;
        } else if (section_ == Section::header || (section_ == Section::intro && !scenario_done_)) {
            lesson_.scenario.line = number;
            lesson_.scenario.text.assign(number, '\n');
            scenario_ = &lesson_.scenario;
            section_ = Section::scenario;
        } else {
            problem(number, "expected one @scenario after the header and one in @try, got another");
        }
    } else if (word == "@end") {
        problem(number, "@end closes a scenario, but no @scenario is open");
    } else if (word == "@step") {
        if (!scenario_done_)
            problem(number, "expected the lesson's @scenario before its first @step");
        else if (lesson_.try_line)
            problem(number, "expected every @step before @try");
        else
            open_step(rest, number);
    } else if (word == "@checkpoint") {
        if (lesson_.steps.empty() || section_ == Section::intro || section_ == Section::after ||
            section_ == Section::try_text)
            problem(number, "expected @checkpoint inside a step, before its @after");
        else
            open_checkpoint(rest, number);
    } else if (word == "@after") {
        if (lesson_.steps.empty() || section_ == Section::after || section_ == Section::try_text ||
            section_ == Section::intro)
            problem(number, "expected @after once inside a step, after its narration and checkpoints");
        else
            section_ = Section::after;
    } else if (word == "@try") {
        if (lesson_.try_line)
            problem(number, "expected one @try, got a second (the first is at line " +
                                std::to_string(lesson_.try_line) + ")");
        else if (lesson_.steps.empty())
            problem(number, "expected the steps before @try");
        lesson_.try_line = lesson_.try_line ? lesson_.try_line : number;
        section_ = Section::try_text;
    } else {
        problem(number, "unknown directive " + std::string(word) +
                            ": expected @intro, @scenario, @end, @step, @checkpoint, @after or @try");
    }
}

void LessonParser::header_field(std::string_view text, uint32_t number) {
    if (trim(text).empty())
        return;
    const size_t colon = text.find(':');
    const std::string key(trim(text.substr(0, colon == std::string_view::npos ? 0 : colon)));
    if (colon == std::string_view::npos || key.empty() || key.find(' ') != std::string::npos) {
        problem(number, "expected a header field `key: value`, got `" + std::string(trim(text)) + "`");
        return;
    }
    const std::string_view value = trim(text.substr(colon + 1));
    if (key != "sources" && std::find(header_seen_.begin(), header_seen_.end(), key) != header_seen_.end()) {
        problem(number, "header field `" + key + "` appears twice");
        return;
    }
    header_seen_.push_back(key);
    if (key == "id") {
        if (!is_lesson_id(value))
            problem(number, "expected an id of lowercase letters, digits and single dashes, got `" +
                                std::string(value) + "`");
        lesson_.id = std::string(value);
        lesson_.id_line = number;
    } else if (key == "title" || key == "summary") {
        if (value.empty())
            problem(number, "header field `" + key + "` is empty");
        (key == "title" ? lesson_.title : lesson_.summary) = std::string(value);
    } else if (key == "level") {
        auto it = std::find(kLevelNames.begin(), kLevelNames.end(), value);
        if (it == kLevelNames.end())
            problem(number,
                    "expected level beginner, intermediate or advanced, got `" + std::string(value) + "`");
        else
            lesson_.level = static_cast<LessonLevel>(it - kLevelNames.begin());
    } else if (key == "prerequisites") {
        lesson_.prerequisites_line = number;
        if (value == "none")
            return;
        std::string_view list = value;
        while (!list.empty()) {
            size_t comma = list.find(',');
            std::string_view id = trim(list.substr(0, comma));
            if (!is_lesson_id(id))
                problem(number,
                        "expected lesson ids separated by commas (or `none`), got `" + std::string(id) + "`");
            else
                lesson_.prerequisites.emplace_back(id);
            list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        }
    } else if (key == "minutes") {
        auto minutes = parse_uint(value);
        if (!minutes || *minutes == 0 || *minutes > 240)
            problem(number,
                    "expected minutes as a whole number from 1 to 240, got `" + std::string(value) + "`");
        else
            lesson_.minutes = *minutes;
    } else if (key == "sources") {
        // One kernel file a line: `mm/memory.c: do_wp_page, wp_page_copy`.
        std::string_view path = trim(value.substr(0, value.find(':')));
        if (path.empty() || path.find('/') == std::string_view::npos ||
            path.find(' ') != std::string_view::npos)
            problem(number,
                    "expected a kernel source path and its functions (`mm/memory.c: do_wp_page`), got `" +
                        std::string(value) + "`");
        else
            lesson_.sources.emplace_back(value);
    } else if (key == "status") {
        if (value != "ready" && value != "draft")
            problem(number, "expected status ready or draft, got `" + std::string(value) + "`");
        lesson_.status = value == "draft" ? LessonStatus::draft : LessonStatus::ready;
    } else if (key == "breaches") {
        // A comma-separated list: `coherence` (a GUP reference and its process
        // part ways: the bugs of eras a and b) and `flush-off` (a race block
        // run with the teaching switch breaks the invariants the flush keeps).
        lesson_.breaches_line = number;
        size_t start = 0;
        while (start <= value.size()) {
            size_t comma = value.find(',', start);
            std::string item = normalize_spaces(value.substr(start, comma == std::string_view::npos ? value.npos : comma - start));
            if (item == "coherence")
                lesson_.shows_coherence_breach = true;
            else if (item == "flush-off")
                lesson_.shows_flush_off_breach = true;
            else
                problem(number, "expected `breaches:` followed by coherence, flush-off or both, got `" +
                                    std::string(value) + "`");
            if (comma == std::string_view::npos)
                break;
            start = comma + 1;
        }
    } else {
        problem(number,
                "unknown header field `" + key +
                    "`: expected id, title, summary, level, prerequisites, minutes, sources, status or "
                    "breaches");
    }
}

void LessonParser::open_step(std::string_view rest, uint32_t number) {
    LessonStep step;
    step.line = number;
    std::string_view number_text = rest.substr(0, rest.find_first_of(" \t"));
    auto n = parse_uint(number_text);
    if (!n || *n == 0) {
        problem(number, "expected `@step N COMMAND` with N the command's number (1 = the first), got `" +
                            std::string(rest) + "`");
    } else {
        step.command_number = *n;
        step.command_text = normalize_spaces(rest.substr(number_text.size()));
        if (step.command_text.empty())
            problem(number, "expected the command after the step number, as the scenario writes it");
    }
    lesson_.steps.push_back(std::move(step));
    section_ = Section::step_fields;
}

void LessonParser::step_field(std::string_view text, uint32_t number) {
    LessonStep& step = lesson_.steps.back();
    if (trim(text).empty())
        return;
    const size_t colon = text.find(':');
    const std::string_view key = colon == std::string_view::npos ? std::string_view() : text.substr(0, colon);
    const bool field_like = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || c == '-';
    });
    if (!field_like) {
        section_ = Section::step_text;
        append_text(&step.narration, text);
        return;
    }
    const std::string_view value = trim(text.substr(colon + 1));
    if (key == "title") {
        if (!step.title.empty())
            problem(number, "step has a second `title:` line");
        step.title = std::string(value);
        if (value.empty())
            problem(number, "step title is empty");
    } else if (key == "highlight") {
        parse_highlight(value, number);
    } else {
        problem(number, "unknown step field `" + std::string(key) + "`: expected title or highlight");
    }
}

void LessonParser::parse_highlight(std::string_view text, uint32_t number) {
    Highlight h;
    h.line = number;
    h.text = std::string(text);
    const std::vector<std::string_view> w = split_words(text);
    bool ok = false;
    if (w.size() == 2 && w[0] == "process") {
        h.kind = HighlightKind::process;
        h.address.process = std::string(w[1]);
        ok = is_name(w[1]);
    } else if (w.size() == 2 && (w[0] == "holder" || w[0] == "function")) {
        h.kind = w[0] == "holder" ? HighlightKind::holder : HighlightKind::function;
        h.name = std::string(w[1]);
        ok = h.kind == HighlightKind::holder ? is_name(w[1]) : !w[1].empty();
    } else if (w.size() == 4 && (w[0] == "page" || w[0] == "swap") && w[1] == "of") {
        h.kind = w[0] == "page" ? HighlightKind::page : HighlightKind::swap;
        ok = parse_address(w[2], w[3], &h.address);
    } else if (w.size() == 2 && w[1].find('[') == std::string_view::npos) {
        h.kind = HighlightKind::vma;
        h.address.process = std::string(w[0]);
        h.address.vma = std::string(w[1]);
        ok = is_name(w[0]) && is_name(w[1]);
    } else if (w.size() == 2) {
        h.kind = HighlightKind::address;
        ok = parse_address(w[0], w[1], &h.address);
    }
    if (!ok) {
        problem(number, "expected a highlight: `process P`, `P buf`, `P buf[0]`, `page of P buf[0]`, "
                        "`swap of P buf[0]`, `holder H` or `function NAME`, got `" +
                            std::string(text) + "`");
        return;
    }
    lesson_.steps.back().highlights.push_back(std::move(h));
}

void LessonParser::open_checkpoint(std::string_view rest, uint32_t number) {
    LessonStep& step = lesson_.steps.back();
    Checkpoint c;
    c.line = number;
    const std::vector<std::string_view> w = split_words(rest);
    const std::string_view ask = w.empty() ? std::string_view() : w[0];
    auto it = std::find(kAskNames.begin(), kAskNames.end(), ask);
    checkpoint_ask_known_ = it != kAskNames.end();
    if (it == kAskNames.end()) {
        problem(number,
                "expected what the checkpoint asks: pte, exclusive, copies, same-page, coherent, pinned, "
                "refcount, mapcount, read, outcome, migration-entry or entry-history, got `" +
                    std::string(ask) + "`");
    } else {
        c.ask = static_cast<CheckpointAsk>(it - kAskNames.begin());
        c.subject = normalize_spaces(rest.substr(ask.size()));
        bool ok = true;
        std::string form;
        switch (c.ask) {
        case CheckpointAsk::read:
        case CheckpointAsk::outcome:
            ok = w.size() == 1;
            form = std::string(ask);
            break;
        case CheckpointAsk::same_page:
            ok =
                w.size() == 5 && parse_address(w[1], w[2], &c.address) && parse_address(w[3], w[4], &c.other);
            form = "same-page P A Q B";
            break;
        case CheckpointAsk::coherent:
            ok = w.size() == 4 && is_name(w[1]) && parse_address(w[2], w[3], &c.address);
            c.holder = w.size() > 1 ? std::string(w[1]) : "";
            form = "coherent H P A";
            break;
        default:
            ok = w.size() == 3 && parse_address(w[1], w[2], &c.address);
            form = std::string(ask) + " P A";
            break;
        }
        if (!ok)
            problem(number, "expected `@checkpoint " + form + "` (A as VMA[i]), got `@checkpoint " +
                                std::string(rest) + "`");
    }
    step.checkpoints.push_back(std::move(c));
    checkpoint_ = &step.checkpoints.back();
    section_ = Section::checkpoint;
    open_ = {};
}

void LessonParser::checkpoint_line(std::string_view text, uint32_t number) {
    Checkpoint& c = *checkpoint_;
    if (trim(text).empty() || text.front() == ' ' || text.front() == '\t') {
        if (open_.text)
            append_text(open_.text, trim(text));
        else if (!trim(text).empty())
            problem(number, "expected a checkpoint field before an indented line");
        return;
    }
    const size_t colon = text.find(':');
    std::string_view key = text.substr(0, std::min(colon, text.find_first_of(" \t")));
    std::string_view value =
        colon == std::string_view::npos ? std::string_view() : trim(text.substr(colon + 1));
    open_ = {};
    if (key == "question" || key == "why") {
        std::string& field = key == "question" ? c.question : c.answer.explanation;
        if (!field.empty())
            problem(number, "checkpoint has a second `" + std::string(key) + ":` line");
        append_text(&field, value);
        open_.text = &field;
    } else if (key == "answer") {
        std::string_view rest = value;
        auto v = take_value(rest);
        if (!v || !trim(rest).empty()) {
            problem(number, "expected `answer: VALUE` (one word, number or \"string\"), got `" +
                                std::string(trim(text)) + "`");
            return;
        }
        if (c.answer.line)
            problem(number, "checkpoint has a second `answer:` line");
        c.answer.line = number;
        c.answer.value = *v;
    } else if (key == "wrong") {
        std::string_view rest = trim(text.substr(key.size()));
        auto v = take_value(rest);
        rest = trim(rest);
        if (!v || rest.empty() || rest.front() != ':') {
            problem(number, "expected `wrong VALUE: why this choice is wrong`, got `" +
                                std::string(trim(text)) + "`");
            return;
        }
        CheckpointChoice choice{number, *v, ""};
        append_text(&choice.explanation, trim(rest.substr(1)));
        c.wrong.push_back(std::move(choice));
        open_.text = &c.wrong.back().explanation;
    } else {
        problem(number, "expected a checkpoint field (question:, answer:, why:, wrong VALUE:) or an indented "
                        "continuation line, got `" +
                            std::string(trim(text)) + "`");
    }
}

void LessonParser::check_choice_value(const Checkpoint& c, const CheckpointChoice& choice) {
    const std::string& v = choice.value;
    switch (c.ask) {
    case CheckpointAsk::pte:
        if (std::find(kPteKinds.begin(), kPteKinds.end(), v) == kPteKinds.end())
            problem(choice.line,
                    "expected a PTE kind (none, present-ro, present-rw, swap, migration-writable, "
                    "migration-readable, migration-readable-exclusive, device-private-rw, "
                    "device-private-ro), got `" +
                        v + "`");
        return;
    case CheckpointAsk::refcount:
    case CheckpointAsk::mapcount:
        if (!parse_uint(v))
            problem(choice.line, "expected a number, got `" + v + "`");
        return;
    case CheckpointAsk::read:
    case CheckpointAsk::entry_history:
        if (v.size() < 2 || v.front() != '"')
            problem(choice.line, std::string("expected a \"quoted\" ") +
                                     (c.ask == CheckpointAsk::read ? "value read" : "list of PTE kinds") +
                                     ", got `" + v + "`");
        return;
    case CheckpointAsk::migration_entry:
        if (v != "none" && (!v.starts_with("migration-") ||
                            std::find(kPteKinds.begin(), kPteKinds.end(), v) == kPteKinds.end()))
            problem(choice.line,
                    "expected migration-writable, migration-readable, migration-readable-exclusive "
                    "or none, got `" +
                        v + "`");
        return;
    case CheckpointAsk::outcome:
        if (v != "ok" && v != "failed")
            problem(choice.line, "expected ok or failed, got `" + v + "`");
        return;
    default:
        if (v != "yes" && v != "no")
            problem(choice.line, "expected yes or no, got `" + v + "`");
        return;
    }
}

void LessonParser::finish_checkpoint() {
    Checkpoint& c = *checkpoint_;
    section_ = Section::step_text;
    open_ = {};
    // Markdown fields end with the newline of their last line; drop it.
    for (std::string* s : {&c.question, &c.answer.explanation})
        while (!s->empty() && s->back() == '\n')
            s->pop_back();
    for (CheckpointChoice& w : c.wrong)
        while (!w.explanation.empty() && w.explanation.back() == '\n')
            w.explanation.pop_back();
    if (c.question.empty())
        problem(c.line, "checkpoint has no `question:`");
    if (!c.answer.line) {
        problem(c.line, "checkpoint has no `answer:`");
        return;
    }
    if (c.answer.explanation.empty())
        problem(c.line, "checkpoint has no `why:` (the explanation shown with the right answer)");
    if (checkpoint_ask_known_)
        check_choice_value(c, c.answer);
    if (c.wrong.empty())
        problem(c.line,
                "checkpoint has no `wrong VALUE:` choice: a question needs at least one wrong answer");
    std::vector<std::string> seen{c.answer.value};
    for (const CheckpointChoice& w : c.wrong) {
        if (checkpoint_ask_known_)
            check_choice_value(c, w);
        if (std::find(seen.begin(), seen.end(), w.value) != seen.end())
            problem(w.line, "choice `" + w.value + "` is offered twice (or is also the answer)");
        if (w.explanation.empty())
            problem(w.line, "wrong choice `" + w.value + "` has no explanation");
        seen.push_back(w.value);
    }
}

void LessonParser::finish_scenario(EmbeddedScenario& s, const char* what) {
    ParseResult parsed = parse_scenario(s.text, lesson_.file);
    for (const ScenarioError& e : parsed.errors)
        problem(e.loc.line, std::string("in the ") + what + ": " + e.message, e.loc.column);
    s.parsed = std::move(parsed.scenario);
    if (s.parsed && s.parsed->commands.empty())
        problem(s.line, std::string("the ") + what + " has no commands");
}

void LessonParser::resolve_steps() {
    if (!lesson_.scenario.parsed)
        return;
    const Scenario& sc = *lesson_.scenario.parsed;
    std::vector<uint32_t> actions; // action number - 1 -> index in commands
    for (uint32_t i = 0; i < sc.commands.size(); ++i)
        if (!is_expectation(sc.commands[i].kind))
            actions.push_back(i);
    uint32_t previous = 0;
    for (LessonStep& step : lesson_.steps) {
        if (step.command_number == 0)
            continue;
        if (step.command_number > actions.size()) {
            problem(step.line, "step refers to command " + std::to_string(step.command_number) +
                                   ", but the scenario has " + std::to_string(actions.size()) +
                                   " commands (not counting era and expect lines)");
            continue;
        }
        const Command& command = sc.commands[actions[step.command_number - 1]];
        // A race block spans lines; its step may name it by its first word.
        const bool names_race = command.kind == CommandKind::race && step.command_text == "race";
        if (!names_race && normalize_spaces(command.source) != step.command_text)
            problem(step.line, "step names `" + step.command_text + "` but command " +
                                   std::to_string(step.command_number) + " of the scenario (line " +
                                   std::to_string(command.loc.line) + ") is `" +
                                   normalize_spaces(command.source) + "`");
        if (step.command_number <= previous)
            problem(step.line, "step refers to command " + std::to_string(step.command_number) +
                                   ", which does not come after the previous step's command " +
                                   std::to_string(previous));
        previous = std::max(previous, step.command_number);
        step.command_index = actions[step.command_number - 1];
        for (const Checkpoint& c : step.checkpoints)
            if (c.ask == CheckpointAsk::read && command.kind != CommandKind::read &&
                command.kind != CommandKind::dma_read)
                problem(c.line,
                        "a `read` checkpoint needs a read or dma-read command, but the step's command is `" +
                            normalize_spaces(command.source) + "`");
    }
}

// Narration may refer to an earlier step as "step N" (N its command number,
// as the player shows it); "lesson L, step N" refers to another lesson.
void LessonParser::check_step_mentions(const std::string& text, uint32_t line) {
    static constexpr std::string_view kWord = "step ";
    for (size_t at = text.find(kWord); at != std::string::npos; at = text.find(kWord, at + 1)) {
        if (at > 0 && std::isalpha(static_cast<unsigned char>(text[at - 1])))
            continue;
        size_t end = at + kWord.size();
        while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])))
            ++end;
        auto n = parse_uint(std::string_view(text).substr(at + kWord.size(), end - at - kWord.size()));
        if (!n)
            continue;
        const size_t comma = text.rfind(", ", at);
        const size_t lesson = text.rfind("lesson ", at);
        if (lesson != std::string::npos && comma != std::string::npos && lesson < comma && comma + 2 == at)
            continue;
        const bool known = std::any_of(lesson_.steps.begin(), lesson_.steps.end(),
                                       [&](const LessonStep& s) { return s.command_number == *n; });
        if (!known)
            problem(line, "the text refers to step " + std::to_string(*n) + ", but no @step " + std::to_string(*n) +
                              " exists (steps are numbered by their command)");
    }
}

void LessonParser::finish() {
    static constexpr std::array<std::string_view, 7> kRequired{
        "id", "title", "summary", "level", "prerequisites", "minutes", "sources"};
    for (std::string_view key : kRequired)
        if (std::find(header_seen_.begin(), header_seen_.end(), key) == header_seen_.end())
            problem(1, "the header has no `" + std::string(key) + ":` field");
    if (section_ == Section::checkpoint)
        finish_checkpoint();
    if (section_ == Section::scenario || section_ == Section::try_scenario)
        problem(scenario_->line, "the scenario opened here has no @end");
    if (!lesson_.scenario.line)
        problem(1, "the lesson has no @scenario");
    for (LessonStep& step : lesson_.steps) {
        while (!step.narration.empty() && step.narration.back() == '\n')
            step.narration.pop_back();
        while (!step.after.empty() && step.after.back() == '\n')
            step.after.pop_back();
        if (step.title.empty())
            problem(step.line, "step has no `title:` line");
        if (step.narration.empty())
            problem(step.line, "step has no narration");
    }
    if (!lesson_.try_line)
        problem(1, "the lesson has no @try section");
    else if (!lesson_.try_scenario.line)
        problem(lesson_.try_line, "@try has no @scenario");
    for (std::string* s : {&lesson_.intro, &lesson_.try_prompt})
        while (!s->empty() && s->back() == '\n')
            s->pop_back();
    resolve_steps();
    check_step_mentions(lesson_.intro, 1);
    check_step_mentions(lesson_.try_prompt, lesson_.try_line);
    for (const LessonStep& step : lesson_.steps) {
        check_step_mentions(step.narration, step.line);
        check_step_mentions(step.after, step.line);
        for (const Checkpoint& c : step.checkpoints) {
            check_step_mentions(c.question, c.line);
            check_step_mentions(c.answer.explanation, c.line);
            for (const CheckpointChoice& w : c.wrong)
                check_step_mentions(w.explanation, w.line);
        }
    }
}

LessonParseResult LessonParser::run(std::string_view text) {
    LessonParseResult result;
    if (text.size() > kMaxLessonBytes) {
        problem(1, "file is too large: expected at most " + std::to_string(kMaxLessonBytes) + " bytes");
    } else {
        if (text.starts_with("\xEF\xBB\xBF"))
            text.remove_prefix(3);
        uint32_t number = 1;
        for (size_t start = 0; start < text.size(); ++number) {
            const size_t newline = std::min(text.find('\n', start), text.size());
            line(text.substr(start, newline - start), number);
            start = newline + 1;
        }
        finish();
    }
    std::stable_sort(problems_.begin(), problems_.end(),
                     [](const LessonProblem& a, const LessonProblem& b) { return a.line < b.line; });
    result.problems = std::move(problems_);
    if (result.problems.empty())
        result.lesson = std::move(lesson_);
    return result;
}

} // namespace

LessonParseResult parse_lesson(std::string_view text, const std::string& file) {
    return LessonParser(file).run(text);
}

std::string_view lesson_level_name(LessonLevel level) {
    return kLevelNames[static_cast<size_t>(level)];
}
std::string_view checkpoint_ask_name(CheckpointAsk ask) {
    return kAskNames[static_cast<size_t>(ask)];
}

std::vector<std::string> lesson_files(const std::string& directory) {
    std::vector<std::string> files;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(directory, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file(ec) && name.size() > 10 && name.ends_with(".lesson") &&
            std::isdigit(static_cast<unsigned char>(name[0])) &&
            std::isdigit(static_cast<unsigned char>(name[1])) && name[2] == '-')
            files.push_back(entry.path().string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

bool read_lesson_file(const std::string& path, std::string* text, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *error = "cannot read " + path + ": " + std::strerror(errno);
        return false;
    }
    std::string data(kMaxLessonBytes + 1, '\0');
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<size_t>(in.gcount()));
    *text = std::move(data);
    return true;
}

} // namespace mmt
