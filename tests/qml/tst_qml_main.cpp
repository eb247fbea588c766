// Qt Quick Test for the QML components: each tst_*.qml file here is a
// TestCase that builds a component on its own and checks what it shows and
// what it does when clicked. The Mmtutor and MmtutorApp modules are static,
// so this runner links them in instead of loading them from disk.
#include <QQmlContext>
#include <QQmlEngine>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

Q_IMPORT_QML_PLUGIN(MmtutorPlugin)
Q_IMPORT_QML_PLUGIN(MmtutorAppPlugin)

class Setup : public QObject {
    Q_OBJECT

public slots:
    void qmlEngineAvailable(QQmlEngine* engine) {
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
        // Where the tests find scenarios, race files and lessons.
        engine->rootContext()->setContextProperty(QStringLiteral("scenariosDir"),
                                                  QStringLiteral(MMTUTOR_SCENARIOS));
        engine->rootContext()->setContextProperty(QStringLiteral("racesDir"), QStringLiteral(MMTUTOR_RACES));
        engine->rootContext()->setContextProperty(QStringLiteral("lessonsDir"), QStringLiteral(MMTUTOR_LESSONS));
    }
};

QUICK_TEST_MAIN_WITH_SETUP(mmtutor_qml, Setup)

#include "tst_qml_main.moc"
