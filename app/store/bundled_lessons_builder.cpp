// bundled_lessons_builder LESSONS_DIR OUTPUT.sqlite: the build step that turns
// lessons/*.lesson into the database the application embeds (bundled_lessons.h).
// Every lesson is parsed and held against the engine (check_lesson), and the
// set is checked as a whole (check_lesson_set); any problem is printed as
// FILE:LINE: message, nothing is written, and the exit status is 1, so that a
// broken lesson fails the build where it is.
#include "bundled_lessons.h"
#include "engine_memory.h"
#include "lesson_check.h"
#include "lesson_record.h"
#include "sqlite_connection.h"

#include <cstdio>

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>

namespace {

int fail(const QString& message) {
    std::fprintf(stderr, "%s\n", qPrintable(message));
    return 1;
}

// steps and checkpoints, for tools that want them without parsing a lesson.
const char* kExtraTables[] = {
    "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)",
    "CREATE TABLE steps (lesson_id TEXT NOT NULL REFERENCES lessons(id), number INTEGER NOT NULL, "
    "line INTEGER NOT NULL, command TEXT NOT NULL, title TEXT NOT NULL, PRIMARY KEY (lesson_id, number))",
    "CREATE TABLE checkpoints (lesson_id TEXT NOT NULL REFERENCES lessons(id), step_number INTEGER NOT NULL, "
    "line INTEGER NOT NULL, ask TEXT NOT NULL, subject TEXT NOT NULL, answer TEXT NOT NULL, "
    "PRIMARY KEY (lesson_id, line))",
};

bool writeLesson(store::SqliteConnection& db, const mmt::Lesson& lesson, const QString& source,
                 int position) {
    store::LessonRecord record = store::lessonRecord(lesson, source, store::LessonOrigin::bundled);
    record.file = QFileInfo(record.file).fileName();
    if (!store::insertLesson(db, QStringLiteral("lessons"), record, position))
        return false;
    for (const mmt::LessonStep& step : lesson.steps) {
        if (!db.exec(QStringLiteral("INSERT INTO steps VALUES (?, ?, ?, ?, ?)"),
                     {record.id, step.command_number, step.line, QString::fromStdString(step.command_text),
                      QString::fromStdString(step.title)}))
            return false;
        for (const mmt::Checkpoint& c : step.checkpoints)
            if (!db.exec(QStringLiteral("INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, ?)"),
                         {record.id, step.command_number, c.line,
                          QString::fromUtf8(mmt::checkpoint_ask_name(c.ask)),
                          QString::fromStdString(c.subject), QString::fromStdString(c.answer.value)}))
                return false;
    }
    return true;
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (argc != 3)
        return fail(QStringLiteral("usage: bundled_lessons_builder LESSONS_DIR OUTPUT.sqlite"));
    const QString directory = QString::fromLocal8Bit(argv[1]);
    const QString output = QString::fromLocal8Bit(argv[2]);
    store::keepFreedEngineMemory();
    QFile::remove(output); // a failed build must not leave the last good bundle behind as if current

    const std::vector<std::string> files = mmt::lesson_files(directory.toStdString());
    if (files.empty())
        return fail(QStringLiteral("%1: no NN-slug.lesson files").arg(directory));
    std::vector<mmt::Lesson> lessons;
    std::vector<QString> sources;
    size_t problems = 0;
    for (const std::string& file : files) {
        std::string text, error;
        if (!mmt::read_lesson_file(file, &text, &error)) {
            std::fprintf(stderr, "%s:1: %s\n", file.c_str(), error.c_str());
            ++problems;
            continue;
        }
        const QString source = QString::fromStdString(text);
        store::LessonValidation checked = store::validateLesson(source, QString::fromStdString(file));
        for (const mmt::LessonProblem& p : checked.problems)
            std::fprintf(stderr, "%s\n", p.format().c_str());
        problems += checked.problems.size();
        if (checked.lesson) {
            lessons.push_back(std::move(*checked.lesson));
            sources.push_back(source);
        }
    }
    for (const mmt::LessonProblem& p : mmt::check_lesson_set(lessons))
        std::fprintf(stderr, "%s\n", p.format().c_str()), ++problems;
    if (problems)
        return fail(QStringLiteral("bundled_lessons_builder: %1 problem(s) in %2; no bundle written")
                        .arg(problems)
                        .arg(directory));

    const QString temporary = output + QStringLiteral(".tmp");
    QFile::remove(temporary);
    {
        store::SqliteConnection db;
        if (!db.open(temporary, store::OpenMode::readWrite))
            return fail(QStringLiteral("%1: %2").arg(temporary, db.error()));
        QCryptographicHash hash(QCryptographicHash::Sha256);
        bool ok = db.begin() && db.exec(store::lessonTableSql(QStringLiteral("lessons")));
        for (const char* sql : kExtraTables)
            ok = ok && db.exec(QString::fromLatin1(sql));
        for (size_t i = 0; ok && i < lessons.size(); ++i) {
            ok = writeLesson(db, lessons[i], sources[i], static_cast<int>(i + 1));
            hash.addData(sources[i].toUtf8());
            hash.addData(QByteArray(1, '\0'));
        }
        const QList<std::pair<QString, QVariant>> meta{
            {QStringLiteral("format"), QString::fromLatin1(store::kBundleFormat)},
            {QStringLiteral("format_version"), store::kBundleFormatVersion},
            {QStringLiteral("content_hash"), QString::fromLatin1(hash.result().toHex())},
            {QStringLiteral("lesson_count"), static_cast<int>(lessons.size())},
        };
        for (const auto& [key, value] : meta)
            ok = ok && db.exec(QStringLiteral("INSERT INTO meta VALUES (?, ?)"), {key, value});
        ok = ok && db.commit();
        if (!ok)
            return fail(QStringLiteral("%1: %2").arg(temporary, db.error()));
    }
    if (!QFile::rename(temporary, output))
        return fail(QStringLiteral("cannot rename %1 to %2").arg(temporary, output));
    std::printf("bundled %zu lessons into %s\n", lessons.size(), qPrintable(output));
    return 0;
}
