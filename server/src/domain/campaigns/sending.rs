//! What sending a campaign row needs: its text rendered for the recipient (seeded by the row,
//! so a retry says the same words), its send window in the recipient's local time; replies
//! counted on the campaign; and the error threshold that pauses a failing campaign.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::{
    sea_query::Expr, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};
use uuid::Uuid;

use super::{publish, CampaignStatus};
use crate::{
    domain::{
        outbox::{CounterDeltas, OutboxStatus},
        send_window::{lead_zone, SendWindow, Weekdays},
        template::{Recipient, Template},
    },
    entities::{broadcast_messages as rows, campaigns, users, whatsapp_messages},
    error::AppResult,
    events::EventPublisher,
    types::{ids::DeviceId, jid::Jid, phone::PhoneNumber},
};

/// What a pacer needs to send a campaign's (or a sequence step's) rows.
#[derive(Debug, Clone)]
pub struct SendRules {
    /// Whether its rows may go out now (the campaign runs, the sequence is active).
    pub sendable: bool,
    template: Template,
    window: SendWindow,
    user_zone: Tz,
}

impl SendRules {
    pub fn new(sendable: bool, template: Template, window: SendWindow, user_zone: Tz) -> Self {
        Self {
            sendable,
            template,
            window,
            user_zone,
        }
    }

    /// The earliest moment at or after `now` the recipient may get the message (`now` when the
    /// window is open), in the recipient's local time.
    pub fn opens_at(&self, phone: &str, now: DateTime<Utc>) -> DateTime<Utc> {
        let country = PhoneNumber::parse(phone).ok().and_then(|p| p.country());
        self.window
            .next_open(now, lead_zone(country, self.user_zone))
    }

    /// The text for a row's recipient: the same row, the same words.
    pub fn render(&self, row_id: i64, name: Option<&str>, phone: &str) -> String {
        self.template
            .render(Recipient { name, phone }, row_id.unsigned_abs())
    }
}

/// A stored window (`HH:MM` from and to, weekday bits): all day on its days when it has no hours.
pub fn stored_window(from: Option<&str>, to: Option<&str>, weekdays: i16) -> SendWindow {
    let weekdays = Weekdays::from_bits(weekdays);
    match (
        from.map(SendWindow::parse_time),
        to.map(SendWindow::parse_time),
    ) {
        (Some(Ok(from)), Some(Ok(to))) => {
            SendWindow::new(from, to, weekdays).unwrap_or(SendWindow::always(weekdays))
        }
        _ => SendWindow::always(weekdays),
    }
}

/// The user's time zone (UTC when unreadable).
pub async fn user_zone(db: &DatabaseConnection, user: Uuid) -> AppResult<Tz> {
    Ok(users::Entity::find_by_id(user)
        .one(db)
        .await?
        .and_then(|u| u.time_zone.parse::<Tz>().ok())
        .unwrap_or(Tz::UTC))
}

/// A stored template (checked when it was saved).
pub fn stored_template(raw: &str) -> AppResult<Template> {
    Template::parse(raw).map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!(e.0)))
}

/// The rules of a campaign's rows; `None` when the campaign is gone.
pub async fn send_rules(
    db: &DatabaseConnection,
    campaign_id: Uuid,
) -> AppResult<Option<SendRules>> {
    let Some(campaign) = campaigns::Entity::find_by_id(campaign_id).one(db).await? else {
        return Ok(None);
    };
    Ok(Some(SendRules::new(
        campaign.status == CampaignStatus::Running,
        stored_template(&campaign.message)?,
        stored_window(
            campaign.window_from.as_deref(),
            campaign.window_to.as_deref(),
            campaign.weekdays,
        ),
        user_zone(db, campaign.user_id).await?,
    )))
}

/// Counts replies: an inbound message from a campaign's recipient, on the device that sent it
/// the campaign's message, after it was sent, counts once per row.
pub async fn record_replies(
    db: &DatabaseConnection,
    events: &dyn EventPublisher,
    device: DeviceId,
    added: &[whatsapp_messages::Model],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut phones: Vec<String> = added
        .iter()
        .filter(|m| !m.from_me)
        .filter_map(|m| Jid::parse(&m.chat_jid).ok().and_then(|j| j.phone()))
        .map(|p| p.e164())
        .collect();
    phones.sort();
    phones.dedup();
    if phones.is_empty() {
        return Ok(());
    }
    let txn = db.begin().await?;
    let answered = rows::Entity::update_many()
        .col_expr(rows::Column::RepliedAt, Expr::value(now))
        .filter(rows::Column::DeviceId.eq(device.0))
        .filter(rows::Column::RecipientPhone.is_in(phones))
        .filter(rows::Column::CampaignId.is_not_null())
        .filter(rows::Column::RepliedAt.is_null())
        .filter(rows::Column::Status.is_in([
            OutboxStatus::Sent,
            OutboxStatus::Delivered,
            OutboxStatus::Read,
        ]))
        .exec_with_returning(&txn)
        .await?;
    let mut deltas = CounterDeltas::default();
    let mut touched: Vec<Uuid> = Vec::new();
    for row in &answered {
        if let Some(campaign) = row.campaign_id {
            deltas.replied(campaign, row.device_id, 1);
            touched.push(campaign);
        }
    }
    deltas.apply(&txn).await?;
    txn.commit().await?;
    touched.sort();
    touched.dedup();
    if !touched.is_empty() {
        for campaign in campaigns::Entity::find()
            .filter(campaigns::Column::Id.is_in(touched))
            .all(db)
            .await?
        {
            publish(events, &campaign).await;
        }
    }
    Ok(())
}

/// Sends looked at by the error threshold, and how many of them failing pauses the campaign
/// (listmonk's "error threshold": 20 of the last 50).
pub const RECENT_SENDS: usize = 50;
pub const FAILURES_TO_PAUSE: usize = 20;

/// The outcomes of each campaign's latest sends on this node.
#[derive(Debug, Default)]
pub struct FailureWatch {
    recent: HashMap<Uuid, VecDeque<bool>>,
}

impl FailureWatch {
    /// Records a send of a campaign (`failed` or sent); `true` when the campaign has just
    /// crossed the threshold (its record starts again, so a resumed campaign gets a fresh count).
    pub fn record(&mut self, campaign: Uuid, failed: bool) -> bool {
        let recent = self.recent.entry(campaign).or_default();
        recent.push_back(failed);
        if recent.len() > RECENT_SENDS {
            recent.pop_front();
        }
        if recent.iter().filter(|f| **f).count() >= FAILURES_TO_PAUSE {
            self.recent.remove(&campaign);
            return true;
        }
        false
    }
}

/// Why a campaign paused itself.
pub fn threshold_reason() -> String {
    format!(
        "{FAILURES_TO_PAUSE} of the last {RECENT_SENDS} sends failed — check the devices and the failure reasons, then resume"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_failures_in_fifty_sends_pause_once() {
        let mut watch = FailureWatch::default();
        let campaign = Uuid::new_v4();
        for _ in 0..40 {
            assert!(!watch.record(campaign, false));
        }
        for n in 1..=20 {
            assert_eq!(watch.record(campaign, true), n == 20);
        }
        // Counting starts again.
        assert!(!watch.record(campaign, true));
    }

    #[test]
    fn old_failures_drop_out_of_the_window() {
        let mut watch = FailureWatch::default();
        let campaign = Uuid::new_v4();
        for _ in 0..19 {
            watch.record(campaign, true);
        }
        for _ in 0..50 {
            assert!(!watch.record(campaign, false));
        }
        assert!(!watch.record(campaign, true));
    }
}
