//! Who may read the archive: the users file that `archive user` writes and
//! `archive serve --auth-file` reads.
//!
//! One credential per line, `name:kind:hash`, where kind is `password` or `token` and
//! the hash is an argon2id PHC string: neither passwords nor API tokens are stored.
//! An API token reads `name.secret` (names hold no dot), so a bearer token names the
//! one hash to check. Checking costs an argon2 run (tens of milliseconds) whether the
//! user exists or not, so timing tells nothing of which names exist; the comparison
//! inside is constant-time. The server caches what it has accepted (see `web::auth`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

/// The shortest password `archive user add` accepts.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// What can go wrong reading, parsing or changing the users file.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The file cannot be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The users file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line that is not `name:kind:hash`.
    #[error("{path}:{line}: {message}")]
    Malformed {
        /// The users file.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// A user name with characters other than letters, digits, `_` and `-`.
    #[error("user names are 1 to 64 letters, digits, `_` or `-`; `{0}` is not one")]
    BadName(String),
    /// A password under [`MIN_PASSWORD_CHARS`].
    #[error("the password is {0} characters; at least {MIN_PASSWORD_CHARS} are needed")]
    ShortPassword(usize),
    /// A command named a user the file does not have.
    #[error("there is no user `{0}`")]
    NoUser(String),
    /// Hashing failed (never expected with the default parameters).
    #[error("cannot hash the secret: {0}")]
    Hash(String),
}

/// A password or an API token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Checked through HTTP Basic.
    Password,
    /// Checked through `Authorization: Bearer`.
    Token,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Password => "password",
            Kind::Token => "token",
        }
    }
}

/// One line of the file.
#[derive(Debug, Clone)]
struct Credential {
    user: String,
    kind: Kind,
    /// The argon2 PHC string.
    hash: String,
}

/// The users file, parsed.
#[derive(Debug, Clone, Default)]
pub struct Users {
    credentials: Vec<Credential>,
}

/// Credentials as a client presents them in `Authorization`.
#[derive(Clone, PartialEq, Eq)]
pub enum Presented {
    /// `Basic base64(user:password)`.
    Basic {
        /// The user name.
        user: String,
        /// The password (never logged).
        password: String,
    },
    /// `Bearer name.secret`.
    Bearer {
        /// The user name, the token's part before the dot.
        user: String,
        /// The whole token (never logged).
        token: String,
    },
}

impl fmt::Debug for Presented {
    /// Shows the user, never the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Presented::Basic { user, .. } => write!(f, "Basic({user})"),
            Presented::Bearer { user, .. } => write!(f, "Bearer({user})"),
        }
    }
}

impl Presented {
    /// Reads an `Authorization` header value; `None` when it is neither a well-formed
    /// Basic nor a Bearer credential.
    pub fn parse(header: &str) -> Option<Presented> {
        let (scheme, rest) = header.trim().split_once(' ')?;
        let rest = rest.trim();
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = String::from_utf8(STANDARD.decode(rest).ok()?).ok()?;
            let (user, password) = decoded.split_once(':')?;
            Some(Presented::Basic { user: user.to_owned(), password: password.to_owned() })
        } else if scheme.eq_ignore_ascii_case("bearer") {
            let (user, _) = rest.split_once('.')?;
            Some(Presented::Bearer { user: user.to_owned(), token: rest.to_owned() })
        } else {
            None
        }
    }

    /// The user the credentials claim to be.
    pub fn user(&self) -> &str {
        match self {
            Presented::Basic { user, .. } | Presented::Bearer { user, .. } => user,
        }
    }

    fn kind_and_secret(&self) -> (Kind, &str) {
        match self {
            Presented::Basic { password, .. } => (Kind::Password, password),
            Presented::Bearer { token, .. } => (Kind::Token, token),
        }
    }
}

/// A hash of nothing anyone knows, checked when the user has no credential of the
/// kind presented, so an unknown name costs what a wrong password costs.
static DECOY: LazyLock<String> = LazyLock::new(|| {
    let mut secret = [0u8; 32];
    OsRng.fill_bytes(&mut secret);
    hash(&secret).expect("hashing with the default parameters succeeds")
});

fn hash(secret: &[u8]) -> Result<String, AuthError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret, &salt)
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

fn check_name(name: &str) -> Result<(), AuthError> {
    let ok = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok { Ok(()) } else { Err(AuthError::BadName(name.to_owned())) }
}

impl Users {
    /// Reads the users file; a missing file is an error.
    pub fn load(path: &Path) -> Result<Users, AuthError> {
        let text = std::fs::read_to_string(path)
            .map_err(|source| AuthError::Io { path: path.to_owned(), source })?;
        Users::parse(&text, path)
    }

    /// Reads the users file, or starts an empty one where there is none yet.
    pub fn load_or_new(path: &Path) -> Result<Users, AuthError> {
        match path.try_exists() {
            Ok(false) => Ok(Users::default()),
            _ => Users::load(path),
        }
    }

    /// Parses the file's text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Users, AuthError> {
        let malformed = |line: usize, message: String| AuthError::Malformed {
            path: path.to_owned(),
            line,
            message,
        };
        let mut credentials = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.splitn(3, ':');
            let (Some(user), Some(kind), Some(hash)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(malformed(
                    n + 1,
                    "expected `name:password:hash` or `name:token:hash`".into(),
                ));
            };
            check_name(user).map_err(|e| malformed(n + 1, e.to_string()))?;
            let kind = match kind {
                "password" => Kind::Password,
                "token" => Kind::Token,
                other => {
                    return Err(malformed(
                        n + 1,
                        format!("the kind is `password` or `token`, not `{other}`"),
                    ));
                }
            };
            PasswordHash::new(hash)
                .map_err(|e| malformed(n + 1, format!("not an argon2 hash: {e}")))?;
            credentials.push(Credential { user: user.to_owned(), kind, hash: hash.to_owned() });
        }
        Ok(Users { credentials })
    }

    /// Writes the file in one step (a reader sees the old or the new one), readable
    /// by its owner only.
    pub fn save(&self, path: &Path) -> Result<(), AuthError> {
        use std::io::Write;
        let io = |source| AuthError::Io { path: path.to_owned(), source };
        let mut text = String::from(
            "# archive users: written by `archive user`. One `name:kind:argon2-hash` per line.\n",
        );
        for c in &self.credentials {
            text.push_str(&format!("{}:{}:{}\n", c.user, c.kind.as_str(), c.hash));
        }
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        file.write_all(text.as_bytes()).map_err(io)?;
        file.as_file().sync_all().map_err(io)?;
        file.persist(path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// Sets (or replaces) a user's password; adds the user if new.
    pub fn set_password(&mut self, user: &str, password: &str) -> Result<(), AuthError> {
        check_name(user)?;
        let chars = password.chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(AuthError::ShortPassword(chars));
        }
        let hash = hash(password.as_bytes())?;
        self.replace(Credential { user: user.to_owned(), kind: Kind::Password, hash });
        Ok(())
    }

    /// Makes a new API token for a user (replacing the old one) and returns it: the
    /// only time it is shown.
    pub fn new_token(&mut self, user: &str) -> Result<String, AuthError> {
        check_name(user)?;
        if !self.credentials.iter().any(|c| c.user == user) {
            return Err(AuthError::NoUser(user.to_owned()));
        }
        let mut secret = [0u8; 32];
        OsRng.fill_bytes(&mut secret);
        let token = format!("{user}.{}", URL_SAFE_NO_PAD.encode(secret));
        let hash = hash(token.as_bytes())?;
        self.replace(Credential { user: user.to_owned(), kind: Kind::Token, hash });
        Ok(token)
    }

    fn replace(&mut self, credential: Credential) {
        self.credentials.retain(|c| !(c.user == credential.user && c.kind == credential.kind));
        self.credentials.push(credential);
    }

    /// Removes a user and their token.
    pub fn remove(&mut self, user: &str) -> Result<(), AuthError> {
        let before = self.credentials.len();
        self.credentials.retain(|c| c.user != user);
        if self.credentials.len() == before {
            return Err(AuthError::NoUser(user.to_owned()));
        }
        Ok(())
    }

    /// Whether the file has this user.
    pub fn has(&self, user: &str) -> bool {
        self.credentials.iter().any(|c| c.user == user)
    }

    /// Each user with whether they have a password and a token, in file order.
    pub fn list(&self) -> Vec<(&str, bool, bool)> {
        let mut users: Vec<(&str, bool, bool)> = Vec::new();
        for c in &self.credentials {
            let at = match users.iter().position(|(u, ..)| *u == c.user) {
                Some(at) => at,
                None => {
                    users.push((&c.user, false, false));
                    users.len() - 1
                }
            };
            match c.kind {
                Kind::Password => users[at].1 = true,
                Kind::Token => users[at].2 = true,
            }
        }
        users
    }

    /// Whether there is no user at all.
    pub fn is_empty(&self) -> bool {
        self.credentials.is_empty()
    }

    /// Whether the credentials are right. Slow on purpose (an argon2 run), and as slow
    /// for a name the file does not have.
    pub fn verify(&self, presented: &Presented) -> bool {
        let (kind, secret) = presented.kind_and_secret();
        let found = self.credentials.iter().find(|c| c.user == presented.user() && c.kind == kind);
        let hash = found.map_or(DECOY.as_str(), |c| c.hash.as_str());
        let Ok(parsed) = PasswordHash::new(hash) else { return false };
        let matches = Argon2::default().verify_password(secret.as_bytes(), &parsed).is_ok();
        matches && found.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, password: &str) -> Presented {
        let header = format!("Basic {}", STANDARD.encode(format!("{user}:{password}")));
        Presented::parse(&header).unwrap()
    }

    #[test]
    fn passwords_and_tokens_verify_and_nothing_else_does() {
        let mut users = Users::default();
        users.set_password("alice", "correct horse").unwrap();
        users.set_password("bob", "battery staple").unwrap();
        let token = users.new_token("alice").unwrap();
        assert!(token.starts_with("alice."));
        assert!(users.verify(&basic("alice", "correct horse")));
        assert!(users.verify(&basic("bob", "battery staple")));
        assert!(!users.verify(&basic("alice", "battery staple")));
        assert!(!users.verify(&basic("carol", "correct horse")));
        // A token is no password, and a password no token.
        assert!(!users.verify(&basic("alice", &token)));
        let bearer = Presented::parse(&format!("Bearer {token}")).unwrap();
        assert!(users.verify(&bearer));
        let other = Presented::parse("Bearer alice.correct horse").unwrap();
        assert!(!users.verify(&other));
        // A new token replaces the old.
        let newer = users.new_token("alice").unwrap();
        assert!(!users.verify(&bearer));
        assert!(users.verify(&Presented::parse(&format!("Bearer {newer}")).unwrap()));
        users.remove("alice").unwrap();
        assert!(!users.verify(&basic("alice", "correct horse")));
        assert!(matches!(users.remove("alice"), Err(AuthError::NoUser(_))));
    }

    #[test]
    fn the_file_round_trips_and_holds_no_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("users");
        let mut users = Users::default();
        users.set_password("alice", "correct horse").unwrap();
        let token = users.new_token("alice").unwrap();
        users.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("correct horse") && !text.contains(&token));
        assert!(text.contains("alice:password:$argon2id$"), "{text}");
        let read = Users::load(&path).unwrap();
        assert_eq!(read.list(), vec![("alice", true, true)]);
        assert!(read.verify(&basic("alice", "correct horse")));
    }

    #[test]
    fn bad_lines_and_names_are_refused_with_where_and_why() {
        let path = Path::new("users.auth");
        let err = Users::parse("# ok\n\nalice:password\n", path).unwrap_err().to_string();
        assert!(err.starts_with("users.auth:3: expected"), "{err}");
        let err = Users::parse("alice:pin:$argon2id$x\n", path).unwrap_err().to_string();
        assert!(err.contains(":1: the kind is `password` or `token`, not `pin`"), "{err}");
        let err = Users::parse("alice:password:plain\n", path).unwrap_err().to_string();
        assert!(err.contains(":1: not an argon2 hash"), "{err}");
        let mut users = Users::default();
        assert!(matches!(users.set_password("a.b", "long enough"), Err(AuthError::BadName(_))));
        assert!(matches!(users.set_password("alice", "short"), Err(AuthError::ShortPassword(5))));
        assert!(matches!(users.new_token("nobody"), Err(AuthError::NoUser(_))));
    }

    #[test]
    fn malformed_headers_are_no_credentials() {
        assert_eq!(Presented::parse("Basic !!!"), None);
        assert_eq!(Presented::parse(&format!("Basic {}", STANDARD.encode("nocolon"))), None);
        assert_eq!(Presented::parse("Bearer nodot"), None);
        assert_eq!(Presented::parse("Digest x"), None);
        assert_eq!(format!("{:?}", basic("alice", "secret!")), "Basic(alice)");
    }
}
