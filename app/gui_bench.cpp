// mmtutor-gui-bench: prints how fast the GUI is on a large scene, against the
// goals. Not a test: figures for people. Renders offscreen with Qt Quick's
// software renderer, so the figures are for the CPU alone (a GPU does better).
//
//   start to first frame              goal <= 300 ms
//   a step's update to the next frame goal <= 16 ms   (1000 written pages + a THP)
//   frame time while playing          goal 60 fps
//   peak RSS (VmHWM)                  goal <= 200 MB
#include "screenshot.h"
#include "session.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(MmtutorPlugin)
Q_IMPORT_QML_PLUGIN(MmtutorAppPlugin)

namespace {

// One process, `pages` written 4 KiB pages and a written THP.
QString largeScenario(int pages) {
    QString text = QStringLiteral("process P\nmap P buf %1 rw\nmap P huge 512 rw thp\n").arg(pages);
    for (int i = 0; i < pages; ++i)
        text += QStringLiteral("write P buf[%1] \"v%1\"\n").arg(i);
    text += QStringLiteral("write P huge[0] \"thp\"\nwrite P huge[7] \"sub\"\n");
    return text;
}

// Milliseconds until the window's next frame is out; -1 after 5 s.
double waitForFrame(QQuickWindow* window, const QElapsedTimer& since) {
    QEventLoop loop;
    double at = -1;
    auto connection = QObject::connect(window, &QQuickWindow::frameSwapped, &loop, [&] {
        at = static_cast<double>(since.nsecsElapsed()) / 1e6;
        loop.quit();
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    loop.exec();
    QObject::disconnect(connection);
    return at;
}

long peakRssKiB() {
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray& line : status.readAll().split('\n'))
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLong();
    return -1;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty())
        return -1;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())))];
}

const char* verdict(bool met) { return met ? "meets the goal" : "MISSES the goal"; }

} // namespace

int main(int argc, char* argv[]) {
    QElapsedTimer sinceStart;
    sinceStart.start();
    prepareOffscreenRendering();
    qputenv("QT_QUICK_BACKEND", "software");
    QGuiApplication app(argc, argv);
    const int pages = argc > 1 ? std::max(1, QString::fromLocal8Bit(argv[1]).toInt()) : 1000;

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Mmtutor/Main.qml")));
    auto* window =
        engine.rootObjects().isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(engine.rootObjects().first());
    auto* session = engine.singletonInstance<Session*>(qmlTypeId("MmtutorApp", 1, 0, "Session"));
    if (window == nullptr || session == nullptr)
        return 1;
    window->resize(1920, 1080);
    const double firstFrame = waitForFrame(window, sinceStart);
    std::fprintf(stderr, "first frame; opening the large scene\n");

    // The large scene, opened at its end; then steps near the end, each timed
    // from the call that moves the cursor to the frame that shows it.
    QElapsedTimer clock;
    clock.start();
    if (!session->openText(largeScenario(pages), QStringLiteral("bench.mmt")))
        return 1;
    session->end();
    const double openToFrame = waitForFrame(window, clock);
    std::fprintf(stderr, "opened; stepping\n");
    std::vector<double> stepFrames;
    const int last = session->stepCount();
    session->seek(std::max(0, last - 80));
    waitForFrame(window, clock);
    for (int i = 0; i < 40; ++i) {
        clock.restart();
        i % 4 == 3 ? session->stepBack() : session->stepForward();
        stepFrames.push_back(waitForFrame(window, clock));
    }

    std::fprintf(stderr, "stepped; playing\n");
    // Playing: the frames the window renders while the timer steps and the
    // animations run, over two seconds.
    session->seek(std::max(0, last - 200));
    session->setSpeed(20);
    session->play();
    std::vector<double> frameTimes;
    QElapsedTimer playing;
    playing.start();
    double previous = 0;
    while (playing.elapsed() < 2000) {
        const double at = waitForFrame(window, playing);
        if (at < 0)
            break;
        frameTimes.push_back(at - previous);
        previous = at;
    }
    session->pause();
    const double playedSeconds = static_cast<double>(playing.elapsed()) / 1000.0;
    const long rssKiB = peakRssKiB();

    const double stepMedian = percentile(stepFrames, 0.5);
    const double stepWorst = percentile(stepFrames, 1.0);
    const double frameMedian = percentile(frameTimes, 0.5);
    const double fps = static_cast<double>(frameTimes.size()) / playedSeconds;
    std::printf("mmtutor GUI bench: offscreen platform, Qt Quick software renderer (CPU only), 1920x1080\n");
    std::printf("scene: one process, %d written pages and a written THP (%d kernel steps)\n", pages, last);
    std::printf("start to first frame           %8.1f ms   goal <= 300 ms  %s\n", firstFrame,
                verdict(firstFrame >= 0 && firstFrame <= 300));
    std::printf("open large scene to its frame  %8.1f ms   (parse, run, models, render)\n", openToFrame);
    std::printf("step to next frame, median     %8.1f ms   goal <= 16 ms   %s\n", stepMedian,
                verdict(stepMedian >= 0 && stepMedian <= 16));
    std::printf("step to next frame, worst      %8.1f ms   (of %zu steps)\n", stepWorst, stepFrames.size());
    std::printf("frame time while playing, med  %8.1f ms   %.1f fps over %.1f s, goal 60 fps  %s\n", frameMedian,
                fps, playedSeconds, verdict(frameMedian >= 0 && frameMedian <= 1000.0 / 60 + 0.5));
    std::printf("peak RSS (VmHWM)               %8.1f MB   goal <= 200 MB  %s\n", rssKiB / 1024.0,
                verdict(rssKiB >= 0 && rssKiB <= 200 * 1024));
    return 0;
}
