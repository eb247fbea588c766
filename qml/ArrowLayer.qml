import QtQml
import QtQuick
import MmtutorApp

// Draws the arrows from page-table entries (and holders) to the cards of what
// they refer to: solid for a present mapping, dashed for a migration entry,
// dotted for a swap or device-private entry; a collapsed run of entries gets
// one thick arrow to the card or section that holds its pages. What to
// connect comes from the Arrows registry; only entries in sight in their
// (virtualized) list have one.
//
// It lies over the stage's content and moves and scales with it, so panning
// and zooming never repaint it. A step first works out where the arrows go
// (cheap) and repaints only if that changed: with the software renderer a
// repaint makes the whole stage dirty, which costs a frame's worth of time.
Canvas {
    id: layer

    // The arrows painted last, as drawn: [{x0, y0, x1, y1, tone, link, thick, above, leftward, fromTop}].
    property var arrows: []
    property string drawn: ""

    // Whether the point (x, y) of `item` is inside the list or grid that
    // clips it (if any).
    function inSight(item, x, y) {
        if (!item.clipView)
            return true;
        const p = item.mapToItem(item.clipView, x, y);
        return p.x >= 0 && p.y >= 0 && p.x <= item.clipView.width && p.y <= item.clipView.height;
    }

    // Coalesces the many registrations and moves of one step into one
    // update, and updates again once moving cards have settled.
    function schedule() {
        Qt.callLater(layer.update);
        settled.restart();
    }

    function toneOf(source) {
        if (source.link === EntryModel.Dashed)
            return Theme.migration;
        if (source.link === EntryModel.Dotted)
            return source.targetKey.startsWith("slot:") ? Theme.pageSwapped : Theme.pageDevice;
        return source.fromTop ? Theme.pagePinned : Theme.accent;
    }

    function geometry(source, target) {
        const above = source.mapToItem(layer, 0, 0).y < target.mapToItem(layer, 0, 0).y;
        const end = target.mapToItem(layer, target.width / 2, above ? 0 : target.height);
        // An entry's arrow leaves from the side nearer to its target.
        const centre = source.mapToItem(layer, source.width / 2, source.height / 2);
        const leftward = !source.fromTop && end.x < centre.x;
        const start = source.fromTop ? source.mapToItem(layer, source.width / 2, 0)
                                     : source.mapToItem(layer, leftward ? 0 : source.width, source.height / 2);
        return {
            x0: Math.round(start.x), y0: Math.round(start.y), x1: Math.round(end.x), y1: Math.round(end.y),
            tone: String(toneOf(source)), link: source.link, thick: source.collapsed === true, above: above,
            leftward: leftward, fromTop: source.fromTop
        };
    }

    // Works out the arrows; repaints only when they differ from those drawn.
    function update() {
        const fresh = [];
        for (const source of Arrows.sources) {
            if (!source.visible || source.targetKey === "" || source.link === EntryModel.NoLink)
                continue;
            if (!inSight(source, source.width / 2, source.height / 2))
                continue;
            const target = Arrows.targets[source.targetKey];
            if (target && target.visible && inSight(target, target.width / 2, target.height / 2))
                fresh.push(geometry(source, target));
        }
        const key = JSON.stringify(fresh) + Theme.mode + Theme.zoom;
        if (key === drawn)
            return;
        drawn = key;
        arrows = fresh;
        requestPaint();
    }

    function drawArrow(ctx, arrow) {
        const bend = arrow.leftward ? -Theme.spacingHuge : Theme.spacingHuge;
        ctx.beginPath();
        ctx.strokeStyle = arrow.tone;
        ctx.fillStyle = arrow.tone;
        ctx.lineWidth = Theme.borderWidth * (arrow.thick ? 3.5 : 1.5);
        if (arrow.link === EntryModel.Dashed)
            ctx.setLineDash([6, 4]);
        else if (arrow.link === EntryModel.Dotted)
            ctx.setLineDash([1.5, 3.5]);
        else
            ctx.setLineDash([]);
        ctx.moveTo(arrow.x0, arrow.y0);
        if (arrow.fromTop)
            ctx.bezierCurveTo(arrow.x0, arrow.y0 - bend, arrow.x1, arrow.y1 + bend, arrow.x1, arrow.y1);
        else
            ctx.bezierCurveTo(arrow.x0 + bend, arrow.y0, arrow.x1, arrow.y1 + (arrow.above ? -bend : bend),
                              arrow.x1, arrow.y1);
        ctx.stroke();
        // The head points along the last stretch: down onto a card below, up onto one above.
        const dir = arrow.above ? -1 : 1;
        const size = Theme.baseUnit * (arrow.thick ? 1.2 : 0.8);
        ctx.setLineDash([]);
        ctx.beginPath();
        ctx.moveTo(arrow.x1, arrow.y1);
        ctx.lineTo(arrow.x1 - size * 0.6, arrow.y1 - dir * size);
        ctx.lineTo(arrow.x1 + size * 0.6, arrow.y1 - dir * size);
        ctx.closePath();
        ctx.fill();
    }

    onPaint: {
        const ctx = getContext("2d");
        ctx.reset();
        ctx.globalAlpha = Theme.contrast ? 1 : 0.85;
        for (const arrow of arrows)
            drawArrow(ctx, arrow);
    }
    onWidthChanged: schedule()
    onHeightChanged: schedule()
    Component.onCompleted: Arrows.moved.connect(schedule)

    // Updates once the cards that moved in this step have settled (a Timer,
    // not an animation: it must not keep the window rendering frames).
    Timer {
        id: settled

        interval: Theme.durationLong + 50
        onTriggered: layer.update()
    }
}
