import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import MmtutorApp

// The lesson beside the stage: the introduction, then one step at a time
// (narration and questions before the command, the engine's answers after
// it), then the "try it yourself" page. Everything it shows comes from the
// LessonPlayer; the buttons only call it.
Rectangle {
    id: panel

    required property LessonPlayer player
    signal lessonsRequested

    color: Theme.surface
    border.color: Theme.border
    border.width: Theme.borderWidth

    readonly property bool onStep: player.phase === "predict" || player.phase === "running"
                                   || player.phase === "revealed"

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacingSmall

        // Title and where we are.
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacingSmall

            Label {
                Layout.fillWidth: true
                text: panel.player.title
                textFormat: Text.PlainText // lesson packs are untrusted: no markup, no remote images
                wrapMode: Text.Wrap
                color: Theme.text
                font.pixelSize: Theme.fontSizeTitle
                font.bold: true
            }
            ToolButton {
                text: "\u2715"
                focusPolicy: Qt.NoFocus
                font.pixelSize: Theme.fontSizeBody
                onClicked: panel.player.close()
                ToolTip.visible: hovered
                ToolTip.text: "Close the lesson (the scenario stays open)"
            }
        }
        Label {
            Layout.fillWidth: true
            text: (panel.player.phase === "intro" ? "Introduction"
                   : panel.player.phase === "try" ? "Try it yourself"
                   : "Step " + (panel.player.stepIndex + 1) + " of " + panel.player.stepCount)
                  + " \u00b7 " + panel.player.level + " \u00b7 era " + panel.player.era
            color: Theme.textMuted
            font.pixelSize: Theme.fontSizeSmall
        }
        // How far through the lesson: a thin bar, the step count beside it in the label above.
        Rectangle {
            Layout.fillWidth: true
            Layout.preferredHeight: Math.max(4, Theme.spacingSmall)
            radius: height / 2
            color: Theme.surfaceSunken
            border.color: Theme.border
            border.width: Theme.borderWidth

            Rectangle {
                width: parent.width * Math.max(0, panel.player.stepIndex + (panel.player.phase === "revealed" ? 1 : 0))
                       / Math.max(1, panel.player.stepCount)
                height: parent.height
                radius: parent.radius
                color: Theme.accent
            }
        }
        Label {
            Layout.fillWidth: true
            visible: panel.player.eraMismatch
            text: "\u26a0 You are looking at era " + Session.era + "; the lesson's questions and answers are for era "
                  + panel.player.era + "."
            wrapMode: Text.Wrap
            color: Theme.error
            font.pixelSize: Theme.fontSizeSmall
        }

        ScrollView {
            id: scroll

            Layout.fillWidth: true
            Layout.fillHeight: true
            contentWidth: availableWidth
            clip: true
            // Shown whenever there is more than fits: text cut off at the bottom
            // must not look like the end.
            ScrollBar.vertical.policy: contentHeight > availableHeight ? ScrollBar.AlwaysOn : ScrollBar.AsNeeded
            // ... and the text keeps clear of it.
            rightPadding: ScrollBar.vertical.policy === ScrollBar.AlwaysOn ? ScrollBar.vertical.width : 0

            ColumnLayout {
                width: scroll.availableWidth
                spacing: Theme.spacing

                // --- introduction ---
                Label {
                    Layout.fillWidth: true
                    visible: panel.player.phase === "intro"
                    text: panel.player.summary
                    textFormat: Text.PlainText // lesson packs are untrusted: no markup, no remote images
                    wrapMode: Text.Wrap
                    color: Theme.text
                    font.pixelSize: Theme.fontSizeBody
                    font.italic: true
                }
                Label {
                    Layout.fillWidth: true
                    visible: panel.player.phase === "intro" && panel.player.intro !== ""
                    text: LessonText.html(panel.player.intro, font.pixelSize, Theme.monospaceFamily)
                    textFormat: Text.RichText
                    wrapMode: Text.Wrap
                    color: Theme.text
                    font.pixelSize: Theme.fontSizeBody
                }
                Label {
                    Layout.fillWidth: true
                    visible: panel.player.phase === "intro"
                    text: "Sources: " + panel.player.sources.join("; ") + "\nAbout " + panel.player.minutes
                          + " minutes, " + panel.player.stepCount + " steps."
                    wrapMode: Text.Wrap
                    color: Theme.textMuted
                    font.pixelSize: Theme.fontSizeSmall
                }

                // --- a step ---
                Label {
                    Layout.fillWidth: true
                    visible: panel.onStep
                    text: panel.player.stepTitle
                    textFormat: Text.PlainText // lesson packs are untrusted: no markup, no remote images
                    wrapMode: Text.Wrap
                    color: Theme.text
                    font.pixelSize: Theme.fontSizeBody
                    font.bold: true
                }
                Label {
                    Layout.fillWidth: true
                    visible: panel.onStep
                    text: "command " + panel.player.commandNumber + ": " + panel.player.commandText
                    wrapMode: Text.WrapAnywhere
                    color: Theme.accent
                    font.family: Theme.monospaceFamily
                    font.pixelSize: Theme.fontSizeSmall
                }
                Label {
                    Layout.fillWidth: true
                    visible: panel.onStep
                    text: LessonText.html(panel.player.narration, font.pixelSize, Theme.monospaceFamily)
                    textFormat: Text.RichText
                    wrapMode: Text.Wrap
                    color: Theme.text
                    font.pixelSize: Theme.fontSizeBody
                    onLinkActivated: link => Qt.openUrlExternally(link)
                }
                // What the step points at on the stage.
                Flow {
                    Layout.fillWidth: true
                    visible: panel.onStep && panel.player.highlights.length > 0
                    spacing: Theme.spacingSmall

                    Label {
                        text: "Look at:"
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontSizeSmall
                    }
                    Repeater {
                        model: panel.player.highlights

                        Label {
                            id: chip

                            required property var modelData
                            // Once the step has run, a function chip shows that
                            // function's first kernel step in the narration.
                            readonly property bool opensStep: modelData.kind === "function"
                                                              && panel.player.phase === "revealed"

                            text: "\u25ce " + modelData.text + (opensStep ? " \u2192" : "")
                            color: modelData.resolved ? Theme.text : Theme.textMuted
                            font.pixelSize: Theme.fontSizeSmall
                            font.family: Theme.monospaceFamily
                            font.underline: opensStep && chipHover.hovered
                            padding: Theme.spacingSmall / 2
                            background: Rectangle {
                                radius: Theme.radius
                                color: Theme.listingHighlight
                                border.color: Theme.accent
                                border.width: Theme.borderWidth
                            }
                            ToolTip.visible: opensStep && chipHover.hovered
                            ToolTip.text: "Show the step in " + modelData.name

                            HoverHandler {
                                id: chipHover

                                enabled: chip.opensStep
                                cursorShape: Qt.PointingHandCursor
                            }
                            TapHandler {
                                enabled: chip.opensStep
                                onTapped: Session.showStepIn(chip.modelData.name)
                            }
                        }
                    }
                }
                Repeater {
                    model: panel.onStep ? panel.player.checkpoints : []

                    CheckpointCard {
                        required property var modelData
                        required property int index

                        Layout.fillWidth: true
                        checkpoint: modelData
                        number: index + 1
                        onChosen: choice => panel.player.choose(index, choice)
                    }
                }
                Label {
                    Layout.fillWidth: true
                    visible: panel.player.phase === "revealed" && panel.player.after !== ""
                    text: LessonText.html(panel.player.after, font.pixelSize, Theme.monospaceFamily)
                    textFormat: Text.RichText
                    wrapMode: Text.Wrap
                    color: Theme.text
                    font.pixelSize: Theme.fontSizeBody
                }

                // --- try it yourself ---
                Label {
                    Layout.fillWidth: true
                    visible: panel.player.phase === "try"
                    text: "\u2714 Lesson complete."
                    color: Theme.pageExclusive
                    font.pixelSize: Theme.fontSizeBody
                    font.bold: true
                }
                Label {
                    Layout.fillWidth: true
                    visible: panel.player.phase === "try"
                    text: LessonText.html(panel.player.tryPrompt, font.pixelSize, Theme.monospaceFamily)
                    textFormat: Text.RichText
                    wrapMode: Text.Wrap
                    color: Theme.text
                    font.pixelSize: Theme.fontSizeBody
                }
                TextArea {
                    Layout.fillWidth: true
                    visible: panel.player.phase === "try"
                    text: panel.player.tryScenario
                    readOnly: true
                    selectByMouse: true
                    wrapMode: TextEdit.NoWrap
                    font.family: Theme.monospaceFamily
                    font.pixelSize: Theme.fontSizeSmall
                    color: Theme.text
                    background: Rectangle {
                        color: Theme.surfaceSunken
                        border.color: Theme.border
                        border.width: Theme.borderWidth
                    }
                }
            }
        }

        // The way on.
        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacingSmall

            Button {
                text: "\u2039 Back"
                focusPolicy: Qt.NoFocus
                enabled: panel.player.phase !== "intro"
                onClicked: panel.player.back()
            }
            Item { Layout.fillWidth: true }
            Button {
                objectName: "lessonNext"
                focusPolicy: Qt.NoFocus
                highlighted: true
                visible: panel.player.phase !== "try"
                // Short labels: the row must fit a narrow panel at a large text size.
                text: panel.player.phase === "intro" ? "Start \u203a"
                      : panel.player.phase === "predict" ? (panel.player.allAnswered ? "Run \u25b6" : "Run anyway \u25b6")
                      : panel.player.phase === "running" ? "Result \u21e5"
                      : panel.player.stepIndex + 1 < panel.player.stepCount ? "Next \u203a" : "Finish \u203a"
                onClicked: panel.player.next()
                ToolTip.visible: hovered
                ToolTip.delay: 500
                ToolTip.text: panel.player.phase === "predict"
                              ? (panel.player.allAnswered ? "Run the step's command, kernel step by kernel step (Return)"
                                                          : "Run the command without answering the questions (Return)")
                              : panel.player.phase === "running" ? "Jump to the end of the command and see the answers (Return)"
                              : "Go on (Return)"
            }
            Button {
                visible: panel.player.phase === "try"
                focusPolicy: Qt.NoFocus
                text: "Open it on the stage"
                onClicked: panel.player.openTryScenario()
            }
            Button {
                visible: panel.player.phase === "try"
                focusPolicy: Qt.NoFocus
                highlighted: true
                text: "Lessons"
                onClicked: panel.lessonsRequested()
            }
        }
    }
}
