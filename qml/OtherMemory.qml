import QtQuick
import MmtutorApp

// The stage's bottom row: swap slots and device memory, each a grid that
// makes cards only for what is in sight, and the references held by others,
// a flow of cards (holders are few). A section that does not fit beside the
// others goes below them (the stage sets the width).
Flow {
    spacing: Theme.spacingHuge

    Column {
        spacing: Theme.spacing

        SectionTitle {
            text: "Swap"
            note: swapCards.count === 0 ? "no slot in use" : ""
        }
        CardGrid {
            id: swapCards

            objectName: "swapGrid"
            sectionKey: "section:swap"
            cardHeight: Math.round(96 * Theme.zoom)
            model: Session.swapSlots

            delegate: SwapCard {
                width: GridView.view.cellWidth - Theme.spacing
                height: GridView.view.cellHeight - Theme.spacing
                clip: true
                clipView: GridView.view

                onImplicitHeightChanged: if (GridView.view) GridView.view.fitCard(this)
                Component.onCompleted: if (GridView.view) GridView.view.fitCard(this)
            }
        }
    }
    Column {
        spacing: Theme.spacing

        SectionTitle {
            text: "Device memory"
            note: deviceCards.count === 0 ? "empty" : ""
        }
        CardGrid {
            id: deviceCards

            objectName: "deviceGrid"
            sectionKey: "section:device"
            cardHeight: Math.round(156 * Theme.zoom)
            model: Session.devicePages

            delegate: PageCard {
                width: GridView.view.cellWidth - Theme.spacing
                height: GridView.view.cellHeight - Theme.spacing
                clip: true
                clipView: GridView.view

                onImplicitHeightChanged: if (GridView.view) GridView.view.fitCard(this)
                Component.onCompleted: if (GridView.view) GridView.view.fitCard(this)
            }
        }
    }
    Column {
        spacing: Theme.spacing

        SectionTitle {
            text: "Held by others"
            note: holderCards.count === 0 ? "no pin or reference" : ""
        }
        Flow {
            width: Math.max(Theme.cardWidth, Math.min(holderCards.count, 3) * (Theme.cardWidth + Theme.spacing))
            spacing: Theme.spacing

            Repeater {
                id: holderCards

                model: Session.holders

                HolderCard {}
            }
        }
    }
}
