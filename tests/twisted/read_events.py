"""Reads a JSON log (argv[1]) with twisted's eventsFromJSONLogFile and
writes it with twisted's textFileLogObserver to argv[2]."""
import sys

from twisted.logger import eventsFromJSONLogFile, textFileLogObserver

with open(sys.argv[1], encoding="utf-8") as json_file, open(sys.argv[2], "w", encoding="utf-8") as text_file:
    observer = textFileLogObserver(text_file)
    for event in eventsFromJSONLogFile(json_file):
        observer(event)
