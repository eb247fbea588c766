#include "pseudo_code.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace {

QVector<PseudoCode::Line> linesFrom(const QJsonArray& array) {
    QVector<PseudoCode::Line> lines;
    for (const QJsonValue& value : array) {
        const QJsonObject object = value.toObject();
        PseudoCode::Line line{object.value(QStringLiteral("code")).toString(), {}};
        for (const QJsonValue& phrase : object.value(QStringLiteral("match")).toArray())
            line.match << phrase.toString();
        lines.push_back(std::move(line));
    }
    return lines;
}

constexpr std::array<mmt::Era, 3> kEras{mmt::Era::a, mmt::Era::b, mmt::Era::c};

} // namespace

// A function's value is an array (the listing of every era) or an object
// whose keys are groups of era letters ("a", "bc", ...) and whose values are
// the listing of those eras.
bool PseudoCode::load(const QByteArray& json, QString* error) {
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        if (error)
            *error = parseError.errorString();
        return false;
    }
    const auto fail = [error](const QString& function, const QString& why) {
        if (error)
            *error = function + QStringLiteral(": ") + why;
        return false;
    };
    std::array<Listings, 3> loaded;
    const QJsonObject functions = document.object().value(QStringLiteral("functions")).toObject();
    for (auto it = functions.begin(); it != functions.end(); ++it) {
        if (it.value().isArray()) {
            const QVector<Line> lines = linesFrom(it.value().toArray());
            for (Listings& listings : loaded)
                listings.insert(it.key(), lines); // implicitly shared, not copied
            continue;
        }
        if (!it.value().isObject())
            return fail(it.key(), QStringLiteral("neither a listing nor listings by era"));
        const QJsonObject variants = it.value().toObject();
        for (auto variant = variants.begin(); variant != variants.end(); ++variant) {
            const QString& eras = variant.key();
            if (eras.isEmpty() || !variant.value().isArray())
                return fail(it.key(), QStringLiteral("\"%1\" is not a listing for some eras").arg(eras));
            const QVector<Line> lines = linesFrom(variant.value().toArray());
            for (const QChar letter : eras) {
                const int index = letter.unicode() - 'a';
                if (index < 0 || index > 2)
                    return fail(it.key(), QStringLiteral("\"%1\" names no era (a, b or c)").arg(eras));
                if (loaded[index].contains(it.key()))
                    return fail(it.key(), QStringLiteral("era %1 has two listings").arg(letter));
                loaded[index].insert(it.key(), lines);
            }
        }
    }
    byEra_ = std::move(loaded);
    return true;
}

const PseudoCode& PseudoCode::builtIn() {
    static const PseudoCode instance = [] {
        PseudoCode code;
        QFile file(QStringLiteral(":/mmtutor/pseudocode.json"));
        if (file.open(QIODevice::ReadOnly))
            code.load(file.readAll());
        return code;
    }();
    return instance;
}

QStringList PseudoCode::functions() const {
    QSet<QString> names;
    for (const mmt::Era era : kEras)
        for (auto it = listings(era).keyBegin(); it != listings(era).keyEnd(); ++it)
            names.insert(*it);
    return QStringList(names.begin(), names.end());
}

QStringList PseudoCode::listing(const QString& function, mmt::Era era) const {
    QStringList out;
    for (const Line& line : listings(era).value(function))
        out << line.code;
    return out;
}

int PseudoCode::lineFor(const QString& function, mmt::Era era, const QString& sentence) const {
    const QVector<Line> lines = listings(era).value(function);
    int best = -1;
    qsizetype bestLength = 0;
    for (int i = 0; i < lines.size(); ++i)
        for (const QString& phrase : lines[i].match)
            if (phrase.size() > bestLength && sentence.contains(phrase, Qt::CaseInsensitive)) {
                best = i;
                bestLength = phrase.size();
            }
    return best;
}

QString PseudoCode::innermost(const QString& path) {
    const qsizetype arrow = path.lastIndexOf(QStringLiteral(" \u2192 "));
    return arrow < 0 ? path.trimmed() : path.mid(arrow + 3).trimmed();
}
