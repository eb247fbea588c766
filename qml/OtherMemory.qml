import QtQuick
import MmtutorApp

// The stage's bottom row: swap slots, device memory and the references held
// by others, each a small flow of cards.
Row {
    spacing: Theme.spacingHuge

    Column {
        spacing: Theme.spacing

        SectionTitle {
            text: "Swap"
            note: swapCards.count === 0 ? "no slot in use" : ""
        }
        Flow {
            id: swapFlow

            width: Math.max(Theme.cardWidth, Math.min(swapCards.count, 3) * (Theme.cardWidth + Theme.spacing))
            spacing: Theme.spacing

            Component.onCompleted: Arrows.setTarget("section:swap", swapFlow)
            Component.onDestruction: Arrows.removeTarget("section:swap", swapFlow)

            Repeater {
                id: swapCards

                model: Session.swapSlots

                SwapCard {}
            }
        }
    }
    Column {
        spacing: Theme.spacing

        SectionTitle {
            text: "Device memory"
            note: deviceCards.count === 0 ? "empty" : ""
        }
        Flow {
            id: deviceFlow

            width: Math.max(Theme.cardWidth, Math.min(deviceCards.count, 3) * (Theme.cardWidth + Theme.spacing))
            spacing: Theme.spacing

            Component.onCompleted: Arrows.setTarget("section:device", deviceFlow)
            Component.onDestruction: Arrows.removeTarget("section:device", deviceFlow)

            Repeater {
                id: deviceCards

                model: Session.devicePages

                PageCard {}
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
