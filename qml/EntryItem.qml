import QtQuick
import QtQuick.Controls
import MmtutorApp

// One row of a page table: the address, a marker shape, the kind in words,
// the bits that are set, and what the entry refers to. A collapsed run of
// like entries reads "present-rw ×500" with a stacked marker; a click
// expands it. Registers itself with the arrow layer, which draws the arrow to
// its target (for a run, to the card or section that holds its pages).
Rectangle {
    id: entry

    required property string address
    required property int level
    required property int kind
    required property string kindText
    required property string bits
    required property string target
    required property string targetKey
    required property int link
    required property int vmaId
    required property int firstIndex
    required property int pageCount
    required property bool collapsed
    // The list view the row lives in: arrows are drawn only while the row is
    // in sight there.
    property Item clipView: null
    // The step the row last showed: a signature that changes while the step
    // stays (a run expanded or collapsed by the user) is no change in the kernel.
    property int seenStep: -1

    // For the inspector's history query.
    readonly property int vma: vmaId
    // For the arrow layer: arrows leave from the right edge.
    readonly property bool fromTop: false
    readonly property color tone: {
        switch (kind) {
        case EntryModel.Swap: return Theme.pageSwapped;
        case EntryModel.Migration:
        case EntryModel.PmdMigration: return Theme.migration;
        case EntryModel.DevicePrivate: return Theme.pageDevice;
        case EntryModel.None:
        case EntryModel.Unmapped: return Theme.entryNone;
        default: return Theme.accent;
        }
    }
    readonly property bool empty: kind === EntryModel.None || kind === EntryModel.Unmapped
    readonly property string signature: kindText + "|" + bits + "|" + target

    implicitWidth: Math.round(Theme.entryWidth * 1.15)
    implicitHeight: Theme.entryHeight
    width: ListView.view ? ListView.view.width : implicitWidth
    radius: Theme.radius
    color: Theme.surface
    border.color: empty ? Theme.border : tone
    border.width: collapsed ? Theme.strongBorderWidth : Theme.borderWidth

    onSignatureChanged: {
        if (Session.stepIndex !== seenStep)
            highlight.flash();
    }
    onYChanged: Arrows.moved()
    Component.onCompleted: {
        seenStep = Session.stepIndex;
        Arrows.addSource(entry);
    }
    Component.onDestruction: Arrows.removeSource(entry)

    // Session updates the models before it announces the new position.
    Connections {
        target: Session

        function onPositionChanged() {
            entry.seenStep = Session.stepIndex;
        }
    }
    ChangeFlash {
        id: highlight

        anchors.fill: parent
        anchors.margins: entry.border.width
        radius: entry.radius
    }
    TapHandler {
        onTapped: {
            if (entry.collapsed)
                entry.ListView.view.model.expandRange(entry.vmaId, entry.firstIndex, entry.pageCount);
            else {
                Inspection.select("entry", entry);
                // The card the entry points at may be scrolled away in its grid.
                if (entry.targetKey !== "")
                    Arrows.revealRequested(entry.targetKey);
            }
        }
    }
    // Inside the row: rows are stacked close together.
    SelectionOutline {
        anchors.margins: 0
        radius: entry.radius
        visible: Inspection.target === entry
        z: 1
    }
    SpotlightOutline {
        priority: 3
        anchors.margins: -1
        tabInside: true
        visible: (Spotlight.entries.length > 0 || Spotlight.vmas.length > 0)
                 && Spotlight.entryRange(entry.vmaId, entry.firstIndex, entry.pageCount)
    }

    Item {
        id: cells

        // The address gets a fixed share (the kinds line up row under row);
        // the kind, the bits and the target their natural widths while they
        // fit. When they do not, the target gives way first (the arrow shows
        // where it points), then the bits; the kind gives way last.
        readonly property real available: width - marker.width - 4 * Theme.spacingSmall
        readonly property real addressWidth: available * 0.27
        readonly property real rest: available - addressWidth
        readonly property real targetWidth: Math.min(targetLabel.implicitWidth,
                                                     Math.max(rest * 0.4, rest - kindLabel.implicitWidth
                                                                          - bitsLabel.implicitWidth))
        readonly property real bitsWidth: Math.min(bitsLabel.implicitWidth,
                                                   Math.max(rest * 0.25, rest - kindLabel.implicitWidth - targetWidth))

        anchors.fill: parent
        anchors.leftMargin: Theme.spacingSmall
        // Room for the dot the arrow leaves from.
        anchors.rightMargin: Theme.spacing

        EntryMarker {
            id: marker

            anchors.verticalCenter: parent.verticalCenter
            kind: entry.kind
            tone: entry.tone
            run: entry.collapsed
        }
        Text {
            id: addressLabel

            x: marker.width + Theme.spacingSmall
            width: cells.addressWidth
            anchors.verticalCenter: parent.verticalCenter
            text: entry.address
            elide: Text.ElideRight
            color: Theme.text
            font.family: Theme.monospaceFamily
            font.pixelSize: Theme.fontSizeSmall
        }
        Text {
            id: kindLabel

            x: addressLabel.x + addressLabel.width + Theme.spacingSmall
            width: cells.rest - cells.bitsWidth - cells.targetWidth
            anchors.verticalCenter: parent.verticalCenter
            text: entry.collapsed ? entry.kindText + " \u00d7" + entry.pageCount : entry.kindText
            elide: Text.ElideRight
            color: entry.empty ? Theme.textMuted : Theme.text
            font.pixelSize: Theme.fontSizeSmall
            font.bold: !entry.empty
        }
        Text {
            id: bitsLabel

            x: targetLabel.x - Theme.spacingSmall - width
            width: cells.bitsWidth
            anchors.verticalCenter: parent.verticalCenter
            text: entry.bits
            elide: Text.ElideRight
            color: Theme.textMuted
            font.family: Theme.monospaceFamily
            font.pixelSize: Theme.fontSizeSmall
        }
        Text {
            id: targetLabel

            x: cells.width - width
            width: cells.targetWidth
            anchors.verticalCenter: parent.verticalCenter
            text: entry.collapsed ? "\u25b8 " + entry.target : entry.target === "" ? "" : "\u2192 " + entry.target
            elide: Text.ElideRight
            color: entry.collapsed ? Theme.accent : Theme.text
            font.pixelSize: Theme.fontSizeSmall
        }
    }
}
