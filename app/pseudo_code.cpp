#include "pseudo_code.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

bool PseudoCode::load(const QByteArray& json, QString* error) {
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        if (error)
            *error = parseError.errorString();
        return false;
    }
    listings_.clear();
    const QJsonObject functions = document.object().value(QStringLiteral("functions")).toObject();
    for (auto it = functions.begin(); it != functions.end(); ++it) {
        QVector<Line> lines;
        for (const QJsonValue& value : it.value().toArray()) {
            const QJsonObject object = value.toObject();
            Line line{object.value(QStringLiteral("code")).toString(), {}};
            for (const QJsonValue& phrase : object.value(QStringLiteral("match")).toArray())
                line.match << phrase.toString();
            lines.push_back(std::move(line));
        }
        listings_.insert(it.key(), std::move(lines));
    }
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

QStringList PseudoCode::listing(const QString& function) const {
    QStringList out;
    for (const Line& line : listings_.value(function))
        out << line.code;
    return out;
}

int PseudoCode::lineFor(const QString& function, const QString& sentence) const {
    const QVector<Line> lines = listings_.value(function);
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
