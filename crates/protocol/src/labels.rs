//! The Dutch words for the protocol's codes, as pages, e-mails and the protocol's readable
//! text show them (the register's own codes have theirs in the web crate).
//!
//! The codes (`nazorg_gesprek_1`) are for files and the API; a griffier or raadslid reads
//! these labels instead. Every function matches exhaustively, without a catch-all arm, so
//! that a code added to the vocabulary does not compile until it has words here.
//!
//! Roles and bodies are lower case ("gemeld bij de griffier") because the pages put them
//! inside sentences; everything that stands on its own (an option, a badge, a timeline
//! entry) starts with a capital. The behaviour groups, explanations and guidance follow
//! the seeds' own tables (`shared/seeds/`); the spec's category table fills in what the
//! seeds do not place.

use crate::own::TaskCode;
use crate::protocol::Protocol;
use crate::vocabulary::{
    AangifteBy, Abcd, Addressed, Behaviour, Body, Category, Channel, Escalation, Injury, Measure,
    ReportObligation, Role, Situation, Task,
};

pub fn body_label(body: Body) -> &'static str {
    match body {
        Body::Gemeente => "gemeente",
        Body::Provincie => "provincie",
        Body::Waterschap => "waterschap",
    }
}

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Burgemeester => "burgemeester",
        Role::Wethouder => "wethouder",
        Role::Raadslid => "raadslid",
        Role::Duolid => "duolid",
        Role::Fractiemedewerker => "fractiemedewerker",
        Role::AdviesorgaanLid => "lid van een adviesorgaan",
        Role::CommissarisVanDeKoning => "commissaris van de Koning",
        Role::Gedeputeerde => "gedeputeerde",
        Role::Statenlid => "Statenlid",
        Role::Dijkgraaf => "dijkgraaf",
        Role::DagelijksBestuurslid => "dagelijks bestuurslid",
        Role::AlgemeenBestuurslid => "algemeen bestuurslid",
        Role::Griffier => "griffier",
        Role::PlaatsvervangendGriffier => "plaatsvervangend griffier",
        Role::Gemeentesecretaris => "gemeentesecretaris",
        Role::Statengriffier => "statengriffier",
        Role::Provinciesecretaris => "provinciesecretaris",
        Role::SecretarisDirecteur => "secretaris-directeur",
        // Next to "secretaris-directeur" a bare "secretaris" reads as a typo.
        Role::Secretaris => "secretaris (waterschap)",
        Role::AdviseurVpt => "adviseur Veilige Publieke Taak",
        Role::CoordinatorVpt => "provinciale coördinator VPT",
        Role::Locoburgemeester => "locoburgemeester",
        Role::MinisterBzk => "minister van BZK",
        Role::Ambtenaar => "ambtenaar",
    }
}

pub fn category_label(category: Category) -> &'static str {
    match category {
        Category::EmotioneelIk => "Emotioneel gedrag (ik)",
        Category::EmotioneelJullie => "Emotioneel gedrag (jullie)",
        Category::VerbaleAgressie => "(Non-)verbale agressie",
        Category::BedreigingIntimidatie => "Bedreiging, intimidatie",
        Category::FysiekGeweld => "Fysiek geweld",
    }
}

/// Leiden's names for the letters of its ABCD model.
pub fn abcd_label(abcd: Abcd) -> &'static str {
    match abcd {
        Abcd::A => "A-gedrag",
        Abcd::B => "B-gedrag",
        Abcd::C => "C-gedrag",
        Abcd::D => "D-gedrag",
    }
}

pub fn category_description(category: Category) -> &'static str {
    match category {
        Category::EmotioneelIk => {
            "Gedrag gericht op de eigen situatie, vaak te herkennen aan het woordje “ik”: \
             emotie mag, dit is geen agressie."
        }
        Category::EmotioneelJullie => {
            "Kritiek op regels, beleid of het bestuur, vaak te herkennen aan het woordje \
             “jullie”: niet op de persoon gericht en geen agressie."
        }
        Category::VerbaleAgressie => {
            "Gedrag gericht op de ambtsdrager als persoon, vaak te herkennen aan het woordje \
             “jij”: dit gaat over de grens, ook online."
        }
        Category::BedreigingIntimidatie => {
            "Een stap verder dan verbale agressie: openlijk dreigen, een suggestie van geweld \
             of intimidatie, persoonlijk op de ambtsdrager gericht."
        }
        Category::FysiekGeweld => {
            "Een stap verder dan bedreiging of intimidatie: geweld tegen personen, dieren of \
             zaken."
        }
    }
}

/// What the person who just reported can do now. Generic on purpose: the organisation's
/// own guidance (a protocol file's `[guidance]`) is shown next to it, and obligations and
/// deadlines come from the plan, so none are stated here. Drawn from the seeds' "Wat te
/// doen als dit gebeurt?" (Leiden), "Norm gemeente" (Westerveld, Nijmegen), the
/// handelingsprocedure tijdens een incident and Utrecht §4, §5 and its annex.
pub fn category_what_now(category: Category) -> &'static [&'static str] {
    match category {
        Category::EmotioneelIk => &[
            "Emotie mag: geef eerst aandacht aan de emotie en laat de persoon uitpraten.",
            "Luister, vat samen en vraag door, maar ga geen discussie aan.",
            "Leg daarna uit waarom er zo gewerkt wordt en wat wel en niet kan.",
            "Houdt het gedrag aan, zeg dan dat de boodschap is ontvangen en niet herhaald hoeft \
             te worden.",
        ],
        Category::EmotioneelJullie => &[
            "Kritiek mag: geef aandacht aan de emotie en laat de persoon zijn verhaal doen.",
            "Luister goed en toon begrip voor de frustratie, maar ga niet in discussie.",
            "Leg uit waarom er zo gewerkt wordt en wat de mogelijkheden zijn.",
            "Houdt het gedrag aan, zeg dan dat de boodschap is ontvangen en niet herhaald hoeft \
             te worden.",
        ],
        Category::VerbaleAgressie => &[
            "Benoem het gedrag en zeg dat het niet wordt geaccepteerd.",
            "Ga pas verder met het gesprek of contact als het gedrag stopt; stopt het niet, \
             beëindig het dan.",
            "Vraag de persoon te vertrekken of verlaat zelf de locatie; schakel zo nodig \
             beveiliging of politie in.",
            "Online: geef aan dat dit niet wordt geaccepteerd, maak een screenshot en stop met \
             de conversatie.",
            "Bewaar berichten met het account van de afzender, de URL, de datum en de tijd.",
            "U krijgt opvang en nazorg aangeboden; zeg wat u nodig hebt.",
        ],
        Category::BedreigingIntimidatie => &[
            "Uw eigen veiligheid staat voorop: bel bij nood altijd 112.",
            "Beëindig het gesprek of contact en vergroot de afstand; verlaat zo nodig zelf de \
             ruimte of het gebouw.",
            "Blijf kalm en provoceer niet; schakel beveiliging of politie in.",
            "Geen acute nood, maar wel politie nodig? Bel 0900-8844.",
            "Bewaar brieven, e-mails, voicemails en berichten, met account, URL, datum en tijd; \
             houd bij herhaling een logboek bij.",
            "Geef bij de politie nooit uw huisadres op.",
            "U krijgt opvang en nazorg aangeboden; zeg wat u nodig hebt.",
        ],
        Category::FysiekGeweld => &[
            "Uw eigen veiligheid gaat altijd voor: trek u terug en verlaat de locatie.",
            "Bel bij nood 112 en schakel beveiliging of politie in.",
            "Geef de agressor tot de politie er is zijn zin, blijf kalm en provoceer niet.",
            "Vertel het direct als u letsel hebt: bij ernstig letsel moet binnen 24 uur de \
             Arbeidsinspectie worden gewaarschuwd.",
            "Houd bij welke schade en kosten u hebt, zodat die op de pleger kunnen worden \
             verhaald.",
            "U krijgt opvang en nazorg aangeboden; zeg wat u nodig hebt.",
        ],
    }
}

pub fn behaviour_label(behaviour: Behaviour) -> &'static str {
    match behaviour {
        Behaviour::UitzonderingVragen => "Uitzondering of begrip vragen",
        Behaviour::Klagen => "Klagen",
        Behaviour::Boosheid => "Boos of gefrustreerd zijn",
        Behaviour::Claimen => "Claimen, afhankelijk gedrag",
        Behaviour::Smeken => "Blijven vragen, zeuren of smeken",
        Behaviour::KritiekOpBeleid => "Kritiek op regels of beleid",
        Behaviour::TerVerantwoordingRoepen => "Ter verantwoording roepen",
        Behaviour::BeschuldigenOrganisatie => "De organisatie beschuldigen",
        Behaviour::SchandeSpreken => "Schande spreken",
        Behaviour::Obstructie => "Obstructie, machtsstrijd",
        Behaviour::Schelden => "Schelden",
        Behaviour::Beledigen => "Beledigen",
        Behaviour::Treiteren => "Treiteren, sarren, zuigen",
        Behaviour::BelachelijkMaken => "Belachelijk maken",
        Behaviour::Uitlokken => "Uitlokken",
        Behaviour::Smaad => "Smaad",
        Behaviour::Laster => "Laster",
        Behaviour::Discriminatie => "Discrimineren",
        Behaviour::EmotioneleChantage => "Emotionele chantage",
        Behaviour::Pesten => "Pesten",
        Behaviour::Desinformatie => "Desinformatie verspreiden",
        Behaviour::Ordeverstoring => "Ordeverstoring tijdens een vergadering",
        Behaviour::DreigenMetGeweld => "Dreigen met geweld",
        Behaviour::Intimidatie => "Intimideren",
        Behaviour::SeksueleIntimidatie => "Seksuele intimidatie",
        Behaviour::Stalking => "Stalking, belaging",
        Behaviour::DreigingGebouw => "Dreiging richting het gebouw",
        Behaviour::Doxing => "Privégegevens openbaar maken (doxing)",
        Behaviour::DreigenZelfbeschadiging => "Dreigen zichzelf iets aan te doen",
        Behaviour::Schoppen => "Schoppen",
        Behaviour::Slaan => "Slaan",
        Behaviour::Spugen => "Spugen",
        Behaviour::Beetpakken => "Beetpakken",
        Behaviour::Trekken => "Trekken",
        Behaviour::Vernieling => "Vernielen",
        Behaviour::VoorwerpenGooien => "Voorwerpen gooien",
    }
}

/// One sentence for the report form, so that the reporter can pick without knowing the
/// protocol. The examples are the seeds' own where they give any.
pub fn behaviour_explanation(behaviour: Behaviour) -> &'static str {
    match behaviour {
        Behaviour::UitzonderingVragen => {
            "Iemand vraagt een uitzondering of begrip voor de eigen situatie, bijvoorbeeld met \
             een excuus of een beroep op redelijkheid."
        }
        Behaviour::Klagen => "Iemand klaagt of uit teleurstelling over de eigen situatie.",
        Behaviour::Boosheid => {
            "Iemand is boos, geïrriteerd of gefrustreerd, bijvoorbeeld over een beslissing; \
             boosheid alleen is geen agressie."
        }
        Behaviour::Claimen => {
            "Iemand legt veel beslag op u en gedraagt zich claimend of afhankelijk."
        }
        Behaviour::Smeken => "Iemand blijft vragen, zeuren of smeken om iets gedaan te krijgen.",
        Behaviour::KritiekOpBeleid => {
            "Iemand heeft kritiek op regels, beleid of het bestuur en gaat daarover in \
             discussie."
        }
        Behaviour::TerVerantwoordingRoepen => {
            "Iemand eist dat het bestuur of de organisatie zich verantwoordt voor een besluit \
             of beleid."
        }
        Behaviour::BeschuldigenOrganisatie => {
            "Iemand beschuldigt de organisatie of het bestuur, niet u als persoon."
        }
        Behaviour::SchandeSpreken => "Iemand noemt een besluit of de gang van zaken een schande.",
        Behaviour::Obstructie => {
            "Iemand werkt tegen of gaat een machtsstrijd aan, zonder persoonlijk te worden."
        }
        Behaviour::Schelden => "Iemand scheldt u uit of is grof tegen u.",
        Behaviour::Beledigen => "Iemand beledigt u als persoon, in uw bijzijn of online.",
        Behaviour::Treiteren => {
            "Iemand treitert, sart of zuigt: blijft u met opzet irriteren of kleineren."
        }
        Behaviour::BelachelijkMaken => "Iemand maakt u belachelijk, in uw bijzijn of online.",
        Behaviour::Uitlokken => "Iemand probeert u uit te lokken tot een boze reactie.",
        Behaviour::Smaad => {
            "Iemand tast uw goede naam aan door u in het openbaar ergens van te beschuldigen."
        }
        Behaviour::Laster => {
            "Iemand verspreidt beschuldigingen over u terwijl hij weet dat ze niet waar zijn."
        }
        Behaviour::Discriminatie => {
            "Iemand kwetst of behandelt u anders vanwege wie u bent, zoals uw afkomst, geloof, \
             geslacht of geaardheid."
        }
        Behaviour::EmotioneleChantage => {
            "Iemand zet u onder druk door in te spelen op uw gevoelens of schuldgevoel, om zijn \
             zin te krijgen."
        }
        Behaviour::Pesten => "Iemand valt u herhaaldelijk lastig, kleineert u of sluit u uit.",
        Behaviour::Desinformatie => {
            "Iemand verspreidt bewust onjuiste informatie over u of uw werk."
        }
        Behaviour::Ordeverstoring => {
            "Iemand verstoort een vergadering, bijvoorbeeld door te schreeuwen, zich ermee te \
             bemoeien of in de zaal te demonstreren."
        }
        Behaviour::DreigenMetGeweld => {
            "Iemand dreigt openlijk met geweld of suggereert dat u of uw naasten iets kan \
             overkomen."
        }
        Behaviour::Intimidatie => {
            "Iemand probeert u bang te maken of onder druk te zetten, met woorden, gebaren of \
             houding."
        }
        Behaviour::SeksueleIntimidatie => {
            "Iemand doet ongewenste seksueel getinte opmerkingen, gebaren, berichten of \
             toenaderingen."
        }
        Behaviour::Stalking => {
            "Iemand blijft u ongewenst benaderen of volgt u, bijvoorbeeld met appjes, e-mails, \
             telefoontjes, ongevraagde cadeaus of achtervolgen."
        }
        Behaviour::DreigingGebouw => {
            "Iemand dreigt het gebouw van de organisatie iets aan te doen, bijvoorbeeld met \
             brandstichting."
        }
        Behaviour::Doxing => {
            "Iemand maakt privégegevens van u of uw naasten openbaar, zoals uw huisadres."
        }
        Behaviour::DreigenZelfbeschadiging => {
            "Iemand dreigt zichzelf iets aan te doen, of stelt u daarvoor verantwoordelijk."
        }
        Behaviour::Schoppen => "Iemand schopt u of een ander.",
        Behaviour::Slaan => "Iemand slaat u of een ander.",
        Behaviour::Spugen => "Iemand spuugt naar u of een ander.",
        Behaviour::Beetpakken => "Iemand pakt u of een ander vast.",
        Behaviour::Trekken => "Iemand trekt aan u, aan uw kleding of aan uw spullen.",
        Behaviour::Vernieling => {
            "Iemand vernielt of beschadigt spullen, van u of van de organisatie."
        }
        Behaviour::VoorwerpenGooien => "Iemand gooit met voorwerpen, naar u of in uw richting.",
    }
}

/// A block of behaviours on the report form, as the seeds' tables group them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BehaviourGroup {
    pub title: &'static str,
    pub hint: &'static str,
    pub behaviours: &'static [Behaviour],
}

/// Every behaviour once, in the columns of the seeds' tables (Leiden's Tabel 1, the
/// schemes of Westerveld and Nijmegen), light to heavy. Desinformatie, doxing,
/// ordeverstoring and the like are in no seed's table and sit where the spec's category
/// table puts them. This is the spec's default grouping, for finding a behaviour: a
/// protocol file may classify a behaviour otherwise (Utrecht counts threatening to harm
/// oneself as emotional), so a page shows the category from the plan, never the group.
pub fn behaviour_groups() -> &'static [BehaviourGroup] {
    use Behaviour::*;
    &[
        BehaviourGroup {
            title: "Ik-gedrag",
            hint: "Gedrag gericht op zichzelf en op de eigen situatie, vaak te herkennen aan het \
                   woordje “ik”. Emotie mag: inwoners mogen klagen en boos en geïrriteerd zijn.",
            behaviours: &[UitzonderingVragen, Klagen, Boosheid, Claimen, Smeken],
        },
        BehaviourGroup {
            title: "Jullie-gedrag",
            hint: "Kritiek op regels, beleid en/of bestuurlijk orgaan, vaak te herkennen aan het \
                   woordje “jullie”. Dit is niet op de persoon gericht.",
            behaviours: &[
                KritiekOpBeleid,
                TerVerantwoordingRoepen,
                BeschuldigenOrganisatie,
                SchandeSpreken,
                Obstructie,
            ],
        },
        BehaviourGroup {
            title: "(Non-)verbale agressie",
            hint: "Gedrag gericht op de politieke ambtsdrager, vaak te herkennen aan het woordje \
                   “jij”. Dit is op de persoon gericht, ook online.",
            behaviours: &[
                Schelden,
                Beledigen,
                Treiteren,
                BelachelijkMaken,
                Uitlokken,
                Smaad,
                Laster,
                Discriminatie,
                EmotioneleChantage,
                Pesten,
                Desinformatie,
                Ordeverstoring,
            ],
        },
        BehaviourGroup {
            title: "Bedreiging, intimidatie",
            hint: "Gaat een stap verder dan verbale agressie: een suggestie van geweld of \
                   openlijk dreigen, persoonlijk gericht.",
            behaviours: &[
                DreigenMetGeweld,
                Intimidatie,
                SeksueleIntimidatie,
                Stalking,
                DreigingGebouw,
                Doxing,
                DreigenZelfbeschadiging,
            ],
        },
        BehaviourGroup {
            title: "Fysiek geweld",
            hint: "Gaat een stap verder dan bedreiging of intimidatie: gericht op personen, \
                   dieren en/of zaken.",
            behaviours: &[
                Schoppen,
                Slaan,
                Spugen,
                Beetpakken,
                Trekken,
                Vernieling,
                VoorwerpenGooien,
            ],
        },
    ]
}

pub fn channel_label(channel: Channel) -> &'static str {
    match channel {
        Channel::InPersoon => "In persoon",
        Channel::Telefoon => "Telefoon",
        Channel::Brief => "Brief",
        Channel::Email => "E-mail",
        Channel::SocialeMedia => "Sociale media",
        Channel::Berichtenapp => "Berichtenapp (zoals WhatsApp)",
        Channel::Overig => "Anders",
    }
}

pub fn injury_label(injury: Injury) -> &'static str {
    match injury {
        Injury::Geen => "Geen letsel",
        Injury::LichamelijkLetsel => "Lichamelijk letsel",
        Injury::GeestelijkLetsel => "Geestelijk letsel",
        Injury::Ziekenhuisopname => "Ziekenhuisopname",
        Injury::BlijvendeSchade => "Blijvende schade aan de gezondheid",
        Injury::Overlijden => "Overlijden",
    }
}

/// The seeds' own phrases from their "Melden en afhandelen" rows.
pub fn report_obligation_label(obligation: ReportObligation) -> &'static str {
    match obligation {
        ReportObligation::NotRequired => "Melden hoeft niet",
        ReportObligation::Optional => "Melden is facultatief",
        ReportObligation::Recommended => "Melden is aan te bevelen",
        ReportObligation::Required => "Altijd melden",
    }
}

/// A task of a case in Dutch: the spec's label, or the label the organisation's protocol
/// gives its own task (PROTOCOL.md §16.5).
pub fn task_code_label(code: TaskCode, protocol: &Protocol) -> String {
    match code {
        TaskCode::Spec(task) => task_label(task).to_owned(),
        TaskCode::Own(own) => protocol.own_task(own).map_or_else(
            || String::from("Taak uit een eerdere versie van het protocol"),
            |task| task.label.clone(),
        ),
    }
}

pub fn task_label(task: Task) -> &'static str {
    match task {
        Task::NazorgGesprek1 => "Eerste nazorggesprek",
        Task::NazorgGesprek2 => "Tweede nazorggesprek",
        Task::NazorgGesprek3 => "Derde nazorggesprek",
        Task::NazorgAanbieden => "Nazorg aanbieden",
        Task::MaatregelBesluit => "Besluiten over maatregelen",
        Task::Incidentgesprek => "Incidentgesprek met de pleger",
        Task::AfspraakPolitie => "Afspraak maken met de politie",
        // Utrecht's name; the others still say Inspectie SZW, its former name.
        Task::MeldingInspectie => "Arbeidsinspectie waarschuwen",
        Task::InformerenCdk => "Commissaris van de Koning informeren",
        Task::VastleggenBewijs => "Bewijs vastleggen",
        Task::MeldenPlatform => "Melden bij het platform",
        Task::Schadeverhaal => "Schade verhalen op de pleger",
        Task::Herstelgesprek => "Herstelgesprek met de pleger",
        Task::Terugkoppeling => "Terugkoppelen over de vervolging",
        Task::ControleAangifte => "Melding of aangifte bij de politie controleren",
    }
}

pub fn escalation_label(escalation: Escalation) -> &'static str {
    match escalation {
        Escalation::InspectieSzw => "Arbeidsinspectie (Inspectie SZW)",
        Escalation::CommissarisVanDeKoning => "Commissaris van de Koning",
        Escalation::Nctv => "NCTV",
        Escalation::OpenbaarMinisterie => "Openbaar Ministerie",
        Escalation::MinisterBzk => "Minister van BZK",
    }
}

pub fn measure_label(measure: Measure) -> &'static str {
    match measure {
        Measure::MondelingeWaarschuwing => "Mondelinge waarschuwing",
        Measure::SchriftelijkeWaarschuwing => "Schriftelijke waarschuwing",
        Measure::Incidentgesprek => "Incidentgesprek",
        Measure::Herstelgesprek => "Herstelgesprek",
        Measure::BeperkingDienstverlening => "Beperking van de dienstverlening",
        Measure::Toegangsverbod => "Toegangsverbod",
        Measure::Contactverbod => "Contactverbod",
        Measure::MeldingPolitie => "Melding bij de politie",
        Measure::Aangifte => "Aangifte bij de politie",
        Measure::Schadeverhaal => "Schade verhalen",
        Measure::HerstelBemiddeling => "Herstelbemiddeling",
        Measure::Overig => "Andere maatregel",
    }
}

pub fn aangifte_by_label(by: AangifteBy) -> &'static str {
    match by {
        AangifteBy::Organisatie => {
            "De organisatie doet aangifte, met instemming van de ambtsdrager"
        }
        AangifteBy::Ambtsdrager => "De ambtsdrager doet zelf aangifte",
    }
}

pub fn situation_label(situation: Situation) -> &'static str {
    match situation {
        Situation::Vergadering => "Tijdens een vergadering",
        Situation::Gebouw => "In of bij ons gebouw",
        Situation::Buiten => "Buiten, op straat of thuis",
        Situation::Online => "Online",
        Situation::DreigingVooraf => "Een dreiging vooraf",
    }
}

pub fn addressed_label(addressed: Addressed) -> &'static str {
    match addressed {
        Addressed::NotAddressed => "Niet aangesproken",
        Addressed::Changed => "Aangesproken, en het gedrag veranderde",
        Addressed::Unchanged => "Aangesproken, maar het gedrag bleef",
    }
}

/// Monday first, as a Dutch calendar and `jiff`'s `Weekday::to_monday_zero_offset` count.
pub const WEEKDAYS_SHORT: [&str; 7] = ["ma", "di", "wo", "do", "vr", "za", "zo"];

/// Dutch writes March as "mrt", not "maa".
pub const MONTHS_SHORT: [&str; 12] = [
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

/// Lower case, as Dutch writes month names inside a date ("3 maart 2026").
pub const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// "ma 2 mrt 2026"
pub fn date_words(date: jiff::civil::Date) -> String {
    let weekday = WEEKDAYS_SHORT[usize::from(date.weekday().to_monday_zero_offset() as u8)];
    let month = MONTHS_SHORT[usize::from(date.month() as u8).saturating_sub(1)];
    format!("{weekday} {} {month} {}", date.day(), date.year())
}

/// "ma 2 mrt 2026, 20:15" in Dutch time.
pub fn moment_words(at: jiff::Timestamp) -> String {
    let local = crate::calendar::in_amsterdam(at);
    format!(
        "{}, {:02}:{:02}",
        date_words(local.date()),
        local.hour(),
        local.minute()
    )
}
