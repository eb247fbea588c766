// A student's round trip through the window: the catalog is open, a click on
// a lesson's Open button starts it, Return walks it, the progress is saved in
// the user database, and a second start of the window offers to resume there.
#include "lesson_player.h"
#include "library.h"
#include "session.h"

#include <QColor>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/qqmlextensionplugin.h>

#include <functional>
#include <memory>

Q_IMPORT_QML_PLUGIN(MmtutorPlugin)
Q_IMPORT_QML_PLUGIN(MmtutorAppPlugin)

namespace {

// The first visible item under `root` with this text (a Button's label).
QQuickItem* itemWithText(QQuickItem* root, const QString& text) {
    if (root->isVisible() && root->property("text").toString() == text)
        return root;
    for (QQuickItem* child : root->childItems())
        if (QQuickItem* found = itemWithText(child, text))
            return found;
    return nullptr;
}

void click(QQuickWindow* window, QQuickItem* item) {
    const QPointF centre = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    QTest::mouseClick(window, Qt::LeftButton, Qt::NoModifier, centre.toPoint());
}

} // namespace

class LessonsInAppTest : public QObject {
    Q_OBJECT

    QTemporaryDir data_;

    // One start of the application window on the test's data directory.
    struct Window {
        std::unique_ptr<QQmlApplicationEngine> engine;
        QQuickWindow* window = nullptr;
        LessonPlayer* player = nullptr;
        Library* library = nullptr;
    };
    Window start() {
        Window w;
        w.engine = std::make_unique<QQmlApplicationEngine>();
        w.engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
        w.engine->load(QUrl(QStringLiteral("qrc:/qt/qml/Mmtutor/Main.qml")));
        if (w.engine->rootObjects().isEmpty())
            return w;
        w.window = qobject_cast<QQuickWindow*>(w.engine->rootObjects().first());
        w.window->resize(1280, 720);
        w.window->setProperty("showLessons", true); // as main.cpp does when started with no file
        w.player = w.window->findChild<LessonPlayer*>(QStringLiteral("lessonPlayer"));
        w.library = w.engine->singletonInstance<Library*>(qmlTypeId("MmtutorApp", 1, 0, "Library"));
        w.window->show();
        w.window->requestActivate();
        return w;
    }

private slots:
    void initTestCase() {
        QVERIFY(data_.isValid());
        qputenv("MMTUTOR_DATA_DIR", data_.path().toUtf8());
        qputenv("MMTUTOR_CACHE_DIR", data_.filePath(QStringLiteral("cache")).toUtf8());
    }

    void openWalkAndResume() {
        {
            Window w = start();
            QVERIFY(w.window && w.player && w.library);
            QVERIFY(QTest::qWaitForWindowExposed(w.window));
            QVERIFY(w.library->startupMessage().isEmpty());
            // Open… works: FileDialog's Qt Quick implementation has every module it needs.
            QObject* openDialog = w.window->findChild<QObject*>(QStringLiteral("openDialog"));
            QVERIFY(openDialog != nullptr);
            QVERIFY(QMetaObject::invokeMethod(openDialog, "open"));
            QTRY_VERIFY(openDialog->property("visible").toBool());
            QVERIFY(QMetaObject::invokeMethod(openDialog, "close"));
            QTRY_VERIFY(!openDialog->property("visible").toBool());
            // Every card offers Open; the first is lesson 1.
            QTRY_VERIFY(itemWithText(w.window->contentItem(), QStringLiteral("Open")) != nullptr);
            click(w.window, itemWithText(w.window->contentItem(), QStringLiteral("Open")));
            QTRY_VERIFY(w.player->active());
            QCOMPARE(w.player->lessonId(), QStringLiteral("anonymous-memory-101"));
            QCOMPARE(w.window->property("showLessons").toBool(), false);
            QCOMPARE(w.player->phase(), QStringLiteral("intro"));
            // Return: start, run the first command, show its result, go on.
            for (int i = 0; i < 4; ++i)
                QTest::keyClick(w.window, Qt::Key_Return);
            QCOMPARE(w.player->stepIndex(), 1);
            QCOMPARE(w.player->phase(), QStringLiteral("predict"));
            // Preferences set in this window (as its controls do) outlive it.
            QVERIFY(w.library->setSetting(QStringLiteral("theme"), QStringLiteral("dark")));
            QVERIFY(w.library->setSetting(QStringLiteral("uiScale"), 1.3));
            const QImage image = w.window->grabWindow();
            QVERIFY(image.save(QStringLiteral("lessons_in_app_step2.png")));
        }
        {
            // The next start: the catalog remembers the step, and Resume opens it there.
            Window w = start();
            QVERIFY(w.window && w.player);
            QVERIFY(QTest::qWaitForWindowExposed(w.window));
            QTRY_VERIFY(itemWithText(w.window->contentItem(), QStringLiteral("Resume")) != nullptr);
            click(w.window, itemWithText(w.window->contentItem(), QStringLiteral("Resume")));
            QTRY_VERIFY(w.player->active());
            QCOMPARE(w.player->lessonId(), QStringLiteral("anonymous-memory-101"));
            QCOMPARE(w.player->stepIndex(), 1);
            QCOMPARE(w.player->phase(), QStringLiteral("predict"));
            // The window's background is the dark theme's (Theme.qml).
            QCOMPARE(w.window->property("color").value<QColor>(), QColor(QStringLiteral("#1c1d21")));
            QCOMPARE(w.window->property("zoom").toDouble(), 1.3);

            // Ctrl+S keeps the open scenario in My scenarios; a second save of
            // the same name asks first and changes nothing until answered.
            QCOMPARE(w.library->scenarios().size(), 0);
            QTest::keyClick(w.window, Qt::Key_S, Qt::ControlModifier);
            QCOMPARE(w.library->scenarios().size(), 1);
            QCOMPARE(w.library->scenarios().first().toMap().value(QStringLiteral("name")).toString(),
                     QStringLiteral("anonymous-memory-101.mmt"));
            const QString kept = w.library->scenarioText(QStringLiteral("anonymous-memory-101.mmt"));
            QVERIFY(kept.contains(QStringLiteral("process P")));
            QTest::keyClick(w.window, Qt::Key_S, Qt::ControlModifier);
            QCOMPARE(w.library->scenarios().size(), 1);
            QTRY_VERIFY(itemWithText(w.window->contentItem(), QStringLiteral("Replace anonymous-memory-101.mmt?")) ||
                        w.window->findChild<QObject*>(QStringLiteral("replaceScenario"))->property("visible").toBool());
        }
    }

    // mmtutor --lesson ID --lesson-step N --screenshot clears keepsProgress:
    // rendering a step must leave the student's place where it was.
    void aWindowThatKeepsNoProgressWritesNone() {
        Window w = start();
        QVERIFY(w.window && w.player && w.library);
        w.window->setProperty("keepsProgress", false);
        const QString id = QStringLiteral("vmsplice-leak");
        QVERIFY(w.player->load(id, w.library->lessonSource(id)));
        w.player->start(3);
        QCOMPARE(w.player->stepIndex(), 3);
        w.player->reveal();
        QAbstractItemModel* catalog = w.library->catalog();
        const int step = catalog->roleNames().key("currentStep");
        const int lessonId = catalog->roleNames().key("lessonId");
        int row = -1;
        for (int r = 0; r < catalog->rowCount(); ++r)
            if (catalog->index(r, 0).data(lessonId).toString() == id)
                row = r;
        QVERIFY(row >= 0);
        QCOMPARE(catalog->index(row, 0).data(step).toInt(), 0);
        QVERIFY(w.library->answers(id).isEmpty());
    }

    void theStageBringsWhatAStepPointsAtIntoView() {
        Window w = start();
        QVERIFY(w.window && w.player);
        QVERIFY(QTest::qWaitForWindowExposed(w.window));
        // Lesson 14's seventh process, S, lies far to the right of the first.
        QVERIFY(w.player->load(QStringLiteral("gup-fast-races"), w.library->lessonSource(QStringLiteral("gup-fast-races"))));
        w.window->setProperty("showLessons", false);
        QObject* view = w.window->findChild<QObject*>(QStringLiteral("stageView"));
        QVERIFY(view != nullptr);
        QTRY_COMPARE(view->property("contentX").toDouble(), 0.0);
        w.player->start(12); // @step 28 race: points at S buf[0] and holder J
        QCOMPARE(w.player->commandNumber(), 28);
        QTRY_VERIFY(view->property("contentX").toDouble() > 0.0);
        QVERIFY(w.window->grabWindow().save(QStringLiteral("lessons_in_app_spotlight.png")));
    }
};

QTEST_MAIN(LessonsInAppTest)
#include "tst_lessons_in_app.moc"
