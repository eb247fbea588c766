pragma Singleton

import QtQuick

// What the current lesson step points at on the stage (LessonPlayer's
// highlights, resolved to ids). Stage items ask whether they are among them
// and draw a marked outline; nothing is pointed at outside a lesson.
QtObject {
    // [{kind, resolved, process, vma, index, pfn, slot, holder, name, text}]
    property var targets: []

    // An outline that has just appeared asks the stage to bring its item into
    // view; the stage picks the request of highest priority (entries and
    // processes, then pages, then swap slots and holders).
    signal viewRequested(Item item, int priority)

    // By id, not name: a name an exited process had may belong to a later one.
    readonly property var processes: idsOf("process", "process")
    readonly property var pages: idsOf("page", "pfn")
    readonly property var slots: idsOf("swap", "slot")
    readonly property var holders: idsOf("holder", "holder")
    // "vma:index" for entries, and every VMA named whole.
    readonly property var entries: targets.filter(t => t.resolved && t.kind === "entry").map(t => t.vma + ":" + t.index)
    readonly property var vmas: idsOf("vma", "vma")

    function idsOf(kind, field) {
        return targets.filter(t => t.resolved && t.kind === kind).map(t => t[field]);
    }
    function page(pfn) { return pages.indexOf(pfn) >= 0; }
    function process(id) { return processes.indexOf(id) >= 0; }
    function swapSlot(slot) { return slots.indexOf(slot) >= 0; }
    function holder(id) { return holders.indexOf(id) >= 0; }
    function entry(vma, index) { return entries.indexOf(vma + ":" + index) >= 0 || vmas.indexOf(vma) >= 0; }
    // A collapsed run of `count` entries from `first`: is any of them pointed at?
    function entryRange(vma, first, count) {
        if (vmas.indexOf(vma) >= 0)
            return true;
        return targets.some(t => t.resolved && t.kind === "entry" && t.vma === vma && t.index >= first
                                 && t.index < first + Math.max(1, count));
    }
}
