#include "user_database.h"

#include "user_schema.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlQuery>

namespace store {

namespace {

constexpr int kSqliteCorrupt = 11;
constexpr int kSqliteNotADatabase = 26;

// What a read-only look at the file found. Only a file SQLite calls damaged
// is set aside; any other failure (busy, locked by another mmtutor, no
// permission) leaves the file alone, since nothing says it is damaged.
struct Probe {
    QString damaged; // why the file is damaged, or empty
    QString otherError;
    int version = 0;
};

Probe probeFile(const QString& path) {
    Probe probe;
    QFile readable(path);
    if (!readable.open(QIODevice::ReadOnly)) {
        probe.otherError = readable.errorString();
        return probe;
    }
    readable.close();
    SqliteConnection db;
    if (!db.open(path, OpenMode::readOnly)) {
        probe.otherError = db.error();
        return probe;
    }
    const QVariant check = db.scalar(QStringLiteral("PRAGMA quick_check"));
    if (!check.isValid()) {
        const bool damaged = db.errorCode() == kSqliteCorrupt || db.errorCode() == kSqliteNotADatabase;
        (damaged ? probe.damaged : probe.otherError) = db.error();
    } else if (check.toString() != QLatin1String("ok")) {
        probe.damaged = check.toString();
    } else {
        probe.version = db.scalar(QStringLiteral("PRAGMA user_version")).toInt();
    }
    return probe;
}

// user.sqlite.corrupt-20261125-224001, or with -2, -3... if that exists.
QString setAsideName(const QString& path) {
    const QString base = path + QStringLiteral(".corrupt-") +
                         QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString name = base;
    for (int n = 2; QFileInfo::exists(name); ++n)
        name = base + QLatin1Char('-') + QString::number(n);
    return name;
}

QString typeOf(const QVariant& value) {
    switch (value.typeId()) {
    case QMetaType::Bool:
        return QStringLiteral("bool");
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
    case QMetaType::Float:
        return QStringLiteral("number");
    default:
        return QStringLiteral("string");
    }
}

} // namespace

UserDatabase::UserDatabase(QString path) : path_(std::move(path)) {}

UserDatabaseReport UserDatabase::open(int upToVersion) {
    if (upToVersion < 0)
        upToVersion = kUserSchemaVersion;
    UserDatabaseReport report;
    const QFileInfo info(path_);
    if (!info.exists() || info.size() == 0) {
        report.state = UserDatabaseState::created;
        return create(report, upToVersion);
    }

    const Probe probe = probeFile(path_);
    const QString& damaged = probe.damaged;
    report.foundVersion = probe.version;
    if (!probe.otherError.isEmpty()) {
        report.state = UserDatabaseState::failed;
        report.message =
            QStringLiteral("Your saved progress (%1) could not be read (%2). It was left as it is; "
                           "nothing will be saved in this session.")
                .arg(path_, probe.otherError);
        return report;
    }
    if (!damaged.isEmpty()) {
        const QString aside = setAsideName(path_);
        if (!QFile::rename(path_, aside)) {
            report.state = UserDatabaseState::failed;
            report.message =
                QStringLiteral("Your saved progress file %1 is damaged (%2) and could not be moved "
                               "aside; it was left as it is and nothing will be saved this time.")
                    .arg(path_, damaged);
            return report;
        }
        // A journal of the damaged file belongs with it, not with the new one.
        for (const char* suffix : {"-wal", "-shm", "-journal"})
            if (QFileInfo::exists(path_ + QLatin1String(suffix)))
                QFile::rename(path_ + QLatin1String(suffix), aside + QLatin1String(suffix));
        report.state = UserDatabaseState::setAside;
        report.setAsidePath = aside;
        report.message =
            QStringLiteral("Your saved progress file was damaged (%1). It was kept as %2 and a new "
                           "one was started.")
                .arg(damaged, aside);
        return create(report, upToVersion);
    }
    if (report.foundVersion < 0) {
        report.state = UserDatabaseState::failed;
        report.message = QStringLiteral("Your saved progress (%1) has schema version %2, which no mmtutor writes. "
                                        "It was left as it is; nothing will be saved in this session.")
                             .arg(path_)
                             .arg(report.foundVersion);
        return report;
    }
    if (report.foundVersion > kUserSchemaVersion) {
        report.state = UserDatabaseState::refusedNewer;
        report.message =
            QStringLiteral("Your saved progress (%1) was written by a newer mmtutor (schema version "
                           "%2; this one knows up to %3). It was left untouched; update mmtutor to "
                           "use it. Nothing will be saved in this session.")
                .arg(path_)
                .arg(report.foundVersion)
                .arg(kUserSchemaVersion);
        return report;
    }
    report.state =
        report.foundVersion < upToVersion ? UserDatabaseState::upgraded : UserDatabaseState::opened;
    return create(report, upToVersion);
}

UserDatabaseReport UserDatabase::create(UserDatabaseReport report, int upToVersion) {
    QDir().mkpath(QFileInfo(path_).absolutePath());
    QString error;
    const bool ok =
        db_.open(path_, OpenMode::readWrite) && // In WAL mode NORMAL survives a crash of the app; only a
                                                // power cut may lose the last few commits (progress), never
                                                // corrupt the file. It spares an fsync a write.
        db_.exec(QStringLiteral("PRAGMA synchronous = NORMAL")) &&
        db_.exec(QStringLiteral("PRAGMA journal_mode = WAL")) &&
        db_.exec(QStringLiteral("PRAGMA foreign_keys = ON")) && migrate(schemaVersion(), upToVersion, &error) &&
        usable(upToVersion, &error);
    if (!ok) {
        report.state = UserDatabaseState::failed;
        report.message =
            QStringLiteral("Your saved progress (%1) could not be opened: %2. It was left as it was; "
                           "nothing will be saved in this session.")
                .arg(path_, error.isEmpty() ? db_.error() : error);
        db_.close();
    }
    return report;
}

// After the upgrade: the tables mmtutor keeps are all there (a file another
// program made can carry a schema version and nothing else), and the file
// takes a write (a read-only file would otherwise lose every save quietly).
bool UserDatabase::usable(int version, QString* error) {
    for (const char* table : {"progress", "answers", "settings", "scenarios", "user_lessons"}) {
        if (db_.scalar(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"),
                       {QString::fromLatin1(table)})
                .toInt() != 1) {
            *error = QStringLiteral("it has no table '%1', so it is not a file mmtutor wrote").arg(QLatin1String(table));
            return false;
        }
    }
    if (!db_.exec(QStringLiteral("PRAGMA user_version = %1").arg(version))) {
        *error = QStringLiteral("it cannot be written (%1)").arg(db_.error());
        return false;
    }
    return true;
}

bool UserDatabase::migrate(int from, int to, QString* error) {
    for (int version = from + 1; version <= to; ++version) {
        if (!db_.begin() || !migrateUserSchemaTo(version, db_) ||
            !db_.exec(QStringLiteral("PRAGMA user_version = %1").arg(version))) {
            *error =
                QStringLiteral("upgrading to schema version %1 failed: %2").arg(version).arg(db_.error());
            db_.rollback();
            return false;
        }
        if (!db_.commit()) {
            *error = QStringLiteral("committing schema version %1 failed: %2").arg(version).arg(db_.error());
            db_.rollback();
            return false;
        }
    }
    return true;
}

int UserDatabase::schemaVersion() {
    return db_.scalar(QStringLiteral("PRAGMA user_version")).toInt();
}

QHash<QString, LessonProgress> UserDatabase::allProgress() {
    QHash<QString, LessonProgress> out;
    if (!isOpen())
        return out;
    QSqlQuery q(db_.database());
    q.setForwardOnly(true);
    if (q.exec(QStringLiteral("SELECT lesson_id, current_step, completed, updated_at FROM progress")))
        while (q.next())
            out.insert(q.value(0).toString(),
                       {q.value(1).toInt(), q.value(2).toBool(), q.value(3).toString()});
    return out;
}

std::optional<LessonProgress> UserDatabase::progress(const QString& lessonId) {
    if (!isOpen())
        return std::nullopt;
    QSqlQuery q(db_.database());
    q.prepare(QStringLiteral("SELECT current_step, completed, updated_at FROM progress WHERE lesson_id = ?"));
    q.addBindValue(lessonId);
    if (!q.exec() || !q.next())
        return std::nullopt;
    return LessonProgress{q.value(0).toInt(), q.value(1).toBool(), q.value(2).toString()};
}

bool UserDatabase::setProgress(const QString& lessonId, int step) {
    return isOpen() && step >= 0 &&
           db_.exec(QStringLiteral("INSERT INTO progress (lesson_id, current_step, completed, updated_at) "
                                   "VALUES (?, ?, 0, ?) ON CONFLICT (lesson_id) DO UPDATE SET "
                                   "current_step = excluded.current_step, updated_at = excluded.updated_at"),
                    {lessonId, step, utcNow()});
}

bool UserDatabase::markComplete(const QString& lessonId) {
    return isOpen() &&
           db_.exec(QStringLiteral("INSERT INTO progress (lesson_id, current_step, completed, updated_at) "
                                   "VALUES (?, 0, 1, ?) ON CONFLICT (lesson_id) DO UPDATE SET "
                                   "completed = 1, updated_at = excluded.updated_at"),
                    {lessonId, utcNow()});
}

bool UserDatabase::resetLesson(const QString& lessonId) {
    if (!isOpen() || !db_.begin())
        return false;
    if (db_.exec(QStringLiteral("DELETE FROM progress WHERE lesson_id = ?"), {lessonId}) &&
        db_.exec(QStringLiteral("DELETE FROM answers WHERE lesson_id = ?"), {lessonId}) && db_.commit())
        return true;
    db_.rollback();
    return false;
}

bool UserDatabase::recordAnswer(const QString& lessonId, const QString& checkpoint, const QString& choice,
                                bool correct) {
    return isOpen() && db_.exec(QStringLiteral("INSERT INTO answers (lesson_id, checkpoint, choice, correct, "
                                               "answered_at) VALUES (?, ?, ?, ?, ?)"),
                                {lessonId, checkpoint, choice, correct ? 1 : 0, utcNow()});
}

std::vector<CheckpointAnswer> UserDatabase::answers(const QString& lessonId) {
    std::vector<CheckpointAnswer> out;
    if (!isOpen())
        return out;
    QSqlQuery q(db_.database());
    q.prepare(
        QStringLiteral("SELECT checkpoint, choice, correct, answered_at FROM answers WHERE lesson_id = ? "
                       "ORDER BY id"));
    q.addBindValue(lessonId);
    if (q.exec())
        while (q.next())
            out.push_back(
                {q.value(0).toString(), q.value(1).toString(), q.value(2).toBool(), q.value(3).toString()});
    return out;
}

QVariant UserDatabase::setting(const QString& key) {
    if (!isOpen())
        return {};
    QSqlQuery q(db_.database());
    q.prepare(QStringLiteral("SELECT value, type FROM settings WHERE key = ?"));
    q.addBindValue(key);
    if (!q.exec() || !q.next())
        return {};
    const QString value = q.value(0).toString();
    const QString type = q.value(1).toString();
    if (type == QLatin1String("bool"))
        return value == QLatin1String("true");
    if (type == QLatin1String("number"))
        return value.toDouble();
    return value;
}

bool UserDatabase::setSetting(const QString& key, const QVariant& value) {
    const QString type = typeOf(value);
    const QString text = type == QLatin1String("bool")
                             ? (value.toBool() ? QStringLiteral("true") : QStringLiteral("false"))
                             : value.toString();
    return isOpen() && !key.isEmpty() &&
           db_.exec(
               QStringLiteral("INSERT INTO settings (key, value, type) VALUES (?, ?, ?) ON CONFLICT (key) "
                              "DO UPDATE SET value = excluded.value, type = excluded.type"),
               {key, text, type});
}

bool UserDatabase::saveScenario(const QString& name, const QString& text) {
    return isOpen() && !name.isEmpty() &&
           db_.exec(
               QStringLiteral("INSERT INTO scenarios (name, text, saved_at) VALUES (?, ?, ?) ON CONFLICT "
                              "(name) DO UPDATE SET text = excluded.text, saved_at = excluded.saved_at"),
               {name, text, utcNow()});
}

std::vector<SavedScenario> UserDatabase::scenarios() {
    std::vector<SavedScenario> out;
    if (!isOpen())
        return out;
    QSqlQuery q(db_.database());
    if (q.exec(QStringLiteral("SELECT name, text, saved_at FROM scenarios ORDER BY saved_at DESC, name")))
        while (q.next())
            out.push_back({q.value(0).toString(), q.value(1).toString(), q.value(2).toString()});
    return out;
}

std::optional<SavedScenario> UserDatabase::scenario(const QString& name) {
    for (SavedScenario& s : scenarios())
        if (s.name == name)
            return std::move(s);
    return std::nullopt;
}

std::vector<LessonRecord> UserDatabase::userLessons() {
    std::vector<LessonRecord> out;
    QString error;
    if (isOpen())
        readLessons(db_, QStringLiteral("user_lessons"), LessonOrigin::user, false, &out, &error);
    return out;
}

QString UserDatabase::userLessonSource(const QString& id) {
    if (!isOpen())
        return {};
    return db_.scalar(QStringLiteral("SELECT source FROM user_lessons WHERE id = ?"), {id}).toString();
}

bool UserDatabase::writeUserLessons(const std::vector<UserLessonWrite>& lessons) {
    if (!isOpen() || !db_.begin())
        return false;
    int position = db_.scalar(QStringLiteral("SELECT COALESCE(MAX(position), 0) FROM user_lessons")).toInt();
    const QString now = utcNow();
    for (const UserLessonWrite& w : lessons) {
        // A replaced lesson may be shorter: progress past its end goes back
        // to its last step, not finished (its steps are not the ones done).
        const bool ok = (!w.replaces ||
                         (db_.exec(QStringLiteral("DELETE FROM user_lessons WHERE id = ?"), {w.lesson.id}) &&
                          db_.exec(QStringLiteral("UPDATE progress SET current_step = ?, completed = 0 "
                                                  "WHERE lesson_id = ? AND current_step > ?"),
                                   {w.lesson.stepCount, w.lesson.id, w.lesson.stepCount}))) &&
                        insertLesson(db_, QStringLiteral("user_lessons"), w.lesson, ++position,
                                     {w.origin, now}, {QStringLiteral("origin"), QStringLiteral("added_at")});
        if (!ok) {
            db_.rollback();
            return false;
        }
    }
    if (db_.commit())
        return true;
    db_.rollback();
    return false;
}

} // namespace store
