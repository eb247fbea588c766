// mmtutor: the Qt Quick application. main() only wires things together: the
// command line (command_line.h), the Mmtutor QML module, and --screenshot.
#include "command_line.h"
#include "screenshot.h"

#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(MmtutorPlugin)

int main(int argc, char* argv[]) {
    if (runsWithoutDisplay(argc, argv))
        prepareOffscreenRendering(); // before QGuiApplication picks a platform
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("mmtutor"));
    QGuiApplication::setApplicationVersion(QStringLiteral(MMTUTOR_VERSION));
    const LaunchOptions options = parseLaunchOptions(app); // exits on --help or a bad option

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml")); // the default from Qt 6.5 on
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Mmtutor/Main.qml")));
    auto* window =
        engine.rootObjects().isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(engine.rootObjects().first());
    if (window == nullptr)
        return 1;
    if (options.windowSize.isValid())
        window->resize(options.windowSize);
    if (!options.screenshotPath.isEmpty())
        saveFirstFrame(window, options.screenshotPath);
    return QGuiApplication::exec();
}
