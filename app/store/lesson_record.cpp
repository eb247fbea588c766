#include "lesson_record.h"

#include "lesson_check.h"

#include <QSqlError>
#include <QSqlQuery>

namespace store {

QString originName(LessonOrigin origin) {
    return origin == LessonOrigin::bundled ? QStringLiteral("bundled") : QStringLiteral("user");
}

LessonRecord lessonRecord(const mmt::Lesson& lesson, const QString& source, LessonOrigin origin) {
    LessonRecord r;
    r.id = QString::fromStdString(lesson.id);
    r.file = QString::fromStdString(lesson.file);
    r.title = QString::fromStdString(lesson.title);
    r.summary = QString::fromStdString(lesson.summary);
    r.level = QString::fromUtf8(mmt::lesson_level_name(lesson.level));
    r.minutes = static_cast<int>(lesson.minutes);
    for (const std::string& p : lesson.prerequisites)
        r.prerequisites << QString::fromStdString(p);
    r.status = lesson.status == mmt::LessonStatus::draft ? QStringLiteral("draft") : QStringLiteral("ready");
    r.stepCount = static_cast<int>(lesson.steps.size());
    r.checkpointCount = static_cast<int>(lesson.checkpoint_count());
    r.source = source;
    r.origin = origin;
    return r;
}

LessonValidation validateLesson(const QString& source, const QString& file) {
    LessonValidation out;
    mmt::LessonParseResult parsed = mmt::parse_lesson(source.toStdString(), file.toStdString());
    if (!parsed.lesson) {
        out.problems = std::move(parsed.problems);
        return out;
    }
    out.problems = mmt::check_lesson(*parsed.lesson).problems;
    if (out.problems.empty())
        out.lesson = std::move(parsed.lesson);
    return out;
}

QString withLessonId(const QString& source, uint32_t idLine, const QString& newId) {
    QStringList lines = source.split(QLatin1Char('\n'));
    if (idLine >= 1 && idLine <= static_cast<uint32_t>(lines.size()))
        lines[static_cast<qsizetype>(idLine - 1)] = QStringLiteral("id: ") + newId;
    return lines.join(QLatin1Char('\n'));
}

namespace {
const QString kCommonColumns = QStringLiteral(
    "id, file, title, summary, level, minutes, prerequisites, status, step_count, checkpoint_count, source, "
    "position");
}

QString lessonTableSql(const QString& table, const QString& extraColumns) {
    return QStringLiteral(
               "CREATE TABLE %1 ("
               "id TEXT PRIMARY KEY NOT NULL, file TEXT NOT NULL, title TEXT NOT NULL, "
               "summary TEXT NOT NULL, level TEXT NOT NULL, minutes INTEGER NOT NULL, "
               "prerequisites TEXT NOT NULL, status TEXT NOT NULL, step_count INTEGER NOT NULL, "
               "checkpoint_count INTEGER NOT NULL, source TEXT NOT NULL, position INTEGER NOT NULL%2)")
        .arg(table, extraColumns.isEmpty() ? QString() : QStringLiteral(", ") + extraColumns);
}

bool insertLesson(SqliteConnection& db, const QString& table, const LessonRecord& l, int position,
                  const QVariantList& extraValues, const QStringList& extraColumns) {
    QString columns = kCommonColumns;
    QString marks = QStringLiteral("?,?,?,?,?,?,?,?,?,?,?,?");
    for (const QString& c : extraColumns) {
        columns += QStringLiteral(", ") + c;
        marks += QStringLiteral(",?");
    }
    // Qt binds a null QString as NULL: every text column is NOT NULL, so bind "" instead.
    const auto text = [](const QString& s) { return s.isNull() ? QStringLiteral("") : s; };
    QVariantList values{text(l.id),
                        text(l.file),
                        text(l.title),
                        text(l.summary),
                        text(l.level),
                        l.minutes,
                        text(l.prerequisites.join(QLatin1Char(','))),
                        text(l.status),
                        l.stepCount,
                        l.checkpointCount,
                        text(l.source),
                        position};
    values += extraValues;
    return db.exec(QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)").arg(table, columns, marks), values);
}

bool readLessons(SqliteConnection& db, const QString& table, LessonOrigin origin, bool withSource,
                 std::vector<LessonRecord>* out, QString* error) {
    QSqlQuery q(db.database());
    q.setForwardOnly(true);
    const QString sql =
        QStringLiteral("SELECT id, file, title, summary, level, minutes, prerequisites, status, "
                       "step_count, checkpoint_count, %1 FROM %2 ORDER BY position, id")
            .arg(withSource ? QStringLiteral("source") : QStringLiteral("''"), table);
    if (!q.exec(sql)) {
        *error = q.lastError().text();
        return false;
    }
    while (q.next()) {
        LessonRecord r;
        r.id = q.value(0).toString();
        r.file = q.value(1).toString();
        r.title = q.value(2).toString();
        r.summary = q.value(3).toString();
        r.level = q.value(4).toString();
        r.minutes = q.value(5).toInt();
        const QString prerequisites = q.value(6).toString();
        if (!prerequisites.isEmpty())
            r.prerequisites = prerequisites.split(QLatin1Char(','));
        r.status = q.value(7).toString();
        r.stepCount = q.value(8).toInt();
        r.checkpointCount = q.value(9).toInt();
        r.source = q.value(10).toString();
        r.origin = origin;
        out->push_back(std::move(r));
    }
    return true;
}

} // namespace store
