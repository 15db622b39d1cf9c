"""Writes a set of events with twisted's own observers: JSON to argv[1],
text to argv[2]. The spindle interop test reads the JSON and must print the
same text."""
import sys

from twisted.logger import (
    LogLevel,
    Logger,
    jsonFileLogObserver,
    textFileLogObserver,
)

json_file = open(sys.argv[1], "w", encoding="utf-8")
text_file = open(sys.argv[2], "w", encoding="utf-8")
to_json = jsonFileLogObserver(json_file)
to_text = textFileLogObserver(text_file)


def both(event):
    to_json(event)
    to_text(event)


class Source:
    a = 3
    name = "wörker"


class Request:
    def __init__(self):
        self.uri = "/index"
        self.status = 200

    def summary(self):
        return "GET /index -> 200"


log = Logger(namespace="app.web", observer=both)
sourced = Logger(namespace="app.src", observer=both, source=Source())
req = Request()

log.info("plain text")
log.info("n={n:03d} f={f:.2f} w=[{w:>6}] [{w:<6}] hex={h:x}", n=7, f=2 / 3, w="ab", h=255)
log.info("repr {s!r} str {s!s}", s="x\ny")
log.info("{req.uri} answered {req.status}: {req.summary()}", req=req)
log.info("items {items[1]} and {m[k]}", items=[10, 20], m={"k": "v"})
log.info("unicode: {u} ✓", u="日本語 ünïcödé")
log.info("multi\nline {x}\nthird", x="val")
log.info("{{literal braces}} {a} and {a} again {a!r}", a="rep")
for level in (LogLevel.debug, LogLevel.info, LogLevel.warn, LogLevel.error, LogLevel.critical):
    log.emit(level, "at level {lv}", lv=level.name)
log.info("custom system", log_system="my-system")
sourced.info("source a={log_source.a} name={log_source.name!r}")
log.info("nan {x} inf {y}", x=float("nan"), y=float("inf"))
try:
    1 / 0
except ZeroDivisionError:
    log.failure("Math is hard!")
json_file.close()
text_file.close()
