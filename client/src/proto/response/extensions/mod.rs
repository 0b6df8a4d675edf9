//! Response data of extensions: NAMESPACE, QUOTA, ACL, METADATA and QRESYNC's VANISHED.
//! (ID and ENABLED are simple enough to live in [`Data`](super::Data) directly.)

mod acl;
mod condstore;
mod convert;
mod metadata;
mod namespace;
mod quota;

pub use acl::{Acl, AclEntry, ListRights, MyRights};
pub use condstore::Vanished;
pub(crate) use convert::id_into_owned;
pub use metadata::{Metadata, MetadataEntries};
pub use namespace::{Namespace, NamespaceDescr};
pub use quota::{Quota, QuotaResource, QuotaRoot};
