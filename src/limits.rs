//! How much the program reads from anything it does not control: Halo's answers, secret files,
//! journals, answers and batch files. Past a limit it stops reading and says so.

#![warn(missing_docs)]

use std::io::Read;
use std::path::Path;

/// Largest answer body read from Halo (a whole paginated list page stays far below it).
pub const MAX_BODY: usize = 16 << 20;
/// All answer bodies held at once, process-wide: the wizard and apply read several lists in
/// parallel, and each may be up to [`MAX_BODY`].
pub const MAX_BODIES: usize = 24 << 20;
/// Largest secret file: a Halo secret is 73 characters; anything near this is the wrong file.
pub const MAX_SECRET_FILE: usize = 4 << 10;
/// Largest journal file loaded (a finished setup's journal is a few KiB).
pub const MAX_JOURNAL: usize = 4 << 20;
/// Largest answers, batch, profile or config file read.
pub const MAX_TEXT_FILE: usize = 1 << 20;

/// Why a capped read failed.
#[derive(Debug)]
pub enum ReadError {
    /// Opening or reading failed (`NotFound` when the file is missing; callers that allow a
    /// missing file match on that kind).
    Io(std::io::Error),
    /// The file holds more than the cap (the size when known).
    TooLarge {
        /// The cap that was passed, in bytes.
        cap: usize,
    },
    /// Not a regular file (a pipe, a device, a folder or a symbolic link): not read, so a FIFO
    /// planted in a folder that is listed cannot hang the listing.
    NotRegular,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "{e}"),
            Self::TooLarge { cap } => write!(f, "it is larger than {}", human(*cap)),
            Self::NotRegular => f.write_str(
                "it is not a regular file (a pipe, a device, a folder or a symbolic link); it was not opened for reading",
            ),
        }
    }
}

/// `4 KiB`, `16 MiB`.
pub fn human(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes % (1 << 20) == 0 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes % (1 << 10) == 0 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads at most `cap` bytes of `path`; a file with more is refused without reading it whole
/// (works for devices and pipes such as `/dev/zero` too: at most `cap + 1` bytes are read).
pub fn read_capped(path: &Path, cap: usize) -> Result<Vec<u8>, ReadError> {
    let f = std::fs::File::open(path).map_err(ReadError::Io)?;
    read_open(f, cap)
}

/// [`read_capped`] for files found by listing a folder (journals, hand-over files, pending
/// secrets): opened without blocking and without following a symbolic link, and read only when
/// the open file is a regular one. A FIFO, a device or a link is [`ReadError::NotRegular`]
/// instead of a read that never returns.
pub fn read_regular_capped(path: &Path, cap: usize) -> Result<Vec<u8>, ReadError> {
    let mut o = std::fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO for reading would wait for a writer.
        o.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let f = match o.open(path) {
        Ok(f) => f,
        // O_NOFOLLOW on a symbolic link.
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(ReadError::NotRegular),
        Err(e) => return Err(ReadError::Io(e)),
    };
    // Judged on the file that was opened (fstat), not on the name: nothing can be swapped in
    // between.
    if !f.metadata().map_err(ReadError::Io)?.is_file() {
        return Err(ReadError::NotRegular);
    }
    read_open(f, cap)
}

/// [`read_regular_capped`] as UTF-8 text.
pub fn read_regular_text_capped(path: &Path, cap: usize) -> Result<String, ReadError> {
    utf8(read_regular_capped(path, cap)?)
}

fn read_open(f: std::fs::File, cap: usize) -> Result<Vec<u8>, ReadError> {
    if let Ok(m) = f.metadata() {
        if m.is_file() && m.len() > cap as u64 {
            return Err(ReadError::TooLarge { cap });
        }
    }
    let mut buf = Vec::new();
    f.take(cap as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(ReadError::Io)?;
    if buf.len() > cap {
        return Err(ReadError::TooLarge { cap });
    }
    Ok(buf)
}

/// [`read_capped`] as UTF-8 text.
pub fn read_text_capped(path: &Path, cap: usize) -> Result<String, ReadError> {
    utf8(read_capped(path, cap)?)
}

fn utf8(bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "it is not UTF-8 text",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_files_and_devices() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        std::fs::write(&p, b"12345").unwrap();
        assert_eq!(read_capped(&p, 5).unwrap(), b"12345");
        assert!(matches!(
            read_capped(&p, 4),
            Err(ReadError::TooLarge { cap: 4 })
        ));
        // A device that never ends is read only up to the cap.
        assert!(matches!(
            read_capped(Path::new("/dev/zero"), MAX_SECRET_FILE),
            Err(ReadError::TooLarge { .. })
        ));
        assert_eq!(human(MAX_SECRET_FILE), "4 KiB");
        assert_eq!(human(MAX_BODY), "16 MiB");
        std::fs::write(&p, [0xff, 0xfe]).unwrap();
        assert!(
            read_text_capped(&p, 10)
                .unwrap_err()
                .to_string()
                .contains("UTF-8")
        );
    }

    /// A FIFO (or a link, a device, a folder) found by a listing is refused without blocking.
    #[cfg(unix)]
    #[test]
    fn listings_read_regular_files_only() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("x.json");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let t = std::time::Instant::now();
        assert!(matches!(
            read_regular_capped(&fifo, 10),
            Err(ReadError::NotRegular)
        ));
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
        let f = d.path().join("f");
        std::fs::write(&f, b"ok").unwrap();
        assert_eq!(read_regular_capped(&f, 10).unwrap(), b"ok");
        let link = d.path().join("l");
        std::os::unix::fs::symlink(&f, &link).unwrap();
        assert!(matches!(
            read_regular_capped(&link, 10),
            Err(ReadError::NotRegular)
        ));
        assert!(matches!(
            read_regular_capped(Path::new("/dev/zero"), 10),
            Err(ReadError::NotRegular)
        ));
        assert!(matches!(
            read_regular_capped(d.path(), 10),
            Err(ReadError::NotRegular)
        ));
    }
}
