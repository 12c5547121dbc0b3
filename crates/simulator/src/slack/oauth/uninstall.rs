//! Uninstalling the app: the installation goes inactive, its tokens stop working
//! (`account_inactive`), and Slack tells the app with `tokens_revoked` and
//! `app_uninstalled`, signed like every event.

use serde_json::json;
use slack_morphism::prelude::*;

use super::registry::InstallTarget;
use crate::error::SimError;
use crate::slack::driver::{EventEnvelope, Tenancy, event_callback_as};
use crate::slack::state::SimState;

/// Uninstalls `target` and returns the two events Slack sends about it, ready to deliver
/// from `team_id` (`tokens_revoked` first, then `app_uninstalled`; Slack does not promise
/// an order). Errors if the app is not installed there.
pub(crate) fn uninstall(
    state: &SimState,
    target: InstallTarget,
    team_id: &str,
) -> Result<Vec<EventEnvelope>, SimError> {
    let (tenancy, bot_user_id) = state.change(|world| {
        // What the events say about the installation is what it was, not what serves
        // the workspace afterwards (an org-wide install may still).
        let mut tenancy = Tenancy::of(world, team_id)?;
        let uninstalled = world
            .installs
            .uninstall(&target)
            .ok_or_else(|| SimError::NotInstalled(format!("{target:?}")))?;
        tenancy.is_enterprise_install = uninstalled.is_enterprise_install();
        tenancy.bot_user_id = uninstalled.bot_user_id.clone();
        Ok::<_, SimError>((tenancy, uninstalled.bot_user_id))
    })?;
    // `tokens_revoked` is not in slack-morphism's event model: raw JSON, as Slack sends it.
    let revoked = SlackEventCallbackBody::Unknown(json!({
        "type": "tokens_revoked",
        "tokens": { "oauth": [], "bot": [bot_user_id] },
    }));
    let uninstalled = SlackEventCallbackBody::AppUninstalled(SlackAppUninstalledEvent::new());
    [revoked, uninstalled]
        .into_iter()
        .map(|event| event_callback_as(state, &tenancy, event))
        .collect()
}
