import QtQuick
import QtQuick.Controls
import MmtutorApp

// A section of same-sized cards (swap slots, device pages) as a grid view:
// up to `maxColumns` wide, and past `maxRows` rows it scrolls by itself and
// makes cards only for the rows in sight, so a thousand swapped-out pages cost
// what a few cost. `sectionKey` names it for the arrows of collapsed runs.
GridView {
    id: grid

    property int maxColumns: 3
    property int maxRows: 4
    property string sectionKey: ""
    property real cardHeight: 100

    width: Math.max(1, Math.min(count, maxColumns)) * cellWidth
    height: Math.min(Math.ceil(count / maxColumns), maxRows) * cellHeight
    cellWidth: Theme.cardWidth + Theme.spacing
    cellHeight: cardHeight + Theme.spacing
    clip: true
    interactive: contentHeight > height
    boundsBehavior: Flickable.StopAtBounds
    cacheBuffer: cellHeight

    ScrollBar.vertical: ScrollBar {}

    onContentYChanged: Arrows.moved()
    Component.onCompleted: {
        if (sectionKey !== "")
            Arrows.setTarget(sectionKey, grid);
    }
    Component.onDestruction: {
        if (sectionKey !== "")
            Arrows.removeTarget(sectionKey, grid);
    }
}
