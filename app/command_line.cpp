#include "command_line.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <QCommandLineParser>
#include <QGuiApplication>
#include <QRegularExpression>

bool runsWithoutDisplay(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view argument = argv[i];
        if (argument == "--")
            break;
        if (argument == "--screenshot" || argument.starts_with("--screenshot=") || argument == "--help" ||
            argument == "--help-all" || argument == "-h" || argument == "-?" || argument == "--version" ||
            argument == "-v")
            return true;
    }
    return false;
}

namespace {

[[noreturn]] void failWithUsage(const QCommandLineParser& parser, const QString& message) {
    std::fprintf(stderr, "mmtutor: %s\n\n%s", qPrintable(message), qPrintable(parser.helpText()));
    std::exit(2);
}

// "1280x720" -> QSize(1280, 720); anything else -> an invalid QSize.
QSize parseSize(const QString& text) {
    static const QRegularExpression pattern(QStringLiteral("^([1-9][0-9]{0,4})x([1-9][0-9]{0,4})$"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return {};
    return {match.captured(1).toInt(), match.captured(2).toInt()};
}

} // namespace

LaunchOptions parseLaunchOptions(const QGuiApplication& app) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "mmtutor: a teaching tool for Linux memory management\n"
        "\n"
        "Eras: a is the kernel up to v5.7 (a write fault reuses a page by mapcount), b is v5.9 to\n"
        "v5.17 (page_count decides), c is v6.2 (PG_anon_exclusive). Lessons and progress are kept\n"
        "in user.sqlite in $MMTUTOR_DATA_DIR, else in ~/.local/share/mmtutor. Without a\n"
        "file, the lesson catalog opens."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Render the window offscreen once it has settled (under a second), save it as a PNG "
                       "file and exit."),
        QStringLiteral("file"));
    const QCommandLineOption sizeOption(
        QStringLiteral("size"), QStringLiteral("Window size, for example 1280x720."), QStringLiteral("WxH"));
    const QCommandLineOption eraOption(
        QStringLiteral("era"), QStringLiteral("Kernel semantics: a, b or c (overrides the file's era line)."),
        QStringLiteral("a|b|c"));
    const QCommandLineOption gotoOption(
        QStringLiteral("goto"),
        QStringLiteral("Open at the state after the N-th command (past the last: the end)."),
        QStringLiteral("N"));
    const QCommandLineOption themeOption(QStringLiteral("theme"), QStringLiteral("light, dark or contrast."),
                                         QStringLiteral("name"));
    parser.addPositionalArgument(QStringLiteral("FILE.mmt"), QStringLiteral("A scenario to open."),
                                 QStringLiteral("[FILE.mmt]"));
    parser.addOption(eraOption);
    parser.addOption(gotoOption);
    parser.addOption(themeOption);
    parser.addOption(screenshotOption);
    parser.addOption(sizeOption);
    const QCommandLineOption clickOption(
        QStringLiteral("click"),
        QStringLiteral("With --screenshot: click at X,Y in the window first (to select an object)."),
        QStringLiteral("X,Y"));
    parser.addOption(clickOption);
    const QCommandLineOption exploreOption(
        QStringLiteral("explore"),
        QStringLiteral("Run every interleaving of the file's first race block and open the shortest one "
                       "that breaks an invariant, at its first breach; if none does, the shortest one "
                       "that leaves a pin incoherent after a later write, at that write "
                       "(docs/races.md)."));
    parser.addOption(exploreOption);
    const QCommandLineOption lessonOption(
        QStringLiteral("lesson"), QStringLiteral("Play a lesson: a .lesson file, or the id of a lesson in the catalog, such as "
                       "fork-and-cow (mmtutor-cli lessons list shows them all)."),
        QStringLiteral("FILE|ID"));
    const QCommandLineOption lessonStepOption(
        QStringLiteral("lesson-step"), QStringLiteral("With --lesson: open at step N (0: the introduction)."),
        QStringLiteral("N"));
    const QCommandLineOption lessonRevealOption(
        QStringLiteral("lesson-reveal"), QStringLiteral("With --lesson-step: show the step after its command ran."));
    parser.addOption(lessonOption);
    parser.addOption(lessonStepOption);
    parser.addOption(lessonRevealOption);
    if (!parser.parse(app.arguments()))
        failWithUsage(parser, parser.errorText());
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        failWithUsage(parser, QStringLiteral("unexpected argument '%1'").arg(positional.at(1)));

    LaunchOptions options;
    if (!positional.isEmpty())
        options.scenarioPath = positional.first();
    options.explore = parser.isSet(exploreOption);
    options.lessonPath = parser.value(lessonOption);
    if (!options.lessonPath.isEmpty() && !options.scenarioPath.isEmpty())
        failWithUsage(parser, QStringLiteral("give either a scenario file or --lesson, not both"));
    if (parser.isSet(lessonStepOption)) {
        bool ok = false;
        options.lessonStep = parser.value(lessonStepOption).toInt(&ok);
        if (!ok || options.lessonStep < 0 || options.lessonPath.isEmpty())
            failWithUsage(parser, QStringLiteral("--lesson-step wants a step number, 0 or more, with --lesson"));
    }
    options.lessonReveal = parser.isSet(lessonRevealOption);
    if (options.explore && options.scenarioPath.isEmpty())
        failWithUsage(parser, QStringLiteral("--explore needs a scenario file with a race block"));
    if (parser.isSet(eraOption)) {
        options.era = parser.value(eraOption);
        if (options.era != QLatin1String("a") && options.era != QLatin1String("b") &&
            options.era != QLatin1String("c"))
            failWithUsage(parser, QStringLiteral("--era wants a, b or c"));
    }
    if (parser.isSet(gotoOption)) {
        bool ok = false;
        options.gotoCommand = parser.value(gotoOption).toInt(&ok);
        if (!ok || options.gotoCommand < 0)
            failWithUsage(parser, QStringLiteral("--goto wants a command count, 0 or more"));
    }
    if (parser.isSet(themeOption)) {
        options.theme = parser.value(themeOption);
        if (options.theme != QLatin1String("light") && options.theme != QLatin1String("dark") &&
            options.theme != QLatin1String("contrast"))
            failWithUsage(parser, QStringLiteral("--theme wants light, dark or contrast"));
    }
    options.screenshotPath = parser.value(screenshotOption);
    if (parser.isSet(screenshotOption) && options.screenshotPath.isEmpty())
        failWithUsage(parser, QStringLiteral("--screenshot needs a file name"));
    if (parser.isSet(sizeOption)) {
        options.windowSize = parseSize(parser.value(sizeOption));
        if (!options.windowSize.isValid())
            failWithUsage(parser, QStringLiteral("--size wants WxH, for example 1280x720"));
    }
    if (parser.isSet(clickOption)) {
        const QStringList xy = parser.value(clickOption).split(QLatin1Char(','));
        bool okX = false;
        bool okY = false;
        if (xy.size() == 2)
            options.click = QPoint(xy[0].toInt(&okX), xy[1].toInt(&okY));
        if (!okX || !okY || options.click.x() < 0 || options.click.y() < 0)
            failWithUsage(parser, QStringLiteral("--click wants X,Y, for example 300,110"));
    }
    return options;
}
