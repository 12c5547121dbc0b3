//! The `/coffee` grammar, platform-neutral. Platforms hand in the text after the command
//! name with mentions already in the neutral `<@USER_ID>` / `<#CHANNEL_ID>` form (Slack's
//! escaped form, optionally with `|label`).

use crate::domain::{Cadence, GroupSize, InvalidValue, PauseRequest, ProgramName, Schedule};

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Help,
    Join {
        program: Option<ProgramName>,
    },
    Leave {
        program: Option<ProgramName>,
    },
    Pause(PauseRequest),
    Resume,
    Skip,
    Cadence(Cadence),
    /// None: forget the chosen team and use the profile's again.
    Team(Option<String>),
    Never {
        user_id: String,
    },
    NeverRemove {
        user_id: String,
    },
    Status,
    History,
    Admin(AdminCommand),
}

#[derive(Debug, Clone, PartialEq)]
pub enum AdminCommand {
    Help,
    ProgramCreate {
        name: ProgramName,
        channel_id: Option<String>,
    },
    Schedule {
        program: ProgramName,
        /// Boxed: a parsed cron expression is large, and commands are passed around by value.
        schedule: Box<Schedule>,
    },
    GroupSize {
        program: ProgramName,
        size: GroupSize,
    },
    Stats {
        program: Option<ProgramName>,
    },
    RoundNow {
        program: ProgramName,
        /// `again`: plan it even though a round was planned in the last hour.
        again: bool,
    },
    Export {
        program: ProgramName,
    },
    Failures,
}

/// A command that did not parse: what is wrong, and how that subcommand is used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}")]
pub struct UsageError {
    pub problem: String,
    /// The usage line of the subcommand, without the command name, e.g. `pause <2w | …>`.
    pub usage: &'static str,
}

pub mod usage {
    pub const JOIN: &str = "join [program]";
    pub const LEAVE: &str = "leave [program]";
    pub const PAUSE: &str = "pause <2w | 10d | 1m | until YYYY-MM-DD>";
    pub const RESUME: &str = "resume";
    pub const SKIP: &str = "skip";
    pub const CADENCE: &str = "cadence <weekly | biweekly | monthly>";
    pub const TEAM: &str = "team <name>   (or `team clear` to use your profile's)";
    pub const NEVER: &str = "never @person   (or `never remove @person`)";
    pub const STATUS: &str = "status";
    pub const HISTORY: &str = "history";
    pub const HELP: &str = "help";
    pub const ADMIN: &str =
        "admin <program | schedule | group-size | stats | round | export | failures>";
    pub const PROGRAM_CREATE: &str = "admin program create <name> [#channel]";
    pub const SCHEDULE: &str = "admin schedule <program> \"<cron>\" <IANA time zone>   e.g. admin schedule coffee \"0 10 * * MON\" Europe/Berlin";
    pub const GROUP_SIZE: &str = "admin group-size <program> <2-8>";
    pub const STATS: &str = "admin stats [program]";
    pub const ROUND_NOW: &str = "admin round now <program> [again]";
    pub const EXPORT: &str = "admin export <program>";
    pub const FAILURES: &str = "admin failures";

    /// Every user-facing subcommand, for `help`.
    pub const MEMBER_COMMANDS: [&str; 11] = [
        JOIN, LEAVE, PAUSE, RESUME, SKIP, CADENCE, TEAM, NEVER, STATUS, HISTORY, HELP,
    ];
    pub const ADMIN_COMMANDS: [&str; 7] = [
        PROGRAM_CREATE,
        SCHEDULE,
        GROUP_SIZE,
        STATS,
        ROUND_NOW,
        EXPORT,
        FAILURES,
    ];
}

fn error(problem: impl Into<String>, usage: &'static str) -> UsageError {
    UsageError {
        problem: problem.into(),
        usage,
    }
}

fn invalid(err: InvalidValue, usage: &'static str) -> UsageError {
    error(err.0, usage)
}

/// Parses the text after the command name. Empty text means `help`.
pub fn parse(text: &str) -> Result<Command, UsageError> {
    let tokens = tokenize(text).map_err(|problem| error(problem, usage::HELP))?;
    let mut words = tokens.iter().map(String::as_str);
    let Some(verb) = words.next() else {
        return Ok(Command::Help);
    };
    let rest: Vec<&str> = words.collect();
    match verb.to_lowercase().as_str() {
        "help" | "?" => Ok(Command::Help),
        "join" => Ok(Command::Join {
            program: optional_program(&rest, usage::JOIN)?,
        }),
        "leave" => Ok(Command::Leave {
            program: optional_program(&rest, usage::LEAVE)?,
        }),
        "pause" => {
            if rest.is_empty() {
                return Err(error("how long should the pause last?", usage::PAUSE));
            }
            PauseRequest::parse(&rest.join(" "))
                .map(Command::Pause)
                .map_err(|err| invalid(err, usage::PAUSE))
        }
        "resume" | "unpause" => no_arguments(&rest, Command::Resume, usage::RESUME),
        "skip" => no_arguments(&rest, Command::Skip, usage::SKIP),
        "cadence" => match rest.as_slice() {
            [cadence] => cadence
                .parse()
                .map(Command::Cadence)
                .map_err(|err| invalid(err, usage::CADENCE)),
            [] => Err(error("which cadence?", usage::CADENCE)),
            _ => Err(error("cadence takes one word", usage::CADENCE)),
        },
        "team" => parse_team(&rest),
        "never" => parse_never(&rest),
        "status" => no_arguments(&rest, Command::Status, usage::STATUS),
        "history" => no_arguments(&rest, Command::History, usage::HISTORY),
        "admin" => parse_admin(&rest).map(Command::Admin),
        other => Err(error(
            format!("I don't know `{}`", shorten(other)),
            usage::HELP,
        )),
    }
}

fn no_arguments(
    rest: &[&str],
    command: Command,
    usage: &'static str,
) -> Result<Command, UsageError> {
    if rest.is_empty() {
        Ok(command)
    } else {
        Err(error(
            format!(
                "`{}` takes no arguments",
                usage.split_whitespace().next().unwrap_or(usage)
            ),
            usage,
        ))
    }
}

fn optional_program(rest: &[&str], usage: &'static str) -> Result<Option<ProgramName>, UsageError> {
    match rest {
        [] => Ok(None),
        [name] => ProgramName::parse(name)
            .map(Some)
            .map_err(|err| invalid(err, usage)),
        _ => Err(error("give at most one program name", usage)),
    }
}

fn program(word: Option<&&str>, usage: &'static str) -> Result<ProgramName, UsageError> {
    match word {
        Some(word) => ProgramName::parse(word).map_err(|err| invalid(err, usage)),
        None => Err(error("which program?", usage)),
    }
}

fn parse_team(rest: &[&str]) -> Result<Command, UsageError> {
    let name = rest.join(" ");
    let name = name.trim();
    if name.is_empty() {
        return Err(error("which team are you in?", usage::TEAM));
    }
    if name.eq_ignore_ascii_case("clear") || name.eq_ignore_ascii_case("reset") {
        return Ok(Command::Team(None));
    }
    if name.chars().count() > TEAM_NAME_MAX {
        return Err(error(
            format!("a team name has at most {TEAM_NAME_MAX} characters"),
            usage::TEAM,
        ));
    }
    if name.chars().any(is_invisible_control) {
        return Err(error(
            "a team name can't contain control characters: type it as plain text",
            usage::TEAM,
        ));
    }
    if name.starts_with('<') {
        return Err(error("write the team's name, not a mention", usage::TEAM));
    }
    Ok(Command::Team(Some(name.to_string())))
}

/// Longest team name: room for "Platform Engineering — Data Infrastructure (EMEA)".
pub const TEAM_NAME_MAX: usize = 80;

/// Control characters (NUL, escape…) and the bidirectional overrides that make text read
/// differently from what it is. Whitespace never gets here: the tokenizer splits on it.
fn is_invisible_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn parse_never(rest: &[&str]) -> Result<Command, UsageError> {
    match rest {
        [mention] => Ok(Command::Never {
            user_id: user_mention(mention)?,
        }),
        [remove, mention] if remove.eq_ignore_ascii_case("remove") => Ok(Command::NeverRemove {
            user_id: user_mention(mention)?,
        }),
        [] => Err(error("who should you never be paired with?", usage::NEVER)),
        _ => Err(error("mention exactly one person", usage::NEVER)),
    }
}

/// `<@U123>` or `<@U123|name>` -> `U123`.
fn user_mention(word: &str) -> Result<String, UsageError> {
    mention(word, '@').ok_or_else(|| {
        error(
            format!(
                "`{}` is not a mention: type @ and pick the person from the list",
                shorten(word)
            ),
            usage::NEVER,
        )
    })
}

fn mention(word: &str, sigil: char) -> Option<String> {
    let inner = word
        .strip_prefix('<')?
        .strip_suffix('>')?
        .strip_prefix(sigil)?;
    let id = inner.split('|').next()?;
    // Teams user ids run past a hundred characters; Slack's are short.
    let valid = !id.is_empty()
        && id.len() <= 256
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'));
    valid.then(|| id.to_string())
}

fn parse_admin(rest: &[&str]) -> Result<AdminCommand, UsageError> {
    let Some((verb, args)) = rest.split_first() else {
        return Ok(AdminCommand::Help);
    };
    match verb.to_lowercase().as_str() {
        "help" => Ok(AdminCommand::Help),
        "program" => match args {
            [create, name] if create.eq_ignore_ascii_case("create") => {
                Ok(AdminCommand::ProgramCreate {
                    name: program(Some(name), usage::PROGRAM_CREATE)?,
                    channel_id: None,
                })
            }
            [create, name, channel] if create.eq_ignore_ascii_case("create") => {
                let channel_id = mention(channel, '#').ok_or_else(|| {
                    error(
                        format!(
                            "`{}` is not a channel: type # and pick it from the list",
                            shorten(channel)
                        ),
                        usage::PROGRAM_CREATE,
                    )
                })?;
                Ok(AdminCommand::ProgramCreate {
                    name: program(Some(name), usage::PROGRAM_CREATE)?,
                    channel_id: Some(channel_id),
                })
            }
            [create] if create.eq_ignore_ascii_case("create") => Err(error(
                "what should the program be called?",
                usage::PROGRAM_CREATE,
            )),
            _ => Err(error(
                "did you mean `admin program create`?",
                usage::PROGRAM_CREATE,
            )),
        },
        "schedule" => parse_schedule(args),
        "group-size" | "groupsize" | "group_size" => match args {
            [name, size] => Ok(AdminCommand::GroupSize {
                program: program(Some(name), usage::GROUP_SIZE)?,
                size: size
                    .parse()
                    .map_err(|err| invalid(err, usage::GROUP_SIZE))?,
            }),
            _ => Err(error("give a program and a size", usage::GROUP_SIZE)),
        },
        "stats" => Ok(AdminCommand::Stats {
            program: optional_program(args, usage::STATS)?,
        }),
        "round" => match args {
            [now, name] if now.eq_ignore_ascii_case("now") => Ok(AdminCommand::RoundNow {
                program: program(Some(name), usage::ROUND_NOW)?,
                again: false,
            }),
            [now, name, again]
                if now.eq_ignore_ascii_case("now") && again.eq_ignore_ascii_case("again") =>
            {
                Ok(AdminCommand::RoundNow {
                    program: program(Some(name), usage::ROUND_NOW)?,
                    again: true,
                })
            }
            [now] if now.eq_ignore_ascii_case("now") => {
                Err(error("which program?", usage::ROUND_NOW))
            }
            _ => Err(error(
                "did you mean `admin round now <program>`?",
                usage::ROUND_NOW,
            )),
        },
        "export" => match args {
            [name] => Ok(AdminCommand::Export {
                program: program(Some(name), usage::EXPORT)?,
            }),
            [] => Err(error("which program?", usage::EXPORT)),
            _ => Err(error("give one program name", usage::EXPORT)),
        },
        "failures" => {
            if args.is_empty() {
                Ok(AdminCommand::Failures)
            } else {
                Err(error(
                    "`admin failures` takes no arguments",
                    usage::FAILURES,
                ))
            }
        }
        other => Err(error(
            format!("I don't know `admin {}`", shorten(other)),
            usage::ADMIN,
        )),
    }
}

/// `schedule <program> "<cron>" <tz>`; an unquoted cron is accepted too, as everything
/// between the program and the time zone.
fn parse_schedule(args: &[&str]) -> Result<AdminCommand, UsageError> {
    let (name, rest) = match args.split_first() {
        Some(split) => split,
        None => return Err(error("which program?", usage::SCHEDULE)),
    };
    let program = program(Some(name), usage::SCHEDULE)?;
    let Some((time_zone, cron_words)) = rest.split_last() else {
        return Err(error(
            "give a cron expression and a time zone",
            usage::SCHEDULE,
        ));
    };
    if cron_words.is_empty() {
        return Err(error(
            "give a cron expression (in quotes) and then a time zone",
            usage::SCHEDULE,
        ));
    }
    let schedule = Schedule::parse(&cron_words.join(" "), time_zone)
        .map_err(|err| invalid(err, usage::SCHEDULE))?;
    Ok(AdminCommand::Schedule {
        program,
        schedule: Box::new(schedule),
    })
}

/// Splits on whitespace, keeping "quoted strings" together. Slack clients often turn
/// straight quotes into curly ones, so both count.
fn tokenize(text: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    let mut quoted_token = false;
    for c in text.chars() {
        match c {
            '"' | '“' | '”' => {
                in_quotes = !in_quotes;
                quoted_token = true;
            }
            c if c.is_whitespace() && !in_quotes => {
                if !current.is_empty() || quoted_token {
                    tokens.push(std::mem::take(&mut current));
                }
                quoted_token = false;
            }
            c => current.push(c),
        }
    }
    if in_quotes {
        return Err("a quote is not closed".to_string());
    }
    if !current.is_empty() || quoted_token {
        tokens.push(current);
    }
    Ok(tokens)
}

/// Echoing user input back: keep it short so a reply never becomes a wall of text.
fn shorten(word: &str) -> String {
    const MAX: usize = 30;
    if word.chars().count() <= MAX {
        word.to_string()
    } else {
        format!("{}…", word.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests;
