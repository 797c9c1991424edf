//! The customercenter context (고객센터): the customers' my page (마이페이지), a read model
//! fed only by the order and delivery contexts' events.
//!
//! - [`domain`]: the my-page row and how events merge into it; no I/O.

pub mod domain;
