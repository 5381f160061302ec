//! Server settings and the signing secret.

use std::fs;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use civitas_core::auth::{AuthError, TokenIssuer, TokenVerifier};
use rand::RngCore;

/// Where secrets and keys come from, and what went wrong reading them.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A configured secret is too short to be safe.
    #[error("{0} must have at least 32 bytes")]
    WeakSecret(&'static str),
    /// No secret to sign with: none configured, none in the data directory.
    #[error(
        "no signing secret: {} does not exist and CIVITAS_JWT_SECRET is not set; run this where the server keeps its data \
         (--data-dir or CIVITAS_DATA_DIR), or pass its secret",
        .0.display()
    )]
    NoSecret(PathBuf),
    /// A verification key is unusable.
    #[error(transparent)]
    Key(#[from] AuthError),
}

/// Everything `civitas serve` needs.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Database URL; a SQLite file in `data_dir` when `None`.
    pub database_url: Option<String>,
    /// Directory for the SQLite file and the generated secret.
    pub data_dir: PathBuf,
    /// HS256 secret; generated into `data_dir` when `None`.
    pub jwt_secret: Option<String>,
    /// PEM public key (RSA or P-256) of the city's identity provider.
    pub jwt_public_key: Option<PathBuf>,
    /// JWKS document of the city's identity provider.
    pub jwks: Option<PathBuf>,
    /// The `iss` every token must carry, when set (the identity provider's URL).
    pub jwt_issuer: Option<String>,
    /// The `aud` every token must carry, when set.
    pub jwt_audience: Option<String>,
    /// The longest this server's own (HS256) tokens may still be valid.
    pub jwt_max_lifetime: Duration,
    /// How often the deadline sweeper runs.
    pub sweep_interval: Duration,
    /// Days after which unrated resolved tickets are closed.
    pub auto_close_after_days: i64,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> SettingsError + '_ {
    move |source| SettingsError::Io { path: path.to_owned(), source }
}

/// The HS256 secret: the configured one, or the one stored in `data_dir/jwt-secret`, created
/// (random, 256 bits, readable by the owner only) on first use.
pub fn signing_secret(data_dir: &Path, configured: Option<&str>) -> Result<Vec<u8>, SettingsError> {
    match existing_signing_secret(data_dir, configured) {
        Err(SettingsError::NoSecret(_)) => create_signing_secret(data_dir),
        found => found,
    }
}

/// The HS256 secret the server uses, without ever creating one: what `civitas token issue`
/// signs with (a token signed with a new secret would be refused by the server).
pub fn existing_signing_secret(data_dir: &Path, configured: Option<&str>) -> Result<Vec<u8>, SettingsError> {
    stored_secret(data_dir, "jwt-secret", configured, "CIVITAS_JWT_SECRET")
}

/// Creates the data directory (owner only: the SQLite file in it holds personal data) and the
/// SQLite file itself, readable and writable by the owner only, before SQLite opens it (its
/// journal files take the database file's permissions). What exists is left as it is.
pub fn prepare_data_dir(data_dir: &Path) -> Result<(), SettingsError> {
    if !data_dir.exists() {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(data_dir).map_err(io_error(data_dir))?;
    }
    let database = data_dir.join("civitas.db");
    if !database.exists() {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        // Another process may create it meanwhile; its file is as good.
        match options.open(&database) {
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(error) => return Err(SettingsError::Io { path: database, source: error }),
        }
    }
    Ok(())
}

/// The key of survey participation keys: the configured one (`CIVITAS_PARTICIPATION_SECRET`),
/// or the one stored in `data_dir/participation-secret`, created (owner-only) on first use.
/// Instances that share a database must share it: with another key nobody's earlier response
/// is found (and one-per-resident holds only within each key).
pub fn participation_secret(data_dir: &Path, configured: Option<&str>) -> Result<Vec<u8>, SettingsError> {
    match stored_secret(data_dir, "participation-secret", configured, "CIVITAS_PARTICIPATION_SECRET") {
        Err(SettingsError::NoSecret(_)) => create_secret(data_dir, "participation-secret"),
        found => found,
    }
}

/// The configured secret (at least 32 bytes, `env` names it in the error), or the one in
/// `data_dir/name`; `NoSecret` when neither exists.
fn stored_secret(
    data_dir: &Path,
    name: &str,
    configured: Option<&str>,
    env: &'static str,
) -> Result<Vec<u8>, SettingsError> {
    if let Some(secret) = configured {
        if secret.len() < 32 {
            return Err(SettingsError::WeakSecret(env));
        }
        return Ok(secret.as_bytes().to_vec());
    }
    let path = data_dir.join(name);
    if !path.exists() {
        return Err(SettingsError::NoSecret(path));
    }
    let secret = fs::read_to_string(&path).map_err(io_error(&path))?;
    Ok(secret.trim().as_bytes().to_vec())
}

fn create_signing_secret(data_dir: &Path) -> Result<Vec<u8>, SettingsError> {
    create_secret(data_dir, "jwt-secret")
}

/// A new random secret in `data_dir/name`, readable by its owner only.
fn create_secret(data_dir: &Path, name: &str) -> Result<Vec<u8>, SettingsError> {
    let path = data_dir.join(name);
    prepare_data_dir(data_dir)?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path).map_err(io_error(&path))?;
    file.write_all(secret.as_bytes()).map_err(io_error(&path))?;
    Ok(secret.into_bytes())
}

impl ServerSettings {
    /// The database URL to use.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| civitas_core::db::sqlite_url_in(&self.data_dir))
    }

    /// The issuer of this server's own tokens.
    pub fn issuer(&self) -> Result<TokenIssuer, SettingsError> {
        Ok(TokenIssuer::new(&signing_secret(&self.data_dir, self.jwt_secret.as_deref())?))
    }

    /// The verifier: this server's own HS256 tokens, plus the identity provider's keys.
    pub fn verifier(&self) -> Result<TokenVerifier, SettingsError> {
        let max_lifetime = i64::try_from(self.jwt_max_lifetime.as_secs()).unwrap_or(i64::MAX);
        let mut verifier = TokenVerifier::new()
            .with_hs256_secret(&signing_secret(&self.data_dir, self.jwt_secret.as_deref())?)
            .with_max_lifetime_of_own_tokens(max_lifetime);
        if let Some(issuer) = &self.jwt_issuer {
            verifier = verifier.expecting_issuer(issuer.clone());
        }
        if let Some(audience) = &self.jwt_audience {
            verifier = verifier.expecting_audience(audience.clone());
        }
        if let Some(path) = &self.jwt_public_key {
            verifier = verifier.with_public_key_pem(&fs::read(path).map_err(io_error(path))?)?;
        }
        if let Some(path) = &self.jwks {
            verifier = verifier.with_jwks(&fs::read_to_string(path).map_err(io_error(path))?)?;
        }
        Ok(verifier)
    }
}
