//! Why a digest could not be read or parsed.

/// The largest file read as one digest; larger files are reported, not read.
pub const MAX_FILE_BYTES: u64 = 32 << 20;

/// Why a digest could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not UTF-8 text.
    #[error("not UTF-8 text (invalid byte at offset {0})")]
    NotUtf8(usize),
    /// The file holds NUL bytes: a binary file with a text extension.
    #[error("looks like a binary file (it contains NUL bytes)")]
    Binary,
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("the file is {0} bytes, over the limit of {MAX_FILE_BYTES} bytes for one digest")]
    TooLarge(u64),
    /// Front matter opened on the first line was never closed.
    #[error(
        "front matter opened with `{fence}` on line 1 is never closed; add a closing `{fence}` line"
    )]
    Unclosed {
        /// `---` or `+++`.
        fence: String,
    },
    /// Front matter that is not valid YAML or TOML.
    #[error("invalid {style} front matter: {message}")]
    FrontMatter {
        /// `YAML` or `TOML`.
        style: &'static str,
        /// The parser's message.
        message: String,
    },
    /// The parser failed on this file: a bug in `archive`, reported as a problem of the
    /// file so that the rest of the archive is indexed.
    #[error("the parser failed on this file (a bug in archive; please report it): {0}")]
    Bug(String),
    /// An invalid `taxonomy.toml`.
    #[error("invalid taxonomy: {message}")]
    Taxonomy {
        /// What is wrong.
        message: String,
    },
}
