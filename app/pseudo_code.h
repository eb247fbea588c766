// The pseudo-code listings shown under a step's sentence: for each kernel
// function the engine names, a few plain lines written for teaching (not the
// kernel's source), each with phrases that identify it in a step's sentence.
// Loaded once from the resource :/mmtutor/pseudocode.json.
#pragma once

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>

class PseudoCode {
public:
    struct Line {
        QString code;
        QStringList match; // phrases; the longest one found in a sentence wins
    };

    // Reads the JSON document; false (and `error` set) if it is malformed.
    bool load(const QByteArray& json, QString* error = nullptr);
    // The application's listings, from the compiled-in resource.
    static const PseudoCode& builtIn();

    bool has(const QString& function) const { return listings_.contains(function); }
    QStringList functions() const { return listings_.keys(); }
    QStringList listing(const QString& function) const;
    // The line of `function` that `sentence` is about: the line owning the
    // longest phrase found in it (case-insensitive), or -1 when none is.
    int lineFor(const QString& function, const QString& sentence) const;

    // "handle_mm_fault → do_wp_page → wp_page_copy" → "wp_page_copy".
    static QString innermost(const QString& path);

private:
    QHash<QString, QVector<Line>> listings_;
};
