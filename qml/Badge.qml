import QtQuick
import QtQuick.Controls

// A small labelled pill. `strong` fills it (for what must stand out, like
// PageAnonExclusive or a pin); otherwise it is outlined. The text always
// says what the badge means, so colour is never the only cue.
Rectangle {
    id: badge

    required property string text
    property color tone: Theme.textMuted
    property bool strong: false

    implicitWidth: label.implicitWidth + Theme.spacing + (strong ? Theme.spacingSmall : 0)
    implicitHeight: label.implicitHeight + Theme.spacingSmall
    radius: height / 2
    color: strong ? tone : "transparent"
    border.color: tone
    border.width: Theme.borderWidth

    Behavior on color {
        enabled: !Theme.reduceMotion
        ColorAnimation { duration: Theme.durationShort }
    }

    Text {
        id: label

        anchors.centerIn: parent
        text: badge.text
        color: badge.strong ? Theme.textOnAccent : badge.tone
        font.pixelSize: Theme.fontSizeSmall
        font.bold: badge.strong
    }
}
