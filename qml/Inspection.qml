pragma Singleton

import QtQuick

// What the inspector shows: the page card, page-table entry or holder card
// the user clicked. The item itself is kept, so its fields stay live while
// stepping; when its delegate goes away the selection empties.
QtObject {
    // The selected delegate (PageCard, EntryItem or HolderCard), or null.
    property Item target: null
    // "page", "entry" or "holder"
    property string kind: ""

    function select(newKind: string, item: Item) {
        kind = newKind;
        target = item;
    }
    function clear() {
        target = null;
        kind = "";
    }
}
