#include "pte.h"

namespace mmt {

std::string_view pte_kind_name(PteKind kind) {
    switch (kind) {
    case PteKind::none: return "none";
    case PteKind::present: return "present";
    case PteKind::swap: return "swap";
    case PteKind::migration_read: return "migration-readable";
    case PteKind::migration_read_exclusive: return "migration-readable-exclusive";
    case PteKind::migration_write: return "migration-writable";
    case PteKind::device_private_read: return "device-private-ro";
    case PteKind::device_private_write: return "device-private-rw";
    }
    return "?";
}

std::string_view pmd_kind_name(PmdKind kind) {
    switch (kind) {
    case PmdKind::none: return "none";
    case PmdKind::table: return "table";
    case PmdKind::thp: return "thp";
    case PmdKind::huge_zero: return "huge-zero";
    case PmdKind::migration_read: return "pmd-migration-readable";
    case PmdKind::migration_read_exclusive: return "pmd-migration-readable-exclusive";
    case PmdKind::migration_write: return "pmd-migration-writable";
    }
    return "?";
}

} // namespace mmt
