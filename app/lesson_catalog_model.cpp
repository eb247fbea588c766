#include "lesson_catalog_model.h"

LessonCatalogModel::LessonCatalogModel(QObject* parent) : QAbstractListModel(parent) {}

int LessonCatalogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : count();
}

QVariant LessonCatalogModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const store::CatalogEntry& e = entries_[static_cast<size_t>(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case TitleRole:
        return e.lesson.title;
    case IdRole:
        return e.lesson.id;
    case SummaryRole:
        return e.lesson.summary;
    case LevelRole:
        return e.lesson.level;
    case MinutesRole:
        return e.lesson.minutes;
    case PrerequisitesRole:
        return e.lesson.prerequisites;
    case StepCountRole:
        return e.lesson.stepCount;
    case CheckpointCountRole:
        return e.lesson.checkpointCount;
    case ProgressRole:
        return e.progressFraction();
    case CompletedRole:
        return e.progress.completed;
    case CurrentStepRole:
        return e.progress.currentStep;
    case OriginRole:
        return store::originName(e.lesson.origin);
    case StatusRole:
        return e.lesson.status;
    default:
        return {};
    }
}

QHash<int, QByteArray> LessonCatalogModel::roleNames() const {
    return {
        {IdRole, "lessonId"},
        {TitleRole, "title"},
        {SummaryRole, "summary"},
        {LevelRole, "level"},
        {MinutesRole, "minutes"},
        {PrerequisitesRole, "prerequisites"},
        {StepCountRole, "stepCount"},
        {CheckpointCountRole, "checkpointCount"},
        {ProgressRole, "progress"},
        {CompletedRole, "completed"},
        {CurrentStepRole, "currentStep"},
        {OriginRole, "origin"},
        {StatusRole, "status"},
    };
}

int LessonCatalogModel::indexOf(const QString& id) const {
    for (size_t i = 0; i < entries_.size(); ++i)
        if (entries_[i].lesson.id == id)
            return static_cast<int>(i);
    return -1;
}

QVariantMap LessonCatalogModel::get(int row) const {
    QVariantMap out;
    if (row < 0 || row >= count())
        return out;
    const QHash<int, QByteArray> names = roleNames();
    for (auto it = names.begin(); it != names.end(); ++it)
        out.insert(QString::fromLatin1(it.value()), data(index(row), it.key()));
    return out;
}

void LessonCatalogModel::setEntries(std::vector<store::CatalogEntry> entries) {
    const bool countChanges = entries.size() != entries_.size();
    beginResetModel();
    entries_ = std::move(entries);
    endResetModel();
    if (countChanges)
        emit countChanged();
}

void LessonCatalogModel::setProgress(const QString& id, const store::LessonProgress& progress) {
    const int row = indexOf(id);
    if (row < 0)
        return;
    store::CatalogEntry& e = entries_[static_cast<size_t>(row)];
    e.progress = progress;
    e.started = !progress.updatedAt.isEmpty();
    emit dataChanged(index(row), index(row), {ProgressRole, CompletedRole, CurrentStepRole});
}
