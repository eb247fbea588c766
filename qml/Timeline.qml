import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import MmtutorApp

// The history controls: to the start, a command back, a step back,
// play/pause, a step on, a command on, to the end; a slider over every step
// with a tick where each command starts (each command gets room to be picked,
// however few steps it has: Session.timelinePosition); the playback speed;
// and, at the end of the bar where it covers nothing, the stage's zoom.
ToolBar {
    id: bar

    // The Stage whose zoom the bar's last buttons drive (none: no zoom buttons).
    property var zoomTarget: null

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: Theme.spacing
        anchors.rightMargin: Theme.spacing
        spacing: Theme.spacingSmall

        HistoryButton { text: "\u21e4"; help: "Start (Home)"; onClicked: Session.home() }
        HistoryButton { text: "\u00ab"; help: "Previous command (Shift+Left)"; onClicked: Session.previousCommand() }
        HistoryButton { text: "\u2039"; help: "Step back (Left)"; onClicked: Session.stepBack() }
        HistoryButton {
            text: Session.playing ? "\u275a\u275a" : "\u25b6"
            help: Session.playing ? "Pause (Space)" : "Play (Space)"
            onClicked: Session.togglePlay()
        }
        HistoryButton { text: "\u203a"; help: "Step forward (Right)"; onClicked: Session.stepForward() }
        HistoryButton { text: "\u00bb"; help: "Next command (Shift+Right)"; onClicked: Session.nextCommand() }
        HistoryButton { text: "\u21e5"; help: "End (End)"; onClicked: Session.end() }

        Item {
            Layout.fillWidth: true
            Layout.fillHeight: true

            Slider {
                id: slider

                objectName: "timelineSlider"
                anchors.fill: parent
                from: 0
                to: 1
                value: Session.loaded ? Session.timelinePosition(Session.stepIndex) : 0
                enabled: Session.loaded
                onMoved: Session.seek(Session.timelineSteps(value))

                ToolTip.visible: pressed
                ToolTip.text: Session.describeStep(Session.timelineSteps(value) - 1)
            }
            // A tick above the track where each command starts.
            Canvas {
                id: ticks

                anchors.fill: slider
                onPaint: {
                    const ctx = getContext("2d");
                    ctx.reset();
                    ctx.fillStyle = Theme.textMuted;
                    const y = slider.topPadding + slider.availableHeight / 2 - Theme.baseUnit - Theme.spacingSmall;
                    for (const position of Session.commandPositions) {
                        const x = slider.leftPadding + slider.availableWidth * position;
                        ctx.fillRect(x - Theme.borderWidth, y, Theme.borderWidth * 2, Theme.baseUnit);
                    }
                }
                onWidthChanged: requestPaint()
                Component.onCompleted: {
                    Session.scenarioChanged.connect(requestPaint);
                    Theme.modeChanged.connect(requestPaint);
                }
            }
        }

        Label {
            Layout.preferredWidth: implicitWidth
            // "kernel": not the lesson's steps nor the scenario's commands.
            text: "kernel step " + Session.stepIndex + " / " + Session.stepCount
            color: Theme.text
            font.pixelSize: Theme.fontSizeSmall
            font.family: Theme.monospaceFamily
        }
        Label {
            text: "speed"
            color: Theme.textMuted
            font.pixelSize: Theme.fontSizeSmall
        }
        SpinBox {
            Layout.preferredWidth: Theme.baseUnit * 14
            from: 1
            to: 20
            value: Math.round(Session.speed)
            onValueModified: {
                Session.speed = value;
                Library.setSetting("speed", value);
            }
            font.pixelSize: Theme.fontSizeSmall
        }
        StageZoomBar {
            visible: bar.zoomTarget !== null && bar.zoomTarget.visible
            zoom: bar.zoomTarget !== null ? bar.zoomTarget.zoom : 1.0
            onZoomInRequested: bar.zoomTarget.zoomIn()
            onZoomOutRequested: bar.zoomTarget.zoomOut()
            onResetRequested: bar.zoomTarget.resetZoom()
            onFitRequested: bar.zoomTarget.fit()
        }
    }
}
