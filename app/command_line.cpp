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
    parser.setApplicationDescription(QStringLiteral("mmtutor: a teaching tool for Linux memory management"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Render the first frame offscreen, save it as a PNG file and exit."),
        QStringLiteral("file"));
    const QCommandLineOption sizeOption(
        QStringLiteral("size"), QStringLiteral("Window size, for example 1280x720."), QStringLiteral("WxH"));
    parser.addOption(screenshotOption);
    parser.addOption(sizeOption);
    if (!parser.parse(app.arguments()))
        failWithUsage(parser, parser.errorText());
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty())
        failWithUsage(parser,
                      QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));

    LaunchOptions options;
    options.screenshotPath = parser.value(screenshotOption);
    if (parser.isSet(screenshotOption) && options.screenshotPath.isEmpty())
        failWithUsage(parser, QStringLiteral("--screenshot needs a file name"));
    if (parser.isSet(sizeOption)) {
        options.windowSize = parseSize(parser.value(sizeOption));
        if (!options.windowSize.isValid())
            failWithUsage(parser, QStringLiteral("--size wants WxH, for example 1280x720"));
    }
    return options;
}
