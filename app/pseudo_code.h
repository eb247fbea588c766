// The pseudo-code listings shown under a step's sentence: for each kernel
// function the engine names, a few plain lines written for teaching (not the
// kernel's source), each with phrases that identify it in a step's sentence.
// Loaded once from the resource :/mmtutor/pseudocode.json.
//
// A listing belongs to the kernel of an era: a function whose logic differs
// between eras (do_wp_page decides by mapcount in a, by page_count in b, by
// PG_anon_exclusive in c) has one listing per era, so that a student never
// reads a line their kernel did not have. A function given one listing for
// all eras falls back to it in every era; a function given listings for some
// eras only does not exist in the others (has() is false there).
#pragma once

#include "types.h"

#include <array>

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

    // Reads the JSON document; false (and `error` set) if it is malformed,
    // including a per-era object whose keys are not era letters or name an
    // era twice.
    bool load(const QByteArray& json, QString* error = nullptr);
    // The application's listings, from the compiled-in resource.
    static const PseudoCode& builtIn();

    bool has(const QString& function, mmt::Era era) const { return listings(era).contains(function); }
    // The functions with a listing in `era`.
    QStringList functions(mmt::Era era) const { return listings(era).keys(); }
    // The functions with a listing in at least one era.
    QStringList functions() const;
    QStringList listing(const QString& function, mmt::Era era) const;
    // The line of `function`'s listing in `era` that `sentence` is about: the
    // line owning the longest phrase found in it (case-insensitive), or -1
    // when none is.
    int lineFor(const QString& function, mmt::Era era, const QString& sentence) const;

    // "handle_mm_fault → do_wp_page → wp_page_copy" → "wp_page_copy".
    static QString innermost(const QString& path);

private:
    using Listings = QHash<QString, QVector<Line>>;
    const Listings& listings(mmt::Era era) const { return byEra_[static_cast<size_t>(era)]; }

    std::array<Listings, 3> byEra_; // indexed by mmt::Era
};
