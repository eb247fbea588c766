import QtQuick
import QtTest
import Mmtutor

// A checkpoint before and after the reveal: choices are buttons first, then
// each says whether the engine agrees, with the lesson's explanation.
Item {
    id: root

    width: 500
    height: 400

    TestCase {
        id: test

        name: "CheckpointCard"
        when: windowShown

        Component {
            id: cardComponent

            CheckpointCard {
                width: 400
                number: 2
            }
        }
        SignalSpy {
            id: chosenSpy

            signalName: "chosen"
        }

        function predictPhase() {
            return {
                "question": "Will P get a new page?",
                "ask": "copies",
                "revealed": false,
                "chosen": -1,
                "choices": [{
                        "value": "no"
                    }, {
                        "value": "yes"
                    }]
            };
        }

        function choiceButtons(card) {
            const buttons = [];
            const visit = item => {
                if (item.objectName === "choice")
                    buttons.push(item);
                for (let i = 0; i < item.children.length; ++i)
                    visit(item.children[i]);
            };
            visit(card);
            return buttons;
        }

        function test_choicesWaitForAClick() {
            const card = createTemporaryObject(cardComponent, root, {
                    "checkpoint": predictPhase()
                });
            verify(card);
            waitForItemPolished(card);
            chosenSpy.target = card;
            chosenSpy.clear();
            const buttons = choiceButtons(card);
            compare(buttons.length, 2);
            compare(buttons[0].text, "\u25cb no");
            verify(buttons[1].enabled);
            mouseClick(buttons[1]);
            compare(chosenSpy.count, 1);
            compare(chosenSpy.signalArguments[0][0], 1);
        }

        function test_revealMarksEachChoice() {
            const revealed = {
                "question": "Will P get a new page?",
                "ask": "copies",
                "revealed": true,
                "chosen": 1,
                "engineValue": "no",
                "engineDetail": "P buf[0] maps page #514 before and page #514 after",
                "choices": [{
                        "value": "no",
                        "right": true,
                        "explanation": "The count is 1: reuse."
                    }, {
                        "value": "yes",
                        "right": false,
                        "explanation": "Nothing shares it."
                    }]
            };
            const card = createTemporaryObject(cardComponent, root, {
                    "checkpoint": revealed
                });
            waitForItemPolished(card);
            const buttons = choiceButtons(card);
            compare(buttons[0].text, "\u2714 no");
            compare(buttons[1].text, "\u2718 yes   your answer");
            verify(!buttons[0].enabled);
            // Both explanations show: the right one, and why the picked one is wrong
            // (as rich text made from their Markdown).
            let explanations = 0;
            const says = (item, words) => typeof item.text === "string" && item.text.indexOf(words) >= 0;
            const visit = item => {
                if (says(item, "The count is 1: reuse.") || says(item, "Nothing shares it.")) {
                    if (item.visible)
                        ++explanations;
                }
                for (let i = 0; i < item.children.length; ++i)
                    visit(item.children[i]);
            };
            visit(card);
            compare(explanations, 2);
        }
    }
}
