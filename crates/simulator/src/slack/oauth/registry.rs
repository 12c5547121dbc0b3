//! Who has the app installed, with which tokens: Slack's side of an installation store.
//!
//! An installation belongs to one workspace (`T…`) or, installed org-wide, to one
//! Enterprise Grid org (`E…`). Tokens are opaque strings mapped to their installation;
//! with token rotation each access token (`xoxe.xoxb-…`) expires and a one-time refresh
//! token (`xoxe-1-…`) buys the next pair. An access token stays good until its own expiry
//! even after a refresh (a call in flight is never cut off), as Slack's do.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use crate::rng::SplitMix64;
use crate::slack::workspace::{OrgIdentity, TeamIdentity};

/// What an installation is for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InstallTarget {
    /// One workspace, by team id.
    Team(String),
    /// Every workspace of an Enterprise Grid org, by enterprise id.
    Org(String),
}

/// An installation of the app, as Slack keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Installation {
    pub target: InstallTarget,
    /// The workspace (team installs only).
    pub team: Option<TeamIdentity>,
    /// The org: an org-wide install's, or the org a workspace install's team is in.
    pub enterprise: Option<OrgIdentity>,
    pub bot_user_id: String,
    pub bot_id: String,
    pub scopes: Vec<String>,
    /// Who approved the install (the `authed_user`).
    pub installer: String,
    /// False once uninstalled: its tokens answer `account_inactive`.
    pub active: bool,
    /// Whether its tokens expire and are refreshed (token rotation).
    pub rotating: bool,
    /// The newest access token.
    pub bot_token: String,
    /// The refresh token that buys the next pair (rotation only).
    pub refresh_token: Option<String>,
    /// When the newest access token lapses (rotation only).
    pub expires_at: Option<Instant>,
}

impl Installation {
    pub(crate) fn is_enterprise_install(&self) -> bool {
        matches!(self.target, InstallTarget::Org(_))
    }
}

/// An installation and its current tokens, as tests see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledApp {
    /// The workspace (None for an org-wide install).
    pub team_id: Option<String>,
    /// The org (org-wide installs, and workspace installs inside an org).
    pub enterprise_id: Option<String>,
    pub is_enterprise_install: bool,
    pub bot_user_id: String,
    pub bot_id: String,
    pub scopes: Vec<String>,
    pub installer: String,
    pub active: bool,
    /// The newest access token (`xoxb-…`, or `xoxe.xoxb-…` with rotation).
    pub bot_token: String,
    /// `xoxe-1-…` with rotation.
    pub refresh_token: Option<String>,
}

impl From<&Installation> for InstalledApp {
    fn from(installation: &Installation) -> Self {
        Self {
            team_id: installation.team.as_ref().map(|team| team.id.clone()),
            enterprise_id: installation.enterprise.as_ref().map(|org| org.id.clone()),
            is_enterprise_install: installation.is_enterprise_install(),
            bot_user_id: installation.bot_user_id.clone(),
            bot_id: installation.bot_id.clone(),
            scopes: installation.scopes.clone(),
            installer: installation.installer.clone(),
            active: installation.active,
            bot_token: installation.bot_token.clone(),
            refresh_token: installation.refresh_token.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenUse {
    Access,
    Refresh,
}

#[derive(Debug, Clone)]
struct IssuedToken {
    target: InstallTarget,
    usage: TokenUse,
    expires_at: Option<Instant>,
    revoked: bool,
}

/// Why a token was refused, as Slack's error code says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenRefusal {
    /// Never issued (or a refresh token used as an access token): `invalid_auth`.
    Unknown,
    /// A rotated access token past its `expires_in`: `token_expired`.
    Expired,
    /// Revoked without the app being uninstalled: `token_revoked`.
    Revoked,
    /// The app was uninstalled: `account_inactive`.
    Inactive,
}

impl TokenRefusal {
    pub(crate) fn code(self) -> &'static str {
        match self {
            TokenRefusal::Unknown => "invalid_auth",
            TokenRefusal::Expired => "token_expired",
            TokenRefusal::Revoked => "token_revoked",
            TokenRefusal::Inactive => "account_inactive",
        }
    }
}

/// A code `oauth.v2.access` may exchange once.
#[derive(Debug, Clone)]
pub(crate) struct PendingCode {
    pub target: InstallTarget,
    pub installer: String,
    pub scopes: Vec<String>,
    /// The `redirect_uri` the authorize request named; the exchange must repeat it.
    pub redirect_uri: Option<String>,
    pub expires_at: Instant,
}

/// Lifetime and shape of the tokens an install gets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TokenPolicy {
    /// None: tokens never expire (no rotation).
    pub lifetime: Option<Duration>,
}

#[derive(Default)]
pub(crate) struct Registry {
    installations: BTreeMap<InstallTarget, Installation>,
    tokens: HashMap<String, IssuedToken>,
    codes: HashMap<String, PendingCode>,
}

impl Registry {
    pub(crate) fn installation(&self, target: &InstallTarget) -> Option<&Installation> {
        self.installations.get(target)
    }

    pub(crate) fn installations(&self) -> impl Iterator<Item = &Installation> {
        self.installations.values()
    }

    /// Records a token that exists from the start (the configured `bot_token`), never
    /// expiring.
    pub(crate) fn preinstall(&mut self, installation: Installation) {
        self.tokens.insert(
            installation.bot_token.clone(),
            IssuedToken {
                target: installation.target.clone(),
                usage: TokenUse::Access,
                expires_at: None,
                revoked: false,
            },
        );
        self.installations
            .insert(installation.target.clone(), installation);
    }

    /// Installs (or re-installs) the app for `installation.target` with fresh tokens
    /// per `policy`. A re-install without rotation keeps its still-valid token, as
    /// Slack's long-lived bot tokens stay the same across re-installs.
    pub(crate) fn install(
        &mut self,
        mut installation: Installation,
        policy: TokenPolicy,
        ids: &mut SplitMix64,
        now: Instant,
    ) -> Installation {
        let target = installation.target.clone();
        let kept = self.installations.get(&target).and_then(|previous| {
            let reusable = previous.active && !previous.rotating && policy.lifetime.is_none();
            reusable.then(|| previous.bot_token.clone())
        });
        match kept {
            Some(token) => {
                installation.bot_token = token;
                installation.rotating = false;
                installation.refresh_token = None;
                installation.expires_at = None;
            }
            None => self.issue_pair(&mut installation, policy, ids, now),
        }
        installation.active = true;
        self.installations.insert(target, installation.clone());
        installation
    }

    fn issue_pair(
        &mut self,
        installation: &mut Installation,
        policy: TokenPolicy,
        ids: &mut SplitMix64,
        now: Instant,
    ) {
        let target = installation.target.clone();
        let expires_at = policy.lifetime.map(|lifetime| now + lifetime);
        let access = match policy.lifetime {
            Some(_) => format!("xoxe.xoxb-1-{}", ids.id_chars(40)),
            None => format!(
                "xoxb-{}-{}-{}",
                ids.next_u64() % 10_000_000_000_000,
                ids.next_u64() % 10_000_000_000_000,
                ids.id_chars(24)
            ),
        };
        self.tokens.insert(
            access.clone(),
            IssuedToken {
                target: target.clone(),
                usage: TokenUse::Access,
                expires_at,
                revoked: false,
            },
        );
        installation.bot_token = access;
        installation.rotating = policy.lifetime.is_some();
        installation.expires_at = expires_at;
        installation.refresh_token = policy.lifetime.map(|_| {
            let refresh = format!("xoxe-1-{}", ids.id_chars(60));
            self.tokens.insert(
                refresh.clone(),
                IssuedToken {
                    target,
                    usage: TokenUse::Refresh,
                    expires_at: None,
                    revoked: false,
                },
            );
            refresh
        });
    }

    /// The installation an access token belongs to, or why the token is refused.
    pub(crate) fn authenticate(
        &self,
        token: &str,
        now: Instant,
    ) -> Result<&Installation, TokenRefusal> {
        let issued = self
            .tokens
            .get(token)
            .filter(|issued| issued.usage == TokenUse::Access)
            .ok_or(TokenRefusal::Unknown)?;
        let installation = self
            .installations
            .get(&issued.target)
            .ok_or(TokenRefusal::Unknown)?;
        if !installation.active {
            return Err(TokenRefusal::Inactive);
        }
        if issued.revoked {
            return Err(TokenRefusal::Revoked);
        }
        if issued.expires_at.is_some_and(|expiry| now >= expiry) {
            return Err(TokenRefusal::Expired);
        }
        Ok(installation)
    }

    /// Trades a refresh token for a new pair; the refresh token is spent.
    pub(crate) fn refresh(
        &mut self,
        refresh_token: &str,
        policy: TokenPolicy,
        ids: &mut SplitMix64,
        now: Instant,
    ) -> Result<Installation, &'static str> {
        let target = match self.tokens.get(refresh_token) {
            Some(issued) if issued.usage == TokenUse::Refresh && !issued.revoked => {
                issued.target.clone()
            }
            _ => return Err("invalid_refresh_token"),
        };
        let mut installation = self
            .installations
            .get(&target)
            .filter(|installation| installation.active)
            .cloned()
            .ok_or("invalid_refresh_token")?;
        if policy.lifetime.is_none() {
            return Err("invalid_refresh_token");
        }
        if let Some(spent) = self.tokens.get_mut(refresh_token) {
            spent.revoked = true;
        }
        self.issue_pair(&mut installation, policy, ids, now);
        self.installations.insert(target, installation.clone());
        Ok(installation)
    }

    /// Makes every access token of `target` lapse now (as if `expires_in` had passed).
    pub(crate) fn expire_access_tokens(&mut self, target: &InstallTarget, now: Instant) {
        for issued in self.tokens.values_mut() {
            if &issued.target == target && issued.usage == TokenUse::Access {
                issued.expires_at = Some(now);
            }
        }
    }

    /// Uninstalls: the installation goes inactive and every token it had is revoked.
    /// Returns the installation as it was, if there was an active one.
    pub(crate) fn uninstall(&mut self, target: &InstallTarget) -> Option<Installation> {
        let installation = self
            .installations
            .get_mut(target)
            .filter(|installation| installation.active)?;
        installation.active = false;
        let uninstalled = installation.clone();
        for issued in self.tokens.values_mut() {
            if &issued.target == target {
                issued.revoked = true;
            }
        }
        Some(uninstalled)
    }

    pub(crate) fn add_code(&mut self, code: String, pending: PendingCode) {
        self.codes.insert(code, pending);
    }

    /// Takes a code out (codes are one-time), if it is known and not expired.
    pub(crate) fn take_code(&mut self, code: &str, now: Instant) -> Option<PendingCode> {
        self.codes
            .remove(code)
            .filter(|pending| now < pending.expires_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn installation(target: InstallTarget) -> Installation {
        Installation {
            target,
            team: None,
            enterprise: None,
            bot_user_id: "UBOT".into(),
            bot_id: "BBOT".into(),
            scopes: vec!["chat:write".into()],
            installer: "UADMIN".into(),
            active: false,
            rotating: false,
            bot_token: String::new(),
            refresh_token: None,
            expires_at: None,
        }
    }

    const ROTATING: TokenPolicy = TokenPolicy {
        lifetime: Some(Duration::from_secs(60)),
    };

    #[test]
    fn a_refresh_spends_the_refresh_token_and_keeps_the_old_access_token_until_it_lapses() {
        let mut registry = Registry::default();
        let mut ids = SplitMix64::new(1);
        let now = Instant::now();
        let target = InstallTarget::Team("T1".into());
        let first = registry.install(installation(target.clone()), ROTATING, &mut ids, now);
        assert!(first.bot_token.starts_with("xoxe.xoxb-1-"));
        let refresh = first
            .refresh_token
            .clone()
            .expect("rotation gives a refresh token");
        assert!(refresh.starts_with("xoxe-1-"));
        let second = registry
            .refresh(&refresh, ROTATING, &mut ids, now)
            .expect("refreshes");
        assert_ne!(second.bot_token, first.bot_token);
        assert_eq!(
            registry.refresh(&refresh, ROTATING, &mut ids, now).err(),
            Some("invalid_refresh_token")
        );
        assert!(registry.authenticate(&first.bot_token, now).is_ok());
        let later = now + Duration::from_secs(61);
        assert_eq!(
            registry.authenticate(&first.bot_token, later).err(),
            Some(TokenRefusal::Expired)
        );
    }

    #[test]
    fn an_uninstall_makes_every_token_inactive() {
        let mut registry = Registry::default();
        let mut ids = SplitMix64::new(2);
        let now = Instant::now();
        let target = InstallTarget::Org("E1".into());
        let installed = registry.install(installation(target.clone()), ROTATING, &mut ids, now);
        assert!(registry.uninstall(&target).is_some());
        assert_eq!(
            registry.authenticate(&installed.bot_token, now).err(),
            Some(TokenRefusal::Inactive)
        );
        let refresh = installed.refresh_token.expect("rotating");
        assert!(registry.refresh(&refresh, ROTATING, &mut ids, now).is_err());
        assert!(registry.uninstall(&target).is_none(), "only once");
    }

    #[test]
    fn a_reinstall_without_rotation_keeps_the_token() {
        let mut registry = Registry::default();
        let mut ids = SplitMix64::new(3);
        let now = Instant::now();
        let target = InstallTarget::Team("T1".into());
        let plain = TokenPolicy { lifetime: None };
        let first = registry.install(installation(target.clone()), plain, &mut ids, now);
        assert!(first.bot_token.starts_with("xoxb-"));
        let second = registry.install(installation(target), plain, &mut ids, now);
        assert_eq!(first.bot_token, second.bot_token);
        assert_eq!(
            registry.authenticate("xoxb-nope", now).err(),
            Some(TokenRefusal::Unknown)
        );
    }

    #[test]
    fn every_refusal_code_is_one_the_conformance_test_checks() {
        use crate::slack::web_api::methods::CROSS_METHOD_ERRORS;
        for refusal in [
            TokenRefusal::Unknown,
            TokenRefusal::Expired,
            TokenRefusal::Revoked,
            TokenRefusal::Inactive,
        ] {
            assert!(
                CROSS_METHOD_ERRORS
                    .iter()
                    .any(|(code, _)| *code == refusal.code()),
                "{}",
                refusal.code()
            );
        }
    }

    #[test]
    fn a_code_is_good_once_and_only_until_it_expires() {
        let mut registry = Registry::default();
        let now = Instant::now();
        let pending = PendingCode {
            target: InstallTarget::Team("T1".into()),
            installer: "UADMIN".into(),
            scopes: Vec::new(),
            redirect_uri: None,
            expires_at: now + Duration::from_secs(600),
        };
        registry.add_code("fresh".into(), pending.clone());
        registry.add_code("stale".into(), pending);
        assert!(registry.take_code("fresh", now).is_some());
        assert!(registry.take_code("fresh", now).is_none(), "one-time");
        let later = now + Duration::from_secs(601);
        assert!(registry.take_code("stale", later).is_none(), "expired");
    }
}
