//! The outbox's batched statements on both databases: a claim is fenced by the device's lease
//! token and succeeds once, each row of a batch gets its own WhatsApp id or error back exactly
//! as given, a settled row is never settled again, and the counters follow.

use std::collections::HashMap;

use sea_orm::{sea_query::Expr, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use wafleet::{
    domain::outbox::{
        self, Claim, Content, CounterScope, NewMessage, OutboxStatus, Outcome, INTERRUPTED,
    },
    entities::broadcast_messages as rows,
    types::{
        ids::{DeviceId, UserId},
        jid::Jid,
        phone::PhoneNumber,
    },
};

use crate::helpers::{database_url, device_in, drop_database, fresh_database, user_in, TempDir};

#[tokio::test]
async fn claims_and_settles_on_postgres() {
    let name = fresh_database().await;
    let db = wafleet::db::connect(&database_url(&name)).await.unwrap();
    claims_and_settles(&db).await;
    db.close().await.unwrap();
    drop_database(&name).await;
}

#[tokio::test]
async fn claims_and_settles_on_sqlite() {
    let dir = TempDir::new();
    let db = wafleet::db::connect(&dir.sqlite_url("outbox.db"))
        .await
        .unwrap();
    wafleet::db::migrate(&db).await.unwrap();
    claims_and_settles(&db).await;
    db.close().await.unwrap();
}

/// A device of `owner` whose current lease token is `token`.
async fn device(db: &DatabaseConnection, owner: UserId, token: i64) -> DeviceId {
    let id = device_in(db, owner).await;
    set_lease(db, id, token).await;
    id
}

/// A node took the device over: its lease token is now `token`.
async fn set_lease(db: &DatabaseConnection, device_id: DeviceId, token: i64) {
    wafleet::entities::devices::Entity::update_many()
        .col_expr(
            wafleet::entities::devices::Column::LeaseToken,
            Expr::value(token),
        )
        .filter(wafleet::entities::devices::Column::Id.eq(device_id.0))
        .exec(db)
        .await
        .unwrap();
}

fn message(owner: UserId, device_id: DeviceId, n: u32) -> NewMessage {
    let phone = PhoneNumber::parse(&format!("+601900000{n:02}")).unwrap();
    let jid = Jid::from_phone(&phone);
    NewMessage::inbox(
        owner,
        device_id,
        phone,
        jid,
        Content::Text(format!("hello {n}")),
    )
}

fn claim(row_id: i64, device_id: DeviceId, token: i64) -> Claim {
    Claim {
        row_id,
        device_id,
        token,
        rendered: None,
    }
}

async fn rows_by_id(
    db: &DatabaseConnection,
    ids: &[i64],
) -> HashMap<i64, wafleet::entities::broadcast_messages::Model> {
    outbox::load(db, ids)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r))
        .collect()
}

async fn claims_and_settles(db: &DatabaseConnection) {
    let owner = user_in(db, "rows@example.com").await;
    let a = device(db, owner, 7).await;
    let b = device(db, owner, 3).await;
    let inserted = outbox::insert(
        db,
        vec![
            message(owner, a, 1),
            message(owner, a, 2),
            message(owner, b, 3),
            message(owner, a, 4),
        ],
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let id_of = |n: u32| {
        let text = format!("hello {n}");
        inserted
            .iter()
            .find(|r| r.text.as_deref() == Some(text.as_str()))
            .map(|r| r.id)
            .unwrap()
    };
    let (r1, r2, r3, r4) = (id_of(1), id_of(2), id_of(3), id_of(4));
    let ids = [r1, r2, r3, r4];

    // Row 2's claimer holds a stale token (6, the device is at 7): it must not get the row.
    let claimed = outbox::claim(
        db,
        &[
            claim(r1, a, 7),
            claim(r2, a, 6),
            claim(r3, b, 3),
            claim(r4, a, 7),
        ],
    )
    .await
    .unwrap();
    let mut claimed_ids: Vec<i64> = claimed.iter().map(|r| r.id).collect();
    claimed_ids.sort_unstable();
    assert_eq!(claimed_ids, vec![r1, r3, r4]);
    let tokens: HashMap<i64, Option<i64>> = claimed.iter().map(|r| (r.id, r.claim_token)).collect();
    assert_eq!(tokens[&r1], Some(7));
    assert_eq!(tokens[&r3], Some(3));
    assert!(claimed
        .iter()
        .all(|r| r.status == OutboxStatus::Sending && r.attempts == 1));
    // The claim names each row's WhatsApp message: one id of WhatsApp's format per row.
    let claimed_wa_ids: HashMap<i64, Option<String>> = claimed
        .iter()
        .map(|r| (r.id, r.wa_message_id.clone()))
        .collect();
    let distinct: std::collections::HashSet<&str> = claimed_wa_ids
        .values()
        .map(|id| id.as_deref().unwrap_or_default())
        .filter(|id| id.starts_with("3EB0") && id.len() == 22)
        .collect();
    assert_eq!(distinct.len(), 3);

    // A claim succeeds once.
    assert!(outbox::claim(db, &[claim(r1, a, 7)])
        .await
        .unwrap()
        .is_empty());

    // Each row of one batch keeps exactly its own value, quotes, backslashes and all.
    let wa_id = r#"3EB0'it's "quoted"\x"#;
    let error = "the contact's phone said: \"no\" \\ 🙅 ' -- ; DROP TABLE devices";
    let changed = outbox::finish(
        db,
        &[
            (
                r1,
                Outcome::Sent {
                    wa_message_id: wa_id.into(),
                },
            ),
            (
                r3,
                Outcome::Failed {
                    error: error.into(),
                },
            ),
            (r4, Outcome::NotSent),
        ],
    )
    .await
    .unwrap();
    assert_eq!(changed.len(), 3);
    let rows = rows_by_id(db, &ids).await;
    assert_eq!(rows[&r1].status, OutboxStatus::Sent);
    assert_eq!(rows[&r1].wa_message_id.as_deref(), Some(wa_id));
    assert!(rows[&r1].sent_at.is_some());
    assert_eq!(rows[&r3].status, OutboxStatus::Failed);
    assert_eq!(rows[&r3].last_error.as_deref(), Some(error));
    // The id its claim chose stays (a retry sends under it again).
    assert_eq!(rows[&r3].wa_message_id, claimed_wa_ids[&r3]);
    assert_eq!(rows[&r4].status, OutboxStatus::Queued);
    assert_eq!(rows[&r2].status, OutboxStatus::Queued);

    // A settled row is not settled again.
    let again = outbox::finish(
        db,
        &[(
            r1,
            Outcome::Sent {
                wa_message_id: "other".into(),
            },
        )],
    )
    .await
    .unwrap();
    assert!(again.is_empty());
    let rows = rows_by_id(db, &[r1]).await;
    assert_eq!(rows[&r1].wa_message_id.as_deref(), Some(wa_id));

    // The reconciler's view (through the queue-stage index): rows 2 and 4 wait on device A.
    assert_eq!(outbox::queued_ids(db, a).await.unwrap(), vec![r2, r4]);
    assert!(outbox::queued_ids(db, b).await.unwrap().is_empty());

    let device_a = outbox::counters(db, CounterScope::Device, a.0)
        .await
        .unwrap();
    assert_eq!(device_a.get(&OutboxStatus::Queued), Some(&2));
    assert_eq!(device_a.get(&OutboxStatus::Sent), Some(&1));
    let totals = outbox::counters(db, CounterScope::User, owner.0)
        .await
        .unwrap();
    assert_eq!(totals.get(&OutboxStatus::Queued), Some(&2));
    assert_eq!(totals.get(&OutboxStatus::Sent), Some(&1));
    assert_eq!(totals.get(&OutboxStatus::Failed), Some(&1));

    // A row left SENDING by an earlier holder carries the WhatsApp id its claim chose: taking
    // the device over claims it again for a resend under that id (attempts + 1), fenced by the
    // device's current lease token.
    let claimed = outbox::claim(db, &[claim(r2, a, 7)]).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let id = claimed[0]
        .wa_message_id
        .clone()
        .expect("the claim names the message");
    assert!(id.starts_with("3EB0") && id.len() == 22, "{id}");
    // Token 8 is not the device's lease yet (7): a node that does not hold the device touches
    // nothing.
    let stale = outbox::take_over(db, a, 8).await.unwrap();
    assert!(stale.resend.is_empty() && stale.interrupted.is_empty());
    set_lease(db, a, 8).await;
    let taken = outbox::take_over(db, a, 8).await.unwrap();
    assert!(taken.interrupted.is_empty());
    assert_eq!(taken.resend.len(), 1);
    assert_eq!(taken.resend[0].id, r2);
    assert_eq!(taken.resend[0].status, OutboxStatus::Sending);
    assert_eq!(taken.resend[0].wa_message_id.as_deref(), Some(id.as_str()));
    assert_eq!(taken.resend[0].attempts, claimed[0].attempts + 1);
    assert_eq!(taken.resend[0].claim_token, Some(8));
    // Taken once: a second takeover with the same token finds nothing.
    let again = outbox::take_over(db, a, 8).await.unwrap();
    assert!(again.resend.is_empty() && again.interrupted.is_empty());

    // A row that went back to QUEUED keeps its id for the next claim.
    outbox::finish(db, &[(r2, Outcome::NotSent)]).await.unwrap();
    let reclaimed = outbox::claim(db, &[claim(r2, a, 8)]).await.unwrap();
    assert_eq!(reclaimed[0].wa_message_id.as_deref(), Some(id.as_str()));

    // Receipts for either attempt carry the one id and land on the one row.
    outbox::finish(
        db,
        &[(
            r2,
            Outcome::Sent {
                wa_message_id: id.clone(),
            },
        )],
    )
    .await
    .unwrap();
    let now = chrono::Utc::now();
    let delivered = outbox::apply_receipt(db, a, std::slice::from_ref(&id), false, now)
        .await
        .unwrap();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].status, OutboxStatus::Delivered);
    let repeat = outbox::apply_receipt(db, a, std::slice::from_ref(&id), false, now)
        .await
        .unwrap();
    assert!(
        repeat.is_empty(),
        "the second attempt's receipt changes nothing"
    );
    let read = outbox::apply_receipt(db, a, std::slice::from_ref(&id), true, now)
        .await
        .unwrap();
    assert_eq!(read.iter().map(|r| r.id).collect::<Vec<_>>(), vec![r2]);
    assert_eq!(read[0].status, OutboxStatus::Read);

    // A row SENDING without an id (claimed before ids were chosen at the claim) cannot be
    // resent recognisably: it fails as interrupted.
    assert_eq!(
        outbox::claim(db, &[claim(r4, a, 8)]).await.unwrap().len(),
        1
    );
    rows::Entity::update_many()
        .col_expr(
            rows::Column::WaMessageId,
            Expr::value(Option::<String>::None),
        )
        .filter(rows::Column::Id.eq(r4))
        .exec(db)
        .await
        .unwrap();
    set_lease(db, a, 9).await;
    let taken = outbox::take_over(db, a, 9).await.unwrap();
    assert!(taken.resend.is_empty());
    assert_eq!(
        taken.interrupted.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![r4]
    );
    assert_eq!(
        taken.interrupted[0].last_error.as_deref(),
        Some(INTERRUPTED)
    );
    assert!(outbox::queued_ids(db, a).await.unwrap().is_empty());
}
