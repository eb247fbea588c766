import QtQuick
import QtQuick.Controls

// The keyboard shortcuts and how to read the stage.
Popup {
    id: help

    modal: true
    focus: true
    padding: Theme.spacingLarge
    // The stage dims behind it: this is a sheet over the window, not part of it.
    Overlay.modal: Rectangle {
        color: Qt.rgba(0, 0, 0, Theme.dark ? 0.6 : 0.4)
    }
    background: Rectangle {
        color: Theme.surface
        border.color: Theme.text
        border.width: Theme.borderWidth
        radius: Theme.radius
    }

    Column {
        spacing: Theme.spacing

        Label {
            text: "Keyboard"
            color: Theme.text
            font.pixelSize: Theme.fontSizeTitle
            font.bold: true
        }
        Grid {
            id: keys

            columns: 2
            columnSpacing: Theme.spacingLarge
            rowSpacing: Theme.spacingSmall

            Repeater {
                model: [
                    "Space", "play / pause",
                    "Right / Left", "one kernel step forward / back",
                    "Shift+Right / Shift+Left", "one whole command forward / back",
                    "Home / End", "the start / the end",
                    "Ctrl+O", "open a scenario",
                    "Ctrl++ / Ctrl+- / Ctrl+0", "larger / smaller text; Ctrl+0: the size that fits the window, and the stage zoom back to 100 %",
                    "Ctrl+wheel, pinch, Ctrl+Alt++ / Ctrl+Alt+-", "zoom the stage in / out",
                    "Ctrl+Alt+0", "fit the whole stage in the window",
                    "?", "this help (Esc closes it)"
                ]

                Label {
                    required property string modelData
                    required property int index

                    text: modelData
                    color: Theme.text
                    font.family: index % 2 === 0 ? Theme.monospaceFamily : Qt.application.font.family
                    font.pixelSize: Theme.fontSizeBody
                    font.bold: index % 2 === 0
                }
            }
        }
        Label {
            text: "Reading the stage"
            color: Theme.text
            font.pixelSize: Theme.fontSizeTitle
            font.bold: true
        }
        Label {
            width: Math.max(Theme.narrationWidth * 1.6, keys.implicitWidth)
            wrapMode: Text.Wrap
            color: Theme.text
            font.pixelSize: Theme.fontSizeBody
            text: "Entries: \u25a0 present, \u25cb swap, \u25c7 migration, \u25c6 device-private, \u2013 none. "
                + "Bits: W writable, D dirty, Y young, SD soft-dirty, X exclusive (swap entries). "
                + "Arrows: solid to a mapped page, dashed for a migration entry, dotted for swap and device-private. "
                + "A run of like entries is one row (\u00d7N, a stacked marker, a thick arrow): click it to list them. "
                + "A THP card opens onto its 512 subpages. "
                + "Page cards: green border exclusive (PG_anon_exclusive), amber not exclusive; a red badge a pin. "
                + "Counts: ref the refcount, map the mapcount, pin the pins, temporary the references kernel code "
                + "holds for a moment (part of ref). "
                + "A held reference tinted red with \u201cstale\u201d no longer sees what its process maps. "
                + "\u25ce marks what a lesson step points at. "
                + "A card lights up when the last step changed it."
        }
        Button {
            x: parent.width - width
            text: "Close"
            onClicked: help.close()
        }
    }
}
