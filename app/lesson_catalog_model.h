// The lesson catalog as a list model: every bundled lesson, then the user's
// own and imported lessons, each with the user's progress joined in. Filled
// by Library (library.h) from store::Catalog; QML only reads it.
#pragma once

#include "catalog.h"

#include <vector>

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

class LessonCatalogModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Library.catalog is the catalog")

    Q_PROPERTY(int count READ count NOTIFY countChanged FINAL)

public:
    enum Role {
        IdRole = Qt::UserRole + 1, // role name "lessonId" (QML reserves "id")
        TitleRole,
        SummaryRole,
        LevelRole, // "beginner", "intermediate", "advanced"
        MinutesRole,
        PrerequisitesRole, // QStringList of lesson ids
        StepCountRole,
        CheckpointCountRole,
        ProgressRole, // 0..1: completed is 1, else currentStep / stepCount
        CompletedRole,
        CurrentStepRole, // 0-based step to resume at
        OriginRole,      // "bundled" or "user"
        StatusRole,      // "ready" or "draft"
    };
    Q_ENUM(Role)

    explicit LessonCatalogModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = QModelIndex()) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return static_cast<int>(entries_.size()); }
    // The row of a lesson id, -1 if none.
    Q_INVOKABLE int indexOf(const QString& id) const;
    // {id, title, ...} of a row, keyed by role name (empty map if out of range).
    Q_INVOKABLE QVariantMap get(int row) const;

    // Replaces everything (a reset: the catalog is small).
    void setEntries(std::vector<store::CatalogEntry> entries);
    // Updates one lesson's progress in place (dataChanged on its row only).
    void setProgress(const QString& id, const store::LessonProgress& progress);
    const std::vector<store::CatalogEntry>& entries() const { return entries_; }

signals:
    void countChanged();

private:
    std::vector<store::CatalogEntry> entries_;
};
