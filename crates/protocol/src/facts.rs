//! The facts of one incident (PROTOCOL.md §15, input), and their parsing from JSON
//! with errors that name the field.

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::Error;
use crate::own::BehaviourCode;
use crate::protocol::Protocol;
use crate::vocabulary::{Addressed, Channel, Injury, Role, Situation};

/// What happened, as the reporter or handler states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    #[serde(deserialize_with = "moment_with_offset")]
    pub occurred_at: Timestamp,
    #[serde(default, deserialize_with = "optional_moment_with_offset")]
    pub reported_at: Option<Timestamp>,
    pub victim: Victim,
    /// §2's codes, and the organisation's own where its protocol defines them (§16.1).
    pub behaviours: Vec<BehaviourCode>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub channel: Channel,
    #[serde(default, deserialize_with = "null_as_default")]
    pub persistent: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub corrected_after_warning: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub injury: Injury,
    #[serde(default, deserialize_with = "null_as_default")]
    pub criminal_offence_suspected: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub perpetrator_known: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub prior_incidents: u32,
    #[serde(default, deserialize_with = "null_as_default")]
    pub damage: bool,
    /// §16.2: whether the person was addressed and what followed; left out, it follows
    /// `corrected_after_warning` (true: `changed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addressed: Option<Addressed>,
    /// §16.3: the recipient the reporter chose, where the protocol gives a choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_to: Option<Role>,
    /// §16.6: where it happened, for the guidance and own tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub situation: Option<Situation>,
}

/// Who was hit: the office holder, current or former (a former office holder is routed
/// as the former role, Nijmegen intro).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Victim {
    pub role: Role,
    #[serde(default, deserialize_with = "null_as_default")]
    pub former: bool,
}

impl Facts {
    /// Parses facts from JSON text. The error names the field (`behaviours[1]`,
    /// `victim.role`) and, for codes, the allowed values. Only §2's behaviours are known
    /// here; `from_json_for` also takes a protocol's own.
    pub fn from_json(text: &str) -> Result<Facts, Error> {
        let facts = Self::from_json_unchecked(text)?;
        facts.check_behaviours(|b| b.spec().is_some(), &Self::spec_behaviours())?;
        Ok(facts)
    }

    /// Parses facts for one protocol: its own behaviours are known too.
    pub fn from_json_for(text: &str, protocol: &Protocol) -> Result<Facts, Error> {
        let facts = Self::from_json_unchecked(text)?;
        facts.check_behaviours(|b| protocol.knows_behaviour(b), &protocol.behaviour_codes())?;
        Ok(facts)
    }

    fn spec_behaviours() -> Vec<BehaviourCode> {
        use crate::code::Code;
        crate::vocabulary::Behaviour::ALL
            .iter()
            .map(|b| BehaviourCode::Spec(*b))
            .collect()
    }

    /// Every behaviour named must be known; the error names its place and lists `allowed`.
    pub(crate) fn check_behaviours(
        &self,
        known: impl Fn(BehaviourCode) -> bool,
        allowed: &[BehaviourCode],
    ) -> Result<(), Error> {
        match self.behaviours.iter().position(|b| !known(*b)) {
            None => Ok(()),
            Some(index) => Err(Error::InvalidFacts {
                field: format!("behaviours[{index}]"),
                reason: format!(
                    "unknown behaviour `{}`; allowed: {}",
                    self.behaviours[index],
                    allowed
                        .iter()
                        .map(BehaviourCode::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }

    /// §16.2: `addressed`, or what `corrected_after_warning` says when it is left out.
    /// The two given in contradiction are refused by `check_addressed`.
    pub fn addressed(&self) -> Addressed {
        match (self.addressed, self.corrected_after_warning) {
            (Some(addressed), _) => addressed,
            (None, true) => Addressed::Changed,
            (None, false) => Addressed::NotAddressed,
        }
    }

    /// `corrected_after_warning: true` means `addressed: changed`.
    pub(crate) fn check_addressed(&self) -> Result<(), Error> {
        match self.addressed {
            Some(addressed) if self.corrected_after_warning && addressed != Addressed::Changed => {
                Err(Self::contradiction(addressed, true))
            }
            _ => Ok(()),
        }
    }

    fn contradiction(addressed: Addressed, corrected: bool) -> Error {
        Error::InvalidFacts {
            field: String::from("addressed"),
            reason: format!(
                "`addressed: {addressed}` contradicts `corrected_after_warning: {corrected}`; \
                 give one of them (corrected_after_warning: true means addressed: changed)"
            ),
        }
    }

    fn from_json_unchecked(text: &str) -> Result<Facts, Error> {
        let document = |reason: String| Error::InvalidFacts {
            field: String::from("(document)"),
            reason,
        };
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|error| document(format!("not valid JSON: {error}")))?;
        // serde also reads a struct from an array; the contract is an object.
        if !value.is_object() {
            return Err(document(String::from("the facts must be a JSON object")));
        }
        if value
            .get("victim")
            .is_some_and(|victim| !victim.is_object())
        {
            return Err(Error::InvalidFacts {
                field: String::from("victim"),
                reason: String::from("must be an object such as {\"role\": \"raadslid\"}"),
            });
        }
        // Read again from the text, not the value: only the text still shows a key that
        // is given twice.
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let facts: Facts =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
                let reason = clean_serde_message(&error.inner().to_string());
                Error::InvalidFacts {
                    field: field_path(&error.path().to_string(), &reason),
                    reason,
                }
            })?;
        // An explicit `false` is a statement too: "not corrected" against "changed".
        if let (Some(addressed), Some(false)) = (
            facts.addressed,
            value
                .get("corrected_after_warning")
                .and_then(|v| v.as_bool()),
        ) && addressed == Addressed::Changed
        {
            return Err(Self::contradiction(addressed, false));
        }
        facts.check_addressed()?;
        Ok(facts)
    }

    /// When the report was made; §15: defaults to when it occurred.
    pub fn reported_at(&self) -> Timestamp {
        self.reported_at.unwrap_or(self.occurred_at)
    }

    /// Whether the perpetrator has earlier registered incidents (PROTOCOL.md §7).
    pub fn recidive(&self) -> bool {
        self.prior_incidents > 0
    }
}

/// The path of the field an error is about. serde reports a missing field at its parent,
/// so the field's own name is taken from the message.
fn field_path(path: &str, reason: &str) -> String {
    let parent = match path {
        "." | "?" => "",
        other => other,
    };
    let missing = ["missing field `", "duplicate field `"]
        .iter()
        .find_map(|prefix| reason.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    match (parent, missing) {
        ("", Some(name)) => name.to_owned(),
        (parent, Some(name)) => format!("{parent}.{name}"),
        ("", None) => String::from("(document)"),
        (parent, None) => parent.to_owned(),
    }
}

/// serde_json appends " at line 1 column 40"; the field name says more to a person.
/// serde speaks of Rust types ("expected u32"); people read these words instead.
fn clean_serde_message(message: &str) -> String {
    let message = match message.rfind(" at line ") {
        Some(index) if message[index..].contains(" column ") => &message[..index],
        _ => message,
    };
    message
        .replace("expected u32", "expected a whole number, 0 or more")
        .replace("expected a string", "expected text in quotes")
        .replace("expected struct Victim", "expected an object with `role`")
        .replace(
            "expected a sequence",
            "expected a list such as [\"beledigen\"]",
        )
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

fn moment_with_offset<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
    let text = String::deserialize(deserializer)?;
    parse_moment(&text).map_err(serde::de::Error::custom)
}

fn optional_moment_with_offset<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Timestamp>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(None),
        Some(text) => parse_moment(&text)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// An RFC 3339 moment. A time without an offset is refused: it would be a guess.
pub fn parse_moment(text: &str) -> Result<Timestamp, String> {
    let example = "e.g. 2026-03-02T20:15:00+01:00";
    if !is_rfc3339_with_offset(text) {
        let without_offset =
            text.parse::<jiff::civil::DateTime>().is_ok() && text.parse::<Timestamp>().is_err();
        return Err(if without_offset {
            format!("`{text}` has no offset; write the moment with its offset, {example}")
        } else {
            format!("`{text}` is not an RFC 3339 moment with an offset, {example}")
        });
    }
    let moment: Timestamp = text
        .parse()
        .map_err(|_| format!("`{text}` is not a real moment, {example}"))?;
    // The year on the Amsterdam clock, as evaluate counts it.
    let year = crate::calendar::in_amsterdam(moment).year();
    if !SUPPORTED_YEARS.contains(&year) {
        return Err(format!(
            "`{text}` lies outside the years {} to {} that Weerbaar handles",
            SUPPORTED_YEARS.start(),
            SUPPORTED_YEARS.end()
        ));
    }
    Ok(moment)
}

/// Incidents lie in these years; the working-day calendar is exact for them.
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<i16> = 1900..=2999;

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`: RFC 3339, strictly. jiff alone would also
/// take a space for the `T`, a missing second or a bracketed zone name.
fn is_rfc3339_with_offset(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|b| b.iter().all(u8::is_ascii_digit))
    };
    let at = |index: usize, allowed: &[u8]| bytes.get(index).is_some_and(|b| allowed.contains(b));
    let head = digits(0..4)
        && at(4, b"-")
        && digits(5..7)
        && at(7, b"-")
        && digits(8..10)
        && at(10, b"Tt")
        && digits(11..13)
        && at(13, b":")
        && digits(14..16)
        && at(16, b":")
        && digits(17..19);
    if !head {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let end = fraction
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        if end == 0 {
            return false;
        }
        rest = &fraction[end..];
    }
    let offset = rest.as_bytes();
    matches!(rest, "Z" | "z")
        || (offset.len() == 6
            && matches!(offset[0], b'+' | b'-')
            && offset[1..3].iter().all(u8::is_ascii_digit)
            && offset[3] == b':'
            && offset[4..6].iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"{
        "occurred_at": "2026-03-02T20:15:00+01:00",
        "victim": { "role": "raadslid" },
        "behaviours": ["beledigen"]
    }"#;

    fn field_of(text: &str) -> String {
        match Facts::from_json(text).unwrap_err() {
            Error::InvalidFacts { field, .. } => field,
            other => panic!("expected invalid facts, got {other:?}"),
        }
    }

    #[test]
    fn left_out_fields_take_the_defaults_of_the_contract() {
        let facts = Facts::from_json(MINIMAL).unwrap();
        assert_eq!(facts.channel, Channel::Overig);
        assert_eq!(facts.injury, Injury::Geen);
        assert_eq!(facts.prior_incidents, 0);
        assert!(!facts.persistent && !facts.damage && !facts.victim.former);
        assert_eq!(facts.reported_at(), facts.occurred_at);
    }

    #[test]
    fn an_unknown_behaviour_names_its_place_and_the_allowed_codes() {
        let text = MINIMAL.replace(r#"["beledigen"]"#, r#"["beledigen", "sarren"]"#);
        let error = Facts::from_json(&text).unwrap_err();
        assert_eq!(error.field(), "behaviours[1]");
        assert!(error.to_string().contains("schelden"), "{error}");
    }

    #[test]
    fn an_unknown_role_names_victim_role() {
        let text = MINIMAL.replace("raadslid", "keizer");
        assert_eq!(field_of(&text), "victim.role");
    }

    #[test]
    fn a_time_without_offset_is_refused() {
        let text = MINIMAL.replace("+01:00", "");
        let error = Facts::from_json(&text).unwrap_err();
        assert_eq!(error.field(), "occurred_at");
        assert!(error.to_string().contains("no offset"), "{error}");
    }

    #[test]
    fn a_misspelt_field_is_refused_not_ignored() {
        let text = MINIMAL.replace("\"behaviours\"", "\"persistant\": true, \"behaviours\"");
        let error = Facts::from_json(&text).unwrap_err();
        assert!(error.to_string().contains("persistant"), "{error}");
    }

    #[test]
    fn missing_and_wrongly_typed_fields_are_named() {
        assert!(
            Facts::from_json(r#"{"victim": {"role": "raadslid"}, "behaviours": []}"#)
                .unwrap_err()
                .to_string()
                .contains("occurred_at")
        );
        let text = MINIMAL.replace("\"victim\"", "\"prior_incidents\": -1, \"victim\"");
        assert_eq!(field_of(&text), "prior_incidents");
        assert!(Facts::from_json("[1, 2]").is_err());
        assert!(Facts::from_json("").is_err());
        assert!(Facts::from_json(&format!("{MINIMAL} trailing")).is_err());
    }

    #[test]
    fn a_missing_field_is_named_by_its_own_path() {
        let no_behaviours =
            r#"{"occurred_at": "2026-03-02T20:15:00+01:00", "victim": {"role": "raadslid"}}"#;
        assert_eq!(field_of(no_behaviours), "behaviours");
        let no_role = MINIMAL.replace(r#""role": "raadslid""#, r#""former": true"#);
        assert_eq!(field_of(&no_role), "victim.role");
    }

    #[test]
    fn only_strict_rfc3339_moments_in_the_supported_years_are_taken() {
        for good in [
            "2026-03-02T20:15:00+01:00",
            "2026-03-02T19:15:00Z",
            "2026-03-02t20:15:00.5-05:00",
        ] {
            assert!(parse_moment(good).is_ok(), "{good}");
        }
        for bad in [
            "2026-03-02 20:15+01",
            "2026-03-02T20:15+01:00",
            "2026-03-02T20:15:00+01:00[America/New_York]",
            "2026-03-02T20:15:00.+01:00",
            "-000002-03-02T20:15:00+01:00",
            "1899-12-31T12:00:00Z",
            "3000-01-01T12:00:00Z",
            "2026-02-30T20:15:00+01:00",
            "",
        ] {
            assert!(parse_moment(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_facts_are_an_object_with_an_object_victim() {
        assert_eq!(
            Facts::from_json(r#"["2026-03-02T20:15:00+01:00", null, ["raadslid"], ["slaan"]]"#)
                .unwrap_err()
                .field(),
            "(document)"
        );
        let text = MINIMAL.replace(r#"{ "role": "raadslid" }"#, r#"["raadslid"]"#);
        assert_eq!(field_of(&text), "victim");
        let twice = MINIMAL.replace(
            "\"behaviours\"",
            "\"channel\": \"email\", \"channel\": \"brief\", \"behaviours\"",
        );
        assert!(Facts::from_json(&twice).is_err());
    }

    #[test]
    fn messages_speak_of_numbers_not_rust_types() {
        let text = MINIMAL.replace("\"victim\"", "\"prior_incidents\": -1, \"victim\"");
        let message = Facts::from_json(&text).unwrap_err().to_string();
        assert!(message.contains("a whole number"), "{message}");
        assert!(!message.contains("u32"), "{message}");
    }

    #[test]
    fn null_means_left_out() {
        let text = MINIMAL.replace(
            "\"victim\"",
            "\"injury\": null, \"reported_at\": null, \"victim\"",
        );
        let facts = Facts::from_json(&text).unwrap();
        assert_eq!(facts.injury, Injury::Geen);
        assert_eq!(facts.reported_at, None);
    }
}
