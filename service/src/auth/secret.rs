//! Opaque bearer secrets. 256 random bits, so a plain SHA-256 is a safe way
//! to store them (unlike passwords they cannot be guessed); only the hash
//! ever reaches the database.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

pub const API_TOKEN_PREFIX: &str = "yd_pat_";
pub const REFRESH_TOKEN_PREFIX: &str = "yd_rt_";
pub const INVITATION_PREFIX: &str = "yd_inv_";

/// A fresh secret: `prefix` + 43 characters of base64url.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Lower-case hex SHA-256, the stored form of a secret.
pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
