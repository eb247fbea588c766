import QtQuick
import QtQuick.Controls

// The heading of a stage section ("Physical memory"), with a muted note.
Row {
    id: title

    required property string text
    property string note: ""

    spacing: Theme.spacing

    Label {
        text: title.text
        color: Theme.text
        font.pixelSize: Theme.fontSizeTitle
        font.bold: true
    }
    Label {
        anchors.baseline: parent.children[0].baseline
        text: title.note
        color: Theme.textMuted
        font.pixelSize: Theme.fontSizeSmall
    }
}
