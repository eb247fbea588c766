import QtQuick
import QtQuick.Controls

// The main window. For now a placeholder for the memory stage, where
// processes, page tables and physical pages will be drawn.
ApplicationWindow {
    id: window

    width: 1280
    height: 720
    visible: true
    title: "mmtutor"
    color: Theme.background

    Rectangle {
        id: stage

        anchors.fill: parent
        anchors.margins: Theme.spacingLarge
        color: Theme.surface
        radius: Theme.radius
        border.color: Theme.border
        border.width: Theme.borderWidth

        Column {
            anchors.centerIn: parent
            spacing: Theme.spacing

            Label {
                anchors.horizontalCenter: parent.horizontalCenter
                text: "mmtutor"
                color: Theme.text
                font.pixelSize: Theme.fontSizeHeading
                font.bold: true
            }
            Label {
                anchors.horizontalCenter: parent.horizontalCenter
                text: "The memory stage is coming."
                color: Theme.text
                font.pixelSize: Theme.fontSizeTitle
            }
            Label {
                anchors.horizontalCenter: parent.horizontalCenter
                text: "Processes, page tables and physical pages will appear here."
                color: Theme.textMuted
                font.pixelSize: Theme.fontSizeBody
            }
        }
    }
}
