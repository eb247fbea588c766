// Lesson packs: the round trip, each malformed pack with its error, conflicts
// (keep both, replace) and the rule that a failing import writes nothing.
#include "lesson_pack.h"
#include "store_fixture.h"
#include "user_database.h"

#include <catch2/catch.hpp>

using store::PackResolution;

namespace {

struct PackFixture {
    QTemporaryDir dir;
    store::UserDatabase user{dir.filePath(QStringLiteral("user.sqlite"))};
    store::KnownLessons known{{QStringLiteral("anonymous-memory-101")}, {}};

    PackFixture() { user.open(); }
    QString path(const char* name) const { return dir.filePath(QString::fromLatin1(name)); }
    void refreshKnown() {
        known.user.clear();
        for (const store::LessonRecord& l : user.userLessons())
            known.user.insert(l.id);
    }
    int userLessonCount() { return static_cast<int>(user.userLessons().size()); }
};

store::LessonRecord record(const QString& id, const QString& source) {
    store::LessonRecord r;
    r.id = id;
    r.source = source;
    return r;
}

const QString kForkFile = QStringLiteral("02-fork-and-cow.lesson");

} // namespace

TEST_CASE("pack round trip: export, then import into a fresh database gives the same sources") {
    PackFixture f;
    const QString fork = lessonSourceFile(kForkFile);
    const QString gup = lessonSourceFile(QStringLiteral("03-gup-get-and-pin.lesson"));
    QString error;
    REQUIRE(store::exportPack(f.path("two.mmtpack"),
                              {record("fork-and-cow", fork), record("gup-get-and-pin", gup)}, &error));
    CHECK(error.isEmpty());

    const store::PackInspection inspection = store::inspectPack(f.path("two.mmtpack"), f.known);
    REQUIRE(inspection.ok);
    REQUIRE(inspection.lessons.size() == 2);
    CHECK(inspection.lessons[0].lesson.title == "fork and copy-on-write");
    CHECK(inspection.lessons[0].lesson.stepCount == 9);
    CHECK(inspection.lessons[0].lesson.checkpointCount == 8);
    CHECK(inspection.lessons[0].conflict == store::PackConflict::none);

    const store::PackImport result = store::importPack(f.path("two.mmtpack"), f.user, f.known, {});
    REQUIRE(result.ok);
    CHECK(result.imported == QStringList{"fork-and-cow", "gup-get-and-pin"});
    CHECK(f.user.userLessonSource(QStringLiteral("fork-and-cow")) == fork);
    CHECK(f.user.userLessonSource(QStringLiteral("gup-get-and-pin")) == gup);
    const auto lessons = f.user.userLessons();
    REQUIRE(lessons.size() == 2);
    CHECK(lessons[0].id == "fork-and-cow");
    CHECK(lessons[0].prerequisites == QStringList{"anonymous-memory-101"});
}

TEST_CASE("malformed packs are refused with an error that names the pack, the lesson and the problem") {
    PackFixture f;
    const QString fork = lessonSourceFile(kForkFile);
    QString path = f.path("bad.mmtpack");
    QString expected;
    SECTION("not a pack file") {
        writeBytes(path, "id: fork-and-cow\n");
        expected = QStringLiteral("bad.mmtpack: not a lesson pack (not an SQLite file)");
    }
    SECTION("an SQLite file without a meta table") {
        writeRawPack(path, {}, {{1, "fork-and-cow", fork}});
        expected = QStringLiteral("bad.mmtpack: missing table 'meta' (not a lesson pack)");
    }
    SECTION("another kind of SQLite file") {
        writeRawPack(path, {{"format", "mmtutor-bundled-lessons"}, {"format_version", "1"}},
                     {{1, "fork-and-cow", fork}});
        expected = QStringLiteral("bad.mmtpack: not a lesson pack (meta format is 'mmtutor-bundled-lessons', "
                                  "expected 'mmtutor-lesson-pack')");
    }
    SECTION("a newer format version") {
        writeRawPack(path, packMeta("2"), {{1, "fork-and-cow", fork}});
        expected = QStringLiteral(
            "bad.mmtpack: pack format version 2 is newer than this mmtutor reads (1); update mmtutor");
    }
    SECTION("a missing lessons table") {
        writeRawPack(path, packMeta(), {}, false);
        expected = QStringLiteral("bad.mmtpack: missing table 'lessons'");
    }
    SECTION("no lessons") {
        writeRawPack(path, packMeta(), {});
        expected = QStringLiteral("bad.mmtpack: the pack holds no lessons");
    }
    SECTION("a lesson that does not parse, with its line") {
        QString broken = fork;
        broken.replace(QStringLiteral("minutes: 20\n"), QStringLiteral("minutes: lots\n"));
        writeRawPack(path, packMeta(), {{1, "fork-and-cow", broken}});
        expected =
            QStringLiteral("bad.mmtpack: lesson 'fork-and-cow', line 6: expected minutes as a whole number "
                           "from 1 to 240, got `lots`");
    }
    SECTION("a lesson whose checkpoint the engine contradicts") {
        QString wrong = fork;
        // The child's first write copies the page; make the lesson say it does not.
        wrong.replace(QStringLiteral("question: Will C get a new page at `buf[0]`?\nanswer: yes"),
                      QStringLiteral("question: Will C get a new page at `buf[0]`?\nanswer: no"));
        wrong.replace(QStringLiteral("wrong no: Writing in place"),
                      QStringLiteral("wrong yes: Writing in place"));
        writeRawPack(path, packMeta(), {{1, "fork-and-cow", wrong}});
        expected =
            QStringLiteral("bad.mmtpack: lesson 'fork-and-cow', line 113: checkpoint `copies C buf[0]`: the "
                           "lesson's answer is no, but the engine says yes");
    }
    SECTION("the same id twice") {
        writeRawPack(path, packMeta(), {{1, "fork-and-cow", fork}, {2, "fork-and-cow", fork}});
        expected = QStringLiteral("bad.mmtpack: lesson id 'fork-and-cow' appears twice (rows 1 and 2)");
    }
    SECTION("a row id that is not the source's id") {
        writeRawPack(path, packMeta(), {{1, "spoon", fork}});
        expected = QStringLiteral("bad.mmtpack: lesson 'spoon', line 1: its source says id 'fork-and-cow'");
    }
    SECTION("an unknown prerequisite") {
        f.known.bundled.clear();
        writeRawPack(path, packMeta(), {{1, "fork-and-cow", fork}});
        expected =
            QStringLiteral("bad.mmtpack: lesson 'fork-and-cow': prerequisite 'anonymous-memory-101' is not a "
                           "bundled lesson, one of yours, or in the pack");
    }
    const store::PackInspection inspection = store::inspectPack(path, f.known);
    CHECK_FALSE(inspection.ok);
    CHECK(inspection.lessons.empty());
    CHECK(inspection.error.startsWith(expected));
    INFO(inspection.error.toStdString());
    const store::PackImport result = store::importPack(path, f.user, f.known, {});
    CHECK_FALSE(result.ok);
    CHECK(result.error == inspection.error);
    CHECK(f.userLessonCount() == 0);
}

TEST_CASE("a pack with one good and one bad lesson writes nothing") {
    PackFixture f;
    const QString fork = lessonSourceFile(kForkFile);
    QString broken = lessonSourceFile(QStringLiteral("03-gup-get-and-pin.lesson"));
    broken.replace(QStringLiteral("level: beginner"), QStringLiteral("level: wizard"));
    writeRawPack(f.path("half.mmtpack"), packMeta(),
                 {{1, "fork-and-cow", fork}, {2, "gup-get-and-pin", broken}});
    const store::PackImport result = store::importPack(f.path("half.mmtpack"), f.user, f.known, {});
    CHECK_FALSE(result.ok);
    CHECK(result.error.startsWith("half.mmtpack: lesson 'gup-get-and-pin', line 4: "));
    CHECK(f.userLessonCount() == 0);
}

TEST_CASE("conflicts: unresolved is an error, keep both renames, replace replaces only the user's lessons") {
    PackFixture f;
    const QString fork = lessonSourceFile(kForkFile);
    QString error;
    REQUIRE(store::exportPack(f.path("fork.mmtpack"), {record("fork-and-cow", fork)}, &error));
    REQUIRE(store::importPack(f.path("fork.mmtpack"), f.user, f.known, {}).ok);
    f.refreshKnown();

    const store::PackInspection inspection = store::inspectPack(f.path("fork.mmtpack"), f.known);
    REQUIRE(inspection.ok);
    CHECK(inspection.lessons[0].conflict == store::PackConflict::user);

    const store::PackImport unresolved = store::importPack(f.path("fork.mmtpack"), f.user, f.known, {});
    CHECK_FALSE(unresolved.ok);
    CHECK(unresolved.error ==
          "fork.mmtpack: these lessons exist already: 'fork-and-cow' (yours); choose keep both or replace");
    CHECK(f.userLessonCount() == 1);

    const store::PackImport both = store::importPack(f.path("fork.mmtpack"), f.user, f.known,
                                                     {{"fork-and-cow", PackResolution::keepBoth}});
    REQUIRE(both.ok);
    CHECK(both.imported == QStringList{"fork-and-cow-2"});
    CHECK(
        f.user.userLessonSource(QStringLiteral("fork-and-cow-2")).startsWith("id: fork-and-cow-2\ntitle: "));
    CHECK(f.userLessonCount() == 2);
    f.refreshKnown();

    // Replacing: the user's lesson gets the pack's text.
    QString changed = fork;
    changed.replace(QStringLiteral("title: fork and copy-on-write"), QStringLiteral("title: fork, revised"));
    REQUIRE(store::exportPack(f.path("revised.mmtpack"), {record("fork-and-cow", changed)}, &error));
    const store::PackImport replaced = store::importPack(f.path("revised.mmtpack"), f.user, f.known,
                                                         {{"fork-and-cow", PackResolution::replace}});
    REQUIRE(replaced.ok);
    CHECK(f.user.userLessonSource(QStringLiteral("fork-and-cow")) == changed);
    CHECK(f.userLessonCount() == 2);
}

TEST_CASE("a bundled lesson is never replaced") {
    PackFixture f;
    QString error;
    const QString intro = lessonSourceFile(QStringLiteral("01-anonymous-memory-101.lesson"));
    REQUIRE(store::exportPack(f.path("intro.mmtpack"), {record("anonymous-memory-101", intro)}, &error));
    const store::PackImport replaced = store::importPack(f.path("intro.mmtpack"), f.user, f.known,
                                                         {{"anonymous-memory-101", PackResolution::replace}});
    CHECK_FALSE(replaced.ok);
    CHECK(replaced.error == "intro.mmtpack: lesson 'anonymous-memory-101' is a bundled lesson: it cannot be "
                            "replaced, only kept next to the import");
    CHECK(f.userLessonCount() == 0);
    const store::PackImport both = store::importPack(f.path("intro.mmtpack"), f.user, f.known,
                                                     {{"anonymous-memory-101", PackResolution::keepBoth}});
    REQUIRE(both.ok);
    CHECK(both.imported == QStringList{"anonymous-memory-101-2"});
}

TEST_CASE("writing the user's lessons is one transaction: a failing row undoes the rows before it") {
    PackFixture f;
    const QString fork = lessonSourceFile(kForkFile);
    store::LessonRecord lesson = record("fork-and-cow", fork);
    lesson.title = QStringLiteral("fork and copy-on-write");
    // The same id twice without `replaces`: the second insert breaks the primary key.
    CHECK_FALSE(f.user.writeUserLessons(
        {{lesson, QStringLiteral("own"), false}, {lesson, QStringLiteral("own"), false}}));
    CHECK(f.user.error().contains("UNIQUE constraint failed: user_lessons.id"));
    CHECK(f.userLessonCount() == 0);
    CHECK(f.user.writeUserLessons({{lesson, QStringLiteral("own"), false}}));
    CHECK(f.userLessonCount() == 1);
}

TEST_CASE("export replaces only nothing or another pack: the user database, other files and devices are refused") {
    PackFixture f;
    const QString fork = lessonSourceFile(kForkFile);
    QString error;
    // Over an older pack: replaced.
    REQUIRE(store::exportPack(f.path("old.mmtpack"), {record("fork-and-cow", fork)}, &error));
    REQUIRE(store::exportPack(f.path("old.mmtpack"), {record("fork-and-cow", fork)}, &error));

    // Over the user database: refused, and the database is as it was.
    f.user.setProgress(QStringLiteral("fork-and-cow"), 3);
    const QString userPath = f.path("user.sqlite");
    const qint64 before = QFileInfo(userPath).size();
    CHECK_FALSE(store::exportPack(userPath, {record("fork-and-cow", fork)}, &error));
    CHECK(error == userPath + ": exists and is not a lesson pack; it is left as it is (choose another name)");
    CHECK(QFileInfo(userPath).size() == before);
    CHECK_FALSE(QFileInfo::exists(userPath + ".part"));

    // Over any other file, a directory, or a device.
    {
        QFile notes(f.path("notes.txt"));
        REQUIRE(notes.open(QIODevice::WriteOnly));
        notes.write("my notes\n");
    }
    CHECK_FALSE(store::exportPack(f.path("notes.txt"), {record("fork-and-cow", fork)}, &error));
    QFile notes(f.path("notes.txt"));
    REQUIRE(notes.open(QIODevice::ReadOnly));
    CHECK(notes.readAll() == "my notes\n");
    REQUIRE(QDir(f.dir.path()).mkdir(QStringLiteral("sub")));
    CHECK_FALSE(store::exportPack(f.path("sub"), {record("fork-and-cow", fork)}, &error));
    CHECK(error.endsWith("not a regular file; a pack is written only over nothing or another pack"));
    CHECK_FALSE(store::exportPack(QStringLiteral("/dev/null"), {record("fork-and-cow", fork)}, &error));
    CHECK(QFileInfo(QStringLiteral("/dev/null")).exists());
    CHECK_FALSE(store::exportPack(QString(), {record("fork-and-cow", fork)}, &error));
    CHECK(error == "no pack file name given");
}
