#include "sqlite_connection.h"

#include <atomic>

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

namespace store {

namespace {
std::atomic<int> nextConnection{0};
}

SqliteConnection::~SqliteConnection() {
    close();
}

bool SqliteConnection::open(const QString& path, OpenMode mode) {
    close();
    const QString name = QStringLiteral("mmtutor-store-%1").arg(nextConnection++);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (mode == OpenMode::readOnly)
            db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (!db.open()) {
            setError(db.lastError());
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(name);
            return false;
        }
    }
    name_ = name;
    path_ = path;
    error_.clear();
    return true;
}

void SqliteConnection::close() {
    if (name_.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(name_, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(name_);
    name_.clear();
}

void SqliteConnection::setError(const QSqlError& error) {
    error_ = error.text();
    // The extended code's low byte is the primary code.
    errorCode_ = error.nativeErrorCode().toInt() & 0xff;
}

QSqlDatabase SqliteConnection::database() const {
    return QSqlDatabase::database(name_, false);
}

bool SqliteConnection::exec(const QString& sql, const QVariantList& values) {
    QSqlQuery query(database());
    if (!query.prepare(sql)) {
        setError(query.lastError());
        return false;
    }
    for (const QVariant& v : values)
        query.addBindValue(v);
    if (!query.exec()) {
        setError(query.lastError());
        return false;
    }
    return true;
}

QVariant SqliteConnection::scalar(const QString& sql, const QVariantList& values) {
    QSqlQuery query(database());
    query.setForwardOnly(true);
    if (!query.prepare(sql)) {
        setError(query.lastError());
        return {};
    }
    for (const QVariant& v : values)
        query.addBindValue(v);
    if (!query.exec()) {
        setError(query.lastError());
        return {};
    }
    error_.clear();
    errorCode_ = 0;
    return query.next() ? query.value(0) : QVariant();
}

bool SqliteConnection::begin() {
    return exec(QStringLiteral("BEGIN IMMEDIATE"));
}
bool SqliteConnection::commit() {
    return exec(QStringLiteral("COMMIT"));
}
void SqliteConnection::rollback() {
    exec(QStringLiteral("ROLLBACK"));
}

QString utcNow() {
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
}

} // namespace store
