// The user database: a new file, the upgrade of a committed version-1 file,
// a newer file refused untouched, damaged files set aside, and each store.
#include "store_fixture.h"
#include "user_database.h"
#include "user_schema.h"

#include <catch2/catch.hpp>

#include <QFileInfo>
#include <QSqlQuery>

using store::UserDatabase;
using store::UserDatabaseState;

namespace {

QString userPath(const QTemporaryDir& dir) {
    return dir.filePath(QStringLiteral("user.sqlite"));
}

// The CREATE statements of a database, in name order: its schema.
QStringList schemaOf(store::SqliteConnection& db) {
    QStringList out;
    QSqlQuery q(db.database());
    q.exec(QStringLiteral("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"));
    while (q.next())
        out << q.value(0).toString();
    return out;
}

// A SQLite file another program (or a later mmtutor) could have left: one
// table of its own and a schema version.
void makeDatabase(const QString& path, const char* table, int version) {
    store::SqliteConnection db;
    REQUIRE(db.open(path, store::OpenMode::readWrite));
    REQUIRE(db.exec(QStringLiteral("CREATE TABLE %1 (x)").arg(QLatin1String(table))));
    REQUIRE(db.exec(QStringLiteral("PRAGMA user_version = %1").arg(version)));
}

} // namespace

TEST_CASE("a new user database is created at the current schema, in WAL mode") {
    QTemporaryDir dir;
    UserDatabase db(userPath(dir));
    const store::UserDatabaseReport report = db.open();
    CHECK(report.state == UserDatabaseState::created);
    CHECK(report.message.isEmpty());
    CHECK(db.schemaVersion() == store::kUserSchemaVersion);
    CHECK(db.connection().scalar(QStringLiteral("PRAGMA journal_mode")).toString() == "wal");
    CHECK(db.connection().scalar(QStringLiteral("PRAGMA foreign_keys")).toInt() == 1);
}

TEST_CASE("the committed version-1 file has exactly the schema migration 1 creates") {
    QTemporaryDir dir;
    UserDatabase fresh(userPath(dir));
    REQUIRE(fresh.open(1).state == UserDatabaseState::created);
    REQUIRE(fresh.schemaVersion() == 1);
    store::SqliteConnection committed;
    REQUIRE(
        committed.open(QStringLiteral(MMTUTOR_STORE_TEST_DATA "/user-v1.sqlite"), store::OpenMode::readOnly));
    CHECK(schemaOf(committed) == schemaOf(fresh.connection()));
}

TEST_CASE("a version-1 database is upgraded and everything saved in it survives") {
    QTemporaryDir dir;
    REQUIRE(QFile::copy(QStringLiteral(MMTUTOR_STORE_TEST_DATA "/user-v1.sqlite"), userPath(dir)));
    UserDatabase db(userPath(dir));
    const store::UserDatabaseReport report = db.open();
    CHECK(report.state == UserDatabaseState::upgraded);
    CHECK(report.foundVersion == 1);
    CHECK(db.schemaVersion() == 2);

    const auto progress = db.allProgress();
    REQUIRE(progress.size() == 2);
    CHECK(progress["fork-and-cow"].currentStep == 4);
    CHECK_FALSE(progress["fork-and-cow"].completed);
    CHECK(progress["fork-and-cow"].updatedAt == "2026-10-02T10:30:00Z");
    CHECK(progress["anonymous-memory-101"].completed);

    const auto answers = db.answers(QStringLiteral("fork-and-cow"));
    REQUIRE(answers.size() == 2);
    CHECK(answers[0].checkpoint == "48");
    CHECK(answers[0].choice == "yes");
    CHECK(answers[0].correct);
    CHECK(answers[0].answeredAt.isEmpty()); // version 1 kept no time
    CHECK(answers[1].choice == "present-rw");
    CHECK_FALSE(answers[1].correct);

    // Version 2 gave settings a type, inferred from the version-1 text.
    CHECK(db.setting(QStringLiteral("theme")) == QVariant(QStringLiteral("dark")));
    CHECK(db.setting(QStringLiteral("reduceMotion")) == QVariant(true));
    CHECK(db.setting(QStringLiteral("uiScale")) == QVariant(1.25));
    CHECK(db.setting(QStringLiteral("era")) == QVariant(QStringLiteral("b")));

    REQUIRE(db.scenario(QStringLiteral("my fork")).has_value());
    CHECK(db.scenario(QStringLiteral("my fork"))->text == "process P\nmap P buf 1 rw\nfork P C\n");
    const auto lessons = db.userLessons();
    REQUIRE(lessons.size() == 1);
    CHECK(lessons[0].id == "my-fork");
    CHECK(db.userLessonSource(QStringLiteral("my-fork"))
              .startsWith("id: my-fork\ntitle: fork and copy-on-write"));

    // New answers carry their time; opening again finds the current schema.
    REQUIRE(
        db.recordAnswer(QStringLiteral("fork-and-cow"), QStringLiteral("64"), QStringLiteral("no"), false));
    CHECK_FALSE(db.answers(QStringLiteral("fork-and-cow"))[2].answeredAt.isEmpty());
    db.connection().close();
    UserDatabase again(userPath(dir));
    CHECK(again.open().state == UserDatabaseState::opened);
    CHECK(again.allProgress()["fork-and-cow"].currentStep == 4);
}

TEST_CASE("a database from a newer mmtutor is refused and left byte for byte as it was") {
    QTemporaryDir dir;
    makeDatabase(userPath(dir), "future", 3);
    const QByteArray before = fileBytes(userPath(dir));
    UserDatabase db(userPath(dir));
    const store::UserDatabaseReport report = db.open();
    CHECK(report.state == UserDatabaseState::refusedNewer);
    CHECK(report.foundVersion == 3);
    CHECK(report.message ==
          QStringLiteral("Your saved progress (%1) was written by a newer mmtutor (schema version "
                         "3; this one knows up to 2). It was left untouched; update mmtutor to use "
                         "it. Nothing will be saved in this session.")
              .arg(userPath(dir)));
    CHECK_FALSE(db.isOpen());
    CHECK_FALSE(db.setProgress(QStringLiteral("fork-and-cow"), 2));
    CHECK(fileBytes(userPath(dir)) == before);
    CHECK(QDir(dir.path()).entryList(QDir::Files) == QStringList{"user.sqlite"});
}

TEST_CASE("a database of the current version that lacks mmtutor's tables is refused, not used quietly") {
    QTemporaryDir dir;
    makeDatabase(userPath(dir), "notes", 2);
    UserDatabase db(userPath(dir));
    const store::UserDatabaseReport report = db.open();
    CHECK(report.state == UserDatabaseState::failed);
    CHECK(report.message ==
          QStringLiteral("Your saved progress (%1) could not be opened: it has no table 'progress', so it is "
                         "not a file mmtutor wrote. It was left as it was; nothing will be saved in this session.")
              .arg(userPath(dir)));
    CHECK_FALSE(db.isOpen());
    CHECK_FALSE(db.setProgress(QStringLiteral("fork-and-cow"), 2));
    store::SqliteConnection check;
    REQUIRE(check.open(userPath(dir), store::OpenMode::readOnly));
    CHECK(check.scalar(QStringLiteral("SELECT count(*) FROM notes")).toInt() == 0);
}

TEST_CASE("a negative schema version is no mmtutor's: refused with a message, left as it is") {
    QTemporaryDir dir;
    makeDatabase(userPath(dir), "x", -1);
    const QByteArray before = fileBytes(userPath(dir));
    UserDatabase db(userPath(dir));
    const store::UserDatabaseReport report = db.open();
    CHECK(report.state == UserDatabaseState::failed);
    CHECK(report.message == QStringLiteral("Your saved progress (%1) has schema version -1, which no mmtutor "
                                           "writes. It was left as it is; nothing will be saved in this session.")
                                .arg(userPath(dir)));
    CHECK_FALSE(db.isOpen());
    CHECK(fileBytes(userPath(dir)) == before);
}

TEST_CASE("a damaged database is set aside under a dated name, never deleted, and a new one started") {
    QTemporaryDir dir;
    QByteArray damaged;
    QString expectedReason;
    SECTION("a file that is not SQLite") {
        damaged = "this is my diary, not a database\n";
        expectedReason = QStringLiteral("file is not a database");
    }
    SECTION("a truncated database") {
        QByteArray whole = fileBytes(QStringLiteral(MMTUTOR_STORE_TEST_DATA "/user-v1.sqlite"));
        damaged = whole.left(whole.size() / 2 + 100);
        expectedReason = QStringLiteral("database disk image is malformed");
    }
    writeBytes(userPath(dir), damaged);
    UserDatabase db(userPath(dir));
    const store::UserDatabaseReport report = db.open();
    CHECK(report.state == UserDatabaseState::setAside);
    CHECK(report.setAsidePath.startsWith(userPath(dir) + ".corrupt-"));
    CHECK(QFileInfo(report.setAsidePath)
              .fileName()
              .contains(QRegularExpression("^user\\.sqlite\\.corrupt-\\d{8}-\\d{6}$")));
    CHECK(fileBytes(report.setAsidePath) == damaged);
    CHECK(report.message.startsWith("Your saved progress file was damaged ("));
    CHECK(report.message.contains(expectedReason));
    CHECK(report.message.endsWith(
        QStringLiteral("It was kept as %1 and a new one was started.").arg(report.setAsidePath)));
    CHECK(db.isOpen());
    CHECK(db.schemaVersion() == store::kUserSchemaVersion);
    CHECK(db.allProgress().isEmpty());
}

TEST_CASE("progress, completion and reset") {
    QTemporaryDir dir;
    UserDatabase db(userPath(dir));
    db.open();
    REQUIRE(db.setProgress(QStringLiteral("fork-and-cow"), 3));
    CHECK(db.progress(QStringLiteral("fork-and-cow"))->currentStep == 3);
    REQUIRE(db.markComplete(QStringLiteral("fork-and-cow")));
    CHECK(db.progress(QStringLiteral("fork-and-cow"))->completed);
    CHECK(db.progress(QStringLiteral("fork-and-cow"))->currentStep == 3);
    CHECK_FALSE(db.setProgress(QStringLiteral("fork-and-cow"), -1));
    REQUIRE(
        db.recordAnswer(QStringLiteral("fork-and-cow"), QStringLiteral("64"), QStringLiteral("yes"), true));
    REQUIRE(db.resetLesson(QStringLiteral("fork-and-cow")));
    CHECK_FALSE(db.progress(QStringLiteral("fork-and-cow")).has_value());
    CHECK(db.answers(QStringLiteral("fork-and-cow")).empty());
}

TEST_CASE("replacing a lesson by a shorter one brings progress past its end back to its last step") {
    QTemporaryDir dir;
    UserDatabase db(userPath(dir));
    db.open();
    store::UserLessonWrite write;
    write.lesson.id = QStringLiteral("mine");
    write.lesson.source = lessonSourceFile(QStringLiteral("02-fork-and-cow.lesson"));
    write.lesson.stepCount = 12;
    write.origin = QStringLiteral("own");
    REQUIRE(db.writeUserLessons({write}));
    REQUIRE(db.setProgress(QStringLiteral("mine"), 11));
    REQUIRE(db.markComplete(QStringLiteral("mine")));

    write.lesson.stepCount = 9;
    write.replaces = true;
    REQUIRE(db.writeUserLessons({write}));
    CHECK(db.progress(QStringLiteral("mine"))->currentStep == 9);
    CHECK_FALSE(db.progress(QStringLiteral("mine"))->completed);

    // Progress within the new length stays as it was.
    REQUIRE(db.setProgress(QStringLiteral("mine"), 4));
    write.lesson.stepCount = 20;
    REQUIRE(db.writeUserLessons({write}));
    CHECK(db.progress(QStringLiteral("mine"))->currentStep == 4);
}

TEST_CASE("settings keep their type, scenarios are saved by name") {
    QTemporaryDir dir;
    UserDatabase db(userPath(dir));
    db.open();
    REQUIRE(db.setSetting(QStringLiteral("reduceMotion"), false));
    REQUIRE(db.setSetting(QStringLiteral("speed"), 2.5));
    REQUIRE(db.setSetting(QStringLiteral("theme"), QStringLiteral("contrast")));
    CHECK(db.setting(QStringLiteral("reduceMotion")).typeId() == QMetaType::Bool);
    CHECK(db.setting(QStringLiteral("reduceMotion")) == QVariant(false));
    CHECK(db.setting(QStringLiteral("speed")) == QVariant(2.5));
    CHECK(db.setting(QStringLiteral("theme")) == QVariant(QStringLiteral("contrast")));
    CHECK_FALSE(db.setting(QStringLiteral("nothing")).isValid());

    REQUIRE(db.saveScenario(QStringLiteral("pin"), QStringLiteral("process P\n")));
    REQUIRE(db.saveScenario(QStringLiteral("pin"), QStringLiteral("process Q\n")));
    REQUIRE(db.scenarios().size() == 1);
    CHECK(db.scenario(QStringLiteral("pin"))->text == "process Q\n");
}

TEST_CASE("a database another program holds locked is left alone, not set aside") {
    QTemporaryDir dir;
    store::SqliteConnection other;
    REQUIRE(other.open(userPath(dir), store::OpenMode::readWrite));
    REQUIRE(other.exec(QStringLiteral("CREATE TABLE progress (x)")));
    REQUIRE(other.exec(QStringLiteral("PRAGMA locking_mode = EXCLUSIVE")));
    REQUIRE(other.exec(QStringLiteral("BEGIN EXCLUSIVE")));
    REQUIRE(other.exec(QStringLiteral("INSERT INTO progress VALUES (1)")));
    UserDatabase db(userPath(dir));
    const store::UserDatabaseReport report = db.open();
    CHECK(report.state == UserDatabaseState::failed);
    CHECK(report.message.startsWith(
        QStringLiteral("Your saved progress (%1) could not be read (").arg(userPath(dir))));
    CHECK(report.message.contains("locked"));
    CHECK_FALSE(db.isOpen());
    CHECK(QDir(dir.path()).entryList({QStringLiteral("*.corrupt-*")}, QDir::Files).isEmpty());
    other.rollback();
}
