// The bundle the build made of lessons/, as the application opens it.
#include "bundled_lessons.h"
#include "store_fixture.h"

#include <catch2/catch.hpp>

#include <QCryptographicHash>

TEST_CASE("the bundled lessons open from the resource, in lesson order, with their sources") {
    store::BundledLessons bundled;
    QTemporaryDir cache;
    REQUIRE(bundled.openResource(cache.path()));
    const auto& lessons = bundled.lessons();
    REQUIRE(lessons.size() == 14);
    CHECK(lessons[0].id == "anonymous-memory-101");
    CHECK(lessons[0].level == "beginner");
    CHECK(lessons[0].prerequisites.isEmpty());
    CHECK(lessons[0].origin == store::LessonOrigin::bundled);
    CHECK(lessons[1].id == "fork-and-cow");
    CHECK(lessons[1].file == "02-fork-and-cow.lesson");
    CHECK(lessons[1].minutes == 20);
    CHECK(lessons[1].stepCount == 9);
    CHECK(lessons[1].checkpointCount == 8);
    CHECK(lessons[1].prerequisites == QStringList{"anonymous-memory-101"});
    CHECK(lessons[13].id == "gup-fast-races");
    CHECK(lessons[13].status == "ready");
    CHECK(lessons[13].stepCount == 16);
    CHECK(bundled.source(QStringLiteral("fork-and-cow")) ==
          lessonSourceFile(QStringLiteral("02-fork-and-cow.lesson")));
    CHECK(bundled.source(QStringLiteral("no-such-lesson")).isEmpty());
    CHECK(bundled.contentHash().size() == 64);
    // The copy is made once per bundle content: one file in the cache.
    CHECK(QDir(cache.path()).entryList(QDir::Files).size() == 1);
    store::BundledLessons second;
    REQUIRE(second.openResource(cache.path()));
    CHECK(QDir(cache.path()).entryList(QDir::Files).size() == 1);
}

TEST_CASE("a damaged copy of the bundle in the cache is written again, not trusted for its size") {
    QTemporaryDir cache;
    {
        store::BundledLessons first;
        REQUIRE(first.openResource(cache.path()));
    }
    const QString copy = QDir(cache.path()).filePath(QDir(cache.path()).entryList(QDir::Files).front());
    const qint64 size = QFileInfo(copy).size();
    {
        QFile damaged(copy);
        REQUIRE(damaged.open(QIODevice::WriteOnly));
        REQUIRE(damaged.write(QByteArray(size, 'x')) == size);
    }
    store::BundledLessons again;
    REQUIRE(again.openResource(cache.path()));
    CHECK(again.lessons().size() == 14);
}

TEST_CASE("a file that is not a bundle is refused with its name") {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("pack.sqlite"));
    writeRawPack(path, packMeta(), {});
    store::BundledLessons bundled;
    CHECK_FALSE(bundled.openFile(path));
    CHECK(bundled.error() == path + ": not a bundled lesson database");
}
