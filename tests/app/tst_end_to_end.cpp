// The application as a user meets it: Main.qml loaded offscreen with a
// scenario, driven with key presses, checked through the Session's models,
// and photographed at each stop (PNG files next to the test binary).
#include "entry_model.h"
#include "process_model.h"
#include "session.h"

#include <functional>

#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QTest>
#include <QWheelEvent>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(MmtutorPlugin)
Q_IMPORT_QML_PLUGIN(MmtutorAppPlugin)

class EndToEndTest : public QObject {
    Q_OBJECT

    QQmlApplicationEngine* engine_ = nullptr;
    QQuickWindow* window_ = nullptr;
    Session* session_ = nullptr;

    void key(Qt::Key key, Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
        QTest::keyClick(window_, key, modifiers);
    }
    void screenshot(const QString& name) {
        QTest::qWait(50); // let the arrow layer repaint
        const QImage image = window_->grabWindow();
        QVERIFY(!image.isNull());
        QVERIFY(image.save(QStringLiteral("e2e_%1.png").arg(name)));
    }

    // Every item under `root` (the visual tree) that `match` accepts.
    static QList<QQuickItem*> findItems(QQuickItem* root, const std::function<bool(QQuickItem*)>& match) {
        QList<QQuickItem*> found;
        if (root == nullptr)
            return found;
        if (match(root))
            found << root;
        for (QQuickItem* child : root->childItems())
            found << findItems(child, match);
        return found;
    }
    QList<QQuickItem*> named(const QString& objectName) {
        return findItems(window_->contentItem(),
                         [&](QQuickItem* item) { return item->objectName() == objectName; });
    }
    QQuickItem* stage() {
        const QList<QQuickItem*> stages = named(QStringLiteral("stage"));
        return stages.isEmpty() ? nullptr : stages.first();
    }
    // Scrolls the stage so that `item` is near the top of its window.
    void reveal(QQuickItem* item) {
        QQuickItem* view = named(QStringLiteral("stageView")).value(0);
        QVERIFY(view != nullptr);
        QTest::qWait(50); // views lay out their rows when polished
        auto* content = view->property("contentItem").value<QQuickItem*>();
        const QPointF at = item->mapToItem(content, QPointF(0, 0));
        view->setProperty("contentY", std::max(0.0, at.y() - 100));
        QTest::qWait(50);
    }
    void click(QQuickItem* item) {
        const QPointF centre = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
        QTest::mouseClick(window_, Qt::LeftButton, Qt::NoModifier, centre.toPoint());
    }
    // Both themes, both sizes.
    void screenshots(const QString& name) {
        for (const QSize size : {QSize(1280, 720), QSize(1920, 1080)})
            for (const char* mode : {"light", "dark"}) {
                window_->resize(size);
                window_->setProperty("theme", QString::fromLatin1(mode));
                screenshot(QStringLiteral("%1_%2x%3_%4")
                               .arg(name)
                               .arg(size.width())
                               .arg(size.height())
                               .arg(QLatin1String(mode)));
            }
        window_->setProperty("theme", QStringLiteral("light"));
        window_->resize(1280, 720);
        QTest::qWait(50);
    }

private slots:
    void initTestCase() {
        engine_ = new QQmlApplicationEngine(this);
        engine_->addImportPath(QStringLiteral("qrc:/qt/qml"));
        engine_->load(QUrl(QStringLiteral("qrc:/qt/qml/Mmtutor/Main.qml")));
        QVERIFY(!engine_->rootObjects().isEmpty());
        window_ = qobject_cast<QQuickWindow*>(engine_->rootObjects().first());
        QVERIFY(window_ != nullptr);
        window_->resize(1280, 720);
        session_ = engine_->singletonInstance<Session*>(qmlTypeId("MmtutorApp", 1, 0, "Session"));
        QVERIFY(session_ != nullptr);
        QVERIFY(session_->openFile(QStringLiteral(MMTUTOR_TEST_DATA "/fork_pin.mmt")));
        window_->show();
        window_->requestActivate();
        QVERIFY(QTest::qWaitForWindowExposed(window_));
        QVERIFY(QTest::qWaitForWindowActive(window_));
        screenshot(QStringLiteral("0_start"));
    }

    void arrowKeysStep() {
        key(Qt::Key_Right);
        QCOMPARE(session_->stepIndex(), 1);
        QCOMPARE(session_->processes()->rowCount(), 1);
        key(Qt::Key_Right);
        key(Qt::Key_Left);
        QCOMPARE(session_->stepIndex(), 1);
    }

    void shiftArrowsMoveByCommand() {
        key(Qt::Key_Home);
        for (int i = 0; i < 4; ++i)
            key(Qt::Key_Right, Qt::ShiftModifier);
        QCOMPARE(session_->commandIndex(), 3); // after the fork
        QCOMPARE(session_->processes()->rowCount(), 2);
        screenshot(QStringLiteral("1_after_fork"));
        key(Qt::Key_Right, Qt::ShiftModifier);
        EntryModel* parent = session_->processes()->entriesAt(0);
        QCOMPARE(parent->data(parent->index(0), EntryModel::KindTextRole).toString(),
                 QStringLiteral("present-rw"));
        screenshot(QStringLiteral("2_after_cow"));
        key(Qt::Key_Left, Qt::ShiftModifier);
        QCOMPARE(session_->commandIndex(), 3);
    }

    void endShowsThePin() {
        key(Qt::Key_End);
        QCOMPARE(session_->stepIndex(), session_->stepCount());
        QCOMPARE(session_->holders()->rowCount(), 1);
        screenshot(QStringLiteral("3_end"));
        key(Qt::Key_Home);
        QCOMPARE(session_->stepIndex(), 0);
    }

    // A click on the timeline, halfway between two ticks, lands inside that
    // command (its steps are spread over its share of the track).
    void timelineClickPicksACommand() {
        QQuickItem* slider = named(QStringLiteral("timelineSlider")).value(0);
        QVERIFY(slider != nullptr);
        const QVariantList ticks = session_->commandPositions();
        QCOMPARE(ticks.size(), session_->commandCount());
        const int fork = 3;
        const double middle = (ticks[fork].toDouble() + ticks[fork + 1].toDouble()) / 2;
        const qreal left = slider->property("leftPadding").toReal();
        const qreal width = slider->property("availableWidth").toReal();
        const QPointF at = slider->mapToScene(QPointF(left + width * middle, slider->height() / 2));
        QTest::mouseClick(window_, Qt::LeftButton, Qt::NoModifier, at.toPoint());
        QCOMPARE(session_->commandIndex(), fork);
        QVERIFY(session_->stepIndex() > session_->timelineSteps(ticks[fork].toDouble()));
        QVERIFY(session_->stepIndex() < session_->timelineSteps(ticks[fork + 1].toDouble()));
        key(Qt::Key_Home);
    }

    void spacePlaysAndPauses() {
        key(Qt::Key_Space);
        QVERIFY(session_->playing());
        key(Qt::Key_Space);
        QVERIFY(!session_->playing());
    }

    void themesRender() {
        session_->gotoCommand(6);
        for (const char* mode : {"dark", "contrast", "light"}) {
            window_->setProperty("theme", QString::fromLatin1(mode));
            screenshot(QStringLiteral("4_theme_%1").arg(QLatin1String(mode)));
        }
        key(Qt::Key_Plus, Qt::ControlModifier);
        QVERIFY(window_->property("zoom").toReal() > 1.0);
        screenshot(QStringLiteral("5_zoomed"));
        key(Qt::Key_0, Qt::ControlModifier);
        QCOMPARE(window_->property("zoom").toReal(), 1.0);
    }

    // A large scene: four THPs and 600 PTE-mapped pages stay a few rows and
    // a screenful of cards; a run expands on a click, a THP card too.
    void largeSceneIsCollapsedAndVirtualized() {
        QString text = QStringLiteral("process P\nmap P huge 2048 rw thp\nmap P buf 600 rw\n");
        for (int thp = 0; thp < 4; ++thp)
            text += QStringLiteral("write P huge[%1] \"t%2\"\nwrite P huge[%3] \"s\"\n")
                        .arg(thp * 512)
                        .arg(thp)
                        .arg(thp * 512 + 9);
        for (int i = 0; i < 600; ++i)
            text += QStringLiteral("write P buf[%1] \"v%1\"\n").arg(i);
        text += QStringLiteral("swapout P buf[100]\n");
        QVERIFY(session_->openText(text, QStringLiteral("large.mmt")));
        session_->end();
        QTest::qWait(100);
        EntryModel* entries = session_->processes()->entriesAt(0);
        // 4 PMDs, buf[0..99], buf[100] swapped, buf[101..511], buf[512..599].
        QCOMPARE(entries->rowCount(), 8);
        const QList<QQuickItem*> grids = named(QStringLiteral("pageGrid"));
        QCOMPARE(grids.size(), 1);
        // 599 pages still mapped (buf[100] went to swap) and the zero page.
        QCOMPARE(grids.first()->property("count").toInt(), 600);
        // Cards exist for the rows in sight (and one row each side), not for 599 pages.
        const QList<QQuickItem*> smallCards = findItems(grids.first(), [](QQuickItem* item) {
            return item->objectName() == QLatin1String("subpageToggle");
        });
        QVERIFY2(smallCards.size() < 100, qPrintable(QString::number(smallCards.size())));
        // buf[100]'s slot, in the swap section's grid.
        QCOMPARE(named(QStringLiteral("swapGrid")).value(0)->property("count").toInt(), 1);
        QCOMPARE(session_->swapSlots()->rowCount(), 1);
        screenshots(QStringLiteral("6_large"));

        // Expanding the run of 411 entries: the table scrolls, its rows are made as needed.
        const QList<QQuickItem*> lists = named(QStringLiteral("entryRows"));
        QCOMPARE(lists.size(), 1);
        QQuickItem* run = nullptr;
        for (QQuickItem* row : findItems(lists.first(), [](QQuickItem* item) {
                 return item->property("collapsed").toBool() && item->property("pageCount").toInt() == 411;
             }))
            run = row;
        QVERIFY(run != nullptr);
        click(run);
        QTRY_COMPARE(entries->rowCount(), 8 - 1 + 411);
        QVERIFY(entries->hasExpanded());
        QCOMPARE(lists.first()->property("count").toInt(), 418);
        const int made =
            findItems(lists.first(), [](QQuickItem* item) {
                return item->property("targetKey").isValid() && item->property("level").isValid();
            }).size();
        QVERIFY2(made < 60, qPrintable(QString::number(made)));
        screenshot(QStringLiteral("6_large_run_expanded"));
        // Expanding is no kernel change: the rows it shows do not light up.
        const QList<QQuickItem*> shown = findItems(lists.first(), [](QQuickItem* item) {
            return item->property("address").toString() == QLatin1String("buf[101]");
        });
        QCOMPARE(shown.size(), 1);
        const QList<QQuickItem*> flashes =
            findItems(shown.first(), [](QQuickItem* item) { return item->property("armed").isValid(); });
        QCOMPARE(flashes.size(), 1);
        QCOMPARE(flashes.first()->opacity(), 0.0);
        // Clicking the entry brings the card it points at into the page grid's sight.
        QCOMPARE(grids.first()->property("contentY").toReal(), 0.0);
        const QString targetKey = shown.first()->property("targetKey").toString();
        click(shown.first());
        QTRY_VERIFY(grids.first()->property("contentY").toReal() > 0);
        QTRY_COMPARE(findItems(grids.first(),
                               [&](QQuickItem* item) {
                                   return item->property("cardKey").toString() == targetKey &&
                                          item->isVisible();
                               })
                         .size(),
                     1);
        key(Qt::Key_Escape);
        entries->collapseAll();
        QCOMPARE(entries->rowCount(), 8);

        // A THP card: collapsed, then its 512 subpages on a click.
        const QList<QQuickItem*> toggles = findItems(window_->contentItem(), [](QQuickItem* item) {
            return item->objectName() == QLatin1String("subpageToggle") && item->isVisible();
        });
        QCOMPARE(toggles.size(), 4);
        QQuickItem* card = toggles.first()->parentItem()->parentItem();
        QCOMPARE(card->property("expanded").toBool(), false);
        QCOMPARE(card->property("pageCount").toInt(), 512);
        reveal(toggles.first());
        click(toggles.first());
        QTRY_VERIFY(card->property("expanded").toBool());
        const QList<QQuickItem*> cells =
            findItems(card, [](QQuickItem* item) { return item->property("differs").isValid(); });
        QCOMPARE(cells.size(), 512);
        QVERIFY(card->width() > card->implicitWidth() - 1 && card->width() > 176);
        screenshots(QStringLiteral("7_large_thp_expanded"));
        reveal(toggles.first());
        click(toggles.first());
        QTRY_VERIFY(!card->property("expanded").toBool());
    }

    // The stage zooms by its buttons, Ctrl+wheel, Ctrl+Alt+0 (fit) and
    // Ctrl+0 (back to 100 %), independently of the UI scale.
    void stageZoomsAndPans() {
        QQuickItem* stageItem = stage();
        QVERIFY(stageItem != nullptr);
        QCOMPARE(stageItem->property("zoom").toReal(), 1.0);
        QVERIFY(QMetaObject::invokeMethod(stageItem, "zoomIn"));
        QCOMPARE(stageItem->property("zoom").toReal(), 1.25);
        QCOMPARE(window_->property("zoom").toReal(), 1.0); // the UI scale is untouched
        key(Qt::Key_0, Qt::ControlModifier);
        QCOMPARE(stageItem->property("zoom").toReal(), 1.0);

        // Ctrl+wheel over the stage zooms about the pointer; a plain wheel does not zoom.
        const QPointF at = stageItem->mapToScene(QPointF(stageItem->width() / 2, stageItem->height() / 2));
        auto wheel = [&](Qt::KeyboardModifiers modifiers, int delta) {
            QWheelEvent event(at, window_->mapToGlobal(at), QPoint(), QPoint(0, delta), Qt::NoButton,
                              modifiers, Qt::NoScrollPhase, false);
            QCoreApplication::sendEvent(window_, &event);
        };
        wheel(Qt::ControlModifier, -240);
        QVERIFY(stageItem->property("zoom").toReal() < 1.0);
        const qreal zoomed = stageItem->property("zoom").toReal();
        wheel(Qt::NoModifier, -120);
        QCOMPARE(stageItem->property("zoom").toReal(), zoomed);

        // Fit: the whole large stage in the window, so smaller than 100 %.
        key(Qt::Key_0, Qt::ControlModifier | Qt::AltModifier);
        const qreal fitted = stageItem->property("zoom").toReal();
        QVERIFY(fitted < 1.0 && fitted >= 0.2);
        const QList<QQuickItem*> views = named(QStringLiteral("stageView"));
        QCOMPARE(views.size(), 1);
        QCOMPARE(views.first()->property("contentY").toReal(), 0.0);
        screenshot(QStringLiteral("8_large_fit"));
        // Panning: the view scrolls when dragged content is taller than it.
        key(Qt::Key_0, Qt::ControlModifier);
        QVERIFY(views.first()->property("contentHeight").toReal() > views.first()->height());
        views.first()->setProperty("contentY", 200);
        QCOMPARE(views.first()->property("contentY").toReal(), 200.0);
        key(Qt::Key_0, Qt::ControlModifier);
        QCOMPARE(views.first()->property("contentY").toReal(), 0.0);
    }

    void cleanupTestCase() {
        delete engine_;
        engine_ = nullptr;
    }
};

int main(int argc, char* argv[]) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    QGuiApplication app(argc, argv);
    EndToEndTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_end_to_end.moc"
