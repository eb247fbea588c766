// Text for entries, flags and changes, shared by the CLI, the JSON output and
// the GUI's narration.
#pragma once

#include <string>

#include "pte.h"

namespace mmt {

class Kernel;

std::string pte_text(const Kernel& k, Pte pte);
std::string pmd_text(const Kernel& k, Pmd pmd);
std::string page_flags_text(uint32_t flags);

} // namespace mmt
