import QtQuick
import QtQuick.Controls
import MmtutorApp

// A toolbar button that never takes keyboard focus (the window's shortcuts own
// the keys) and says what it does in a tooltip.
ToolButton {
    id: button

    required property string help
    font.pixelSize: Theme.fontSizeTitle
    enabled: Session.loaded
    ToolTip.visible: hovered
    ToolTip.text: help
    ToolTip.delay: 500
    Accessible.name: help
}
