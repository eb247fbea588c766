#include "lesson_store_command.h"

#include "bundled_lessons.h"
#include "lesson_pack.h"
#include "store_paths.h"
#include "user_database.h"

#include <algorithm>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace mmt {

namespace {

// Qt SQL loads its driver as a plugin and QStandardPaths names the data
// directory after the application: both want a QCoreApplication, named as
// the GUI names itself so that both find the same user.sqlite.
class StoreContext {
public:
    StoreContext() {
        if (!QCoreApplication::instance())
            app_ = std::make_unique<QCoreApplication>(argc_, argv_);
        QCoreApplication::setApplicationName(QStringLiteral("mmtutor"));
    }

private:
    static inline int argc_ = 1;
    static inline char name_[] = "mmtutor-cli";
    static inline char* argv_[] = {name_, nullptr};
    std::unique_ptr<QCoreApplication> app_;
};

int usage(const std::string& message) {
    std::cerr << "mmtutor-cli lessons: " << message << "\n\nusage:\n"
              << "       mmtutor-cli lessons export ID... -o PACK [--force]\n"
              << "       mmtutor-cli lessons import PACK [--keep-both|--replace]\n";
    return 2;
}

QString userDatabasePath() {
    return QDir(store::defaultDataDirectory()).filePath(QStringLiteral("user.sqlite"));
}

// Opens the user database, saying so on stderr if it was set aside or refused.
std::unique_ptr<store::UserDatabase> openUser() {
    auto user = std::make_unique<store::UserDatabase>(userDatabasePath());
    const store::UserDatabaseReport report = user->open();
    if (!report.message.isEmpty())
        std::cerr << "mmtutor-cli: " << qPrintable(report.message) << "\n";
    return user;
}

bool openBundle(store::BundledLessons* bundled) {
    if (bundled->openResource(store::defaultCacheDirectory()))
        return true;
    std::cerr << "mmtutor-cli: " << qPrintable(bundled->error()) << "\n";
    return false;
}

} // namespace

int cli_lessons_export(const std::vector<std::string>& args) {
    std::vector<QString> ids;
    std::optional<QString> output;
    bool force = false;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "-o" || args[i] == "--output") {
            if (i + 1 >= args.size())
                return usage("-o needs a pack file name");
            output = QString::fromStdString(args[++i]);
        } else if (args[i] == "--force") {
            force = true;
        } else if (!args[i].empty() && args[i][0] == '-') {
            return usage("unknown option '" + args[i] + "'");
        } else if (std::find(ids.begin(), ids.end(), QString::fromStdString(args[i])) == ids.end()) {
            ids.push_back(QString::fromStdString(args[i])); // a lesson named twice is exported once
        }
    }
    if (ids.empty())
        return usage("export needs at least one lesson id");
    if (!output)
        return usage("export needs -o PACK");
    if (QFileInfo::exists(*output) && !force) {
        std::cerr << "mmtutor-cli lessons: " << qPrintable(*output)
                  << " exists already; pass --force to replace it\n";
        return 2;
    }
    StoreContext context;
    store::BundledLessons bundled;
    if (!openBundle(&bundled))
        return 1;
    std::unique_ptr<store::UserDatabase> user;
    if (QFileInfo::exists(userDatabasePath()))
        user = openUser();
    std::vector<store::LessonRecord> lessons;
    for (const QString& id : ids) {
        store::LessonRecord record;
        record.id = id;
        record.source = bundled.source(id);
        if (record.source.isEmpty() && user)
            record.source = user->userLessonSource(id);
        if (record.source.isEmpty()) {
            std::cerr << "mmtutor-cli lessons: no lesson with id " << qPrintable(id)
                      << " (neither bundled nor yours)\n";
            return 1;
        }
        lessons.push_back(std::move(record));
    }
    QString error;
    if (!store::exportPack(*output, lessons, &error)) {
        std::cerr << qPrintable(error) << "\n";
        return 1;
    }
    std::cout << "exported " << lessons.size() << (lessons.size() == 1 ? " lesson" : " lessons") << " to "
              << qPrintable(*output) << "\n";
    return 0;
}

int cli_lessons_import(const std::vector<std::string>& args) {
    std::optional<QString> pack;
    std::optional<store::PackResolution> resolution;
    for (const std::string& a : args) {
        if (a == "--keep-both" || a == "--replace") {
            if (resolution)
                return usage("give one of --keep-both and --replace");
            resolution = a == "--replace" ? store::PackResolution::replace : store::PackResolution::keepBoth;
        } else if (!a.empty() && a[0] == '-') {
            return usage("unknown option '" + a + "'");
        } else if (!pack) {
            pack = QString::fromStdString(a);
        } else {
            return usage("import takes one pack");
        }
    }
    if (!pack)
        return usage("import needs a pack file");
    StoreContext context;
    store::BundledLessons bundled;
    if (!openBundle(&bundled))
        return 1;
    std::unique_ptr<store::UserDatabase> user = openUser();
    if (!user->isOpen())
        return 1;
    store::KnownLessons known;
    for (const store::LessonRecord& l : bundled.lessons())
        known.bundled.insert(l.id);
    for (const store::LessonRecord& l : user->userLessons())
        known.user.insert(l.id);

    const store::PackInspection inspection = store::inspectPack(*pack, known);
    if (!inspection.ok) {
        std::cerr << qPrintable(inspection.error) << "\n";
        return 1;
    }
    QHash<QString, store::PackResolution> resolutions;
    QStringList conflicts;
    for (const store::PackLesson& l : inspection.lessons) {
        if (l.conflict == store::PackConflict::none)
            continue;
        conflicts << l.lesson.id + (l.conflict == store::PackConflict::bundled ? QStringLiteral(" (bundled)")
                                                                               : QStringLiteral(" (yours)"));
        if (resolution)
            resolutions.insert(l.lesson.id, *resolution);
    }
    if (!conflicts.isEmpty() && !resolution) {
        std::cerr << qPrintable(QFileInfo(*pack).fileName())
                  << ": these lessons exist already: " << qPrintable(conflicts.join(QStringLiteral(", ")))
                  << "\nnothing was imported; run again with --keep-both (the imported lessons get new ids) "
                     "or --replace (replaces your lessons; bundled ones cannot be replaced)\n";
        return 1;
    }
    const store::PackImport result = store::importPack(*pack, *user, known, resolutions);
    if (!result.ok) {
        std::cerr << qPrintable(result.error) << "\n";
        return 1;
    }
    std::cout << "imported " << result.imported.size()
              << (result.imported.size() == 1 ? " lesson" : " lessons") << " into "
              << qPrintable(user->path()) << ": " << qPrintable(result.imported.join(QStringLiteral(", ")))
              << "\n";
    return 0;
}

bool cli_list_user_lessons() {
    StoreContext context;
    if (!QFileInfo::exists(userDatabasePath()))
        return true;
    std::unique_ptr<store::UserDatabase> user = openUser();
    if (!user->isOpen())
        return false;
    for (const store::LessonRecord& l : user->userLessons())
        std::cout << std::left << std::setw(28) << qPrintable(l.id) << std::setw(14) << qPrintable(l.level)
                  << std::right << std::setw(3) << l.minutes << " min  " << qPrintable(l.title)
                  << (l.status == QLatin1String("draft") ? " (draft)" : "") << " (yours)\n";
    return true;
}

} // namespace mmt
