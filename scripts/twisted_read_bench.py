"""Times twisted's eventsFromJSONLogFile on a file (argv[1]); prints events/s.

Run by benches/peers.rs with the virtualenv tests/twisted_interop.rs makes
(target/twisted-venv), so both readers read the same file in one bench run."""
import sys
import time

from twisted.logger import eventsFromJSONLogFile

best = 0.0
for _ in range(20):
    with open(sys.argv[1], encoding="utf-8") as f:
        start = time.perf_counter()
        count = sum(1 for _ in eventsFromJSONLogFile(f))
        elapsed = time.perf_counter() - start
    best = max(best, count / elapsed)
print(f"{best:.0f}")
