// `mmtutor-cli lessons`: lists the guided lessons and checks them against the
// engine (docs/lesson-format.md).
//   mmtutor-cli lessons list [DIR]
//   mmtutor-cli lessons check [ID] [--dir DIR]
#pragma once

#include <string>
#include <vector>

namespace mmt {

// `args` are the words after `lessons`. Returns the exit status: 0 all good,
// 1 a lesson has a problem, 2 a usage error or no lessons to read.
int cli_lessons(const std::vector<std::string>& args);

} // namespace mmt
