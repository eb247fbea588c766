import QtQuick

// The frame around the object the inspector shows: a wide accent outline
// outside the item's own border, so that it does not hide that border's meaning.
Rectangle {
    anchors.fill: parent
    anchors.margins: -Theme.strongBorderWidth - 1
    radius: Theme.radius + 2
    color: "transparent"
    border.color: Theme.accent
    border.width: Theme.strongBorderWidth + 1
}
