import QtQuick
import QtQuick.Controls
import MmtutorApp

// A reference held outside the processes (a device, a pipe, O_DIRECT): what
// kind of reference, with which flags, to which page, and whether it is gone.
Rectangle {
    id: card

    required property string name
    required property string kind
    required property bool write
    required property bool longterm
    required property bool fast
    required property string page
    required property string targetKey
    required property string address
    required property bool released
    required property bool detached
    required property int holderId
    required property bool processExited
    // The process maps another page where this was taken: the two no longer
    // see the same memory.
    required property bool incoherent

    // For the arrow layer: a solid line from the top, unless released.
    readonly property int link: released ? EntryModel.NoLink : EntryModel.Solid
    readonly property bool fromTop: true
    readonly property string signature: released + "|" + detached + "|" + page + "|" + incoherent

    implicitWidth: Theme.cardWidth
    implicitHeight: body.implicitHeight + 2 * Theme.spacing
    radius: Theme.radius
    // A stale holder is tinted, not only outlined: a pin's border is red already.
    color: incoherent ? Qt.tint(Theme.surface, Qt.rgba(Theme.error.r, Theme.error.g, Theme.error.b, 0.12)) : Theme.surface
    border.color: incoherent ? Theme.error : kind === "pin" ? Theme.pagePinned : Theme.border
    border.width: incoherent ? Theme.strongBorderWidth : Theme.borderWidth
    opacity: released ? 0.7 : 1

    onSignatureChanged: highlight.flash()
    onLinkChanged: Arrows.moved()
    onXChanged: Arrows.moved()
    onYChanged: Arrows.moved()
    Component.onCompleted: Arrows.addSource(card)
    Component.onDestruction: Arrows.removeSource(card)

    TapHandler {
        onTapped: Inspection.select("holder", card)
    }
    SelectionOutline {
        visible: Inspection.target === card
    }
    SpotlightOutline {
        visible: Spotlight.holders.length > 0 && Spotlight.holder(card.holderId)
    }

    ChangeFlash {
        id: highlight

        anchors.fill: parent
        anchors.margins: card.border.width
        radius: card.radius
    }

    Column {
        id: body

        x: Theme.spacing
        y: Theme.spacing
        width: parent.width - 2 * Theme.spacing
        spacing: Theme.spacingSmall

        Label {
            width: parent.width
            text: card.name + " (" + (card.kind === "pin" ? "FOLL_PIN" : "FOLL_GET") + ")"
            elide: Text.ElideRight
            color: Theme.text
            font.pixelSize: Theme.fontSizeBody
            font.bold: true
        }
        Label {
            width: parent.width
            text: "\u2192 " + card.page + (card.address !== "" ? ", taken at " + card.address : "")
                + (card.processExited ? " (that process has exited)" : "")
            wrapMode: Text.Wrap
            color: Theme.text
            font.pixelSize: Theme.fontSizeSmall
        }
        Label {
            width: parent.width
            visible: card.incoherent
            text: "the process maps another page there now"
            wrapMode: Text.Wrap
            color: Theme.error
            font.pixelSize: Theme.fontSizeSmall
            font.bold: true
        }
        Flow {
            width: parent.width
            spacing: Theme.spacingSmall

            Badge { visible: card.write; text: "write" }
            Badge { visible: card.longterm; text: "longterm" }
            Badge { visible: card.fast; text: "GUP-fast" }
            Badge { visible: card.released; text: "released"; tone: Theme.text; strong: true }
            Badge { visible: card.detached; text: "address let go"; tone: Theme.migration }
            Badge { visible: card.incoherent; text: "stale"; tone: Theme.error; strong: true }
        }
    }
}
