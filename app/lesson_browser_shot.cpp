// mmtutor-browser-shot OUT.png [--size WxH] [--theme light|dark|contrast]
//                      [--import PACK]
// Renders LessonBrowser.qml alone, offscreen, and saves it once settled: how
// the browser is looked at (and smoke-tested) before the lead wires it into
// Main.qml. --import starts importing a pack, so that the conflict question
// shows. The user database is $MMTUTOR_DATA_DIR's, as in the application.
#include "screenshot.h"

#include <cstdio>

#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QStringList>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(MmtutorPlugin)
Q_IMPORT_QML_PLUGIN(MmtutorAppPlugin)

namespace {

// The window Main.qml would give it: the same palette from Theme.
const char* kWindow = R"(
import QtQuick
import QtQuick.Controls
import Mmtutor
ApplicationWindow {
    property alias browser: browser
    property string theme: "light"
    Component.onCompleted: Theme.mode = theme
    visible: true
    color: Theme.background
    font.pixelSize: Theme.fontSizeBody
    palette.window: Theme.background
    palette.windowText: Theme.text
    palette.base: Theme.surface
    palette.text: Theme.text
    palette.button: Theme.surfaceSunken
    palette.buttonText: Theme.text
    palette.highlight: Theme.accent
    palette.highlightedText: Theme.textOnAccent
    palette.mid: Theme.border
    palette.dark: Theme.textMuted
    palette.light: Theme.surface
    LessonBrowser { id: browser; anchors.fill: parent }
}
)";

int usage() {
    std::fprintf(stderr, "usage: mmtutor-browser-shot OUT.png [--size WxH] [--theme light|dark|contrast] "
                         "[--import PACK]\n");
    return 2;
}

} // namespace

int main(int argc, char* argv[]) {
    prepareOffscreenRendering();
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("mmtutor"));
    const QStringList args = app.arguments().mid(1);
    QString out, theme = QStringLiteral("light"), pack;
    QSize size(1280, 720);
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString& a = args[i];
        const bool hasValue = i + 1 < args.size();
        if (a == QLatin1String("--size") && hasValue) {
            const QStringList wh = args[++i].split(QLatin1Char('x'));
            size = wh.size() == 2 ? QSize(wh[0].toInt(), wh[1].toInt()) : QSize();
            if (!size.isValid() || size.isEmpty())
                return usage();
        } else if (a == QLatin1String("--theme") && hasValue) {
            theme = args[++i];
        } else if (a == QLatin1String("--import") && hasValue) {
            pack = args[++i];
        } else if (out.isEmpty() && !a.startsWith(QLatin1Char('-'))) {
            out = a;
        } else {
            return usage();
        }
    }
    if (out.isEmpty())
        return usage();

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    engine.setInitialProperties({{QStringLiteral("theme"), theme}});
    engine.loadData(kWindow);
    auto* window =
        engine.rootObjects().isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(engine.rootObjects().first());
    if (window == nullptr)
        return 1;
    window->resize(size);
    if (!pack.isEmpty()) {
        QObject* browser = window->property("browser").value<QObject*>();
        QMetaObject::invokeMethod(browser, "startImport", Q_ARG(QVariant, QVariant(pack)));
    }
    saveSettledFrame(window, out);
    return QGuiApplication::exec();
}
