// mmtutor-gui-bench: prints how fast the GUI is on the large scene
// (and on the older, smaller one), against the goals. Not a test: figures for
// people. Renders offscreen with Qt Quick's software renderer, so the figures
// are for the CPU alone (a GPU does better).
//
//   start to first frame              goal <= 300 ms
//   a step's update to the next frame goal <= 16 ms (4 THPs + 1,000 PTEs)
//   frame time while animating        goal 60 fps
//   peak RSS (VmHWM)                  goal <= 200 MB
#include "screenshot.h"
#include "session.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>

Q_IMPORT_QML_PLUGIN(MmtutorPlugin)
Q_IMPORT_QML_PLUGIN(MmtutorAppPlugin)

namespace {

// The scene: one process with 4 PMD-mapped THPs (2,048 subpages, a
// few of them written) and 1,000 order-0 pages mapped by 1,000 PTEs, then a
// tail of commands that each change a few objects (swap out and in, a pin
// and its release, a migration), which is where the steps are timed.
QString largeScenario() {
    QString text = QStringLiteral("process P\nmap P huge 2048 rw thp\nmap P buf 1000 rw\n");
    for (int thp = 0; thp < 4; ++thp)
        text += QStringLiteral("write P huge[%1] \"thp%2\"\nwrite P huge[%3] \"sub%2\"\n")
                    .arg(thp * 512)
                    .arg(thp)
                    .arg(thp * 512 + 7 + thp);
    for (int i = 0; i < 1000; ++i)
        text += QStringLiteral("write P buf[%1] \"v%1\"\n").arg(i);
    for (int i = 0; i < 6; ++i)
        text += QStringLiteral("swapout P buf[%1]\nwrite P buf[%1] \"again\"\npin P buf[%2] as H%3\n"
                               "release H%3\nmigrate P buf[%4]\n")
                    .arg(100 + i)
                    .arg(300 + i)
                    .arg(i)
                    .arg(600 + i);
    return text;
}

// The scene of the first version of this bench: `pages` written 4 KiB pages and a written THP.
QString smallScenario(int pages) {
    QString text = QStringLiteral("process P\nmap P buf %1 rw\nmap P huge 512 rw thp\n").arg(pages);
    for (int i = 0; i < pages; ++i)
        text += QStringLiteral("write P buf[%1] \"v%1\"\n").arg(i);
    text += QStringLiteral("write P huge[0] \"thp\"\nwrite P huge[7] \"sub\"\n");
    return text;
}

// CPU time of this thread, in ms. The software render loop renders on the
// GUI thread, so the CPU time from a change to its frame is the work it
// cost, whatever else the machine runs (wall times include waiting for a core).
double threadCpuMs() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

// CPU ms of this thread when the last waitForFrame() saw its frame.
double lastFrameCpuMs = 0;

// Milliseconds until the window's next frame is out; -1 after 5 s.
double waitForFrame(QQuickWindow* window, const QElapsedTimer& since) {
    QEventLoop loop;
    double at = -1;
    auto connection = QObject::connect(window, &QQuickWindow::frameSwapped, &loop, [&] {
        at = static_cast<double>(since.nsecsElapsed()) / 1e6;
        lastFrameCpuMs = threadCpuMs();
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

const char* verdict(bool met) {
    return met ? "meets the goal" : "MISSES the goal";
}

struct StepFigures {
    double open = -1; // open at the end to its frame
    std::vector<double> steps;
    std::vector<double> calls; // of which the step call: models and the bindings they trigger
    std::vector<double> cpu;   // CPU time from the step call to its frame
};

// Opens `text` at its end, then times `count` steps among the last commands,
// each from the call that moves the cursor to the frame that shows it. Every
// fourth step goes back, so the scene never runs out of steps.
StepFigures timeSteps(QQuickWindow* window, Session* session, const QString& text, int count) {
    StepFigures figures;
    QElapsedTimer clock;
    clock.start();
    if (!session->openText(text, QStringLiteral("bench.mmt")))
        return figures;
    session->end();
    figures.open = waitForFrame(window, clock);
    session->seek(std::max(0, session->stepCount() - count * 2));
    waitForFrame(window, clock);
    for (int i = 0; i < count; ++i) {
        clock.restart();
        const double cpuStart = threadCpuMs();
        i % 4 == 3 ? session->stepBack() : session->stepForward();
        figures.calls.push_back(static_cast<double>(clock.nsecsElapsed()) / 1e6);
        figures.steps.push_back(waitForFrame(window, clock));
        figures.cpu.push_back(lastFrameCpuMs - cpuStart);
    }
    return figures;
}

// Frame-to-frame intervals while something animates, for `ms` milliseconds.
std::vector<double> frameIntervals(QQuickWindow* window, int ms) {
    std::vector<double> intervals;
    QElapsedTimer clock;
    clock.start();
    double previous = 0;
    while (clock.elapsed() < ms) {
        const double at = waitForFrame(window, clock);
        if (at < 0)
            break;
        intervals.push_back(at - previous);
        previous = at;
    }
    return intervals;
}

// CPU time from a change of `property` on `item` to the frame that shows
// it, for each of `values`: what a user pays per frame while dragging or zooming.
std::vector<double> timeProperty(QQuickWindow* window, QObject* item, const char* property,
                                 const std::vector<double>& values) {
    std::vector<double> times;
    QElapsedTimer clock;
    for (double value : values) {
        clock.start();
        const double cpuStart = threadCpuMs();
        item->setProperty(property, value);
        window->update();
        if (waitForFrame(window, clock) >= 0)
            times.push_back(lastFrameCpuMs - cpuStart);
    }
    return times;
}

// The item of the window called `objectName`, searched through the visual tree.
QQuickItem* findItem(QQuickItem* root, const QString& objectName) {
    if (root == nullptr || root->objectName() == objectName)
        return root;
    for (QQuickItem* child : root->childItems())
        if (QQuickItem* found = findItem(child, objectName))
            return found;
    return nullptr;
}

void printSteps(const char* what, const StepFigures& figures) {
    const double median = percentile(figures.steps, 0.5);
    std::printf("  open at its end to the frame  %8.1f ms   (parse, run, models, render)\n", figures.open);
    std::printf("  step to next frame, median    %8.1f ms   goal <= 16 ms   %s (%s)\n", median,
                verdict(median >= 0 && median <= 16), what);
    std::printf("  step to next frame, p95/worst %8.1f ms   worst %.1f ms (of %zu steps)\n",
                percentile(figures.steps, 0.95), percentile(figures.steps, 1.0), figures.steps.size());
    std::printf("  of which the step call, med   %8.1f ms   (models, and the bindings their signals run)\n",
                percentile(figures.calls, 0.5));
    const double cpuMedian = percentile(figures.cpu, 0.5);
    std::printf(
        "  step to next frame, CPU med   %8.1f ms   p95 %.1f, worst %.1f ms (this thread's CPU time)  %s\n",
        cpuMedian, percentile(figures.cpu, 0.95), percentile(figures.cpu, 1.0),
        verdict(cpuMedian >= 0 && cpuMedian <= 16));
}

void printFrames(const char* what, const std::vector<double>& times, bool intervals) {
    const double median = percentile(times, 0.5);
    std::printf("  %-29s %8.1f ms   p95 %.1f, worst %.1f ms over %zu frames, goal 60 fps (<= 16.7 ms)  %s\n",
                what, median, percentile(times, 0.95), percentile(times, 1.0), times.size(),
                verdict(median >= 0 && median <= 1000.0 / 60 + (intervals ? 0.5 : 0)));
}

} // namespace

int main(int argc, char* argv[]) {
    QElapsedTimer sinceStart;
    sinceStart.start();
    prepareOffscreenRendering();
    qputenv("QT_QUICK_BACKEND", "software");
    QGuiApplication app(argc, argv);
    const int smallPages = argc > 1 ? std::max(1, QString::fromLocal8Bit(argv[1]).toInt()) : 50;

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
    const double firstFrameCpu = lastFrameCpuMs; // the main thread's CPU time since it started

    const StepFigures small = timeSteps(window, session, smallScenario(smallPages), 40);
    const int smallSteps = session->stepCount();
    const StepFigures large = timeSteps(window, session, largeScenario(), 60);
    const int largeSteps = session->stepCount();
    if (small.open < 0 || large.open < 0)
        return 1;

    // Playing at 20 steps a second: change highlights fade, arrows follow.
    session->seek(std::max(0, largeSteps - 120));
    session->setSpeed(20);
    session->play();
    const std::vector<double> playing = frameIntervals(window, 2000);
    session->pause();

    // Panning (the stage scrolled a little each frame) and zooming.
    std::vector<double> panning;
    std::vector<double> zooming;
    if (auto* stage = findItem(window->contentItem(), QStringLiteral("stageView"))) {
        std::vector<double> ys;
        for (int i = 0; i < 60; ++i)
            ys.push_back(i * 15.0);
        panning = timeProperty(window, stage, "contentY", ys);
    }
    if (auto* stage = findItem(window->contentItem(), QStringLiteral("stage"))) {
        std::vector<double> zooms;
        for (int i = 0; i < 30; ++i)
            zooms.push_back(1.0 - 0.02 * i);
        zooming = timeProperty(window, stage, "zoom", zooms);
    }
    const long rssKiB = peakRssKiB();

    std::printf("mmtutor GUI bench: offscreen platform, Qt Quick software renderer (CPU only), 1920x1080\n");
    std::printf("start to first frame            %8.1f ms   goal <= 300 ms  %s\n", firstFrame,
                verdict(firstFrame >= 0 && firstFrame <= 300));
    std::printf("  of which CPU on the main thread %6.1f ms\n", firstFrameCpu);
    std::printf("small scene: one process, %d written pages and a written THP (%d kernel steps)\n",
                smallPages, smallSteps);
    printSteps("small scene", small);
    std::printf("large scene: one process, 4 PMD-mapped THPs (2,048 subpages), 1,000 PTE-mapped pages "
                "(%d kernel steps)\n",
                largeSteps);
    printSteps("large scene", large);
    printFrames("playing, frame interval", playing, true);
    printFrames("pan, change to frame (CPU)", panning, false);
    printFrames("zoom, change to frame (CPU)", zooming, false);
    std::printf("peak RSS (VmHWM)                %8.1f MB   goal <= 200 MB  %s\n", rssKiB / 1024.0,
                verdict(rssKiB >= 0 && rssKiB <= 200 * 1024));
    return 0;
}
