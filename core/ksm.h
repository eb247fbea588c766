// KSM (mm/ksm.c): merging identical pages into one write-protected page.
#pragma once

#include "address.h"

namespace mmt {

class Kernel;

Outcome ksm_merge(Kernel& k, const Address& a, const Address& b);

} // namespace mmt
