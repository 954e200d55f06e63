//! Business-day calendars. SKELETON: the calendars helper fills this in.
