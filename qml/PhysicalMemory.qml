import QtQuick
import QtQuick.Controls
import MmtutorApp

// System RAM on the stage: the huge folios first, each one card (a THP
// expands into its 512 subpages on demand), then the small pages in a grid
// that creates cards only for the rows in sight, so a thousand pages cost
// what a screenful costs. The grid scrolls by itself once it is taller than
// most of the window.
Column {
    id: memory

    // The height of the stage's window in stage units: caps the grid's height.
    property real viewportHeight: 600

    spacing: Theme.spacing

    SectionTitle {
        text: "Physical memory"
        note: {
            const huge = hugePages.count;
            const small = smallPages.count;
            return (huge + small) + ((huge + small) === 1 ? " folio" : " folios")
                + (huge > 0 ? ": " + huge + " huge, " + small + " small" : "");
        }
    }
    Flow {
        width: memory.width
        spacing: Theme.spacing
        visible: hugePages.count > 0

        Repeater {
            objectName: "hugePageCards"
            model: PageFilterModel {
                id: hugePages

                sourceModel: Session.pages
                huge: true
            }

            PageCard {}
        }
    }
    // Where the arrow of a collapsed run of entries ends: the grid as a
    // whole, not one of its cards.
    Label {
        id: smallTitle

        visible: smallPages.count > 0
        text: smallPages.count + (smallPages.count === 1 ? " small page" : " small pages")
        color: Theme.textMuted
        font.pixelSize: Theme.fontSizeSmall
        font.bold: true

        Component.onCompleted: Arrows.setTarget("section:pages", smallTitle)
        Component.onDestruction: Arrows.removeTarget("section:pages", smallTitle)
    }
    CardGrid {
        id: grid

        readonly property int columns: Math.max(1, Math.floor(width / cellWidth))
        readonly property int rows: Math.ceil(count / columns)

        objectName: "pageGrid"
        width: memory.width
        height: Math.min(rows * cellHeight, Math.max(2 * cellHeight, memory.viewportHeight * 0.6))
        visible: count > 0
        cardHeight: Math.round(156 * Theme.zoom)
        model: PageFilterModel {
            id: smallPages

            sourceModel: Session.pages
            huge: false
        }

        delegate: PageCard {
            width: GridView.view.cellWidth - Theme.spacing
            height: GridView.view.cellHeight - Theme.spacing
            clip: true
            clipView: GridView.view

            onImplicitHeightChanged: if (GridView.view) GridView.view.fitCard(this)
            Component.onCompleted: if (GridView.view) GridView.view.fitCard(this)
        }
        displaced: Transition {
            enabled: !Theme.reduceMotion
            NumberAnimation { properties: "x,y"; duration: Theme.durationShort }
        }

        Connections {
            target: Arrows

            function onRevealRequested(key: string) {
                const row = smallPages.rowOfCard(key);
                if (row >= 0)
                    grid.positionViewAtIndex(row, GridView.Contain);
            }
        }
    }
}
