//! The machinery behind the protocol's codes: every code is an enum variant that
//! prints to and parses from exactly the snake_case word of PROTOCOL.md.

use std::fmt;

/// A closed set of codes, as written in PROTOCOL.md.
pub trait Code: Copy + Eq + Ord + fmt::Debug + fmt::Display + 'static {
    /// What the set is called in error messages ("behaviour", "role", …).
    const KIND: &'static str;
    /// Every code of the set, in the order of the spec.
    const ALL: &'static [Self];
    /// The code as the spec writes it.
    fn as_str(self) -> &'static str;

    /// Parses a code; the error lists every allowed value.
    fn parse(text: &str) -> Result<Self, UnknownCode> {
        Self::ALL
            .iter()
            .copied()
            .find(|code| code.as_str() == text)
            .ok_or_else(|| UnknownCode::new::<Self>(text))
    }
}

/// A word that is not one of the codes of its set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} `{given}`; allowed: {}", .allowed.join(", "))]
pub struct UnknownCode {
    pub kind: &'static str,
    pub given: String,
    pub allowed: Vec<&'static str>,
}

impl UnknownCode {
    pub fn new<C: Code>(given: &str) -> Self {
        Self {
            kind: C::KIND,
            given: given.to_owned(),
            allowed: C::ALL.iter().map(|code| code.as_str()).collect(),
        }
    }
}

/// Defines a code enum with its spec words, `Display`, `FromStr` and serde.
macro_rules! codes {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $crate::code::Code for $name {
            const KIND: &'static str = $kind;
            const ALL: &'static [Self] = &[ $( Self::$variant, )+ ];
            fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str($crate::code::Code::as_str(*self))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::code::UnknownCode;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                <Self as $crate::code::Code>::parse(text)
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::code::Code::as_str(*self))
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str>>::deserialize(d)?;
                <Self as $crate::code::Code>::parse(&text).map_err(::serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use codes;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::Behaviour;

    #[test]
    fn every_code_round_trips_through_its_word() {
        for behaviour in Behaviour::ALL {
            assert_eq!(Behaviour::parse(behaviour.as_str()), Ok(*behaviour));
        }
    }

    #[test]
    fn an_unknown_word_names_the_allowed_ones() {
        let error = Behaviour::parse("sarren").unwrap_err();
        assert_eq!(error.kind, "behaviour");
        assert!(error.allowed.contains(&"schelden"));
        assert!(error.to_string().contains("unknown behaviour `sarren`"));
    }
}
