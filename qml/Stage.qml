import QtQuick
import QtQuick.Controls
import MmtutorApp

// The memory stage: processes side by side with their page tables on top,
// physical memory below them, then the swap device, device memory and the
// references held by others; arrows from entries to what they refer to.
Flickable {
    id: stage

    readonly property int sectionWidth: Math.max(width - 2 * Theme.spacingLarge, Theme.cardWidth)

    contentWidth: Math.max(width, content.implicitWidth + 2 * Theme.spacingLarge)
    contentHeight: content.implicitHeight + 2 * Theme.spacingLarge
    clip: true
    boundsBehavior: Flickable.StopAtBounds

    ScrollBar.vertical: ScrollBar {}
    ScrollBar.horizontal: ScrollBar {}

    Column {
        id: content

        x: Theme.spacingLarge
        y: Theme.spacingLarge
        spacing: Theme.spacingLarge

        Row {
            spacing: Theme.spacingHuge

            Repeater {
                model: Session.processes

                ProcessColumn {}
            }
        }

        SectionTitle {
            text: "Physical memory"
            note: pageCards.count + (pageCards.count === 1 ? " folio" : " folios")
        }
        Flow {
            width: stage.sectionWidth
            spacing: Theme.spacing

            move: Transition {
                enabled: !Theme.reduceMotion
                NumberAnimation { properties: "x,y"; duration: Theme.durationShort }
            }

            Repeater {
                id: pageCards

                model: Session.pages

                PageCard {}
            }
        }

        Row {
            spacing: Theme.spacingHuge

            Column {
                spacing: Theme.spacing

                SectionTitle {
                    text: "Swap"
                    note: swapCards.count === 0 ? "no slot in use" : ""
                }
                Flow {
                    width: Math.max(Theme.cardWidth, Math.min(swapCards.count, 3) * (Theme.cardWidth + Theme.spacing))
                    spacing: Theme.spacing

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
                    width: Math.max(Theme.cardWidth, Math.min(deviceCards.count, 3) * (Theme.cardWidth + Theme.spacing))
                    spacing: Theme.spacing

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
    }

    ArrowLayer {
        id: arrowLayer

        width: stage.contentWidth
        height: stage.contentHeight

        Component.onCompleted: {
            Session.positionChanged.connect(schedule);
            Session.scenarioChanged.connect(schedule);
            Theme.modeChanged.connect(schedule);
            Theme.zoomChanged.connect(schedule);
        }
    }
}
