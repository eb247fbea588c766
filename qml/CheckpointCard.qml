import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import MmtutorApp

// One predict-then-reveal question. Before the command runs, its choices are
// buttons; afterwards each shows whether the engine agrees (a mark and a
// word, not colour alone) with the lesson's explanation of it.
Rectangle {
    id: card

    required property var checkpoint // a LessonPlayer.checkpoints entry
    required property int number
    signal chosen(int choice)

    readonly property bool revealed: checkpoint.revealed
    implicitHeight: column.implicitHeight + Theme.spacing * 2
    radius: Theme.radius
    color: Theme.surfaceSunken
    border.color: Theme.border
    border.width: Theme.borderWidth

    ColumnLayout {
        id: column

        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacingSmall

        Label {
            Layout.fillWidth: true
            text: "Predict " + card.number
            color: Theme.accent
            font.pixelSize: Theme.fontSizeSmall
            font.bold: true
        }
        Label {
            Layout.fillWidth: true
            text: LessonText.html(card.checkpoint.question, font.pixelSize, Theme.monospaceFamily)
            textFormat: Text.RichText
            wrapMode: Text.Wrap
            color: Theme.text
            font.pixelSize: Theme.fontSizeBody
        }
        Repeater {
            model: card.checkpoint.choices

            ColumnLayout {
                id: choiceRow

                required property var modelData
                required property int index
                readonly property bool picked: card.checkpoint.chosen === index
                readonly property bool isRight: card.revealed && modelData.right === true

                Layout.fillWidth: true
                spacing: 0

                Button {
                    objectName: "choice"
                    Layout.fillWidth: true
                    focusPolicy: Qt.NoFocus
                    checkable: false
                    highlighted: choiceRow.picked
                    enabled: !card.revealed
                    font.family: Theme.monospaceFamily
                    font.pixelSize: Theme.fontSizeSmall
                    text: (card.revealed ? (choiceRow.isRight ? "\u2714 " : "\u2718 ") : (choiceRow.picked ? "\u25cf " : "\u25cb "))
                          + choiceRow.modelData.value
                          + (card.revealed && choiceRow.picked ? (choiceRow.isRight ? "   your answer, right" : "   your answer") : "")
                    onClicked: card.chosen(choiceRow.index)
                    contentItem: Label {
                        text: parent.text
                        horizontalAlignment: Text.AlignLeft
                        elide: Text.ElideRight
                        font: parent.font
                        color: card.revealed ? (choiceRow.isRight ? Theme.pageExclusive : Theme.textMuted)
                                             : (choiceRow.picked ? Theme.textOnAccent : Theme.text)
                    }
                }
                Label {
                    Layout.fillWidth: true
                    Layout.leftMargin: Theme.spacingLarge
                    visible: card.revealed && (choiceRow.isRight || choiceRow.picked)
                    text: LessonText.html(choiceRow.modelData.explanation || "", font.pixelSize, Theme.monospaceFamily)
                    textFormat: Text.RichText
                    wrapMode: Text.Wrap
                    color: Theme.text
                    font.pixelSize: Theme.fontSizeSmall
                }
            }
        }
        Label {
            Layout.fillWidth: true
            visible: card.revealed
            text: "The engine: " + (card.checkpoint.engineDetail || "")
            wrapMode: Text.Wrap
            color: Theme.textMuted
            font.pixelSize: Theme.fontSizeSmall
            font.italic: true
        }
    }
}
