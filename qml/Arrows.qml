pragma Singleton

import QtQuick

// Who draws arrows to what: page-table entries and holders register as
// sources (they have `targetKey`, `link` and `fromTop`), cards register under
// their key ("page:12", "slot:3"). ArrowLayer paints from this registry.
QtObject {
    property var sources: []
    property var targets: ({})

    // Something registered, unregistered or moved: the layer repaints.
    signal moved
    // Someone wants the card `key` ("page:12") in sight: a grid that holds
    // it scrolls to it.
    signal revealRequested(string key)

    function addSource(item) {
        sources.push(item);
        moved();
    }
    function removeSource(item) {
        const i = sources.indexOf(item);
        if (i >= 0)
            sources.splice(i, 1);
        moved();
    }
    function setTarget(key, item) {
        targets[key] = item;
        moved();
    }
    function removeTarget(key, item) {
        if (targets[key] === item)
            delete targets[key];
        moved();
    }
}
