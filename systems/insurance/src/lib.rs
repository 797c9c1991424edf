//! Insurance end to end.
