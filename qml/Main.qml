import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import MmtutorApp

// The main window: the toolbar, the memory stage beside the narration of the
// current kernel step, and the timeline. Every key binding lives here.
ApplicationWindow {
    id: window

    // --theme from the command line (and tests); empty keeps Theme's default.
    property string theme: ""
    // The text scale Ctrl +/- set, readable from outside (tests).
    readonly property real zoom: Theme.zoom

    width: 1280
    height: 720
    visible: true
    title: Session.fileName === "" ? "mmtutor" : "mmtutor \u2014 " + Session.fileName.split("/").pop()
    color: Theme.background
    font.pixelSize: Theme.fontSizeBody

    palette.window: Theme.background
    palette.windowText: Theme.text
    palette.base: Theme.surface
    palette.alternateBase: Theme.surfaceSunken
    palette.text: Theme.text
    palette.button: Theme.surfaceSunken
    palette.buttonText: Theme.text
    palette.highlight: Theme.accent
    palette.highlightedText: Theme.textOnAccent
    palette.mid: Theme.border
    palette.dark: Theme.textMuted
    palette.light: Theme.surface
    palette.toolTipBase: Theme.surface
    palette.toolTipText: Theme.text

    // Keeps the open scenario in the user database (My scenarios, in the
    // catalog). A name already there is replaced only when the user says so.
    function saveScenario(replace) {
        if (!Session.loaded)
            return;
        // A lesson's scenario is kept as a scenario of its own.
        const name = Session.fileName.split("/").pop().replace(/\.lesson$/, ".mmt");
        if (!replace && Library.hasScenario(name)) {
            replaceScenario.name = name;
            replaceScenario.open();
            return;
        }
        if (Library.saveScenario(name, Session.sourceText))
            toast.show("Kept in My scenarios as " + name, 3000);
        else
            toast.show("Not saved: " + Library.lastError, 6000);
    }

    // The text scale (Ctrl +/-), kept for the next start.
    function setTextScale(scale) {
        scaleChosen = true;
        Theme.zoom = Math.round(Math.max(0.6, Math.min(2.0, scale)) * 10) / 10;
        Library.setSetting("uiScale", Theme.zoom);
    }
    // Until the user picks a scale, it follows the window: the layout is
    // made for 1280x720, and a full-HD window (a projector, a big screen)
    // would otherwise show the same small cards in a corner of empty space.
    property bool scaleChosen: false
    function resetTextScale() {
        scaleChosen = false;
        Theme.zoom = fittingScale;
        Library.setSetting("uiScale", "auto");
    }
    readonly property real fittingScale: Math.round(Math.max(1.0, Math.min(1.4, height / 760)) * 10) / 10
    onFittingScaleChanged: if (!scaleChosen) Theme.zoom = fittingScale

    Component.onCompleted: {
        // What the user chose last time; a --theme on the command line wins.
        const savedTheme = Library.setting("theme");
        if (theme === "" && ["light", "dark", "contrast"].indexOf(savedTheme) >= 0)
            Theme.mode = savedTheme;
        if (typeof Library.setting("reduceMotion") === "boolean")
            Theme.reduceMotion = Library.setting("reduceMotion");
        const scale = Library.setting("uiScale");
        if (typeof scale === "number" && scale >= 0.6 && scale <= 2.0) {
            scaleChosen = true;
            Theme.zoom = scale;
        } else {
            Theme.zoom = fittingScale;
        }
        const speed = Library.setting("speed");
        if (typeof speed === "number" && speed >= 1 && speed <= 20)
            Session.speed = speed;
        if (theme !== "")
            Theme.mode = theme;
        // Saved progress that could not be read is set aside; say so once.
        if (Library.startupMessage !== "")
            startupNotice.open();
    }
    onThemeChanged: Theme.mode = theme

    // The lesson catalog is shown over the stage until a lesson is opened.
    property bool showLessons: false
    // False for a --screenshot run: rendering a lesson step must not move the
    // student's place in it.
    property bool keepsProgress: true

    function openLesson(lessonId, step) {
        if (!lessonPlayer.load(lessonId, Library.lessonSource(lessonId))) {
            lessonError.text = lessonPlayer.errors.join("\n");
            lessonError.open();
            return;
        }
        // A lesson not begun (or left on its first step) opens on its introduction.
        lessonPlayer.start(step > 0 ? Math.min(step, lessonPlayer.stepCount) : -1);
        showLessons = false;
    }

    header: AppToolBar {
        onOpenRequested: openDialog.open()
        onHelpRequested: helpOverlay.open()
        onLessonsRequested: window.showLessons = !window.showLessons
    }
    // A race block's two CPUs as lanes above the history slider.
    footer: Column {
        RaceLanes {
            width: parent.width
            explorer: raceExplorer
        }
        Timeline {
            width: parent.width
            // Nothing to step through before a scenario or lesson is open.
            visible: Session.loaded
            zoomTarget: stage
        }
    }

    // The guided lesson on the stage (also opened by --lesson from main.cpp).
    LessonPlayer {
        id: lessonPlayer

        objectName: "lessonPlayer"
        session: Session
        // The store keeps where the student is and what they answered.
        onProgressed: (lessonId, step) => {
            if (window.keepsProgress)
                Library.setProgress(lessonId, step);
        }
        onAnswered: (lessonId, key, choice, correct) => {
            if (window.keepsProgress)
                Library.recordAnswer(lessonId, key, choice, correct);
        }
        onCompleted: lessonId => {
            if (window.keepsProgress)
                Library.markComplete(lessonId);
        }
    }

    // The stage outlines what the lesson step points at.
    Binding {
        target: Spotlight
        property: "targets"
        value: lessonPlayer.active ? lessonPlayer.highlights : []
    }

    // The interleaving explorer (also driven by --explore from main.cpp).
    RaceExplorer {
        id: raceExplorer

        objectName: "raceExplorer"
        session: Session
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0

        Item {
            Layout.fillWidth: true
            Layout.fillHeight: true

            Stage {
                id: stage

                anchors.fill: parent
                visible: Session.loaded
            }
            WelcomePanel {
                anchors.fill: parent
                visible: !Session.loaded
                onLessonsRequested: window.showLessons = true
            }
            LessonBrowser {
                anchors.fill: parent
                visible: window.showLessons
                onOpenLesson: (lessonId, step) => window.openLesson(lessonId, step)
                onScenarioOpened: window.showLessons = false
            }
        }
        ColumnLayout {
            // A lesson needs room for its text and questions.
            readonly property int columnWidth: lessonPlayer.active ? Math.round(Theme.narrationWidth * 1.35)
                                                                   : Theme.narrationWidth

            Layout.preferredWidth: columnWidth
            Layout.maximumWidth: columnWidth
            Layout.fillHeight: true
            visible: Session.loaded && !window.showLessons
            spacing: 0

            // In a lesson, the lesson takes the room and the kernel step's
            // narration a share below it: a small one while the student
            // predicts (the step has not run; its questions need the room),
            // more once the step has run and its kernel steps are the point.
            LessonPanel {
                Layout.fillWidth: true
                Layout.fillHeight: true
                visible: lessonPlayer.active
                player: lessonPlayer
            }
            NarrationPanel {
                readonly property real lessonShare: lessonPlayer.phase === "running"
                                                    || lessonPlayer.phase === "revealed" ? 0.24 : 0.16

                Layout.fillWidth: true
                Layout.fillHeight: !lessonPlayer.active
                Layout.preferredHeight: lessonPlayer.active ? Math.round(window.height * lessonShare) : -1
                Layout.minimumHeight: lessonPlayer.active ? Math.round(window.height * lessonShare) : 0
            }
            // Shown once something on the stage is clicked; Escape closes it.
            InspectorPanel {
                Layout.fillWidth: true
                Layout.preferredHeight: parent.height * 0.5
                visible: Inspection.target !== null
            }
        }
    }

    // Dropping a .mmt file anywhere on the window opens it; parse errors show
    // in the welcome panel, one per line, as file:line:column.
    DropArea {
        id: fileDrop

        anchors.fill: parent
        keys: ["text/uri-list"]
        onDropped: drop => {
            if (drop.hasUrls && drop.urls.length > 0) {
                Inspection.clear();
                Session.openUrl(drop.urls[0]);
                drop.acceptProposedAction();
            }
        }

        Rectangle {
            anchors.fill: parent
            anchors.margins: Theme.spacing
            visible: fileDrop.containsDrag
            color: "transparent"
            radius: Theme.radius
            border.color: Theme.accent
            border.width: Theme.strongBorderWidth + 2

            Label {
                anchors.centerIn: parent
                padding: Theme.spacing
                text: "Drop to open this scenario"
                color: Theme.textOnAccent
                font.pixelSize: Theme.fontSizeTitle
                background: Rectangle {
                    color: Theme.accent
                    radius: Theme.radius
                }
            }
        }
    }
    FileDialog {
        id: openDialog

        objectName: "openDialog"

        title: "Open a scenario"
        nameFilters: ["Scenarios (*.mmt)", "All files (*)"]
        onAccepted: Session.openUrl(selectedFile)
    }
    HelpOverlay {
        id: helpOverlay

        anchors.centerIn: parent
    }
    Dialog {
        id: replaceScenario

        property string name: ""

        objectName: "replaceScenario"

        anchors.centerIn: parent
        width: Math.min(window.width * 0.8, Theme.narrationWidth * 2)
        title: "Replace " + name + "?"
        standardButtons: Dialog.Yes | Dialog.Cancel
        modal: true
        onAccepted: window.saveScenario(true)

        Label {
            width: parent.width
            text: "My scenarios already has a scenario named " + replaceScenario.name + ". Replace it with this one?"
            wrapMode: Text.Wrap
        }
    }
    ToolTip {
        id: toast

        x: (window.width - width) / 2
        y: window.height - height - Theme.spacingHuge * 3
    }
    Dialog {
        id: startupNotice

        anchors.centerIn: parent
        width: Math.min(window.width * 0.8, Theme.narrationWidth * 2.5)
        title: "About your saved progress"
        standardButtons: Dialog.Ok
        modal: true

        Label {
            width: parent.width
            text: Library.startupMessage
            wrapMode: Text.Wrap
        }
    }
    Dialog {
        id: lessonError

        property alias text: lessonErrorText.text

        anchors.centerIn: parent
        width: Math.min(window.width * 0.8, Theme.narrationWidth * 2.5)
        title: "This lesson cannot be opened"
        standardButtons: Dialog.Close
        modal: true

        Label {
            id: lessonErrorText

            width: parent.width
            wrapMode: Text.Wrap
            font.family: Theme.monospaceFamily
            font.pixelSize: Theme.fontSizeSmall
        }
    }

    Shortcut { sequence: "Space"; onActivated: Session.togglePlay() }
    Shortcut { sequence: "Right"; onActivated: Session.stepForward() }
    Shortcut { sequence: "Left"; onActivated: Session.stepBack() }
    Shortcut { sequence: "Shift+Right"; onActivated: Session.nextCommand() }
    Shortcut { sequence: "Shift+Left"; onActivated: Session.previousCommand() }
    Shortcut { sequence: "Home"; onActivated: Session.home() }
    Shortcut { sequence: "End"; onActivated: Session.end() }
    Shortcut { sequences: ["?", "F1"]; onActivated: helpOverlay.visible ? helpOverlay.close() : helpOverlay.open() }
    Shortcut { sequence: "Ctrl+O"; onActivated: openDialog.open() }
    Shortcut { sequences: ["Return", "Enter"]; enabled: lessonPlayer.active; onActivated: lessonPlayer.next() }
    Shortcut { sequence: "Backspace"; enabled: lessonPlayer.active; onActivated: lessonPlayer.back() }
    Shortcut { sequence: "Escape"; onActivated: window.showLessons ? window.showLessons = false : Inspection.clear() }
    Shortcut { sequence: "Ctrl+L"; onActivated: window.showLessons = !window.showLessons }
    Shortcut { sequence: "Ctrl+S"; enabled: Session.loaded; onActivated: window.saveScenario(false) }
    Shortcut { sequences: ["Ctrl++", "Ctrl+="]; onActivated: window.setTextScale(Theme.zoom + 0.1) }
    Shortcut { sequence: "Ctrl+-"; onActivated: window.setTextScale(Theme.zoom - 0.1) }
    // Normal size: the UI scale (back to following the window) and the stage's zoom.
    Shortcut {
        sequence: "Ctrl+0"
        onActivated: {
            window.resetTextScale();
            stage.resetZoom();
        }
    }
}
