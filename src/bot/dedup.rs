//! Platforms deliver an event again when they did not see our answer in time.

use super::{Bot, BotError};

impl Bot {
    /// True the first time an event key is seen; platforms retry deliveries.
    pub async fn first_sight_of_event(&self, key: &str) -> Result<bool, BotError> {
        Ok(self.store.first_sight_of_event(key).await?)
    }
}
