import QtQuick
import QtQuick.Controls

// What the lesson step points at: a wide outline in the lesson colour with a
// ◎ tab at its corner (the same mark as the lesson's "Look at" list), so that
// it reads apart from the inspector's selection without relying on colour.
Rectangle {
    id: outline

    // How much the stage should want this item in view (see Spotlight.viewRequested).
    property int priority: 1
    // The ◎ tab sits across the corner; inside a list that clips its rows
    // (page-table entries) it stays within the row instead.
    property bool tabInside: inside
    // On an item that clips its children (a card in a grid), the outline is
    // drawn just inside the item's own border instead of around it.
    property bool inside: false

    function requestView() {
        if (visible && parent)
            Spotlight.viewRequested(parent, priority);
    }

    onVisibleChanged: requestView()
    Component.onCompleted: requestView()

    anchors.fill: parent
    anchors.margins: inside ? Theme.strongBorderWidth : -Theme.strongBorderWidth - 3
    radius: inside ? Math.max(0, Theme.radius - 1) : Theme.radius + 3
    color: "transparent"
    border.color: Theme.pageShared
    border.width: Theme.strongBorderWidth + 1
    z: 2

    Label {
        x: outline.tabInside ? outline.border.width : -width / 3
        y: -height / 3
        text: "\u25ce"
        color: Theme.textOnAccent
        font.pixelSize: Theme.fontSizeSmall
        font.bold: true
        padding: 1
        background: Rectangle {
            radius: height / 2
            color: Theme.pageShared
        }
    }
}
