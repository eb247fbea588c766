import QtQuick
import MmtutorApp

// Draws the arrows from page-table entries (and holders) to the cards of what
// they refer to: solid for a present mapping, dashed for a migration entry,
// dotted for a swap or device-private entry; a collapsed run of entries gets
// one thick arrow to the card or section that holds its pages. What to
// connect comes from the Arrows registry. The layer covers the stage's window,
// not the whole stage, and draws only arrows whose entry is in sight: its
// cost follows what is on screen, not the size of the scene.
Canvas {
    id: layer

    // Whether the point (x, y) of `item` is inside the list or grid that
    // clips it (if any) and inside this layer.
    function inSight(item, x, y) {
        if (item.clipView) {
            const p = item.mapToItem(item.clipView, x, y);
            if (p.x < 0 || p.y < 0 || p.x > item.clipView.width || p.y > item.clipView.height)
                return false;
        }
        const q = item.mapToItem(layer, x, y);
        return q.x >= -layer.width && q.y >= -layer.height && q.x <= 2 * layer.width && q.y <= 2 * layer.height;
    }

    // Coalesces the many registrations and moves of one step into one paint,
    // and paints again once moving cards have settled.
    function schedule() {
        Qt.callLater(layer.requestPaint);
        settled.restart();
    }

    function toneOf(source) {
        if (source.link === EntryModel.Dashed)
            return Theme.migration;
        if (source.link === EntryModel.Dotted)
            return source.targetKey.startsWith("slot:") ? Theme.pageSwapped : Theme.pageDevice;
        return source.fromTop ? Theme.pagePinned : Theme.accent;
    }

    function drawArrow(ctx, source, target) {
        const above = source.mapToItem(layer, 0, 0).y < target.mapToItem(layer, 0, 0).y;
        const end = target.mapToItem(layer, target.width / 2, above ? 0 : target.height);
        // An entry's arrow leaves from the side nearer to its target.
        const centre = source.mapToItem(layer, source.width / 2, source.height / 2);
        const leftward = !source.fromTop && end.x < centre.x;
        const start = source.fromTop ? source.mapToItem(layer, source.width / 2, 0)
                                     : source.mapToItem(layer, leftward ? 0 : source.width, source.height / 2);
        const bend = leftward ? -Theme.spacingHuge : Theme.spacingHuge;
        ctx.beginPath();
        ctx.strokeStyle = toneOf(source);
        ctx.fillStyle = ctx.strokeStyle;
        ctx.lineWidth = Theme.borderWidth * (source.collapsed ? 3.5 : 1.5);
        if (source.link === EntryModel.Dashed)
            ctx.setLineDash([6, 4]);
        else if (source.link === EntryModel.Dotted)
            ctx.setLineDash([1.5, 3.5]);
        else
            ctx.setLineDash([]);
        ctx.moveTo(start.x, start.y);
        if (source.fromTop)
            ctx.bezierCurveTo(start.x, start.y - bend, end.x, end.y + bend, end.x, end.y);
        else
            ctx.bezierCurveTo(start.x + bend, start.y, end.x, end.y + (above ? -bend : bend), end.x, end.y);
        ctx.stroke();
        // The head points along the last stretch: down onto a card below, up onto one above.
        const dir = above ? -1 : 1;
        const size = Theme.baseUnit * 0.8;
        ctx.setLineDash([]);
        ctx.beginPath();
        ctx.moveTo(end.x, end.y);
        ctx.lineTo(end.x - size * 0.6, end.y - dir * size);
        ctx.lineTo(end.x + size * 0.6, end.y - dir * size);
        ctx.closePath();
        ctx.fill();
    }

    onPaint: {
        const ctx = getContext("2d");
        ctx.reset();
        ctx.globalAlpha = Theme.contrast ? 1 : 0.85;
        for (const source of Arrows.sources) {
            if (!source.visible || source.targetKey === "" || source.link === EntryModel.NoLink)
                continue;
            if (!inSight(source, source.width / 2, source.height / 2))
                continue;
            const target = Arrows.targets[source.targetKey];
            if (target && target.visible && inSight(target, target.width / 2, target.height / 2))
                drawArrow(ctx, source, target);
        }
    }
    onWidthChanged: schedule()
    Component.onCompleted: Arrows.moved.connect(schedule)
    onHeightChanged: schedule()

    // Paints once the cards that moved in this step have settled.
    PauseAnimation {
        id: settled

        duration: Theme.durationLong + 50
        onFinished: layer.requestPaint()
    }
}
