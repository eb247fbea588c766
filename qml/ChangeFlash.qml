import QtQuick

// A highlight that lights up behind an item when the last step changed it and
// fades out. Place it first in the item, filling it; call flash().
Rectangle {
    id: highlight

    // Armed once the item exists: setting its first values is no change.
    property bool armed: false

    function flash() {
        if (armed)
            fade.restart();
    }

    color: Theme.changed
    opacity: 0

    // The item may be gone by then (a view dropped its delegate).
    Component.onCompleted: Qt.callLater(() => {
        if (highlight)
            highlight.armed = true;
    })

    SequentialAnimation {
        id: fade

        PropertyAction { target: highlight; property: "opacity"; value: 1 }
        // Without motion: a plain highlight for a moment, then none.
        PauseAnimation { duration: Theme.reduceMotion ? 900 : 400 }
        NumberAnimation {
            target: highlight
            property: "opacity"
            to: 0
            duration: Theme.durationLong
        }
    }
}
