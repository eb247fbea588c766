import QtQuick
import MmtutorApp

// The shape that tells entry kinds apart without colour: a filled square for
// a present PTE or PMD, a ring for a swap entry, a hollow diamond for a
// migration entry, a filled diamond for a device-private entry, a dash for
// none. A collapsed run of entries shows its shape twice, stacked.
Item {
    id: marker

    required property int kind
    property color tone: Theme.text
    property bool run: false

    readonly property bool diamond: kind === EntryModel.Migration || kind === EntryModel.DevicePrivate
        || kind === EntryModel.PmdMigration
    readonly property bool empty: kind === EntryModel.None || kind === EntryModel.Unmapped

    implicitWidth: Theme.baseUnit * 1.5
    implicitHeight: Theme.baseUnit * 1.5

    Repeater {
        model: marker.run ? 2 : 1

        Rectangle {
            id: shape

            required property int index

            // The copy behind sits up and to the left, outlined only.
            readonly property real shift: marker.run ? (shape.index === 0 ? -0.2 : 0.15) * marker.width : 0
            readonly property bool filled: (marker.kind === EntryModel.Present || marker.kind === EntryModel.Thp
                                            || marker.kind === EntryModel.DevicePrivate
                                            || marker.kind === EntryModel.HugeZero || marker.empty)
                                           && !(marker.run && shape.index === 0)

            x: (marker.width - shape.width) / 2 + shape.shift
            y: (marker.height - shape.height) / 2 + shape.shift
            width: marker.empty ? marker.width : (marker.diamond ? marker.width * 0.72 : marker.width)
                   * (marker.run ? 0.8 : 1)
            height: marker.empty ? Theme.borderWidth * 2 : shape.width
            rotation: marker.diamond ? 45 : 0
            radius: marker.kind === EntryModel.Swap || marker.kind === EntryModel.HugeZero ? shape.width / 2 : 0
            color: shape.filled ? marker.tone : marker.run ? Theme.surface : "transparent"
            border.color: marker.tone
            border.width: Theme.strongBorderWidth
        }
    }
}
