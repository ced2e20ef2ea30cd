//! Validated account input: parse once at the edge, then trust the type.

use std::fmt;

/// A normalised email address (trimmed, lower case).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let email = crate::text::fold(raw.trim());
        if email.is_empty() {
            return Err("is required".into());
        }
        if email.chars().count() > 254 {
            return Err("must be at most 254 characters".into());
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err("must be an email address like name@example.com".into());
        };
        let bad_char =
            |c: char| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"@".contains(c);
        if local.is_empty()
            || domain.is_empty()
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains("..")
            || local.chars().any(bad_char)
            || domain.chars().any(bad_char)
        {
            return Err("must be an email address like name@example.com".into());
        }
        Ok(Email(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password: 8 to 1024 characters.
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Password, String> {
        let n = raw.chars().count();
        if n < 8 {
            return Err("must be at least 8 characters".into());
        }
        if n > 1024 {
            return Err("must be at most 1024 characters".into());
        }
        Ok(Password(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum Role {
    Admin,
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::User => "USER",
        }
    }

    pub fn parse(raw: &str) -> Result<Role, String> {
        match raw.trim().to_uppercase().as_str() {
            "ADMIN" => Ok(Role::Admin),
            "USER" => Ok(Role::User),
            _ => Err("must be ADMIN or USER".into()),
        }
    }
}

crate::text_column!(Role);

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A display name: trimmed, at most 100 characters, no control characters; empty means none.
pub fn parse_name(raw: Option<&str>) -> Result<Option<String>, String> {
    crate::text::optional_name(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").expect("ok").as_str(),
            "ann@example.com"
        );
        for bad in [
            "",
            "ann",
            "@x.com",
            "ann@",
            "a b@x.com",
            "ann@x..com",
            "a@b@c",
            "'; DROP TABLE",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn passwords_have_bounds() {
        assert!(Password::parse("short").is_err());
        assert!(Password::parse("long enough").is_ok());
        assert!(Password::parse(&"x".repeat(1025)).is_err());
        assert_eq!(
            format!("{:?}", Password::parse("secret-pw").expect("ok")),
            "Password(***)"
        );
    }

    #[test]
    fn roles_and_names() {
        assert_eq!(Role::parse("admin"), Ok(Role::Admin));
        assert!(Role::parse("root").is_err());
        assert_eq!(parse_name(Some("  ")), Ok(None));
        assert!(parse_name(Some(&"n".repeat(101))).is_err());
        assert!(parse_name(Some("a\u{0}b")).is_err());
    }
}
