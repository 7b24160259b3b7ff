//! Reading the admin's secret files into [`DecryptionSecrets`]: keytabs (MIT format) and
//! password files (`user@REALM:password`, `DOMAIN\user:password`). Errors name the file and,
//! for password files, the line, never a key or a password.

use std::path::{Path, PathBuf};

use super::DecryptionSecrets;
use crate::crypto::keytab::{KeytabError, parse_keytab};
use crate::crypto::passwords::{PasswordFileError, parse_password_file};

/// Why a secret file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The keytab is malformed.
    #[error("{}: {source}", path.display())]
    Keytab {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: KeytabError,
    },
    /// A password file line is malformed.
    #[error("{}: {source}", path.display())]
    Passwords {
        /// The file.
        path: PathBuf,
        /// Which line, and what is wrong.
        source: PasswordFileError,
    },
}

impl DecryptionSecrets {
    /// Every entry of the keytabs at `keytabs` and every account of the password files at
    /// `password_files`.
    pub fn load(keytabs: &[PathBuf], password_files: &[PathBuf]) -> Result<Self, SecretFileError> {
        let mut secrets = Self::default();
        for path in keytabs {
            let bytes = read(path)?;
            let entries = parse_keytab(&bytes).map_err(|source| SecretFileError::Keytab {
                path: path.clone(),
                source,
            })?;
            secrets.keytab.extend(entries);
        }
        for path in password_files {
            let bytes = read(path)?;
            let text = String::from_utf8_lossy(&bytes);
            let entries =
                parse_password_file(&text).map_err(|source| SecretFileError::Passwords {
                    path: path.clone(),
                    source,
                })?;
            secrets.passwords.extend(entries);
        }
        Ok(secrets)
    }
}

fn read(path: &Path) -> Result<Vec<u8>, SecretFileError> {
    std::fs::read(path).map_err(|source| SecretFileError::Read {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_keytabs_and_password_files_and_names_the_bad_file() {
        let dir = std::env::temp_dir().join(format!("capdiag-secrets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let keytab = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../crypto/tests/fixtures/ktutil-http-web.keytab"
        ));
        let passwords = dir.join("passwords.txt");
        std::fs::write(&passwords, "# lab\nLAB\\alice:Wonderland9\n").unwrap();
        let secrets = DecryptionSecrets::load(
            std::slice::from_ref(&keytab),
            std::slice::from_ref(&passwords),
        )
        .unwrap();
        assert_eq!((secrets.keytab.len(), secrets.passwords.len()), (3, 1));
        assert!(!secrets.is_empty());

        std::fs::write(&passwords, "LAB\\alice Wonderland9\n").unwrap();
        let error = DecryptionSecrets::load(&[], std::slice::from_ref(&passwords))
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("passwords.txt: password file line 1"),
            "{error}"
        );
        assert!(!error.contains("Wonderland9"), "{error}");

        let error = DecryptionSecrets::load(std::slice::from_ref(&passwords), &[])
            .unwrap_err()
            .to_string();
        assert!(error.contains("not a keytab"), "{error}");
        let missing = dir.join("missing.keytab");
        assert!(matches!(
            DecryptionSecrets::load(&[missing], &[]),
            Err(SecretFileError::Read { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
