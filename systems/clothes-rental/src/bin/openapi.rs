//! Writes Clothes rental's OpenAPI document (not yet generated).

fn main() {}
