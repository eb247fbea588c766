import QtQuick
import QtQuick.Controls
import MmtutorApp

// The 512 subpages of a THP, 32 to a row, one small cell each. A cell in the
// head's state is an empty outline (the head's is thick); one whose mapcount
// or exclusive bit differs is filled, and round when its mapcount differs; a
// dot in the middle says it holds data. Shapes, not colour alone.
// Hovering a cell says which subpage it is and how it differs. Cells exist
// only while `active` (the card is expanded).
Item {
    id: grid

    // One character per subpage: '.' like the head, else '0' + a mask of
    // PageModel.SubpageDifference.
    required property string subpageStates
    required property int firstPfn
    property bool active: false

    readonly property int columns: 32
    readonly property int cell: Math.max(5, Math.round(Theme.baseUnit * 1.1))
    readonly property int rows: Math.ceil(subpageStates.length / columns)

    function describe(index: int): string {
        const mask = subpageStates.charCodeAt(index) - 48;
        const name = "subpage [" + index + "], page #" + (firstPfn + index) + ": ";
        if (subpageStates.charAt(index) === ".")
            return name + "as the head, no data";
        const parts = [];
        if (mask & PageModel.MapcountDiffers)
            parts.push("mapcount");
        if (mask & PageModel.ExclusiveDiffers)
            parts.push("AnonExclusive");
        return name + (parts.length > 0 ? parts.join(" and ") + " unlike the head" : "as the head")
            + ((mask & PageModel.Written) ? ", holds data" : ", no data");
    }

    implicitWidth: columns * cell
    implicitHeight: active ? rows * cell + legend.implicitHeight + Theme.spacingSmall : 0

    Grid {
        id: cells

        columns: grid.columns

        Repeater {
            model: grid.active ? grid.subpageStates.length : 0

            Rectangle {
                required property int index

                readonly property int mask: grid.subpageStates.charAt(index) === "." ? 0
                                                                                : grid.subpageStates.charCodeAt(index) - 48

                readonly property bool differs: (mask & ~PageModel.Written) !== 0

                width: grid.cell
                height: grid.cell
                radius: mask & PageModel.MapcountDiffers ? width / 2 : 0
                color: differs ? Theme.accent : "transparent"
                border.color: differs ? Theme.accent : index === 0 ? Theme.text : Theme.border
                border.width: index === 0 ? Theme.strongBorderWidth : 1

                Rectangle {
                    anchors.centerIn: parent
                    visible: parent.mask & PageModel.Written
                    width: Math.max(2, Math.round(parent.width * 0.4))
                    height: width
                    radius: width / 2
                    color: parent.differs ? Theme.textOnAccent : Theme.text
                }
            }
        }
    }
    MouseArea {
        id: hover

        anchors.fill: cells
        hoverEnabled: true
        acceptedButtons: Qt.NoButton

        readonly property int hovered: containsMouse
            ? Math.floor(mouseY / grid.cell) * grid.columns + Math.floor(mouseX / grid.cell) : -1

        ToolTip.visible: hovered >= 0 && hovered < grid.subpageStates.length
        ToolTip.text: hovered >= 0 ? grid.describe(hovered) : ""
    }
    Label {
        id: legend

        y: cells.height + Theme.spacingSmall
        visible: grid.active
        width: grid.width
        text: "thick: the head \u00b7 filled: exclusive bit or mapcount unlike the head's \u00b7 round: mapcount \u00b7 dot: holds data"
        wrapMode: Text.Wrap
        color: Theme.textMuted
        font.pixelSize: Theme.fontSizeSmall
    }
}
