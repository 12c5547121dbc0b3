//! Every Web API method and parameter the simulator serves, and every event type it
//! produces, exists in Slack's published specs in `../shared/slack-api-specs/` — or is
//! listed in the code, with the reason, as newer than the (2020) specs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pourover_simulator::slack::EVENT_TYPES_PRODUCED;
use pourover_simulator::slack::web_api::methods::served_methods;
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
