//! Food delivery's calls on top of the generic black-box harness ([`stack_test`]).
