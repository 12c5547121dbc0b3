//! Cursor pagination as Slack does it: `limit` items per page and an opaque
//! `response_metadata.next_cursor` (empty on the last page).
//!
//! A cursor names the first item of the next page (base64 of `{kind}:{key}`, the shape of
//! Slack's own cursors), not an offset, so a page boundary stays put when items are added
//! or removed between calls: every item present throughout is returned exactly once.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::envelope::ApiError;

pub(super) fn encode_cursor(kind: &str, key: &str) -> String {
    STANDARD.encode(format!("{kind}:{key}"))
}

/// The key inside a cursor of `kind`, or `invalid_cursor`.
pub(super) fn decode_cursor(kind: &str, cursor: &str) -> Result<String, ApiError> {
    STANDARD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(&format!("{kind}:")).map(str::to_owned))
        .ok_or_else(|| ApiError::new("invalid_cursor"))
}

/// One page of `items` (already in page order, strictly increasing by `position`),
/// starting at the first item at or after `start`; also the first item of the next page.
pub(super) fn page<T, K: Ord>(
    items: &[T],
    position: impl Fn(&T) -> K,
    start: Option<K>,
    limit: usize,
) -> (&[T], Option<&T>) {
    let first = match start {
        Some(start) => items.partition_point(|item| position(item) < start),
        None => 0,
    };
    let rest = &items[first..];
    let taken = limit.max(1).min(rest.len());
    (&rest[..taken], rest.get(taken))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = encode_cursor("user", "U123");
        assert_eq!(decode_cursor("user", &cursor), Ok("U123".to_owned()));
        assert!(decode_cursor("user", "not base64 !").is_err());
        assert!(decode_cursor("channel", &cursor).is_err());
    }

    #[test]
    fn pages_cover_everything_once_even_if_the_next_item_disappears() {
        let items = vec![1, 3, 5, 7, 9];
        let (first, next) = page(&items, |n| *n, None, 2);
        assert_eq!(first, &[1, 3]);
        assert_eq!(next, Some(&5));
        // 5 is deleted before the next call: the page starts at the next one after it.
        let remaining = vec![1, 3, 7, 9];
        let (second, next) = page(&remaining, |n| *n, Some(5), 2);
        assert_eq!(second, &[7, 9]);
        assert_eq!(next, None);
    }
}
