import QtQuick
import QtQuick.Controls
import QtTest
import Mmtutor
import MmtutorApp

// The lesson panel: one button leads on (start, run, show the result, next
// step), checkpoints take an answer before the command runs, close ends it.
Item {
    id: root

    width: 480
    height: 900

    LessonPlayer {
        id: player

        session: Session
    }
    LessonPanel {
        id: panel

        anchors.fill: parent
        player: player
    }

    TestCase {
        name: "LessonPanel"
        when: windowShown

        function findAll(item, predicate, found) {
            if (predicate(item))
                found.push(item);
            for (let i = 0; i < item.children.length; ++i)
                findAll(item.children[i], predicate, found);
            return found;
        }
        function byName(name) {
            return findAll(panel, item => item.objectName === name, []);
        }

        function init() {
            verify(player.loadFile(lessonsDir + "/02-fork-and-cow.lesson"));
            waitForItemPolished(panel);
        }

        function test_theNextButtonWalksAStep() {
            const next = byName("lessonNext")[0];
            compare(next.text, "Start \u203a");
            mouseClick(next);
            compare(player.phase, "predict");
            compare(player.stepIndex, 0);
            // Step 1 (write P buf[0] "v1") has no question: run it at once.
            compare(next.text, "Run \u25b6");
            mouseClick(next);
            compare(player.phase, "running");
            compare(next.text, "Result \u21e5");
            mouseClick(next);
            compare(player.phase, "revealed");
            compare(Session.commandIndex, 2);
            compare(next.text, "Next \u203a");
            mouseClick(next);
            compare(player.stepIndex, 1);
        }

        function test_aCheckpointTakesAnAnswer() {
            player.start(1); // fork P C, three questions
            waitForItemPolished(panel);
            const next = byName("lessonNext")[0];
            compare(next.text, "Run anyway \u25b6");
            const choices = byName("choice");
            compare(choices.length, 7); // same-page: 2, pte: 3, exclusive: 2
            mouseClick(choices[1]); // "yes": the pages are shared
            compare(player.checkpoints[0].chosen, 1);
        }

        function test_closingEndsTheLesson() {
            const close = findAll(panel, item => item instanceof ToolButton && item.text === "\u2715", [])[0];
            mouseClick(close);
            verify(!player.active);
        }
    }
}
