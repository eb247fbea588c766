// A small lesson that passes every check, and ways to break it one line at a
// time, so that each test can name the exact line its problem is on.
#pragma once

#include <string>
#include <vector>

#include "lesson.h"
#include "lesson_check.h"

namespace mmt::test {

// Line numbers matter: the tests below refer to them.
inline const char* const kGoodLesson =
    "id: fork-basics\n"                                      // 1
    "title: fork basics\n"                                   // 2
    "summary: A page shared by fork, then copied.\n"         // 3
    "level: beginner\n"                                      // 4
    "prerequisites: none\n"                                  // 5
    "minutes: 10\n"                                          // 6
    "sources: mm/memory.c: do_wp_page, wp_page_copy\n"       // 7
    "\n"                                                     // 8
    "@scenario\n"                                            // 9
    "era c\n"                                                // 10
    "process P\n"                                            // 11  command 1
    "map P buf 2 rw\n"                                       // 12  command 2
    "write P buf[0] \"old\"\n"                               // 13  command 3
    "expect P buf[0] exclusive\n"                            // 14
    "fork P C\n"                                             // 15  command 4
    "read C buf[0]\n"                                        // 16  command 5
    "write C buf[0] \"child\"\n"                             // 17  command 6
    "write P buf[0] \"parent\"\n"                            // 18  command 7
    "read C buf[0]\n"                                        // 19  command 8
    "exit C\n"                                               // 20  command 9
    "@end\n"                                                 // 21
    "\n"                                                     // 22
    "@step 1 process P\n"                                    // 23
    "title: A process\n"                                     // 24
    "highlight: process P\n"                                 // 25
    "\n"                                                     // 26
    "An empty address space.\n"                              // 27
    "\n"                                                     // 28
    "@step 3 write P buf[0] \"old\"\n"                       // 29
    "title: A page\n"                                        // 30
    "highlight: page of P buf[0]\n"                          // 31
    "A fresh page.\n"                                        // 32
    "\n"                                                     // 33
    "@checkpoint pte P buf[0]\n"                             // 34
    "question: Which entry?\n"                               // 35
    "answer: present-rw\n"                                   // 36
    "why: A write fault maps a fresh page writable.\n"       // 37
    "wrong present-ro: That is a read fault.\n"              // 38
    "wrong none: The fault leaves an entry.\n"               // 39
    "\n"                                                     // 40
    "@step 4 fork P C\n"                                     // 41
    "title: fork\n"                                          // 42
    "highlight: function copy_present_pte\n"                 // 43
    "Shares the page.\n"                                     // 44
    "@checkpoint same-page P buf[0] C buf[0]\n"              // 45
    "question: Shared?\n"                                    // 46
    "answer: yes\n"                                          // 47
    "why: Fork shares,\n"                                    // 48
    "  it does not copy.\n"                                  // 49
    "wrong no: Nothing is copied at fork.\n"                 // 50
    "\n"                                                     // 51
    "@step 5 read C buf[0]\n"                                // 52
    "title: The child reads\n"                               // 53
    "It sees the old data.\n"                                // 54
    "@checkpoint read\n"                                     // 55
    "question: What does C read?\n"                          // 56
    "answer: \"old\"\n"                                      // 57
    "why: The fork copied the address space.\n"              // 58
    "wrong \"\": Not fresh memory.\n"                        // 59
    "@after\n"                                               // 60
    "As expected.\n"                                         // 61
    "\n"                                                     // 62
    "@step 6 write C buf[0] \"child\"\n"                     // 63
    "title: The child writes\n"                              // 64
    "It copies.\n"                                           // 65
    "@checkpoint copies C buf[0]\n"                          // 66
    "question: Copy?\n"                                      // 67
    "answer: yes\n"                                          // 68
    "why: The page is shared.\n"                             // 69
    "wrong no: P would see the write.\n"                     // 70
    "\n"                                                     // 71
    "@step 7 write P buf[0] \"parent\"\n"                    // 72
    "title: The parent writes\n"                             // 73
    "It reuses.\n"                                           // 74
    "\n"                                                     // 75
    "@step 8 read C buf[0]\n"                                // 76
    "title: The child reads again\n"                         // 77
    "Its own copy.\n"                                        // 78
    "\n"                                                     // 79
    "@step 9 exit C\n"                                       // 80
    "title: The child exits\n"                               // 81
    "highlight: holder H\n"                                  // 82  (removed by good_lesson())
    "Gone.\n"                                                // 83
    "\n"                                                     // 84
    "@step 2 map P buf 2 rw\n"                               // 85  (removed by good_lesson())
    "title: misplaced\n"                                     // 86
    "Out of order.\n"                                        // 87
    "\n"                                                     // 88
    "@try\n"                                                 // 89
    "Try it.\n"                                              // 90
    "@scenario\n"                                            // 91
    "process P\n"                                            // 92
    "map P buf 1 rw\n"                                       // 93
    "write P buf[0] \"x\"\n"                                 // 94
    "expect P buf[0] pte present-rw\n"                       // 95
    "@end\n";                                                // 96

// The lines of kGoodLesson, 1-based (lines[0] is unused).
inline std::vector<std::string> lesson_lines() {
    std::vector<std::string> lines{""};
    std::string text = kGoodLesson;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

inline std::string join(const std::vector<std::string>& lines) {
    std::string out;
    for (size_t i = 1; i < lines.size(); ++i)
        out += lines[i] + "\n";
    return out;
}

// Lines 82 and 85 to 87 are traps for two tests; every other test starts
// from the lesson without them (blank lines keep the numbering).
inline std::vector<std::string> good_lines() {
    std::vector<std::string> lines = lesson_lines();
    for (int l : {82, 85, 86, 87})
        lines[l] = "";
    return lines;
}

inline std::string good_lesson() { return join(good_lines()); }

// The text with line `line` replaced.
inline std::string with_line(int line, const std::string& text) {
    std::vector<std::string> lines = good_lines();
    lines[line] = text;
    return join(lines);
}

// The text with several lines replaced.
inline std::string with_lines(std::initializer_list<std::pair<int, std::string>> changes) {
    std::vector<std::string> lines = good_lines();
    for (const auto& [line, text] : changes)
        lines[line] = text;
    return join(lines);
}

inline std::vector<std::string> formatted(const std::vector<LessonProblem>& problems) {
    std::vector<std::string> out;
    for (const LessonProblem& p : problems)
        out.push_back(p.format());
    return out;
}

// Parse problems, or else check problems.
inline std::vector<std::string> problems_of(const std::string& text) {
    LessonParseResult parsed = parse_lesson(text, "t.lesson");
    if (!parsed.lesson)
        return formatted(parsed.problems);
    return formatted(check_lesson(*parsed.lesson).problems);
}

} // namespace mmt::test
