//! whatsapp-rust's session store on our database (`DbBackend`) behaves like wacore's reference
//! `InMemoryBackend`: one conformance suite, written once over `&dyn Backend`, runs against the
//! reference, against PostgreSQL and against SQLite. Then what only a shared database has: two
//! devices in one database, and `forget` wiping one of them.

use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde::Serialize;
use wafleet::{
    domain::devices,
    types::ids::{DeviceId, UserId},
    whatsapp::{
        live::{LiveOptions, LiveWhatsApp},
        store::DbBackend,
        WhatsApp,
    },
};
use whatsapp_rust::{
    bytes::Bytes,
    wacore::{
        appstate::{hash::HashState, processor::AppStateMutationMAC},
        store::{
            traits::{
                AppStateSyncKey, Backend, DeviceInfo, DeviceListRecord, DeviceStore,
                LidPnMappingEntry, MsgSecretEntry, PendingInboundKey, PendingInboundRow,
                TcTokenEntry,
            },
            InMemoryBackend,
        },
    },
};

use crate::helpers::{database_url, device_in, drop_database, fresh_database, user_in, TempDir};

/// Where fresh stores come from: each scenario gets an empty store of its own.
enum Fixture {
    Reference,
    Database {
        db: DatabaseConnection,
        owner: UserId,
    },
}

impl Fixture {
    async fn database(db: DatabaseConnection) -> Self {
        let owner = user_in(&db, "store@example.com").await;
        Self::Database { db, owner }
    }

    async fn store(&self) -> Arc<dyn Backend> {
        match self {
            Self::Reference => Arc::new(InMemoryBackend::new()),
            Self::Database { db, owner } => {
                let device = device_in(db, *owner).await;
                Arc::new(DbBackend::new(db.clone(), device))
            }
        }
    }
}

async fn sqlite() -> (DatabaseConnection, TempDir) {
    let dir = TempDir::new();
    let url = dir.sqlite_url("store.db");
    let db = wafleet::db::connect(&url).await.unwrap();
    wafleet::db::migrate(&db).await.unwrap();
    (db, dir)
}

async fn run_suite(fixture: &Fixture) {
    identities(&*fixture.store().await).await;
    sessions(&*fixture.store().await).await;
    prekeys(&*fixture.store().await).await;
    signed_prekeys(&*fixture.store().await).await;
    sender_keys(&*fixture.store().await).await;
    app_state(&*fixture.store().await).await;
    sender_key_devices(&*fixture.store().await).await;
    lid_mappings(&*fixture.store().await).await;
    base_keys(&*fixture.store().await).await;
    device_lists_and_group_metadata(&*fixture.store().await).await;
    tc_tokens(&*fixture.store().await).await;
    sent_messages(&*fixture.store().await).await;
    pending_inbound(&*fixture.store().await).await;
    msg_secrets(&*fixture.store().await).await;
    device_record(&*fixture.store().await).await;
    let (a, b) = (fixture.store().await, fixture.store().await);
    fill(&*a).await;
    devices_do_not_see_each_other(&*a, &*b).await;
}

#[tokio::test]
async fn the_reference_store_passes_the_conformance_suite() {
    run_suite(&Fixture::Reference).await;
}

#[tokio::test]
async fn the_postgres_store_behaves_like_the_reference() {
    let name = fresh_database().await;
    let db = wafleet::db::connect(&database_url(&name)).await.unwrap();
    run_suite(&Fixture::database(db.clone()).await).await;
    db.close().await.unwrap();
    drop_database(&name).await;
}

#[tokio::test]
async fn the_sqlite_store_behaves_like_the_reference() {
    let (db, _dir) = sqlite().await;
    run_suite(&Fixture::database(db).await).await;
}

#[tokio::test]
async fn forgetting_a_device_wipes_its_store_on_postgres() {
    let name = fresh_database().await;
    let db = wafleet::db::connect(&database_url(&name)).await.unwrap();
    forgetting_wipes_only_that_device(db.clone()).await;
    db.close().await.unwrap();
    drop_database(&name).await;
}

#[tokio::test]
async fn forgetting_a_device_wipes_its_store_on_sqlite() {
    let (db, _dir) = sqlite().await;
    forgetting_wipes_only_that_device(db).await;
}

async fn forgetting_wipes_only_that_device(db: DatabaseConnection) {
    // Arrange: two devices with something in every table.
    let Fixture::Database { owner, .. } = Fixture::database(db.clone()).await else {
        unreachable!()
    };
    let (gone, kept) = (device_in(&db, owner).await, device_in(&db, owner).await);
    for device in [gone, kept] {
        fill(&DbBackend::new(db.clone(), device)).await;
    }
    assert_eq!(rows_of(&db, gone).await, rows_of(&db, kept).await);
    assert!(rows_of(&db, gone).await.iter().all(|(_, n)| *n > 0));

    // Act
    let whatsapp = LiveWhatsApp::new(db.clone(), LiveOptions::default()).unwrap();
    whatsapp.forget(gone).await.unwrap();

    // Assert: nothing left of the forgotten device, the other one untouched.
    let left = rows_of(&db, gone).await;
    assert!(left.iter().all(|(_, n)| *n == 0), "{left:?}");
    assert!(rows_of(&db, kept).await.iter().all(|(_, n)| *n > 0));
    let store = DbBackend::new(db.clone(), gone);
    assert!(!store.exists().await.unwrap());
    assert!(store.load().await.unwrap().is_none());
    // The device itself stays: it pairs again from scratch.
    assert!(devices::find(&db, gone).await.unwrap().is_some());
    drop(whatsapp);
}

/// Every table of the store, read from the database itself: a table added later is covered
/// without anyone listing it here.
async fn store_tables(db: &DatabaseConnection) -> Vec<String> {
    let sql = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 3) = 'wa_' ORDER BY name",
        _ => "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND substr(tablename, 1, 3) = 'wa_' ORDER BY tablename",
    };
    let tables: Vec<String> = db
        .query_all(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "name").unwrap())
        .collect();
    assert!(!tables.is_empty());
    tables
}

async fn rows_of(db: &DatabaseConnection, device: DeviceId) -> Vec<(String, i64)> {
    let mut counts = Vec::new();
    for table in store_tables(db).await {
        let row = db
            .query_one(Statement::from_sql_and_values(
                db.get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table} WHERE device_id = $1"),
                [device.0.into()],
            ))
            .await
            .unwrap()
            .unwrap();
        counts.push((table, row.try_get::<i64>("", "n").unwrap()));
    }
    counts
}

// ---------------------------------------------------------------------------------------------
// Scenarios. Each starts from an empty store.
// ---------------------------------------------------------------------------------------------

fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap()
}

fn addr(s: &str) -> Arc<str> {
    Arc::from(s)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn identities(store: &dyn Backend) {
    assert_eq!(
        store.load_identity("111@s.whatsapp.net").await.unwrap(),
        None
    );
    store
        .put_identity("111@s.whatsapp.net", [1; 32])
        .await
        .unwrap();
    assert_eq!(
        store.load_identity("111@s.whatsapp.net").await.unwrap(),
        Some([1; 32])
    );
    store
        .put_identity("111@s.whatsapp.net", [2; 32])
        .await
        .unwrap();
    assert_eq!(
        store.load_identity("111@s.whatsapp.net").await.unwrap(),
        Some([2; 32])
    );

    // A batch writes like the same calls one after the other: the last write of a key wins.
    store
        .put_identities_batch(&[
            (addr("222@lid"), [3; 32]),
            (addr("111@s.whatsapp.net"), [4; 32]),
            (addr("222@lid"), [5; 32]),
        ])
        .await
        .unwrap();
    assert_eq!(store.load_identity("222@lid").await.unwrap(), Some([5; 32]));
    assert_eq!(
        store.load_identity("111@s.whatsapp.net").await.unwrap(),
        Some([4; 32])
    );
    store.put_identities_batch(&[]).await.unwrap();

    store.delete_identity("222@lid").await.unwrap();
    store.delete_identity("never@lid").await.unwrap();
    assert_eq!(store.load_identity("222@lid").await.unwrap(), None);
    assert!(store
        .load_identity("111@s.whatsapp.net")
        .await
        .unwrap()
        .is_some());
}

async fn sessions(store: &dyn Backend) {
    let a = "111:2@s.whatsapp.net";
    assert_eq!(store.get_session(a).await.unwrap(), None);
    assert!(!store.has_session(a).await.unwrap());
    assert!(!store.has_signal_state_for_user("111").await.unwrap());

    store.put_session(a, b"one").await.unwrap();
    assert_eq!(
        store.get_session(a).await.unwrap().as_deref(),
        Some(&b"one"[..])
    );
    assert!(store.has_session(a).await.unwrap());
    store.put_session(a, b"two").await.unwrap();
    assert_eq!(
        store.get_session(a).await.unwrap().as_deref(),
        Some(&b"two"[..])
    );

    store
        .put_sessions_batch(&[
            (addr("333@lid"), Bytes::from_static(b"x")),
            (addr(a), Bytes::from_static(b"three")),
            (addr("333@lid"), Bytes::from_static(b"y")),
        ])
        .await
        .unwrap();
    assert_eq!(
        store.get_session(a).await.unwrap().as_deref(),
        Some(&b"three"[..])
    );
    assert_eq!(
        store.get_session("333@lid").await.unwrap().as_deref(),
        Some(&b"y"[..])
    );
    store.put_sessions_batch(&[]).await.unwrap();

    // Signal state of a user: any device's session or identity, matched on the whole user.
    store.put_identity("444_5@lid", [9; 32]).await.unwrap();
    for (user, expected) in [
        ("111", true),
        ("333", true),
        ("444_5", true),
        ("11", false),
        ("1111", false),
        ("444%", false),
        ("4445", false),
        ("", false),
    ] {
        assert_eq!(
            store.has_signal_state_for_user(user).await.unwrap(),
            expected,
            "{user}"
        );
    }

    store.delete_session(a).await.unwrap();
    store.delete_session("never@lid").await.unwrap();
    assert!(!store.has_session(a).await.unwrap());
    assert_eq!(store.get_session(a).await.unwrap(), None);
    assert!(!store.has_signal_state_for_user("111").await.unwrap());
}

async fn prekeys(store: &dyn Backend) {
    assert_eq!(store.get_max_prekey_id().await.unwrap(), 0);
    assert_eq!(store.load_prekey(1).await.unwrap(), None);
    assert!(store.load_prekeys_batch(&[1, 2]).await.unwrap().is_empty());

    store.store_prekey(1, b"k1", true).await.unwrap();
    store
        .store_prekeys_batch(
            &[
                (5, Bytes::from_static(b"k5")),
                (7, Bytes::from_static(b"k7")),
                (5, Bytes::from_static(b"k5'")),
            ],
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        store.load_prekey(1).await.unwrap().as_deref(),
        Some(&b"k1"[..])
    );
    assert_eq!(
        store.load_prekey(5).await.unwrap().as_deref(),
        Some(&b"k5'"[..])
    );
    assert_eq!(store.get_max_prekey_id().await.unwrap(), 7);

    // Only the keys that exist, in the order (and with the repeats) asked for.
    let loaded = store.load_prekeys_batch(&[7, 99, 5, 7]).await.unwrap();
    assert_eq!(
        loaded,
        vec![
            (7, Bytes::from_static(b"k7")),
            (5, Bytes::from_static(b"k5'")),
            (7, Bytes::from_static(b"k7")),
        ]
    );
    assert!(store.load_prekeys_batch(&[]).await.unwrap().is_empty());

    // Marking never brings a consumed key back.
    store.remove_prekey(5).await.unwrap();
    store.mark_prekeys_uploaded(&[5, 7, 100]).await.unwrap();
    store.mark_prekeys_uploaded(&[]).await.unwrap();
    assert_eq!(store.load_prekey(5).await.unwrap(), None);
    assert_eq!(store.load_prekey(100).await.unwrap(), None);
    assert_eq!(
        store.load_prekey(7).await.unwrap().as_deref(),
        Some(&b"k7"[..])
    );

    store.store_prekey(7, b"k7'", false).await.unwrap();
    assert_eq!(
        store.load_prekey(7).await.unwrap().as_deref(),
        Some(&b"k7'"[..])
    );
    store.remove_prekey(7).await.unwrap();
    store.remove_prekey(12345).await.unwrap();
    assert_eq!(store.get_max_prekey_id().await.unwrap(), 1);

    // Ids use all 32 bits.
    store.store_prekey(u32::MAX, b"max", false).await.unwrap();
    assert_eq!(store.get_max_prekey_id().await.unwrap(), u32::MAX);
    assert_eq!(
        store.load_prekeys_batch(&[u32::MAX]).await.unwrap(),
        vec![(u32::MAX, Bytes::from_static(b"max"))]
    );

    // A batch larger than one statement.
    let many: Vec<(u32, Bytes)> = (1000..1600)
        .map(|id| (id, Bytes::from(id.to_string())))
        .collect();
    store.store_prekeys_batch(&many, false).await.unwrap();
    let ids: Vec<u32> = (1000..1600).collect();
    assert_eq!(store.load_prekeys_batch(&ids).await.unwrap(), many);
    store.mark_prekeys_uploaded(&ids).await.unwrap();
    assert_eq!(store.load_prekeys_batch(&ids).await.unwrap().len(), 600);
}

async fn signed_prekeys(store: &dyn Backend) {
    assert_eq!(store.load_signed_prekey(1).await.unwrap(), None);
    assert!(store.load_all_signed_prekeys().await.unwrap().is_empty());
    store.store_signed_prekey(2, b"s2").await.unwrap();
    store.store_signed_prekey(1, b"s1").await.unwrap();
    store.store_signed_prekey(2, b"s2'").await.unwrap();
    assert_eq!(
        store.load_signed_prekey(2).await.unwrap(),
        Some(b"s2'".to_vec())
    );
    let mut all = store.load_all_signed_prekeys().await.unwrap();
    all.sort();
    assert_eq!(all, vec![(1, b"s1".to_vec()), (2, b"s2'".to_vec())]);
    store.remove_signed_prekey(1).await.unwrap();
    store.remove_signed_prekey(9).await.unwrap();
    assert_eq!(store.load_signed_prekey(1).await.unwrap(), None);
    assert_eq!(
        store.load_all_signed_prekeys().await.unwrap(),
        vec![(2, b"s2'".to_vec())]
    );
}

async fn sender_keys(store: &dyn Backend) {
    let key = "120363@g.us::111:0";
    assert_eq!(store.get_sender_key(key).await.unwrap(), None);
    store.put_sender_key(key, b"a").await.unwrap();
    assert_eq!(
        store.get_sender_key(key).await.unwrap(),
        Some(b"a".to_vec())
    );
    store
        .put_sender_keys_batch(&[
            (addr(key), Bytes::from_static(b"b")),
            (addr("other"), Bytes::from_static(b"c")),
            (addr(key), Bytes::from_static(b"d")),
        ])
        .await
        .unwrap();
    assert_eq!(
        store.get_sender_key(key).await.unwrap(),
        Some(b"d".to_vec())
    );
    assert_eq!(
        store.get_sender_key("other").await.unwrap(),
        Some(b"c".to_vec())
    );
    store.put_sender_keys_batch(&[]).await.unwrap();
    store.delete_sender_key(key).await.unwrap();
    store.delete_sender_key("never").await.unwrap();
    assert_eq!(store.get_sender_key(key).await.unwrap(), None);
    assert!(store.get_sender_key("other").await.unwrap().is_some());
}

fn sync_key(n: u8) -> AppStateSyncKey {
    AppStateSyncKey {
        key_data: vec![n; 32],
        fingerprint: vec![n, n],
        timestamp: 1_700_000_000 + i64::from(n),
    }
}

fn mac(index: u8, value: u8) -> AppStateMutationMAC {
    AppStateMutationMAC {
        index_mac: vec![index; 32],
        value_mac: vec![value; 32],
    }
}

async fn app_state(store: &dyn Backend) {
    // Sync keys; the latest is the one set last.
    assert!(store.get_sync_key(b"k1").await.unwrap().is_none());
    assert_eq!(store.get_latest_sync_key_id().await.unwrap(), None);
    store.set_sync_key(b"k1", sync_key(1)).await.unwrap();
    store.set_sync_key(b"k2", sync_key(2)).await.unwrap();
    assert_eq!(
        store.get_latest_sync_key_id().await.unwrap(),
        Some(b"k2".to_vec())
    );
    store.set_sync_key(b"k1", sync_key(3)).await.unwrap();
    assert_eq!(
        store.get_latest_sync_key_id().await.unwrap(),
        Some(b"k1".to_vec())
    );
    assert_eq!(
        json(&store.get_sync_key(b"k1").await.unwrap()),
        json(&Some(sync_key(3)))
    );
    assert_eq!(
        json(&store.get_sync_key(b"k2").await.unwrap()),
        json(&Some(sync_key(2)))
    );

    // Versions: a collection never synced is at the default state.
    assert_eq!(
        json(&store.get_version("regular").await.unwrap()),
        json(&HashState::default())
    );
    let mut state = HashState {
        version: 42,
        hash: [7; 128],
        ..HashState::default()
    };
    state.index_value_map.insert("idx".into(), vec![1, 2, 3]);
    store.set_version("regular", state.clone()).await.unwrap();
    assert_eq!(
        json(&store.get_version("regular").await.unwrap()),
        json(&state)
    );
    state.version = 43;
    store.set_version("regular", state.clone()).await.unwrap();
    assert_eq!(store.get_version("regular").await.unwrap().version, 43);
    assert_eq!(
        store.get_version("critical_block").await.unwrap().version,
        0
    );

    // Mutation MACs, per collection.
    assert_eq!(
        store.get_mutation_mac("regular", &[1; 32]).await.unwrap(),
        None
    );
    store
        .put_mutation_macs("regular", 1, &[mac(1, 10), mac(2, 20), mac(1, 11)])
        .await
        .unwrap();
    store
        .put_mutation_macs("other", 1, &[mac(1, 99)])
        .await
        .unwrap();
    store.put_mutation_macs("other", 2, &[]).await.unwrap();
    assert_eq!(
        store.get_mutation_mac("regular", &[1; 32]).await.unwrap(),
        Some(vec![11; 32])
    );
    assert_eq!(
        store.get_mutation_mac("other", &[1; 32]).await.unwrap(),
        Some(vec![99; 32])
    );
    let found = store
        .get_mutation_macs("regular", &[[1; 32], [2; 32], [3; 32]])
        .await
        .unwrap();
    assert_eq!(found.len(), 2);
    assert_eq!(found[&[1; 32]], vec![11; 32]);
    assert_eq!(found[&[2; 32]], vec![20; 32]);
    assert!(store
        .get_mutation_macs("regular", &[])
        .await
        .unwrap()
        .is_empty());

    store
        .delete_mutation_macs("regular", &[vec![1; 32], vec![5; 32]])
        .await
        .unwrap();
    store.delete_mutation_macs("regular", &[]).await.unwrap();
    assert_eq!(
        store.get_mutation_mac("regular", &[1; 32]).await.unwrap(),
        None
    );
    assert!(store
        .get_mutation_mac("regular", &[2; 32])
        .await
        .unwrap()
        .is_some());
    assert!(store
        .get_mutation_mac("other", &[1; 32])
        .await
        .unwrap()
        .is_some());

    store.clear_mutation_macs("regular").await.unwrap();
    assert_eq!(
        store.get_mutation_mac("regular", &[2; 32]).await.unwrap(),
        None
    );
    assert!(store
        .get_mutation_mac("other", &[1; 32])
        .await
        .unwrap()
        .is_some());
}

async fn sender_key_devices(store: &dyn Backend) {
    let sorted = |mut v: Vec<(String, bool)>| {
        v.sort();
        v
    };
    let pairs = |v: &[(&str, bool)]| -> Vec<(String, bool)> {
        v.iter().map(|(j, k)| (j.to_string(), *k)).collect()
    };
    assert!(store
        .get_sender_key_devices("g1@g.us")
        .await
        .unwrap()
        .is_empty());
    store
        .set_sender_key_status(
            "g1@g.us",
            &[("a:1@lid", true), ("b:0@lid", false), ("a:1@lid", false)],
        )
        .await
        .unwrap();
    store
        .set_sender_key_status("g1@g.us", &[("b:0@lid", true)])
        .await
        .unwrap();
    store
        .set_sender_key_status("g2@g.us", &[("a:1@lid", true), ("c:0@lid", true)])
        .await
        .unwrap();
    store.set_sender_key_status("g3@g.us", &[]).await.unwrap();
    assert_eq!(
        sorted(store.get_sender_key_devices("g1@g.us").await.unwrap()),
        pairs(&[("a:1@lid", false), ("b:0@lid", true)])
    );
    assert!(store
        .get_sender_key_devices("g3@g.us")
        .await
        .unwrap()
        .is_empty());

    // Rows of a device go from every group.
    store
        .delete_sender_key_device_rows(&["a:1@lid"])
        .await
        .unwrap();
    store.delete_sender_key_device_rows(&[]).await.unwrap();
    assert_eq!(
        store.get_sender_key_devices("g1@g.us").await.unwrap(),
        pairs(&[("b:0@lid", true)])
    );
    assert_eq!(
        store.get_sender_key_devices("g2@g.us").await.unwrap(),
        pairs(&[("c:0@lid", true)])
    );

    store.clear_sender_key_devices("g1@g.us").await.unwrap();
    assert!(store
        .get_sender_key_devices("g1@g.us")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.get_sender_key_devices("g2@g.us").await.unwrap().len(),
        1
    );
    store.clear_all_sender_key_devices().await.unwrap();
    assert!(store
        .get_sender_key_devices("g2@g.us")
        .await
        .unwrap()
        .is_empty());
}

fn mapping(lid: &str, phone: &str, at: i64) -> LidPnMappingEntry {
    LidPnMappingEntry {
        lid: lid.into(),
        phone_number: phone.into(),
        created_at: at,
        updated_at: at + 1,
        learning_source: "usync".into(),
    }
}

async fn lid_mappings(store: &dyn Backend) {
    assert!(store.get_lid_mapping("100").await.unwrap().is_none());
    assert!(store.get_pn_mapping("5511").await.unwrap().is_none());
    assert!(store.get_all_lid_mappings().await.unwrap().is_empty());

    store
        .put_lid_mapping(&mapping("100", "5511", 10))
        .await
        .unwrap();
    assert_eq!(
        json(&store.get_lid_mapping("100").await.unwrap()),
        json(&Some(mapping("100", "5511", 10)))
    );
    assert_eq!(
        store.get_pn_mapping("5511").await.unwrap().unwrap().lid,
        "100"
    );
    // A phone number resolves to the LID written last.
    store
        .put_lid_mapping(&mapping("200", "5511", 5))
        .await
        .unwrap();
    assert_eq!(
        store.get_pn_mapping("5511").await.unwrap().unwrap().lid,
        "200"
    );
    // Overwriting a LID moves it to its new phone number.
    store
        .put_lid_mapping(&mapping("100", "5522", 20))
        .await
        .unwrap();
    assert_eq!(
        json(&store.get_pn_mapping("5522").await.unwrap()),
        json(&Some(mapping("100", "5522", 20)))
    );

    // The batch is the same writes in order.
    store
        .put_lid_mappings(&[
            mapping("300", "5533", 30),
            mapping("400", "5544", 40),
            mapping("300", "5535", 31),
        ])
        .await
        .unwrap();
    store.put_lid_mappings(&[]).await.unwrap();
    assert_eq!(
        store
            .get_lid_mapping("300")
            .await
            .unwrap()
            .unwrap()
            .phone_number,
        "5535"
    );
    assert_eq!(
        store.get_pn_mapping("5535").await.unwrap().unwrap().lid,
        "300"
    );
    assert!(store.get_pn_mapping("5533").await.unwrap().is_none());
    assert_eq!(
        store.get_pn_mapping("5544").await.unwrap().unwrap().lid,
        "400"
    );
    store
        .put_lid_mappings(&[mapping("500", "5544", 50)])
        .await
        .unwrap();
    assert_eq!(
        store.get_pn_mapping("5544").await.unwrap().unwrap().lid,
        "500"
    );

    let mut all: Vec<String> = store
        .get_all_lid_mappings()
        .await
        .unwrap()
        .into_iter()
        .map(|m| format!("{}={}", m.lid, m.phone_number))
        .collect();
    all.sort();
    assert_eq!(
        all,
        ["100=5522", "200=5511", "300=5535", "400=5544", "500=5544"]
    );
}

async fn base_keys(store: &dyn Backend) {
    let (a, m) = ("111:1@s.whatsapp.net", "3EB0AA");
    assert!(!store.has_same_base_key(a, m, b"k").await.unwrap());
    store.save_base_key(a, m, b"k").await.unwrap();
    assert!(store.has_same_base_key(a, m, b"k").await.unwrap());
    assert!(!store.has_same_base_key(a, m, b"other").await.unwrap());
    assert!(!store.has_same_base_key(a, "3EB0BB", b"k").await.unwrap());
    store.save_base_key(a, m, b"k2").await.unwrap();
    assert!(store.has_same_base_key(a, m, b"k2").await.unwrap());
    store.delete_base_key(a, m).await.unwrap();
    store.delete_base_key(a, "never").await.unwrap();
    assert!(!store.has_same_base_key(a, m, b"k2").await.unwrap());
}

fn device_list(user: &str, devices: &[u32], timestamp: i64) -> DeviceListRecord {
    DeviceListRecord {
        user: user.into(),
        devices: devices
            .iter()
            .map(|&d| DeviceInfo::new(d, Some(d + 1)).with_hosting(d == 99))
            .collect(),
        timestamp,
        phash: Some("2:abc".into()),
        raw_id: Some(7),
    }
}

async fn device_lists_and_group_metadata(store: &dyn Backend) {
    assert!(store.get_devices("5511").await.unwrap().is_none());
    store
        .update_device_list(device_list("5511", &[0, 1], 1))
        .await
        .unwrap();
    assert_eq!(
        json(&store.get_devices("5511").await.unwrap()),
        json(&Some(device_list("5511", &[0, 1], 1)))
    );
    store
        .update_device_lists(vec![
            device_list("5522", &[0], 2),
            device_list("5511", &[0, 99], 3),
            device_list("5522", &[0, 2], 4),
        ])
        .await
        .unwrap();
    store.update_device_lists(vec![]).await.unwrap();
    assert_eq!(
        json(&store.get_devices("5511").await.unwrap()),
        json(&Some(device_list("5511", &[0, 99], 3)))
    );
    assert_eq!(
        store.get_devices("5522").await.unwrap().unwrap().timestamp,
        4
    );
    store.delete_devices("5511").await.unwrap();
    store.delete_devices("never").await.unwrap();
    assert!(store.get_devices("5511").await.unwrap().is_none());
    assert!(store.get_devices("5522").await.unwrap().is_some());

    assert_eq!(store.get_group_metadata("g@g.us").await.unwrap(), None);
    store.put_group_metadata("g@g.us", b"v1").await.unwrap();
    store.put_group_metadata("g@g.us", b"v2").await.unwrap();
    assert_eq!(
        store.get_group_metadata("g@g.us").await.unwrap(),
        Some(b"v2".to_vec())
    );
    store.delete_group_metadata("g@g.us").await.unwrap();
    store.delete_group_metadata("never@g.us").await.unwrap();
    assert_eq!(store.get_group_metadata("g@g.us").await.unwrap(), None);
}

fn token(token: &[u8], token_timestamp: i64, sender_timestamp: Option<i64>) -> TcTokenEntry {
    TcTokenEntry {
        token: token.to_vec(),
        token_timestamp,
        sender_timestamp,
    }
}

async fn tc_token_is(store: &dyn Backend, jid: &str, expected: Option<TcTokenEntry>) {
    assert_eq!(
        json(&store.get_tc_token(jid).await.unwrap()),
        json(&expected),
        "{jid}"
    );
}

async fn tc_tokens(store: &dyn Backend) {
    tc_token_is(store, "a@lid", None).await;
    assert!(store.get_all_tc_token_jids().await.unwrap().is_empty());
    store
        .put_tc_token("a@lid", &token(b"t", 100, None))
        .await
        .unwrap();
    tc_token_is(store, "a@lid", Some(token(b"t", 100, None))).await;
    store
        .put_tc_token("a@lid", &token(b"u", 90, Some(5)))
        .await
        .unwrap();
    tc_token_is(store, "a@lid", Some(token(b"u", 90, Some(5)))).await;

    // The sender bucket only moves forward and keeps the token.
    store
        .touch_tc_token_sender_timestamp("a@lid", 3)
        .await
        .unwrap();
    tc_token_is(store, "a@lid", Some(token(b"u", 90, Some(5)))).await;
    store
        .touch_tc_token_sender_timestamp("a@lid", 8)
        .await
        .unwrap();
    tc_token_is(store, "a@lid", Some(token(b"u", 90, Some(8)))).await;
    // Absent: a byte-less placeholder.
    store
        .touch_tc_token_sender_timestamp("b@lid", 50)
        .await
        .unwrap();
    tc_token_is(store, "b@lid", Some(token(b"", 50, Some(50)))).await;
    store
        .put_tc_token("c@lid", &token(b"c", 10, None))
        .await
        .unwrap();
    store
        .touch_tc_token_sender_timestamp("c@lid", 11)
        .await
        .unwrap();
    tc_token_is(store, "c@lid", Some(token(b"c", 10, Some(11)))).await;

    // Received tokens: newer wins, a placeholder never blocks, the sender bucket stays.
    store
        .store_received_tc_token("b@lid", b"real", 20)
        .await
        .unwrap();
    tc_token_is(store, "b@lid", Some(token(b"real", 20, Some(50)))).await;
    store
        .store_received_tc_token("b@lid", b"stale", 19)
        .await
        .unwrap();
    tc_token_is(store, "b@lid", Some(token(b"real", 20, Some(50)))).await;
    store
        .store_received_tc_token("b@lid", b"same", 20)
        .await
        .unwrap();
    tc_token_is(store, "b@lid", Some(token(b"same", 20, Some(50)))).await;
    store
        .store_received_tc_token("d@lid", b"new", 30)
        .await
        .unwrap();
    tc_token_is(store, "d@lid", Some(token(b"new", 30, None))).await;

    let mut jids = store.get_all_tc_token_jids().await.unwrap();
    jids.sort();
    assert_eq!(jids, ["a@lid", "b@lid", "c@lid", "d@lid"]);

    // Expiry: a row goes only when both its token and its sender bucket are stale.
    store
        .put_tc_token("e@lid", &token(b"", 1000, Some(10)))
        .await
        .unwrap(); // placeholder, stale sender
    store
        .put_tc_token("f@lid", &token(b"f", 10, None))
        .await
        .unwrap(); // stale token
    store
        .put_tc_token("g@lid", &token(b"g", 10, Some(100)))
        .await
        .unwrap(); // live sender
    store
        .put_tc_token("h@lid", &token(b"h", 100, None))
        .await
        .unwrap(); // live token
                   // Cutoffs 100 / 60: a (token 90, sender 8), c (10, 11), d (30, none), e, f go; b
                   // (sender 50 < 60, token 20) goes too; g and h stay.
    assert_eq!(store.delete_expired_tc_tokens(100, 60).await.unwrap(), 6);
    let mut jids = store.get_all_tc_token_jids().await.unwrap();
    jids.sort();
    assert_eq!(jids, ["g@lid", "h@lid"]);
    assert_eq!(store.delete_expired_tc_tokens(100, 60).await.unwrap(), 0);

    store.delete_tc_token("g@lid").await.unwrap();
    store.delete_tc_token("never@lid").await.unwrap();
    tc_token_is(store, "g@lid", None).await;
}

async fn sent_messages(store: &dyn Backend) {
    assert_eq!(
        store
            .take_sent_message("c@s.whatsapp.net", "m1")
            .await
            .unwrap(),
        None
    );
    store
        .store_sent_message("c@s.whatsapp.net", "m1", b"p1")
        .await
        .unwrap();
    store
        .store_sent_message("c@s.whatsapp.net", "m1", b"p1'")
        .await
        .unwrap();
    store
        .store_sent_message("c@s.whatsapp.net", "m2", b"p2")
        .await
        .unwrap();
    store
        .store_sent_message("g@g.us", "m1", b"p3")
        .await
        .unwrap();
    // Taking consumes: a second retry receipt finds nothing.
    assert_eq!(
        store
            .take_sent_message("c@s.whatsapp.net", "m1")
            .await
            .unwrap(),
        Some(b"p1'".to_vec())
    );
    assert_eq!(
        store
            .take_sent_message("c@s.whatsapp.net", "m1")
            .await
            .unwrap(),
        None
    );

    assert_eq!(
        store
            .delete_expired_sent_messages(now() - 1000)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .delete_expired_sent_messages(now() + 1000)
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.take_sent_message("g@g.us", "m1").await.unwrap(), None);
}

async fn pending_inbound(store: &dyn Backend) {
    let (c, s) = ("c@s.whatsapp.net", "s@s.whatsapp.net");
    assert_eq!(store.get_pending_inbound(c, s, "1").await.unwrap(), None);
    store
        .store_pending_inbound(c, s, "1", b"one")
        .await
        .unwrap();
    store
        .store_pending_inbound(c, s, "1", b"one'")
        .await
        .unwrap();
    assert_eq!(
        store.get_pending_inbound(c, s, "1").await.unwrap(),
        Some(b"one'".to_vec())
    );
    // Scoped by chat and sender too.
    assert_eq!(
        store.get_pending_inbound(c, "x@lid", "1").await.unwrap(),
        None
    );

    let row = |id, message| PendingInboundRow {
        chat: c,
        sender: s,
        id,
        message,
    };
    store
        .store_pending_inbound_batch(&[row("2", b"two"), row("3", b"three"), row("2", b"two'")])
        .await
        .unwrap();
    store.store_pending_inbound_batch(&[]).await.unwrap();
    assert_eq!(
        store.get_pending_inbound(c, s, "2").await.unwrap(),
        Some(b"two'".to_vec())
    );
    assert_eq!(
        store.get_pending_inbound(c, s, "3").await.unwrap(),
        Some(b"three".to_vec())
    );

    store.delete_pending_inbound(c, s, "1").await.unwrap();
    store.delete_pending_inbound(c, s, "never").await.unwrap();
    assert_eq!(store.get_pending_inbound(c, s, "1").await.unwrap(), None);
    let key = |id| PendingInboundKey {
        chat: c,
        sender: s,
        id,
    };
    store
        .delete_pending_inbound_batch(&[key("2"), key("never")])
        .await
        .unwrap();
    store.delete_pending_inbound_batch(&[]).await.unwrap();
    assert_eq!(store.get_pending_inbound(c, s, "2").await.unwrap(), None);

    store
        .store_pending_inbound(c, s, "4", b"four")
        .await
        .unwrap();
    assert_eq!(
        store
            .delete_expired_pending_inbound(now() - 1000)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .delete_expired_pending_inbound(now() + 1000)
            .await
            .unwrap(),
        2
    );
    assert_eq!(store.get_pending_inbound(c, s, "3").await.unwrap(), None);
}

fn secret(msg_id: &str, byte: u8, expires_at: i64, message_ts: i64) -> MsgSecretEntry {
    MsgSecretEntry {
        chat: Arc::from("c@s.whatsapp.net"),
        sender: Arc::from("s@s.whatsapp.net"),
        msg_id: Arc::from(msg_id),
        secret: [byte; 32],
        expires_at,
        message_ts,
    }
}

async fn secret_is(store: &dyn Backend, msg_id: &str, expected: Option<(u8, i64)>) {
    let got = store
        .get_msg_secret_with_ts("c@s.whatsapp.net", "s@s.whatsapp.net", msg_id)
        .await
        .unwrap();
    assert_eq!(got, expected.map(|(b, ts)| (vec![b; 32], ts)), "{msg_id}");
}

async fn msg_secrets(store: &dyn Backend) {
    let (c, s) = ("c@s.whatsapp.net", "s@s.whatsapp.net");
    assert_eq!(store.get_msg_secret(c, s, "never").await.unwrap(), None);
    store.put_msg_secret(c, s, "plain", &[1; 32]).await.unwrap();
    secret_is(store, "plain", Some((1, 0))).await;
    assert_eq!(
        store.get_msg_secret(c, s, "plain").await.unwrap(),
        Some(vec![1; 32])
    );
    assert_eq!(
        store.get_msg_secret(c, "other@lid", "plain").await.unwrap(),
        None
    );

    // On conflict: the later deadline wins (0 = never), the known parent time is kept, the
    // secret is the new one.
    assert_eq!(
        store
            .put_msg_secrets(vec![secret("x", 2, 100, 50), secret("y", 3, 100, 0)])
            .await
            .unwrap(),
        2
    );
    store
        .put_msg_secrets(vec![secret("x", 4, 200, 0)])
        .await
        .unwrap();
    secret_is(store, "x", Some((4, 50))).await;
    store
        .put_msg_secrets(vec![secret("x", 4, 150, 60)])
        .await
        .unwrap();
    secret_is(store, "x", Some((4, 60))).await;
    store
        .put_msg_secrets(vec![secret("z", 5, 0, 0)])
        .await
        .unwrap();
    store
        .put_msg_secrets(vec![secret("z", 5, 300, 0)])
        .await
        .unwrap();
    // Repeats inside one batch merge the same way.
    assert_eq!(
        store
            .put_msg_secrets(vec![
                secret("w", 6, 20, 9),
                secret("w", 7, 10, 0),
                secret("w", 8, 20, 3)
            ])
            .await
            .unwrap(),
        3
    );
    secret_is(store, "w", Some((8, 9))).await;
    assert_eq!(store.put_msg_secrets(vec![]).await.unwrap(), 0);

    // Expiry: deadlines at or before the cutoff go; `0` never does.
    assert_eq!(store.delete_expired_msg_secrets(19).await.unwrap(), 0);
    assert_eq!(store.delete_expired_msg_secrets(100).await.unwrap(), 2); // w (20), y (100)
    secret_is(store, "w", None).await;
    secret_is(store, "y", None).await;
    assert_eq!(store.delete_expired_msg_secrets(199).await.unwrap(), 0);
    assert_eq!(store.delete_expired_msg_secrets(i64::MAX).await.unwrap(), 1); // x (200)
    secret_is(store, "z", Some((5, 0))).await;
    secret_is(store, "plain", Some((1, 0))).await;
}

async fn device_record(store: &dyn Backend) {
    assert!(!store.exists().await.unwrap());
    assert!(store.load().await.unwrap().is_none());

    // `create` materialises a device with fresh keys.
    assert_eq!(store.create().await.unwrap(), 1);
    assert!(store.exists().await.unwrap());
    let created = store.load().await.unwrap().unwrap();

    let mut device = created.clone();
    device.push_name = "Shop".into();
    device.registration_id = 4242;
    device.next_pre_key_id = 812;
    device.login_counter = 3;
    store.save(&device).await.unwrap();
    assert_eq!(json(&store.load().await.unwrap().unwrap()), json(&device));

    // Creating again never replaces a stored device.
    assert_eq!(store.create().await.unwrap(), 2);
    assert_eq!(json(&store.load().await.unwrap().unwrap()), json(&device));
}

/// Something in every kind of record.
async fn fill(store: &dyn Backend) {
    store.create().await.unwrap();
    store
        .put_identity("111@s.whatsapp.net", [1; 32])
        .await
        .unwrap();
    store.put_session("111@s.whatsapp.net", b"s").await.unwrap();
    store.store_prekey(3, b"p", false).await.unwrap();
    store.store_signed_prekey(1, b"sp").await.unwrap();
    store.put_sender_key("g@g.us::111", b"sk").await.unwrap();
    store.set_sync_key(b"k", sync_key(1)).await.unwrap();
    store
        .set_version("regular", HashState::default())
        .await
        .unwrap();
    store
        .put_mutation_macs("regular", 1, &[mac(1, 1)])
        .await
        .unwrap();
    store
        .set_sender_key_status("g@g.us", &[("111:1@s.whatsapp.net", true)])
        .await
        .unwrap();
    store
        .put_lid_mapping(&mapping("100", "5511", 1))
        .await
        .unwrap();
    store
        .save_base_key("111@s.whatsapp.net", "m", b"b")
        .await
        .unwrap();
    store
        .update_device_list(device_list("5511", &[0], 1))
        .await
        .unwrap();
    store.put_group_metadata("g@g.us", b"meta").await.unwrap();
    store
        .put_tc_token("100@lid", &token(b"t", 1, None))
        .await
        .unwrap();
    store
        .store_sent_message("c@s.whatsapp.net", "m", b"p")
        .await
        .unwrap();
    store
        .store_pending_inbound("c@s.whatsapp.net", "s@s.whatsapp.net", "m", b"p")
        .await
        .unwrap();
    store
        .put_msg_secret("c@s.whatsapp.net", "s@s.whatsapp.net", "m", &[1; 32])
        .await
        .unwrap();
}

async fn devices_do_not_see_each_other(a: &dyn Backend, b: &dyn Backend) {
    assert!(!b.exists().await.unwrap());
    assert_eq!(b.load_identity("111@s.whatsapp.net").await.unwrap(), None);
    assert!(!b.has_session("111@s.whatsapp.net").await.unwrap());
    assert!(!b.has_signal_state_for_user("111").await.unwrap());
    assert_eq!(b.get_max_prekey_id().await.unwrap(), 0);
    assert!(b.load_all_signed_prekeys().await.unwrap().is_empty());
    assert_eq!(b.get_sender_key("g@g.us::111").await.unwrap(), None);
    assert_eq!(b.get_latest_sync_key_id().await.unwrap(), None);
    assert!(b
        .get_mutation_mac("regular", &[1; 32])
        .await
        .unwrap()
        .is_none());
    assert!(b.get_sender_key_devices("g@g.us").await.unwrap().is_empty());
    assert!(b.get_all_lid_mappings().await.unwrap().is_empty());
    assert!(!b
        .has_same_base_key("111@s.whatsapp.net", "m", b"b")
        .await
        .unwrap());
    assert!(b.get_devices("5511").await.unwrap().is_none());
    assert!(b.get_group_metadata("g@g.us").await.unwrap().is_none());
    assert!(b.get_all_tc_token_jids().await.unwrap().is_empty());
    assert_eq!(
        b.take_sent_message("c@s.whatsapp.net", "m").await.unwrap(),
        None
    );
    assert!(b
        .get_pending_inbound("c@s.whatsapp.net", "s@s.whatsapp.net", "m")
        .await
        .unwrap()
        .is_none());
    assert!(b
        .get_msg_secret("c@s.whatsapp.net", "s@s.whatsapp.net", "m")
        .await
        .unwrap()
        .is_none());

    // Sweeping and clearing one device leaves the other alone.
    b.clear_all_sender_key_devices().await.unwrap();
    b.clear_mutation_macs("regular").await.unwrap();
    assert_eq!(
        b.delete_expired_tc_tokens(i64::MAX, i64::MAX)
            .await
            .unwrap(),
        0
    );
    assert_eq!(b.delete_expired_sent_messages(i64::MAX).await.unwrap(), 0);
    assert_eq!(b.delete_expired_pending_inbound(i64::MAX).await.unwrap(), 0);
    assert_eq!(b.delete_expired_msg_secrets(i64::MAX).await.unwrap(), 0);
    b.delete_sender_key_device_rows(&["111:1@s.whatsapp.net"])
        .await
        .unwrap();

    assert!(a.exists().await.unwrap());
    assert_eq!(a.get_max_prekey_id().await.unwrap(), 3);
    assert_eq!(a.get_sender_key_devices("g@g.us").await.unwrap().len(), 1);
    assert!(a
        .get_mutation_mac("regular", &[1; 32])
        .await
        .unwrap()
        .is_some());
    assert_eq!(a.get_all_tc_token_jids().await.unwrap(), ["100@lid"]);
    assert!(a.has_signal_state_for_user("111").await.unwrap());
    assert_eq!(
        a.take_sent_message("c@s.whatsapp.net", "m").await.unwrap(),
        Some(b"p".to_vec())
    );
}
