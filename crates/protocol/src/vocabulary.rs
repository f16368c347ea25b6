//! The vocabulary of PROTOCOL.md: every code the protocol speaks, as enums.
//! The words are Dutch because the seeds and the users speak them.

use crate::code::codes;

codes! {
    /// The kind of public body an organisation is (PROTOCOL.md §1).
    pub enum Body: "body" {
        Gemeente = "gemeente",
        Provincie = "provincie",
        Waterschap = "waterschap",
    }
}

codes! {
    /// Office holders, and the staff and parties that receive, handle or are informed
    /// (PROTOCOL.md §1).
    pub enum Role: "role" {
        Burgemeester = "burgemeester",
        Wethouder = "wethouder",
        Raadslid = "raadslid",
        /// Also fractievolger, fractielid, commissielid.
        Duolid = "duolid",
        Fractiemedewerker = "fractiemedewerker",
        /// Members of the rekenkamer or referendumkamer (Leiden §1).
        AdviesorgaanLid = "adviesorgaan_lid",
        CommissarisVanDeKoning = "commissaris_van_de_koning",
        Gedeputeerde = "gedeputeerde",
        Statenlid = "statenlid",
        Dijkgraaf = "dijkgraaf",
        DagelijksBestuurslid = "dagelijks_bestuurslid",
        AlgemeenBestuurslid = "algemeen_bestuurslid",
        Griffier = "griffier",
        PlaatsvervangendGriffier = "plaatsvervangend_griffier",
        Gemeentesecretaris = "gemeentesecretaris",
        Statengriffier = "statengriffier",
        Provinciesecretaris = "provinciesecretaris",
        SecretarisDirecteur = "secretaris_directeur",
        /// The secretary of a water board's general assembly.
        Secretaris = "secretaris",
        /// The designated officer for safe public service ("aangewezen medewerker",
        /// "ambtenaar Veiligheid", "adviseur Veilige Publieke Taak").
        AdviseurVpt = "adviseur_vpt",
        /// The provincial coordinator VPT (Utrecht).
        CoordinatorVpt = "coordinator_vpt",
        Locoburgemeester = "locoburgemeester",
        MinisterBzk = "minister_bzk",
        /// Civil servants: not routed by the protocol, but incidents against them count
        /// for recidive (Westerveld §5.2, Nijmegen §6.2, Leiden §7.2).
        Ambtenaar = "ambtenaar",
    }
}

impl Role {
    /// The body whose office this is, for political office holders; `None` for staff
    /// and other parties, who are never the victim the protocol routes.
    pub fn office_of(self) -> Option<Body> {
        use Role::*;
        match self {
            Burgemeester | Wethouder | Raadslid | Duolid | Fractiemedewerker | AdviesorgaanLid => {
                Some(Body::Gemeente)
            }
            CommissarisVanDeKoning | Gedeputeerde | Statenlid => Some(Body::Provincie),
            Dijkgraaf | DagelijksBestuurslid | AlgemeenBestuurslid => Some(Body::Waterschap),
            _ => None,
        }
    }

    pub fn is_office_holder(self) -> bool {
        self.office_of().is_some()
    }

    /// The kind of body this role belongs to (PROTOCOL.md §16.8): its offices and its own
    /// staff. `None` for roles every kind of body has or that stand outside them
    /// (`adviseur_vpt`, `coordinator_vpt`, `minister_bzk`, `ambtenaar`).
    pub fn body(self) -> Option<Body> {
        use Role::*;
        match self {
            Griffier | PlaatsvervangendGriffier | Gemeentesecretaris | Locoburgemeester => {
                Some(Body::Gemeente)
            }
            Statengriffier | Provinciesecretaris => Some(Body::Provincie),
            SecretarisDirecteur | Secretaris => Some(Body::Waterschap),
            AdviseurVpt | CoordinatorVpt | MinisterBzk | Ambtenaar => None,
            office => office.office_of(),
        }
    }

    /// The role of `body` that does what this role does in its own body: the code a
    /// file of that body most likely meant (the water board's `secretaris` in a municipal
    /// file is the gemeentesecretaris).
    pub fn counterpart_in(self, body: Body) -> Option<Role> {
        use Role::*;
        let row: [Role; 3] = match self {
            Burgemeester | CommissarisVanDeKoning | Dijkgraaf => {
                [Burgemeester, CommissarisVanDeKoning, Dijkgraaf]
            }
            Wethouder | Gedeputeerde | DagelijksBestuurslid => {
                [Wethouder, Gedeputeerde, DagelijksBestuurslid]
            }
            Raadslid | Statenlid | AlgemeenBestuurslid => {
                [Raadslid, Statenlid, AlgemeenBestuurslid]
            }
            Griffier | PlaatsvervangendGriffier | Statengriffier => {
                [Griffier, Statengriffier, Secretaris]
            }
            Gemeentesecretaris | Provinciesecretaris | SecretarisDirecteur | Secretaris => {
                [Gemeentesecretaris, Provinciesecretaris, SecretarisDirecteur]
            }
            _ => return None,
        };
        let index = match body {
            Body::Gemeente => 0,
            Body::Provincie => 1,
            Body::Waterschap => 2,
        };
        Some(row[index]).filter(|role| *role != self)
    }
}

codes! {
    /// How heavy the behaviour is (PROTOCOL.md §2), in order from light to heavy.
    pub enum Category: "category" {
        EmotioneelIk = "emotioneel_ik",
        EmotioneelJullie = "emotioneel_jullie",
        VerbaleAgressie = "verbale_agressie",
        BedreigingIntimidatie = "bedreiging_intimidatie",
        FysiekGeweld = "fysiek_geweld",
    }
}

impl Category {
    /// The letter of Leiden's ABCD model.
    pub fn abcd(self) -> Abcd {
        match self {
            Category::EmotioneelIk => Abcd::A,
            Category::EmotioneelJullie => Abcd::B,
            Category::VerbaleAgressie => Abcd::C,
            Category::BedreigingIntimidatie | Category::FysiekGeweld => Abcd::D,
        }
    }

    /// Emotion is allowed; everything from C up crosses the line.
    pub fn is_emotional(self) -> bool {
        matches!(self.abcd(), Abcd::A | Abcd::B)
    }

    /// Categories C and D: aggression.
    pub fn is_aggression(self) -> bool {
        !self.is_emotional()
    }
}

/// Leiden's ABCD model letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Abcd {
    A,
    B,
    C,
    D,
}

codes! {
    /// The concrete behaviours a reporter picks (PROTOCOL.md §2).
    pub enum Behaviour: "behaviour" {
        UitzonderingVragen = "uitzondering_vragen",
        Klagen = "klagen",
        Boosheid = "boosheid",
        Claimen = "claimen",
        Smeken = "smeken",
        KritiekOpBeleid = "kritiek_op_beleid",
        TerVerantwoordingRoepen = "ter_verantwoording_roepen",
        BeschuldigenOrganisatie = "beschuldigen_organisatie",
        SchandeSpreken = "schande_spreken",
        Obstructie = "obstructie",
        Schelden = "schelden",
        Beledigen = "beledigen",
        Treiteren = "treiteren",
        BelachelijkMaken = "belachelijk_maken",
        Uitlokken = "uitlokken",
        Smaad = "smaad",
        Laster = "laster",
        Discriminatie = "discriminatie",
        EmotioneleChantage = "emotionele_chantage",
        Pesten = "pesten",
        Desinformatie = "desinformatie",
        Ordeverstoring = "ordeverstoring",
        DreigenMetGeweld = "dreigen_met_geweld",
        Intimidatie = "intimidatie",
        SeksueleIntimidatie = "seksuele_intimidatie",
        Stalking = "stalking",
        DreigingGebouw = "dreiging_gebouw",
        Doxing = "doxing",
        DreigenZelfbeschadiging = "dreigen_zelfbeschadiging",
        Schoppen = "schoppen",
        Slaan = "slaan",
        Spugen = "spugen",
        Beetpakken = "beetpakken",
        Trekken = "trekken",
        Vernieling = "vernieling",
        VoorwerpenGooien = "voorwerpen_gooien",
    }
}

impl Behaviour {
    /// The category of PROTOCOL.md §2's table; a protocol file may override it.
    pub fn default_category(self) -> Category {
        use Behaviour::*;
        match self {
            UitzonderingVragen | Klagen | Boosheid | Claimen | Smeken => Category::EmotioneelIk,
            KritiekOpBeleid
            | TerVerantwoordingRoepen
            | BeschuldigenOrganisatie
            | SchandeSpreken
            | Obstructie => Category::EmotioneelJullie,
            Schelden | Beledigen | Treiteren | BelachelijkMaken | Uitlokken | Smaad | Laster
            | Discriminatie | EmotioneleChantage | Pesten | Desinformatie | Ordeverstoring => {
                Category::VerbaleAgressie
            }
            DreigenMetGeweld
            | Intimidatie
            | SeksueleIntimidatie
            | Stalking
            | DreigingGebouw
            | Doxing
            | DreigenZelfbeschadiging => Category::BedreigingIntimidatie,
            Schoppen | Slaan | Spugen | Beetpakken | Trekken | Vernieling | VoorwerpenGooien => {
                Category::FysiekGeweld
            }
        }
    }
}

codes! {
    /// How the behaviour reached the office holder (PROTOCOL.md §15).
    pub enum Channel: "channel" {
        InPersoon = "in_persoon",
        Telefoon = "telefoon",
        Brief = "brief",
        Email = "email",
        SocialeMedia = "sociale_media",
        Berichtenapp = "berichtenapp",
        Overig = "overig",
    }
}

// The codes! macro derives a fixed set of traits, so the defaults of §15 are spelled out.
#[allow(clippy::derivable_impls)]
impl Default for Channel {
    /// §15: `channel` defaults to `overig`.
    fn default() -> Self {
        Channel::Overig
    }
}

impl Channel {
    /// Channels whose messages must be captured as evidence at once (PROTOCOL.md §5, §14).
    pub fn leaves_digital_trace(self) -> bool {
        matches!(
            self,
            Channel::Email | Channel::SocialeMedia | Channel::Berichtenapp
        )
    }
}

codes! {
    /// Harm to the victim (PROTOCOL.md §6, §15).
    pub enum Injury: "injury" {
        Geen = "geen",
        LichamelijkLetsel = "lichamelijk_letsel",
        GeestelijkLetsel = "geestelijk_letsel",
        Ziekenhuisopname = "ziekenhuisopname",
        BlijvendeSchade = "blijvende_schade",
        Overlijden = "overlijden",
    }
}

#[allow(clippy::derivable_impls)]
impl Default for Injury {
    /// §15: `injury` defaults to `geen`.
    fn default() -> Self {
        Injury::Geen
    }
}

codes! {
    /// Whether the incident must be reported (PROTOCOL.md §3), from weak to strong.
    pub enum ReportObligation: "report obligation" {
        NotRequired = "not_required",
        Optional = "optional",
        Recommended = "recommended",
        Required = "required",
    }
}

codes! {
    /// The tasks a case can hold (PROTOCOL.md §5).
    pub enum Task: "task" {
        NazorgGesprek1 = "nazorg_gesprek_1",
        NazorgGesprek2 = "nazorg_gesprek_2",
        NazorgGesprek3 = "nazorg_gesprek_3",
        NazorgAanbieden = "nazorg_aanbieden",
        MaatregelBesluit = "maatregel_besluit",
        Incidentgesprek = "incidentgesprek",
        AfspraakPolitie = "afspraak_politie",
        MeldingInspectie = "melding_inspectie",
        InformerenCdk = "informeren_cdk",
        VastleggenBewijs = "vastleggen_bewijs",
        MeldenPlatform = "melden_platform",
        Schadeverhaal = "schadeverhaal",
        /// Arises later: when a restricting measure ends (Utrecht §5).
        Herstelgesprek = "herstelgesprek",
        /// Arises later: once an aangifte is made (Westerveld §5.4, Leiden §7.4, Nijmegen §6.4).
        Terugkoppeling = "terugkoppeling",
        /// Arises later: checking the police record (Utrecht annex, step 7).
        ControleAangifte = "controle_aangifte",
    }
}

impl Task {
    /// Tasks that arise during a case's life rather than from the report itself.
    pub fn arises_later(self) -> bool {
        matches!(
            self,
            Task::Herstelgesprek | Task::Terugkoppeling | Task::ControleAangifte
        )
    }
}

codes! {
    /// Where it happened, for the guidance shown to the reporter (PROTOCOL.md §16.6).
    pub enum Situation: "situation" {
        /// During a meeting of the council, a committee or the college.
        Vergadering = "vergadering",
        /// In or at the organisation's building.
        Gebouw = "gebouw",
        /// Outside: on the street, at home, at an event.
        Buiten = "buiten",
        Online = "online",
        /// A threat or a signal before anything happened.
        DreigingVooraf = "dreiging_vooraf",
    }
}

codes! {
    /// Whether the person was addressed about the behaviour, and what followed
    /// (PROTOCOL.md §16.2).
    pub enum Addressed: "addressed" {
        NotAddressed = "not_addressed",
        /// The behaviour changed after the person was addressed (corrected).
        Changed = "changed",
        /// The behaviour did not change after the person was addressed.
        Unchanged = "unchanged",
    }
}

#[allow(clippy::derivable_impls)]
impl Default for Addressed {
    /// §16.2: `addressed` defaults to `not_addressed`.
    fn default() -> Self {
        Addressed::NotAddressed
    }
}

codes! {
    /// Outside bodies that must or may be involved (PROTOCOL.md §6).
    pub enum Escalation: "escalation" {
        InspectieSzw = "inspectie_szw",
        CommissarisVanDeKoning = "commissaris_van_de_koning",
        Nctv = "nctv",
        OpenbaarMinisterie = "openbaar_ministerie",
        MinisterBzk = "minister_bzk",
    }
}

codes! {
    /// Measures toward the perpetrator (PROTOCOL.md §7).
    pub enum Measure: "measure" {
        MondelingeWaarschuwing = "mondelinge_waarschuwing",
        SchriftelijkeWaarschuwing = "schriftelijke_waarschuwing",
        /// Also stopgesprek, ordegesprek, corrigerend gesprek met de burgemeester.
        Incidentgesprek = "incidentgesprek",
        Herstelgesprek = "herstelgesprek",
        BeperkingDienstverlening = "beperking_dienstverlening",
        Toegangsverbod = "toegangsverbod",
        Contactverbod = "contactverbod",
        MeldingPolitie = "melding_politie",
        Aangifte = "aangifte",
        Schadeverhaal = "schadeverhaal",
        HerstelBemiddeling = "herstelbemiddeling",
        Overig = "overig",
    }
}

impl Measure {
    /// Measures that restrict the perpetrator for a period and so end in a
    /// herstelgesprek (PROTOCOL.md §7, Utrecht §5).
    pub fn is_restriction(self) -> bool {
        matches!(
            self,
            Measure::BeperkingDienstverlening | Measure::Toegangsverbod | Measure::Contactverbod
        )
    }
}

codes! {
    /// Who files the aangifte (PROTOCOL.md §8).
    pub enum AangifteBy: "aangifte_by" {
        Organisatie = "organisatie",
        Ambtsdrager = "ambtsdrager",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::Code;

    #[test]
    fn categories_are_ordered_light_to_heavy() {
        let all = Category::ALL;
        assert!(all.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(Category::FysiekGeweld.abcd(), Abcd::D);
        assert_eq!(Category::BedreigingIntimidatie.abcd(), Abcd::D);
    }

    #[test]
    fn report_obligations_are_ordered_weak_to_strong() {
        assert!(ReportObligation::NotRequired < ReportObligation::Optional);
        assert!(ReportObligation::Optional < ReportObligation::Recommended);
        assert!(ReportObligation::Recommended < ReportObligation::Required);
    }

    #[test]
    fn the_spec_table_places_every_behaviour() {
        let count = |category| {
            Behaviour::ALL
                .iter()
                .filter(|b| b.default_category() == category)
                .count()
        };
        assert_eq!(count(Category::EmotioneelIk), 5);
        assert_eq!(count(Category::EmotioneelJullie), 5);
        assert_eq!(count(Category::VerbaleAgressie), 12);
        assert_eq!(count(Category::BedreigingIntimidatie), 7);
        assert_eq!(count(Category::FysiekGeweld), 7);
    }

    #[test]
    fn office_holders_belong_to_one_body_and_staff_to_none() {
        assert_eq!(Role::Statenlid.office_of(), Some(Body::Provincie));
        assert_eq!(Role::Dijkgraaf.office_of(), Some(Body::Waterschap));
        assert_eq!(Role::Duolid.office_of(), Some(Body::Gemeente));
        assert_eq!(Role::Griffier.office_of(), None);
        assert_eq!(Role::Ambtenaar.office_of(), None);
    }
}
