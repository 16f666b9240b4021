//! Send windows: the times of day and weekdays a campaign or a sequence step may message a lead,
//! in the **lead's** local time. The lead's zone comes from their phone's country: the country's
//! zone when it has one; the user's zone when the country has several and the user's is one of
//! them; the country's main zone when it has several and the user's is not; the user's zone when
//! the country is unknown.

use std::{collections::HashMap, sync::OnceLock};

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use crate::types::{phone::Country, InvalidValue};

/// Country → its IANA zones, main zone first (the tz database's `zone.tab`).
fn zones_by_country() -> &'static HashMap<String, Vec<Tz>> {
    static ZONES: OnceLock<HashMap<String, Vec<Tz>>> = OnceLock::new();
    ZONES.get_or_init(|| {
        let mut zones: HashMap<String, Vec<Tz>> = HashMap::new();
        for line in include_str!("data/country-zones.tsv").lines() {
            if line.starts_with('#') {
                continue;
            }
            if let Some((country, zone)) = line.split_once('\t') {
                if let Ok(zone) = zone.trim().parse::<Tz>() {
                    zones.entry(country.to_owned()).or_default().push(zone);
                }
            }
        }
        zones
    })
}

/// The zone a lead's local time is read in.
pub fn lead_zone(country: Option<Country>, user_zone: Tz) -> Tz {
    let Some(zones) = country.and_then(|c| zones_by_country().get(c.code())) else {
        return user_zone;
    };
    match zones.as_slice() {
        [] => user_zone,
        [only] => *only,
        several if several.contains(&user_zone) => user_zone,
        [main, ..] => *main,
    }
}

/// The days of the week a message may go out (none set means every day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Weekdays(u8);

impl Weekdays {
    pub const EVERY_DAY: Weekdays = Weekdays(0b111_1111);

    pub fn of(days: &[Weekday]) -> Self {
        if days.is_empty() {
            return Self::EVERY_DAY;
        }
        Self(
            days.iter()
                .fold(0, |bits, day| bits | 1 << day.num_days_from_monday()),
        )
    }

    /// From the stored bit mask (bit 0 = Monday).
    pub fn from_bits(bits: i16) -> Self {
        match u8::try_from(bits & 0b111_1111) {
            Ok(0) | Err(_) => Self::EVERY_DAY,
            Ok(bits) => Self(bits),
        }
    }

    pub fn bits(self) -> i16 {
        i16::from(self.0)
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn days(self) -> Vec<Weekday> {
        [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ]
        .into_iter()
        .filter(|d| self.contains(*d))
        .collect()
    }
}

/// A time-of-day window, `from` inclusive to `to` exclusive; `to` before `from` spans midnight
/// (22:00–06:00). Its days are the days it opens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendWindow {
    pub from: NaiveTime,
    pub to: NaiveTime,
    pub days: Weekdays,
}

impl SendWindow {
    pub fn new(from: NaiveTime, to: NaiveTime, days: Weekdays) -> Result<Self, InvalidValue> {
        if from == to {
            return Err(InvalidValue::new(
                "A send window needs a length: its start and end are the same time.",
            ));
        }
        Ok(Self { from, to, days })
    }

    /// Every time of every day.
    pub fn always(days: Weekdays) -> Self {
        Self {
            from: NaiveTime::MIN,
            to: NaiveTime::MIN,
            days,
        }
    }

    fn is_all_day(&self) -> bool {
        self.from == self.to
    }

    /// Parses `HH:MM` (as a time input gives it).
    pub fn parse_time(raw: &str) -> Result<NaiveTime, InvalidValue> {
        NaiveTime::parse_from_str(raw.trim(), "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(raw.trim(), "%H:%M:%S"))
            .map_err(|_| {
                let shown: String = raw.chars().take(20).collect();
                InvalidValue(format!("{shown:?} is not a time of day like 09:00."))
            })
    }

    /// The earliest moment at or after `now` when a message may go out in `zone`: `now` itself
    /// when the window is open.
    pub fn next_open(&self, now: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
        let local = now.with_timezone(&zone);
        if self.is_open_at_local(local.date_naive().weekday(), local.time()) {
            return now;
        }
        // The next opening: today's start if still ahead, else a later day's.
        for offset in 0..8 {
            let day = local.date_naive() + Duration::days(offset);
            if !self.days.contains(day.weekday()) {
                continue;
            }
            let start = day.and_time(if self.is_all_day() {
                NaiveTime::MIN
            } else {
                self.from
            });
            // A start skipped by a clock change opens at the first moment after it.
            let start = zone.from_local_datetime(&start).earliest().or_else(|| {
                zone.from_local_datetime(&(start + Duration::hours(1)))
                    .earliest()
            });
            if let Some(start) = start.map(|s| s.with_timezone(&Utc)) {
                if start > now {
                    return start;
                }
            }
        }
        // No weekday set at all cannot happen (`Weekdays` has at least one); be safe.
        now + Duration::days(1)
    }

    /// Whether the window is open at a local time on a local weekday. A window spanning midnight
    /// belongs to the day it opened on.
    fn is_open_at_local(&self, weekday: Weekday, time: NaiveTime) -> bool {
        if self.is_all_day() {
            return self.days.contains(weekday);
        }
        if self.from < self.to {
            self.days.contains(weekday) && time >= self.from && time < self.to
        } else if time >= self.from {
            self.days.contains(weekday)
        } else if time < self.to {
            self.days.contains(weekday.pred())
        } else {
            false
        }
    }

    /// Seconds of the window in a day (for ETAs).
    pub fn open_seconds_per_day(&self) -> i64 {
        if self.is_all_day() {
            return 24 * 3600;
        }
        let from = i64::from(self.from.num_seconds_from_midnight());
        let to = i64::from(self.to.num_seconds_from_midnight());
        if from < to {
            to - from
        } else {
            24 * 3600 - from + to
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn utc(raw: &str) -> DateTime<Utc> {
        raw.parse().unwrap()
    }

    #[test]
    fn a_lead_lives_in_their_phones_country() {
        let kl: Tz = "Asia/Kuala_Lumpur".parse().unwrap();
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let my = Country::parse("MY").ok();
        let id = Country::parse("ID").ok();
        let de = Country::parse("DE").ok();
        // One zone: that one, whatever the user's.
        assert_eq!(lead_zone(de, kl), berlin);
        // Several, the user's among them: the user's.
        let kuching: Tz = "Asia/Kuching".parse().unwrap();
        assert_eq!(lead_zone(my, kuching), kuching);
        // Several, the user's not among them: the country's main zone.
        assert_eq!(lead_zone(id, berlin), "Asia/Jakarta".parse::<Tz>().unwrap());
        // Unknown country: the user's.
        assert_eq!(lead_zone(None, berlin), berlin);
    }

    #[test]
    fn a_message_outside_its_window_waits_for_the_next_opening_in_the_leads_time() {
        let kl: Tz = "Asia/Kuala_Lumpur".parse().unwrap(); // UTC+8
        let window = SendWindow::new(time(9, 0), time(17, 0), Weekdays::of(&[])).unwrap();
        // 10:00 in KL: open.
        let inside = utc("2026-12-02T02:00:00Z");
        assert_eq!(window.next_open(inside, kl), inside);
        // 20:00 in KL: tomorrow 09:00 KL = 01:00 UTC.
        assert_eq!(
            window.next_open(utc("2026-12-02T12:00:00Z"), kl),
            utc("2026-12-03T01:00:00Z")
        );
        // 07:00 in KL: today 09:00.
        assert_eq!(
            window.next_open(utc("2026-12-01T23:00:00Z"), kl),
            utc("2026-12-02T01:00:00Z")
        );
    }

    #[test]
    fn weekdays_and_windows_across_midnight() {
        let utc_zone: Tz = "UTC".parse().unwrap();
        // Mon–Fri only: Saturday 2026-12-05 10:00 waits for Monday 09:00.
        let weekdays = Weekdays::of(&[
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ]);
        let office = SendWindow::new(time(9, 0), time(17, 0), weekdays).unwrap();
        assert_eq!(
            office.next_open(utc("2026-12-05T10:00:00Z"), utc_zone),
            utc("2026-12-07T09:00:00Z")
        );
        // 22:00–06:00 opened on Friday is still open at Saturday 03:00 …
        let night = SendWindow::new(time(22, 0), time(6, 0), weekdays).unwrap();
        let saturday_night = utc("2026-12-05T03:00:00Z");
        assert_eq!(night.next_open(saturday_night, utc_zone), saturday_night);
        // … but not at Sunday 03:00 (opened Saturday): Monday 22:00.
        assert_eq!(
            night.next_open(utc("2026-12-06T03:00:00Z"), utc_zone),
            utc("2026-12-07T22:00:00Z")
        );
        assert_eq!(night.open_seconds_per_day(), 8 * 3600);
    }

    #[test]
    fn a_window_of_zero_length_is_refused_and_times_parse() {
        assert!(SendWindow::new(time(9, 0), time(9, 0), Weekdays::EVERY_DAY).is_err());
        assert_eq!(SendWindow::parse_time("09:30").unwrap(), time(9, 30));
        assert!(SendWindow::parse_time("9am").is_err());
        assert_eq!(Weekdays::from_bits(0), Weekdays::EVERY_DAY);
        assert_eq!(Weekdays::of(&[Weekday::Sun]).days(), vec![Weekday::Sun]);
    }
}
