//! The computations: pure functions from records to figures. Definitions live on the
//! figure types (`figures.rs`); this file only counts.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Utc};

use super::figures::{
    Connector, EnrollmentCounts, OverallStats, ProgramStats, RoundStats, TOP_CONNECTORS,
    TeamMatrix, Totals, pairs_among, rate,
};
use super::views::{GroupOutcome, GroupView, IntroStatus, pairs_of, round_views};
use crate::domain::records::{EnrollmentRecord, Person, ProgramRecords};
use crate::domain::{EnrollmentState, MemberId, RoundState};

/// Every figure of one program, as of `now` (which only decides whether a dated pause is over).
pub fn program_stats(records: &ProgramRecords, now: DateTime<Utc>) -> ProgramStats {
    let (rounds, tally) = tally_program(records);
    ProgramStats {
        program: records.program.name.clone(),
        time_zone: records.program.time_zone.name().to_string(),
        enrollment: enrollment_counts(&records.enrollments, now),
        rounds,
        totals: tally.totals(),
        team_matrix: tally.team_matrix(),
        top_connectors: tally.top_connectors(),
    }
}

/// Every program (sorted by name) and all of them together.
pub fn overall_stats(programs: &[ProgramRecords], now: DateTime<Utc>) -> OverallStats {
    let mut sorted: Vec<&ProgramRecords> = programs.iter().collect();
    sorted.sort_by(|a, b| a.program.name.cmp(&b.program.name));
    let mut overall = Tally::default();
    let mut per_program = Vec::new();
    for records in sorted {
        let (rounds, tally) = tally_program(records);
        per_program.push(ProgramStats {
            program: records.program.name.clone(),
            time_zone: records.program.time_zone.name().to_string(),
            enrollment: enrollment_counts(&records.enrollments, now),
            rounds,
            totals: tally.totals(),
            team_matrix: tally.team_matrix(),
            top_connectors: tally.top_connectors(),
        });
        overall.merge(tally);
    }
    let all_enrollments: Vec<&EnrollmentRecord> =
        programs.iter().flat_map(|p| &p.enrollments).collect();
    OverallStats {
        programs: per_program,
        enrollment: distinct_enrollment_counts(&all_enrollments, now),
        totals: overall.totals(),
        team_matrix: overall.team_matrix(),
        top_connectors: overall.top_connectors(),
    }
}

/// Current enrollment of one program.
pub fn enrollment_counts(enrollments: &[EnrollmentRecord], now: DateTime<Utc>) -> EnrollmentCounts {
    let mut counts = EnrollmentCounts::default();
    for enrollment in enrollments {
        match standing(enrollment.state, now) {
            Standing::Active => counts.active += 1,
            Standing::Paused => counts.paused += 1,
            Standing::Left => counts.left += 1,
        }
    }
    counts.enrolled = counts.active + counts.paused;
    counts
}

/// Current enrollment across programs, counting each person once by their best standing.
fn distinct_enrollment_counts(
    enrollments: &[&EnrollmentRecord],
    now: DateTime<Utc>,
) -> EnrollmentCounts {
    let mut best: BTreeMap<MemberId, Standing> = BTreeMap::new();
    for enrollment in enrollments {
        let standing = standing(enrollment.state, now);
        best.entry(enrollment.member_id)
            .and_modify(|current| *current = (*current).min(standing))
            .or_insert(standing);
    }
    let mut counts = EnrollmentCounts::default();
    for standing in best.values() {
        match standing {
            Standing::Active => counts.active += 1,
            Standing::Paused => counts.paused += 1,
            Standing::Left => counts.left += 1,
        }
    }
    counts.enrolled = counts.active + counts.paused;
    counts
}

/// Ordered from best to worst, so `min` picks a person's best standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Standing {
    Active,
    Paused,
    Left,
}

fn standing(state: EnrollmentState, now: DateTime<Utc>) -> Standing {
    match state {
        EnrollmentState::Active => Standing::Active,
        EnrollmentState::Paused { until: Some(until) } if until <= now => Standing::Active,
        EnrollmentState::Paused { .. } => Standing::Paused,
        EnrollmentState::Left => Standing::Left,
    }
}

/// Walks the program's rounds in order, producing each round's figures and the running tally.
fn tally_program(records: &ProgramRecords) -> (Vec<RoundStats>, Tally) {
    let mut tally = Tally::default();
    // Pairs introduced in earlier rounds of this program: repeats are judged per program.
    let mut introduced_before: HashSet<(MemberId, MemberId)> = HashSet::new();
    let mut rounds = Vec::new();
    for view in round_views(records) {
        let crossed_before = tally.crossed.len();
        let mut round = RoundStats {
            seq: view.round.seq,
            scheduled_for: view.round.scheduled_for,
            date: records.program.local_date(view.round.scheduled_for),
            state: view.round.state,
            participants: 0,
            groups: 0,
            intros_delivered: 0,
            intros_failed: 0,
            intros_waiting: 0,
            answered: 0,
            feedback_rate: None,
            groups_met: 0,
            groups_planned: 0,
            met_rate: None,
            cross_team_groups: 0,
            cross_team_share: None,
            pairs: 0,
            repeat_pairs: 0,
            repeat_rate: None,
            first_cross_team: 0,
            team_pairs_met: 0,
            team_pairs_possible: 0,
            reach: None,
        };
        let mut introduced_now = Vec::new();
        for group in &view.groups {
            tally.count_group(records, group, &mut round);
            for pair in group.introduced_pairs() {
                round.pairs += 1;
                if introduced_before.contains(&pair) {
                    round.repeat_pairs += 1;
                }
                introduced_now.push(pair);
            }
        }
        introduced_before.extend(introduced_now);

        if view.groups.is_empty() {
            if view.round.state == RoundState::Skipped {
                tally.rounds_skipped += 1;
            }
        } else {
            tally.rounds_run += 1;
        }
        tally.add_round(&round);
        round.feedback_rate = rate(round.answered, round.participants);
        round.met_rate = rate(round.groups_met, round.groups);
        round.cross_team_share = rate(round.cross_team_groups, round.groups);
        round.repeat_rate = rate(round.repeat_pairs, round.pairs);
        round.first_cross_team = (tally.crossed.len() - crossed_before) as u64;
        round.team_pairs_met = tally.team_pairs_met.len() as u64;
        round.team_pairs_possible = pairs_among(tally.teams.len() as u64);
        round.reach = rate(round.team_pairs_met, round.team_pairs_possible);
        rounds.push(round);
    }
    tally.possible_pairs = all_pairs(&tally.teams);
    (rounds, tally)
}

/// Every pair of different teams, in canonical order.
fn all_pairs(teams: &BTreeSet<String>) -> BTreeSet<(String, String)> {
    let mut pairs = BTreeSet::new();
    for (i, a) in teams.iter().enumerate() {
        for b in teams.iter().skip(i + 1) {
            pairs.insert((a.clone(), b.clone()));
        }
    }
    pairs
}

/// A team pair in a canonical order, or None unless both teams are known and different.
fn team_pair(a: Option<&str>, b: Option<&str>) -> Option<(String, String)> {
    match (a, b) {
        (Some(a), Some(b)) if a != b => Some((a.min(b).to_owned(), a.max(b).to_owned())),
        _ => None,
    }
}

#[derive(Debug, Clone)]
struct ConnectorTally {
    person: Person,
    teams_met: BTreeSet<String>,
    meetings: u64,
}

/// Running counts and sets; merging two tallies gives the figures of both together.
#[derive(Debug, Default)]
struct Tally {
    rounds_run: u64,
    rounds_skipped: u64,
    groups: u64,
    participations: u64,
    intros_delivered: u64,
    intros_failed: u64,
    intros_waiting: u64,
    answered: u64,
    groups_met: u64,
    groups_planned: u64,
    cross_team_groups: u64,
    pairs: u64,
    repeat_pairs: u64,
    participants: BTreeSet<MemberId>,
    /// People who met someone from another known team.
    crossed: BTreeSet<MemberId>,
    /// Known teams among participants.
    teams: BTreeSet<String>,
    team_pairs_met: BTreeSet<(String, String)>,
    team_pairs_introduced: BTreeSet<(String, String)>,
    /// Team pairs that share a program: within one program, every pair of its teams; across
    /// programs (perhaps in different workspaces), only pairs that could have met somewhere.
    possible_pairs: BTreeSet<(String, String)>,
    /// Met pairs of people per (team, team), the smaller name first; same-team included.
    meetings: BTreeMap<(String, String), u64>,
    connectors: BTreeMap<MemberId, ConnectorTally>,
}

impl Tally {
    /// Counts one group into `round` and the sets that span rounds.
    fn count_group(
        &mut self,
        records: &ProgramRecords,
        group: &GroupView<'_>,
        round: &mut RoundStats,
    ) {
        let members = &group.group.members;
        round.groups += 1;
        round.participants += members.len() as u64;
        for status in &group.intros {
            match status {
                IntroStatus::Delivered => round.intros_delivered += 1,
                IntroStatus::Failed => round.intros_failed += 1,
                IntroStatus::Waiting => round.intros_waiting += 1,
            }
        }
        round.answered += group.answered();
        match group.outcome() {
            GroupOutcome::Met => round.groups_met += 1,
            GroupOutcome::Planned => round.groups_planned += 1,
            GroupOutcome::Skipped | GroupOutcome::NoAnswer => {}
        }
        let known_teams: BTreeSet<&str> =
            members.iter().filter_map(|m| records.team_of(*m)).collect();
        if known_teams.len() >= 2 {
            round.cross_team_groups += 1;
        }
        self.participants.extend(members.iter().copied());
        self.teams
            .extend(known_teams.iter().map(|team| (*team).to_owned()));
        for (a, b) in group.introduced_pairs() {
            if let Some(pair) = team_pair(records.team_of(a), records.team_of(b)) {
                self.team_pairs_introduced.insert(pair);
            }
        }

        let met = group.met_members();
        for member in &met {
            if let Some(person) = records.people.get(member) {
                self.connectors
                    .entry(*member)
                    .or_insert_with(|| ConnectorTally {
                        person: person.clone(),
                        teams_met: BTreeSet::new(),
                        meetings: 0,
                    })
                    .meetings += 1;
            }
        }
        for (a, b) in pairs_of(&met) {
            let (team_a, team_b) = (records.team_of(a), records.team_of(b));
            if let (Some(ta), Some(tb)) = (team_a, team_b) {
                let key = (ta.min(tb).to_owned(), ta.max(tb).to_owned());
                *self.meetings.entry(key).or_default() += 1;
            }
            if let Some(pair) = team_pair(team_a, team_b) {
                self.team_pairs_met.insert(pair);
                self.crossed.extend([a, b]);
                for (who, other_team) in [(a, team_b), (b, team_a)] {
                    if let (Some(entry), Some(team)) = (self.connectors.get_mut(&who), other_team) {
                        entry.teams_met.insert(team.to_owned());
                    }
                }
            }
        }
    }

    fn add_round(&mut self, round: &RoundStats) {
        self.groups += round.groups;
        self.participations += round.participants;
        self.intros_delivered += round.intros_delivered;
        self.intros_failed += round.intros_failed;
        self.intros_waiting += round.intros_waiting;
        self.answered += round.answered;
        self.groups_met += round.groups_met;
        self.groups_planned += round.groups_planned;
        self.cross_team_groups += round.cross_team_groups;
        self.pairs += round.pairs;
        self.repeat_pairs += round.repeat_pairs;
    }

    fn merge(&mut self, other: Tally) {
        self.rounds_run += other.rounds_run;
        self.rounds_skipped += other.rounds_skipped;
        self.groups += other.groups;
        self.participations += other.participations;
        self.intros_delivered += other.intros_delivered;
        self.intros_failed += other.intros_failed;
        self.intros_waiting += other.intros_waiting;
        self.answered += other.answered;
        self.groups_met += other.groups_met;
        self.groups_planned += other.groups_planned;
        self.cross_team_groups += other.cross_team_groups;
        self.pairs += other.pairs;
        self.repeat_pairs += other.repeat_pairs;
        self.participants.extend(other.participants);
        self.crossed.extend(other.crossed);
        self.teams.extend(other.teams);
        self.team_pairs_met.extend(other.team_pairs_met);
        self.team_pairs_introduced
            .extend(other.team_pairs_introduced);
        self.possible_pairs.extend(other.possible_pairs);
        for (key, count) in other.meetings {
            *self.meetings.entry(key).or_default() += count;
        }
        for (member, theirs) in other.connectors {
            match self.connectors.get_mut(&member) {
                Some(ours) => {
                    ours.meetings += theirs.meetings;
                    ours.teams_met.extend(theirs.teams_met);
                }
                None => {
                    self.connectors.insert(member, theirs);
                }
            }
        }
    }

    fn totals(&self) -> Totals {
        let teams = self.teams.len() as u64;
        let team_pairs_possible = self.possible_pairs.len() as u64;
        let team_pairs_met = self.team_pairs_met.len() as u64;
        Totals {
            rounds_run: self.rounds_run,
            rounds_skipped: self.rounds_skipped,
            groups: self.groups,
            participations: self.participations,
            distinct_participants: self.participants.len() as u64,
            intros_delivered: self.intros_delivered,
            intros_failed: self.intros_failed,
            intros_waiting: self.intros_waiting,
            answered: self.answered,
            feedback_rate: rate(self.answered, self.participations),
            groups_met: self.groups_met,
            groups_planned: self.groups_planned,
            met_rate: rate(self.groups_met, self.groups),
            cross_team_groups: self.cross_team_groups,
            cross_team_share: rate(self.cross_team_groups, self.groups),
            pairs: self.pairs,
            repeat_pairs: self.repeat_pairs,
            repeat_rate: rate(self.repeat_pairs, self.pairs),
            people_met_across_teams: self.crossed.len() as u64,
            teams,
            team_pairs_met,
            team_pairs_introduced: self.team_pairs_introduced.len() as u64,
            team_pairs_possible,
            reach: rate(team_pairs_met, team_pairs_possible),
        }
    }

    fn team_matrix(&self) -> TeamMatrix {
        let teams: Vec<String> = self.teams.iter().cloned().collect();
        let meetings = teams
            .iter()
            .map(|a| {
                teams
                    .iter()
                    .map(|b| {
                        let key = (a.min(b).clone(), a.max(b).clone());
                        self.meetings.get(&key).copied().unwrap_or(0)
                    })
                    .collect()
            })
            .collect();
        TeamMatrix { teams, meetings }
    }

    fn top_connectors(&self) -> Vec<Connector> {
        let mut connectors: Vec<Connector> = self
            .connectors
            .values()
            .filter(|tally| tally.person.team.is_some() && !tally.teams_met.is_empty())
            .map(|tally| Connector {
                external_id: tally.person.external_id.clone(),
                display_name: tally.person.display_name.clone(),
                team: tally.person.team.clone(),
                teams_met: tally.teams_met.len() as u64,
                meetings: tally.meetings,
            })
            .collect();
        connectors.sort_by(|a, b| {
            b.teams_met
                .cmp(&a.teams_met)
                .then(b.meetings.cmp(&a.meetings))
                .then_with(|| a.display_name.cmp(&b.display_name))
                .then_with(|| a.external_id.cmp(&b.external_id))
        });
        connectors.truncate(TOP_CONNECTORS);
        connectors
    }
}
