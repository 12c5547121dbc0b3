use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// One install: a Slack team or a Teams tenant.
    WorkspaceId
);
id_type!(
    /// A pairing pool inside a workspace.
    ProgramId
);
id_type!(
    /// A person in a workspace (not their platform user id).
    MemberId
);
id_type!(RoundId);
id_type!(GroupId);
id_type!(OutboxId);

/// The chat platform a workspace lives on. Only adapters and wiring branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    Slack,
    Teams,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Slack => "slack",
            Platform::Teams => "teams",
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = super::InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "slack" => Ok(Platform::Slack),
            "teams" => Ok(Platform::Teams),
            other => Err(super::InvalidValue::new(format!(
                "unknown platform `{other}`"
            ))),
        }
    }
}
