import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import MmtutorApp

// The two CPUs of a race block as two lanes above the timeline: every atomic
// kernel step is a chip in its CPU's lane, left to right in the order they
// ran, so the interleaving reads like the commit message's tables. Steps
// already applied are filled, the current one is outlined, one where an
// invariant broke says so. A click moves the history there. The explorer's
// controls sit at the right end; what its probe finds (a pin a later write
// separates from the process) spans the strip below the lanes.
Rectangle {
    id: strip

    required property RaceExplorer explorer
    readonly property int laneHeight: Theme.entryHeight
    readonly property int chipWidth: Math.max(Theme.baseUnit * 6, laneLabels.implicitWidth)
    readonly property alias stepCount: chips.count

    visible: Session.loaded && lanes.raceCount > 0
    implicitHeight: visible ? layout.implicitHeight + Theme.spacing * 2 : 0
    color: Theme.surfaceSunken
    border.color: Theme.border
    border.width: Theme.borderWidth

    RaceLaneModel {
        id: lanes

        objectName: "raceLanes"
        session: Session
    }

    ColumnLayout {
        id: layout

        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacingSmall

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            ColumnLayout {
                Layout.alignment: Qt.AlignTop
                spacing: Theme.spacingSmall

                Label {
                    text: lanes.raceCount > 1 ? "race, line " + lanes.raceLine + " (" + lanes.raceCount + " blocks)"
                                              : "race, line " + lanes.raceLine
                    color: Theme.textMuted
                    font.pixelSize: Theme.fontSizeSmall
                }
                // The block's result, once it has run to its end.
                Label {
                    readonly property bool ran: Session.stepIndex >= lanes.blockEnd

                    text: ran ? "\u21b3 " + lanes.outcome : "not run yet"
                    color: !ran ? Theme.textMuted : lanes.outcome.startsWith("failed") ? Theme.error
                                                                                        : Theme.pageExclusive
                    font.pixelSize: Theme.fontSizeSmall
                    font.bold: true
                }
            }

            // "cpu0" / "cpu1" in front of their lanes.
            Column {
                id: laneLabels

                Layout.alignment: Qt.AlignTop
                Repeater {
                    model: 2

                    Label {
                        required property int index

                        height: strip.laneHeight
                        verticalAlignment: Text.AlignVCenter
                        text: "cpu" + index
                        color: Theme.text
                        font.family: Theme.monospaceFamily
                        font.pixelSize: Theme.fontSizeSmall
                        font.bold: true
                    }
                }
            }

            ListView {
                id: chips

                Layout.fillWidth: true
                Layout.preferredHeight: strip.laneHeight * 2
                Layout.alignment: Qt.AlignTop
                orientation: ListView.Horizontal
                clip: true
                spacing: Theme.borderWidth
                model: lanes
                currentIndex: lanes.currentRow
                highlightFollowsCurrentItem: false
                boundsBehavior: Flickable.StopAtBounds
                ScrollBar.horizontal: ScrollBar { policy: ScrollBar.AsNeeded }
                // Keep the current step in view while stepping or playing, once
                // more after the chips are laid out (a chip's width comes from
                // its text, known only then) ...
                function keepCurrentInView() {
                    if (currentIndex >= 0)
                        positionViewAtIndex(currentIndex, ListView.Contain);
                }
                onCurrentIndexChanged: {
                    keepCurrentInView();
                    Qt.callLater(keepCurrentInView);
                }
                // ... and when the explorer's result makes the lanes narrower.
                onWidthChanged: keepCurrentInView()

                // The lane lines.
                Rectangle {
                    parent: chips
                    z: -1
                    width: chips.width
                    height: Theme.borderWidth
                    y: strip.laneHeight
                    color: Theme.border
                }

                delegate: Item {
                    id: chip

                    required property int index
                    required property int cpu
                    required property string label
                    required property string kernelFunction
                    required property string sentence
                    required property int step
                    required property bool waits
                    required property bool breach

                    readonly property bool applied: Session.stepIndex >= step
                    readonly property bool current: index === lanes.currentRow
                    // A breach is marked once its step has run, not before.
                    readonly property bool breachShown: breach && applied

                    // Labelled steps (A1, B3) stay narrow; a function name is cut short, the tooltip has it whole.
                    width: Math.min(Theme.baseUnit * 16, Math.max(strip.chipWidth, chipText.implicitWidth + Theme.spacing))
                    height: strip.laneHeight * 2

                    Rectangle {
                        objectName: "chip"
                        y: chip.cpu * strip.laneHeight + Theme.borderWidth
                        width: parent.width
                        height: strip.laneHeight - Theme.borderWidth * 2
                        // cpu0 square, cpu1 rounded: the lanes differ in shape and place, not colour alone.
                        radius: chip.cpu === 1 ? height / 2 : Theme.borderWidth
                        color: chip.applied ? (chip.cpu === 0 ? Theme.accent : Theme.pageShared) : Theme.surface
                        opacity: chip.applied || chip.current ? 1.0 : 0.75
                        border.width: chip.current || chip.breachShown ? Theme.strongBorderWidth + 1 : Theme.borderWidth
                        border.color: chip.breachShown ? Theme.error : chip.current ? Theme.text : Theme.border

                        Label {
                            id: chipText

                            anchors.centerIn: parent
                            width: Math.min(implicitWidth, parent.width - Theme.spacingSmall)
                            elide: Text.ElideRight
                            text: (chip.breachShown ? "\u26a0 " : "") + chip.label + (chip.waits ? " wait" : "")
                            color: chip.applied ? Theme.textOnAccent : Theme.text
                            font.family: Theme.monospaceFamily
                            font.pixelSize: Theme.fontSizeSmall
                            font.bold: chip.current
                            font.italic: chip.waits
                        }
                    }
                    MouseArea {
                        id: hover

                        anchors.fill: parent
                        hoverEnabled: true
                        onClicked: Session.seek(chip.step)
                    }
                    ToolTip.visible: hover.containsMouse
                    ToolTip.delay: 300
                    ToolTip.text: "cpu" + chip.cpu + " \u2192 " + chip.kernelFunction + "\n" + chip.sentence
                                  + (chip.breach ? "\nAn invariant or a pin's coherence breaks at this step." : "")
                }
            }

            // The explorer: every interleaving of the block, and the shortest that breaks.
            ColumnLayout {
                Layout.alignment: Qt.AlignTop
                Layout.maximumWidth: Theme.narrationWidth
                spacing: Theme.spacingSmall

                RowLayout {
                    spacing: Theme.spacingSmall

                    Button {
                        text: "Explore interleavings"
                        font.pixelSize: Theme.fontSizeSmall
                        focusPolicy: Qt.NoFocus
                        enabled: strip.explorer.available
                        onClicked: strip.explorer.explore()
                        ToolTip.visible: hovered
                        ToolTip.delay: 500
                        ToolTip.text: "Run every order of the two CPUs' steps of the first race block, check "
                                      + "the invariants after each step and, at the end, whether each pin stays "
                                      + "coherent when its process then writes (or reads, then writes) through it"
                    }
                    Button {
                        text: "Open breaking one"
                        font.pixelSize: Theme.fontSizeSmall
                        focusPolicy: Qt.NoFocus
                        visible: strip.explorer.explored && strip.explorer.breaking > 0
                        onClicked: strip.explorer.openFinding()
                    }
                }
                Label {
                    Layout.fillWidth: true
                    visible: strip.explorer.explored
                    text: strip.explorer.summary
                    wrapMode: Text.Wrap
                    color: strip.explorer.breaking > 0 || strip.explorer.incoherent > 0 ? Theme.error : Theme.text
                    font.pixelSize: Theme.fontSizeSmall
                }
            }
        }

        ProbeFinding {
            Layout.fillWidth: true
            visible: strip.explorer.explored && strip.explorer.incoherent > 0
            explorer: strip.explorer
            onOpenRequested: strip.explorer.openIncoherentFinding()
        }
    }
}
