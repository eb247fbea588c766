#include "user_schema.h"

#include <QSqlQuery>
#include <QStringList>

namespace store {

namespace {

bool runAll(SqliteConnection& db, const QStringList& statements) {
    for (const QString& sql : statements)
        if (!db.exec(sql))
            return false;
    return true;
}

bool migrateTo1(SqliteConnection& db) {
    return runAll(
        db, {
                QStringLiteral("CREATE TABLE settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)"),
                QStringLiteral("CREATE TABLE progress (lesson_id TEXT PRIMARY KEY NOT NULL, "
                               "current_step INTEGER NOT NULL CHECK (current_step >= 0), "
                               "completed INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL)"),
                QStringLiteral("CREATE TABLE answers (id INTEGER PRIMARY KEY, lesson_id TEXT NOT NULL, "
                               "checkpoint TEXT NOT NULL, choice TEXT NOT NULL, correct INTEGER NOT NULL)"),
                QStringLiteral("CREATE TABLE scenarios (name TEXT PRIMARY KEY NOT NULL, text TEXT NOT NULL, "
                               "saved_at TEXT NOT NULL)"),
                QStringLiteral(
                    "CREATE TABLE user_lessons (id TEXT PRIMARY KEY NOT NULL, file TEXT NOT NULL, "
                    "title TEXT NOT NULL, summary TEXT NOT NULL, level TEXT NOT NULL, "
                    "minutes INTEGER NOT NULL, prerequisites TEXT NOT NULL, status TEXT NOT NULL, "
                    "step_count INTEGER NOT NULL, checkpoint_count INTEGER NOT NULL, source TEXT NOT NULL, "
                    "position INTEGER NOT NULL, origin TEXT NOT NULL, added_at TEXT NOT NULL)"),
            });
}

// Which type a version-1 setting most likely had: what the app wrote with
// setSetting was a bool ("true"/"false"), a number, or text.
QString inferredType(const QString& value) {
    if (value == QLatin1String("true") || value == QLatin1String("false"))
        return QStringLiteral("bool");
    bool number = false;
    value.toDouble(&number);
    return number ? QStringLiteral("number") : QStringLiteral("string");
}

bool migrateTo2(SqliteConnection& db) {
    if (!runAll(db, {
                        // Answers saved before have no time: NULL says "unknown", not "now".
                        QStringLiteral("ALTER TABLE answers ADD COLUMN answered_at TEXT"),
                        QStringLiteral("CREATE INDEX answers_by_lesson ON answers (lesson_id, id)"),
                        QStringLiteral("ALTER TABLE settings ADD COLUMN type TEXT NOT NULL DEFAULT 'string' "
                                       "CHECK (type IN ('string', 'number', 'bool'))"),
                    }))
        return false;
    QSqlQuery q(db.database());
    if (!q.exec(QStringLiteral("SELECT key, value FROM settings")))
        return false;
    QList<std::pair<QString, QString>> types;
    while (q.next())
        types.append({q.value(0).toString(), inferredType(q.value(1).toString())});
    q.finish();
    for (const auto& [key, type] : types)
        if (!db.exec(QStringLiteral("UPDATE settings SET type = ? WHERE key = ?"), {type, key}))
            return false;
    return true;
}

} // namespace

bool migrateUserSchemaTo(int version, SqliteConnection& db) {
    switch (version) {
    case 1:
        return migrateTo1(db);
    case 2:
        return migrateTo2(db);
    default:
        return false;
    }
}

} // namespace store
