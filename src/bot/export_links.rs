//! Short-lived download links for CSV exports (`/coffee admin export`): a random token maps
//! to a program for an hour. Nothing else is reachable through them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rand::RngExt;

use crate::domain::ProgramId;

/// How long a link works.
pub const LINK_LIFETIME: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Default)]
pub struct ExportLinks {
    /// Public base URL of this bot, without a trailing slash; None: links cannot be given.
    public_url: Option<String>,
    grants: Arc<Mutex<HashMap<String, (ProgramId, Instant)>>>,
}

impl ExportLinks {
    pub fn new(public_url: Option<String>) -> Self {
        Self {
            public_url,
            grants: Arc::default(),
        }
    }

    /// A fresh link to `program`'s export, or None when the public URL is not configured.
    pub fn grant(&self, program: ProgramId) -> Option<String> {
        let base = self.public_url.as_ref()?;
        let token: String = (0..32)
            .map(|_| format!("{:02x}", rand::rng().random::<u8>()))
            .collect();
        let now = Instant::now();
        let mut grants = self.grants.lock().unwrap_or_else(PoisonError::into_inner);
        grants.retain(|_, (_, expires)| *expires > now);
        grants.insert(token.clone(), (program, now + LINK_LIFETIME));
        Some(format!("{base}/exports/{token}.csv"))
    }

    /// The program a token grants, if it exists and has not expired.
    pub fn redeem(&self, token: &str) -> Option<ProgramId> {
        let grants = self.grants.lock().unwrap_or_else(PoisonError::into_inner);
        grants
            .get(token)
            .filter(|(_, expires)| *expires > Instant::now())
            .map(|(program, _)| *program)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_granted_link_redeems_to_its_program_and_others_do_not() {
        let links = ExportLinks::new(Some("https://coffee.example.com".into()));
        let url = links.grant(ProgramId(7)).unwrap();
        let token = url
            .strip_prefix("https://coffee.example.com/exports/")
            .and_then(|rest| rest.strip_suffix(".csv"))
            .unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(links.redeem(token), Some(ProgramId(7)));
        assert_eq!(links.redeem("0000"), None);
        assert_ne!(links.grant(ProgramId(7)).unwrap(), url, "every link is new");
    }

    #[test]
    fn without_a_public_url_no_link_is_given() {
        assert_eq!(ExportLinks::new(None).grant(ProgramId(1)), None);
    }
}
