//! Metrics from function output: CloudWatch Embedded Metric Format (EMF).
//!
//! In AWS, CloudWatch Logs turns every log line that is a JSON object with
//! `_aws.CloudWatchMetrics` into metrics. Locally, the stack reads each line a function
//! writes to stdout the same way ([`parse_emf`]) and keeps one [`MetricDatum`] per metric
//! value in a bounded log ([`MetricLog`], the newest [`crate::log::DEFAULT_CAPACITY`]),
//! served at `GET /_devstack/metrics[?name=MetricName]` ([`crate::control`]).

use std::collections::BTreeMap;

use serde_json::Value;

/// One value of one metric, as a function emitted it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricDatum {
    /// The logical id of the function that emitted it.
    pub function: String,
    /// The CloudWatch namespace.
    pub namespace: String,
    /// The metric name.
    pub name: String,
    /// The value (a document's list of values gives one datum each).
    pub value: f64,
    /// The unit, when the document gives one (`Milliseconds`, `Count`...).
    pub unit: Option<String>,
    /// The dimensions of the metric: name to value.
    pub dimensions: BTreeMap<String, String>,
    /// The document's `_aws.Timestamp`, in milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
}

/// The metrics emitted so far (the newest ones).
pub type MetricLog = crate::log::BoundedLog<MetricDatum>;

/// The metric values of one output `line` of function `function`: none when the line is
/// not an EMF document (not JSON, not an object, no `_aws.CloudWatchMetrics`). A metric
/// whose value is missing or not a number (or a list of numbers) is skipped; a dimension
/// whose value is missing is left out, as CloudWatch would reject the document.
pub fn parse_emf(function: &str, line: &str) -> Vec<MetricDatum> {
    let line = line.trim();
    if !line.starts_with('{') || !line.contains("\"_aws\"") {
        return Vec::new();
    }
    let Ok(Value::Object(document)) = serde_json::from_str::<Value>(line) else { return Vec::new() };
    let Some(directives) = document.get("_aws").and_then(|aws| aws.get("CloudWatchMetrics")).and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let timestamp_ms = document["_aws"]["Timestamp"].as_u64().unwrap_or_default();
    let mut data = Vec::new();
    for directive in directives {
        let namespace = directive["Namespace"].as_str().unwrap_or_default().to_owned();
        let dimensions: BTreeMap<String, String> = directive["Dimensions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(Value::as_str)
            .filter_map(|name| {
                let value = document.get(name)?;
                let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
                Some((name.to_owned(), value))
            })
            .collect();
        for metric in directive["Metrics"].as_array().into_iter().flatten() {
            let Some(name) = metric["Name"].as_str() else { continue };
            let values = match document.get(name) {
                Some(Value::Array(values)) => values.iter().filter_map(Value::as_f64).collect(),
                Some(value) => value.as_f64().into_iter().collect(),
                None => Vec::new(),
            };
            for value in values {
                data.push(MetricDatum {
                    function: function.to_owned(),
                    namespace: namespace.clone(),
                    name: name.to_owned(),
                    value,
                    unit: metric["Unit"].as_str().map(str::to_owned),
                    dimensions: dimensions.clone(),
                    timestamp_ms,
                });
            }
        }
    }
    data
}

/// An output observer ([`crate::lambda::OutputObserver`]) that keeps the EMF metrics of
/// every stdout line in `log`.
pub fn collector(log: MetricLog) -> crate::lambda::OutputObserver {
    std::sync::Arc::new(move |spec: &crate::lambda::FunctionSpec, line: &str| {
        for datum in parse_emf(&spec.logical_id, line) {
            log.push(datum);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emf_line_gives_one_datum_per_value_with_its_dimensions_and_unit() {
        let line = r#"{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"shop","Dimensions":[["Service"]],"Metrics":[{"Name":"Things"},{"Name":"Wait","Unit":"Milliseconds"}]}]},"Service":"desk","Things":2,"Wait":[10.0,20.5]}"#;
        let data = parse_emf("DeskFunction", line);
        assert_eq!(data.len(), 3, "{data:?}");
        assert_eq!(data[0].name, "Things");
        assert_eq!(data[0].value, 2.0);
        assert_eq!(data[0].unit, None);
        assert_eq!(data[0].namespace, "shop");
        assert_eq!(data[0].function, "DeskFunction");
        assert_eq!(data[0].timestamp_ms, 1_700_000_000_000);
        assert_eq!(data[0].dimensions, BTreeMap::from([("Service".to_owned(), "desk".to_owned())]));
        assert_eq!((data[1].value, data[2].value), (10.0, 20.5));
        assert_eq!(data[2].unit.as_deref(), Some("Milliseconds"));
    }

    #[test]
    fn other_lines_give_nothing() {
        for line in [
            "",
            "plain text",
            r#"{"level":"INFO","message":"order placed"}"#,
            r#"{"_aws":{"Timestamp":1}}"#,
            r#"{"_aws":"#,
            r#"["_aws"]"#,
            r#"{"_aws":{"CloudWatchMetrics":[{"Namespace":"n","Metrics":[{"Name":"Gone"},{"Name":"Text"}]}]},"Text":"x"}"#,
        ] {
            assert!(parse_emf("F", line).is_empty(), "{line}");
        }
    }
}
