import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import MmtutorApp

// The top bar: open a scenario, pick the kernel era (the scenario re-runs),
// the theme, reduced motion, and help. Intent goes out as signals.
ToolBar {
    id: bar

    signal openRequested
    signal helpRequested
    signal lessonsRequested

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: Theme.spacing
        anchors.rightMargin: Theme.spacing
        spacing: Theme.spacing

        ToolButton {
            text: "Open\u2026"
            font.pixelSize: Theme.fontSizeBody
            onClicked: bar.openRequested()
        }
        ToolButton {
            text: "Lessons"
            font.pixelSize: Theme.fontSizeBody
            onClicked: bar.lessonsRequested()
            ToolTip.visible: hovered
            ToolTip.text: "The guided lessons, with your progress (Ctrl+L)"
        }
        Label {
            Layout.fillWidth: true
            text: Session.fileName === "" ? "mmtutor" : Session.fileName.split("/").pop()
            elide: Text.ElideMiddle
            color: Theme.text
            font.pixelSize: Theme.fontSizeBody
            font.bold: true
        }
        Label {
            text: "era"
            color: Theme.textMuted
            font.pixelSize: Theme.fontSizeSmall
        }
        Repeater {
            model: [
                { era: "a", help: "a: v5.7 and before, reuse decided by mapcount" },
                { era: "b", help: "b: v5.9 to v5.17, reuse only when page_count is 1" },
                { era: "c", help: "c: v6.2, PG_anon_exclusive" }
            ]

            ToolButton {
                required property var modelData

                text: modelData.era
                checkable: true
                checked: Session.era === modelData.era
                font.pixelSize: Theme.fontSizeBody
                font.bold: checked
                ToolTip.visible: hovered
                ToolTip.text: modelData.help
                onClicked: Session.era = modelData.era
            }
        }
        ComboBox {
            model: ["light", "dark", "contrast"]
            currentIndex: Math.max(0, model.indexOf(Theme.mode))
            font.pixelSize: Theme.fontSizeSmall
            // What the user picks here is kept for the next start (Library settings).
            onActivated: index => {
                Theme.mode = model[index];
                Library.setSetting("theme", Theme.mode);
            }
        }
        CheckBox {
            text: "reduce motion"
            checked: Theme.reduceMotion
            font.pixelSize: Theme.fontSizeSmall
            onToggled: {
                Theme.reduceMotion = checked;
                Library.setSetting("reduceMotion", checked);
            }
        }
        ToolButton {
            text: "?"
            font.pixelSize: Theme.fontSizeBody
            font.bold: true
            onClicked: bar.helpRequested()
        }
    }
}
