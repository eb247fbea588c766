#include "store_paths.h"

#include <QDir>
#include <QStandardPaths>
#include <QUrl>

namespace store {

namespace {
QString fromEnvironment(const char* name, QStandardPaths::StandardLocation fallback) {
    const QString given = qEnvironmentVariable(name);
    if (!given.isEmpty())
        return given;
    const QString standard = QStandardPaths::writableLocation(fallback);
    return standard.isEmpty() ? QDir::tempPath() + QStringLiteral("/mmtutor") : standard;
}
} // namespace

QString defaultDataDirectory() {
    return fromEnvironment("MMTUTOR_DATA_DIR", QStandardPaths::AppDataLocation);
}

QString defaultCacheDirectory() {
    return fromEnvironment("MMTUTOR_CACHE_DIR", QStandardPaths::CacheLocation);
}

QString localPath(const QString& pathOrUrl) {
    if (pathOrUrl.startsWith(QLatin1String("file:")))
        return QUrl(pathOrUrl).toLocalFile();
    return pathOrUrl;
}

} // namespace store
