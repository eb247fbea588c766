// A lesson as the store keeps it: the catalog fields taken from its header,
// its counts, and its source text. The bundled database, the user database's
// own lessons and lesson packs all hold lessons in this shape, so this file
// also owns the `lessons` table they share and the check that lets a lesson in.
#pragma once

#include "lesson.h"
#include "sqlite_connection.h"

#include <optional>
#include <vector>

#include <QString>
#include <QStringList>

namespace store {

enum class LessonOrigin { bundled, user };

struct LessonRecord {
    QString id;
    QString file; // the name it was read from: "02-fork-and-cow.lesson", or "PACK[id]"
    QString title;
    QString summary;
    QString level; // lesson_level_name()
    int minutes = 0;
    QStringList prerequisites;
    QString status; // "ready" or "draft"
    int stepCount = 0;
    int checkpointCount = 0;
    QString source; // the .lesson text (left empty by reads that only need the catalog)
    LessonOrigin origin = LessonOrigin::bundled;
};

QString originName(LessonOrigin origin); // "bundled", "user"

LessonRecord lessonRecord(const mmt::Lesson& lesson, const QString& source, LessonOrigin origin);

// Parses and checks one lesson on its own (parse_lesson, then check_lesson:
// the engine judges every checkpoint). `file` is the name problems carry.
// The lesson is set iff there is no problem.
struct LessonValidation {
    std::optional<mmt::Lesson> lesson;
    std::vector<mmt::LessonProblem> problems;
};
LessonValidation validateLesson(const QString& source, const QString& file);

// The source with its `id:` header line (at `idLine`, 1-based) saying `newId`.
QString withLessonId(const QString& source, uint32_t idLine, const QString& newId);

// The shared `lessons` table under a given name; `extraColumns` (SQL, may be
// empty) adds columns after the common ones.
QString lessonTableSql(const QString& table, const QString& extraColumns = {});
// Inserts (or, with replace, replaces) one row; `position` orders the catalog.
bool insertLesson(SqliteConnection& db, const QString& table, const LessonRecord& lesson, int position,
                  const QVariantList& extraValues = {}, const QStringList& extraColumns = {});
// Every row, by position; with `withSource` false the source stays empty.
bool readLessons(SqliteConnection& db, const QString& table, LessonOrigin origin, bool withSource,
                 std::vector<LessonRecord>* out, QString* error);

} // namespace store
