//! `/oauth/v2/authorize`: the page a person sees when they add the app to Slack.
//!
//! `GET /oauth/v2/authorize?client_id&scope&redirect_uri&state[&team]` checks the request
//! as Slack does (an unknown client or a redirect URL the app is not configured with
//! gets an error page, never a redirect) and shows the consent page: a form posting the
//! person's decision back to `POST /oauth/v2/authorize`. The decision redirects (302) to
//! the redirect URL with `code` and `state`, or with `error=access_denied` and `state`.
//! [`super::browser::SlackBrowser`] plays the person.
//!
//! The form's `user` (who is signed in), `team` (the workspace picked in the top-right
//! corner) and `install` (`workspace`, or `org` for an org-wide install by an org admin)
//! stand for what a signed-in browser session carries.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::registry::{InstallTarget, PendingCode};
use crate::slack::state::{SimState, World};

/// Slack's codes are good for ten minutes (Slack time).
const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);

type Fields = HashMap<String, String>;

/// A refusal shown as a page: Slack's error code and what it means.
struct Refusal {
    status: StatusCode,
    code: &'static str,
    detail: String,
}

impl Refusal {
    fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let page = format!(
            "<!doctype html><title>Slack</title><h1>Something went wrong</h1>\
             <p id=\"error\">{}</p><p>{}</p>",
            escape(self.code),
            escape(&self.detail)
        );
        (self.status, Html(page)).into_response()
    }
}

pub(crate) async fn show(
    State(state): State<Arc<SimState>>,
    Query(query): Query<Fields>,
) -> Response {
    let world = crate::sync::lock(&state.world);
    match check_request(&state, &world, &query) {
        Ok(_) => Html(consent_page(&world, &query)).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

pub(crate) async fn decide(
    State(state): State<Arc<SimState>>,
    Form(form): Form<Fields>,
) -> Response {
    let now = Instant::now();
    let code_lifetime = state.clock.real_duration(CODE_LIFETIME);
    let outcome = state.change(|world| {
        let redirect_uri = check_request(&state, world, &form)?;
        let mut answer = vec![];
        if form.get("decision").map(String::as_str) != Some("allow") {
            answer.push(("error", "access_denied".to_owned()));
        } else {
            let pending = consent(world, &form, now + code_lifetime)?;
            let code = format!(
                "{}.{}.{}",
                world.ids.next_u64() % 10_000_000_000,
                world.ids.next_u64() % 10_000_000_000_000,
                world.ids.hex(64)
            );
            world.installs.add_code(code.clone(), pending);
            answer.push(("code", code));
        }
        if let Some(state) = form.get("state") {
            answer.push(("state", state.clone()));
        }
        redirect_to(&redirect_uri, &answer)
    });
    match outcome {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

/// Checks an authorize request; returns where to redirect.
fn check_request(state: &SimState, world: &World, fields: &Fields) -> Result<String, Refusal> {
    if fields.get("client_id") != Some(&state.config.client_id) {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "invalid_client_id",
            "No app has this client id.",
        ));
    }
    if scopes(fields, "scope").is_empty() && scopes(fields, "user_scope").is_empty() {
        return Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "The request names no scopes.",
        ));
    }
    let named = fields.get("redirect_uri").filter(|uri| !uri.is_empty());
    match named {
        Some(uri) if redirect_allowed(&world.redirect_urls, uri) => Ok(uri.clone()),
        Some(uri) => Err(Refusal::new(
            StatusCode::BAD_REQUEST,
            "bad_redirect_uri",
            format!("{uri} is not one of the app's redirect URLs."),
        )),
        None => world.redirect_urls.first().cloned().ok_or_else(|| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "bad_redirect_uri",
                "The app has no redirect URL and the request named none.",
            )
        }),
    }
}

/// Whether `uri` is one of the app's redirect URLs (or under one, as Slack allows);
/// with none configured any http(s) URL is.
pub(crate) fn redirect_allowed(configured: &[String], uri: &str) -> bool {
    let Ok(parsed) = url::Url::parse(uri) else {
        return false;
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return false;
    }
    configured.is_empty()
        || configured
            .iter()
            .any(|allowed| uri == allowed || uri.starts_with(allowed.as_str()))
}

/// What the person approved: the install target, who they are, the scopes.
fn consent(world: &World, form: &Fields, expires_at: Instant) -> Result<PendingCode, Refusal> {
    let team_id = form
        .get("team")
        .filter(|team| !team.is_empty())
        .cloned()
        .unwrap_or_else(|| world.primary_team.clone());
    let workspace = world.workspace(&team_id).ok_or_else(|| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "team_not_found",
            format!("No workspace {team_id}."),
        )
    })?;
    let user = match form.get("user").filter(|user| !user.is_empty()) {
        Some(user) => workspace
            .users
            .get(user)
            .filter(|found| workspace.is_member(&found.id)),
        None => workspace.members().find(|user| user.is_primary_owner),
    }
    .filter(|user| !user.deleted && !user.is_bot)
    .ok_or_else(|| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "user_not_found",
            format!("Nobody by that id is signed in to {team_id}."),
        )
    })?;
    let target = if form.get("install").map(String::as_str) == Some("org") {
        let org = workspace.enterprise.as_ref().ok_or_else(|| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                "not_an_enterprise",
                format!("{team_id} is not part of an Enterprise Grid org."),
            )
        })?;
        if !(user.is_admin || user.is_owner) {
            return Err(Refusal::new(
                StatusCode::FORBIDDEN,
                "org_admin_required",
                "Only an org admin or owner can install an app across the org.",
            ));
        }
        InstallTarget::Org(org.id.clone())
    } else {
        InstallTarget::Team(team_id)
    };
    Ok(PendingCode {
        target,
        installer: user.id.clone(),
        scopes: scopes(form, "scope"),
        redirect_uri: form
            .get("redirect_uri")
            .filter(|uri| !uri.is_empty())
            .cloned(),
        expires_at,
    })
}

fn scopes(fields: &Fields, name: &str) -> Vec<String> {
    fields
        .get(name)
        .map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|scope| !scope.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn redirect_to(redirect_uri: &str, answer: &[(&str, String)]) -> Result<String, Refusal> {
    let mut url = url::Url::parse(redirect_uri).map_err(|_| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "bad_redirect_uri",
            format!("{redirect_uri} is not a URL."),
        )
    })?;
    url.query_pairs_mut()
        .extend_pairs(answer.iter().map(|(name, value)| (*name, value.as_str())));
    Ok(url.to_string())
}

/// The consent page: what the app asks for and a form to allow or cancel.
fn consent_page(world: &World, query: &Fields) -> String {
    let hidden: String = [
        "client_id",
        "scope",
        "user_scope",
        "redirect_uri",
        "state",
        "team",
    ]
    .iter()
    .filter_map(|name| query.get(*name).map(|value| (name, value)))
    .map(|(name, value)| {
        format!(
            "<input type=\"hidden\" name=\"{name}\" value=\"{}\">",
            escape(value)
        )
    })
    .collect();
    let workspace = query
        .get("team")
        .and_then(|team| world.workspace(team))
        .unwrap_or_else(|| world.primary());
    format!(
        "<!doctype html><title>Slack</title>\
         <h1>The app is requesting permission to access {}</h1>\
         <p id=\"scopes\">{}</p>\
         <form method=\"post\" action=\"/oauth/v2/authorize\">{hidden}\
         <button name=\"decision\" value=\"allow\">Allow</button>\
         <button name=\"decision\" value=\"deny\">Cancel</button></form>",
        escape(&workspace.team.name),
        escape(query.get("scope").map_or("", String::as_str)),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
