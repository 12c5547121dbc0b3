//! views.publish: the App Home each user sees.

use std::time::SystemTime;

use slack_morphism::prelude::*;

use super::caller::Ctx;
use super::envelope::{ApiError, ApiResult, ok};
use super::params::Params;
use crate::slack::recorder::PublishedView;
use crate::slack::state::SimState;

pub(super) fn publish(state: &SimState, ctx: &Ctx, params: &Params) -> ApiResult {
    let user_id = params.required("user_id")?;
    let raw_view = params.json("view", "invalid_arguments")?.ok_or_else(|| {
        ApiError::new("invalid_arguments").with_message("missing required field: view")
    })?;
    let view: SlackView = serde_json::from_value(raw_view.clone()).map_err(|error| {
        ApiError::new("invalid_arguments").with_message(format!("invalid `view`: {error}"))
    })?;
    if !matches!(view, SlackView::Home(_)) {
        return Err(ApiError::new("invalid_arguments")
            .with_message("views.publish only takes a `home` view"));
    }
    let expected_hash = params.text("hash");
    state.change(|world| {
        let (workspace, journal) = world
            .workspace_and_journal(&ctx.team)
            .ok_or_else(|| ApiError::new("team_access_not_granted"))?;
        if workspace.user(&user_id).is_none() {
            return Err(ApiError::new("invalid_arguments").with_message("invalid `user_id`"));
        }
        let previous = workspace.home_views.get(&user_id);
        if let (Some(expected), Some(previous)) = (&expected_hash, previous)
            && *expected != previous.hash
        {
            return Err(ApiError::new("hash_conflict"));
        }
        let view_id = match previous {
            Some(previous) => previous.view_id.clone(),
            None => workspace.new_id("V"),
        };
        let hash = format!("{}.{}", state.now(), workspace.new_token()[..8].to_owned());
        let published = PublishedView {
            team_id: ctx.team.clone(),
            user_id: user_id.clone(),
            view_id: view_id.clone(),
            hash: hash.clone(),
            view: raw_view.clone(),
            at: SystemTime::now(),
        };
        workspace
            .home_views
            .insert(user_id.clone(), published.clone());
        journal.views.push(published);
        let stateful = SlackStatefulView::new(
            SlackStatefulStateParams::new(
                view_id.clone().into(),
                workspace.team.id.clone().into(),
                hash,
            )
            .with_state(SlackViewState::new(Default::default()))
            .with_root_view_id(view_id.into())
            .with_app_id(state.identity.app_id.clone().into())
            .with_bot_id(ctx.bot_id.clone().into()),
            view.clone(),
        );
        ok(SlackApiViewsPublishResponse::new(stateful))
    })
}
