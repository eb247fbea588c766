// `mmtutor-cli lessons export|import` and the user's lessons in `lessons list`:
// the parts of `lessons` that use the SQLite store (app/store/). Built only
// when Qt Core and Sql are there (MMTUTOR_HAVE_STORE).
//   mmtutor-cli lessons export ID... -o PACK [--force]
//   mmtutor-cli lessons import PACK [--keep-both|--replace]
#pragma once

#include <string>
#include <vector>

namespace mmt {

// `args` are the words after `export`/`import`. Exit status: 0 done, 1 the
// pack or a lesson has a problem (nothing written), 2 a usage error.
int cli_lessons_export(const std::vector<std::string>& args);
int cli_lessons_import(const std::vector<std::string>& args);
// Prints the user's own and imported lessons, in `lessons list` format, if a
// user database exists. Returns false (after printing why) if it cannot be read.
bool cli_list_user_lessons();

} // namespace mmt
