// mmtutor --screenshot: render one frame without a display or GPU and save it.
// Documentation images and the application smoke test are made this way.
#pragma once

#include <QPoint>
#include <QString>

class QQuickWindow;

// Chooses the offscreen platform (unless QT_QPA_PLATFORM says otherwise) and
// Qt Quick's software renderer, so the same pixels come out on every machine.
// Must run before QGuiApplication is constructed.
void prepareOffscreenRendering();

// Once the window has rendered its first frame and settled (scrolled to what
// a lesson step points at, transitions over), grabs it, saves it to path as
// PNG and quits the application: exit code 0 when saved, 1 when saving failed
// or no frame came within ten seconds.
void saveSettledFrame(QQuickWindow* window, const QString& path);
// The same, but once the first frame is out, clicks the left button at `point`
// (window coordinates) and saves the frame after that.
void saveFrameAfterClick(QQuickWindow* window, QPoint point, const QString& path);
