use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// When a [`RotatingFile`] starts a new file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// When the file would grow past this many bytes: `app.log` becomes
    /// `app.log.1`, `app.log.1` becomes `app.log.2`, and so on.
    Size(u64),
    /// When the local date changes: `app.log` becomes `app.log.2026-11-22`.
    Daily,
}

/// The date a daily file belongs to, as `YYYY-MM-DD`, and how long it
/// holds for certain (a function so tests can move the clock).
type Clock = Box<dyn Fn() -> (String, Duration) + Send>;

/// A log file that rotates by size or by day and keeps a number of old
/// files. It only rotates at the start of a record (after a write that ended
/// with `\n`), so a record is never split across files; and it reopens its
/// path when the file was moved or deleted behind its back (logrotate),
/// checked at most once a second.
///
/// ```
/// use std::io::Write;
/// use logobservers::{RotatingFile, Rotation};
/// let dir = std::env::temp_dir().join(format!("spindle-doc-rotate-{}", std::process::id()));
/// let _ = std::fs::remove_dir_all(&dir);
/// std::fs::create_dir_all(&dir).unwrap();
/// let mut file = RotatingFile::new(dir.join("app.log"), Rotation::Size(10), 2).unwrap();
/// for line in ["first record\n", "second\n", "third\n"] {
///     file.write_all(line.as_bytes()).unwrap();
/// }
/// assert_eq!(std::fs::read_to_string(dir.join("app.log")).unwrap(), "third\n");
/// assert_eq!(std::fs::read_to_string(dir.join("app.log.1")).unwrap(), "second\n");
/// assert_eq!(std::fs::read_to_string(dir.join("app.log.2")).unwrap(), "first record\n");
/// ```
pub struct RotatingFile {
    path: PathBuf,
    rotation: Rotation,
    keep: usize,
    file: File,
    size: u64,
    period: String,
    /// Until when `period` holds: the clock is not asked before.
    period_until: Instant,
    clock: Clock,
    at_record_start: bool,
    last_check: Instant,
}

impl std::fmt::Debug for RotatingFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotatingFile")
            .field("path", &self.path)
            .field("rotation", &self.rotation)
            .field("keep", &self.keep)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// Today's local date, and the time until the next local midnight, at
/// most a minute (so that a change of the system clock is seen within a
/// minute; a minute too where the zone skips midnight).
fn today() -> (String, Duration) {
    const MOST: Duration = Duration::from_secs(60);
    let now = chrono::Local::now();
    let midnight = now
        .date_naive()
        .succ_opt()
        .and_then(|tomorrow| tomorrow.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(chrono::Local).earliest());
    let left = midnight.and_then(|m| (m - now).to_std().ok());
    (
        now.format("%Y-%m-%d").to_string(),
        left.map_or(MOST, |left| left.min(MOST)),
    )
}

fn open(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

impl RotatingFile {
    /// Opens (appending to) `path`, keeping `keep` rotated files.
    pub fn new(
        path: impl Into<PathBuf>,
        rotation: Rotation,
        keep: usize,
    ) -> io::Result<RotatingFile> {
        Self::with_clock(path, rotation, keep, Box::new(today))
    }

    /// As [`RotatingFile::new`], with the date taken from `clock` (for tests).
    #[doc(hidden)]
    pub fn with_clock(
        path: impl Into<PathBuf>,
        rotation: Rotation,
        keep: usize,
        clock: Clock,
    ) -> io::Result<RotatingFile> {
        let path = path.into();
        let file = open(&path).map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot open log file {}: {e}", path.display()),
            )
        })?;
        let size = file.metadata()?.len();
        let (period, holds) = clock();
        Ok(RotatingFile {
            path,
            rotation,
            keep,
            file,
            size,
            period,
            period_until: Instant::now() + holds,
            clock,
            at_record_start: true,
            last_check: Instant::now(),
        })
    }

    /// The path of the current file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn rotated_name(&self, suffix: &str) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(".");
        name.push(suffix);
        PathBuf::from(name)
    }

    fn rotate_to(&mut self, suffix: &str) -> io::Result<()> {
        self.file.flush()?;
        match self.rotation {
            Rotation::Size(_) => {
                if self.keep == 0 {
                    let _ = fs::remove_file(&self.path);
                } else {
                    let _ = fs::remove_file(self.rotated_name(&self.keep.to_string()));
                    for n in (1..self.keep).rev() {
                        let _ = fs::rename(
                            self.rotated_name(&n.to_string()),
                            self.rotated_name(&(n + 1).to_string()),
                        );
                    }
                    fs::rename(&self.path, self.rotated_name("1"))?;
                }
            }
            Rotation::Daily => {
                fs::rename(&self.path, self.rotated_name(suffix))?;
                self.prune_daily()?;
            }
        }
        self.file = open(&self.path)?;
        self.size = 0;
        Ok(())
    }

    /// Deletes dated files beyond the newest `keep`.
    fn prune_daily(&self) -> io::Result<()> {
        let Some(dir) = self.path.parent().map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        }) else {
            return Ok(());
        };
        let Some(base) = self.path.file_name().and_then(|n| n.to_str()) else {
            return Ok(());
        };
        let prefix = format!("{base}.");
        let mut dated: Vec<String> = fs::read_dir(dir)?
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| {
                n.strip_prefix(&prefix)
                    .is_some_and(|d| d.len() == 10 && d.as_bytes()[4] == b'-')
            })
            .collect();
        dated.sort();
        let excess = dated.len().saturating_sub(self.keep);
        for name in &dated[..excess] {
            fs::remove_file(dir.join(name))?;
        }
        Ok(())
    }

    /// Reopens the path if the open file is no longer there (moved or
    /// deleted by another program).
    fn reopen_if_moved(&mut self, now: Instant) -> io::Result<()> {
        if now.saturating_duration_since(self.last_check) < Duration::from_secs(1) {
            return Ok(());
        }
        self.last_check = now;
        if moved(&self.file, &self.path) {
            self.file = open(&self.path)?;
            self.size = self.file.metadata()?.len();
        }
        Ok(())
    }

    /// Forces the check for a moved file now (tests; logrotate's `postrotate`).
    pub fn reopen_now_if_moved(&mut self) -> io::Result<()> {
        let now = Instant::now();
        self.last_check = now - Duration::from_secs(2);
        self.reopen_if_moved(now)
    }
}

#[cfg(unix)]
fn moved(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(open), Ok(on_disk)) => open.ino() != on_disk.ino() || open.dev() != on_disk.dev(),
        (_, Err(_)) => true,
        _ => false,
    }
}

#[cfg(not(unix))]
fn moved(_: &File, path: &Path) -> bool {
    !path.exists()
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.at_record_start && !buf.is_empty() {
            // (one reading of the clock for both checks)
            let now = Instant::now();
            self.reopen_if_moved(now)?;
            match self.rotation {
                Rotation::Size(max) if self.size > 0 && self.size + buf.len() as u64 > max => {
                    self.rotate_to("1")?
                }
                // (the clock is asked only once the date it gave may have
                // changed: formatting it takes the time of a few records)
                Rotation::Daily if now >= self.period_until => {
                    let (today, holds) = (self.clock)();
                    self.period_until = now + holds;
                    if today != self.period {
                        let old = std::mem::replace(&mut self.period, today);
                        if self.size > 0 {
                            self.rotate_to(&old)?;
                        }
                    }
                }
                Rotation::Size(_) | Rotation::Daily => {}
            }
        }
        let n = self.file.write(buf)?;
        self.size += n as u64;
        if n > 0 {
            self.at_record_start = buf[n - 1] == b'\n';
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("spindle-rotate-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn size_rotation_never_splits_a_record_and_keeps_n() {
        let d = dir("size");
        let mut f = RotatingFile::new(d.join("a.log"), Rotation::Size(16), 2).unwrap();
        // a record written in two pieces stays in one file even past the limit
        f.write_all(b"0123456789").unwrap();
        f.write_all(b"abcdefghij\n").unwrap();
        for r in ["r1\n", "r2 is longer\n", "r3\n", "r4 is longer\n"] {
            f.write_all(r.as_bytes()).unwrap();
        }
        let read = |n: &str| fs::read_to_string(d.join(n)).unwrap_or_default();
        // 16 bytes at most, unless one record alone is longer
        assert_eq!(read("a.log"), "r3\nr4 is longer\n");
        assert_eq!(read("a.log.1"), "r1\nr2 is longer\n");
        assert_eq!(read("a.log.2"), "0123456789abcdefghij\n");
        assert!(!d.join("a.log.3").exists(), "only two are kept");
    }

    #[test]
    fn the_date_is_asked_for_only_when_it_may_have_changed() {
        let d = dir("asked");
        let asked = Arc::new(Mutex::new(0));
        let count = asked.clone();
        let holds = Arc::new(Mutex::new(Duration::from_secs(3600)));
        let holding = holds.clone();
        let mut f = RotatingFile::with_clock(
            d.join("a.log"),
            Rotation::Daily,
            2,
            Box::new(move || {
                *count.lock().unwrap() += 1;
                ("2026-11-20".to_string(), *holding.lock().unwrap())
            }),
        )
        .unwrap();
        for i in 0..100 {
            f.write_all(format!("record {i}\n").as_bytes()).unwrap();
        }
        assert_eq!(*asked.lock().unwrap(), 1, "once, when opened");
        // once the time it gave has passed, at the next record
        *holds.lock().unwrap() = Duration::ZERO;
        f.period_until = Instant::now();
        f.write_all(b"next\n").unwrap();
        f.write_all(b"and next\n").unwrap();
        assert_eq!(*asked.lock().unwrap(), 3);
        // the real clock: today's date, sure for at most a minute
        let date_now = || chrono::Local::now().format("%Y-%m-%d").to_string();
        let before = date_now();
        let (date, holds) = today();
        assert!(date == before || date == date_now(), "{date}");
        assert!(holds <= Duration::from_secs(60));
    }

    #[test]
    fn daily_rotation_names_files_by_date_and_prunes() {
        let d = dir("daily");
        let date = Arc::new(Mutex::new("2026-11-20".to_string()));
        let clock = date.clone();
        let mut f = RotatingFile::with_clock(
            d.join("a.log"),
            Rotation::Daily,
            2,
            // (asked at every record)
            Box::new(move || (clock.lock().unwrap().clone(), Duration::ZERO)),
        )
        .unwrap();
        for day in ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"] {
            *date.lock().unwrap() = day.to_string();
            f.write_all(format!("on {day}\n").as_bytes()).unwrap();
        }
        let mut names: Vec<String> = fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["a.log", "a.log.2026-11-21", "a.log.2026-11-22"]);
        assert_eq!(
            fs::read_to_string(d.join("a.log.2026-11-22")).unwrap(),
            "on 2026-11-22\n"
        );
        assert_eq!(
            fs::read_to_string(d.join("a.log")).unwrap(),
            "on 2026-11-23\n"
        );
    }

    #[test]
    fn reopens_after_an_external_move() {
        let d = dir("moved");
        let mut f = RotatingFile::new(d.join("a.log"), Rotation::Size(1 << 20), 1).unwrap();
        f.write_all(b"before\n").unwrap();
        fs::rename(d.join("a.log"), d.join("a.log.moved")).unwrap();
        f.reopen_now_if_moved().unwrap();
        f.write_all(b"after\n").unwrap();
        assert_eq!(
            fs::read_to_string(d.join("a.log.moved")).unwrap(),
            "before\n"
        );
        assert_eq!(fs::read_to_string(d.join("a.log")).unwrap(), "after\n");
        assert!(
            RotatingFile::new(d.join("no/such/dir/a.log"), Rotation::Daily, 1)
                .unwrap_err()
                .to_string()
                .contains("cannot open log file")
        );
    }
}
