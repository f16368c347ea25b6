//! Schemas for the OpenAPI document that the code's own types cannot give: the codes of
//! the protocol and the register (each an enum of its words, taken from the code so the
//! document cannot drift), and the facts and plan of PROTOCOL.md §15, whose serde forms
//! the protocol engine writes by hand.

use std::borrow::Cow;

use utoipa::ToSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use weerbaar_protocol::Code;

/// A string schema whose values are exactly `words`.
fn words(description: &str, words: impl IntoIterator<Item = &'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(words))
        .into()
}

/// A named schema for a set of words: `$marker` stands for the type in `value_type`.
macro_rules! word_schema {
    ($marker:ident, $name:literal, $description:literal, $words:expr) => {
        /// Stands for the type in `#[schema(value_type = …)]`; never made.
        #[derive(Debug)]
        #[allow(dead_code)]
        pub(crate) struct $marker;

        impl utoipa::PartialSchema for $marker {
            fn schema() -> RefOr<Schema> {
                words($description, $words)
            }
        }

        impl ToSchema for $marker {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

fn codes<C: Code>() -> impl Iterator<Item = &'static str> {
    C::ALL.iter().map(|code| code.as_str())
}

use weerbaar_protocol as p;
use weerbaar_register as r;

word_schema!(
    RoleCode,
    "Role",
    "An office or role (PROTOCOL.md §1).",
    codes::<p::Role>()
);
word_schema!(
    BehaviourCode,
    "Behaviour",
    "A behaviour (PROTOCOL.md §2).",
    codes::<p::Behaviour>()
);
word_schema!(
    SituationCode,
    "Situation",
    "Where it happened, for the guidance and an organisation's own tasks (PROTOCOL.md §16.6).",
    codes::<p::Situation>()
);
word_schema!(
    AddressedCode,
    "Addressed",
    "Whether the person was addressed about the behaviour, and what followed (PROTOCOL.md §16.2).",
    codes::<p::Addressed>()
);
word_schema!(
    ChannelCode,
    "Channel",
    "How it happened (PROTOCOL.md §2).",
    codes::<p::Channel>()
);
word_schema!(
    InjuryCode,
    "Injury",
    "Injury (PROTOCOL.md §2).",
    codes::<p::Injury>()
);
word_schema!(
    CategoryCode,
    "Category",
    "The category (PROTOCOL.md §3).",
    codes::<p::Category>()
);
word_schema!(
    ReportCode,
    "ReportObligation",
    "Whether reporting is required (PROTOCOL.md §3).",
    codes::<p::ReportObligation>()
);
word_schema!(
    TaskCode,
    "Task",
    "A task of the plan (PROTOCOL.md §6).",
    codes::<p::Task>()
);
word_schema!(
    EscalationCode,
    "Escalation",
    "An escalation (PROTOCOL.md §7).",
    codes::<p::Escalation>()
);
word_schema!(
    MeasureCode,
    "Measure",
    "A measure toward the perpetrator (PROTOCOL.md §7).",
    codes::<p::Measure>()
);
word_schema!(
    AangifteByCode,
    "AangifteBy",
    "Who files the aangifte (PROTOCOL.md §8).",
    codes::<p::AangifteBy>()
);
word_schema!(
    AbcdCode,
    "Abcd",
    "Leiden's ABCD letter.",
    ["A", "B", "C", "D"]
);
word_schema!(
    CaseStatusCode,
    "CaseStatus",
    "Where a case stands.",
    r::CaseStatus::ALL.iter().map(|s| s.as_str())
);
word_schema!(
    KindCode,
    "CaseKind",
    "What a case is: a report, a consult (ik twijfel) or an incident against a civil servant.",
    r::CaseKind::ALL.iter().map(|s| s.as_str())
);
word_schema!(
    RelationCode,
    "Relation",
    "Whom the incident hit: the office holder or their circle.",
    r::Relation::ALL.iter().map(|s| s.as_str())
);
word_schema!(
    PerpetratorKindCode,
    "PerpetratorKind",
    "Who the perpetrator is.",
    r::PerpetratorKind::ALL.iter().map(|s| s.as_str())
);
word_schema!(
    ConversationCode,
    "AftercareConversation",
    "Which aftercare conversation.",
    r::AftercareConversation::ALL.iter().map(|s| s.as_str())
);
word_schema!(
    PoliceKindCode,
    "PoliceContactKind",
    "A melding or an aangifte.",
    r::PoliceContactKind::ALL.iter().map(|s| s.as_str())
);
word_schema!(
    AudienceCode,
    "Audience",
    "Who is told (PROTOCOL.md §11).",
    r::Audience::ALL.iter().map(|s| s.as_str())
);
word_schema!(
    RiskCode,
    "Risk",
    "The evaluation's risk.",
    r::Risk::ALL.iter().map(|s| s.as_str())
);
word_schema!(
    ItemKindCode,
    "ItemKind",
    "The kind of a case's item.",
    r::ItemKind::ALL.iter().map(|s| s.as_str())
);
word_schema!(
    EventKindCode,
    "EventKind",
    "The kind of an event on a case's timeline.",
    r::EventKind::ALL.iter().map(|s| s.as_str())
);
word_schema!(
    EvidenceKindCode,
    "EvidenceKind",
    "What a piece of evidence is: a file, or something seen online.",
    r::EvidenceKind::ALL.iter().map(|s| s.as_str())
);
word_schema!(
    AccessCode,
    "CaseAccess",
    "How far the caller may see a case: handler (everything, may act), granted (reads everything), own (the reporter's and victims' view), informed (a summary without content).",
    ["handler", "granted", "own", "informed"]
);
word_schema!(
    ScopeCode,
    "ApiScope",
    "How far an API token reaches: read, write (read and act) or admin (also the organisation's people).",
    r::ApiScope::ALL.iter().map(|s| s.as_str())
);
word_schema!(
    DutyCode,
    "Duty",
    "A duty in the application: administrator or privacy officer.",
    r::Duty::ALL.iter().map(|s| s.as_str())
);

/// The facts of one incident (PROTOCOL.md §15, input). Left-out fields take the
/// contract's defaults; unknown fields are refused.
#[derive(Debug, ToSchema)]
#[schema(as = Facts)]
#[allow(dead_code)]
pub(crate) struct FactsDoc {
    /// RFC 3339 with an offset, e.g. `2026-03-02T20:15:00+01:00`.
    #[schema(format = DateTime, example = "2026-03-02T20:15:00+01:00")]
    occurred_at: String,
    /// When the report was made; defaults to `occurred_at`.
    #[schema(format = DateTime)]
    reported_at: Option<String>,
    victim: VictimDoc,
    /// PROTOCOL.md §2's codes; an organisation's own protocol may add codes of its own
    /// (§16.1), which the presets do not have.
    #[schema(value_type = Vec<BehaviourCode>)]
    behaviours: Vec<String>,
    #[schema(value_type = Option<ChannelCode>)]
    channel: Option<String>,
    persistent: Option<bool>,
    corrected_after_warning: Option<bool>,
    #[schema(value_type = Option<InjuryCode>)]
    injury: Option<String>,
    criminal_offence_suspected: Option<bool>,
    perpetrator_known: Option<bool>,
    #[schema(minimum = 0)]
    prior_incidents: Option<u32>,
    damage: Option<bool>,
    /// Whether the person was addressed and what followed; left out, it follows
    /// `corrected_after_warning` (true means `changed`).
    #[schema(value_type = Option<AddressedCode>)]
    addressed: Option<String>,
    /// The recipient the reporter chose, only where the protocol gives a choice
    /// (PROTOCOL.md §16.3; none of the presets does).
    #[schema(value_type = Option<RoleCode>)]
    report_to: Option<String>,
    #[schema(value_type = Option<SituationCode>)]
    situation: Option<String>,
}

/// Who was hit.
#[derive(Debug, ToSchema)]
#[schema(as = Victim)]
#[allow(dead_code)]
pub(crate) struct VictimDoc {
    #[schema(value_type = RoleCode)]
    role: String,
    /// A former office holder.
    former: Option<bool>,
}

/// The plan (PROTOCOL.md §15, output).
#[derive(Debug, ToSchema)]
#[schema(as = Plan)]
#[allow(dead_code)]
pub(crate) struct PlanDoc {
    /// The protocol the plan came from.
    preset: String,
    #[schema(value_type = CategoryCode)]
    category: String,
    #[schema(value_type = AbcdCode)]
    abcd: String,
    #[schema(value_type = ReportCode)]
    report: String,
    #[schema(value_type = RoleCode)]
    handler: String,
    /// The recipients the reporter could choose from, in the protocol's order; only where
    /// the protocol gives a choice (PROTOCOL.md §16.3).
    #[schema(value_type = Option<Vec<RoleCode>>)]
    handler_choices: Option<Vec<String>>,
    #[schema(value_type = Vec<RoleCode>)]
    informed: Vec<String>,
    /// Null where the protocol does not regulate who files (PROTOCOL.md §16.7).
    #[schema(value_type = Option<AangifteByCode>)]
    aangifte_by: Option<String>,
    recidive: bool,
    tasks: Vec<PlannedTaskDoc>,
    #[schema(value_type = Vec<EscalationCode>)]
    escalations: Vec<String>,
    #[schema(value_type = Vec<MeasureCode>)]
    measures: Vec<String>,
}

/// A task with its deadline: `due` (a moment, or null for no fixed deadline), `from`
/// before `due` where a window opens later, or `due_date` (a working day).
#[derive(Debug, ToSchema)]
#[schema(as = PlannedTask)]
#[allow(dead_code)]
pub(crate) struct PlannedTaskDoc {
    /// One of PROTOCOL.md §5's task codes, or an organisation's own (§16.5).
    code: String,
    #[schema(format = DateTime)]
    from: Option<String>,
    #[schema(format = DateTime)]
    due: Option<String>,
    #[schema(format = Date)]
    due_date: Option<String>,
    /// Present and true where the deadline is a target, not a firm one (§16.4).
    target: Option<bool>,
}

/// One count of the yearly report (PROTOCOL.md §17): a number, `"<5"` for a count from 1
/// to 4, or `"x"` for a count hidden so that a `"<5"` cannot be worked out.
#[derive(Debug)]
#[allow(dead_code)]
pub(crate) struct CellDoc;

impl utoipa::PartialSchema for CellDoc {
    fn schema() -> RefOr<Schema> {
        use utoipa::openapi::schema::OneOfBuilder;
        OneOfBuilder::new()
            .description(Some(
                "A count: a number, \"<5\" for a count from 1 to 4, or \"x\" for a count hidden so that a \"<5\" cannot be worked out from the total.",
            ))
            .item(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
            .item(words("A small or hidden count.", ["<5", "x"]))
            .into()
    }
}

impl ToSchema for CellDoc {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Cell")
    }
}

/// The yearly report as `weerbaar report yearly --format json` prints it (PROTOCOL.md
/// §17; docs/insight.md says what each figure means). Written by hand from the codes, as
/// the register's `YearlyReport` serialises its breakdowns by hand; a test holds the
/// keys here equal to those of a real report.
#[derive(Debug)]
#[allow(dead_code)]
pub(crate) struct YearlyReportDoc;

/// A breakdown: an object with a cell for each of `keys`; all of them present when
/// `required`, else those that apply.
fn breakdown(
    description: &str,
    keys: impl IntoIterator<Item = &'static str>,
    required: bool,
) -> ObjectBuilder {
    use utoipa::openapi::schema::AdditionalProperties;
    let mut object = ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(description))
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for key in keys {
        object = object.property(key, utoipa::openapi::Ref::from_schema_name("Cell"));
        if required {
            object = object.required(key);
        }
    }
    object
}

/// The keys of a breakdown whose keys are not codes of their own.
pub(crate) const ABCD_KEYS: [&str; 4] = ["A", "B", "C", "D"];
pub(crate) const MONTH_KEYS: [&str; 12] = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
];
pub(crate) const VICTIM_GROUP_KEYS: [&str; 6] = [
    "raad",
    "college",
    "provinciale_staten",
    "gedeputeerde_staten",
    "algemeen_bestuur",
    "dagelijks_bestuur",
];
pub(crate) const AFTERCARE_KEYS: [&str; 3] = ["on_time", "late", "not_held"];
pub(crate) const TASK_KEYS: [&str; 3] = ["on_time", "late", "overdue_open"];

impl utoipa::PartialSchema for YearlyReportDoc {
    fn schema() -> RefOr<Schema> {
        use utoipa::openapi::Ref;
        let cell = || Ref::from_schema_name("Cell");
        let fields: Vec<(&str, RefOr<Schema>)> = vec![
            (
                "organisation",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("The organisation's id."))
                    .into(),
            ),
            (
                "year",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1900))
                    .maximum(Some(2999))
                    .into(),
            ),
            (
                "incidents",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0))
                    .description(Some("The year's incidents; always a number."))
                    .into(),
            ),
            ("consults", cell().into()),
            (
                "by_category",
                breakdown("Per category, all five.", codes::<p::Category>(), true).into(),
            ),
            (
                "by_abcd",
                breakdown("Per letter of Leiden's ABCD model.", ABCD_KEYS, true).into(),
            ),
            (
                "by_channel",
                breakdown("Per channel, all seven.", codes::<p::Channel>(), true).into(),
            ),
            (
                "by_month",
                breakdown(
                    "Per month in Europe/Amsterdam, \"1\" to \"12\".",
                    MONTH_KEYS,
                    true,
                )
                .into(),
            ),
            (
                "by_victim_group",
                breakdown(
                    "Per group of office holders, the groups of the bodies the protocol covers (a gemeente: raad and college).",
                    VICTIM_GROUP_KEYS,
                    false,
                )
                .into(),
            ),
            (
                "by_perpetrator_kind",
                breakdown(
                    "Per kind of perpetrator; a case without one counts as onbekend.",
                    r::PerpetratorKind::ALL.iter().map(|k| k.as_str()),
                    true,
                )
                .into(),
            ),
            ("recidive", cell().into()),
            (
                "police",
                breakdown(
                    "Police contacts by kind.",
                    r::PoliceContactKind::ALL.iter().map(|k| k.as_str()),
                    true,
                )
                .into(),
            ),
            (
                "measures",
                breakdown("Measures by code.", codes::<p::Measure>(), true).into(),
            ),
            (
                "aftercare",
                breakdown(
                    "Aftercare conversations with a deadline.",
                    AFTERCARE_KEYS,
                    true,
                )
                .into(),
            ),
            (
                "tasks",
                breakdown("Tasks with a firm deadline.", TASK_KEYS, true).into(),
            ),
            (
                "median_days_to_close",
                ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
                        Type::Number,
                        Type::Null,
                    ]))
                    .minimum(Some(0))
                    .description(Some(
                        "The median days from report to closure of the closed incidents, one decimal; null without any.",
                    ))
                    .into(),
            ),
        ];
        let mut object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "The yearly figures of PROTOCOL.md §17, exactly as `weerbaar report yearly --format json` prints them.",
            ));
        for (name, schema) in fields {
            object = object.property(name, schema).required(name);
        }
        object.into()
    }
}

impl ToSchema for YearlyReportDoc {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("YearlyReport")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        use utoipa::PartialSchema;
        schemas.push((CellDoc::name().into_owned(), CellDoc::schema()));
    }
}
