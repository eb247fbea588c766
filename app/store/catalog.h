// The catalog the lesson browser shows: bundled lessons in their order, then
// the user's, each with the user's progress (or none) joined in.
#pragma once

#include "lesson_record.h"
#include "user_database.h"

#include <vector>

#include <QHash>

namespace store {

struct CatalogEntry {
    LessonRecord lesson; // source left empty
    LessonProgress progress;
    bool started = false; // progress exists for this lesson

    // 1 when completed, else the share of steps done (0 when not started).
    double progressFraction() const;
};

std::vector<CatalogEntry> buildCatalog(const std::vector<LessonRecord>& bundled,
                                       const std::vector<LessonRecord>& user,
                                       const QHash<QString, LessonProgress>& progress);

} // namespace store
