//! The flows people walk, over HTTP: setting up a new register, reporting with evidence,
//! the handler's inbox and case work, and the reporter following their case.

mod support;

use axum::http::StatusCode;
use support::{Client, World};
use weerbaar_protocol::Role;
use weerbaar_register::{MasterKey, Register};
use weerbaar_web::{AppState, Settings};

/// A PNG of one pixel: the smallest real screenshot.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

fn field_value<'a>(body: &'a str, marker: &str) -> Option<&'a str> {
    let at = body.find(marker)? + marker.len();
    let end = body[at..].find('<')? + at;
    Some(body[at..end].trim())
}

#[tokio::test]
async fn a_new_register_is_set_up_by_who_knows_the_code_and_its_administrator_enrols_a_second_factor()
 {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("weerbaar.db").display());
    let register = Register::open(&url, MasterKey::generate()).await.unwrap();
    let state = AppState::new(
        register,
        Settings {
            setup_code: Some(String::from("ABCD-2345")),
            ..Settings::default()
        },
    );
    let app = weerbaar_web::router(state.clone());
    let mut browser = Client::new(app.clone());

    let page = browser.get("/").await;
    assert_eq!(page.location.as_deref(), Some("/inrichten"));
    let page = browser.get("/aanmelden").await;
    assert_eq!(
        page.location.as_deref(),
        Some("/inrichten"),
        "no sign-in before setup"
    );
    let page = browser.get("/inrichten").await;
    assert_eq!(page.status, StatusCode::OK);

    let form = |code: &'static str| {
        vec![
            ("code", code),
            ("organisation", "Gemeente Westerveld"),
            ("protocol", "westerveld"),
            ("name", "Bea Beheerder"),
            ("email", "beheer@westerveld.test"),
            ("role", "ambtenaar"),
            ("password", "een lange zin als wachtwoord"),
            ("password_again", "een lange zin als wachtwoord"),
        ]
    };
    let page = browser.post("/inrichten", &form("WXYZ-2345")).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("href=\"#code\""),
        "the summary links to the code field"
    );
    assert!(
        state.register().organisations().await.unwrap().is_empty(),
        "nothing was made"
    );

    let page = browser
        .post(
            "/inrichten",
            &[
                ("code", "abcd-2345"),
                ("protocol", "eigen"),
                ("protocol_toml", "[organisation]\nname = 3\n"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("Fouten in het protocolbestand"),
        "an own file's mistakes are shown"
    );
    assert!(
        page.body.contains("Vul uw naam in.")
            && page
                .body
                .contains("Kies een wachtwoord van minstens 12 tekens")
    );

    let page = browser.post("/inrichten", &form("abcd-2345")).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(page.location.as_deref(), Some("/aanmelden/tweede-factor"));
    let page = browser.get("/").await;
    assert!(
        page.location
            .as_deref()
            .unwrap_or_default()
            .starts_with("/aanmelden"),
        "not signed in before the second factor"
    );

    let page = browser.get("/aanmelden/tweede-factor").await;
    assert!(
        page.body.contains("<svg role=\"img\""),
        "a QR code drawn as SVG"
    );
    let secret_text = field_value(&page.body, "<code class=\"wb-secret\">")
        .unwrap()
        .replace(' ', "");
    let secret: Vec<u8> =
        AsRef::<[u8]>::as_ref(&totp_rs::Secret::try_from_base32(&secret_text).unwrap()).to_vec();
    let page = browser
        .post("/aanmelden/tweede-factor", &[("code", "000000")])
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = browser
        .post(
            "/aanmelden/tweede-factor",
            &[("code", &support::totp_now(&secret))],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Uw herstelcodes"));
    assert_eq!(page.body.matches("<li><code>").count(), 10);
    let page = browser.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Welkom, Bea Beheerder"));

    // The code worked once; setup is closed now.
    let mut other = Client::new(app);
    let page = other.get("/inrichten").await;
    assert_eq!(page.location.as_deref(), Some("/aanmelden"));
}

#[tokio::test]
async fn a_raadslid_reports_a_threat_with_a_screenshot_and_follows_it_while_the_griffier_works_it()
{
    let world = World::new("westerveld").await;
    let raadslid = world
        .person("Rosa Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let griffier = world
        .person("Greet Griffier", &[Role::Griffier], &[], true)
        .await;
    let mut rosa = world.sign_in(&raadslid).await;

    // An empty form: every required field named, at the top and beside it.
    rosa.get("/melden").await;
    let page = rosa.post_multipart("/melden", &[], None).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for anchor in ["#behaviours", "#narrative", "#occurred_at"] {
        assert!(
            page.body.contains(&format!("href=\"{anchor}\"")),
            "{anchor} in the summary"
        );
    }

    let page = rosa
        .post_multipart(
            "/melden",
            &[
                ("voor", "zelf"),
                ("behaviours", "dreigen_met_geweld"),
                ("behaviours", "intimidatie"),
                ("narrative", "Hij zei dat hij mij zou opwachten."),
                ("occurred_at", "2026-03-02T20:15"),
                ("channel", "in_persoon"),
                ("during_meeting", "ja"),
                ("injury", "geen"),
                ("perpetrator_kind", "persoon"),
                ("p_plate", "AB-123-C"),
                ("evidence_description", "Bericht op mijn telefoon"),
            ],
            Some(("evidence_file", "scherm.png", "image/png", PNG)),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let received = page.location.clone().unwrap();
    assert!(received.ends_with("/ontvangen"), "{received}");
    let case = received
        .trim_start_matches("/melden/")
        .trim_end_matches("/ontvangen")
        .to_owned();
    let page = rosa.get(&received).await;
    assert!(page.body.contains("Uw melding is ontvangen"));
    assert!(page.body.contains("Bedreiging"), "the category");
    assert!(page.body.contains("112"), "what to do now");

    let mut greet = world.sign_in(&griffier).await;
    // A repeated or made-up filter gives the defaults, not a plain-text 400.
    let odd = greet
        .get("/werkbak?rol=griffier&rol=raadslid&stand=%ZZ")
        .await;
    assert_eq!(odd.status, StatusCode::OK);
    let inbox = greet.get("/werkbak").await;
    assert!(
        inbox.body.contains(&format!("/zaken/{case}")),
        "the report is in the inbox"
    );
    assert!(inbox.body.contains("uiterlijk"), "with its deadlines");
    let page = greet.get(&format!("/zaken/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Hij zei dat hij mij zou opwachten."));
    assert!(page.body.contains("AB-123-C"));
    let evidence = greet.get(&format!("/zaken/{case}/bewijs")).await;
    assert!(evidence.body.contains("scherm.png"));
    let download = evidence
        .body
        .split(&format!("href=\"/zaken/{case}/bewijs/"))
        .nth(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .expect("a download link");
    let file = greet.get(&format!("/zaken/{case}/bewijs/{download}")).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.headers["content-type"], "image/png");
    assert!(
        file.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(file.bytes, PNG, "the file comes back whole");

    greet.get(&format!("/zaken/{case}")).await;
    let page = greet
        .post(
            &format!("/zaken/{case}/nazorg"),
            &[
                ("nazorg_gesprek", "eerste"),
                ("nazorg_op", "2026-03-04T10:00"),
                ("nazorg_door", griffier.id.as_str()),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = greet
        .post(
            &format!("/zaken/{case}/maatregel"),
            &[
                ("maatregel_soort", "schriftelijke_waarschuwing"),
                ("maatregel_vanaf", "2026-03-05"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = greet
        .post(
            &format!("/zaken/{case}/schade"),
            &[("schade_omschrijving", "Ruit"), ("schade_bedrag", "twaalf")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an amount in words is refused"
    );
    assert!(page.body.contains("Vul een bedrag in euro’s in"));
    // More paid to the victim than the damage: refused at that field, nothing kept.
    let page = greet
        .post(
            &format!("/zaken/{case}/schade"),
            &[
                ("schade_omschrijving", "Ruit"),
                ("schade_bedrag", "100"),
                ("schade_betaald", "150"),
                ("schade_verhaald", "0"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body.contains("href=\"#schade_betaald\""),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("niet meer te betalen dan de schade zelf")
    );
    let page = greet.get(&format!("/zaken/{case}")).await;
    assert!(
        page.body.contains("Schriftelijke waarschuwing")
            || page.body.contains("schriftelijke waarschuwing")
    );
    let item = page
        .body
        .split("name=\"item\" value=\"")
        .nth(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned());
    let dossier = greet.get(&format!("/zaken/{case}/dossier")).await;
    assert!(
        dossier
            .body
            .contains("Het huisadres staat niet in dit dossier")
    );
    assert!(
        dossier.body.contains("tijdens een vergadering"),
        "the dossier says where: during the council meeting the report named"
    );
    assert!(
        page.body.contains("tijdens een vergadering"),
        "and so does the case page"
    );
    assert!(item.is_some());

    let page = rosa.get(&format!("/mijn-meldingen/{case}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Eerste nazorggesprek"),
        "the aftercare appointment"
    );
    assert!(page.body.contains("Greet Griffier"), "who opened the file");
    assert!(page.body.contains("het hele dossier"));
}

#[tokio::test]
async fn a_consult_in_doubt_becomes_a_report_when_the_handler_turns_it_into_one() {
    let world = World::new("westerveld").await;
    let raadslid = world
        .person("Rosa Raadslid", &[Role::Raadslid], &[], false)
        .await;
    let griffier = world
        .person("Greet Griffier", &[Role::Griffier], &[], true)
        .await;
    let mut rosa = world.sign_in(&raadslid).await;
    rosa.get("/twijfel").await;
    let page = rosa
        .post(
            "/twijfel",
            &[("question", "Iemand blijft mij mailen over mijn kinderen.")],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let consult = page
        .location
        .unwrap()
        .trim_start_matches("/mijn-meldingen/")
        .to_owned();

    let mut greet = world.sign_in(&griffier).await;
    let page = greet.get(&format!("/zaken/{consult}")).await;
    assert!(page.body.contains("Omzetten in een melding"));
    let page = greet.get(&format!("/zaken/{consult}/omzetten")).await;
    assert!(
        page.body.contains("Iemand blijft mij mailen"),
        "the question is the start of the account"
    );
    let page = greet
        .post_multipart(
            &format!("/zaken/{consult}/omzetten"),
            &[
                ("behaviours", "intimidatie"),
                ("narrative", "Iemand blijft mij mailen over mijn kinderen."),
                ("occurred_at", "2026-02-01T09:00"),
                ("channel", "email"),
                ("injury", "geen"),
            ],
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let report = page.location.unwrap();
    assert_ne!(report, format!("/zaken/{consult}"));
    let page = rosa.get("/mijn-meldingen").await;
    let rows = page
        .body
        .matches("<a class=\"utrecht-link\" href=\"/mijn-meldingen/")
        .count();
    assert_eq!(rows, 2, "the consult and the report are both hers");
    assert!(page.body.contains("Overleg bij twijfel"));
    assert!(
        page.body.contains("Afgerond"),
        "the consult is closed by its promotion"
    );
}

/// PROTOCOL.md §16 on the report form: a protocol with guidance for meetings and a choice
/// of recipient for the wethouder. A report made during a meeting is followed by the
/// meeting's guidance; the wethouder's choice is asked, a recipient the protocol does not
/// allow is refused by name, and the chosen one handles the report.
#[tokio::test]
async fn the_report_form_follows_the_organisations_own_protocol() {
    let world = World::new("westerveld").await;
    let own = weerbaar_protocol::preset_text("westerveld")
        .unwrap()
        .replacen(
            "handler = \"burgemeester\"            #  De burgemeester stelt de gemeentesecretaris op de hoogte.\"",
            "report_to = [\"burgemeester\", \"gemeentesecretaris\"]",
            1,
        )
        .replacen(
            "[guidance]\n",
            "[guidance]\nvergadering = \"De voorzitter schorst de vergadering en vraagt de verstoorder te vertrekken.\"\n",
            1,
        );
    world
        .register()
        .set_protocol(&world.organisation, None, &own)
        .await
        .unwrap();
    let wethouder = world
        .person("Wim Wethouder", &[Role::Wethouder], &[], false)
        .await;
    let mut wim = world.sign_in(&wethouder).await;
    let form = wim.get("/melden").await;
    assert!(
        form.body.contains("Bij wie wilt u melden?"),
        "the choice is asked"
    );
    assert!(
        !form
            .body
            .contains("name=\"report_to\" value=\"burgemeester\" checked"),
        "and not answered for the person"
    );
    let report = |report_to: &'static str| {
        vec![
            ("voor", "zelf"),
            ("behaviours", "beledigen"),
            ("narrative", "Hij schreeuwde dat ik een leugenaar ben."),
            ("occurred_at", "2026-03-02T20:15"),
            ("channel", "in_persoon"),
            ("during_meeting", "ja"),
            ("injury", "geen"),
            ("report_to", report_to),
        ]
    };
    let refused = wim
        .post_multipart("/melden", &report("griffier"), None)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("Kies bij wie u meldt: de burgemeester of de gemeentesecretaris."),
        "{}",
        refused.body
    );
    let page = wim
        .post_multipart("/melden", &report("gemeentesecretaris"), None)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let received = page.location.clone().unwrap();
    assert!(
        received.ends_with("/ontvangen?situatie=vergadering"),
        "{received}"
    );
    let page = wim.get(&received).await;
    assert!(
        page.body.contains(
            "De voorzitter schorst de vergadering en vraagt de verstoorder te vertrekken."
        ),
        "the meeting's guidance follows the report"
    );
    assert!(
        page.body.contains("gemeentesecretaris"),
        "the chosen handler"
    );
}
