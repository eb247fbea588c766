#include "library.h"

#include "bundled_lessons.h"
#include "catalog.h"
#include "lesson_pack.h"
#include "store_paths.h"
#include "user_database.h"

#include <QDir>

Library::Library(QObject* parent) : Library(store::defaultDataDirectory(), parent) {}

Library::Library(const QString& dataDirectory, QObject* parent)
    : QObject(parent), bundled_(std::make_unique<store::BundledLessons>()),
      catalog_(new LessonCatalogModel(this)) {
    open(dataDirectory);
}

Library::~Library() = default;

void Library::open(const QString& dataDirectory) {
    QStringList messages;
    if (!bundled_->openResource(store::defaultCacheDirectory()))
        messages << QStringLiteral("The bundled lessons could not be opened: %1").arg(bundled_->error());
    user_ =
        std::make_unique<store::UserDatabase>(QDir(dataDirectory).filePath(QStringLiteral("user.sqlite")));
    const store::UserDatabaseReport report = user_->open();
    if (!report.message.isEmpty())
        messages << report.message;
    startupMessage_ = messages.join(QLatin1Char('\n'));
    reloadCatalog();
}

void Library::reloadCatalog() {
    catalog_->setEntries(
        store::buildCatalog(bundled_->lessons(), user_->userLessons(), user_->allProgress()));
}

bool Library::succeeded(bool ok, const QString& error) {
    const QString now = ok ? QString() : error;
    if (now != lastError_) {
        lastError_ = now;
        emit lastErrorChanged();
    }
    return ok;
}

bool Library::canSave() const {
    return user_ && user_->isOpen();
}

QString Library::userDatabasePath() const {
    return user_ ? user_->path() : QString();
}

QString Library::lessonSource(const QString& id) const {
    if (bundled_->contains(id))
        return bundled_->source(id);
    return user_->userLessonSource(id);
}

namespace {
QString notSaved(store::UserDatabase& user) {
    return user.isOpen() ? QStringLiteral("could not save: %1").arg(user.error())
                         : QStringLiteral("progress is not being saved in this session");
}
} // namespace

bool Library::setProgress(const QString& id, int step) {
    const bool ok = user_->setProgress(id, step);
    if (ok)
        catalog_->setProgress(id, user_->progress(id).value_or(store::LessonProgress{}));
    return succeeded(ok, step < 0 ? QStringLiteral("a step is 0 or more") : notSaved(*user_));
}

bool Library::markComplete(const QString& id) {
    const bool ok = user_->markComplete(id);
    if (ok)
        catalog_->setProgress(id, user_->progress(id).value_or(store::LessonProgress{}));
    return succeeded(ok, notSaved(*user_));
}

bool Library::reset(const QString& id) {
    const bool ok = user_->resetLesson(id);
    if (ok)
        catalog_->setProgress(id, store::LessonProgress{});
    return succeeded(ok, notSaved(*user_));
}

bool Library::recordAnswer(const QString& id, const QString& checkpointKey, const QString& choice,
                           bool correct) {
    return succeeded(user_->recordAnswer(id, checkpointKey, choice, correct), notSaved(*user_));
}

QVariantList Library::answers(const QString& id) const {
    QVariantList out;
    for (const store::CheckpointAnswer& a : user_->answers(id))
        out.append(QVariantMap{{QStringLiteral("checkpoint"), a.checkpoint},
                               {QStringLiteral("choice"), a.choice},
                               {QStringLiteral("correct"), a.correct},
                               {QStringLiteral("answeredAt"), a.answeredAt}});
    return out;
}

QVariant Library::setting(const QString& key) const {
    return user_->setting(key);
}

bool Library::setSetting(const QString& key, const QVariant& value) {
    return succeeded(user_->setSetting(key, value), notSaved(*user_));
}

bool Library::saveScenario(const QString& name, const QString& text) {
    if (name.trimmed().isEmpty())
        return succeeded(false, QStringLiteral("a scenario needs a name"));
    return succeeded(user_->saveScenario(name, text), notSaved(*user_));
}

bool Library::hasScenario(const QString& name) const {
    return user_->scenario(name).has_value();
}

QVariantList Library::scenarios() const {
    QVariantList out;
    for (const store::SavedScenario& s : user_->scenarios())
        out.append(QVariantMap{{QStringLiteral("name"), s.name}, {QStringLiteral("savedAt"), s.savedAt}});
    return out;
}

QString Library::scenarioText(const QString& name) const {
    const auto s = user_->scenario(name);
    return s ? s->text : QString();
}

bool Library::exportPack(const QStringList& ids, const QString& pathOrUrl) {
    std::vector<store::LessonRecord> lessons;
    for (const QString& id : ids) {
        const int row = catalog_->indexOf(id);
        if (row < 0)
            return succeeded(false, QStringLiteral("no lesson with id '%1'").arg(id));
        store::LessonRecord r = catalog_->entries()[static_cast<size_t>(row)].lesson;
        r.source = lessonSource(id);
        lessons.push_back(std::move(r));
    }
    if (lessons.empty())
        return succeeded(false, QStringLiteral("no lessons chosen to export"));
    QString error;
    const bool ok = store::exportPack(store::localPath(pathOrUrl), lessons, &error);
    return succeeded(ok, error);
}

namespace {
store::KnownLessons knownLessons(const std::vector<store::CatalogEntry>& catalog) {
    store::KnownLessons known;
    for (const store::CatalogEntry& e : catalog)
        (e.lesson.origin == store::LessonOrigin::bundled ? known.bundled : known.user).insert(e.lesson.id);
    return known;
}
} // namespace

QVariant Library::inspectPack(const QString& pathOrUrl) const {
    const store::PackInspection inspection =
        store::inspectPack(store::localPath(pathOrUrl), knownLessons(catalog_->entries()));
    QVariantList lessons;
    for (const store::PackLesson& l : inspection.lessons)
        lessons.append(QVariantMap{{QStringLiteral("id"), l.lesson.id},
                                   {QStringLiteral("title"), l.lesson.title},
                                   {QStringLiteral("conflict"), store::conflictName(l.conflict)}});
    return QVariantMap{{QStringLiteral("ok"), inspection.ok},
                       {QStringLiteral("error"), inspection.error},
                       {QStringLiteral("lessons"), lessons}};
}

QVariant Library::importPack(const QString& pathOrUrl, const QVariantMap& resolutions) {
    QHash<QString, store::PackResolution> chosen;
    for (auto it = resolutions.begin(); it != resolutions.end(); ++it) {
        const QString how = it.value().toString();
        if (how == QLatin1String("replace"))
            chosen.insert(it.key(), store::PackResolution::replace);
        else if (how == QLatin1String("keep-both"))
            chosen.insert(it.key(), store::PackResolution::keepBoth);
    }
    const store::PackImport result =
        store::importPack(store::localPath(pathOrUrl), *user_, knownLessons(catalog_->entries()), chosen);
    if (result.ok)
        reloadCatalog();
    succeeded(result.ok, result.error);
    return QVariantMap{{QStringLiteral("ok"), result.ok},
                       {QStringLiteral("error"), result.error},
                       {QStringLiteral("imported"), result.imported}};
}
