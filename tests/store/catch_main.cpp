// The store tests need a QCoreApplication (Qt SQL loads its SQLite driver as
// a plugin) and a cache directory of their own for the bundled lessons.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <QCoreApplication>
#include <QStandardPaths>
#include <QTemporaryDir>

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir cache;
    qputenv("MMTUTOR_CACHE_DIR", cache.path().toUtf8());
    return Catch::Session().run(argc, argv);
}
