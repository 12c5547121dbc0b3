//! The team-by-team heat map: how many pairs of people from each two teams have met.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::ReportError;
use super::charts::{WIDTH, accessible, chart_error, nice_ceiling};
use super::palette;
use crate::stats::TeamMatrix;

/// Beyond this many teams the smallest ones are folded into one "Other teams" row, so cells
/// stay large enough to read.
const MAX_TEAMS: usize = 14;
const OTHER: &str = "Other teams";
const LABEL_AREA: u32 = 170;
const SCALE_WIDTH: u32 = 120;

pub(crate) fn heat_map(matrix: &TeamMatrix, id: &str) -> Result<String, ReportError> {
    let matrix = fold_small_teams(matrix);
    let n = matrix.teams.len();
    let cell = ((WIDTH - LABEL_AREA - SCALE_WIDTH - 40) / n.max(1) as u32).clamp(30, 88);
    let side = cell * n as u32;
    let longest_name = matrix
        .teams
        .iter()
        .map(|t| short(t).chars().count())
        .max()
        .unwrap_or(0);
    // Room under the grid for the rotated column names (about 7.5 px per letter at 16 px).
    let height = side + 40 + 15 * longest_name as u32 / 2;
    let max = matrix
        .meetings
        .iter()
        .enumerate()
        .flat_map(|(i, row)| row.iter().enumerate().filter(move |(j, _)| *j != i))
        .map(|(_, count)| *count)
        .max()
        .unwrap_or(0);
    let mut svg = String::new();
    {
        let width = LABEL_AREA + side + SCALE_WIDTH + 40;
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let (grid_area, scale_area) = root.split_horizontally(LABEL_AREA + side + 24);
        let last = n as i64 - 1;
        let mut chart = ChartBuilder::on(&grid_area)
            .margin_top(16)
            .margin_right(8)
            .x_label_area_size(height - side - 16)
            .y_label_area_size(LABEL_AREA)
            .build_cartesian_2d((0..last).into_segmented(), (0..last).into_segmented())
            .map_err(chart_error)?;
        // Row 0 at the top, like a table: the y axis counts upwards, so rows are flipped.
        let row_y = |row: usize| last - row as i64;
        let team_at = |value: &SegmentValue<i64>, flipped: bool| match value {
            SegmentValue::CenterOf(index) => {
                let index = if flipped { last - index } else { *index };
                usize::try_from(index)
                    .ok()
                    .and_then(|i| matrix.teams.get(i))
                    .map(|team| short(team))
                    .unwrap_or_default()
            }
            SegmentValue::Exact(_) | SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_mesh()
            // Column names are drawn below, rotated: plotters centres rotated axis labels on
            // the axis, where the cells would cover half of each name.
            .x_labels(n)
            .x_label_formatter(&|_| String::new())
            .y_labels(n)
            .y_label_formatter(&|v| team_at(v, true))
            .y_label_style(palette::text(16, palette::INK))
            .axis_style(palette::AXIS.stroke_width(1))
            .draw()
            .map_err(chart_error)?;
        for (col, team) in matrix.teams.iter().enumerate() {
            let (x, y) =
                chart.backend_coord(&(SegmentValue::CenterOf(col as i64), SegmentValue::Exact(0)));
            root.draw(&Text::new(
                short(team),
                (x, y + 8),
                palette::text(16, palette::INK)
                    .transform(FontTransform::Rotate270)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(chart_error)?;
        }

        let cells = (0..n).flat_map(|row| (0..n).map(move |col| (row, col)));
        chart
            .draw_series(cells.clone().map(|(row, col)| {
                let count = matrix.meetings[row][col];
                let fill = if row == col {
                    palette::SAME_TEAM
                } else if count == 0 {
                    palette::EMPTY
                } else {
                    palette::heat(count as f64 / max.max(1) as f64)
                };
                let mut rect = Rectangle::new(
                    [
                        (
                            SegmentValue::Exact(col as i64),
                            SegmentValue::Exact(row_y(row)),
                        ),
                        (
                            SegmentValue::Exact(col as i64 + 1),
                            SegmentValue::Exact(row_y(row) + 1),
                        ),
                    ],
                    fill.filled(),
                );
                rect.set_margin(1, 1, 1, 1);
                rect
            }))
            .map_err(chart_error)?;
        chart
            .draw_series(
                cells
                    .filter(|(row, col)| matrix.meetings[*row][*col] > 0)
                    .map(|(row, col)| {
                        let count = matrix.meetings[row][col];
                        let color = if row == col {
                            palette::MUTED
                        } else {
                            palette::on_heat(count as f64 / max.max(1) as f64)
                        };
                        Text::new(
                            count.to_string(),
                            (
                                SegmentValue::CenterOf(col as i64),
                                SegmentValue::CenterOf(row_y(row)),
                            ),
                            palette::text(16, color).pos(Pos::new(HPos::Center, VPos::Center)),
                        )
                    }),
            )
            .map_err(chart_error)?;
        draw_scale(&scale_area, max, side)?;
        root.present().map_err(chart_error)?;
    }
    Ok(accessible(
        svg,
        id,
        "Meetings between teams",
        &describe(&matrix),
    ))
}

/// The colour scale beside the grid: what a shade means in meetings.
fn draw_scale(
    area: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    max: u64,
    side: u32,
) -> Result<(), ReportError> {
    let top = nice_ceiling(max).max(1) as f64;
    area.draw(&Text::new(
        "Meetings".to_string(),
        (0, 16),
        palette::text(14, palette::MUTED).pos(Pos::new(HPos::Left, VPos::Top)),
    ))
    .map_err(chart_error)?;
    let (_, below_title) = area.split_vertically(44);
    let (scale, _) = below_title.split_vertically(side.saturating_sub(28).clamp(80, 240));
    let mut chart = ChartBuilder::on(&scale)
        .margin_right(64)
        .margin_bottom(6)
        .right_y_label_area_size(40)
        .build_cartesian_2d(0.0..1.0, 0.0..top)
        .map_err(chart_error)?
        .set_secondary_coord(0.0..1.0, 0.0..top);
    chart
        .configure_secondary_axes()
        .y_labels(5)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .label_style(palette::text(13, palette::MUTED))
        .axis_style(palette::AXIS.stroke_width(1))
        .draw()
        .map_err(chart_error)?;
    let steps = 48;
    chart
        .draw_series((0..steps).map(|step| {
            let from = top * f64::from(step) / f64::from(steps);
            let to = top * f64::from(step + 1) / f64::from(steps);
            let shade = palette::heat((from + to) / 2.0 / top);
            Rectangle::new([(0.0, from), (1.0, to)], shade.filled())
        }))
        .map_err(chart_error)?;
    Ok(())
}

/// The largest teams by meetings, with everyone else merged into one row and column.
fn fold_small_teams(matrix: &TeamMatrix) -> TeamMatrix {
    let n = matrix.teams.len();
    if n <= MAX_TEAMS {
        return matrix.clone();
    }
    let mut by_activity: Vec<usize> = (0..n).collect();
    by_activity.sort_by_key(|&i| std::cmp::Reverse(matrix.meetings[i].iter().sum::<u64>()));
    let mut kept: Vec<usize> = by_activity[..MAX_TEAMS - 1].to_vec();
    kept.sort_by(|a, b| matrix.teams[*a].cmp(&matrix.teams[*b]));
    let slot = |team: usize| {
        kept.iter()
            .position(|&k| k == team)
            .unwrap_or(MAX_TEAMS - 1)
    };
    let mut meetings = vec![vec![0; MAX_TEAMS]; MAX_TEAMS];
    for (i, row) in matrix.meetings.iter().enumerate() {
        for (j, count) in row.iter().enumerate() {
            meetings[slot(i)][slot(j)] += count;
        }
    }
    let mut teams: Vec<String> = kept.iter().map(|&i| matrix.teams[i].clone()).collect();
    teams.push(OTHER.to_string());
    TeamMatrix { teams, meetings }
}

/// Long team names are shortened in the middle, so labels keep their column and names that
/// differ only at the end ("Region North", "Region South") stay apart.
fn short(team: &str) -> String {
    const MAX: usize = 18;
    let chars: Vec<char> = team.chars().collect();
    if chars.len() <= MAX {
        return team.to_string();
    }
    let head: String = chars[..MAX / 2].iter().collect();
    let tail: String = chars[chars.len() - (MAX / 2 - 1)..].iter().collect();
    format!("{}…{}", head.trim_end(), tail.trim_start())
}

fn describe(matrix: &TeamMatrix) -> String {
    let mut pairs = Vec::new();
    for (i, row) in matrix.meetings.iter().enumerate() {
        for (j, count) in row.iter().enumerate().skip(i) {
            if *count > 0 {
                let (a, b) = (&matrix.teams[i], &matrix.teams[j]);
                if i == j {
                    pairs.push(format!("{a} within the team: {count}"));
                } else {
                    pairs.push(format!("{a} and {b}: {count}"));
                }
            }
        }
    }
    if pairs.is_empty() {
        "No meetings reported yet.".to_string()
    } else {
        format!("Pairs of people who met, by team: {}.", pairs.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn long_team_names_keep_their_start_and_end() {
        assert_eq!(short("Engineering"), "Engineering");
        assert_eq!(short("Department number 07"), "Departmen…umber 07");
        assert_eq!(short("Customer Success EMEA North"), "Customer…EA North");
    }
}
