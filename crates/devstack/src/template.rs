//! Reading an AWS SAM / CloudFormation template and resolving its intrinsic functions.
//!
//! The YAML short forms (`!Ref`, `!GetAtt`, `!Sub`, ...) are turned into their long JSON
//! forms first; [`Resolver`] then evaluates `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`,
//! `Fn::Select`, `Fn::If` (on a literal `true`/`false` condition), `Fn::FindInMap` (over the
//! `Mappings` section) and the pseudo parameters against the local stack's naming of
//! physical resources.
//!
//! SAM's `<Function>.Alias` (the alias `AutoPublishAlias` creates), in `Ref`, `Fn::GetAtt`
//! and `Fn::Sub`, is the alias's ARN, `<function ARN>:<alias>`: the local stack has no
//! versions, so the alias is the function itself (its Lambda API takes such qualified ARNs),
//! and `AutoPublishAlias`/`DeploymentPreference` change nothing locally.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use anyhow::{Context, anyhow, bail};
use serde_json::{Map, Value};

/// Account id the local stack uses in ARNs and queue URLs.
pub const ACCOUNT_ID: &str = "000000000000";

/// A template read from disk, intrinsics still unresolved.
#[derive(Debug, Clone)]
pub struct Template {
    /// `Parameters` section: name -> declaration.
    pub parameters: Map<String, Value>,
    /// `Globals` section.
    pub globals: Map<String, Value>,
    /// `Conditions` section: name -> condition function.
    pub conditions: Map<String, Value>,
    /// `Mappings` section: map name -> top-level key -> second-level key -> value.
    pub mappings: Map<String, Value>,
    /// `Outputs` section: name -> output (`Value`, optional `Description`, `Condition`).
    pub outputs: Map<String, Value>,
    /// `Resources`: logical id -> resource (with `Type`, `Properties`, `Metadata`).
    pub resources: BTreeMap<String, Value>,
}

impl Template {
    /// Reads and parses `path` (YAML or JSON).
    ///
    /// # Errors
    /// When the file cannot be read or is not a template.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading template {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("parsing template {}", path.display()))
    }

    /// Parses template text.
    ///
    /// # Errors
    /// When the text is not YAML or has no `Resources` mapping.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text)?;
        let json = yaml_to_json(yaml)?;
        let object = |key: &str| json.get(key).and_then(Value::as_object).cloned().unwrap_or_default();
        let resources = json
            .get("Resources")
            .and_then(Value::as_object)
            .ok_or_else(|| anyhow!("the template has no Resources"))?
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Self {
            parameters: object("Parameters"),
            globals: object("Globals"),
            conditions: object("Conditions"),
            mappings: object("Mappings"),
            outputs: object("Outputs"),
            resources,
        })
    }

    /// The logical ids of resources of type `resource_type`, sorted.
    pub fn of_type<'a>(&'a self, resource_type: &'a str) -> impl Iterator<Item = (&'a String, &'a Value)> + 'a {
        self.resources.iter().filter(move |(_, r)| r["Type"] == resource_type)
    }

    /// The type of resource `logical_id`, if it exists.
    pub fn type_of(&self, logical_id: &str) -> Option<&str> {
        self.resources.get(logical_id).and_then(|r| r["Type"].as_str())
    }
}

fn yaml_to_json(value: serde_yaml_ng::Value) -> anyhow::Result<Value> {
    use serde_yaml_ng::Value as Y;
    Ok(match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(&n)?,
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?),
        Y::Mapping(mapping) => {
            let mut object = Map::new();
            for (key, value) in mapping {
                let key = match key {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => bail!("unsupported mapping key {other:?}"),
                };
                object.insert(key, yaml_to_json(value)?);
            }
            Value::Object(object)
        }
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = yaml_to_json(tagged.value)?;
            let (key, inner) = match name {
                "Ref" | "Condition" => (name.to_owned(), inner),
                "GetAtt" => {
                    let parts = match inner {
                        Value::String(s) => {
                            let (resource, attribute) =
                                s.split_once('.').ok_or_else(|| anyhow!("!GetAtt {s} needs Resource.Attribute"))?;
                            Value::Array(vec![resource.into(), attribute.into()])
                        }
                        other => other,
                    };
                    ("Fn::GetAtt".to_owned(), parts)
                }
                other => (format!("Fn::{other}"), inner),
            };
            Value::Object(Map::from_iter([(key, inner)]))
        }
    })
}

/// How the local stack names and addresses the physical resource behind a logical id.
#[derive(Debug, Clone)]
pub struct Naming {
    /// Stack name, prefixed to every physical name.
    pub stack_name: String,
    /// Region used in ARNs.
    pub region: String,
    /// Base URL of the SQS emulator, for queue URLs.
    pub sqs_url: String,
}

impl Naming {
    /// The physical name of `logical_id` (`<stack>-<logical id>`), unless the resource sets
    /// its own (`TableName`, `TopicName`, `QueueName`, `FunctionName`).
    pub fn physical_name(&self, template: &Template, logical_id: &str) -> String {
        let explicit = template.resources.get(logical_id).and_then(|r| {
            let props = &r["Properties"];
            ["TableName", "TopicName", "QueueName", "FunctionName"]
                .iter()
                .find_map(|key| props[*key].as_str().map(str::to_owned))
        });
        explicit.unwrap_or_else(|| format!("{}-{}", self.stack_name, logical_id))
    }

    fn arn(&self, service: &str, resource: &str) -> String {
        format!("arn:aws:{service}:{}:{ACCOUNT_ID}:{resource}", self.region)
    }

    /// `Ref` of a resource, as CloudFormation defines it per type.
    ///
    /// # Errors
    /// For unknown logical ids.
    pub fn reference(&self, template: &Template, logical_id: &str) -> anyhow::Result<String> {
        let kind = template.type_of(logical_id).ok_or_else(|| anyhow!("Ref to unknown resource {logical_id}"))?;
        let name = self.physical_name(template, logical_id);
        Ok(match kind {
            "AWS::SNS::Topic" => self.arn("sns", &name),
            "AWS::SQS::Queue" => format!("{}/{ACCOUNT_ID}/{name}", self.sqs_url),
            "AWS::Serverless::HttpApi" | "AWS::ApiGatewayV2::Api" => "local".to_owned(),
            _ => name,
        })
    }

    /// `Fn::GetAtt` of a resource.
    ///
    /// # Errors
    /// For unknown resources or attributes the local stack does not model.
    pub fn attribute(&self, template: &Template, logical_id: &str, attribute: &str) -> anyhow::Result<String> {
        let kind = template.type_of(logical_id).ok_or_else(|| anyhow!("GetAtt of unknown resource {logical_id}"))?;
        let name = self.physical_name(template, logical_id);
        Ok(match (kind, attribute) {
            ("AWS::DynamoDB::Table", "Arn") => self.arn("dynamodb", &format!("table/{name}")),
            ("AWS::DynamoDB::Table", "StreamArn") => self.arn("dynamodb", &format!("table/{name}/stream/local")),
            ("AWS::SNS::Topic", "TopicArn") => self.arn("sns", &name),
            ("AWS::SNS::Topic", "TopicName") => name,
            ("AWS::SQS::Queue", "Arn") => self.arn("sqs", &name),
            ("AWS::SQS::Queue", "QueueName") => name,
            ("AWS::SQS::Queue", "QueueUrl") => format!("{}/{ACCOUNT_ID}/{name}", self.sqs_url),
            ("AWS::Serverless::Function" | "AWS::Lambda::Function", "Arn") => {
                self.arn("lambda", &format!("function:{name}"))
            }
            _ => bail!("GetAtt {logical_id}.{attribute} is not supported by the local stack"),
        })
    }
}

/// Evaluates intrinsic functions.
#[derive(Debug, Clone)]
pub struct Resolver<'a> {
    template: &'a Template,
    naming: &'a Naming,
    parameters: HashMap<String, Value>,
    conditions: HashMap<String, bool>,
}

impl<'a> Resolver<'a> {
    /// A resolver using parameter `overrides` over the template's defaults.
    ///
    /// # Errors
    /// When a parameter has neither a default nor an override, or an override breaks the
    /// parameter's `AllowedValues`.
    pub fn new(
        template: &'a Template,
        naming: &'a Naming,
        overrides: &HashMap<String, String>,
    ) -> anyhow::Result<Self> {
        let mut parameters = HashMap::new();
        for (name, declaration) in &template.parameters {
            let value = match overrides.get(name) {
                Some(value) => Value::String(value.clone()),
                None => declaration
                    .get("Default")
                    .cloned()
                    .ok_or_else(|| anyhow!("parameter {name} has no default; pass --parameter {name}=..."))?,
            };
            if let Some(allowed) = declaration.get("AllowedValues").and_then(Value::as_array)
                && !allowed.iter().any(|a| scalar_string(a) == scalar_string(&value))
            {
                bail!("parameter {name}={} is not one of {allowed:?}", scalar_string(&value));
            }
            // A list parameter's `Ref` is a list: its value split on commas, each item trimmed.
            let is_list = declaration
                .get("Type")
                .and_then(Value::as_str)
                .is_some_and(|t| t == "CommaDelimitedList" || t.starts_with("List<"));
            let value = match value {
                Value::String(text) if is_list => {
                    Value::Array(text.split(',').map(|item| Value::String(item.trim().to_owned())).collect())
                }
                other => other,
            };
            parameters.insert(name.clone(), value);
        }
        if let Some(unknown) = overrides.keys().find(|k| !template.parameters.contains_key(*k)) {
            bail!("unknown parameter {unknown}");
        }
        let mut resolver = Self { template, naming, parameters, conditions: HashMap::new() };
        // Conditions may refer to earlier ones; evaluate until every one is known.
        let mut pending: Vec<&String> = template.conditions.keys().collect();
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|name| match resolver.condition_value(&template.conditions[*name]) {
                Ok(value) => {
                    resolver.conditions.insert((*name).clone(), value);
                    false
                }
                Err(_) => true,
            });
            if pending.len() == before {
                let name = pending[0];
                resolver.condition_value(&template.conditions[name]).with_context(|| format!("condition {name}"))?;
            }
        }
        Ok(resolver)
    }

    /// Whether a resource exists under the template's conditions (its `Condition`, if any,
    /// is true).
    pub fn includes(&self, resource: &Value) -> bool {
        resource
            .get("Condition")
            .and_then(Value::as_str)
            .is_none_or(|name| self.conditions.get(name).copied().unwrap_or(false))
    }

    fn condition_value(&self, value: &Value) -> anyhow::Result<bool> {
        let Some((key, argument)) = value.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()) else {
            return match value {
                Value::Bool(b) => Ok(*b),
                other => bail!("not a condition: {other}"),
            };
        };
        let list = || argument.as_array().ok_or_else(|| anyhow!("{key} needs a list"));
        match key.as_str() {
            "Condition" => {
                let name = argument.as_str().unwrap_or_default();
                self.conditions.get(name).copied().ok_or_else(|| anyhow!("condition {name} is not known yet"))
            }
            "Fn::Equals" => {
                let parts = list()?;
                anyhow::ensure!(parts.len() == 2, "Fn::Equals needs two values");
                Ok(scalar_string(&self.resolve(&parts[0])?) == scalar_string(&self.resolve(&parts[1])?))
            }
            "Fn::Not" => {
                Ok(!self.condition_value(list()?.first().ok_or_else(|| anyhow!("Fn::Not needs a condition"))?)?)
            }
            "Fn::And" => list()?.iter().try_fold(true, |all, c| Ok(all && self.condition_value(c)?)),
            "Fn::Or" => list()?.iter().try_fold(false, |any, c| Ok(any || self.condition_value(c)?)),
            other => bail!("{other} is not a condition function"),
        }
    }

    /// Resolves every intrinsic in `value`.
    ///
    /// # Errors
    /// On an unknown reference or an unsupported function.
    pub fn resolve(&self, value: &Value) -> anyhow::Result<Value> {
        match value {
            Value::Array(items) => Ok(Value::Array(items.iter().map(|v| self.resolve(v)).collect::<Result<_, _>>()?)),
            Value::Object(object) if object.len() == 1 => {
                let (key, argument) = object.iter().next().expect("one entry");
                if key == "Ref" || key.starts_with("Fn::") {
                    self.intrinsic(key, argument)
                } else {
                    Ok(Value::Object(Map::from_iter([(key.clone(), self.resolve(argument)?)])))
                }
            }
            Value::Object(object) => Ok(Value::Object(
                object.iter().map(|(k, v)| Ok((k.clone(), self.resolve(v)?))).collect::<anyhow::Result<_>>()?,
            )),
            other => Ok(other.clone()),
        }
    }

    /// Resolves `value` and renders it as the string an environment variable would hold.
    ///
    /// # Errors
    /// As [`Resolver::resolve`].
    pub fn resolve_string(&self, value: &Value) -> anyhow::Result<String> {
        Ok(scalar_string(&self.resolve(value)?))
    }

    fn reference(&self, name: &str) -> anyhow::Result<Value> {
        if let Some(value) = self.parameters.get(name) {
            return Ok(value.clone());
        }
        let pseudo = match name {
            "AWS::Region" => Some(self.naming.region.clone()),
            "AWS::AccountId" => Some(ACCOUNT_ID.to_owned()),
            "AWS::StackName" => Some(self.naming.stack_name.clone()),
            "AWS::Partition" => Some("aws".to_owned()),
            "AWS::URLSuffix" => Some("amazonaws.com".to_owned()),
            "AWS::NoValue" => return Ok(Value::Null),
            _ => None,
        };
        if let Some(alias) = name.strip_suffix(".Alias").map(|function| self.alias_arn(function)) {
            return alias.map(Value::String);
        }
        match pseudo {
            Some(value) => Ok(Value::String(value)),
            None => Ok(Value::String(self.naming.reference(self.template, name)?)),
        }
    }

    /// The ARN of `function`'s `AutoPublishAlias` alias (its own setting, else `Globals`'):
    /// `<function ARN>:<alias>`, which the local stack routes to the function itself.
    fn alias_arn(&self, function: &str) -> anyhow::Result<String> {
        let resource = self.template.resources.get(function);
        if resource.is_none_or(|r| r["Type"] != "AWS::Serverless::Function") {
            bail!("{function}.Alias: {function} is not an AWS::Serverless::Function of the template");
        }
        let own = resource.map(|r| &r["Properties"]["AutoPublishAlias"]).filter(|a| !a.is_null());
        let global = self.template.globals.get("Function").map(|g| &g["AutoPublishAlias"]).filter(|a| !a.is_null());
        let alias = own
            .or(global)
            .ok_or_else(|| anyhow!("{function}.Alias: {function} has no AutoPublishAlias (own or in Globals)"))?;
        let alias = scalar_string(&self.resolve(alias)?);
        let arn = self.naming.attribute(self.template, function, "Arn")?;
        Ok(format!("{arn}:{alias}"))
    }

    fn intrinsic(&self, key: &str, argument: &Value) -> anyhow::Result<Value> {
        match key {
            "Ref" => self.reference(argument.as_str().ok_or_else(|| anyhow!("Ref needs a name"))?),
            "Fn::GetAtt" => {
                let parts: Vec<String> = match self.resolve(argument)? {
                    Value::Array(parts) => parts.iter().map(scalar_string).collect(),
                    Value::String(s) => s.splitn(2, '.').map(str::to_owned).collect(),
                    other => bail!("Fn::GetAtt argument {other}"),
                };
                let [resource, attribute] = parts.as_slice() else { bail!("Fn::GetAtt needs two parts") };
                if attribute == "Alias" {
                    return self.alias_arn(resource).map(Value::String);
                }
                Ok(Value::String(self.naming.attribute(self.template, resource, attribute)?))
            }
            "Fn::Sub" => {
                let (text, variables) = match argument {
                    Value::String(text) => (text.clone(), Map::new()),
                    Value::Array(parts) if parts.len() == 2 => (
                        parts[0].as_str().ok_or_else(|| anyhow!("Fn::Sub text"))?.to_owned(),
                        parts[1].as_object().cloned().unwrap_or_default(),
                    ),
                    other => bail!("Fn::Sub argument {other}"),
                };
                self.substitute(&text, &variables).map(Value::String)
            }
            "Fn::Join" => {
                let parts = argument.as_array().filter(|p| p.len() == 2).ok_or_else(|| anyhow!("Fn::Join"))?;
                let separator = parts[0].as_str().unwrap_or_default();
                let items = self.resolve(&parts[1])?;
                let items = items.as_array().ok_or_else(|| anyhow!("Fn::Join needs a list"))?;
                Ok(Value::String(items.iter().map(scalar_string).collect::<Vec<_>>().join(separator)))
            }
            "Fn::Select" => {
                let parts = argument.as_array().filter(|p| p.len() == 2).ok_or_else(|| anyhow!("Fn::Select"))?;
                let index: usize = scalar_string(&self.resolve(&parts[0])?).parse()?;
                let list = self.resolve(&parts[1])?;
                list.get(index).cloned().ok_or_else(|| anyhow!("Fn::Select index {index} out of range"))
            }
            "Fn::If" => {
                let parts = argument.as_array().filter(|p| p.len() == 3).ok_or_else(|| anyhow!("Fn::If"))?;
                let condition = parts[0].as_str().unwrap_or_default();
                let holds = match condition {
                    "true" => true,
                    "false" => false,
                    name => *self.conditions.get(name).ok_or_else(|| anyhow!("unknown condition {name}"))?,
                };
                let chosen = self.resolve(&parts[if holds { 1 } else { 2 }])?;
                Ok(chosen)
            }
            "Fn::FindInMap" => {
                let parts = argument.as_array().filter(|p| p.len() == 3).ok_or_else(|| anyhow!("Fn::FindInMap"))?;
                let keys: Vec<String> =
                    parts.iter().map(|part| self.resolve(part).map(|v| scalar_string(&v))).collect::<Result<_, _>>()?;
                self.template
                    .mappings
                    .get(&keys[0])
                    .and_then(|map| map.get(&keys[1]))
                    .and_then(|entry| entry.get(&keys[2]))
                    .cloned()
                    .ok_or_else(|| anyhow!("Fn::FindInMap: no {}.{}.{} in Mappings", keys[0], keys[1], keys[2]))
            }
            other => bail!("{other} is not supported by the local stack"),
        }
    }

    fn substitute(&self, text: &str, variables: &Map<String, Value>) -> anyhow::Result<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                out.push_str("${");
                rest = literal;
                continue;
            }
            let end = after.find('}').ok_or_else(|| anyhow!("unclosed ${{ in Fn::Sub"))?;
            let name = &after[..end];
            let value = if let Some(value) = variables.get(name) {
                scalar_string(&self.resolve(value)?)
            } else if let Some((resource, attribute)) = name.split_once('.')
                && self.template.resources.contains_key(resource)
            {
                if attribute == "Alias" {
                    self.alias_arn(resource)?
                } else {
                    self.naming.attribute(self.template, resource, attribute)?
                }
            } else {
                scalar_string(&self.reference(name)?)
            };
            out.push_str(&value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// `template` without the resources whose `Condition` is false under `overrides`.
///
/// # Errors
/// When a condition cannot be evaluated.
pub fn apply_conditions(
    mut template: Template,
    naming: &Naming,
    overrides: &HashMap<String, String>,
) -> anyhow::Result<Template> {
    let excluded: Vec<String> = {
        let resolver = Resolver::new(&template, naming, overrides)?;
        template.resources.iter().filter(|(_, r)| !resolver.includes(r)).map(|(id, _)| id.clone()).collect()
    };
    for id in excluded {
        template.resources.remove(&id);
    }
    Ok(template)
}

/// A scalar as CloudFormation would stringify it (numbers and booleans unquoted).
pub fn scalar_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"
Parameters:
  Bonus: { Type: Number, Default: 1000 }
  Level: { Type: String, Default: info, AllowedValues: [info, debug] }
Resources:
  Table: { Type: AWS::DynamoDB::Table, Properties: {} }
  Topic: { Type: AWS::SNS::Topic }
  Queue: { Type: AWS::SQS::Queue }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          TABLE: !Ref Table
          TOPIC: !Ref Topic
          BONUS: !Ref Bonus
          STREAM: !GetAtt Table.StreamArn
          INDEX: !Sub "${Table.Arn}/index/X in ${AWS::Region} ${!Literal}"
          QUEUE: !GetAtt [Queue, Arn]
          JOINED: !Join [",", [a, !Ref Level]]
"#;

    fn naming() -> Naming {
        Naming { stack_name: "s".into(), region: "us-east-1".into(), sqs_url: "http://127.0.0.1:9".into() }
    }

    #[test]
    fn intrinsics_resolve_to_local_names() {
        let template = Template::parse(TEXT).unwrap();
        let naming = naming();
        let resolver = Resolver::new(&template, &naming, &HashMap::new()).unwrap();
        let env = resolver.resolve(&template.resources["Fn"]["Properties"]["Environment"]["Variables"]).unwrap();
        assert_eq!(env["TABLE"], "s-Table");
        assert_eq!(env["TOPIC"], "arn:aws:sns:us-east-1:000000000000:s-Topic");
        assert_eq!(scalar_string(&env["BONUS"]), "1000");
        assert_eq!(env["STREAM"], "arn:aws:dynamodb:us-east-1:000000000000:table/s-Table/stream/local");
        assert_eq!(
            env["INDEX"],
            "arn:aws:dynamodb:us-east-1:000000000000:table/s-Table/index/X in us-east-1 ${Literal}"
        );
        assert_eq!(env["QUEUE"], "arn:aws:sqs:us-east-1:000000000000:s-Queue");
        assert_eq!(env["JOINED"], "a,info");
    }

    #[test]
    fn a_function_alias_is_the_function_qualified_by_its_auto_publish_alias() {
        let text = r#"
Parameters:
  AliasName: { Type: String, Default: live }
Globals:
  Function:
    AutoPublishAlias: !Ref AliasName
    DeploymentPreference: { Type: Canary10Percent5Minutes }
Resources:
  Target: { Type: AWS::Serverless::Function, Properties: {} }
  Own: { Type: AWS::Serverless::Function, Properties: { AutoPublishAlias: blue } }
  Table: { Type: AWS::DynamoDB::Table, Properties: {} }
"#;
        let template = Template::parse(text).unwrap();
        let naming = naming();
        let resolver = Resolver::new(&template, &naming, &HashMap::new()).unwrap();
        let live = "arn:aws:lambda:us-east-1:000000000000:function:s-Target:live";
        assert_eq!(resolver.resolve(&serde_json::json!({"Ref": "Target.Alias"})).unwrap(), live);
        assert_eq!(resolver.resolve(&serde_json::json!({"Fn::GetAtt": ["Target", "Alias"]})).unwrap(), live);
        assert_eq!(
            resolver.resolve(&serde_json::json!({"Fn::Sub": "call ${Target.Alias}"})).unwrap(),
            format!("call {live}")
        );
        assert_eq!(
            resolver.resolve(&serde_json::json!({"Ref": "Own.Alias"})).unwrap(),
            "arn:aws:lambda:us-east-1:000000000000:function:s-Own:blue"
        );
        let not_a_function = resolver.resolve(&serde_json::json!({"Ref": "Table.Alias"})).unwrap_err().to_string();
        assert!(not_a_function.contains("not an AWS::Serverless::Function"), "{not_a_function}");
        let without = Template::parse("Resources:\n  F: { Type: AWS::Serverless::Function }\n").unwrap();
        let resolver = Resolver::new(&without, &naming, &HashMap::new()).unwrap();
        let error = resolver.resolve(&serde_json::json!({"Ref": "F.Alias"})).unwrap_err().to_string();
        assert!(error.contains("has no AutoPublishAlias"), "{error}");
    }

    #[test]
    fn find_in_map_reads_the_mappings_with_resolved_keys() {
        let text = r#"
Parameters:
  LogLevel: { Type: String, Default: warn }
Mappings:
  LogLevels:
    warn: { Lambda: WARN, System: WARN }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      LoggingConfig:
        ApplicationLogLevel: !FindInMap [LogLevels, !Ref LogLevel, Lambda]
        SystemLogLevel: !FindInMap [LogLevels, missing, System]
"#;
        let template = Template::parse(text).unwrap();
        let naming = naming();
        let resolver = Resolver::new(&template, &naming, &HashMap::new()).unwrap();
        let logging = &template.resources["Fn"]["Properties"]["LoggingConfig"];
        assert_eq!(resolver.resolve(&logging["ApplicationLogLevel"]).unwrap(), "WARN");
        let error = resolver.resolve(&logging["SystemLogLevel"]).unwrap_err().to_string();
        assert!(error.contains("LogLevels.missing.System"), "{error}");
    }

    #[test]
    fn conditions_choose_values_and_resources() {
        let text = r#"
Parameters:
  Issuer: { Type: String, Default: "" }
Conditions:
  CreatePool: !Equals [!Ref Issuer, ""]
  UseGiven: !Not [!Condition CreatePool]
Resources:
  Pool: { Type: AWS::Cognito::UserPool, Condition: CreatePool }
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Issuer: !If [CreatePool, !Sub "https://idp/${Pool}", !Ref Issuer]
"#;
        let template = Template::parse(text).unwrap();
        let naming = naming();
        let resolver = Resolver::new(&template, &naming, &HashMap::new()).unwrap();
        assert!(resolver.includes(&template.resources["Pool"]));
        assert_eq!(resolver.resolve(&template.resources["Api"]["Properties"]["Issuer"]).unwrap(), "https://idp/s-Pool");
        let given = HashMap::from([("Issuer".to_owned(), "https://issuer.example".to_owned())]);
        let resolver = Resolver::new(&template, &naming, &given).unwrap();
        assert!(!resolver.includes(&template.resources["Pool"]));
        assert_eq!(
            resolver.resolve(&template.resources["Api"]["Properties"]["Issuer"]).unwrap(),
            "https://issuer.example"
        );
    }

    #[test]
    fn a_list_parameter_refs_to_a_list() {
        let text = r#"
Parameters:
  Origins: { Type: CommaDelimitedList, Default: "http://a, http://b" }
Resources:
  Api: { Type: AWS::Serverless::HttpApi, Properties: { Origins: !Ref Origins } }
"#;
        let template = Template::parse(text).unwrap();
        let naming = naming();
        let resolver = Resolver::new(&template, &naming, &HashMap::new()).unwrap();
        let origins = resolver.resolve(&template.resources["Api"]["Properties"]["Origins"]).unwrap();
        assert_eq!(origins, serde_json::json!(["http://a", "http://b"]));
        let given = HashMap::from([("Origins".to_owned(), "https://c".to_owned())]);
        let resolver = Resolver::new(&template, &naming, &given).unwrap();
        let origins = resolver.resolve(&template.resources["Api"]["Properties"]["Origins"]).unwrap();
        assert_eq!(origins, serde_json::json!(["https://c"]));
    }

    #[test]
    fn parameters_are_overridden_and_checked() {
        let template = Template::parse(TEXT).unwrap();
        let naming = naming();
        let overrides = HashMap::from([("Bonus".to_owned(), "5".to_owned())]);
        let resolver = Resolver::new(&template, &naming, &overrides).unwrap();
        assert_eq!(resolver.resolve_string(&serde_json::json!({"Ref": "Bonus"})).unwrap(), "5");
        let bad = HashMap::from([("Level".to_owned(), "loud".to_owned())]);
        assert!(Resolver::new(&template, &naming, &bad).is_err());
        let unknown = HashMap::from([("Nope".to_owned(), "1".to_owned())]);
        assert!(Resolver::new(&template, &naming, &unknown).is_err());
        assert!(resolver.resolve(&serde_json::json!({"Ref": "Missing"})).is_err());
    }
}
