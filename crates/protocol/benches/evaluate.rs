//! How long one evaluation takes: the cost a report pays before it is stored.

use weerbaar_protocol::{Facts, evaluate, preset};

fn main() {
    divan::main();
}

const FACTS: &str = r#"{
  "occurred_at": "2026-03-02T20:15:00+01:00",
  "reported_at": "2026-03-03T09:00:00+01:00",
  "victim": { "role": "raadslid", "former": false },
  "behaviours": ["beledigen", "dreigen_met_geweld"],
  "channel": "sociale_media",
  "criminal_offence_suspected": true,
  "perpetrator_known": true,
  "damage": true,
  "injury": "geestelijk_letsel"
}"#;

#[divan::bench(args = ["westerveld", "utrecht", "leiden", "nijmegen", "model"])]
fn evaluate_parsed_facts(bencher: divan::Bencher, name: &str) {
    let protocol = preset(name).unwrap();
    let facts = Facts::from_json(FACTS).unwrap();
    bencher.bench(|| evaluate(divan::black_box(protocol), divan::black_box(&facts)).unwrap());
}

/// What the command line and the API do per request: parse, evaluate, print.
#[divan::bench]
fn json_in_json_out(bencher: divan::Bencher) {
    let protocol = preset("utrecht").unwrap();
    bencher.bench(|| {
        let facts = Facts::from_json(divan::black_box(FACTS)).unwrap();
        serde_json::to_string(&evaluate(protocol, &facts).unwrap()).unwrap()
    });
}

#[divan::bench]
fn load_protocol_file(bencher: divan::Bencher) {
    let text = weerbaar_protocol::preset_text("utrecht").unwrap();
    bencher.bench(|| weerbaar_protocol::Protocol::from_toml(divan::black_box(text)).unwrap());
}
