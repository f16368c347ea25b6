//! Who is knocking: the client's address, as seen through the reverse proxies the
//! operator trusts (`server.trusted_proxies`), and the per-address limit on sign-in
//! attempts that the register keeps for every server on the database.
//!
//! Behind a proxy every request comes from the proxy's address; counting that would give
//! all users one limit. Only a proxy that is trusted may say, in `X-Forwarded-For`, whom it
//! forwards for: the header is read from the right (the proxies nearest to us add last),
//! skipping trusted proxies, and the first address that is not one is the client. From
//! any other peer the header is ignored: a client could write anything in it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use ipnet::IpNet;

use crate::error::WebError;
use crate::state::AppState;

/// Sign-in attempts an address may make in [`SIGN_IN_WINDOW`].
pub(crate) const SIGN_IN_ATTEMPTS: u32 = 20;
pub(crate) const SIGN_IN_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_secs(60);

/// The client's address: the socket's peer, or — when that peer is a trusted proxy —
/// the address it forwards for. `None` without a socket (in-process tests).
pub(crate) fn client_address(
    extensions: &Extensions,
    headers: &HeaderMap,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>()?.0.ip();
    Some(forwarded_for(peer, headers, trusted))
}

fn forwarded_for(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |address: &IpAddr| trusted.iter().any(|net| net.contains(address));
    if !is_trusted(&peer) {
        return peer;
    }
    // Every X-Forwarded-For line, in order, as one list.
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // A hop that is not an address (or a port was added): the chain cannot be
        // followed further; the last trusted hop's view is what we know.
        let Ok(address) = hop.parse::<IpAddr>() else {
            break;
        };
        client = address;
        if !is_trusted(&address) {
            break;
        }
    }
    client
}

/// Counts a sign-in attempt of the request's client; refuses (429) past the limit.
/// Without a known address (no socket) nothing is counted.
pub(crate) async fn limit_sign_in(
    state: &AppState,
    client: Option<IpAddr>,
) -> Result<(), WebError> {
    let Some(client) = client else {
        return Ok(());
    };
    let allowed = state
        .register()
        .count_sign_in_attempt(
            &client.to_string(),
            SIGN_IN_ATTEMPTS,
            SIGN_IN_WINDOW,
            jiff::Timestamp::now(),
        )
        .await?;
    if allowed {
        Ok(())
    } else {
        tracing::warn!(client = %client, "sign-in: too many attempts from one address");
        Err(WebError::TooManyAttempts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|text| text.parse().unwrap()).collect()
    }

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in values {
            map.append("x-forwarded-for", value.parse().unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let trusted = nets(&["10.0.0.0/8"]);
        let said = headers(&["203.0.113.9"]);
        assert_eq!(
            forwarded_for(ip("198.51.100.7"), &said, &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            forwarded_for(ip("198.51.100.7"), &said, &[]),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_a_forged_hop_before_it_is_ignored() {
        let trusted = nets(&["10.0.0.0/8", "127.0.0.1/32"]);
        // The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
        let said = headers(&["1.2.3.4, 203.0.113.9"]);
        assert_eq!(
            forwarded_for(ip("10.1.2.3"), &said, &trusted),
            ip("203.0.113.9")
        );
        // Two trusted proxies in a row, on two header lines.
        let said = headers(&["203.0.113.9", "10.0.0.5"]);
        assert_eq!(
            forwarded_for(ip("127.0.0.1"), &said, &trusted),
            ip("203.0.113.9")
        );
        // No header: the proxy itself.
        assert_eq!(
            forwarded_for(ip("10.1.2.3"), &HeaderMap::new(), &trusted),
            ip("10.1.2.3")
        );
        // Garbage stops the walk at the last address known.
        let said = headers(&["zomaar, 10.0.0.5"]);
        assert_eq!(
            forwarded_for(ip("10.1.2.3"), &said, &trusted),
            ip("10.0.0.5")
        );
        // IPv6.
        let trusted = nets(&["::1/128"]);
        let said = headers(&["2001:db8::7"]);
        assert_eq!(forwarded_for(ip("::1"), &said, &trusted), ip("2001:db8::7"));
    }
}
