import QtQuick
import QtQuick.Controls
import QtTest
import Mmtutor
import MmtutorApp

// The race strip: a race block's steps as chips in two CPU lanes, a click
// moves the history, and the explorer's buttons open the breaking order; the
// probe's finding (a pin a later write corrupts) shows under the lanes.
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

        function byName(name) {
            return findAll(lanes, item => item.objectName === name, [])[0];
        }

        function init() {
            verify(Session.openFile(scenariosDir + "/race_iii_swapout_flush_off.c.mmt"));
            waitForItemPolished(lanes);
        }
        // The era is the session's (a singleton): back to the files' own, and
        // let the lanes finish the chips that re-run asks for (they are made
        // between frames) before init's file replaces them.
        function cleanup() {
            if (Session.era === "c")
                return;
            Session.era = "c";
            waitForItemPolished(lanes);
            wait(50);
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

        function test_probeFindingShowsThePinALaterWriteCorrupts() {
            verify(Session.openFile(racesDir + "/r01_race3_b.mmt"));
            Session.era = "b";
            const finding = byName("probeSummary");
            verify(!finding.visible);
            mouseClick(button("Explore interleavings"));
            compare(explorer.breaking, 0);
            compare(explorer.incoherent, 15);
            // Nothing breaks an invariant of era b, but the pin does not survive P's next access.
            verify(!button("Open breaking one").visible);
            verify(finding.visible);
            verify(finding.text.indexOf("15 of 105 interleavings leave a pin incoherent after a later write") >= 0);
            verify(finding.text.indexOf("order 0 1 1 1 1 0 0 0 0 1 0") >= 0);
            const sentence = byName("probeSentence");
            verify(sentence.text.startsWith("Then P reads buf[0], then writes it, and the pin coherence check fails: H holds page #"));
            verify(byName("probeWhere").text.indexOf("do_wp_page") >= 0);
            // The strip grows to show it whole: every line inside it, none over another.
            waitForItemPolished(lanes);
            const bottom = sentence.mapToItem(lanes, 0, sentence.height).y;
            verify(bottom <= lanes.height);
            verify(sentence.mapToItem(lanes, 0, 0).y >= finding.mapToItem(lanes, 0, finding.height).y);

            const open = button("Open incoherent one");
            verify(open.visible);
            mouseClick(open);
            compare(Session.fileName, "r01_race3_b-incoherent.mmt");
            compare(Session.era, "b");
            compare(Session.failedExpectations.length, 1);
            // The finding stays shown beside the interleaving it opened.
            verify(byName("probeSummary").visible);
        }

        function test_probeFindsNothingInEraC() {
            verify(Session.openFile(racesDir + "/r01_race3_b.mmt"));
            waitForItemPolished(lanes);
            mouseClick(button("Explore interleavings"));
            compare(explorer.incoherent, 0);
            verify(!byName("probeSummary").visible);
            verify(!button("Open incoherent one").visible);
            verify(!button("Open breaking one").visible);
            const summary = findAll(lanes, item => item instanceof Label && item.text === explorer.summary, [])[0];
            verify(summary.visible);
            verify(summary.text.indexOf("all 102 interleavings") >= 0);
            verify(summary.text.indexOf("every pin stays coherent after a later write") >= 0);
        }

        function test_noRaceBlockNoStrip() {
            verify(Session.openFile(scenariosDir + "/cow_in_parent_base.mmt"));
            verify(!lanes.visible);
            verify(!explorer.available);
        }
    }
}
