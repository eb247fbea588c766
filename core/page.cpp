#include "page.h"

namespace mmt {

std::string_view page_flag_name(PageFlag flag) {
    switch (flag) {
    case PG_locked: return "locked";
    case PG_lru: return "lru";
    case PG_anon: return "anon";
    case PG_anon_exclusive: return "anon_exclusive";
    case PG_swapcache: return "swapcache";
    case PG_dirty: return "dirty";
    case PG_head: return "head";
    case PG_tail: return "tail";
    case PG_swapbacked: return "swapbacked";
    case PG_ksm: return "ksm";
    case PG_zero: return "zero";
    case PG_device_private: return "device_private";
    case PG_allocated: return "allocated";
    }
    return "?";
}

} // namespace mmt
