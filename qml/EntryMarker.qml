import QtQuick
import MmtutorApp

// The shape that tells entry kinds apart without colour: a filled square for
// a present PTE or PMD, a ring for a swap entry, a hollow diamond for a
// migration entry, a filled diamond for a device-private entry, a dash for none.
Item {
    id: marker

    required property int kind
    property color tone: Theme.text

    readonly property bool diamond: kind === EntryModel.Migration || kind === EntryModel.DevicePrivate
        || kind === EntryModel.PmdMigration
    readonly property bool empty: kind === EntryModel.None || kind === EntryModel.Unmapped

    implicitWidth: Theme.baseUnit * 1.5
    implicitHeight: Theme.baseUnit * 1.5

    Rectangle {
        anchors.centerIn: parent
        width: marker.empty ? parent.width : (marker.diamond ? parent.width * 0.72 : parent.width)
        height: marker.empty ? Theme.borderWidth * 2 : width
        rotation: marker.diamond ? 45 : 0
        radius: marker.kind === EntryModel.Swap || marker.kind === EntryModel.HugeZero ? width / 2 : 0
        color: marker.kind === EntryModel.Present || marker.kind === EntryModel.Thp
            || marker.kind === EntryModel.DevicePrivate || marker.kind === EntryModel.HugeZero
            || marker.empty ? marker.tone : "transparent"
        border.color: marker.tone
        border.width: Theme.strongBorderWidth
    }
}
