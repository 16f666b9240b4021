//! The statuses and kinds stored in string columns, each defined once. sea-orm maps them to and
//! from the column's text (the values below), so the schema keeps plain varchar columns; GraphQL
//! mirrors them with `#[graphql(remote = …)]` enums in `graphql/`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The device status machine:
/// PAIRING → ONLINE ⇄ RECONNECTING → OFFLINE | LOGGED_OUT | BANNED | FAILED.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeviceStatus {
    /// Waiting for the phone to scan a QR code or enter a pairing code.
    #[sea_orm(string_value = "PAIRING")]
    Pairing,
    #[sea_orm(string_value = "ONLINE")]
    Online,
    /// The connection dropped; the supervisor is reconnecting with backoff.
    #[sea_orm(string_value = "RECONNECTING")]
    Reconnecting,
    /// Paired, but no session runs (the server stopped, or another node has yet to take over).
    #[sea_orm(string_value = "OFFLINE")]
    Offline,
    /// Unlinked from the phone; needs pairing again.
    #[sea_orm(string_value = "LOGGED_OUT")]
    LoggedOut,
    /// Temporarily banned by WhatsApp until `banned_until`; sends are paused.
    #[sea_orm(string_value = "BANNED")]
    Banned,
    /// Too many failed restarts in a row; waits for `reconnectDevice`.
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

/// Where an outbox row is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OutboxStatus {
    /// Scheduled for later.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// On its device's queue.
    #[sea_orm(string_value = "QUEUED")]
    Queued,
    /// Claimed by a pacer; being sent.
    #[sea_orm(string_value = "SENDING")]
    Sending,
    #[sea_orm(string_value = "SENT")]
    Sent,
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    #[sea_orm(string_value = "READ")]
    Read,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// Never sent, on purpose (e.g. the number opted out).
    #[sea_orm(string_value = "SKIPPED")]
    Skipped,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// What asked for a message.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Source {
    #[sea_orm(string_value = "INBOX")]
    Inbox,
    #[sea_orm(string_value = "CAMPAIGN")]
    Campaign,
    #[sea_orm(string_value = "SEQUENCE_STEP")]
    SequenceStep,
    #[sea_orm(string_value = "AI_CAMPAIGN")]
    AiCampaign,
}

/// What a message carries.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    #[sea_orm(string_value = "text")]
    Text,
    /// An image, with an optional caption.
    #[sea_orm(string_value = "image")]
    Image,
}

/// Where one of our messages in a chat thread is, in the order a message's statuses only move
/// forward (`Ord`): a failed message can still be sent (a person retries it), a sent one never
/// fails, a delivered one is never "only sent" again. The outbox's statuses map onto it
/// (`OutboxStatus::in_thread`), so the thread and the outbox cannot disagree.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MessageStatus {
    /// Not sent yet (waiting in the outbox or being sent).
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "SENT")]
    Sent,
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    #[sea_orm(string_value = "READ")]
    Read,
}

impl OutboxStatus {
    /// Whether the row is done with: sent (and perhaps delivered or read), failed, skipped or
    /// cancelled. Nothing moves it again but a retry.
    pub fn is_final(self) -> bool {
        !matches!(
            self,
            OutboxStatus::Pending | OutboxStatus::Queued | OutboxStatus::Sending
        )
    }

    /// What a thread shows for an outbox row in this status.
    pub fn in_thread(self) -> MessageStatus {
        match self {
            OutboxStatus::Pending | OutboxStatus::Queued | OutboxStatus::Sending => {
                MessageStatus::Pending
            }
            OutboxStatus::Sent => MessageStatus::Sent,
            OutboxStatus::Delivered => MessageStatus::Delivered,
            OutboxStatus::Read => MessageStatus::Read,
            OutboxStatus::Failed | OutboxStatus::Skipped | OutboxStatus::Cancelled => {
                MessageStatus::Failed
            }
        }
    }
}

/// The scopes the outbox keeps running totals for (`outbox_counters.scope_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum CounterScope {
    #[sea_orm(string_value = "device")]
    Device,
    #[sea_orm(string_value = "user")]
    User,
    #[sea_orm(string_value = "campaign")]
    Campaign,
    /// A sequence step's rows.
    #[sea_orm(string_value = "step")]
    Step,
}

/// A lead's kind: a device's own lead, or one in the user's AI lead pool.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AudienceKind {
    /// Belongs to a device, which messages it.
    #[sea_orm(string_value = "DEVICE")]
    Device,
    /// In the user's AI lead pool until a campaign deals it to a device.
    #[sea_orm(string_value = "POOL")]
    Pool,
}

/// Whether a lead already bought.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TargetStatus {
    #[sea_orm(string_value = "PROSPECT")]
    Prospect,
    #[sea_orm(string_value = "CUSTOMER")]
    Customer,
}

/// How a lead came in.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LeadSource {
    #[sea_orm(string_value = "MANUAL")]
    Manual,
    #[sea_orm(string_value = "IMPORT")]
    Import,
}

/// Where a pool lead is in the AI campaigns.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AiLeadStatus {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "ASSIGNED")]
    Assigned,
    #[sea_orm(string_value = "SENT")]
    Sent,
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

/// Where a device stands in an AI campaign.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AiDeviceStatus {
    /// Dealt to while it is ONLINE and has room.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// Got its `perDeviceLimit`.
    #[sea_orm(string_value = "LIMIT_REACHED")]
    LimitReached,
    /// Failed 3 sends in a row: out of this campaign, its unsent leads dealt to the others.
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

/// Where one lead dealt to a device is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DealState {
    /// Its row is not final yet.
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "SENT")]
    Sent,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// Given back unsent (the device went away, or the campaign was cancelled).
    #[sea_orm(string_value = "RETURNED")]
    Returned,
}

/// What opted a number out.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OptOutSource {
    #[sea_orm(string_value = "MANUAL")]
    Manual,
    /// The contact wrote an opt-out phrase.
    #[sea_orm(string_value = "INBOUND")]
    Inbound,
    #[sea_orm(string_value = "IMPORT")]
    Import,
}

/// What a CSV import fills.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ImportKind {
    #[sea_orm(string_value = "LEADS")]
    Leads,
    #[sea_orm(string_value = "AI_LEADS")]
    AiLeads,
    #[sea_orm(string_value = "OPT_OUTS")]
    OptOuts,
}

/// Where an import job is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ImportStatus {
    #[sea_orm(string_value = "RUNNING")]
    Running,
    #[sea_orm(string_value = "DONE")]
    Done,
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

/// What an import does to the tags of a phone that exists already.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TagMergeMode {
    #[sea_orm(string_value = "MERGE")]
    Merge,
    #[sea_orm(string_value = "REPLACE")]
    Replace,
}

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use super::*;

    #[test]
    fn a_retried_message_can_go_from_failed_to_sent_but_never_back() {
        assert!(MessageStatus::Failed < MessageStatus::Sent);
        assert!(MessageStatus::Pending < MessageStatus::Failed);
        assert!(MessageStatus::Sent < MessageStatus::Delivered);
        assert!(MessageStatus::Delivered < MessageStatus::Read);
        assert_eq!(OutboxStatus::Sending.in_thread(), MessageStatus::Pending);
        assert_eq!(OutboxStatus::Cancelled.in_thread(), MessageStatus::Failed);
    }

    #[test]
    fn stored_values_are_the_names_clients_know() {
        let outbox: Vec<String> = OutboxStatus::iter().map(|s| s.to_value()).collect();
        assert_eq!(
            outbox,
            [
                "PENDING",
                "QUEUED",
                "SENDING",
                "SENT",
                "DELIVERED",
                "READ",
                "FAILED",
                "SKIPPED",
                "CANCELLED"
            ]
        );
        assert_eq!(DeviceStatus::LoggedOut.to_value(), "LOGGED_OUT");
        assert_eq!(
            serde_json::to_string(&DeviceStatus::LoggedOut).unwrap(),
            "\"LOGGED_OUT\""
        );
        assert_eq!(Source::SequenceStep.to_value(), "SEQUENCE_STEP");
        assert_eq!(MessageKind::Image.to_value(), "image");
        assert_eq!(CounterScope::Campaign.to_value(), "campaign");
    }
}

/// What a campaign is: a broadcast to device leads, or the AI lead pool dealt over devices.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CampaignKind {
    #[sea_orm(string_value = "BROADCAST")]
    Broadcast,
    #[sea_orm(string_value = "AI")]
    Ai,
}

/// Where a campaign is: SCHEDULED → RUNNING ⇄ PAUSED → COMPLETED | CANCELLED | FAILED.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CampaignStatus {
    /// Waiting for its time (or, with no time, for one to be set).
    #[sea_orm(string_value = "SCHEDULED")]
    Scheduled,
    /// Its rows are in the outbox and going out.
    #[sea_orm(string_value = "RUNNING")]
    Running,
    /// Held by a person or by itself (`paused_reason`); nothing of it is sent.
    #[sea_orm(string_value = "PAUSED")]
    Paused,
    /// Every row final (sent, failed, skipped).
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    /// Ended with leads left for a later campaign (AI campaigns).
    #[sea_orm(string_value = "COMPLETED_WITH_PENDING")]
    CompletedWithPending,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

/// What `campaign_counters` counts per campaign and device: the rows per status (SENDING
/// counted as QUEUED) and the replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
pub enum CampaignMetric {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "QUEUED")]
    Queued,
    #[sea_orm(string_value = "SENT")]
    Sent,
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    #[sea_orm(string_value = "READ")]
    Read,
    #[sea_orm(string_value = "FAILED")]
    Failed,
    #[sea_orm(string_value = "SKIPPED")]
    Skipped,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
    /// Recipients who answered after the campaign's message.
    #[sea_orm(string_value = "REPLIED")]
    Replied,
}

impl From<OutboxStatus> for CampaignMetric {
    fn from(status: OutboxStatus) -> Self {
        match status {
            OutboxStatus::Pending => Self::Pending,
            OutboxStatus::Queued | OutboxStatus::Sending => Self::Queued,
            OutboxStatus::Sent => Self::Sent,
            OutboxStatus::Delivered => Self::Delivered,
            OutboxStatus::Read => Self::Read,
            OutboxStatus::Failed => Self::Failed,
            OutboxStatus::Skipped => Self::Skipped,
            OutboxStatus::Cancelled => Self::Cancelled,
        }
    }
}

/// Where a sequence is: DRAFT (being written) → ACTIVE (enrolling, sending) ⇄ PAUSED (holding).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SequenceStatus {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "PAUSED")]
    Paused,
}

/// Where an enrolled contact's run is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ContactStatus {
    /// Getting its steps.
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    /// Got every step.
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    /// Answered; a person takes over in the inbox.
    #[sea_orm(string_value = "REPLIED")]
    Replied,
    #[sea_orm(string_value = "OPTED_OUT")]
    OptedOut,
    /// A step failed and the step says stop.
    #[sea_orm(string_value = "FAILED")]
    Failed,
    /// Removed by a person.
    #[sea_orm(string_value = "REMOVED")]
    Removed,
}

/// Whether a contact's next step waits for its time, or is in the outbox until final.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum StepState {
    #[sea_orm(string_value = "WAITING")]
    Waiting,
    #[sea_orm(string_value = "SENDING")]
    Sending,
}

/// What a failed step does to the contact's run.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StepFailure {
    /// Go on with the next step.
    #[sea_orm(string_value = "SKIP")]
    Skip,
    /// End the run as FAILED.
    #[sea_orm(string_value = "STOP")]
    Stop,
}
