#include "screenshot.h"

#include <cstdio>

#include <QCoreApplication>
#include <QImage>
#include <QMouseEvent>
#include <QQuickWindow>
#include <QSGRendererInterface>
#include <QTimer>

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
            saveFirstFrame(window, path);
        },
        Qt::ConnectionType(Qt::QueuedConnection | Qt::SingleShotConnection));
}

void saveFirstFrame(QQuickWindow* window, const QString& path) {
    // Once, and queued: grab after the frame is finished, not inside its signal.
    QObject::connect(
        window, &QQuickWindow::frameSwapped, window,
        [window, path] {
            const QImage image = window->grabWindow();
            if (image.isNull() || !image.save(path, "PNG")) {
                std::fprintf(stderr, "mmtutor: could not save the screenshot to %s\n", qPrintable(path));
                QCoreApplication::exit(1);
                return;
            }
            std::printf("mmtutor: saved %dx%d screenshot to %s\n", image.width(), image.height(),
                        qPrintable(path));
            QCoreApplication::exit(0);
        },
        Qt::ConnectionType(Qt::QueuedConnection | Qt::SingleShotConnection));
    QTimer::singleShot(10000, window, [] {
        std::fprintf(stderr, "mmtutor: no frame was rendered within 10 s; no screenshot\n");
        QCoreApplication::exit(1);
    });
}
