import QtQuick
import QtQuick.Controls
import MmtutorApp

// What the current kernel step did and why: the command being run, the call
// path, the sentence, what changed; then the violations found so far and the
// expectations of the whole run.
Rectangle {
    id: panel

    color: Theme.surface
    border.color: Theme.border
    border.width: Theme.borderWidth

    ScrollView {
        id: scroll

        anchors.fill: parent
        anchors.margins: Theme.spacing
        contentWidth: availableWidth
        clip: true
        // Shown whenever there is more than fits: text cut off at the bottom
        // must not look like the end.
        ScrollBar.vertical.policy: contentHeight > availableHeight ? ScrollBar.AlwaysOn : ScrollBar.AsNeeded
        // ... and the text keeps clear of it.
        rightPadding: ScrollBar.vertical.policy === ScrollBar.AlwaysOn ? ScrollBar.vertical.width : 0

        Column {
            width: scroll.availableWidth
            spacing: Theme.spacing

            Label {
                width: parent.width
                text: Session.stepIndex === 0 ? "Before the first command" : "Line " + Session.currentLine
                    + ", command " + (Session.commandIndex + 1) + " of " + Session.commandCount
                color: Theme.textMuted
                font.pixelSize: Theme.fontSizeSmall
            }
            Label {
                width: parent.width
                visible: Session.currentSource !== ""
                text: Session.currentSource
                wrapMode: Text.WrapAtWordBoundaryOrAnywhere
                color: Theme.text
                font.family: Theme.monospaceFamily
                font.pixelSize: Theme.fontSizeBody
                font.bold: true
            }
            Label {
                width: parent.width
                visible: Session.currentOutcome !== ""
                text: "\u21b3 " + Session.currentOutcome
                wrapMode: Text.Wrap
                color: Session.currentOutcomeFailed ? Theme.error : Theme.pageExclusive
                font.pixelSize: Theme.fontSizeSmall
                font.bold: true
            }
            Rectangle {
                width: parent.width
                height: Theme.borderWidth
                color: Theme.border
            }
            Label {
                width: parent.width
                visible: Session.currentPath !== ""
                text: Session.currentPath
                wrapMode: Text.Wrap
                color: Theme.accent
                font.family: Theme.monospaceFamily
                font.pixelSize: Theme.fontSizeSmall
            }
            Label {
                width: parent.width
                text: Session.currentSentence
                wrapMode: Text.Wrap
                color: Theme.text
                font.pixelSize: Theme.fontSizeBody
            }
            // The current function in pseudo-code; the line the step is about
            // carries a ▶ marker and a tinted band (not colour alone).
            Label {
                visible: Session.currentListing.length > 0
                text: "In " + Session.currentFunction + " (pseudo-code)"
                color: Theme.textMuted
                font.pixelSize: Theme.fontSizeSmall
                font.bold: true
            }
            Rectangle {
                width: parent.width
                height: listingColumn.implicitHeight + 2 * Theme.borderWidth
                visible: Session.currentListing.length > 0
                color: Theme.surfaceSunken
                border.color: Theme.border
                border.width: Theme.borderWidth

                Column {
                    id: listingColumn

                    x: Theme.borderWidth
                    y: Theme.borderWidth
                    width: parent.width - 2 * Theme.borderWidth

                    Repeater {
                        model: Session.currentListing

                        Rectangle {
                            id: listingRow

                            required property string modelData
                            required property int index
                            readonly property bool current: index === Session.currentListingLine
                            // The nesting is the line's leading spaces: a long line wraps
                            // under its own first word (a hanging indent), not under the
                            // start of the outer block.
                            readonly property int indent: /^ */.exec(modelData)[0].length

                            width: parent.width
                            height: listingText.implicitHeight + 2
                            color: current ? Theme.listingHighlight : "transparent"

                            FontMetrics {
                                id: listingMetrics

                                font: listingText.font
                            }

                            Label {
                                id: listingMarker

                                x: 2
                                y: 1
                                text: listingRow.current ? "\u25b6" : ""
                                color: Theme.accent
                                font.family: Theme.monospaceFamily
                                font.pixelSize: Theme.fontSizeSmall
                            }
                            Label {
                                id: listingText

                                x: 2 + Theme.fontSizeSmall * 1.2 + listingRow.indent * listingMetrics.advanceWidth(" ")
                                y: 1
                                width: parent.width - x - 2
                                text: listingRow.modelData.substring(listingRow.indent)
                                wrapMode: Text.Wrap
                                color: Theme.text
                                font.family: Theme.monospaceFamily
                                font.pixelSize: Theme.fontSizeSmall
                                font.bold: listingRow.current
                            }
                        }
                    }
                }
            }
            Label {
                visible: Session.currentChanges.length > 0
                text: "What changed"
                color: Theme.textMuted
                font.pixelSize: Theme.fontSizeSmall
                font.bold: true
            }
            Repeater {
                model: Session.currentChanges

                Label {
                    required property string modelData

                    width: parent.width
                    text: "\u2022 " + modelData
                    wrapMode: Text.Wrap
                    color: Theme.text
                    font.pixelSize: Theme.fontSizeSmall
                }
            }
            Rectangle {
                width: parent.width
                height: Theme.borderWidth
                color: Theme.border
            }
            Label {
                readonly property int broken: Session.violations.invariantCount

                width: parent.width
                text: broken === 0 ? "No invariant broken so far"
                    : broken + (broken === 1 ? " invariant broken so far" : " invariants broken so far")
                wrapMode: Text.Wrap
                color: broken === 0 ? Theme.textMuted : Theme.error
                font.pixelSize: Theme.fontSizeSmall
                font.bold: broken > 0
            }
            // Not one of the era's invariants: a pin or reference that no
            // longer sees what the process maps there (eras a and b let that
            // happen as their kernels did; a race's `flush off` too).
            Label {
                readonly property int stale: Session.violations.coherenceCount

                width: parent.width
                visible: stale > 0
                text: stale + (stale === 1 ? " pin or reference no longer sees" : " pins or references no longer see")
                    + " what the process maps there"
                wrapMode: Text.Wrap
                color: Theme.error
                font.pixelSize: Theme.fontSizeSmall
                font.bold: true
            }
            Repeater {
                id: violationRows

                model: Session.violations

                Label {
                    required property int step
                    required property string kind
                    required property string rule
                    required property string message

                    width: parent.width
                    // A coherence rule already says what kind it is.
                    text: "\u26a0 step " + step + ", " + (rule.indexOf(kind) >= 0 ? rule : kind + " " + rule) + ": "
                        + message
                    wrapMode: Text.Wrap
                    color: Theme.error
                    font.pixelSize: Theme.fontSizeSmall
                }
            }
            Label {
                width: parent.width
                visible: Session.expectationSummary !== ""
                text: "Expectations of the whole run: " + Session.expectationSummary
                wrapMode: Text.Wrap
                color: Theme.textMuted
                font.pixelSize: Theme.fontSizeSmall
            }
            Repeater {
                model: Session.failedExpectations

                Label {
                    required property string modelData

                    width: parent.width
                    text: modelData
                    wrapMode: Text.Wrap
                    color: Theme.error
                    font.pixelSize: Theme.fontSizeSmall
                }
            }
        }
    }
}
