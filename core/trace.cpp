// Rendering the journal as text a student reads: "PTE parent buf[0]:
// present-rw → present-ro", "page #12 refcount 2 → 1". Only called when a
// step is shown, never while the engine runs.
#include <cctype>
#include <map>
#include <sstream>
#include <string>
#include <tuple>

#include "era_policy.h"
#include "kernel.h"
#include "scenario.h"
#include "trace.h"

namespace mmt {

std::string pte_text(const Kernel& k, Pte pte) {
    if (pte.is_none())
        return "none";
    std::string out;
    if (pte.is_present() && pte.has(Pte::protnone))
        out = "present, no access (PROT_NONE)";  // pte_present, but neither readable nor writable
    else if (pte.is_present())
        out = pte.has(Pte::write) ? "present-rw" : "present-ro";
    else
        out = std::string(pte_kind_name(pte.kind()));
    if (pte.has_pfn())
        out += " → " + k.page_name(pte.pfn());
    if (pte.is_swap_entry())
        out += " slot " + std::to_string(pte.swap_slot().value);
    if (pte.has(Pte::dirty)) out += " D";
    if (pte.has(Pte::young)) out += " Y";
    if (pte.has(Pte::soft_dirty)) out += " SD";
    if (pte.has(Pte::swp_exclusive)) out += " X";
    if (pte.has(Pte::protnone) && !pte.is_present()) out += " PROT_NONE";
    return out;
}

std::string pmd_text(const Kernel& k, Pmd pmd) {
    std::string out(pmd_kind_name(pmd.kind()));
    if (pmd.is_trans_huge() || pmd.is_migration_entry()) {
        if (pmd.is_trans_huge())
            out = pmd.has(Pte::protnone) ? "thp, no access (PROT_NONE)" : pmd.has(Pte::write) ? "thp-rw" : "thp-ro";
        out += " → THP " + k.page_name(pmd.head());
        if (pmd.has(Pte::dirty)) out += " D";
        if (pmd.has(Pte::young)) out += " Y";
        if (pmd.has(Pte::soft_dirty)) out += " SD";
        if (pmd.has(Pte::protnone) && !pmd.is_trans_huge()) out += " PROT_NONE";
    } else if (pmd.is_table()) {
        out += " (PTE table " + std::to_string(pmd.table()) + ")";
    } else if (pmd.is_huge_zero() && pmd.has(Pte::protnone)) {
        out += " PROT_NONE";
    }
    return out;
}

std::string page_flags_text(uint32_t flags) {
    std::string out;
    for (uint32_t bit = 1; bit <= PG_allocated; bit <<= 1) {
        if (!(flags & bit) || bit == PG_allocated)
            continue;
        if (!out.empty())
            out += ",";
        out += page_flag_name(static_cast<PageFlag>(bit));
    }
    return out.empty() ? "-" : out;
}

namespace {

std::string page_field_name(PageField f) {
    switch (f) {
    case PageField::refcount: return "refcount";
    case PageField::mapcount: return "mapcount";
    case PageField::entire_mapcount: return "compound_mapcount";  // _entire_mapcount from v6.3
    case PageField::pincount: return "pincount";
    case PageField::in_flight: return "temporary refs (part of the refcount)";
    case PageField::flags: return "flags";
    case PageField::contents: return "contents";
    case PageField::head: return "head";
    case PageField::order: return "order";
    case PageField::swap_slot: return "swap slot";
    case PageField::anon_vma: return "mapping";
    case PageField::index: return "index";
    case PageField::count_: break;
    }
    return "?";
}

// How a change of the model's flag word is named: real page flags as PG_*,
// the rest as what the kernel has instead (the mapping's low bits, the
// compound_head bit), or as the model's own word.
std::string flag_change_name(PageFlag flag) {
    switch (flag) {
    case PG_anon: return "PAGE_MAPPING_ANON";
    case PG_ksm: return "PAGE_MAPPING_KSM";
    case PG_tail: return "PageTail";
    case PG_zero: return "zero page";
    case PG_device_private: return "device-private (ZONE_DEVICE)";
    default: return "PG_" + std::string(page_flag_name(flag));
    }
}

std::string flag_delta(uint32_t before, uint32_t after) {
    std::string out;
    for (uint32_t bit = 1; bit < PG_allocated; bit <<= 1) {
        if ((before & bit) == (after & bit))
            continue;
        if (!out.empty())
            out += ", ";
        out += flag_change_name(static_cast<PageFlag>(bit));
        out += (after & bit) ? " set" : " cleared";
    }
    // Not a page flag: the model's word for a frame the allocator handed
    // out. Said first, as what happened to the page.
    if ((before & PG_allocated) != (after & PG_allocated)) {
        // A device-private page goes back to its driver, not the page allocator.
        const char* freed = (before & PG_device_private) ? "freed (back to the device driver's free pages)"
                                                         : "freed (back to the page allocator)";
        out = std::string((after & PG_allocated) ? "allocated" : freed) + (out.empty() ? "" : "; " + out);
    }
    return out;
}

// Which VMA page does PTE table slot `slot` belong to? Scans the PMDs: only
// used for display.
std::string pte_slot_name(const Kernel& k, uint32_t slot) {
    uint32_t table = slot / kPagesPerPmd;
    for (uint32_t v = 0; v < k.vma_count(); ++v) {
        const Vma& vma = k.vma(VmaId(v));
        uint32_t npmds = (vma.npages + kPagesPerPmd - 1) / kPagesPerPmd;
        for (uint32_t i = 0; i < npmds; ++i) {
            Pmd pmd = Pmd::from_raw(k.state().pmds[vma.first_pmd + i]);
            if (pmd.is_table() && pmd.table() == table)
                return k.address_name(VmaId(v), i * kPagesPerPmd + slot % kPagesPerPmd);
        }
    }
    // A table no PMD points at now (khugepaged unlinked it, or it was freed):
    // name it after the PMD it was made for.
    if (k.pte_slot_owned(slot)) {
        auto [vma, index] = k.pte_slot_owner(slot);
        return k.address_name(vma, index);
    }
    return "PTE table " + std::to_string(table) + " slot " + std::to_string(slot % kPagesPerPmd);
}

std::string pmd_slot_name(const Kernel& k, uint32_t slot) {
    for (uint32_t v = 0; v < k.vma_count(); ++v) {
        const Vma& vma = k.vma(VmaId(v));
        uint32_t npmds = (vma.npages + kPagesPerPmd - 1) / kPagesPerPmd;
        if (slot >= vma.first_pmd && slot < vma.first_pmd + npmds)
            return k.address_name(VmaId(v), (slot - vma.first_pmd) * kPagesPerPmd);
    }
    return "PMD " + std::to_string(slot);
}

} // namespace

std::string Kernel::describe_change(const Change& c) const {
    switch (c.kind) {
    case ChangeKind::page: {
        auto field = static_cast<PageField>(c.field);
        std::string who = page_name(Pfn(c.index));
        if (field == PageField::flags)
            return who + ": " + flag_delta(static_cast<uint32_t>(c.before()), static_cast<uint32_t>(c.after()));
        if (field == PageField::contents)
            return who + ": contents " + quote_string(strings_.text(static_cast<uint32_t>(c.before()))) + " → " +
                   quote_string(strings_.text(static_cast<uint32_t>(c.after())));
        if (field == PageField::anon_vma)
            return who + ": mapping " + (c.before() ? "anon_vma of " + strings_.text(uint32_t(c.before())) : "none") +
                   " → " + (c.after() ? "anon_vma of " + strings_.text(uint32_t(c.after())) : "none");
        if (field == PageField::pincount)
            return who + ": " +
                   (policy().pincount_is_hpage_pinned_refcount() ? "hpage_pinned_refcount " : "compound_pincount ") +
                   std::to_string(int32_t(c.before())) + " → " + std::to_string(int32_t(c.after()));
        if (field == PageField::swap_slot) {
            auto slot = [](uint64_t v) { return v ? std::to_string(v) : std::string("none"); };
            return who + ": swap slot " + slot(c.before()) + " → " + slot(c.after());
        }
        return who + ": " + page_field_name(field) + " " + std::to_string(int32_t(c.before())) + " → " +
               std::to_string(int32_t(c.after()));
    }
    case ChangeKind::pte:
        return "PTE " + pte_slot_name(*this, c.index) + ": " + pte_text(*this, Pte::from_raw(c.before())) + " → " +
               pte_text(*this, Pte::from_raw(c.after()));
    case ChangeKind::pmd:
        return "PMD " + pmd_slot_name(*this, c.index) + ": " + pmd_text(*this, Pmd::from_raw(c.before())) + " → " +
               pmd_text(*this, Pmd::from_raw(c.after()));
    case ChangeKind::vma_page:
        if (c.field == kVmaAnonVmaField) {
            const Vma& v = vma(VmaId(c.index));
            return "VMA " + strings_.text(process(v.process).name) + " " + strings_.text(v.name) +
                   (c.after() ? ": anon_vma attached" : ": anon_vma detached");
        }
        return "VMA flags of page slot " + std::to_string(c.index) + " changed";
    case ChangeKind::process: {
        const char* names[] = {"alive", "MMF_HAS_PINNED", "write_protect_seq"};
        return "process " + strings_.text(state_.processes[c.index].name) + ": " + names[c.field] + " " +
               std::to_string(c.before()) + " → " + std::to_string(c.after());
    }
    case ChangeKind::swap_slot: {
        const char* names[] = {"swap count", "swap cache page", "contents", "mapping", "index"};
        if (static_cast<SwapField>(c.field) == SwapField::contents)
            return "swap slot " + std::to_string(c.index) + ": data " + quote_string(strings_.text(uint32_t(c.after()))) + " written";
        if (static_cast<SwapField>(c.field) == SwapField::cache_pfn)
            return "swap slot " + std::to_string(c.index) + ": " +
                   (c.after() ? "SWAP_HAS_CACHE set (page #" + std::to_string(c.after()) + ")" : "SWAP_HAS_CACHE cleared");
        // The slot's anon_vma and index are the model's own rmap from a slot
        // to its swap entries (the invariant checker's shortcut): the kernel
        // keeps nothing of the kind, so they are never shown.
        if (static_cast<SwapField>(c.field) == SwapField::anon_vma ||
            static_cast<SwapField>(c.field) == SwapField::index)
            return {};
        return "swap slot " + std::to_string(c.index) + ": " + names[c.field] + " " + std::to_string(c.before()) +
               " → " + std::to_string(c.after());
    }
    case ChangeKind::holder: {
        const std::string who = "reference " + strings_.text(state_.holders[c.index].name) + ": ";
        if (static_cast<HolderField>(c.field) == HolderField::detached)
            return who + "the address it was taken at was unmapped or mapped anew; the holder keeps its page";
        return who + "released";
    }
    case ChangeKind::grow: {
        const char* names[] = {"pages", "PTE slots", "PMD slots", "VMA pages", "processes", "VMAs", "swap slots", "references"};
        return std::string("new ") + names[c.field] + " allocated";
    }
    }
    return "?";
}

namespace {

// "buf[1]:" and "buf[511]:" make "buf[1..511]:"; "#515" and "#1025" make
// "#515–#1025": the words of the first and last line of a run, where they
// differ, joined around what they share.
std::string join_words(const std::string& first, const std::string& last) {
    size_t p = 0;
    while (p < first.size() && p < last.size() && first[p] == last[p])
        ++p;
    while (p > 0 && std::isdigit(static_cast<unsigned char>(first[p - 1])))
        --p;  // a number differs as a whole
    size_t q = 0;
    while (q < first.size() - p && q < last.size() - p &&
           first[first.size() - 1 - q] == last[last.size() - 1 - q])
        ++q;
    while (q > 0 && std::isdigit(static_cast<unsigned char>(first[first.size() - q])))
        --q;
    const std::string head = first.substr(0, p);
    const std::string a = first.substr(p, first.size() - p - q);
    const std::string b = last.substr(p, last.size() - p - q);
    const bool in_brackets = !head.empty() && head.back() == '[';
    return head + a + (in_brackets ? ".." : "–") + (!head.empty() && head.back() == '#' ? "#" : "") + b +
           first.substr(first.size() - q);
}

std::string join_lines(const std::string& first, const std::string& last) {
    std::istringstream fa(first), la(last);
    std::vector<std::string> fw, lw;
    for (std::string w; fa >> w;)
        fw.push_back(w);
    for (std::string w; la >> w;)
        lw.push_back(w);
    if (fw.size() != lw.size())
        return first + " … " + last;
    std::string out;
    for (size_t i = 0; i < fw.size(); ++i) {
        if (i)
            out += ' ';
        out += fw[i] == lw[i] ? fw[i] : join_words(fw[i], lw[i]);
    }
    return out;
}

} // namespace

std::vector<std::string> Kernel::steps_changes(uint32_t first_step, uint32_t end_step) const {
    // A THP's 512 subpages and their PTEs often change alike in one step (a
    // split, a fault): the same field, the same values, one object after
    // the next. Such a run of three or more is said once, where its first
    // change stood: "pages #515–#1025: ...", "PTE P buf[1..511]: ...".
    struct Run {
        Change first;
        Change last;
        uint32_t count = 0;
        bool chain = false;  // one object's field, each change going on from the last
    };
    struct Item {
        std::string text;  // or, if empty, runs[run]
        size_t run = 0;
    };
    std::vector<Item> items;
    std::vector<Run> runs;
    std::map<std::tuple<uint8_t, uint8_t, uint64_t, int64_t>, size_t> open;
    std::map<std::pair<uint8_t, uint32_t>, size_t> chains;  // page field, pfn -> run
    auto payload = [](uint64_t v) { return v >> 32; };
    for (const Change& c : changes_of_steps(first_step, end_step)) {
        if (c.kind == ChangeKind::grow && static_cast<TableId>(c.field) == TableId::pages && c.after() > c.before()) {
            // A frame is born initialised: say what it holds.
            std::string what = c.after() - c.before() > 1 ? "THP " : "";
            items.push_back({"new " + what + page_name(Pfn(static_cast<uint32_t>(c.before()))) +
                                 " allocated: refcount 1" +
                                 (c.index ? ", contents " + quote_string(strings_.text(c.index)) : ", zeroed"),
                             0});
            continue;
        }
        if (c.kind == ChangeKind::grow || (c.kind == ChangeKind::vma_page && c.field != kVmaAnonVmaField))
            continue;
        if (c.kind == ChangeKind::page && (static_cast<PageField>(c.field) == PageField::head ||
                                           static_cast<PageField>(c.field) == PageField::order))
            continue;
        if (c.kind == ChangeKind::page) {
            // "refcount 512 → 513", "513 → 514", ...: one line, "512 → 1024".
            auto chain = chains.find({c.field, c.index});
            if (chain != chains.end() && runs[chain->second].last.index == c.index &&
                runs[chain->second].last.after() == c.before()) {
                Run& run = runs[chain->second];
                if (run.count == 1 || run.chain) {
                    run.chain = true;
                    run.last = c;
                    ++run.count;
                    continue;
                }
            }
        }
        if (c.kind == ChangeKind::page || c.kind == ChangeKind::pte) {
            // What stays the same along a run: the field and the values, a
            // value that counts up with the object taken relative to it.
            std::tuple<uint8_t, uint8_t, uint64_t, int64_t> key;
            if (c.kind == ChangeKind::page) {
                const bool index = static_cast<PageField>(c.field) == PageField::index;
                key = {uint8_t(c.kind), c.field, c.before(),
                       index ? int64_t(c.after()) - int64_t(c.index) : int64_t(c.after())};
            } else {
                const uint64_t low = (c.before() & 0xfff) | (c.after() & 0xfff) << 12 |
                                     uint64_t(payload(c.before()) != 0) << 24 | uint64_t(payload(c.after()) != 0) << 25;
                const int64_t b = payload(c.before()) ? int64_t(payload(c.before())) - c.index : 0;
                const int64_t a = payload(c.after()) ? int64_t(payload(c.after())) - c.index : 0;
                key = {uint8_t(c.kind), 0, low, (b << 32) ^ (a & 0xffffffff)};
            }
            auto it = open.find(key);
            // A run of PTEs stays inside one PTE table: the next table may
            // belong to another VMA or process.
            if (it != open.end() && runs[it->second].last.index + 1 == c.index &&
                (c.kind != ChangeKind::pte || c.index % kPagesPerPmd != 0)) {
                runs[it->second].last = c;
                ++runs[it->second].count;
                continue;
            }
            runs.push_back({c, c, 1});
            open[key] = runs.size() - 1;
            if (c.kind == ChangeKind::page)
                chains[{c.field, c.index}] = runs.size() - 1;
            items.push_back({{}, runs.size() - 1});
            continue;
        }
        if (std::string text = describe_change(c); !text.empty())
            items.push_back({std::move(text), 0});
    }
    std::vector<std::string> out;
    for (const Item& item : items) {
        if (!item.text.empty()) {
            out.push_back(item.text);
            continue;
        }
        const Run& run = runs[item.run];
        std::string first = describe_change(run.first);
        if (first.empty())
            continue;
        if (run.chain && run.count >= 3) {
            Change whole = run.first;
            whole.after_value = run.last.after();
            if (std::string text = describe_change(whole); !text.empty())
                out.push_back(text + " (" + std::to_string(run.count) + " changes)");
            continue;
        }
        if (run.chain) {
            out.push_back(std::move(first));
            Change next = run.first;
            next.before_value = run.first.after();
            next.after_value = run.last.after();
            out.push_back(describe_change(next));
        } else if (run.count == 1) {
            out.push_back(std::move(first));
        } else if (run.count == 2) {
            out.push_back(std::move(first));
            out.push_back(describe_change(run.last));
        } else {
            std::string line = join_lines(first, describe_change(run.last));
            // "page #514–#1025" names many pages.
            for (size_t at = line.find("page #"); at != std::string::npos; at = line.find("page #", at + 6)) {
                const size_t end = line.find_first_of(" :", at + 6);
                if (line.substr(at, end == std::string::npos ? std::string::npos : end - at).find("–#") !=
                    std::string::npos)
                    line.insert(at + 4, "s");
            }
            out.push_back(std::move(line));
        }
    }
    return out;
}

} // namespace mmt
