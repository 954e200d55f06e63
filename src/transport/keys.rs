//! Generating SSH key pairs for the demo and tests (Ed25519, OpenSSH format).

use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use russh::keys::PrivateKey;
use russh::keys::ssh_key::LineEnding;

use super::TransportError;

/// Writes a fresh Ed25519 private key to `path` (mode 0600, OpenSSH format, no
/// passphrase) and returns its public key as an OpenSSH line (`ssh-ed25519 AAAA…`).
pub fn write_ed25519_key(path: &Path) -> Result<String, TransportError> {
    let io = |e: std::io::Error| TransportError::io("write key", path.display().to_string(), &e);
    let mut seed = secrecy::zeroize::Zeroizing::new([0u8; 32]);
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut *seed))
        .map_err(io)?;
    let key = PrivateKey::from(russh::keys::ssh_key::private::Ed25519Keypair::from_seed(
        &seed,
    ));
    let private = key
        .to_openssh(LineEnding::LF)
        .map_err(|e| TransportError::Configuration(format!("cannot encode a key: {e}")))?;
    let public = key
        .public_key()
        .to_openssh()
        .map_err(|e| TransportError::Configuration(format!("cannot encode a key: {e}")))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    file.write_all(private.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    Ok(public)
}
