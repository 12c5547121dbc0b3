//! Every CSV the bot writes goes through [`SafeCsvWriter`], so no cell can become a
//! spreadsheet formula (CSV injection): a team called `=HYPERLINK(…)` or `@SUM(…)` must
//! open in Excel or Sheets as text, not run. OWASP's rule: a cell starting with `=`, `+`,
//! `-`, `@`, a tab or a carriage return gets a leading `'`.
//!
//! The prefix is reversible ([`restore`]), because some CSVs are read back: `pourover pair`
//! reads its own output (and an export's first columns) as history. A cell that already
//! starts with `'` before such a character gets one more, so `restore(neutralise(x)) == x`
//! for every text.

use std::borrow::Cow;
use std::io::Write;

/// What a spreadsheet reads as the start of a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The quote spreadsheets show as "this cell is text".
const TEXT_MARK: char = '\'';

/// True when `cell`, past any leading `'`, starts like a formula.
fn starts_like_a_formula(cell: &str) -> bool {
    cell.trim_start_matches(TEXT_MARK)
        .starts_with(FORMULA_STARTS)
}

/// `cell` as it is safe to put in a CSV: with a leading `'` when a spreadsheet would
/// otherwise read it as a formula.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if starts_like_a_formula(cell) {
        Cow::Owned(format!("{TEXT_MARK}{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The text a [`neutralise`]d cell stood for.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix(TEXT_MARK) {
        Some(rest) if starts_like_a_formula(rest) => rest,
        _ => cell,
    }
}

/// A `csv::Writer` that neutralises every field it writes.
pub struct SafeCsvWriter<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> SafeCsvWriter<W> {
    /// Writes to `out`. Headers are written as records, like any other line.
    pub fn new(out: W) -> Self {
        Self {
            inner: csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(out),
        }
    }

    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.inner.write_record(
            record
                .into_iter()
                .map(|field| neutralise(field.as_ref()).into_owned()),
        )
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }

    /// The underlying writer, flushed.
    pub fn into_inner(self) -> csv::Result<W> {
        self.inner
            .into_inner()
            .map_err(|err| csv::Error::from(err.into_error()))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn cells_that_start_like_a_formula_are_marked_as_text() {
        for formula in [
            "=HYPERLINK(\"https://evil.example\",\"Verify\")",
            "+1+1",
            "-2+3",
            "@SUM(A1:A9)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(neutralise(formula), format!("'{formula}"), "{formula:?}");
        }
        for plain in ["Engineering", "U123", "2026-11-02", "", "a=b", "R&D"] {
            assert_eq!(neutralise(plain), plain);
        }
    }

    #[test]
    fn a_csv_written_by_the_bot_has_no_formula_cells() {
        let mut writer = SafeCsvWriter::new(Vec::new());
        writer.write_record(["team", "name"]).unwrap();
        writer.write_record(["=1+1", "@SUM(A1)"]).unwrap();
        let bytes = writer.into_inner().unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "team,name\n'=1+1,'@SUM(A1)\n"
        );
    }

    proptest! {
        /// Whatever a person typed comes back unchanged from a CSV the bot wrote, and no
        /// cell it wrote starts like a formula.
        #[test]
        fn neutralising_is_undone_by_restoring(cell in "['=+@a\\-\t\r]{0,4}.{0,8}") {
            let safe = neutralise(&cell);
            prop_assert!(!safe.starts_with(FORMULA_STARTS));
            prop_assert_eq!(restore(&safe), cell.as_str());
        }
    }
}
