//! Keys the server keeps outside the database, so that a copy of the database alone reveals
//! nothing they protect: today the participation key, with which one-response-per-resident is
//! enforced without a response ever being linkable to a person.

use std::sync::Arc;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The server's secrets. Instances sharing a database must share them (the server keeps them
/// in its data directory, or takes `CIVITAS_PARTICIPATION_SECRET`).
#[derive(Clone)]
pub struct Secrets {
    participation: Arc<[u8; 32]>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(redacted)")
    }
}

impl Secrets {
    /// Secrets derived from `participation` (any length; hashed to a 256-bit key).
    pub fn new(participation: &[u8]) -> Self {
        Secrets { participation: Arc::new(Sha256::digest(participation).into()) }
    }

    /// Fresh random secrets: for a single process (tests, an embedded library) only, since
    /// participation keys made with them mean nothing to another process.
    pub fn random() -> Self {
        let mut key = [0u8; 32];
        rand::fill(&mut key);
        Secrets { participation: Arc::new(key) }
    }

    /// HMAC-SHA256 under the participation key of `parts`, each length-prefixed so that no two
    /// different lists of parts give the same input.
    pub(crate) fn participation_mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.participation.as_slice()).unwrap_or_else(|_| {
            // HMAC takes keys of any length; this cannot happen.
            unreachable!("HMAC-SHA256 accepts a 32-byte key")
        });
        for part in parts {
            mac.update(&u64::try_from(part.len()).unwrap_or(u64::MAX).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_depend_on_the_key_and_on_every_part() {
        let secrets = Secrets::new(b"one");
        let mac = secrets.participation_mac(&[b"survey", b"subject"]);
        assert_eq!(mac, Secrets::new(b"one").participation_mac(&[b"survey", b"subject"]));
        assert_ne!(mac, Secrets::new(b"two").participation_mac(&[b"survey", b"subject"]));
        assert_ne!(mac, secrets.participation_mac(&[b"surveys", b"ubject"]), "parts are delimited");
        assert_eq!(format!("{secrets:?}"), "Secrets(redacted)");
    }
}
