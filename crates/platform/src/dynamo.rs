//! Conditional puts for DynamoDB transactions: the one way every context writes an item
//! that must be new, or must still be at the version it read.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};

/// A DynamoDB item.
pub type Item = HashMap<String, AttributeValue>;

/// What must hold for a put to be written.
#[derive(Debug, Clone)]
pub enum Condition {
    /// No item with this key exists yet (`attribute_not_exists(pk)`).
    New,
    /// The stored item is at this version (`version = :expected`): optimistic concurrency.
    Version(u64),
    /// Any condition expression with its values, e.g. `("reversed = :no", [(":no", false)])`.
    Expression(String, Vec<(String, AttributeValue)>),
}

/// The transaction item that puts `item` into `table` if `condition` holds.
pub fn put(table: &str, item: Item, condition: Condition) -> TransactWriteItem {
    let builder = Put::builder().table_name(table).set_item(Some(item));
    let builder = match condition {
        Condition::New => builder.condition_expression("attribute_not_exists(pk)"),
        Condition::Version(version) => builder
            .condition_expression("version = :expected")
            .expression_attribute_values(":expected", AttributeValue::N(version.to_string())),
        Condition::Expression(expression, values) => {
            values.into_iter().fold(builder.condition_expression(expression), |b, (name, value)| {
                b.expression_attribute_values(name, value)
            })
        }
    };
    TransactWriteItem::builder().put(builder.build().expect("table name and item are set")).build()
}
