#!/usr/bin/env python3
# Makes user-v1.sqlite: a user database as a schema-version-1 mmtutor left it
# (the SQL of migrateTo1 in app/store/user_schema.cpp, WAL, user_version 1),
# with progress, answers, settings, a scenario and one lesson of the user's.
# The committed file is the test's fixture: rerun this only to re-create it.
#   python3 make_user_v1.py LESSONS_DIR OUT.sqlite
import sqlite3, sys, os

lessons_dir, out = sys.argv[1], sys.argv[2]
if os.path.exists(out):
    os.remove(out)
db = sqlite3.connect(out)
db.execute("PRAGMA journal_mode = WAL")
db.executescript("""
CREATE TABLE settings (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
CREATE TABLE progress (lesson_id TEXT PRIMARY KEY NOT NULL, current_step INTEGER NOT NULL CHECK (current_step >= 0), completed INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL);
CREATE TABLE answers (id INTEGER PRIMARY KEY, lesson_id TEXT NOT NULL, checkpoint TEXT NOT NULL, choice TEXT NOT NULL, correct INTEGER NOT NULL);
CREATE TABLE scenarios (name TEXT PRIMARY KEY NOT NULL, text TEXT NOT NULL, saved_at TEXT NOT NULL);
CREATE TABLE user_lessons (id TEXT PRIMARY KEY NOT NULL, file TEXT NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL, level TEXT NOT NULL, minutes INTEGER NOT NULL, prerequisites TEXT NOT NULL, status TEXT NOT NULL, step_count INTEGER NOT NULL, checkpoint_count INTEGER NOT NULL, source TEXT NOT NULL, position INTEGER NOT NULL, origin TEXT NOT NULL, added_at TEXT NOT NULL);
""")
db.executemany("INSERT INTO settings VALUES (?, ?)",
               [("theme", "dark"), ("reduceMotion", "true"), ("uiScale", "1.25"), ("era", "b")])
db.executemany("INSERT INTO progress VALUES (?, ?, ?, ?)",
               [("anonymous-memory-101", 0, 1, "2026-10-01T09:00:00Z"),
                ("fork-and-cow", 4, 0, "2026-10-02T10:30:00Z")])
db.executemany("INSERT INTO answers (lesson_id, checkpoint, choice, correct) VALUES (?, ?, ?, ?)",
               [("fork-and-cow", "48", "yes", 1), ("fork-and-cow", "58", "present-rw", 0)])
db.execute("INSERT INTO scenarios VALUES (?, ?, ?)",
           ("my fork", "process P\nmap P buf 1 rw\nfork P C\n", "2026-10-03T11:00:00Z"))
source = open(os.path.join(lessons_dir, "02-fork-and-cow.lesson"), encoding="utf-8").read()
source = source.replace("id: fork-and-cow\n", "id: my-fork\n", 1)
db.execute("INSERT INTO user_lessons VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
           ("my-fork", "my.mmtpack[my-fork]", "fork and copy-on-write", "My copy.", "beginner", 20,
            "anonymous-memory-101", "ready", 9, 8, source, 1, "imported from my.mmtpack",
            "2026-10-04T12:00:00Z"))
db.execute("PRAGMA user_version = 1")
db.commit()
db.close()
