// Library and its catalog model, as QML uses them: the model passes
// QAbstractItemModelTester, and progress, reset and import show up in it.
#include "library.h"
#include "store_fixture.h"

#include <catch2/catch.hpp>

#include <QAbstractItemModelTester>

namespace {
QVariant roleOf(LessonCatalogModel* model, const QString& id, LessonCatalogModel::Role role) {
    return model->data(model->index(model->indexOf(id)), role);
}
} // namespace

TEST_CASE("the catalog lists the bundled lessons with the user's progress from an upgraded database") {
    QTemporaryDir dir;
    REQUIRE(
        QFile::copy(QStringLiteral(MMTUTOR_STORE_TEST_DATA "/user-v1.sqlite"), dir.filePath("user.sqlite")));
    Library library(dir.path(), nullptr);
    LessonCatalogModel* model = library.catalog();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    CHECK(library.startupMessage().isEmpty());
    CHECK(library.canSave());
    REQUIRE(model->rowCount() == 15); // 14 bundled, 1 of the user's
    CHECK(model->get(0)["lessonId"] == "anonymous-memory-101");
    CHECK(model->get(0)["completed"] == true);
    CHECK(model->get(0)["progress"] == 1.0);
    CHECK(model->get(1)["lessonId"] == "fork-and-cow");
    CHECK(model->get(1)["currentStep"] == 4);
    CHECK(model->get(1)["progress"].toDouble() == Approx(4.0 / 9.0));
    CHECK(model->get(1)["origin"] == "bundled");
    CHECK(model->get(14)["lessonId"] == "my-fork");
    CHECK(model->get(14)["origin"] == "user");
    CHECK(model->roleNames().value(LessonCatalogModel::IdRole) == "lessonId");
    CHECK(library.lessonSource(QStringLiteral("my-fork")).startsWith("id: my-fork\n"));
    CHECK(library.lessonSource(QStringLiteral("fork-and-cow")).startsWith("id: fork-and-cow\n"));
    CHECK(library.setting(QStringLiteral("theme")) == QVariant(QStringLiteral("dark")));

    REQUIRE(library.setProgress(QStringLiteral("ksm-and-pins"), 2));
    CHECK(roleOf(model, "ksm-and-pins", LessonCatalogModel::CurrentStepRole) == 2);
    REQUIRE(library.markComplete(QStringLiteral("ksm-and-pins")));
    CHECK(roleOf(model, "ksm-and-pins", LessonCatalogModel::CompletedRole) == true);
    REQUIRE(library.reset(QStringLiteral("fork-and-cow")));
    CHECK(roleOf(model, "fork-and-cow", LessonCatalogModel::ProgressRole) == 0.0);
    CHECK(library.answers(QStringLiteral("fork-and-cow")).isEmpty());
}

TEST_CASE("Library exports and imports packs and reports conflicts for the browser to ask about") {
    QTemporaryDir dir;
    Library library(dir.path(), nullptr);
    QAbstractItemModelTester tester(library.catalog(), QAbstractItemModelTester::FailureReportingMode::Fatal);
    const QString pack = dir.filePath(QStringLiteral("two.mmtpack"));
    REQUIRE(library.exportPack({QStringLiteral("fork-and-cow"), QStringLiteral("ksm-and-pins")},
                               QUrl::fromLocalFile(pack).toString()));
    const QVariantMap inspection = library.inspectPack(pack).toMap();
    CHECK(inspection["ok"] == true);
    const QVariantList lessons = inspection["lessons"].toList();
    REQUIRE(lessons.size() == 2);
    CHECK(lessons[0].toMap()["id"] == "fork-and-cow");
    CHECK(lessons[0].toMap()["conflict"] == "bundled");

    const QVariantMap refused = library.importPack(pack, {}).toMap();
    CHECK(refused["ok"] == false);
    CHECK(library.lastError() == refused["error"]);
    CHECK(library.catalog()->rowCount() == 14);

    const QVariantMap imported = library
                                     .importPack(pack, {{QStringLiteral("fork-and-cow"), "keep-both"},
                                                        {QStringLiteral("ksm-and-pins"), "keep-both"}})
                                     .toMap();
    CHECK(imported["ok"] == true);
    CHECK(imported["imported"].toStringList() == QStringList{"fork-and-cow-2", "ksm-and-pins-2"});
    CHECK(library.catalog()->rowCount() == 16);
    CHECK(library.lastError().isEmpty());
    CHECK(library.catalog()->get(15)["lessonId"] == "ksm-and-pins-2");
}

TEST_CASE("a damaged user database is reported through startupMessage") {
    QTemporaryDir dir;
    writeBytes(dir.filePath(QStringLiteral("user.sqlite")), "not a database at all, but the user's bytes");
    Library library(dir.path(), nullptr);
    CHECK(
        library.startupMessage().startsWith("Your saved progress file was damaged (file is not a database"));
    CHECK(library.startupMessage().contains(".corrupt-"));
    CHECK(library.canSave());
    CHECK(library.catalog()->rowCount() == 14);
}
