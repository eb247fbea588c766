import QtQuick
import QtQuick.Controls
import MmtutorApp

// Shown while no scenario is open: how to start, or why the last file did
// not open (every error with its file:line:column).
Item {
    id: welcome

    signal lessonsRequested

    Column {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.spacingHuge, Theme.narrationWidth * 2.5)
        spacing: Theme.spacing

        Label {
            text: "mmtutor"
            color: Theme.text
            font.pixelSize: Theme.fontSizeHeading
            font.bold: true
        }
        Label {
            width: parent.width
            visible: Session.errors.length === 0
            text: "Start with a guided lesson, or open a scenario (.mmt) with Ctrl+O, or drop one on the window, to watch the kernel handle anonymous memory step by step."
            wrapMode: Text.Wrap
            color: Theme.text
            font.pixelSize: Theme.fontSizeBody
        }
        Button {
            visible: Session.errors.length === 0
            text: "Browse the lessons (Ctrl+L)"
            highlighted: true
            focusPolicy: Qt.NoFocus
            onClicked: welcome.lessonsRequested()
        }
        Label {
            visible: Session.errors.length > 0
            text: (Session.errors.length === 1 ? "The scenario has an error" : "The scenario has " + Session.errors.length + " errors")
                + "; nothing ran. Fix the file and open it again (or drop it here)."
            width: parent.width
            wrapMode: Text.Wrap
            color: Theme.error
            font.pixelSize: Theme.fontSizeTitle
            font.bold: true
        }
        Repeater {
            model: Session.errors

            Label {
                required property string modelData

                width: parent ? parent.width : 0
                text: modelData
                wrapMode: Text.WrapAnywhere
                color: Theme.text
                font.family: Theme.monospaceFamily
                font.pixelSize: Theme.fontSizeBody
            }
        }
    }
}
