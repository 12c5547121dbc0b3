//! The parts of a Bot Framework activity Pourover reads, as Teams sends them.

use serde::Deserialize;
use serde_json::Value;

/// One activity POSTed to `/api/messages`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Activity {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub service_url: Option<String>,
    #[serde(default)]
    pub from: Option<Account>,
    #[serde(default)]
    pub conversation: Option<ConversationRef>,
    #[serde(default)]
    pub text: Option<String>,
    /// What an `Action.Submit` carried.
    #[serde(default)]
    pub value: Option<Value>,
    /// The card a submit was pressed on.
    #[serde(default)]
    pub reply_to_id: Option<String>,
    #[serde(default)]
    pub entities: Vec<Value>,
    #[serde(default)]
    pub channel_data: Option<ChannelData>,
    #[serde(default)]
    pub members_added: Vec<Account>,
    #[serde(default)]
    pub members_removed: Vec<Account>,
    /// The sender's IANA zone, as their Teams client reports it.
    #[serde(default)]
    pub local_timezone: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Account {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ConversationRef {
    pub id: String,
    #[serde(default)]
    pub conversation_type: Option<String>,
    #[serde(default)]
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ChannelData {
    #[serde(default)]
    pub tenant: Option<IdRef>,
    #[serde(default)]
    pub team: Option<TeamRef>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct IdRef {
    pub id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TeamRef {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
}

impl Activity {
    /// The tenant the activity comes from (`channelData.tenant.id`, else the
    /// conversation's).
    pub(crate) fn tenant_id(&self) -> Option<&str> {
        self.channel_data
            .as_ref()
            .and_then(|data| data.tenant.as_ref())
            .map(|tenant| tenant.id.as_str())
            .or_else(|| {
                self.conversation
                    .as_ref()
                    .and_then(|c| c.tenant_id.as_deref())
            })
    }

    pub(crate) fn team(&self) -> Option<&TeamRef> {
        self.channel_data.as_ref()?.team.as_ref()
    }

    /// A 1:1 chat with the bot (not a channel or group chat).
    pub(crate) fn is_personal(&self) -> bool {
        self.conversation
            .as_ref()
            .and_then(|c| c.conversation_type.as_deref())
            == Some("personal")
    }

    /// The sender's zone from `localTimezone`, else the `clientInfo` entity.
    pub(crate) fn sender_time_zone(&self) -> Option<String> {
        self.local_timezone.clone().or_else(|| {
            self.entities
                .iter()
                .find(|e| e.get("type").and_then(Value::as_str) == Some("clientInfo"))
                .and_then(|e| e.get("timezone"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    }

    /// `(id, name, text)` of every mention entity.
    pub(crate) fn mentions(&self) -> Vec<(String, String, String)> {
        self.entities
            .iter()
            .filter(|e| e.get("type").and_then(Value::as_str) == Some("mention"))
            .filter_map(|e| {
                let text = e.get("text")?.as_str()?.to_owned();
                let id = e.pointer("/mentioned/id")?.as_str()?.to_owned();
                let name = e
                    .pointer("/mentioned/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                Some((id, name, text))
            })
            .collect()
    }
}
