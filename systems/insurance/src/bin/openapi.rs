//! Prints the OpenAPI document.
fn main() {}
