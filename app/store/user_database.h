// The user's saved state, in one SQLite file (normally
// AppDataLocation/user.sqlite): lesson progress, checkpoint answers, typed
// settings, saved scenarios and the user's own or imported lessons.
//
// Opening never loses what was saved:
// - a file with a newer schema than this build knows is refused and left
//   byte for byte as it was (the session then saves nothing);
// - a file SQLite cannot read, or that fails `PRAGMA quick_check`, is renamed
//   to user.sqlite.corrupt-YYYYMMDD-HHMMSS (never deleted) and a new one is
//   started;
// - an older schema is upgraded one version at a time, each step in its own
//   transaction that ends by setting PRAGMA user_version (user_schema.h).
// The report says which of these happened, in words the UI can show.
#pragma once

#include "lesson_record.h"
#include "sqlite_connection.h"

#include <optional>
#include <vector>

#include <QHash>
#include <QString>
#include <QVariant>

namespace store {

enum class UserDatabaseState {
    created,      // there was no file (or an empty one): a new database
    opened,       // the file had the current schema
    upgraded,     // the file had an older schema and was migrated
    setAside,     // the file was damaged: renamed, and a new one created
    refusedNewer, // the file's schema is newer than this build: left untouched, not open
    failed,       // the file could not be opened or migrated: not open
};

struct UserDatabaseReport {
    UserDatabaseState state = UserDatabaseState::failed;
    int foundVersion = 0; // PRAGMA user_version on disk before opening (0: new)
    QString setAsidePath; // setAside: where the damaged file went
    QString message;      // for the user; empty for created, opened and upgraded
};

struct LessonProgress {
    int currentStep = 0; // 0-based
    bool completed = false;
    QString updatedAt;
};

struct CheckpointAnswer {
    QString checkpoint;
    QString choice;
    bool correct = false;
    QString answeredAt; // empty for answers saved before schema version 2
};

struct SavedScenario {
    QString name;
    QString text;
    QString savedAt;
};

// A user lesson to write (see lesson_pack.h): replacing drops the old row first.
struct UserLessonWrite {
    LessonRecord lesson;
    QString origin; // "imported from course.mmtpack", "own"
    bool replaces = false;
};

class UserDatabase {
public:
    explicit UserDatabase(QString path);

    // Opens, setting aside or refusing as the header says. `upToVersion` is
    // for tests that need an old schema; the app always takes the default.
    UserDatabaseReport open(int upToVersion = -1);
    bool isOpen() const { return db_.isOpen(); }
    QString path() const { return path_; }
    QString error() const { return db_.error(); }
    int schemaVersion();

    // Progress and answers
    QHash<QString, LessonProgress> allProgress();
    std::optional<LessonProgress> progress(const QString& lessonId);
    bool setProgress(const QString& lessonId, int step);
    bool markComplete(const QString& lessonId);
    bool resetLesson(const QString& lessonId); // progress and answers
    bool recordAnswer(const QString& lessonId, const QString& checkpoint, const QString& choice,
                      bool correct);
    std::vector<CheckpointAnswer> answers(const QString& lessonId);

    // Settings keep their type: QString, double/int, bool.
    QVariant setting(const QString& key);
    bool setSetting(const QString& key, const QVariant& value);

    // Scenarios, by name; saving an existing name replaces its text.
    bool saveScenario(const QString& name, const QString& text);
    std::vector<SavedScenario> scenarios(); // newest first, text included
    std::optional<SavedScenario> scenario(const QString& name);

    // The user's lessons (catalog fields; sources on request).
    std::vector<LessonRecord> userLessons();
    QString userLessonSource(const QString& id);
    // All or nothing, in one transaction.
    bool writeUserLessons(const std::vector<UserLessonWrite>& lessons);

    SqliteConnection& connection() { return db_; }

private:
    UserDatabaseReport create(UserDatabaseReport report, int upToVersion);
    bool migrate(int from, int to, QString* error);
    bool usable(int version, QString* error);

    QString path_;
    SqliteConnection db_;
};

} // namespace store
