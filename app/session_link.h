// The objects QML gives a `session` (the race lanes, the explorer, the lesson
// player) follow the scenario and the history cursor the same way: this points
// one at a session and routes the session's signals to its handlers.
#pragma once

#include "session.h"

#include <QObject>
#include <QPointer>

// True when `link` changed (the caller then refreshes and emits its own signal).
template <typename Receiver>
bool linkSession(QPointer<Session>& link, Session* session, Receiver* receiver, void (Receiver::*onScenario)(),
                 void (Receiver::*onPosition)() = nullptr) {
    if (link == session)
        return false;
    if (link != nullptr)
        QObject::disconnect(link, nullptr, receiver, nullptr);
    link = session;
    if (session != nullptr) {
        QObject::connect(session, &Session::scenarioChanged, receiver, onScenario);
        if (onPosition != nullptr)
            QObject::connect(session, &Session::positionChanged, receiver, onPosition);
    }
    return true;
}
