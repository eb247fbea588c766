// mmtutor: the Qt Quick application. main() only wires things together: the
// command line (command_line.h), the Session, the Mmtutor QML module, and
// --screenshot.
#include "command_line.h"
#include "lesson_player.h"
#include "library.h"
#include "race_explorer.h"
#include "screenshot.h"
#include "session.h"

#include <algorithm>
#include <cstdio>

#include <QFileInfo>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(MmtutorPlugin)
Q_IMPORT_QML_PLUGIN(MmtutorAppPlugin)

int main(int argc, char* argv[]) {
    if (runsWithoutDisplay(argc, argv))
        prepareOffscreenRendering(); // before QGuiApplication picks a platform
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("mmtutor"));
    QGuiApplication::setApplicationVersion(QStringLiteral(MMTUTOR_VERSION));
    const LaunchOptions options = parseLaunchOptions(app); // exits on --help or a bad option

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml")); // the default from Qt 6.5 on
    if (!options.theme.isEmpty())
        engine.setInitialProperties({{QStringLiteral("theme"), options.theme}});
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Mmtutor/Main.qml")));
    auto* window =
        engine.rootObjects().isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(engine.rootObjects().first());
    if (window == nullptr)
        return 1;
    // Main.qml imported MmtutorApp, so the Session singleton exists now; the
    // first frame comes later, from exec(), and shows what is set up here.
    auto* session = engine.singletonInstance<Session*>(qmlTypeId("MmtutorApp", 1, 0, "Session"));
    if (session == nullptr)
        return 1;
    if (!options.era.isEmpty())
        session->setEra(options.era);
    if (!options.scenarioPath.isEmpty()) {
        if (!session->openFile(options.scenarioPath)) {
            for (const QString& error : session->errors())
                std::fprintf(stderr, "%s\n", qPrintable(error));
            return 2;
        }
        session->gotoCommand(std::max(options.gotoCommand, 0));
    }
    if (!options.screenshotPath.isEmpty())
        window->setProperty("keepsProgress", false);
    if (!options.lessonPath.isEmpty()) {
        // A .lesson file, or the id of a lesson in the catalog.
        auto* player = window->findChild<LessonPlayer*>(QStringLiteral("lessonPlayer"));
        auto* library = engine.singletonInstance<Library*>(qmlTypeId("MmtutorApp", 1, 0, "Library"));
        if (player == nullptr || library == nullptr)
            return 1;
        bool loaded = false;
        if (QFileInfo::exists(options.lessonPath)) {
            loaded = player->loadFile(options.lessonPath);
        } else {
            const QString source = library->lessonSource(options.lessonPath);
            if (source.isEmpty())
                std::fprintf(stderr, "mmtutor: %s: no such lesson file, and no lesson with that id (mmtutor-cli lessons list)\n",
                             qPrintable(options.lessonPath));
            else
                loaded = player->load(options.lessonPath, source);
        }
        if (!loaded) {
            for (const QString& error : player->errors())
                std::fprintf(stderr, "%s\n", qPrintable(error));
            return 2;
        }
        player->start(options.lessonStep - 1);
        if (options.lessonReveal)
            player->reveal();
    }
    if (options.explore) {
        // The window's own explorer, so that its panel shows what was found.
        auto* explorer = window->findChild<RaceExplorer*>(QStringLiteral("raceExplorer"));
        if (explorer == nullptr || !explorer->explore()) {
            std::fprintf(stderr, "mmtutor: %s: no race block to explore (race ... end, docs/races.md)\n",
                         qPrintable(options.scenarioPath));
            return 2;
        }
        std::printf("%s\n", qPrintable(explorer->summary()));
        if (explorer->incoherent() > 0)
            std::printf("%s\n%s\n", qPrintable(explorer->incoherentSummary()),
                        qPrintable(explorer->probeSentence()));
        // The breach inside the block first; if none, the pin a later write separates.
        if (explorer->breaking() > 0)
            explorer->openFinding();
        else if (explorer->incoherent() > 0)
            explorer->openIncoherentFinding();
    }
    // Started with nothing to show: the lesson catalog is the way in.
    if (options.scenarioPath.isEmpty() && options.lessonPath.isEmpty())
        window->setProperty("showLessons", true);
    if (options.windowSize.isValid())
        window->resize(options.windowSize);
    if (!options.screenshotPath.isEmpty() && options.click.x() >= 0)
        saveFrameAfterClick(window, options.click, options.screenshotPath);
    else if (!options.screenshotPath.isEmpty())
        saveSettledFrame(window, options.screenshotPath);
    return QGuiApplication::exec();
}
