// One Qt SQL connection to one SQLite file, closed and unregistered when the
// object goes. Qt SQL keys connections by name in a global registry; this
// gives each a unique name so that stores, packs and tests never share one.
#pragma once

#include <QSqlDatabase>
#include <QSqlError>
#include <QString>
#include <QVariant>
#include <QVariantList>

namespace store {

enum class OpenMode { readOnly, readWrite };

class SqliteConnection {
public:
    SqliteConnection() = default;
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    // Opens (readWrite creates the file if missing). False with error() set
    // when the driver cannot open it; SQLite notices a file that is not a
    // database only at the first query.
    bool open(const QString& path, OpenMode mode);
    void close();
    bool isOpen() const { return !name_.isEmpty(); }
    QSqlDatabase database() const;
    QString path() const { return path_; }
    QString error() const { return error_; }
    // SQLite's result code of the last failure (11 SQLITE_CORRUPT, 26
    // SQLITE_NOTADB, 5 SQLITE_BUSY...), 0 if it gave none.
    int errorCode() const { return errorCode_; }

    // Runs one statement (with positional bindings); false with error() set.
    bool exec(const QString& sql, const QVariantList& values = {});
    // The first column of the first row, or an invalid QVariant (error() set
    // if the query failed, empty if it returned no row).
    QVariant scalar(const QString& sql, const QVariantList& values = {});

    // A transaction: begin, then commit or roll back.
    bool begin();
    bool commit();
    void rollback();

private:
    void setError(const QSqlError& error);

    QString name_;
    QString path_;
    QString error_;
    int errorCode_ = 0;
};

// "2026-11-25T22:40:01Z": how every time is stored.
QString utcNow();

} // namespace store
