//! Cron mistakes in words a person knows. The `cron` crate's errors echo the expression
//! with a caret and name parser internals; before it sees an expression, each field is
//! checked here so that an admin reads "the hour is 25, but hours run from 0 to 23".

use super::InvalidValue;

/// One field of a cron expression: what people call it and what it may hold.
struct Field {
    /// "minute", "hour"… as in "the hour is 25".
    name: &'static str,
    plural: &'static str,
    min: u32,
    max: u32,
    /// Names allowed instead of numbers (months, days), matched on their first 3 letters.
    names: &'static [&'static str],
    /// `?` ("no particular value") is allowed in the day fields only.
    question_mark: bool,
}

const SECOND: Field = Field {
    name: "second",
    plural: "seconds",
    min: 0,
    max: 59,
    names: &[],
    question_mark: false,
};
const MINUTE: Field = Field {
    name: "minute",
    plural: "minutes",
    min: 0,
    max: 59,
    names: &[],
    question_mark: false,
};
const HOUR: Field = Field {
    name: "hour",
    plural: "hours",
    min: 0,
    max: 23,
    names: &[],
    question_mark: false,
};
const DAY_OF_MONTH: Field = Field {
    name: "day of the month",
    plural: "days of the month",
    min: 1,
    max: 31,
    names: &[],
    question_mark: true,
};
const MONTH: Field = Field {
    name: "month",
    plural: "months",
    min: 1,
    max: 12,
    names: &[
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ],
    question_mark: false,
};
/// Crontab numbers Sunday 0 (or 7); the seconds-first form numbers it 1 to 7.
const CRONTAB_DAY_OF_WEEK: Field = Field {
    name: "day of the week",
    plural: "days of the week",
    min: 0,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    question_mark: true,
};
const DAY_OF_WEEK: Field = Field {
    name: "day of the week",
    plural: "days of the week",
    min: 1,
    max: 7,
    names: &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
    question_mark: true,
};
const YEAR: Field = Field {
    name: "year",
    plural: "years",
    min: 1970,
    max: 2099,
    names: &[],
    question_mark: false,
};

/// Checks every field of a 5-field crontab or a 6/7-field (seconds first) expression and
/// says what is wrong with the first bad one. The field count itself is checked elsewhere.
pub(super) fn check_fields(fields: &[&str]) -> Result<(), InvalidValue> {
    let layout: &[&Field] = match fields.len() {
        5 => &[&MINUTE, &HOUR, &DAY_OF_MONTH, &MONTH, &CRONTAB_DAY_OF_WEEK],
        6 => &[&SECOND, &MINUTE, &HOUR, &DAY_OF_MONTH, &MONTH, &DAY_OF_WEEK],
        7 => &[
            &SECOND,
            &MINUTE,
            &HOUR,
            &DAY_OF_MONTH,
            &MONTH,
            &DAY_OF_WEEK,
            &YEAR,
        ],
        _ => return Ok(()),
    };
    for (field, text) in layout.iter().zip(fields) {
        check_field(field, text).map_err(InvalidValue::new)?;
    }
    Ok(())
}

fn check_field(field: &Field, text: &str) -> Result<(), String> {
    for part in text.split(',') {
        if part.is_empty() {
            return Err(format!(
                "the {} field `{text}` has an empty item between commas",
                field.name
            ));
        }
        let (range, step_text) = match part.split_once('/') {
            Some((range, step_text)) => (range, Some(step_text)),
            None => (part, None),
        };
        if let Some(step_text) = step_text {
            let every = step(field, step_text)?;
            if every == 0 {
                return Err(format!(
                    "a step of 0 in the {} field never moves on: write e.g. */2 for every other one",
                    field.name
                ));
            }
        }
        match range {
            "*" => {}
            "?" if field.question_mark => {}
            "?" => {
                return Err(format!(
                    "`?` only fits the day fields, not the {} field",
                    field.name
                ));
            }
            _ => match range.split_once('-') {
                Some((first, last)) => {
                    let (first, last) = (value(field, first)?, value(field, last)?);
                    if last < first {
                        return Err(format!(
                            "the range `{range}` in the {} field runs backwards: write the smaller {} first",
                            field.name, field.name
                        ));
                    }
                }
                None => {
                    value(field, range)?;
                }
            },
        }
    }
    Ok(())
}

/// A value of the field: a number in range, or one of its names.
fn value(field: &Field, text: &str) -> Result<u32, String> {
    let upper = text.to_ascii_uppercase();
    if let Some(index) = field.names.iter().position(|name| upper.starts_with(name)) {
        // Names count from the field's first number: JAN is 1, SUN is 0 (crontab) or 1.
        return Ok(field.min + index as u32);
    }
    let Ok(found) = text.parse::<u32>() else {
        let named = match field.names.get(1) {
            Some(example) => format!(" or a name such as {example}"),
            None => String::new(),
        };
        return Err(format!(
            "`{text}` in the {} field is not a number from {} to {}{named}",
            field.name, field.min, field.max
        ));
    };
    if found < field.min || found > field.max {
        return Err(format!(
            "the {} is {found}, but {} run from {} to {}",
            field.name, field.plural, field.min, field.max
        ));
    }
    Ok(found)
}

/// The step after `/`: a whole number.
fn step(field: &Field, text: &str) -> Result<u32, String> {
    text.parse::<u32>().map_err(|_| {
        format!(
            "`{text}` after the `/` in the {} field is not a number: write e.g. */15",
            field.name
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(expression: &str) -> String {
        let fields: Vec<&str> = expression.split_whitespace().collect();
        check_fields(&fields).unwrap_err().0
    }

    #[test]
    fn cron_mistakes_are_explained_in_plain_words() {
        assert_eq!(
            problem("0 25 * * *"),
            "the hour is 25, but hours run from 0 to 23"
        );
        assert_eq!(
            problem("61 9 * * *"),
            "the minute is 61, but minutes run from 0 to 59"
        );
        assert_eq!(
            problem("0 9 32 * *"),
            "the day of the month is 32, but days of the month run from 1 to 31"
        );
        assert_eq!(
            problem("0 9 * 13 *"),
            "the month is 13, but months run from 1 to 12"
        );
        assert_eq!(
            problem("0 9 * * FUNDAY"),
            "`FUNDAY` in the day of the week field is not a number from 0 to 7 or a name such as MON"
        );
        assert!(problem("*/0 9 * * *").contains("step of 0"));
        assert!(problem("0 17-9 * * *").contains("runs backwards"));
        assert!(problem("0 9,,10 * * *").contains("empty item"));
        assert!(problem("0 ? * * *").contains("only fits the day fields"));
    }

    #[test]
    fn well_formed_fields_pass() {
        for good in [
            "0 10 * * MON",
            "*/15 9-17 * * 1-5",
            "0 9 1,15 * ?",
            "30 8 * JAN-MAR sun",
            "0 0 9 * * Mon",
            "0 0 9 * * * 2030",
        ] {
            let fields: Vec<&str> = good.split_whitespace().collect();
            assert!(check_fields(&fields).is_ok(), "{good}");
        }
    }
}
