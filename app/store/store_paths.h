// Where the store keeps its files. Both can be moved by an environment
// variable, which tests, the benchmark and careful users rely on.
#pragma once

#include <QString>

namespace store {

// $MMTUTOR_DATA_DIR, else QStandardPaths::AppDataLocation: holds user.sqlite.
QString defaultDataDirectory();
// $MMTUTOR_CACHE_DIR, else QStandardPaths::CacheLocation: holds the copy of
// the bundled lesson database that SQLite opens (it cannot open a resource).
QString defaultCacheDirectory();
// A local path from a path or a file: URL (what FileDialog returns).
QString localPath(const QString& pathOrUrl);

} // namespace store
