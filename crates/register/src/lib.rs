//! The register: organisations, people, cases and their events, kept safely on SQLite by
//! default and PostgreSQL when configured, with one code path for both.
//!
//! A case is its timeline: every change and every read is an event, sealed with the
//! organisation's data key and chained to the event before it by hash. Query tables
//! (the case row, its tasks) are written in the same transaction as the event.

pub mod access;
pub mod accounts;
pub mod admin;
pub mod api_tokens;
pub mod audit;
pub mod calendar;
pub mod case_life;
pub mod chain;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod duties;
pub mod error;
pub mod evidence;
pub mod export;
pub mod insight;
pub mod intake;
pub mod model;
pub mod new_handlers;
pub mod operations;
pub mod outbox;
pub mod people;
pub mod privacy_view;
pub mod protocol_evaluations;
pub mod provider_sign_ins;
pub mod register;
pub mod retention;
pub mod schema;
pub mod second_factor_guard;
pub mod sessions;
pub mod sign_in_limits;
pub mod time;
pub mod transfer;
pub mod yearly;
pub mod yearly_discussion;

pub use access::{
    AccessLogEntry, CaseAccess, CaseListing, CaseSummary, MyCase, OwnAftercare, OwnCaseView,
    OwnTask,
};
pub use admin::{AdminEvent, AdminEventKind, NewAccount};
pub use api_tokens::{ApiCaller, ApiScope, ApiToken, ApiTokenId, ApiTokenUse, NewApiToken};
pub use calendar::{CalendarEntry, CalendarWhen};
pub use case_life::{
    Action, AftercareConversation, Audience, CaseItem, ImprovementAction, ItemId, ItemKind,
    PoliceContactKind, Risk, improvement_task, is_improvement_task,
};
pub use crypto::{CryptoError, DataKey, IndexKind, MasterKey};
pub use db::Db;
pub use duties::Duty;
pub use error::RegisterError;
pub use evidence::{
    ALLOWED_MEDIA_TYPES, EvidenceDetails, EvidenceId, EvidenceKind, EvidenceSummary,
    MAX_EVIDENCE_BYTES, OnlineEvidence,
};
pub use export::AnonymisedCase;
pub use model::*;
pub use outbox::{
    MailKind, MailState, OutboxEntry, OutgoingMail, REMINDER_AHEAD, RETRY_AFTER, RemindersQueued,
};
pub use people::PersonSummary;
pub use protocol_evaluations::{EvaluationDue, NewProtocolEvaluation, ProtocolEvaluation};
pub use provider_sign_ins::{PendingSignIn, SIGN_IN_TIME};
pub use register::Register;
pub use retention::{RetentionPeriod, RetentionPolicy, RetentionRun, RetentionSource};
pub use sessions::{Session, SessionLimits, SessionSource};
pub use yearly::{Cell, Shown, Tally, YearlyCounts, YearlyReport};
