import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import MmtutorApp

// The main window: the toolbar, the memory stage beside the narration of the
// current kernel step, and the timeline. Every key binding lives here.
ApplicationWindow {
    id: window

    // --theme from the command line (and tests); empty keeps Theme's default.
    property string theme: ""
    // The text scale Ctrl +/- set, readable from outside (tests).
    readonly property real zoom: Theme.zoom

    width: 1280
    height: 720
    visible: true
    title: Session.fileName === "" ? "mmtutor" : "mmtutor \u2014 " + Session.fileName.split("/").pop()
    color: Theme.background
    font.pixelSize: Theme.fontSizeBody

    palette.window: Theme.background
    palette.windowText: Theme.text
    palette.base: Theme.surface
    palette.alternateBase: Theme.surfaceSunken
    palette.text: Theme.text
    palette.button: Theme.surfaceSunken
    palette.buttonText: Theme.text
    palette.highlight: Theme.accent
    palette.highlightedText: Theme.textOnAccent
    palette.mid: Theme.border
    palette.dark: Theme.textMuted
    palette.light: Theme.surface
    palette.toolTipBase: Theme.surface
    palette.toolTipText: Theme.text

    Component.onCompleted: {
        if (theme !== "")
            Theme.mode = theme;
    }
    onThemeChanged: Theme.mode = theme

    header: AppToolBar {
        onOpenRequested: openDialog.open()
        onHelpRequested: helpOverlay.open()
    }
    footer: Timeline {}

    RowLayout {
        anchors.fill: parent
        spacing: 0

        Item {
            Layout.fillWidth: true
            Layout.fillHeight: true

            Stage {
                id: stage

                anchors.fill: parent
                visible: Session.loaded
            }
            WelcomePanel {
                anchors.fill: parent
                visible: !Session.loaded
            }
        }
        ColumnLayout {
            Layout.preferredWidth: Theme.narrationWidth
            Layout.maximumWidth: Theme.narrationWidth
            Layout.fillHeight: true
            visible: Session.loaded
            spacing: 0

            NarrationPanel {
                Layout.fillWidth: true
                Layout.fillHeight: true
            }
            // Shown once something on the stage is clicked; Escape closes it.
            InspectorPanel {
                Layout.fillWidth: true
                Layout.preferredHeight: parent.height * 0.5
                visible: Inspection.target !== null
            }
        }
    }

    // Dropping a .mmt file anywhere on the window opens it; parse errors show
    // in the welcome panel, one per line, as file:line:column.
    DropArea {
        id: fileDrop

        anchors.fill: parent
        keys: ["text/uri-list"]
        onDropped: drop => {
            if (drop.hasUrls && drop.urls.length > 0) {
                Inspection.clear();
                Session.openUrl(drop.urls[0]);
                drop.acceptProposedAction();
            }
        }

        Rectangle {
            anchors.fill: parent
            anchors.margins: Theme.spacing
            visible: fileDrop.containsDrag
            color: "transparent"
            radius: Theme.radius
            border.color: Theme.accent
            border.width: Theme.strongBorderWidth + 2

            Label {
                anchors.centerIn: parent
                padding: Theme.spacing
                text: "Drop to open this scenario"
                color: Theme.textOnAccent
                font.pixelSize: Theme.fontSizeTitle
                background: Rectangle {
                    color: Theme.accent
                    radius: Theme.radius
                }
            }
        }
    }
    FileDialog {
        id: openDialog

        title: "Open a scenario"
        nameFilters: ["Scenarios (*.mmt)", "All files (*)"]
        onAccepted: Session.openUrl(selectedFile)
    }
    HelpOverlay {
        id: helpOverlay

        anchors.centerIn: parent
    }

    Shortcut { sequence: "Space"; onActivated: Session.togglePlay() }
    Shortcut { sequence: "Right"; onActivated: Session.stepForward() }
    Shortcut { sequence: "Left"; onActivated: Session.stepBack() }
    Shortcut { sequence: "Shift+Right"; onActivated: Session.nextCommand() }
    Shortcut { sequence: "Shift+Left"; onActivated: Session.previousCommand() }
    Shortcut { sequence: "Home"; onActivated: Session.home() }
    Shortcut { sequence: "End"; onActivated: Session.end() }
    Shortcut { sequences: ["?", "F1"]; onActivated: helpOverlay.visible ? helpOverlay.close() : helpOverlay.open() }
    Shortcut { sequence: "Ctrl+O"; onActivated: openDialog.open() }
    Shortcut { sequence: "Escape"; onActivated: Inspection.clear() }
    Shortcut { sequences: ["Ctrl++", "Ctrl+="]; onActivated: Theme.zoom = Math.min(2.0, Theme.zoom + 0.1) }
    Shortcut { sequence: "Ctrl+-"; onActivated: Theme.zoom = Math.max(0.6, Theme.zoom - 0.1) }
    // Normal size: the UI scale and the stage's zoom.
    Shortcut {
        sequence: "Ctrl+0"
        onActivated: {
            Theme.zoom = 1.0;
            stage.resetZoom();
        }
    }
}
