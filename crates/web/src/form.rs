//! Posted forms: the fields as sent, the token check that every change passes, and the
//! errors shown at the top of a form and next to each field.

use axum::extract::{Form, FromRequest, Request};
use subtle::ConstantTimeEq;

use crate::auth::SignedIn;
use crate::cookies;
use crate::error::WebError;
use crate::state::AppState;

/// The fields of a posted form, in order; a field may repeat (checkboxes).
#[derive(Debug, Default, Clone)]
pub(crate) struct Fields(Vec<(String, String)>);

impl Fields {
    pub(crate) fn new(pairs: Vec<(String, String)>) -> Fields {
        Fields(pairs)
    }

    /// The field's value, trimmed; empty when absent.
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .unwrap_or("")
    }

    /// The field's value exactly as sent (a password may begin or end with a space).
    pub(crate) fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The field's value, or `None` when absent or blank.
    pub(crate) fn optional(&self, name: &str) -> Option<String> {
        Some(self.get(name))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// Every value of a repeated field.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.trim())
            .filter(|value| !value.is_empty())
            .collect()
    }

    /// A checkbox: sent (with any value) means ticked.
    pub(crate) fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(key, _)| key == name)
    }
}

/// Whether two tokens are equal, in constant time.
pub(crate) fn same_token(a: &str, b: &str) -> bool {
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A form posted by a signed-in person, its token checked against the session's.
pub(crate) struct Posted {
    pub user: SignedIn,
    pub fields: Fields,
}

impl FromRequest<AppState> for Posted {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Posted, WebError> {
        let (mut parts, body) = request.into_parts();
        let user = <SignedIn as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, state,
        )
        .await?;
        let request = Request::from_parts(parts, body);
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|rejection| WebError::unreadable_body(rejection.status()))?;
        let fields = Fields::new(pairs);
        if !same_token(fields.get("csrf"), &user.session.csrf) {
            return Err(WebError::FormToken);
        }
        Ok(Posted { user, fields })
    }
}

/// A form posted before sign-in (sign-in, second factor, setup): its token must match
/// the form cookie, which another site can neither read nor set.
pub(crate) struct AnonymousPost {
    pub fields: Fields,
    pub client: Option<std::net::IpAddr>,
}

impl FromRequest<AppState> for AnonymousPost {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<AnonymousPost, WebError> {
        let headers = request.headers().clone();
        let client = crate::client_address::client_address(
            request.extensions(),
            &headers,
            &state.settings().trusted_proxies,
        );
        let Form(pairs) = Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|rejection| WebError::unreadable_body(rejection.status()))?;
        let fields = Fields::new(pairs);
        let cookie = cookies::read(&headers, cookies::FORM_TOKEN).unwrap_or_default();
        if !same_token(fields.get("csrf"), &cookie) {
            return Err(WebError::FormToken);
        }
        Ok(AnonymousPost { fields, client })
    }
}

/// The errors of one form: shown in a summary at the top (each a link to its field) and
/// beside each field.
#[derive(Debug, Default, Clone)]
pub(crate) struct Errors(Vec<(String, String)>);

impl Errors {
    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        if self.for_field(field).is_none() {
            self.0.push((field.to_owned(), message.into()));
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn list(&self) -> &[(String, String)] {
        &self.0
    }

    pub(crate) fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == field)
            .map(|(_, message)| message.as_str())
    }

    /// `aria-invalid` and the error's id for a field's `aria-describedby`.
    pub(crate) fn has(&self, field: &str) -> bool {
        self.for_field(field).is_some()
    }
}

/// Percent-encodes a value for a query string.
pub(crate) fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Where to go after signing in: `back` when it is a path on this site, else the start.
/// Only printable ASCII is let through: a browser drops a tab or a newline from a
/// `Location`, so `/\t/evil.example` would arrive as `//evil.example`, another site.
pub(crate) fn local_path(back: Option<&str>) -> String {
    match back {
        Some(path) if is_local_path(path) => path.to_owned(),
        _ => String::from("/"),
    }
}

fn is_local_path(path: &str) -> bool {
    let mut chars = path.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && path.chars().all(|c| c.is_ascii_graphic() && c != '\\')
}

/// The token for a form shown before sign-in: the one in the form cookie, or a new one
/// with the `Set-Cookie` that stores it.
pub(crate) fn anonymous_token(
    headers: &axum::http::HeaderMap,
    secure: bool,
) -> (String, Option<axum::http::HeaderValue>) {
    match cookies::read(headers, cookies::FORM_TOKEN) {
        Some(token) if token.len() >= 32 => (token, None),
        _ => {
            let token = cookies::random_token();
            let cookie = cookies::set(cookies::FORM_TOKEN, &token, secure);
            (token, Some(cookie))
        }
    }
}

/// A page response with an optional cookie to set.
pub(crate) fn with_cookie(
    mut response: axum::response::Response,
    cookie: Option<axum::http::HeaderValue>,
) -> axum::response::Response {
    if let Some(cookie) = cookie {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, cookie);
    }
    response
}

/// A plausible e-mail address: something@something.something, no spaces. (Whether it
/// arrives is for the mail to find out.)
pub(crate) fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(char::is_whitespace)
        && !domain.contains('@')
}

/// The query string read into `T`, or `T::default()` when it does not read (a repeated or
/// malformed parameter): a page then answers with its defaults instead of axum's
/// plain-text 400.
pub(crate) struct Lenient<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for Lenient<T>
where
    T: serde::de::DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Lenient<T>, std::convert::Infallible> {
        let query = parts.uri.query().unwrap_or_default();
        Ok(Lenient(
            serde_urlencoded::from_str(query).unwrap_or_default(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_way_back_stays_on_this_site() {
        for path in ["/zaken/1?x=2#kern", "/", "/mijn-meldingen"] {
            assert_eq!(local_path(Some(path)), path);
        }
        for path in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://evil.example/",
            "evil.example",
            "",
            "/zaken/é",
        ] {
            assert_eq!(local_path(Some(path)), "/", "{path:?}");
        }
        assert_eq!(local_path(None), "/");
    }

    proptest! {
        /// Whatever is asked for, the browser stays on this site: the way back, read as a
        /// browser reads a Location (tabs and newlines dropped) against this site, names
        /// this site's host.
        #[test]
        fn no_way_back_leaves_the_site(back in "[/\\\\\t\n\r a-z:.@%?#]{0,12}") {
            let target = local_path(Some(&back));
            let as_read: String = target.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
            let base = url::Url::parse("https://weerbaar.example/aanmelden").unwrap();
            let url = base.join(&as_read).unwrap();
            prop_assert_eq!(url.host_str(), Some("weerbaar.example"));
            prop_assert_eq!(url.scheme(), "https");
        }
    }

    #[test]
    fn tokens_must_be_equal_and_not_empty() {
        assert!(same_token("abc", "abc"));
        assert!(!same_token("abc", "abd"));
        assert!(!same_token("", ""));
        assert!(!same_token("abc", "abcd"));
    }

    #[test]
    fn fields_are_trimmed_and_repeat() {
        let fields = Fields::new(vec![
            ("a".into(), " x ".into()),
            ("b".into(), "1".into()),
            ("b".into(), "2".into()),
        ]);
        assert_eq!(fields.get("a"), "x");
        assert_eq!(fields.all("b"), ["1", "2"]);
        assert_eq!(fields.optional("c"), None);
        assert!(fields.ticked("b"));
    }
}
