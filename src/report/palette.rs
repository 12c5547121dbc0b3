//! Colours and type for the charts: a small palette that stays readable for the common colour
//! vision deficiencies (blue / amber / teal / violet, never red against green) and prints well.

use plotters::prelude::*;

/// Overridden by the page's CSS with a system font stack; plotters needs a family to lay out.
pub(crate) const FONT: &str = "sans-serif";

pub(crate) const INK: RGBColor = RGBColor(0x1f, 0x29, 0x37);
pub(crate) const MUTED: RGBColor = RGBColor(0x4b, 0x55, 0x63);
pub(crate) const AXIS: RGBColor = RGBColor(0x9c, 0xa3, 0xaf);
pub(crate) const GRID: RGBColor = RGBColor(0xe5, 0xe7, 0xeb);

pub(crate) const BARS: RGBColor = RGBColor(0x93, 0xb8, 0xf0);
pub(crate) const MET: RGBColor = RGBColor(0xc2, 0x5e, 0x00);
pub(crate) const FEEDBACK: RGBColor = RGBColor(0x0f, 0x76, 0x6e);
pub(crate) const REACH: RGBColor = RGBColor(0x6d, 0x28, 0xd9);
pub(crate) const POSSIBLE: RGBColor = RGBColor(0x9c, 0xa3, 0xaf);

/// Heat map: from an almost-white blue (few meetings) to a deep blue (most).
pub(crate) const HEAT_LOW: RGBColor = RGBColor(0xea, 0xf1, 0xfd);
pub(crate) const HEAT_HIGH: RGBColor = RGBColor(0x1e, 0x3a, 0x8a);
/// Meetings inside one team: shown, but in grey, since crossing teams is the point.
pub(crate) const SAME_TEAM: RGBColor = RGBColor(0xf1, 0xf2, 0xf4);
pub(crate) const EMPTY: RGBColor = RGBColor(0xfa, 0xfb, 0xfc);

pub(crate) fn text(size: u32, color: RGBColor) -> TextStyle<'static> {
    // Set the field directly: `TextStyle::color` ties the style to a borrow of the colour.
    let mut style = TextStyle::from((FONT, size).into_font());
    style.color = color.to_backend_color();
    style
}

/// `t` in 0..=1 between the heat map's two ends. A square root spreads the small counts,
/// which would otherwise all look alike next to one busy pair of teams.
pub(crate) fn heat(t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0).sqrt();
    let mix =
        |low: u8, high: u8| (f64::from(low) + (f64::from(high) - f64::from(low)) * t).round() as u8;
    RGBColor(
        mix(HEAT_LOW.0, HEAT_HIGH.0),
        mix(HEAT_LOW.1, HEAT_HIGH.1),
        mix(HEAT_LOW.2, HEAT_HIGH.2),
    )
}

/// Text on a heat cell: white once the cell is dark enough.
pub(crate) fn on_heat(t: f64) -> RGBColor {
    if t.clamp(0.0, 1.0).sqrt() > 0.5 {
        WHITE
    } else {
        INK
    }
}
