#include "lesson_pack.h"

#include "engine_memory.h"
#include "sqlite_connection.h"

#include <QFile>
#include <QFileInfo>
#include <QSqlQuery>

namespace store {

QString conflictName(PackConflict conflict) {
    switch (conflict) {
    case PackConflict::bundled:
        return QStringLiteral("bundled");
    case PackConflict::user:
        return QStringLiteral("user");
    case PackConflict::none:
        break;
    }
    return {};
}

// What may be replaced by a new pack: nothing yet, or a lesson pack. A
// device, a directory or any other file (the user database above all) is
// refused, --force or not: exporting must never destroy data.
bool replaceable(const QString& path, QString* error) {
    const QFileInfo info(path);
    if (!info.exists() && !info.isSymLink())
        return true;
    if (!info.isFile() || info.isSymLink()) {
        *error = QStringLiteral("%1: not a regular file; a pack is written only over nothing or another pack")
                     .arg(path);
        return false;
    }
    if (info.size() == 0)
        return true;
    SqliteConnection db;
    const bool pack = db.open(path, OpenMode::readOnly) &&
                      db.scalar(QStringLiteral("SELECT value FROM meta WHERE key = 'format'")).toString() ==
                          QLatin1String(kPackFormat);
    db.close();
    if (!pack) {
        *error = QStringLiteral("%1: exists and is not a lesson pack; it is left as it is (choose another name)")
                     .arg(path);
        return false;
    }
    return true;
}

bool exportPack(const QString& path, const std::vector<LessonRecord>& lessons, QString* error) {
    if (path.isEmpty()) {
        *error = QStringLiteral("no pack file name given");
        return false;
    }
    if (!replaceable(path, error))
        return false;
    const QString temporary = path + QStringLiteral(".part");
    QFile::remove(temporary);
    {
        SqliteConnection db;
        bool ok =
            db.open(temporary, OpenMode::readWrite) && db.begin() &&
            db.exec(
                QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)")) &&
            db.exec(QStringLiteral("CREATE TABLE lessons (position INTEGER PRIMARY KEY, id TEXT NOT NULL, "
                                   "source TEXT NOT NULL)"));
        const QList<std::pair<QString, QVariant>> meta{
            {QStringLiteral("format"), QString::fromLatin1(kPackFormat)},
            {QStringLiteral("format_version"), kPackFormatVersion},
            {QStringLiteral("created_at"), utcNow()},
            {QStringLiteral("lesson_count"), static_cast<int>(lessons.size())},
        };
        for (const auto& [key, value] : meta)
            ok = ok && db.exec(QStringLiteral("INSERT INTO meta VALUES (?, ?)"), {key, value});
        int position = 0;
        for (const LessonRecord& l : lessons)
            ok = ok && db.exec(QStringLiteral("INSERT INTO lessons VALUES (?, ?, ?)"),
                               {++position, l.id, l.source});
        ok = ok && db.commit();
        if (!ok) {
            *error = QStringLiteral("%1: cannot write the pack: %2").arg(path, db.error());
            db.close();
            QFile::remove(temporary);
            return false;
        }
    }
    QFile::remove(path);
    if (!QFile::rename(temporary, path)) {
        *error = QStringLiteral("%1: cannot move the written pack into place").arg(path);
        QFile::remove(temporary);
        return false;
    }
    return true;
}

namespace {

struct PackReader {
    QString label; // the pack's file name, first word of every error
    PackInspection result;

    bool fail(const QString& message) {
        result.ok = false;
        result.error = label + QStringLiteral(": ") + message;
        return false;
    }
};

bool hasTable(SqliteConnection& db, const QString& table) {
    return db.scalar(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"),
                     {table})
               .toInt() == 1;
}

bool readHeader(PackReader& r, SqliteConnection& db) {
    if (!hasTable(db, QStringLiteral("meta")))
        return r.fail(QStringLiteral("missing table 'meta' (not a lesson pack)"));
    const QString format =
        db.scalar(QStringLiteral("SELECT value FROM meta WHERE key = 'format'")).toString();
    if (format != QLatin1String(kPackFormat))
        return r.fail(QStringLiteral("not a lesson pack (meta format is '%1', expected '%2')")
                          .arg(format, kPackFormat));
    bool number = false;
    const int version = db.scalar(QStringLiteral("SELECT value FROM meta WHERE key = 'format_version'"))
                            .toString()
                            .toInt(&number);
    if (!number || version < 1)
        return r.fail(QStringLiteral("meta format_version is missing or not a number"));
    if (version > kPackFormatVersion)
        return r.fail(
            QStringLiteral("pack format version %1 is newer than this mmtutor reads (%2); update mmtutor")
                .arg(version)
                .arg(kPackFormatVersion));
    if (!hasTable(db, QStringLiteral("lessons")))
        return r.fail(QStringLiteral("missing table 'lessons'"));
    QSet<QString> columns;
    QSqlQuery q(db.database());
    q.exec(QStringLiteral("PRAGMA table_info(lessons)"));
    while (q.next())
        columns.insert(q.value(1).toString());
    for (const char* needed : {"position", "id", "source"})
        if (!columns.contains(QLatin1String(needed)))
            return r.fail(QStringLiteral("table 'lessons' has no column '%1'").arg(needed));
    return true;
}

QString problemText(const QString& id, const mmt::LessonProblem& p) {
    QString where = QStringLiteral("line %1").arg(p.line);
    if (p.column)
        where += QStringLiteral(", column %1").arg(p.column);
    return QStringLiteral("lesson '%1', %2: %3").arg(id, where, QString::fromStdString(p.message));
}

// Every lesson row: limits, ids, parse and check; all problems are collected.
bool readLessons(PackReader& r, SqliteConnection& db, const KnownLessons& known) {
    QSqlQuery q(db.database());
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT position, id, source FROM lessons ORDER BY position")))
        return r.fail(QStringLiteral("cannot read table 'lessons': %1").arg(db.error()));
    QStringList problems;
    QHash<QString, int> rowOf;
    int row = 0;
    while (q.next()) {
        ++row;
        if (row > kMaxPackLessons)
            return r.fail(QStringLiteral("more than %1 lessons").arg(kMaxPackLessons));
        const QString id = q.value(1).toString();
        const QString source = q.value(2).toString();
        if (id.isEmpty()) {
            problems << QStringLiteral("row %1: the lesson has no id").arg(row);
            continue;
        }
        if (rowOf.contains(id)) {
            problems << QStringLiteral("lesson id '%1' appears twice (rows %2 and %3)")
                            .arg(id)
                            .arg(rowOf[id])
                            .arg(row);
            continue;
        }
        rowOf.insert(id, row);
        if (static_cast<size_t>(source.toUtf8().size()) > mmt::kMaxLessonBytes) {
            problems << QStringLiteral("lesson '%1': larger than %2 bytes").arg(id).arg(mmt::kMaxLessonBytes);
            continue;
        }
        LessonValidation checked = validateLesson(source, r.label + QLatin1Char('[') + id + QLatin1Char(']'));
        for (const mmt::LessonProblem& p : checked.problems)
            problems << problemText(id, p);
        if (!checked.lesson)
            continue;
        const QString ownId = QString::fromStdString(checked.lesson->id);
        if (ownId != id) {
            problems << QStringLiteral("lesson '%1', line %2: its source says id '%3'")
                            .arg(id)
                            .arg(checked.lesson->id_line)
                            .arg(ownId);
            continue;
        }
        PackLesson lesson{lessonRecord(*checked.lesson, source, LessonOrigin::user), checked.lesson->id_line,
                          known.bundled.contains(id) ? PackConflict::bundled
                          : known.user.contains(id)  ? PackConflict::user
                                                     : PackConflict::none};
        lesson.lesson.file = QStringLiteral("%1[%2]").arg(r.label, id);
        r.result.lessons.push_back(std::move(lesson));
    }
    if (row == 0)
        return r.fail(QStringLiteral("the pack holds no lessons"));
    for (const PackLesson& l : r.result.lessons)
        for (const QString& p : l.lesson.prerequisites)
            if (!known.bundled.contains(p) && !known.user.contains(p) && !rowOf.contains(p))
                problems << QStringLiteral(
                                "lesson '%1': prerequisite '%2' is not a bundled lesson, one of yours, "
                                "or in the pack")
                                .arg(l.lesson.id, p);
    if (!problems.isEmpty()) {
        r.result.lessons.clear();
        return r.fail(problems.join(QLatin1Char('\n') + r.label + QStringLiteral(": ")));
    }
    return true;
}

bool looksLikeSqlite(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) && f.read(16) == QByteArray("SQLite format 3\0", 16);
}

} // namespace

PackInspection inspectPack(const QString& path, const KnownLessons& known) {
    keepFreedEngineMemory(); // every lesson of the pack runs the engine
    PackReader r{QFileInfo(path).fileName(), {}};
    const QFileInfo info(path);
    if (!info.isFile()) {
        r.fail(QStringLiteral("no such file"));
        return r.result;
    }
    if (info.size() > kMaxPackBytes) {
        r.fail(
            QStringLiteral("%1 bytes, more than a pack may have (%2)").arg(info.size()).arg(kMaxPackBytes));
        return r.result;
    }
    if (!looksLikeSqlite(path)) {
        r.fail(QStringLiteral("not a lesson pack (not an SQLite file)"));
        return r.result;
    }
    SqliteConnection db;
    if (!db.open(path, OpenMode::readOnly)) {
        r.fail(QStringLiteral("cannot open: %1").arg(db.error()));
        return r.result;
    }
    const QVariant check = db.scalar(QStringLiteral("PRAGMA quick_check"));
    if (check.toString() != QLatin1String("ok")) {
        r.fail(QStringLiteral("the SQLite file is damaged (%1)")
                   .arg(check.isValid() ? check.toString() : db.error()));
        return r.result;
    }
    if (readHeader(r, db) && readLessons(r, db, known))
        r.result.ok = true;
    return r.result;
}

PackImport importPack(const QString& path, UserDatabase& user, const KnownLessons& known,
                      const QHash<QString, PackResolution>& resolutions) {
    PackImport out;
    PackInspection inspection = inspectPack(path, known);
    if (!inspection.ok) {
        out.error = inspection.error;
        return out;
    }
    const QString label = QFileInfo(path).fileName();
    if (!user.isOpen()) {
        out.error = QStringLiteral("%1: your lessons cannot be saved (%2)").arg(label, user.path());
        return out;
    }
    QSet<QString> taken = known.bundled + known.user;
    for (const PackLesson& l : inspection.lessons)
        taken.insert(l.lesson.id);
    std::vector<UserLessonWrite> writes;
    QStringList unresolved;
    for (PackLesson& l : inspection.lessons) {
        UserLessonWrite w{l.lesson, QStringLiteral("imported from ") + label, false};
        if (l.conflict != PackConflict::none) {
            const auto it = resolutions.constFind(l.lesson.id);
            if (it == resolutions.constEnd()) {
                unresolved << QStringLiteral("'%1' (%2)")
                                  .arg(l.lesson.id, l.conflict == PackConflict::bundled
                                                        ? QStringLiteral("bundled")
                                                        : QStringLiteral("yours"));
                continue;
            }
            if (*it == PackResolution::replace && l.conflict == PackConflict::bundled) {
                out.error =
                    QStringLiteral("%1: lesson '%2' is a bundled lesson: it cannot be replaced, only kept "
                                   "next to the import")
                        .arg(label, l.lesson.id);
                return out;
            }
            if (*it == PackResolution::replace) {
                w.replaces = true;
            } else {
                QString fresh;
                for (int n = 2; fresh.isEmpty() || taken.contains(fresh); ++n)
                    fresh = QStringLiteral("%1-%2").arg(l.lesson.id).arg(n);
                taken.insert(fresh);
                w.lesson.id = fresh;
                w.lesson.source = withLessonId(l.lesson.source, l.idLine, fresh);
            }
        }
        writes.push_back(std::move(w));
    }
    if (!unresolved.isEmpty()) {
        out.error = QStringLiteral("%1: these lessons exist already: %2; choose keep both or replace")
                        .arg(label, unresolved.join(QStringLiteral(", ")));
        return out;
    }
    if (!user.writeUserLessons(writes)) {
        out.error = QStringLiteral("%1: nothing was imported: %2").arg(label, user.error());
        return out;
    }
    out.ok = true;
    for (const UserLessonWrite& w : writes)
        out.imported << w.lesson.id;
    return out;
}

} // namespace store
