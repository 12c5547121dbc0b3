//! The report page and its charts, without a browser (the browser test is in `tests/`).

use chrono::{Duration, TimeZone, Utc};

use super::charts::{accessible, nice_ceiling};
use super::heatmap::heat_map;
use super::html::escape;
use super::render_html;
use crate::domain::{FeedbackAnswer::*, OutboxState::*, RoundState};
use crate::stats::fixtures::{Intro, ProgramBuilder, first_round_at};
use crate::stats::{TeamMatrix, overall_stats};

fn generated_at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0)
        .single()
        .unwrap()
}

#[test]
fn axis_tops_round_up_to_one_two_or_five_steps_with_headroom() {
    assert_eq!(nice_ceiling(0), 4);
    assert_eq!(nice_ceiling(30), 40);
    assert_eq!(nice_ceiling(21), 25);
    assert_eq!(nice_ceiling(480), 600);
}

#[test]
fn charts_get_a_title_and_description_for_screen_readers() {
    let svg = r#"<svg width="10" height="10" xmlns="http://www.w3.org/2000/svg">
<rect/></svg>"#;
    let labelled = accessible(svg.to_string(), "p0-reach", "Reach & more", "a <b> c");
    assert!(labelled.starts_with(
        r#"<svg role="img" class="chart-svg" aria-labelledby="p0-reach-title p0-reach-desc" width="10""#
    ), "{labelled}");
    assert!(labelled.contains(r#"><title id="p0-reach-title">Reach &amp; more</title><desc id="p0-reach-desc">a &lt;b&gt; c</desc>"#), "{labelled}");
    assert!(labelled.ends_with("<rect/></svg>"));
}

#[test]
fn names_are_escaped_everywhere_they_appear() {
    assert_eq!(
        escape(r#"<script>"a" & 'b'"#),
        "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;"
    );
    let records = ProgramBuilder::new(1, "coffee")
        .person(1, "<img src=x>", Some("R&D"))
        .person(2, "Bob", Some("<Ops>"))
        .round(1, RoundState::Closed)
        .group(1, &[1, 2], Intro::Group(Sent), &[(1, Met)])
        .build();
    let html = render_html(&overall_stats(&[records], generated_at()), generated_at()).unwrap();
    assert!(!html.contains("<img"), "a display name became markup");
    assert!(!html.contains("<Ops>"), "a team name became markup");
    assert!(html.contains("&lt;img src=x&gt;"));
}

#[test]
fn a_page_has_no_script_and_loads_nothing() {
    let records = ProgramBuilder::new(1, "coffee")
        .person(1, "Ada", Some("Eng"))
        .person(2, "Bob", Some("Ops"))
        .person(3, "Cy", Some("Sales"))
        .round(1, RoundState::Closed)
        .round(2, RoundState::Open)
        .group(1, &[1, 2], Intro::Group(Sent), &[(1, Met)])
        .group(2, &[1, 3], Intro::Group(Pending), &[])
        .build();
    let html = render_html(&overall_stats(&[records], generated_at()), generated_at()).unwrap();
    assert!(!html.contains("<script"));
    for attribute in [" src=", " href=", "url(", "@import"] {
        assert!(!html.contains(attribute), "{attribute} in the page");
    }
    assert_eq!(html.matches("<svg").count(), 3);
    assert_eq!(html.matches("<title id=").count(), 3);
    assert!(html.contains("Pourover report: coffee"));
}

#[test]
fn a_program_without_groups_says_so_instead_of_drawing_empty_charts() {
    let records = ProgramBuilder::new(1, "book-club")
        .person(1, "Ada", Some("Eng"))
        .round(1, RoundState::Skipped)
        .build();
    let html = render_html(&overall_stats(&[records], generated_at()), generated_at()).unwrap();
    assert!(!html.contains("<svg"));
    assert!(html.contains("No round has had groups yet (1 skipped for lack of people)"));
    let empty = render_html(&overall_stats(&[], generated_at()), generated_at()).unwrap();
    assert!(empty.contains("No programs yet"));
}

#[test]
fn many_teams_are_folded_so_the_heat_map_stays_readable() {
    let teams: Vec<String> = (0..20).map(|i| format!("Team {i:02}")).collect();
    let mut meetings = vec![vec![0; 20]; 20];
    // Team 19 and Team 18 are the busiest; the rest meet once with their neighbour.
    for i in 0..19 {
        meetings[i][i + 1] = 1;
        meetings[i + 1][i] = 1;
    }
    meetings[18][19] = 9;
    meetings[19][18] = 9;
    let svg = heat_map(&TeamMatrix { teams, meetings }, "h").unwrap();
    assert!(svg.contains("Other teams"));
    assert!(svg.contains("Team 19"));
    assert!(
        svg.contains("Team 18 and Team 19: 9"),
        "the description keeps the numbers"
    );
}

#[test]
fn the_participation_chart_marks_skipped_rounds() {
    let records = ProgramBuilder::new(1, "coffee")
        .person(1, "Ada", Some("Eng"))
        .person(2, "Bob", Some("Ops"))
        .round(1, RoundState::Closed)
        .round(2, RoundState::Skipped)
        .round(3, RoundState::Closed)
        .group(1, &[1, 2], Intro::Group(Sent), &[(1, Met)])
        .group(3, &[1, 2], Intro::Group(Sent), &[])
        .build();
    let now = first_round_at() + Duration::weeks(3);
    let html = render_html(&overall_stats(&[records], now), now).unwrap();
    assert!(
        html.contains(">\nskipped\n<") || html.contains(">skipped<"),
        "no skipped label"
    );
}

#[test]
fn a_year_of_rounds_across_twenty_teams_still_renders() {
    let mut builder = ProgramBuilder::new(1, "coffee");
    for id in 1..=40 {
        let team = format!("Department number {:02}", id % 20);
        builder = builder.person(id, &format!("Person {id}"), Some(&team));
    }
    for seq in 1..=52 {
        builder = builder.round(seq, RoundState::Closed);
        for pair in 0..20 {
            let a = 1 + (pair + seq) % 40;
            let b = 1 + (pair + 20 + 3 * seq) % 40;
            if a != b {
                let answers: &[(i64, crate::domain::FeedbackAnswer)] = if (pair + seq) % 3 == 0 {
                    &[]
                } else {
                    &[(a, Met)]
                };
                builder = builder.group(seq, &[a, b], Intro::Group(Sent), answers);
            }
        }
    }
    let now = first_round_at() + Duration::weeks(53);
    let html = render_html(&overall_stats(&[builder.build()], now), now).unwrap();
    assert_eq!(html.matches("<svg").count(), 3);
    assert!(
        html.contains("Other teams"),
        "twenty teams are folded to fourteen rows"
    );
}
