//! Event filtering for event source mappings (`FilterCriteria`), in the EventBridge
//! pattern syntax Lambda uses: a record passes a pattern when every key of the pattern
//! matches. Supported: literal values, `prefix`, `suffix`, `exists`, `anything-but`
//! and `numeric` comparisons; other operators never match and are logged.

use serde_json::Value;

/// Whether `event` matches `pattern`.
pub fn matches(pattern: &Value, event: &Value) -> bool {
    let Some(pattern) = pattern.as_object() else {
        return false;
    };
    pattern.iter().all(|(key, expected)| {
        let actual = event.get(key);
        match expected {
            Value::Object(_) => actual.is_some_and(|actual| matches(expected, actual)),
            Value::Array(alternatives) => alternatives.iter().any(|alt| matches_value(alt, actual)),
            _ => false,
        }
    })
}

fn matches_value(rule: &Value, actual: Option<&Value>) -> bool {
    if let Some(Value::Array(values)) = actual {
        return values.iter().any(|value| matches_value(rule, Some(value)));
    }
    match rule {
        Value::Object(operator) => {
            let Some((name, argument)) = operator.iter().next() else {
                return false;
            };
            match name.as_str() {
                "exists" => argument.as_bool() == Some(actual.is_some()),
                "prefix" => text(actual).zip(argument.as_str()).is_some_and(|(a, p)| a.starts_with(p)),
                "suffix" => text(actual).zip(argument.as_str()).is_some_and(|(a, s)| a.ends_with(s)),
                "anything-but" => match (actual, argument) {
                    (None, _) => false,
                    (Some(value), Value::Array(excluded)) => !excluded.contains(value),
                    (Some(value), Value::Object(_)) => !matches_value(argument, Some(value)),
                    (Some(value), excluded) => value != excluded,
                },
                "numeric" => numeric(argument, actual),
                other => {
                    tracing::warn!(operator = other, "filter operator not supported by the local stack");
                    false
                }
            }
        }
        literal => actual == Some(literal),
    }
}

fn text(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str)
}

fn numeric(conditions: &Value, actual: Option<&Value>) -> bool {
    let Some(number) = actual.and_then(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok())) else {
        return false;
    };
    let Some(conditions) = conditions.as_array() else {
        return false;
    };
    conditions.chunks(2).all(|pair| match pair {
        [Value::String(op), bound] => bound.as_f64().is_some_and(|bound| match op.as_str() {
            "<" => number < bound,
            "<=" => number <= bound,
            ">" => number > bound,
            ">=" => number >= bound,
            "=" => (number - bound).abs() < f64::EPSILON,
            _ => false,
        }),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn outbox_pattern_matches_only_outbox_inserts() {
        let pattern = json!({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["OutboxEvent"]}}}});
        let outbox = json!({"eventName": "INSERT", "dynamodb": {"NewImage": {"kind": {"S": "OutboxEvent"}}}});
        let other = json!({"eventName": "INSERT", "dynamodb": {"NewImage": {"pk": {"S": "MEMBER#1"}}}});
        let modify = json!({"eventName": "MODIFY", "dynamodb": {"NewImage": {"kind": {"S": "OutboxEvent"}}}});
        assert!(matches(&pattern, &outbox));
        assert!(!matches(&pattern, &other));
        assert!(!matches(&pattern, &modify));
    }

    #[test]
    fn operators() {
        let event = json!({"type": "OrderPlaced", "amount": 9000, "tags": ["a", "b"]});
        assert!(matches(&json!({"type": [{"prefix": "Order"}]}), &event));
        assert!(matches(&json!({"type": [{"anything-but": ["OrderCancelled"]}]}), &event));
        assert!(!matches(&json!({"type": [{"anything-but": "OrderPlaced"}]}), &event));
        assert!(matches(&json!({"missing": [{"exists": false}]}), &event));
        assert!(matches(&json!({"amount": [{"numeric": [">", 5000, "<=", 9000]}]}), &event));
        assert!(matches(&json!({"tags": ["b"]}), &event));
        assert!(!matches(&json!({"type": [{"equals-ignore-case": "x"}]}), &event));
    }
}
