import QtQuick

// The frame around the object the inspector shows: a wide accent outline
// outside the item's own border, so that it does not hide that border's meaning
// (just inside that border on an item that clips its children).
Rectangle {
    property bool inside: false

    anchors.fill: parent
    anchors.margins: inside ? Theme.strongBorderWidth : -Theme.strongBorderWidth - 1
    radius: inside ? Math.max(0, Theme.radius - 1) : Theme.radius + 2
    color: "transparent"
    border.color: Theme.accent
    border.width: Theme.strongBorderWidth + 1
}
