// Helpers shared by the store tests: lesson sources from lessons/, a scratch
// directory, and packs written by hand (to make malformed ones).
#pragma once

#include "sqlite_connection.h"

#include <utility>

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QList>
#include <QString>
#include <QTemporaryDir>

inline QString lessonSourceFile(const QString& fileName) {
    QFile f(QStringLiteral(MMTUTOR_LESSONS_DIR "/") + fileName);
    f.open(QIODevice::ReadOnly);
    return QString::fromUtf8(f.readAll());
}

inline QByteArray fileBytes(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

inline void writeBytes(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    f.write(bytes);
}

struct PackRow {
    int position;
    QString id;
    QString source;
};

// A pack written by hand: `meta` rows (none: no meta table) and lesson rows
// (withLessonsTable false: no lessons table).
inline void writeRawPack(const QString& path, const QList<std::pair<QString, QString>>& meta,
                         const QList<PackRow>& rows, bool withLessonsTable = true) {
    QFile::remove(path);
    store::SqliteConnection db;
    db.open(path, store::OpenMode::readWrite);
    if (!meta.isEmpty()) {
        db.exec(QStringLiteral("CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)"));
        for (const auto& [key, value] : meta)
            db.exec(QStringLiteral("INSERT INTO meta VALUES (?, ?)"), {key, value});
    }
    if (withLessonsTable) {
        db.exec(QStringLiteral("CREATE TABLE lessons (position INTEGER, id TEXT, source TEXT)"));
        for (const PackRow& r : rows)
            db.exec(QStringLiteral("INSERT INTO lessons VALUES (?, ?, ?)"), {r.position, r.id, r.source});
    }
}

inline QList<std::pair<QString, QString>> packMeta(const QString& version = QStringLiteral("1")) {
    return {{QStringLiteral("format"), QStringLiteral("mmtutor-lesson-pack")},
            {QStringLiteral("format_version"), version}};
}
