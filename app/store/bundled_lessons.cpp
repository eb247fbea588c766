#include "bundled_lessons.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QSaveFile>

namespace store {

bool BundledLessons::openResource(const QString& cacheDirectory) {
    QFile resource(QString::fromLatin1(kBundleResource));
    if (!resource.open(QIODevice::ReadOnly)) {
        error_ = QStringLiteral("the bundled lessons are missing from this build (%1)").arg(kBundleResource);
        return false;
    }
    const QByteArray bytes = resource.readAll();
    const QString hash =
        QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex().left(16));
    const QString path = QDir(cacheDirectory).filePath(QStringLiteral("bundled-lessons-%1.sqlite").arg(hash));
    // The copy is used when it holds exactly these bytes (SQLite opening it
    // read-only never changes it); a damaged or stale copy is written again.
    QFile cached(path);
    const bool same = cached.open(QIODevice::ReadOnly) && cached.size() == bytes.size() && cached.readAll() == bytes;
    cached.close();
    if (!same) {
        QDir().mkpath(cacheDirectory);
        QSaveFile out(path);
        if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit()) {
            error_ = QStringLiteral("cannot copy the bundled lessons to %1: %2").arg(path, out.errorString());
            return false;
        }
    }
    return openFile(path);
}

bool BundledLessons::openFile(const QString& path) {
    lessons_.clear();
    if (!QFileInfo::exists(path)) {
        error_ = QStringLiteral("%1: no such file").arg(path);
        return false;
    }
    if (!db_.open(path, OpenMode::readOnly)) {
        error_ = QStringLiteral("%1: %2").arg(path, db_.error());
        return false;
    }
    const QVariant format = db_.scalar(QStringLiteral("SELECT value FROM meta WHERE key = 'format'"));
    if (format.toString() != QLatin1String(kBundleFormat)) {
        error_ = QStringLiteral("%1: not a bundled lesson database%2")
                     .arg(path, db_.error().isEmpty() ? QString() : QStringLiteral(" (") + db_.error() + ')');
        return false;
    }
    const int version =
        db_.scalar(QStringLiteral("SELECT value FROM meta WHERE key = 'format_version'")).toInt();
    if (version != kBundleFormatVersion) {
        error_ = QStringLiteral("%1: bundle format version %2, this mmtutor reads %3")
                     .arg(path)
                     .arg(version)
                     .arg(kBundleFormatVersion);
        return false;
    }
    contentHash_ = db_.scalar(QStringLiteral("SELECT value FROM meta WHERE key = 'content_hash'")).toString();
    QString error;
    if (!readLessons(db_, QStringLiteral("lessons"), LessonOrigin::bundled, false, &lessons_, &error)) {
        error_ = QStringLiteral("%1: %2").arg(path, error);
        return false;
    }
    return true;
}

bool BundledLessons::contains(const QString& id) const {
    for (const LessonRecord& l : lessons_)
        if (l.id == id)
            return true;
    return false;
}

QString BundledLessons::source(const QString& id) {
    if (!db_.isOpen())
        return {};
    return db_.scalar(QStringLiteral("SELECT source FROM lessons WHERE id = ?"), {id}).toString();
}

} // namespace store
