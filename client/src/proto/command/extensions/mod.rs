//! Arguments of extension commands, one module per extension. Extensions whose commands
//! take only [`crate::types`] values (ENABLE, ID, IDLE, COMPRESS, QUOTA) have no module here.

pub(super) mod acl;
pub(super) mod condstore;
pub(super) mod metadata;
pub(super) mod notify;
