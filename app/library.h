// What QML talks to about lessons and the user's saved state: the catalog
// (bundled lessons plus the user's own, with progress joined in), progress and
// answers, settings, saved scenarios, and lesson packs. It owns the user
// database (app/store/user_database.h) and the bundled lesson database
// (app/store/bundled_lessons.h); no SQL lives here.
//
// Every method that writes returns false (and sets lastError) when the write
// failed; nothing is written in part. Paths may be given as local paths or as
// file: URLs (what FileDialog hands out).
#pragma once

#include "lesson_catalog_model.h"

#include <memory>

#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantList>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace store {
class BundledLessons;
class UserDatabase;
} // namespace store

class Library : public QObject {
    Q_OBJECT
    QML_NAMED_ELEMENT(Library)
    QML_SINGLETON

    // Bundled and user lessons, in catalog order (bundled first, by number).
    Q_PROPERTY(LessonCatalogModel* catalog READ catalog CONSTANT FINAL)
    // False when the user database could not be opened (for instance it was
    // written by a newer mmtutor): progress is then shown but not saved.
    Q_PROPERTY(bool canSave READ canSave NOTIFY startupMessageChanged FINAL)
    // What happened while opening the user's saved state that the user must
    // hear about ("Your saved progress was damaged; it was kept as ... and a
    // new one started"); empty when all went well.
    Q_PROPERTY(QString startupMessage READ startupMessage NOTIFY startupMessageChanged FINAL)
    // The error of the last call that failed (empty after one that worked).
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged FINAL)
    // Where the user database lives (for messages and the about box).
    Q_PROPERTY(QString userDatabasePath READ userDatabasePath CONSTANT FINAL)

public:
    // The data directory is $MMTUTOR_DATA_DIR, else QStandardPaths::AppDataLocation.
    explicit Library(QObject* parent = nullptr);
    // For tests and tools: the user database is dataDirectory/user.sqlite.
    Library(const QString& dataDirectory, QObject* parent);
    ~Library() override;
    Library(const Library&) = delete;
    Library& operator=(const Library&) = delete;

    // The lesson's .lesson text, for the player to parse; empty if no such id.
    Q_INVOKABLE QString lessonSource(const QString& id) const;

    // Progress. `step` is the 0-based index of the step the user is at.
    Q_INVOKABLE bool setProgress(const QString& id, int step);
    Q_INVOKABLE bool markComplete(const QString& id);
    // Forgets the lesson's progress and answers.
    Q_INVOKABLE bool reset(const QString& id);
    // One answer to a checkpoint. `checkpointKey` names the checkpoint in its
    // lesson (the player uses its @checkpoint line, e.g. "42").
    Q_INVOKABLE bool recordAnswer(const QString& id, const QString& checkpointKey, const QString& choice,
                                  bool correct);
    // [{checkpoint, choice, correct, answeredAt}] for a lesson, oldest first.
    Q_INVOKABLE QVariantList answers(const QString& id) const;

    // Settings: theme, era, uiScale, speed, reduceMotion... An unset key
    // gives an invalid QVariant (undefined in QML). Values keep their type
    // (string, number, bool).
    Q_INVOKABLE QVariant setting(const QString& key) const;
    Q_INVOKABLE bool setSetting(const QString& key, const QVariant& value);

    // The user's own scenarios: saving a name that exists replaces its text
    // (the caller asks first: see hasScenario).
    Q_INVOKABLE bool saveScenario(const QString& name, const QString& text);
    Q_INVOKABLE bool hasScenario(const QString& name) const;
    // [{name, savedAt}], newest first; scenarioText(name) gives the text.
    Q_INVOKABLE QVariantList scenarios() const;
    Q_INVOKABLE QString scenarioText(const QString& name) const;

    // Lesson packs (docs/store.md). exportPack writes the lessons with these
    // ids (bundled or the user's) to one file.
    Q_INVOKABLE bool exportPack(const QStringList& ids, const QString& pathOrUrl);
    // Validates a pack without writing anything. Returns
    // {ok: bool, error: string, lessons: [{id, title, conflict}]}, where
    // conflict is "" (new id), "bundled" (a bundled lesson has this id: only
    // keep-both is possible) or "user" (one of the user's lessons has it).
    // (A QVariant holding a QVariantMap: QML reads it as a plain object.)
    Q_INVOKABLE QVariant inspectPack(const QString& pathOrUrl) const;
    // Imports after validating everything. `resolutions` maps each
    // conflicting id to "keep-both" (the imported lesson gets a new id, such
    // as id-2) or "replace" (user lessons only). Returns {ok, error,
    // imported: [ids as stored]}; when ok is false nothing was written.
    Q_INVOKABLE QVariant importPack(const QString& pathOrUrl, const QVariantMap& resolutions);

    LessonCatalogModel* catalog() const { return catalog_; }
    bool canSave() const;
    QString startupMessage() const { return startupMessage_; }
    QString lastError() const { return lastError_; }
    QString userDatabasePath() const;

signals:
    void startupMessageChanged();
    void lastErrorChanged();

private:
    void open(const QString& dataDirectory);
    void reloadCatalog();
    bool succeeded(bool ok, const QString& error);

    std::unique_ptr<store::BundledLessons> bundled_;
    std::unique_ptr<store::UserDatabase> user_;
    LessonCatalogModel* catalog_ = nullptr;
    QString startupMessage_;
    QString lastError_;
};
