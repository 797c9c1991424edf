//! Configuration read once from environment variables at cold start.
//!
//! The template (`infra/template.yaml`) sets every variable a function reads;
//! a missing or malformed one stops the function at cold start with its name.

use std::str::FromStr;

/// A configuration variable that is missing or cannot be parsed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The variable is not set (or is not valid Unicode).
    #[error("environment variable {0} is not set")]
    Missing(String),
    /// The variable is set but its value does not parse as the expected type.
    #[error("environment variable {name} has an invalid value {value:?}: {reason}")]
    Invalid {
        /// Variable name.
        name: String,
        /// The value found.
        value: String,
        /// Why it was refused.
        reason: String,
    },
}

/// Reads a required variable.
///
/// # Errors
/// [`ConfigError::Missing`] naming the variable when it is not set or empty.
pub fn required(name: &str) -> Result<String, ConfigError> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => Ok(value),
        _ => Err(ConfigError::Missing(name.to_owned())),
    }
}

/// Reads and parses a required variable (numbers, durations in milliseconds, ...).
///
/// # Errors
/// [`ConfigError::Missing`] or [`ConfigError::Invalid`], naming the variable.
pub fn required_parsed<T>(name: &str) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    parse(name, required(name)?)
}

/// Parses `value`, the value of variable `name`.
fn parse<T>(name: &str, value: String) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|err: T::Err| ConfigError::Invalid { name: name.to_owned(), value, reason: err.to_string() })
}

/// Reads and parses an optional variable, falling back to `default` when unset.
///
/// # Errors
/// [`ConfigError::Invalid`] when the variable is set but does not parse.
pub fn optional_parsed<T>(name: &str, default: T) -> Result<T, ConfigError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    match required_parsed(name) {
        Err(ConfigError::Missing(_)) => Ok(default),
        other => other,
    }
}

/// `OUTBOX_RETENTION_DAYS`: how long outbox and inbox items are kept before TTL removes
/// them.
///
/// # Errors
/// When the variable is missing or not a whole number of days.
pub fn outbox_retention() -> Result<std::time::Duration, ConfigError> {
    let days: u64 = required_parsed("OUTBOX_RETENTION_DAYS")?;
    Ok(std::time::Duration::from_secs(days.saturating_mul(86_400)))
}

/// `SYNC_CALL_TIMEOUT_MS`: the timeout of a synchronous call to another context.
///
/// # Errors
/// When the variable is missing or not a whole number of milliseconds.
pub fn sync_call_timeout() -> Result<std::time::Duration, ConfigError> {
    Ok(std::time::Duration::from_millis(required_parsed("SYNC_CALL_TIMEOUT_MS")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_variable_is_named() {
        let err = required("PLATFORM_TEST_SURELY_UNSET").unwrap_err();
        assert_eq!(err.to_string(), "environment variable PLATFORM_TEST_SURELY_UNSET is not set");
    }

    #[test]
    fn an_unparsable_variable_is_named_with_its_value() {
        let err = parse::<u32>("PLATFORM_TEST_BAD_NUMBER", "ten".to_owned()).unwrap_err();
        assert!(err.to_string().contains("PLATFORM_TEST_BAD_NUMBER"));
        assert!(err.to_string().contains("\"ten\""));
        assert_eq!(optional_parsed("PLATFORM_TEST_UNSET_NUMBER", 7u32).unwrap(), 7);
    }
}
