#include "screenshot.h"

#include <cstdio>

#include <QCoreApplication>
#include <QImage>
#include <QMouseEvent>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QTimer>

namespace {
// Longer than the longest transition (Theme.durationLong, 600 ms) and the
// lesson spotlight's scroll timer.
constexpr int kSettleMs = 900;
} // namespace

void prepareOffscreenRendering() {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
}

void saveFrameAfterClick(QQuickWindow* window, QPoint point, const QString& path) {
    QObject::connect(
        window, &QQuickWindow::frameSwapped, window,
        [window, point, path] {
            const QPointF local(point);
            const QPointF global = window->mapToGlobal(local);
            QMouseEvent press(QEvent::MouseButtonPress, local, local, global, Qt::LeftButton, Qt::LeftButton,
                              Qt::NoModifier);
            QCoreApplication::sendEvent(window, &press);
            QMouseEvent release(QEvent::MouseButtonRelease, local, local, global, Qt::LeftButton, Qt::NoButton,
                                Qt::NoModifier);
            QCoreApplication::sendEvent(window, &release);
            window->update();
            saveSettledFrame(window, path);
        },
        Qt::ConnectionType(Qt::QueuedConnection | Qt::SingleShotConnection));
}

void saveSettledFrame(QQuickWindow* window, const QString& path) {
    // Once, and queued: after the first frame is finished, not inside its
    // signal. Then wait for the window to settle, as a user sees it: a lesson
    // step scrolls to what it points at after a short timer, and transitions
    // run for Theme.durationLong.
    QObject::connect(
        window, &QQuickWindow::frameSwapped, window,
        [window, path] {
            QTimer::singleShot(kSettleMs, window, [window, path] {
                const QImage image = window->grabWindow();
                if (image.isNull() || !image.save(path, "PNG")) {
                    std::fprintf(stderr, "mmtutor: could not save the screenshot to %s\n", qPrintable(path));
                    QCoreApplication::exit(1);
                    return;
                }
                std::printf("mmtutor: saved %dx%d screenshot to %s\n", image.width(), image.height(),
                            qPrintable(path));
                QCoreApplication::exit(0);
            });
        },
        Qt::ConnectionType(Qt::QueuedConnection | Qt::SingleShotConnection));
    QTimer::singleShot(10000 + kSettleMs, window, [] {
        std::fprintf(stderr, "mmtutor: no frame was rendered within 10 s; no screenshot\n");
        QCoreApplication::exit(1);
    });
}
