import QtQuick
import QtQuick.Controls

// A physical page (or a whole THP) as a card: its contents, its counts, and
// badges for its state. PageAnonExclusive is the most prominent badge. A THP
// starts collapsed; expanded, it shows its 512 subpages as a grid in which
// the ones whose state differs from the head's stand out, and lists them.
Rectangle {
    id: card

    required property string cardKey
    required property string name
    required property string contents
    required property int refcount
    required property int mapcount
    required property int pincount
    required property int inFlight
    required property bool maybePinned
    required property bool anonExclusive
    required property bool zero
    required property bool device
    required property bool swapCache
    required property int swapSlot
    required property bool ksm
    required property int pageCount
    required property list<string> flags
    required property string owner
    required property var subpages
    required property int otherSubpages
    required property int pfn
    required property int entireMapcount
    required property string subpageStates
    required property int differingSubpages
    required property int writtenSubpages
    // The view the card lives in, if it scrolls: arrows end at the card only
    // while it is in sight there.
    property Item clipView: null

    property bool expanded: false
    readonly property bool expandable: pageCount > 1 && !zero
    readonly property string signature: contents + "|" + refcount + "|" + mapcount + "|" + pincount + "|"
        + inFlight + "|" + anonExclusive + "|" + swapCache + "|" + ksm + "|" + flags.length
    readonly property color tone: zero ? Theme.pageZero : device ? Theme.pageDevice
        : anonExclusive ? Theme.pageExclusive : Theme.pageShared

    implicitWidth: expanded ? Math.max(Theme.cardWidth, subpageGrid.implicitWidth + 2 * Theme.spacing)
                            : Theme.cardWidth
    implicitHeight: body.implicitHeight + 2 * Theme.spacing
    radius: Theme.radius
    color: Theme.surface
    border.color: tone
    border.width: anonExclusive ? Theme.strongBorderWidth : Theme.borderWidth

    onSignatureChanged: highlight.flash()
    Component.onCompleted: Arrows.setTarget(cardKey, card)
    Component.onDestruction: Arrows.removeTarget(cardKey, card)
    onXChanged: Arrows.moved()
    onYChanged: Arrows.moved()
    onHeightChanged: Arrows.moved()
    onWidthChanged: Arrows.moved()

    TapHandler {
        onTapped: Inspection.select("page", card)
    }
    SelectionOutline {
        inside: card.clip
        visible: Inspection.target === card
    }
    SpotlightOutline {
        inside: card.clip
        priority: 2
        visible: Spotlight.pages.length > 0 && Spotlight.page(card.pfn)
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
            width: parent.width
            text: card.pageCount > 1 ? "THP " + card.name : card.name
            // The name is what the card is: a little smaller rather than cut.
            fontSizeMode: Text.HorizontalFit
            minimumPixelSize: Theme.fontSizeSmall
            elide: Text.ElideRight
            color: Theme.text
            font.pixelSize: Theme.fontSizeBody
            font.bold: true
        }
        Text {
            width: parent.width
            // A THP's contents are its head's; the other subpages' are counted below.
            text: (card.pageCount > 1 && !card.zero ? "head: " : "")
                + (card.zero ? "zeroes" : card.contents === "" ? "(zeroes)" : "\u201c" + card.contents + "\u201d")
            elide: Text.ElideRight
            color: Theme.text
            font.family: Theme.monospaceFamily
            font.pixelSize: Theme.fontSizeBody
        }
        Text {
            width: parent.width
            text: "ref\u00a0" + card.refcount + "  map\u00a0" + card.mapcount
                + (card.pincount > 0 ? "  pin\u00a0" + card.pincount : "")
                + (card.inFlight > 0 ? "  temporary\u00a0" + card.inFlight : "")
            // Wraps between the counts, never inside one (no-break space, U+2011).
            wrapMode: Text.Wrap
            color: Theme.textMuted
            font.family: Theme.monospaceFamily
            font.pixelSize: Theme.fontSizeSmall
        }
        Flow {
            width: parent.width
            spacing: Theme.spacingSmall

            Badge {
                visible: card.anonExclusive
                text: "AnonExclusive"
                tone: Theme.pageExclusive
                strong: true
            }
            Badge {
                visible: card.maybePinned
                text: "pinned"
                tone: Theme.pagePinned
                strong: true
            }
            Badge {
                visible: card.zero
                text: card.pageCount > 1 ? "huge zero page" : "zero page"
                tone: Theme.pageZero
            }
            Badge {
                visible: card.device
                text: "device-private"
                tone: Theme.pageDevice
            }
            Badge {
                visible: card.swapCache
                text: "swap cache, slot " + card.swapSlot
                tone: Theme.pageSwapped
            }
            Badge {
                visible: card.ksm
                text: "KSM"
                tone: Theme.pageShared
            }
            Repeater {
                model: card.flags

                Badge {
                    required property string modelData

                    text: modelData
                }
            }
        }
        Text {
            width: parent.width
            visible: card.owner !== ""
            text: card.owner
            wrapMode: Text.Wrap
            color: Theme.textMuted
            font.pixelSize: Theme.fontSizeSmall
        }
        Text {
            objectName: "subpageToggle"
            width: parent.width
            visible: card.expandable
            // What sets subpages apart from the head: their data, and (once
            // the PMD is split) a mapcount or exclusive bit unlike the head's.
            text: (card.expanded ? "\u25be " : "\u25b8 ") + card.pageCount + " subpages: "
                + card.writtenSubpages + " written"
                + (card.differingSubpages > 0 ? ", " + card.differingSubpages
                   + (card.differingSubpages === 1 ? " differs" : " differ")
                   + " from the head in mapcount or exclusive bit" : "")
            wrapMode: Text.Wrap
            color: Theme.accent
            font.pixelSize: Theme.fontSizeSmall
            font.underline: true

            TapHandler {
                onTapped: card.expanded = !card.expanded
            }
        }
        SubpageGrid {
            id: subpageGrid

            visible: card.expanded
            active: card.expanded
            subpageStates: card.subpageStates
            firstPfn: card.pfn
        }
        Repeater {
            model: card.expanded ? card.subpages : []

            Text {
                required property var modelData

                width: parent ? parent.width : 0
                text: "[" + modelData.index + "] #" + modelData.pfn + " \u201c" + modelData.contents + "\u201d map "
                    + modelData.mapcount + (modelData.anonExclusive ? " excl" : "")
                elide: Text.ElideRight
                color: Theme.text
                font.family: Theme.monospaceFamily
                font.pixelSize: Theme.fontSizeSmall
            }
        }
        Text {
            visible: card.expanded && card.otherSubpages > 0
            text: card.otherSubpages + " more subpages never written, not mapped by a PTE, not exclusive"
            width: parent.width
            wrapMode: Text.Wrap
            color: Theme.textMuted
            font.pixelSize: Theme.fontSizeSmall
        }
    }
}
