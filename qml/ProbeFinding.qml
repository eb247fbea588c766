import QtQuick
import QtQuick.Controls
import MmtutorApp

// The explorer's probe finding, under the race lanes: how many interleavings
// leave a pin incoherent once its process writes (or reads, then writes)
// through it, the shortest of them, what that access broke and at which
// kernel step. Eras a and b have no invariant that flags the state the race
// leaves, so this is the only place their broken pins show. Asks for the
// interleaving to be opened; the parent decides how.
Rectangle {
    id: finding

    required property RaceExplorer explorer

    signal openRequested

    implicitHeight: Math.max(texts.implicitHeight, openButton.implicitHeight) + Theme.spacingSmall * 2
    color: Theme.errorSurface
    border.color: Theme.error
    border.width: Theme.borderWidth
    radius: Theme.radius

    // Plain anchors, not layouts: wrapped text in a layout that fills the
    // width asks for its height and width in a loop.
    Column {
        id: texts

        anchors.left: parent.left
        anchors.right: openButton.left
        anchors.verticalCenter: parent.verticalCenter
        anchors.leftMargin: Theme.spacing
        anchors.rightMargin: Theme.spacing
        spacing: Theme.spacingSmall / 2

        Label {
            objectName: "probeSummary"
            width: parent.width
            // The symbol and the words say it, not the colour alone.
            text: "\u26a0 " + finding.explorer.incoherentSummary
            wrapMode: Text.Wrap
            color: Theme.error
            font.pixelSize: Theme.fontSizeSmall
            font.bold: true
        }
        Label {
            objectName: "probeSentence"
            width: parent.width
            text: finding.explorer.probeSentence
            wrapMode: Text.Wrap
            color: Theme.text
            font.pixelSize: Theme.fontSizeSmall
        }
        Label {
            objectName: "probeWhere"
            width: parent.width
            visible: finding.explorer.probeWhere !== ""
            text: "at " + finding.explorer.probeWhere
            wrapMode: Text.Wrap
            color: Theme.textMuted
            font.pixelSize: Theme.fontSizeSmall
        }
    }
    Button {
        id: openButton

        anchors.right: parent.right
        anchors.rightMargin: Theme.spacingSmall
        anchors.verticalCenter: parent.verticalCenter
        text: "Open incoherent one"
        font.pixelSize: Theme.fontSizeSmall
        focusPolicy: Qt.NoFocus
        onClicked: finding.openRequested()
        ToolTip.visible: hovered
        ToolTip.delay: 500
        ToolTip.text: "Open this interleaving followed by the access, at the step where the pin and the "
                      + "process part ways"
    }
}
