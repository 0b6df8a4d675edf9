//! Authentication: LOGIN, AUTHENTICATE (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) and
//! UNAUTHENTICATE (RFC 8437). A refusal rejects with code `"NO"` (usually with
//! `responseCode: "AUTHENTICATIONFAILED"`) or `"OAUTH"`.

use tsify::Ts;
use wasm_bindgen::prelude::*;

use super::args::{CallOptions, js_err};
use super::client::ImapClient;
use crate::proto::sasl::SaslClient;

#[wasm_bindgen]
impl ImapClient {
    /// `LOGIN`. A wrong password rejects with `code: "NO"` and (usually)
    /// `responseCode: "AUTHENTICATIONFAILED"`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn login(
        &self,
        user: String,
        password: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.login(&user, &password, t).await.map_err(js_err)
        })
    }

    /// `AUTHENTICATE PLAIN`.
    #[wasm_bindgen(js_name = authenticatePlain, unchecked_return_type = "Promise<void>")]
    pub fn authenticate_plain(
        &self,
        user: String,
        password: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.authenticate_plain(&user, &password, t)
                .await
                .map_err(js_err)
        })
    }

    /// `AUTHENTICATE LOGIN`.
    #[wasm_bindgen(js_name = authenticateLogin, unchecked_return_type = "Promise<void>")]
    pub fn authenticate_login(
        &self,
        user: String,
        password: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.sasl(
            SaslClient::login(&user, &password).map_err(Into::into),
            options,
        )
    }

    /// `AUTHENTICATE XOAUTH2` with an OAuth 2.0 access token.
    #[wasm_bindgen(js_name = authenticateXoauth2, unchecked_return_type = "Promise<void>")]
    pub fn authenticate_xoauth2(
        &self,
        user: String,
        token: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.sasl(
            SaslClient::xoauth2(&user, &token).map_err(Into::into),
            options,
        )
    }

    /// `AUTHENTICATE OAUTHBEARER` (RFC 7628); `host` and `port` are the IMAP server's.
    #[wasm_bindgen(js_name = authenticateOauthbearer, unchecked_return_type = "Promise<void>")]
    pub fn authenticate_oauthbearer(
        &self,
        user: String,
        host: String,
        port: u16,
        token: String,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.sasl(
            SaslClient::oauthbearer(&user, &host, port, &token).map_err(Into::into),
            options,
        )
    }

    /// `UNAUTHENTICATE` (RFC 8437): back to the not-authenticated state, to log in again.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn unauthenticate(&self, options: Option<Ts<CallOptions>>) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.unauthenticate(t).await.map_err(js_err)
        })
    }
}

impl ImapClient {
    fn sasl(
        &self,
        client: crate::Result<SaslClient>,
        options: Option<Ts<CallOptions>>,
    ) -> js_sys::Promise {
        self.call(options, move |c, t| async move {
            c.authenticate(client.map_err(js_err)?, t)
                .await
                .map_err(js_err)
        })
    }
}
