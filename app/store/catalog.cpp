#include "catalog.h"

#include <algorithm>

namespace store {

double CatalogEntry::progressFraction() const {
    if (progress.completed)
        return 1.0;
    if (!started || lesson.stepCount <= 0)
        return 0.0;
    return std::clamp(static_cast<double>(progress.currentStep) / lesson.stepCount, 0.0, 1.0);
}

std::vector<CatalogEntry> buildCatalog(const std::vector<LessonRecord>& bundled,
                                       const std::vector<LessonRecord>& user,
                                       const QHash<QString, LessonProgress>& progress) {
    std::vector<CatalogEntry> out;
    out.reserve(bundled.size() + user.size());
    for (const auto* list : {&bundled, &user})
        for (const LessonRecord& lesson : *list) {
            CatalogEntry e{lesson, {}, false};
            if (auto it = progress.constFind(lesson.id); it != progress.constEnd()) {
                e.progress = *it;
                e.started = true;
            }
            out.push_back(std::move(e));
        }
    return out;
}

} // namespace store
