//! Every Web API method and parameter the simulator serves, and every event type it
//! produces, exists in Slack's published specs in `../shared/slack-api-specs/` — or is
//! listed in the code, with the reason, as newer than the (2020) specs.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::install::{REDIRECT, authorize_link, oauth_access};
use common::web_api;
use pourover_simulator::slack::EVENT_TYPES_PRODUCED;
use pourover_simulator::slack::web_api::methods::{
    CROSS_METHOD_ERRORS, RESPONSE_FIELDS_NEWER_THAN_SPEC, served_methods,
};
use pourover_simulator::{CompanySpec, Consent, OrgSpec, SlackSim, SlackSimConfig, WorkspaceSpec};
use serde_json::Value;

/// `shared/slack-api-specs/{file}`: CI checks the repository out next to `shared/`, so
/// it is `../../../shared` from this crate; a git worktree sits deeper, so the crate's
/// other ancestors are tried too.
fn spec(file: &str) -> Value {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut candidates: Vec<PathBuf> =
        vec![crate_dir.join("../../../shared/slack-api-specs").join(file)];
    candidates.extend(
        crate_dir
            .ancestors()
            .map(|dir| dir.join("shared/slack-api-specs").join(file)),
    );
    let Some(found) = candidates.iter().find(|path| path.is_file()) else {
        panic!(
            "Slack's API specs are missing: expected {file} in shared/slack-api-specs next to the repository \
             (looked at {}). CI provides ../shared beside the clone; locally, check it out there.",
            candidates
                .iter()
                .map(|path| path.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    };
    let text = std::fs::read_to_string(found)
        .unwrap_or_else(|error| panic!("reading {}: {error}", found.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("parsing {}: {error}", found.display()))
}

fn spec_params(operation_paths: &Value, method: &str) -> Option<BTreeSet<String>> {
    let path = operation_paths.get(format!("/{method}"))?;
    let params = path
        .as_object()?
        .values()
        .filter_map(|operation| operation.get("parameters").and_then(Value::as_array))
        .flatten()
        .filter_map(|param| param.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect();
    Some(params)
}

#[test]
fn every_served_method_and_parameter_is_in_the_openapi_spec_or_listed_as_newer() {
    let web_api = spec("slack_web_openapi_v2.json");
    let paths = &web_api["paths"];
    let mut problems = Vec::new();
    for method in served_methods() {
        let method_is_newer = method
            .newer_than_spec
            .iter()
            .find(|newer| newer.param.is_none());
        let Some(known) = spec_params(paths, method.name) else {
            if method_is_newer.is_none() {
                problems.push(format!(
                    "{} is not in the spec and not listed as newer",
                    method.name
                ));
            }
            continue;
        };
        if method_is_newer.is_some() {
            problems.push(format!(
                "{} is in the spec but listed as newer",
                method.name
            ));
        }
        for param in method.params {
            let newer = method
                .newer_than_spec
                .iter()
                .find(|newer| newer.param == Some(*param));
            match (known.contains(*param), newer) {
                (true, None) => {}
                (false, Some(newer)) => assert!(
                    !newer.reason.is_empty(),
                    "{}.{param} needs a reason",
                    method.name
                ),
                (false, None) => {
                    problems.push(format!("{}: `{param}` is not in the spec", method.name))
                }
                (true, Some(_)) => problems.push(format!(
                    "{}: `{param}` is in the spec but listed as newer",
                    method.name
                )),
            }
        }
    }
    assert!(
        problems.is_empty(),
        "spec mismatches:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_event_type_produced_is_in_the_asyncapi_spec_or_listed_as_newer() {
    let events = spec("slack_events_api_async_v1.json");
    let topics = events["topics"]
        .as_object()
        .expect("the AsyncAPI spec has topics");
    let mut problems = Vec::new();
    for (event_type, newer) in EVENT_TYPES_PRODUCED {
        let topic = event_type.replace('_', ".");
        match (topics.contains_key(&topic), newer) {
            (true, None) => {}
            (false, Some(reason)) => assert!(!reason.is_empty()),
            (false, None) => {
                problems.push(format!("{event_type} is not a topic in the AsyncAPI spec"))
            }
            (true, Some(_)) => {
                problems.push(format!("{event_type} is in the spec but listed as newer"))
            }
        }
    }
    assert!(
        problems.is_empty(),
        "spec mismatches:\n{}",
        problems.join("\n")
    );
}

/// Every error code in any of the spec's per-method error enums.
fn spec_error_codes(web_api: &Value) -> BTreeSet<String> {
    web_api["paths"]
        .as_object()
        .expect("paths")
        .values()
        .filter_map(Value::as_object)
        .flat_map(|operations| operations.values())
        .filter_map(|operation| {
            operation
                .pointer("/responses/default/schema/properties/error/enum")
                .and_then(Value::as_array)
        })
        .flatten()
        .filter_map(|code| code.as_str().map(str::to_owned))
        .collect()
}

#[test]
fn every_token_and_workspace_refusal_is_a_spec_error_code_or_listed_as_newer() {
    let known = spec_error_codes(&spec("slack_web_openapi_v2.json"));
    let mut problems = Vec::new();
    for (code, newer) in CROSS_METHOD_ERRORS {
        match (known.contains(*code), newer) {
            (true, None) => {}
            (false, Some(reason)) => assert!(!reason.is_empty()),
            (false, None) => problems.push(format!("{code} is in no error enum of the spec")),
            (true, Some(_)) => problems.push(format!("{code} is in the spec but listed as newer")),
        }
    }
    assert!(
        problems.is_empty(),
        "spec mismatches:\n{}",
        problems.join("\n")
    );
}

/// Fields of `answer` neither `known` nor listed newer for `method`.
fn unknown_fields(method: &str, answer: &Value, known: &BTreeSet<String>) -> Vec<String> {
    answer
        .as_object()
        .expect("an object")
        .keys()
        .filter(|field| !known.contains(*field))
        .filter(|field| {
            !RESPONSE_FIELDS_NEWER_THAN_SPEC
                .iter()
                .any(|(newer_method, newer, _)| *newer_method == method && newer == field)
        })
        .map(|field| format!("{method}: `{field}`"))
        .collect()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|object| object.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn oauth_auth_test_and_team_info_answer_with_the_specs_fields_or_ones_listed_as_newer() {
    let openapi = spec("slack_web_openapi_v2.json");
    let paths = &openapi["paths"];
    let config = SlackSimConfig {
        rate_limits: false,
        token_rotation: true,
        ..SlackSimConfig::default()
    };
    let sim = SlackSim::start(config, CompanySpec::new(3, 1))
        .await
        .expect("simulator starts");
    sim.set_redirect_urls(vec![REDIRECT.into()]);
    let org = sim
        .add_org(OrgSpec::new(
            "E0SPECORG1",
            "Spec Org",
            vec![WorkspaceSpec::new(
                "T0SPECWS01",
                "Spec Workspace",
                CompanySpec::new(3, 1),
            )],
        ))
        .expect("org added");
    let admin = org[0]
        .people()
        .into_iter()
        .find(|person| person.is_admin)
        .expect("an admin");
    let link = authorize_link(&sim, "chat:write", &[]);
    let mut problems = Vec::new();
    for consent in [
        Consent::allow(),
        Consent::allow()
            .in_workspace(org[0].team_id())
            .as_user(&admin.id)
            .org_wide(),
    ] {
        let code = sim
            .browser()
            .authorize(&link, &consent)
            .await
            .expect("redirected")
            .code
            .expect("a code");
        let access = oauth_access(&sim, &[("code", code.as_str())]).await;
        let example = keys(
            &paths["/oauth.v2.access"]["get"]["responses"]["200"]["examples"]["application/json"],
        );
        problems.extend(unknown_fields("oauth.v2.access", &access, &example));
        let token = access["access_token"].as_str().expect("a token");
        let auth = web_api(&sim.api_url(), token, "auth.test", &[]).await;
        let schema = keys(&paths["/auth.test"]["get"]["responses"]["200"]["schema"]["properties"]);
        problems.extend(unknown_fields("auth.test", &auth, &schema));
    }
    let team = web_api(&sim.api_url(), &sim.config().bot_token, "team.info", &[]).await;
    let team_fields = keys(&openapi["definitions"]["objs_team"]["properties"]);
    problems.extend(unknown_fields("team.info", &team["team"], &team_fields));
    let org_token = org[0].install().expect("installed").bot_token;
    let org_team = web_api(&sim.api_url(), &org_token, "team.info", &[]).await;
    assert_eq!(org_team["team"]["enterprise_id"], "E0SPECORG1");
    problems.extend(unknown_fields("team.info", &org_team["team"], &team_fields));
    assert!(
        problems.is_empty(),
        "fields the spec does not know:\n{}",
        problems.join("\n")
    );
}
