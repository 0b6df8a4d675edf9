//! Access and server information: ACL (RFC 4314), QUOTA (RFC 9208), METADATA (RFC 5464),
//! NAMESPACE (RFC 2342) and ID (RFC 2971). Results are the crate's `AclEntry`, `ListRights`,
//! `Quota`, `QuotaRootInfo`, `MetadataValues`, `Namespace`.

use serde::Serialize;

use tsify::{Ts, Tsify};
use wasm_bindgen::prelude::*;

use super::args::{self, CallOptions, JsResult, js_err};
use super::client::ImapClient;
use super::client::Timed;
use super::errors;
use super::read::{FromJs, Read, js_object};
use super::ser::to_js;
use crate::types::{AclModification, AclRights, GetMetadataOptions, MetadataDepth};

/// A limit for `setQuota`.
#[derive(Debug, Tsify)]
pub struct QuotaLimit {
    /// The resource, e.g. `"STORAGE"`.
    pub resource: String,
    /// Its new limit.
    pub limit: f64,
}

/// Options of `getMetadata`.
#[derive(Debug, Default, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct MetadataOptions {
    /// `MAXSIZE`: only values up to this many bytes.
    #[tsify(optional)]
    pub max_size: Option<u32>,
    /// `DEPTH`: `"0"` (default), `"1"` or `"infinity"`.
    #[tsify(optional, type = "\"0\" | \"1\" | \"infinity\"")]
    pub depth: Option<String>,
    /// Time allowed for this call (milliseconds).
    #[tsify(optional)]
    pub timeout_ms: Option<f64>,
}

impl Timed for MetadataOptions {
    fn timeout_ms(&self) -> Option<f64> {
        self.timeout_ms
    }
}

/// One entry for `setMetadata`; `value: null` removes it.
#[derive(Debug, Tsify)]
pub struct MetadataSet {
    /// The entry, e.g. `"/private/comment"`.
    pub name: String,
    /// The new value (`Uint8Array`, or a string stored as UTF-8); `null` removes the entry.
    #[tsify(type = "Uint8Array | string | null")]
    pub value: JsValue,
}

/// `ID` parameters: `[name, value]` pairs (RFC 2971).
#[derive(Debug, Default, Serialize, Tsify)]
pub struct IdFields(pub Vec<(String, Option<String>)>);

#[wasm_bindgen]
impl ImapClient {
    /// `GETACL mailbox` (RFC 4314).
    #[wasm_bindgen(js_name = getAcl, unchecked_return_type = "Promise<AclEntry[]>")]
    pub fn get_acl(&self, mailbox: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let acl = c.get_acl(mailbox, t).await.map_err(js_err)?;
            to_js(&acl.entries)
        })
    }

    /// `SETACL mailbox identifier rights`: `"lr"` replaces, `"+w"` adds, `"-w"` removes.
    #[wasm_bindgen(js_name = setAcl, unchecked_return_type = "Promise<void>")]
    pub fn set_acl(
        &self,
        mailbox: String,
        identifier: String,
        rights: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let m = if let Some(r) = rights.strip_prefix('+') {
                AclModification::Add(AclRights::new(r).map_err(js_err)?)
            } else if let Some(r) = rights.strip_prefix('-') {
                AclModification::Remove(AclRights::new(r).map_err(js_err)?)
            } else {
                AclModification::Replace(AclRights::new(&rights).map_err(js_err)?)
            };
            c.set_acl(mailbox, &identifier, m, t).await.map_err(js_err)
        })
    }

    /// `DELETEACL mailbox identifier`.
    #[wasm_bindgen(js_name = deleteAcl, unchecked_return_type = "Promise<void>")]
    pub fn delete_acl(
        &self,
        mailbox: String,
        identifier: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.delete_acl(mailbox, &identifier, t).await.map_err(js_err)
        })
    }

    /// `LISTRIGHTS mailbox identifier`.
    #[wasm_bindgen(js_name = listRights, unchecked_return_type = "Promise<ListRights>")]
    pub fn list_rights(
        &self,
        mailbox: String,
        identifier: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let r = c
                .list_rights(mailbox, &identifier, t)
                .await
                .map_err(js_err)?;
            to_js(&r)
        })
    }

    /// `MYRIGHTS mailbox`: the user's rights, e.g. `"lrswipkxtecda"`.
    #[wasm_bindgen(js_name = myRights, unchecked_return_type = "Promise<string>")]
    pub fn my_rights(&self, mailbox: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let r = c.my_rights(mailbox, t).await.map_err(js_err)?;
            Ok(JsValue::from(r.rights))
        })
    }

    /// `GETQUOTA root` (RFC 9208).
    #[wasm_bindgen(js_name = getQuota, unchecked_return_type = "Promise<Quota>")]
    pub fn get_quota(&self, root: String, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let q = c.get_quota(&root, t).await.map_err(js_err)?;
            to_js(&q)
        })
    }

    /// `GETQUOTAROOT mailbox`: the mailbox's quota roots and their quotas.
    #[wasm_bindgen(js_name = getQuotaRoot, unchecked_return_type = "Promise<QuotaRootInfo>")]
    pub fn get_quota_root(
        &self,
        mailbox: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let q = c.get_quota_root(mailbox, t).await.map_err(js_err)?;
            to_js(&q)
        })
    }

    /// `SETQUOTA root (resource limit …)` (usually administrators only).
    #[wasm_bindgen(js_name = setQuota, unchecked_return_type = "Promise<void>")]
    pub fn set_quota(
        &self,
        root: String,
        limits: Vec<Ts<QuotaLimit>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let limits = limits
                .iter()
                .map(|l| {
                    let l = args::read(l)?;
                    if !(0.0..=9_007_199_254_740_992.0).contains(&l.limit) || l.limit.fract() != 0.0
                    {
                        return Err(errors::invalid("a quota limit must be a whole number ≥ 0"));
                    }
                    let name = crate::types::response::QuotaResourceName::new(&l.resource)
                        .map_err(js_err)?;
                    Ok((name, l.limit as u64))
                })
                .collect::<JsResult<Vec<_>>>()?;
            c.set_quota(&root, &limits, t).await.map_err(js_err)
        })
    }

    /// `GETMETADATA` (RFC 5464) of `mailbox`, or of the server when `mailbox` is `""`.
    #[wasm_bindgen(js_name = getMetadata, unchecked_return_type = "Promise<MetadataValues>")]
    pub fn get_metadata(
        &self,
        mailbox: String,
        entries: Vec<String>,
        options: Option<Ts<MetadataOptions>>,
    ) -> js_sys::Promise {
        self.call_with(options, move |c, o, t| async move {
            let depth = match o.depth.as_deref() {
                None | Some("0") => None,
                Some("1") => Some(MetadataDepth::One),
                Some("infinity") => Some(MetadataDepth::Infinity),
                Some(_) => {
                    return Err(errors::invalid(
                        "depth must be \"0\", \"1\" or \"infinity\"",
                    ));
                }
            };
            let opts = GetMetadataOptions {
                max_size: o.max_size,
                depth,
            };
            let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
            let v = if mailbox.is_empty() {
                c.get_server_metadata(&entries, opts, t).await
            } else {
                c.get_metadata(mailbox, &entries, opts, t).await
            }
            .map_err(js_err)?;
            to_js(&v)
        })
    }

    /// `SETMETADATA` of `mailbox`, or of the server when `mailbox` is `""`; `value: null`
    /// removes an entry.
    #[wasm_bindgen(js_name = setMetadata, unchecked_return_type = "Promise<void>")]
    pub fn set_metadata(
        &self,
        mailbox: String,
        entries: Vec<Ts<MetadataSet>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let owned = entries
                .iter()
                .map(|e| {
                    let e = args::read(e)?;
                    let value = if e.value.is_null() || e.value.is_undefined() {
                        None
                    } else {
                        Some(args::message_bytes(&e.value)?)
                    };
                    Ok((e.name, value))
                })
                .collect::<JsResult<Vec<_>>>()?;
            let entries: Vec<(&str, Option<&[u8]>)> = owned
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_deref()))
                .collect();
            if mailbox.is_empty() {
                c.set_server_metadata(&entries, t).await
            } else {
                c.set_metadata(mailbox, &entries, t).await
            }
            .map_err(js_err)
        })
    }

    /// `NAMESPACE` (RFC 2342).
    #[wasm_bindgen(unchecked_return_type = "Promise<Namespace>")]
    pub fn namespace(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let n = c.namespace(t).await.map_err(js_err)?;
            to_js(&n)
        })
    }

    /// `ID` (RFC 2971): sends the client's `[name, value]` pairs (or `null`) and resolves
    /// with the server's (a value is `undefined` where the server sent NIL), or `undefined`
    /// when it sends NIL for the whole list.
    #[wasm_bindgen(unchecked_return_type = "Promise<IdFields | undefined>")]
    pub fn id(
        &self,
        fields: Option<Ts<IdFields>>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            let mine = args::read_opt(fields.as_ref())?;
            // The Rust API sends values as strings: a missing value is refused, not invented.
            let pairs = match &fields {
                None => None,
                Some(_) => Some(
                    mine.0
                        .iter()
                        .map(|(k, v)| match v {
                            Some(v) => Ok((k.as_str(), v.as_str())),
                            None => Err(errors::invalid("an ID value must be a string")),
                        })
                        .collect::<JsResult<Vec<_>>>()?,
                ),
            };
            match c.id(pairs.as_deref(), t).await.map_err(js_err)? {
                Some(theirs) => to_js(&theirs),
                None => Ok(JsValue::UNDEFINED),
            }
        })
    }
}

js_object!(QuotaLimit {
    resource: "resource",
    limit: "limit"
});

js_object!(MetadataOptions {
    max_size: "maxSize",
    depth: "depth",
    timeout_ms: "timeoutMs"
});

js_object!(MetadataSet {
    name: "name",
    value: "value"
});

impl FromJs for IdFields {
    fn from_js(v: &JsValue) -> Read<Self> {
        Vec::from_js(v).map(Self)
    }
}
