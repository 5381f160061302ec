//! The one way Civitas names bytes by their content: lowercase hex SHA-256 (plugin components,
//! tracking tokens); and the one way it makes a secret to hand out: random bytes in hex.

use rand::RngCore;
use sha2::{Digest, Sha256};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// `N` random bytes in lowercase hex (`2 × N` digits): tokens and keys handed out once.
pub fn random_hex<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn is_the_standard_digest() {
        assert_eq!(super::sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let token = super::random_hex::<16>();
        assert!(
            token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()) && token != super::random_hex::<16>()
        );
    }
}
