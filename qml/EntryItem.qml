import QtQuick
import QtQuick.Controls
import MmtutorApp

// One row of a page table: the address, a marker shape, the kind in words,
// the bits that are set, and what the entry refers to. Registers itself with
// the arrow layer, which draws the arrow to its target.
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
    required property int vma
    required property int firstIndex
    required property int pageCount

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
    readonly property string signature: kindText + "|" + bits + "|" + target

    implicitWidth: Theme.entryWidth
    implicitHeight: Theme.entryHeight
    radius: Theme.radius
    color: Theme.surface
    border.color: kind === EntryModel.None || kind === EntryModel.Unmapped ? Theme.border : tone
    border.width: Theme.borderWidth

    onSignatureChanged: highlight.flash()
    onYChanged: Arrows.moved()
    Component.onCompleted: Arrows.addSource(entry)
    Component.onDestruction: Arrows.removeSource(entry)

    ChangeFlash {
        id: highlight

        anchors.fill: parent
        anchors.margins: entry.border.width
        radius: entry.radius
    }
    TapHandler {
        onTapped: Inspection.select("entry", entry)
    }
    // Inside the row: rows are stacked close together.
    SelectionOutline {
        anchors.margins: 0
        radius: entry.radius
        visible: Inspection.target === entry
        z: 1
    }

    Row {
        id: cells

        readonly property real available: width - marker.width - 4 * spacing

        anchors.fill: parent
        anchors.leftMargin: Theme.spacingSmall
        anchors.rightMargin: Theme.spacingSmall
        spacing: Theme.spacingSmall

        EntryMarker {
            id: marker

            anchors.verticalCenter: parent.verticalCenter
            kind: entry.kind
            tone: entry.tone
        }
        Label {
            width: cells.available * 0.22
            anchors.verticalCenter: parent.verticalCenter
            text: entry.address
            elide: Text.ElideRight
            color: Theme.text
            font.family: Theme.monospaceFamily
            font.pixelSize: Theme.fontSizeSmall
        }
        Label {
            width: cells.available * 0.32
            anchors.verticalCenter: parent.verticalCenter
            text: entry.kindText
            elide: Text.ElideRight
            color: entry.kind === EntryModel.None || entry.kind === EntryModel.Unmapped ? Theme.textMuted : Theme.text
            font.pixelSize: Theme.fontSizeSmall
            font.bold: entry.kind !== EntryModel.None && entry.kind !== EntryModel.Unmapped
        }
        Label {
            width: cells.available * 0.15
            anchors.verticalCenter: parent.verticalCenter
            text: entry.bits
            elide: Text.ElideRight
            color: Theme.textMuted
            font.family: Theme.monospaceFamily
            font.pixelSize: Theme.fontSizeSmall
        }
        Label {
            width: cells.available * 0.31
            anchors.verticalCenter: parent.verticalCenter
            text: entry.target === "" ? "" : "→ " + entry.target
            elide: Text.ElideRight
            color: Theme.text
            font.pixelSize: Theme.fontSizeSmall
        }
    }
}
