//! Room promotion (seed 001), end to end: the system's black-box tests live in `tests/`;
//! the contexts are the crates under `functions/`, their messages in `contracts/`.
