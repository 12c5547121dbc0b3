//! The report's round-by-round charts, drawn by plotters into SVG strings. Every chart gets a
//! `<title>` and `<desc>` (see [`accessible`]) so screen readers can say what it shows.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ReportError;
use super::palette;
use crate::domain::RoundState;
use crate::stats::RoundStats;
use crate::stats::text::percent;

pub(crate) const WIDTH: u32 = 960;
const LEGEND_HEIGHT: u32 = 44;

/// Rounds (by sequence number) across, whole counts up.
type RoundCounts = Cartesian2d<
    plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordi64>,
    plotters::coord::types::RangedCoordu64,
>;

/// How a legend entry is drawn.
pub(crate) enum Mark {
    Bar(RGBColor),
    Line(RGBColor),
    Dashed(RGBColor),
}

/// Plotters reports drawing errors with backend-specific types; the report only needs the
/// message.
pub(crate) fn chart_error(err: impl std::fmt::Display) -> ReportError {
    ReportError::Chart(err.to_string())
}

/// People per round (bars) with the met and feedback rates (lines, right axis).
pub(crate) fn participation(rounds: &[RoundStats], id: &str) -> Result<String, ReportError> {
    let mut svg = String::new();
    let (first, last) = seq_range(rounds);
    let max_people = rounds.iter().map(|r| r.participants).max().unwrap_or(0);
    // A sixth of each round's slot on either side of its bar, at most 14 px; and bars no
    // wider than 120 px, so a young program does not look like a wall.
    let slot = (WIDTH as usize - 160) / rounds.len().max(1);
    let gap = (slot / 6).min(14).max(slot.saturating_sub(120) / 2) as u32;
    // Value labels above bars only while there is room for them.
    let labelled = if rounds.len() <= 20 { rounds.len() } else { 0 };
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let (legend, body) = root.split_vertically(LEGEND_HEIGHT);
        draw_legend(
            &legend,
            &[
                (Mark::Bar(palette::BARS), "People in groups"),
                (Mark::Line(palette::MET), "Met rate"),
                (Mark::Dashed(palette::FEEDBACK), "Feedback rate"),
            ],
        )?;
        let mut chart = ChartBuilder::on(&body)
            .margin_left(8)
            .margin_right(8)
            .margin_bottom(8)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .right_y_label_area_size(64)
            .build_cartesian_2d((first..last).into_segmented(), 0..nice_ceiling(max_people))
            .map_err(chart_error)?
            .set_secondary_coord((first..last).into_segmented(), 0.0..100.0);
        draw_round_axes(&mut chart, rounds.len(), "People in groups")?;
        chart
            .configure_secondary_axes()
            .y_labels(6)
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .y_desc("Rate")
            .axis_desc_style(palette::text(15, palette::MUTED))
            .label_style(palette::text(14, palette::MUTED))
            .axis_style(palette::AXIS.stroke_width(1))
            .draw()
            .map_err(chart_error)?;

        chart
            .draw_series(rounds.iter().map(|round| {
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(round.seq), 0),
                        (SegmentValue::Exact(round.seq + 1), round.participants),
                    ],
                    palette::BARS.filled(),
                );
                bar.set_margin(0, 0, gap, gap);
                bar
            }))
            .map_err(chart_error)?;
        chart
            .draw_series(
                rounds
                    .iter()
                    .take(labelled)
                    .filter(|r| r.participants > 0)
                    .map(|round| {
                        // Inside the top of the bar: above it, the rate lines would cross it.
                        EmptyElement::at((SegmentValue::CenterOf(round.seq), round.participants))
                            + Text::new(
                                round.participants.to_string(),
                                (0, 6),
                                palette::text(13, palette::INK)
                                    .pos(Pos::new(HPos::Center, VPos::Top)),
                            )
                    }),
            )
            .map_err(chart_error)?;

        // An empty slot would look like missing data: say why it is empty.
        chart
            .draw_series(
                rounds
                    .iter()
                    .filter(|r| r.state == RoundState::Skipped)
                    .map(|round| {
                        EmptyElement::at((SegmentValue::CenterOf(round.seq), 0))
                            + Text::new(
                                "skipped",
                                (0, -8),
                                palette::text(13, palette::MUTED)
                                    .pos(Pos::new(HPos::Center, VPos::Bottom)),
                            )
                    }),
            )
            .map_err(chart_error)?;
        for segment in segments(rounds, |r| r.feedback_rate) {
            chart
                .draw_secondary_series(DashedLineSeries::new(
                    segment,
                    8,
                    6,
                    palette::FEEDBACK.stroke_width(3),
                ))
                .map_err(chart_error)?;
        }
        for segment in segments(rounds, |r| r.met_rate) {
            chart
                .draw_secondary_series(LineSeries::new(
                    segment.clone(),
                    palette::MET.stroke_width(3),
                ))
                .map_err(chart_error)?;
            chart
                .draw_secondary_series(
                    segment
                        .into_iter()
                        .map(|point| Circle::new(point, 5, palette::MET.filled())),
                )
                .map_err(chart_error)?;
        }
        root.present().map_err(chart_error)?;
    }
    let desc = rounds
        .iter()
        .map(|r| {
            format!(
                "round {}: {} people, met rate {}, feedback rate {}",
                r.seq,
                r.participants,
                percent(r.met_rate),
                percent(r.feedback_rate)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Ok(accessible(
        svg,
        id,
        "Participation and met rate per round",
        &desc,
    ))
}

/// Team pairs connected by a meeting so far, against the pairs possible.
pub(crate) fn reach(rounds: &[RoundStats], id: &str) -> Result<String, ReportError> {
    let mut svg = String::new();
    let (first, last) = seq_range(rounds);
    let max_pairs = rounds
        .iter()
        .map(|r| r.team_pairs_possible.max(r.team_pairs_met))
        .max()
        .unwrap_or(0);
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 360)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let (legend, body) = root.split_vertically(LEGEND_HEIGHT);
        draw_legend(
            &legend,
            &[
                (Mark::Line(palette::REACH), "Team pairs that have met"),
                (Mark::Dashed(palette::POSSIBLE), "Team pairs possible"),
            ],
        )?;
        let mut chart = ChartBuilder::on(&body)
            .margin_left(8)
            .margin_right(24)
            .margin_bottom(8)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d((first..last).into_segmented(), 0..nice_ceiling(max_pairs))
            .map_err(chart_error)?;
        draw_round_axes(&mut chart, rounds.len(), "Team pairs")?;
        let at = |r: &RoundStats, value: u64| (SegmentValue::CenterOf(r.seq), value);
        chart
            .draw_series(DashedLineSeries::new(
                rounds
                    .iter()
                    .map(|r| at(r, r.team_pairs_possible))
                    .collect::<Vec<_>>(),
                8,
                6,
                palette::POSSIBLE.stroke_width(2),
            ))
            .map_err(chart_error)?;
        chart
            .draw_series(
                AreaSeries::new(
                    rounds.iter().map(|r| at(r, r.team_pairs_met)),
                    0,
                    palette::REACH.mix(0.12),
                )
                .border_style(palette::REACH.stroke_width(3)),
            )
            .map_err(chart_error)?;
        chart
            .draw_series(
                rounds
                    .iter()
                    .map(|r| Circle::new(at(r, r.team_pairs_met), 5, palette::REACH.filled())),
            )
            .map_err(chart_error)?;
        // Every point's percentage while they fit; only the latest one after that.
        let labelled = if rounds.len() <= 16 { rounds.len() } else { 1 };
        chart
            .draw_series(rounds.iter().rev().take(labelled).map(|r| {
                EmptyElement::at(at(r, r.team_pairs_met))
                    + Text::new(
                        percent(r.reach),
                        (0, -10),
                        palette::text(13, palette::REACH).pos(Pos::new(HPos::Center, VPos::Bottom)),
                    )
            }))
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    let desc = rounds
        .iter()
        .map(|r| {
            format!(
                "after round {}: {} of {} team pairs ({})",
                r.seq,
                r.team_pairs_met,
                r.team_pairs_possible,
                percent(r.reach)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Ok(accessible(svg, id, "Reach over time", &desc))
}

/// A row of legend entries across the top of a chart.
pub(crate) fn draw_legend(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    entries: &[(Mark, &str)],
) -> Result<(), ReportError> {
    let y = LEGEND_HEIGHT as i32 / 2 + 2;
    let mut x = 72;
    for (mark, label) in entries {
        match mark {
            Mark::Bar(color) => area
                .draw(&Rectangle::new(
                    [(x, y - 7), (x + 14, y + 7)],
                    color.filled(),
                ))
                .map_err(chart_error)?,
            Mark::Line(color) => {
                area.draw(&PathElement::new(
                    vec![(x - 4, y), (x + 18, y)],
                    color.stroke_width(3),
                ))
                .map_err(chart_error)?;
                area.draw(&Circle::new((x + 7, y), 5, color.filled()))
                    .map_err(chart_error)?;
            }
            Mark::Dashed(color) => {
                for dash in [x - 4, x + 10] {
                    area.draw(&PathElement::new(
                        vec![(dash, y), (dash + 8, y)],
                        color.stroke_width(3),
                    ))
                    .map_err(chart_error)?;
                }
            }
        }
        area.draw(&Text::new(
            (*label).to_string(),
            (x + 26, y),
            palette::text(15, palette::INK).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(chart_error)?;
        // The naive font metrics plotters uses without font files: about 0.5 em per letter.
        x += 26 + (label.chars().count() as i32) * 8 + 36;
    }
    Ok(())
}

/// Adds `role="img"`, a `<title>` and a `<desc>` to an SVG document.
pub(crate) fn accessible(svg: String, id: &str, title: &str, desc: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return svg;
    };
    let Some(tag_end) = svg[start..].find('>').map(|end| start + end) else {
        return svg;
    };
    let (head, rest) = svg.split_at(tag_end);
    let head = head.replacen(
        "<svg",
        &format!(r#"<svg role="img" class="chart-svg" aria-labelledby="{id}-title {id}-desc""#),
        1,
    );
    format!(
        "{head}><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{}",
        super::html::escape(title),
        super::html::escape(desc),
        &rest[1..]
    )
}

/// The left axis and grid every round chart shares: rounds along the bottom, counts up the
/// side, horizontal grid lines only.
fn draw_round_axes(
    chart: &mut ChartContext<'_, SVGBackend<'_>, RoundCounts>,
    rounds: usize,
    y_desc: &str,
) -> Result<(), ReportError> {
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(label_count(rounds))
        .x_label_formatter(&round_label)
        .y_labels(6)
        .y_label_formatter(&|v| v.to_string())
        .x_desc("Round")
        .y_desc(y_desc)
        .axis_desc_style(palette::text(15, palette::MUTED))
        .label_style(palette::text(14, palette::MUTED))
        .axis_style(palette::AXIS.stroke_width(1))
        .light_line_style(TRANSPARENT)
        .bold_line_style(palette::GRID.stroke_width(1))
        .draw()
        .map_err(chart_error)
}

/// Runs of consecutive rounds that have a value, as percentages: a line must not bridge a
/// round without one (a skipped round), as if something had been measured there.
fn segments(
    rounds: &[RoundStats],
    read: fn(&RoundStats) -> Option<f64>,
) -> Vec<Vec<(SegmentValue<i64>, f64)>> {
    let mut runs = vec![Vec::new()];
    for round in rounds {
        match read(round) {
            Some(value) => {
                if let Some(run) = runs.last_mut() {
                    run.push((SegmentValue::CenterOf(round.seq), value * 100.0));
                }
            }
            None => runs.push(Vec::new()),
        }
    }
    runs.retain(|run| !run.is_empty());
    runs
}

fn seq_range(rounds: &[RoundStats]) -> (i64, i64) {
    let first = rounds.first().map_or(1, |r| r.seq);
    let last = rounds.last().map_or(1, |r| r.seq);
    (first, last)
}

/// Every round's label while they fit side by side.
fn label_count(rounds: usize) -> usize {
    rounds.clamp(1, 26)
}

fn round_label(value: &SegmentValue<i64>) -> String {
    match value {
        SegmentValue::CenterOf(seq) => seq.to_string(),
        SegmentValue::Exact(_) | SegmentValue::Last => String::new(),
    }
}

/// An axis top with room above the tallest value: 1, 2, 5 × 10ⁿ steps.
pub(crate) fn nice_ceiling(max: u64) -> u64 {
    let target = (max as f64 * 1.15).ceil().max(4.0) as u64;
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            let candidate = step * factor;
            if candidate * 5 >= target {
                return target.div_ceil(candidate) * candidate;
            }
        }
        step *= 10;
    }
}
