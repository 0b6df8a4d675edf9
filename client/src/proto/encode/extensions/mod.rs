//! Extension commands, one module per extension: ENABLE, ID, IDLE, NOTIFY, METADATA, QUOTA
//! and ACL. (CONDSTORE/QRESYNC parameters are written with SELECT, FETCH and STORE;
//! COMPRESS is a fixed string.)

pub(super) mod acl;
pub(super) mod enable;
pub(super) mod id;
pub(crate) mod idle;
pub(super) mod metadata;
pub(super) mod notify;
pub(super) mod quota;
