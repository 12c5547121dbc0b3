//! The only place with SQL. One module per aggregate; every function returns domain types.
//!
//! SQL here stays portable (see the first migration): `$N` placeholders, BIGINT millisecond
//! instants, BOOLEAN, `RETURNING`, `ON CONFLICT`. Queries are checked at run time
//! (`query_as`), not against one build-time `DATABASE_URL`.

mod enrollments;
mod events;
mod exclusions;
mod feedback;
mod groups;
mod members;
mod outbox;
mod programs;
mod rounds;
mod stats;
mod workspaces;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use enrollments::EnrollmentChange;
pub use events::UnappliedDelivery;
pub use outbox::{GroupRef, NewOutboxItem};
pub use programs::NewProgram;
pub use rounds::{ClosingMember, NewRound, RosterEffects, RoundClosing, RoundWrite};

/// Every schema change, compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create the database directory {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot create the database file {path}: {source}")]
    CreateFile {
        path: String,
        source: std::io::Error,
    },
    /// A write that had to be done within a time limit was not.
    #[error("the database did not take the write within {0:?}")]
    Timeout(Duration),
    /// A stored value no domain type accepts: a bug or a hand-edited database.
    #[error("invalid value in the database: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Why a write was refused, in words for an operator reading `/healthz`.
    pub fn write_refusal(&self) -> String {
        let code = match self {
            StoreError::Timeout(within) => {
                return format!("the database did not take a write within {within:?}");
            }
            StoreError::Database(sqlx::Error::Database(db)) => db
                .code()
                .and_then(|code| code.parse::<i64>().ok())
                .map(|code| code & 0xff),
            _ => None,
        };
        match code {
            // SQLITE_BUSY, SQLITE_LOCKED
            Some(5 | 6) => "the database is locked by another writer".to_owned(),
            Some(13) => "the disk is full".to_owned(),
            Some(8) => "the database is read-only".to_owned(),
            Some(10) => "the disk reported an I/O error".to_owned(),
            _ => format!("the database refused a write: {self}"),
        }
    }

    /// True when a UNIQUE or PRIMARY KEY constraint refused a write.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    /// How long a writer waits for another (SQLite's `busy_timeout`).
    busy_timeout: Duration,
}

/// How to open the database.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub url: String,
    pub max_connections: u32,
    pub busy_timeout: Duration,
}

impl Store {
    /// Opens (creating if missing) the database with WAL, foreign keys and a busy timeout.
    /// Does not migrate: call [`Store::migrate`].
    pub async fn connect(options: &StoreOptions) -> StoreResult<Self> {
        let connect = SqliteConnectOptions::from_str(&options.url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL is durable across process crashes (what the outbox relies on);
            // only an OS crash can lose the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(options.busy_timeout);
        let in_memory = options.url.contains(":memory:");
        if !in_memory {
            create_private_file(connect.get_filename())?;
        }
        let pool = SqlitePoolOptions::new()
            // Each in-memory connection would be its own empty database.
            .max_connections(if in_memory {
                1
            } else {
                options.max_connections
            })
            .idle_timeout(if in_memory {
                None
            } else {
                Some(Duration::from_secs(600))
            })
            .max_lifetime(if in_memory {
                None
            } else {
                Some(Duration::from_secs(3600))
            })
            .connect_with(connect)
            .await?;
        Ok(Self {
            pool,
            busy_timeout: options.busy_timeout,
        })
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// A round trip to the database, for health checks.
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Creates the database file (and its folder) readable by the bot's user only, before
/// SQLite opens it: SQLite creates files 0644, and gives the `-wal` and `-shm` files it
/// makes later the database file's permissions. Existing files and folders are left as the
/// operator set them.
fn create_private_file(file: &Path) -> StoreResult<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(dir)
            .map_err(|source| StoreError::CreateDir {
                path: dir.display().to_string(),
                source,
            })?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(file) {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::CreateFile {
            path: file.display().to_string(),
            source,
        }),
    }
}

/// Instants are stored as milliseconds since the epoch (see the first migration).
pub(crate) fn to_ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> StoreResult<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {ms} out of range")))
}

pub(crate) fn parse_stored<T>(value: &str) -> StoreResult<T>
where
    T: FromStr<Err = crate::domain::InvalidValue>,
{
    value
        .parse()
        .map_err(|err: crate::domain::InvalidValue| StoreError::Corrupt(err.0))
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// A migrated database in a fresh temporary directory, removed when dropped.
    pub struct TempStore {
        pub store: Store,
        _dir: tempfile::TempDir,
    }

    impl std::ops::Deref for TempStore {
        type Target = Store;
        fn deref(&self) -> &Store {
            &self.store
        }
    }

    /// A Slack workspace `T1` with an unscheduled program `coffee` of pairs.
    pub async fn coffee_program(store: &Store) -> crate::domain::Program {
        use crate::domain::{Platform, ProgramName, ProgramSettings};
        let workspace = store
            .upsert_workspace(Platform::Slack, "T1", "Acme")
            .await
            .unwrap();
        store
            .create_program(super::NewProgram {
                workspace,
                name: &ProgramName::parse("coffee").unwrap(),
                channel_id: None,
                schedule: None,
                settings: ProgramSettings::default(),
                created_by: None,
            })
            .await
            .unwrap()
            .unwrap()
    }

    pub async fn temp_store() -> TempStore {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&StoreOptions {
            url,
            max_connections: 4,
            busy_timeout: Duration::from_secs(5),
        })
        .await
        .unwrap();
        store.migrate().await.unwrap();
        TempStore { store, _dir: dir }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::temp_store;
    use super::*;

    #[tokio::test]
    async fn migrations_apply_to_an_empty_database_twice_without_error() {
        let store = temp_store().await;
        store.migrate().await.unwrap();
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(applied, MIGRATOR.iter().count() as i64);
    }

    #[tokio::test]
    async fn the_database_runs_in_wal_mode_with_foreign_keys_on() {
        let store = temp_store().await;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(mode.to_lowercase(), "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(fk, 1);
        let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(timeout, 5000);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_database_and_its_wal_files_are_readable_by_the_bot_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("data");
        let path = folder.join("pourover.db");
        let store = Store::connect(&StoreOptions {
            url: format!("sqlite://{}", path.display()),
            max_connections: 2,
            busy_timeout: Duration::from_secs(1),
        })
        .await
        .unwrap();
        store.migrate().await.unwrap();
        store.first_sight_of_event("slack:Ev1").await.unwrap();
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&folder), 0o700, "the data folder");
        for file in ["pourover.db", "pourover.db-wal", "pourover.db-shm"] {
            assert_eq!(mode(&folder.join(file)), 0o600, "{file}");
        }
        store.close().await;
    }

    #[tokio::test]
    async fn a_missing_database_directory_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/deeper/pourover.db");
        let store = Store::connect(&StoreOptions {
            url: format!("sqlite://{}", path.display()),
            max_connections: 1,
            busy_timeout: Duration::from_secs(1),
        })
        .await
        .unwrap();
        store.migrate().await.unwrap();
        assert!(path.exists());
    }
}
