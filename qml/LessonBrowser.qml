pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import MmtutorApp

// The lesson catalog: a card per lesson (bundled first, then the user's) with
// its level, length and the user's progress, and what can be done with it:
// open or resume, reset, mark complete, choose for export. Importing a pack
// asks, when an id exists already, whether to keep both or replace.
// The browser only emits openLesson; the window decides what opening means.
Rectangle {
    id: browser

    // Ids ticked for export.
    property var chosen: ({})
    readonly property int chosenCount: Object.keys(chosen).length
    // The pack being imported while the conflict question is open.
    property string pendingPack: ""

    signal openLesson(string lessonId, int step)
    // A scenario the user kept (My scenarios) was opened on the stage.
    signal scenarioOpened

    function toggleChosen(lessonId) {
        const next = Object.assign({}, chosen);
        if (next[lessonId])
            delete next[lessonId];
        else
            next[lessonId] = true;
        chosen = next;
    }

    function startImport(url) {
        const inspection = Library.inspectPack(url);
        if (!inspection.ok) {
            status.show(inspection["error"], true);
            return;
        }
        const conflicts = inspection["lessons"].filter(l => l.conflict !== "");
        if (conflicts.length === 0) {
            finishImport(url, {});
            return;
        }
        pendingPack = url;
        conflictDialog.conflicts = conflicts;
        conflictDialog.choices = {};
        conflictDialog.open();
    }

    function finishImport(url, resolutions) {
        const result = Library.importPack(url, resolutions);
        const ok = result.ok;
        status.show(ok ? "Imported " + result["imported"].join(", ") + "." : result["error"], !ok);
    }

    // Each of the user's clashing lessons as chosen in the dialog (keep both
    // unless "replace" was picked); bundled ones are always kept both.
    function resolveEach(choices) {
        const resolutions = {};
        for (const lesson of conflictDialog.conflicts)
            resolutions[lesson.id] = lesson.conflict === "user" && choices[lesson.id] === "replace" ? "replace"
                                                                                                : "keep-both";
        finishImport(pendingPack, resolutions);
        pendingPack = "";
    }

    // "replace" replaces the user's lessons only: bundled ones are kept both.
    function resolveAll(how) {
        const resolutions = {};
        for (const lesson of conflictDialog.conflicts)
            resolutions[lesson.id] = lesson.conflict === "bundled" ? "keep-both" : how;
        finishImport(pendingPack, resolutions);
        pendingPack = "";
    }

    color: Theme.background

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingLarge
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.spacing

            Label {
                text: "Lessons"
                color: Theme.text
                font.pixelSize: Theme.fontSizeHeading
                font.bold: true
            }
            Label {
                text: lessonList.count + " lessons"
                color: Theme.textMuted
                font.pixelSize: Theme.fontSizeBody
            }
            Item {
                Layout.fillWidth: true
            }
            // The scenarios the user kept with "Save to My scenarios" (Ctrl+S).
            Button {
                id: myScenarios

                text: "My scenarios \u25be"
                onClicked: scenarioMenu.popup(myScenarios, 0, myScenarios.height)

                Menu {
                    id: scenarioMenu

                    property var saved: []

                    onAboutToShow: saved = Library.scenarios()

                    Instantiator {
                        model: scenarioMenu.saved
                        delegate: MenuItem {
                            required property var modelData

                            text: modelData.name
                            // The stage shows it, or the welcome panel its errors: either way the
                            // catalog makes way (a broken scenario's errors were hidden under it).
                            onTriggered: {
                                Session.openText(Library.scenarioText(modelData.name), modelData.name);
                                browser.scenarioOpened();
                            }
                        }
                        onObjectAdded: (index, object) => scenarioMenu.insertItem(index, object)
                        onObjectRemoved: (index, object) => scenarioMenu.removeItem(object)
                    }
                    MenuItem {
                        enabled: false
                        visible: scenarioMenu.saved.length === 0
                        height: visible ? implicitHeight : 0
                        text: "None yet: open a scenario and press Ctrl+S"
                    }
                }
            }
            Button {
                text: "Import pack\u2026"
                onClicked: importDialog.open()
            }
            Button {
                text: browser.chosenCount === 0 ? "Export\u2026" : "Export " + browser.chosenCount + "\u2026"
                enabled: browser.chosenCount > 0
                opacity: enabled ? 1 : 0.45
                ToolTip.visible: hovered
                ToolTip.text: "Tick lessons to put them in one pack file"
                onClicked: exportDialog.open()
            }
        }

        // What happened to the saved progress at start, and the last action.
        Label {
            Layout.fillWidth: true
            visible: Library.startupMessage !== ""
            text: Library.startupMessage
            wrapMode: Text.Wrap
            color: Theme.error
            font.pixelSize: Theme.fontSizeBody
            padding: Theme.spacing
            background: Rectangle {
                color: Theme.errorSurface
                border.color: Theme.error
                radius: Theme.radius
            }
        }
        Label {
            id: status

            property bool failed: false

            function show(message, isError) {
                text = message;
                failed = isError;
            }

            Layout.fillWidth: true
            visible: text !== ""
            wrapMode: Text.Wrap
            color: failed ? Theme.error : Theme.text
            font.pixelSize: Theme.fontSizeBody
            font.family: failed ? Theme.monospaceFamily : font.family
        }

        GridView {
            id: lessonList

            readonly property int columns: Math.max(1, Math.floor(width / (Theme.cardWidth * 2.4)))

            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: Library.catalog
            cellWidth: Math.floor(width / columns)
            cellHeight: Theme.baseUnit * 31
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar {
                policy: lessonList.contentHeight > lessonList.height ? ScrollBar.AlwaysOn : ScrollBar.AsNeeded
            }

            delegate: Item {
                id: cell

                required property string lessonId
                required property string title
                required property string summary
                required property string level
                required property int minutes
                required property int stepCount
                required property int checkpointCount
                required property real progress
                required property bool completed
                required property int currentStep
                required property string origin
                required property string status

                width: lessonList.cellWidth
                height: lessonList.cellHeight

                Rectangle {
                    anchors.fill: parent
                    anchors.margins: Theme.spacingSmall
                    color: Theme.surface
                    border.color: Theme.border
                    border.width: Theme.borderWidth
                    radius: Theme.radius

                    ColumnLayout {
                        anchors.fill: parent
                        anchors.margins: Theme.spacing
                        spacing: Theme.spacingSmall

                        RowLayout {
                            Layout.fillWidth: true
                            spacing: Theme.spacingSmall

                            CheckBox {
                                checked: browser.chosen[cell.lessonId] === true
                                onClicked: browser.toggleChosen(cell.lessonId)
                                ToolTip.visible: hovered
                                ToolTip.text: "Choose for export"
                                // The box has no text of its own: a screen reader says this.
                                Accessible.name: "Choose " + cell.title + " for export"
                            }
                            // Up to three lines before it is cut: a title says what the lesson is about.
                            Label {
                                Layout.fillWidth: true
                                text: cell.title
                                textFormat: Text.PlainText // lesson packs are untrusted: no markup, no remote images
                                wrapMode: Text.Wrap
                                maximumLineCount: 3
                                elide: Text.ElideRight
                                color: Theme.text
                                font.pixelSize: Theme.fontSizeTitle
                                font.bold: true
                            }
                            Label {
                                visible: cell.completed
                                text: "\u2713 done"
                                color: Theme.pageExclusive
                                font.pixelSize: Theme.fontSizeBody
                                font.bold: true
                            }
                        }
                        RowLayout {
                            spacing: Theme.spacingSmall

                            Badge {
                                text: cell.level
                                tone: cell.level === "beginner" ? Theme.pageExclusive
                                    : cell.level === "intermediate" ? Theme.pageShared : Theme.pagePinned
                            }
                            Badge {
                                visible: cell.origin === "user"
                                text: "yours"
                                tone: Theme.accent
                            }
                            Badge {
                                visible: cell.status === "draft"
                                text: "draft"
                            }
                            Label {
                                text: cell.minutes + " min \u00b7 " + cell.stepCount + " steps \u00b7 "
                                    + cell.checkpointCount + " questions"
                                color: Theme.textMuted
                                font.pixelSize: Theme.fontSizeSmall
                            }
                        }
                        Label {
                            Layout.fillWidth: true
                            Layout.fillHeight: true
                            text: cell.summary
                            textFormat: Text.PlainText // lesson packs are untrusted: no markup, no remote images
                            wrapMode: Text.Wrap
                            elide: Text.ElideRight
                            color: Theme.text
                            font.pixelSize: Theme.fontSizeBody
                        }
                        RowLayout {
                            Layout.fillWidth: true
                            spacing: Theme.spacing

                            // A thin bar, so that it does not read as a text field.
                            ProgressBar {
                                id: progressBar

                                Layout.fillWidth: true
                                from: 0
                                to: 1
                                value: cell.progress
                                background: Rectangle {
                                    implicitHeight: Math.max(4, Theme.spacingSmall)
                                    radius: height / 2
                                    color: Theme.surfaceSunken
                                    border.color: Theme.border
                                    border.width: Theme.borderWidth
                                }
                                contentItem: Item {
                                    implicitHeight: Math.max(4, Theme.spacingSmall)

                                    Rectangle {
                                        width: progressBar.visualPosition * parent.width
                                        height: parent.height
                                        radius: height / 2
                                        color: cell.completed ? Theme.pageExclusive : Theme.accent
                                    }
                                }
                            }
                            Label {
                                text: cell.completed ? "completed"
                                    : cell.progress > 0 ? "step " + (cell.currentStep + 1) + " of " + cell.stepCount
                                    : "not started"
                                color: Theme.textMuted
                                font.pixelSize: Theme.fontSizeSmall
                            }
                        }
                        RowLayout {
                            spacing: Theme.spacingSmall

                            Button {
                                readonly property bool resumes: cell.currentStep > 0 && !cell.completed

                                text: resumes ? "Resume" : "Open"
                                highlighted: true
                                onClicked: browser.openLesson(cell.lessonId, resumes ? cell.currentStep : 0)
                            }
                            Button {
                                text: "Reset"
                                enabled: cell.progress > 0 && Library.canSave
                                // The palette has no disabled group: say it with opacity.
                                opacity: enabled ? 1 : 0.45
                                onClicked: Library.reset(cell.lessonId)
                            }
                            Button {
                                text: "Mark complete"
                                // Nothing is saved this session when the store could not open (the banner says why).
                                enabled: !cell.completed && Library.canSave
                                opacity: enabled ? 1 : 0.45
                                onClicked: Library.markComplete(cell.lessonId)
                            }
                        }
                    }
                }
            }
        }
    }

    FileDialog {
        id: importDialog

        title: "Import a lesson pack"
        nameFilters: ["Lesson packs (*.mmtpack)", "All files (*)"]
        onAccepted: browser.startImport(String(selectedFile))
    }

    FileDialog {
        id: exportDialog

        title: "Export lessons to a pack"
        fileMode: FileDialog.SaveFile
        defaultSuffix: "mmtpack"
        nameFilters: ["Lesson packs (*.mmtpack)"]
        onAccepted: {
            const ids = Object.keys(browser.chosen);
            if (Library.exportPack(ids, String(selectedFile))) {
                status.show("Exported " + ids.length + (ids.length === 1 ? " lesson." : " lessons."), false);
                browser.chosen = {};
            } else {
                status.show(Library.lastError, true);
            }
        }
    }

    // Asked when the pack has ids that exist already. Replacing is offered
    // when at least one conflict is one of the user's lessons.
    Dialog {
        id: conflictDialog

        property var conflicts: []
        // The choice for each of the user's clashing lessons: id -> "keep-both" | "replace".
        property var choices: ({})
        readonly property bool anyBundled: conflicts.some(l => l.conflict === "bundled")
        readonly property bool anyUser: conflicts.some(l => l.conflict === "user")

        anchors.centerIn: parent
        width: Math.min(browser.width - 2 * Theme.spacingHuge, Theme.narrationWidth * 2)
        modal: true
        padding: Theme.spacingLarge
        title: "These lessons exist already"
        onRejected: browser.pendingPack = ""

        background: Rectangle {
            color: Theme.surface
            border.color: Theme.border
            border.width: Theme.borderWidth
            radius: Theme.radius
        }
        header: Label {
            text: conflictDialog.title
            textFormat: Text.PlainText // lesson packs are untrusted: no markup, no remote images
            padding: Theme.spacingLarge
            bottomPadding: 0
            color: Theme.text
            font.pixelSize: Theme.fontSizeTitle
            font.bold: true
        }

        ColumnLayout {
            anchors.fill: parent
            spacing: Theme.spacing

            // One row per clash: a bundled lesson is always kept both; for
            // one of the user's own, the user picks.
            Repeater {
                model: conflictDialog.conflicts

                RowLayout {
                    id: conflictRow

                    required property var modelData

                    Layout.fillWidth: true
                    spacing: Theme.spacing

                    Label {
                        Layout.fillWidth: true
                        text: "\u2022 " + conflictRow.modelData.title + " (" + conflictRow.modelData.id + ", "
                            + (conflictRow.modelData.conflict === "bundled" ? "bundled" : "yours") + ")"
                        textFormat: Text.PlainText // lesson packs are untrusted: no markup, no remote images
                        wrapMode: Text.Wrap
                        color: Theme.text
                    }
                    Label {
                        visible: conflictRow.modelData.conflict === "bundled"
                        text: "keep both"
                        color: Theme.textMuted
                    }
                    ComboBox {
                        visible: conflictRow.modelData.conflict === "user"
                        model: ["keep both", "replace"]
                        currentIndex: conflictDialog.choices[conflictRow.modelData.id] === "replace" ? 1 : 0
                        onActivated: index => {
                            const next = Object.assign({}, conflictDialog.choices);
                            next[conflictRow.modelData.id] = index === 1 ? "replace" : "keep-both";
                            conflictDialog.choices = next;
                        }
                    }
                }
            }
            Label {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                color: Theme.textMuted
                text: (conflictDialog.anyUser ? "Choose for each of your lessons, or keep both of every one. " : "")
                    + "Keep both imports them under new ids (such as "
                    + (conflictDialog.conflicts.length > 0 ? conflictDialog.conflicts[0].id : "id") + "-2)."
                    + (conflictDialog.anyUser ? " Replace puts the pack's text in place of your lessons (your progress stays)." : "")
                    + (conflictDialog.anyBundled ? " Bundled lessons are never replaced: they are always kept both." : "")
            }
            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.spacing

                Item {
                    Layout.fillWidth: true
                }

                Button {
                    text: "Cancel"
                    onClicked: conflictDialog.reject()
                }
                Button {
                    text: "Import as chosen"
                    visible: conflictDialog.anyUser
                    onClicked: {
                        conflictDialog.close();
                        browser.resolveEach(conflictDialog.choices);
                    }
                }
                Button {
                    text: "Keep both"
                    highlighted: true
                    onClicked: {
                        conflictDialog.close();
                        browser.resolveAll("keep-both");
                    }
                }
            }
        }
    }
}
