// Lesson packs: several lessons in one file, to hand to another user
// (docs/store.md). A pack is an SQLite file with a `meta` table (format,
// format_version) and a `lessons` table (position, id, source); only the
// sources are trusted, everything shown is derived by parsing them again.
//
// Import is all or nothing: the whole pack is validated first (format and
// version, tables, limits, each lesson parsed and checked against the engine,
// ids unique and matching their sources, prerequisites known), then written in
// one transaction. Every error names the pack, the lesson and what is wrong.
#pragma once

#include "lesson_record.h"
#include "user_database.h"

#include <vector>

#include <QHash>
#include <QSet>
#include <QString>

namespace store {

constexpr int kPackFormatVersion = 1;
inline constexpr const char* kPackFormat = "mmtutor-lesson-pack";
constexpr qint64 kMaxPackBytes = 64ll << 20;
constexpr int kMaxPackLessons = 1000;

enum class PackConflict { none, bundled, user };
enum class PackResolution { keepBoth, replace };

QString conflictName(PackConflict conflict); // "", "bundled", "user"

struct PackLesson {
    LessonRecord lesson; // origin user, source set
    uint32_t idLine = 0; // the source's `id:` line
    PackConflict conflict = PackConflict::none;
};

struct PackInspection {
    bool ok = false;
    QString error; // "course.mmtpack: lesson 'x', line 12: ..." (one problem a line)
    std::vector<PackLesson> lessons;
};

// The ids a pack is checked against.
struct KnownLessons {
    QSet<QString> bundled;
    QSet<QString> user;
};

// Writes the lessons (sources set) to `path`, replacing it (the caller asked).
bool exportPack(const QString& path, const std::vector<LessonRecord>& lessons, QString* error);

// Validates everything and lists conflicts; writes nothing.
PackInspection inspectPack(const QString& path, const KnownLessons& known);

struct PackImport {
    bool ok = false;
    QString error;
    QStringList imported; // ids as stored (a kept-both lesson under its new id)
};

// Validates, resolves every conflict as `resolutions` says (a conflict
// without one is an error), and writes in one transaction.
PackImport importPack(const QString& path, UserDatabase& user, const KnownLessons& known,
                      const QHash<QString, PackResolution>& resolutions);

} // namespace store
