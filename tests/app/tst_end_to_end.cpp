// The application as a user meets it: Main.qml loaded offscreen with a
// scenario, driven with key presses, checked through the Session's models,
// and photographed at each stop (PNG files next to the test binary).
#include "entry_model.h"
#include "process_model.h"
#include "session.h"

#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QTest>
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
