//! Moments as the register stores them: microseconds since the Unix epoch, UTC, in a
//! plain integer column that sorts and compares the same on both backends.

use jiff::Timestamp;

use crate::error::RegisterError;

pub fn to_micros(moment: Timestamp) -> i64 {
    moment.as_microsecond()
}

pub fn from_micros(micros: i64) -> Result<Timestamp, RegisterError> {
    Timestamp::from_microsecond(micros)
        .map_err(|_| RegisterError::Corrupt(format!("stored moment {micros} is out of range")))
}

/// Now, for the register's own events. The protocol engine never reads the clock.
pub fn now() -> Timestamp {
    Timestamp::now()
}
