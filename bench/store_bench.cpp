// mmtutor-store-bench: figures for the lesson store (docs/store.md), each
// next to its goal. Not a test: it prints, it does not judge.
//   - opening the catalog: Library's constructor (bundled database from the
//     resource, the user database, the model), cold (empty cache and data
//     directories) and warm (the bundle copied already, a user database with
//     progress), the median and worst of 20 runs;
//   - importing a generated 100-lesson pack (lessons derived from the bundled
//     ones under new ids) into a fresh user database: every lesson parsed and
//     checked against the engine, then one transaction; median of 5 runs
//     (with engine_memory.h's allocator setting, as the app has it);
//   - the peak RSS of the whole run.
#include "bundled_lessons.h"
#include "lesson_pack.h"
#include "library.h"
#include "user_database.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sys/resource.h>
#include <vector>

#include <QCoreApplication>
#include <QDir>
#include <QTemporaryDir>

namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

void report(const char* what, const std::vector<double>& runs, double goal) {
    const double worst = *std::max_element(runs.begin(), runs.end());
    std::printf("%-52s median %7.2f ms  worst %7.2f ms  (goal <= %.0f ms: %s)\n", what, median(runs), worst,
                goal, median(runs) <= goal ? "met" : "MISSED");
}

std::vector<double> catalogRuns(bool cold) {
    std::vector<double> runs;
    QTemporaryDir warmData, warmCache;
    if (!cold) {
        qputenv("MMTUTOR_CACHE_DIR", warmCache.path().toUtf8());
        Library first(warmData.path(), nullptr);
        for (int i = 0; i < first.catalog()->rowCount(); i += 2)
            (void)first.setProgress(first.catalog()->get(i)[QStringLiteral("lessonId")].toString(), 3);
    }
    for (int run = 0; run < 20; ++run) {
        QTemporaryDir coldData, coldCache;
        if (cold)
            qputenv("MMTUTOR_CACHE_DIR", coldCache.path().toUtf8());
        const auto start = Clock::now();
        Library library(cold ? coldData.path() : warmData.path(), nullptr);
        const int rows = library.catalog()->rowCount();
        runs.push_back(millisecondsSince(start));
        if (rows != 14)
            std::fprintf(stderr, "unexpected catalog size %d\n", rows);
    }
    return runs;
}

// 100 lessons: the bundled ones again and again, each under a new id.
std::vector<store::LessonRecord> generatedLessons(store::BundledLessons& bundled) {
    std::vector<store::LessonRecord> out;
    for (int n = 0; out.size() < 100; ++n) {
        const store::LessonRecord& base =
            bundled.lessons()[static_cast<size_t>(n) % bundled.lessons().size()];
        store::LessonRecord copy = base;
        copy.id = QStringLiteral("%1-copy%2").arg(base.id).arg(n);
        copy.source = bundled.source(base.id);
        copy.source.replace(QStringLiteral("id: ") + base.id + QLatin1Char('\n'),
                            QStringLiteral("id: ") + copy.id + QLatin1Char('\n'));
        out.push_back(std::move(copy));
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    std::printf("mmtutor-store-bench (build type %s)\n", MMTUTOR_BUILD_TYPE);

    report("open the catalog, cold (copy bundle, new user db)", catalogRuns(true), 20);
    report("open the catalog, warm (bundle cached, progress)", catalogRuns(false), 20);

    QTemporaryDir work;
    store::BundledLessons bundled;
    if (!bundled.openResource(work.filePath(QStringLiteral("cache")))) {
        std::fprintf(stderr, "%s\n", qPrintable(bundled.error()));
        return 1;
    }
    const QString pack = work.filePath(QStringLiteral("hundred.mmtpack"));
    QString error;
    if (!store::exportPack(pack, generatedLessons(bundled), &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    store::KnownLessons known;
    for (const store::LessonRecord& l : bundled.lessons())
        known.bundled.insert(l.id);
    std::vector<double> runs;
    for (int run = 0; run < 5; ++run) {
        store::UserDatabase user(work.filePath(QStringLiteral("user-%1.sqlite").arg(run)));
        (void)user.open();
        const auto start = Clock::now();
        const store::PackImport result = store::importPack(pack, user, known, {});
        runs.push_back(millisecondsSince(start));
        if (!result.ok || result.imported.size() != 100) {
            std::fprintf(stderr, "import failed: %s\n", qPrintable(result.error));
            return 1;
        }
    }
    report("import a 100-lesson pack (validate + write)", runs, 500);

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf("%-52s %ld MB\n", "peak RSS", usage.ru_maxrss / 1024);
    return 0;
}
