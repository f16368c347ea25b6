//! An organisation's own codes (PROTOCOL.md §16): behaviours, tasks and staff roles that
//! a protocol file defines beside the spec's vocabulary. They are a kind of their own,
//! checked when the file is loaded, so that a spec code and an own code can never be
//! confused and an own code is never a free string that anything accepts.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::code::{Code, UnknownCode};
use crate::vocabulary::{Behaviour, Task};

/// Task codes beginning with this are the improvement actions an incident evaluation
/// agrees (`verbeteractie_1`, `_2` …), made by the register; a protocol file cannot
/// define an own task with such a code, so that the two are never confused.
pub const IMPROVEMENT_TASK_PREFIX: &str = "verbeteractie_";

/// A snake_case code a protocol file defines itself: `gijzeling`, `signalement_112`.
/// Held inline so that it is `Copy` like the spec's codes.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OwnCode {
    // Declared before `len`, so that the derived order is the order of the words.
    bytes: [u8; OwnCode::MAX_LEN],
    len: u8,
}

impl OwnCode {
    /// Long enough for any word a protocol uses, short enough to stay `Copy`.
    pub const MAX_LEN: usize = 48;

    /// Takes a word of a-z, 0-9 and `_`, beginning with a letter, at most 48 characters.
    pub fn new(text: &str) -> Result<OwnCode, String> {
        let well_formed = !text.is_empty()
            && text.len() <= Self::MAX_LEN
            && text.starts_with(|c: char| c.is_ascii_lowercase())
            && !text.ends_with('_')
            && !text.contains("__")
            && text
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !well_formed {
            return Err(format!(
                "`{text}` is not a code: write 1 to {} characters of a-z, 0-9 and single '_', \
                 beginning with a letter (snake_case, e.g. `signalement_doorgeven`)",
                Self::MAX_LEN
            ));
        }
        let mut bytes = [0; Self::MAX_LEN];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Ok(OwnCode {
            bytes,
            len: text.len() as u8,
        })
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored (checked in `new`).
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl fmt::Debug for OwnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OwnCode({})", self.as_str())
    }
}

impl fmt::Display for OwnCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Defines a code that is either one of the spec's (`Spec`) or the file's own (`Own`).
macro_rules! spec_or_own {
    ($(#[$meta:meta])* $name:ident, $spec:ty) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name {
            Spec($spec),
            Own(OwnCode),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $name::Spec(code) => code.as_str(),
                    $name::Own(code) => code.as_str(),
                }
            }

            /// A spec code, or else a well-formed word that a protocol file may define.
            /// Whether the protocol really defines it is the protocol's to say.
            pub fn parse(text: &str) -> Result<$name, UnknownCode> {
                if let Ok(code) = <$spec as Code>::parse(text) {
                    return Ok($name::Spec(code));
                }
                OwnCode::new(text)
                    .map($name::Own)
                    .map_err(|_| UnknownCode::new::<$spec>(text))
            }

            pub fn spec(self) -> Option<$spec> {
                match self {
                    $name::Spec(code) => Some(code),
                    $name::Own(_) => None,
                }
            }
        }

        impl From<$spec> for $name {
            fn from(code: $spec) -> Self {
                $name::Spec(code)
            }
        }

        impl PartialEq<$spec> for $name {
            fn eq(&self, other: &$spec) -> bool {
                *self == $name::Spec(*other)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownCode;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                $name::parse(text)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

spec_or_own!(
    /// A behaviour the reporter picks: one of §2's, or one the organisation's file
    /// defines (§16.1).
    BehaviourCode,
    Behaviour
);

spec_or_own!(
    /// A task of a case: one of §5's, or one the organisation's file defines (§16.5).
    TaskCode,
    Task
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_codes_are_snake_case_words() {
        for good in ["gijzeling", "signalement_112", "a", "zeuren_2x"] {
            assert_eq!(OwnCode::new(good).unwrap().as_str(), good);
        }
        let too_long = "a".repeat(OwnCode::MAX_LEN + 1);
        for bad in [
            "",
            "Gijzeling",
            "_gijzeling",
            "gijzeling_",
            "twee__streepjes",
            "9uur",
            "met spatie",
            "é",
            too_long.as_str(),
        ] {
            assert!(OwnCode::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn own_codes_order_as_their_words() {
        let words = ["ab", "abc", "b", "a_b"];
        let mut codes: Vec<OwnCode> = words.iter().map(|w| OwnCode::new(w).unwrap()).collect();
        codes.sort();
        let mut sorted = words.to_vec();
        sorted.sort();
        let printed: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
        assert_eq!(printed, sorted);
    }

    #[test]
    fn a_spec_word_is_always_the_spec_code() {
        assert_eq!(
            BehaviourCode::parse("beledigen"),
            Ok(BehaviourCode::Spec(Behaviour::Beledigen))
        );
        assert!(matches!(
            TaskCode::parse("signalement_112"),
            Ok(TaskCode::Own(_))
        ));
        let error = BehaviourCode::parse("Sarren!").unwrap_err();
        assert!(error.to_string().contains("schelden"), "{error}");
    }
}
