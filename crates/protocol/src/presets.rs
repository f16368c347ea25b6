//! The five protocols of the seeds, shipped as protocol files inside the binary.

use std::sync::LazyLock;

use crate::protocol::Protocol;

/// A protocol file that ships with Weerbaar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    /// The name used on the command line and in plans.
    pub name: &'static str,
    /// The organisation it comes from.
    pub organisation: &'static str,
    /// The protocol file, TOML.
    pub text: &'static str,
}

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "westerveld",
        organisation: "Gemeente Westerveld",
        text: include_str!("../../../presets/westerveld.toml"),
    },
    Preset {
        name: "utrecht",
        organisation: "Gemeenten, provincie en waterschappen in de provincie Utrecht",
        text: include_str!("../../../presets/utrecht.toml"),
    },
    Preset {
        name: "leiden",
        organisation: "Gemeente Leiden",
        text: include_str!("../../../presets/leiden.toml"),
    },
    Preset {
        name: "nijmegen",
        organisation: "Gemeente Nijmegen",
        text: include_str!("../../../presets/nijmegen.toml"),
    },
    Preset {
        name: "model",
        organisation: "Modelprotocol (Handreiking agressieprotocol)",
        text: include_str!("../../../presets/model.toml"),
    },
];

/// The presets, parsed once. A preset that fails its own checks is a build defect that
/// the tests catch, so loading them here cannot fail in a released binary.
static LOADED: LazyLock<Vec<Protocol>> = LazyLock::new(|| {
    PRESETS
        .iter()
        .map(|preset| {
            Protocol::from_toml(preset.text)
                .unwrap_or_else(|error| panic!("preset {} is broken: {error}", preset.name))
        })
        .collect()
});

/// A preset by name.
pub fn preset(name: &str) -> Option<&'static Protocol> {
    PRESETS
        .iter()
        .position(|preset| preset.name == name)
        .map(|index| &LOADED[index])
}

/// A preset's file by name.
pub fn preset_text(name: &str) -> Option<&'static str> {
    PRESETS
        .iter()
        .find(|preset| preset.name == name)
        .map(|preset| preset.text)
}

/// The names of all presets, for error messages.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|preset| preset.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_loads_and_names_itself() {
        for entry in PRESETS {
            let protocol = Protocol::from_toml(entry.text)
                .unwrap_or_else(|error| panic!("{}: {error}", entry.name));
            assert_eq!(protocol.id, entry.name);
            assert_eq!(protocol.name, entry.organisation);
        }
    }

    #[test]
    fn an_unknown_preset_is_none() {
        assert!(preset("amsterdam").is_none());
        assert_eq!(
            preset_names(),
            ["westerveld", "utrecht", "leiden", "nijmegen", "model"]
        );
    }
}
