import QtQuick
import QtQuick.Controls

// A slot on the swap device: how many swap entries refer to it, the data
// written out, and its swap cache page if it has one.
Rectangle {
    id: card

    required property string cardKey
    required property int slot
    required property int count
    required property string cachePage
    required property bool cacheDirty
    required property string contents
    required property string owner
    // The grid the card lives in: arrows end at it only while it is in sight there.
    property Item clipView: null

    readonly property string signature: count + "|" + cachePage + "|" + cacheDirty + "|" + contents

    implicitWidth: Theme.cardWidth
    implicitHeight: body.implicitHeight + 2 * Theme.spacing
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.pageSwapped
    border.width: Theme.borderWidth

    onSignatureChanged: highlight.flash()
    Component.onCompleted: Arrows.setTarget(cardKey, card)
    Component.onDestruction: Arrows.removeTarget(cardKey, card)
    onXChanged: Arrows.moved()
    onYChanged: Arrows.moved()

    SpotlightOutline {
        inside: card.clip
        visible: Spotlight.slots.length > 0 && Spotlight.swapSlot(card.slot)
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

        Text {
            text: "swap slot " + card.slot
            color: Theme.text
            font.pixelSize: Theme.fontSizeBody
            font.bold: true
        }
        Text {
            width: parent.width
            // Nothing written and a dirty swap cache page: pageout kept the
            // page (PAGE_KEEP) or has not run yet; the data is in the page.
            text: card.contents !== "" ? "\u201c" + card.contents + "\u201d"
                : card.cacheDirty ? "(nothing written)" : "(zeroes)"
            elide: Text.ElideRight
            color: Theme.text
            font.family: Theme.monospaceFamily
            font.pixelSize: Theme.fontSizeBody
        }
        Text {
            width: parent.width
            text: "swap count " + card.count + (card.cachePage !== "" ? ", cache: " + card.cachePage
                                                + (card.cacheDirty ? " (dirty)" : "") : "")
            wrapMode: Text.Wrap
            color: Theme.textMuted
            font.pixelSize: Theme.fontSizeSmall
        }
        Text {
            width: parent.width
            visible: card.owner !== ""
            text: card.owner
            wrapMode: Text.Wrap
            color: Theme.textMuted
            font.pixelSize: Theme.fontSizeSmall
        }
    }
}
