import QtQuick
import QtQuick.Controls
import MmtutorApp

// A section of same-sized cards (pages, swap slots, device pages) as a grid
// view: up to `maxColumns` wide, and past `maxRows` rows it scrolls by itself
// and makes cards only for the rows in sight, so a thousand swapped-out pages
// cost what a few cost. `sectionKey` names it for the arrows of collapsed runs.
// Cells are `cardHeight` tall, or as tall as the tallest card in sight needs
// (a page that is pinned, in the swap cache and in flight has more to say):
// a card never clips its last lines. Delegates call fitCard() when made and
// when their content grows; the grid shrinks back at the next step.
GridView {
    id: grid

    property int maxColumns: 3
    property int maxRows: 4
    property string sectionKey: ""
    property real cardHeight: 100
    // The natural height of the tallest card made so far at this step.
    property real tallestCard: 0
    // A taller card seen, applied once the current layout is done: a card is
    // made while the grid lays out (after its height or cell height changed),
    // and growing the cells from there would re-enter that layout.
    property real pendingTallest: 0

    function fitCard(card: Item) {
        if (card.implicitHeight > Math.max(tallestCard, pendingTallest)) {
            pendingTallest = Math.ceil(card.implicitHeight);
            Qt.callLater(grid.applyFit);
        }
    }
    function applyFit() {
        if (pendingTallest > tallestCard)
            tallestCard = pendingTallest;
    }
    function measure() {
        let tallest = 0;
        const children = contentItem.children;
        for (let i = 0; i < children.length; ++i) {
            if (children[i].cardKey !== undefined)
                tallest = Math.max(tallest, children[i].implicitHeight);
        }
        tallestCard = Math.ceil(tallest);
        pendingTallest = tallestCard;
    }

    width: Math.max(1, Math.min(count, maxColumns)) * cellWidth
    height: Math.min(Math.ceil(count / maxColumns), maxRows) * cellHeight
    cellWidth: Theme.cardWidth + Theme.spacing
    cellHeight: Math.max(cardHeight, tallestCard) + Theme.spacing
    clip: true
    interactive: contentHeight > height
    boundsBehavior: Flickable.StopAtBounds
    // One row above and below (not the fitted height: a new row of cards must
    // not be made while the cell height changes).
    cacheBuffer: cardHeight + Theme.spacing

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

    // Session updates the models before it announces the new position.
    Connections {
        target: Session

        function onPositionChanged() {
            Qt.callLater(grid.measure);
        }
    }
    Connections {
        target: Theme

        function onZoomChanged() {
            Qt.callLater(grid.measure);
        }
    }
}
