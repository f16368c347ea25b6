//! JSON request bodies, read by hand so that a mistake becomes a problem document naming
//! the field (`victims[0].role`), not axum's plain-text rejection.

use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;

use super::problem::Problem;

/// Refuses a body that says it is something other than JSON. A body without a
/// `Content-Type` is read as JSON.
pub(crate) fn require_json(headers: &HeaderMap) -> Result<(), Problem> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = value
        .to_str()
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Ok(())
    } else {
        Err(Problem::unsupported_media_type())
    }
}

/// The path serde_path_to_error gives, as the protocol engine writes it: `a.b[1]`, with
/// the field's own name for a missing one (serde reports those at the parent).
fn field_path(path: &str, reason: &str) -> String {
    let parent = match path {
        "." | "?" => "",
        other => other,
    };
    let named = ["missing field `", "duplicate field `", "unknown field `"]
        .iter()
        .find_map(|prefix| reason.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    match (parent, named) {
        ("", Some(name)) => name.to_owned(),
        (parent, Some(name)) if !parent.ends_with(name) => format!("{parent}.{name}"),
        ("", None) => String::from("(document)"),
        (parent, _) => parent.to_owned(),
    }
}

/// serde_json appends " at line 1 column 40"; the field's path says more.
fn clean(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) if message[index..].contains(" column ") => message[..index].to_owned(),
        _ => message.to_owned(),
    }
}

/// Reads a query string into `T`, or a 422 problem naming the parameter (axum's own
/// `Query` answers a plain-text 400).
pub(crate) fn query<T: DeserializeOwned>(query: Option<&str>) -> Result<T, Problem> {
    serde_urlencoded::from_str(query.unwrap_or_default()).map_err(|error| {
        let reason = error.to_string();
        let field = ["duplicate field `", "unknown field `", "missing field `"]
            .iter()
            .find_map(|prefix| reason.strip_prefix(prefix))
            .and_then(|rest| rest.split('`').next())
            .unwrap_or("(query)")
            .to_owned();
        Problem::field(field, reason)
    })
}

/// Reads a JSON body into `T`, or a 415/422 problem that names the field.
pub(crate) fn parse<T: DeserializeOwned>(headers: &HeaderMap, body: &[u8]) -> Result<T, Problem> {
    require_json(headers)?;
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|error| {
        Problem::field(
            "(document)",
            format!("not valid JSON: {}", clean(&error.to_string())),
        )
    })?;
    if !value.is_object() {
        return Err(Problem::field(
            "(document)",
            "the body must be a JSON object",
        ));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let reason = clean(&error.inner().to_string());
        Problem::field(field_path(&error.path().to_string(), &reason), reason)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        role: String,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Inner>,
        count: u32,
    }

    fn field_of(text: &str) -> String {
        match parse::<Outer>(&HeaderMap::new(), text.as_bytes()) {
            Err(problem) => problem.errors[0].field.clone(),
            Ok(outer) => panic!("parsed: {outer:?}"),
        }
    }

    #[test]
    fn mistakes_name_their_field() {
        assert_eq!(
            field_of(r#"{"items": [{"role": 1}], "count": 1}"#),
            "items[0].role"
        );
        assert_eq!(field_of(r#"{"items": [{}], "count": 1}"#), "items[0].role");
        assert_eq!(field_of(r#"{"items": []}"#), "count");
        assert_eq!(field_of(r#"{"items": [], "count": -1}"#), "count");
        assert_eq!(field_of(r#"{"items": [], "count": 1, "x": 2}"#), "x");
        assert_eq!(field_of("[1]"), "(document)");
        assert_eq!(field_of("{"), "(document)");
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Limit {
        limit: Option<u32>,
    }

    #[test]
    fn a_query_mistake_names_its_parameter() {
        let problem = query::<Limit>(Some("limit=1&limit=2")).unwrap_err();
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors[0].field, "limit");
        assert_eq!(query::<Limit>(Some("limit=7")).unwrap().limit, Some(7));
        assert_eq!(query::<Limit>(None).unwrap().limit, None);
    }

    #[test]
    fn only_json_is_taken() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert_eq!(require_json(&headers).unwrap_err().status, 415);
        headers.insert(
            header::CONTENT_TYPE,
            "application/json; charset=utf-8".parse().unwrap(),
        );
        assert!(require_json(&headers).is_ok());
    }
}
