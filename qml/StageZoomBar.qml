import QtQuick
import QtQuick.Controls

// The stage's zoom buttons, at the end of the history bar: out, the
// magnification (click: back to 100 %), in, and fit the whole stage.
Rectangle {
    id: bar

    required property real zoom

    signal zoomInRequested
    signal zoomOutRequested
    signal resetRequested
    signal fitRequested

    implicitWidth: buttons.implicitWidth + Theme.spacing
    implicitHeight: buttons.implicitHeight + Theme.spacingSmall
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border
    border.width: Theme.borderWidth
    opacity: 0.95

    Row {
        id: buttons

        anchors.centerIn: parent
        spacing: 0

        ToolButton {
            text: "\u2212"
            font.pixelSize: Theme.fontSizeBody
            ToolTip.visible: hovered
            ToolTip.text: "Zoom the stage out (Ctrl+wheel, Ctrl+Alt+\u2212)"
            onClicked: bar.zoomOutRequested()
        }
        ToolButton {
            objectName: "zoomReset"
            text: Math.round(bar.zoom * 100) + " %"
            font.pixelSize: Theme.fontSizeSmall
            ToolTip.visible: hovered
            ToolTip.text: "Back to 100 % (Ctrl+0)"
            onClicked: bar.resetRequested()
        }
        ToolButton {
            text: "+"
            font.pixelSize: Theme.fontSizeBody
            ToolTip.visible: hovered
            ToolTip.text: "Zoom the stage in (Ctrl+wheel, Ctrl+Alt++)"
            onClicked: bar.zoomInRequested()
        }
        ToolButton {
            objectName: "zoomFit"
            text: "Fit"
            font.pixelSize: Theme.fontSizeSmall
            ToolTip.visible: hovered
            ToolTip.text: "The whole stage in the window (Ctrl+Alt+0)"
            onClicked: bar.fitRequested()
        }
    }
}
