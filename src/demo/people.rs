//! How the demo's simulated people behave: who opts in, and what they answer. Seeded, so
//! the same demo tells the same story.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use crate::domain::FeedbackAnswer;

/// What someone does with an intro, a nudge or a closing prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    Met,
    Scheduled,
    Skip,
    Ignore,
}

impl Reaction {
    /// The button's label, as the simulated person sees it.
    pub fn button(self) -> Option<&'static str> {
        match self {
            Reaction::Met => Some("We met"),
            Reaction::Scheduled => Some("Scheduled"),
            Reaction::Skip => Some("Skip this one"),
            Reaction::Ignore => None,
        }
    }

    /// What pressing that button records.
    pub fn answer(self) -> Option<FeedbackAnswer> {
        match self {
            Reaction::Met => Some(FeedbackAnswer::Met),
            Reaction::Scheduled => Some(FeedbackAnswer::Planned),
            Reaction::Skip => Some(FeedbackAnswer::Skipped),
            Reaction::Ignore => None,
        }
    }
}

/// The moments at which people react.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// The day the intro arrives.
    Intro,
    /// After the mid-round nudge, if they had not answered.
    Nudge,
    /// After the closing "did you meet?" prompt, if they still had not.
    ClosingPrompt,
}

pub struct Behaviour {
    rng: StdRng,
}

impl Behaviour {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// Most people opt in; a few never do.
    pub fn joins(&mut self) -> bool {
        self.rng.random_bool(0.9)
    }

    /// Some people prefer a coffee every other week.
    pub fn prefers_biweekly(&mut self) -> bool {
        self.rng.random_bool(0.1)
    }

    /// A realistic mix: many meet, some schedule, a few skip, and plenty stay quiet until
    /// reminded (and some never answer at all).
    pub fn react(&mut self, moment: Moment) -> Reaction {
        let roll = self.rng.random_range(0..100);
        match moment {
            Moment::Intro => match roll {
                0..35 => Reaction::Met,
                35..55 => Reaction::Scheduled,
                55..62 => Reaction::Skip,
                _ => Reaction::Ignore,
            },
            Moment::Nudge => match roll {
                0..25 => Reaction::Met,
                25..40 => Reaction::Scheduled,
                40..45 => Reaction::Skip,
                _ => Reaction::Ignore,
            },
            Moment::ClosingPrompt => match roll {
                0..30 => Reaction::Met,
                30..38 => Reaction::Skip,
                _ => Reaction::Ignore,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_tells_the_same_story() {
        let story = |seed| {
            let mut behaviour = Behaviour::new(seed);
            (0..50)
                .map(|_| behaviour.react(Moment::Intro))
                .collect::<Vec<_>>()
        };
        assert_eq!(story(7), story(7));
        assert_ne!(story(7), story(8));
        let reactions = story(7);
        assert!(reactions.contains(&Reaction::Met));
        assert!(reactions.contains(&Reaction::Ignore));
    }
}
