// The user database's schema, one migration per version. A migration moves
// the schema from version N-1 to N; UserDatabase runs each in its own
// transaction and sets PRAGMA user_version = N before committing, so a file
// is always at exactly one version. A migration, once released, never
// changes: the SQL is written out here rather than shared with newer code.
//
//   1: settings (text values), progress, answers, scenarios, user_lessons
//   2: answers get answered_at; settings get a type (string, number, bool),
//      inferred for the values saved under version 1
#pragma once

#include "sqlite_connection.h"

namespace store {

constexpr int kUserSchemaVersion = 2;

// Runs migration `version` (1..kUserSchemaVersion) on an open transaction.
bool migrateUserSchemaTo(int version, SqliteConnection& db);

} // namespace store
