// The application's command line: what a user or a test asks mmtutor to do.
#pragma once

#include <QPoint>
#include <QSize>
#include <QString>

class QGuiApplication;

struct LaunchOptions {
    QString scenarioPath;   // empty: start with no scenario
    QString era;            // "a", "b", "c"; empty: the file's `era` line
    int gotoCommand = -1;   // show the state after this many commands; -1: the start
    QString theme;          // "light", "dark", "contrast"; empty: light
    QString screenshotPath; // empty: run interactively
    QSize windowSize;       // invalid: the size Main.qml asks for
    QPoint click{-1, -1};   // --click: a left click there before the screenshot
    QString lessonPath;     // --lesson: a .lesson file to play
    int lessonStep = 0;     // --lesson-step: 0 the introduction, N the N-th step
    bool lessonReveal = false; // --lesson-reveal: that step's command has run, answers shown
    bool explore = false;   // --explore: open the race block's shortest breaking interleaving
};

// True when argv asks for something that needs no display: --screenshot,
// --help or --version. Scans the raw arguments because the platform must be
// chosen before QGuiApplication exists.
[[nodiscard]] bool runsWithoutDisplay(int argc, char** argv);

// Parses the arguments QGuiApplication left. Prints help or version and exits
// 0, or prints the error and exits 2, as command-line tools do.
[[nodiscard]] LaunchOptions parseLaunchOptions(const QGuiApplication& app);
