import QtQuick
import QtQuick.Controls
import MmtutorApp

// Every field of the selected page, entry or holder, and its history: the
// steps so far whose changes touched it, each a link to that step.
Rectangle {
    id: panel

    // The selected delegate, untyped: a PageCard, EntryItem or HolderCard.
    readonly property var target: Inspection.target
    readonly property string kind: Inspection.kind
    readonly property string title: {
        if (!target)
            return "";
        if (kind === "entry")
            return (target.level === EntryModel.Pmd ? "PMD entry " : "Page table entry ") + target.address;
        if (kind === "holder")
            return "Holder " + target.name;
        return target.name;
    }
    readonly property var fields: {
        const t = target;
        if (!t)
            return [];
        const yesNo = value => value ? "yes" : "no";
        if (kind === "page")
            return [["pfn", t.pfn], ["pages", t.pageCount], ["refcount", t.refcount], ["mapcount", t.mapcount],
                ["compound_mapcount", t.entireMapcount], ["pincount", t.pincount], ["temporary refs", t.inFlight],
                ["maybe DMA-pinned", yesNo(t.maybePinned)], ["PG_anon_exclusive", yesNo(t.anonExclusive)],
                ["zero page", yesNo(t.zero)], ["device private", yesNo(t.device)],
                ["swap cache", yesNo(t.swapCache)], ["KSM", yesNo(t.ksm)],
                ["other flags", t.flags.length > 0 ? t.flags.join(", ") : "none"],
                ["contents", t.contents === "" ? "zeroes" : "\u201c" + t.contents + "\u201d"],
                ["swap slot", t.swapSlot > 0 ? t.swapSlot : "none"],
                ["mapping / index", t.owner === "" ? "none" : t.owner]];
        if (kind === "entry")
            return [["level", t.level === EntryModel.Pmd ? "PMD" : "PTE"], ["address", t.address],
                ["kind", t.kindText], ["bits", t.bits === "" ? "none" : t.bits],
                ["target", t.target === "" ? "none" : t.target], ["pages covered", t.pageCount]];
        return [["kind", t.kind === "pin" ? "pin (FOLL_PIN)" : "reference (FOLL_GET)"], ["write", yesNo(t.write)],
            ["long-term", yesNo(t.longterm)], ["fast (GUP-fast)", yesNo(t.fast)], ["address", t.address],
            ["process exited", yesNo(t.processExited)], ["page", t.page === "" ? "none" : t.page],
            ["released", yesNo(t.released)],
            ["detached", yesNo(t.detached)]];
    }
    // Recomputed at every step (stepIndex is read for the dependency).
    readonly property var history: {
        const t = target;
        if (!t || Session.stepIndex < 0)
            return [];
        if (kind === "page")
            return Session.pageHistory(t.pfn);
        if (kind === "entry")
            return Session.entryHistory(t.vma, t.firstIndex, t.level);
        return Session.holderHistory(t.holderId);
    }

    color: Theme.surface
    border.color: Theme.border
    border.width: Theme.borderWidth

    ScrollView {
        id: scroll

        anchors.fill: parent
        anchors.margins: Theme.spacing
        contentWidth: availableWidth
        clip: true
        // Shown whenever there is more than fits: text cut off at the bottom
        // must not look like the end.
        ScrollBar.vertical.policy: contentHeight > availableHeight ? ScrollBar.AlwaysOn : ScrollBar.AsNeeded
        // ... and the text keeps clear of it.
        rightPadding: ScrollBar.vertical.policy === ScrollBar.AlwaysOn ? ScrollBar.vertical.width : 0

        Column {
            width: scroll.availableWidth
            spacing: Theme.spacingSmall

            Item {
                width: parent.width
                height: Math.max(titleLabel.implicitHeight, closeButton.implicitHeight)

                Label {
                    id: titleLabel

                    anchors.left: parent.left
                    anchors.right: closeButton.left
                    anchors.verticalCenter: parent.verticalCenter
                    text: panel.title
                    elide: Text.ElideRight
                    color: Theme.text
                    font.pixelSize: Theme.fontSizeBody
                    font.bold: true
                }
                ToolButton {
                    id: closeButton

                    anchors.right: parent.right
                    anchors.verticalCenter: parent.verticalCenter
                    text: "\u2715"
                    Accessible.name: "Close the inspector"
                    onClicked: Inspection.clear()
                }
            }
            Repeater {
                model: panel.fields

                Row {
                    id: fieldRow

                    required property var modelData

                    width: parent.width
                    spacing: Theme.spacing

                    Label {
                        width: fieldRow.width * 0.42
                        text: fieldRow.modelData[0]
                        elide: Text.ElideRight
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontSizeSmall
                    }
                    Label {
                        width: fieldRow.width * 0.58 - fieldRow.spacing
                        text: String(fieldRow.modelData[1])
                        wrapMode: Text.Wrap
                        color: Theme.text
                        font.family: Theme.monospaceFamily
                        font.pixelSize: Theme.fontSizeSmall
                    }
                }
            }
            Label {
                width: parent.width
                topPadding: Theme.spacingSmall
                text: panel.history.length === 0 ? "History: untouched so far"
                    : "History: " + panel.history.length + (panel.history.length === 1 ? " change" : " changes")
                    + " so far (click to go there)"
                wrapMode: Text.Wrap
                color: Theme.textMuted
                font.pixelSize: Theme.fontSizeSmall
                font.bold: true
            }
            Repeater {
                model: panel.history

                Label {
                    id: historyRow

                    required property var modelData

                    width: parent.width
                    text: "step " + modelData.step + "  " + modelData.function + ": " + modelData.change
                    wrapMode: Text.Wrap
                    color: modelData.step === Session.stepIndex ? Theme.text : Theme.accent
                    font.pixelSize: Theme.fontSizeSmall
                    font.bold: modelData.step === Session.stepIndex
                    font.underline: hover.hovered

                    HoverHandler {
                        id: hover
                    }
                    TapHandler {
                        onTapped: Session.seek(historyRow.modelData.step)
                    }
                }
            }
        }
    }
}
