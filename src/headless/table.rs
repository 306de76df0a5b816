//! Plain-text tables for the headless commands: every column as wide as its widest cell (or
//! its cap), cells past the cap cut with an ellipsis, so each header sits over its values.

/// One column: its header and the most characters a cell shows (`None`: no cap).
pub(crate) struct Column<'a> {
    pub header: &'a str,
    pub cap: Option<usize>,
}

/// A column without a cap.
pub(crate) fn col(header: &str) -> Column<'_> {
    Column { header, cap: None }
}

/// A column whose cells are cut to `cap` characters with an ellipsis.
pub(crate) fn capped(header: &str, cap: usize) -> Column<'_> {
    Column {
        header,
        cap: Some(cap),
    }
}

/// `s` cut to `max` characters, the last one an ellipsis when cut.
pub(crate) fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The rows under their headers, columns two spaces apart; the last column is not padded and
/// no line has trailing spaces. Cells go through the sanitiser (they may come from Halo or a
/// file).
pub(crate) fn render(columns: &[Column<'_>], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    for l in lines(columns, rows) {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// [`render`] as lines: the header, then one line per row (for tables with notes under rows).
pub(crate) fn lines(columns: &[Column<'_>], rows: &[Vec<String>]) -> Vec<String> {
    let cell = |c: &Column<'_>, s: &str| {
        let s = crate::text::line_max(s, usize::MAX);
        match c.cap {
            Some(cap) => ellipsize(&s, cap),
            None => s,
        }
    };
    let header: Vec<String> = columns.iter().map(|c| c.header.to_string()).collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            columns
                .iter()
                .zip(r.iter().map(String::as_str).chain(std::iter::repeat("")))
                .map(|(c, s)| cell(c, s))
                .collect()
        })
        .collect();
    let mut widths = vec![0usize; columns.len()];
    for r in std::iter::once(&header).chain(&body) {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    std::iter::once(&header)
        .chain(&body)
        .map(|r| {
            let mut line = String::new();
            for (i, (c, w)) in r.iter().zip(&widths).enumerate() {
                line.push_str(c);
                if i + 1 < r.len() {
                    line.push_str(&" ".repeat(w - c.chars().count() + 2));
                }
            }
            line.trim_end().to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_sit_over_their_values_and_long_cells_are_cut() {
        let rows = vec![
            vec!["acme".into(), "x".repeat(50), "4/4 pass".into()],
            vec!["a-much-longer-name".into(), "short".into(), "-".into()],
        ];
        let t = render(
            &[col("NAME"), capped("OBJECTS", 20), col("VERIFICATION")],
            &rows,
        );
        let lines: Vec<&str> = t.lines().collect();
        let at = |l: &str, what: &str| l.find(what).map(|b| l[..b].chars().count());
        let v = at(lines[0], "VERIFICATION").unwrap();
        assert_eq!(at(lines[1], "4/4 pass"), Some(v), "{t}");
        assert_eq!(lines[2].chars().nth(v), Some('-'), "{t}");
        assert!(lines[1].contains(&format!("{}…", "x".repeat(19))), "{t}");
        assert!(!lines[1].contains(&"x".repeat(20)), "{t}");
        assert!(t.lines().all(|l| l == l.trim_end()));
        // Escapes in a cell are shown, not sent to the terminal.
        let t = render(&[col("A")], &[vec!["a\x1b[2Jb".into()]]);
        assert!(t.contains("a\\x1b[2Jb"), "{t}");
    }
}
