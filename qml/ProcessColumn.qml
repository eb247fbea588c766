import QtQuick
import QtQuick.Controls
import MmtutorApp

// One process: its name and state, its VMAs, and its page table, one row per
// present entry and one per run of empty ones.
Rectangle {
    id: column

    required property string name
    required property bool alive
    required property bool hasPinned
    required property list<string> vmas
    required property EntryModel entries

    implicitWidth: Theme.entryWidth + 2 * Theme.spacing
    implicitHeight: content.implicitHeight + 2 * Theme.spacing
    radius: Theme.radius
    color: Theme.surfaceSunken
    border.color: Theme.border
    border.width: Theme.borderWidth
    opacity: alive ? 1 : 0.6

    Behavior on opacity {
        enabled: !Theme.reduceMotion
        NumberAnimation { duration: Theme.durationShort }
    }

    Column {
        id: content

        x: Theme.spacing
        y: Theme.spacing
        width: parent.width - 2 * Theme.spacing
        spacing: Theme.spacingSmall

        Row {
            spacing: Theme.spacing

            Label {
                text: "process " + column.name
                color: Theme.text
                font.pixelSize: Theme.fontSizeTitle
                font.bold: true
            }
            Badge {
                anchors.verticalCenter: parent.verticalCenter
                visible: !column.alive
                text: "exited"
            }
            Badge {
                anchors.verticalCenter: parent.verticalCenter
                visible: column.hasPinned
                text: "MMF_HAS_PINNED"
                tone: Theme.pagePinned
            }
        }
        Repeater {
            model: column.vmas

            Label {
                required property string modelData

                text: "VMA " + modelData
                color: Theme.textMuted
                font.pixelSize: Theme.fontSizeSmall
            }
        }
        Label {
            visible: entryRows.count === 0
            text: "no page table entries"
            color: Theme.textMuted
            font.pixelSize: Theme.fontSizeSmall
            font.italic: true
        }
        Repeater {
            id: entryRows

            model: column.entries

            EntryItem {
            }
        }
    }
}
