import QtQuick
import QtQuick.Controls
import MmtutorApp

// The memory stage: processes side by side with their page tables on top,
// physical memory below them (huge pages as cards that expand into their
// subpages, small pages in a virtualized grid), then the swap device, device
// memory and the references held by others; arrows from entries in sight to
// what they refer to. The stage zooms (Ctrl+wheel,
// pinch, the zoom bar, Ctrl+0 resets) and pans (drag, wheel, scroll bars).
Item {
    id: stage

    objectName: "stage"

    // The stage's own magnification; Theme.zoom (Ctrl +/-) is the UI scale.
    property real zoom: 1.0
    readonly property real minZoom: 0.2
    readonly property real maxZoom: 3.0
    readonly property int sectionWidth: Math.max(view.width - 2 * Theme.spacingLarge, Theme.cardWidth)

    // Zooms by `factor`, keeping the stage point under (x, y) (view
    // coordinates) where it is.
    function zoomBy(factor: real, x: real, y: real) {
        const wanted = Math.min(maxZoom, Math.max(minZoom, zoom * factor));
        const pointX = (view.contentX + x) / zoom;
        const pointY = (view.contentY + y) / zoom;
        zoom = wanted;
        view.contentX = Math.max(0, Math.min(view.contentWidth - view.width, pointX * zoom - x));
        view.contentY = Math.max(0, Math.min(view.contentHeight - view.height, pointY * zoom - y));
    }
    function zoomIn() { zoomBy(1.25, view.width / 2, view.height / 2); }
    function zoomOut() { zoomBy(0.8, view.width / 2, view.height / 2); }
    function resetZoom() {
        zoom = 1.0;
        view.contentX = 0;
        view.contentY = 0;
    }
    // Scrolls (at the current zoom) so that `item`, somewhere on the stage, is
    // in view. Sideways only as far as it takes (with a margin), so that as
    // much as possible of the processes beside it stays in sight; up or down
    // centred, so that what is around it (its process's name, the rows next
    // to it) shows too. At the top left if it is bigger than the view.
    function ensureVisible(item: Item) {
        const r = item.mapToItem(scaled, 0, 0, item.width, item.height);
        const margin = Theme.spacingLarge;
        const x = r.x * zoom, y = r.y * zoom, w = r.width * zoom, h = r.height * zoom;
        if (x < view.contentX || x + w > view.contentX + view.width)
            view.contentX = Math.max(0, Math.min(view.contentWidth - view.width,
                                                 w + 2 * margin >= view.width || x < view.contentX
                                                     ? x - margin : x + w + margin - view.width));
        if (y < view.contentY || y + h > view.contentY + view.height)
            view.contentY = Math.max(0, Math.min(view.contentHeight - view.height,
                                                 h + 2 * margin < view.height ? y - (view.height - h) / 2 : y - margin));
    }

    // A lesson step points at something out of view: bring the most
    // important of what it points at into view, once the step's outlines are up.
    property Item spotlightItem: null
    property int spotlightPriority: -1

    Connections {
        target: Spotlight

        function onViewRequested(item, priority) {
            if (priority > stage.spotlightPriority) {
                stage.spotlightItem = item;
                stage.spotlightPriority = priority;
            }
            spotlightTimer.restart();
        }
    }
    Timer {
        id: spotlightTimer

        // Long enough for the step's rows and cards to be laid out.
        interval: 120
        onTriggered: {
            if (stage.spotlightItem)
                stage.ensureVisible(stage.spotlightItem);
            stage.spotlightItem = null;
            stage.spotlightPriority = -1;
        }
    }

    // The whole stage in the window.
    function fit() {
        zoom = Math.min(maxZoom, Math.max(minZoom, Math.min(view.width / scaled.width, view.height / scaled.height)));
        view.contentX = 0;
        view.contentY = 0;
    }

    Flickable {
        id: view

        objectName: "stageView"
        anchors.fill: parent
        contentWidth: Math.max(width, scaled.width * stage.zoom)
        contentHeight: scaled.height * stage.zoom
        clip: true
        boundsBehavior: Flickable.StopAtBounds

        // Always shown while there is more stage than window: a process to
        // the right, or swap and device memory below, must not look absent.
        ScrollBar.vertical: ScrollBar {
            policy: view.contentHeight > view.height + 1 ? ScrollBar.AlwaysOn : ScrollBar.AsNeeded
        }
        ScrollBar.horizontal: ScrollBar {
            policy: view.contentWidth > view.width + 1 ? ScrollBar.AlwaysOn : ScrollBar.AsNeeded
        }

        // Everything on the stage, at zoom 1; scaled as a whole.
        Item {
            id: scaled

            width: content.implicitWidth + 2 * Theme.spacingLarge
            height: content.implicitHeight + 2 * Theme.spacingLarge
            scale: stage.zoom
            transformOrigin: Item.TopLeft

            Column {
                id: content

                x: Theme.spacingLarge
                y: Theme.spacingLarge
                spacing: Theme.spacingLarge

                // Processes side by side, however many: an arrow from an
                // entry then runs down to physical memory without crossing
                // another process's page table (rows of processes made the
                // arrows of the upper ones cut through the lower ones). A
                // lesson step that points at a process out of view scrolls to
                // it; Fit shows them all.
                Row {
                    spacing: Theme.spacingHuge

                    Repeater {
                        model: Session.processes

                        ProcessColumn {}
                    }
                }
                PhysicalMemory {
                    width: stage.sectionWidth
                    // Not divided by the zoom: zooming out shows the same
                    // cards smaller instead of making more of them.
                    viewportHeight: view.height
                }
                OtherMemory {
                    width: stage.sectionWidth
                }
            }
            ArrowLayer {
                anchors.fill: parent

                Component.onCompleted: {
                    Session.positionChanged.connect(schedule);
                    Session.scenarioChanged.connect(schedule);
                    Theme.modeChanged.connect(schedule);
                    Theme.zoomChanged.connect(schedule);
                }
            }
        }
    }

    // Ctrl+wheel and pinch zoom; plain wheel and drags go to the views below.
    Item {
        anchors.fill: view

        WheelHandler {
            acceptedModifiers: Qt.ControlModifier
            onWheel: event => stage.zoomBy(Math.pow(1.0015, event.angleDelta.y), point.position.x, point.position.y)
        }
        PinchHandler {
            target: null
            property real startZoom: 1.0

            onActiveChanged: startZoom = stage.zoom
            onActiveScaleChanged: stage.zoomBy(startZoom * activeScale / stage.zoom, centroid.position.x,
                                               centroid.position.y)
        }
    }

    Shortcut { sequences: ["Ctrl+Alt++", "Ctrl+Alt+="]; onActivated: stage.zoomIn() }
    Shortcut { sequence: "Ctrl+Alt+-"; onActivated: stage.zoomOut() }
    Shortcut { sequence: "Ctrl+Alt+0"; onActivated: stage.fit() }
}
