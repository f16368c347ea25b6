//! The facts of one incident (PROTOCOL.md §15, input), and their parsing from JSON
//! with errors that name the field.

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::Error;
use crate::vocabulary::{Behaviour, Channel, Injury, Role};

/// What happened, as the reporter or handler states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    #[serde(deserialize_with = "moment_with_offset")]
    pub occurred_at: Timestamp,
    #[serde(default, deserialize_with = "optional_moment_with_offset")]
    pub reported_at: Option<Timestamp>,
    pub victim: Victim,
    pub behaviours: Vec<Behaviour>,
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
    /// `victim.role`) and, for codes, the allowed values.
    pub fn from_json(text: &str) -> Result<Facts, Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let facts: Facts =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
                let reason = clean_serde_message(&error.inner().to_string());
                Error::InvalidFacts {
                    field: field_path(&error.path().to_string(), &reason),
                    reason,
                }
            })?;
        deserializer.end().map_err(|error| Error::InvalidFacts {
            field: String::from("(document)"),
            reason: clean_serde_message(&error.to_string()),
        })?;
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
    let missing = reason
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (parent, missing) {
        ("", Some(name)) => name.to_owned(),
        (parent, Some(name)) => format!("{parent}.{name}"),
        ("", None) => String::from("(document)"),
        (parent, None) => parent.to_owned(),
    }
}

/// serde_json appends " at line 1 column 40"; the field name says more to a person.
fn clean_serde_message(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(index) if message[index..].contains(" column ") => message[..index].to_owned(),
        _ => message.to_owned(),
    }
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
    text.parse::<Timestamp>().map_err(|_| {
        if text.parse::<jiff::civil::DateTime>().is_ok() {
            format!(
                "`{text}` has no offset; write the moment with its offset, \
                 e.g. 2026-03-02T20:15:00+01:00"
            )
        } else {
            format!(
                "`{text}` is not an RFC 3339 moment with an offset, \
                 e.g. 2026-03-02T20:15:00+01:00"
            )
        }
    })
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
