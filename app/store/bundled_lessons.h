// The lessons that ship with mmtutor, read from the SQLite database the build
// makes of lessons/ (bundled_lessons_builder.cpp) and embeds as a resource.
// SQLite cannot open a Qt resource, so the database is copied once into the
// cache directory, under a name that carries its content hash, and opened
// read-only from there: a new build never reads an old copy.
#pragma once

#include "lesson_record.h"
#include "sqlite_connection.h"

#include <vector>

#include <QString>

namespace store {

// The bundle's tables, meta keys and format (docs/store.md).
constexpr int kBundleFormatVersion = 1;
inline constexpr const char* kBundleFormat = "mmtutor-bundled-lessons";
inline constexpr const char* kBundleResource = ":/mmtutor/lessons.sqlite";

class BundledLessons {
public:
    // Copies the embedded database into cacheDirectory if needed and opens it.
    bool openResource(const QString& cacheDirectory);
    // Opens a bundle file read-only (the builder's output, in tests).
    bool openFile(const QString& path);

    QString error() const { return error_; }
    QString contentHash() const { return contentHash_; }
    // Catalog fields of every lesson, in lesson order (sources left empty).
    const std::vector<LessonRecord>& lessons() const { return lessons_; }
    bool contains(const QString& id) const;
    // The lesson's source text; empty if there is no such lesson.
    QString source(const QString& id);

private:
    SqliteConnection db_;
    std::vector<LessonRecord> lessons_;
    QString contentHash_;
    QString error_;
};

} // namespace store
