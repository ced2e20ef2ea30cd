//! Small display helpers for templates.

use chrono::{DateTime, Utc};

/// "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", then the date.
pub fn ago(t: &DateTime<Utc>) -> String {
    ago_from(t, &Utc::now())
}

fn ago_from(t: &DateTime<Utc>, now: &DateTime<Utc>) -> String {
    let secs = (*now - *t).num_seconds();
    match secs {
        s if s < 60 => "just now".into(),
        s if s < 3600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3600),
        s if s < 2 * 86_400 => "yesterday".into(),
        s if s < 7 * 86_400 => format!("{} days ago", s / 86_400),
        _ => date(t),
    }
}

/// "27 Nov 2026".
pub fn date(t: &DateTime<Utc>) -> String {
    t.format("%-d %b %Y").to_string()
}

/// Machine-readable time for `<time datetime>` and tooltips.
pub fn iso(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn relative_times() {
        let now = Utc::now();
        assert_eq!(ago_from(&now, &now), "just now");
        assert_eq!(ago_from(&(now - Duration::minutes(5)), &now), "5 min ago");
        assert_eq!(ago_from(&(now - Duration::hours(3)), &now), "3 h ago");
        assert_eq!(ago_from(&(now - Duration::hours(30)), &now), "yesterday");
        assert_eq!(ago_from(&(now - Duration::days(4)), &now), "4 days ago");
        let old = now - Duration::days(40);
        assert_eq!(ago_from(&old, &now), date(&old));
    }
}
