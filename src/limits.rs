//! How much the program reads from anything it does not control: Halo's answers, secret files,
//! journals, answers and batch files. Past a limit it stops reading and says so.

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
    Io(std::io::Error),
    /// The file holds more than the cap (the size when known).
    TooLarge {
        cap: usize,
    },
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Io(e) => write!(f, "{e}"),
            Self::TooLarge { cap } => write!(f, "it is larger than {}", human(*cap)),
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
    let bytes = read_capped(path, cap)?;
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
}
