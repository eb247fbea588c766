import QtQuick
import QtQuick.Controls
import QtTest
import Mmtutor
import MmtutorApp

// The race strip: a race block's steps as chips in two CPU lanes, a click
// moves the history, and the explorer's buttons open the breaking order.
Item {
    id: root

    width: 1280
    height: 240

    RaceExplorer {
        id: explorer

        session: Session
    }
    RaceLanes {
        id: lanes

        width: root.width
        explorer: explorer
    }

    TestCase {
        name: "RaceLanes"
        when: windowShown

        function findAll(item, predicate, found) {
            if (predicate(item))
                found.push(item);
            for (let i = 0; i < item.children.length; ++i)
                findAll(item.children[i], predicate, found);
            return found;
        }
        function chips() {
            return findAll(lanes, item => item.objectName === "chip", []);
        }
        function button(text) {
            return findAll(lanes, item => item instanceof Button && item.text === text, [])[0];
        }

        function init() {
            verify(Session.openFile(scenariosDir + "/race_iii_swapout_flush_off.c.mmt"));
            waitForItemPolished(lanes);
        }

        function test_eachStepIsAChipInItsCpusLane() {
            verify(lanes.visible);
            const all = chips();
            verify(all.length > 10);
            const cpu0 = all.filter(chip => chip.y < lanes.laneHeight);
            const cpu1 = all.filter(chip => chip.y >= lanes.laneHeight);
            verify(cpu0.length > 0);
            verify(cpu1.length > 0);
            // GUP-fast's steps B1 to B5 are on cpu1, in order.
            const labels = cpu1.map(chip => chip.children[0].text.replace("\u26a0 ", ""));
            verify(labels.indexOf("B1") >= 0);
            verify(labels.indexOf("B1") < labels.indexOf("B5"));
        }

        function test_clickingAChipMovesTheHistory() {
            Session.home();
            const chip = chips()[3];
            mouseClick(chip);
            compare(Session.stepIndex, chip.parent.step);
        }

        function test_explorerOpensTheBreakingOrder() {
            const explore = button("Explore interleavings");
            verify(explore.enabled);
            mouseClick(explore);
            compare(explorer.breaking, 157);
            const open = button("Open breaking one");
            verify(open.visible);
            mouseClick(open);
            compare(Session.fileName, "race_iii_swapout_flush_off.c-breaking.mmt");
            // The stage stands on the breach: a chip marked with the warning sign is current.
            tryVerify(() => chips().some(chip => chip.children[0].text.startsWith("\u26a0") && chip.border.width > 2));
        }

        function test_noRaceBlockNoStrip() {
            verify(Session.openFile(scenariosDir + "/cow_in_parent_base.mmt"));
            verify(!lanes.visible);
            verify(!explorer.available);
        }
    }
}
