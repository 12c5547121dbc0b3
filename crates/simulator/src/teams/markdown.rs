//! What Teams makes of a bot's markdown: `[label](url)` is a link showing only its label
//! (unless its `[` or `]` is escaped with a backslash), and `<…>` in a message's text is an
//! HTML tag (`&lt;` shows a `<`). Tests read activities through this to tell live links and
//! tags from text that merely looks like them.

/// `(label, url)` of every markdown link in `text`.
pub fn links(text: &str) -> Vec<(String, String)> {
    let chars: Vec<char> = text.chars().collect();
    let escaped = |i: usize| i > 0 && chars[i - 1] == '\\';
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '[' && !escaped(i) {
            let close = (i + 1..chars.len()).find(|&j| chars[j] == ']' && !escaped(j));
            if let Some(close) = close
                && chars.get(close + 1) == Some(&'(')
                && let Some(end) = (close + 2..chars.len()).find(|&j| chars[j] == ')')
            {
                found.push((
                    chars[i + 1..close].iter().collect(),
                    chars[close + 2..end].iter().collect(),
                ));
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// The names of the HTML tags opened in a message's text (`at`, `a`, `p`…).
pub fn tags(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !name.is_empty() {
            found.push(name.to_ascii_lowercase());
        }
        rest = after;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_unless_escaped() {
        assert_eq!(
            links("see [Verify](https://evil.example) now"),
            vec![("Verify".into(), "https://evil.example".into())]
        );
        assert!(links(r"see \[Verify\](https://evil.example)").is_empty());
        assert!(links("join [program]").is_empty());
    }

    #[test]
    fn tags_are_found_and_escaped_brackets_are_not() {
        assert_eq!(tags("<at>Ada</at> &lt;at&gt;x"), vec!["at".to_owned()]);
    }
}
