import QtQuick
import QtQuick.Controls
import MmtutorApp

// One process: its name and state, its VMAs, and its page table, one row per
// present entry, one per run of empty ones and one per collapsed run of like
// entries. The table is a list view: only the rows in sight exist, and past
// `maxRows` rows it scrolls by itself.
Rectangle {
    id: column

    required property int processId
    required property string name
    required property bool alive
    required property bool hasPinned
    required property list<string> vmas
    required property EntryModel entries

    // Rows shown before the table scrolls by itself.
    property int maxRows: 24

    // A little wider than Theme.entryWidth: a row holds "huge[1536..2047]".
    implicitWidth: Math.round(Theme.entryWidth * 1.15) + 2 * Theme.spacing
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

    SpotlightOutline {
        priority: 3
        visible: Spotlight.processes.length > 0 && Spotlight.process(column.processId)
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

                // A long summary (parts, kernel VMAs) wraps inside the card.
                width: content.width
                wrapMode: Text.Wrap
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
        Button {
            visible: column.entries.hasExpanded
            text: "Collapse runs again"
            font.pixelSize: Theme.fontSizeSmall
            flat: true
            onClicked: column.entries.collapseAll()
        }
        ListView {
            id: entryRows

            objectName: "entryRows"
            width: parent.width
            height: Math.min(contentHeight, column.maxRows * (Theme.entryHeight + spacing))
            model: column.entries
            spacing: Theme.spacingSmall
            clip: true
            interactive: contentHeight > height
            boundsBehavior: Flickable.StopAtBounds
            cacheBuffer: Theme.entryHeight * 4

            delegate: EntryItem {
                clipView: ListView.view
            }

            ScrollBar.vertical: ScrollBar {}

            onContentYChanged: Arrows.moved()
        }
    }
}
