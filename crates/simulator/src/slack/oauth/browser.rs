//! A person in a browser adding the app to Slack: opens the authorize URL the app links
//! to, then allows or cancels, and reports where Slack redirected them.

use std::collections::HashMap;

use crate::error::SimError;

/// What the person does on the consent page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consent {
    /// The workspace picked (default: the one the URL's `team` names, else the primary).
    pub team_id: Option<String>,
    /// Who is signed in (default: the workspace's primary owner).
    pub user_id: Option<String>,
    /// Install across the workspace's Enterprise Grid org (org admins and owners only).
    pub org_wide: bool,
    /// Allow, or cancel.
    pub allow: bool,
}

impl Consent {
    /// Clicks "Allow".
    pub fn allow() -> Self {
        Self {
            team_id: None,
            user_id: None,
            org_wide: false,
            allow: true,
        }
    }

    /// Clicks "Cancel".
    pub fn deny() -> Self {
        Self {
            allow: false,
            ..Self::allow()
        }
    }

    pub fn in_workspace(mut self, team_id: &str) -> Self {
        self.team_id = Some(team_id.to_owned());
        self
    }

    pub fn as_user(mut self, user_id: &str) -> Self {
        self.user_id = Some(user_id.to_owned());
        self
    }

    /// Installs for the whole org the workspace belongs to.
    pub fn org_wide(mut self) -> Self {
        self.org_wide = true;
        self
    }
}

/// Where Slack sent the browser after the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthRedirect {
    /// The full redirect URL (the app's redirect URL with the answer in its query).
    pub location: String,
    pub code: Option<String>,
    pub state: Option<String>,
    /// `access_denied` when the person cancelled.
    pub error: Option<String>,
}

/// Plays the person installing the app. Get one from `SlackSim::browser`.
#[derive(Clone)]
pub struct SlackBrowser {
    base_url: String,
    http: reqwest::Client,
}

impl SlackBrowser {
    pub(crate) fn new(base_url: String) -> Self {
        Self {
            base_url,
            http: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
        }
    }

    /// Opens `authorize_url` (any URL whose path is `/oauth/v2/authorize`: it is sent
    /// to the simulator, as a link to slack.com would reach Slack), then decides as
    /// `consent` says. A request Slack refuses to show (unknown client, bad redirect
    /// URL, no scopes) is `SimError::OAuthRefused` with Slack's error code.
    pub async fn authorize(
        &self,
        authorize_url: &str,
        consent: &Consent,
    ) -> Result<OAuthRedirect, SimError> {
        let parsed = url::Url::parse(authorize_url)
            .map_err(|error| SimError::Encoding(format!("{authorize_url}: {error}")))?;
        let query: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        let page = self
            .http
            .get(format!("{}/oauth/v2/authorize", self.base_url))
            .query(&query)
            .send()
            .await
            .map_err(SimError::AppRequest)?;
        if !page.status().is_success() {
            return Err(refused(page).await);
        }
        let mut form: HashMap<String, String> = query.into_iter().collect();
        if let Some(team) = &consent.team_id {
            form.insert("team".into(), team.clone());
        }
        if let Some(user) = &consent.user_id {
            form.insert("user".into(), user.clone());
        }
        let install = if consent.org_wide { "org" } else { "workspace" };
        form.insert("install".into(), install.into());
        let decision = if consent.allow { "allow" } else { "deny" };
        form.insert("decision".into(), decision.into());
        let answer = self
            .http
            .post(format!("{}/oauth/v2/authorize", self.base_url))
            .form(&form)
            .send()
            .await
            .map_err(SimError::AppRequest)?;
        if !answer.status().is_redirection() {
            return Err(refused(answer).await);
        }
        let location = answer
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let redirect = url::Url::parse(&location)
            .map_err(|error| SimError::Encoding(format!("redirect {location}: {error}")))?;
        let answer: HashMap<String, String> = redirect.query_pairs().into_owned().collect();
        Ok(OAuthRedirect {
            location,
            code: answer.get("code").cloned(),
            state: answer.get("state").cloned(),
            error: answer.get("error").cloned(),
        })
    }
}

/// The error code on one of Slack's error pages.
async fn refused(response: reqwest::Response) -> SimError {
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    let code = body
        .split("<p id=\"error\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or("unknown")
        .to_owned();
    SimError::OAuthRefused { status, code }
}
